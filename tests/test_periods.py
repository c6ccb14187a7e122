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
    assert parse_due(datetime(2017, 9, 30, 12)) == Due(
        (date(2017, 9, 30),), None, False, "2017-09-30", milestones=(("", date(2017, 9, 30)),)
    )
    assert parse_due(42825).dates == (date(2017, 3, 31),)


def test_parse_due_keeps_unknown_text() -> None:
    assert parse_due("When the new system is live") == Due((), None, False, "When the new system is live")
    assert parse_due("31.2.17").dates == ()


def _d(year: int, month_no: int, day: int | None = None) -> date:
    """A day, or the last day of the month when no day is given (how a due month is stored)."""
    return date(year, month_no, day) if day else month(year, month_no).end


@pytest.mark.parametrize(
    ("raw", "final", "assumption"),
    [
        ("Q3 2019", _d(2019, 9), "Q3 2019 read as the calendar quarter July–September 2019"),
        ("Q1 2019", _d(2019, 3), "Q1 2019 read as the calendar quarter January–March 2019"),
        ("Quarter 4 2018", _d(2018, 12), "Quarter 4 2018 read as the calendar quarter October–December 2018"),
        ("2019 Q2", _d(2019, 6), "2019 Q2 read as the calendar quarter April–June 2019"),
        ("Q3 19", _d(2019, 9), "Q3 19 read as the calendar quarter July–September 2019"),
        ("Q3 2019/20", _d(2019, 12), None),
        ("Q3 19/20", _d(2019, 12), None),
        ("Q3 2019-20", _d(2019, 12), None),
        ("Q1 2019/20", _d(2019, 6), None),
        ("Q4 2019/20", _d(2020, 3), None),
        ("Qtr 2 FY 2019/20", _d(2019, 9), None),
        ("Quarter 3 of 2019/20", _d(2019, 12), None),
        ("2019/20 Q4", _d(2020, 3), None),
        ("19/20 Q1", _d(2019, 6), None),
        ("By end of Q2 2017/18", _d(2017, 9), None),
    ],
)
def test_parse_due_quarters(raw: str, final: date, assumption: str | None) -> None:
    due = parse_due(raw)
    assert due.dates == (final,)
    assert due.final == final
    assert due.assumption == assumption
    assert due.readable


@pytest.mark.parametrize("raw", ["Q3", "Q5 2019", "Q4 FY2019", "Q3 2019/21", "Q0 2019/20", "FQ3 2019"])
def test_parse_due_unreadable_quarters(raw: str) -> None:
    # No year, no such quarter, or a year that does not settle which quarter: no guess.
    due = parse_due(raw)
    assert due.dates == ()
    assert due.assumption is None


def test_quarters_agree_with_parse_period() -> None:
    for start_year in (2016, 2019, 2024):
        for q in (1, 2, 3, 4):
            label = quarter(start_year, q).label  # "Q3 2019/20"
            assert parse_due(label).final == parse_period(label).end
            assert parse_due(f"Q{q} {start_year}").final == parse_period(f"Q{q} {start_year}").end


def test_several_assumptions_are_joined_once() -> None:
    due = parse_due("1. Q3 2019 2. Q4 2019 3. Q4 2019")
    assert due.final == _d(2019, 12)
    assert due.assumption == (
        "Q3 2019 read as the calendar quarter July–September 2019; "
        "Q4 2019 read as the calendar quarter October–December 2019"
    )


@pytest.mark.parametrize(
    "raw", ["Ongoing", "ongoing", "On-going", "On going", "Continuous", "Throughout", "[ongoing]", "Rolling",
            "Business as usual", "Ongoing (quarterly review)"],
)  # fmt: skip
def test_parse_due_open_ended_alone(raw: str) -> None:
    due = parse_due(raw)
    assert due.dates == ()
    assert due.final is None
    assert due.open_ended is True
    assert due.readable is True
    assert due.milestones == ()


def test_from_means_open_ended_only_before_a_date() -> None:
    assert parse_due("from Sept 17").open_ended is True
    assert parse_due("Sept 17 onwards").open_ended is True
    assert parse_due("Following on from the review").open_ended is False  # "from" with no date
    assert parse_due("from Sept 17 to March 18").open_ended is False  # a range, with an end
    assert parse_due("March 2020 (revised from Dec 2019)").open_ended is False  # a revision


@pytest.mark.parametrize(
    ("raw", "final", "revised_from"),
    [
        ("March 2020 (revised from Dec 2019)", _d(2020, 3), (_d(2019, 12),)),
        ("Revised: March 2020 (was Dec 2019)", _d(2020, 3), (_d(2019, 12),)),
        ("Dec 2019 - revised to March 2020", _d(2020, 3), (_d(2019, 12),)),
        ("Originally Dec 2019, now March 2020", _d(2020, 3), (_d(2019, 12),)),
        ("Dec 2019 – revised to March 2020", _d(2020, 3), (_d(2019, 12),)),
        # brought forward: the revised date wins although the old one is later
        ("June 2020 (brought forward from Sept 2020)", _d(2020, 6), (_d(2020, 9),)),
        ("Sept 2020, now June 2020", _d(2020, 6), (_d(2020, 9),)),
        ("Revised date: 30.6.20 (original deadline 31.3.20)", _d(2020, 6, 30), (_d(2020, 3, 31),)),
        ("was Dec 19 and Jan 20, now March 20", _d(2020, 3), (_d(2019, 12), _d(2020, 1))),
        ("Sept 17 (delayed to Nov 17)", _d(2017, 11), (_d(2017, 9),)),
        ("Deadline extended to 31 March 2018 (was due 31 Dec 2017)", _d(2018, 3, 31), (_d(2017, 12, 31),)),
    ],
)
def test_parse_due_revisions(raw: str, final: date, revised_from: tuple[date, ...]) -> None:
    due = parse_due(raw)
    assert due.final == final
    assert due.revised_from == revised_from
    assert set(due.dates) == {final, *revised_from}  # dates still names every date written
    assert [d for _label, d in due.milestones] == [final]  # a replaced date is no longer a milestone


def test_revision_inside_one_milestone_leaves_the_others() -> None:
    due = parse_due("1. Sept 17 2. Oct 17 (revised to Dec 17) 3. Nov 17")
    assert due.milestones == (("1", _d(2017, 9)), ("2", _d(2017, 12)), ("3", _d(2017, 11)))
    assert due.revised_from == (_d(2017, 10),)
    assert due.final == _d(2017, 12)


def test_a_date_replaced_in_one_milestone_but_due_in_another_is_not_revised_from() -> None:
    due = parse_due("1. Dec 17 (was Oct 17) 2. Oct 17")
    assert due.revised_from == ()
    assert due.milestones == (("1", _d(2017, 12)), ("2", _d(2017, 10)))


@pytest.mark.parametrize(
    "raw", ["Training was delivered in Sept 17", "Now embedded, Sept 17", "Originally planned as a pilot; Sept 17"]
)
def test_revision_words_without_a_following_date_change_nothing(raw: str) -> None:
    due = parse_due(raw)
    assert due.revised_from == ()
    assert due.final == _d(2017, 9)


def test_only_a_replaced_date_gives_no_final() -> None:
    # The new date is not written: the importer must not treat the old one as the deadline.
    due = parse_due("was due Dec 2019")
    assert due.dates == (_d(2019, 12),)
    assert due.revised_from == (_d(2019, 12),)
    assert due.final is None
    assert due.milestones == ()


# The LSCB plan's "Milestones" column as printed (seed inventory section 3.3, S1:3197-3227).
SEED_MILESTONES = [
    ("1. May 2017 2. July 17 3. July 17 4. Aug 17 5. Sept 17 6. Sept 17 7. Sept 17 8. Oct 17",
     [("1", _d(2017, 5)), ("2", _d(2017, 7)), ("3", _d(2017, 7)), ("4", _d(2017, 8)), ("5", _d(2017, 9)),
      ("6", _d(2017, 9)), ("7", _d(2017, 9)), ("8", _d(2017, 10))]),
    ("1. July 17 2. Aug 17 3. Oct 17 4. July 17 5. Oct 17 6. Sept 17",
     [("1", _d(2017, 7)), ("2", _d(2017, 8)), ("3", _d(2017, 10)), ("4", _d(2017, 7)), ("5", _d(2017, 10)),
      ("6", _d(2017, 9))]),
    ("1. July 17 2. Sept 17 3. Oct 17 4. Dec 17, March 18 5. June 18",
     [("1", _d(2017, 7)), ("2", _d(2017, 9)), ("3", _d(2017, 10)), ("4", _d(2017, 12)), ("4", _d(2018, 3)),
      ("5", _d(2018, 6))]),
    ("1. Oct 17", [("1", _d(2017, 10))]),
    ("1. Oct 17 2. Oct 17", [("1", _d(2017, 10)), ("2", _d(2017, 10))]),
    ("<p>1. Sept 17</p><p>2. Nov 17</p>", [("1", _d(2017, 9)), ("2", _d(2017, 11))]),
    ("1. July 17", [("1", _d(2017, 7))]),
    ("1. Sept 17 2. Oct 2017 3. Sept 17 4. Sept 17 5. August 17 6. Sept 17 7. December 17",
     [("1", _d(2017, 9)), ("2", _d(2017, 10)), ("3", _d(2017, 9)), ("4", _d(2017, 9)), ("5", _d(2017, 8)),
      ("6", _d(2017, 9)), ("7", _d(2017, 12))]),
    ("1. Sept 17 2. Oct 17, Feb 18 3. Dec 17, March 18 4. from Sept 17 5. Nov 17, March 18",
     [("1", _d(2017, 9)), ("2", _d(2017, 10)), ("2", _d(2018, 2)), ("3", _d(2017, 12)), ("3", _d(2018, 3)),
      ("4", _d(2017, 9)), ("5", _d(2017, 11)), ("5", _d(2018, 3))]),
    ("1. January 2018 2. October 17 3. February 18", [("1", _d(2018, 1)), ("2", _d(2017, 10)), ("3", _d(2018, 2))]),
    ("1. March 18 2. April-June 18", [("1", _d(2018, 3)), ("2", _d(2018, 6))]),
    ("1. Oct 17, Feb 18 2. Oct 17", [("1", _d(2017, 10)), ("1", _d(2018, 2)), ("2", _d(2017, 10))]),
    ("1. Sept 17 2. Oct 17 4. Oct 17 5. Jan 18 (no 3)",
     [("1", _d(2017, 9)), ("2", _d(2017, 10)), ("4", _d(2017, 10)), ("5", _d(2018, 1))]),
    ("1. Sept 17 4. Sept 17", [("1", _d(2017, 9)), ("4", _d(2017, 9))]),
    ("1. July 17 2. Sept 17 3. from Nov 17", [("1", _d(2017, 7)), ("2", _d(2017, 9)), ("3", _d(2017, 11))]),
    ("1. Sept 17 2. Sept 17 3. Oct 17, June 18 4. Oct 17 5. Oct 17",
     [("1", _d(2017, 9)), ("2", _d(2017, 9)), ("3", _d(2017, 10)), ("3", _d(2018, 6)), ("4", _d(2017, 10)),
      ("5", _d(2017, 10))]),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "milestones"), SEED_MILESTONES, ids=[raw[:30] for raw, _m in SEED_MILESTONES])
def test_seed_milestone_lists(raw: str, milestones: list[tuple[str, date]]) -> None:
    due = parse_due(raw)
    assert list(due.milestones) == milestones
    assert due.final == max(d for _label, d in milestones)
    assert due.dates == tuple(dict.fromkeys(d for _label, d in milestones))
    assert due.assumption is None


def test_milestone_numbers_are_not_days() -> None:
    # "1. May 2017" is milestone 1 due May 2017, not 1 May; "1.4.16" alone is still 1 April 2016.
    due = parse_due("1. May 2017 2. July 17")
    assert due.dates == (_d(2017, 5), _d(2017, 7))
    assert due.milestones == (("1", _d(2017, 5)), ("2", _d(2017, 7)))
    assert parse_due("1.4.16").dates == (date(2016, 4, 1),)
    assert parse_due("1. 1.4.16 2. 31.3.17").milestones == (("1", date(2016, 4, 1)), ("2", date(2017, 3, 31)))
    assert parse_due("Milestone 1 - July 17").dates == (_d(2017, 7),)
    assert parse_due("1) Sept 17 2) Oct 17").milestones == (("1", _d(2017, 9)), ("2", _d(2017, 10)))
    assert parse_due("Sept 17. 2. Oct 17").milestones == (("", _d(2017, 9)), ("2", _d(2017, 10)))


def test_numbered_milestone_without_a_date() -> None:
    due = parse_due("1. Sept 17 2. TBC 3. Nov 17")
    assert due.milestones == (("1", _d(2017, 9)), ("2", None), ("3", _d(2017, 11)))
    assert due.final == _d(2017, 11)


def test_unnumbered_milestones() -> None:
    assert parse_due("Dec 17, March 18").milestones == (("", _d(2017, 12)), ("", _d(2018, 3)))
    assert parse_due("Dec 17, March 18").final == _d(2018, 3)
    assert parse_due("24 May 2012").milestones == (("", date(2012, 5, 24)),)
    assert parse_due("6 months").milestones == ()


# Every due/timescale text the seed inventory quotes (sections 3.1, 3.3, 7.3), with what it reads as.
SEED_DUE_TEXTS = [
    ("24 May 2012", (date(2012, 5, 24),), None, False),
    ("24 August 2012", (date(2012, 8, 24),), None, False),
    ("3 months", (), 3, False),
    ("6 months", (), 6, False),
    ("9 months", (), 9, False),
    ("12 Months", (), 12, False),
    ("within 3 months", (), 3, False),
    ("Key Action - to be completed within 3 months", (), 3, False),
    ("(to be completed within 6 months)", (), 6, False),
    ("28 th January 2013", (date(2013, 1, 28),), None, False),
    ("9th – 20th January 2012", (date(2012, 1, 20),), None, False),
    ("5th March 2013", (date(2013, 3, 5),), None, False),
    ("18<sup>th</sup> July 2017", (date(2017, 7, 18),), None, False),
    ("23<sup>rd</sup> March 2016", (date(2016, 3, 23),), None, False),
    ("1 <sup>st</sup> April 2016", (date(2016, 4, 1),), None, False),
    ("w/c 26.11.12", (date(2012, 11, 26),), None, False),
    ("1.4.16", (date(2016, 4, 1),), None, False),
    ("31.3.17", (date(2017, 3, 31),), None, False),
    ("31.3.18", (date(2018, 3, 31),), None, False),
    ("plan submission due 16 Oct 2017", (date(2017, 10, 16),), None, False),
    ("Dec 17, March 18", (_d(2017, 12), _d(2018, 3)), None, False),
    ("Oct 17, Feb 18", (_d(2017, 10), _d(2018, 2)), None, False),
    ("Nov 17, March 18", (_d(2017, 11), _d(2018, 3)), None, False),
    ("Oct 17, June 18", (_d(2017, 10), _d(2018, 6)), None, False),
    ("April-June 18", (_d(2018, 6),), None, False),
    ("from Sept 17", (_d(2017, 9),), None, True),
    ("from Nov 17", (_d(2017, 11),), None, True),
    ("[ongoing]", (), None, True),
    ("May 2017", (_d(2017, 5),), None, False),
    ("Oct 2017", (_d(2017, 10),), None, False),
    ("October 17", (_d(2017, 10),), None, False),
    ("August 17", (_d(2017, 8),), None, False),
    ("December 17", (_d(2017, 12),), None, False),
    ("January 2018", (_d(2018, 1),), None, False),
    ("February 18", (_d(2018, 2),), None, False),
]


@pytest.mark.parametrize(("raw", "dates", "horizon", "open_ended"), SEED_DUE_TEXTS)
def test_seed_due_texts(raw: str, dates: tuple[date, ...], horizon: int | None, open_ended: bool) -> None:
    due = parse_due(raw)
    assert (due.dates, due.horizon_months, due.open_ended) == (dates, horizon, open_ended)
    assert due.final == (max(dates) if dates else None)
    assert due.readable


@pytest.mark.parametrize(
    "raw",
    ["When the new system is live", "TBC", "late 2016", "early 2017", "this year", "13<sup>th</sup> July", "",
     "[completed]", "31.2.17", "Q3", "n/a"],
)  # fmt: skip
def test_unreadable_due_texts(raw: str) -> None:
    due = parse_due(raw)
    assert due.dates == ()
    assert due.final is None
    assert due.readable is False
    assert due.text == raw.replace("<sup>", "").replace("</sup>", "")


@pytest.mark.parametrize(
    "raw", ["Since April 2016", "In the last 12 months", "(since Jan 2017)", "Within six months", "1 year"]
)
def test_vague_seed_periods_are_readable_without_raising(raw: str) -> None:
    assert parse_due(raw).readable


def test_huge_cells_parse_quickly() -> None:
    import time

    for raw in ["1. Sept 17 " * 3000, "(" * 10000 + "1. now was Sept 17, " * 1000, "was " * 8000 + "Dec 19",
                "1. " * 10000, " due" * 8000 + " Dec 19", "Q3 2019/20 " * 3000]:
        started = time.perf_counter()
        parse_due(raw)
        assert time.perf_counter() - started < 2.0


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
    _check_due(parse_due(raw))


def _check_due(due: Due) -> None:
    assert isinstance(due.text, str)
    assert len(set(due.dates)) == len(due.dates)
    assert due.final is None or (due.final in due.dates and due.final not in due.revised_from)
    assert set(due.revised_from) <= set(due.dates)
    assert {d for _label, d in due.milestones if d is not None} <= set(due.dates) - set(due.revised_from)
    assert all(label == "" or label.isdigit() for label, _d in due.milestones)
    assert due.readable == (bool(due.dates) or due.horizon_months is not None or due.open_ended)
    assert due.assumption is None or due.assumption.strip()


_DUE_TOKENS = st.sampled_from(
    ["1.", "2.", "3)", "(", ")", ",", "-", "–", "Sept", "March", "Dec", "May", "17", "18", "2019", "2019/20", "19/20",
     "Q3", "Q4", "Quarter", "revised", "from", "to", "was", "now", "originally", "due", "ongoing", "within", "6",
     "months", "1.4.16", "24", "th", "<p>", "</p>", "of", "FY", "and"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(_DUE_TOKENS, max_size=14).map(" ".join))
def test_parse_due_on_due_like_text(raw: str) -> None:
    _check_due(parse_due(raw))


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
