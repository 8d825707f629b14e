#!/usr/bin/env bash
# The whole test suite. Sets everything up on a fresh Debian 12 machine (packages, configure,
# build, including header verification and benchmarks), then runs every test with CTest on
# Debian's LibTorch 1.13; then builds raif-train against the torch wheel's LibTorch 2.x (the
# backend ./run-main.sh uses) and runs the pipeline on it, in one process and on 2 Gloo ranks.
# RAIF_TEST_WHEEL=0 skips that second part; so does a failed download, saying so.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)"

if [ "${RAIF_TEST_WHEEL:-1}" != 0 ]; then
  if bash scripts/libtorch-wheel.sh > /dev/null; then
    (
      export RAIF_TORCH=wheel RAIF_BUILD_DIR=build-wheel RAIF_BUILD_TARGETS="raif_distributed_tests"
      source scripts/setup.sh
      ctest --test-dir build-wheel -R '^(distributed\.|tool\.raif_train_stages)' --output-on-failure
    )
  else
    echo "raif: skipped the tests on the torch wheel's LibTorch: it could not be fetched (above)" >&2
  fi
fi
