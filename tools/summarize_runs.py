#!/usr/bin/env python3
"""Summarises scripts/experiments.sh runs into the tables of docs/results.md (Markdown on stdout).

Usage: python3 tools/summarize_runs.py runs/experiments
"""
import json, os, statistics, sys

root = sys.argv[1] if len(sys.argv) > 1 else "runs/experiments"
runs = {}
for d in sorted(os.listdir(root)):
    p = os.path.join(root, d)
    if not os.path.exists(os.path.join(p, "report.json")):
        continue
    cfg, seed = d.rsplit("-seed", 1)
    r = json.load(open(os.path.join(p, "report.json")))
    wall = open(os.path.join(p, "wall_seconds")).read().strip() if os.path.exists(os.path.join(p, "wall_seconds")) else "?"
    runs.setdefault(cfg, []).append((int(seed), r, wall))

def acc(r, model, mode="reasoning", key="prompt_strict"):
    return 100 * r[model][mode]["all"][key]

def ms(xs):
    if not xs:
        return "–"
    if len(xs) == 1:
        return f"{xs[0]:.1f}"
    return f"{statistics.mean(xs):.1f} ± {statistics.stdev(xs):.1f}"

print("## Per run\n")
print("| config | seed | wall s | warm start strict | final strict | gain | final loose | final leaf strict | final no-reasoning strict |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for cfg, rs in runs.items():
    for seed, r, wall in sorted(rs, key=lambda t: t[0]):
        print(f"| {cfg} | {seed} | {wall} | {acc(r,'warmstart'):.1f} | {acc(r,'final'):.1f} | {acc(r,'final')-acc(r,'warmstart'):+.1f} | "
              f"{acc(r,'final',key='prompt_loose'):.1f} | {acc(r,'final',key='leaf_strict'):.1f} | {acc(r,'final','no_reasoning'):.1f} |")

print("\n## Mean ± sample std over seeds\n")
print("| config | seeds | warm start strict | final strict | gain | final no-reasoning strict | final leaf strict |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for cfg, rs in runs.items():
    w = [acc(r, "warmstart") for _, r, _ in rs]
    f = [acc(r, "final") for _, r, _ in rs]
    g = [a - b for a, b in zip(f, w)]
    n = [acc(r, "final", "no_reasoning") for _, r, _ in rs]
    l = [acc(r, "final", key="leaf_strict") for _, r, _ in rs]
    print(f"| {cfg} | {len(rs)} | {ms(w)} | {ms(f)} | {ms(g)} | {ms(n)} | {ms(l)} |")

if "default" in runs:
    print("\n## Default, by composition and depth (prompt strict %, reasoning; mean over seeds)\n")
    for by in ("by_composition", "by_depth"):
        keys = sorted(runs["default"][0][1]["final"]["reasoning"][by].keys())
        print(f"| {by[3:]} | warm start | final |\n| --- | --- | --- |")
        for k in keys:
            w = [100 * r["warmstart"]["reasoning"][by][k]["prompt_strict"] for _, r, _ in runs["default"]]
            f = [100 * r["final"]["reasoning"][by][k]["prompt_strict"] for _, r, _ in runs["default"]]
            print(f"| {k} | {ms(w)} | {ms(f)} |")
        print()
