#!/usr/bin/env bash
# Installs trl, torch and transformers into a venv for test_trl_integration.py:
#   python/scripts/install_trl.sh .venv-trl && PYTHONPATH=build-python/python .venv-trl/bin/python -m pytest python/tests/test_trl_integration.py
set -euo pipefail
venv=${1:-.venv-trl}
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet torch
"$venv/bin/pip" install --quiet trl transformers datasets pytest
