"""The validation report as a spreadsheet a performance officer can work through."""

from __future__ import annotations

import io

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
    ws = book.add_worksheet("Problems")
    columns = ["Severity", "File", "Sheet", "Row", "Column", "Problem"]
    for c, name in enumerate(columns):
        ws.write_string(0, c, name, bold)
    ws.set_column(0, 4, 14)
    ws.set_column(5, 5, 100)
    for r, problem in enumerate(problems, start=1):
        row = problem.as_row()
        for c, name in enumerate(columns):
            value = row[name]
            if value is None or value == "":
                continue
            if isinstance(value, int):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, str(value))
    if changes:
        ws3 = book.add_worksheet("Changes")
        heads = ["Change", "What", "Item", "Field", "From", "To", "Cell"]
        for c, name in enumerate(heads):
            ws3.write_string(0, c, name, bold)
        ws3.set_column(2, 2, 40)
        ws3.set_column(4, 5, 30)
        for r, change in enumerate(changes, start=1):
            row = change.as_row()
            for c, name in enumerate(heads):
                if row[name]:
                    ws3.write_string(r, c, str(row[name]))
    if sheets:
        ws2 = book.add_worksheet("Sheets")
        for c, name in enumerate(["Sheet", "Read as", "Rows read", "Header row", "Skipped because",
                                  "Columns not read"]):
            ws2.write_string(0, c, name, bold)
        for r, s in enumerate(sheets, start=1):
            ws2.write_string(r, 0, s.name)
            ws2.write_string(r, 1, s.label)
            ws2.write_number(r, 2, s.rows)
            if s.header_row:
                ws2.write_number(r, 3, s.header_row)
            if s.reason:
                ws2.write_string(r, 4, s.reason)
            if s.unmatched:
                ws2.write_string(r, 5, ", ".join(s.unmatched))
    book.close()
    return buffer.getvalue()
