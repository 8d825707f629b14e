#!/usr/bin/env bash
# `pip install .` into a fresh virtual environment, then import raif there and score a response.
# Usage: pip_install_check.sh <repository root> <venv dir> [python]. Exits 77 (CTest: skipped) with
# the reason when PyPI, which serves the build backend, cannot be reached.
set -euo pipefail
root=$1 venv=$2 py=${3:-python3}
rm -rf "$venv"
"$py" -m venv "$venv"
if ! "$venv/bin/python" -m pip download --no-deps --quiet -d "$venv/probe" scikit-build-core >/dev/null 2>&1; then
  echo "SKIPPED: PyPI is out of reach (pip install . needs scikit-build-core and pybind11 from it)"
  exit 77
fi
# A copy of the tree without build outputs, so pip's build never sees (or writes into) ours.
src="$venv/src"
mkdir -p "$src"
tar -C "$root" --exclude='./build*' --exclude='./.git' --exclude='./runs' --exclude='./.venv*' -cf - . | tar -C "$src" -xf -
# Build type None (no -O flags): what is checked is the packaging, and the module compiles in half
# the time of pyproject's Release, which users get.
CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2} "$venv/bin/python" -m pip install --quiet \
  --config-settings=cmake.build-type=None "$src"
cd "$venv" # not the source tree: the import must come from site-packages
"$venv/bin/python" - <<'PY'
import pathlib, raif
site = pathlib.Path(raif.__file__).parent
assert "site-packages" in str(site), site
assert len(raif.ifeval_ids()) == 25
v = raif.evaluate_ifeval(["**Yes, really.**\nFive words are enough here."],
                         [["length_constraints:number_words", "punctuation:no_comma"]],
                         [[{"num_words": 5, "relation": "at least"}, {}]])
assert v == [([True, False], [True, True])], v
assert raif.RaifReward({"constraint": "punctuation:no_comma"}).values(["<think>a</think><answer>b c</answer>"]) == [3.0]
f = raif.trl.reward()
assert f(prompts=["p"], completions=[[{"role": "assistant", "content": "a b"}]],
         instruction_id_list=[["punctuation:no_comma"]], kwargs=[[{}]]) == [1.0]
print("raif imported from", site, "and scored")
PY
