"""Turn a read workbook into records and problems: every problem, not the first.

Sheet by sheet: fill merged cells, find the header row, then walk the rows below it,
skipping blank rows and repeated headers, taking banner rows (``SAFEGUARDING``,
``Objective One: ...``) as context and full-width commentary rows as the previous KPI's
commentary. Values go through :mod:`lib.values` and periods through :mod:`lib.periods`,
so "44.0% (G)", "n/a", "Sept 17" and "Academic Year 2015/16" mean the same here as in
the sample data. Nothing touches the database: what the database knows arrives as a
:class:`Context`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lib import config, formatting, periods, rag, values, vocab
from lib.returns import headers
from lib.returns.records import (
    ActionRecord,
    BenchmarkRecord,
    InspectionKey,
    JudgementRecord,
    KpiRecord,
    Loc,
    MilestoneRecord,
    ParsedReturn,
    RecommendationRecord,
    SheetReport,
    TargetRecord,
    ValueRecord,
    column_letter,
)
from lib.returns.workbook import Sheet, Workbook

NEW_MEASURE = "new measure"
NOTE_LINE = re.compile(r"(?i)^\s*(\*|†|‡|¹|²|\(\d\)|\d\)\s|source[sd]?\b|notes?\b|nb\b|n\.b\.|key\b|footnote|"
                       r"data (source|as at|correct)|figures (are|in)|please\b|produced\b|prepared\b|contact\b|"
                       r"caveat|definitions?\b|denominator|provisional|rag key|dot key|direction of travel key|"
                       r"\[\w)")
TOTAL_ROW = re.compile(r"(?i)^\s*(grand\s+)?(sub[\s-]?)?totals?\b|^\s*(average|mean|median|overall|all kpis)\s*$")


@dataclass
class Context:
    """What the database already knows, for matching and checks."""

    authority: str = config.DEFAULT_AUTHORITY
    authorities: dict[str, str] = field(default_factory=dict)  # code -> name
    kpi_units: dict[str, str] = field(default_factory=dict)  # ref -> unit (every stored KPI is here)
    kpi_polarity: dict[str, str] = field(default_factory=dict)  # ref -> polarity code
    kpi_year_kind: dict[str, str] = field(default_factory=dict)  # ref -> the kind of year its annual values use
    kpi_sub_annual: set[str] = field(default_factory=set)  # refs with monthly or quarterly values stored
    kpi_names: dict[str, str] = field(default_factory=dict)  # lower-case name -> ref
    kpi_names_shared: dict[str, set[str]] = field(default_factory=dict)  # a name two or more KPIs share -> refs
    kpi_dated: set[str] = field(default_factory=set)  # refs with values as at a day, or by month or quarter
    kpi_typical: dict[str, float] = field(default_factory=dict)  # ref -> median |value| of history
    plan_refs: dict[str, set[str]] = field(default_factory=dict)  # plan code -> action refs
    today: dt.date = field(default_factory=dt.date.today)
    period_hint: periods.Period | None = None  # the month a return is for, when the file does not say
    mappings: dict[str, dict[int, str]] = field(default_factory=dict)  # layout signature -> column mapping
    _ref_index: dict[str, list[str]] | None = None

    def ref_index(self) -> dict[str, list[str]]:
        """Stored refs by their loose key (see :func:`ref_key`), built once."""
        if self._ref_index is None:
            index: dict[str, list[str]] = {}
            for ref in self.kpi_units:
                index.setdefault(ref_key(ref), []).append(ref)
            self._ref_index = index
        return self._ref_index


_TYPE_WORD = re.compile(r"(?i)[\s(\[]*\b(cpi|spi|kpi|pi|du|ni|local|corporate)\b[)\]]*\s*$")


def ref_key(ref: str) -> str:
    """A ref with case, spaces, separators, leading zeros and a trailing type word taken out:
    "FS S6", "fs/s06", "FS/S6 (CPI)" and "FS-S6" all give "FSS6"."""
    text = _TYPE_WORD.sub("", ref.strip()) or ref.strip()
    text = re.sub(r"[\s/\\\-_.:]+", "", text.upper())
    return re.sub(r"(?<![0-9])0+(?=[0-9])", "", text)


def _text(value: object) -> str:
    if value is None:
        return ""
    if value.__class__ is str:
        return values.clean_text(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return values.clean_text(value)


@functools.lru_cache(maxsize=1_024)
def _letters(col: int) -> str:
    return column_letter(col)


@functools.lru_cache(maxsize=4_096)
def _is_total(label: str) -> bool:
    """A total or average row's label ("Total", "Grand total", "Average"): asked once per distinct label."""
    return TOTAL_ROW.match(label) is not None


def _given(fields: dict[str, Any]) -> dict[str, Any]:
    """A value record's fields without the empty ones (a national file holds hundreds of thousands)."""
    return {k: v for k, v in fields.items() if v is not None}


def _cell(row: list[object], col: int | None) -> object:
    return row[col] if col is not None and col < len(row) else None


def fill_merged(sheet: Sheet) -> list[list[object]]:
    """Copy each merged range's top-left value into every cell of the range.

    The rows are copies where anything may change them (merged ranges; the first 40 rows, where month
    headers are rewritten): the rest are shared with the sheet, which a national file cannot afford twice."""
    rows = [list(r) for r in sheet.rows] if sheet.merged else [
        *(list(r) for r in sheet.rows[:40]), *sheet.rows[40:]]
    for r0, c0, r1, c1 in sheet.merged:
        if r0 >= len(rows):
            continue
        top = rows[r0][c0] if c0 < len(rows[r0]) else None
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            if len(row) <= c1:
                row.extend([None] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    row[c] = top
    return rows


def _nonempty(row: list[object]) -> list[tuple[int, object]]:
    return [(c, v) for c, v in enumerate(row)  # a number is never empty: asked first, it skips the text test
            if v is not None and (v.__class__ is float or not (isinstance(v, str) and (v == "" or v.isspace())))]


_MONTH_IN_TEXT = re.compile(
    r"(?i)\b(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sept?(ember)?|oct(ober)?|"
    r"nov(ember)?|dec(ember)?)[\s\-_]*((19|20)?\d{2})\b"
)
_ISO_MONTH = re.compile(r"\b((?:19|20)\d{2})[-_.](0[1-9]|1[0-2])\b")


def period_from_text(text: str) -> periods.Period | None:
    """A month named in a title or file name ("Progress as at June 2019", "return_2019-06.xlsx")."""
    iso = _ISO_MONTH.search(text)
    if iso:
        return periods.month(int(iso.group(1)), int(iso.group(2)))
    found = _MONTH_IN_TEXT.search(text)
    if found:
        return periods.parse_month_header(found.group(0).replace("_", " "))
    return None


class SheetParser:
    """Parse one sheet given its header match."""

    def __init__(self, out: ParsedReturn, ctx: Context, sheet: Sheet, rows: list[list[object]],
                 match: headers.HeaderMatch, sheet_period: periods.Period | None) -> None:
        self.out, self.ctx, self.sheet, self.rows, self.match = out, ctx, sheet, rows, match
        self.cols = {f: c for c, f in match.columns.items()}
        self.sheet_period = sheet_period
        self.header_norm = [headers.normalise(v) for v in rows[match.row]]
        self.context_label: str | None = self.banner_above()
        self.count = 0
        self.skipped_blank = 0
        self.defined: set[str] = set()  # KPI refs whose definition cells were read in this sheet
        self.period_cache: dict[tuple[object, object, str | None], periods.Period | None] = {}
        self.first_header_col = next((c for c, h in enumerate(self.header_norm) if h), 0)
        self.noted: set[object] = set()
        self.width = len([h for h in self.header_norm if h])  # the table's own header cells
        self.ref_cache: dict[str, str] = {}
        self.skipped_rows: list[str] = []
        self.conflicts: set[str] = set()  # refs whose unit or polarity cell contradicts the stored KPI
        self.fills: dict[tuple[int, int], str] = getattr(sheet, "fill_colours", {}) or {}
        self.start, self.end = match.row + 1, len(rows)  # the table's data rows
        self.sheet_authority: str | None = None  # named by the title, sheet name or file name
        self.roles: dict[int, str] = {}  # two-row headers: month column -> value | target | rag
        self.number_formats = True  # False for .xls/.ods/.csv: no percent formats to go by
        self.current_ref: str | None = None  # the KPI of the row being read (for its kind of year)
        self.implicit_numbers: set[str] = set()  # recommendation numbers given by order of unnumbered texts
        self.target_years = headers.target_years(rows[match.row])  # "Target 2019/20" columns: column -> year
        self._year_kinds: dict[str, str] | None = None
        self.target_cells: dict[tuple[str, str, dt.date, dt.date], str] = {}  # a KPI's year → its cell
        self._cells_of: tuple[list[object] | None, list[tuple[int, object]]] = (None, [])
        self.target_memo: dict[tuple[type, object, bool], values.ParsedTarget] = {}
        self.plain_authorities: dict[object, str] = {}  # authority cells read without a problem -> code
        self.plain_labels: dict[str, bool] = {}  # a plain row's ref cell -> it names a KPI row (not a total)
        self.plain_targets: dict[float, tuple[float | None, str | None]] = {}  # a plain target cell, read
        self.kpi_of_cells: dict[tuple[object, ...], str | None] = {}  # ref and name cells -> the row's KPI
        # a long table's target, commentary and RAG columns, shared by every value record of the sheet
        self.value_cells = {f: c for f, c in (("target", self.cols.get("target")),
                                              ("commentary", self.cols.get("commentary")),
                                              ("rag_reported", self.cols.get("rag"))) if c is not None}

    def cells(self, row: list[object]) -> list[tuple[int, object]]:
        """The row's filled cells, worked out once per row however many checks ask."""
        last, cells = self._cells_of
        if row is not last:
            cells = _nonempty(row)
            self._cells_of = (row, cells)
        return cells

    # helpers -------------------------------------------------------------------------------
    def banner_above(self) -> str | None:
        """A section label just above the header ("SAFEGUARDING") applies to the rows below it."""
        for row in reversed(self.rows[: self.match.row]):
            cells = _nonempty(row)
            if not cells:
                continue
            text = _text(cells[0][1]).strip("# ")
            if len(cells) == 1 and text.isupper() and len(text) <= 60:
                return text.capitalize()
            return None
        return None

    def loc(self, row: int, fld: str | None = None, col: int | None = None) -> Loc:
        if col is None and fld is not None:
            col = self.cols.get(fld)
        return Loc(self.sheet.name, row, col)

    def raw(self, row: list[object], fld: str) -> object:
        col = self.cols.get(fld)
        if col is None or col >= len(row):
            return None
        return row[col]

    def text(self, row: list[object], fld: str) -> str:
        return _text(self.raw(row, fld))

    def check_cell(self, r: int, c: int | None) -> bool:
        """Excel errors and formulas without a cached value are refused, with the cell named."""
        if c is None:
            return True
        if (r, c) in self.sheet.error_cells:
            self.out.problem(Loc(self.sheet.name, r, c),
                             f"the cell holds the Excel error {self.sheet.error_cells[(r, c)]}; type the value")
            return False
        if (r, c) in self.sheet.formula_cells and (r >= len(self.rows) or c >= len(self.rows[r])
                                                   or self.rows[r][c] is None):
            self.out.problem(Loc(self.sheet.name, r, c),
                             "the cell is a formula with no saved result; paste the value instead of the formula")
            return False
        return True

    def long_text(self, r: int, fld: str, text: str) -> str:
        if len(text) > config.MAX_TEXT_CHARS:  # Excel's own cell limit
            self.out.problem(self.loc(r, fld), f"the text is {len(text):,} characters; the limit is "
                             f"{config.MAX_TEXT_CHARS:,}: shorten it")
        return text

    def is_repeat_header(self, row: list[object]) -> bool:
        col = self.first_header_col
        if col >= len(row) or headers.normalise(row[col]) != self.header_norm[col]:
            return False
        norm = [headers.normalise(v) for v in row]
        same = sum(1 for a, b in zip(norm, self.header_norm, strict=False) if a and a == b)
        return same >= max(2, len([h for h in self.header_norm if h]) // 2)

    def banner(self, row: list[object]) -> str | None:
        """A section row: one distinct text across the row (merged or alone), no data fields."""
        cells = self.cells(row)
        if not cells:
            return None
        first = cells[0][1]
        if any(v != first for _, v in cells[1:]):
            return None
        if len(cells) == 1 or len(cells) >= max(2, self.width - 1):
            text = _text(first)
            data_cols = {c for f, c in self.cols.items() if f in ("value", "target", "status", "rag", "lead", "due")}
            if len(cells) == 1 and cells[0][0] in data_cols:
                return None
            return text
        return None

    def rows_below(self) -> Iterable[tuple[int, list[object]]]:
        for r in range(self.start, min(self.end, len(self.rows))):
            row = self.rows[r]
            if not self.cells(row):
                continue
            if self.is_repeat_header(row):
                continue
            yield r, row

    def exact_period(self, r: int, row: list[object]) -> periods.Period | None:
        """Our export's exact period columns (kind, start, end) rebuild the period as stored."""
        if "period_kind" not in self.cols:
            return None
        kind = self.text(row, "period_kind")
        if not (kind and self.raw(row, "period_start") is not None and self.raw(row, "period_end") is not None):
            return None
        if kind not in vocab.PERIOD_KINDS:
            self.out.problem(self.loc(r, "period_kind"), f"period kind '{kind}' is not one of "
                             f"{', '.join(vocab.PERIOD_KINDS)}")
            return None
        try:
            start = periods.parse_date(self.raw(row, "period_start"))
            end = periods.parse_date(self.raw(row, "period_end"))
        except periods.PeriodError as exc:
            self.out.problem(self.loc(r, "period_start"), f"cannot read the period dates: {exc}")
            return None
        label = self.text(row, "period") or periods.span(start, end).label
        return periods.Period(end=end, start=start, kind=kind, label=label)

    def row_period(self, r: int, row: list[object], *, required: bool) -> periods.Period | None:
        exact = self.exact_period(r, row)
        if exact is not None:
            return self.future_check(r, exact)
        raw = self.raw(row, "period")
        key = (raw, self.raw(row, "period_kind"), self.ctx.kpi_year_kind.get(self.current_ref or ""))
        if key in self.period_cache and self.period_cache[key] is not None:  # the same month on many rows
            return self.period_cache[key]
        found = self._row_period(r, row, raw, required=required)
        if _hashable(raw):
            self.period_cache[key] = found
        return found

    def _row_period(self, r: int, row: list[object], raw: object, *, required: bool) -> periods.Period | None:
        if raw is not None and _text(raw):
            try:
                kind = self.text(row, "period_kind") or None
                period = periods.parse_period(raw, hint=kind if kind in vocab.PERIOD_KINDS else None)
            except periods.PeriodError as exc:
                self.out.problem(self.loc(r, "period"), f"cannot read the period: {exc}")
                return None
            return self.future_check(r, period)
        if self.sheet_period is not None:
            return self.future_check(r, self.sheet_period)
        header_year = self.value_header_year(self.current_ref)
        if header_year is not None:
            return header_year
        if required:
            self.out.problem(self.loc(r), "no period: add a Period (or Month) column, or name the month in the "
                             "sheet title or file name")
        return None

    def kind_check(self, r: int, col: int | None, ref: str, period: periods.Period) -> None:
        """A KPI stored only by year given a month (or quarter) here: warn, it starts a second series."""
        year_kind = self.ctx.kpi_year_kind.get(ref)
        if year_kind and ref not in self.ctx.kpi_sub_annual and period.kind in ("month", "quarter") \
                and ("kind", ref) not in self.noted:
            self.noted.add(("kind", ref))
            self.out.problem(Loc(self.sheet.name, r, col), f"{ref} is stored by {year_kind.replace('_', ' ')} "
                             f"only; this gives it a {period.kind} figure ({period.label}) — check the period",
                             "warning")

    def value_header_year(self, ref: str | None) -> periods.Period | None:
        """"2018/19 Result" as the value's header, with no period column or title: that year — an academic
        year when the KPI's stored years are academic, else the financial year (noted for each kind)."""
        col = self.cols.get("value")
        if col is None or col >= len(self.header_norm):
            return None
        found = re.match(r"^(\d{4})[/-](\d{2}) (result|actual|outturn)", self.header_norm[col])
        if not found:
            return None
        kind = self.ctx.kpi_year_kind.get(ref or "", "financial_year")
        try:
            period = periods.parse_year_label(f"{found.group(1)}/{found.group(2)}", hint=kind)
        except periods.PeriodError:
            return None
        if ("header_year", col, kind) not in self.noted:
            self.noted.add(("header_year", col, kind))
            how = ("the academic year (September–August) — the KPI's stored years are academic years"
                   if kind == "academic_year" else "the financial year (April–March)")
            self.out.note(Loc(self.sheet.name, self.match.row, col), f"no period column or title: "
                          f"'{self.header_norm[col]}' read as {period.label}, {how}")
        return period

    def target_for(self, r: int, row: list[object], period: periods.Period | None,
                   ref: str | None = None) -> dict[str, Any]:
        """The target cell for the row's period: of "Target 2019/20" and "Target 2020/21", the one whose year
        (read as :meth:`target_period` reads it, the KPI's kind of year) holds the period's end."""
        if period is not None and len(self.target_years) > 1:
            col = self.target_column(ref or self.current_ref or "", period)
            if col is None:
                return {"target": None, "target_text": None}
            return self.target_cell(r, col, row[col] if col < len(row) else None)
        return self.target_fields(r, row)

    def target_column(self, ref: str, period: periods.Period) -> int | None:
        """The year's target column for a value's period: its year holds the period's end, same kind first."""
        spans = [(col, self.target_period(col, ref, found, say=False)) for col, found in self.target_years.items()]
        holding = [(col, tp) for col, tp in spans if tp.start <= period.end <= tp.end]
        if not holding:
            return None
        return min(holding, key=lambda item: item[1].kind != period.kind)[0]

    def future_check(self, r: int, period: periods.Period, col: int | None = None) -> periods.Period | None:
        """A period that has not ended yet is stored with a warning; one over a year ahead is refused."""
        if period.end <= self.ctx.today + dt.timedelta(days=45):
            return period
        where = self.loc(r, "period") if col is None else Loc(self.sheet.name, r, col)
        if period.end > self.ctx.today + dt.timedelta(days=366):
            self.out.problem(where, f"the period {period.label} is more than a year in the future")
            return None
        if ("future", period) not in self.noted:
            self.noted.add(("future", period))
            self.out.problem(where, f"the period {period.label} has not ended yet: check the month", "warning")
        return period

    # KPI families ------------------------------------------------------------------------------
    def kpi_ref(self, r: int, row: list[object]) -> tuple[str | None, str | None]:
        col = self.cols.get("ref")
        cells: list[object] = []
        if col is not None:
            cells = [row[col] if col < len(row) else None]
            nxt = col + 1
            beside = self.header_norm[nxt] if nxt < len(self.header_norm) else ""
            split = not beside or beside == self.header_norm[col]  # "Ref" over two cells: CPI | FS/S6
            if nxt < len(row) and nxt not in self.match.columns and split:
                cells.append(row[nxt])
        kind, ref = values.parse_ref(cells) if cells else (None, None)
        raw_ref = " ".join(_text(c) for c in cells if c is not None and _text(c))
        if ref and re.search(r"[(\[]", raw_ref) and ("bracket", raw_ref) not in self.noted:
            self.noted.add(("bracket", raw_ref))
            self.out.note(self.loc(r, "ref"), f"'{raw_ref[:40]}' read as {ref} (the words in brackets are not part "
                          "of the reference)")
        if ref and not looks_like_ref(ref):
            self.out.problem(self.loc(r, "ref"), f"'{ref[:40]}' does not look like a KPI reference (e.g. FS/S6)")
            return None, None
        name = self.text(row, "name") or None
        key = " ".join(name.lower().split()) if name else ""
        if not ref and name and key in self.ctx.kpi_names_shared:
            self.out.problem(self.loc(r, "name"), f"'{name[:60]}' is the name of "
                             f"{' and '.join(sorted(self.ctx.kpi_names_shared[key]))}: give the Ref")
            return None, None
        if ref and name and self.ctx.kpi_names.get(key) not in (None, ref) and key not in self.ctx.kpi_names_shared:
            self.out.problem(self.loc(r, "name"), f"{ref} is beside '{name[:60]}', the name of "
                             f"{self.ctx.kpi_names[key]}: check the row (stored as {ref})", "warning")
        if not ref and name:
            ref = self.ctx.kpi_names.get(key)
            if not ref:
                self.out.problem(self.loc(r, "name"), f"no KPI is named '{name[:60]}' and the row has no Ref: "
                                 "give the Ref, or the KPI's exact name")
                return None, None
            if ref:
                self.note_once(("name", name), self.loc(r, "name"), f"'{name[:60]}' has no Ref; matched by its "
                               f"exact name to {ref}")
        if ref:
            ref = self.known_ref(r, ref)
        return ref, kind

    def note_once(self, key: object, loc: Loc, message: str) -> None:
        if key not in self.noted:
            self.noted.add(key)
            self.out.note(loc, message)

    def known_ref(self, r: int, ref: str) -> str | None:
        """A ref as the database knows it: "FS S6", "fs/s11 ", "FS/S06" are FS/S6 and FS/S11 (with a note);
        a key two stored refs share is a problem naming both; an unknown ref is a new KPI (noted)."""
        known = self.ctx.kpi_units
        if ref in known or not known:
            return ref
        cached = self.ref_cache.get(ref)
        if cached is not None:
            return cached or None
        candidates = self.ctx.ref_index().get(ref_key(ref), [])
        if len(candidates) == 1:
            self.out.note(self.loc(r, "ref"), f"'{ref}' read as {candidates[0]}")
            self.ref_cache[ref] = candidates[0]
            return candidates[0]
        if len(candidates) > 1:
            self.out.problem(self.loc(r, "ref"), f"'{ref}' could be {' or '.join(sorted(candidates))}: did you mean "
                             f"{' or '.join(sorted(candidates))}? Write the Ref exactly")
            self.ref_cache[ref] = ""
            return None
        if ref not in self.out.kpis:
            self.out.note(self.loc(r, "ref"), f"'{ref}' is not a KPI the database knows: it will be added as a "
                          "new KPI")
        self.ref_cache[ref] = ref
        return ref

    def row_kpi(self, r: int, row: list[Any]) -> str | None:
        """The row's KPI ref with its definition recorded; None (a problem when it has no ref) skips the row.

        Long files give the same ref and name on thousands of rows: once a pair has been read without a
        warning or an error (its notes are said once anyway), later rows reuse the answer."""
        ref_col, name_col = self.cols.get("ref"), self.cols.get("name")
        key = (_cell(row, ref_col), _cell(row, None if ref_col is None else ref_col + 1), _cell(row, name_col))
        try:
            return self.kpi_of_cells[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable cell: read the row the long way
            return self._row_kpi(r, row)
        before = len(self.out.problems)
        found = self._row_kpi(r, row)
        if all(p.severity == "note" for p in self.out.problems[before:]):
            self.kpi_of_cells[key] = found
        return found

    def _row_kpi(self, r: int, row: list[Any]) -> str | None:
        ref, kind = self.kpi_ref(r, row)
        if not ref:
            if not any(p.row == r + 1 and p.sheet == self.sheet.name for p in self.out.errors[-3:]):
                self.out.problem(self.loc(r, "ref"), "no KPI reference: give the Ref (or the exact KPI name)")
            return None
        self.kpi_record(r, row, ref, kind)
        return None if ref in self.conflicts else ref

    def kpi_record(self, r: int, row: list[object], ref: str, kind: str | None) -> KpiRecord:
        rec = self.out.kpis.get(ref)
        if rec is not None and ref in self.defined:  # long returns repeat a KPI's name on every row
            return rec
        self.defined.add(ref)
        if rec is None:
            rec = KpiRecord(ref=ref, loc=self.loc(r, "ref"))
            self.out.kpis[ref] = rec
        name = self.text(row, "name")
        if name:
            rec.name = rec.name or name
        definition = self.match.family.code == "kpi_definitions"
        rec.definition = rec.definition or definition
        stored = ref in self.ctx.kpi_units and not definition
        polarity_text = self.text(row, "polarity")
        if polarity_text:
            pol = vocab.normalise_polarity(polarity_text)
            if pol is None:
                self.out.problem(self.loc(r, "polarity"), f"polarity '{polarity_text[:40]}' is not one of Higher "
                                 "is better, Lower is better, Monitor" + ("; the stored polarity is kept" if stored
                                                                          else ""),
                                 "warning" if stored else "error")
            elif stored and pol != self.ctx.kpi_polarity.get(ref):
                self.out.problem(self.loc(r, "polarity"), f"polarity '{polarity_text[:40]}' differs from {ref}'s "
                                 f"stored polarity ({vocab.POLARITY_LABELS.get(self.ctx.kpi_polarity.get(ref, ''))}"
                                 "): a return cannot change what good looks like — correct the cell, or change "
                                 "the KPI on a KPI definitions sheet")
                self.conflicts.add(ref)
            elif not stored:
                rec.polarity, rec.polarity_reported = pol, polarity_text
        unit_text = self.text(row, "unit")
        if unit_text:
            unit = unit_code(unit_text)
            if unit is None:
                self.out.problem(self.loc(r, "unit"), f"unit '{unit_text[:40]}' is not one of "
                                 f"{', '.join(vocab.UNITS)}" + ("; the stored unit is kept" if stored else ""),
                                 "warning" if stored else "error")
            elif stored and unit != self.ctx.kpi_units.get(ref):
                self.out.problem(self.loc(r, "unit"), f"unit '{unit_text[:40]}' differs from {ref}'s stored unit "
                                 f"({self.ctx.kpi_units.get(ref)}): a return cannot change a KPI's unit — correct "
                                 "the cell, or change the KPI on a KPI definitions sheet")
                self.conflicts.add(ref)
            elif not stored:
                rec.unit = unit
        theme = self.text(row, "theme") or self.context_label
        if theme:
            rec.theme = rec.theme or theme
        if kind or self.text(row, "kpi_type"):
            rec.kpi_type = kind or self.text(row, "kpi_type")
        for fld, attr in (("owner", "owner"), ("frequency", "frequency"), ("definition", "description")):
            text = self.text(row, fld)
            if text:
                setattr(rec, attr, text)
        rule = self.text(row, "rag_rule")
        if rule:
            rule = rule.lower().replace(" ", "_")
            if rule not in rag.RULES:
                self.out.problem(self.loc(r, "rag_rule"), f"RAG rule '{self.text(row, 'rag_rule')}' is not one of: "
                                 + ", ".join(formatting.rule_label(name) for name in rag.RULES))
            else:
                rec.rag_rule = rule
        for fld, attr, conv in (("tolerance", "tolerance", float), ("decimals", "decimals", int)):
            raw = self.raw(row, fld)
            if raw is not None and _text(raw):
                try:
                    setattr(rec, attr, conv(float(str(raw).strip().rstrip("%"))))
                except ValueError:
                    self.out.problem(self.loc(r, fld), f"'{_text(raw)}' is not a number")
        return rec

    def unit_of(self, ref: str) -> str | None:
        rec = self.out.kpis.get(ref)
        return (rec.unit if rec and rec.unit else None) or self.ctx.kpi_units.get(ref)

    def authority_of(self, r: int, row: list[object]) -> str | None:
        code = self.text(row, "authority")
        if code:
            raw = self.raw(row, "authority")
            code = code.split(".")[0].zfill(3)
            if self.ctx.authorities and code not in self.ctx.authorities:
                self.out.problem(self.loc(r, "authority"), f"unknown local authority code '{code}'")
                return None
            with contextlib.suppress(TypeError):
                self.plain_authorities[raw] = code
            return code
        name = self.text(row, "authority_name")
        if name:
            for c, n in self.ctx.authorities.items():
                if n.lower() == name.lower():
                    return c
            self.out.problem(self.loc(r, "authority_name"), f"unknown local authority '{name}'")
            return None
        return self.sheet_authority or self.ctx.authority

    def value_fields(self, r: int, c: int | None, raw: object, ref: str) -> dict[str, Any] | None:
        if not self.check_cell(r, c):
            return None
        pct = c is not None and (r, c) in self.sheet.percent_cells
        unit = self.unit_of(ref)
        parsed = values.parse_value(raw, percent_format=pct, unit=unit)
        if values.is_excel_error(parsed.text):
            self.out.problem(Loc(self.sheet.name, r, c), f"the cell holds the Excel error {parsed.text}")
            return None
        if parsed.missing_reason == "not a number" and SUPPRESSED.match(parsed.text):
            parsed = values.ParsedValue(None, parsed.text, "suppressed", None, False)
            self.out.note(Loc(self.sheet.name, r, c), f"{ref}: '{parsed.text}' stored as a suppressed (small) "
                          "number, not a figure")
        if parsed.missing_reason == "not a number":
            self.out.problem(Loc(self.sheet.name, r, c), f"'{parsed.text[:60]}' is not a number or a recognised "
                             "missing-value marker (n/a, -, TBC, Not available, <5, *)")
            return None
        if parsed.value is not None and parsed.qualifier:
            if unit == "percent" and not parsed.is_percent and re.search(r"\d", parsed.qualifier):
                self.out.problem(Loc(self.sheet.name, r, c), f"{ref} is a percentage but '{parsed.text[:60]}' gives "
                                 "a count with a note: type the percentage itself (e.g. 44.4)")
                return None
            self.out.note(Loc(self.sheet.name, r, c), f"{ref}: '{parsed.text[:60]}' read as {parsed.value:g}")
        if parsed.value is not None and unit == "percent" and not parsed.is_percent:
            typical = self.ctx.kpi_typical.get(ref)
            if values.percent_scale_suspect(parsed.value, unit) and (typical is None or typical > 1.5):
                if not self.number_formats and isinstance(raw, float):
                    # .xls/.ods cells arrive without their number format: a 44% cell reads as 0.44
                    points = round(parsed.value * 100, 9)
                    self.out.note(Loc(self.sheet.name, r, c), f"{ref}: {parsed.text} read as {points:g}% (this "
                                  "file type does not say which cells are formatted as percentages)")
                    parsed = values.ParsedValue(points, parsed.text, None, parsed.reported_rag, True,
                                                parsed.qualifier)
                else:
                    self.out.problem(Loc(self.sheet.name, r, c), f"{parsed.text} looks like a fraction where "
                                     "percentage points are expected (for 44% type 44 or 44%, not 0.44)")
                    return None
        if (ref not in self.out.kpis or not self.out.kpis[ref].unit) and parsed.is_percent \
                and ref not in self.ctx.kpi_units:
            self.out.kpis.setdefault(ref, KpiRecord(ref=ref, loc=Loc(self.sheet.name, r, c))).unit = "percent"
        rag_text = None
        if parsed.reported_rag:
            rag_text = parsed.text.replace("(", " ").replace(")", " ").split()[-1]
        return {
            "value": parsed.value,
            "value_text": parsed.text or None,
            "missing_reason": parsed.missing_reason,
            "rag_reported": parsed.reported_rag,
            "rag_reported_text": rag_text,
        }

    def target_scale(self, r: int, col: int | None, ref: str, fields: dict[str, Any]) -> None:
        """A percentage KPI's target typed as a fraction (0.9 for 90%) is rescaled to points when the row's
        value or the KPI's history is in points (noted); with no evidence it is kept, with a warning."""
        target = fields.get("target")
        if target is None or self.unit_of(ref) != "percent" or not 0 < abs(target) <= 1.0 or col is None:
            return
        text = str(fields.get("target_text") or "")
        if "%" in text or (r, col) in self.sheet.percent_cells:
            return
        value = fields.get("value")
        typical = self.ctx.kpi_typical.get(ref)
        where = Loc(self.sheet.name, r, col)
        if (value is not None and abs(value) > 5) or (typical is not None and typical > 5):
            fields["target"] = round(target * 100, 6)
            self.out.note(where, f"{ref}: target {text or target} read as {fields['target']:g}% (a fraction of 1 "
                          "where percentage points are expected)")
        else:
            self.out.problem(where, f"{ref}: target {text or target} stored as {target:g}% — if you meant "
                             f"{target * 100:g}%, type {target * 100:g}", "warning")

    def target_range(self, r: int, col: int | None, ref: str, fields: dict[str, Any]) -> None:
        """A percentage target outside 0–100 is stored with a warning (9000 for "90" in a 0% cell)."""
        target = fields.get("target")
        if target is not None and col is not None and self.unit_of(ref) == "percent" and not 0 <= target <= 100:
            self.out.problem(Loc(self.sheet.name, r, col), f"{ref}: target {target:g}% is outside 0–100% — check "
                             "the cell (a percentage typed into a %-formatted cell is multiplied by 100)", "warning")

    def target_fields(self, r: int, row: list[object]) -> dict[str, Any]:
        col = self.cols.get("target")
        if col is None:
            return {"target": None, "target_text": None}
        return self.target_cell(r, col, self.raw(row, "target"))

    def target_cell(self, r: int, col: int, raw: object) -> dict[str, Any]:
        if raw is None or not _text(raw) or not self.check_cell(r, col):
            return {"target": None, "target_text": None}
        pct = (r, col) in self.sheet.percent_cells
        key = (raw.__class__, raw, pct)
        if raw.__class__ is float and raw:  # a long file gives each KPI's target on every row: read it once
            found = self.target_memo.get(key)
            if found is None:
                found = self.target_memo[key] = values.parse_target(raw, percent_format=pct)
            target = found
        else:
            target = values.parse_target(raw, percent_format=pct)
        return {"target": target.value, "target_text": target.text or None}

    def skip_row(self, r: int, text: str, why: str) -> None:
        shown = text if len(text) <= 60 else text[:59] + "…"
        self.skipped_rows.append(f"row {r + 1} '{shown}' ({why})")
        self.out.note(Loc(self.sheet.name, r), f"'{shown}' not read as data: {why}")

    def side_text(self, r: int, row: list[object], banner: str | None) -> bool:
        """Notes, sources, footnotes, keys and totals are kept as notes, never as KPI rows or commentary."""
        cells = self.cells(row)
        first = _text(cells[0][1]) if cells else ""
        if banner is not None and NOTE_LINE.match(banner):
            self.skip_row(r, banner, "a note under the table, kept as a note")
            return True
        label = _text(self.raw(row, "ref")) or _text(self.raw(row, "name")) or first
        if _is_total(label):
            self.skip_row(r, label, "a total or average row, not a KPI")
            return True
        if banner is None and len(cells) <= 2 and NOTE_LINE.match(first):
            self.skip_row(r, first, "a note beside the table, kept as a note")
            return True
        return False

    # A plain row of a long table (ref, authority, period, a number, a numeric target; nothing else) is
    # read by :meth:`plain_value` without the checks that can only matter for other rows. False reads
    # every row the full way: the test that compares both paths row by row switches it off.
    plain_rows = True
    _PLAIN_BLOCKERS = frozenset({"period_kind", "period_start", "period_end", "previous", "benchmark",
                                 "authority_name", "rag", "commentary"})

    def plain_value(self, r: int, row: list[object]) -> ValueRecord | None:
        """The row's value record when the row is plain, else None (and nothing said: the full path reads
        it). Plain means every check of the full path would pass silently: so a record from here is
        exactly the one the full path builds, without its warnings and notes (there are none to give)."""
        cells = self.cells(row)
        if len(cells) < 3:
            return None
        ref_cell = _cell(row, self.cols.get("ref"))
        vcol = self.cols["value"]
        cell = row[vcol] if vcol < len(row) else None
        if not isinstance(cell, float) or cell.__class__ is not float or ref_cell.__class__ is not str \
                or not math.isfinite(cell):
            return None
        raw: float = cell
        if (r, vcol) in self.sheet.formula_cells or (r, vcol) in self.sheet.error_cells \
                or (r, vcol) in self.sheet.percent_cells:
            return None
        labelled = self.plain_labels.get(ref_cell)
        if labelled is None:
            label = _text(ref_cell)
            labelled = self.plain_labels[ref_cell] = bool(label) and not _is_total(label)
        if not labelled:
            return None
        key = (ref_cell, _cell(row, self.cols["ref"] + 1), _cell(row, self.cols.get("name")))
        if key not in self.kpi_of_cells:
            return None
        ref = self.kpi_of_cells[key]
        if ref is None:
            return None
        acol = self.cols.get("authority")
        if acol is None:
            authority = self.sheet_authority or self.ctx.authority
        else:
            code = self.plain_authorities.get(_cell(row, acol))
            if code is None:
                return None
            authority = code
        period_raw = _cell(row, self.cols.get("period"))
        period = self.period_cache.get((period_raw, None, self.ctx.kpi_year_kind.get(ref)))
        if period is None:
            return None
        unit = self.unit_of(ref)
        if values.percent_scale_suspect(raw, unit):
            return None
        parsed = values.parse_value(raw, unit=unit)
        fields: dict[str, Any] = {"value": parsed.value, "value_text": parsed.text or None}
        tcol = self.cols.get("target")
        if tcol is not None:
            traw = row[tcol] if tcol < len(row) else None
            if traw is not None:
                if traw.__class__ is not float or not traw or (r, tcol) in self.sheet.percent_cells \
                        or (r, tcol) in self.sheet.formula_cells or (r, tcol) in self.sheet.error_cells:
                    return None
                read = self.plain_targets.get(traw)
                if read is None:  # target_cell's checks pass for such a cell: read once per distinct number
                    found = self.target_cell(r, tcol, traw)
                    read = self.plain_targets[traw] = (found["target"], found["target_text"])
                target = read[0]
                if unit == "percent" and target is not None and not 1.0 < target <= 100:
                    return None  # rescaled or warned about: the full path says so
                fields["target"], fields["target_text"] = read
        self.current_ref = ref
        self.kind_check(r, vcol, ref, period)
        fields["cells"] = self.value_cells
        return ValueRecord(ref, authority, period, fields, Loc(self.sheet.name, r, vcol), source_from_loc=True)

    def parse_kpi_values(self) -> None:
        last: ValueRecord | None = None
        width = len([h for h in self.header_norm if h])
        plain = self.plain_rows and "value" in self.cols and "ref" in self.cols and len(self.target_years) <= 1 \
            and not self.roles and not (self._PLAIN_BLOCKERS & self.cols.keys())
        for r, row in self.rows_below():
            if plain:
                rec = self.plain_value(r, row)
                if rec is not None:
                    last = rec
                    self.out.values.append(rec)
                    self.count += 1
                    continue
            banner = self.banner(row)
            if self.side_text(r, row, banner):
                continue
            if banner and (len(self.cells(row)) > 1 or not looks_like_ref(banner) or len(banner) >= 40):
                spans = len(self.cells(row)) >= max(2, width - 1)
                if last is not None and len(banner) >= 40 and spans:
                    last.fields["commentary"] = self.long_text(r, "commentary", banner)
                    self.out.note(Loc(self.sheet.name, r), f"the text across this row was read as the commentary "
                                  f"for {last.ref} (the row above)")
                elif len(banner) >= 40 or " = " in banner:
                    self.skip_row(r, banner, "text on its own, kept as a note")
                else:
                    label = banner.strip("# ")
                    self.context_label = label.capitalize() if label.isupper() else label
                continue
            ref = self.row_kpi(r, row)
            if ref is None:
                continue
            authority = self.authority_of(r, row)
            self.current_ref = ref
            period = self.row_period(r, row, required=True)
            col = self.cols.get("value")
            raw_value = self.raw(row, "value")
            if raw_value is None and col is not None and (r, col) in self.sheet.formula_cells:
                self.check_cell(r, col)
                continue
            if (raw_value is None or _text(raw_value) == "") and not self.text(row, "commentary") \
                    and not self.text(row, "rag") and "previous" not in self.cols:
                self.skipped_blank += 1  # a pre-filled template row nobody filled in
                continue
            fields = self.value_fields(r, col, raw_value, ref)
            if authority is None or period is None or fields is None:
                continue
            self.kind_check(r, col, ref, period)
            fields.update(self.target_for(r, row, period, ref))
            self.target_scale(r, self.cols.get("target"), ref, fields)
            self.target_range(r, self.cols.get("target"), ref, fields)
            rag_col = self.cols.get("rag")
            rag_cell = self.text(row, "rag") if rag_col is not None else ""
            if rag_cell or (rag_col is not None and (r, rag_col) in self.fills):
                level = self.rag_value(r, rag_cell)
                if level is not None:
                    fields["rag_reported"], fields["rag_reported_text"] = level, rag_cell or "(cell colour)"
            commentary = self.text(row, "commentary") if "commentary" in self.cols else ""
            fields["commentary"] = self.long_text(r, "commentary", commentary) if commentary else None
            fields["source_sheet"], fields["source_cell"] = self.sheet.name, Loc(self.sheet.name, r, col).cell
            fields["cells"] = self.value_cells  # the columns of this row's other cells (one dict per sheet)
            if raw_value is None or _text(raw_value) == "":
                # no figure: a commentary or RAG alone is stored, the value stays as it is
                fields["value"] = fields["missing_reason"] = fields["value_text"] = None
                fields["_no_value"] = True
            last = ValueRecord(ref, authority, period, _given(fields), Loc(self.sheet.name, r, col))
            self.out.values.append(last)
            self.count += 1
            self.previous_value(r, row, ref, authority, period)
            self.benchmark_cell(r, row, ref)

    def rag_value(self, r: int, text: str, fld: str = "rag", col: int | None = None) -> str | None:
        """A RAG cell's level: the word, else the cell's fill colour (noted); problems name the cell."""
        col = self.cols.get(fld) if col is None else col
        where = Loc(self.sheet.name, r, col)
        if not text:
            colour = self.fills.get((r, col)) if col is not None else None
            level = vocab.rag_from_colour(colour) if colour else None
            if level is not None:
                self.out.note(where, f"no RAG word; read as {vocab.RAG_LABELS[level]} from the cell's fill colour "
                              f"{colour}")
            return level
        cell = vocab.read_rag_cell(text)
        if cell.problem:
            self.out.problem(where, cell.problem, cell.severity or "error")
        return cell.rag

    def previous_value(self, r: int, row: list[object], ref: str, authority: str, period: periods.Period) -> None:
        col = self.cols.get("previous")
        raw = self.raw(row, "previous")
        if col is None or raw is None or not _text(raw):
            return
        fields = self.value_fields(r, col, raw, ref)
        if fields is None:
            return
        header = self.header_norm[col] if col < len(self.header_norm) else ""
        prev = previous_period(period, header)
        if prev is None:
            self.out.problem(Loc(self.sheet.name, r, col), f"cannot tell which period the '{header}' column is for "
                             f"(the row is for {period.label}); its figure was not stored", "warning")
            return
        if (r, col) not in self.noted and col in self.sheet.hidden_cols and ("prevcol", col) not in self.noted:
            self.noted.add(("prevcol", col))
            self.out.note(Loc(self.sheet.name, r, col), f"the hidden column '{header}' was read as the figures for "
                          f"the period before ({prev.label})")
        fields.update({"target": None, "target_text": None, "commentary": None, "source_sheet": self.sheet.name,
                       "source_cell": Loc(self.sheet.name, r, col).cell})
        self.out.values.append(ValueRecord(ref, authority, prev, fields, Loc(self.sheet.name, r, col)))

    def benchmark_cell(self, r: int, row: list[object], ref: str) -> None:
        text = self.text(row, "benchmark")
        if not text:
            return
        for bench in values.parse_benchmarks(text):
            if not bench.year_label:
                self.out.problem(self.loc(r, "benchmark"), f"benchmark {bench.comparator} {bench.value} has no year; "
                                 "add it in brackets, e.g. (2016/17, LAIT)", "warning")
                continue
            try:  # "(2016, DFE)" beside an academic-year result is the 2015/16 academic year
                kind = self.ctx.kpi_year_kind.get(ref)
                period = periods.parse_benchmark_year(bench.year_label, value_kinds=(kind,) if kind else ())
            except periods.PeriodError:
                self.out.problem(self.loc(r, "benchmark"), f"cannot read the benchmark year '{bench.year_label}'",
                                 "warning")
                continue
            self.out.benchmarks.append(BenchmarkRecord(ref, bench.comparator, period, bench.value, bench.year_label,
                                                       bench.source or "", text, self.loc(r, "benchmark")))

    def parse_kpi_wide(self) -> None:
        by_month: dict[periods.Period, dict[str, int]] = {}
        for col, month in self.match.months.items():
            role = self.roles.get(col, "value")
            by_month.setdefault(month, {}).setdefault(role, col)
        months_in_order = sorted(by_month.items(), key=lambda item: item[0].end)
        for r, row in self.rows_below():
            banner = self.banner(row)
            if self.side_text(r, row, banner):
                continue
            if (banner and len(self.cells(row)) == 1 and not looks_like_ref(banner)) or (banner and len(banner) >= 40):
                if len(banner) >= 40 or " = " in banner:
                    self.skip_row(r, banner, "text on its own, kept as a note")
                else:
                    self.context_label = banner
                continue
            ref = self.row_kpi(r, row)
            if ref is None:
                continue
            target = self.target_fields(r, row)
            authority = self.authority_of(r, row)
            if authority is None:
                continue
            latest: ValueRecord | None = None
            for month, cols in months_in_order:
                vcol = cols.get("value")
                if vcol is None:
                    continue
                col = vcol
                raw = row[col] if col < len(row) else None
                if raw is None and (r, col) in self.sheet.formula_cells:
                    self.check_cell(r, col)
                    continue
                if raw is None or _text(raw) == "":
                    continue
                checked = self.future_check(r, month, col)
                if checked is None:
                    continue
                fields = self.value_fields(r, col, raw, ref)
                if fields is None:
                    continue
                fields.update(self.target_for(r, row, month, ref) if len(self.target_years) > 1 else target)
                if "target" in cols:
                    tcol = cols["target"]
                    fields.update(self.target_cell(r, tcol, row[tcol] if tcol < len(row) else None))
                    fields.setdefault("cells", {})["target"] = tcol
                self.target_scale(r, cols.get("target", self.cols.get("target")), ref, fields)
                if "rag" in cols:
                    rcol = cols["rag"]
                    text = _text(row[rcol]) if rcol < len(row) else ""
                    level = self.rag_value(r, text, col=rcol)
                    if level is not None:
                        fields["rag_reported"], fields["rag_reported_text"] = level, text or "(cell colour)"
                        fields.setdefault("cells", {})["rag_reported"] = rcol
                fields.update({"commentary": None, "source_sheet": self.sheet.name,
                               "source_cell": Loc(self.sheet.name, r, col).cell})
                latest = ValueRecord(ref, authority, month, _given(fields), Loc(self.sheet.name, r, col))
                self.out.values.append(latest)
                self.count += 1
            if latest is not None:
                self.latest_extras(r, row, latest)

    def latest_extras(self, r: int, row: list[object], latest: ValueRecord) -> None:
        """A wide return's Commentary or RAG column speaks of the row's latest period (noted once)."""
        said = []
        commentary = self.text(row, "commentary")
        if commentary:
            latest.fields["commentary"] = self.long_text(r, "commentary", commentary)
            latest.fields["cells"] = {**latest.fields.get("cells", {}), "commentary": self.cols.get("commentary")}
            said.append("commentary")
        rag_text = self.text(row, "rag")
        rag_col = self.cols.get("rag")
        if (rag_text or (rag_col is not None and (r, rag_col) in self.fills)) and not latest.fields.get("rag_reported"):
            level = self.rag_value(r, rag_text)
            if level is not None:
                latest.fields["rag_reported"], latest.fields["rag_reported_text"] = level, rag_text or "(cell colour)"
                said.append("RAG")
        if said and ("latest", self.match.row) not in self.noted:
            self.noted.add(("latest", self.match.row))
            self.out.note(self.loc(r, "commentary" if commentary else "rag"), f"the {' and '.join(said)} column "
                          f"is stored with each row's latest period (here {latest.period.label})")

    @property
    def sheet_year_kind(self) -> dict[str, str]:
        """The kind of year of each KPI's yearly values read so far in this workbook (earlier sheets)."""
        if self._year_kinds is None:
            self._year_kinds = {v.ref: v.period.kind for v in self.out.values
                                if v.period.kind in ("academic_year", "financial_year")}
        return self._year_kinds

    def target_period(self, col: int, ref: str, found: headers.TargetYear, *, say: bool = True) -> periods.Period:
        """The period a year's target column is for, said once per column and kind of year."""
        header = self.header_norm[col] if col < len(self.header_norm) else ""
        year = found.year
        if found.academic is not None and ref in self.ctx.kpi_dated and \
                self.ctx.kpi_year_kind.get(ref) != "academic_year":
            period = periods.financial_year(year)  # a dated figure (as at 31 March) follows the reporting year
            how = (f"financial year {period.label}, the reporting year: {ref}'s values are dated (as at a day or "
                   "by month), not school-year results")
        elif found.academic is not None:
            period = periods.academic_year(found.academic)
            how = f"the results of the school year ({period.label})"
        elif found.financial:
            period = periods.financial_year(year)
            how = f"financial year {period.label} (April–March)"
        else:
            kind = self.ctx.kpi_year_kind.get(ref) or self.sheet_year_kind.get(ref)
            period = periods.academic_year(year) if kind == "academic_year" else periods.financial_year(year)
            how = (f"academic year {period.label} (the KPI's years are academic years)"
                   if kind == "academic_year" else f"financial year {period.label} (April–March)")
            if kind is None and ref in self.ctx.kpi_dated:
                how = f"financial year {period.label} (April–March), the reporting year of {ref}'s dated values"
            elif kind is None and say and ("target_guess", col) not in self.noted:
                self.noted.add(("target_guess", col))
                self.out.problem(Loc(self.sheet.name, self.match.row, col), f"'{header}' read as financial year "
                                 f"{period.label} (April–March): {ref} has no stored yearly values to tell financial "
                                 "from school years — write 'Target AY 2017/18' for a school year", "warning")
        if say:
            self.note_once(("target_year", col, period), Loc(self.sheet.name, self.match.row, col),
                           f"'{header}' read as the target for {how}")
        return period

    def parse_kpi_targets(self) -> None:
        """A table of targets by year (the Education Strategy's 2017-18, 2018-19, 2019-20 targets)."""
        years = headers.target_years(self.rows[self.match.row])
        for r, row in self.rows_below():
            banner = self.banner(row)
            if self.side_text(r, row, banner):
                continue
            if banner:  # a strategic-goal row, alone or merged across the table
                if len(banner) >= 60:
                    self.skip_row(r, banner, "text on its own, kept as a note")
                else:
                    self.context_label = banner
                continue
            ref = self.row_kpi(r, row)
            if ref is None:
                continue
            authority = self.authority_of(r, row)
            if authority is None:
                continue
            for col, found in sorted(years.items()):
                raw = row[col] if col < len(row) else None
                if raw is None or not _text(raw).strip():
                    continue  # blank: nothing said about that year ("N/A" is kept: no target that year)
                fields = self.target_cell(r, col, raw)
                if fields["target"] is None and not fields["target_text"]:
                    continue
                self.target_scale(r, col, ref, fields)
                self.target_range(r, col, ref, fields)
                period = self.target_period(col, ref, found)
                key = (ref, authority, period.start, period.end)
                if key in self.target_cells:
                    self.out.problem(Loc(self.sheet.name, r, col), f"{ref}: a second target for {period.label} "
                                     f"(the first is in {self.target_cells[key]}): keep one")
                    continue
                self.target_cells[key] = f"{self.sheet.name}!{Loc(self.sheet.name, r, col).cell}"
                self.out.targets.append(TargetRecord(ref, authority, period, fields["target"], fields["target_text"],
                                                     Loc(self.sheet.name, r, col)))
                self.count += 1

    def parse_definitions(self) -> None:
        for r, row in self.rows_below():
            ref, kind = self.kpi_ref(r, row)
            if not ref:
                self.out.problem(self.loc(r, "ref"), "no KPI reference")
                continue
            self.kpi_record(r, row, ref, kind)
            self.count += 1

    def parse_benchmarks(self) -> None:
        for r, row in self.rows_below():
            ref = self.text(row, "ref")
            comparator = self.text(row, "comparator")
            try:
                value = float(str(self.raw(row, "value")).replace(",", ""))
            except (TypeError, ValueError):
                self.out.problem(self.loc(r, "value"), "benchmark value is not a number")
                continue
            year = self.text(row, "year") or None
            kind = self.text(row, "period_kind") or None
            try:
                exact = self.exact_period(r, row) if kind else None
                period = exact if exact is not None else periods.parse_year_label(year)
            except periods.PeriodError as exc:
                self.out.problem(self.loc(r, "year"), f"cannot read the benchmark period: {exc}")
                continue
            self.out.benchmarks.append(BenchmarkRecord(ref, comparator, period, value, year,
                                                       self.text(row, "source"), None, self.loc(r, "value")))
            self.count += 1

    # inspections -----------------------------------------------------------------------------
    def inspection_key(self, r: int, row: list[object]) -> InspectionKey | None:
        authority = self.authority_of(r, row)
        framework = self.text(row, "framework").lower()
        if not framework:
            self.out.problem(self.loc(r, "framework"), "no framework")
            return None
        start = None
        raw = self.raw(row, "inspection_start")
        if raw is not None and _text(raw):
            try:
                start = periods.parse_date(raw)
            except periods.PeriodError as exc:
                self.out.problem(self.loc(r, "inspection_start"), f"cannot read the date: {exc}")
                return None
        if authority is None:
            return None
        return InspectionKey(authority, framework, start, self.text(row, "body") or "Local authority")

    def parse_judgements(self) -> None:
        for r, row in self.rows_below():
            key = self.inspection_key(r, row)
            if key is None:
                continue
            dates = {}
            for fld in ("published", "inspection_end"):
                raw = self.raw(row, fld)
                try:
                    dates[fld] = periods.parse_date(raw) if raw is not None and _text(raw) else None
                except periods.PeriodError:
                    dates[fld] = None
            self.out.judgements.append(JudgementRecord(
                key, self.text(row, "area"), self.text(row, "grade") or None, self.text(row, "section_name") or None,
                self.text(row, "parent_area") or None, self.loc(r), dates["published"], dates["inspection_end"]))
            self.count += 1

    def parse_recommendations(self) -> None:
        for r, row in self.rows_below():
            key = self.inspection_key(r, row)
            if key is None:
                continue
            evidence = tuple(k.strip() for k in self.text(row, "evidence_kpis").split(",") if k.strip())
            self.out.recommendations.append(RecommendationRecord(
                key, self.text(row, "number"), self.text(row, "text"), self.text(row, "timeframe") or None,
                self.text(row, "kind") or "recommendation", self.loc(r), self.text(row, "addressed_to") or None,
                evidence))
            self.count += 1

    # actions ---------------------------------------------------------------------------------------
    @property
    def definition_sheet(self) -> bool:
        """A table of actions with no progress columns is the plan itself (it may define titles)."""
        return not ({"status", "rag", "commentary"} & set(self.cols))

    def parse_milestones(self) -> None:
        """A milestones sheet (our export's): each row the next milestone of its plan's action."""
        positions: dict[tuple[str | None, str], int] = {}
        for r, row in self.rows_below():
            ref, label = self.text(row, "action_ref"), self.text(row, "milestone_label")
            if not ref and not label:
                continue
            if not ref or not label:
                self.out.problem(self.loc(r, "action_ref" if not ref else "milestone_label"),
                                 "a milestone needs both its Action ID and its Milestone text")
                continue
            plan = self.text(row, "plan") or None
            position = positions.get((plan, ref), 0)
            positions[(plan, ref)] = position + 1
            raw_due = self.raw(row, "due")
            written = self.text(row, "due_written") or (None if isinstance(raw_due, (dt.date, dt.datetime))
                                                         else self.text(row, "due") or None)
            due = periods.parse_due(self.raw(row, "due")).final if self.text(row, "due") else None
            if self.text(row, "due") and due is None:
                self.out.problem(self.loc(r, "due"), f"cannot read the milestone's due date "
                                 f"'{self.text(row, 'due')[:40]}' (the text is kept)", "warning")
            status_text = self.text(row, "milestone_status") or None
            status = "complete" if status_text and vocab.normalise_status(status_text) == "complete" else None
            self.out.milestones.append(MilestoneRecord(plan, ref, position, label, due, written, status, status_text,
                                                       self.loc(r, "milestone_label")))
            self.count += 1

    def parse_actions(self, default_plan: str | None) -> None:
        positions: dict[str, int] = {}
        rec_numbers: dict[str, str] = {}
        for r, row in self.rows_below():
            banner = self.banner(row)
            ref = self.text(row, "action_ref")
            text_ = self.text(row, "action_text")
            if banner and NOTE_LINE.match(banner):
                self.skip_row(r, banner, "a note or key beside the plan, kept as a note")
                continue
            if banner and (not ref or len(self.cells(row)) > 1 or not ACTION_REF.match(ref)):
                self.context_label = banner
                continue
            if not (ref or text_ or self.text(row, "title")):
                continue
            if ref and (ref in self.ctx.kpi_units or self.ctx.ref_index().get(ref_key(ref))):
                self.out.problem(self.loc(r, "action_ref"), f"'{ref}' is a KPI reference, but this table has no "
                                 "Value or month columns, so it was read as an action plan: add a Value column "
                                 "(or month columns) for the figures")
                continue
            recs, rec_texts = self.recommendation_cell(self.text(row, "recommendations"), rec_numbers)
            implicit = bool(recs) and all(n in self.implicit_numbers for n in recs)
            if ref and not ACTION_REF.match(ref) and not text_:
                # an action-ref column holding text (a shifted column): treat it as the action text
                text_, ref = ref, ""
            if not ref:
                anchor = recs[0] if recs and recs[0] != "ALL" else "0"
                positions[anchor] = positions.get(anchor, 0) + 1
                ref = f"{anchor}.{positions[anchor]}"
            due_raw = self.raw(row, "due")
            due_text = self.text(row, "due")
            revised = self.text(row, "due_revised")
            if revised:
                if due_text and _norm_space(revised) != _norm_space(due_text):
                    self.out.note(self.loc(r, "due_revised"), f"the revised deadline '{revised[:40]}' replaces "
                                  f"'{due_text[:40]}' (kept in the due text)")
                    earlier = due_text
                    due_raw, due_text = revised, revised
                    due_text_kept = f"{revised} (revised from {earlier})"
                else:
                    due_raw, due_text = self.raw(row, "due_revised"), revised
                    due_text_kept = revised
            else:
                due_text_kept = self.text(row, "due_written") or due_text  # our export: the text beside its date
            due = periods.parse_due(due_raw) if due_text else None
            if due is not None and due.assumption:
                self.out.note(self.loc(r, "due"), due.assumption)
            if due is not None and due.revised_from and due.final:
                earlier = ", ".join(d.strftime("%-d %b %Y") for d in due.revised_from)
                self.out.note(self.loc(r, "due"), f"due date read as the revised {due.final:%-d %b %Y} (earlier: "
                              f"{earlier})")
            title = self.text(row, "title") or first_line(text_)
            record = ActionRecord(
                plan=self.text(row, "plan") or default_plan,
                ref=ref,
                loc=self.loc(r, "action_ref"),
                recommendations=recs,
                recommendation_texts=rec_texts,
                objective=self.text(row, "objective") or self.context_label,
                title=self.long_text(r, "title", title) if title else None,
                description=self.long_text(r, "action_text", text_) if text_ else None,
                lead=self.text(row, "lead") or None,
                due=due.final if due else None,
                due_text=due_text_kept or None,
                oversight=self.text(row, "oversight") or None,
                success=self.text(row, "success") or None,
                timeframe=self.text(row, "timeframe") or None,
                definition=self.definition_sheet,
                recommendations_by_order=implicit,
                due_readable=due is None or due.readable,
                ref_typed_as_number=isinstance(self.raw(row, "action_ref"), float),
                columns={**{f: Loc(self.sheet.name, r, c) for f, c in self.cols.items()},
                         **({"due": self.loc(r, "due_revised")} if revised else {})},
            )
            if "framework" in self.cols and self.text(row, "framework"):
                record.inspection = self.inspection_key(r, row)
            record.update = self.action_update(r, row)
            self.out.actions.append(record)
            self.count += 1

    def recommendation_cell(self, text: str, numbers: dict[str, str]) -> tuple[list[str], dict[str, str]]:
        if not text:
            return [], {}
        if text.strip().upper() == "ALL":
            return ["ALL"], {}
        if re.fullmatch(r"[\d,\s;&and]+", text) and re.search(r"\d", text):
            return re.findall(r"\d+", text), {}
        coded = re.findall(r"\bOR\s*(\d+)", text)
        if coded:
            return [f"OR {n}" for n in coded], {}
        lead = re.match(r"^\s*(\d+)[.)]\s+(.*)$", text, re.S)
        if lead:
            return [lead.group(1)], {lead.group(1): lead.group(2).strip()}
        key = re.sub(r"\s+", " ", text.lower())
        if key not in numbers:
            numbers[key] = str(len(numbers) + 1)
        self.implicit_numbers.add(numbers[key])
        return [numbers[key]], {numbers[key]: text}

    def action_update(self, r: int, row: list[object]) -> dict[str, Any] | None:
        status_text = self.text(row, "status")
        rag_text = self.text(row, "rag")
        commentary = self.text(row, "commentary")
        rag_col = self.cols.get("rag")
        coloured = rag_col is not None and vocab.rag_from_colour(self.fills.get((r, rag_col), "")) is not None
        if not (status_text or rag_text or commentary or coloured):
            return None
        period = self.row_period(r, row, required=True)
        if period is None:
            return None
        status = None
        if status_text:
            status, warning = vocab.read_status_cell(status_text)
            if warning:
                self.out.problem(self.loc(r, "status"), warning, "warning")
        rag = None
        if rag_text or coloured:
            cell = vocab.read_rag_cell(rag_text) if rag_text else None
            if cell is not None and cell.problem:
                self.out.problem(self.loc(r, "rag"), cell.problem, cell.severity or "error")
                if cell.severity == "error":
                    return None
            rag = cell.rag if cell is not None else self.rag_value(r, "")
            if cell is not None and cell.status and not status:
                status = cell.status
        if not (status or rag or commentary):
            return None
        return {
            "period_end": period.end,
            "period_label": periods.month(period.end.year, period.end.month).label,
            "status": status,
            "status_reported": status_text[:120] or None,
            "rag": rag,
            "rag_reported": (rag_text or ("(cell colour)" if rag else ""))[:40] or None,
            "commentary": self.long_text(r, "commentary", commentary) if commentary else None,
            "reported_by": self.text(row, "reported_by") or None,
            "source_sheet": self.sheet.name,
            "source_cell": self.loc(r, "status" if "status" in self.cols else "rag").cell,
        }


SUPPRESSED = re.compile(r"^\s*(<|&lt;|≤|fewer than|less than)\s*\d{1,2}\s*$", re.I)
ACTION_REF = re.compile(r"^[A-Za-z]{0,4}\s?\d+(\.\d+)*[a-z]?$")


def _norm_space(text: str) -> str:
    return " ".join(text.split()).lower()


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


_UNIT_WORDS = (
    (re.compile(r"%|percent|per cent|percentage|^pct$|proportion"), "percent"),
    (re.compile(r"rate|per 1[0,]*|per 10k|per 100k"), "rate"),
    (re.compile(r"\bdays?\b"), "days"),
    (re.compile(r"\bweeks?\b"), "weeks"),
    (re.compile(r"£|cost|currency|spend|\bgbp\b"), "currency"),
    (re.compile(r"\bscore\b|points"), "score"),
    (re.compile(r"\bratio\b"), "ratio"),
    (re.compile(r"^(n|no\.?|num|number|count|#|total|volume|children|cases)$"), "number"),
)


def unit_code(text: str) -> str | None:
    """A unit cell ("%", "Rate per 10,000", "No.", "days") as one of vocab.UNITS, or None."""
    word = " ".join(text.lower().split())
    if word in vocab.UNITS:
        return word
    for pattern, unit in _UNIT_WORDS:
        if pattern.search(word):
            return unit
    return None


def looks_like_ref(text: str) -> bool:
    """A KPI code is short and has a digit, slash or hyphen ("FS/S6", "CES/S13-1", "DU-ASSESS45", "NI 62")."""
    return len(text) <= 30 and len(text.split()) <= 2 and bool(re.search(r"[\d/\-]", text))


def first_line(text: str, limit: int = 90) -> str:
    line = next((ln.strip(" •*-\t") for ln in text.splitlines() if ln.strip(" •*-\t")), "")
    return line if len(line) <= limit else line[: limit - 1].rsplit(" ", 1)[0] + "…"


def previous_period(period: periods.Period, header: str) -> periods.Period | None:
    """The period a "Previous"/"Last month" column is for: the one before the row's own; a "last year"
    or "2015/16 Result" column is the year before. None when the row's period gives no "before"."""
    if re.search(r"year|\d{4}", header) or period.kind in ("financial_year", "academic_year", "calendar_year"):
        return shift_year(period)
    if period.kind == "month":
        before = period.start - dt.timedelta(days=1)
        return periods.month(before.year, before.month)
    if period.kind == "quarter":
        before = period.start - dt.timedelta(days=1)
        q = (before.month - 4) % 12 // 3 + 1
        return periods.quarter(before.year if before.month >= 4 else before.year - 1, q)
    return None


def shift_year(period: periods.Period) -> periods.Period:
    """The same period one year earlier (the "2015/16 Result" column beside "2016/17 Result")."""
    def back(d: dt.date) -> dt.date:
        try:
            return d.replace(year=d.year - 1)
        except ValueError:
            return d.replace(year=d.year - 1, day=28)

    label = period.label
    years = re.findall(r"\d{4}", label)
    for y in sorted(set(years), reverse=True):
        label = label.replace(y, str(int(y) - 1))
    short = re.search(r"(\d{4})/(\d{2})\b", label)
    if short:
        label = label.replace(short.group(0), f"{short.group(1)}/{(int(short.group(1)) + 1) % 100:02d}")
    return periods.Period(end=back(period.end), start=back(period.start), kind=period.kind, label=label)


_PRODUCED = re.compile(
    r"(?i)\b(produced|run|printed|created|prepared|generated|published|issued|compiled|extracted|refreshed|"
    r"(last\s+)?updated|report\s+date|date\s+(of\s+report|produced|printed|run))\b(\s+(on|at))?\s*:?\s*"
    r"((\d{1,2}(st|nd|rd|th)?[\s/.-]+)?[A-Za-z]{3,9}\.?[\s/.-]+\d{2,4}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|"
    r"\d{4}-\d{2}-\d{2})")
_DATA_FOR = re.compile(
    r"(?i)\b(data\s+for|figures\s+for|performance\s+(data\s+)?for|for\s+the\s+(month|period|quarter)\s+"
    r"(of|ending)|month\s+ending|period\s+ending|quarter\s+ending|reporting\s+(period|month)|period|as\s+at|"
    r"month|for)\b\s*:?\s*")


def period_from_title(text: str) -> periods.Period | None:
    """The period a title names: "Produced 12 December 2019 – performance data for November 2019" is
    November; a "produced/run on <date>" is when the report was made, never the data's period."""
    cleaned = _PRODUCED.sub(" ", text)
    for m in _DATA_FOR.finditer(cleaned):
        window = cleaned[m.end():m.end() + 40]
        found = _quarter_in(window) or period_from_text(window) or _numeric_date(window)
        if found:
            return found
    return _quarter_in(cleaned) or period_from_text(cleaned)


_NUMERIC_DATE = re.compile(r"^\s*(\d{1,2})[/.](\d{1,2})[/.]((?:19|20)?\d{2})\b")


def _numeric_date(text: str) -> periods.Period | None:
    """"31/07/2019" just after "as at" or "data for": the month of that day (UK day/month order)."""
    found = _NUMERIC_DATE.match(text)
    if not found:
        return None
    year = int(found.group(3)) + (2000 if len(found.group(3)) == 2 else 0)
    try:
        day = dt.date(year, int(found.group(2)), int(found.group(1)))
    except ValueError:
        return None
    return periods.month(day.year, day.month)


_QUARTER_TEXT = re.compile(r"(?i)\b(q|qtr|quarter)\s*([1-4])\s*(\d{4}\s*[/-]\s*\d{2,4}|\d{2}\s*/\s*\d{2})")


def _quarter_in(text: str) -> periods.Period | None:
    found = _QUARTER_TEXT.search(text)
    if not found:
        return None
    try:
        return periods.parse_period(f"Q{found.group(2)} {found.group(3).replace(' ', '')}")
    except periods.PeriodError:
        return None


def _title_texts(rows: list[list[object]], header_row: int) -> list[str]:
    out: list[str] = []
    for row in rows[:header_row]:
        for text in dict.fromkeys(_text(v) for _, v in _nonempty(row)):
            if text:
                out.append(text)
    return out


def _sheet_period(sheet: Sheet, rows: list[list[object]], header_row: int, filename: str) -> periods.Period | None:
    for text in _title_texts(rows, header_row):
        found = period_from_title(text)
        if found:
            return found
    return period_from_title(sheet.name) or period_from_title(Path(filename).stem.replace("_", " "))


# --- whose figures ------------------------------------------------------------------------------------------

_LA_CODE_TEXT = re.compile(r"(?i)\b(?:la|la\s+code|authority\s+code|la\s+no\.?)\s*:?\s*(\d{3})\b")


_SHORT_NAMES = {"kingston upon hull, city of": ["hull", "hull city"],
                "bath and north east somerset": ["banes", "bandnes"], "county durham": ["durham"],
                "bournemouth, christchurch and poole": ["bcp"],
                "kensington and chelsea": ["rbkc"], "windsor and maidenhead": ["rbwm"]}


def _name_variants(name: str) -> list[str]:
    base = name.lower().replace("&", "and")
    out = [base, *_SHORT_NAMES.get(base, [])]
    if ", city of" in base:
        out += [base.replace(", city of", ""), "city of " + base.replace(", city of", "")]
    if ", county of" in base:
        out += [base.replace(", county of", ""), "county of " + base.replace(", county of", "")]
    if base.startswith("county "):
        out.append(base.removeprefix("county "))
    return out


_COMMON_WORD_NAMES = frozenset({"reading", "bury", "sutton", "kent", "brent", "halton", "derby", "wigan", "bolton",
                                "york", "rutland", "bedford", "darlington", "hartlepool", "oldham", "poole",
                                "richmond", "slough", "swindon", "lincoln", "luton", "medway", "sefton", "torbay"})


def authorities_named(text: str, authorities: dict[str, str]) -> list[str]:
    """LA codes of the authorities a title, sheet name or file name names (longest names first, so
    "Bath and North East Somerset" is not also Somerset); codes only as "LA 302"/"LA code 302"."""
    found: list[str] = []
    low = " " + re.sub(r"[_\s]+", " ", text.lower().replace("&", "and")) + " "
    for m in _LA_CODE_TEXT.finditer(text):
        if m.group(1) in authorities and m.group(1) not in found:
            found.append(m.group(1))
    variants = sorted(((v, code) for code, name in authorities.items() for v in _name_variants(name)),
                      key=lambda item: -len(item[0]))
    for variant, code in variants:
        if variant.split()[0] not in low:
            continue
        pattern = r"(?<![a-z])" + r"[\s-]+".join(re.escape(w) for w in variant.split()) + r"(?![a-z])"
        if variant in _COMMON_WORD_NAMES:  # "Reading age", "Sutton Trust": only as a council's name
            pattern += r"(?=\s*(council|borough|metropolitan|city|county|children|local authority|la\b|\(|$))"
        hit = re.search(pattern, low)
        if hit:
            low = low[:hit.start()] + " " * (hit.end() - hit.start()) + low[hit.end():]
            if code not in found:
                found.append(code)
    return found


def _sheet_authority(out: ParsedReturn, ctx: Context, sheet: Sheet, rows: list[list[object]], header_row: int,
                     filename: str) -> str | None:
    """The authority a sheet's title, sheet name or file name names; a problem when it names several."""
    if not ctx.authorities:
        return None
    for source, texts in (("title", _title_texts(rows, header_row)), ("sheet name", [sheet.name]),
                          ("file name", [Path(filename).stem.replace("-", " ")])):
        codes: list[str] = []
        for text in texts:
            for code in authorities_named(text, ctx.authorities):
                if code not in codes:
                    codes.append(code)
        if len(codes) == 1:
            if codes[0] != ctx.authority:
                out.note(Loc(sheet.name, 0), f"the {source} names {ctx.authorities[codes[0]]} ({codes[0]}): its "
                         "figures are stored for that authority, not ours "
                         f"({ctx.authorities.get(ctx.authority, ctx.authority)})")
            return codes[0]
        if len(codes) > 1:
            names = " and ".join(f"{ctx.authorities[c]} ({c})" for c in codes[:4])
            out.problem(Loc(sheet.name, 0), f"the {source} names {names}: add an LA code column so each figure's "
                        "authority is clear")
            return None
    return None


# --- where the tables are ---------------------------------------------------------------------------------

_BARE_MONTHS = {m: i for i, m in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"), start=1)}
_BARE_MONTHS.update({m[:3]: i for m, i in list(_BARE_MONTHS.items())})
_BARE_MONTHS["sept"] = 9
_FY_TEXT = re.compile(r"\b(20\d{2})\s*[/-]\s*(\d{2}|20\d{2})\b")
_YEAR_TEXT = re.compile(r"\b(20\d{2})\b")


def _year_context(texts: list[str]) -> tuple[str, int] | None:
    """("financial", 2019) for "2019/20" in a title or sheet name; ("calendar", 2019) for "2019"."""
    for text in texts:
        fy = _FY_TEXT.search(_PRODUCED.sub(" ", text))
        if fy:
            start = int(fy.group(1))
            end = int(fy.group(2)) if len(fy.group(2)) == 4 else 2000 + int(fy.group(2))
            if end == start + 1:
                return "financial", start
    for text in texts:
        year = _YEAR_TEXT.search(_PRODUCED.sub(" ", text))
        if year:
            return "calendar", int(year.group(1))
    return None


def _bare_month_headers(out: ParsedReturn, sheet: Sheet, rows: list[list[object]], filename: str) -> None:
    """Month names with no year ("April" … "March") take the year of a title row ("2019/20") or the
    sheet name; they are rewritten as months in place, with a note. No year: the sheet says so."""
    for index, row in enumerate(rows[:40]):
        cols = [c for c, v in enumerate(row) if isinstance(v, str) and v.strip().lower().rstrip(".") in _BARE_MONTHS]
        if len(cols) < 3:
            continue
        context = _year_context([*_title_texts(rows, index), sheet.name, Path(filename).stem])
        if context is None:
            out.problem(Loc(sheet.name, index, cols[0]), "the month columns have no year and no title row or sheet "
                        "name gives one: add the year to the headers (Apr 2019) or a title such as '2019/20'")
            return
        kind, year = context
        months: list[periods.Period] = []
        for c in cols:
            number = _BARE_MONTHS[str(row[c]).strip().lower().rstrip(".")]
            y = year + (1 if kind == "financial" and number < 4 else 0)
            months.append(periods.month(y, number))
            row[c] = months[-1]
        source = f"financial year {year}/{str(year + 1)[2:]}" if kind == "financial" else str(year)
        out.note(Loc(sheet.name, index, cols[0]), f"month names with no year read as {months[0].label} – "
                 f"{months[-1].label} ({source}, from the title or sheet name)")
        return


@dataclass
class Table:
    match: headers.HeaderMatch
    rows: list[list[object]]  # the sheet's rows with cells outside this table's columns blanked
    end: int  # first row after the table
    where: str  # "" or " (table at H3)"


def _column_groups(rows: list[list[object]]) -> list[tuple[int, int]]:
    """Runs of columns separated by columns that are empty in every row holding two or more values
    (titles and notes span the sheet, so they do not join two tables side by side)."""
    width = max((len(r) for r in rows), default=0)
    used = [False] * width
    left = width  # columns not yet used: once none is left, no later row can change the answer
    for row in rows:
        cells = _nonempty(row)
        if len(cells) < 2 or all(v == cells[0][1] for _, v in cells):
            continue  # a title, banner or note, however far it is merged
        for c, _ in cells:
            if not used[c]:
                used[c] = True
                left -= 1
        if not left:
            break
    groups: list[tuple[int, int]] = []
    start: int | None = None
    for c in range(width + 1):
        if c < width and used[c]:
            start = c if start is None else start
        elif start is not None:
            groups.append((start, c - 1))
            start = None
    return groups


def _masked(rows: list[list[object]], lo: int, hi: int) -> list[list[object]]:
    return [[v if lo <= c <= hi else None for c, v in enumerate(row)] for row in rows]


def _is_header_like(row: list[object]) -> bool:
    """Header cells are short texts (or month headings), not figures."""
    cells = [v for _, v in _nonempty(row)]
    texts = [v for v in cells if isinstance(v, str | periods.Period | dt.date)]
    return bool(cells) and len(texts) >= 0.8 * len(cells) and all(len(str(v)) <= 60 for v in texts)


def _stacked(rows: list[list[object]], first: headers.HeaderMatch) -> list[tuple[headers.HeaderMatch, int]]:
    """A table and any other tables under it, each running to the row before the next one's header."""
    found = [first]
    head = [headers.normalise(v) for v in rows[first.row]]
    for r in range(first.row + 1, len(rows)):
        row = rows[r]
        if headers.header_hits(row) < 2 or not _is_header_like(row):
            continue
        norm = [headers.normalise(v) for v in row]
        same = sum(1 for a, b in zip(norm, head, strict=False) if a and a == b)
        if same >= max(2, len([h for h in head if h]) // 2):
            continue  # the header repeated after a page break
        match = headers.match_header(row, r)
        if match is not None and match.score >= 4:
            found.append(match)
            head = norm
    return [(m, found[i + 1].row if i + 1 < len(found) else len(rows)) for i, m in enumerate(found)]


def find_tables(rows: list[list[object]]) -> list[Table]:
    """Every table on a sheet: side by side (split at empty columns) and one under another."""
    groups = _column_groups(rows)
    candidates: list[tuple[int, list[list[object]], headers.HeaderMatch]] = []
    if len(groups) > 1:
        for lo, hi in groups:
            part = _masked(rows, lo, hi)
            match = headers.find_header(part)
            if match is None:
                candidates = []
                break
            candidates.append((lo, part, match))
    tables: list[Table] = []
    if len(candidates) > 1:
        for lo, part, match in candidates:
            for m, end in _stacked(part, match):
                where = f" (table at {column_letter(lo)}{m.row + 1})" if lo or m is not match else ""
                tables.append(Table(m, part, end, where))
        return tables
    match = headers.find_header(rows)
    if match is None:
        return []
    for m, end in _stacked(rows, match):
        tables.append(Table(m, rows, end, f" (table at row {m.row + 1})" if m is not match else ""))
    return tables


_SUMMARY_COLUMN = re.compile(r"(?i)for reference|\bytd\b|year to date|\btotal|average|annual|cumulative|\bdot\b|"
                             r"direction|trend|rank|quartile|\bchange\b")


def _title_end(rows: list[list[object]], header_row: int) -> int:
    """Title rows of the whole sheet sit above its first row holding two or more different values."""
    for index, row in enumerate(rows[: header_row + 1]):
        cells = _nonempty(row)
        if len(cells) >= 2 and any(v != cells[0][1] for _, v in cells):
            return index
    return header_row


def _two_row_header(rows: list[list[object]], match: headers.HeaderMatch) -> dict[int, str]:
    """Under a row of months, "Actual" | "Target" (a month merged over both): which column is which."""
    if match.family.code != "kpi_wide" or match.row + 1 >= len(rows):
        return {}
    below, head = rows[match.row + 1], rows[match.row]
    roles: dict[int, str] = {}
    for c in list(match.months):
        word = headers.normalise(below[c]) if c < len(below) else ""
        if word in _SUB_VALUE:
            roles[c] = "value"
        elif word in _SUB_TARGET:
            roles[c] = "target"
        elif word in _SUB_RAG:
            roles[c] = "rag"
    if not roles:
        return {}
    # a month written once over two columns without a merge: the blank header beside it is the same month
    for c in range(1, len(below)):
        if c in match.months or (c < len(head) and headers.normalise(head[c])):
            continue
        word = headers.normalise(below[c])
        if c - 1 in match.months and (word in _SUB_TARGET or word in _SUB_RAG or word in _SUB_VALUE):
            match.months[c] = match.months[c - 1]
            roles[c] = "target" if word in _SUB_TARGET else ("rag" if word in _SUB_RAG else "value")
    return roles


_SUB_VALUE = {"actual", "value", "result", "outturn", "performance", "perf", "this month", "act"}
_SUB_TARGET = {"target", "tgt", "target value"}
_SUB_RAG = {"rag", "rag rating", "rag status"}


def parse_workbook(book: Workbook, ctx: Context, *, default_plan: str | None = None) -> ParsedReturn:
    out = ParsedReturn(filename=book.filename)
    out.notes.extend(book.notes)
    for sheet in book.sheets:
        rows = fill_merged(sheet)
        if not any(_nonempty(r) for r in rows):
            out.sheets.append(SheetReport(sheet.name, None, "skipped", reason="empty sheet"))
            continue
        _bare_month_headers(out, sheet, rows, book.filename)
        tables = find_tables(rows)
        if not tables:
            remembered = _remembered(rows, sheet.name, ctx)
            if remembered is not None:
                tables = [Table(remembered, rows, len(rows), "")]
        if not tables:
            first = next((r for r in rows if len(_nonempty(r)) >= 2), [])
            heads = ", ".join(f"'{_text(v)[:30]}'" for _, v in _nonempty(first)[:6])
            out.sheets.append(SheetReport(
                sheet.name, None, "skipped",
                reason=f"no recognisable table (first row with headers: {heads or 'none'}); a KPI table needs a Ref "
                       "or KPI column and a Value column or month columns, an action table an Action column"))
            continue
        for table in tables:
            _parse_table(out, ctx, book, sheet, table, default_plan, rows)
        if sheet.hidden:
            out.problem(Loc(sheet.name, 0), "this sheet is hidden in Excel; its data was read", "warning")
    check_duplicates(out)
    if not out.errors and out.empty:
        out.problem(None, "no data found: no sheet holds a recognisable KPI or action table — a KPI table needs a "
                    "Ref (or KPI) column and a Value column or month columns; an action table needs Action and "
                    "Lead officer, Status or RAG columns (download the template for the layout)")
    return out


def _parse_table(out: ParsedReturn, ctx: Context, book: Workbook, sheet: Sheet, table: Table,
                 default_plan: str | None, full: list[list[object]]) -> None:
    rows, match = table.rows, table.match
    above = match.row if table.rows is full else _title_end(full, match.row)
    sheet_period = ctx.period_hint or _sheet_period(sheet, full, above, book.filename)
    authority = None
    if "authority" not in match.columns.values() and "authority_name" not in match.columns.values():
        authority = _sheet_authority(out, ctx, sheet, full, above, book.filename)
        if authority is not None:
            out.authority = out.authority or authority
    if sheet_period is not None and not ctx.period_hint and "period" not in match.columns.values() \
            and not match.months and match.family.code in ("kpi_values", "actions"):
        out.note(Loc(sheet.name, match.row), f"no period column: the rows are for {sheet_period.label}, read from "
                 "the title, sheet name or file name")
    parser = SheetParser(out, ctx, sheet, rows, match, sheet_period)
    parser.end = table.end
    parser.sheet_authority = authority
    parser.number_formats = getattr(book, "format", "xlsx") in ("xlsx", "xlsm")
    parser.roles = _two_row_header(rows, match)
    if parser.roles:
        parser.start = match.row + 2
        out.note(Loc(sheet.name, match.row + 1), "a two-row header: each month's Actual column read as the value "
                 "and its Target column as the target")
    family = match.family.code
    readers = {"kpi_values": parser.parse_kpi_values, "kpi_wide": parser.parse_kpi_wide,
               "kpi_definitions": parser.parse_definitions, "benchmarks": parser.parse_benchmarks,
               "kpi_targets": parser.parse_kpi_targets, "milestones": parser.parse_milestones,
               "judgements": parser.parse_judgements, "recommendations": parser.parse_recommendations}
    reader = readers.get(family)
    if reader is not None:
        reader()
    else:
        parser.parse_actions(default_plan)
    used = set(match.columns) | set(match.months)
    if family == "kpi_targets":
        used |= set(headers.target_years(rows[match.row]))
    ignored = [t for c, t in match.unmatched if c not in used]
    for c, header in match.unmatched:
        if c in used or _SUMMARY_COLUMN.search(header):
            continue
        filled = sum(1 for r in range(parser.start, min(parser.end, len(rows)))
                     if c < len(rows[r]) and rows[r][c] is not None and _text(rows[r][c]))
        if filled:
            out.problem(Loc(sheet.name, match.row, c), f"the column '{header[:40]}' holds {filled} filled cell(s) "
                        "that were not read — give it a recognised heading (e.g. Commentary, Target, Lead officer) "
                        "if it should be stored", "warning")
    out.sheets.append(SheetReport(sheet.name + table.where, family, match.family.label, parser.count,
                                  header_row=match.row + 1, unmatched=ignored, skipped_rows=parser.skipped_rows))
    if parser.skipped_blank:
        out.notes.append(f"{sheet.name}{table.where}: {parser.skipped_blank} row(s) with no value were left out")


def _remembered(rows: list[list[object]], sheet_name: str, ctx: Context) -> headers.HeaderMatch | None:
    for index, row in enumerate(rows[:40]):
        if len(_nonempty(row)) < 2:
            continue
        mapping = ctx.mappings.get(headers.layout_signature(sheet_name, row))
        if mapping:
            return mapping_match(row, index, mapping)
        return None
    return None


def mapping_match(row: list[object], index: int, mapping: dict[int, str]) -> headers.HeaderMatch | None:
    """A header match from a user's hand mapping (column → field)."""
    present = set(mapping.values())
    for family in headers.FAMILIES:
        if family.code == "kpi_wide":
            continue
        if all(req & present for req in family.required):
            return headers.HeaderMatch(index, family, dict(mapping), {}, 99.0, [])
    return None


def check_duplicates(out: ParsedReturn) -> None:
    """The same KPI, authority and period twice with different values is an error naming both rows."""
    seen: dict[tuple[str, str, str, dt.date, dt.date], ValueRecord] = {}
    for rec in out.values:
        key = (rec.ref, rec.authority, rec.period.kind, rec.period.start, rec.period.end)
        first = seen.get(key)
        if first is None:
            seen[key] = rec
            continue
        same = (first.fields.get("value"), first.fields.get("missing_reason")) == (
            rec.fields.get("value"), rec.fields.get("missing_reason"))
        if not same:
            out.problem(rec.loc, f"{rec.ref} for {rec.period.label} appears twice with different values: "
                        f"{first.loc.sheet} {first.loc.cell} has {first.fields.get('value_text')!r} and "
                        f"{rec.loc.sheet} {rec.loc.cell} has {rec.fields.get('value_text')!r}")
    seen_updates: dict[tuple[str | None, str, dt.date], ActionRecord] = {}
    for act in out.actions:
        if not act.update:
            continue
        key2 = (act.plan, act.ref, act.update["period_end"])
        other = seen_updates.get(key2)
        if other is None:
            seen_updates[key2] = act
        elif other.update and (other.update.get("status"), other.update.get("rag"), other.update.get("commentary")) != (
                act.update.get("status"), act.update.get("rag"), act.update.get("commentary")):
            out.problem(act.loc, f"action {act.ref} has two different updates for {act.update['period_label']}: "
                        f"{other.loc.sheet} row {other.loc.row + 1} and {act.loc.sheet} row {act.loc.row + 1}")
