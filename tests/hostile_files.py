"""Builders of hostile and awkward uploads (.xlsx/.xlsm, .xls, .ods, .csv), written in code so no
binary fixtures are committed.

Each builder returns the file's bytes. :func:`xlsx` writes a minimal but valid workbook by hand
(content types, workbook, relationships, styles, sheets) so tests control every byte calamine and
the pre-check see; :func:`ods` does the same for OpenDocument, :func:`ole` packs streams into an OLE
compound file, and :func:`xls` uses xlwt (a real BIFF8 writer, a test-only dependency).
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
MAIN_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_MAIN_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"

# cellXfs: 0 general, 1 percent (built-in 9), 2 date (built-in 14), 3 custom "0.0%", 4 custom 0.0"%" (not a percent)
STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{MAIN_NS}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="0.0%"/>'
    '<numFmt numFmtId="165" formatCode="0.0&quot;%&quot;"/></numFmts>'
    '<fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="9"/>'
    '<xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/></cellXfs></styleSheet>'
).encode()


def sheet_xml(rows: str | bytes, *, before: str | bytes = "", after: str | bytes = "",
              prolog: str | bytes = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n') -> bytes:
    """A worksheet part: ``before`` goes ahead of <sheetData> (dimension, cols), ``after`` behind it."""

    def b(x: str | bytes) -> bytes:
        return x.encode() if isinstance(x, str) else x

    return (b(prolog) + f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'.encode() + b(before) + b"<sheetData>"
            + b(rows) + b"</sheetData>" + b(after) + b"</worksheet>")


def shared_strings(strings: Iterable[str], prolog: str = '<?xml version="1.0" encoding="UTF-8"?>\n') -> bytes:
    from xml.sax.saxutils import escape

    items = "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in strings)
    return f'{prolog}<sst xmlns="{MAIN_NS}">{items}</sst>'.encode()


def xlsx(
    sheets: list[tuple[str, bytes]] | None = None,
    *,
    sst: bytes | None = None,
    styles: bytes | None = STYLES,
    workbook_pr: str = "",
    states: dict[str, str] | None = None,
    extra: dict[str, bytes] | None = None,
    main_type: str = MAIN_TYPE,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A hand-written workbook: ``sheets`` is [(name, worksheet XML)], in order."""
    sheets = sheets if sheets is not None else [("Sheet1", sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'))]
    states = states or {}
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{SHEET_TYPE}"/>'
        for i in range(1, len(sheets) + 1)
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{main_type}"/>{overrides}</Types>'
    ).encode()
    root_rels = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="{PKG_REL_NS}">'
        f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ).encode()
    sheet_entries = "".join(
        f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"'
        + (f' state="{states[name]}"' if name in states else "") + "/>"
        for i, (name, _xml) in enumerate(sheets, start=1)
    )
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        f"{workbook_pr}<sheets>{sheet_entries}</sheets></workbook>"
    ).encode()
    n = len(sheets)
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, n + 1)
    )
    rels += f'<Relationship Id="rId{n + 1}" Type="{REL_NS}/styles" Target="styles.xml"/>'
    if sst is not None:
        rels += f'<Relationship Id="rId{n + 2}" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
    workbook_rels = f'<?xml version="1.0"?>\n<Relationships xmlns="{PKG_REL_NS}">{rels}</Relationships>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as zf:
        zf.writestr("[Content_Types].xml", content_types)
        zf.writestr("_rels/.rels", root_rels)
        zf.writestr("xl/workbook.xml", workbook)
        zf.writestr("xl/_rels/workbook.xml.rels", workbook_rels.encode())
        if styles is not None:
            zf.writestr("xl/styles.xml", styles)
        for i, (_name, xml) in enumerate(sheets, start=1):
            zf.writestr(f"xl/worksheets/sheet{i}.xml", xml)
        if sst is not None:
            zf.writestr("xl/sharedStrings.xml", sst)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Not a workbook at all


def empty() -> bytes:
    return b""


def csv_renamed() -> bytes:
    return b"LA code,KPI,Month,Value\n302,CSC001,2025-01,44\n302,CSC002,2025-01,12\n"


def html_renamed() -> bytes:
    return b"<html><body><table><tr><td>302</td><td>44</td></tr></table></body></html>"


def png_renamed() -> bytes:
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + b"\x00" * 4 + b"\x00" * 12


def ole_header() -> bytes:
    """An OLE/CFB compound file header: what legacy .xls and password-protected .xlsx files start with."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00" + b"\x00" * 480


def truncated() -> bytes:
    """The first half of a real workbook (an upload cut off)."""
    data = xlsx(sst=shared_strings(["a" * 400] * 20))
    return data[: len(data) // 2]


# ---------------------------------------------------------------------------------------------
# Size attacks


def _stream_member(zf: zipfile.ZipFile, name: str, chunks: Iterator[bytes]) -> None:
    info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with zf.open(info, "w") as f:
        for chunk in chunks:
            f.write(chunk)


def _bomb_chunks(total: int) -> Iterator[bytes]:
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{MAIN_NS}"><si><t>'.encode()
    block = b"a" * (1024 * 1024)
    written = 0
    while written < total:
        yield block
        written += len(block)
    yield b"</t></si></sst>"


def zip_bomb(megabytes: int = 210) -> bytes:
    """A ~200 KB workbook whose shared-strings part unpacks to ``megabytes`` MB of one character.

    Written a megabyte at a time, so building it never holds the expanded text in memory.
    """
    base = xlsx(sheets=[("Sheet1", sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'))], sst=b"-")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            if info.filename != "xl/sharedStrings.xml":
                zf.writestr(info.filename, src.read(info))
        _stream_member(zf, "xl/sharedStrings.xml", _bomb_chunks(megabytes * 1024 * 1024))
    return out.getvalue()


def lying_bomb(megabytes: int = 210) -> bytes:
    """A zip bomb whose directory and local header claim the big part is only 1 KB (sizes can lie)."""
    data = bytearray(zip_bomb(megabytes))
    name = b"xl/sharedStrings.xml"
    cd = data.find(b"PK\x01\x02")
    while cd >= 0:
        name_len = struct.unpack("<H", data[cd + 28: cd + 30])[0]
        if data[cd + 46: cd + 46 + name_len] == name:
            struct.pack_into("<I", data, cd + 24, 1024)  # central directory: uncompressed size
            offset = struct.unpack("<I", data[cd + 42: cd + 46])[0]
            struct.pack_into("<I", data, offset + 22, 1024)  # local header: uncompressed size
        cd = data.find(b"PK\x01\x02", cd + 4)
    return bytes(data)


def far_cell() -> bytes:
    """Cells at A1 and XFD1048576: 1.6 KB that makes calamine allocate 549 GB and abort the process."""
    return xlsx(sheets=[("Sheet1", sheet_xml(
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>'))])


def far_cell_without_reference() -> bytes:
    """The same trap without cell references: position comes from <row r> and counting (calamine's rules)."""
    return xlsx(sheets=[("Sheet1", sheet_xml(
        '<row r="1"><c><v>1</v></c></row><row r="1048576"><c><v>2</v></c></row>'))])


def far_cell_prefixed() -> bytes:
    """The trap with a namespace prefix on every element (calamine matches local names)."""
    xml = (f'<?xml version="1.0"?>\n<x:worksheet xmlns:x="{MAIN_NS}"><x:sheetData>'
           '<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>'
           '<x:row r="1048576"><x:c r="XFD1048576"><x:v>2</x:v></x:c></x:row></x:sheetData></x:worksheet>')
    return xlsx(sheets=[("Sheet1", xml.encode())])


def far_cell_behind_comment() -> bytes:
    """Tries to desynchronise a scanner: a fake <row> in a comment before a cell without r."""
    return xlsx(sheets=[("Sheet1", sheet_xml(
        '<row r="1048576"><!-- <row r="1"> --><c><v>1</v></c><c r="A1"><v>2</v></c></row>'))])


def wide_sheet(cols: int = 1200) -> bytes:
    """One row with a value in column ``cols`` (past the 1,000-column limit)."""
    from lib.returns.safety import cell_ref

    far = cell_ref(0, cols - 1)
    return xlsx(sheets=[("Wide", sheet_xml(f'<row r="1"><c r="A1"><v>1</v></c><c r="{far}"><v>2</v></c></row>'))])


def lying_dimension() -> bytes:
    """<dimension> claims A1:XFD1048576 but there are only three cells: must be read, quickly."""
    return xlsx(sheets=[("Sheet1", sheet_xml(
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="B2"><v>2</v></c></row>'
        '<row r="3"><c r="C3" t="inlineStr"><is><t>three</t></is></c></row>',
        before='<dimension ref="A1:XFD1048576"/>'))])


def formatted_to_the_bottom() -> bytes:
    """Real data in A1:B2, then empty styled cells and rows down to row 1,048,576 (Excel does this)."""
    rows = '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row><row r="2"><c r="A2"><v>3</v></c></row>'
    rows += '<row r="1048575" s="1" customFormat="1"><c r="A1048575" s="1"/><c r="XFD1048575" s="1"></c></row>'
    rows += '<row r="1048576" s="1" customFormat="1"/>'
    return xlsx(sheets=[("Sheet1", sheet_xml(rows, before='<dimension ref="A1:XFD1048576"/>'))])


# ---------------------------------------------------------------------------------------------
# XML attacks

LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    + "]>\n"
)
XXE = '<?xml version="1.0"?>\n<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'


def billion_laughs_in_shared_strings() -> bytes:
    sst = (LAUGHS + f'<sst xmlns="{MAIN_NS}"><si><t>&lol9;</t></si></sst>').encode()
    return xlsx(sheets=[("Sheet1", sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'))], sst=sst)


def billion_laughs_in_sheet() -> bytes:
    xml = sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>', prolog=LAUGHS)
    return xlsx(sheets=[("Sheet1", xml)])


def xxe_in_shared_strings() -> bytes:
    sst = (XXE + f'<sst xmlns="{MAIN_NS}"><si><t>&xxe;</t></si></sst>').encode()
    return xlsx(sheets=[("Sheet1", sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'))], sst=sst)


def xxe_in_sheet() -> bytes:
    xml = sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>', prolog=XXE)
    return xlsx(sheets=[("Sheet1", xml)])


def utf16_sheet() -> bytes:
    """A sheet stored as UTF-16: a byte-level scanner would see no tags at all."""
    xml = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>',
                    prolog='<?xml version="1.0" encoding="UTF-16"?>\n')
    return xlsx(sheets=[("Sheet1", b"\xff\xfe" + xml.decode().encode("utf-16-le"))])


# ---------------------------------------------------------------------------------------------
# Content the reader must handle and describe


def xlsm() -> bytes:
    return xlsx(extra={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 60}, main_type=MACRO_MAIN_TYPE)


def macro_content_type_only() -> bytes:
    return xlsx(main_type=MACRO_MAIN_TYPE)


def empty_sheet() -> bytes:
    return xlsx(sheets=[("Sheet1", sheet_xml(""))])


def formula_without_value() -> bytes:
    return xlsx(sheets=[("Sheet1", sheet_xml('<row r="1"><c r="A1"><v>5</v></c><c r="B1"><f>1+1</f></c></row>'))])


def error_value(error: str = "#DIV/0!") -> bytes:
    return xlsx(sheets=[("Sheet1", sheet_xml(
        f'<row r="1"><c r="A1"><v>5</v></c><c r="B1" t="e"><f>1/0</f><v>{error}</v></c></row>'))])


def percent_cell() -> bytes:
    """0.44 formatted as a built-in percent (B1), a custom percent (C1) and a quoted "%" (D1, not a percent)."""
    return xlsx(sheets=[("Sheet1", sheet_xml(
        '<row r="1"><c r="A1"><v>1</v></c><c r="B1" s="1"><v>0.44</v></c><c r="C1" s="3"><v>0.5</v></c>'
        '<c r="D1" s="4"><v>44</v></c></row>'))])


def merged_cells() -> bytes:
    rows = ('<row r="1"><c r="A1" t="inlineStr"><is><t>Header</t></is></c></row>'
            '<row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>2</v></c><c r="C2"><v>3</v></c></row>')
    merges = '<mergeCells count="1"><mergeCell ref="A1:C1"/></mergeCells>'
    return xlsx(sheets=[("Sheet1", sheet_xml(rows, after=merges))])


def huge_merge() -> bytes:
    """A merged range over the whole sheet: must come back clipped to the data."""
    rows = '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row>'
    merges = '<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'
    return xlsx(sheets=[("Sheet1", sheet_xml(rows, after=merges))])


def overlapping_merges() -> bytes:
    rows = '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row><row r="2"><c r="B2"><v>3</v></c></row>'
    merges = "".join('<mergeCell ref="A1:B2"/>' for _ in range(3))
    return xlsx(sheets=[("Sheet1", sheet_xml(rows, after=f'<mergeCells count="3">{merges}</mergeCells>'))])


def hidden_sheet_and_row() -> bytes:
    visible = sheet_xml('<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>10</v></c><c r="C1"><v>100</v></c></row>'
                        '<row r="2" hidden="1"><c r="A2"><v>2</v></c></row><row r="3"><c r="A3"><v>3</v></c></row>',
                        before='<cols><col min="2" max="2" width="0" hidden="1"/></cols>')
    secret = sheet_xml('<row r="1"><c r="A1"><v>9</v></c><c r="B1"><v>8</v></c></row>')
    return xlsx(sheets=[("Data", visible), ("Lookups", secret), ("Deep", secret)],
                states={"Lookups": "hidden", "Deep": "veryHidden"})


INJECTION_TEXTS = ["=SUM(A1:A2)", "+44", "-12", "@SUM(1,2)", '=HYPERLINK("http://x","y")', "\t=1", "=1+1"]


def formula_injection_text() -> bytes:
    """Texts that look like formulas, stored as string cells (shared and inline)."""
    cells = "".join(f'<c r="{chr(65 + i)}1" t="s"><v>{i}</v></c>' for i in range(len(INJECTION_TEXTS)))
    from xml.sax.saxutils import escape

    inline = "".join(
        f'<c r="{chr(65 + i)}2" t="inlineStr"><is><t xml:space="preserve">{escape(t)}</t></is></c>'
        for i, t in enumerate(INJECTION_TEXTS)
    )
    return xlsx(sheets=[("Sheet1", sheet_xml(f'<row r="1">{cells}</row><row r="2">{inline}</row>'))],
                sst=shared_strings(INJECTION_TEXTS))


def leading_blank_area() -> bytes:
    """Data starting at C3 (calamine skips leading blanks unless told not to)."""
    return xlsx(sheets=[("Sheet1", sheet_xml('<row r="3"><c r="C3"><v>1</v></c><c r="D3"><v>2</v></c></row>'))])


def date_cells(date1904: bool = False) -> bytes:
    pr = '<workbookPr date1904="1"/>' if date1904 else ""
    return xlsx(sheets=[("Sheet1", sheet_xml('<row r="1"><c r="A1" s="2"><v>45658</v></c></row>'))], workbook_pr=pr)


def external_link() -> bytes:
    link = f'<?xml version="1.0"?>\n<externalLink xmlns="{MAIN_NS}"/>'.encode()
    return xlsx(extra={"xl/externalLinks/externalLink1.xml": link})


def duplicate_part_names() -> bytes:
    """Two members with the same name (case-insensitively): which one a reader uses is anyone's guess."""
    data = xlsx()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info.filename, src.read(info))
        zf.writestr("XL/Worksheets/Sheet1.xml", sheet_xml('<row r="1048576"><c r="XFD1048576"><v>2</v></c></row>'))
    return out.getvalue()


def cells_without_references() -> bytes:
    """Valid but unusual: no r attributes anywhere (positions by counting), read on the slow path."""
    return xlsx(sheets=[("Sheet1", sheet_xml(
        '<row><c><v>1</v></c><c><v>2</v></c></row><row><c t="inlineStr"><is><t>x</t></is></c><c s="1"><v>0.5</v></c>'
        '<c><f>1+1</f></c></row>'))])


# ---------------------------------------------------------------------------------------------
# Malformed markup that would make a naive scanner quadratic


def unterminated_comments(count: int = 200_000) -> bytes:
    """A sheet read tag by tag (no cell references) followed by many comments that never end."""
    return xlsx(sheets=[("Sheet1", sheet_xml("<row><c><v>1</v></c></row>" + "<!--x" * count))])


def unclosed_error_cells(count: int = 100_000) -> bytes:
    """Many error cells that never close: a lazy "up to </c>" pattern would rescan the rest each time."""
    cells = "".join(f'<c r="A{i}" t="e"><v>#N/A</v>' for i in range(1, count + 1))
    return xlsx(sheets=[("Sheet1", sheet_xml(f'<row r="1">{cells}</row>'))])


def unclosed_cell_tags(count: int = 100_000) -> bytes:
    """Cell start tags that never reach their closing '>'."""
    tags = "".join(f'<c r="B{i}" s="1' for i in range(1, count + 1))
    return xlsx(sheets=[("Sheet1", sheet_xml('<row r="1"><c r="A1"><v>1</v></c>' + tags))])


def too_many_parts(count: int = 6_000) -> bytes:
    base = xlsx()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        for info in src.infolist():
            zf.writestr(info.filename, src.read(info))
        for i in range(count):
            zf.writestr(f"customXml/item{i}.xml", b"<a/>")
    return out.getvalue()


def ambiguous_date_system() -> bytes:
    """date1904="True" is not an XML boolean: calamine would ignore it, so dates would move four years."""
    return xlsx(sheets=[("Sheet1", sheet_xml('<row r="1"><c r="A1" s="2"><v>45658</v></c></row>'))],
                workbook_pr='<workbookPr date1904="True"/>')


# ---------------------------------------------------------------------------------------------
# Other formats councils send: .xls (OLE/BIFF8), .ods, .csv — and their hostile variants.

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OLE_FREE, OLE_END, OLE_FAT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


def _ole_order(name: str) -> tuple[int, str]:
    """The order of names in an OLE directory tree: shorter first, then by upper case."""
    return len(name), name.upper()


def ole(streams: dict[str, bytes], storages: tuple[str, ...] = ()) -> bytes:
    """A minimal OLE compound file (version 3, 512-byte sectors) with ``streams`` and empty
    ``storages`` at the root. Streams are padded to 4,096 bytes so none lives in the mini stream."""
    sector = 512
    body = bytearray()
    fat: list[int] = []
    placed: dict[str, tuple[int, int]] = {}
    for name, data in streams.items():
        padded = data + b"\x00" * (max(4096, -(-len(data) // sector) * sector) - len(data))
        start, count = len(fat), len(padded) // sector
        fat.extend(range(start + 1, start + count))
        fat.append(OLE_END)
        placed[name] = (start, len(padded))
        body += padded
    names = sorted([*streams, *storages], key=_ole_order)
    entries = [("Root Entry", 5, OLE_END, 0, 1 if names else OLE_FREE, OLE_FREE)]
    for i, name in enumerate(names):
        start, size = placed.get(name, (0, 0))
        right = i + 2 if i + 1 < len(names) else OLE_FREE  # a right-leaning chain: a valid, sorted tree
        entries.append((name, 2 if name in streams else 1, start, size, OLE_FREE, right))
    directory = bytearray()
    for name, kind, start, size, child, right in entries:
        raw = name.encode("utf-16-le")
        directory += raw + b"\x00" * (64 - len(raw)) + struct.pack("<HBB", len(raw) + 2, kind, 1)
        directory += struct.pack("<III", OLE_FREE, right, child) + b"\x00" * 36 + struct.pack("<II", start, size)
        directory += b"\x00" * 4
    directory += b"\x00" * (-len(directory) % sector)
    dir_start = len(fat)
    dir_count = len(directory) // sector
    fat.extend(range(dir_start + 1, dir_start + dir_count))
    fat.append(OLE_END)
    fat_count = 1
    while (len(fat) + fat_count) > fat_count * (sector // 4):
        fat_count += 1
    fat_start = len(fat)
    fat.extend([OLE_FAT] * fat_count)
    fat.extend([OLE_FREE] * (fat_count * (sector // 4) - len(fat)))
    difat = list(range(fat_start, fat_start + fat_count)) + [OLE_FREE] * (109 - fat_count)
    header = (OLE_MAGIC + b"\x00" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\x00" * 6 + struct.pack("<9I", 0, fat_count, dir_start, 0, 4096, OLE_END, 0, OLE_END, 0)
              + struct.pack("<109I", *difat))
    return bytes(header + body + directory + struct.pack(f"<{len(fat)}I", *fat))


def _xlwt_book() -> Any:
    """A small return written by xlwt (a real BIFF8 writer): text, numbers, a percent, a date, a merge,
    a bool, a hidden second sheet."""
    import datetime

    import xlwt

    wb = xlwt.Workbook()
    ws = wb.add_sheet("KPIs")
    ws.write(0, 0, "KPI code")
    ws.write(0, 1, "Value")
    ws.write(0, 2, "Month")
    ws.write(1, 0, "CSC001")
    ws.write(1, 1, 0.44, xlwt.easyxf(num_format_str="0.0%"))
    ws.write(1, 2, datetime.date(2025, 1, 1), xlwt.easyxf(num_format_str="dd/mm/yyyy"))
    ws.write(2, 0, "CSC002")
    ws.write(2, 1, 12)
    ws.write(2, 2, True)
    ws.write_merge(3, 3, 0, 2, "Note across three columns")
    hidden = wb.add_sheet("Lookups")
    hidden.write(0, 0, 9)
    hidden.visibility = 1
    return wb


def xls() -> bytes:
    """A genuine .xls, as xlwt saves it."""
    out = io.BytesIO()
    _xlwt_book().save(out)
    return out.getvalue()


def _biff_records(stream: bytes) -> list[tuple[int, bytes]]:
    out, pos = [], 0
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        out.append((kind, stream[pos + 4: pos + 4 + length]))
        pos += 4 + length
        if kind == 0x000A and pos >= len(stream) - 4:
            break
    return out


def _biff_join(records: list[tuple[int, bytes]]) -> bytes:
    return b"".join(struct.pack("<HH", kind, len(data)) + data for kind, data in records)


def _with_filepass(stream: bytes) -> bytes:
    """The BIFF stream with a FILEPASS record (RC4 encryption) after the first BOF; sheet offsets moved."""
    records = _biff_records(stream)
    filepass = (0x002F, struct.pack("<HHH", 1, 1, 1) + b"\x00" * 48)
    delta = 4 + len(filepass[1])
    moved = []
    for kind, data in records:
        if kind == 0x0085:  # BOUNDSHEET8: absolute position of the sheet's BOF
            data = struct.pack("<I", struct.unpack_from("<I", data)[0] + delta) + data[4:]
        moved.append((kind, data))
    return _biff_join([*moved[:1], filepass, *moved[1:]])


def xls_rc4_password() -> bytes:
    """A BIFF .xls encrypted in place (FILEPASS), as Excel 97-2003 saves "password to open"."""
    return ole({"Workbook": _with_filepass(_xlwt_book().get_biff_data())})


def xls_with_vba() -> bytes:
    """A .xls with a VBA project storage (its content is irrelevant: macros are never run)."""
    return ole({"Workbook": _xlwt_book().get_biff_data()}, storages=("_VBA_PROJECT_CUR",))


def encrypted_ole() -> bytes:
    """A password-protected .xlsx: Excel wraps the encrypted package in an OLE file."""
    return ole({"EncryptionInfo": b"\x04\x00\x04\x00" + b"\x00" * 200, "EncryptedPackage": b"\x10" * 5000})


def word_document_ole() -> bytes:
    """An old Word .doc renamed: an OLE file with no workbook stream."""
    return ole({"WordDocument": b"\xec\xa5" + b"\x00" * 1000})


def xls_truncated() -> bytes:
    """The first half of a genuine .xls (an upload cut off)."""
    data = xls()
    return data[: len(data) // 2]


def xls_wide_sheet() -> bytes:
    """A .xls whose one number cell claims column 1,200 (BIFF allows 16 bits): over the column limit."""
    import xlwt

    wb = xlwt.Workbook()
    ws = wb.add_sheet("Wide")
    ws.write(0, 0, 1)
    ws.write(0, 200, 1 / 3)
    records = []
    for kind, data in _biff_records(wb.get_biff_data()):
        if kind in (0x0203, 0x027E) and struct.unpack_from("<HH", data) == (0, 200):
            data = struct.pack("<HH", 0, 1199) + data[4:]
        records.append((kind, data))
    return ole({"Workbook": _biff_join(records)})


ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"'
)
ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"


def ods_cell(value: object) -> str:
    """One <table:table-cell> holding ``value`` (str, float/int or date)."""
    import datetime
    from xml.sax.saxutils import escape

    if isinstance(value, str):
        return f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p></table:table-cell>'
    if isinstance(value, datetime.date):
        return (f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
                f"<text:p>{value}</text:p></table:table-cell>")
    return (f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p>'
            "</table:table-cell>")


def ods_rows(rows: list[list[object]]) -> str:
    return "".join("<table:table-row>" + "".join(ods_cell(v) if v is not None else "<table:table-cell/>"
                                                 for v in row) + "</table:table-row>" for row in rows)


def ods(tables: list[tuple[str, str]] | None = None, *, hidden: tuple[str, ...] = (), prolog: str = "",
        mimetype: str = ODS_MIMETYPE, manifest_extra: str = "", extra: dict[str, bytes] | None = None,
        compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A hand-written OpenDocument spreadsheet: ``tables`` is [(name, table rows XML)] in order;
    ``mimetype`` comes first and stored, as the format requires."""
    tables = tables if tables is not None else [("Sheet1", ods_rows([["KPI", 1]]))]
    body = "".join(
        f'<table:table table:name="{name}"' + (' table:style-name="hid"' if name in hidden else "") + f">{rows}"
        "</table:table>" for name, rows in tables)
    styles = ('<style:style style:name="hid" style:family="table"><style:table-properties table:display="false"/>'
              "</style:style>")
    content = (f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}'
               f'<office:document-content {ODS_NS} office:version="1.2">'
               f"<office:automatic-styles>{styles}</office:automatic-styles><office:body><office:spreadsheet>{body}"
               "</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
                f"{manifest_extra}</manifest:file-entry></manifest:manifest>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", content)
        zf.writestr("META-INF/manifest.xml", manifest)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return out.getvalue()


def ods_workbook(compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A small return as LibreOffice would save it, with the usual repeated empty cells to the sheet's edge."""
    import datetime

    rows = ods_rows([["KPI code", "Value", "Month"], ["CSC001", 44, datetime.date(2025, 1, 1)], ["CSC002", 12.5, None]])
    rows += ('<table:table-row table:number-rows-repeated="1048573"><table:table-cell '
             'table:number-columns-repeated="16384"/></table:table-row>')
    return ods([("KPIs", rows), ("Lookups", ods_rows([[9]]))], hidden=("Lookups",), compression=compression)


def ods_with_basic_macro() -> bytes:
    module = b'<?xml version="1.0" encoding="UTF-8"?>\n<script:module xmlns:script="http://openoffice.org/2000/script"/>'
    return ods(extra={"Basic/Standard/Module1.xml": module})


def ods_zip_bomb(megabytes: int = 210) -> bytes:
    """An .ods whose content.xml unpacks to ``megabytes`` MB (written a megabyte at a time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), ODS_MIMETYPE, compress_type=zipfile.ZIP_STORED)

        def chunks() -> Iterator[bytes]:
            yield (f'<?xml version="1.0"?>\n<office:document-content {ODS_NS}><office:body><office:spreadsheet>'
                   '<table:table table:name="S"><table:table-row><table:table-cell office:value-type="string">'
                   "<text:p>").encode()
            block = b"a" * (1024 * 1024)
            for _ in range(megabytes):
                yield block
            yield b"</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body>"
            yield b"</office:document-content>"

        _stream_member(zf, "content.xml", chunks())
    return out.getvalue()


def _ods_text_cell(inner: str) -> str:
    return (f'<table:table-row><table:table-cell office:value-type="string"><text:p>{inner}</text:p>'
            "</table:table-cell></table:table-row>")


def ods_billion_laughs() -> bytes:
    return ods([("S", _ods_text_cell("&lol9;"))], prolog=LAUGHS.split("\n", 1)[1])


def ods_xxe() -> bytes:
    return ods([("S", _ods_text_cell("&xxe;"))], prolog=XXE.split("\n", 1)[1])


def ods_encrypted() -> bytes:
    """A password-protected .ods: the manifest says content.xml is encrypted."""
    extra = ('<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="x">'
             '<manifest:algorithm manifest:algorithm-name="Blowfish CFB" manifest:initialisation-vector="x"/>'
             "</manifest:encryption-data>")
    return ods(manifest_extra=extra)


def ods_far_cell() -> bytes:
    """1,048,575 empty rows then a value: calamine builds 1,048,576 rows, over the row limit."""
    rows = ('<table:table-row table:number-rows-repeated="1048575"><table:table-cell/></table:table-row>'
            + ods_rows([[1]]))
    return ods([("Sheet1", rows)])


def ods_repeat_bomb() -> bytes:
    """One value repeated over 100,000 rows × 1,000 columns: under 1 KB, 100 million cells for calamine."""
    rows = ('<table:table-row table:number-rows-repeated="100000"><table:table-cell '
            'table:number-columns-repeated="1000" office:value-type="float" office:value="1"/></table:table-row>')
    return ods([("Sheet1", rows)])


def odt_renamed() -> bytes:
    """A Writer document (OpenDocument text) renamed to a spreadsheet name."""
    return ods(mimetype="application/vnd.oasis.opendocument.text")


def csv_over_row_cap(rows: int = 1_000_001) -> bytes:
    return b"Value\n" + b"1\n" * rows


def csv_over_row_cap_quoted(rows: int = 1_000_001) -> bytes:
    """The same, with a quoted header, so the line count cannot settle it: the reader must stop itself."""
    return b'"Value"\n' + b"1\n" * rows


def csv_too_wide(cols: int = 1_200) -> bytes:
    return b",".join(b"%d" % i for i in range(cols)) + b"\n"


def binary_garbage(size: int = 4096) -> bytes:
    import random

    rnd = random.Random(7)
    return bytes(rnd.randrange(256) for _ in range(size))
