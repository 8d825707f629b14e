#!/usr/bin/env python3
"""Single-threaded time of the official IFBench checker on the IFBench conformance fixture, and
whether it reproduces the fixture's official verdicts: the number bench_ifbench's
BM_ifbench/strict+loose is compared with.

What is timed is what the official run_eval.py does between reading its inputs and writing its
outputs: evaluation_lib.test_instruction_following_strict over every row of input_data.jsonl, then
test_instruction_following_loose over every row, on the same InputExample objects (the strict pass
drops the null kwargs the loose pass relies on). Each repeat re-reads the rows (untimed), so every
repeat starts from the same state; best and median of --repeat runs are printed. The prompt to
response map is built once with evaluation_lib.read_prompt_to_response_dict, as run_eval.py does.
Exceptions are caught per row and listed (the official program would abort on the first one).

Then:
  * every strict and loose verdict is compared with official_results.jsonl (by key), skipping
    rows flagged uses_random_default (their official verdict was drawn at random);
  * a separate, untimed-for-the-headline pass times each check_following call and totals it per
    instruction id (loose calls included: one check per tried response variant);
  * a JSON summary is printed last.

    NLTK_DATA=../shared/ifbench/data python3 benchmarks/ifbench_official.py \\
        --ifbench /path/to/IFBench [--fixture ../shared/ifbench] [--repeat 3]

--ifbench is the root of a checkout of github.com/allenai/IFBench at the fixture's commit
(db69a6f05689830b0068b8f1529ebcfd2f3b164c), in the Python environment pinned by its uv.lock, with
NLTK's punkt_tab, stopwords and averaged_perceptron_tagger_eng data reachable (for instance in the
checkout's ifbench/.nltk_data, which its instructions.py puts first on NLTK's path). IFBench calls
nltk.download at import time (and, where its utilities do, per call); this script replaces
nltk.download with a no-op before importing it, so no time is spent on (failing) network requests.
Nothing else of IFBench is changed. Run it with one thread and nothing else busy for a clean number.
raif's side: ./build/benchmarks/bench_ifbench --benchmark_filter='BM_ifbench'.
"""

import argparse
import collections
import json
import os
import pathlib
import platform
import statistics
import sys
import time


def jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def cpu_model():
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def run_all(ev, rows, p2r, errors):
    """strict over all rows, then loose over all rows; returns {key: (strict, loose)} verdict lists."""
    out = {}
    for mode, func in (("strict", ev.test_instruction_following_strict),
                       ("loose", ev.test_instruction_following_loose)):
        for inp in rows:
            try:
                verdicts = func(inp, p2r).follow_instruction_list
            except Exception as e:  # noqa: BLE001 - reported per row
                errors.append({"key": inp.key, "mode": mode, "type": type(e).__name__, "message": str(e)[:200]})
                verdicts = None
            out.setdefault(inp.key, {})[mode] = verdicts
    return out


def main():
    repo = pathlib.Path(__file__).resolve().parents[1]
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ifbench", required=True, type=pathlib.Path, help="root of an allenai/IFBench checkout")
    ap.add_argument("--fixture", type=pathlib.Path, default=repo.parent / "shared" / "ifbench")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    import nltk  # noqa: E402  (before IFBench, which downloads at import time)

    downloads = []
    nltk.download = lambda *a, **k: downloads.append(a[0] if a else k.get("info_or_id")) or True
    sys.path.insert(0, str(args.ifbench.resolve()))
    import evaluation_lib as ev  # noqa: E402
    from ifbench import instructions_registry  # noqa: E402

    fx = args.fixture
    load_before = os.getloadavg()
    p2r = ev.read_prompt_to_response_dict(str(fx / "responses.jsonl"))

    # headline: strict + loose over all rows, --repeat times
    times, errors, verdict_runs = [], [], []
    for _ in range(args.repeat):
        rows = ev.read_prompt_list(str(fx / "input_data.jsonl"))
        errs = []
        t0 = time.perf_counter()
        verdicts = run_all(ev, rows, p2r, errs)
        times.append(time.perf_counter() - t0)
        errors.append(errs)
        verdict_runs.append(verdicts)
    n_rows = len(rows)
    n_instr = sum(len(r.instruction_id_list) for r in rows)
    load_after = os.getloadavg()

    # agreement with the official verdicts (first run), and stability across runs
    official = {r["key"]: r for r in jsonl(fx / "official_results.jsonl")}
    agree = collections.Counter()
    mismatches = []
    skipped = 0
    for key, got in verdict_runs[0].items():
        off = official[key]
        if off["flags"].get("uses_random_default"):
            skipped += len(off["instruction_id_list"]) * 2
            continue
        for mode in ("strict", "loose"):
            want = off[f"follow_instruction_list_{mode}"]
            for i, iid in enumerate(off["instruction_id_list"]):
                mine = None if got[mode] is None else got[mode][i]
                agree[mode, mine == want[i]] += 1
                if mine != want[i]:
                    mismatches.append({"key": key, "id": iid, "mode": mode, "ours": mine, "official": want[i]})
    unstable = sorted({k for run in verdict_runs[1:] for k in run
                       if run[k] != verdict_runs[0][k] and not official[k]["flags"].get("uses_random_default")})

    # per-id time of check_following (separate pass)
    per_id = collections.defaultdict(lambda: [0.0, 0])
    originals = {}
    for iid, cls in instructions_registry.INSTRUCTION_DICT.items():
        if cls in originals:
            continue
        originals[cls] = cls.check_following

        def timed(self, value, _f=cls.check_following):
            t = time.perf_counter()
            try:
                return _f(self, value)
            finally:
                acc = per_id[self.id]
                acc[0] += time.perf_counter() - t
                acc[1] += 1

        cls.check_following = timed
    t0 = time.perf_counter()
    run_all(ev, ev.read_prompt_list(str(fx / "input_data.jsonl")), p2r, [])
    profiled_total = time.perf_counter() - t0
    for cls, f in originals.items():
        cls.check_following = f
    table = sorted(per_id.items(), key=lambda kv: -kv[1][0])

    best, med = min(times), statistics.median(times)
    print(f"IFBench official checker, {n_rows} rows ({n_instr} instructions), strict then loose, one thread")
    print("runs (s): " + ", ".join(f"{t:.3f}" for t in times))
    print(f"best {best:.3f} s  median {med:.3f} s  = {1000 * best / n_rows:.2f} / {1000 * med / n_rows:.2f} ms per row")
    for i, errs in enumerate(errors):
        for e in errs:
            print(f"  run {i + 1} exception: key {e['key']} {e['mode']}: {e['type']}: {e['message']}")
    print(f"exceptions per run: {[len(e) for e in errors]}")
    for mode in ("strict", "loose"):
        tot = agree[mode, True] + agree[mode, False]
        print(f"{mode}: {agree[mode, True]}/{tot} verdicts agree with official_results.jsonl")
    print(f"skipped (uses_random_default): {skipped} verdicts; mismatches: {len(mismatches)}; "
          f"rows differing between runs: {len(unstable)}")
    for m in mismatches[:50]:
        print(f"  MISMATCH key {m['key']} {m['id']} {m['mode']}: ours {m['ours']} official {m['official']}")
    print(f"\nper-id check_following time (separate pass, {profiled_total:.3f} s in all):")
    print(f"{'id':36} {'total s':>9} {'calls':>7} {'ms/call':>9}")
    for iid, (t, n) in table:
        print(f"{iid:36} {t:9.4f} {n:7d} {1000 * t / n:9.3f}")
    summary = {
        "what": "official IFBench checker, strict then loose over all fixture rows, one thread",
        "ifbench": str(args.ifbench), "fixture": str(fx), "rows": n_rows, "instructions": n_instr,
        "repeat": args.repeat, "seconds": times, "best_s": best, "median_s": med,
        "best_ms_per_row": 1000 * best / n_rows, "median_ms_per_row": 1000 * med / n_rows,
        "exceptions": errors,
        "agreement": {f"{m}_{'agree' if ok else 'differ'}": n for (m, ok), n in sorted(agree.items())},
        "skipped_random_default_verdicts": skipped, "mismatches": mismatches, "unstable_rows": unstable,
        "per_id_check_following_s": {k: {"s": v[0], "calls": v[1]} for k, v in table},
        "per_id_pass_total_s": profiled_total,
        "python": sys.version.split()[0], "nltk": nltk.__version__, "cpu": cpu_model(),
        "nproc": os.cpu_count(), "loadavg_before": load_before, "loadavg_after": load_after,
        "nltk_download_calls_suppressed": len(downloads),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
