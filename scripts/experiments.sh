#!/usr/bin/env bash
# The experiments of docs/results.md, each run in its own directory <config>-t<threads>-seed<seed>,
# then the summary tables (tools/summarize_runs.py):
#   - the default over SEEDS at each thread count of THREADS (the thread count changes reduction
#     orders, hence the run: a stand-in for another machine);
#   - the Table 4 ablations, the I/O / shallow-CoT baselines and shallow CoT + GRPO with and without
#     superior-CoT enforcement (where it fires) over ABLATION_SEEDS at ABLATION_THREADS, compared
#     with the default's runs at that thread count.
#   scripts/experiments.sh [OUT_DIR]
# Environment: SEEDS ("1 2 3 4 5"), THREADS ("2 1"), ABLATION_SEEDS ("1 2 3"), ABLATION_THREADS (1),
# ABLATIONS (the seven configs below; "" for none), JOBS (runs at once, default 1; 1-thread runs pair
# well: 2). Results are a function of the seed and thread count only (not of the load), so JOBS
# changes the wall times, never the numbers.
# A directory that already holds report.json is kept, so an interrupted sweep picks up where it was.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-runs/experiments}
BIN=${BIN:-build/examples/raif-train}
SEEDS=${SEEDS:-"1 2 3 4 5"}
THREADS=${THREADS:-"2 1"}
ABLATION_SEEDS=${ABLATION_SEEDS:-"1 2 3"}
ABLATION_THREADS=${ABLATION_THREADS:-1}
ABLATIONS=${ABLATIONS-"ablation-no-superior-cot ablation-no-bc ablation-neither io shallow-cot shallow-cot-grpo
  shallow-cot-grpo-no-selection"}
JOBS=${JOBS:-1}
mkdir -p "$OUT"

run() { # config threads seed
  local dir="$OUT/$1-t$2-seed$3"
  [ -f "$dir/report.json" ] && return 0
  rm -rf "$dir"
  local start=$SECONDS
  if ! "$BIN" --config "configs/$1.toml" --set "run.seed=$3" --set "run.threads=$2" --out "$dir" --quiet \
    > "$dir.log" 2>&1; then
    echo "$1 threads $2 seed $3: failed, see $dir.log" >&2
    return 1
  fi
  echo "$((SECONDS - start))" > "$dir/wall_seconds"
  echo "$1 threads $2 seed $3: $((SECONDS - start)) s"
}

failed=0
jobs_list=()
for thr in $THREADS; do for seed in $SEEDS; do jobs_list+=("default $thr $seed"); done; done
for cfg in $ABLATIONS; do for seed in $ABLATION_SEEDS; do jobs_list+=("$cfg $ABLATION_THREADS $seed"); done; done
for j in "${jobs_list[@]}"; do
  while (($(jobs -rp | wc -l) >= JOBS)); do wait -n || failed=1; done
  # shellcheck disable=SC2086 # the job is three words
  run $j &
done
while (($(jobs -rp | wc -l) > 0)); do wait -n || failed=1; done
python3 tools/summarize_runs.py "$OUT"
exit "$failed"
