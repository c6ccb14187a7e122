"""Tests for lib.vocab's RAG and status words, RAG-cell reading and RAG fill colours.

The word spellings are the ones lead officers actually type in monthly returns; the
colours are Excel's standard palette, its Good/Bad/Neutral styles and our own board fills.
"""

from __future__ import annotations

import colorsys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib import formatting, vocab
from lib.vocab import (
    ACCEPTED_RAG,
    ACCEPTED_STATUS,
    RAG_WORD_TABLE,
    STATUS_WORD_TABLE,
    RagCell,
    normalise_rag,
    normalise_status,
    rag_from_colour,
    rag_key_lines,
    read_rag_cell,
    read_status_cell,
)

# --- normalise_rag -----------------------------------------------------------------------------

RED_AMBER = [
    "Amber/Red",
    "Red/Amber",
    "Amber Red",
    "Red Amber",
    "RA",
    "R/A",
    "AR",
    "A/R",
    "Amber-Red",
    "Red - Amber",
    "red amber",
    "RED/AMBER",
    "Red – Amber",
    "(Red Amber)",
    "red_amber",
]
GREEN_AMBER = [
    "Amber/Green",
    "Green/Amber",
    "Green Amber",
    "Amber Green",
    "GA",
    "AG",
    "G/A",
    "A/G",
    "green-amber",
    "GREEN AMBER",
    "Green  Amber",
    "green_amber",
]


@pytest.mark.parametrize("word", RED_AMBER)
def test_red_amber_spellings(word: str) -> None:
    assert normalise_rag(word) == "red_amber"


@pytest.mark.parametrize("word", GREEN_AMBER)
def test_green_amber_spellings(word: str) -> None:
    assert normalise_rag(word) == "green_amber"


@pytest.mark.parametrize(
    ("word", "level"),
    [
        # the words the previous mapping accepted keep their meaning
        ("g", "green"), ("green", "green"), ("ga", "green_amber"), ("g/a", "green_amber"),
        ("green amber", "green_amber"), ("green/amber", "green_amber"), ("green-amber", "green_amber"),
        ("a", "amber"), ("amber", "amber"), ("ra", "red_amber"), ("r/a", "red_amber"), ("red amber", "red_amber"),
        ("red/amber", "red_amber"), ("red-amber", "red_amber"), ("r", "red"), ("red", "red"), ("b", "blue"),
        ("blue", "blue"), ("(G)", "green"), ("[Green]", "green"), ("  AMBER ", "amber"), ("G.", "green"),
        # new: blue, explanations after a dash, colon or bracket
        ("Blue", "blue"), ("B", "blue"),
        ("Red - off track", "red"), ("Red (off track)", "red"), ("RED – at risk", "red"), ("Red: see update", "red"),
        ("Green (on track)", "green"), ("Amber - slipping, recovery plan agreed", "amber"),
        ("Red - Amber - slipping", "red_amber"), ("Amber/Green (improving)", "green_amber"),
        ("G (Green)", "green"), ("GA (Green Amber)", "green_amber"),
    ],
)  # fmt: skip
def test_normalise_rag_words(word: str, level: str) -> None:
    assert normalise_rag(word) == level


@pytest.mark.parametrize(
    "word",
    [None, "", "   ", "Purple", "Complete", "Completed", "On track", "n/a", "a year", "A - see note",
     "G (Amber)", "Green Red", "R - off track", "Greenish", "Redundant", "-", "(", "Amber Red Green Blue"],
)  # fmt: skip
def test_normalise_rag_rejects(word: str | None) -> None:
    # Complete is a status: value cells go through normalise_rag and must not turn "Complete" into Blue.
    # A lone letter cannot lead an explanation: "A - see note" is as likely a list item as Amber.
    assert normalise_rag(word) is None


# --- normalise_status --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("On track", "in_progress"), ("Off track", "in_progress"), ("At risk", "in_progress"),
        ("Delayed", "in_progress"), ("Behind", "in_progress"), ("Slipped", "in_progress"),
        ("In progress", "in_progress"), ("Ongoing", "in_progress"), ("ON TRACK", "in_progress"),
        ("Not started", "not_started"), ("Not yet started", "not_started"),
        # the words the previous mapping accepted keep their meaning
        ("planned", "not_started"), ("on-going", "in_progress"), ("started", "in_progress"),
        ("on hold", "on_hold"), ("paused", "on_hold"),
        ("complete - awaiting sign-off", "complete_awaiting_signoff"),
        ("complete – awaiting sign-off", "complete_awaiting_signoff"),
        ("complete — awaiting sign-off", "complete_awaiting_signoff"),
        ("complete awaiting sign-off", "complete_awaiting_signoff"),
        ("complete awaiting sign off", "complete_awaiting_signoff"),
        ("completed awaiting sign off", "complete_awaiting_signoff"),
        ("awaiting sign-off", "complete_awaiting_signoff"), ("awaiting sign off", "complete_awaiting_signoff"),
        ("awaiting signoff", "complete_awaiting_signoff"),
        ("Complete — awaiting sign-off", "complete_awaiting_signoff"),
        ("complete", "complete"), ("completed", "complete"), ("[completed]", "complete"), ("done", "complete"),
        ("closed", "complete"), ("achieved", "complete"), ("delivered", "complete"), ("[ongoing]", "in_progress"),
        # stored codes read back
        ("not_started", "not_started"), ("in_progress", "in_progress"), ("on_hold", "on_hold"),
        ("complete_awaiting_signoff", "complete_awaiting_signoff"), ("complete", "complete"),
    ],
)  # fmt: skip
def test_normalise_status_words(word: str, status: str) -> None:
    assert normalise_status(word) == status


@pytest.mark.parametrize("word", [None, "", "Green", "Red", "G", "Purple", "Delayed - waiting for IT", "n/a"])
def test_normalise_status_rejects(word: str | None) -> None:
    assert normalise_status(word) is None


def test_every_status_label_reads_back() -> None:
    for code, label in vocab.STATUS_LABELS.items():
        assert normalise_status(label) == code


# --- read_rag_cell -----------------------------------------------------------------------------

STATUS_NOT_RAG = (
    "'On track' is a status, not a RAG rating; no RAG was stored — put it in the Status column "
    "and give Green, Amber or Red here"
)


@pytest.mark.parametrize(
    ("text", "rag"),
    [
        ("Green", "green"),
        ("GA", "green_amber"),
        ("Amber", "amber"),
        ("Red/Amber", "red_amber"),
        ("R", "red"),
        ("Red - off track", "red"),
        ("Amber (recovery plan in place)", "amber"),
    ],
)
def test_read_rag_cell_rag_words(text: str, rag: str) -> None:
    assert read_rag_cell(text) == RagCell(rag, None, None, None)


@pytest.mark.parametrize("text", ["Complete", "Completed", "COMPLETED", "[completed]", "Blue", "B", "Done"])
def test_read_rag_cell_complete_is_blue(text: str) -> None:
    assert read_rag_cell(text) == RagCell("blue", "complete", None, None)


def test_read_rag_cell_status_word_message() -> None:
    assert read_rag_cell("On track") == RagCell(None, "in_progress", STATUS_NOT_RAG, "warning")


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Off track", "in_progress"),
        ("At risk", "in_progress"),
        ("Delayed", "in_progress"),
        ("Not started", "not_started"),
        ("In progress", "in_progress"),
        ("On hold", "on_hold"),
        ("Complete - awaiting sign-off", "complete_awaiting_signoff"),
    ],
)
def test_read_rag_cell_status_words(text: str, status: str) -> None:
    cell = read_rag_cell(text)
    assert (cell.rag, cell.status, cell.severity) == (None, status, "warning")
    assert (
        cell.problem == f"'{text}' is a status, not a RAG rating; no RAG was stored — put it in the Status "
        "column and give Green, Amber or Red here"
    )


def test_read_rag_cell_unknown_word_lists_accepted_words() -> None:
    assert read_rag_cell("Purple") == RagCell(
        None,
        None,
        "'Purple' is not a RAG rating; use one of Green, Green Amber (GA), Amber, Red Amber (RA), Red, Blue (complete)",
        "error",
    )


def test_read_rag_cell_leading_colour_word_is_a_warning() -> None:
    cell = read_rag_cell("Green on track")
    assert (cell.rag, cell.status, cell.severity) == ("green", None, "warning")
    assert cell.problem is not None and cell.problem.startswith("'Green on track' was read as Green")
    assert read_rag_cell("Red Amber slipping").rag == "red_amber"
    assert read_rag_cell("Gold star").severity == "error"  # only colour words lead, not "G..."-ish words


def test_read_rag_cell_blank_and_long() -> None:
    assert read_rag_cell("") == RagCell(None, None, None, None)
    assert read_rag_cell("  \n ") == RagCell(None, None, None, None)
    cell = read_rag_cell("x" * 5000)
    assert cell.severity == "error" and cell.problem is not None and len(cell.problem) < 200


# --- read_status_cell --------------------------------------------------------------------------


def test_read_status_cell() -> None:
    assert read_status_cell("On track") == ("in_progress", None)
    assert read_status_cell("Not yet started") == ("not_started", None)
    assert read_status_cell("Completed") == ("complete", None)
    assert read_status_cell("") == (None, None)
    status, warning = read_status_cell("Green")
    assert status is None
    assert warning == (
        "'Green' is a RAG rating, not a status; no status was stored — put it in the RAG column "
        f"and give one of {ACCEPTED_STATUS} here"
    )
    assert read_status_cell("RA")[0] is None and "RAG rating" in (read_status_cell("RA")[1] or "")
    assert read_status_cell("Purple") == (None, f"'Purple' is not a status; use one of {ACCEPTED_STATUS}")


# --- the word table is the single source -------------------------------------------------------


def test_word_table_covers_every_level_once() -> None:
    assert [row.level for row in RAG_WORD_TABLE] == list(vocab.RAG_LEVELS)
    assert [row.status for row in STATUS_WORD_TABLE] == list(vocab.STATUSES)


def test_every_table_word_reads_as_its_row() -> None:
    for row in RAG_WORD_TABLE:
        for word in row.words:
            assert normalise_rag(word) == row.level, word
            assert normalise_rag(word.lower()) == row.level, word
            assert normalise_status(word) is None, word
    for status_row in STATUS_WORD_TABLE:
        for word in status_row.words:
            assert normalise_status(word) == status_row.status, word
            assert normalise_rag(word) is None, word


def test_accepted_lists_come_from_the_tables() -> None:
    assert ACCEPTED_RAG == "Green, Green Amber (GA), Amber, Red Amber (RA), Red, Blue (complete)"
    assert ACCEPTED_STATUS == "Not started, In progress, On hold, Complete - awaiting sign-off, Complete"


def test_key_lines_print_every_word() -> None:
    text = "\n".join(rag_key_lines())
    for row in RAG_WORD_TABLE:
        assert row.label in text and row.meaning in text
        assert all(word in text for word in row.words)
    for status_row in STATUS_WORD_TABLE:
        assert all(word in text for word in status_row.words)
    assert "not RAG" in text  # the statuses are marked as not RAG ratings


def test_template_instructions_print_the_mapping() -> None:
    from lib.returns import template

    lines = template.INSTRUCTIONS
    key = rag_key_lines()
    start = lines.index(key[0])
    assert lines[start : start + len(key)] == key
    assert not any("RAG key for actions" in line for line in lines)  # the old hand-written key is gone


# --- rag_from_colour ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("colour", "level"),
    [
        # Excel's "Standard Colors" row
        ("#C00000", "red"), ("#FF0000", "red"), ("#FFC000", "amber"), ("#FFFF00", "amber"), ("#92D050", "green"),
        ("#00B050", "green"), ("#00B0F0", "blue"), ("#0070C0", "blue"), ("#002060", "blue"), ("#7030A0", None),
        # theme accents and tints (Office 2013+ and 2007)
        ("#F4B084", "amber"), ("#ED7D31", "amber"), ("#C65911", "amber"), ("#FFD966", "amber"), ("#FFE699", "amber"),
        ("#A9D08E", "green"), ("#70AD47", "green"), ("#548235", "green"), ("#9BBB59", "green"), ("#C0504D", "red"),
        ("#E6B8B7", "red"), ("#F79646", "amber"), ("#4472C4", "blue"), ("#5B9BD5", "blue"), ("#4F81BD", "blue"),
        ("#9BC2E6", "blue"), ("#8064A2", None),
        # cell styles: Bad, Good, Neutral; and the input/note fills that are not ratings
        ("#FFC7CE", "red"), ("#C6EFCE", "green"), ("#FFEB9C", "amber"), ("#FFFFCC", None), ("#FFF2CC", None),
        ("#FCE4D6", None), ("#E2EFDA", None), ("#DDEBF7", None),
        # white, near-white, greys, black, and near-black
        ("#FFFFFF", None), ("#F2F2F2", None), ("#D9D9D9", None), ("#BFBFBF", None), ("#808080", None),
        ("#404040", None), ("#000000", None), ("#1F1F1F", None), ("#375623", None), ("#7F6000", None),
        # between the four: teal, cyan, purple, pink
        ("#008080", None), ("#00FFFF", None), ("#FF00FF", None), ("#FF66CC", None),
        # spellings: no hash, lower case, openpyxl ARGB, short form
        ("FF0000", "red"), ("92d050", "green"), ("FF92D050", "green"), ("00FFC000", "amber"), ("#F00", "red"),
        # not colours
        ("", None), ("#GGGGGG", None), ("red", None), ("#12345", None),
    ],
)  # fmt: skip
def test_rag_from_colour_palette(colour: str, level: str | None) -> None:
    assert rag_from_colour(colour) == level


def test_rag_from_colour_reads_our_own_fills() -> None:
    # The board packs and exports colour RAG cells with lib.formatting's fills; reading them back gives the band.
    expected = {
        "green": "green",
        "green_amber": "green",
        "amber": "amber",
        "red_amber": "amber",
        "red": "red",
        "blue": "blue",
    }
    assert {level: rag_from_colour(fill) for level, fill in formatting.RAG_COLOURS.items()} == expected
    assert rag_from_colour(formatting.NEUTRAL_FILL) is None
    assert rag_from_colour("#fff8dc") is None  # the template's input-cell fill
    assert rag_from_colour("#dfe7f3") is None  # the template's header fill


def test_rag_from_colour_non_text() -> None:
    assert rag_from_colour(None) is None  # type: ignore[arg-type]
    assert rag_from_colour(0xFF0000) is None  # type: ignore[arg-type]


# --- properties --------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_readers_never_raise(text: str) -> None:
    level = normalise_rag(text)
    assert level is None or level in vocab.RAG_LEVELS
    status = normalise_status(text)
    assert status is None or status in vocab.STATUSES
    cell = read_rag_cell(text)
    assert (cell.problem is None) == (cell.severity is None)
    assert cell.severity in (None, "warning", "error")
    if cell.severity == "error":
        assert cell.rag is None and cell.status is None
    if cell.rag == "blue":
        assert cell.status == "complete"
    code, warning = read_status_cell(text)
    assert code is None or warning is None


_WORDS = [word for row in RAG_WORD_TABLE for word in row.words]


@settings(max_examples=300, deadline=None)
@given(
    word=st.sampled_from(_WORDS),
    upper=st.lists(st.booleans(), min_size=20, max_size=20),
    pad=st.sampled_from(["", " ", "  ", "\t"]),
    tail=st.sampled_from(["", ".", " - off track", " (see update)", ": slipping"]),
)
def test_case_space_and_explanations_do_not_matter(word: str, upper: list[bool], pad: str, tail: str) -> None:
    cased = "".join(ch.upper() if u else ch.lower() for ch, u in zip(word, upper, strict=False)) + word[20:]
    expected = normalise_rag(word)
    assert normalise_rag(f"{pad}{cased}{pad}") == expected
    if tail and set(word.lower().replace("/", " ").split()) <= {"green", "amber", "red", "blue"}:
        assert normalise_rag(cased + tail) == expected


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255))
def test_rag_from_colour_any_rgb(r: int, g: int, b: int) -> None:
    level = rag_from_colour(f"#{r:02X}{g:02X}{b:02X}")
    assert level in (None, "red", "amber", "green", "blue")
    _h, s, v = colorsys.rgb_to_hsv(r / 255, g / 255, b / 255)
    if s < 0.15 or v < 0.35:
        assert level is None  # greys, whites and near-blacks never say a RAG
    assert rag_from_colour(f"FF{r:02x}{g:02x}{b:02x}") == level


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=12))
def test_rag_from_colour_any_text(text: str) -> None:
    assert rag_from_colour(text) in (None, "red", "amber", "green", "blue")
