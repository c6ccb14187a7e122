"""Opening a page of the app in AppTest the way a browser does: the app first, then the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.ui import setup

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = [path for path, *_ in setup.PAGES]


def open_page(monkeypatch: pytest.MonkeyPatch, url: str, page: str, params: dict[str, str] | None = None,
              timeout: int = 90) -> AppTest:
    """The app on database ``url`` with the query ``params``, switched to ``page``."""
    monkeypatch.setenv("IMPROVEMENT_BOARD_DB", url)
    at = AppTest.from_file(APP, default_timeout=timeout)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    if page != PAGES[0]:
        at.switch_page(page).run()
    return at
