#!/usr/bin/env bash
# Install everything, load the sample data (idempotent) and start the app: scripts/start.py does it
# (on Windows: py scripts/start.py).
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${PYTHON:-python3}" scripts/start.py "$@"
