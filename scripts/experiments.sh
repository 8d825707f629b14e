#!/usr/bin/env bash
# The experiments of docs/results.md, each run in its own directory <config>-t<threads>-seed<seed>,
# then the summary tables (tools/summarize_runs.py):
#   - the default over SEEDS at each thread count of THREADS (the thread count changes reduction
#     orders, hence the run: a stand-in for another machine);
#   - the Table 4 ablations and the I/O / shallow-CoT baselines over ABLATION_SEEDS at 2 threads.
#   scripts/experiments.sh [OUT_DIR]
# Environment: SEEDS ("1 2 3 4 5"), THREADS ("2 1"), ABLATION_SEEDS ("1 2 3"), ABLATIONS (the five
# configs below; "" for none), JOBS (runs at once, default 1; the 1-thread runs pair well: 2).
# A directory that already holds report.json is kept, so an interrupted sweep picks up where it was.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-runs/experiments}
BIN=${BIN:-build/examples/raif-train}
SEEDS=${SEEDS:-"1 2 3 4 5"}
THREADS=${THREADS:-"2 1"}
ABLATION_SEEDS=${ABLATION_SEEDS:-"1 2 3"}
ABLATIONS=${ABLATIONS-"ablation-no-superior-cot ablation-no-bc ablation-neither io shallow-cot"}
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
for cfg in $ABLATIONS; do for seed in $ABLATION_SEEDS; do jobs_list+=("$cfg 2 $seed"); done; done
for j in "${jobs_list[@]}"; do
  while (($(jobs -rp | wc -l) >= JOBS)); do wait -n || failed=1; done
  # shellcheck disable=SC2086 # the job is three words
  run $j &
done
while (($(jobs -rp | wc -l) > 0)); do wait -n || failed=1; done
python3 tools/summarize_runs.py "$OUT"
exit "$failed"
