"""The project's virtual environment, the same way on Windows, Linux and macOS (used by start.py and test.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"


def venv_python() -> Path:
    """The venv's interpreter: ``.venv\\Scripts\\python.exe`` on Windows, ``.venv/bin/python`` elsewhere."""
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure(requirements: str) -> Path:
    """Create the venv if it is missing and install ``requirements`` into it (quietly); its python."""
    if not venv_python().exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    python = venv_python()
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True, cwd=ROOT)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r", requirements], check=True, cwd=ROOT)
    return python
