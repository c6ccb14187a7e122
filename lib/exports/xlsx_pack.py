"""The board pack as an Excel workbook: the same content as the PowerPoint and PDF packs, in words.

Sheets: Summary (as-at, filters, counts, red KPIs, changes), Actions and KPIs (the pack's actions and
scorecard as the pages show them: RAG words with icons, dates as "30 Jun 2019", never codes), and
Board pack (every section in order: title, facts, paragraphs and tables, cells filled like the PDF).
A filtered pack holds only its filtered actions and KPIs. Written with xlsxwriter with formula and URL
conversion off and every text a string cell, so no cell is a formula, whatever users typed. The full,
importable data export is :func:`lib.returns.template.export` (``python -m lib.cli export --out all.xlsx``).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from lib import formatting, tables
from lib.exports.pack import FILLS, TEXT_COLOUR, BoardPack, Section
from lib.read import benchmarks
from lib.returns.template import SheetWriter

ACTION_COLUMNS = ("Plan", "Ref", "Action", "Lead officer", "Due", "Status", "RAG", "Recommendations",
                  "Latest update")


def _frame(w: SheetWriter, name: str, df: pd.DataFrame, widths: dict[str, int]) -> None:
    shown = df[[c for c in df.columns if not str(c).startswith("_")]]
    ws = w.sheet(name, [str(c) for c in shown.columns], widths)
    for r, row in enumerate(shown.itertuples(index=False), start=1):
        for c, value in enumerate(row):
            w.cell(ws, r, c, formatting.text(value) or None, w.wrap)


def _actions(pack: BoardPack) -> pd.DataFrame:
    acts = pack.actions
    shown = tables.action_table(acts)
    return pd.DataFrame({
        "Plan": acts["plan"].tolist(), "Ref": shown["Ref"], "Action": shown["Action"],
        "Lead officer": shown["Lead officer"],
        "Due": shown["Due"], "Status": shown["Status"], "RAG": shown["RAG"], "Recommendations": shown["Recs"],
        "Latest update": acts["latest_commentary"].map(formatting.text).tolist(),
    }, columns=list(ACTION_COLUMNS))


def _sections(w: SheetWriter, sections: list[Section]) -> None:
    ws = w.book.add_worksheet("Board pack")
    ws.set_column(0, 0, 26)
    ws.set_column(1, 8, 22)
    title = w.book.add_format({"bold": True, "font_size": 14, "font_color": "#1d4f91"})
    bold = w.book.add_format({"bold": True, "valign": "top", "text_wrap": True})
    fills = {key: w.book.add_format({"bg_color": colour, "font_color": TEXT_COLOUR, "text_wrap": True,
                                     "valign": "top", "border": 1}) for key, colour in FILLS.items()}
    boxed = w.book.add_format({"text_wrap": True, "valign": "top", "border": 1})
    r = 0
    for section in sections:
        ws.write_string(r, 0, section.title, title)
        r += 1
        if section.subtitle:
            ws.write_string(r, 0, section.subtitle)
            r += 1
        for label, value, fill in section.facts:
            ws.write_string(r, 0, label, bold)
            ws.write_string(r, 1, value, fills.get(fill or "", boxed))
            r += 1
        for heading, content in section.paragraphs:
            ws.write_string(r, 0, heading, bold)
            ws.write_string(r, 1, content, w.wrap)
            r += 1
        for table in section.tables:
            if table.caption:
                ws.write_string(r, 0, table.caption, bold)
                r += 1
            for c, name in enumerate(table.columns):
                ws.write_string(r, c, name or " ", w.header)
            r += 1
            if not table.rows:
                ws.write_string(r, 0, table.empty)
                r += 1
            for row, row_fills in zip(table.rows, table.fills, strict=True):
                for c, cell in enumerate(row):
                    key = row_fills[c] if c < len(row_fills) else None
                    ws.write_string(r, c, cell, fills.get(key or "", boxed))
                r += 1
        if section.note:
            ws.write_string(r, 0, section.note)
            r += 1
        r += 1


def to_xlsx(engine: Engine, pack: BoardPack) -> bytes:
    """The pack's summary, actions, KPIs and sections as a readable workbook (filters respected)."""
    w = SheetWriter()
    ws = w.sheet("Summary", ["Item", "Value"], {"Item": 40, "Value": 60})
    for i, (item, value) in enumerate(pack.summary(), start=1):
        w.cell(ws, i, 0, item)
        w.cell(ws, i, 1, value)
    _frame(w, "Actions", _actions(pack), {"Action": 50, "Lead officer": 30, "Latest update": 60, "Due": 20})
    summary = benchmarks.summary(engine, pack.la_code, pack.kpis, pack.as_at) if len(pack.kpis) else pd.DataFrame()
    scorecard = tables.scorecard_table(pack.kpis, summary)
    _frame(w, "KPIs", scorecard, {"KPI": 50, "Benchmarks": 50, "Period": 22})
    _sections(w, pack.sections)
    return w.close()

