"""The validation report as a spreadsheet a performance officer can work through."""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter

from lib.returns.records import Change, Problem, SheetReport


def problems_workbook(problems: list[Problem], sheets: list[SheetReport] | None = None,
                      changes: list[Change] | None = None) -> bytes:
    """Every problem and note with file, sheet, row and column; what each sheet was read as; and every
    change the upload makes (item, field, from → to, cell). Every cell is written as text or a number."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                        "strings_to_numbers": False})
    bold = book.add_format({"bold": True, "bg_color": "#dfe7f3"})
    _table(book, bold, "Problems", ["Severity", "File", "Sheet", "Row", "Column", "Problem"],
           [p.as_row() for p in problems], {0: 14, 1: 14, 2: 14, 3: 14, 4: 14, 5: 100})
    if changes:
        _table(book, bold, "Changes", ["Change", "What", "Item", "Field", "From", "To", "Cell"],
               [c.as_row() for c in changes], {2: 40, 4: 30, 5: 30})
    if sheets:
        _table(book, bold, "Sheets", ["Sheet", "Read as", "Rows read", "Header row", "Skipped because",
                                      "Columns not read", "Rows not read"],
               [{"Sheet": s.name, "Read as": s.label, "Rows read": s.rows, "Header row": s.header_row,
                 "Skipped because": s.reason, "Columns not read": ", ".join(s.unmatched),
                 "Rows not read": "; ".join(s.skipped_rows)} for s in sheets], {0: 24, 1: 30, 4: 50, 5: 40, 6: 60})
    book.close()
    return buffer.getvalue()


def _table(book: Any, bold: Any, name: str, heads: list[str], rows: list[dict[str, Any]],
           widths: dict[int, int]) -> None:
    ws = book.add_worksheet(name)
    for c, head in enumerate(heads):
        ws.write_string(0, c, head, bold)
    for c, width in widths.items():
        ws.set_column(c, c, width)
    for r, row in enumerate(rows, start=1):
        for c, head in enumerate(heads):
            value = row.get(head)
            if value is None or value == "":
                continue
            if isinstance(value, int) and not isinstance(value, bool):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, str(value))
