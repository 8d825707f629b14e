#!/usr/bin/env bash
# The experiments of docs/results.md: the default over 3 seeds, the Table 4 ablations and the
# I/O / shallow-CoT baselines, each in its own run directory; then the summary tables.
#   scripts/experiments.sh [OUT_DIR]        (SEEDS="1 2 3" and CONFIGS=... override)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-runs/experiments}
BIN=${BIN:-build/examples/raif-train}
SEEDS=${SEEDS:-"1 2 3"}
CONFIGS=${CONFIGS:-"default ablation-no-superior-cot ablation-no-bc ablation-neither io shallow-cot"}
mkdir -p "$OUT"
for seed in $SEEDS; do
  for cfg in $CONFIGS; do
    dir="$OUT/$cfg-seed$seed"
    [ -f "$dir/report.json" ] && continue
    rm -rf "$dir"
    start=$SECONDS
    "$BIN" --config "configs/$cfg.toml" --set "run.seed=$seed" --out "$dir" --quiet > "$dir.log" 2>&1
    echo "$((SECONDS - start))" > "$dir/wall_seconds"
    echo "$cfg seed $seed: $((SECONDS - start)) s"
  done
done
python3 tools/summarize_runs.py "$OUT"
