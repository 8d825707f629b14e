#!/usr/bin/env bash
# The main job: sets everything up on a fresh Debian 12 machine (packages, build), then runs the
# reference trainer raif-train on its embedded default — composed data, a Qwen2 trained from
# scratch, behaviour-cloning warm start, GRPO with superior-CoT enforcement, held-out evaluation —
# into runs/default (runs/default-2, -3, ... when that exists). About 4-9 minutes on 2 CPU cores;
# CUDA (bf16) when a GPU is available. Extra arguments go to raif-train (e.g. --set grpo.steps=100).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
out=runs/default
for n in $(seq 2 1000); do
  [ -e "$out" ] || break
  out=runs/default-$n
done
time "$BUILD_DIR/examples/raif-train" --out "$out" "$@"
echo "raif: the report is $out/report.md (curves: $out/curves.png)"
