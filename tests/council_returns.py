"""An acceptance corpus of council returns, built the way councils really keep them, and what each must store.

Every builder returns ``(filename, bytes)`` for one workbook with the clutter real returns have: title rows
(often merged), "Produced by Performance & Intelligence", bold coloured headers, blank rows, notes, "Source:"
and "Key:" lines under the table. Figures and wording come from the seed papers (``shared/seeds``; S1 is the
Barnet CELS pack of 18 July 2017) and from the sample programme (``sample_data``): KPI refs as seeded
(FS/S6, FS/S11, DU-ASSESS45, DU-VISITS ...), the FSIAP-2017 action ids (1.01-3.04) and the seeded monthly
history (``sample_data/history/kpi_monthly.csv``, July 2017 - June 2019), so a return for July 2019 is the
next month's return of the sample.

Each :class:`Case` says what must happen on an empty database and on the seeded sample: the ``outcome``,
the exact rows ``stored`` (KPI values, action updates and action definitions that may change), rows that
are ``optional`` (may be stored, and then only with these values) and ``must_mention``: substrings the
import's notes, warnings or problems must contain (a tuple gives alternatives, any one will do).
Everything not listed must be left exactly as it was.

The spec is issue 8 ("Imports that never store a wrong figure silently"). Builders are cached: each
workbook is built once per process.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import functools
import io
import re
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter

ROOT = Path(__file__).resolve().parents[1]
HISTORY = ROOT / "sample_data" / "history" / "kpi_monthly.csv"

BARNET, DUDLEY = "302", "332"  # reference_data/local_authorities.csv


# --- what must be stored ------------------------------------------------------------------------------


class _Any:
    """Not checked."""

    def __repr__(self) -> str:
        return "ANY"


ANY: Any = _Any()


@dataclass(frozen=True)
class Per:
    """A period as stored: first and last day, and (when checked) its kind."""

    start: dt.date
    end: dt.date
    kind: str | None = None
    label: str = ""

    def __str__(self) -> str:
        return self.label or f"{self.start}..{self.end}"


def _month_end(year: int, month_no: int) -> dt.date:
    return dt.date(year, month_no, calendar.monthrange(year, month_no)[1])


def month(label: str) -> Per:
    """``month("Nov 2019")``: the calendar month."""
    first = dt.datetime.strptime(label, "%b %Y").date()
    return Per(first, _month_end(first.year, first.month), "month", label)


def fy_quarter(fy_start: int, q: int) -> Per:
    """Financial-year quarter: ``fy_quarter(2019, 1)`` is April-June 2019 (Q1 2019/20)."""
    first_month = 4 + 3 * (q - 1)
    year = fy_start + (first_month - 1) // 12
    first_month = (first_month - 1) % 12 + 1
    return Per(dt.date(year, first_month, 1), _month_end(year, first_month + 2), "quarter",
               f"Q{q} {fy_start}/{(fy_start + 1) % 100:02d}")


def as_at(day: dt.date) -> Per:
    return Per(day, day, "as_at", f"As at {day:%-d %b %Y}")


def fin_year(start_year: int) -> Per:
    return Per(dt.date(start_year, 4, 1), dt.date(start_year + 1, 3, 31), "financial_year",
               f"{start_year}/{(start_year + 1) % 100:02d}")


def span(start: dt.date, end: dt.date) -> Per:
    return Per(start, end, "span", f"{start:%b %Y} - {end:%b %Y}")


@dataclass(frozen=True)
class KV:
    """One KPI value that must be stored (``value`` None means a missing value, with ``missing`` its reason)."""

    ref: str
    period: Per
    value: float | None
    missing: Any = ANY
    target: Any = ANY
    rag: Any = ANY  # reported RAG code: green, green_amber, amber, red_amber, red, blue
    commentary: Any = ANY
    la: str = BARNET
    loose_ref: bool = False  # on an empty database the ref may be stored as written or tidied ("FS S6"/"FS/S6")

    def __str__(self) -> str:
        return f"{self.ref} · {self.la} · {self.period}"


@dataclass(frozen=True)
class AU:
    """One action update that must be stored (``plan`` None: whatever plan the action is in)."""

    ref: str | tuple[str, ...]  # a tuple: any one of these ids
    month: str  # "Jul 2019"
    status: Any = ANY  # not_started, in_progress, on_hold, complete_awaiting_signoff, complete (or None)
    rag: Any = ANY  # RAG code or None
    commentary: Any = ANY
    plan: str | None = None

    def __str__(self) -> str:
        return f"{self.plan or '*'} · action {self.ref} · {self.month}"


@dataclass(frozen=True)
class AC:
    """An action whose definition is new or may change: its due date (a tuple: any one) and due text."""

    ref: str | tuple[str, ...]
    due: Any = ANY
    due_text_has: str | None = None
    plan: str | None = None

    def __str__(self) -> str:
        return f"{self.plan or '*'} · action {self.ref}"


@dataclass(frozen=True)
class Expect:
    outcome: str | tuple[str, ...] = "imported"  # a tuple: either is acceptable (then must_mention decides)
    stored: tuple[KV | AU | AC, ...] = ()
    optional: tuple[KV, ...] = ()
    must_mention: tuple[str | tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Case:
    id: str
    title: str
    build: Callable[[], tuple[str, bytes]]
    seeded: Expect
    empty: Expect


def cell(a1: str) -> tuple[str, ...]:
    """Ways a message can name a cell: ``E14`` or ``row 14: column E``."""
    m = re.fullmatch(r"([A-Z]+)(\d+)", a1)
    assert m, a1
    col, row = m.groups()
    return (a1, f"row {row}: column {col}", f"{col}{row}".lower())


# --- the seeded monthly history -----------------------------------------------------------------------


@functools.cache
def history() -> dict[tuple[str, str], tuple[float, float | None, str]]:
    """(ref, 'YYYY-MM') -> (value, target, commentary) from the sample's illustrative monthly history."""
    out = {}
    with HISTORY.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            target = float(row["target"]) if row["target"] else None
            out[(row["ref"], row["month"])] = (float(row["value"]), target, row["commentary"])
    return out


# KPI names exactly as seeded (sample_data/kpis.yaml); returns often shorten them, these are the real ones.
NAMES = {
    "DU-VISITS": "Percentage of children in care visited within timescale",
    "DU-CPVISITS": "Percentage of child protection visits within timescale",
    "DU-ASSESS45": "Percentage of assessments completed within 45 working days",
    "DU-ASSESSDAYS": "Average working days to complete an assessment",
    "DU-REREF": "Percentage of referrals that are re-referrals within 12 months",
    "DU-CASELOAD-DAT": "Average caseload per social worker in Duty and Assessment teams",
    "DU-CASELOAD-IP": "Average caseload per social worker in Intervention and Placement teams",
    "DU-CASELOAD-CIC": "Average caseload per social worker in Children in Care teams",
    "DU-RHI": "Percentage of return home interviews offered to children missing from care",
    "DU-STRATEGY": "Percentage of strategy discussions with police and health present",
    "DU-PLACE3": "Percentage of children in care with three or more placements in the last 12 months",
    "DU-CLPATHWAY": "Percentage of care leavers with an up-to-date pathway plan",
    "DU-AGENCY": "Percentage of social work posts filled by agency staff",
    "DU-TURNOVER": "Social worker turnover rate (rolling 12 months)",
    "FS/S12": "Number of new Common Assessment Frameworks opened in quarter",
    "FS/C17": "Number of Children Missing from Care (during reporting period)",
    "FS/C19": "Number of Children in Care further than 20 miles from Borough",
}
# Short labels lead officers type instead (a return's label never renames a KPI).
SHORT = {
    "DU-VISITS": "CiC visits in timescale", "DU-CPVISITS": "CP visits in timescale",
    "DU-ASSESS45": "Assessments in 45 days", "DU-CASELOAD-DAT": "Caseload – DAT",
    "DU-CASELOAD-IP": "Caseload – I&P", "DU-CASELOAD-CIC": "Caseload – CiC", "DU-RHI": "RHIs offered",
    "DU-AGENCY": "Agency social workers %", "DU-TURNOVER": "SW turnover (rolling 12m)",
    "DU-STRATEGY": "Strategy discussions – police & health", "DU-PLACE3": "3+ placements in 12 months",
    "DU-CLPATHWAY": "Care leavers – pathway plan up to date",
}


# --- building workbooks -------------------------------------------------------------------------------

RED, AMBER, GREEN, BLUE = "#FF0000", "#FFC000", "#00B050", "#00B0F0"  # Excel's standard fills


class Book:
    """An in-memory workbook with the formats council returns use."""

    def __init__(self, *, vba: bytes | None = None) -> None:
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.buffer, {"in_memory": True, "strings_to_formulas": False,
                                                      "strings_to_numbers": False, "strings_to_urls": False})
        if vba is not None:
            self.book.add_vba_project(io.BytesIO(vba), is_stream=True)
        add = self.book.add_format
        self.title = add({"bold": True, "font_size": 14, "font_color": "#1F3864"})
        self.subtitle = add({"bold": True, "font_size": 12})
        self.produced = add({"italic": True, "font_color": "#595959"})
        self.header = add({"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F3864", "border": 1,
                           "text_wrap": True, "valign": "top"})
        self.header2 = add({"bold": True, "bg_color": "#D9E1F2", "border": 1, "align": "center"})
        self.banner = add({"bold": True, "bg_color": "#BDD7EE"})
        self.note = add({"italic": True, "font_size": 9, "font_color": "#595959"})
        self.wrap = add({"text_wrap": True, "valign": "top"})
        self.pct = add({"num_format": "0.0%"})
        self.date = add({"num_format": "d mmm yyyy"})
        self.dmy = add({"num_format": "dd/mm/yyyy"})
        self.mmmyy = add({"num_format": "mmm-yy", "bold": True, "font_color": "#FFFFFF", "bg_color": "#1F3864",
                          "border": 1, "align": "center"})
        self.fills = {c: add({"bg_color": c, "border": 1}) for c in (RED, AMBER, GREEN, BLUE)}

    def sheet(self, name: str) -> Sheet:
        return Sheet(self, self.book.add_worksheet(name))

    def close(self) -> bytes:
        self.book.close()
        return self.buffer.getvalue()


class Sheet:
    def __init__(self, book: Book, ws: Any) -> None:
        self.b, self.ws = book, ws

    def put(self, r: int, c: int, value: Any, fmt: Any = None) -> None:
        """Row and column 0-based; numbers as numbers, text as text, dates as dates."""
        ws = self.ws
        if value is None:
            if fmt is not None:
                ws.write_blank(r, c, None, fmt)
        elif isinstance(value, bool):
            ws.write_boolean(r, c, value, fmt)
        elif isinstance(value, dt.datetime | dt.date):
            value = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
            ws.write_datetime(r, c, value, fmt or self.b.date)
        elif isinstance(value, int | float):
            ws.write_number(r, c, value, fmt)
        else:
            ws.write_string(r, c, str(value), fmt)

    def row(self, r: int, values: Sequence[Any], fmt: Any = None, c0: int = 0) -> None:
        for i, v in enumerate(values):
            self.put(r, c0 + i, v, fmt)

    def merged(self, r: int, c0: int, c1: int, text: Any, fmt: Any = None, r1: int | None = None) -> None:
        self.ws.merge_range(r, c0, r if r1 is None else r1, c1, text, fmt)

    def widths(self, *widths: float) -> None:
        for c, w in enumerate(widths):
            self.ws.set_column(c, c, w)

    def front(self, council: str, title: str, width: int, produced: str = "Produced by Performance & Intelligence"
              ) -> None:
        """The usual two or three title rows: council (merged), report title, who produced it."""
        self.merged(0, 0, width - 1, council, self.b.title)
        self.put(1, 0, title, self.b.subtitle)
        self.put(2, 0, produced, self.b.produced)


# --- 1. a monthly KPI return with a hidden "Previous value" column ----------------------------------------

C1_KPIS = ("DU-VISITS", "DU-CPVISITS", "DU-ASSESS45", "DU-CASELOAD-DAT", "DU-CASELOAD-CIC", "DU-AGENCY")
C1_JULY = {"DU-VISITS": (97.1, "G"), "DU-CPVISITS": (97.9, "G"), "DU-ASSESS45": (88.2, "A"),
           "DU-CASELOAD-DAT": (11.9, "G"), "DU-CASELOAD-CIC": (15.2, "A"), "DU-AGENCY": (17.4, "R")}
RAG_LETTER = {"G": "green", "A": "amber", "R": "red", "GA": "green_amber", "RA": "red_amber"}
C1_COMMENT = {"DU-ASSESS45": "Improving: two DAT managers appointed in July; backlog of 14 assessments cleared.",
              "DU-AGENCY": "7 agency workers covering CiC vacancies; 4 offers made to permanent staff (see 3.02)."}


@functools.cache
def c1_hidden_previous() -> tuple[str, bytes]:
    b = Book()
    s = b.sheet("July 2019")
    s.front("London Borough of Barnet – Family Services", "Monthly Performance Report – July 2019", 8)
    header = ["Ref", "Indicator", "Polarity", "Target", "Previous value", "Value", "RAG", "Commentary"]
    s.row(4, header, b.header)
    polarity = {"DU-CASELOAD-DAT": "Smaller is Better", "DU-CASELOAD-CIC": "Smaller is Better",
                "DU-AGENCY": "Smaller is Better"}
    for i, ref in enumerate(C1_KPIS):
        r = 5 + i
        june_value, target, _ = history()[(ref, "2019-06")]
        value, rag = C1_JULY[ref]
        s.row(r, [ref, NAMES[ref], polarity.get(ref, "Bigger is Better"), target, june_value, value, rag,
                  C1_COMMENT.get(ref)])
    s.ws.set_column(4, 4, 12, None, {"hidden": True})  # last month's figures, kept for the RAG formula
    s.ws.set_column(1, 1, 55)
    s.put(12, 0, "Key: G = on or above target; A = within 5% of target; R = more than 5% from target", b.note)
    s.put(13, 0, "Source: LCS (Liquidlogic) extract taken 5 August 2019", b.note)
    return "fs-monthly-performance-2019-07.xlsx", b.close()


def _c1_expect() -> Expect:
    stored = []
    for ref in C1_KPIS:
        value, rag = C1_JULY[ref]
        _, target, _ = history()[(ref, "2019-06")]
        stored.append(KV(ref, month("Jul 2019"), value, target=target, rag=RAG_LETTER[rag],
                         commentary=C1_COMMENT.get(ref)))
    # the hidden column is last month's figure: if stored at all, as June 2019 (never July 2018)
    optional = tuple(KV(ref, month("Jun 2019"), history()[(ref, "2019-06")][0]) for ref in C1_KPIS)
    return Expect("imported", tuple(stored), optional, must_mention=(("hidden",), ("Previous value", "column E")))


# --- 2. two tables side by side on one sheet ---------------------------------------------------------------

C2_LEFT = {"DU-VISITS": (97.6, 95.0, "Highest month this year."), "DU-CPVISITS": (98.1, 95.0, None),
           "DU-ASSESS45": (89.4, 90.0, "Just below target; agency cover ended mid-month."),
           "DU-RHI": (92.3, 90.0, None), "DU-STRATEGY": (90.8, 90.0, None)}
C2_RIGHT = {"DU-AGENCY": (16.9, 10.0, "R"), "DU-TURNOVER": (14.41, 15.0, "G"), "DU-CASELOAD-DAT": (12.4, 12.0, "A"),
            "DU-CASELOAD-IP": (13.2, 15.0, "G")}


@functools.cache
def c2_side_by_side() -> tuple[str, bytes]:
    b = Book()
    s = b.sheet("Dashboard")
    s.front("London Borough of Barnet", "Children's Social Care Dashboard – August 2019", 13)
    s.merged(3, 0, 5, "Practice", b.banner)
    s.merged(3, 7, 12, "Workforce (HR data, one month behind)", b.banner)
    s.row(4, ["Ref", "Indicator", "Period", "Value", "Target", "Commentary"], b.header)
    for i, (ref, (value, target, comment)) in enumerate(C2_LEFT.items()):
        s.row(5 + i, [ref, SHORT[ref], "Aug 2019", value, target, comment])
    # the second table starts a row lower, with its own header
    s.row(5, ["Ref", "Measure", "Period", "Value", "Target", "RAG"], b.header, c0=7)
    for i, (ref, (value, target, rag)) in enumerate(C2_RIGHT.items()):
        s.row(6 + i, [ref, SHORT[ref], "Aug 2019", value, target, rag], c0=7)
    s.put(12, 0, "Practice figures from LCS; workforce figures from the HR system (iTrent).", b.note)
    s.widths(14, 34, 10, 8, 8, 40, 3, 16, 34, 10, 8, 8, 6)
    return "csc-dashboard-2019-08.xlsx", b.close()


def _c2_expect() -> Expect:
    stored: list[KV | AU | AC] = [KV(ref, month("Aug 2019"), v, target=t, commentary=c)
                                  for ref, (v, t, c) in C2_LEFT.items()]
    stored += [KV(ref, month("Aug 2019"), v, target=t, rag=RAG_LETTER[g]) for ref, (v, t, g) in C2_RIGHT.items()]
    return Expect("imported", tuple(stored))


# --- actions: the FSIAP-2017 plan's open actions, July 2019 ----------------------------------------------

FS_ACTIONS = {
    "1.02": "MASH Steering Group fully established and attended by all partners",
    "1.03": "Line Managers to review all open CIN and CP cases and ensure the plans are SMART and of good quality",
    "1.04": "Children's files to be updated with 'danger statements' which ensure history is considered",
    "1.05": "Review a sample of child protection cases that have recently been closed by the QA Manager",
    "1.06": "Partners to have a clear understanding of the importance of their contribution to improved outcomes",
    "1.08": "Group supervision will ensure all return home interviews, and the content, is fully considered",
    "1.09": "Undertake an analysis on PLO and care proceedings recently reviewed to ensure robust SMART plans",
    "1.10": "Undertake an analysis of all Connected Carers to ensure compliance with timescales",
    "1.11": "Embed robust Private Fostering assessments that address risk and quality of care",
    "1.12": "Evidence Youth Homelessness protocol is embedded into practice",
    "1.16": "Recruit 3 additional social work staff to completed lifestory work across all LAC.",
    "1.19": "Analysis of all sites undertaken to develop proposals for Family Friendly purposeful interventions",
    "2.04": "Opportunities to improve the social care IT system continue to be identified and improved",
    "3.02": "Recruitment is ongoing to recruit to vacancies within the service.",
}
OD_EH = "Operational Director Early Help and Children in Need of Help and Protection"
OD_CP = "Operational Director Corporate Parenting, Permanence and Transitions"
DD_PI = "Divisional Director Performance and Improvement"
FS_LEADS = {"1.02": OD_EH, "1.03": OD_EH, "1.04": OD_EH, "1.05": OD_EH, "1.06": OD_EH, "1.08": OD_CP,
            "1.09": OD_CP, "1.10": OD_CP, "1.11": OD_CP, "1.12": OD_EH, "1.16": OD_CP, "1.19": OD_EH, "2.04": DD_PI,
            "3.02": DD_PI}
FS_PLAN = "FSIAP-2017"


def _action_front(s: Sheet, title: str, width: int) -> None:
    s.front("London Borough of Barnet – Family Services Improvement Action Plan", title, width,
            "Produced by the Improvement Team for the DCS Assurance Meeting")


# --- 3. RAG only as a cell fill ---------------------------------------------------------------------------

C3_ROWS = {"1.08": ("Delayed", RED, "red", "RHI completion 89.8% but quality of content still poor in audits."),
           "1.16": ("In progress", AMBER, "amber", "Two life story workers in post; third post re-advertised."),
           "1.19": ("In progress", GREEN, "green", "Contact centre refurbishment complete; family room open."),
           "2.04": ("In progress", AMBER, "amber", "Mobile app pilot extended to the CiC teams."),
           "3.02": ("Delayed", RED, "red", "Agency rate 17.4% against 10%; recruitment campaign relaunched.")}


@functools.cache
def c3_rag_fill() -> tuple[str, bytes]:
    b = Book()
    s = b.sheet("Progress")
    _action_front(s, "Monthly progress report – July 2019", 6)
    s.put(3, 0, "Key:", b.note)
    for i, (colour, word) in enumerate(((GREEN, "On track"), (AMBER, "Some slippage"), (RED, "Off track"))):
        s.put(3, 1 + i, word, b.fills[colour])
    s.row(5, ["Action ID", "Action", "Lead officer", "Status", "RAG", "Progress update"], b.header)
    for i, (ref, (status, colour, _, update)) in enumerate(C3_ROWS.items()):
        r = 6 + i
        s.row(r, [ref, FS_ACTIONS[ref], FS_LEADS[ref], status])
        s.put(r, 4, None, b.fills[colour])  # no text: the colour is the RAG
        s.put(r, 5, update, b.wrap)
    s.widths(10, 60, 40, 12, 8, 60)
    return "fsiap-progress-2019-07.xlsx", b.close()


def _c3_expect(plan: str | None) -> Expect:
    stored = tuple(AU(ref, "Jul 2019", "in_progress", rag, update, plan=plan)
                   for ref, (_, _, rag, update) in C3_ROWS.items())
    return Expect("imported", stored, must_mention=(("fill", "colour", "color"),))


# --- 4. action ids typed as numbers ----------------------------------------------------------------------

C4_ROWS = (("1.08", 1.08, "Delayed", "Red"), ("1.09", 1.09, "Complete", "Blue"), ("1.10", 1.1, "Complete", "Blue"),
           ("1.11", 1.11, "Complete", "Blue"), ("1.12", 1.12, "Complete - awaiting sign-off", "Green"))
STATUS = {"Delayed": "in_progress", "Complete": "complete", "In progress": "in_progress",
          "Complete - awaiting sign-off": "complete_awaiting_signoff", "On track": "in_progress"}
RAG_WORD = {"Red": "red", "Blue": "blue", "Green": "green", "Amber": "amber"}


@functools.cache
def c4_numeric_ids() -> tuple[str, bytes]:
    b = Book()
    s = b.sheet("Objective 1")
    _action_front(s, "Objective 1 – progress at end of July 2019", 6)
    s.merged(4, 0, 5, "Objective One: Empowering and equipping our workforce", b.banner)
    s.row(5, ["Action ID", "Action", "Lead officer", "Status", "RAG", "Progress update"], b.header)
    for i, (ref, number, status, rag) in enumerate(C4_ROWS):
        # typed as 1.10 into a General cell: Excel keeps the number 1.1
        s.row(6 + i, [number, FS_ACTIONS[ref], FS_LEADS[ref], status, rag, f"Update for {ref} in July."])
    s.widths(10, 60, 40, 24, 8, 40)
    return "objective-1-progress-jul19.xlsx", b.close()


def _c4_expect(seeded: bool) -> Expect:
    stored = []
    for ref, _, status, rag in C4_ROWS:
        refs: str | tuple[str, ...] = ref if seeded or ref != "1.10" else ("1.10", "1.1")
        stored.append(AU(refs, "Jul 2019", STATUS[status], RAG_WORD[rag], f"Update for {ref} in July.",
                         plan=FS_PLAN if seeded else None))
    mention = (("1.10",),) if seeded else ()
    return Expect("imported", tuple(stored), must_mention=mention)


# --- 5. refs written loosely ----------------------------------------------------------------------------

C5_ROWS = (
    ("FS S6", "FS/S6", "Percentage of children in London Borough of Barnet foster care", "As at 31 March 2018",
     as_at(dt.date(2018, 3, 31)), 45.1, 42.5),
    ("fs/s11 ", "FS/S11", "Percentage of children in external residential placements", "As at 31 March 2018",
     as_at(dt.date(2018, 3, 31)), 9.6, 9.2),
    ("DU ASSESS45", "DU-ASSESS45", NAMES["DU-ASSESS45"], "Jul 2019", month("Jul 2019"), 88.2, 90.0),
    ("du-visits", "DU-VISITS", NAMES["DU-VISITS"], "Jul 2019", month("Jul 2019"), 97.1, 95.0),
)


@functools.cache
def c5_loose_refs() -> tuple[str, bytes]:
    b = Book()
    s = b.sheet("Indicators")
    s.front("London Borough of Barnet", "Performance clinic – indicator return", 6)
    s.row(4, ["Ref", "Indicator", "Period", "Value", "Target", "Commentary"], b.header)
    for i, (written, _, name, period, _, value, target) in enumerate(C5_ROWS):
        s.row(5 + i, [written, name, period, value, target, None])
    s.put(10, 0, "Figures for March 2018 are the validated SSDA903 outturn.", b.note)
    s.widths(14, 60, 20, 8, 8, 30)
    return "performance-clinic-indicators.xlsx", b.close()


def _c5_expect(seeded: bool) -> Expect:
    stored = tuple(KV(ref if seeded else written.strip(), per, value, target=target, loose_ref=not seeded)
                   for written, ref, _, _, per, value, target in C5_ROWS)
    mention: tuple[str | tuple[str, ...], ...] = ()
    if seeded:  # each loose ref is matched, and the note says how it was read
        mention = ("FS S6", "FS/S6", "fs/s11", "FS/S11", "DU ASSESS45", "DU-ASSESS45", "du-visits", "DU-VISITS")
    return Expect("imported", stored, must_mention=mention)


# --- 6. another authority named only in the title -------------------------------------------------------

C6_ROWS = {"DU-VISITS": (92.4, 95.0, "A"), "DU-CPVISITS": (94.1, 95.0, "A"), "DU-ASSESS45": (81.7, 90.0, "R"),
           "DU-CASELOAD-DAT": (17.2, 18.0, "G")}


@functools.cache
def c6_dudley() -> tuple[str, bytes]:
    b = Book()
    s = b.sheet("Performance")
    s.merged(0, 0, 5, "Dudley Metropolitan Borough Council – Children's Services Performance – November 2019",
             b.title)
    s.put(1, 0, "Produced by Performance & Intelligence, People Directorate", b.produced)
    s.row(3, ["Ref", "Indicator", "Value", "Target", "RAG", "Commentary"], b.header)
    for i, (ref, (value, target, rag)) in enumerate(C6_ROWS.items()):
        s.row(4 + i, [ref, NAMES[ref], value, target, rag, None])
    s.put(9, 0, "Shared with the West Midlands regional benchmarking group.", b.note)
    s.widths(16, 60, 8, 8, 6, 30)
    return "childrens-services-performance-nov-2019.xlsx", b.close()


def _c6_expect() -> Expect:
    return Expect("imported", tuple(KV(ref, month("Nov 2019"), v, target=t, rag=RAG_LETTER[g], la=DUDLEY)
                                    for ref, (v, t, g) in C6_ROWS.items()))


# --- 7. "Produced <date>" is not the data period --------------------------------------------------------

C7_ROWS = {"DU-VISITS": 97.8, "DU-ASSESS45": 90.6, "DU-ASSESSDAYS": 27.4, "DU-REREF": 15.9, "DU-AGENCY": 15.1}


@functools.cache
def c7_produced_date() -> tuple[str, bytes]:
    b = Book()
    s = b.sheet("DU report")
    s.merged(0, 0, 3, "DU Assurance Report", b.title)
    s.put(1, 0, "Produced 12 December 2019 – performance data for November 2019", b.subtitle)
    s.row(3, ["Ref", "Indicator", "Value", "Comments"], b.header)
    for i, (ref, value) in enumerate(C7_ROWS.items()):
        s.row(4 + i, [ref, NAMES.get(ref, ref), value, None])
    s.put(10, 0, "Produced by Performance & Intelligence", b.produced)
    s.widths(16, 60, 8, 30)
    return "du-assurance-report.xlsx", b.close()


def _c7_expect() -> Expect:
    return Expect("imported", tuple(KV(ref, month("Nov 2019"), v) for ref, v in C7_ROWS.items()))


# --- 8. source and notes lines under the table ----------------------------------------------------------

C8_ROWS = (("DU-VISITS", 96.5, 95.0, "Two visits missed during the summer holiday period; both completed."),
           ("DU-PLACE3", 9.4, 10.0, None),
           ("DU-CLPATHWAY", 94.6, 90.0, "Pathway plan audit completed; 3 plans out of date."),
           ("DU-RHI", 90.9, 90.0, None))


@functools.cache
def c8_footnotes() -> tuple[str, bytes]:
    b = Book()
    s = b.sheet("CiC")
    s.front("London Borough of Barnet", "Children in care – monthly indicators – August 2019", 5)
    s.row(4, ["Ref", "Indicator", "Value", "Target", "Commentary"], b.header)
    for i, (ref, value, target, comment) in enumerate(C8_ROWS):
        s.row(5 + i, [ref, NAMES[ref], value, target, comment])
    s.put(10, 0, "Source: DfE SSDA903, 2019", b.note)
    s.merged(11, 0, 4, "Note: figures are provisional", b.note)
    s.put(12, 0, "Key: RAG compares the month's figure with the target (G = met, A = within 5%, R = more than 5% "
                 "off)", b.note)
    s.widths(16, 60, 8, 8, 50)
    return "cic-indicators-2019-08.xlsx", b.close()


def _c8_expect() -> Expect:
    stored = tuple(KV(ref, month("Aug 2019"), v, target=t, commentary=c) for ref, v, t, c in C8_ROWS)
    # the lines are kept as notes (quoted, or named by their row), never as commentary or KPI rows
    return Expect("imported", stored, must_mention=(("SSDA903", "Source:", "row 11"),))


# --- 9. RAG words in a RAG column ------------------------------------------------------------------------

C9_ROWS = (("1.02", "In progress", "Amber Red", "red_amber"), ("1.03", "In progress", "Amber/Red", "red_amber"),
           ("1.04", "In progress", "RA", "red_amber"), ("1.05", "In progress", "Green Amber", "green_amber"),
           ("1.06", "In progress", "Amber/Green", "green_amber"), ("1.08", "Delayed", "Red - off track", "red"),
           ("1.09", "Complete", "Blue", "blue"), ("1.10", "Complete", "Completed", "blue"),
           ("1.16", "In progress", "On track", None))
C9_ON_TRACK_CELL = "E15"  # RAG column E, the 9th data row (header on row 6)
C9_PURPLE_CELL = "E16"


def _c9_book(extra_purple: bool) -> bytes:
    b = Book()
    s = b.sheet("Progress")
    _action_front(s, "Action plan progress – July 2019", 6)
    s.row(5, ["Action ID", "Action", "Lead officer", "Status", "RAG", "Progress update"], b.header)
    rows = list(C9_ROWS) + ([("1.19", "In progress", "Purple", None)] if extra_purple else [])
    for i, (ref, status, rag, _) in enumerate(rows):
        s.row(6 + i, [ref, FS_ACTIONS[ref], FS_LEADS[ref], status, rag, f"July update on {ref}."])
    s.put(7 + len(rows), 0, "Key: Blue = complete; Green = on track; Amber = some slippage; Red = off track", b.note)
    s.widths(10, 60, 40, 12, 16, 30)
    return b.close()


@functools.cache
def c9_rag_words() -> tuple[str, bytes]:
    return "action-plan-progress-2019-07.xlsx", _c9_book(False)


@functools.cache
def c9_rag_purple() -> tuple[str, bytes]:
    return "action-plan-progress-2019-07-v2.xlsx", _c9_book(True)


def _c9_expect(plan: str | None) -> Expect:
    stored = tuple(AU(ref, "Jul 2019", STATUS[status], rag, f"July update on {ref}.", plan=plan)
                   for ref, status, _, rag in C9_ROWS)
    return Expect("imported", stored, must_mention=("On track", cell(C9_ON_TRACK_CELL)))


def _c9_purple_expect() -> Expect:
    return Expect("rejected", must_mention=("Purple", cell(C9_PURPLE_CELL)))


# --- 10. a "Timescale" column of due dates ---------------------------------------------------------------

C10_ROWS = (
    ("1.08", "March 2020", (dt.date(2020, 3, 31),), "March 2020", "Delayed", "Red"),
    # "Q3 2019": calendar Q3 (Jul-Sep) or financial Q3 of 2019/20 (Oct-Dec) — either is a sensible reading
    ("1.16", "Q3 2019", (dt.date(2019, 9, 30), dt.date(2019, 12, 31)), "Q3 2019", "In progress", "Amber"),
    ("1.19", "Ongoing", (None,), "Ongoing", "In progress", "Green"),
    ("2.04", "March 2020 (revised from Dec 2019)", (dt.date(2020, 3, 31),), "March 2020", "In progress", "Amber"),
    ("3.02", dt.date(2019, 12, 31), (dt.date(2019, 12, 31),), None, "Delayed", "Red"),
)


@functools.cache
def c10_timescale() -> tuple[str, bytes]:
    b = Book()
    s = b.sheet("Open actions")
    _action_front(s, "Open actions – revised timescales agreed at SWIB, July 2019", 7)
    s.row(4, ["Action ID", "Action", "Lead officer", "Timescale", "Status", "RAG", "Progress update"], b.header)
    for i, (ref, timescale, _, _, status, rag) in enumerate(C10_ROWS):
        r = 5 + i
        s.row(r, [ref, FS_ACTIONS[ref], FS_LEADS[ref]])
        s.put(r, 3, timescale, b.dmy if isinstance(timescale, dt.date) else None)
        s.row(r, [status, rag, f"Timescale for {ref} reviewed at SWIB."], c0=4)
    s.widths(10, 60, 40, 30, 12, 8, 40)
    return "open-actions-revised-timescales-2019-07.xlsx", b.close()


def _c10_expect(plan: str | None) -> Expect:
    stored: list[KV | AU | AC] = []
    for ref, _, due, due_text, status, rag in C10_ROWS:
        stored.append(AC(ref, due if len(due) > 1 else due[0], due_text, plan=plan))
        stored.append(AU(ref, "Jul 2019", STATUS[status], RAG_WORD[rag], plan=plan))
    return Expect("imported", tuple(stored))


# --- 11. the commissioning-plan KPI table, Ref split over two cells (S1:3825-3876) -------------------------

HEAD_11 = ["Ref", None, "Indicator", "Polarity", "Period Covered", "2016/17 Target", "2016/17 Result",
           "2015/16 Result", "DOT Long Term (From 2015/16)", "Benchmarking"]
C11_ROWS: tuple[Any, ...] = (
    "SAFEGUARDING",
    HEAD_11,
    ["CPI", "FS/S6", "Percentage of children in London Borough of Barnet foster care", "Bigger is Better",
     "As at 31 March 2017", "42.5%", "44.0% (G)", "43.5%", "Improving", "No benchmark available"],
    HEAD_11,
    ["CPI", "FS/S4", "Number of referrals to social care (per 10,000 of the under-18 population)", "Monitor",
     "As at 31 March 2017", "Monitor", "345", "396", "Monitor",
     "England: 548.3 London: 477.9 Statistical Neighbours: 467.48 (2014/15, LAIT)"],
    ["CPI", "FS/S5", "Number of children adopted", "Bigger is Better", "Apr 2016 - Mar 2017", "10", "8 (GA)", "12",
     "Worsening", "No benchmark available"],
    ("8 adoption orders have been granted in 2016/17, which is a drop from 12 last year. However, 12 children are "
     "currently placed for adoption with orders anticipated."),
    ["SPI", "FS/S12", "Number of new Common Assessment Frameworks opened in quarter", "Bigger is Better",
     "Apr 2016 - Mar 2017", "448", "1212 (G)", "908", "Improving", "No benchmark available"],
    ["SPI", "FS/C14 (Annual)", "Number of first time entrants to the Youth Justice System aged 10 to 17 (per 10,000 "
     "of the population).", "Smaller is Better", "Oct 15 - Sep 16", "326", "226 (G)", "281", "Improving",
     "National: 334 London: 395 (2016, YJB 86)"],
    "QUALITY OF SOCIAL WORK PRACTICE",
    HEAD_11,
    ["SPI", "FS/S11", "Percentage of children in external residential placements", "Smaller is Better",
     "As at 31 March 2017", "9.2%", "10.4% (R)", "9.2%", "Worsening", "No benchmark available"],
    ("This indicator has shown a small increase in Q4 as a result of the need to place a group of adolescent girls "
     "who were the victims of Child Sexual Exploitation (CSE) outside the borough to ensure their safety."),
    ["SPI", "FS/C18", "Percentage of children in care with three or more placements during the last 12 months",
     "Smaller is Better", "As at 31 March 2017", "10%", "10.6 (GA)", "New for 2016/17", "New for 2016/17",
     "Statistical Neighbours: 11.33% London: 11% England: 10% (2014/15, LAIT)"],
    ("This indicator has shown a slight improvement and is performing better than London and statistical "
     "neighbours, however remains just outside the target."),
)


@functools.cache
def c11_commissioning_split_ref() -> tuple[str, bytes]:
    b = Book()
    s = b.sheet("KPIs 2016-17")
    s.merged(0, 0, 9, "Children, Education, Libraries and Safeguarding Committee", b.title)
    s.put(1, 0, "CELS Commissioning Plan – Annual Performance Report 2016/17", b.subtitle)
    s.put(2, 0, "Produced by Performance & Intelligence", b.produced)
    r = 4
    for item in C11_ROWS:
        if isinstance(item, str) and item.isupper():
            s.merged(r, 0, 9, item, b.banner)
        elif isinstance(item, str):
            s.merged(r, 0, 9, item, b.wrap)  # commentary printed across the table under its KPI
        elif item is HEAD_11:
            s.merged(r, 0, 1, "Ref", b.header)  # "Ref" spans the type and the code
            s.row(r, item[2:], b.header, c0=2)
        else:
            s.row(r, item)
        r += 1
    r += 1
    s.put(r, 0, "Key:", b.note)
    s.put(r + 1, 0, "CPI = Corporate Plan Indicator for 2016/17; SPI = Commissioning Plan Indicator for 2016/17",
          b.note)
    s.put(r + 2, 0, "Indicators: Green = target met or exceeded; Green Amber = 80% or more of targeted improvement "
                    "achieved; Red Amber = 65-80%; Red = less than 65%", b.note)
    s.widths(6, 16, 60, 16, 20, 12, 12, 12, 14, 50)
    return "cels-annual-performance-2016-17.xlsx", b.close()


def _c11_expect() -> Expect:
    a17, a16 = as_at(dt.date(2017, 3, 31)), as_at(dt.date(2016, 3, 31))
    stored = (
        KV("FS/S6", a17, 44.0, target=42.5, rag="green"), KV("FS/S6", a16, 43.5),
        KV("FS/S4", a17, 345.0, target=None), KV("FS/S4", a16, 396.0),
        KV("FS/S5", fin_year(2016), 8.0, target=10.0, rag="green_amber",
           commentary=C11_ROWS[6]), KV("FS/S5", fin_year(2015), 12.0),
        KV("FS/S12", fin_year(2016), 1212.0, target=448.0, rag="green"), KV("FS/S12", fin_year(2015), 908.0),
        KV("FS/C14", span(dt.date(2015, 10, 1), dt.date(2016, 9, 30)), 226.0, target=326.0, rag="green"),
        KV("FS/C14", span(dt.date(2014, 10, 1), dt.date(2015, 9, 30)), 281.0),
        KV("FS/S11", a17, 10.4, target=9.2, rag="red", commentary=C11_ROWS[12]), KV("FS/S11", a16, 9.2),
        KV("FS/C18", a17, 10.6, target=10.0, rag="green_amber", commentary=C11_ROWS[14]),
    )
    # "New for 2016/17" in the 2015/16 column: no figure (a missing value "new measure", or nothing)
    optional = (KV("FS/C18", a16, None, missing="new measure"),)
    return Expect("imported", stored, optional)


# --- 12. a quarterly scorecard with a YTD column --------------------------------------------------------

C12_ROWS = {"FS/S12": (None, (231, 248, 262), 741), "FS/C17": (None, (19, 23, 21), 63),
            "DU-RHI": (90.0, (90.4, 91.2, 92.0), 91.2), "DU-ASSESS45": (90.0, (87.9, 88.6, 89.3), 88.6)}


@functools.cache
def c12_quarterly() -> tuple[str, bytes]:
    b = Book()
    s = b.sheet("Scorecard")
    s.front("London Borough of Barnet – Family Services", "Quarterly Performance Scorecard 2019/20", 8)
    s.row(4, ["Ref", "Indicator", "Target", "Q1 2019/20", "Q2 2019/20", "Q3 19/20", "YTD", "Comment"], b.header)
    for i, (ref, (target, quarters, ytd)) in enumerate(C12_ROWS.items()):
        s.row(5 + i, [ref, NAMES[ref], target if target is not None else "Monitor", *quarters, ytd, None])
    s.put(10, 0, "YTD = April to December 2019 (sum for counts, average for percentages).", b.note)
    s.widths(14, 60, 8, 11, 11, 11, 8, 20)
    return "quarterly-scorecard-2019-20-q3.xlsx", b.close()


def _c12_expect() -> Expect:
    stored = tuple(KV(ref, fy_quarter(2019, q + 1), float(v)) for ref, (_, qs, _) in C12_ROWS.items()
                   for q, v in enumerate(qs))
    return Expect("imported", stored, must_mention=("YTD",))


# --- 13. month names with no year, the year in the title ------------------------------------------------

C13_REFS = ("DU-VISITS", "DU-ASSESS45", "DU-AGENCY")
C13_LATER = {  # July 2019 to March 2020 (April-June are the seeded figures)
    "DU-VISITS": (97.1, 97.6, 96.5, 97.0, 97.8, 97.2, 96.1, 96.9, 97.4),
    "DU-ASSESS45": (88.2, 89.4, 90.1, 90.4, 90.6, 89.8, 88.9, 90.2, 91.0),
    "DU-AGENCY": (17.4, 16.9, 16.0, 15.4, 15.1, 14.6, 14.2, 13.5, 12.9),
}
MONTHS_FY = ("April", "May", "June", "July", "August", "September", "October", "November", "December", "January",
             "February", "March")


def _c13_series(ref: str) -> list[tuple[Per, float]]:
    early = [(month(f"{m} 2019"), history()[(ref, f"2019-{n:02d}")][0]) for m, n in (("Apr", 4), ("May", 5),
                                                                                    ("Jun", 6))]
    later_months = [month(m) for m in ("Jul 2019", "Aug 2019", "Sep 2019", "Oct 2019", "Nov 2019", "Dec 2019",
                                       "Jan 2020", "Feb 2020", "Mar 2020")]
    return early + list(zip(later_months, C13_LATER[ref], strict=True))


@functools.cache
def c13_months_without_year() -> tuple[str, bytes]:
    b = Book()
    s = b.sheet("Scorecard")
    s.merged(0, 0, 15, "Children's Services Scorecard 2019/20", b.title)
    s.put(1, 0, "Produced by Performance & Intelligence", b.produced)
    s.row(3, ["Ref", "Indicator", "Target", *MONTHS_FY, "Year end"], b.header)
    for i, ref in enumerate(C13_REFS):
        _, target, _ = history()[(ref, "2019-06")]
        series = [v for _, v in _c13_series(ref)]
        s.row(4 + i, [ref, SHORT[ref], target, *series, series[-1]])
    s.put(8, 0, "Year end = the March 2020 figure.", b.note)
    s.widths(14, 30, 8, *([8] * 13))
    return "scorecard-2019-20.xlsx", b.close()


def _c13_expect() -> Expect:
    # "Year end" repeats March: an annual column beside the months, listed as skipped with its header
    return Expect("imported", tuple(KV(ref, per, v) for ref in C13_REFS for per, v in _c13_series(ref)),
                  must_mention=("Year end",))


# --- 14. a two-row header: month over Actual | Target -----------------------------------------------------

C14_ROWS = {"DU-ASSESS45": ((88.2, 90.0), (89.4, 90.0), (90.1, 90.0)),
            "DU-CPVISITS": ((97.9, 95.0), (98.1, 95.0), (97.3, 95.0)),
            "DU-CASELOAD-CIC": ((15.2, 15.0), (14.8, 15.0), (14.6, 14.0))}
C14_MONTHS = ("Jul 2019", "Aug 2019", "Sep 2019")


@functools.cache
def c14_two_row_header() -> tuple[str, bytes]:
    b = Book()
    s = b.sheet("Q2")
    s.front("London Borough of Barnet", "DU Assurance Report – July to September 2019", 8)
    s.merged(4, 0, 0, "Ref", b.header, r1=5)
    s.merged(4, 1, 1, "Indicator", b.header, r1=5)
    for i, label in enumerate(C14_MONTHS):
        first = month(label).start
        s.ws.merge_range(4, 2 + 2 * i, 4, 3 + 2 * i, None, b.mmmyy)
        s.ws.write_datetime(4, 2 + 2 * i, dt.datetime.combine(first, dt.time()), b.mmmyy)
        s.row(5, ["Actual", "Target"], b.header2, c0=2 + 2 * i)
    for r, (ref, pairs) in enumerate(C14_ROWS.items(), start=6):
        s.put(r, 0, ref)
        s.put(r, 1, NAMES[ref])
        for i, (actual, target) in enumerate(pairs):
            s.row(r, [actual, target], c0=2 + 2 * i)
    s.put(10, 0, "Targets for 2019/20 agreed at SWIB, June 2019.", b.note)
    s.widths(16, 55, 8, 8, 8, 8, 8, 8)
    return "du-assurance-q2-2019-20.xlsx", b.close()


def _c14_expect() -> Expect:
    return Expect("imported", tuple(KV(ref, month(label), a, target=t) for ref, pairs in C14_ROWS.items()
                                    for label, (a, t) in zip(C14_MONTHS, pairs, strict=True)))


# --- 15. total and average rows under the table ---------------------------------------------------------

C15_ROWS = (("DU-CASELOAD-DAT", 12.1, 12.0), ("DU-CASELOAD-IP", 13.4, 15.0), ("DU-CASELOAD-CIC", 15.6, 15.0),
            (None, 13.7, 14.0), ("FS/C17", 7, None), ("FS/C19", 78, None), ("Total", 85, None))


@functools.cache
def c15_totals() -> tuple[str, bytes]:
    b = Book()
    s = b.sheet("Aug 19")
    s.front("London Borough of Barnet – Family Services", "Caseloads and children in care – August 2019", 4)
    s.row(4, ["Ref", "Indicator", "Value", "Target"], b.header)
    bold = b.book.add_format({"bold": True, "top": 1})
    for i, (ref, value, target) in enumerate(C15_ROWS):
        r = 5 + i
        if ref is None:
            s.row(r, [None, "Average", value, target], bold)
        elif ref == "Total":
            s.row(r, ["Total", None, value, None], bold)
        else:
            s.row(r, [ref, NAMES[ref], value, target])
    s.put(13, 0, "Average = mean caseload across the three services (not a KPI).", b.note)
    s.widths(18, 60, 8, 8)
    return "caseloads-2019-08.xlsx", b.close()


def _c15_expect() -> Expect:
    stored = tuple(KV(ref, month("Aug 2019"), float(v), target=t) for ref, v, t in C15_ROWS
                   if ref not in (None, "Total"))
    return Expect("imported", stored, must_mention=("Total", "Average"))


# --- 16. an LSCB-style plan: OR/OC/LR codes and numbered milestones (S1:3195-3227) -----------------------

C16_ROWS = (
    ("OR1", "Ensure that a programme of quality assurance is established to monitor the quality of frontline "
     "practice across statutory work and early help",
     "1. New quality assurance framework is operational. Quarterly monitoring and reporting by the partnership. "
     "2. Schedule of quality assurance activity and multiagency safeguarding audits are operational "
     "3. Ensure protocols are in place for embedding and evaluating the impact of the learning and improvement "
     "programme 4. New performance data scorecards developed",
     "1. May 2017 2. July 17 3. Sept 17 4. Oct 17", dt.date(2017, 10, 31), "Transformation lead Partnership Manager",
     "Green", "green"),
    ("OC2", "Governance needs to enable effective challenge and alignment across the borough wide strategic "
     "partnership arrangements",
     "1. Implement the new governance and partnership structural arrangements for the LSCB 2. Develop and agree a "
     "constitution for the Board safeguarding partnership arrangements 3. Implement an OD programme for partners",
     "1. July 17 2. Aug 17 3. Oct 17", dt.date(2017, 10, 31), "LSCB Chair and Partnership manager", "Amber",
     "amber"),
    ("LR3", "Ensure lessons from SCRs are embedded in front line practice and organisations",
     "1. Executive group is commissioned by the LSCB Chair to form SCR review groups as they are required "
     "2. Learning and improvement group details how recommendations from SCRs are being implemented and monitored "
     "3. SCR Toolkit developed",
     "1. Sept 17 2. Nov 17 3. January 2018", dt.date(2018, 1, 31), "LSCB Chair and Transformation Lead", "Red",
     "red"),
)


@functools.cache
def c16_lscb() -> tuple[str, bytes]:
    b = Book()
    s = b.sheet("Improvement Plan")
    s.merged(0, 0, 6, "Barnet Safeguarding Children Board – Improvement Plan", b.title)
    s.put(1, 0, "Progress update for the Executive Group – October 2017", b.subtitle)
    s.put(2, 0, "Ofsted recommendation (OR), Comment (OC) or LSCB review (LR)", b.produced)
    s.row(4, ["Ref", "Improvement recommendations", "Action", "Milestones", "Lead", "Outcome measures",
              "Progress/RAG"], b.header)
    r = 5
    for i, (code, rec, action, milestones, _, lead, rag, _) in enumerate(C16_ROWS):
        s.merged(r, 0, 6, f"Objective {i + 1}:", b.banner)
        s.row(r + 1, [code, rec, action, milestones, lead, "Partners report a better experience of engaging in "
                      "the partnership", rag], b.wrap)
        r += 2
    s.widths(8, 40, 60, 24, 24, 30, 12)
    return "bscb-improvement-plan-progress-oct-2017.xlsx", b.close()


def _c16_expect() -> Expect:
    stored: list[KV | AU | AC] = []
    for code, _, _, milestones, due, _, _, rag in C16_ROWS:
        stored.append(AC(code, due, milestones.split(" 2.")[0].removeprefix("1. ")))
        stored.append(AU(code, "Oct 2017", ANY, rag))
    return Expect("imported", tuple(stored))


# --- 17. a percentage given as a fraction of 1 -------------------------------------------------------

C17_CELL = "D6"  # DU-ASSESS45's 0.87


@functools.cache
def c17_fractions() -> tuple[str, bytes]:
    b = Book()
    s = b.sheet("Return")
    s.front("London Borough of Barnet", "Monthly return – August 2019", 5)
    s.row(4, ["Ref", "Indicator", "Unit", "Value", "Target"], b.header)
    s.row(5, ["DU-ASSESS45", NAMES["DU-ASSESS45"], "%", 0.87, 0.9])  # General format, not 0.0%
    s.row(6, ["DU-VISITS", NAMES["DU-VISITS"], "%", 0.962, 0.95])
    s.row(7, ["DU-CASELOAD-DAT", NAMES["DU-CASELOAD-DAT"], "Number", 12.4, 12])
    s.widths(18, 60, 8, 8, 8)
    return "monthly-return-aug-2019.xlsx", b.close()


def _c17_expect() -> Expect:
    # rescaled to percentage points with a note naming the cell, or refused naming the cell; never 0.87
    stored = (KV("DU-ASSESS45", month("Aug 2019"), 87.0, target=90.0),
              KV("DU-VISITS", month("Aug 2019"), 96.2, target=95.0),
              KV("DU-CASELOAD-DAT", month("Aug 2019"), 12.4, target=12.0))
    return Expect(("imported", "rejected"), stored, must_mention=(cell(C17_CELL),))


C17B_CELL = "E6"  # DU-ASSESS45's target 0.9


@functools.cache
def c17b_target_fraction() -> tuple[str, bytes]:
    b = Book()
    s = b.sheet("Return")
    s.front("London Borough of Barnet", "Monthly return – August 2019", 5)
    s.row(4, ["Ref", "Indicator", "Unit", "Value", "Target"], b.header)
    s.row(5, ["DU-ASSESS45", NAMES["DU-ASSESS45"], "%", 87.0, 0.9])  # the value in points, the target a fraction
    s.row(6, ["DU-VISITS", NAMES["DU-VISITS"], "%", 96.2, 0.95])
    s.row(7, ["DU-CASELOAD-DAT", NAMES["DU-CASELOAD-DAT"], "Number", 12.4, 12])
    s.widths(18, 60, 8, 8, 8)
    return "monthly-return-aug-2019-targets.xlsx", b.close()


def _c17b_expect() -> Expect:
    stored = (KV("DU-ASSESS45", month("Aug 2019"), 87.0, target=90.0),
              KV("DU-VISITS", month("Aug 2019"), 96.2, target=95.0),
              KV("DU-CASELOAD-DAT", month("Aug 2019"), 12.4, target=12.0))
    return Expect(("imported", "rejected"), stored, must_mention=(cell(C17B_CELL),))


# --- 18. the same simple return as .csv (UTF-8 BOM, Windows-1252) and .xlsm ----------------------------

C18_TITLE = "Family Services monthly return – September 2019"
C18_HEADER = ["Ref", "Indicator", "Period", "Value", "Target", "Commentary"]
C18_ROWS: tuple[list[Any], ...] = (
    ["DU-VISITS", NAMES["DU-VISITS"], "Sep 2019", 96.9, 95, "On target – 3 visits late, all within 5 days."],
    ["DU-AGENCY", NAMES["DU-AGENCY"], "Sep 2019", 16.0, 10, "Agency spend £1.2m year to date – 4 posts converted."],
    ["DU-TURNOVER", NAMES["DU-TURNOVER"], "Sep 2019", 14.5, 15, None],
)


def _c18_expect() -> Expect:
    return Expect("imported", tuple(KV(ref, month("Sep 2019"), float(v), target=float(t), commentary=c)
                                    for ref, _, _, v, t, c in C18_ROWS))


def _c18_csv(encoding: str) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([C18_TITLE, "", "", "", "", ""])
    writer.writerow(["Produced by Performance & Intelligence", "", "", "", "", ""])
    writer.writerow([""] * 6)
    writer.writerow(C18_HEADER)
    for row in C18_ROWS:
        writer.writerow(["" if v is None else v for v in row])
    writer.writerow([""] * 6)
    writer.writerow(["Source: LCS and iTrent – figures as at 4 October 2019", "", "", "", "", ""])
    return buf.getvalue().encode(encoding)


@functools.cache
def c18_csv_utf8_bom() -> tuple[str, bytes]:
    return "fs-monthly-return-2019-09.csv", _c18_csv("utf-8-sig")


@functools.cache
def c18_csv_cp1252() -> tuple[str, bytes]:
    data = _c18_csv("cp1252")
    assert b"\xa3" in data and b"\x96" in data  # £ and – as Excel writes them on Windows
    return "fs-monthly-return-2019-09-excel.csv", data


def empty_vba_project() -> bytes:
    """A valid, empty OLE compound file (a vbaProject.bin with no modules): three 512-byte sectors."""
    end, free, fat_sect, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    header = struct.pack("<8s16sHHHHH6sIIIIIIIIII", bytes.fromhex("D0CF11E0A1B11AE1"), b"\0" * 16, 0x3E, 3,
                         0xFFFE, 9, 6, b"\0" * 6, 0, 1, 1, 0, 4096, end, 0, end, 0, 0)
    header += struct.pack("<108I", *([free] * 108))  # the rest of the DIFAT: free (header has DIFAT[0] = 0)
    fat = struct.pack("<128I", fat_sect, end, *([free] * 126))
    name = "Root Entry".encode("utf-16-le") + b"\0\0"
    entry = "<64sHBBIII16sIQQIQ"  # name, its length, type, colour, left, right, child, CLSID, state, times, start, size
    root = struct.pack(entry, name, len(name), 5, 1, nostream, nostream, nostream, b"\0" * 16, 0, 0, 0, end, 0)
    empty = struct.pack(entry, b"", 0, 0, 0, nostream, nostream, nostream, b"\0" * 16, 0, 0, 0, 0, 0)
    directory = root + empty * 3
    assert len(header) == 512 and len(fat) == 512 and len(directory) == 512
    return header + fat + directory


@functools.cache
def c18_xlsm() -> tuple[str, bytes]:
    b = Book(vba=empty_vba_project())
    s = b.sheet("Return")
    s.put(0, 0, C18_TITLE, b.title)
    s.put(1, 0, "Produced by Performance & Intelligence", b.produced)
    s.row(3, C18_HEADER, b.header)
    for i, row in enumerate(C18_ROWS):
        s.row(4 + i, row)
    s.put(8, 0, "Source: LCS and iTrent – figures as at 4 October 2019", b.note)
    s.widths(16, 60, 10, 8, 8, 50)
    return "fs-monthly-return-2019-09.xlsm", b.close()


# --- the corpus -----------------------------------------------------------------------------------------

CASES: tuple[Case, ...] = (
    Case("01-hidden-previous-column", "Monthly KPI return with a hidden 'Previous value' column",
         c1_hidden_previous, _c1_expect(), _c1_expect()),
    Case("02-two-tables-side-by-side", "Two tables side by side on one sheet", c2_side_by_side, _c2_expect(),
         _c2_expect()),
    Case("03-rag-as-fill-colour", "Action progress with RAG only as cell fill", c3_rag_fill, _c3_expect(FS_PLAN),
         _c3_expect(None)),
    Case("04-action-ids-as-numbers", "Action ids typed as numbers (1.10 kept by Excel as 1.1)", c4_numeric_ids,
         _c4_expect(True), _c4_expect(False)),
    Case("05-loose-refs", "Refs written loosely (FS S6, fs/s11 , DU ASSESS45, du-visits)", c5_loose_refs,
         _c5_expect(True), _c5_expect(False)),
    Case("06-dudley-in-title", "Another authority named only in the title", c6_dudley, _c6_expect(), _c6_expect()),
    Case("07-produced-date-not-period", "'Produced 12 December 2019 – performance data for November 2019'",
         c7_produced_date, _c7_expect(), _c7_expect()),
    Case("08-source-and-notes-lines", "Source footnote and a notes line under the table", c8_footnotes,
         _c8_expect(), _c8_expect()),
    Case("09a-rag-words", "RAG words in a RAG column (Amber Red, RA, Amber/Green, Completed, On track ...)",
         c9_rag_words, _c9_expect(FS_PLAN), _c9_expect(None)),
    Case("09b-rag-unknown-word", "An unknown RAG word (Purple) refuses the file naming the cell", c9_rag_purple,
         _c9_purple_expect(), _c9_purple_expect()),
    Case("10-timescale-due-dates", "A 'Timescale' column of due dates", c10_timescale, _c10_expect(FS_PLAN),
         _c10_expect(None)),
    Case("11-commissioning-split-ref", "Commissioning-plan KPI table with the Ref over two cells",
         c11_commissioning_split_ref, _c11_expect(), _c11_expect()),
    Case("12-quarterly-scorecard", "Quarterly scorecard (Q1 2019/20, Q2 2019/20, Q3 19/20, YTD)", c12_quarterly,
         _c12_expect(), _c12_expect()),
    Case("13-months-without-year", "Month names with no year, 2019/20 in the title", c13_months_without_year,
         _c13_expect(), _c13_expect()),
    Case("14-two-row-header", "Two-row header: month over Actual | Target", c14_two_row_header, _c14_expect(),
         _c14_expect()),
    Case("15-total-and-average-rows", "Total and Average rows under the table", c15_totals, _c15_expect(),
         _c15_expect()),
    Case("16-lscb-codes-and-milestones", "LSCB-style plan: OR1/OC2/LR3 and numbered milestones", c16_lscb,
         _c16_expect(), _c16_expect()),
    Case("17-percent-as-fraction", "A percentage KPI typed as a fraction (0.87)", c17_fractions, _c17_expect(),
         _c17_expect()),
    Case("17b-percent-target-as-fraction", "A percentage KPI's target typed as a fraction (0.9)",
         c17b_target_fraction, _c17b_expect(), _c17b_expect()),
    Case("18a-csv-utf8-bom", "The simple return as .csv, UTF-8 with BOM", c18_csv_utf8_bom, _c18_expect(),
         _c18_expect()),
    Case("18b-csv-windows-1252", "The simple return as .csv, Windows-1252 (£, –)", c18_csv_cp1252, _c18_expect(),
         _c18_expect()),
    Case("18c-xlsm", "The simple return as .xlsm (macro-enabled; values only)", c18_xlsm, _c18_expect(),
         _c18_expect()),
)
CASE_BY_ID = {c.id: c for c in CASES}


# --- 19 and 20: our own template and a lead officer's return pack, from the seeded database ---------------

PACK_OFFICER = DD_PI  # leads FSIAP-2017 actions 2.03, 2.04, 3.01 and 3.02
TEMPLATE_TYPED = {"DU-VISITS": 97.1, "DU-ASSESS45": 88.2, "DU-AGENCY": 17.4}
PACK_TYPED = {"2.04": ("In progress", "Amber", "Mobile app pilot extended to the CiC teams."),
              "3.02": ("Delayed", "Red", "Agency rate 17.4% against 10%; recruitment campaign relaunched.")}


def template_return(engine: Any, *, lead_officer: str | None = None, typed_values: dict[str, Any] | None = None,
                    typed_actions: dict[str, Any] | None = None) -> tuple[str, bytes]:
    """Our template (or one officer's return pack) downloaded from ``engine``, optionally with cells typed in.

    Typing is done with openpyxl, the way a user's Excel saves the file (validations and formats kept).
    """
    import openpyxl

    from lib.returns import template

    data = template.template(engine, lead_officer=lead_officer)
    name = "return-pack.xlsx" if lead_officer else "monthly-return-template.xlsx"
    if not (typed_values or typed_actions):
        return name, data
    book = openpyxl.load_workbook(io.BytesIO(data))
    plan: tuple[tuple[str, dict[str, Any] | None, str, tuple[str, ...]], ...] = (
        ("KPIs", typed_values, "Ref", ("Value",)),
        ("Actions", typed_actions, "Action ID", ("Status", "RAG", "Progress update")))
    for sheet_name, typed, key, cols in plan:
        if not typed:
            continue
        ws = book[sheet_name]
        heads = [c.value for c in ws[1]]
        found = set()
        for r in range(2, ws.max_row + 1):
            ident = ws.cell(r, heads.index(key) + 1).value
            if ident in typed:
                cells = typed[ident] if isinstance(typed[ident], tuple) else (typed[ident],)
                for col, value in zip(cols, cells, strict=True):
                    ws.cell(r, heads.index(col) + 1).value = value
                found.add(ident)
        assert found == set(typed), f"the template has no row for {set(typed) - found}"
    out = io.BytesIO()
    book.save(out)
    return name.replace(".xlsx", "-typed.xlsx"), out.getvalue()
