#!/usr/bin/env python3
"""Summarises scripts/experiments.sh runs into the tables of docs/results.md (Markdown on stdout).

Usage: python3 tools/summarize_runs.py runs/experiments
"""
import json, os, statistics, sys

root = sys.argv[1] if len(sys.argv) > 1 else "runs/experiments"
if not os.path.isdir(root):
    sys.exit(f"summarize_runs.py: {root} is not a directory of runs (scripts/experiments.sh writes one)")
runs = {}
for d in sorted(os.listdir(root)):
    p = os.path.join(root, d)
    if not os.path.exists(os.path.join(p, "report.json")):
        continue
    cfg, seed = d.rsplit("-seed", 1)
    with open(os.path.join(p, "report.json")) as f:
        r = json.load(f)
    wall = open(os.path.join(p, "wall_seconds")).read().strip() if os.path.exists(os.path.join(p, "wall_seconds")) else "?"
    runs.setdefault(cfg, []).append((int(seed), r, wall))

def acc(r, model, mode="reasoning", key="prompt_strict"):
    return 100 * r[model][mode]["all"][key]

# Student's t, two-sided 95% (0.975 quantile), by degrees of freedom.
T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
        11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086}

def interval(xs):
    """Mean and the half-width of its 95% t-interval over seeds (None for fewer than 2 values)."""
    m = statistics.mean(xs)
    if len(xs) < 2:
        return m, None
    return m, T975.get(len(xs) - 1, 1.96) * statistics.stdev(xs) / len(xs) ** 0.5

def ms(xs):
    """mean ± sample std [95% t-interval of the mean]."""
    if not xs:
        return "–"
    if len(xs) == 1:
        return f"{xs[0]:.1f}"
    m, h = interval(xs)
    return f"{m:.1f} ± {statistics.stdev(xs):.1f} [{m - h:.1f}, {m + h:.1f}]"

print("## Per run\n")
print("| config | seed | wall s | warm start strict | final strict | gain | final loose | final leaf strict | final no-reasoning strict |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for cfg, rs in runs.items():
    for seed, r, wall in sorted(rs, key=lambda t: t[0]):
        print(f"| {cfg} | {seed} | {wall} | {acc(r,'warmstart'):.1f} | {acc(r,'final'):.1f} | {acc(r,'final')-acc(r,'warmstart'):+.1f} | "
              f"{acc(r,'final',key='prompt_loose'):.1f} | {acc(r,'final',key='leaf_strict'):.1f} | {acc(r,'final','no_reasoning'):.1f} |")

print("\n## Mean ± sample std [95% t-interval of the mean] over seeds\n")
print("| config | seeds | warm start strict | final strict | gain | final no-reasoning strict | final leaf strict |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for cfg, rs in runs.items():
    w = [acc(r, "warmstart") for _, r, _ in rs]
    f = [acc(r, "final") for _, r, _ in rs]
    g = [a - b for a, b in zip(f, w)]
    n = [acc(r, "final", "no_reasoning") for _, r, _ in rs]
    l = [acc(r, "final", key="leaf_strict") for _, r, _ in rs]
    print(f"| {cfg} | {len(rs)} | {ms(w)} | {ms(f)} | {ms(g)} | {ms(n)} | {ms(l)} |")

grpo = {cfg: [r["grpo"] for _, r, _ in rs if r.get("grpo", {}).get("steps", 0) > 0] for cfg, rs in runs.items()}
grpo = {cfg: gs for cfg, gs in grpo.items() if gs}
if grpo:
    print("\n## GRPO: how often superior-CoT drops a group, what trains, the training reward (mean over seeds)\n")
    print("| config | seeds | groups dropped per step | keep ratio | training reward, first quarter | last quarter |")
    print("| --- | --- | --- | --- | --- | --- |")
    for cfg, gs in grpo.items():
        print(f"| {cfg} | {len(gs)} | {statistics.mean(g['dropped_groups'] for g in gs):.2f} "
              f"({min(g['dropped_groups'] for g in gs):.2f}–{max(g['dropped_groups'] for g in gs):.2f}) | "
              f"{statistics.mean(g['keep_ratio'] for g in gs):.3f} | "
              f"{statistics.mean(g['reward_first_quarter'] for g in gs):.2f} | "
              f"{statistics.mean(g['reward_last_quarter'] for g in gs):.2f} |")

curves = {cfg: [r["heldout_curve"] for _, r, _ in rs if "heldout_curve" in r] for cfg, rs in runs.items()}
curves = {cfg: cs for cfg, cs in curves.items() if cs}
if curves:
    print("\n## Held-out curve (prompt strict %, first items, reasoning; mean over seeds)\n")
    for cfg, cs in curves.items():
        steps = [p[0] for p in cs[0]]
        same = [c for c in cs if [p[0] for p in c] == steps]
        print("| config | seeds | " + " | ".join(f"step {s}" for s in steps) + " |")
        print("| --- | --- |" + " --- |" * len(steps))
        print(f"| {cfg} | {len(same)} | " + " | ".join(ms([100 * c[i][1] for c in same]) for i in range(len(steps))) + " |\n")

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
