"""The one display layer: every word, icon, colour, number and date a page, pack or CLI shows.

Pages, the board, the packs, what-changed, snapshots and the command line all format through
here, so a band reads the same everywhere: RAG as icon + word, never colour alone; grades as
word with score; dates as "30 Jun 2019"; a blank as "—"; percentages with a % sign. Pure: no I/O.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from lib import vocab

RAG_ICONS: dict[str, str] = {
    "green": "✔",
    "green_amber": "◐",
    "amber": "▲",
    "red_amber": "◆",
    "red": "✖",
    "blue": "★",
}
NO_RAG = "No RAG"
# Colour-blind-considerate RAG fills (light, for dark text): never colour alone, every cell carries the word.
RAG_COLOURS: dict[str, str] = {
    "green": "#b7e4c7",
    "green_amber": "#d8f0a8",
    "amber": "#ffe08a",
    "red_amber": "#ffc58a",
    "red": "#f4a7a7",
    "blue": "#b9d7f5",
}
NEUTRAL_FILL = "#e9ecef"
BLANK = "—"  # what a missing figure reads as on screen and in packs
BAND_WORDS: dict[str, str] = {"green": "Green", "amber": "Amber", "red": "Red", "none": NO_RAG}
BAND_ICONS: dict[str, str] = {"green": RAG_ICONS["green"], "amber": RAG_ICONS["amber"], "red": RAG_ICONS["red"],
                              "none": BLANK}
# Ofsted grade fills by score (1 best .. 4 worst), colour-blind-considerate; the word is always shown.
GRADE_COLOURS: dict[int, str] = {1: "#4dac26", 2: "#b8e186", 3: "#fdb863", 4: "#e66101"}
RULE_LABELS: dict[str, str] = {"tolerance": "Tolerance", "targeted_improvement": "Targeted improvement"}


def is_blank(value: Any) -> bool:
    """None, NaN, NaT, pd.NA or an empty/whitespace string."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, (list, tuple, dict, set)):
        return False
    import pandas as pd  # only for pandas' own missing values (NaT, pd.NA); imported once, then cached

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def text(value: Any) -> str:
    """Any cell as plain text ("" for blanks)."""
    return "" if is_blank(value) else str(value).strip()


def rag_word(level: Any, none: str = NO_RAG) -> str:
    """A RAG level as its word ("Green amber"), or ``none`` when there is no RAG."""
    if not isinstance(level, str) or not level:
        return none
    return vocab.RAG_LABELS.get(level, level)


def rag_text(level: Any, none: str = NO_RAG) -> str:
    """A RAG level as icon + word (never colour alone)."""
    if not isinstance(level, str) or not level:
        return f"— {none}"
    return f"{RAG_ICONS.get(level, '')} {vocab.RAG_LABELS.get(level, level)}".strip()


def band_heading(band: str) -> str:
    """A count column's heading: icon + band word ("✔ Green", "— No RAG")."""
    return f"{BAND_ICONS[band]} {BAND_WORDS[band]}"


def rule_label(rule: Any) -> str:
    """A RAG rule's name in words ("Targeted improvement")."""
    return RULE_LABELS.get(text(rule), text(rule).replace("_", " ").capitalize())


def polarity_text(polarity: Any) -> str:
    return vocab.POLARITY_LABELS.get(text(polarity), "Polarity not set")


def due_text(due: Any, due_written: Any, overdue: Any = False) -> str:
    """An action's deadline as shown everywhere: its date (else the plan's words), marked when overdue."""
    label = format_date(due) or text(due_written) or "No date set"
    return f"{label} · overdue" if bool(overdue) and not is_blank(overdue) else label


def count_text(count: int, singular: str, plural: str | None = None) -> str:
    """ "1 KPI", "2 KPIs" — never "KPI(s)"."""
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def or_blank(value: Any) -> str:
    """Plain text of a cell, or "—" when it is blank."""
    return text(value) or BLANK


def status_word(status: Any) -> str:
    if not isinstance(status, str) or not status:
        return "Not reported"
    return vocab.STATUS_LABELS.get(status, status)


def direction_word(direction: Any) -> str:
    if not isinstance(direction, str) or not direction:
        return ""
    return vocab.DIRECTION_LABELS.get(direction, direction)


def direction_text(direction: Any) -> str:
    if not isinstance(direction, str) or not direction:
        return ""
    return f"{vocab.DIRECTION_ARROWS.get(direction, '')} {vocab.DIRECTION_LABELS.get(direction, direction)}".strip()


def format_date(value: Any) -> str:
    """30 Jun 2019 ("" for blanks; ISO text is read as a date)."""
    if is_blank(value):
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.day} {value:%b %Y}"
    return str(value)


def format_datetime(value: Any) -> str:
    """30 Jun 2019, 14:05 ("" for blanks)."""
    if is_blank(value):
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    return f"{format_date(value)}, {value:%H:%M}" if isinstance(value, dt.datetime) else format_date(value)


def format_value(value: Any, unit: Any, decimals: Any = 1) -> str:
    """A KPI figure with its unit's decimals and a % sign for percentages ("" for blanks)."""
    if is_blank(value):
        return ""
    places = 1 if is_blank(decimals) else max(0, int(decimals))
    if unit in ("number", "count") and float(value).is_integer():
        places = 0  # a count reads 226, never 226.0
    number = f"{float(value):,.{places}f}"
    return f"{number}%" if unit == "percent" else number


def format_target(target: Any, target_text: Any, unit: Any, decimals: Any = 1) -> str:
    """A numeric target formatted like its value, else the target's words ("Monitor")."""
    if not is_blank(target):
        return format_value(target, unit, decimals)
    return text(target_text)


def shorten(value: Any, limit: int) -> str:
    """Plain text cut at a word boundary to at most ``limit`` characters, with an ellipsis."""
    words = " ".join(text(value).split())
    if len(words) <= limit:
        return words
    cut = words[: max(1, limit - 1)].rsplit(" ", 1)[0].rstrip(" ,;:.-")
    return (cut or words[: limit - 1]) + "…"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:@])")


def plain(value: object) -> str:
    """User text made safe for a Streamlit element that renders Markdown (labels, captions, messages):
    every Markdown character is escaped (so "**bold**" stays as typed), links cannot form ("http://x" is
    shown, never clickable) and a missing value (None, NaN) becomes ""."""
    raw = "" if value is None or (not isinstance(value, str) and is_blank(value)) else str(value)
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", raw)
    escaped = re.sub(r"(?i)(www)\\\.", "\\1\u2060\\.", escaped)
    return re.sub(r"(?i)\b(https?|ftp|mailto|file)\\:", "\\1\u2060\\:", escaped)  # no bare URL can autolink
