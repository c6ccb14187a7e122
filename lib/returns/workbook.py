"""From uploaded bytes to a grid of cell values with the metadata the validator needs.

Why this shape: the parser (python-calamine) is fast but can take the whole process down on a
hostile file, so :func:`read_workbook` first runs the cheap structural checks in
:mod:`lib.returns.safety`, reads values only in the isolated child of :mod:`lib.returns.worker`,
and overlaps the two so the checks cost little wall-clock time. For .xlsx/.xlsm:

1. size, magic bytes and ZIP directory (parent) → the bytes go to the warm child, which opens the
   workbook (shared strings, styles) while ...
2. ... the parent checks the workbook parts and the real extent of every sheet → the child is told
   which sheets to read, and reads them while ...
3. ... the parent checks every other part and collects percent formats, fill colours, formulas,
   errors, merged and hidden cells.

.xls and .ods get the container checks (OLE directory / ZIP, encryption, entity declarations) in the
parent, then the child lists and reads their sheets, checking each against the same limits before
converting it. CSV text is read here, in the parent, under the same limits (no parser that could
crash is involved). The format is decided by the bytes, not the file name.

Any refusal is a :class:`RejectedFile` with a plain-English ``message``. Run
``python -m lib.returns.workbook --bench`` for timings.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import PurePath
from typing import Any

from lib.returns import safety, worker
from lib.returns.safety import (
    MSG_ENCODING_NOTE,
    MSG_EXTENT,
    MSG_FILLS_DROPPED,
    MSG_OVERLAPPING_MERGED,
    MSG_TOO_MANY_CELLS,
    MSG_UNREADABLE,
    Precheck,
    PrecheckResult,
    RejectedFile,
    SheetPlan,
    cell_ref,
    col_letters,
    display_name,
)

__all__ = ["RejectedFile", "Sheet", "Workbook", "cell_ref", "read_workbook"]

log = logging.getLogger(__name__)


@dataclass
class Sheet:
    """One worksheet: values as read, positions aligned to Excel cells, plus what the values alone lose.

    ``rows[r][c]`` is Excel row r+1, column c (0 = A); leading blank rows/columns are kept so
    positions match cells. Values are str, float, bool, None, datetime.datetime/date/time, or
    datetime.timedelta for duration formats such as [h]:mm; numbers come back as float, text exactly
    as stored (no length limit here). Blank cells are None; trailing blank rows and columns are
    trimmed and every row has the same length.

    ``percent_cells`` lie within the grid. ``formula_cells`` may lie beyond it: a formula with no
    saved result has no value. ``error_cells`` values are Excel's error texts (#DIV/0!, #N/A, ...);
    those cells are None in ``rows``. ``merged`` ranges are clipped to the grid (and overlapping ones
    refused), so walking them costs at most one pass over the grid.

    ``fill_colours`` maps (row, col) → "#RRGGBB" for cells with a solid, non-white fill, blank or
    not (a RAG column is sometimes only colour): the grid is extended to cover coloured blank cells
    next to the data. Only .xlsx/.xlsm carry colours, formats, formulas, errors and hidden rows or
    columns; for .xls and .ods calamine gives values, merged ranges (.xls) and hidden sheets only,
    and a CSV has values only.
    """

    name: str
    rows: list[list[object]]
    percent_cells: frozenset[tuple[int, int]] = frozenset()
    formula_cells: frozenset[tuple[int, int]] = frozenset()
    error_cells: dict[tuple[int, int], str] = field(default_factory=dict)
    merged: tuple[tuple[int, int, int, int], ...] = ()  # (r0, c0, r1, c1) inclusive, clipped to the grid
    hidden: bool = False
    hidden_rows: frozenset[int] = frozenset()  # within the grid
    hidden_cols: frozenset[int] = frozenset()
    fill_colours: dict[tuple[int, int], str] = field(default_factory=dict)  # within the grid


@dataclass
class Workbook:
    """The worksheets of one upload, in workbook order, and notes for the import summary.

    ``has_macros`` is True when the file carries macros (VBA or Excel 4 macro sheets in .xlsm/.xlsx/.xls,
    Basic in .ods): they were never run, but the original bytes must not be handed back to anyone.
    ``format`` is what the content turned out to be: "xlsx", "xlsm", "xls", "ods" or "csv".
    """

    filename: str
    sha256: str
    size: int
    sheets: list[Sheet]
    notes: list[str]
    has_macros: bool = False
    format: str = "xlsx"


Pos = tuple[int, int]


def _trim(rows: list[list[object]], keep: dict[Pos, Any] | frozenset[Pos] | set[Pos]) -> list[list[object]]:
    """Drop trailing rows and columns that hold nothing; a cell in ``keep`` (an error, a coloured blank)
    counts as something, and the grid is padded out to cover it."""
    keep_rows = {r for r, _ in keep}
    last_kept = max(keep_rows) + 1 if keep_rows else 0
    while rows and len(rows) > last_kept and all(v is None for v in rows[-1]) and len(rows) - 1 not in keep_rows:
        rows.pop()
    if len(rows) < last_kept:
        rows.extend([] for _ in range(last_kept - len(rows)))
    if not rows:
        return rows
    width = max(len(r) for r in rows)
    if any(r[-1] is not None for r in rows if len(r) == width):
        used = width
    else:
        used = 0
        for row in rows:
            for c in range(len(row) - 1, used - 1, -1):
                if row[c] is not None:
                    used = c + 1
                    break
    used = max([used] + [c + 1 for _, c in keep])
    if used != width or any(len(r) != width for r in rows):
        rows = [r[:used] + [None] * (used - len(r[:used])) for r in rows]
    return rows


def _clip_merged(plan: SheetPlan, nrows: int, width: int) -> tuple[tuple[int, int, int, int], ...]:
    """Merged ranges inside the grid only, so downstream code never walks a range like A1:XFD1048576."""
    out = []
    area = 0
    for r0, c0, r1, c1 in plan.merged:
        if r0 >= nrows or c0 >= width:
            continue
        r1, c1 = min(r1, nrows - 1), min(c1, width - 1)
        area += (r1 - r0 + 1) * (c1 - c0 + 1)
        out.append((r0, c0, r1, c1))
    if area > nrows * width:  # only overlapping ranges can cover more cells than the grid has
        raise RejectedFile(MSG_OVERLAPPING_MERGED.format(sheet=display_name(plan.name)), "overlapping merges")
    return tuple(out)


def _list(items: list[str], limit: int = 8) -> str:
    return ", ".join(items[:limit]) + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _fills_in_reach(plan: SheetPlan, rows: list[list[object]], notes: list[str]) -> dict[Pos, str]:
    """The coloured cells the grid may grow to cover: all of them, unless covering them would make the
    grid larger than :data:`safety.MAX_FILL_GRID` cells (then those beyond the values are dropped)."""
    fills = plan.fill_cells
    if not fills:
        return fills
    nrows, width = len(rows), max((len(r) for r in rows), default=0)
    far_rows = max(r for r, _ in fills) + 1
    far_cols = max(c for _, c in fills) + 1
    if far_rows <= nrows and far_cols <= width:
        return fills
    if max(far_rows, nrows) * max(far_cols, width) <= safety.MAX_FILL_GRID:
        return fills
    inside = {p: v for p, v in fills.items() if p[0] < nrows and p[1] < width}
    notes.append(MSG_FILLS_DROPPED.format(sheet=display_name(plan.name), count=len(fills) - len(inside)))
    return inside


def _sheet(plan: SheetPlan, rows: list[list[object]], notes: list[str]) -> Sheet:
    fills = _fills_in_reach(plan, rows, notes)
    if fills:
        keep: dict[Pos, Any] | frozenset[Pos] = {**fills, **plan.error_cells}
    else:
        keep = plan.error_cells
    rows = _trim(rows, keep)
    nrows, width = len(rows), (len(rows[0]) if rows else 0)
    hidden_rows = frozenset(r for r in plan.hidden_rows if r < nrows)
    hidden_cols = frozenset(c for c in plan.hidden_cols if c < width)
    shown = display_name(plan.name)
    if hidden_rows:
        notes.append(f"Sheet '{shown}' has {len(hidden_rows)} hidden row(s) "
                     f"({_list([str(r + 1) for r in sorted(hidden_rows)])}); they were read.")
    if hidden_cols:
        notes.append(f"Sheet '{shown}' has {len(hidden_cols)} hidden column(s) "
                     f"({_list([col_letters(c) for c in sorted(hidden_cols)])}); they were read.")
    uncached = sorted(
        (r, c) for r, c in plan.formula_cells
        if (r, c) not in plan.error_cells and (r >= nrows or c >= width or rows[r][c] is None)
    )
    if uncached:
        notes.append(
            f"Sheet '{shown}': {len(uncached)} formula cell(s) have no saved result "
            f"({_list([cell_ref(r, c) for r, c in uncached], 5)}). Open the file in Excel so it recalculates, "
            "save, and upload again."
        )
    percent = plan.percent_cells
    if percent and (max(percent)[0] >= nrows or max(map(itemgetter(1), percent)) >= width):
        percent = frozenset((r, c) for r, c in percent if r < nrows and c < width)  # formatted, empty, outside
    return Sheet(
        name=plan.name, rows=rows, percent_cells=percent, formula_cells=plan.formula_cells,
        error_cells=plan.error_cells, merged=_clip_merged(plan, nrows, width),
        hidden=plan.state in ("hidden", "veryHidden"), hidden_rows=hidden_rows, hidden_cols=hidden_cols,
        fill_colours=fills,
    )


def _assemble(pre: PrecheckResult, values: list[worker.SheetValues]) -> Workbook:
    notes = list(pre.notes)
    sheets = [_sheet(plan, v.rows, notes) for plan, v in zip(pre.sheets, values, strict=True)]
    return Workbook(filename=pre.filename, sha256=pre.sha256, size=pre.size, sheets=sheets, notes=notes,
                    has_macros=pre.has_macros, format=pre.format)


def _max_reply(check: Precheck) -> int:
    # Replies can legitimately exceed the unpacked file (a shared string repeated in many cells),
    # but not by orders of magnitude; past this the reader's reply is refused unread.
    return 4 * max(check.declared_total, len(check.data)) + 64 * 1024 * 1024


def _read_xlsx(check: Precheck, timeout: float) -> Workbook:
    job = worker.Job(check.data, timeout, max_reply=_max_reply(check))
    try:
        check.layout(on_sheet=job.read)
        pre = check.details()
    except BaseException:
        job.cancel()
        raise
    values = job.results()
    if len(values) != len(pre.sheets):
        raise RejectedFile(MSG_UNREADABLE, "sheet count mismatch")
    return _assemble(pre, values)


_STATES = {"Hidden": "hidden", "VeryHidden": "veryHidden"}


def _read_listed(check: Precheck, timeout: float) -> Workbook:
    """.xls and .ods: container checks here, then the child lists the sheets and reads each under the limits."""
    check.container()
    job = worker.Job(check.data, timeout, max_reply=_max_reply(check))
    try:
        listed = job.sheets()
        plans = [SheetPlan(name=name, part="", state=_STATES.get(visible, "visible"))
                 for name, kind, visible in listed if kind == "WorkSheet"]
        limits = worker.default_limits()
        for plan in plans:
            job.read(plan.name, limits)
    except BaseException:
        job.cancel()
        raise
    values = job.results()
    if len(values) != len(plans):
        raise RejectedFile(MSG_UNREADABLE, "sheet count mismatch")
    for plan, v in zip(plans, values, strict=True):
        plan.merged = v.merged
    return _assemble(check.finish(plans), values)


# ---------------------------------------------------------------------------------------------
# CSV: read here, bounded by the same limits as a workbook.

_NUMBER = re.compile(r"[+-]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
_SEP_LINE = re.compile(r"^sep=(.)\r?\n")
_DELIMITERS = ",;\t"


def _csv_value(text: str) -> object:
    """A CSV field as Excel would hold it: "" → None, a plain number → float, anything else the text.

    "1,234", "44%", dates and numbers with leading zeros ("007", a code) stay text: the value parser
    decides what they mean, and nothing is lost.
    """
    if not text:
        return None
    if text[-1] in "0123456789. " and _NUMBER.fullmatch(text.strip()):
        return float(text)  # float() ignores the surrounding spaces too
    return text


_CACHE_LIMIT = 100_000  # distinct field texts remembered per file


def _csv_converter() -> Callable[[list[str]], list[object]]:
    """Converts a row of fields; repeated texts (codes, 0, 1, "Yes") are converted once and share one object."""
    cache: dict[str, object] = {}
    get = cache.get

    def convert(fields: list[str]) -> list[object]:
        row: list[object] = [get(v, cache) for v in fields]
        if cache in row:
            for i, got in enumerate(row):
                if got is cache:
                    text = fields[i]
                    row[i] = value = _csv_value(text)
                    if len(cache) < _CACHE_LIMIT:
                        cache[text] = value
        return row

    return convert


def _delimiter(text: str) -> str:
    """Comma, semicolon or tab, as csv.Sniffer sees the first 50 lines; when it cannot tell (or names one
    that is not there) the commonest of the three in those lines, and a comma if none occurs."""
    sample = "\n".join(text[:16 * 1024].splitlines()[:50])
    try:
        found = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
        if found in _DELIMITERS and found in sample:
            return found
    except csv.Error:
        pass
    counts = {d: sample.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_rows(text: str) -> int:
    """The number of CSV records, counted in C: line breaks outside quotes (splitting on '"' leaves the
    quoted parts at odd positions, an escaped "" included)."""
    if '"' in text:
        outside = text.split('"')[0::2]
        breaks = max(sum(p.count("\n") for p in outside), sum(p.count("\r") for p in outside))
    else:
        breaks = max(text.count("\n"), text.count("\r"))
    return breaks + (0 if text.endswith(("\n", "\r")) else 1)


def _csv_extent(name: str, nrows: int, ncols: int) -> RejectedFile:
    return RejectedFile(MSG_EXTENT.format(
        sheet=display_name(name), ref=cell_ref(max(nrows - 1, 0), max(ncols - 1, 0)), rows=nrows, cols=ncols,
        max_rows=safety.MAX_ROWS, max_cols=safety.MAX_COLS, max_area=safety.MAX_AREA), "csv extent")


def _read_csv(data: bytes, filename: str) -> Workbook:
    """One sheet named after the file (as Excel names it when opening a CSV), under the workbook limits."""
    text, encoding = safety.decode_text(data, filename)
    notes = [MSG_ENCODING_NOTE] if encoding == "cp1252" else []
    name = PurePath(filename).stem[:31] or "Sheet1"
    sep = _SEP_LINE.match(text)  # Excel's own "sep=;" first line names the delimiter
    if sep:
        text = text[sep.end():]
    records = _csv_rows(text)
    if records > safety.MAX_ROWS:  # refused before a single row is built
        raise _csv_extent(name, records, 1)
    delimiter = sep.group(1) if sep else _delimiter(text)
    rows: list[list[object]] = []
    width = cells = 0
    convert = _csv_converter()
    try:
        for fields in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if len(rows) >= safety.MAX_ROWS:
                raise _csv_extent(name, len(rows) + 1, width)
            if len(fields) > safety.MAX_COLS:
                raise _csv_extent(name, len(rows) + 1, len(fields))
            row = convert(fields)
            cells += len(row) - row.count(None)
            if cells > safety.MAX_CELLS:
                raise RejectedFile(MSG_TOO_MANY_CELLS.format(sheet=display_name(name), limit=safety.MAX_CELLS))
            if len(row) > width:
                width = len(row)
            rows.append(row)
    except csv.Error as exc:  # a value longer than the csv module's 128 KB field limit
        raise RejectedFile(MSG_UNREADABLE, f"csv: {exc}") from None
    if len(rows) * width > safety.MAX_AREA:
        raise _csv_extent(name, len(rows), width)
    sheet = Sheet(name=name, rows=_trim(rows, frozenset()))
    return Workbook(filename=filename, sha256=hashlib.sha256(data).hexdigest(), size=len(data), sheets=[sheet],
                    notes=notes, format="csv")


def read_workbook(data: bytes, filename: str, *, timeout: float = 30.0) -> Workbook:
    """Check and read an uploaded .xlsx, .xlsm, .xls, .ods or .csv (decided by content); raises
    RejectedFile (plain-English ``.message``) when refused.

    ``timeout`` bounds the reader process (wall clock and CPU); the checks are bounded by size caps.
    """
    try:
        if safety.sniff(data, filename) == "text":
            return _read_csv(data, filename)
        check = Precheck(data, filename)
        check.structure()
        if check.kind == "xlsx":
            return _read_xlsx(check, timeout)
        return _read_listed(check, timeout)
    except RejectedFile as exc:
        log.info("upload refused (%s): %r", exc.detail or "no detail", filename[:80])
        raise
    except Exception as exc:  # never let an unexpected failure on a hostile file escape as a crash
        log.exception("unexpected failure reading an upload")
        raise RejectedFile(MSG_UNREADABLE, f"unexpected {exc.__class__.__name__}") from None


# ---------------------------------------------------------------------------------------------
# Benchmark: python -m lib.returns.workbook --bench [--regional]


def typical_return(seed: int = 1) -> bytes:
    """A typical monthly return: KPIs 60 × (4 + 24 months), Actions 200 × 8 with 400–1,500-char texts."""
    import datetime
    import io
    import random

    import xlsxwriter

    rnd = random.Random(seed)  # noqa: S311 - benchmark data, not secrets
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    kpis = wb.add_worksheet("KPIs")
    pct = wb.add_format({"num_format": "0.0%"})
    months = [datetime.date(2023 + m // 12, m % 12 + 1, 1) for m in range(24)]
    kpis.write_row(0, 0, ["KPI code", "KPI name", "Unit", "Polarity"] + [m.strftime("%b %Y") for m in months])
    for r in range(60):
        kpis.write_row(r + 1, 0, [f"CSC{r:03d}", f"Indicator {r}", "%" if r % 3 == 0 else "count", "high"])
        for c in range(24):
            if r % 3 == 0:
                kpis.write_number(r + 1, 4 + c, round(rnd.random(), 3), pct)
            else:
                kpis.write_number(r + 1, 4 + c, rnd.randint(0, 900))
    actions = wb.add_worksheet("Actions")
    words = ["the", "service", "will", "review", "improve", "ensure", "children", "families", "social", "workers",
             "supervision", "audit"]
    dfmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    actions.write_row(0, 0, ["Ref", "Theme", "Action", "Owner", "Due", "Status", "RAG", "Update"])

    def text(n: int) -> str:
        parts: list[str] = []
        while sum(len(w) + 1 for w in parts) < n:
            parts.append(rnd.choice(words))
        return " ".join(parts)

    for r in range(1, 201):
        actions.write_row(r, 0, [f"A{r:03d}", rnd.choice(["Practice", "Workforce", "Leadership"]),
                                 text(rnd.randint(400, 1500)), "Head of Service"])
        actions.write_datetime(r, 4, datetime.datetime(2025, rnd.randint(1, 12), 1), dfmt)
        actions.write_row(r, 5, [rnd.choice(["On track", "Delayed", "Complete"]), rnd.choice("RAG"),
                                 text(rnd.randint(400, 1500))])
    wb.close()
    return out.getvalue()


def regional_workbook(path: str, rows: int = 270_000) -> None:
    """A long regional workbook (LA × KPI × month, 12 columns), written with xlsxwriter constant_memory."""
    import datetime
    import random

    import xlsxwriter

    rnd = random.Random(2)  # noqa: S311 - benchmark data, not secrets
    wb = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False})
    ws = wb.add_worksheet("Data")
    pct = wb.add_format({"num_format": "0.0%"})
    dfmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, ["LA code", "KPI code", "Period", "Value", "Numerator", "Denominator", "Unit", "Polarity",
                        "Quartile", "Rank", "Suppressed", "Source"])
    for r in range(1, rows + 1):
        la, k, m = 300 + r % 150, (r // 150) % 50, r // 7500
        ws.write_number(r, 0, la)
        ws.write_string(r, 1, f"CSC{k:03d}")
        ws.write_datetime(r, 2, datetime.datetime(2022 + m // 12, m % 12 + 1, 1), dfmt)
        if k % 2:
            ws.write_number(r, 3, round(rnd.random(), 3), pct)
        else:
            ws.write_number(r, 3, rnd.randint(0, 500))
        ws.write_row(r, 4, [rnd.randint(0, 500), 600, "%" if k % 2 else "n", 1, 1 + k % 4, 1 + la % 150])
        ws.write_boolean(r, 10, False)
        ws.write_string(r, 11, "DfE")
    wb.close()


def _calamine_alone(data: bytes) -> list[Any]:
    import io

    import python_calamine

    book = python_calamine.CalamineWorkbook.from_object(io.BytesIO(data))
    return [book.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in book.sheet_names]


def _peak_kb(pid: int | str = "self") -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a live process (Linux /proc; 0 elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def _bench_typical(runs: int) -> None:
    """Medians of (a), (b), (c), measured interleaved so all three see the same machine load."""
    import statistics
    import time

    from lib.returns.safety import precheck

    data = typical_return()
    worker.prestart()
    for _ in range(20):  # warm up the child, the caches and the allocator
        _calamine_alone(data)
        read_workbook(data, "typical.xlsx")
    times: dict[str, list[float]] = {"a": [], "b": [], "c": []}
    steps = {"a": lambda: _calamine_alone(data), "b": lambda: precheck(data, "typical.xlsx"),
             "c": lambda: read_workbook(data, "typical.xlsx")}
    for _ in range(runs):
        for key, step in steps.items():
            t0 = time.perf_counter()
            step()
            times[key].append(time.perf_counter() - t0)
    a, b, c = (statistics.median(times[k]) * 1000 for k in "abc")
    # CPU time is what a busy server pays whether or not a second core is free.
    cpu_a0 = time.process_time()
    for _ in range(runs):
        _calamine_alone(data)
    cpu_a = (time.process_time() - cpu_a0) / runs * 1000
    children = [w.proc.pid for w in worker._POOL.idle]
    cpu_c0, child0 = time.process_time(), sum(_cpu_seconds(pid) for pid in children)
    for _ in range(runs):
        read_workbook(data, "typical.xlsx")
    child1 = sum(_cpu_seconds(pid) for pid in children)
    cpu_c = (time.process_time() - cpu_c0 + child1 - child0) / runs * 1000
    print(f"typical return: {len(data) / 1024:.0f} KB, {runs} interleaved runs, medians")
    print(f"  (a) python-calamine alone, in-process : {a:7.2f} ms")
    print(f"  (b) precheck alone                    : {b:7.2f} ms")
    print(f"  (c) read_workbook (warm worker)       : {c:7.2f} ms   ratio (c)/(a) = {c / a:.2f}")
    print(f"  CPU per file: (a) {cpu_a:.2f} ms, (c) {cpu_c:.2f} ms parent + reader child (ratio {cpu_c / cpu_a:.2f})")


def _bench_regional(path: str) -> None:
    import time

    from lib import config

    with open(path, "rb") as f:
        data = f.read()
    config.MAX_UPLOAD_BYTES = max(config.MAX_UPLOAD_BYTES, len(data))  # the bench file may exceed the app cap
    t0 = time.perf_counter()
    book = read_workbook(data, "regional.xlsx", timeout=120)
    t1 = time.perf_counter()
    rows = book.sheets[0].rows
    child_peaks = [_peak_kb(w.proc.pid) for w in worker._POOL.idle]
    print(f"regional workbook: {len(data) / 1e6:.1f} MB, {len(rows):,} rows × {len(rows[0])} columns")
    print(f"  read_workbook: {t1 - t0:.2f} s; peak RSS parent {_peak_kb() / 1024:.0f} MB, "
          f"reader child {max(child_peaks, default=0) / 1024:.0f} MB")
    del book, rows
    t0 = time.perf_counter()
    _calamine_alone(data)
    print(f"  python-calamine alone, in-process (after the above): {time.perf_counter() - t0:.2f} s")


def _main(argv: list[str]) -> int:
    import subprocess
    import sys
    import tempfile

    if "--regional-child" in argv:
        _bench_regional(argv[argv.index("--regional-child") + 1])
        return 0
    if "--bench" not in argv:
        print("usage: python -m lib.returns.workbook --bench [--regional]")
        return 2
    _bench_typical(runs=200)
    if "--regional" in argv:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "regional.xlsx")
            regional_workbook(path)
            subprocess.run([sys.executable, "-m", "lib.returns.workbook", "--regional-child", path], check=True)
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(_main(sys.argv[1:]))
