"""The board pack as an Excel workbook: the full export in the template's layout (importable
into an empty database) with the pack's summary on a Summary sheet.

Written by :func:`lib.returns.template.export` (xlsxwriter, formula and URL conversion off,
every text a string cell), so no cell is a formula, whatever users typed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from lib.exports.pack import BoardPack
from lib.returns import template


def to_xlsx(engine: Engine, pack: BoardPack) -> bytes:
    """Current data in the export layout plus a Summary sheet (as-at, counts, red KPIs, changes)."""
    summary: list[tuple[str, Any]] = list(pack.summary())
    return template.export(engine, summary=summary)
