"""What a return says, as plain records with their cell provenance, plus the problems found.

The parser fills these from a workbook; the committer writes them; the preview and
the validation report read them. Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, overload

from lib import periods


@functools.lru_cache(maxsize=1_024)
def column_letter(col: int) -> str:
    """"A" for 0, "AA" for 26 (cached: a long file names the same few columns on every row)."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True, slots=True)
class Loc:
    """Where a fact came from: sheet, 0-based row and column (None when the whole row)."""

    sheet: str
    row: int
    col: int | None = None

    @property
    def cell(self) -> str:
        return f"{column_letter(self.col)}{self.row + 1}" if self.col is not None else f"row {self.row + 1}"


@dataclass(frozen=True)
class Problem:
    file: str
    sheet: str | None
    row: int | None  # Excel row number (1-based)
    column: str | None  # Excel column letter
    message: str
    severity: str = "error"  # error (blocks the import) | warning (listed, import allowed) | note (how a cell
    # was read, for the record: "'FS S6' read as FS/S6")

    def line(self) -> str:
        """``FILE: SHEET: row R: column C: message``, leaving out the parts unknown."""
        parts = [self.file]
        if self.sheet:
            parts.append(self.sheet)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        if self.severity == "note":
            return "note: " + ": ".join(parts) + ": " + self.message
        prefix = "" if self.severity == "error" else "warning: "
        return ": ".join(parts) + ": " + prefix + self.message

    def as_row(self) -> dict[str, Any]:
        return {"Severity": self.severity, "File": self.file, "Sheet": self.sheet or "", "Row": self.row,
                "Column": self.column or "", "Problem": self.message}


FIELD_LABELS = {
    "value": "Value", "missing_reason": "Missing (reason)", "target": "Target", "rag_reported": "RAG (reported)",
    "commentary": "Commentary", "due_date": "Due date", "due_text": "Due (as written)", "lead_officer": "Lead officer",
    "title": "Title", "description": "Description", "oversight": "Oversight", "success_measures": "Success measures",
    "objective_id": "Objective", "status": "Status", "rag": "RAG", "reported_by": "Reported by", "name": "Name",
    "theme": "Theme", "unit": "Unit", "polarity": "Polarity", "polarity_reported": "Polarity (as written)",
    "kpi_type": "Type", "owner": "Owner", "rag_rule": "RAG rule", "amber_tolerance": "Amber tolerance",
    "frequency": "Frequency", "decimals": "Decimals", "label": "Milestone", "status_reported": "Status (as written)",
    "grade": "Grade", "text": "Text", "timeframe": "Timeframe",
}


@dataclass(slots=True)
class Change:
    """One thing an upload adds or alters, for the cell-by-cell preview: what, which field, from → to, where."""

    kind: str  # "new" | "changed"
    table: str  # kpi | kpi_value | benchmark | action | action_update | plan | recommendation | ...
    thing: str  # "FS/S6 · 302 · Jun 2019", "Plan 2017 · action 1.10"
    field: str  # the field changed ("value", "status", ...); for a new row, the fields it holds
    before: str | None
    after: str | None
    cell: str | None  # "Sheet!C7" when the change comes from one cell

    @property
    def field_label(self) -> str:
        return FIELD_LABELS.get(self.field, self.field)

    def as_row(self) -> dict[str, Any]:
        return {"Change": self.kind, "What": self.table, "Item": self.thing, "Field": self.field_label,
                "From": self.before or "", "To": self.after or "", "Cell": self.cell or ""}


class ChangeLog(Sequence[Change]):
    """The preview's changes, cell by cell, in order. A national file adds 330,000 values: each new
    value is kept as its builder and arguments (references to what is in memory anyway) and made into a
    :class:`Change` only when it is looked at, so the log costs a tuple per value, not a row of texts."""

    # builder -> (the table of every change it makes, its item text from the same arguments); see describe()
    _described: ClassVar[dict[Callable[..., Change], tuple[str, Callable[..., str]]]] = {}

    def __init__(self) -> None:
        self._items: list[Change | tuple[Any, ...]] = []
        self._checked: dict[Callable[..., Change], bool] = {}  # described builder -> its first change agreed

    def append(self, change: Change) -> None:
        self._items.append(change)

    def defer(self, build: Callable[..., Change], *args: Any) -> None:
        self._items.append((build, *args))  # one tuple per change

    @staticmethod
    def _made(item: Change | tuple[Any, ...]) -> Change:
        if isinstance(item, Change):
            return item
        made: Change = item[0](*item[1:])
        return made

    @overload
    def __getitem__(self, index: int) -> Change: ...

    @overload
    def __getitem__(self, index: slice) -> list[Change]: ...

    def __getitem__(self, index: int | slice) -> Change | list[Change]:
        if isinstance(index, slice):
            return [self._made(item) for item in self._items[index]]
        return self._made(self._items[index])

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        """Equal to a list (or another log) of the same changes, as the list it stands for would be."""
        if isinstance(other, ChangeLog | list | tuple):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, like the list it stands for

    def __iter__(self) -> Iterator[Change]:
        return (self._made(item) for item in self._items)

    @classmethod
    def describe(cls, build: Callable[..., Change], table: str, thing: Callable[..., str]) -> None:
        """Say that every change ``build`` makes is to ``table`` and names its item ``thing(*args)`` (the
        builder's own arguments), so :meth:`tables` and :meth:`thing_at` need not build it. Each log checks
        the description once against the first such change it builds, and builds them all if it is wrong."""
        cls._described[build] = (table, thing)

    def _description(self, item: tuple[Any, ...]) -> tuple[str, Callable[..., str]] | None:
        """The deferred change's description, when its builder has one and it held for this log's first."""
        build = item[0]
        said = self._described.get(build)
        if said is None:
            return None
        agreed = self._checked.get(build)
        if agreed is None:
            made = self._made(item)
            agreed = self._checked[build] = made.table == said[0] and made.thing == said[1](*item[1:])
        return said if agreed else None

    def tables(self) -> list[str]:
        """Every change's table, in order, building only the deferred changes whose builder is not described."""
        tables: list[str] = []
        add = tables.append
        described: dict[Callable[..., Change], str] = {}  # builder -> table, once its description is checked
        for item in self._items:
            if isinstance(item, Change):
                add(item.table)
                continue
            table = described.get(item[0])
            if table is None:
                said = self._description(item)
                if said is None:
                    add(self._made(item).table)
                    continue
                table = described[item[0]] = said[0]
            add(table)
        return tables

    def things(self, indices: Iterable[int]) -> Iterator[tuple[int, str]]:
        """(index, item) for each index in turn, building only the deferred changes not described."""
        items = self._items
        described: dict[Callable[..., Change], Callable[..., str] | None] = {}  # builder -> its item text
        for index in indices:
            item = items[index]
            if isinstance(item, Change):
                yield index, item.thing
                continue
            build = item[0]
            if build in described:
                thing = described[build]
            else:
                said = self._description(item)
                thing = described[build] = said[1] if said is not None else None
            yield index, (thing(*item[1:]) if thing is not None else self._made(item).thing)

    def thing_at(self, index: int) -> str:
        """The item the ``index``-th change names ("FS/S6 · 302 · Jun 2019"), without building it if it can."""
        item = self._items[index]
        if isinstance(item, Change):
            return item.thing
        said = self._description(item)
        return said[1](*item[1:]) if said is not None else self._made(item).thing


@dataclass
class KpiRecord:
    ref: str
    loc: Loc
    name: str | None = None
    theme: str | None = None
    unit: str | None = None
    polarity: str | None = None
    polarity_reported: str | None = None
    kpi_type: str | None = None
    owner: str | None = None
    rag_rule: str | None = None
    tolerance: float | None = None
    frequency: str | None = None
    decimals: int | None = None
    description: str | None = None  # what the KPI measures (definitions sheets)
    definition: bool = False  # read from a definitions sheet: may change a stored KPI's definition


@dataclass(slots=True)
class ValueRecord:
    ref: str
    authority: str
    period: periods.Period
    fields: dict[str, Any]  # value, value_text, missing_reason, target, target_text, rag_reported, ...
    loc: Loc  # the value cell
    # True when the source sheet and cell are the value cell's, not in ``fields`` (a long file's plain rows:
    # two fewer entries on each of hundreds of thousands of records)
    source_from_loc: bool = False

    def stored_fields(self) -> dict[str, Any]:
        """The fields as stored, the source sheet and cell included however they are kept."""
        if not self.source_from_loc:
            return self.fields
        return {**self.fields, "source_sheet": self.loc.sheet, "source_cell": self.loc.cell}


@dataclass
class TargetRecord:
    """A KPI's target for one year (a target table's "2018/19 target" cell)."""

    ref: str
    authority: str
    period: periods.Period
    target: float | None
    target_text: str | None
    loc: Loc  # the target cell


@dataclass
class MilestoneRecord:
    """One row of a milestones sheet: the action's n-th milestone."""

    plan: str | None
    ref: str
    position: int
    label: str
    due: dt.date | None
    due_text: str | None
    status: str | None
    status_reported: str | None
    loc: Loc


@dataclass
class BenchmarkRecord:
    ref: str
    comparator: str
    period: periods.Period
    value: float
    year_label: str | None
    source: str
    note: str | None
    loc: Loc


@dataclass
class InspectionKey:
    authority: str
    framework: str
    start: dt.date | None
    body: str


@dataclass
class ActionRecord:
    plan: str | None
    ref: str
    loc: Loc
    recommendations: list[str] = field(default_factory=list)
    recommendation_texts: dict[str, str] = field(default_factory=dict)  # number -> text when given as text
    objective: str | None = None
    title: str | None = None
    description: str | None = None
    lead: str | None = None
    due: dt.date | None = None
    due_text: str | None = None
    oversight: str | None = None
    success: str | None = None
    timeframe: str | None = None
    inspection: InspectionKey | None = None  # which inspection's recommendations the plan answers
    update: dict[str, Any] | None = None  # period_end, period_label, status, status_reported, rag, ...
    definition: bool = False  # a plan table with no progress columns: may change titles and descriptions
    recommendations_by_order: bool = False  # unnumbered recommendation texts, numbered 1, 2 … by order
    due_readable: bool = True  # the due cell named a date, a horizon or "ongoing"
    ref_typed_as_number: bool = False  # Excel held the id as a number ("1.10" arrives as 1.1)
    columns: dict[str, Loc] = field(default_factory=dict)  # field -> its cell, for the preview


@dataclass
class JudgementRecord:
    inspection: InspectionKey
    area: str
    grade: str | None
    section: str | None
    parent: str | None
    loc: Loc
    published: dt.date | None = None
    end: dt.date | None = None


@dataclass
class RecommendationRecord:
    inspection: InspectionKey
    number: str
    text: str
    timeframe: str | None
    kind: str
    loc: Loc
    addressed_to: str | None = None
    kpis: tuple[str, ...] = ()  # refs of the KPIs evidencing it


@dataclass
class SheetReport:
    name: str
    family: str | None  # family code, None when skipped
    label: str
    rows: int = 0
    reason: str | None = None  # why it was skipped
    header_row: int | None = None
    unmatched: list[str] = field(default_factory=list)
    skipped_rows: list[str] = field(default_factory=list)  # "row 31 'Source: DfE' (a note)"


class BySeverity:
    """Errors block an import, warnings are listed before confirming, notes say how a cell was read."""

    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def cell_notes(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "note"]


@dataclass
class ParsedReturn(BySeverity):
    filename: str
    kpis: dict[str, KpiRecord] = field(default_factory=dict)
    values: list[ValueRecord] = field(default_factory=list)
    benchmarks: list[BenchmarkRecord] = field(default_factory=list)
    targets: list[TargetRecord] = field(default_factory=list)
    milestones: list[MilestoneRecord] = field(default_factory=list)
    actions: list[ActionRecord] = field(default_factory=list)
    judgements: list[JudgementRecord] = field(default_factory=list)
    recommendations: list[RecommendationRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sheets: list[SheetReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    authority: str | None = None  # whose figures, when the file names an authority for all of them

    def note(self, loc: Loc | None, message: str) -> None:
        self.problem(loc, message, "note")

    @property
    def empty(self) -> bool:
        return not (self.values or self.actions or self.benchmarks or self.judgements or self.recommendations
                    or self.kpis or self.targets or self.milestones)

    def problem(self, loc: Loc | None, message: str, severity: str = "error") -> None:
        if loc is None:
            self.problems.append(Problem(self.filename, None, None, None, message, severity))
            return
        column = column_letter(loc.col) if loc.col is not None else None
        self.problems.append(Problem(self.filename, loc.sheet, loc.row + 1, column, message, severity))
