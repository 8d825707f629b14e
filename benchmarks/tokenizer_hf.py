#!/usr/bin/env python3
"""Hugging Face tokenizers' side of bench_tokenizer: the same tokenizer.json files and text.

One thread (RAYON_NUM_THREADS=1), medians of REPS runs: load (Tokenizer.from_file, with resident
growth), a cold encode (a freshly loaded tokenizer: empty BPE cache, as bench_tokenizer's
BM_encode_cold) and a warm one (the same tokenizer again). Prints one JSON object, with the token
count, which must equal bench_tokenizer's `tokens` counter (151,712 and 151,107).

  python3 -m venv .venv-tok && .venv-tok/bin/pip install tokenizers==0.23.3
  .venv-tok/bin/python benchmarks/tokenizer_hf.py [SHARED_DIR [VOCAB...]]  # ../shared, qwen2 qwen3_6
Memory figures are for the first vocabulary of a process: give one VOCAB per run to compare them.
"""
import json, os, statistics, sys, time
os.environ["RAYON_NUM_THREADS"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"
import tokenizers
from tokenizers import Tokenizer

SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "shared")
REPS = 5
rows = [json.loads(x) for x in open(f"{SHARED}/ifeval/input_response_data_gpt4_20231107_145030.jsonl") if x.strip()]
text = "\n\n".join(r["response"] for r in rows)
nbytes = len(text.encode("utf-8"))


def status_mb(field):  # VmRSS (resident now) or VmHWM (peak so far), MB
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


out = {"tokenizers": tokenizers.__version__, "bytes": nbytes, "reps": REPS}
VOCABS = {"qwen2": "qwen2-tokenizer/tokenizer.json", "qwen3_6": "qwen2-tokenizer/qwen3_6/tokenizer.json"}
for vocab in sys.argv[2:] or VOCABS:
    path = VOCABS[vocab]
    load, cold, warm, kept, peak = [], [], [], None, None
    for _ in range(REPS):
        before = status_mb("VmRSS")
        t0 = time.perf_counter()
        tok = Tokenizer.from_file(f"{SHARED}/{path}")
        t1 = time.perf_counter()
        if kept is None:  # the first load (later ones reuse freed pages); one vocabulary per process
            kept, peak = status_mb("VmRSS") - before, status_mb("VmHWM") - before
        ids = tok.encode(text, add_special_tokens=False).ids
        t2 = time.perf_counter()
        tok.encode(text, add_special_tokens=False)
        t3 = time.perf_counter()
        load.append(t1 - t0), cold.append(t2 - t1), warm.append(t3 - t2)
        del tok
    med = statistics.median
    out[vocab] = {"tokens": len(ids), "load_ms": round(med(load) * 1e3, 1),
                  "rss_mb": round(kept, 1), "peak_mb": round(peak, 1),
                  "encode_cold_ms": round(med(cold) * 1e3, 1), "encode_warm_ms": round(med(warm) * 1e3, 1),
                  "cold_MB_per_s": round(nbytes / 1e6 / med(cold), 2),
                  "warm_MB_per_s": round(nbytes / 1e6 / med(warm), 2)}
out["loadavg"] = os.getloadavg()
print(json.dumps(out, indent=1))
