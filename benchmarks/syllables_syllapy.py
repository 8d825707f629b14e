#!/usr/bin/env python3
"""syllapy 0.7.2's count() over every str.split() word of the IFBench fixture responses, one thread:
the Python side of bench_ifbench's BM_syllables (same words, same order).

  python3 -m venv /tmp/sy && /tmp/sy/bin/pip install syllapy==0.7.2 "setuptools<81"
  /tmp/sy/bin/python benchmarks/syllables_syllapy.py ../shared/ifbench
"""
import json, os, sys, time

import syllapy

d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../shared/ifbench")
words = []
for line in open(os.path.join(d, "responses.jsonl"), encoding="utf-8"):
    words += json.loads(line)["response"].split()
best = float("inf")
for _ in range(5):
    t = time.perf_counter()
    for w in words:
        syllapy.count(w)
    best = min(best, time.perf_counter() - t)
print(f"{len(words)} words: best of 5 {best * 1e3:.1f} ms, {len(words) / best / 1e6:.3f} M words/s")
