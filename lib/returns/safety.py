"""Cheap structural checks on an uploaded spreadsheet, run before any spreadsheet parser sees it.

Why this exists: a 1.6 KB .xlsx with cells at A1 and XFD1048576 makes calamine allocate 549 GB and
abort the whole Python process (SIGABRT, not catchable); zip bombs, entity expansion ("billion
laughs") and password-protected files need refusing before anything expensive happens. Everything
here reads the ZIP central directory (or the OLE directory) and the raw XML bytes with bounded work:
nothing is decompressed beyond the sizes the archive declares (and those are capped), and sheet XML
is scanned with regular expressions that run in C, not with a tree parser.

The format is decided by content, not by the file name (:func:`sniff`): a ZIP is .xlsx/.xlsm
(``xl/workbook.xml``) or .ods (``mimetype``); an OLE compound file is a BIFF .xls or an encrypted
workbook; anything else is read as CSV text if it is text, and refused if it is not.

For .xlsx/.xlsm the work is split in three steps so :func:`lib.returns.workbook.read_workbook` can
overlap them with the isolated reader process:

* :meth:`Precheck.structure` – size, magic bytes, ZIP directory, declared sizes (microseconds);
* :meth:`Precheck.layout` – workbook/relationship parts, entity declarations and the real extent of
  every sheet part (this must pass before the reader touches a sheet);
* :meth:`Precheck.details` – everything else: every remaining part decompressed under the cap and
  checked, number formats, fill colours, formulas, errors, merged/hidden cells and the notes.

.ods and .xls go through :meth:`Precheck.structure` and :meth:`Precheck.container` only; their
extent is checked by the reader on what calamine built (see :mod:`lib.returns.worker`).

:func:`precheck` runs all three steps of an .xlsx.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from lib import config

# ---------------------------------------------------------------------------------------------
# Limits. A monthly return is ~60 KB; the largest legitimate file (a regional workbook) is
# 270,000 rows × 12 columns. Everything far beyond that is refused with a message.

MAX_TOTAL_UNCOMPRESSED = 200 * 1024 * 1024  # sum of declared sizes of all parts
MAX_RATIO = 200  # uncompressed : compressed, per part ...
RATIO_FLOOR = 1024 * 1024  # ... for parts bigger than this (tiny parts compress very well legitimately)
MAX_MEMBERS = 5_000  # parts in the archive
MAX_ROWS = 1_000_000
MAX_COLS = 1_000
MAX_AREA = 60_000_000  # rows × columns of the grid the reader would build
MAX_CELLS = 5_000_000  # filled cells in one sheet (bounds the memory of everything downstream)
MAX_MERGED = 100_000  # merged ranges in one sheet
# Rows holding data in one sheet: the budget that keeps any upload's parse and preview within the app's
# memory (a national file of 153 authorities × 60 KPIs × 36 months is 330,480 rows and peaks under
# 500 MB); past it the file is refused before it is read, with a message saying how to split it.
MAX_DATA_ROWS = 500_000
SLOW_PATH_MAX_TAGS = 500_000  # sheets not written the usual way are checked tag by tag, up to this many
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLS = 16_384

# Error values python-calamine 0.9.1 (calamine 0.37) can read; any other t="e" value makes it fail
# the whole workbook, so those are refused up front with the cell named.
READABLE_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"})
KNOWN_ERRORS = READABLE_ERRORS | {
    "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#PYTHON!",
}

# ---------------------------------------------------------------------------------------------
# Messages: plain English for a council officer. They never include cell text or XML; the only
# file-derived text is a sheet name (cleaned and shortened) and a cell reference.

ACCEPTED = "an Excel workbook (.xlsx, .xlsm or .xls), an OpenDocument spreadsheet (.ods) or a CSV file (.csv)"
MSG_EMPTY = "The file is empty. Choose the completed return and upload it again."
MSG_TOO_BIG = "The file is too large ({size}); the limit is {limit}. Upload the monthly return on its own."
MSG_NOT_XLSX = (
    f"This is not a spreadsheet file the Improvement Board can read. Upload {ACCEPTED}; in Excel, "
    "File › Save As › Excel Workbook (.xlsx) always works."
)
MSG_BINARY = (
    "This file is named as a CSV or text file but holds binary data, not text, so it is not a spreadsheet file the "
    "Improvement Board can read. Save the return from Excel as an Excel Workbook (.xlsx) or as CSV UTF-8 (.csv) "
    "and upload that."
)
MSG_ENCRYPTED = (
    "The workbook is password-protected (encrypted), so it cannot be read. Open it, remove the password "
    "(in Excel: File › Info › Protect Workbook › Encrypt with Password, and clear the box), save, and upload it again."
)
MSG_DAMAGED = (
    "The file is damaged or incomplete (it may not have finished uploading). Open it in Excel, save it again "
    "and upload it again."
)
MSG_NONSTANDARD = (
    "The workbook is not stored the way Excel or LibreOffice save spreadsheets, so it cannot be checked safely. "
    "Open it in Excel, save it again as an Excel Workbook (.xlsx) and upload that."
)
MSG_BOMB = (
    "The file unpacks to far more data than a return can hold (over 200 MB, or compressed suspiciously "
    "tightly), so it was not opened."
)
MSG_ENTITIES = "The workbook contains invalid XML (entity declarations are not allowed), so it was not opened."
MSG_EXTENT = (
    "Sheet '{sheet}' has cells out to {ref} ({rows:,} rows × {cols:,} columns), far larger than a return can be "
    "(at most {max_rows:,} rows, {max_cols:,} columns and {max_area:,} cells). Delete the rows and columns "
    "beyond your data, save, and upload again."
)
MSG_TOO_MANY_CELLS = (
    "Sheet '{sheet}' has more than {limit:,} filled cells, far more than a return can hold, so it was not opened."
)
MSG_TOO_MANY_ROWS = (
    "Sheet '{sheet}' holds data on more than {limit:,} rows; one upload can take at most {limit:,} rows (every "
    "authority's monthly figures for 60 KPIs over three years are about 330,000). Split the file, for example "
    "by year or by authority, and upload each part."
)
MSG_TOO_MANY_MERGED = "Sheet '{sheet}' has more than {limit:,} merged ranges, so it was not opened."
MSG_OVERLAPPING_MERGED = (
    "Sheet '{sheet}' has overlapping merged cells, which Excel does not allow — the file is damaged. Open it in "
    "Excel, save it again and upload it again."
)
MSG_ERROR_VALUE = (
    "Sheet '{sheet}' cell {ref} holds an Excel error ({error}) that cannot be imported. Replace it with a value "
    "or clear the cell, save, and upload again."
)
MSG_STOPPED = "The file could not be read safely (the reader stopped) — it has not been imported."
MSG_UNREADABLE = (
    "The workbook could not be read: its contents are not valid spreadsheet data. Open it in Excel, save it again "
    "as an Excel Workbook (.xlsx) and upload it again."
)
MSG_MACROS_NOTE = "The workbook contains macros; they were not run — only cell values were read."
MSG_ENCODING_NOTE = (
    "The file is not UTF-8 text; it was read as Windows-1252 (what Excel's plain \"CSV\" format saves). If £ signs "
    "or accented letters look wrong, save it from Excel as CSV UTF-8 and upload it again."
)
MSG_FILLS_DROPPED = (
    "Sheet '{sheet}': {count:,} coloured cell(s) far beyond the data were ignored; the values were read."
)
MSG_TOO_MANY_FILLS = (
    "Sheet '{sheet}' has more than {limit:,} coloured cells, so cell colours were not read; the values were read."
)


class RejectedFile(Exception):
    """The whole file is refused; ``.message`` is plain English for a council officer.

    No stack trace and no file content go into ``message``; ``detail`` is for the server log only.
    """

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


# ---------------------------------------------------------------------------------------------
# Small helpers


def col_letters(col: int) -> str:
    """0-based column index → Excel letters (0 → "A", 27 → "AB")."""
    out = ""
    n = col + 1
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def cell_ref(row: int, col: int) -> str:
    """0-based (row, col) → Excel reference: (0, 0) → "A1", (4, 27) → "AB5"."""
    return f"{col_letters(col)}{row + 1}"


def _col_number(letters: bytes) -> int:
    """Excel column letters → 1-based column number (b"A" → 1, b"XFD" → 16384)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


def display_name(name: str) -> str:
    """A sheet name made safe to quote in a message: no control/format characters, at most 40 characters."""
    cleaned = "".join(" " if unicodedata.category(ch)[0] in "CZ" and ch != " " else ch for ch in name)
    cleaned = " ".join(cleaned.split())
    return cleaned if len(cleaned) <= 40 else cleaned[:39] + "…"


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


_DECL_RE = re.compile(rb"<!\s*(?:doctype|entity)", re.IGNORECASE)
_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")
_ASCII_COMPATIBLE = re.compile(r"^(utf-?8|us-ascii|ascii|iso[-_]?8859-\d+|latin-?1|windows-125\d|cp125\d)$", re.I)


def _check_declarations(data: bytes) -> None:
    """Refuse DOCTYPE/ENTITY anywhere in an XML part (billion laughs, XXE); cheap when there is no ``<!``."""
    if b"<!" in data and _DECL_RE.search(data):
        raise RejectedFile(MSG_ENTITIES, "DOCTYPE or ENTITY declaration")


_PROLOG_SKIP = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->)", re.S)


def _check_prolog(head: bytes, part: str, complete: bool) -> bool:
    """Refuse a DOCTYPE/ENTITY before the root element; True once the root element has been seen.

    Declarations are only legal before the root element, so the head of a part is enough (the
    parsers used on whole parts, defusedxml and calamine's quick-xml, never expand entities anyway).
    """
    pos = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    while True:
        m = _PROLOG_SKIP.match(head, pos)
        if m is None or m.end() == pos:
            break
        pos = m.end()
    rest = head[pos: pos + 64].lstrip()[:2]
    if rest.startswith(b"<!"):
        raise RejectedFile(MSG_ENTITIES, f"{part}: declaration in prolog")
    return rest.startswith(b"<") or complete


def _check_encoding(data: bytes, part: str) -> None:
    """Sheet XML must be ASCII-compatible so the byte-level scan sees every tag (UTF-16 would hide them)."""
    head = data[:1024]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        raise RejectedFile(MSG_NONSTANDARD, f"{part}: not UTF-8")
    m = _ENCODING_RE.match(head[3:] if head.startswith(b"\xef\xbb\xbf") else head)
    if m and not _ASCII_COMPATIBLE.match(m.group(1).decode("ascii", "replace")):
        raise RejectedFile(MSG_NONSTANDARD, f"{part}: encoding {m.group(1)!r}")


def _parse_xml(data: bytes, part: str) -> Element:
    """Parse a small XML part with defusedxml (no DTDs, no entities, no external references)."""
    _check_declarations(data)
    try:
        root: Element = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise RejectedFile(MSG_ENTITIES, f"{part}: {exc.__class__.__name__}") from None
    except (ParseError, ValueError) as exc:
        raise RejectedFile(MSG_DAMAGED, f"{part}: XML error {exc.__class__.__name__}") from None
    return root


def _truthy(value: bytes | str | None) -> bool:
    if value is None:
        return False
    v = value.decode("ascii", "replace") if isinstance(value, bytes) else value
    return v.strip().lower() in ("1", "true")


# ---------------------------------------------------------------------------------------------
# Sheet XML scanning. Two ways through a sheet part:
#
# * the fast path, for sheets written the usual way (every <c> unprefixed and starting with
#   r="A1"-style reference, as Excel, LibreOffice, openpyxl and xlsxwriter all write): a handful of
#   C-speed regex passes give the extent without touching each cell in Python;
# * the slow path, for anything else (namespace prefixes, cells without r, odd attribute order):
#   every <row>/<c> tag is walked in Python, mirroring calamine's own position rules (a cell with r
#   takes that position; one without takes the next column on the current row; </row> moves on).
#
# Both count only cells that would hold a value for calamine (it ignores <c .../> and empty
# <c></c>), so a sheet formatted down to row 1,048,576 without data is not refused. A pattern that
# could be fooled errs towards counting too much, never too little.

_FAST_REF = rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"'
_NONCANONICAL = re.compile(rb'<c(?=[\s/>])(?! r="[A-Z]{1,3}[1-9][0-9]{0,6}"[\s/>])')
# A cell that is not both canonical and inside A1:Z999999: when there is none, one pass settles a
# (typically long and narrow) sheet: at most 999,999 rows × 26 columns is within every limit.
_OUTSIDE_NARROW = re.compile(rb'<c(?=[\s/>])(?! r="[A-Z][1-9][0-9]{0,5}"[\s/>])')
_COLON_TAG = re.compile(rb":(?:c|row)[\s/>]")
_P = rb"(?:[^\s/>:<]*:)?"  # a namespace prefix, as quick-xml reads one (up to the first colon)
_PREFIXED_TAG = re.compile(rb"<[^\s/>:<]*:(?:c|row)[\s/>]")
_ATTRS = rb"""((?:\s+[^\s<>/=]+\s*=\s*(?:"[^"]*"|'[^']*'))*)"""
_FAST_CONTENT = re.compile(_FAST_REF + _ATTRS + rb"\s*>(?!\s*</c\s*>)")
_FAST_LETTERS = re.compile(rb'<c r="([A-Z]{1,3})[1-9]')
_FAST_DIGITS = re.compile(rb'<c r="[A-Z]{1,3}([1-9][0-9]{0,6})"')
# Every repetition below is bounded, so a malformed part (a tag that never closes) costs linear time.
_FAST_FORMULA = re.compile(_FAST_REF + rb"[^>]{0,512}(?<!/)>\s{0,100}<" + _P + rb"f[\s/>]")
_FAST_ERROR = re.compile(_FAST_REF + rb"""[^>]{0,512}?\st\s*=\s*["']e["'][^>]{0,512}(?<!/)>""")
_FAST_STYLED = rb"""[^>]{0,512}?\ss\s*=\s*["'](?:%s)["'][^>]{0,512}(?<!/)>(?!\s*</c\s*>)"""
# The value of an error cell, matched right after its start tag: an optional formula, then <v>.
_ERROR_VALUE = re.compile(
    rb"\s{0,100}(?:<" + _P + rb"f[^>]{0,512}/>\s{0,100}|<" + _P + rb"f[^>]{0,512}>[^<]{0,40000}</" + _P
    + rb"f\s*>\s{0,100})?<" + _P + rb"v(?:\s[^>]{0,512})?>([^<]{0,255})<"
)

_TOKEN = re.compile(rb"</" + _P + rb"(row)\s*>|<" + _P + rb"(row|c)(?=[\s/>])" + _ATTRS + rb"\s*(/?)>")
_GUARD = re.compile(rb"<" + _P + rb"(?:row|c)(?=[\s/>])()")
_ATTR = re.compile(rb"""([^\s<>/=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_EMPTY_BODY = re.compile(rb"\s*</" + _P + rb"c\s*>")
_FORMULA_START = re.compile(rb"\s*<" + _P + rb"f[\s/>]")
_REF_RE = re.compile(rb"^([A-Za-z]+)([0-9]+)$")
_ROW_RE = re.compile(rb"^[A-Za-z]*([0-9]+)$")
_ROW_TAG = re.compile(rb"</" + _P + rb"(row)\s*>|<" + _P + rb"(row)(?=[\s/>])" + _ATTRS + rb"\s*(/?)>")
_COL_TAG = re.compile(rb"<" + _P + rb"col(?=[\s/>])" + _ATTRS)
_MERGE_TAG = re.compile(rb"<" + _P + rb"mergeCell(?=[\s/>])" + _ATTRS)
_RANGE_RE = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})(?::\$?([A-Za-z]{1,3})\$?([0-9]{1,7}))?$")

_WINDOW = 8 * 1024 * 1024  # regex findall works on windows this size, so match lists stay small
_MIN_ROW_BYTES = 20  # "<row><c><v>1</v></c></row>" is 27 bytes: a part shorter than this × MAX_DATA_ROWS
# cannot hold data on that many rows
_MIN_CELL_BYTES = 11  # len('<c r="A1"/>'): a part shorter than this × MAX_CELLS cannot hold too many cells


def _attrs(raw: bytes) -> dict[bytes, bytes]:
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3) for m in _ATTR.finditer(raw)}


def _windows(xml: bytes) -> list[tuple[int, int]]:
    """Split a sheet into ~8 MB windows that start at a cell tag, so no cell match straddles two."""
    out: list[tuple[int, int]] = []
    start, n = 0, len(xml)
    while start < n:
        cut = xml.find(b'<c r="', start + _WINDOW) if start + _WINDOW < n else -1
        if cut < 0:
            out.append((start, n))
            break
        out.append((start, cut))
        start = cut
    return out


@dataclass
class SheetScan:
    """What the byte-level scan learned about one sheet part."""

    max_row: int = 0  # 1-based: number of rows up to the last filled cell
    max_col: int = 0
    far_cell: tuple[int, int] = (0, 0)  # a filled cell at the far edge, for the message
    fast: bool = True
    cells: int = 0
    # Filled in by the slow path directly, by the fast path in Precheck.details().
    styled: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    blank_styled: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # slow path: styled, no value
    formula_cells: set[tuple[int, int]] = field(default_factory=set)
    error_cells: dict[tuple[int, int], str] = field(default_factory=dict)
    hidden_rows: set[int] = field(default_factory=set)


def _limit_check(scan: SheetScan) -> bool:
    return scan.max_row <= MAX_ROWS and scan.max_col <= MAX_COLS and scan.max_row * scan.max_col <= MAX_AREA


def _fast_exact(xml: bytes, scan: SheetScan, content_only: bool) -> None:
    """Exact extent (and cell count) from every cell reference, a window at a time."""
    letters: set[bytes] = set()
    digits: set[bytes] = set()
    count = 0
    for a, b in _windows(xml):
        if content_only:
            found = _FAST_CONTENT.findall(xml, a, b)
            count += len(found)
            letters.update(f[0] for f in found)
            digits.update(f[1] for f in found)
        else:
            ls = _FAST_LETTERS.findall(xml, a, b)
            count += len(ls)
            letters.update(ls)
            digits.update(_FAST_DIGITS.findall(xml, a, b))
    scan.cells = count
    scan.max_col = max((_col_number(x) for x in letters), default=0)
    scan.max_row = max((int(x) for x in digits), default=0)
    scan.far_cell = (max(scan.max_row - 1, 0), max(scan.max_col - 1, 0))


_DIGITS_AND_CAPITALS = bytes.maketrans(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"9" * 10 + b"A" * 26)


def _fast_extent(xml: bytes, scan: SheetScan) -> None:
    """Upper bounds from a copy with digits → 9 and capitals → A (a few substring searches, no per-cell
    work); the exact extent only when the bounds do not already pass the limits.

    Every cell tag is known to be ``<c r="[A-Z]{1,3}[1-9][0-9]{0,6}"``, so in the copy a column of k
    letters shows as ``r="`` + k×A + 9, and a row number of at least L digits as A + L×9. Other text
    can only match too, which loosens the bounds (then the exact pass decides), never tightens them.
    """
    scan.cells = xml.count(b'<c r="') if len(xml) > _MIN_CELL_BYTES * MAX_CELLS else 0
    if scan.cells > MAX_CELLS:
        _fast_exact(xml, scan, content_only=True)
        return
    t = xml.translate(_DIGITS_AND_CAPITALS)
    letters = 3 if b'r="AAA9' in t else 2 if b'r="AA9' in t else 1 if b'r="A9' in t else 0
    lo, hi = 0, 7  # binary search for the longest row number: "some row has >= L digits" is monotonic
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if b"A" + b"9" * mid in t:
            lo = mid
        else:
            hi = mid - 1
    row_bound = 10**lo - 1 if letters else 0
    col_bound = {0: 0, 1: 26, 2: 702, 3: EXCEL_MAX_COLS}[letters]
    if lo < 7 and letters < 3 and row_bound * col_bound <= MAX_AREA:
        scan.max_row, scan.max_col = row_bound, col_bound  # bounds: enough to pass the limits
        return
    _fast_exact(xml, scan, content_only=False)
    if not _limit_check(scan):
        _fast_exact(xml, scan, content_only=True)


def _parse_ref(raw: bytes) -> tuple[int, int]:
    m = _REF_RE.match(raw)
    if not m:
        raise RejectedFile(MSG_DAMAGED, "bad cell reference")
    letters, digits = m.groups()
    row = int(digits)
    if row < 1:
        raise RejectedFile(MSG_DAMAGED, "row 0")
    col = _col_number(letters) if len(letters) <= 3 else EXCEL_MAX_COLS + 1
    return row - 1, col - 1


def _parse_row(raw: bytes) -> int:
    m = _ROW_RE.match(raw)
    if not m or int(m.group(1)) < 1:
        raise RejectedFile(MSG_DAMAGED, "bad row number")
    return int(m.group(1)) - 1


_MARKUP_ENDS = {b"<!--": b"-->", b"<![CDATA[": b"]]>", b"<?": b"?>"}


def _strip_markup(xml: bytes) -> bytes:
    """Blank out comments, CDATA sections and processing instructions (their text is not markup), in
    one left-to-right pass as an XML parser reads them; an unterminated one runs to the end."""
    out: list[bytes] = []
    pos = 0
    while True:
        starts = [(i, opener) for opener in _MARKUP_ENDS if (i := xml.find(opener, pos)) >= 0]
        if not starts:
            out.append(xml[pos:])
            return b" ".join(out)
        i, opener = min(starts)
        out.append(xml[pos:i])
        end = xml.find(_MARKUP_ENDS[opener], i + len(opener))
        if end < 0:
            return b" ".join(out)
        pos = end + len(_MARKUP_ENDS[opener])


def _slow_scan(xml: bytes, scan: SheetScan, name: str) -> None:
    """Walk every <row>/<c> tag in Python, the way calamine positions cells, collecting everything."""
    scan.fast = False
    if b"<!--" in xml or b"<![CDATA[" in xml or b"<?" in xml:
        xml = _strip_markup(xml)
    guards = len(_GUARD.findall(xml))
    if guards > SLOW_PATH_MAX_TAGS:
        raise RejectedFile(MSG_NONSTANDARD, f"{guards} tags on the slow path")
    row = col = 0
    starts = 0
    for m in _TOKEN.finditer(xml):
        if m.group(1):  # </row>
            row, col = row + 1, 0
            continue
        starts += 1
        attrs = _attrs(m.group(3))
        if m.group(2) == b"row":
            r = attrs.get(b"r")
            if r is not None:
                row = _parse_row(r)
            if _truthy(attrs.get(b"hidden")):
                scan.hidden_rows.add(row)
            if m.group(4):  # <row/> is a start and an end
                row, col = row + 1, 0
            continue
        r = attrs.get(b"r")
        if r is not None:
            pos = _parse_ref(r)
            col = pos[1]
        else:
            pos = (row, col)
        col += 1
        if m.group(4) or _EMPTY_BODY.match(xml, m.end()):
            style = attrs.get(b"s")  # no value for calamine, but a fill colour on it still counts
            if style is not None and style.isdigit():
                scan.blank_styled.setdefault(int(style), []).append(pos)
            continue  # calamine keeps only cells that hold something
        scan.cells += 1
        if scan.cells > MAX_CELLS:
            raise RejectedFile(MSG_TOO_MANY_CELLS.format(sheet=display_name(name), limit=MAX_CELLS))
        if pos[0] + 1 > scan.max_row:
            scan.max_row = pos[0] + 1
            scan.far_cell = pos
        if pos[1] + 1 > scan.max_col:
            scan.max_col = pos[1] + 1
            scan.far_cell = pos
        if not _limit_check(scan):
            _raise_extent(name, scan)
        style = attrs.get(b"s")
        if style is not None and style.isdigit():
            scan.styled.setdefault(int(style), []).append(pos)
        if _FORMULA_START.match(xml, m.end()):
            scan.formula_cells.add(pos)
        if (attrs.get(b"t") or b"").strip() == b"e":
            v = _ERROR_VALUE.match(xml, m.end())
            if v and v.group(1):
                scan.error_cells[pos] = _error_text(v.group(1))
    if starts != guards:
        raise RejectedFile(MSG_DAMAGED, "malformed row/cell tag")


def _error_text(raw: bytes) -> str:
    text = raw.decode("ascii", "replace").strip()
    return text if text in KNOWN_ERRORS else "#ERROR"


def _raise_extent(name: str, scan: SheetScan) -> None:
    raise RejectedFile(
        MSG_EXTENT.format(
            sheet=display_name(name), ref=cell_ref(*scan.far_cell), rows=scan.max_row, cols=scan.max_col,
            max_rows=MAX_ROWS, max_cols=MAX_COLS, max_area=MAX_AREA,
        ),
        "extent",
    )


# A canonical cell holding a value on a row numbered 500,000 or more (six digits from 5, or seven): one
# C-speed search settles a long file against the default budget without counting its rows
_BUDGET_PATTERN_ROWS = 500_000
_CONTENT_BEYOND_BUDGET = re.compile(rb'<c r="[A-Z]{1,3}(?:[5-9][0-9]{5}|[1-9][0-9]{6})"'
                                    rb"""((?:\s+[^\s<>/=]{1,64}\s*=\s*(?:"[^"]{0,256}"|'[^']{0,256}')){0,16})"""
                                    rb"\s*>(?!\s*</c\s*>)")
_STREAM_CHUNK = 8 * 1024 * 1024
_STREAM_OVERLAP = 8 * 1024  # longer than any match of the bounded pattern above


def _too_many_rows(name: str) -> RejectedFile:
    return RejectedFile(MSG_TOO_MANY_ROWS.format(sheet=display_name(name), limit=MAX_DATA_ROWS), "data rows")


def _data_rows_check(xml: bytes, scan: SheetScan, name: str, searched: bool = False) -> None:
    """Refuse a sheet whose data (not just its formatting) runs past :data:`MAX_DATA_ROWS` rows: when the
    scan's row count (possibly only a bound) is over the budget, the rows holding values are counted.
    ``searched``: :meth:`Precheck.rows_budget_check` already ran the same search over the whole part."""
    if scan.max_row <= MAX_DATA_ROWS:
        return
    canonical = not _NONCANONICAL.search(xml) and not (_COLON_TAG.search(xml) and _PREFIXED_TAG.search(xml))
    if canonical and MAX_DATA_ROWS == _BUDGET_PATTERN_ROWS:
        if not searched and _CONTENT_BEYOND_BUDGET.search(xml) is not None:
            raise _too_many_rows(name)
        return
    exact = SheetScan()
    if canonical:
        _fast_exact(xml, exact, content_only=True)
    else:
        _slow_scan(xml, exact, name)
    if exact.max_row > MAX_DATA_ROWS:
        raise _too_many_rows(name)


def scan_extent(xml: bytes, name: str, *, budget_searched: bool = False) -> SheetScan:
    """The real extent of a sheet part (its <dimension> is ignored: it can say anything); refuse oversize
    (and any sheet with data on more than :data:`MAX_DATA_ROWS` rows). ``budget_searched``: the part's
    whole stream was already searched for a value past the row budget (not searched a second time)."""
    scan = _scan_extent(xml, name)
    if len(xml) > _MIN_ROW_BYTES * MAX_DATA_ROWS:
        _data_rows_check(xml, scan, name, budget_searched)
    return scan


def _scan_extent(xml: bytes, name: str) -> SheetScan:
    _check_encoding(xml, name)
    if not _check_prolog(xml[:65536], name, complete=len(xml) <= 65536):
        raise RejectedFile(MSG_NONSTANDARD, f"{name}: no root element")
    scan = SheetScan()
    if len(xml) > 4 * 1024 * 1024 and _OUTSIDE_NARROW.search(xml) is None and _COLON_TAG.search(xml) is None:
        scan.cells = xml.count(b'<c r="') if len(xml) > _MIN_CELL_BYTES * MAX_CELLS else 0
        if scan.cells > MAX_CELLS:
            _fast_exact(xml, scan, content_only=True)
        else:
            scan.max_row, scan.max_col = 999_999, 26
        if scan.cells > MAX_CELLS:
            raise RejectedFile(MSG_TOO_MANY_CELLS.format(sheet=display_name(name), limit=MAX_CELLS))
        return scan
    noncanonical = _NONCANONICAL.search(xml) is not None
    prefixed = _COLON_TAG.search(xml) is not None and _PREFIXED_TAG.search(xml) is not None
    if noncanonical or prefixed:
        _slow_scan(xml, scan, name)
    else:
        _fast_extent(xml, scan)
    if scan.cells > MAX_CELLS:
        raise RejectedFile(MSG_TOO_MANY_CELLS.format(sheet=display_name(name), limit=MAX_CELLS))
    if not _limit_check(scan):
        _raise_extent(name, scan)
    return scan


def _positions(found: list[tuple[bytes, bytes]]) -> list[tuple[int, int]]:
    """(letters, digits) reference pairs → 0-based (row, col), converting each distinct column once."""
    cols = {letters: _col_number(letters) - 1 for letters in {f[0] for f in found}}
    return [(int(digits) - 1, cols[letters]) for letters, digits in found]


def _fast_details(xml: bytes, scan: SheetScan, percent_styles: frozenset[int]) -> set[tuple[int, int]]:
    """Percent, formula and error cells of a fast-path sheet; regex passes only where the markers occur.

    Writers put ``s=`` straight after ``r=``, so percent cells are found with that strict pattern; if
    the number of ``s="<percent id>"`` attributes in the sheet differs from what it found (another
    attribute order, or row styles), the order-free pattern is used instead.
    """
    pct: set[tuple[int, int]] = set()
    if percent_styles:
        ids = sorted(percent_styles)
        total = sum(xml.count(b' s="%d"' % i) for i in ids) if len(ids) <= 16 else -1
        if total:
            alternatives = b"|".join(b"%d" % i for i in ids)
            strict = re.compile(_FAST_REF + rb' s="(?:%s)"[\s/>]' % alternatives)
            found = [m for a, b in _windows(xml) for m in strict.findall(xml, a, b)]
            if len(found) != total:
                loose = re.compile(_FAST_REF + _FAST_STYLED % alternatives)
                found = [m for a, b in _windows(xml) for m in loose.findall(xml, a, b)]
            pct.update(_positions(found))
    if b"<f" in xml:
        for a, b in _windows(xml):
            scan.formula_cells.update(_positions(_FAST_FORMULA.findall(xml, a, b)))
    if b't="e"' in xml:
        for m in _FAST_ERROR.finditer(xml):
            v = _ERROR_VALUE.match(xml, m.end())
            if v and v.group(1):
                scan.error_cells[_positions([(m.group(1), m.group(2))])[0]] = _error_text(v.group(1))
    if b"hidden" in xml:
        _hidden_rows(xml, scan)
    return pct


def _hidden_rows(xml: bytes, scan: SheetScan) -> None:
    """Hidden rows, tracking row numbers the way calamine does (a <row> without r follows the last)."""
    row = 0
    for m in _ROW_TAG.finditer(xml):
        if m.group(1):
            row += 1
            continue
        attrs = _attrs(m.group(3))
        r = attrs.get(b"r")
        if r is not None:
            row = _parse_row(r)
        if _truthy(attrs.get(b"hidden")):
            scan.hidden_rows.add(row)
        if m.group(4):
            row += 1


def _hidden_cols(xml: bytes) -> set[int]:
    """Hidden columns from <cols> (before <sheetData>), ranges clipped to Excel's 16,384 columns."""
    head_end = xml.find(b"sheetData")
    head = xml if head_end < 0 else xml[:head_end]
    out: set[int] = set()
    if b"hidden" not in head:
        return out
    for m in _COL_TAG.finditer(head):
        attrs = _attrs(m.group(1))
        if not _truthy(attrs.get(b"hidden")):
            continue
        try:
            lo = int(attrs.get(b"min", b"1"))
            hi = int(attrs.get(b"max", b"1"))
        except ValueError:
            continue
        out.update(range(max(lo, 1) - 1, min(hi, EXCEL_MAX_COLS)))
    return out


def _merged(xml: bytes, name: str) -> list[tuple[int, int, int, int]]:
    """Merged ranges (after </sheetData>), 0-based inclusive; too many is refused."""
    tail_start = xml.rfind(b"sheetData")
    tail = xml if tail_start < 0 else xml[tail_start:]
    out: list[tuple[int, int, int, int]] = []
    if b"mergeCell" not in tail:
        return out
    for m in _MERGE_TAG.finditer(tail):
        ref = _attrs(m.group(1)).get(b"ref")
        if ref is None:
            continue
        rm = _RANGE_RE.match(ref.decode("ascii", "replace").strip())
        if not rm:
            continue
        c0, r0 = _col_number(rm.group(1).encode()) - 1, int(rm.group(2)) - 1
        c1 = _col_number(rm.group(3).encode()) - 1 if rm.group(3) else c0
        r1 = int(rm.group(4)) - 1 if rm.group(4) else r0
        if r0 < 0 or r1 < 0:
            continue
        out.append((min(r0, r1), min(c0, c1), max(r0, r1), max(c0, c1)))
        if len(out) > MAX_MERGED:
            raise RejectedFile(MSG_TOO_MANY_MERGED.format(sheet=display_name(name), limit=MAX_MERGED))
    return out


# ---------------------------------------------------------------------------------------------
# Number formats


def is_percent_format(code: str) -> bool:
    """True when a number format shows a percentage: a % outside quotes, escapes and [..] sections."""
    i, n = 0, len(code)
    while i < n:
        ch = code[i]
        if ch == '"':
            end = code.find('"', i + 1)
            i = n if end < 0 else end + 1
            continue
        if ch == "[":
            end = code.find("]", i + 1)
            i = n if end < 0 else end + 1
            continue
        if ch in "\\_*":  # escaped literal, padding width, fill character: the next char is not a format
            i += 2
            continue
        if ch == "%":
            return True
        i += 1
    return False


def _styles_root(styles: bytes | Element | None) -> Element | None:
    if styles is None or isinstance(styles, Element):
        return styles
    return _parse_xml(styles, "xl/styles.xml") if styles else None


def percent_styles(styles_xml: bytes | Element | None) -> frozenset[int]:
    """Indices into cellXfs whose number format is a percentage (built-in 9/10 or a custom % format)."""
    root = _styles_root(styles_xml)
    if root is None:
        return frozenset()
    custom: dict[str, str] = {}
    xfs: list[str | None] = []
    for el in root:
        tag = _local(el.tag)
        if tag == "numFmts":
            for nf in el:
                if _local(nf.tag) == "numFmt" and nf.get("numFmtId") is not None and nf.get("formatCode"):
                    custom[(nf.get("numFmtId") or "").strip()] = nf.get("formatCode") or ""
        elif tag == "cellXfs":
            xfs.extend((xf.get("numFmtId") or "").strip() if _local(xf.tag) == "xf" else None for xf in el)
    xfs = [x for x in xfs if x is not None]
    out = set()
    for index, fmt_id in enumerate(xfs):
        if fmt_id in custom:
            if is_percent_format(custom[fmt_id]):
                out.add(index)
        elif fmt_id in ("9", "10"):
            out.add(index)
    return frozenset(out)


# ---------------------------------------------------------------------------------------------
# Fill colours: a RAG column is sometimes given only as the cell's colour.

# Excel's default palette for indexed colours (0-7 repeat 8-15); 64/65 are "system" colours (no fill).
INDEXED_COLOURS = (
    "000000", "FFFFFF", "FF0000", "00FF00", "0000FF", "FFFF00", "FF00FF", "00FFFF",
    "000000", "FFFFFF", "FF0000", "00FF00", "0000FF", "FFFF00", "FF00FF", "00FFFF",
    "800000", "008000", "000080", "808000", "800080", "008080", "C0C0C0", "808080",
    "9999FF", "993366", "FFFFCC", "CCFFFF", "660066", "FF8080", "0066CC", "CCCCFF",
    "000080", "FF00FF", "FFFF00", "00FFFF", "800080", "800000", "008080", "0000FF",
    "00CCFF", "CCFFFF", "CCFFCC", "FFFF99", "99CCFF", "FF99CC", "CC99FF", "FFCC99",
    "3366FF", "33CCCC", "99CC00", "FFCC00", "FF9900", "FF6600", "666699", "969696",
    "003366", "339966", "003300", "333300", "993300", "993366", "333399", "333333",
)
# theme="n" counts lt1, dk1, lt2, dk2 (in that order, not the file's), then accent1-6, hlink, folHlink.
_THEME_ORDER = ("lt1", "dk1", "lt2", "dk2", "accent1", "accent2", "accent3", "accent4", "accent5", "accent6",
                "hlink", "folHlink")
_HEX6 = re.compile(r"^[0-9A-Fa-f]{6}$")
MAX_FILL_CELLS = 500_000  # coloured cells kept per sheet: past this the colours are dropped, with a note
MAX_FILL_GRID = MAX_CELLS  # the grid may grow to cover coloured blank cells up to this many cells


def theme_colours(theme_xml: bytes | None) -> list[str]:
    """The workbook theme's colour scheme as RRGGBB, in the order ``theme="n"`` counts (empty if none)."""
    if not theme_xml:
        return []
    scheme: dict[str, str] = {}
    for el in _parse_xml(theme_xml, "xl/theme/theme1.xml").iter():
        if _local(el.tag) != "clrScheme":
            continue
        for slot in el:
            for colour in slot:
                value = colour.get("lastClr") if _local(colour.tag) == "sysClr" else colour.get("val")
                if value and _HEX6.match(value):
                    scheme[_local(slot.tag)] = value.upper()
                    break
        break
    return [scheme.get(name, "") for name in _THEME_ORDER]


def _tinted(rgb: str, tint: float) -> str:
    """Excel's tint: lighten (tint > 0) or darken (tint < 0) the colour's HLS lightness."""
    import colorsys

    r, g, b = (int(rgb[i: i + 2], 16) / 255 for i in (0, 2, 4))
    h, lum, sat = colorsys.rgb_to_hls(r, g, b)
    lum = lum * (1 + tint) if tint < 0 else lum * (1 - tint) + tint
    return "".join(f"{round(v * 255):02X}" for v in colorsys.hls_to_rgb(h, min(max(lum, 0.0), 1.0), sat))


def _colour(el: Element | None, palette: list[str], theme: Callable[[], list[str]]) -> str | None:
    """A <fgColor>'s colour as RRGGBB (alpha ignored, as Excel does), or None for automatic/unknown."""
    if el is None or _truthy(el.get("auto")):
        return None
    rgb = el.get("rgb")
    value: str | None = None
    if rgb is not None:
        rgb = rgb.strip()
        value = rgb[-6:].upper() if len(rgb) in (6, 8) and _HEX6.match(rgb[-6:]) else None
    elif (indexed := el.get("indexed")) is not None and indexed.strip().isdigit():
        i = int(indexed)
        value = palette[i] if i < len(palette) else None
    elif (slot := el.get("theme")) is not None and slot.strip().isdigit():
        colours = theme()
        i = int(slot)
        value = colours[i] if i < len(colours) and colours[i] else None
    if value is not None and el.get("tint"):
        try:
            tint = float(el.get("tint") or 0)
        except ValueError:
            tint = 0.0
        if -1.0 <= tint <= 1.0 and tint:
            value = _tinted(value, tint)
    return value


def fill_styles(styles: bytes | Element | None, theme_xml: Callable[[], bytes | None]) -> dict[int, str]:
    """cellXfs index → "#RRGGBB" for styles with a solid fill that is not white (the default style 0 excluded).

    ``theme_xml`` is called only if some fill uses a theme colour.
    """
    root = _styles_root(styles)
    if root is None:
        return {}
    fills: list[Element | None] = []
    xfs: list[str] = []
    palette = list(INDEXED_COLOURS)
    for el in root:
        tag = _local(el.tag)
        if tag == "fills":
            for fill in el:
                if _local(fill.tag) == "fill":
                    fills.append(next((p for p in fill if _local(p.tag) == "patternFill"), None))
        elif tag == "cellXfs":
            xfs.extend((xf.get("fillId") or "").strip() for xf in el if _local(xf.tag) == "xf")
        elif tag == "colors":
            custom = [c.get("rgb") or "" for c in el.iter() if _local(c.tag) == "rgbColor"]
            for i, rgb in enumerate(custom[:64]):
                if len(rgb) in (6, 8) and _HEX6.match(rgb[-6:]):
                    palette[i] = rgb[-6:].upper()
    theme_cache: list[list[str]] = []

    def theme() -> list[str]:
        if not theme_cache:
            theme_cache.append(theme_colours(theme_xml()))
        return theme_cache[0]

    colours: dict[int, str | None] = {}
    for i, pattern in enumerate(fills):
        if pattern is None or (pattern.get("patternType") or "").strip() != "solid":
            continue
        fg = next((c for c in pattern if _local(c.tag) == "fgColor"), None)
        value = _colour(fg, palette, theme)
        if value is not None and value != "FFFFFF":
            colours[i] = "#" + value
    out: dict[int, str] = {}
    for index, fill_id in enumerate(xfs):
        if index and fill_id.isdigit() and (value := colours.get(int(fill_id))):
            out[index] = value
    return out


def _fast_fills(xml: bytes, styles: frozenset[int]) -> dict[tuple[int, int], int] | None:
    """Cells of a fast-path sheet, with or without a value, whose style is in ``styles`` → that style.

    None when there are more than :data:`MAX_FILL_CELLS` of them. The strict pattern (``s=`` straight
    after ``r=``) is checked against a count of the attributes, as for percent cells.
    """
    alternatives = b"|".join(b"%d" % i for i in sorted(styles))
    # One pass counts the attributes (cheaper than a count per style once there are several).
    attribute = re.compile(rb' s="(?:%s)"' % alternatives)
    total = 0
    for a, b in _windows(xml):
        total += len(attribute.findall(xml, a, b))
        if total > MAX_FILL_CELLS:
            return None
    if total == 0:
        return {}
    strict = re.compile(_FAST_REF + rb' s="(%s)"[\s/>]' % alternatives)
    found = [m for a, b in _windows(xml) for m in strict.findall(xml, a, b)]
    if len(found) != total:
        loose = re.compile(_FAST_REF + rb"""[^>]{0,512}?\ss\s*=\s*["'](%s)["']""" % alternatives)
        found = []
        for a, b in _windows(xml):
            found.extend(loose.findall(xml, a, b))
            if len(found) > MAX_FILL_CELLS:
                return None
    cols = {letters: _col_number(letters) - 1 for letters in {f[0] for f in found}}
    return {(int(digits) - 1, cols[letters]): int(style) for letters, digits, style in found}


# ---------------------------------------------------------------------------------------------
# What kind of file this is: decided by content, not by name.

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TEXT_EXTENSIONS = (".csv", ".txt", ".tsv")
_TEXT_SAMPLE = 64 * 1024
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufffd]")
_MARKUP_START = re.compile(r"^\s*<(?:[!?]|[A-Za-z][\w:.-]*[\s>/])")


def sniff(data: bytes, filename: str) -> str:
    """"zip", "ole" or "text" (to be read as CSV by :func:`decode_text`); refuses empty and oversized files."""
    if not data:
        raise RejectedFile(MSG_EMPTY, "empty")
    if len(data) > config.MAX_UPLOAD_BYTES:
        raise RejectedFile(MSG_TOO_BIG.format(size=_mb(len(data)), limit=_mb(config.MAX_UPLOAD_BYTES)), "size")
    if data.startswith(ZIP_MAGIC):
        return "zip"
    if data.startswith(OLE_MAGIC):
        return "ole"
    return "text"


def decode_text(data: bytes, filename: str = "") -> tuple[str, str]:
    """The file as text and the encoding used: UTF-8 (with or without BOM), UTF-16 with a BOM, else
    Windows-1252 (what Excel's plain "CSV" saves). Binary content is refused, never decoded into junk,
    and so is an HTML page or XML file saved under a spreadsheet name.

    The name only matters for binary content: a file called .csv that is not text gets a message
    saying so, anything else the list of formats that can be read.
    """
    binary = MSG_BINARY if filename.lower().endswith(TEXT_EXTENSIONS) else MSG_NOT_XLSX
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, encoding = data.decode("utf-16", errors="replace"), "utf-16"
    elif b"\x00" in data:
        raise RejectedFile(binary, "NUL byte in text")
    else:
        try:
            text, encoding = data.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = data.decode("cp1252", errors="replace"), "cp1252"
    sample = text[:_TEXT_SAMPLE]
    if "\x00" in text or len(_CONTROL.findall(sample)) > max(2, len(sample) // 200):
        raise RejectedFile(binary, f"binary content ({encoding})")
    if _MARKUP_START.match(text[:1024]):
        raise RejectedFile(MSG_NOT_XLSX, "HTML or XML")
    return text, encoding


# ---------------------------------------------------------------------------------------------
# OLE compound files (.xls, and encrypted workbooks of any kind): the directory, read with bounded work.

_OLE_END = 0xFFFFFFFE
_OLE_PASSWORD_PARTS = ("encryptioninfo", "encryptedpackage", "\x06dataspaces")


@dataclass
class OleEntry:
    """One storage (kind 1), stream (2) or the root (5) of an OLE compound file."""

    kind: int
    start: int
    size: int


def ole_entries(data: bytes) -> dict[str, OleEntry]:
    """Directory entries of an OLE compound file by lower-case name; RejectedFile(MSG_DAMAGED) if the
    header, FAT or directory is inconsistent or points past the end of the file (a cut-off upload).

    Every loop is bounded by the number of sectors in the file, so a hostile chain cannot spin.
    """
    if len(data) < 512 or data[28:30] != b"\xfe\xff":
        raise RejectedFile(MSG_DAMAGED, "OLE header")
    shift = int.from_bytes(data[30:32], "little")
    if shift not in (9, 12):
        raise RejectedFile(MSG_DAMAGED, "OLE sector size")
    size = 1 << shift
    sectors = (len(data) - size) // size
    num_fat, dir_start = (int.from_bytes(data[o: o + 4], "little") for o in (44, 48))
    difat_start, num_difat = (int.from_bytes(data[o: o + 4], "little") for o in (68, 72))
    if num_fat > sectors or num_difat > sectors:
        raise RejectedFile(MSG_DAMAGED, "OLE FAT larger than the file")
    layout = struct.Struct(f"<{size // 4}I")

    def words(sector: int) -> tuple[int, ...]:
        if sector >= sectors:
            raise RejectedFile(MSG_DAMAGED, "OLE sector past the end of the file")
        return layout.unpack_from(data, (sector + 1) * size)

    difat = list(struct.unpack_from("<109I", data, 76))
    sector = difat_start
    for _ in range(num_difat):
        entries = words(sector)
        difat.extend(entries[:-1])
        sector = entries[-1]
    fat: list[int] = []
    for sector in difat[:num_fat]:
        fat.extend(words(sector))

    def chain(start: int) -> list[int]:
        out: list[int] = []
        sector = start
        while sector != _OLE_END:
            if sector >= sectors or sector >= len(fat) or len(out) > sectors:
                raise RejectedFile(MSG_DAMAGED, "OLE chain past the end of the file")
            out.append(sector)
            sector = fat[sector]
        return out

    found: dict[str, OleEntry] = {}
    for sector in chain(dir_start):
        base = (sector + 1) * size
        for off in range(base, base + size, 128):
            kind, name_len = data[off + 66], int.from_bytes(data[off + 64: off + 66], "little")
            if kind not in (1, 2, 5) or not 2 <= name_len <= 64:
                continue
            name = data[off: off + name_len - 2].decode("utf-16-le", "replace").lower()
            start = int.from_bytes(data[off + 116: off + 120], "little")
            length = int.from_bytes(data[off + 120: off + 128 if shift == 12 else off + 124], "little")
            found.setdefault(name, OleEntry(kind, start, length))
    cutoff = int.from_bytes(data[56:60], "little") or 4096
    for name in ("workbook", "book"):
        entry = found.get(name)
        if entry is None or entry.kind != 2 or entry.size < cutoff:
            continue
        if len(chain(entry.start)) * size < entry.size:
            raise RejectedFile(MSG_DAMAGED, "OLE workbook stream shorter than declared")
    if "root entry" in found:
        chain(found["root entry"].start)  # the mini stream that holds small streams
    return found


_BIFF_FILEPASS = 0x002F
_BIFF_BOUNDSHEET = 0x0085


def biff_encrypted(data: bytes, entry: OleEntry) -> bool:
    """True when a BIFF workbook stream is encrypted in place ("password to open" in Excel 97-2003):
    a FILEPASS record among the first records of the globals, before the sheet list.

    (python-calamine reports such a file only as "cannot detect file format", so it is checked here.)
    """
    size = 1 << int.from_bytes(data[30:32], "little")
    if entry.size < (int.from_bytes(data[56:60], "little") or 4096):
        return False  # a tiny stream in the mini stream: calamine will refuse it as unreadable anyway
    offset = (entry.start + 1) * size
    head = data[offset: offset + size]
    pos = 0
    for _ in range(64):
        if pos + 4 > len(head):
            break
        kind, length = struct.unpack_from("<HH", head, pos)
        if kind == _BIFF_FILEPASS:
            return True
        if kind == _BIFF_BOUNDSHEET:
            break
        pos += 4 + length
    return False


# ---------------------------------------------------------------------------------------------
# OpenDocument content: calamine copies a repeated cell once per repetition while opening the file,
# so 1 KB of XML can stand for 100 million cells. Count what the repeats would make, without parsing.

_ODS_REPEAT = re.compile(rb"number-(rows|columns)-repeated\s*=\s*[\"']([0-9]{1,12})[\"']")
_ODS_CELL = re.compile(rb"<(?:[\w.-]+:)?(?:covered-)?table-cell(?=[\s/>])([^>]*?)(/?)>")
_ODS_ROW_END = re.compile(rb"</(?:[\w.-]+:)?table-row\s*>")
_ODS_CELL_REPEAT = re.compile(rb"number-columns-repeated\s*=\s*[\"']([0-9]{1,12})[\"']")
_ODS_TABLE_NAME = re.compile(rb'table:name\s*=\s*"([^"]{0,400})"')


def _ods_row_cells(row: bytes) -> int:
    """Cells calamine would copy for one row: every cell that is not an empty ``<.../>``, times its repeat."""
    total = 0
    for m in _ODS_CELL.finditer(row):
        attrs, empty = m.group(1), m.group(2)
        if empty and b"value-type" not in attrs:
            continue
        rep = _ODS_CELL_REPEAT.search(attrs)
        total += int(rep.group(1)) if rep else 1
    return total


def ods_repeated_cells(content: bytes, total: int = 0) -> tuple[int, int]:
    """An upper bound on the cells that repeats in (a piece of) content.xml make calamine build beyond
    one per tag, added to ``total``, and the position of the repeat that took the count past
    :data:`MAX_CELLS` (or -1). A piece must not cut a row in two.

    Empty repeated cells and rows (LibreOffice writes them out to the sheet's edge) cost nothing.
    """
    for m in _ODS_REPEAT.finditer(content):
        n = int(m.group(2))
        if n <= 1:
            continue
        tag_start = content.rfind(b"<", 0, m.start())
        tag_end = content.find(b">", m.end())
        if tag_end < 0:
            break
        if m.group(1) == b"columns":
            tag = content[tag_start: tag_end + 1]
            if b"table-cell" in tag.split(None, 1)[0] and (not tag.endswith(b"/>") or b"value-type" in tag):
                total += n - 1
        elif content[tag_end - 1: tag_end] != b"/":  # <table-row .../> is an empty row
            end = _ODS_ROW_END.search(content, tag_end)
            row = content[tag_end + 1: end.start() if end else len(content)]
            total += (n - 1) * _ods_row_cells(row)
        if total > MAX_CELLS:
            return total, m.start()
    return total, -1


def ods_table_at(content: bytes, pos: int) -> str | None:
    """The name of the table (sheet) that starts last before ``pos`` in content.xml, for a message."""
    from xml.sax.saxutils import unescape

    start = content.rfind(b"<table:table ", 0, pos)
    m = _ODS_TABLE_NAME.search(content, start, start + 1000) if start >= 0 else None
    return unescape(m.group(1).decode("utf-8", "replace"), {"&quot;": '"', "&apos;": "'"}) if m else None


_ODS_PIECE = 8 * 1024 * 1024  # content.xml is checked this much at a time ...
_ODS_MAX_ROW = 64 * 1024 * 1024  # ... and a piece grows to this size at most while looking for a row's end
_ROW_END_TAIL = b"table-row>"


def _last_row_end(buf: bytes) -> int:
    """The offset just after the last complete ``</...table-row>`` in ``buf``, or -1."""
    pos = buf.rfind(_ROW_END_TAIL)
    while pos >= 0:
        lt = buf.rfind(b"<", 0, pos)
        if lt >= 0 and buf[lt + 1: lt + 2] == b"/" and _ODS_ROW_END.fullmatch(buf, lt, pos + len(_ROW_END_TAIL)):
            return pos + len(_ROW_END_TAIL)
        pos = buf.rfind(_ROW_END_TAIL, 0, pos)
    return -1


# ---------------------------------------------------------------------------------------------
# The package


@dataclass
class SheetPlan:
    """One worksheet to read: its name, where it lives in the archive, and what the scans found."""

    name: str
    part: str
    state: str = "visible"
    scan: SheetScan = field(default_factory=SheetScan)
    percent_cells: frozenset[tuple[int, int]] = frozenset()
    formula_cells: frozenset[tuple[int, int]] = frozenset()
    error_cells: dict[tuple[int, int], str] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden_rows: frozenset[int] = frozenset()
    hidden_cols: frozenset[int] = frozenset()
    fill_cells: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) → "#RRGGBB", may lie beyond


@dataclass
class PrecheckResult:
    """Everything the checks learned: the sheets to read (in workbook order) and notes for the summary."""

    filename: str
    size: int
    sha256: str
    sheets: list[SheetPlan]
    notes: list[str]
    date1904: bool
    has_macros: bool = False
    format: str = "xlsx"  # "xlsx", "xlsm", "xls" or "ods"


_SHEET_DIRS = ("xl/worksheets/", "xl/chartsheets/", "xl/dialogsheets/", "xl/macrosheets/")
_CALAMINE_1904 = re.compile(rb"""<workbookPr(?=[\s/>])[^>]{0,2000}?\sdate1904\s*=\s*(["'])(?:1|true)\1""")
_REL_NS_SUFFIX = "relationships"
ODS_MIMETYPES = (b"application/vnd.oasis.opendocument.spreadsheet",
                 b"application/vnd.oasis.opendocument.spreadsheet-template")


class Precheck:
    """Checks one uploaded file in steps (see the module docstring); each raises RejectedFile."""

    def __init__(self, data: bytes, filename: str) -> None:
        self.data = data
        self.filename = filename
        self.zip: zipfile.ZipFile | None = None
        self.members: dict[str, zipfile.ZipInfo] = {}
        self.done: set[str] = set()
        self.sheets: list[SheetPlan] = []
        self.sheet_xml: dict[str, bytes] = {}
        self.scans: dict[str, SheetScan] = {}
        self.notes: list[str] = []
        self.date1904 = False
        self.declared_total = 0
        self.kind = "xlsx"  # "xlsx", "ods" or "xls", known after structure()
        self.has_macros = False

    # -- step 1: bytes and the ZIP (or OLE) directory ------------------------------------------------

    def structure(self) -> None:
        """Size, magic bytes and the ZIP central directory: nothing is decompressed yet.

        An OLE file's directory is read here too, so a password-protected workbook is refused at once.
        """
        data = self.data
        if not data:
            raise RejectedFile(MSG_EMPTY, "empty")
        if len(data) > config.MAX_UPLOAD_BYTES:
            raise RejectedFile(MSG_TOO_BIG.format(size=_mb(len(data)), limit=_mb(config.MAX_UPLOAD_BYTES)), "size")
        if data.startswith(OLE_MAGIC):
            self._ole()
            return
        if not data.startswith(ZIP_MAGIC):
            raise RejectedFile(MSG_NOT_XLSX, "no ZIP signature")
        eocd = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
        if eocd >= 0 and len(data) >= eocd + 12:
            entries = int.from_bytes(data[eocd + 10: eocd + 12], "little")
            if MAX_MEMBERS < entries < 0xFFFF:  # refuse before zipfile builds a directory that size
                raise RejectedFile(MSG_NONSTANDARD, f"{entries} parts")
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
            infos = zf.infolist()
        except Exception as exc:  # any failure to read the directory means a damaged file
            raise RejectedFile(MSG_DAMAGED, f"zip: {exc.__class__.__name__}") from None
        if len(infos) > MAX_MEMBERS:
            raise RejectedFile(MSG_NONSTANDARD, f"{len(infos)} parts")
        total = 0
        for info in infos:
            key = info.filename.lower()
            if key in self.members:
                raise RejectedFile(MSG_DAMAGED, "duplicate part name")
            self.members[key] = info
            total += info.file_size
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise RejectedFile(MSG_BOMB, "compression ratio")
            if info.flag_bits & 0x1:
                raise RejectedFile(MSG_ENCRYPTED, "encrypted ZIP entry")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise RejectedFile(MSG_NONSTANDARD, f"compression method {info.compress_type}")
        if total > MAX_TOTAL_UNCOMPRESSED:
            raise RejectedFile(MSG_BOMB, "total size")
        self.declared_total = total
        self.zip = zf
        if "[content_types].xml" in self.members and "xl/workbook.xml" in self.members:
            # Macros are never run (calamine reads values only); the pipeline needs to know they are there.
            self.has_macros = any(k.endswith("vbaproject.bin") or k.startswith("xl/macrosheets/") for k in self.members)
            return
        if "mimetype" in self.members or "content.xml" in self.members:
            mimetype = self.read_head("mimetype", 200).strip() if "mimetype" in self.members else ODS_MIMETYPES[0]
            if mimetype not in ODS_MIMETYPES or "content.xml" not in self.members:
                raise RejectedFile(MSG_NOT_XLSX, "OpenDocument file that is not a spreadsheet")
            self.kind = "ods"
            return
        raise RejectedFile(MSG_NOT_XLSX, "required parts missing")

    def _ole(self) -> None:
        """An OLE compound file: a BIFF .xls is read; an encrypted workbook or another document is refused."""
        entries = ole_entries(self.data)
        if any(name in entries for name in _OLE_PASSWORD_PARTS):
            raise RejectedFile(MSG_ENCRYPTED, "encrypted OLE package")
        if not any(entries.get(name, OleEntry(0, 0, 0)).kind == 2 for name in ("workbook", "book")):
            raise RejectedFile(MSG_NOT_XLSX, "OLE file without a workbook stream")
        book = entries.get("workbook") or entries["book"]
        if biff_encrypted(self.data, book):
            raise RejectedFile(MSG_ENCRYPTED, "BIFF FILEPASS")
        self.kind = "xls"
        self.has_macros = any(name.startswith("_vba_project") for name in entries)
        self.declared_total = len(self.data)

    def read(self, key: str) -> bytes:
        """One part, decompressed no further than its declared size (which step 1 capped)."""
        info = self.members[key]
        assert self.zip is not None
        try:
            with self.zip.open(info) as f:
                out = f.read(info.file_size + 1)
                if len(out) > info.file_size:
                    raise RejectedFile(MSG_BOMB, "part larger than declared")
                if f.read(1):
                    raise RejectedFile(MSG_BOMB, "part larger than declared")
        except RejectedFile:
            raise
        except Exception as exc:  # CRC errors, bad deflate data, truncation: all "damaged"
            raise RejectedFile(MSG_DAMAGED, f"{key}: {exc.__class__.__name__}") from None
        self.done.add(key)
        return out

    def rows_budget_check(self, plan: SheetPlan) -> bool:
        """A sheet part big enough to hold data on more than :data:`MAX_DATA_ROWS` rows is searched, a chunk
        at a time, for a value on a row past the budget before it is read whole: a million-row upload is
        refused in a few seconds holding a few megabytes, not the whole sheet's XML. True when the whole
        part was searched and nothing found (the check of the part read whole need not search again)."""
        info = self.members[plan.part]
        if info.file_size <= _MIN_ROW_BYTES * MAX_DATA_ROWS or MAX_DATA_ROWS != _BUDGET_PATTERN_ROWS:
            return False
        assert self.zip is not None
        tail, left = b"", info.file_size + 1  # never past the declared size (the full read checks it)
        try:
            with self.zip.open(info) as f:
                while left > 0:
                    chunk = f.read(min(_STREAM_CHUNK, left))
                    if not chunk:
                        return True  # the end of the part: all of it searched
                    left -= len(chunk)
                    if _CONTENT_BEYOND_BUDGET.search(tail + chunk) is not None:
                        raise _too_many_rows(plan.name)
                    tail = chunk[-_STREAM_OVERLAP:]
        except RejectedFile:
            raise
        except Exception:  # damaged data is reported, with its own message, by the full read next
            return False
        return False  # more than the declared size: the full read refuses it

    def read_head(self, key: str, size: int) -> bytes:
        """The first ``size`` bytes of a part (decompressing no more than that)."""
        info = self.members[key]
        assert self.zip is not None
        try:
            with self.zip.open(info) as f:
                return f.read(min(size, info.file_size))
        except Exception as exc:
            raise RejectedFile(MSG_DAMAGED, f"{key}: {exc.__class__.__name__}") from None

    # -- .ods and .xls: the container, before the reader opens it ----------------------------------

    def container(self) -> None:
        """Checks of an .ods beyond the ZIP directory: encryption, entity declarations, every part's prolog.

        (An .xls was checked in :meth:`structure`; its values and extent are checked by the reader.)
        """
        if self.kind != "ods":
            return
        if "meta-inf/manifest.xml" in self.members:
            manifest = self.read("meta-inf/manifest.xml")
            _check_declarations(manifest)
            if b"encryption-data" in manifest:
                raise RejectedFile(MSG_ENCRYPTED, "encrypted OpenDocument parts")
        self._scan_ods_content()
        self.has_macros = any(k.startswith(("basic/", "scripts/")) and not k.endswith("/") for k in self.members)
        self._check_other_parts()

    def _scan_ods_content(self) -> None:
        """content.xml a few megabytes at a time, each piece cut after a row's end: its encoding, entity
        declarations anywhere in it (calamine parses all of it), and what its repeats would make calamine
        build. Pieces keep the app's memory small however large the part is."""
        info = self.members["content.xml"]
        assert self.zip is not None
        total, table, pending, seen, first = 0, "(unnamed)", b"", 0, True
        try:
            with self.zip.open(info) as f:
                while True:
                    chunk = f.read(_ODS_PIECE)
                    seen += len(chunk)
                    if seen > info.file_size:
                        raise RejectedFile(MSG_BOMB, "part larger than declared")
                    buf = pending + chunk
                    if first:
                        _check_encoding(buf, "content.xml")
                        first = False
                    cut = _last_row_end(buf) if chunk else len(buf)
                    if cut < 0:
                        if len(buf) > _ODS_MAX_ROW:
                            raise RejectedFile(MSG_NONSTANDARD, "content.xml: no row end in 64 MB")
                        pending = buf
                        continue
                    piece, pending = buf[:cut], buf[cut:]
                    _check_declarations(piece)
                    total, at = ods_repeated_cells(piece, total)
                    if at >= 0:
                        name = ods_table_at(piece, at) or table
                        raise RejectedFile(MSG_TOO_MANY_CELLS.format(sheet=display_name(name), limit=MAX_CELLS),
                                           "ods repeats")
                    table = ods_table_at(piece, len(piece)) or table
                    if not chunk:
                        break
        except RejectedFile:
            raise
        except Exception as exc:  # CRC errors, bad deflate data, truncation: all "damaged"
            raise RejectedFile(MSG_DAMAGED, f"content.xml: {exc.__class__.__name__}") from None
        self.done.add("content.xml")

    def finish(self, sheets: list[SheetPlan]) -> PrecheckResult:
        """The result for an .ods or .xls, once the reader has listed its worksheets."""
        self.sheets = sheets
        self._notes()
        return self._result()

    def _result(self) -> PrecheckResult:
        fmt = "xlsm" if self.kind == "xlsx" and self.has_macros else self.kind
        return PrecheckResult(
            filename=self.filename, size=len(self.data), sha256=hashlib.sha256(self.data).hexdigest(),
            sheets=self.sheets, notes=self.notes, date1904=self.date1904, has_macros=self.has_macros, format=fmt,
        )

    # -- step 2: the parts the reader needs, and the extent of every sheet ------------------------

    def layout(self, on_sheet: Callable[[str], None] | None = None) -> list[str]:
        """Workbook structure, macros, entity declarations and sheet extents. Returns worksheet names.

        ``on_sheet(name)`` is called as soon as a worksheet has passed, so its values can be read
        while the next one is still being checked.
        """
        content_types = self.read("[content_types].xml")
        _check_declarations(content_types)
        if b"macroenabled" in content_types.lower():
            self.has_macros = True
        workbook_xml = self.read("xl/workbook.xml")
        workbook = _parse_xml(workbook_xml, "xl/workbook.xml")
        rels: dict[str, str] = {}
        if "xl/_rels/workbook.xml.rels" in self.members:
            for rel in _parse_xml(self.read("xl/_rels/workbook.xml.rels"), "workbook rels").iter():
                if _local(rel.tag) == "Relationship" and rel.get("Id") is not None:
                    rels[rel.get("Id") or ""] = rel.get("Target") or ""
        seen: set[str] = set()
        for el in workbook.iter():
            tag = _local(el.tag)
            if tag == "workbookPr":
                self.date1904 = _truthy(el.get("date1904"))
            if tag != "sheet":
                continue
            name = el.get("name") or ""
            if name.lower() in seen:
                raise RejectedFile(MSG_DAMAGED, "duplicate sheet name")
            seen.add(name.lower())
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id" and _REL_NS_SUFFIX in k), None)
            target = rels.get(rid or "")
            if not target:
                raise RejectedFile(MSG_DAMAGED, "sheet without a relationship")
            # calamine's rule: "/xl/x" → "xl/x", "xl/x" stays, anything else is relative to xl/
            path = target[1:] if target.startswith("/xl/") else target if target.startswith("xl/") else "xl/" + target
            kind = path.split("/")[1] if path.count("/") >= 2 else ""
            if kind not in ("worksheets", "chartsheets", "dialogsheets", "macrosheets"):
                raise RejectedFile(MSG_NONSTANDARD, "sheet outside the usual folders")
            if kind == "macrosheets":
                self.has_macros = True  # Excel 4 macro sheet: never run, never read as data
            if kind != "worksheets":
                continue
            if path.lower() not in self.members:
                raise RejectedFile(MSG_DAMAGED, "sheet part missing")
            state = (el.get("state") or "visible").strip()
            self.sheets.append(SheetPlan(name=name, part=path.lower(), state=state))
        for plan in self.sheets:
            searched = self.rows_budget_check(plan)
            xml = self.read(plan.part)
            plan.scan = scan_extent(xml, plan.name, budget_searched=searched and len(xml) == self.members[
                plan.part].file_size)
            self.sheet_xml[plan.part] = xml
            if on_sheet is not None:
                on_sheet(plan.name)
        # calamine honours only an unprefixed <workbookPr date1904="1|true">: if it would read the date
        # system differently from the XML, every date would silently move by four years.
        if self.date1904 != bool(_CALAMINE_1904.search(workbook_xml)):
            raise RejectedFile(MSG_NONSTANDARD, "ambiguous date system")
        # Every other part calamine could be pointed at as a sheet is scanned too, named or not.
        for key in self.members:
            if key.startswith(_SHEET_DIRS) and not key.endswith("/") and key not in self.sheet_xml:
                scan_extent(self.read(key), "(unnamed)")
        return [plan.name for plan in self.sheets]

    # -- step 3: everything else -------------------------------------------------------------------

    def _check_other_parts(self) -> None:
        """Only the head of the remaining parts is decompressed: declarations can only sit before the root."""
        for key, info in self.members.items():
            if key in self.done or key.endswith("/"):
                continue
            head = self.read_head(key, 4096)
            is_xml = key.endswith((".xml", ".rels", ".vml")) or head.lstrip()[:1] == b"<"
            if is_xml and not _check_prolog(head, key, len(head) >= info.file_size):
                head = self.read_head(key, 1024 * 1024)
                if not _check_prolog(head, key, len(head) >= info.file_size):
                    raise RejectedFile(MSG_NONSTANDARD, f"{key}: no root element in the first 1 MB")

    def _theme(self) -> bytes | None:
        key = "xl/theme/theme1.xml"
        return self.read(key) if key in self.members else None

    def details(self) -> PrecheckResult:
        """Check every remaining part; collect number formats, fills, formulas, errors, merged/hidden cells, notes."""
        styles_xml = self.read("xl/styles.xml") if "xl/styles.xml" in self.members else None
        styles = _parse_xml(styles_xml, "xl/styles.xml") if styles_xml else None
        fills = fill_styles(styles, self._theme) if styles is not None else {}
        self._check_other_parts()
        pct_styles = percent_styles(styles)
        fill_ids = frozenset(fills)
        for plan in self.sheets:
            xml = self.sheet_xml[plan.part]
            scan = plan.scan
            if scan.fast:
                pct = _fast_details(xml, scan, pct_styles)
                filled = _fast_fills(xml, fill_ids) if fill_ids else {}
            else:
                pct = {p for style, cells in scan.styled.items() if style in pct_styles for p in cells}
                filled = {p: style for styled in (scan.styled, scan.blank_styled) for style, cells in styled.items()
                          if style in fill_ids for p in cells}
                if len(filled) > MAX_FILL_CELLS:
                    filled = None
            if filled is None:
                self.notes.append(MSG_TOO_MANY_FILLS.format(sheet=display_name(plan.name), limit=MAX_FILL_CELLS))
            elif filled:
                plan.fill_cells = {p: fills[style] for p, style in filled.items()}
            plan.percent_cells = frozenset(pct)
            plan.formula_cells = frozenset(scan.formula_cells)
            plan.error_cells = dict(scan.error_cells)
            for pos, err in plan.error_cells.items():
                if err not in READABLE_ERRORS:
                    shown = err if err in KNOWN_ERRORS else "an error value this importer does not know"
                    raise RejectedFile(MSG_ERROR_VALUE.format(sheet=display_name(plan.name), ref=cell_ref(*pos),
                                                              error=shown), "unreadable error value")
            plan.merged = _merged(xml, plan.name)
            plan.hidden_rows = frozenset(scan.hidden_rows)
            plan.hidden_cols = frozenset(_hidden_cols(xml))
        self._notes()
        return self._result()

    def _notes(self) -> None:
        keys = self.members
        if self.has_macros:
            self.notes.append(MSG_MACROS_NOTE)
        if any(k.startswith("xl/externallinks/") for k in keys):
            self.notes.append(
                "The workbook links to other workbooks (external links): values that come from them may be out of "
                "date or from another council's file."
            )
        if any(k.startswith(("xl/embeddings/", "xl/activex/")) for k in keys):
            self.notes.append("The workbook contains embedded objects or ActiveX controls; they were ignored.")
        if self.date1904:
            self.notes.append(
                "The workbook uses the 1904 date system (older Mac Excel); dates were converted accordingly."
            )
        for plan in self.sheets:
            shown = display_name(plan.name)
            if plan.state == "hidden":
                self.notes.append(f"Sheet '{shown}' is hidden in the workbook; it was read like any other sheet.")
            elif plan.state == "veryHidden":
                self.notes.append(
                    f"Sheet '{shown}' is 'very hidden' (it can only be shown with VBA); it was read like any other "
                    "sheet."
                )


def precheck(data: bytes, filename: str) -> PrecheckResult:
    """All three steps of an .xlsx; raises RejectedFile with a plain-English message when the file is refused."""
    check = Precheck(data, filename)
    check.structure()
    if check.kind != "xlsx":
        raise RejectedFile(MSG_NOT_XLSX, f"precheck() is for .xlsx, not {check.kind}")
    check.layout()
    return check.details()
