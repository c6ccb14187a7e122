"""Read the period or date a return cell talks about ("Apr 2016 - Mar 2017", "As at 31 March 2017").

Returns describe time a dozen ways: financial years, academic years, "Oct 15 - Sep 16",
"Sept 17", "28 th January 2013", "w/c 26.11.12", Excel serial numbers. Every value is stored
against a Period with a real start and end so months, quarters and years compare correctly.
Pure: no I/O; the only project import is lib.vocab.
"""

from __future__ import annotations

import bisect
import calendar
import functools
import html
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from lib.vocab import PERIOD_KINDS

__all__ = [
    "Due",
    "Period",
    "PeriodError",
    "academic_year",
    "as_at",
    "calendar_year",
    "financial_year",
    "month",
    "parse_benchmark_year",
    "parse_date",
    "parse_due",
    "parse_month_header",
    "parse_period",
    "parse_year_label",
    "quarter",
    "span",
    "year_label",
]


class PeriodError(ValueError):
    """A period or date could not be read; the message says why in plain English."""


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period; ordered by end date so the latest period sorts last."""

    end: date
    start: date
    kind: str
    label: str


# --- Constructors -------------------------------------------------------------------------------

_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MIN_YEAR, _MAX_YEAR = 1, 9998  # leaves room for the year after, which financial years need


def _check_year(year: int) -> None:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise PeriodError(f"The year {year} is out of range.")


def _month_end(year: int, month_no: int) -> date:
    return date(year, month_no, calendar.monthrange(year, month_no)[1])


def _mmm_yyyy(d: date) -> str:
    return f"{_MONTH_ABBR[d.month - 1]} {d.year}"


def _d_mmm_yyyy(d: date) -> str:
    return f"{d.day} {_mmm_yyyy(d)}"


def _fy_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def month_before(day: date) -> date:
    """The same point one month earlier: a month end maps to the previous month end."""
    prev_end = day.replace(day=1) - timedelta(days=1)
    if (day + timedelta(days=1)).day == 1:
        return prev_end
    return prev_end.replace(day=min(day.day, prev_end.day))


def month(year: int, month: int) -> Period:
    """One calendar month, labelled "Jun 2017"."""
    _check_year(year)
    if not 1 <= month <= 12:
        raise PeriodError(f"There is no month number {month}.")
    start = date(year, month, 1)
    return Period(_month_end(year, month), start, "month", _mmm_yyyy(start))


def quarter(year: int, q: int, *, financial: bool = True) -> Period:
    """A quarter. Financial (default): year is the FY start year and Q1 is Apr-Jun ("Q1 2017/18").

    Calendar: Q1 is Jan-Mar of ``year`` ("Q1 2017").
    """
    _check_year(year)
    if not 1 <= q <= 4:
        raise PeriodError(f"There is no quarter {q}; quarters run 1 to 4.")
    if financial:
        first_month = (4 + 3 * (q - 1) - 1) % 12 + 1
        first_year = year if q < 4 else year + 1
        label = f"Q{q} {_fy_label(year)}"
    else:
        first_month, first_year, label = 3 * (q - 1) + 1, year, f"Q{q} {year}"
    start = date(first_year, first_month, 1)
    return Period(_month_end(first_year, first_month + 2), start, "quarter", label)


def financial_year(start_year: int) -> Period:
    """1 April start_year to 31 March next year, labelled "2016/17"."""
    _check_year(start_year)
    return Period(
        date(start_year + 1, 3, 31), date(start_year, 4, 1), "financial_year", _fy_label(start_year)
    )


def academic_year(start_year: int) -> Period:
    """1 September to 31 August, labelled "AY 2015/16" so it is never mistaken for a financial year."""
    _check_year(start_year)
    return Period(
        date(start_year + 1, 8, 31), date(start_year, 9, 1), "academic_year", f"AY {_fy_label(start_year)}"
    )


def calendar_year(year: int) -> Period:
    """1 January to 31 December, labelled "2016"."""
    _check_year(year)
    return Period(date(year, 12, 31), date(year, 1, 1), "calendar_year", str(year))


def as_at(d: date) -> Period:
    """A snapshot on one day (stock measures such as children in care), labelled "As at 31 Mar 2017"."""
    if isinstance(d, datetime):
        d = d.date()
    return Period(d, d, "as_at", f"As at {_d_mmm_yyyy(d)}")


def span(start: date, end: date, label: str | None = None) -> Period:
    """Any other run of days ("Oct 15 - Sep 16"), labelled "Oct 2015 – Sep 2016" by default."""
    if isinstance(start, datetime):
        start = start.date()
    if isinstance(end, datetime):
        end = end.date()
    if start > end:
        raise PeriodError(f"The period starts ({_d_mmm_yyyy(start)}) after it ends ({_d_mmm_yyyy(end)}).")
    if label is None:
        whole_months = start.day == 1 and end == _month_end(end.year, end.month)
        fmt = _mmm_yyyy if whole_months else _d_mmm_yyyy
        label = f"{fmt(start)} – {fmt(end)}"
    return Period(end, start, "span", label)


# --- Shared text handling -----------------------------------------------------------------------

_MON = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])\.?"
)
_ORD = r"(?:\s*(?:st|nd|rd|th)(?![a-z]))?"
_YEAR = r"(?:[0-9]{4}|[0-9]{2})(?![0-9])"
_BLOCK_TAG_RE = re.compile(r"</?(?:p|div|br|li|ul|ol|tr|td|th|h[1-6])\b[^<>]*>", re.IGNORECASE)
_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_INVISIBLE_RE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
_DASHES_RE = re.compile("[\u2010-\u2015\u2212]")
_EXCEL_EPOCH = date(1899, 12, 30)
# ASCII-only case folding: Unicode folding lets "ſ" match "s" and then dictionary look-ups miss.
_FLAGS = re.IGNORECASE | re.ASCII
_SERIAL_MIN, _SERIAL_MAX = 20000, 80000  # 1954-10-03 .. 2119-01-10: plausible report dates only


def _describe(raw: object) -> str:
    """Short, safe rendering of a bad value for an error message."""
    try:
        text = repr(raw)
    except Exception:
        text = f"<{type(raw).__name__}>"
    return text if len(text) <= 60 else text[:57] + "..."


def _norm(raw: str) -> str:
    """Strip HTML and invisible characters, unify dashes, collapse whitespace.

    Paragraph tags become spaces so "<p>1. Sept 17</p><p>2. Nov 17</p>" keeps its items apart;
    inline tags vanish so "13<sup>th</sup>" reads "13th".
    """
    text = _TAG_RE.sub("", _BLOCK_TAG_RE.sub(" ", raw))
    text = html.unescape(text)
    text = _INVISIBLE_RE.sub("", text)
    text = _DASHES_RE.sub("-", text).replace("’", "'")
    return " ".join(text.split())


def _month_no(name: str) -> int:
    return _MONTH_ABBR.index(name[:3].title()) + 1


def _year(text: str) -> int:
    """Four-digit years as written; two-digit years are 20xx (returns date from 2012 onwards)."""
    return 2000 + int(text) if len(text) == 2 else int(text)


def _safe_date(year: int, month_no: int, day: int) -> date | None:
    try:
        return date(year, month_no, day)
    except ValueError:
        return None


def _serial_date(raw: int | float | Decimal) -> date | None:
    """Excel (1900 date system) serial number -> date, for plausible serials only."""
    try:
        number = float(raw)
    except (OverflowError, ValueError):
        return None
    if not math.isfinite(number) or not _SERIAL_MIN <= number <= _SERIAL_MAX:
        return None
    return _EXCEL_EPOCH + timedelta(days=int(number))


def _as_date(raw: object) -> date | None:
    """A date from a date/datetime object or an Excel serial; None for anything else."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        return _serial_date(raw)
    return None


# --- Dates --------------------------------------------------------------------------------------

_DATE_PREFIX_RE = re.compile(
    r"^(?:w/?c|w/?b|w/?e|wc|week\s+(?:commencing|beginning|ending)|as\s+at|on|by)\b\.?:?\s*", _FLAGS
)
_WEEKDAY_RE = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", _FLAGS)
_ISO_DATE_RE = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[T ][0-9:.]+)?$", re.ASCII)
_NUMERIC_DATE_RE = re.compile(r"^([0-9]{1,2})[./-]([0-9]{1,2})[./-](" + _YEAR + r")$")
_DMY_RE = re.compile(r"^([0-9]{1,2})" + _ORD + r"[\s-]+(" + _MON + r"),?[\s-]+(" + _YEAR + r")$", _FLAGS)
_MDY_RE = re.compile(r"^(" + _MON + r")\s+([0-9]{1,2})" + _ORD + r",\s*([0-9]{4})$", _FLAGS)
_MONTH_YEAR_RE = re.compile(r"^(" + _MON + r")\s*[-/' ]?\s*'?(" + _YEAR + r")$", _FLAGS)
_ISO_MONTH_RE = re.compile(r"^([0-9]{4})[-/]([0-9]{1,2})$")
_NUMERIC_MONTH_RE = re.compile(r"^([0-9]{1,2})[/.-]([0-9]{4})$")


def _full_date(text: str) -> date | None:
    """A full day-month-year date in any of the seed spellings, or None."""
    text = _WEEKDAY_RE.sub("", _DATE_PREFIX_RE.sub("", text))
    if m := _ISO_DATE_RE.match(text):
        return _safe_date(int(m[1]), int(m[2]), int(m[3]))
    if m := _NUMERIC_DATE_RE.match(text):
        return _safe_date(_year(m[3]), int(m[2]), int(m[1]))
    if m := _DMY_RE.match(text):
        return _safe_date(_year(m[3]), _month_no(m[2]), int(m[1]))
    if m := _MDY_RE.match(text):
        return _safe_date(int(m[3]), _month_no(m[1]), int(m[2]))
    return None


def _consecutive_years(first: str, second: str) -> int | None:
    """Start year of "2016/17"-style text when the second year follows the first, else None."""
    start = _year(first)
    if len(second) == 2:
        return start if int(second) == (start + 1) % 100 else None
    return start if int(second) == start + 1 else None


def _month_of(text: str) -> tuple[int, int] | None:
    """(year, month) for month-only text: "Sept 17", "April 2017", "Apr-17", "2017-04", "04/2017"."""
    if m := _MONTH_YEAR_RE.match(text):
        return _year(m[2]), _month_no(m[1])
    if m := _ISO_MONTH_RE.match(text):
        if _consecutive_years(m[1], m[2]) is not None and len(m[2]) == 2:
            return None  # "2011-12" is a year range, not December 2011
        if 1 <= int(m[2]) <= 12:
            return int(m[1]), int(m[2])
    if (m := _NUMERIC_MONTH_RE.match(text)) and 1 <= int(m[1]) <= 12:
        return int(m[2]), int(m[1])
    return None


def parse_date(raw: object, *, month_end: bool = False) -> date:
    """Read one date; month-only text gives the 1st (or the last day with month_end=True).

    Accepts date/datetime objects, Excel serials, "24 May 2012", "28 th January 2013",
    "13<sup>th</sup> July 2017", "1.4.16" (day first, UK), "w/c 26.11.12", "2017-10-16" and
    "Sept 17". Two-digit years are 20xx. Raises PeriodError.
    """
    found = _as_date(raw)
    if found is not None:
        return found
    if not isinstance(raw, str):
        raise PeriodError(f"{_describe(raw)} is not a date.")
    text = _norm(raw)
    if not text:
        raise PeriodError("The date is blank.")
    found = _full_date(text)
    if found is not None:
        return found
    year_month = _month_of(_DATE_PREFIX_RE.sub("", text))
    if year_month is not None and _MIN_YEAR <= year_month[0] <= _MAX_YEAR:
        year, month_no = year_month
        return _month_end(year, month_no) if month_end else date(year, month_no, 1)
    raise PeriodError(
        f"Could not read a date from {_describe(text)}. "
        "Use a form such as '31 March 2017', '31.3.17' or 'Mar 2017'."
    )


# --- Periods ------------------------------------------------------------------------------------

_YEARS = r"([0-9]{4}|[0-9]{2})\s*[/-]\s*([0-9]{4}|[0-9]{2})"
_AS_AT_RE = re.compile(r"^as\s+(?:at|of)\s+(.+)$", _FLAGS)
_EVENT_RE = re.compile(
    r"^[A-Za-z][A-Za-z' ]*\(\s*([0-9]{1,2})" + _ORD + r"\s+(" + _MON + r")\s*\)\s*([0-9]{4})$", _FLAGS
)
_ACADEMIC_RE = re.compile(r"^(?:academic\s+year|school\s+year|ay)\s*:?\s*" + _YEARS + "$", _FLAGS)
_FINANCIAL_RE = re.compile(r"^(?:financial\s+year|fin\.?\s+year|fy)\s*:?\s*" + _YEARS + "$", _FLAGS)
_CALENDAR_RE = re.compile(r"^(?:calendar\s+year|cy)\s*:?\s*([0-9]{4})$", _FLAGS)
_YEAR_RANGE_RE = re.compile(r"^" + _YEARS + "$")
_SINGLE_YEAR_RE = re.compile(r"^([0-9]{4})$")
_QUARTER_FIRST_RE = re.compile(
    r"^(?:q|qtr|quarter)\s*([1-4])\s*,?\s*(?:(?:fy\s*)?" + _YEARS + r"|([0-9]{4}))$", _FLAGS
)
_QUARTER_LAST_RE = re.compile(
    r"^(?:fy\s*)?(?:" + _YEARS + r"|([0-9]{4}))\s*,?\s*(?:q|qtr|quarter)\s*([1-4])$", _FLAGS
)
_SPAN_SPLIT_RE = re.compile(r"\s+(?:-|to|until|till)\s+|\s*-\s*(?=[A-Za-z])", _FLAGS)
_MONTH_ONLY_RE = re.compile(r"^(" + _MON + r")$", _FLAGS)
_HINTS: frozenset[str | None] = frozenset({None, *PERIOD_KINDS})


def _single_year(year: int, hint: str | None) -> Period:
    """A bare year. With an academic or financial hint it is the year *ending* in that year:
    DfE's "2016" results cover 2015/16 and LAIT's "2016" CIN figures cover the year to 31 March 2016.
    """
    if hint == "academic_year":
        return academic_year(year - 1)
    if hint == "financial_year":
        return financial_year(year - 1)
    return calendar_year(year)


def _year_range(start_year: int, hint: str | None) -> Period:
    return academic_year(start_year) if hint == "academic_year" else financial_year(start_year)


def _require_years(first: str, second: str, text: str) -> int:
    start = _consecutive_years(first, second)
    if start is None:
        raise PeriodError(f"In {_describe(text)} the second year should follow the first, as in '2016/17'.")
    return start


@dataclass(frozen=True)
class _Point:
    """One side of a span: a day or a month, possibly without its year yet."""

    month_no: int
    year: int | None
    day: int | None  # None = the whole month


def _point(text: str) -> _Point | None:
    found = _full_date(text)
    if found is not None:
        return _Point(found.month, found.year, found.day)
    year_month = _month_of(text)
    if year_month is not None:
        return _Point(year_month[1], year_month[0], None)
    if m := _MONTH_ONLY_RE.match(text):
        return _Point(_month_no(m[1]), None, None)
    return None


def _classify(start: date, end: date, hint: str | None) -> Period:
    """Name a run of whole months: Apr-Mar is a financial year, Sep-Aug academic, Jan-Dec calendar,
    a quarter-aligned three months a quarter, one month a month; anything else is a span.
    """
    if start.day == 1 and end == _month_end(end.year, end.month):
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        if months == 1:
            return month(start.year, start.month)
        if months == 3 and start.month in (1, 4, 7, 10):
            if hint == "calendar_year":
                return quarter(start.year, (start.month - 1) // 3 + 1, financial=False)
            fy_start = start.year if start.month >= 4 else start.year - 1
            return quarter(fy_start, (start.month - 4) % 12 // 3 + 1)
        if months == 12 and start.month == 4:
            return financial_year(start.year)
        if months == 12 and start.month == 9:
            return academic_year(start.year)
        if months == 12 and start.month == 1:
            return calendar_year(start.year)
    return span(start, end)


def _parse_span(text: str, hint: str | None) -> Period | None:
    parts = _SPAN_SPLIT_RE.split(text)
    if len(parts) != 2:
        return None
    left, right = _point(parts[0]), _point(parts[1])
    if left is None or right is None or (left.year is None and right.year is None):
        return None
    left_year = left.year
    right_year = right.year
    if left_year is None and right_year is not None:
        left_year = right_year if left.month_no <= right.month_no else right_year - 1
    if right_year is None and left_year is not None:
        right_year = left_year if right.month_no >= left.month_no else left_year + 1
    if left_year is None or right_year is None:
        return None
    _check_year(left_year)
    _check_year(right_year)
    start = date(left_year, left.month_no, left.day or 1)
    end = date(right_year, right.month_no, right.day) if right.day else _month_end(right_year, right.month_no)
    return _classify(start, end, hint)


def _from_date(d: date, hint: str | None) -> Period:
    if hint == "as_at":
        return as_at(d)
    _check_year(d.year)
    return month(d.year, d.month)


def parse_period(raw: object, *, hint: str | None = None) -> Period:
    """Read a "period covered" cell into a Period. Raises PeriodError with a plain-English message.

    ``hint`` is a vocab.PERIOD_KINDS value: "as_at" makes single dates snapshots (otherwise
    the month containing them), "academic_year" reads "2016/17" and bare years as academic,
    "financial_year" makes "Q1 2017" and bare years financial, "calendar_year" makes
    quarter-aligned spans calendar quarters. Explicit words ("Academic Year", "FY", "As at")
    always win over the hint.
    """
    if hint not in _HINTS:
        raise PeriodError(f"Unknown period hint {_describe(hint)}; use one of {', '.join(PERIOD_KINDS)}.")
    if isinstance(raw, Period):
        return raw
    if isinstance(raw, bool):
        raise PeriodError(f"{_describe(raw)} is not a period.")
    found = _as_date(raw)
    if found is not None:
        return _from_date(found, hint)
    if isinstance(raw, int) and 1000 <= raw <= 9999:
        return _single_year(raw, hint)
    if isinstance(raw, float) and raw.is_integer() and 1000 <= raw <= 9999:
        return _single_year(int(raw), hint)
    if not isinstance(raw, str):
        raise PeriodError(f"{_describe(raw)} is not a period.")
    text = _norm(raw)
    if not text:
        raise PeriodError("The period is blank.")
    return _parse_period_text(text, hint)


def _parse_period_text(text: str, hint: str | None) -> Period:
    if m := _AS_AT_RE.match(text):
        inner = m[1]
        found = _full_date(inner)
        if found is not None:
            return as_at(found)
        year_month = _month_of(inner)
        if year_month is not None:
            _check_year(year_month[0])
            return as_at(_month_end(*year_month))
        raise PeriodError(f"Could not read the date in {_describe(text)}; try 'As at 31 March 2017'.")
    if m := _EVENT_RE.match(text):
        found = _safe_date(int(m[3]), _month_no(m[2]), int(m[1]))
        if found is None:
            raise PeriodError(f"{_describe(text)} names a day that does not exist.")
        return as_at(found)
    if m := _ACADEMIC_RE.match(text):
        return academic_year(_require_years(m[1], m[2], text))
    if m := _FINANCIAL_RE.match(text):
        return financial_year(_require_years(m[1], m[2], text))
    if m := _CALENDAR_RE.match(text):
        return calendar_year(int(m[1]))
    if (m := _QUARTER_FIRST_RE.match(text)) or (m := _QUARTER_LAST_RE.match(text)):
        return _quarter_from_match(m, text, hint)
    if (m := _YEAR_RANGE_RE.match(text)) and (start := _consecutive_years(m[1], m[2])) is not None:
        return _year_range(start, hint)
    if m := _SINGLE_YEAR_RE.match(text):
        return _single_year(int(m[1]), hint)
    spanned = _parse_span(text, hint)
    if spanned is not None:
        return spanned
    year_month = _month_of(text)
    if year_month is not None:
        return month(*year_month)
    found = _full_date(text)
    if found is not None:
        return _from_date(found, hint)
    raise PeriodError(
        f"Could not read a period from {_describe(text)}. Use a month ('Apr 2017'), a quarter "
        "('Q1 2017/18'), a year ('2016/17', 'Academic Year 2015/16'), a range ('Apr 2016 - Mar 2017') "
        "or a snapshot ('As at 31 March 2017')."
    )


def _quarter_from_match(m: re.Match[str], text: str, hint: str | None) -> Period:
    """A quarter from "Q1 2017/18" (financial) or "Q1 2017" (calendar unless hinted financial)."""
    groups = m.groups()
    if m.re is _QUARTER_FIRST_RE:
        q, first, second, single = groups
    else:
        first, second, single, q = groups
    if first is not None and second is not None:
        return quarter(_require_years(first, second, text), int(q))
    return quarter(int(single), int(q), financial=hint == "financial_year")


def parse_year_label(raw: object, *, hint: str | None = None) -> Period:
    """Read a benchmark year label: "2014/15" (financial unless hinted academic), "2016", "April 2017".

    Also takes the bracket as written, "(2014/15, LAIT)", using the part before the comma.
    Raises PeriodError.
    """
    if isinstance(raw, str):
        text = _norm(raw).strip("()[] ")
        text = text.split(",")[0].strip()
        return parse_period(text, hint=hint)
    return parse_period(raw, hint=hint)


def parse_benchmark_year(raw: object, *, value_kinds: frozenset[str] | set[str] | tuple[str, ...] = ()) -> Period:
    """Read a benchmark's year label in the light of the kinds of period its KPI's values have.

    A benchmark printed beside an academic-year result means an academic year: DfE's "2016"
    results beside "Academic Year 2015/16" are the 2015/16 academic year, and "2015/16" there is
    academic too. Otherwise this is parse_year_label ("2014/15" financial, "2016" calendar).
    Raises PeriodError.
    """
    kinds = set(value_kinds)
    hint = "academic_year" if kinds == {"academic_year"} else None
    return parse_year_label(raw, hint=hint)


def year_label(kind: str, start: date, end: date) -> str:
    """The year a period speaks for, as a board paper writes it beside a figure.

    Financial and academic years "2015/16", calendar years "2016", snapshots "as at 31 Mar 2018",
    months "Jun 2019", anything else its first and last month ("Oct 2015 – Sep 2016").
    """
    if kind in ("financial_year", "academic_year"):
        return _fy_label(start.year)
    if kind == "calendar_year":
        return str(start.year)
    if kind == "as_at" or start == end:
        return f"as at {_d_mmm_yyyy(end)}"
    if kind == "month":
        return _mmm_yyyy(start)
    whole_months = start.day == 1 and end == _month_end(end.year, end.month)
    fmt = _mmm_yyyy if whole_months else _d_mmm_yyyy
    if whole_months and (start.year, start.month) == (end.year, end.month):
        return _mmm_yyyy(start)
    return f"{fmt(start)} – {fmt(end)}"


# --- Due dates ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """What a deadline cell says: dates (a month means its last day), a horizon, open-endedness.

    ``dates`` holds every date named, in text order without repeats, superseded ones included;
    ``revised_from`` the superseded ones ("was Dec 2019"); ``milestones`` the (number, date) pairs
    of a numbered list, or ("", date) for unnumbered dates; ``assumption`` a plain-English note
    when the reading rested on a convention the text did not settle (calendar vs financial quarter).
    """

    dates: tuple[date, ...]
    horizon_months: int | None
    open_ended: bool
    text: str
    revised_from: tuple[date, ...] = ()
    milestones: tuple[tuple[str, date | None], ...] = ()
    assumption: str | None = None

    @property
    def final(self) -> date | None:
        """When the whole action should be done: the latest date still in force.

        A revised date wins over the one it replaced even when that was later
        ("June 2020 (brought forward from Sept 2020)" is due June 2020).
        """
        current = [d for d in self.dates if d not in self.revised_from]
        return max(current) if current else None

    @property
    def readable(self) -> bool:
        """True when the text gave a date, a horizon or an open-ended marker the importer can use."""
        return bool(self.dates) or self.horizon_months is not None or self.open_ended


_YY = r"(?:[0-9]{4}|[0-9]{2})"
_DUE_PATTERNS = (
    # "Q3 2019", "Q3 2019/20", "Quarter 3 19/20", "Q4 of 2019-20": the end of the quarter
    rf"(?:q|qtr|quarter)\s*(?P<q_n>[1-4])\s*,?\s*(?:of\s+)?(?P<q_fy>fy\s*)?(?P<q_y1>{_YY})"
    rf"(?:\s*[/-]\s*(?P<q_y2>{_YY}))?(?![0-9])",
    # "2019/20 Q3", "2019 Q3"
    rf"(?P<p_fy>fy\s*)?(?P<p_y1>[0-9]{{4}}|[0-9]{{2}}(?=\s*[/-]\s*[0-9]))(?:\s*[/-]\s*(?P<p_y2>{_YY}))?"
    r"\s*,?\s*(?:q|qtr|quarter)\s*(?P<p_n>[1-4])(?![0-9])",
    # "9th - 20th January 2012": a range of days counts as its last day
    rf"(?P<r_d1>[0-9]{{1,2}}){_ORD}\s*-\s*(?P<r_d2>[0-9]{{1,2}}){_ORD}\s+(?P<r_mon>{_MON}),?\s+(?P<r_y>{_YEAR})",
    # "24 May 2012", "28 th January 2013", "16-Oct-2017"; not "1 - July 17" (milestone 1, July 2017)
    rf"(?P<d_d>[0-9]{{1,2}}){_ORD}(?:\s+|-)(?P<d_mon>{_MON}),?[\s-]+(?P<d_y>{_YEAR})",
    # "2017-10-16"
    r"(?P<i_y>[0-9]{4})-(?P<i_m>[0-9]{1,2})-(?P<i_d>[0-9]{1,2})(?![0-9])",
    # "1.4.16", "w/c 26.11.12"
    rf"(?P<n_d>[0-9]{{1,2}})[./](?P<n_m>[0-9]{{1,2}})[./](?P<n_y>{_YEAR})(?![.][0-9])",
    # "April-June 18": a range of months counts as the end of its last month
    rf"(?P<m_a>{_MON})\s*(?:-|to)\s*(?P<m_b>{_MON})\s*[-' ]?\s*(?P<m_y>{_YEAR})",
    # "Sept 17", "March 18", "May 2017"
    rf"(?P<y_mon>{_MON})\s*[-/' ]?\s*'?(?P<y_y>{_YEAR})",
)
_DUE_RE = re.compile("|".join(f"(?<![0-9A-Za-z]){p}" for p in _DUE_PATTERNS), _FLAGS)
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18, "twenty-four": 24, "a": 1,
}  # fmt: skip
_HORIZON_RE = re.compile(
    r"\b(?:within\s+)?(?P<n>[0-9]{1,3}|" + "|".join(_NUMBER_WORDS) + r")\s*(?P<unit>months?|years?|yrs?)\b",
    _FLAGS,
)
_OPEN_ENDED_RE = re.compile(
    r"\b(?:ongoing|on-going|on\s+going|onwards|continuous|continuing|continual|rolling|throughout"
    r"|business\s+as\s+usual|bau)\b",
    _FLAGS,
)
_FROM_BEFORE_RE = re.compile(r"\bfrom\s*$", _FLAGS)  # "from Sept 17": open-ended from that date
_RANGE_JOIN_RE = re.compile(r"\s*(?:-|to|until|till)\s*", _FLAGS)  # "from Sept 17 to March 18": not open
# A milestone number: "1." or "2)" not inside a date, a bracket ("(no 3)") or a longer number.
_LABEL_RE = re.compile(r"(?<![0-9A-Za-z.,/:'-])([0-9]{1,2})[.)](?=\s|[A-Za-z]|$)", _FLAGS)
_VERBS = (
    r"(?:revised|changed|moved|extended|deferred|amended|re-?profiled|re-?scheduled|slipped|delayed|postponed"
    r"|updated|put\s+back|pushed\s+back|brought\s+forward)"
)
# Revision phrases: "old" ones name the date replaced, "new" ones the date now in force.
_REVISION_RE = re.compile(
    rf"(?P<old>\b{_VERBS}\s+from\b|\b(?:was|were|originally|previously|formerly|initially|old\s+date"
    r"|original\s+(?:date|deadline|target|due\s+date))\b)"
    rf"|(?P<new>\b{_VERBS}\s+(?:to|until|till|into)\b|\bnow\b|\bnew\s+(?:date|deadline|target|due\s+date)\b"
    r"|\brevised\b)",
    _FLAGS,
)
# What may stand between a revision phrase and its date: "was due to be", "Revised date:", "now by".
_FILLER_RE = re.compile(
    r"[\s:,(\-]*(?:(?:due|date|deadline|target|by|for|on|in|to|until|be|the|end|of|is|as|set|planned)\b"
    r"[\s:,(\-]*)*",
    _FLAGS,
)
_LIST_JOIN_RE = re.compile(r"\s*(?:,|&|and|or)?\s*", _FLAGS)  # "was Dec 19 and Jan 20": both replaced
_MONTH_NAMES = tuple(calendar.month_name[1:])


@dataclass(frozen=True)
class _DueMatch:
    start: int
    end: int
    day: date | None
    note: str | None


def _quarter_end(m: re.Match[str]) -> tuple[date | None, str | None]:
    """End of the quarter a match names, and the assumption made reading it.

    With a financial year ("2019/20", "19/20") quarters are financial: Q1 is April-June. A bare
    year ("Q3 2019") is read as a CALENDAR quarter (Q3 = July-September), as parse_period does,
    and the note says so because councils use both. "Q3 FY2019" and "Q3 2019/21" are not guessed.
    """
    g = m.groupdict()
    prefix = "q" if g["q_n"] is not None else "p"
    q, first, second = int(g[f"{prefix}_n"]), g[f"{prefix}_y1"], g[f"{prefix}_y2"]
    try:
        if second is not None:
            start = _consecutive_years(first, second)
            return (quarter(start, q).end, None) if start is not None else (None, None)
        if g[f"{prefix}_fy"] is not None:
            return None, None
        period = quarter(_year(first), q, financial=False)
    except PeriodError:
        return None, None
    months = f"{_MONTH_NAMES[period.start.month - 1]}–{_MONTH_NAMES[period.end.month - 1]} {period.end.year}"
    return period.end, f"{' '.join(m.group(0).split())} read as the calendar quarter {months}"


def _due_date(m: re.Match[str]) -> tuple[date | None, str | None]:
    """The deadline one match names (ranges give their end, months their last day) and any assumption."""
    g = m.groupdict()
    if g["q_n"] is not None or g["p_n"] is not None:
        return _quarter_end(m)
    if g["r_d2"] is not None:
        return _safe_date(_year(g["r_y"]), _month_no(g["r_mon"]), int(g["r_d2"])), None
    if g["d_d"] is not None:
        return _safe_date(_year(g["d_y"]), _month_no(g["d_mon"]), int(g["d_d"])), None
    if g["i_y"] is not None:
        return _safe_date(int(g["i_y"]), int(g["i_m"]), int(g["i_d"])), None
    if g["n_d"] is not None:
        return _safe_date(_year(g["n_y"]), int(g["n_m"]), int(g["n_d"])), None
    year, month_name = (_year(g["m_y"]), g["m_b"]) if g["m_b"] is not None else (_year(g["y_y"]), g["y_mon"])
    return (_month_end(year, _month_no(month_name)) if _MIN_YEAR <= year <= _MAX_YEAR else None), None


def _labels(text: str, found: list[_DueMatch]) -> list[tuple[str, int]]:
    """(number, start) of each milestone number, skipping digits in a date, a bracket or a longer number."""
    depth, depths = 0, []
    for ch in text:  # bracket depth before each character, so "(no 3)" is not milestone 3
        depths.append(depth)
        depth += (ch in "([") - (ch in ")]") if depth or ch in "([" else 0
    starts = [d.start for d in found]
    labels = []
    for m in _LABEL_RE.finditer(text):
        k = bisect.bisect_right(starts, m.start()) - 1
        if (k >= 0 and m.start() < found[k].end) or depths[m.start()] > 0:
            continue
        labels.append((str(int(m[1])), m.start()))
    return labels


def _superseded(text: str, items: list[tuple[_DueMatch, date]], markers: list[re.Match[str]]) -> set[int]:
    """Indexes (into ``items``) of the dates a revision phrase says were replaced.

    A phrase reaches the date right after it (past filler such as "due" or ":") and any dates
    listed straight on. Dates after an "old" phrase are replaced; when a "new" phrase reaches a
    date, unmarked dates before that phrase are the earlier version ("Dec 2019 - revised to March 2020").
    """
    starts = [d.start for d, _day in items]
    kind: dict[int, str] = {}
    first_new: int | None = None
    for marker in markers:
        i = bisect.bisect_left(starts, marker.end())
        if i == len(items) or not _FILLER_RE.fullmatch(text, marker.end(), starts[i]):
            continue
        role = "old" if marker["old"] is not None else "new"
        kind.setdefault(i, role)
        while i + 1 < len(items) and _LIST_JOIN_RE.fullmatch(text, items[i][0].end, starts[i + 1]):
            i += 1
            kind.setdefault(i, role)
        if role == "new" and first_new is None:
            first_new = marker.start()
    out = {i for i, role in kind.items() if role == "old"}
    if first_new is not None:
        out |= {i for i, (d, _day) in enumerate(items) if i not in kind and d.end <= first_new}
    return out


def _open_ended(text: str, found: list[_DueMatch], markers: list[re.Match[str]]) -> bool:
    """Open-ended words, or "from <date>" that is neither a revision ("revised from") nor a range."""
    if _OPEN_ENDED_RE.search(text):
        return True
    old_spans = [(m.start(), m.end()) for m in markers if m["old"] is not None]
    for i, d in enumerate(found):
        before = _FROM_BEFORE_RE.search(text, max(0, d.start - 12), d.start)
        if before is None or any(s <= before.start() < e for s, e in old_spans):
            continue
        if i + 1 < len(found) and _RANGE_JOIN_RE.fullmatch(text, d.end, found[i + 1].start):
            continue
        return True
    return False


_STEP_NUMBER_RE = re.compile(r"\b(?:phase|stage|step|part|item|milestone|action|objective|no\.?)\s*([0-9]{1,2})\b"
                             r"|(?:^|(?<=\s))[0-9]{1,2}\.([0-9]{1,2})(?=\s)", _FLAGS)


def _mask_step_numbers(text: str) -> str:
    """The text with step numbers hidden (same length), so "Phase 1 July 2017" and "1.1 July 17" are July,
    never the 1st of July: a number after "Phase", "Stage", "Step"… or after "1." is a step, not a day."""
    def hide(m: re.Match[str]) -> str:
        group = 1 if m.group(1) is not None else 2
        start, end = m.span(group)
        return m.group(0)[: start - m.start()] + "x" * (end - start) + m.group(0)[end - m.start():]

    return _STEP_NUMBER_RE.sub(hide, text)


def parse_due(raw: object) -> Due:
    """Read a milestone/deadline cell; never raises.

    "Dec 17, March 18" -> both month ends, final March 2018; "April-June 18" -> 30 Jun 2018;
    "Q3 2019/20" -> 31 Dec 2019 (financial); "Q3 2019" -> 30 Sep 2019 (calendar, with an
    assumption note); "from Sept 17" -> 30 Sep 2017 and open_ended; "Ongoing" -> open_ended, no
    date; "Within six months" -> horizon 6; "March 2020 (revised from Dec 2019)" -> final March
    2020, revised_from Dec 2019. In "1. May 2017 2. July 17" the 1. and 2. are milestone numbers,
    never days. Unreadable text gives an empty Due that still carries the text.
    """
    found_date = _as_date(raw)
    if found_date is not None:
        return Due((found_date,), None, False, found_date.isoformat(), milestones=(("", found_date),))
    if raw is None or isinstance(raw, bool):
        return Due((), None, False, "")
    try:
        text = _norm(raw if isinstance(raw, str) else str(raw))
    except Exception:
        return Due((), None, False, "")
    return _due_of_text(text)


@functools.lru_cache(maxsize=4096)
def _due_of_text(text: str) -> Due:
    """A due cell's normalised text read (cached: an import reads each action's due cell twice, for the
    due date and for its milestones, and a Due is immutable)."""
    found = []
    for m in _DUE_RE.finditer(_mask_step_numbers(text)):
        day, note = _due_date(m)
        found.append(_DueMatch(m.start(), m.end(), day, note))
    markers = list(_REVISION_RE.finditer(text))
    labels = _labels(text, found)
    bounds = [0, *(start for _n, start in labels), len(text)]
    names = ["", *(n for n, _start in labels)]
    readable = [(d, d.day) for d in found if d.day is not None]
    starts = [d.start for d, _day in readable]
    marker_starts = [m.start() for m in markers]
    dates: dict[date, None] = {}  # insertion-ordered set
    current: set[date] = set()
    replaced: set[date] = set()
    milestones: list[tuple[str, date | None]] = []
    for label, start, end in zip(names, bounds, bounds[1:], strict=False):
        items = readable[bisect.bisect_left(starts, start) : bisect.bisect_left(starts, end)]
        near = markers[bisect.bisect_left(marker_starts, start) : bisect.bisect_left(marker_starts, end)]
        old = _superseded(text, items, near) if near else set()
        named: dict[date, None] = {}
        for i, (_d, day) in enumerate(items):
            dates.setdefault(day)
            if i in old:
                replaced.add(day)
            else:
                named.setdefault(day)
        current.update(named)
        milestones += [(label, day) for day in named] or ([(label, None)] if label else [])
    horizons = []
    for m in _HORIZON_RE.finditer(text):
        n = m["n"].lower()
        count = _NUMBER_WORDS[n] if n in _NUMBER_WORDS else int(n)
        horizons.append(count * 12 if m["unit"].lower().startswith("y") else count)
    notes = list(dict.fromkeys(d.note for d in found if d.note is not None and d.day is not None))
    return Due(
        tuple(dates),
        max(horizons) if horizons else None,
        _open_ended(text, found, markers),
        text,
        revised_from=tuple(d for d in dates if d in replaced and d not in current),
        milestones=tuple(milestones),
        assumption="; ".join(notes) or None,
    )


# --- Wide-return headers ------------------------------------------------------------------------


def parse_month_header(raw: object) -> Period | None:
    """The month a column header names ("Apr-17", "April 2017", "2017-04", a date), else None.

    Never raises: wide returns mix month columns with "Ref", "Target", "Polarity" and
    year columns such as "2016-17", which are not months and give None.
    """
    if isinstance(raw, Period):
        return raw if raw.kind == "month" else None
    if isinstance(raw, bool):
        return None
    found = _as_date(raw)
    try:
        if found is not None:
            return month(found.year, found.month)
        if not isinstance(raw, str):
            return None
        text = _norm(raw)
        year_month = _month_of(text)
        if year_month is not None:
            return month(*year_month)
        found = _full_date(text)
        return month(found.year, found.month) if found is not None else None
    except PeriodError:
        return None
