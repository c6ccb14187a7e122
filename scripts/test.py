"""Install everything and run every test: lint, type check, unit, store (SQLite and PostgreSQL), AppTest
pages and browser tests.

    py scripts/test.py           (Windows PowerShell)
    python3 scripts/test.py      (Linux, macOS; scripts/test.sh installs Chromium and LibreOffice on
                                  Debian first, then calls this)

Extra arguments go to pytest; ``IMPROVEMENT_BOARD_TEST_WORKERS=2`` runs the tests in two processes
(pytest-xdist, each file in one). Browser tests need Chromium on
the PATH (``chromium``), the pack render test LibreOffice (``soffice``) and poppler (``pdftoppm``);
without them those tests report as skipped. The PostgreSQL tests need a server at 127.0.0.1:5432
(or ``IMPROVEMENT_BOARD_TEST_PG``).
"""

from __future__ import annotations

import os
import subprocess
import sys

from _venv import ROOT, ensure


def _workers(argv: list[str]) -> list[str]:
    """Test processes (pytest-xdist) when IMPROVEMENT_BOARD_TEST_WORKERS asks for more than one and the
    arguments do not choose themselves. Serial by default: the hostile-file tests hold refusals to
    design limits in seconds, which a second test process on a two-core machine can break."""
    if any(a == "-n" or a.startswith(("-n", "--numprocesses")) or "xdist" in a for a in argv):
        return []
    wanted = int(os.environ.get("IMPROVEMENT_BOARD_TEST_WORKERS", "1") or 1)
    return ["-n", str(wanted), "--dist", "loadfile"] if wanted > 1 else []


def main(argv: list[str]) -> int:
    python = ensure("requirements-dev.txt")
    for step in (["-m", "ruff", "check", "."], ["-m", "mypy"]):
        code = subprocess.call([str(python), *step], cwd=ROOT)
        if code:
            return code
    code = subprocess.call([str(python), "-m", "pytest", *_workers(argv), *argv], cwd=ROOT)
    if code == 5:
        print("error: pytest collected no tests", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
