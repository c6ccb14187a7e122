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
    """Current data in the export layout plus a Summary sheet (as-at, counts, red KPIs, changes).

    A filtered pack (lead officers, recommendations, themes) keeps only the pack's actions and KPIs.
    """
    summary: list[tuple[str, Any]] = list(pack.summary())
    actions = set(pack.actions["key"]) if pack.filters.get("lead_officers") or pack.filters.get("recommendations") \
        else None
    kpis = set(pack.kpis["ref"]) if pack.filters.get("themes") else None
    return template.export(engine, summary=summary, action_keys=actions, kpi_refs=kpis)
