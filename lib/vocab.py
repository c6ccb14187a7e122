"""Controlled vocabularies shared by parsers, rules, store and pages.

Real returns spell RAG, status and polarity a dozen ways ("G", "Green Amber",
"AMBER", "Bigger is Better", "[completed]"). Every module normalises through
this one place so a word means the same thing everywhere. Pure: no I/O.
"""

from __future__ import annotations

import re

# --- RAG -------------------------------------------------------------------
# Five reported levels (the seeds' 4-level key plus plain Amber) and Blue,
# which many councils use for "complete".
RAG_LEVELS: tuple[str, ...] = ("green", "green_amber", "amber", "red_amber", "red", "blue")
RAG_LABELS: dict[str, str] = {
    "green": "Green",
    "green_amber": "Green amber",
    "amber": "Amber",
    "red_amber": "Red amber",
    "red": "Red",
    "blue": "Blue (complete)",
}
# Three-band view used for derived RAG, counts and colour.
RAG_BANDS: tuple[str, ...] = ("green", "amber", "red")
_LEVEL_TO_BAND = {
    "green": "green",
    "blue": "green",
    "green_amber": "amber",
    "amber": "amber",
    "red_amber": "amber",
    "red": "red",
}

_RAG_WORDS: dict[str, str] = {
    "g": "green",
    "green": "green",
    "ga": "green_amber",
    "g/a": "green_amber",
    "green amber": "green_amber",
    "green/amber": "green_amber",
    "green-amber": "green_amber",
    "a": "amber",
    "amber": "amber",
    "ra": "red_amber",
    "r/a": "red_amber",
    "red amber": "red_amber",
    "red/amber": "red_amber",
    "red-amber": "red_amber",
    "r": "red",
    "red": "red",
    "b": "blue",
    "blue": "blue",
}


def normalise_rag(raw: object) -> str | None:
    """Map a RAG word or letter in any case to a level, or None if it is not one."""
    if raw is None:
        return None
    text = str(raw).strip().lower()
    text = re.sub(r"[()\[\]]", "", text).strip()
    text = re.sub(r"\s+", " ", text)
    return _RAG_WORDS.get(text)


def rag_band(level: str | None) -> str | None:
    """Collapse a reported level to green / amber / red (None stays None)."""
    if level is None:
        return None
    return _LEVEL_TO_BAND.get(level)


# --- Action status -----------------------------------------------------------
STATUSES: tuple[str, ...] = (
    "not_started",
    "in_progress",
    "on_hold",
    "complete_awaiting_signoff",
    "complete",
)
STATUS_LABELS: dict[str, str] = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "on_hold": "On hold",
    "complete_awaiting_signoff": "Complete — awaiting sign-off",
    "complete": "Complete",
}
_STATUS_WORDS: dict[str, str] = {
    "not started": "not_started",
    "not yet started": "not_started",
    "planned": "not_started",
    "in progress": "in_progress",
    "ongoing": "in_progress",
    "on-going": "in_progress",
    "on track": "in_progress",
    "started": "in_progress",
    "delayed": "in_progress",
    "behind": "in_progress",
    "at risk": "in_progress",
    "on hold": "on_hold",
    "paused": "on_hold",
    "complete - awaiting sign-off": "complete_awaiting_signoff",
    "complete – awaiting sign-off": "complete_awaiting_signoff",
    "complete — awaiting sign-off": "complete_awaiting_signoff",
    "complete awaiting sign-off": "complete_awaiting_signoff",
    "complete awaiting sign off": "complete_awaiting_signoff",
    "completed awaiting sign off": "complete_awaiting_signoff",
    "awaiting sign-off": "complete_awaiting_signoff",
    "awaiting sign off": "complete_awaiting_signoff",
    "awaiting signoff": "complete_awaiting_signoff",
    "complete": "complete",
    "completed": "complete",
    "done": "complete",
    "closed": "complete",
    "achieved": "complete",
    "delivered": "complete",
}


def normalise_status(raw: object) -> str | None:
    """Map a status word ("[completed]", "Ongoing", "Complete - awaiting sign-off") to a code."""
    if raw is None:
        return None
    text = str(raw).strip().lower()
    text = re.sub(r"[\[\]]", "", text).strip()
    text = re.sub(r"\s+", " ", text)
    if text in _STATUS_WORDS:
        return _STATUS_WORDS[text]
    if text.replace("_", " ") in _STATUS_WORDS:
        return _STATUS_WORDS[text.replace("_", " ")]
    if text in STATUSES:
        return text
    return None


DONE_STATUSES = frozenset({"complete", "complete_awaiting_signoff"})

# --- KPI polarity ------------------------------------------------------------
POLARITIES: tuple[str, ...] = ("higher", "lower", "monitor")
POLARITY_LABELS: dict[str, str] = {
    "higher": "Higher is better",
    "lower": "Lower is better",
    "monitor": "Monitor only",
}
_POLARITY_WORDS: dict[str, str] = {
    "higher": "higher",
    "high": "higher",
    "higher is better": "higher",
    "bigger is better": "higher",
    "bigger": "higher",
    "up": "higher",
    "increase": "higher",
    "lower": "lower",
    "low": "lower",
    "lower is better": "lower",
    "smaller is better": "lower",
    "smaller": "lower",
    "down": "lower",
    "decrease": "lower",
    "monitor": "monitor",
    "monitor only": "monitor",
    "-": "monitor",
    "neutral": "monitor",
    "n/a": "monitor",
}


def normalise_polarity(raw: object) -> str | None:
    """Map "Bigger is Better", "Smaller is Better", "Monitor", LAIT's High/Low/- to a code."""
    if raw is None:
        return None
    text = re.sub(r"\s+", " ", str(raw).strip().lower())
    return _POLARITY_WORDS.get(text)


# --- Direction of travel -----------------------------------------------------
DIRECTIONS: tuple[str, ...] = ("improving", "worsening", "no_change", "new", "up", "down")
DIRECTION_LABELS: dict[str, str] = {
    "improving": "Improving",
    "worsening": "Worsening",
    "no_change": "No change",
    "new": "New",
    "up": "Up (monitor)",
    "down": "Down (monitor)",
}
DIRECTION_ARROWS: dict[str, str] = {
    "improving": "▲",
    "worsening": "▼",
    "no_change": "▶",
    "new": "●",
    "up": "△",
    "down": "▽",
}

# --- Units -------------------------------------------------------------------
UNITS: tuple[str, ...] = ("percent", "number", "rate", "score", "days", "weeks", "ratio", "currency")

# --- Period kinds ------------------------------------------------------------
PERIOD_KINDS: tuple[str, ...] = (
    "month",
    "quarter",
    "financial_year",
    "academic_year",
    "calendar_year",
    "as_at",
    "span",
)
