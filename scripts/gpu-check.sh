#!/usr/bin/env bash
# The GPU check (docs/performance.md, "On a GPU"): on a machine with an NVIDIA GPU, builds raif
# against the PyTorch wheel's LibTorch (CUDA), runs every CUDA test case, a GRPO run of about two
# minutes at Qwen2.5-0.5B's shape in bf16 (random weights, the real Qwen2.5 tokenizer when
# ../shared/qwen2-tokenizer is there), and prints rollout tokens/s, training tokens/s, MFU and peak
# memory. Put the figures, with the card's name, in docs/performance.md.
#
#   scripts/gpu-check.sh [OUT_DIR]            # default runs/gpu-check; the summary is OUT_DIR/summary.json
#
# Environment: VENV (.venv-torch: the wheel is installed there if missing), BUILD_DIR (build-gpu),
# PEAK_TFLOPS (the card's dense bf16 peak, for MFU; known cards are looked up), GRPO_SECONDS (120),
# SHAPE (qwen05b, or tiny: a 2-layer model, to try the script's flow quickly), TORCH (wheel, or
# system: Debian's LibTorch, CPU only, with SHAPE=tiny: the flow without a GPU).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-runs/gpu-check}
VENV=${VENV:-.venv-torch}
BUILD_DIR=${BUILD_DIR:-build-gpu}
GRPO_SECONDS=${GRPO_SECONDS:-120}
SHAPE=${SHAPE:-qwen05b}
TORCH=${TORCH:-wheel}
start=$SECONDS
say() { echo "gpu-check [$((SECONDS - start)) s]: $*"; }
mkdir -p "$OUT"

# --- the card -----------------------------------------------------------------------------------
card="none"
if command -v nvidia-smi > /dev/null; then
  card=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)
  arch=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -1)
  say "GPU: $card (compute capability $arch)"
elif [ "$TORCH" = wheel ]; then
  echo "gpu-check: no nvidia-smi: this machine has no NVIDIA GPU (TORCH=system SHAPE=tiny tries the flow on the CPU)" >&2
  exit 2
fi
if [ -z "${PEAK_TFLOPS:-}" ]; then # dense bf16 tensor-core peaks from the vendors' data sheets
  case "$card" in
    *H200* | *H100*SXM* | *H100\ 80GB\ HBM3*) PEAK_TFLOPS=989 ;;
    *H100*) PEAK_TFLOPS=756 ;;
    *A100*) PEAK_TFLOPS=312 ;;
    *L40S*) PEAK_TFLOPS=362 ;;
    *L4*) PEAK_TFLOPS=121 ;;
    *) PEAK_TFLOPS=0 ;; # unknown: MFU is not reported
  esac
fi

# --- build against the wheel's LibTorch (docs/building.md) ---------------------------------------
if [ "$TORCH" = wheel ]; then
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/python" -c 'import torch' 2> /dev/null || { say "installing torch into $VENV"; "$VENV/bin/pip" install -q torch; }
  T=$("$VENV/bin/python" -c 'import torch, os; print(os.path.dirname(torch.__file__))')
  site=$(dirname "$T")
  libs=$(find "$site/nvidia" -maxdepth 3 -type d -name lib 2> /dev/null | tr '\n' ':')
  cuda=${CUDA_HOME:-/usr/local/cuda}
  if [ ! -f "$BUILD_DIR/build.ninja" ]; then
    cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DRAIF_WITH_TORCH=ON \
      "-DCMAKE_PREFIX_PATH=$T;$T/share/cmake" "-DCUDAToolkit_ROOT=$cuda" "-DCMAKE_CUDA_COMPILER=$cuda/bin/nvcc" \
      "-DTORCH_CUDA_ARCH_LIST=$arch" "-DCMAKE_EXE_LINKER_FLAGS=-Wl,-rpath-link,${libs%:}" > "$OUT/configure.log"
  fi
  export LD_LIBRARY_PATH="$T/lib:${libs%:}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
else
  BUILD_DIR=${BUILD_DIR/#build-gpu/build}
  [ -f "$BUILD_DIR/build.ninja" ] || cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release > "$OUT/configure.log"
fi
say "building in $BUILD_DIR"
targets="raif_model_tests raif_torch_tests raif-train bench_model random_checkpoint"
# The data-parallel tests exist where c10d and Gloo's headers were found (libgloo-dev).
grep -q "^build raif_distributed_tests:" "$BUILD_DIR/build.ninja" && targets="$targets raif_distributed_tests"
cmake --build "$BUILD_DIR" --target $targets -j "$(nproc)" > "$OUT/build.log"
nccl=no # whether CMake found LibTorch's NCCL with its own nccl.h (docs/distributed.md, "NCCL on GPUs")
grep -q "RAIF_HAVE_NCCL=1" "$BUILD_DIR/build.ninja" && nccl=yes
say "NCCL in this build: $nccl"

# GPU memory: nvidia-smi's figure (what the process holds, the caching allocator's reserve included),
# sampled every half second; the peak of each phase goes to OUT/gpu_peak_mib.<phase>.
phase() { echo "$1" > "$OUT/phase"; }
phase build
if [ "$card" != none ]; then
  (while sleep 0.5; do
    p=$(cat "$OUT/phase"); m=$(nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits | head -1)
    old=$(cat "$OUT/gpu_peak_mib.$p" 2> /dev/null || echo 0)
    ((m > old)) && echo "$m" > "$OUT/gpu_peak_mib.$p"
  done) &
  sampler=$!
  trap 'kill $sampler 2> /dev/null' EXIT
fi

# --- every CUDA test case ------------------------------------------------------------------------
say "CUDA test cases"
phase tests
cuda_cases() { # dir, program: its [cuda] cases; exit 77 means they skipped (no CUDA device)
  local rc=0
  (cd "$1" && "$2" "[cuda]" > "$OUT/$(basename "$2").log" 2>&1) || rc=$?
  tail -2 "$OUT/$(basename "$2").log"
  if [ $rc = 77 ] && [ "$TORCH" = system ]; then say "$2: skipped, no CUDA device (expected here)"; return 0; fi
  [ $rc = 0 ] || { echo "gpu-check: $2 [cuda] failed ($rc), see $OUT/$(basename "$2").log" >&2; exit 1; }
}
cuda_cases "$BUILD_DIR/tests/model_test" ../raif_model_tests
cuda_cases "$BUILD_DIR/tests" ./raif_torch_tests
# 2 ranks with parameters and gradients on CUDA: NCCL with 2 GPUs, Gloo through the host with 1.
[[ $targets == *raif_distributed_tests* ]] && cuda_cases "$BUILD_DIR/tests/distributed_test" ../raif_distributed_tests

# --- rollout and training throughput at the shape ------------------------------------------------
say "bench_model at the $SHAPE shape"
phase bench
filter=qwen05b
[ "$SHAPE" = tiny ] && filter='BM_generate/cache/8|BM_train/token_logprobs/8' # the flow, in seconds
"$BUILD_DIR/benchmarks/bench_model" "--benchmark_filter=$filter" --benchmark_format=json > "$OUT/bench_model.json"

# --- a GRPO run of about GRPO_SECONDS at the shape, bf16, from a random checkpoint ------------------
case "$SHAPE" in
  qwen05b) shape='{"hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 24, "num_attention_heads": 14, "num_key_value_heads": 2}' ;;
  tiny) shape='{"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2}' ;;
  *) echo "gpu-check: SHAPE is qwen05b or tiny, not $SHAPE" >&2; exit 2 ;;
esac
tokenizer=../shared/qwen2-tokenizer
[ -f $tokenizer/tokenizer.json ] || { echo "gpu-check: needs the Qwen2.5 tokenizer fixture at $tokenizer" >&2; exit 2; }
"$BUILD_DIR/benchmarks/random_checkpoint" "$OUT/checkpoint" "$shape" $tokenizer
dtype=bfloat16
[ "$TORCH" = wheel ] || dtype=float32 # Debian's CPU LibTorch: the flow only
rm -rf "$OUT/grpo"
say "GRPO for about $GRPO_SECONDS s"
phase grpo
prompts=16 new_tokens=256
[ "$SHAPE" = tiny ] && prompts=2 new_tokens=32
# Ctrl-C (SIGINT) when the time is up: raif-train checkpoints after the step it is in; a minute later, killed.
timeout --signal=INT --kill-after=60 "$GRPO_SECONDS" "$BUILD_DIR/examples/raif-train" --quiet --out "$OUT/grpo" \
  --set model.init="$OUT/checkpoint" --set model.dtype=$dtype --set model.max_len=1024 \
  --set warmstart.steps=0 --set data.items=400 --set eval.items=16 --set eval.max_new_tokens=$new_tokens \
  --set eval.curve_every=0 --set grpo.steps=1000 --set grpo.prompts_per_step=$prompts \
  --set grpo.max_new_tokens=$new_tokens --set grpo.micro_batch=16 --set grpo.lr=1e-6 > "$OUT/grpo.log" 2>&1 ||
  grpo_rc=$?
grpo_rc=${grpo_rc:-0} # 124: stopped when the time was up (expected); anything else but 0 is a failure

# --- the summary ----------------------------------------------------------------------------------
python3 - "$OUT" "$card" "$PEAK_TFLOPS" "$nccl" "$grpo_rc" << 'EOF'
import json, sys
out, card, peak, nccl, grpo_rc = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4], int(sys.argv[5])
bench = {b["name"]: b for b in json.load(open(f"{out}/bench_model.json"))["benchmarks"]}
cfg = json.load(open(f"{out}/checkpoint/config.json"))
H, L, I, V = cfg["hidden_size"], cfg["num_hidden_layers"], cfg["intermediate_size"], cfg["vocab_size"]
kv = cfg["num_key_value_heads"] * H // cfg["num_attention_heads"]
params = L * (2 * H * H + 2 * H * kv + 3 * H * I) + V * H  # matmul weights per token (tied head)
metrics = f"{out}/grpo/metrics.jsonl"
steps = [json.loads(l) for l in open(metrics) if '"grpo"' in l] if __import__("os").path.exists(metrics) else []
s = {"card": card, "peak_bf16_tflops": peak or None, "nccl_in_build": nccl == "yes", "grpo_steps": len(steps),
     "grpo_exit": grpo_rc}
for name, b in bench.items():
    if "queries/s" in b:  # BM_judge/qwen05b: prompts of 384 tokens, forward only
        qps = b["queries/s"]
        s[name] = {"queries_per_s": round(qps, 2)}
        head = V * H  # the LM head runs at each prompt's last position only
        if peak: s[name]["mfu"] = round((2 * (params - head) * 384 + 2 * head) * qps / (peak * 1e12), 4)
        continue
    tps = b.get("tokens/s")
    s[name] = {"tokens_per_s": round(tps, 1), "host_peak_gb": round(b.get("peak_gb", 0), 2)}  # GPU: gpu_peak_gib_*
    flops = (6 if "train" in name else 2) * params * tps  # forward 2, forward + backward 6 per weight
    if peak: s[name]["mfu"] = round(flops / (peak * 1e12), 4)
if steps:
    s["grpo_seconds_per_step"] = round(sum(m["seconds"] for m in steps) / len(steps), 2)
    s["grpo_tokens_per_s"] = round(sum(m["tokens_per_s"] for m in steps) / len(steps), 1)
for p in ("bench", "grpo"):
    f = f"{out}/gpu_peak_mib.{p}"
    if __import__("os").path.exists(f):
        s[f"gpu_peak_gib_{p}"] = round(int(open(f).read()) / 1024, 2)
json.dump(s, open(f"{out}/summary.json", "w"), indent=1)
print(json.dumps(s, indent=1))
EOF
if { [ "$grpo_rc" != 0 ] && [ "$grpo_rc" != 124 ]; } || ! grep -q '"grpo_steps": [1-9]' "$OUT/summary.json"; then
  tail -5 "$OUT/grpo.log" >&2
  echo "gpu-check: the GRPO run failed (exit $grpo_rc) or finished no step: $OUT/grpo.log" >&2
  exit 1
fi
say "done: $OUT/summary.json"
