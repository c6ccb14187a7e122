"""Controlled vocabularies shared by parsers, rules, store and pages.

Real returns spell RAG, status and polarity a dozen ways ("G", "Green Amber",
"AMBER", "Bigger is Better", "[completed]"). Every module normalises through
this one place so a word means the same thing everywhere. Pure: no I/O.
"""

from __future__ import annotations

import colorsys
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

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

_COLOUR_WORDS = frozenset({"green", "amber", "red", "blue"})
_DASHES_RE = re.compile("[\u2010-\u2015\u2212]")


def _key(raw: object) -> str:
    """Lower-case words only, so "Green/Amber", "green - amber" and "(Green Amber)" share one key."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", str(raw).lower()).split())


def _shown(text: str) -> str:
    """The cell as typed, on one line and short enough to quote in a message."""
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= 40 else one_line[:37] + "..."


class RagWords(NamedTuple):
    """One row of the RAG word table: the level, how messages name it, what it means, every spelling."""

    level: str
    label: str
    meaning: str
    words: tuple[str, ...]


# The single source for RAG words: normalise_rag, read_rag_cell's messages and the template's
# Instructions sheet all come from this table. Case, spaces, "/" and "-" never matter ("Amber-Red",
# "red / amber" and "Red Amber" are one key), so only genuinely different spellings are listed.
RAG_WORD_TABLE: tuple[RagWords, ...] = (
    RagWords("green", "Green", "on track or met", ("Green", "G")),
    RagWords(
        "green_amber",
        "Green Amber (GA)",
        "delayed, low impact",
        ("Green Amber", "Amber Green", "GA", "AG", "G/A", "A/G"),
    ),
    RagWords("amber", "Amber", "some risk to delivery, being managed", ("Amber", "A")),
    RagWords(
        "red_amber",
        "Red Amber (RA)",
        "delayed, medium impact",
        ("Red Amber", "Amber Red", "RA", "AR", "R/A", "A/R"),
    ),
    RagWords("red", "Red", "risk of not delivering or high impact", ("Red", "R")),
    RagWords("blue", "Blue (complete)", "action completed", ("Blue", "B")),
)
ACCEPTED_RAG: str = ", ".join(row.label for row in RAG_WORD_TABLE)

_RAG_WORDS: dict[str, str] = {_key(word): row.level for row in RAG_WORD_TABLE for word in row.words}
# Keys made only of colour words: the ones that may lead an explanation ("Red - off track").
# Single letters may not: "A - see note" is as likely a list item as Amber.
_COLOUR_KEYS = frozenset(k for k in _RAG_WORDS if set(k.split()) <= _COLOUR_WORDS)
_EXPLANATION_RE = re.compile(r"\s*[-:;,(\[]")
_HEAD_MAX = 24  # an explanation starts within this many characters: the longest RAG head is "Amber / Green"


def normalise_rag(raw: object) -> str | None:
    """Map a RAG word or letter to a level, or None if it is not one.

    Case, spaces and punctuation do not matter ("A/R", "Amber-Red", "(G)"). A colour word followed
    by a dash, colon or bracket explanation takes the colour ("Red - off track", "RED – at risk"),
    choosing the longest colour head so "Red - Amber - slipping" is Red Amber. Status words such as
    "Complete" are not RAG here (read_rag_cell maps them for a RAG column): value cells are read
    through this too, and a KPI value "Complete" must not become a Blue rating.
    """
    if raw is None:
        return None
    text = _DASHES_RE.sub("-", str(raw)).strip()
    level = _RAG_WORDS.get(_key(text))
    if level is not None or not text:
        return level
    starts = [m for m in _EXPLANATION_RE.finditer(text, 0, _HEAD_MAX + 1) if m.start() > 0]
    for m in reversed(starts):
        head = _key(text[: m.start()])
        if head in _COLOUR_KEYS:
            return _RAG_WORDS[head]
        if head in _RAG_WORDS and _RAG_WORDS.get(_key(text[m.end() :])) == _RAG_WORDS[head]:
            return _RAG_WORDS[head]  # "G (Green)", "GA (Green Amber)": the letters explained
    return None


def rag_band(level: object) -> str | None:
    """Collapse a reported level to green / amber / red (None, NaN and unknown words stay None)."""
    if not isinstance(level, str):
        return None
    return _LEVEL_TO_BAND.get(level)


BAND_ORDER: tuple[str, ...] = ("red", "amber", "green")  # worst first
COUNT_BANDS: tuple[str, ...] = ("green", "amber", "red", "none")  # the order counts are shown in


LEVEL_ORDER: tuple[str, ...] = ("red", "red_amber", "amber", "green_amber", "green", "blue")  # worst first


def severity(level: object) -> int:
    """Sort key of a RAG level, worst first (no RAG last)."""
    return LEVEL_ORDER.index(level) if isinstance(level, str) and level in LEVEL_ORDER else len(LEVEL_ORDER)


def worst_band(levels: Iterable[object]) -> str | None:
    """The worst band among RAG levels (red, then amber, then green); None when none has a RAG."""
    bands = {rag_band(level) for level in levels}
    return next((b for b in BAND_ORDER if b in bands), None)


def rag_counts(levels: Iterable[object]) -> dict[str, int]:
    """How many levels fall in each band, plus "none" for no RAG: the counts every screen and pack shows."""
    counts = dict.fromkeys(COUNT_BANDS, 0)
    for level in levels:
        counts[rag_band(level) or "none"] += 1
    return counts


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


class StatusWords(NamedTuple):
    """One row of the status word table: the code, how messages name it, every spelling accepted."""

    status: str
    label: str
    words: tuple[str, ...]


# The single source for status words (see RAG_WORD_TABLE). "On track", "At risk" and the like are
# progress statuses, not RAG ratings: read_rag_cell says so when they turn up in a RAG column.
STATUS_WORD_TABLE: tuple[StatusWords, ...] = (
    StatusWords("not_started", "Not started", ("Not started", "Not yet started", "Planned")),
    StatusWords(
        "in_progress",
        "In progress",
        (
            "In progress",
            "On track",
            "Off track",
            "At risk",
            "Delayed",
            "Behind",
            "Slipped",
            "Ongoing",
            "On-going",
            "Started",
        ),
    ),
    StatusWords("on_hold", "On hold", ("On hold", "Paused")),
    StatusWords(
        "complete_awaiting_signoff",
        "Complete - awaiting sign-off",
        (
            "Complete - awaiting sign-off",
            "Completed - awaiting sign-off",
            "Complete awaiting signoff",
            "Awaiting sign-off",
            "Awaiting signoff",
        ),
    ),
    StatusWords("complete", "Complete", ("Complete", "Completed", "Done", "Closed", "Achieved", "Delivered")),
)
ACCEPTED_STATUS: str = ", ".join(row.label for row in STATUS_WORD_TABLE)

_STATUS_WORDS: dict[str, str] = {_key(word): row.status for row in STATUS_WORD_TABLE for word in row.words}
_STATUS_WORDS.update({_key(code): code for code in STATUSES})  # "not_started" as stored reads back


def normalise_status(raw: object) -> str | None:
    """Map a status word ("[completed]", "Ongoing", "Complete - awaiting sign-off") to a code.

    Case, spaces, brackets and punctuation do not matter; the whole cell must be a status word.
    """
    if raw is None:
        return None
    return _STATUS_WORDS.get(_key(raw))


DONE_STATUSES = frozenset({"complete", "complete_awaiting_signoff"})

# --- Reading a RAG or Status cell ---------------------------------------------------------------
_COMPLETE_WORDS = next(row.words for row in STATUS_WORD_TABLE if row.status == "complete")


@dataclass(frozen=True)
class RagCell:
    """What a RAG-column cell says, and the problem to report about it (severity "warning"/"error")."""

    rag: str | None
    status: str | None
    problem: str | None
    severity: str | None


def _leading_colour(text: str) -> str | None:
    """The level of a colour word that opens longer text ("Green on track"), else None."""
    words = _key(text).split()
    for n in (2, 1):
        head = " ".join(words[:n])
        if len(words) > n and head in _COLOUR_KEYS:
            return _RAG_WORDS[head]
    return None


def read_rag_cell(text: str) -> RagCell:
    """Read a cell in a RAG column, saying plainly what was stored and why.

    Returns rag set for a RAG word (Blue, and "Complete"/"Completed", also set status "complete",
    since councils mark finished actions that way). A status word ("On track", "At risk") gives no
    RAG but its status and a warning, because guessing Green from "On track" would invent a rating.
    A colour word opening longer text ("Green on track") is read as that colour with a warning.
    Anything else is an error naming the accepted words. A blank cell is no RAG and no problem.
    """
    shown = _shown(str(text))
    if not shown:
        return RagCell(None, None, None, None)
    level = normalise_rag(text)
    if level is not None:
        return RagCell(level, "complete" if level == "blue" else None, None, None)
    status = normalise_status(text)
    if status == "complete":
        return RagCell("blue", "complete", None, None)
    if status is not None:
        return RagCell(
            None,
            status,
            f"'{shown}' is a status, not a RAG rating; no RAG was stored — put it in the Status column "
            "and give Green, Amber or Red here",
            "warning",
        )
    level = _leading_colour(text)
    if level is not None:
        label = next(row.label for row in RAG_WORD_TABLE if row.level == level)
        return RagCell(
            level,
            "complete" if level == "blue" else None,
            f"'{shown}' was read as {label}; put only the RAG word here and any explanation in the progress update",
            "warning",
        )
    return RagCell(None, None, f"'{shown}' is not a RAG rating; use one of {ACCEPTED_RAG}", "error")


def read_status_cell(text: str) -> tuple[str | None, str | None]:
    """Read a cell in a Status column: (status code or None, warning or None).

    A RAG word here ("Green") stores no status: a rating is not progress, and mixing them up is
    the commonest slip in returns. A blank cell is no status and no warning.
    """
    shown = _shown(str(text))
    if not shown:
        return None, None
    status = normalise_status(text)
    if status is not None:
        return status, None
    if normalise_rag(text) is not None:
        return None, (
            f"'{shown}' is a RAG rating, not a status; no status was stored — put it in the RAG column "
            f"and give one of {ACCEPTED_STATUS} here"
        )
    return None, f"'{shown}' is not a status; use one of {ACCEPTED_STATUS}"


# --- RAG from a cell's fill colour ------------------------------------------------------------------
# Hue bands in degrees on the HSV wheel, each with its own saturation and value floors. Below the
# floors a fill is white, near-white, grey or near-black and says nothing. Amber's floors are higher
# because pale yellows and peaches are Excel's "Note" (#FFFFCC) and input-cell fills, and dark
# yellow is olive. Teal/cyan (165-185) and purple/pink (260-340) sit between the four and give None.
_MIN_VALUE = 0.35
_HUE_BANDS: tuple[tuple[float, float, str, float, float], ...] = (
    # (from, to, level, min saturation, min value)
    (0.0, 15.0, "red", 0.15, _MIN_VALUE),  # #FF0000, #C00000, pale "Bad" #FFC7CE
    (15.0, 65.0, "amber", 0.30, 0.60),  # orange #FFC000, #F4B084, yellow #FFFF00
    (65.0, 165.0, "green", 0.15, _MIN_VALUE),  # #92D050, #00B050, pale "Good" #C6EFCE
    (185.0, 260.0, "blue", 0.20, _MIN_VALUE),  # #0070C0, #00B0F0, #002060
    (340.0, 360.0, "red", 0.15, _MIN_VALUE),
)
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


def rag_from_colour(hex_rgb: str) -> str | None:
    """The RAG band ("red", "amber", "green", "blue") a fill colour shows, or None if it is none of them.

    Accepts "#RRGGBB", "RRGGBB", "#RGB" and openpyxl's ARGB "FF92D050" (alpha ignored). Many
    councils colour the RAG cell instead of typing a word, and yellow means amber in many of them.
    HSV hue bands rather than RGB distance, because hue is what people name; see _HUE_BANDS.
    """
    if not isinstance(hex_rgb, str):
        return None
    digits = hex_rgb.strip().removeprefix("#")
    if len(digits) == 8:
        digits = digits[2:]
    elif len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    if len(digits) != 6 or not set(digits) <= _HEX_DIGITS:
        return None
    red, green, blue = (int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
    hue, saturation, value = colorsys.rgb_to_hsv(red, green, blue)
    degrees = hue * 360
    for low, high, level, min_saturation, min_value in _HUE_BANDS:
        if low <= degrees < high:
            return level if saturation >= min_saturation and value >= min_value else None
    return None


# --- The mapping in words, for the template's Instructions sheet -----------------------------------


def rag_key_lines() -> tuple[str, ...]:
    """The whole RAG and status word mapping as lines for the Instructions sheet, from the tables."""
    lines = ["RAG key (RAG column). Capitals, spaces, / and - do not matter:"]
    for row in RAG_WORD_TABLE:
        lines.append(f"   {row.label} = {row.meaning}. Write: {', '.join(row.words)}")
    complete = ", ".join(_COMPLETE_WORDS)
    lines.append(f"   {complete} in the RAG column also count as Blue and set the status to Complete.")
    lines.append("   A RAG word may be followed by a short reason after a dash or bracket, e.g. 'Red - off track'.")
    lines.append("Status words belong in the Status column, not RAG: typed in the RAG column they store no RAG.")
    for status_row in STATUS_WORD_TABLE:
        lines.append(f"   {status_row.label}: {', '.join(status_row.words)}")
    return tuple(lines)


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
