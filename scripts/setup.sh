#!/usr/bin/env bash
# Installs what raif needs from Debian (only what is missing), then configures and builds.
# Sourced by ./run-main.sh and ./run-tests.sh; safe to run again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

RAIF_DEBIAN_PACKAGES=(cmake ninja-build g++ pkg-config python3
  libboost-dev libeigen3-dev librange-v3-dev nlohmann-json3-dev libre2-dev libpcre2-dev libcli11-dev catch2 libbenchmark-dev libtorch-dev
  libgloo-dev libutf8proc-dev libtomlplusplus-dev libfmt-dev gnuplot-nox libopenblas0-openmp
  python3-dev pybind11-dev python3-pytest python3-venv
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

BUILD_DIR=${RAIF_BUILD_DIR:-build}
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release ${RAIF_CMAKE_ARGS:-}
fi
cmake --build "$BUILD_DIR" -j "$(nproc)"
