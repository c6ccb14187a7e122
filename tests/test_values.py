"""Tests for lib.values: every messy cell shape listed in the seed inventory (sections 4.1, 7.1)."""

from __future__ import annotations

import math
import re
import time
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.formatting import plain
from lib.values import (
    Benchmark,
    ParsedTarget,
    ParsedValue,
    benchmark_note,
    clean_text,
    has_formula_prefix,
    is_excel_error,
    parse_benchmarks,
    parse_ref,
    parse_target,
    parse_value,
    percent_scale_suspect,
    ref_is_annual,
    split_people,
)
from lib.vocab import RAG_LEVELS

# --- parse_value: results with embedded RAG ---------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value", "rag", "is_percent"),
    [
        ("44.0% (G)", 44.0, "green", True),
        ("8 (GA)", 8.0, "green_amber", False),
        ("43.7% G", 43.7, "green", True),
        ("60% (R)", 60.0, "red", True),
        ("-15% (G)", -15.0, "green", True),
        ("56.10 (G)", 56.1, "green", False),
        ("10.6 (GA)", 10.6, "green_amber", False),
        ("-1.66 (R)", -1.66, "red", False),
        ("-0.72 (GA)", -0.72, "green_amber", False),
        ("1212 (G)", 1212.0, "green", False),
        ("10.4% (R)", 10.4, "red", True),
        ("100% (G)", 100.0, "green", True),
        ("93% (RA)", 93.0, "red_amber", True),
        ("44.0%(G)", 44.0, "green", True),
        ("44% [Amber]", 44.0, "amber", True),
    ],
)
def test_value_with_rag_suffix(raw: str, value: float, rag: str, is_percent: bool) -> None:
    parsed = parse_value(raw)
    assert parsed.value == pytest.approx(value)
    assert parsed.reported_rag == rag
    assert parsed.is_percent is is_percent
    assert parsed.missing_reason is None
    assert parsed.qualifier is None
    assert parsed.text == raw


@pytest.mark.parametrize(
    ("raw", "value", "is_percent"),
    [
        ("1.5 (Baseline Year)", 1.5, False),
        ("0.3 (Baseline Year)", 0.3, False),
        ("59% (Baseline Year)", 59.0, True),
        ("46% (Baseline Year)", 46.0, True),
    ],
)
def test_value_with_qualifier(raw: str, value: float, is_percent: bool) -> None:
    parsed = parse_value(raw)
    assert parsed == ParsedValue(value, raw, None, None, is_percent, "Baseline Year")


def test_qualifier_and_rag_together() -> None:
    parsed = parse_value("59% (Baseline Year) (G)")
    assert (parsed.value, parsed.qualifier, parsed.reported_rag) == (59.0, "Baseline Year", "green")


@pytest.mark.parametrize(
    ("raw", "value", "is_percent", "text"),
    [
        ("1,234", 1234.0, False, "1,234"),
        (" 45 ", 45.0, False, "45"),
        ("12.5%", 12.5, True, "12.5%"),
        ("£5,705", 5705.0, False, "£5,705"),
        ("2,849", 2849.0, False, "2,849"),
        ("93,590", 93590.0, False, "93,590"),
        ("345", 345.0, False, "345"),
        ("39.8", 39.8, False, "39.8"),
        ("0", 0.0, False, "0"),
        ("-0", 0.0, False, "-0"),
        (".5", 0.5, False, ".5"),
        ("+3.2", 3.2, False, "+3.2"),
        ("\u22121.14", -1.14, False, "\u22121.14"),
        ("£5.7m", 5_700_000.0, False, "£5.7m"),
        ("£5.4 million", 5_400_000.0, False, "£5.4 million"),
        ("-15 percentage points", -15.0, True, "-15 percentage points"),
        ("44\u00a0%", 44.0, True, "44 %"),
    ],
)
def test_plain_numbers(raw: str, value: float, is_percent: bool, text: str) -> None:
    parsed = parse_value(raw)
    assert parsed.value == pytest.approx(value)
    assert parsed.is_percent is is_percent
    assert parsed.missing_reason is None
    assert parsed.reported_rag is None
    assert parsed.text == text


def test_negative_zero_is_plain_zero() -> None:
    parsed = parse_value("-0")
    assert parsed.value == 0.0
    assert parsed.value is not None and math.copysign(1.0, parsed.value) == 1.0


# --- parse_value: missing markers are never zero ----------------------------------------------


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (None, "blank"),
        ("", "blank"),
        ("   ", "blank"),
        ("<p></p>", "blank"),
        ("n/a", "not applicable"),
        ("N/A", "not applicable"),
        ("NA", "not applicable"),
        ("-", "no value"),
        ("–", "no value"),
        ("—", "no value"),
        ("TBC", "to be confirmed"),
        ("tbc", "to be confirmed"),
        ("Not available", "not available"),
        ("New", "new measure"),
        ("New for 2016/17", "new measure"),
        ("Monitor", "monitor only"),
        ("c", "suppressed"),
        ("x", "suppressed"),
        ("z", "suppressed"),
        ("low", "suppressed"),
        ("*", "suppressed"),
        ("#DIV/0!", "excel error #DIV/0!"),
        ("#N/A", "excel error #N/A"),
        ("#REF!", "excel error #REF!"),
        ("#VALUE!", "excel error #VALUE!"),
        ("#NAME?", "excel error #NAME?"),
        ("#NUM!", "excel error #NUM!"),
        ("#NULL!", "excel error #NULL!"),
        ("#div/0!", "excel error #DIV/0!"),
    ],
)
def test_missing_markers(raw: object, reason: str) -> None:
    parsed = parse_value(raw)
    assert parsed.value is None
    assert parsed.missing_reason == reason
    assert parsed.reported_rag is None


@pytest.mark.parametrize(
    "raw",
    [
        "between 600 and 700",
        "1.5 0.3 1.7",
        "a) 56.1% b) 0.33%",
        "a) 56.1% b) 0.33% c) 73.1% d) 43.7%",
        "<p>a) 46%</p> <p>b) -15 percentage points</p>",
        "1:6",
        "1:13",
        "93-98%",
        "over 7,000",
        "almost 1,000",
        "Target of 553 transfers between 1.4.16 and 31.3.17. Total transferred was 615.",
        "5 k",
        "12 (1.5)",
        "1e5",
        "nan",
        "inf",
        "<5",
        "Rank 13, 2016 (Improve national ranking)",
    ],
)
def test_unparseable_text_is_not_a_number(raw: str) -> None:
    parsed = parse_value(raw)
    assert parsed.value is None
    assert parsed.missing_reason == "not a number"


@pytest.mark.parametrize(
    "raw", [True, False, datetime(2017, 3, 31), date(2017, 3, 31), float("nan"), float("inf")]
)
def test_non_kpi_objects_are_not_numbers(raw: object) -> None:
    parsed = parse_value(raw)
    assert parsed.value is None
    assert parsed.missing_reason == "not a number"


def test_rag_only_cell_keeps_the_rag() -> None:
    parsed = parse_value("G")
    assert parsed.value is None
    assert parsed.missing_reason == "not a number"
    assert parsed.reported_rag == "green"


def test_huge_int_does_not_crash() -> None:
    assert parse_value(10**5000).missing_reason == "not a number"


# --- parse_value: percent number formats and units --------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (0.44, 44.0),
        (0.598, 59.8),
        (1, 100.0),
        (0.1, 10.0),
        (0.07, 7.0),
        (-0.15, -15.0),
        (Decimal("0.446"), 44.6),
    ],
)
def test_percent_format_fractions_become_points(raw: object, value: float) -> None:
    parsed = parse_value(raw, percent_format=True)
    assert parsed.value == value  # exact: no 44.00000000000001
    assert parsed.is_percent is True
    assert parsed.missing_reason is None


def test_numbers_without_percent_format() -> None:
    assert parse_value(44).value == 44.0
    assert parse_value(0.44).value == 0.44
    assert parse_value(0.44).is_percent is False
    assert parse_value(345).text == "345"
    assert parse_value(39.8).text == "39.8"


def test_unit_percent_never_rescales() -> None:
    assert parse_value(44, unit="percent").value == 44.0
    assert parse_value("44", unit="percent").value == 44.0
    assert parse_value(0.44, unit="percent").value == 0.44
    assert parse_value("0.44", unit="percent").value == 0.44


def test_text_in_percent_formatted_cell_is_points() -> None:
    parsed = parse_value("44", percent_format=True)
    assert (parsed.value, parsed.is_percent) == (44.0, True)


@pytest.mark.parametrize(
    ("value", "unit", "suspect"),
    [
        (0.44, "percent", True),
        (1.0, "percent", True),
        (-0.5, "percent", True),
        (44.0, "percent", False),
        (0.0, "percent", False),
        (1.01, "percent", False),
        (0.44, "number", False),
        (0.44, None, False),
        (float("nan"), "percent", False),
    ],
)
def test_percent_scale_suspect(value: float, unit: str | None, suspect: bool) -> None:
    assert percent_scale_suspect(value, unit) is suspect


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#DIV/0!", True),
        ("#N/A", True),
        (" #ref! ", True),
        ("#VALUE!", True),
        ("#NAME?", True),
        ("#NUM!", True),
        ("#NULL!", True),
        ("N/A", False),
        ("44%", False),
        ("#", False),
        ("", False),
    ],
)
def test_is_excel_error(text: str, expected: bool) -> None:
    assert is_excel_error(text) is expected


# --- parse_target -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("42.5%", 42.5),
        ("63% (London average)", 63.0),
        ("55% Above our statistical neighbours", 55.0),
        ("22.8 (National Average)", 22.8),
        ("53.50 (Top 10% in England)", 53.5),
        ("-1.14 (National Average)", -1.14),
        ("-0.68 (Top 10% in England)", -0.68),
        ("66% (Above London and National Averages)", 66.0),
        ("95.9% (London Average)", 95.9),
        ("2.5% (London Top Quartile)", 2.5),
        ("10", 10.0),
        ("448", 448.0),
        ("99.9%", 99.9),
    ],
)
def test_numeric_targets(raw: str, value: float) -> None:
    assert parse_target(raw) == ParsedTarget(value, raw, "numeric")


@pytest.mark.parametrize(
    "raw",
    [
        "Perform in line with statistical neighbours (currently 15.6%)",
        "Year on year improvement",
        "Rank 13, 2016 (Improve national ranking)",
        "Rank 24, 2016 Improve national ranking",
        "London Top Quartile",
        "London top quartile",
        "Top 10% in England",
        "N/A",
        "5 percentage points above National Average",
        "80% of all new EHCPs are quality assured and at least 60% are assessed as good",
        "93-98%",
    ],
)
def test_text_targets(raw: str) -> None:
    assert parse_target(raw) == ParsedTarget(None, raw, "text")


@pytest.mark.parametrize("raw", ["Monitor", "monitor", "Monitor only"])
def test_monitor_targets(raw: str) -> None:
    assert parse_target(raw) == ParsedTarget(None, raw, "monitor")


@pytest.mark.parametrize("raw", [None, "", "  ", "<p> </p>"])
def test_blank_targets(raw: object) -> None:
    assert parse_target(raw) == ParsedTarget(None, "", "none")


def test_numeric_target_cells() -> None:
    assert parse_target(0.425, percent_format=True) == ParsedTarget(42.5, "42.5%", "numeric")
    assert parse_target(326) == ParsedTarget(326.0, "326", "numeric")
    assert parse_target(float("nan")).kind == "text"
    assert parse_target(datetime(2017, 3, 31)).kind == "text"


# --- parse_benchmarks -------------------------------------------------------------------------


def _triples(raw: str) -> list[tuple[str, float, bool]]:
    return [(b.comparator, b.value, b.is_percent) for b in parse_benchmarks(raw)]


def test_benchmarks_with_colons() -> None:
    raw = "England: 548.3 London: 477.9 Statistical Neighbours: 467.48 (2014/15, LAIT)"
    assert parse_benchmarks(raw) == [
        Benchmark("England", 548.3, False, "2014/15", "LAIT"),
        Benchmark("London", 477.9, False, "2014/15", "LAIT"),
        Benchmark("Statistical neighbours", 467.48, False, "2014/15", "LAIT"),
    ]


def test_national_means_england() -> None:
    assert parse_benchmarks("National: 334 London: 395 (2016, YJB 86)") == [
        Benchmark("England", 334.0, False, "2016", "YJB 86"),
        Benchmark("London", 395.0, False, "2016", "YJB 86"),
    ]


@pytest.mark.parametrize(
    ("raw", "expected", "year_label", "source"),
    [
        (
            "Statistical Neighbours: 51.8% London: 53% England: 48% (2014/15, LAIT)",
            [("Statistical neighbours", 51.8, True), ("London", 53.0, True), ("England", 48.0, True)],
            "2014/15",
            "LAIT",
        ),
        (
            "Statistical Neighbours 265 (2014/15, CIN Census)",
            [("Statistical neighbours", 265.0, False)],
            "2014/15",
            "CIN Census",
        ),
        (
            "Statistical Neighbours: 9 (2014/15, CIN Census)",
            [("Statistical neighbours", 9.0, False)],
            "2014/15",
            "CIN Census",
        ),
        (
            "England 48.5 London 51.9 Statistical Neighbours 53 (2016, DFE)",
            [("England", 48.5, False), ("London", 51.9, False), ("Statistical neighbours", 53.0, False)],
            "2016",
            "DFE",
        ),
        (
            "England 0 London 0.16 Statistical Neighbours 0.16 (2016, DFE)",
            [("England", 0.0, False), ("London", 0.16, False), ("Statistical neighbours", 0.16, False)],
            "2016",
            "DFE",
        ),
        (
            "National -22 London -12 (2016, DFE)",
            [("England", -22.0, False), ("London", -12.0, False)],
            "2016",
            "DFE",
        ),
        (
            "National 7% London 9% Statistical Neighbours 10.4% (2016,DFE)",
            [("England", 7.0, True), ("London", 9.0, True), ("Statistical neighbours", 10.4, True)],
            "2016",
            "DFE",
        ),
        (
            "England 90% London 93% (April 2017, Watchsted)",
            [("England", 90.0, True), ("London", 93.0, True)],
            "April 2017",
            "Watchsted",
        ),
        (
            "National -1.14 London -1.02 Statistical Neighbours -1.14 (2016, DFE)",
            [("England", -1.14, False), ("London", -1.02, False), ("Statistical neighbours", -1.14, False)],
            "2016",
            "DFE",
        ),
        (
            "National 99.6% London 99.1% (2016, DFE)",
            [("England", 99.6, True), ("London", 99.1, True)],
            "2016",
            "DFE",
        ),
        (
            "England: 60.0 London: 52 Statistical Neighbours: 43.1 (2014/15, LAIT)",
            [("England", 60.0, False), ("London", 52.0, False), ("Statistical neighbours", 43.1, False)],
            "2014/15",
            "LAIT",
        ),
    ],
)
def test_seed_benchmarks(
    raw: str, expected: list[tuple[str, float, bool]], year_label: str, source: str
) -> None:
    parsed = parse_benchmarks(raw)
    assert [(b.comparator, b.value, b.is_percent) for b in parsed] == expected
    assert {b.year_label for b in parsed} == {year_label}
    assert {b.source for b in parsed} == {source}
    assert benchmark_note(raw) is None


@pytest.mark.parametrize(
    ("label", "comparator"),
    [
        ("Eng", "England"),
        ("National Average", "England"),
        ("Stat neighbours", "Statistical neighbours"),
        ("SN", "Statistical neighbours"),
        ("Inner London", "Inner London"),
        ("Outer London", "Outer London"),
        ("North West", "North West"),
        ("Region", "Region"),
    ],
)
def test_comparator_names(label: str, comparator: str) -> None:
    assert _triples(f"{label}: 12.5%") == [(comparator, 12.5, True)]


def test_benchmark_without_bracket() -> None:
    assert parse_benchmarks("England 1,234 London 987") == [
        Benchmark("England", 1234.0, False, None, None),
        Benchmark("London", 987.0, False, None, None),
    ]


def test_no_benchmark_available() -> None:
    assert parse_benchmarks("No benchmark available") == []
    assert benchmark_note("No benchmark available") is None
    assert parse_benchmarks(None) == []
    assert benchmark_note(None) is None


def test_standard_is_a_note_not_a_benchmark() -> None:
    raw = (
        "65%+ of Deprived Children 0-5 should be known to be deemed as 'Good' or 'Outstanding' "
        "(April 2014, Ofsted)"
    )
    assert parse_benchmarks(raw) == []
    assert benchmark_note(raw) == raw


def test_partly_numeric_prose_is_a_note() -> None:
    raw = "England 48.5 and rising steeply"
    assert parse_benchmarks(raw) == []
    assert benchmark_note(raw) == raw


# --- refs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["CPI FS/S6"], ("CPI", "FS/S6")),
        ("CPI FS/S6", ("CPI", "FS/S6")),
        (["CPI", "FS/S4"], ("CPI", "FS/S4")),
        (["SPI", "FS/C14 (Annual)"], ("SPI", "FS/C14")),
        (["FS/C14 (Annual)"], (None, "FS/C14")),
        (["CPI", "CES/S13-1 (Annual)"], ("CPI", "CES/S13-1")),
        (["CPI", "", None, "FS/S17 (Annual)"], ("CPI", "FS/S17")),
        (["cpi", "FS/S1"], ("CPI", "FS/S1")),
        (["CPI"], ("CPI", None)),
        ([], (None, None)),
        ([None, ""], (None, None)),
        (None, (None, None)),
        ([1.0], (None, "1")),
    ],
)
def test_parse_ref(cells: list[object] | str | None, expected: tuple[str | None, str | None]) -> None:
    assert parse_ref(cells) == expected


@pytest.mark.parametrize(
    ("raw", "annual"),
    [
        ("FS/C14 (Annual)", True),
        ("CES/S13-1 (Annual)", True),
        ("FS/S17 (annual)", True),
        ("FS/S6", False),
        ("CPI FS/S6", False),
    ],
)
def test_ref_is_annual(raw: str, annual: bool) -> None:
    assert ref_is_annual(raw) is annual


# --- people -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "people"),
    [
        ("Jo Pymont; Erica Ferrari", ["Jo Pymont", "Erica Ferrari"]),
        ("Val White/Rachel Williams", ["Val White", "Rachel Williams"]),
        ("Tim Beach\nBridget Griffin", ["Tim Beach", "Bridget Griffin"]),
        ("• Stav Yiannou", ["Stav Yiannou"]),
        ("Social Care lead – Jo Pymont & Erica Ferrari", ["Social Care lead – Jo Pymont", "Erica Ferrari"]),
        ("LSCB Chair and Partnership manager", ["LSCB Chair", "Partnership manager"]),
        ("LSCB Chair and Transformation Lead", ["LSCB Chair", "Transformation Lead"]),
        (
            "Transformation Lead, Voice of the Child coordinator",
            ["Transformation Lead", "Voice of the Child coordinator"],
        ),
        ("Consultant in Public health - Children", ["Consultant in Public health - Children"]),
        ("Partnership manager", ["Partnership manager"]),
        ("<ul><li>• Jo Pymont</li><li>•</li><li>• Erica Ferrari</li></ul>", ["Jo Pymont", "Erica Ferrari"]),
        ("• Jo Pymont\n•\n• ", ["Jo Pymont"]),
        ("Jo Pymont; jo pymont", ["Jo Pymont"]),
        ("", []),
        (None, []),
        ("N/A", []),
    ],
)
def test_split_people(raw: object, people: list[str]) -> None:
    assert split_people(raw) == people


# --- clean_text and formula prefixes ----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("13<sup>th</sup> July 2017", "13th July 2017"),
        ("<p>a) 46%</p> <p>b) -15 percentage points</p>", "a) 46%\nb) -15 percentage points"),
        ('<ul style="list-style-type: none"><li>One</li><li>Two</li></ul>', "One\nTwo"),
        ("<b>Objective 1:</b> Safe &amp; well", "Objective 1: Safe & well"),
        ('<a href="http://example.org">link</a>', "link"),
        ("a\u200bb\u200e\u202ac\u2066d\u2069", "abcd"),
        ("nul\x00 and bell\x07", "nul and bell"),
        ("  lots   of\t\tspace  ", "lots of space"),
        ("line one\r\nline two\rline three", "line one\nline two\nline three"),
        ("para one\n\n\npara two", "para one\npara two"),
        ("=SUM(A1:A3)", "=SUM(A1:A3)"),
        ("+44", "+44"),
        ("-15%", "-15%"),
        ("@risk", "@risk"),
        (">80% <100%", ">80% <100%"),
        ("<65%", "<65%"),
        (None, ""),
        (42, "42"),
    ],
)
def test_clean_text(raw: object, clean: str) -> None:
    assert clean_text(raw) == clean


@pytest.mark.parametrize(
    ("text", "prefixed"),
    [
        ("=1+1", True),
        ("+44", True),
        ("-15%", True),
        ("@SUM(A1)", True),
        ("\tx", True),
        ("\rx", True),
        ("44%", False),
        ("", False),
        (" =1", False),
    ],
)
def test_has_formula_prefix(text: str, prefixed: bool) -> None:
    assert has_formula_prefix(text) is prefixed


# --- properties -------------------------------------------------------------------------------

_anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**400, max_value=10**5000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(),
    st.text(alphabet="0123456789.,%-+£$€() GARBamberdn/#!:<>pk"),
    st.datetimes(),
    st.dates(),
    st.lists(st.integers(), max_size=3),
    st.binary(max_size=10),
)


@settings(max_examples=400, deadline=None)
@given(raw=_anything, percent_format=st.booleans())
def test_parse_value_never_raises(raw: object, percent_format: bool) -> None:
    parsed = parse_value(raw, percent_format=percent_format, unit="percent")
    assert (parsed.value is None) != (parsed.missing_reason is None)
    assert parsed.value is None or math.isfinite(parsed.value)
    assert parsed.reported_rag is None or parsed.reported_rag in RAG_LEVELS
    assert "\n" not in parsed.text


@settings(max_examples=300, deadline=None)
@given(value=st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), decimals=st.integers(0, 3))
def test_formatted_numbers_round_trip(value: float, decimals: int) -> None:
    text = f"{value:,.{decimals}f}"
    assert parse_value(text).value == pytest.approx(round(value, decimals), abs=10**-decimals)
    assert parse_value(f"{value:.{decimals}f}% (G)").reported_rag == "green"


@settings(max_examples=300, deadline=None)
@given(raw=_anything, percent_format=st.booleans())
def test_parse_target_never_raises(raw: object, percent_format: bool) -> None:
    parsed = parse_target(raw, percent_format=percent_format)
    assert parsed.kind in ("numeric", "monitor", "text", "none")
    assert (parsed.value is not None) == (parsed.kind == "numeric")


@settings(max_examples=300, deadline=None)
@given(raw=_anything)
def test_benchmarks_never_raise(raw: object) -> None:
    parsed = parse_benchmarks(raw)
    note = benchmark_note(raw)
    assert not (parsed and note)
    assert all(math.isfinite(b.value) for b in parsed)


@settings(max_examples=300, deadline=None)
@given(raw=_anything)
def test_text_helpers_never_raise(raw: object) -> None:
    cleaned = clean_text(raw)
    assert "\x00" not in cleaned and "\u200b" not in cleaned and "\u202e" not in cleaned
    assert all(person.strip() == person and person for person in split_people(raw))
    parse_ref([raw, raw])
    ref_is_annual(raw)
    has_formula_prefix(cleaned)
    is_excel_error(raw)


def test_long_prose_is_fast() -> None:
    """A pasted essay in a benchmark cell must not stall an import (quadratic regex scanning)."""
    started = time.perf_counter()
    for text in ("a " * 20000, "May " * 8000, "England " * 5000 + "1"):
        parse_benchmarks(text)
        parse_value(text)
        parse_target(text)
        split_people(text)
    assert time.perf_counter() - started < 2.0


@settings(deadline=None)
@given(st.text(max_size=80))
def test_plain_escapes_every_markdown_character_and_breaks_links(text: str) -> None:
    out = plain(text)
    assert "://" not in out and "www." not in out.lower()
    unescaped = re.sub(r"\\.", "", out, flags=re.S)  # drop every backslash escape; what is left must hold no specials
    assert not set(unescaped) & set("`*_{}[]()#+-.!|~<>$:")
    assert re.sub("(?i)(www)\u2060", r"\1", re.sub(r"\\(.)", r"\1", out, flags=re.S)) == text
