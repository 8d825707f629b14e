#!/usr/bin/env python3
"""A TRL-style reward call over 1,024 completions through the raif module, and IFEval's strict +
loose evaluation of the 541 fixture responses, against the official Python checker's throughput.

    PYTHONPATH=build-python/python RAIF_IFEVAL_DIR=../shared/ifeval python3 benchmarks/python_reward.py

The official checker (google-research instruction_following_eval) is not a PyPI package and the
fixture names no install, so it is not run here: its throughput comes from the fixture's
official_summary.json (measured on this machine type, same responses, single process).
"""

import json
import os
import pathlib
import statistics
import time

import raif


def jsonl(p):
    with open(p, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def best_of(f, reps=7):
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times)


def main():
    d = pathlib.Path(os.environ.get("RAIF_IFEVAL_DIR", pathlib.Path(__file__).resolve().parents[2] / "shared/ifeval"))
    items = jsonl(d / "input_data.jsonl")
    responses = {r["prompt"]: r["response"] for r in jsonl(d / "input_response_data_gpt4_20231107_145030.jsonl")}
    official = json.loads((d / "official_summary.json").read_text())["throughput_gpt4"]
    rows = [items[i % len(items)] for i in range(1024)]
    cols = dict(prompts=[r["prompt"] for r in rows], completions=[responses[r["prompt"]] for r in rows],
                instruction_id_list=[r["instruction_id_list"] for r in rows], kwargs=[r["kwargs"] for r in rows])
    out = {"nproc": os.cpu_count()}
    for threads in (1, 0):
        f = raif.trl.reward(threads=threads)
        f(**cols)  # warm: langdetect profiles
        best, med = best_of(lambda: f(**cols))
        out[f"trl_reward_1024_threads_{threads or 'all'}"] = {"best_s": best, "median_s": med,
                                                              "completions_per_s": 1024 / best}
    args = ([responses[it["prompt"]] for it in items], [it["instruction_id_list"] for it in items],
            [it["kwargs"] for it in items])
    for threads in (1, 0):
        best, med = best_of(lambda: raif.evaluate_ifeval(*args, threads=threads))
        out[f"ifeval_strict_loose_541_threads_{threads or 'all'}"] = {"best_s": best, "median_s": med,
                                                                      "responses_per_s": 541 / best}
    off = max(r["responses_per_s_strict_plus_loose"] for r in official["reps"])
    off_strict = max(r["responses_per_s_strict_only"] for r in official["reps"])
    out["official_python"] = {"responses_per_s_strict_plus_loose": off, "responses_per_s_strict_only": off_strict,
                              "source": "official_summary.json (not run here)"}
    out["speedup_strict_loose_1_thread"] = out["ifeval_strict_loose_541_threads_1"]["responses_per_s"] / off
    out["speedup_trl_reward_1_thread_vs_official_strict"] = (
        out["trl_reward_1024_threads_1"]["completions_per_s"] / off_strict)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
