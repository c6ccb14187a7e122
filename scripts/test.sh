#!/usr/bin/env bash
# Install the Debian packages the browser and pack render tests need (when root and missing), then
# scripts/test.py: the venv, lint, type check and every test. On Windows: py scripts/test.py
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if ! fc-list 2>/dev/null | grep -qi dejavu && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  apt-get install -y -qq fonts-dejavu-core >/dev/null 2>&1 || true  # PDF packs use DejaVu when present
fi
if ! command -v chromium >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    (apt-get install -y -qq chromium >/dev/null 2>&1 || (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1)) \
      || echo "note: could not install chromium; browser tests will report as skipped" >&2
  else
    echo "note: chromium not found; browser tests will report as skipped (install the 'chromium' package)" >&2
  fi
fi
if ! command -v soffice >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; then  # the pack render test
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    (apt-get install -y -qq --no-install-recommends libreoffice-impress poppler-utils >/dev/null 2>&1 \
      || (apt-get update -qq >/dev/null 2>&1 \
          && apt-get install -y -qq --no-install-recommends libreoffice-impress poppler-utils >/dev/null 2>&1)) \
      || echo "note: could not install libreoffice-impress; the pack render test will report as skipped" >&2
  else
    echo "note: soffice not found; the pack render test will report as skipped (install 'libreoffice-impress' and 'poppler-utils')" >&2
  fi
fi
exec "$PY" scripts/test.py "$@"
