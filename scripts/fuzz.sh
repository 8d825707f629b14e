#!/usr/bin/env bash
# Builds raif's libFuzzer targets (fuzz/, Clang 14, ASan + UBSan, no LibTorch) and runs each for a
# number of executions or seconds on a scratch copy of its committed seed corpus; prints a table
# (executions, exec/s, coverage, corpus size, result) and exits non-zero on any finding, whose input
# is kept under <build-dir>/findings/<target>/.
#
#   scripts/fuzz.sh                          # every target, 60 s each
#   scripts/fuzz.sh --runs 1000000 composition text_checks
#   scripts/fuzz.sh --time 20 --no-build ifeval_input
#   scripts/fuzz.sh --runs 1000000 --time 900 toml_config   # whichever comes first
#   scripts/fuzz.sh --seed 1 --time 20 --no-build           # what CTest runs: the same inputs each time
#
# Options: --runs N, --time SECONDS (default: --time 60), --seed N (libFuzzer's -seed; default: a
# new one per run), --build-dir DIR (default build-fuzz), --no-build, --build-only, --list.
# Environment: RAIF_FUZZ_CXX (default clang++-14), RAIF_BUILD_LOCK (a file: each configure/build
# step runs under `flock` on it), RAIF_FUZZ_JOBS (build jobs), RAIF_FUZZ_CMAKE_ARGS (added to the
# first configure of the build directory, e.g. -DRAIF_FUZZ_QUICK_BUILD=ON as CTest does).
# Findings: a crash, a sanitizer report (ASan, UBSan, LeakSanitizer), an exception other than
# raif::error (fuzz/fuzz.hpp aborts on it), an input slower than 1 s, RSS over 2 GB.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

runs="" seconds="" seed="" build_dir="$root/build-fuzz" build=1 run=1 list=0 names=()
while (($#)); do
  case "$1" in
  --runs) runs=$2 && shift 2 ;;
  --time) seconds=$2 && shift 2 ;;
  --seed) seed=$2 && shift 2 ;;
  --build-dir) build_dir=$2 && shift 2 ;;
  --no-build) build=0 && shift ;;
  --build-only) run=0 && shift ;;
  --list) list=1 && shift ;;
  -h | --help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' && exit 0 ;;
  -*) echo "fuzz.sh: unknown option $1 (see --help)" >&2 && exit 2 ;;
  *) names+=("$1") && shift ;;
  esac
done
mkdir -p "$build_dir"
build_dir=$(cd "$build_dir" && pwd)

all=()
for f in "$root"/fuzz/targets/*.cpp; do all+=("$(basename "$f" .cpp)"); done
if ((list)); then printf '%s\n' "${all[@]}" && exit 0; fi
((${#names[@]})) || names=("${all[@]}")
for n in "${names[@]}"; do
  [ -f "$root/fuzz/targets/$n.cpp" ] || { echo "fuzz.sh: no target $n (fuzz/targets/$n.cpp); targets: ${all[*]}" >&2 && exit 2; }
done

locked() { if [ -n "${RAIF_BUILD_LOCK:-}" ]; then flock "$RAIF_BUILD_LOCK" "$@"; else "$@"; fi; }

if ((build)); then
  if [ ! -f "$build_dir/CMakeCache.txt" ]; then
    gen=()
    command -v ninja >/dev/null && gen=(-G Ninja)
    # shellcheck disable=SC2086 # RAIF_FUZZ_CMAKE_ARGS is a list of arguments
    locked cmake -S "$root/fuzz" -B "$build_dir" "${gen[@]}" -DCMAKE_CXX_COMPILER="${RAIF_FUZZ_CXX:-clang++-14}" \
      ${RAIF_FUZZ_CMAKE_ARGS:-}
  fi
  targets=()
  for n in "${names[@]}"; do targets+=("raif_fuzz_$n"); done
  locked cmake --build "$build_dir" -j "${RAIF_FUZZ_JOBS:-$(nproc)}" --target "${targets[@]}"
fi
((run)) || exit 0

[ -n "$runs$seconds" ] || seconds=60
budget=()
[ -n "$runs" ] && budget+=(-runs="$runs")
[ -n "$seconds" ] && budget+=(-max_total_time="$seconds")
[ -n "$seed" ] && budget+=(-seed="$seed")
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

rows=() failed=0
for n in "${names[@]}"; do
  exe="$build_dir/raif_fuzz_$n"
  [ -x "$exe" ] || { echo "fuzz.sh: $exe is not built (drop --no-build)" >&2 && exit 2; }
  # libFuzzer adds new inputs to its first corpus directory: it gets a scratch copy, never the
  # committed seeds; one per invocation ($$), so concurrent runs of a target do not share it.
  work="$build_dir/work/$n.$$" findings="$build_dir/findings/$n"
  rm -rf "$work" && mkdir -p "$work/corpus" "$findings"
  if [ -d "$root/fuzz/corpus/$n" ]; then cp -R "$root/fuzz/corpus/$n/." "$work/corpus/"; fi
  dict=()
  [ -f "$root/fuzz/dicts/$n.dict" ] && dict=(-dict="$root/fuzz/dicts/$n.dict")
  echo "== $n: ${budget[*]} (log: $work/log)"
  start=$(date +%s.%N)
  rc=0
  "$exe" "${budget[@]}" -timeout=1 -rss_limit_mb=2048 -print_final_stats=1 "${dict[@]}" \
    -artifact_prefix="$findings/" "$work/corpus" >"$work/log" 2>&1 || rc=$?
  secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log" | tail -1)
  last=$(grep -E '^#[0-9]+.* cov: ' "$work/log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(find "$work/corpus" -type f | wc -l)
  result=ok
  ((rc)) || rm -rf "$work/corpus" # the log stays
  if ((rc)); then
    failed=1
    kind=$(grep -oE 'ERROR: (libFuzzer: [a-z-]+|[A-Za-z]+Sanitizer)|runtime error|raif fuzz: [a-z :]+[a-z]' "$work/log" | head -1 || true)
    unit=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$work/log" | tail -1)
    result="FINDING (${kind:-exit $rc}) ${unit:-}"
    tail -40 "$work/log"
  fi
  rows+=("$(printf '%-22s %12s %9s %8.1f %7s %7s %7s  %s' "$n" "${execs:-?}" "${rate:-?}" "$secs" "${cov:-?}" "${ft:-?}" "$corp" "$result")")
  echo "${rows[-1]}"
done

echo
printf '%-22s %12s %9s %8s %7s %7s %7s  %s\n' target executions exec/s seconds cov ft corpus result
printf '%s\n' "${rows[@]}"
exit $failed
