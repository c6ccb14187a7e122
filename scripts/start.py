"""Install everything, load the sample data (idempotent) and start the app on this computer.

    py scripts/start.py          (Windows PowerShell)
    python3 scripts/start.py     (Linux, macOS; scripts/start.sh calls this)

Extra arguments go to ``streamlit run`` (e.g. ``--server.port 8502``).
"""

from __future__ import annotations

import subprocess
import sys

from _venv import ROOT, ensure


def main(argv: list[str]) -> int:
    python = ensure("requirements.txt")
    subprocess.run([str(python), "-m", "lib.cli", "seed"], check=True, cwd=ROOT)
    return subprocess.call([str(python), "-m", "streamlit", "run", "app.py", *argv], cwd=ROOT)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
