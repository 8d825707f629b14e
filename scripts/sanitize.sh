#!/usr/bin/env bash
# The core and torch test suites, examples and tools under ASan + UBSan (+ LeakSanitizer): the
# CMake preset `asan` (GCC 12, build-asan/). Configures, builds, runs CTest; prints each phase's time.
# Extra arguments go to ctest (e.g. scripts/sanitize.sh -R '^core\.'). docs/building.md#sanitizers
#
# Shared machines: set RAIF_BUILD_LOCK to a lock file and every build step takes it (flock), one
# target at a time, so other builds interleave; the tests run under `nice`, without the lock. The
# times printed are then those of the steps themselves, waits for the lock apart.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=${RAIF_SANITIZE_JOBS:-2}
if [ -n "${RAIF_BUILD_LOCK:-}" ]; then exec 9>>"$RAIF_BUILD_LOCK"; fi
busy=0
locked() { # runs "$@" holding the lock (if any), adds its own time to $busy
  [ -z "${RAIF_BUILD_LOCK:-}" ] || flock 9
  local start=$SECONDS
  "$@"
  busy=$((busy + SECONDS - start))
  [ -z "${RAIF_BUILD_LOCK:-}" ] || flock -u 9
}
phase() { printf 'sanitize: %-9s %5d s\n' "$1" "$2"; }

# Targets the tests run, smallest first (a failing build says so early). `all` at the end builds
# anything added since (it holds no benchmarks, Python module or header checks in this preset).
targets=(quickstart custom_constraint compose_reward raif-score raif-ifeval
         raif_core_tests raif_compose_tests raif_advantage_tests raif_tokenizer_tests
         raif-train custom_grpo raif_torch_tests raif_model_tests all)

# Not run here, each for a reason that is not the code under test:
#   package.consumer, headers.*  compile and install steps (no raif code runs; the consumer builds
#                                with its own flags), several minutes for nothing to sanitize
#   python.*                     the Python module is off in this preset (an uninstrumented python3
#                                would need libasan preloaded)
#   fuzz.*                       the fuzz targets are their own Clang ASan + UBSan build (scripts/fuzz.sh)
exclude='^(package\.consumer|headers\.|python\.|fuzz\.)'

locked cmake --preset asan >/dev/null
phase configure $busy

busy=0
for t in "${targets[@]}"; do
  echo "sanitize: building $t"
  locked cmake --build --preset asan --target "$t" -j "$jobs"
done
phase build $busy

start=$SECONDS
rc=0
nice -n 5 ctest --preset asan -j "$jobs" -E "$exclude" "$@" || rc=$?
phase test $((SECONDS - start))
exit $rc
