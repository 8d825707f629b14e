#!/usr/bin/env bash
# The main job: sets everything up on a fresh Debian 12 machine (packages, build), then runs the
# reference trainer raif-train on its embedded default — composed data, a Qwen2 trained from
# scratch, behaviour-cloning warm start, GRPO with superior-CoT enforcement, held-out evaluation —
# into runs/default (runs/default-2, -3, ... when that exists). About 3-10 minutes on 2 CPU cores.
# Extra arguments go to raif-train (e.g. --set grpo.steps=100).
# It builds raif-train against the CPU LibTorch 2.x of PyPI's torch wheel (a 553 MB download, once):
# here 2.4x faster training and 1.3-1.6x faster rollouts than Debian's 1.13, 176 s against 226 s for
# this job (docs/performance.md). RAIF_TORCH=debian keeps to Debian's. On a GPU, build against the
# wheel with CUDA instead (docs/building.md, scripts/gpu-check.sh).
set -euo pipefail
cd "$(dirname "$0")"
export RAIF_TORCH=${RAIF_TORCH:-wheel} RAIF_BUILD_TARGETS=${RAIF_BUILD_TARGETS:-raif-train}
source scripts/setup.sh
out=runs/default
for n in $(seq 2 1000); do
  [ -e "$out" ] || break
  out=runs/default-$n
done
time "$BUILD_DIR/examples/raif-train" --out "$out" "$@"
echo "raif: the report is $out/report.md (curves: $out/curves.png)"
