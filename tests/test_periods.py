"""Tests for lib.periods: every period and date shape in the seed inventory (sections 4.1, 7.3)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.periods import (
    Due,
    Period,
    PeriodError,
    academic_year,
    as_at,
    calendar_year,
    financial_year,
    month,
    parse_date,
    parse_due,
    parse_month_header,
    parse_period,
    parse_year_label,
    quarter,
    span,
)
from lib.vocab import PERIOD_KINDS

# --- constructors -----------------------------------------------------------------------------


def test_month() -> None:
    assert month(2017, 6) == Period(date(2017, 6, 30), date(2017, 6, 1), "month", "Jun 2017")
    assert month(2016, 2).end == date(2016, 2, 29)
    assert month(2017, 9).label == "Sep 2017"


@pytest.mark.parametrize(
    ("q", "start", "end"),
    [
        (1, date(2017, 4, 1), date(2017, 6, 30)),
        (2, date(2017, 7, 1), date(2017, 9, 30)),
        (3, date(2017, 10, 1), date(2017, 12, 31)),
        (4, date(2018, 1, 1), date(2018, 3, 31)),
    ],
)
def test_financial_quarters(q: int, start: date, end: date) -> None:
    assert quarter(2017, q) == Period(end, start, "quarter", f"Q{q} 2017/18")


def test_calendar_quarter() -> None:
    assert quarter(2017, 1, financial=False) == Period(
        date(2017, 3, 31), date(2017, 1, 1), "quarter", "Q1 2017"
    )


def test_years_and_snapshots() -> None:
    assert financial_year(2016) == Period(date(2017, 3, 31), date(2016, 4, 1), "financial_year", "2016/17")
    assert financial_year(1999).label == "1999/00"
    assert academic_year(2015) == Period(date(2016, 8, 31), date(2015, 9, 1), "academic_year", "AY 2015/16")
    assert calendar_year(2016) == Period(date(2016, 12, 31), date(2016, 1, 1), "calendar_year", "2016")
    assert as_at(date(2017, 3, 31)) == Period(
        date(2017, 3, 31), date(2017, 3, 31), "as_at", "As at 31 Mar 2017"
    )
    assert as_at(datetime(2017, 3, 31, 9, 30)).end == date(2017, 3, 31)


def test_span_labels() -> None:
    assert span(date(2015, 10, 1), date(2016, 9, 30)).label == "Oct 2015 – Sep 2016"
    assert span(date(2015, 10, 3), date(2016, 9, 30)).label == "3 Oct 2015 – 30 Sep 2016"
    assert span(date(2015, 10, 1), date(2016, 9, 30), "Rolling year").label == "Rolling year"
    assert span(date(2015, 10, 1), date(2016, 9, 30)).kind == "span"


@pytest.mark.parametrize(
    "build",
    [
        lambda: month(2017, 13),
        lambda: month(2017, 0),
        lambda: quarter(2017, 5),
        lambda: span(date(2017, 2, 1), date(2017, 1, 1)),
        lambda: financial_year(9999),
        lambda: calendar_year(0),
    ],
)
def test_constructors_reject_nonsense(build: object) -> None:
    assert callable(build)
    with pytest.raises(PeriodError):
        build()


def test_periods_order_by_end() -> None:
    periods = [financial_year(2016), month(2017, 1), as_at(date(2016, 5, 1)), academic_year(2015)]
    assert [p.label for p in sorted(periods)] == ["As at 1 May 2016", "AY 2015/16", "Jan 2017", "2016/17"]


def test_kinds_are_vocabulary() -> None:
    built = [
        month(2017, 1),
        quarter(2017, 1),
        financial_year(2017),
        academic_year(2017),
        calendar_year(2017),
        as_at(date(2017, 1, 1)),
        span(date(2017, 1, 1), date(2017, 1, 5)),
    ]
    assert [p.kind for p in built] == list(PERIOD_KINDS)


# --- parse_period -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("As at 31 March 2017", as_at(date(2017, 3, 31))),
        ("As at January 2017", as_at(date(2017, 1, 31))),
        ("Apr 2016 - Mar 2017", financial_year(2016)),
        ("Apr 2016 – Mar 2017", financial_year(2016)),
        ("Oct 15 - Sep 16", span(date(2015, 10, 1), date(2016, 9, 30))),
        ("Academic Year 2015/16", academic_year(2015)),
        ("Academic Year 2015-16", academic_year(2015)),
        ("2016/17", financial_year(2016)),
        ("2016-17", financial_year(2016)),
        ("FY 2016/17", financial_year(2016)),
        ("AY 2015/16", academic_year(2015)),
        ("April 2017", month(2017, 4)),
        ("Apr-17", month(2017, 4)),
        ("Apr 17", month(2017, 4)),
        ("Sept 17", month(2017, 9)),
        ("June 2018", month(2018, 6)),
        ("2017-04", month(2017, 4)),
        ("Q1 2017/18", quarter(2017, 1)),
        ("2017/18 Q4", quarter(2017, 4)),
        ("Quarter 2 2017/18", quarter(2017, 2)),
        ("Q1 2017", quarter(2017, 1, financial=False)),
        ("2016", calendar_year(2016)),
        ("National Offer Day (18 April) 2016", as_at(date(2016, 4, 18))),
        ("Sep 2015 - Aug 2016", academic_year(2015)),
        ("Jan 2016 - Dec 2016", calendar_year(2016)),
        ("April-June 18", quarter(2018, 1)),
        ("1.4.16 - 31.3.17", financial_year(2016)),
        ("1 April 2016 to 31 March 2017", financial_year(2016)),
        ("31 March 2017", month(2017, 3)),
        ("  <p>Apr 2016 - Mar 2017</p> ", financial_year(2016)),
    ],
)
def test_parse_period_seed_text(raw: str, expected: Period) -> None:
    assert parse_period(raw) == expected


def test_parse_period_objects() -> None:
    assert parse_period(datetime(2017, 6, 14, 10, 0)) == month(2017, 6)
    assert parse_period(date(2017, 6, 14)) == month(2017, 6)
    assert parse_period(datetime(2017, 3, 31), hint="as_at") == as_at(date(2017, 3, 31))
    assert parse_period(42825) == month(2017, 3)  # Excel serial for 31 Mar 2017
    assert parse_period(42825.75, hint="as_at") == as_at(date(2017, 3, 31))
    assert parse_period(2016) == calendar_year(2016)
    assert parse_period(2016.0) == calendar_year(2016)
    assert parse_period(month(2017, 1)) == month(2017, 1)


def test_parse_period_hints() -> None:
    assert parse_period("2016/17", hint="academic_year") == academic_year(2016)
    assert parse_period("2016-17", hint="academic_year") == academic_year(2016)
    assert parse_period("FY 2016/17", hint="academic_year") == financial_year(2016)
    assert parse_period("Academic Year 2015/16", hint="financial_year") == academic_year(2015)
    assert parse_period("2016", hint="academic_year") == academic_year(2015)
    assert parse_period("2016", hint="financial_year") == financial_year(2015)
    assert parse_period("Q1 2017", hint="financial_year") == quarter(2017, 1)
    assert parse_period("31 March 2017", hint="as_at") == as_at(date(2017, 3, 31))
    assert parse_period("Jan-Mar 2017", hint="calendar_year") == quarter(2017, 1, financial=False)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        None,
        True,
        "Since April 2016",
        "In the last 12 months",
        "late 2016",
        "early 2017",
        "this year",
        "Academic Year 2015/17",
        "As at sometime",
        "Q5 2017/18",
        "Mar 2017 - Apr 2016",
        "National Offer Day (31 February) 2016",
        5,
        float("nan"),
        [2016],
    ],
)
def test_parse_period_rejects(raw: object) -> None:
    with pytest.raises(PeriodError):
        parse_period(raw)


def test_parse_period_rejects_huge_int() -> None:
    with pytest.raises(PeriodError):
        parse_period(10**5000)


def test_parse_period_error_is_plain_english() -> None:
    with pytest.raises(PeriodError, match=r"Could not read a period from 'late 2016'"):
        parse_period("late 2016")
    with pytest.raises(PeriodError, match="second year should follow"):
        parse_period("Academic Year 2015/17")
    with pytest.raises(PeriodError, match="Unknown period hint"):
        parse_period("2016", hint="fortnight")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2014/15", financial_year(2014)),
        ("(2014/15, LAIT)", financial_year(2014)),
        ("2016", calendar_year(2016)),
        ("(2016,DFE)", calendar_year(2016)),
        ("April 2017", month(2017, 4)),
        ("April 2014, Ofsted", month(2014, 4)),
    ],
)
def test_parse_year_label(raw: str, expected: Period) -> None:
    assert parse_year_label(raw) == expected


def test_parse_year_label_hints() -> None:
    assert parse_year_label("2014/15", hint="academic_year") == academic_year(2014)
    assert parse_year_label("2016", hint="academic_year") == academic_year(2015)
    assert parse_year_label("2016", hint="calendar_year") == calendar_year(2016)
    with pytest.raises(PeriodError):
        parse_year_label("YJB 86")


# --- parse_date -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("24 May 2012", date(2012, 5, 24)),
        ("24 August 2012", date(2012, 8, 24)),
        ("28 th January 2013", date(2013, 1, 28)),
        ("5th March 2013", date(2013, 3, 5)),
        ("13<sup>th</sup> July 2017", date(2017, 7, 13)),
        ("18<sup>th</sup> July 2017", date(2017, 7, 18)),
        ("23<sup>rd</sup> March 2016", date(2016, 3, 23)),
        ("1 <sup>st</sup> April 2016", date(2016, 4, 1)),
        ("1.4.16", date(2016, 4, 1)),
        ("31.3.17", date(2017, 3, 31)),
        ("31.3.18", date(2018, 3, 31)),
        ("w/c 26.11.12", date(2012, 11, 26)),
        ("2017-10-16", date(2017, 10, 16)),
        ("31/03/2017", date(2017, 3, 31)),
        ("30 Sept 2015", date(2015, 9, 30)),
        ("16-Oct-2017", date(2017, 10, 16)),
        ("Monday 16 October 2017", date(2017, 10, 16)),
        ("March 31, 2017", date(2017, 3, 31)),
        (datetime(2017, 10, 16, 9, 0), date(2017, 10, 16)),
        (date(2017, 10, 16), date(2017, 10, 16)),
        (42825, date(2017, 3, 31)),
        (42825.5, date(2017, 3, 31)),
    ],
)
def test_parse_date(raw: object, expected: date) -> None:
    assert parse_date(raw) == expected
    assert parse_date(raw, month_end=True) == expected  # full dates ignore month_end


@pytest.mark.parametrize(
    ("raw", "first", "last"),
    [
        ("Sept 17", date(2017, 9, 1), date(2017, 9, 30)),
        ("March 18", date(2018, 3, 1), date(2018, 3, 31)),
        ("October 17", date(2017, 10, 1), date(2017, 10, 31)),
        ("May 2017", date(2017, 5, 1), date(2017, 5, 31)),
        ("Feb 18", date(2018, 2, 1), date(2018, 2, 28)),
        ("June 18", date(2018, 6, 1), date(2018, 6, 30)),
        ("January 2018", date(2018, 1, 1), date(2018, 1, 31)),
        ("2017-04", date(2017, 4, 1), date(2017, 4, 30)),
    ],
)
def test_parse_date_month_only(raw: str, first: date, last: date) -> None:
    assert parse_date(raw) == first
    assert parse_date(raw, month_end=True) == last


@pytest.mark.parametrize(
    "raw", ["", "13th July", "31.2.17", "soon", "9th – 20th January 2012", None, True, 5, [date(2017, 1, 1)]]
)
def test_parse_date_rejects(raw: object) -> None:
    with pytest.raises(PeriodError):
        parse_date(raw)


# --- parse_due --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "dates", "open_ended"),
    [
        ("Dec 17, March 18", (date(2017, 12, 31), date(2018, 3, 31)), False),
        ("Oct 17, Feb 18", (date(2017, 10, 31), date(2018, 2, 28)), False),
        ("Nov 17, March 18", (date(2017, 11, 30), date(2018, 3, 31)), False),
        ("Oct 17, June 18", (date(2017, 10, 31), date(2018, 6, 30)), False),
        ("April-June 18", (date(2018, 6, 30),), False),
        ("from Sept 17", (date(2017, 9, 30),), True),
        ("from Nov 17", (date(2017, 11, 30),), True),
        ("1. Sept 17 2. Nov 17", (date(2017, 9, 30), date(2017, 11, 30)), False),
        ("<p>1. Sept 17</p><p>2. Nov 17</p>", (date(2017, 9, 30), date(2017, 11, 30)), False),
        ("1. March 18 2. April-June 18", (date(2018, 3, 31), date(2018, 6, 30)), False),
        ("1. Oct 17, Feb 18 2. Oct 17", (date(2017, 10, 31), date(2018, 2, 28)), False),
        (
            "1. Sept 17 2. Oct 17 4. Oct 17 5. Jan 18 (no 3)",
            (date(2017, 9, 30), date(2017, 10, 31), date(2018, 1, 31)),
            False,
        ),
        (
            "1. July 17 2. Sept 17 3. from Nov 17",
            (date(2017, 7, 31), date(2017, 9, 30), date(2017, 11, 30)),
            True,
        ),
        ("24 May 2012", (date(2012, 5, 24),), False),
        ("28 th January 2013", (date(2013, 1, 28),), False),
        ("9th – 20th January 2012", (date(2012, 1, 20),), False),
        ("w/c 26.11.12", (date(2012, 11, 26),), False),
        ("2017-10-16", (date(2017, 10, 16),), False),
        ("May 2017", (date(2017, 5, 31),), False),
        ("ongoing", (), True),
        ("On-going", (), True),
    ],
)
def test_parse_due_dates(raw: str, dates: tuple[date, ...], open_ended: bool) -> None:
    due = parse_due(raw)
    assert due.dates == dates
    assert due.open_ended is open_ended
    assert due.final == (max(dates) if dates else None)


@pytest.mark.parametrize(
    ("raw", "months"),
    [
        ("3 months", 3),
        ("6 months", 6),
        ("9 months", 9),
        ("12 Months", 12),
        ("within 3 months", 3),
        ("Within six months", 6),
        ("within a year", 12),
        ("1 year", 12),
    ],
)
def test_parse_due_horizons(raw: str, months: int) -> None:
    due = parse_due(raw)
    assert due == Due((), months, False, raw)
    assert due.final is None


def test_parse_due_blank_and_objects() -> None:
    assert parse_due(None) == Due((), None, False, "")
    assert parse_due("") == Due((), None, False, "")
    assert parse_due(datetime(2017, 9, 30, 12)) == Due((date(2017, 9, 30),), None, False, "2017-09-30")
    assert parse_due(42825).dates == (date(2017, 3, 31),)


def test_parse_due_keeps_unknown_text() -> None:
    assert parse_due("When the new system is live") == Due((), None, False, "When the new system is live")
    assert parse_due("31.2.17").dates == ()


# --- parse_month_header -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (datetime(2017, 4, 1), month(2017, 4)),
        (date(2017, 4, 30), month(2017, 4)),
        ("Apr-17", month(2017, 4)),
        ("Apr 17", month(2017, 4)),
        ("April 2017", month(2017, 4)),
        ("2017-04", month(2017, 4)),
        ("Jun-2018", month(2018, 6)),
        ("Sept 17", month(2017, 9)),
        ("2017-04-01", month(2017, 4)),
        (42826, month(2017, 4)),
        (month(2017, 4), month(2017, 4)),
    ],
)
def test_month_headers(raw: object, expected: Period) -> None:
    assert parse_month_header(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "Target",
        "Polarity",
        "Ref",
        "Indicator",
        "2016-17",
        "2016/17",
        "Q1",
        "2016",
        2016,
        None,
        True,
        "",
        "May",
    ],
)
def test_non_month_headers(raw: object) -> None:
    assert parse_month_header(raw) is None


# --- properties -------------------------------------------------------------------------------

_anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**400, max_value=10**5000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(),
    st.text(alphabet="0123456789 ./-–QqAaSsYyFfJjMmNnOoDdPpRrTtUuBbGgLlVvCc()<>,'"),
    st.datetimes(),
    st.dates(),
    st.lists(st.integers(), max_size=3),
    st.builds(Decimal, st.integers()),
)
_hints = st.sampled_from([None, *PERIOD_KINDS])


@settings(max_examples=500, deadline=None)
@given(raw=_anything, hint=_hints)
def test_parse_period_raises_only_period_error(raw: object, hint: str | None) -> None:
    try:
        period = parse_period(raw, hint=hint)
    except PeriodError:
        return
    assert period.start <= period.end
    assert period.kind in PERIOD_KINDS
    assert period.label


@settings(max_examples=300, deadline=None)
@given(raw=_anything, hint=_hints)
def test_parse_year_label_raises_only_period_error(raw: object, hint: str | None) -> None:
    try:
        parse_year_label(raw, hint=hint)
    except PeriodError:
        return


@settings(max_examples=500, deadline=None)
@given(raw=_anything, month_end=st.booleans())
def test_parse_date_raises_only_period_error(raw: object, month_end: bool) -> None:
    try:
        parse_date(raw, month_end=month_end)
    except PeriodError:
        return


@settings(max_examples=500, deadline=None)
@given(raw=_anything)
def test_parse_due_never_raises(raw: object) -> None:
    due = parse_due(raw)
    assert isinstance(due.text, str)
    assert len(set(due.dates)) == len(due.dates)
    assert due.final is None or due.final in due.dates


@settings(max_examples=500, deadline=None)
@given(raw=_anything)
def test_parse_month_header_never_raises(raw: object) -> None:
    header = parse_month_header(raw)
    assert header is None or header.kind == "month"


@settings(max_examples=300, deadline=None)
@given(year=st.integers(1950, 2100), month_no=st.integers(1, 12))
def test_month_text_round_trips(year: int, month_no: int) -> None:
    period = month(year, month_no)
    assert parse_period(period.label) == period
    assert parse_month_header(period.label) == period
    assert parse_period(f"{year}-{month_no:02d}") == period or f"{month_no:02d}" == f"{(year + 1) % 100:02d}"


@settings(max_examples=200, deadline=None)
@given(start_year=st.integers(2000, 2098))
def test_year_labels_round_trip(start_year: int) -> None:
    assert parse_period(financial_year(start_year).label) == financial_year(start_year)
    assert parse_period(academic_year(start_year).label) == academic_year(start_year)
    assert parse_period(quarter(start_year, 3).label) == quarter(start_year, 3)
