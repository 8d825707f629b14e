#!/usr/bin/env bash
# Fetches LibTorch 2.x for the CPU from PyPI's torch wheel into .libtorch/torch-<version> (once) and
# prints that folder; CMake takes it as -DRAIF_LIBTORCH_WHEEL=<folder> (docs/building.md).
#
# What it downloads (pip download only: no Python environment, nothing installed):
#   torch==<version> (about 540 MB; its C++ headers and CPU libraries are kept, about 500 MB)
#   the CUDA runtime and CUPTI libraries (two nvidia wheels, about 14 MB), which the wheel's
#   libtorch_cpu.so loads even on a machine without a GPU.
# On the 2-vCPU development VM all of it took under a minute (docs/performance.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
VERSION=${RAIF_TORCH_VERSION:-2.15.0}
CUDA_TOOLKIT=${RAIF_TORCH_CUDA_TOOLKIT:-13.2.2} # the cuda-toolkit pin of that torch wheel's metadata
DEST=${RAIF_LIBTORCH_ROOT:-$PWD/.libtorch}/torch-$VERSION
if [ -f "$DEST/.complete" ]; then
  echo "$DEST"
  exit 0
fi
say() { echo "raif: $*" >&2; }
python3 -m pip --version > /dev/null 2>&1 || {
  say "pip is missing (Debian: apt-get install python3-pip)"
  exit 1
}
mkdir -p "$(dirname "$DEST")"
tmp=$(mktemp -d "$(dirname "$DEST")/.download.XXXXXX") # beside the result: /tmp may be a small tmpfs
trap 'rm -rf "$tmp"' EXIT
say "downloading torch==$VERSION (about 540 MB) and CUDA's runtime and CUPTI libraries from PyPI into $DEST"
start=$(date +%s)
# --no-cache-dir: the wheels are unpacked once; pip need not keep another 550 MB of them.
python3 -m pip download -q --no-cache-dir --no-deps --only-binary=:all: -d "$tmp" "torch==$VERSION" >&2
python3 -m pip download -q --no-cache-dir --only-binary=:all: -d "$tmp" "cuda-toolkit[cudart,cupti]==$CUDA_TOOLKIT" >&2
rm -rf "$DEST"
mkdir -p "$DEST"
unzip -q "$tmp"/torch-"$VERSION"-*.whl 'torch/include/*' 'torch/lib/libtorch_cpu.so' 'torch/lib/libc10.so' \
  'torch/lib/libgomp.so.1' -d "$tmp/unpacked"
unzip -q "$tmp"/nvidia_cuda_runtime-*.whl 'nvidia/*/lib/libcudart.so.*' -d "$tmp/unpacked"
unzip -q "$tmp"/nvidia_cuda_cupti-*.whl 'nvidia/*/lib/libcupti.so.*' -d "$tmp/unpacked"
mv "$tmp/unpacked/torch/include" "$tmp/unpacked/torch/lib" "$DEST/"
mv "$tmp"/unpacked/nvidia/*/lib/* "$DEST/lib/"
touch "$DEST/.complete"
say "LibTorch $VERSION (CPU) ready in $(($(date +%s) - start)) s: $(du -sh "$DEST" | cut -f1)"
echo "$DEST"
