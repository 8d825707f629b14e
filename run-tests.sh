#!/usr/bin/env bash
# The whole test suite. Sets everything up on a fresh Debian 12 machine (packages, configure,
# build, including header verification and benchmarks), then runs every test with CTest.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)"
