"""read_workbook on every format councils send (.xlsm, .xls, .ods, .csv) and on cell fill colours:
values at the right cells, the same limits and refusals as .xlsx, and colours a RAG column may be
given in."""

from __future__ import annotations

import datetime
import io
import zipfile

import openpyxl
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.styles import Color, PatternFill

from lib.returns import safety, worker
from lib.returns.workbook import RejectedFile, Workbook, read_workbook, typical_return
from tests import hostile_files as hf

MACROS_NOTE = "The workbook contains macros; they were not run — only cell values were read."
NOT_READABLE = "not a spreadsheet file the Improvement Board can read"


def refused(data: bytes, filename: str) -> str:
    with pytest.raises(RejectedFile) as info:
        read_workbook(data, filename, timeout=15)
    message = info.value.message
    assert message and "Traceback" not in message
    return message


# ---------------------------------------------------------------------------------------------
# .xlsm: values only, macros never run, and the pipeline told.


def _xlsm(filename_ext: str = ".xlsm") -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("KPIs")
    sheet.write_row(0, 0, ["KPI code", "Value"])
    sheet.write_row(1, 0, ["CSC001", 44])
    book.set_vba_name("ThisWorkbook")
    book.add_vba_project(io.BytesIO(hf.ole({"VBA": b"Attribute VB_Name = \"Module1\""})), is_stream=True)
    book.close()
    return out.getvalue()


def test_xlsm_is_read_with_a_note_and_flagged() -> None:
    book = read_workbook(_xlsm(), "return.xlsm")
    assert (book.format, book.has_macros) == ("xlsm", True)
    assert book.sheets[0].rows == [["KPI code", "Value"], ["CSC001", 44.0]]
    assert MACROS_NOTE in book.notes


@pytest.mark.parametrize("builder", ["xlsm", "macro_content_type_only"])
def test_macro_parts_or_content_type_alone_mark_the_workbook(builder: str) -> None:
    """A plain .xlsx name over a vbaProject part (or a macro-enabled content type) is the same thing."""
    book = read_workbook(getattr(hf, builder)(), "renamed.xlsx")
    assert book.has_macros and book.format == "xlsm" and MACROS_NOTE in book.notes
    assert book.sheets[0].rows == [[1.0]]


def test_excel4_macro_sheet_is_not_read_as_data() -> None:
    macro = hf.sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>=HALT()</t></is></c></row>')
    data = hf.xlsx(extra={"xl/macrosheets/sheet1.xml": macro})
    book = read_workbook(data, "x.xlsx")
    assert book.has_macros and [s.name for s in book.sheets] == ["Sheet1"]


def test_plain_xlsx_has_no_macros() -> None:
    book = read_workbook(typical_return(), "typical.xlsx")
    assert (book.format, book.has_macros) == ("xlsx", False)


# ---------------------------------------------------------------------------------------------
# .xls (OLE2/BIFF8)


def test_xls_values_merges_and_hidden_sheet() -> None:
    book = read_workbook(hf.xls(), "return.xls")
    assert (book.format, book.has_macros) == ("xls", False)
    kpis, lookups = book.sheets
    assert kpis.rows == [
        ["KPI code", "Value", "Month"],
        ["CSC001", 0.44, datetime.date(2025, 1, 1)],
        ["CSC002", 12.0, True],
        ["Note across three columns", None, None],
    ]
    assert all(type(v) is float for v in (kpis.rows[1][1], kpis.rows[2][1]))  # whole numbers too, as in .xlsx
    assert kpis.merged == ((3, 0, 3, 2),)
    assert (kpis.hidden, lookups.hidden, lookups.rows) == (False, True, [[9.0]])
    assert "Sheet 'Lookups' is hidden in the workbook; it was read like any other sheet." in book.notes
    # what calamine does not give for .xls: documented as empty
    assert not (kpis.percent_cells or kpis.fill_colours or kpis.formula_cells or kpis.error_cells)


def test_xls_is_recognised_by_content_not_name() -> None:
    assert read_workbook(hf.xls(), "return.xlsx").format == "xls"


def test_xls_with_vba_is_read_and_flagged() -> None:
    book = read_workbook(hf.xls_with_vba(), "return.xls")
    assert book.has_macros and MACROS_NOTE in book.notes
    assert book.sheets[0].rows[1][0] == "CSC001"


@pytest.mark.parametrize("builder", ["encrypted_ole", "xls_rc4_password"])
def test_password_protected_files_are_refused_as_such(builder: str) -> None:
    message = refused(getattr(hf, builder)(), "return.xlsx")
    assert message.startswith("The workbook is password-protected (encrypted)")


def test_other_ole_documents_and_damaged_xls() -> None:
    assert NOT_READABLE in refused(hf.word_document_ole(), "notes.xls")
    assert "damaged or incomplete" in refused(hf.xls_truncated(), "return.xls")
    assert "damaged or incomplete" in refused(hf.ole_header(), "return.xls")


def test_xls_sheet_over_the_limits_is_refused_with_the_sheet_named(monkeypatch: pytest.MonkeyPatch) -> None:
    assert refused(hf.xls_wide_sheet(), "wide.xls").startswith("Sheet 'Wide' has cells out to ATD1 (1 rows × 1,200")
    monkeypatch.setattr(safety, "MAX_ROWS", 3)
    assert refused(hf.xls(), "return.xls").startswith("Sheet 'KPIs' has cells out to C4 (4 rows × 3 columns)")
    monkeypatch.setattr(safety, "MAX_ROWS", 1_000_000)
    monkeypatch.setattr(safety, "MAX_CELLS", 5)
    assert refused(hf.xls(), "return.xls") == safety.MSG_TOO_MANY_CELLS.format(sheet="KPIs", limit=5)


def test_ole_directory_reader() -> None:
    entries = safety.ole_entries(hf.ole({"Workbook": b"x" * 5000, "Other": b"y"}, storages=("_VBA_PROJECT_CUR",)))
    assert {name: e.kind for name, e in entries.items()} == {
        "root entry": 5, "workbook": 2, "other": 2, "_vba_project_cur": 1}
    assert entries["workbook"].size == 5120  # padded to whole sectors
    looped = bytearray(hf.ole({"Workbook": b"x" * 5000}))
    dir_start = int.from_bytes(looped[48:52], "little")
    fat_sector = int.from_bytes(looped[76:80], "little")
    fat_at = (fat_sector + 1) * 512 + 4 * dir_start
    looped[fat_at: fat_at + 4] = dir_start.to_bytes(4, "little")  # the directory chain points at itself
    with pytest.raises(RejectedFile) as info:
        safety.ole_entries(bytes(looped))
    assert "damaged" in info.value.message


# ---------------------------------------------------------------------------------------------
# .ods


def test_ods_values_and_hidden_sheet() -> None:
    book = read_workbook(hf.ods_workbook(), "return.ods")
    assert (book.format, book.has_macros) == ("ods", False)
    kpis, lookups = book.sheets
    assert kpis.rows == [["KPI code", "Value", "Month"], ["CSC001", 44.0, datetime.date(2025, 1, 1)],
                         ["CSC002", 12.5, None]]
    assert (lookups.hidden, lookups.rows) == (True, [[9.0]])
    assert not (kpis.merged or kpis.fill_colours or kpis.percent_cells)


def test_ods_macros_are_flagged() -> None:
    book = read_workbook(hf.ods_with_basic_macro(), "return.ods")
    assert book.has_macros and MACROS_NOTE in book.notes


@pytest.mark.parametrize(("builder", "phrase"), [
    ("ods_encrypted", "password-protected (encrypted)"),
    ("ods_billion_laughs", "entity declarations are not allowed"),
    ("ods_xxe", "entity declarations are not allowed"),
    ("ods_far_cell", "Sheet 'Sheet1' has cells out to A1048576"),
    ("ods_repeat_bomb", "Sheet 'Sheet1' has more than 5,000,000 filled cells"),
    ("odt_renamed", NOT_READABLE),
])
def test_hostile_ods_is_refused(builder: str, phrase: str) -> None:
    assert phrase in refused(getattr(hf, builder)(), "return.ods")


def test_ods_repeat_count() -> None:
    """Empty repeated cells and rows (LibreOffice writes them to the sheet's edge) cost nothing; repeated
    values count once per copy, a repeated row once per cell it holds."""
    empty = (b'<table:table-row table:number-rows-repeated="1048573"><table:table-cell '
             b'table:number-columns-repeated="16384"/></table:table-row>')
    assert safety.ods_repeated_cells(empty) == (0, -1)
    values = (b'<table:table-row><table:table-cell table:number-columns-repeated="4" office:value-type="float" '
              b'office:value="1"/></table:table-row><table:table-row table:number-rows-repeated="10">'
              b'<table:table-cell office:value-type="float" office:value="2"/><table:table-cell '
              b'table:number-columns-repeated="3"><text:p>x</text:p></table:table-cell></table:table-row>')
    assert safety.ods_repeated_cells(values) == (3 + 9 * 4 + 2, -1)


def test_ods_content_is_checked_in_pieces_cut_at_row_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    """With tiny pieces the count still adds up across them and names the sheet that started pieces ago."""
    monkeypatch.setattr(safety, "_ODS_PIECE", 64)
    bomb = ('<table:table-row table:number-rows-repeated="3000000"><table:table-cell office:value-type="float" '
            'office:value="1"/><table:table-cell office:value-type="float" office:value="2"/></table:table-row>')
    data = hf.ods([("First", hf.ods_rows([["a", 1]] * 20)), ("Second", hf.ods_rows([["b", 2]] * 20) + bomb)])
    assert refused(data, "x.ods") == safety.MSG_TOO_MANY_CELLS.format(sheet="Second", limit=safety.MAX_CELLS)
    fine = hf.ods([("First", hf.ods_rows([["a", 1]] * 20)), ("Second", hf.ods_rows([["b", 2]] * 20))])
    assert [len(s.rows) for s in read_workbook(fine, "x.ods").sheets] == [20, 20]
    monkeypatch.setattr(safety, "_ODS_MAX_ROW", 1000)
    one_long_row = hf.ods([("S", hf.ods_rows([list(range(100))]))])
    assert "not stored the way Excel or LibreOffice save spreadsheets" in refused(one_long_row, "x.ods")


# ---------------------------------------------------------------------------------------------
# .csv


def _csv_sheet(data: bytes, filename: str = "kpis.csv") -> tuple[Workbook, list[list[object]]]:
    book = read_workbook(data, filename)
    assert book.format == "csv" and len(book.sheets) == 1
    return book, book.sheets[0].rows


def test_csv_numbers_become_floats_other_text_stays_text() -> None:
    data = (b"Code,Value,Share,Big,Month,Neg,Dec,Lead,Sci,Blank,Spaced\n"
            b'CSC001,44,44%,"1,234",2025-01,-3,44.0,007,1E3,, 12 \n')
    book, rows = _csv_sheet(data, "monthly kpis.csv")
    assert book.sheets[0].name == "monthly kpis"
    assert rows[1] == ["CSC001", 44.0, "44%", "1,234", "2025-01", -3.0, 44.0, "007", 1000.0, None, 12.0]
    assert not book.notes and not book.has_macros


@pytest.mark.parametrize(("data", "expected"), [
    (b"\xef\xbb\xbfa;b\n1;2\n", [["a", "b"], [1.0, 2.0]]),  # Excel "CSV UTF-8": BOM, semicolons (a European locale)
    (b"a\tb\n1\t2\n", [["a", "b"], [1.0, 2.0]]),
    (b"sep=;\na;b,c\n1;2,5\n", [["a", "b,c"], [1.0, "2,5"]]),  # Excel's own delimiter line
    ("a\tb\r\n£1\t2\r\n".encode("utf-16"), [["a", "b"], ["£1", 2.0]]),  # Excel "Unicode Text"
    (b'a,b\n"two\nlines",2\n', [["a", "b"], ["two\nlines", 2.0]]),
    (b"a,b,,\n1\n", [["a", "b"], [1.0, None]]),  # ragged rows padded, trailing blank columns trimmed
    (b"only\n", [["only"]]),
])
def test_csv_encodings_delimiters_and_shapes(data: bytes, expected: list[list[object]]) -> None:
    assert _csv_sheet(data)[1] == expected


def test_csv_in_windows_1252_is_read_with_a_note() -> None:
    book, rows = _csv_sheet("Area,Cost\nBarnet,£12\nCafé,3\n".encode("cp1252"))
    assert rows == [["Area", "Cost"], ["Barnet", "£12"], ["Café", 3.0]]
    assert book.notes == [safety.MSG_ENCODING_NOTE]


def test_undecodable_bytes_never_crash() -> None:
    """A stray byte Windows-1252 leaves undefined is kept visible; a file full of them is not text."""
    _book, rows = _csv_sheet(b"Area,Note\nBarnet,caf\xe9 \x81 closed\nEnfield,open\n")
    assert rows[1] == ["Barnet", "café \ufffd closed"]
    assert "holds binary data" in refused(b"a,b\n\x81\x8d,\x9d\x8f\n", "x.csv")


def test_text_with_a_workbook_name_is_read_as_csv() -> None:
    book = read_workbook(hf.csv_renamed(), "return.xlsx")
    assert book.format == "csv" and book.sheets[0].rows[1] == [302.0, "CSC001", "2025-01", 44.0]


@pytest.mark.parametrize(("data", "filename", "phrase"), [
    (hf.binary_garbage(), "return.csv", "named as a CSV or text file but holds binary data"),
    (hf.binary_garbage(), "return.xlsx", NOT_READABLE),
    (b"a,b\n1,\x00\n", "return.csv", "holds binary data"),
    (hf.png_renamed(), "chart.csv", "holds binary data"),
    (hf.html_renamed(), "report.xls", NOT_READABLE),
    (b'<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>', "x.xml", NOT_READABLE),
])
def test_binary_and_markup_are_refused(data: bytes, filename: str, phrase: str) -> None:
    assert phrase in refused(data, filename)


def test_csv_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    assert refused(hf.csv_over_row_cap(), "big.csv").startswith("Sheet 'big' has cells out to A1000002")
    assert refused(hf.csv_over_row_cap_quoted(), "big.csv").startswith("Sheet 'big' has cells out to A1000002")
    assert refused(hf.csv_too_wide(), "wide.csv").startswith("Sheet 'wide' has cells out to ATD1")
    monkeypatch.setattr(safety, "MAX_CELLS", 5)
    assert refused(b"a,b,c\n1,2,3\n", "x.csv") == safety.MSG_TOO_MANY_CELLS.format(sheet="x", limit=5)


CSV_TEXT = st.text(alphabet=st.characters(blacklist_characters=',;\t"\r\n', blacklist_categories=("Cs",)),
                  max_size=12)


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.lists(st.one_of(CSV_TEXT, st.integers(-10**6, 10**6).map(str),
                                   st.floats(allow_nan=False, allow_infinity=False).map(repr)),
                         min_size=1, max_size=5), min_size=1, max_size=8), st.sampled_from([",", ";", "\t"]))
def test_csv_round_trip(table: list[list[str]], delimiter: str) -> None:
    """What the csv module writes comes back cell for cell (text as text, plain numbers as floats), or is
    refused as binary; never anything else."""
    import csv as csvmod

    out = io.StringIO()
    csvmod.writer(out, delimiter=delimiter).writerows(table)
    try:
        book = read_workbook(out.getvalue().encode(), "t.csv")
    except RejectedFile as exc:
        assert "holds binary data" in exc.message  # control characters in the generated text
        return
    rows = book.sheets[0].rows
    for r, row in enumerate(table):
        for c, text in enumerate(row):
            got = rows[r][c] if r < len(rows) and c < len(rows[r]) else None
            if isinstance(got, float):
                assert float(text.strip()) == got
            elif got is None:
                assert text == ""
            else:
                assert got == text


# ---------------------------------------------------------------------------------------------
# Fill colours


def _xlsxwriter_rag() -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Actions")
    red = book.add_format({"bg_color": "#FF0000", "pattern": 1})
    amber = book.add_format({"bg_color": "#FFC000"})
    white = book.add_format({"bg_color": "#FFFFFF", "pattern": 1})
    pct_green = book.add_format({"bg_color": "#00B050", "pattern": 1, "num_format": "0%"})
    sheet.write_row(0, 0, ["Ref", "Action", "Done", "RAG"])
    sheet.write_row(1, 0, ["A1", "Recruit"])
    sheet.write_blank(1, 3, None, red)  # RAG given only as colour, in the last column
    sheet.write_row(2, 0, ["A2", "Audit"])
    sheet.write_number(2, 2, 0.5, pct_green)
    sheet.write_blank(2, 3, None, amber)
    sheet.write_string(3, 0, "A3", red)  # a coloured cell with text
    sheet.write_blank(3, 3, None, white)  # white is no colour
    book.close()
    return out.getvalue()


def test_fill_colours_of_blank_and_text_cells_from_xlsxwriter() -> None:
    sheet = read_workbook(_xlsxwriter_rag(), "rag.xlsx").sheets[0]
    assert sheet.rows == [["Ref", "Action", "Done", "RAG"], ["A1", "Recruit", None, None],
                          ["A2", "Audit", 0.5, None], ["A3", None, None, None]]
    assert sheet.fill_colours == {(1, 3): "#FF0000", (2, 2): "#00B050", (2, 3): "#FFC000", (3, 0): "#FF0000"}
    assert sheet.percent_cells == {(2, 2)}


def test_a_trailing_coloured_blank_column_and_row_extend_the_grid() -> None:
    """Calamine stops at the last value; a RAG column of colour alone after it must still be there."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Plan")
    red = book.add_format({"bg_color": "#C00000", "pattern": 1})
    sheet.write_row(0, 0, ["Ref", "Action"])
    sheet.write_row(1, 0, ["A1", "Recruit"])
    sheet.write_blank(1, 2, None, red)
    sheet.write_blank(2, 2, None, red)
    book.close()
    got = read_workbook(out.getvalue(), "x.xlsx").sheets[0]
    assert got.rows == [["Ref", "Action", None], ["A1", "Recruit", None], [None, None, None]]
    assert got.fill_colours == {(1, 2): "#C00000", (2, 2): "#C00000"}


def _openpyxl_fills() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "RAG"
    sheet["A1"] = "status"
    sheet["B1"].fill = PatternFill("solid", fgColor=Color(indexed=10))  # palette red
    sheet["C1"].fill = PatternFill("solid", fgColor=Color(theme=9))  # accent6 of the default theme
    sheet["D1"].fill = PatternFill("solid", fgColor=Color(theme=5, tint=0.3999755851924192))
    sheet["E1"].fill = PatternFill("gray125", fgColor="FF0000")  # not a solid fill
    sheet["F1"].fill = PatternFill("solid", fgColor="FF00B050")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_indexed_and_theme_colours_from_openpyxl() -> None:
    sheet = read_workbook(_openpyxl_fills(), "x.xlsx").sheets[0]
    assert len(sheet.rows[0]) == 6
    # openpyxl's default theme: accent2 C0504D lightened 40% as Excel does it; accent6 F79646
    assert sheet.fill_colours == {(0, 1): "#FF0000", (0, 2): "#F79646", (0, 3): "#D99694", (0, 5): "#00B050"}


def test_theme_colours_without_a_theme_part_are_ignored() -> None:
    data = _openpyxl_fills()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "xl/theme/theme1.xml":
                dst.writestr(info, src.read(info))
    sheet = read_workbook(out.getvalue(), "x.xlsx").sheets[0]
    assert sheet.fill_colours == {(0, 1): "#FF0000", (0, 5): "#00B050"}


def test_indexed_palette_matches_excel() -> None:
    from openpyxl.styles.colors import COLOR_INDEX

    assert tuple(c[2:] for c in COLOR_INDEX) == safety.INDEXED_COLOURS


FILL_STYLES = (
    f'<?xml version="1.0"?>\n<styleSheet xmlns="{hf.MAIN_NS}"><colors><indexedColors>'
    + '<rgbColor rgb="FF000000"/>' * 10 + '<rgbColor rgb="FF123456"/></indexedColors></colors>'
    '<fills count="4"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFFF0000"/></patternFill></fill>'
    '<fill><patternFill patternType="solid"><fgColor indexed="10"/></patternFill></fill></fills>'
    '<cellXfs count="4"><xf fillId="2"/><xf fillId="2"/><xf fillId="3" numFmtId="9"/><xf fillId="1"/></cellXfs>'
    "</styleSheet>"
).encode()


def test_fill_styles_custom_palette_and_default_style() -> None:
    """A workbook's own palette replaces Excel's; a fill on the default style 0 (the whole sheet) is no RAG."""
    assert safety.fill_styles(FILL_STYLES, lambda: None) == {1: "#FF0000", 2: "#123456"}


def test_fills_on_the_careful_path_and_with_row_styles() -> None:
    """Prefixed tags (slow path) and a row style that spoils the strict count (loose pattern) agree."""
    rows = ('<row r="1" s="1" customFormat="1"><c r="A1" s="1"><v>1</v></c><c r="B1" s="2"/><c r="C1" s="3"/></row>'
            '<row r="2"><c r="A2"><v>2</v></c></row>')
    fast = read_workbook(hf.xlsx(sheets=[("S", hf.sheet_xml(rows))], styles=FILL_STYLES), "x.xlsx").sheets[0]
    prefixed = rows.replace("<row", "<x:row").replace("</row", "</x:row").replace("<c ", "<x:c ")
    prefixed = prefixed.replace("<v>", "<x:v>").replace("</v>", "</x:v>").replace("</c>", "</x:c>")
    xml = (f'<?xml version="1.0"?>\n<x:worksheet xmlns:x="{hf.MAIN_NS}"><x:sheetData>{prefixed}</x:sheetData>'
           "</x:worksheet>").encode()
    slow = read_workbook(hf.xlsx(sheets=[("S", xml)], styles=FILL_STYLES), "x.xlsx").sheets[0]
    for sheet in (fast, slow):
        assert sheet.rows == [[1.0, None], [2.0, None]]
        assert sheet.fill_colours == {(0, 0): "#FF0000", (0, 1): "#123456"}
        assert sheet.percent_cells == {(0, 1)} or sheet is slow  # the slow path only knows styled values


def test_fills_far_beyond_the_data_are_dropped_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = '<row r="1"><c r="A1" s="1"><v>1</v></c></row><row r="900000"><c r="Z900000" s="1"/></row>'
    book = read_workbook(hf.xlsx(sheets=[("S", hf.sheet_xml(rows))], styles=FILL_STYLES), "x.xlsx")
    assert book.sheets[0].rows == [[1.0]] and book.sheets[0].fill_colours == {(0, 0): "#FF0000"}
    assert book.notes == ["Sheet 'S': 1 coloured cell(s) far beyond the data were ignored; the values were read."]
    monkeypatch.setattr(safety, "MAX_FILL_CELLS", 1)
    rows = '<row r="1"><c r="A1" s="1"><v>1</v></c><c r="B1" s="1"/></row>'
    book = read_workbook(hf.xlsx(sheets=[("S", hf.sheet_xml(rows))], styles=FILL_STYLES), "x.xlsx")
    assert book.sheets[0].fill_colours == {}
    assert book.notes == ["Sheet 'S' has more than 1 coloured cells, so cell colours were not read; the values were "
                          "read."]


def test_typical_return_has_no_fill_colours_and_reads_as_before() -> None:
    book = read_workbook(typical_return(), "typical.xlsx")
    assert all(not s.fill_colours for s in book.sheets) and not book.notes


def test_the_reader_lists_sheets_before_reading() -> None:
    """Protocol check: the child lists an .ods's sheets, then reads one under limits."""
    job = worker.Job(hf.ods_workbook(), 15)
    assert job.sheets() == [("KPIs", "WorkSheet", "Visible"), ("Lookups", "WorkSheet", "Hidden")]
    job.read("Lookups", worker.default_limits())
    assert job.results() == [worker.SheetValues([[9.0]], [])]
