"""Settings in one place: where the database lives, where shipped data lives, limits.

The one user-facing setting is the environment variable ``IMPROVEMENT_BOARD_DB``:
any SQLAlchemy URL. Without it the app uses an embedded SQLite file under
``data/`` in the project, created on first use, so a laptop needs no set-up.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = PROJECT_ROOT / "data"
SAMPLE_DIR = PROJECT_ROOT / "sample_data"
REFERENCE_DIR = PROJECT_ROOT / "reference_data"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

ENV_DB = "IMPROVEMENT_BOARD_DB"
DEFAULT_DB_PATH = DATA_DIR / "improvement_board.db"

# Our authority: the council whose programme the board follows (Barnet in the sample).
DEFAULT_AUTHORITY = "302"

# Upload limits (bytes). The Streamlit server cap is set in .streamlit/config.toml too.
MAX_UPLOAD_BYTES = 32 * 1024 * 1024  # a regional long return of ~300k rows is 13-16 MB
MAX_TEXT_CHARS = 32_767


def database_url(explicit: str | None = None) -> str:
    """The database URL: an explicit one, else ``IMPROVEMENT_BOARD_DB``, else the SQLite default."""
    if explicit:
        return explicit
    env = os.environ.get(ENV_DB, "").strip()
    if env:
        return env
    return f"sqlite:///{DEFAULT_DB_PATH}"
