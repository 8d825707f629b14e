#!/usr/bin/env bash
# The main job. Sets everything up on a fresh Debian 12 machine, then runs it. Until the reference
# trainer lands, the main job is the IFEval evaluation of the bundled GPT-4 responses with
# raif-ifeval (results in out/ifeval-gpt4/).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
IFEVAL_DIR=${RAIF_IFEVAL_DIR:-../shared/ifeval}
if [ ! -f "$IFEVAL_DIR/input_data.jsonl" ]; then
  echo "raif: IFEval data not found in $IFEVAL_DIR (set RAIF_IFEVAL_DIR)" >&2
  exit 2
fi
time "$BUILD_DIR/examples/raif-ifeval" --input_data="$IFEVAL_DIR/input_data.jsonl" \
  --input_response_data="$IFEVAL_DIR/input_response_data_gpt4_20231107_145030.jsonl" \
  --output_dir=out/ifeval-gpt4 "$@"
