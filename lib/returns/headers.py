"""Recognise tables by their header rows, wherever they sit in a sheet.

Real returns put title rows, notes and blank rows above the table, repeat the header
after every page break and name columns a dozen ways ("Indicator", "Measure",
"2016/17 Result", "Lead officer(s)", "Progress/RAG"). A header row is found by matching
its cells against the synonyms below; the set of fields found decides the layout
family. Our own template and export use the first synonym of each field, so what we
write is what we read.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field

from lib import periods

# field -> synonyms (normalised: lower case, single spaces, no trailing punctuation).
# Patterns starting with "re:" are regular expressions over the normalised header.
FIELDS: dict[str, tuple[str, ...]] = {
    # KPI identity and definition
    "ref": ("ref", "kpi ref", "indicator ref", "reference", "pi ref", "measure ref", "code", "kpi code", "kpi id"),
    "kpi_type": ("type", "indicator type", "cpi/spi"),
    "name": ("kpi", "indicator", "measure", "kpi name", "indicator name", "performance indicator", "measure name",
             "kpi description"),
    "theme": ("theme", "section", "priority", "commissioning priority", "service area"),
    "unit": ("unit", "units", "unit of measure"),
    "polarity": ("polarity", "good is", "direction of good", "better is"),
    "rag_rule": ("rag rule", "rule"),
    "tolerance": ("amber tolerance (%)", "amber tolerance", "tolerance", "tolerance (%)"),
    "owner": ("owner", "kpi owner", "responsible officer", "accountable officer"),
    "frequency": ("frequency",),
    "decimals": ("decimals", "decimal places"),
    "definition": ("definition", "kpi definition", "indicator definition", "description"),
    # KPI values
    "authority": ("la code", "authority code", "la", "local authority code", "la number"),
    "authority_name": ("local authority", "authority", "la name"),
    "period": ("period", "period covered", "month", "reporting period", "as at", "date"),
    "period_end": ("period end",),
    "period_kind": ("period kind", "period type"),
    "period_start": ("period start", "from"),
    "value": ("value", "result", "actual", "outturn", "this month", "performance", "%", "percentage", "figure",
              "re:^% (in|of|within|on) .{1,40}$", "re:^\\d{4}/\\d{2} result$",
              "re:^\\d{4}-\\d{2} result$", "latest result", "current result"),
    "previous": ("previous result", "previous value", "last year", "prior year", "previous", "last month",
                 "last period", "previous month", "previous period", "prev", "last value", "prior month",
                 "re:^\\d{4}/\\d{2} result \\(previous\\)$"),
    "target": ("target", "target %", "target (%)", "% target",
               "re:^\\d{4}/\\d{2} target$", "re:^\\d{4}-\\d{2} target$", "target value",
               "re:^target (for )?(fy )?\\d{4}\\s*[/-]\\s*\\d{2,4}$", "re:^target (for )?\\d{4}$", "annual target",
               "re:^target (for )?(fy )?\\d{4}\\s*[/-]\\s*\\d{2,4}\\s*"
               "\\((school|academic) year \\d{4}\\s*[/-]\\s*\\d{2,4}\\)$",
               "re:^target (ay|fy|academic year|financial year) \\d{4}\\s*[/-]\\s*\\d{2,4}$",
               "re:^(ay|fy|academic year|financial year) \\d{4}[/-]\\d{2} target$",
               "target (annual)", "tgt"),
    "rag": ("rag", "rag status", "rag rating", "rag (as reported)", "progress/rag", "status (rag)", "rag as reported",
            "reported rag"),
    "dot": ("dot", "direction of travel", "re:^dot.*"),
    "benchmark": ("benchmarking", "benchmark", "benchmarks", "comparators", "comparator data"),
    "comparator": ("comparator", "benchmark comparator"),
    "year": ("year", "benchmark year", "year label"),
    "source": ("source", "data source"),
    "commentary": ("commentary", "comments", "comment", "progress update", "update", "narrative", "progress",
                   "latest update", "update commentary", "progress commentary", "notes"),
    # actions
    "plan": ("plan", "plan code", "action plan"),
    "action_ref": ("action id", "action ref", "action no", "action number", "action", "recn", "id", "no", "#",
                   "ref", "reference", "ref no", "action reference", "code"),
    "recommendations": ("recommendation(s)", "recommendations", "recommendation", "ofsted recommendation(s)",
                        "ofsted recommendations", "ofsted recommendation", "linked recommendations", "rec",
                        "recs", "rec no", "recommendation no", "improvement recommendations",
                        "improvement recommendation", "ofsted recommendation / finding", "area for improvement",
                        "areas for improvement", "finding"),
    "timeframe": ("ofsted timeframe", "timeframe"),
    "objective": ("objective", "improvement objective", "theme/objective"),
    "action_text": ("action description", "key actions", "actions", "action", "description", "action text",
                    "what we will do"),
    "title": ("action title", "title", "short title", "summary"),
    "lead": ("lead officer", "lead officer(s)", "lead officers", "lead", "responsible officer", "owner", "leads",
             "by whom", "who", "responsibility", "responsible", "lead person", "action owner", "owner(s)"),
    "due_written": ("due (as written)",),
    "due_revised": ("revised deadline", "revised due date", "revised completion date", "revised date",
                    "revised timescale", "revised target date", "new deadline", "new due date", "revised"),
    "due": ("completion date", "due date", "due", "deadline", "target date", "milestones", "milestone",
            "date due", "timescale for completion", "timescale", "timescales", "by when", "target completion date",
            "completion", "end date", "deadline date", "when", "original deadline", "original due date"),
    "status": ("status", "progress status", "action status"),
    "oversight": ("reporting mechanism/ oversight", "reporting mechanism/oversight", "reporting mechanism",
                  "oversight", "governance", "oversight board", "reporting mechanism / oversight"),
    "success": ("success measures", "measured by", "outcome measures", "success measure", "outcomes"),
    "reported_by": ("reported by", "updated by", "update by"),
    "milestone_label": ("milestone text", "milestone description", "what is due"),
    "milestone_status": ("milestone status",),
    # inspections and judgements (export round trip)
    "framework": ("framework", "inspection framework"),
    "inspection_start": ("inspection start", "start date"),
    "inspection_end": ("inspection end", "end date"),
    "published": ("published", "publication date"),
    "body": ("body", "inspected body"),
    "area": ("judgement area", "area", "judgement"),
    "section_name": ("judgement section",),
    "parent_area": ("parent area", "parent judgement"),
    "grade": ("grade", "grade as published", "judgement grade"),
    "number": ("recommendation number", "rec number", "number"),
    "text": ("recommendation text", "text"),
    "kind": ("kind",),
    "addressed_to": ("addressed to",),
    "evidence_kpis": ("evidence (kpi refs)", "evidence kpis", "evidenced by (kpis)", "kpis evidencing it",
                      "measured by (kpi refs)"),
}

# Headers of our own template / export sheets, in column order (first synonyms above).
TEMPLATE_KPI_COLUMNS = ("Ref", "KPI", "Theme", "Unit", "Polarity", "Period", "Value", "Target", "RAG", "Commentary")
TEMPLATE_ACTION_COLUMNS = (
    "Plan", "Action ID", "Recommendation(s)", "Objective", "Action title", "Action description", "Lead officer",
    "Due date", "Month", "Status", "RAG", "Progress update", "Reported by",
)


def normalise(text: object) -> str:
    """A header cell as compared: one line, lower case, plain dashes and quotes, no month suffix."""
    try:
        return _normalise(text)
    except TypeError:  # an unhashable value: not cached
        return _normalise.__wrapped__(text)


@functools.lru_cache(maxsize=65_536)
def _normalise(text: object) -> str:
    value = re.sub(r"\s+", " ", str(text or "")).strip().lower()
    value = value.replace("’", "'").replace("–", "-").replace("—", "-")
    value = _MONTH_SUFFIX.sub("", value) or value  # "Progress update July 2019" is the progress update
    return value.rstrip(" :.*")


_MONTH_SUFFIX = re.compile(
    r"(?<=[a-z)])\s*[-(]?\s*(for\s+)?(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|"
    r"sept?(ember)?|oct(ober)?|nov(ember)?|dec(ember)?)[\s-]*'?(19|20)?\d{2}\)?$")


_EXACT: dict[str, list[str]] = {}
_PATTERNS: list[tuple[re.Pattern[str], str]] = []
for _field, _synonyms in FIELDS.items():
    for _syn in _synonyms:
        if _syn.startswith("re:"):
            _PATTERNS.append((re.compile(_syn[3:]), _field))
        else:
            _EXACT.setdefault(_syn, []).append(_field)


def header_hits(row: list[object]) -> int:
    """How many cells are exactly a known header word: a cheap first look before :func:`match_header`."""
    return sum(1 for v in row if isinstance(v, str) and _is_header_word(str(v)))


@functools.lru_cache(maxsize=65_536)
def _is_header_word(v: str) -> bool:
    return len(v) <= 40 and v.strip().lower().rstrip(" :.*") in _EXACT


def candidate_fields(header: object) -> list[str]:
    """Every field a header cell could mean (ambiguous words such as "Action" give several)."""
    text = normalise(header)
    if not text:
        return []
    found = list(_EXACT.get(text, []))
    for pattern, name in _PATTERNS:
        if pattern.match(text) and name not in found:
            found.append(name)
    if "target" not in found and target_year(text) is not None:
        found.append("target")  # "Targets 2017/18", "17/18 target", "Target FY2017/18 (%)"
    return found


_QUARTER_HEADER = re.compile(r"(?i)^\s*(q|qtr|quarter)\s*[1-4]\b|\b(q|qtr|quarter)\s*[1-4]\s*$")


_MONTH_RANGE = re.compile(r"(?i)^[a-z]{3,9}\s*(-|–|to)\s*[a-z]{3,9}\s*'?\d{2,4}$")


def is_month_header(header: object) -> periods.Period | None:
    """The month or quarter a column header names ("Apr-17", "Q2 2019/20", "Q3 19/20"), else None."""
    if isinstance(header, periods.Period):
        return header if header.kind in ("month", "quarter") else None
    try:
        found = periods.parse_month_header(header)
        if found is not None:
            return found
        if isinstance(header, str) and (_QUARTER_HEADER.search(header.strip()) or _MONTH_RANGE.match(header.strip())):
            quarter = periods.parse_period(header.strip())
            return quarter if quarter.kind == "quarter" else None
    except Exception:
        return None
    return None


# --- families -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Family:
    code: str
    label: str
    required: tuple[frozenset[str], ...]  # each set: at least one of these fields
    preferred: tuple[str, ...]  # fields that raise the score
    resolve: dict[str, tuple[str, ...]] = field(default_factory=dict)  # ambiguous header → field preference


FAMILIES: tuple[Family, ...] = (
    Family(
        "kpi_wide", "Wide monthly KPI return (one column per month)",
        (frozenset({"ref", "name"}),), ("ref", "name", "target", "polarity", "unit", "theme", "commentary", "rag"),
    ),
    Family(
        "kpi_values", "KPI values (one row per KPI and period)",
        (frozenset({"ref", "name"}), frozenset({"value"})),
        ("ref", "name", "period", "value", "target", "rag", "commentary", "polarity", "authority", "benchmark",
         "previous", "dot", "unit", "theme", "kpi_type", "period_kind", "period_start", "period_end",
         "authority_name"),
    ),
    Family(
        "kpi_definitions", "KPI definitions",
        (frozenset({"ref"}), frozenset({"name"}), frozenset({"rag_rule", "tolerance"})),
        ("ref", "name", "theme", "unit", "polarity", "rag_rule", "tolerance", "owner", "frequency", "decimals",
         "kpi_type", "definition"),
    ),
    Family(
        "kpi_targets", "KPI targets by year (one column per year)",
        (frozenset({"ref", "name"}), frozenset({"target"})),
        ("ref", "name", "target", "polarity", "unit", "theme", "kpi_type", "owner", "authority"),
    ),
    Family(
        "benchmarks", "Benchmarks",
        (frozenset({"ref"}), frozenset({"comparator"}), frozenset({"value"})),
        ("ref", "comparator", "year", "value", "source", "period_kind", "period_start", "period_end"),
    ),
    Family(
        "judgements", "Inspection judgements",
        (frozenset({"framework"}), frozenset({"area"}), frozenset({"grade"})),
        ("authority", "framework", "inspection_start", "body", "area", "grade", "section_name", "parent_area",
         "published", "inspection_end"),
    ),
    Family(
        "recommendations", "Inspection recommendations",
        (frozenset({"framework"}), frozenset({"number"}), frozenset({"text"})),
        ("authority", "framework", "inspection_start", "body", "number", "text", "timeframe", "kind", "addressed_to",
         "evidence_kpis"),
    ),
    Family(
        "milestones", "Action milestones (one row per milestone)",
        (frozenset({"action_ref"}), frozenset({"milestone_label"})),
        ("plan", "action_ref", "milestone_label", "due", "due_written", "milestone_status"),
    ),
    Family(
        "actions", "Action plan progress",
        (frozenset({"action_text", "title", "action_ref", "lead"}), frozenset({"lead", "due", "status", "rag",
                                                                              "commentary", "recommendations"})),
        ("action_ref", "recommendations", "action_text", "title", "lead", "due", "due_revised", "due_written", "status",
         "rag",
         "commentary",
         "objective", "plan", "period", "oversight", "timeframe", "reported_by", "success", "framework",
         "inspection_start", "body", "authority"),
        {"action": ("action_text", "action_ref")},
    ),
)
FAMILY_BY_CODE = {f.code: f for f in FAMILIES}


@dataclass
class HeaderMatch:
    row: int  # 0-based row of the (last) header row
    family: Family
    columns: dict[int, str]  # column index -> field
    months: dict[int, periods.Period]  # column index -> month (wide returns)
    score: float
    unmatched: list[tuple[int, str]]  # (column, header text) not understood


def _assign(row: list[object], family: Family) -> tuple[dict[int, str], list[tuple[int, str]]]:
    """Give each header cell one field, preferring the family's fields, each field once."""
    columns: dict[int, str] = {}
    unmatched: list[tuple[int, str]] = []
    taken: set[str] = set()
    # first pass: cells with a single candidate; second: ambiguous ones
    candidates = {c: candidate_fields(v) for c, v in enumerate(row) if normalise(v)}
    for pass_no in (1, 2):
        for col, cands in candidates.items():
            if col in columns:
                continue
            usable = [f for f in cands if f in family.preferred and f not in taken]
            preference = family.resolve.get(normalise(row[col]))
            if preference:
                usable = [f for f in preference if f not in taken] or usable
            if (pass_no == 1 and len(usable) == 1) or (pass_no == 2 and usable):
                columns[col] = usable[0]
                taken.add(usable[0])
    _year_columns(row, columns, family)
    for col, _cands in candidates.items():
        if col not in columns:
            unmatched.append((col, str(row[col]).strip()))
    return columns, unmatched


_YEAR_RESULT = re.compile(r"^(\d{4})[/-]\d{2} (result|actual|outturn)$")


def _year_columns(row: list[object], columns: dict[int, str], family: Family) -> None:
    """"2016/17 Result" beside "2015/16 Result": the latest year is the value, the one before it the previous."""
    if "previous" not in family.preferred:
        return
    years = [(int(m.group(1)), c) for c, v in enumerate(row) if (m := _YEAR_RESULT.match(normalise(v)))]
    if len(years) < 2:
        return
    years.sort()
    for col in [c for c, f in columns.items() if f in ("value", "previous")]:
        del columns[col]
    columns[years[-1][1]] = "value"
    columns[years[-2][1]] = "previous"


_KIND = r"(?:(?P<{k}>fy|ay|financial year|academic year|school year)\s*)?"
_YEARS = r"(?P<{y}>\d{{4}}|\d{{2}})\s*[/-]\s*(?:\d{{4}}|\d{{2}})"
_TARGET_YEAR = re.compile(
    r"^(?:targets?:? (?:for )?" + _KIND.format(k="k1") + _YEARS.format(y="a")
    + r"|" + _KIND.format(k="k2") + _YEARS.format(y="b") + r":? targets?)"
    r"(?:\s*\(%\))?(?:\s*\((?:school year|academic year|ay) (?P<ay>\d{4}|\d{2})\s*[/-]\s*(?:\d{4}|\d{2})\))?"
    r"(?:\s*\(%\))?$")


def _full_year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


@dataclass(frozen=True)
class TargetYear:
    """What a year's target header says: "2018/19 Target", "Target AY 2017/18",
    "Target for 2018-19 (School year 2017/18)" (the results of school year 2017/18, reported in 2018-19)."""

    year: int  # the financial year's first year a value's period end is matched by (value sheets)
    academic: int | None  # the academic year's first year, when the header names one
    financial: bool  # "FY" said outright


def target_year(header: object) -> TargetYear | None:
    found = _TARGET_YEAR.match(normalise(header))
    if not found:
        return None
    first = _full_year(found["a"] or found["b"])
    kind = (found["k1"] or found["k2"] or "").strip()
    if found["ay"]:
        return TargetYear(first, _full_year(found["ay"]), False)
    if kind in ("ay", "academic year", "school year"):
        return TargetYear(first + 1, first, False)  # AY 2016/17 ends in August 2017: financial year 2017/18
    return TargetYear(first, None, kind in ("fy", "financial year"))


def target_years(row: list[object]) -> dict[int, TargetYear]:
    """Column index → :func:`target_year` for every year's target column of a header row."""
    return {c: found for c, v in enumerate(row) if (found := target_year(v)) is not None}


def match_header(row: list[object], row_index: int) -> HeaderMatch | None:
    """The best family this row could be the header of, or None."""
    months = {c: p for c, v in enumerate(row) if (p := is_month_header(v)) is not None}
    best: HeaderMatch | None = None
    filled = sum(1 for v in row if normalise(v))
    if filled < 2:
        return None
    for family in FAMILIES:
        columns, unmatched = _assign(row, family)
        present = set(columns.values())
        if not all(req & present for req in family.required):
            continue
        if family.code == "kpi_wide":
            # one month column is this month's value unless a Value column says otherwise
            if len(months) < 2 and not (months and "value" not in present and "period" not in present):
                continue
            unmatched = [(c, t) for c, t in unmatched if c not in months]
        elif family.code == "kpi_values" and len(months) >= 2:
            continue
        elif family.code == "kpi_targets" and (not target_years(row) or months or "value" in present):
            continue  # a table of targets only: the years' targets, no values
        score = len(columns) + (len(months) * 0.5 if family.code == "kpi_wide" else 0) - 0.25 * len(unmatched)
        if best is None or score > best.score:
            best = HeaderMatch(row_index, family, columns,
                               months if family.code == "kpi_wide" else {}, score, unmatched)
    if best is None or len(best.columns) + len(best.months) < 2:
        return None
    return best


def find_header(rows: list[list[object]], *, max_scan: int = 40) -> HeaderMatch | None:
    """The first convincing header row in the first ``max_scan`` rows of a sheet."""
    best: HeaderMatch | None = None
    for index, row in enumerate(rows[:max_scan]):
        found = match_header(row, index)
        if found and (best is None or found.score > best.score + 0.5):
            best = found
            if found.score >= 4:
                break
    return best


def layout_signature(sheet_name: str, header: list[object]) -> str:
    """Identify a workbook layout by its sheet name and header texts (for remembered mappings)."""
    text = normalise(sheet_name) + "|" + "|".join(normalise(h) for h in header)
    return hashlib.sha256(text.encode()).hexdigest()[:32]
