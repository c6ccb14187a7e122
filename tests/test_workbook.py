"""read_workbook on ordinary and awkward (but legitimate) workbooks: values at the right cells, and
the metadata calamine alone loses (percent formats, formulas, errors, merged and hidden cells)."""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import threading

import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from lib import config
from lib.returns import safety, worker
from lib.returns.workbook import RejectedFile, cell_ref, read_workbook, typical_return
from tests import hostile_files as hf


@pytest.mark.parametrize(("row", "col", "ref"), [(0, 0, "A1"), (4, 27, "AB5"), (0, 25, "Z1"), (0, 26, "AA1"),
                                                 (9, 701, "ZZ10"), (0, 702, "AAA1"), (1048575, 16383, "XFD1048576")])
def test_cell_ref(row: int, col: int, ref: str) -> None:
    assert cell_ref(row, col) == ref


def test_typical_return() -> None:
    data = typical_return()
    book = read_workbook(data, "return.xlsx")
    assert (book.filename, book.size, book.sha256) == ("return.xlsx", len(data), hashlib.sha256(data).hexdigest())
    kpis, actions = book.sheets
    assert (kpis.name, len(kpis.rows), len(kpis.rows[0])) == ("KPIs", 61, 28)
    assert (actions.name, len(actions.rows), len(actions.rows[0])) == ("Actions", 201, 8)
    assert kpis.rows[0][:5] == ["KPI code", "KPI name", "Unit", "Polarity", "Jan 2023"]
    # every third KPI is a percentage, formatted 0.0%, for all 24 months
    assert kpis.percent_cells == {(r, c) for r in range(1, 61, 3) for c in range(4, 28)}
    values = [kpis.rows[r][c] for r, c in kpis.percent_cells]
    assert all(isinstance(v, float) and 0 <= v <= 1 for v in values)
    assert isinstance(actions.rows[1][4], datetime.date)
    assert 400 <= len(str(actions.rows[1][2])) <= 1600
    assert not (kpis.formula_cells or kpis.error_cells or kpis.merged or kpis.hidden or book.notes)


def test_values_are_aligned_to_excel_cells() -> None:
    sheet = read_workbook(hf.leading_blank_area(), "x.xlsx").sheets[0]
    assert sheet.rows == [[None] * 4, [None] * 4, [None, None, 1.0, 2.0]]


def test_empty_sheet_has_no_rows() -> None:
    book = read_workbook(hf.empty_sheet(), "x.xlsx")
    assert [(s.name, s.rows) for s in book.sheets] == [("Sheet1", [])]


def test_formula_without_cached_value_and_error_cell() -> None:
    book = read_workbook(hf.formula_without_value(), "x.xlsx")
    sheet = book.sheets[0]
    assert sheet.rows == [[5.0]] and sheet.formula_cells == {(0, 1)}
    assert any("formula cell(s) have no saved result (B1)" in n for n in book.notes)
    sheet = read_workbook(hf.error_value("#DIV/0!"), "x.xlsx").sheets[0]
    assert sheet.rows == [[5.0, None]]
    assert sheet.error_cells == {(0, 1): "#DIV/0!"} and sheet.formula_cells == {(0, 1)}


@pytest.mark.parametrize("error", sorted(safety.READABLE_ERRORS))
def test_every_readable_error_is_reported(error: str) -> None:
    assert read_workbook(hf.error_value(error), "x.xlsx").sheets[0].error_cells == {(0, 1): error}


def test_percent_cells() -> None:
    sheet = read_workbook(hf.percent_cell(), "x.xlsx").sheets[0]
    assert sheet.rows == [[1.0, 0.44, 0.5, 44.0]]
    assert sheet.percent_cells == {(0, 1), (0, 2)}  # D1's format shows a quoted "%": not a percentage


@pytest.mark.parametrize(("code", "percent"), [
    ("0%", True), ("0.0%", True), ('0.0"%"', False), ("0.0\\%", False), ("[Red]0%;-0%", True), ("#,##0", False),
    ('"Rate: "0%', True), ("[>=100]0%;0", True), ("0_%", False), ("General", False), ("0.00%;[Red]-0.00%", True),
])
def test_is_percent_format(code: str, percent: bool) -> None:
    assert safety.is_percent_format(code) is percent


def test_merged_cells_are_reported_and_clipped_to_the_data() -> None:
    sheet = read_workbook(hf.merged_cells(), "x.xlsx").sheets[0]
    assert sheet.merged == ((0, 0, 0, 2),)
    assert sheet.rows[0] == ["Header", None, None]
    sheet = read_workbook(hf.huge_merge(), "x.xlsx").sheets[0]
    assert sheet.merged == ((0, 0, 0, 1),)  # A1:XFD1048576 would be 17 billion cells downstream


def test_hidden_sheets_rows_and_columns() -> None:
    book = read_workbook(hf.hidden_sheet_and_row(), "x.xlsx")
    data, lookups, deep = book.sheets
    assert (data.hidden, lookups.hidden, deep.hidden) == (False, True, True)
    assert data.hidden_rows == {1} and data.hidden_cols == {1}
    assert lookups.rows == [[9.0, 8.0]]
    notes = " | ".join(book.notes)
    assert "Sheet 'Lookups' is hidden" in notes and "Sheet 'Deep' is 'very hidden'" in notes
    assert "Sheet 'Data' has 1 hidden row(s) (2)" in notes and "1 hidden column(s) (B)" in notes


def test_formula_like_text_comes_back_as_the_same_string() -> None:
    sheet = read_workbook(hf.formula_injection_text(), "x.xlsx").sheets[0]
    assert sheet.rows == [hf.INJECTION_TEXTS, hf.INJECTION_TEXTS]
    assert not sheet.formula_cells


def test_dates_and_the_1904_system() -> None:
    assert read_workbook(hf.date_cells(), "x.xlsx").sheets[0].rows == [[datetime.date(2025, 1, 1)]]
    book = read_workbook(hf.date_cells(date1904=True), "x.xlsx")
    assert book.sheets[0].rows == [[datetime.date(2029, 1, 2)]]  # 45658 days after 1 Jan 1904
    assert any("1904 date system" in n for n in book.notes)


def test_external_links_are_noted() -> None:
    book = read_workbook(hf.external_link(), "x.xlsx")
    assert any("external links" in n for n in book.notes)


def test_long_text_is_passed_through() -> None:
    text = "x" * (config.MAX_TEXT_CHARS * 3)
    sheet = read_workbook(hf.xlsx(sst=hf.shared_strings([text]), sheets=[("Sheet1", hf.sheet_xml(
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'))]), "x.xlsx").sheets[0]
    assert sheet.rows == [[text]]


def test_trailing_blank_strings_are_trimmed_but_errors_kept() -> None:
    xml = hf.sheet_xml('<row r="1"><c r="A1"><v>1</v></c><c r="B1" t="inlineStr"><is><t></t></is></c></row>'
                       '<row r="2"><c r="A2" t="str"><f>""</f><v></v></c></row>'
                       '<row r="3"><c r="C3" t="e"><v>#REF!</v></c></row>')
    sheet = read_workbook(hf.xlsx(sheets=[("Sheet1", xml)]), "x.xlsx").sheets[0]
    assert sheet.rows == [[1.0, None, None], [None, None, None], [None, None, None]]
    assert sheet.error_cells == {(2, 2): "#REF!"}


def test_unusual_but_valid_layouts_use_the_careful_path() -> None:
    """No r attributes at all: positions by counting, exactly as calamine places them."""
    sheet = read_workbook(hf.cells_without_references(), "x.xlsx").sheets[0]
    assert sheet.rows == [[1.0, 2.0], ["x", 0.5]]
    assert sheet.percent_cells == {(1, 1)} and sheet.formula_cells == {(1, 2)}


def _sheet_for(cells: dict[tuple[int, int], tuple[str, int]], prefix: str) -> bytes:
    """Canonical (prefix "") or namespace-prefixed sheet XML for the same cells."""
    p = f"{prefix}:" if prefix else ""
    rows: dict[int, list[str]] = {}
    for (r, c), (kind, style) in sorted(cells.items()):
        s = f' s="{style}"' if style else ""
        ref = cell_ref(r, c)
        body = {"n": f"<{p}v>{r + c}</{p}v>", "f": f"<{p}f>1</{p}f><{p}v>1</{p}v>",
                "e": f"<{p}v>#N/A</{p}v>", "empty": ""}[kind]
        t = ' t="e"' if kind == "e" else ""
        rows.setdefault(r, []).append(f'<{p}c r="{ref}"{s}{t}>{body}</{p}c>' if body else f'<{p}c r="{ref}"{s}/>')
    data = "".join(f'<{p}row r="{r + 1}">{"".join(cs)}</{p}row>' for r, cs in sorted(rows.items()))
    ns = f' xmlns:{prefix}="{hf.MAIN_NS}"' if prefix else f' xmlns="{hf.MAIN_NS}"'
    return f'<?xml version="1.0"?>\n<{p}worksheet{ns}><{p}sheetData>{data}</{p}sheetData></{p}worksheet>'.encode()


CELLS = st.dictionaries(
    st.tuples(st.integers(0, 300), st.integers(0, 60)),
    st.tuples(st.sampled_from(["n", "n", "f", "e", "empty"]), st.sampled_from([0, 1, 2])),
    min_size=1, max_size=40,
)


@settings(max_examples=150, deadline=None, database=None)
@given(CELLS)
def test_fast_and_careful_scans_agree(cells: dict[tuple[int, int], tuple[str, int]]) -> None:
    """The regex fast path and the tag-by-tag path find the same cells, formulas, errors and styles."""
    fast, slow = safety.SheetScan(), safety.SheetScan()
    fast_xml, slow_xml = _sheet_for(cells, ""), _sheet_for(cells, "x")
    safety._fast_extent(fast_xml, fast)
    safety._fast_exact(fast_xml, fast, content_only=True)
    pct = safety._fast_details(fast_xml, fast, frozenset({1}))
    safety._slow_scan(slow_xml, slow, "S")
    assert safety._NONCANONICAL.search(fast_xml) is None and safety._PREFIXED_TAG.search(slow_xml) is not None
    assert (fast.max_row, fast.max_col) == (slow.max_row, slow.max_col)
    assert fast.formula_cells == slow.formula_cells
    assert fast.error_cells == slow.error_cells
    filled = {pos for pos, (kind, _s) in cells.items() if kind != "empty"}
    assert {p for p in pct if p in filled} == set(slow.styled.get(1, []))
    # fill colours count blank cells too: both paths find every cell with the style, value or not
    coloured = {pos for pos, (_kind, style) in cells.items() if style == 1}
    fast_fills = safety._fast_fills(fast_xml, frozenset({1}))
    assert fast_fills is not None and set(fast_fills) == coloured
    assert set(slow.styled.get(1, [])) | set(slow.blank_styled.get(1, [])) == coloured


def test_exact_extent_across_scan_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    cells = {(r, c): ("n", 0) for r in range(0, 2000, 7) for c in (0, 3, 11)}
    cells[(1999, 40)] = ("n", 0)
    xml = _sheet_for(cells, "")
    whole = safety.SheetScan()
    safety._fast_exact(xml, whole, content_only=False)
    monkeypatch.setattr(safety, "_WINDOW", 997)
    windowed = safety.SheetScan()
    safety._fast_exact(xml, windowed, content_only=True)
    assert (whole.max_row, whole.max_col, whole.cells) == (windowed.max_row, windowed.max_col, windowed.cells)
    assert (whole.max_row, whole.max_col) == (2000, 41)


def test_medium_workbook_from_xlsxwriter() -> None:
    """A few thousand rows written the way a real tool writes them, read back exactly."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "constant_memory": False})
    sheet = book.add_worksheet("Data")
    pct = book.add_format({"num_format": "0%"})
    for r in range(3000):
        sheet.write_row(r, 0, [f"LA{r % 150}", r, r / 8])
        sheet.write_number(r, 3, (r % 100) / 100, pct)
    sheet.write_formula(10, 5, "=B11*2", None, 20)
    book.close()
    sheet_out = read_workbook(out.getvalue(), "m.xlsx").sheets[0]
    assert len(sheet_out.rows) == 3000 and len(sheet_out.rows[0]) == 6
    assert sheet_out.rows[2999][:4] == ["LA149", 2999.0, 2999 / 8, 0.99]
    assert sheet_out.percent_cells == {(r, 3) for r in range(3000)}
    assert sheet_out.formula_cells == {(10, 5)} and sheet_out.rows[10][5] == 20.0


def test_concurrent_uploads() -> None:
    data = typical_return()
    results: list[object] = []

    def one() -> None:
        try:
            results.append(len(read_workbook(data, "x.xlsx").sheets))
        except Exception as exc:  # collected and asserted below
            results.append(exc)

    threads = [threading.Thread(target=one) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results == [2] * 6


def test_a_reader_that_died_while_idle_is_replaced() -> None:
    read_workbook(hf.xlsx(), "warm.xlsx")
    for idle in list(worker._POOL.idle):
        idle.proc.kill()
        idle.proc.wait()
    assert [s.name for s in read_workbook(hf.xlsx(), "ok.xlsx").sheets] == ["Sheet1"]


def test_unexpected_internal_error_becomes_a_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_args: object, **_kwargs: object) -> object:
        raise KeyError("internal")

    monkeypatch.setattr(safety, "percent_styles", boom)
    with pytest.raises(RejectedFile) as info:
        read_workbook(hf.xlsx(), "x.xlsx")
    assert "could not be read" in info.value.message
    assert not re.search(r"KeyError|internal", info.value.message)
