"""Install everything and run every test: lint, type check, unit, store (SQLite and PostgreSQL), AppTest
pages and browser tests.

    py scripts/test.py           (Windows PowerShell)
    python3 scripts/test.py      (Linux, macOS; scripts/test.sh installs Chromium and LibreOffice on
                                  Debian first, then calls this)

Extra arguments go to pytest; on two or more cores the tests run in two processes (pytest-xdist),
unless the arguments say otherwise (``-n 0`` runs them in this one). Browser tests need Chromium on
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
    """Two test processes when the machine has two cores (pytest-xdist), each test file kept on one of
    them so its shared fixtures are built once; none when asked for (-n, -p no:xdist) or on one core."""
    if any(a == "-n" or a.startswith(("-n", "--numprocesses")) or "xdist" in a for a in argv):
        return []
    cores = os.cpu_count() or 1
    return ["-n", "2", "--dist", "loadfile"] if cores >= 2 else []


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
