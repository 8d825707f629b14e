#!/usr/bin/env python3
"""NLTK's side of benchmarks/bench_pos_tag.cpp: the same work, timed in Python (one thread).

Tags nltk.word_tokenize(response) for every response of the IFBench fixture
(../shared/ifbench/responses.jsonl) with NLTK 3.9.2's averaged-perceptron tagger, preloaded
(PerceptronTagger().tag, which is what nltk.pos_tag runs after loading the model), and prints
tokens/s to quote beside BM_pos_tag/raif/fixture. nltk.pos_tag itself also reloads the 5.7 MB
model on every call; that load is timed separately.

Usage: NLTK_DATA=<dir with taggers/averaged_perceptron_tagger_eng and tokenizers/punkt_tab>
       python3 benchmarks/pos_tag_nltk.py [../shared/ifbench]
"""
import json, os, sys, time

import nltk
from nltk.tag.perceptron import PerceptronTagger

fixture = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "ifbench")
responses = [json.loads(l)["response"] for l in open(os.path.join(fixture, "responses.jsonl"), encoding="utf-8")]
sentences = [nltk.word_tokenize(r) for r in responses]
tokens = sum(len(s) for s in sentences)

t = time.perf_counter()
tagger = PerceptronTagger()
load = time.perf_counter() - t

best = float("inf")
for _ in range(3):
    t = time.perf_counter()
    for s in sentences:
        tagger.tag(s)
    best = min(best, time.perf_counter() - t)
print("nltk %s: %d responses, %d tokens; model load %.0f ms; tagging %.3f s (best of 3) = %.0f tokens/s, %.2f us/token"
      % (nltk.__version__, len(sentences), tokens, load * 1e3, best, tokens / best, best / tokens * 1e6))
