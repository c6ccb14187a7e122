"""One page of an upload's changes, for the preview: filtered by table and item text, without making
every change of a national return (330,000 of them) into a row on every rerun.

Only the page shown is built into rows. Which table each change is to, and the item it names, come
from the log without building the change where the log can say them (:meth:`ChangeLog.describe`).
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from lib.returns.pipeline import TABLE_LABELS
from lib.returns.records import Change, ChangeLog

PAGE_SIZE = 500


@dataclass(frozen=True)
class ChangePage:
    """The changes on one page of the preview, and what the filters need to be drawn."""

    rows: list[dict[str, Any]]  # Change.as_row() of each change on the page, "What" as TABLE_LABELS says
    matching: int  # changes that pass the filters
    total: int  # changes in all
    tables: list[tuple[str, int]]  # each table changed (sorted by name) and how many changes it has
    page: int  # the page shown, 1-based (the one asked for, kept within 1 … pages)
    pages: int  # pages of matching changes (1 when none match)
    page_size: int

    @property
    def first(self) -> int:
        """1-based position among the matching changes of the page's first row (0 when none)."""
        return (self.page - 1) * self.page_size + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0

    def caption(self) -> str:
        """ "Showing 1–500 of 12,345 matching changes (330,480 in all). Confirming stores exactly these." """
        if not self.matching:
            return f"No change matches ({_changes(self.total)} in all). Confirming stores all of them."
        shown = f"{self.first:,}" if self.first == self.last else f"{self.first:,}–{self.last:,}"
        of = (_changes(self.total) if self.matching == self.total
              else f"{self.matching:,} matching {_changes(self.matching, number=False)} ({self.total:,} in all)")
        return f"Showing {shown} of {of}. Confirming stores exactly these."


def _changes(count: int, *, number: bool = True) -> str:
    """ "1 change", "12,345 changes" (or just the noun)."""
    noun = "change" if count == 1 else "changes"
    return f"{count:,} {noun}" if number else noun


def _outline(changes: Sequence[Change]) -> tuple[list[str], Callable[[Iterable[int]], Iterator[tuple[int, str]]]]:
    """Each change's table in order, and (index, item) for given indices, not building changes where it can."""
    if isinstance(changes, ChangeLog):
        return changes.tables(), changes.things
    return [c.table for c in changes], lambda indices: ((i, changes[i].thing) for i in indices)


def _matching(tables: list[str], things: Callable[[Iterable[int]], Iterator[tuple[int, str]]],
              shown: Collection[str], needle: str, every_table: bool) -> Iterator[int]:
    """The indices, in order, of the changes to a table shown whose item holds ``needle`` (casefolded)."""
    if every_table:
        candidates: Iterator[int] = iter(range(len(tables)))
    else:
        candidates = (i for i, table in enumerate(tables) if table in shown)
    if not needle:
        return candidates
    return (i for i, thing in things(candidates) if needle in thing.casefold())


def change_page(changes: Sequence[Change], tables: Collection[str] | None = None, find: str = "",
                page: int = 1, page_size: int = PAGE_SIZE) -> ChangePage:
    """Page ``page`` (1-based) of the changes to ``tables`` (None: every table) whose item holds ``find``
    (any case), in the log's order, ``page_size`` a page. Builds only the page's changes, and the items of
    the changes to the tables shown when ``find`` is given and the log cannot read them unbuilt."""
    if page_size < 1:
        raise ValueError(f"page_size must be at least 1, not {page_size}")
    names, things = _outline(changes)
    counts = Counter(names)
    shown = set(counts) if tables is None else set(tables) & set(counts)
    page = max(1, page)
    start, stop = (page - 1) * page_size, page * page_size
    picked: list[int] = []
    tail: deque[int] = deque(maxlen=page_size)  # the latest matches before the page: the last page, if past it
    matching = 0
    for i in _matching(names, things, shown, find.casefold(), len(shown) == len(counts)):
        if start <= matching < stop:
            picked.append(i)
        elif matching < start:
            tail.append(i)
        matching += 1
    pages = max(1, -(-matching // page_size))
    if page > pages:  # past the end (the filters narrowed since it was chosen): the last page
        page = pages
        picked = list(tail)[(pages - 1) * page_size - matching:] if matching else []
    rows = []
    for i in picked:
        row = changes[i].as_row()
        row["What"] = TABLE_LABELS.get(row["What"], row["What"])
        rows.append(row)
    return ChangePage(rows, matching, len(names), sorted(counts.items()), page, pages, page_size)
