"""An action's milestones: read from what plans print, and the status of each as at a date.

Plans print milestones two ways, and both are read here (one rule for the sample loader and
the importer):
- horizons relative to the plan's start — the 2017 plan's "3 months / 6 months / 9 months /
  12 months" columns: a milestone "n months" is due the day before the plan's start plus n months
  (a plan starting 1 Aug 2017 has its 3-month milestone due 31 Oct 2017);
- dated lists — the LSCB plan's "1. July 17 2. Sept 17 … 4. Dec 17, March 18": each date is one
  milestone (item 4 gives two, December 2017 and March 2018), labelled with the action text's
  item of the same number when the text numbers its steps.

A milestone's status is its own: complete when its text says so ("[completed]") or the whole
action is complete, otherwise overdue, due this month or upcoming against the as-at date.
Pure: no database, no Streamlit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from lib import periods

COMPLETE, OVERDUE, DUE_NOW, UPCOMING, UNDATED = "complete", "overdue", "due_this_month", "upcoming", "undated"
STATUS_LABELS = {COMPLETE: "Complete", OVERDUE: "Overdue", DUE_NOW: "Due this month", UPCOMING: "Upcoming",
                 UNDATED: "No date"}
STATUS_ICONS = {COMPLETE: "✔", OVERDUE: "✖", DUE_NOW: "◆", UPCOMING: "○", UNDATED: "–"}
STATUS_ORDER = (OVERDUE, DUE_NOW, UPCOMING, UNDATED, COMPLETE)

_HORIZON_KEY = re.compile(r"^\s*(\d{1,2})\s*months?\s*$", re.IGNORECASE)
_DONE = re.compile(r"\[\s*(completed?|done|achieved)\s*\]|\((completed?|done|achieved)\)", re.IGNORECASE)
_ITEM = re.compile(r"(?:^|(?<=\s))(\d{1,2})[.)]\s+")


@dataclass(frozen=True)
class MilestoneSpec:
    """One milestone as a plan prints it, before it is stored."""

    position: int
    label: str
    due: dt.date | None
    due_text: str | None
    status: str | None = None  # COMPLETE when the text says so; else derived when shown
    status_reported: str | None = None


def horizon_due(start: dt.date, months: int) -> dt.date:
    """The day before ``start`` plus ``months`` months: 1 Aug 2017 + 3 months → 31 Oct 2017."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, _days_in(year, month))
    return dt.date(year, month, day) - dt.timedelta(days=1)


def _days_in(year: int, month: int) -> int:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return (nxt - dt.timedelta(days=1)).day


def _reported(text: str) -> tuple[str | None, str | None]:
    found = _DONE.search(text)
    return (COMPLETE, found.group(0)) if found else (None, None)


def from_horizons(horizons: Mapping[str, object], start: dt.date | None) -> tuple[list[MilestoneSpec], list[str]]:
    """Milestones from "3 months: …" columns; notes say what could not be dated (no plan start)."""
    specs: list[MilestoneSpec] = []
    notes: list[str] = []
    for key, value in horizons.items():
        text = " ".join(str(value or "").split())
        if not text:
            continue
        match = _HORIZON_KEY.match(str(key))
        due = horizon_due(start, int(match[1])) if match and start else None
        if match and start is None:
            notes.append(f"the '{key}' milestone has no date: the plan has no start date to count from")
        status, reported = _reported(text)
        specs.append(MilestoneSpec(len(specs), text, due, str(key).strip(), status, reported))
    return specs, notes


def numbered_items(text: str | None) -> dict[str, str]:
    """The numbered steps of an action's text: "1. Do this 2. Then that" → {"1": "Do this", …}."""
    if not text:
        return {}
    found = list(_ITEM.finditer(text))
    items: dict[str, str] = {}
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        items.setdefault(str(int(m[1])), " ".join(text[m.end():end].split()))
    return items


def _pieces(text: str) -> dict[str, str]:
    """The text of each numbered item of a schedule ("4. Dec 17, March 18" → {"4": "Dec 17, March 18"})."""
    return numbered_items(text) or {"": " ".join(text.split())}


def from_schedule(due_text: str | None, description: str | None) -> list[MilestoneSpec]:
    """Milestones from a dated list; none when the text names one date only (that is the due date)."""
    if not due_text:
        return []
    due = periods.parse_due(due_text)
    dated = [(label, day) for label, day in due.milestones if day is not None]
    if len(dated) < 2 and not any(label for label, _day in dated):
        return []
    steps = numbered_items(description)
    pieces = _pieces(due.text)
    specs: list[MilestoneSpec] = []
    for label, day in due.milestones:
        piece = pieces.get(label, "")
        step = steps.get(label)
        name = f"{label}. {step}" if label and step else (f"Step {label}" if label else f"Milestone {len(specs) + 1}")
        status, reported = _reported(piece) if piece else (None, None)
        shown = f"{label}. {piece}" if label and piece else (piece or None)
        specs.append(MilestoneSpec(len(specs), name, day, shown[:120] if shown else None, status, reported))
    return specs


def status(spec_status: str | None, due: dt.date | None, action_complete: bool, as_at: dt.date) -> str:
    """A milestone's status as at a date: complete, overdue, due this month, upcoming or undated."""
    if spec_status == COMPLETE or action_complete:
        return COMPLETE
    if due is None:
        return UNDATED
    if (due.year, due.month) == (as_at.year, as_at.month):
        return DUE_NOW
    return OVERDUE if due < as_at else UPCOMING


def status_text(code: str) -> str:
    """"✖ Overdue": an icon and a word, never colour alone."""
    return f"{STATUS_ICONS.get(code, '')} {STATUS_LABELS.get(code, code)}".strip()
