#!/usr/bin/env bash
# Load benchmark for raif-ifeval and raif-score (issue 14): both stream their input, so peak memory
# must not grow with the input. Generates N-line inputs from the IFEval fixture (every prompt made
# unique, every response doubled, so lines average ~3 KB), runs each tool under /usr/bin/time -v
# at each thread count, and prints lines/s, MB/s, CPU use and peak RSS against the input size.
#
#   benchmarks/load.sh                                  # 100k and 1M lines, 1 and 2 threads
#   benchmarks/load.sh --lines "10000 100000" --threads "1 2" --dir /tmp/raif-load
#
# Options: --lines "N ..." (default "100000 1000000"), --threads "T ..." (default "1 2"), --dir DIR
# (generated data and outputs, default /tmp/raif-load; never inside the repository), --bin DIR
# (default build/examples), --tools "raif-ifeval raif-score", --keep (keep the generated files;
# a later run reuses them).
# Needs: python3, /usr/bin/time, the fixture (RAIF_IFEVAL_DIR, default ../shared/ifeval), and
# about 10 GB free in --dir per million lines (inputs ~3.6 GB, raif-ifeval's two outputs ~6.5 GB).
# Disk usage is checked before generating. docs/performance.md records a run.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
lines="100000 1000000" threads="1 2" dir=/tmp/raif-load bin="$root/build/examples" keep=0
tools="raif-ifeval raif-score"
fixture=${RAIF_IFEVAL_DIR:-$root/../shared/ifeval}
while (($#)); do
  case "$1" in
  --lines) lines=$2 && shift 2 ;;
  --threads) threads=$2 && shift 2 ;;
  --dir) dir=$2 && shift 2 ;;
  --bin) bin=$2 && shift 2 ;;
  --tools) tools=$2 && shift 2 ;;
  --keep) keep=1 && shift ;;
  -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' && exit 0 ;;
  *) echo "load.sh: unknown option $1 (see --help)" >&2 && exit 2 ;;
  esac
done
[ -f "$fixture/input_data.jsonl" ] || { echo "load.sh: no IFEval fixture at $fixture (set RAIF_IFEVAL_DIR)" >&2 && exit 2; }
for t in $tools; do [ -x "$bin/$t" ] || { echo "load.sh: $bin/$t is not built" >&2 && exit 2; }; done
mkdir -p "$dir"

# Writes $dir/ifeval_in_N.jsonl, ifeval_resp_N.jsonl (raif-ifeval) and score_N.jsonl (raif-score).
generate() {
  python3 - "$fixture" "$1" "$dir" <<'EOF'
import json, sys
fixture, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
inputs = [json.loads(l) for l in open(f"{fixture}/input_data.jsonl", encoding="utf-8")]
resp = {}
for l in open(f"{fixture}/input_response_data_gpt4_20231107_145030.jsonl", encoding="utf-8"):
    j = json.loads(l)
    resp[j["prompt"]] = j["response"] + "\n\n" + j["response"]  # doubled: ~3 KB a line
with open(f"{out}/ifeval_in_{n}.jsonl", "w", encoding="utf-8") as fi, \
     open(f"{out}/ifeval_resp_{n}.jsonl", "w", encoding="utf-8") as fr, \
     open(f"{out}/score_{n}.jsonl", "w", encoding="utf-8") as fs:
    bi, br, bs = [], [], []
    for i in range(n):
        src = inputs[i % len(inputs)]
        prompt = f"{src['prompt']}\n(copy {i})"  # unique: the response index holds n prompts
        r = resp[src["prompt"]]
        bi.append(json.dumps({"key": i, "prompt": prompt, "instruction_id_list": src["instruction_id_list"],
                              "kwargs": src["kwargs"]}))
        br.append(json.dumps({"prompt": prompt, "response": r}))
        bs.append(json.dumps({"prompt": prompt, "response": f"<think>plan</think><answer>{r}</answer>",
                              "instruction_id_list": src["instruction_id_list"], "kwargs": src["kwargs"]}))
        if len(bi) == 10000 or i == n - 1:
            for f, b in ((fi, bi), (fr, br), (fs, bs)):
                f.write("\n".join(b) + "\n")
                b.clear()
EOF
}

mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
rows=()
# Runs a tool under /usr/bin/time -v; appends a table row.
measure() { # tool n threads input_bytes command...
  local tool=$1 n=$2 t=$3 bytes=$4 && shift 4
  local rc=0
  nice -n 5 /usr/bin/time -v -o "$dir/time.txt" "$@" >"$dir/stdout.txt" 2>"$dir/stderr.txt" || rc=$?
  if ((rc)); then
    echo "load.sh: $tool failed (exit $rc):" >&2 && tail -5 "$dir/stderr.txt" >&2 && exit 1
  fi
  local rss_kb wall user sys cpu
  rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$dir/time.txt")
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$dir/time.txt" |
    awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
  user=$(sed -n 's/.*User time (seconds): //p' "$dir/time.txt")
  sys=$(sed -n 's/.*System time (seconds): //p' "$dir/time.txt")
  cpu=$(sed -n 's/.*Percent of CPU this job got: //p' "$dir/time.txt")
  rows+=("$(awk -v tool="$tool" -v n="$n" -v t="$t" -v bytes="$bytes" -v wall="$wall" -v user="$user" -v sys="$sys" \
    -v cpu="$cpu" -v rss="$rss_kb" 'BEGIN {
      printf "%-11s %9d %9.1f %3d %8.1f %10.0f %8.1f %11.0f %5s %9.1f %8.4f",
        tool, n, bytes / 1048576, t, wall, n / wall, bytes / 1048576 / wall, n / (user + sys), cpu,
        rss / 1024, rss * 1024 / bytes }')")
  echo "${rows[-1]}"
}

header=$(printf '%-11s %9s %9s %3s %8s %10s %8s %11s %5s %9s %8s' tool lines input_MB thr wall_s lines/s MB/s \
  lines/cpu_s CPU% peak_MB RSS/input)
echo "$header"
for n in $lines; do
  need=$((n / 100)) # MB: ~10 KB per line all told
  avail=$(df -Pm "$dir" | awk 'NR == 2 { print $4 }')
  ((avail > need + 2048)) || { echo "load.sh: $dir has $avail MB free, $n lines need about $need MB" >&2 && exit 2; }
  in_if="$dir/ifeval_in_$n.jsonl" resp_if="$dir/ifeval_resp_$n.jsonl" in_sc="$dir/score_$n.jsonl"
  [ -f "$in_if" ] && [ -f "$resp_if" ] && [ -f "$in_sc" ] || generate "$n" # --keep leaves them for the next run
  for t in $threads; do
    if [[ " $tools " == *" raif-ifeval "* ]]; then
      bytes=$(($(stat -c %s "$in_if") + $(stat -c %s "$resp_if")))
      measure raif-ifeval "$n" "$t" "$bytes" "$bin/raif-ifeval" --input_data="$in_if" --input_response_data="$resp_if" \
        --output_dir="$dir/ifeval_out" --threads="$t"
      rm -rf "$dir/ifeval_out"
    fi
    if [[ " $tools " == *" raif-score "* ]]; then
      measure raif-score "$n" "$t" "$(stat -c %s "$in_sc")" "$bin/raif-score" --input "$in_sc" --output "$dir/score_out.jsonl" \
        --threads "$t"
      rm -f "$dir/score_out.jsonl"
    fi
  done
  ((keep)) || rm -f "$in_if" "$resp_if" "$in_sc"
done
echo
echo "$header"
printf '%s\n' "${rows[@]}"
