"""Small text formatters shared by the exports, the change lists and the snapshots.

The same wording as :mod:`lib.ui` (which imports Streamlit and so cannot be used by the
command line or the board-pack writers): RAG as icon + word, never colour alone; dates as
"30 Jun 2019"; percentages with a % sign. Pure: no I/O.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import pandas as pd

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
    """30 Jun 2019 ("" for blanks)."""
    if is_blank(value):
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.day} {value:%b %Y}"
    return str(value)


def format_value(value: Any, unit: Any, decimals: Any = 1) -> str:
    """A KPI figure with its unit's decimals and a % sign for percentages ("" for blanks)."""
    if is_blank(value):
        return ""
    places = 1 if is_blank(decimals) else max(0, int(decimals))
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


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:])")


def plain(text: object) -> str:
    """User text made safe for a Streamlit element that renders Markdown: every Markdown character is
    escaped (so "**bold**" stays as typed) and links cannot form ("http://x" is shown, never clickable)."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
    return re.sub(r"(?i)(www)\\\.", "\\1\u2060\\.", escaped)
