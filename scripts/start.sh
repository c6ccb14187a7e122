#!/usr/bin/env bash
# Install everything, load the sample data (idempotent) and start the app.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -d .venv ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r requirements.txt
.venv/bin/python -m lib.cli seed
exec .venv/bin/streamlit run app.py "$@"
