#!/usr/bin/env bash
# Installs what raif needs from Debian (only what is missing), then configures and builds.
# Sourced by ./run-main.sh and ./run-tests.sh; safe to run again.
#   RAIF_TORCH=debian (default): Debian's LibTorch 1.13, in build/ — the tests' backend
#   RAIF_TORCH=wheel: LibTorch 2.x for the CPU from PyPI's torch wheel (scripts/libtorch-wheel.sh),
#     in build-wheel/ — about 2.4x faster training and 1.3-1.6x faster rollouts (docs/performance.md);
#     if it cannot be fetched, Debian's is used and the reason printed
#   RAIF_BUILD_TARGETS: build only these targets (default: all)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

RAIF_DEBIAN_PACKAGES=(cmake ninja-build g++ pkg-config python3
  libboost-dev libeigen3-dev librange-v3-dev nlohmann-json3-dev libre2-dev libpcre2-dev libcli11-dev catch2 libbenchmark-dev libtorch-dev
  libgloo-dev libutf8proc-dev libtomlplusplus-dev libfmt-dev gnuplot-nox libopenblas0-openmp
  python3-dev pybind11-dev python3-pytest python3-venv python3-pip python3-jinja2 unzip
  clang-14 libclang-rt-14-dev) # the last two: the libFuzzer targets (fuzz/, scripts/fuzz.sh)

missing=()
for p in "${RAIF_DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "raif: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

RAIF_TORCH=${RAIF_TORCH:-debian}
BUILD_DIR=${RAIF_BUILD_DIR:-build}
torch_args=()
if [ "$RAIF_TORCH" = wheel ]; then
  if wheel_dir=$(bash scripts/libtorch-wheel.sh); then
    torch_args=("-DRAIF_LIBTORCH_WHEEL=$wheel_dir")
    BUILD_DIR=${RAIF_BUILD_DIR:-build-wheel}
  else
    echo "raif: could not fetch LibTorch from the torch wheel (above); using Debian's LibTorch 1.13 instead" >&2
    RAIF_TORCH=debian
  fi
elif [ "$RAIF_TORCH" != debian ]; then
  echo "raif: RAIF_TORCH must be debian or wheel, not '$RAIF_TORCH'" >&2
  exit 2
fi
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release "${torch_args[@]}" ${RAIF_CMAKE_ARGS:-}
elif ((${#torch_args[@]})); then
  cmake -S . -B "$BUILD_DIR" "${torch_args[@]}" > /dev/null # another RAIF_TORCH_VERSION: its folder
fi
cmake --build "$BUILD_DIR" -j "$(nproc)" ${RAIF_BUILD_TARGETS:+--target $RAIF_BUILD_TARGETS}
