"""Read one spreadsheet cell of a KPI return: a result, a target, benchmarks, a ref or lead officers.

Council returns type results as free text ("44.0% (G)", "New for 2016/17", "#DIV/0!", "£5,705")
and mix the RAG, a qualifier and the number in one cell. These parsers turn such cells into
plain values without ever inventing a zero for a missing one, and keep the original text so
nothing the council wrote is lost. Pure: no I/O; the only project import is lib.vocab.
"""

from __future__ import annotations

import functools
import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from lib.vocab import normalise_rag

__all__ = [
    "Benchmark",
    "ParsedTarget",
    "ParsedValue",
    "benchmark_note",
    "clean_text",
    "has_formula_prefix",
    "is_excel_error",
    "parse_benchmarks",
    "parse_ref",
    "parse_target",
    "parse_value",
    "percent_scale_suspect",
    "ref_is_annual",
    "split_leads",
    "split_people",
]


# --- Result types -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedValue:
    """One result cell: the number (percentages in points), why it is missing, and any RAG suffix."""

    value: float | None
    text: str
    missing_reason: str | None
    reported_rag: str | None
    is_percent: bool
    qualifier: str | None = None


@dataclass(frozen=True)
class ParsedTarget:
    """One target cell: a number when the target is numeric, else the text ("monitor"/"text"/"none")."""

    value: float | None
    text: str
    kind: str


@dataclass(frozen=True)
class Benchmark:
    """One comparator figure from a free-text benchmarking cell ("England: 548.3 ... (2014/15, LAIT)")."""

    comparator: str
    value: float
    is_percent: bool
    year_label: str | None
    source: str | None


# --- Text cleaning ------------------------------------------------------------------------------

# Tags that end a paragraph or list item: replaced by a newline so bullets stay separate.
_BLOCK_TAG_RE = re.compile(
    r"</?(?:p|div|br|li|ul|ol|tr|table|tbody|thead|h[1-6]|dl|dd|dt|blockquote|hr)\b[^<>]*>",
    re.IGNORECASE,
)
# Any other tag (<b>, <sup>, <a href=...>) is dropped in place, so "13<sup>th</sup>" -> "13th".
# A tag must start with a letter, which leaves "<65%" and ">80% <100%" alone.
_ANY_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
# Zero-width and bidi controls: invisible, but they break matching and can disguise text.
_INVISIBLE_RE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
_NEWLINES_RE = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
_HSPACE_RE = re.compile(r"[^\S\n]+")


def _safe_str(raw: object) -> str:
    """str() that cannot fail: huge ints and hostile __str__ methods must not crash an import."""
    if isinstance(raw, str):
        return raw
    try:
        return str(raw)
    except Exception:
        return ""


def clean_text(raw: object) -> str:
    """Strip HTML and invisible characters but keep one line per paragraph or bullet.

    Cells pasted from Word or a web form carry <p>/<li>/<sup> tags, &amp; entities,
    zero-width and bidi characters. Leading = + - @ are kept verbatim: here they are data;
    exports guard them separately (see has_formula_prefix).
    """
    if raw is None:
        return ""
    return _clean_str(_safe_str(raw))


_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # Unicode category Cc but \n and \t
_PLAIN_RE = re.compile(r"[ !-;=?-~]*")  # printable ASCII without < and >... and no &: nothing to clean


@functools.lru_cache(maxsize=65_536)
def _clean_str(text: str) -> str:
    """clean_text on a string; cached because returns repeat the same codes, names and words."""
    if _PLAIN_RE.fullmatch(text) and "&" not in text:
        return " ".join(text.split()) if "  " in text or text[:1] == " " or text[-1:] == " " else text
    text = _NEWLINES_RE.sub("\n", text)
    text = _BLOCK_TAG_RE.sub("\n", text)
    text = _ANY_TAG_RE.sub("", text)
    text = html.unescape(text)
    text = _NEWLINES_RE.sub("\n", text)
    text = _INVISIBLE_RE.sub("", text)
    text = _CONTROL_RE.sub("", text)
    lines = (_HSPACE_RE.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _one_line(raw: object) -> str:
    """Cleaned text on a single line, for cells that hold one value."""
    if raw.__class__ is str:
        return _one_line_str(raw)
    return " ".join(clean_text(raw).split())


@functools.lru_cache(maxsize=65_536)
def _one_line_str(text: str) -> str:
    """_one_line of a string, cached: a long return repeats its refs, names and markers on every row."""
    return " ".join(_clean_str(text).split())


def has_formula_prefix(text: str) -> bool:
    """True when a spreadsheet would run the text as a formula, so exports must escape it."""
    return bool(text) and text[0] in "=+-@\t\r"


# --- Numbers ------------------------------------------------------------------------------------

_NUM = r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?|\.[0-9]+)"
_LEADING_NUMBER_RE = re.compile(
    r"^(?P<cmp>[<>]=?|[≤≥])?\s*"
    r"(?P<sign>[-+\u2212])?\s*(?P<cur>[£$€])?\s*(?P<num>" + _NUM + r")"
    r"(?:\s*(?P<mult>million|billion|bn|m|k)\b)?"
    r"\s*(?P<pct>%)?(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL | re.ASCII,
)
_MULTIPLIERS = {"k": 1e3, "m": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9}
_POINTS_RE = re.compile(r"^(?:percentage\s+points?|pp|ppts?|pts|%\s*points?)\b", re.IGNORECASE)

_EXCEL_ERRORS = frozenset(
    {
        "#DIV/0!",
        "#N/A",
        "#REF!",
        "#VALUE!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
        "#FIELD!",
        "#BLOCKED!",
        "#UNKNOWN!",
    }
)

# Lower-case cell text -> missing reason. Each of these means "no number", never zero.
_MISSING_MARKERS: dict[str, str] = {
    "n/a": "not applicable",
    "na": "not applicable",
    "n.a.": "not applicable",
    "n.a": "not applicable",
    "not applicable": "not applicable",
    "-": "no value",
    "–": "no value",
    "—": "no value",
    "‒": "no value",
    "−": "no value",
    "--": "no value",
    "tbc": "to be confirmed",
    "t.b.c.": "to be confirmed",
    "tba": "to be confirmed",
    "to be confirmed": "to be confirmed",
    "not available": "not available",
    "not yet available": "not available",
    "data not available": "not available",
    "unavailable": "not available",
    "..": "not available",
    ":": "not available",
    "monitor": "monitor only",
    "monitor only": "monitor only",
    "c": "suppressed",
    "x": "suppressed",
    "z": "suppressed",
    "low": "suppressed",
    "*": "suppressed",
    "suppressed": "suppressed",
}
_NEW_MEASURE_RE = re.compile(r"^new(?:\s+(?:for|in|from|measure|indicator|kpi|pi)\b.*)?$", re.IGNORECASE)
_NOT_A_NUMBER = "not a number"


def is_excel_error(text: object) -> bool:
    """True for an Excel error value such as "#DIV/0!": the importer rejects these outright."""
    return isinstance(text, str) and text.strip().upper() in _EXCEL_ERRORS


def percent_scale_suspect(value: float, unit: str | None) -> bool:
    """True when a percent KPI holds a fraction (0.44 for 44%), so the importer can ask, not guess."""
    return unit == "percent" and math.isfinite(value) and 0 < abs(value) <= 1.0


def _to_float(text: str) -> float | None:
    """Decimal-exact conversion of a matched number; None if it is not finite."""
    try:
        number = float(Decimal(text.replace(",", "")))
    except (InvalidOperation, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _scaled_percent(number: float | int) -> float | None:
    """A percent-formatted cell stores 0.44 for 44%: convert to points without float noise (44.00000001)."""
    if number.__class__ is float and number:  # 0.0 and -0.0 are equal but not the same: never cached
        return _scaled_float(number)
    return _scaled_percent_uncached(number)


@functools.lru_cache(maxsize=65_536)
def _scaled_float(number: float) -> float | None:
    """_scaled_percent of a float, cached: a return's percentages repeat (44.5%, 50%, 100%)."""
    return _scaled_percent_uncached(number)


def _scaled_percent_uncached(number: float | int) -> float | None:
    try:
        scaled = float(Decimal(repr(number)) * 100) if isinstance(number, float) else float(number * 100)
    except (InvalidOperation, ValueError, OverflowError):
        return None
    return scaled if math.isfinite(scaled) else None


def _format_number(number: float) -> str:
    """Short text for a numeric cell: 44.0 -> "44", 0.44 -> "0.44"."""
    if not math.isfinite(number):
        return repr(number)
    return str(int(number)) if number.is_integer() else repr(number)


@dataclass(frozen=True)
class _Leading:
    """A number read from the start of a cell plus what followed it."""

    value: float
    is_percent: bool
    rest: str
    has_currency: bool
    has_comparator: bool


def _read_leading_number(text: str) -> _Leading | None:
    """Split "44.0% (G)" into 44.0, percent, "(G)"; None if the cell does not start with a number."""
    match = _LEADING_NUMBER_RE.match(text)
    if match is None:
        return None
    number = _to_float(match["num"])
    if number is None:
        return None
    mult = match["mult"]
    if mult:
        if not match["cur"]:
            return None  # "5 k" without a currency sign is too ambiguous to scale.
        number *= _MULTIPLIERS.get(mult.lower(), 1.0)
        if not math.isfinite(number):
            return None
    if match["sign"] in ("-", "\u2212"):
        number = -number
    return _Leading(
        value=number + 0.0,  # turns -0.0 into 0.0
        is_percent=bool(match["pct"]),
        rest=match["rest"].strip(),
        has_currency=bool(match["cur"]),
        has_comparator=bool(match["cmp"]),
    )


_BRACKETS_RE = re.compile(r"^(?:[(\[][^()\[\]]*[)\]]\s*){1,2}$")
_BRACKET_INNER_RE = re.compile(r"[(\[]([^()\[\]]*)[)\]]")


def _read_suffix(rest: str) -> tuple[bool, str | None, str | None] | None:
    """Read what follows a number: RAG, bracketed qualifier or "percentage points".

    Returns (is_points, rag, qualifier), or None when the suffix makes the cell not a
    single number (a second number, a range, a ratio, prose).
    """
    if not rest:
        return (False, None, None)
    if _POINTS_RE.match(rest) and not any(ch.isdigit() for ch in rest):
        tail = _POINTS_RE.sub("", rest).strip()
        rag = normalise_rag(tail) if tail else None
        if tail and rag is None:
            return None
        return (True, rag, None)
    rag = normalise_rag(rest)
    if rag is not None:
        return (False, rag, None)
    if not _BRACKETS_RE.match(rest):
        return None
    qualifier: str | None = None
    for inner in _BRACKET_INNER_RE.findall(rest):
        inner_rag = normalise_rag(inner)
        if inner_rag is not None and rag is None:
            rag = inner_rag
        elif qualifier is None and any(ch.isalpha() for ch in inner):
            qualifier = " ".join(inner.split())
        else:
            return None
    return (False, rag, qualifier)


def _missing(text: str, reason: str, *, rag: str | None = None, is_percent: bool = False) -> ParsedValue:
    return ParsedValue(None, text, reason, rag, is_percent)


def parse_value(raw: object, *, percent_format: bool = False, unit: str | None = None) -> ParsedValue:
    """Read one result cell; never raises. Missing values carry a reason and are never zero.

    Floats and ints from a percent-formatted cell are fractions (0.44 -> 44.0 points). ``unit``
    does not rescale anything: a plain 44 for a percent KPI stays 44.0 and a suspicious 0.44
    is left for percent_scale_suspect() to flag, because guessing the scale silently is how a
    44% becomes 0.44%. Currency signs are accepted (and £5.7m scales to 5,700,000); "-15
    percentage points" reads as -15.0 with is_percent True.
    """
    del unit  # accepted for call-site symmetry with the KPI definition; see docstring
    if raw is None:
        return _missing("", "blank")
    if isinstance(raw, bool | datetime | date | time):
        return _missing(_one_line(raw), _NOT_A_NUMBER)
    if isinstance(raw, int | float | Decimal):
        return _parse_number_cell(raw, percent_format=percent_format)
    text = _one_line(raw)
    if not text:
        return _missing("", "blank")
    if is_excel_error(text):
        return _missing(text, f"excel error {text.upper()}")
    lowered = text.lower()
    if lowered in _MISSING_MARKERS:
        return _missing(text, _MISSING_MARKERS[lowered])
    if _NEW_MEASURE_RE.match(lowered):
        return _missing(text, "new measure")
    leading = _read_leading_number(text)
    if leading is None or leading.has_comparator:
        return _missing(text, _NOT_A_NUMBER, rag=normalise_rag(text))
    suffix = _read_suffix(leading.rest)
    if suffix is None:
        return _missing(text, _NOT_A_NUMBER)
    is_points, rag, qualifier = suffix
    is_percent = leading.is_percent or is_points or percent_format
    return ParsedValue(leading.value, text, None, rag, is_percent, qualifier)


def _parse_number_cell(raw: int | float | Decimal, *, percent_format: bool) -> ParsedValue:
    """A cell Excel already stored as a number."""
    try:
        number = float(raw)
    except (OverflowError, ValueError):
        return _missing(_safe_str(raw)[:40], _NOT_A_NUMBER)
    if not math.isfinite(number):
        return _missing(repr(number), _NOT_A_NUMBER)
    if percent_format:
        scaled = _scaled_percent(number if isinstance(raw, float | Decimal) else int(raw))
        if scaled is None:
            return _missing(_format_number(number), _NOT_A_NUMBER, is_percent=True)
        return ParsedValue(scaled + 0.0, f"{_format_number(scaled)}%", None, None, True)
    return ParsedValue(number + 0.0, _format_number(number), None, None, False)


# --- Targets ------------------------------------------------------------------------------------

_MONITOR_WORDS = frozenset({"monitor", "monitor only", "monitoring", "for monitoring"})
_RELATIVE_TARGET_RE = re.compile(r"^(?:percentage\s+points?|pp|ppts?|points?|%\s*points?)\b", re.IGNORECASE)


def parse_target(raw: object, *, percent_format: bool = False) -> ParsedTarget:
    """Read a target cell; never raises.

    A leading number followed by nothing, a bracketed qualifier or number-free prose
    ("55% Above our statistical neighbours") is the target. Anything else is a text
    target, including prose that merely mentions a number ("... (currently 15.6%)"),
    relative targets ("5 percentage points above National Average") and ranks.
    """
    if raw is None:
        return ParsedTarget(None, "", "none")
    if isinstance(raw, bool | datetime | date | time):
        return ParsedTarget(None, _one_line(raw), "text")
    if isinstance(raw, int | float | Decimal):
        parsed = _parse_number_cell(raw, percent_format=percent_format)
        kind = "numeric" if parsed.value is not None else "text"
        return ParsedTarget(parsed.value, parsed.text, kind)
    text = _one_line(raw)
    if not text:
        return ParsedTarget(None, "", "none")
    if text.lower() in _MONITOR_WORDS:
        return ParsedTarget(None, text, "monitor")
    leading = _read_leading_number(text)
    if leading is None:
        return ParsedTarget(None, text, "text")
    outside_brackets = _BRACKET_INNER_RE.sub(" ", leading.rest).strip()
    if any(ch.isdigit() for ch in outside_brackets) or _RELATIVE_TARGET_RE.match(outside_brackets):
        return ParsedTarget(None, text, "text")
    if outside_brackets[:1] in ("-", ":", "/", "–", "—", ")", "]"):
        return ParsedTarget(None, text, "text")
    return ParsedTarget(leading.value, text, "numeric")


# --- Benchmarks ---------------------------------------------------------------------------------

_NO_BENCHMARK_RE = re.compile(
    r"^(?:no\s+benchmark(?:ing)?(?:\s+(?:data\s+)?(?:is\s+)?available)?|none|n/?a|-+|–|—|not\s+available)\.?$",
    re.IGNORECASE,
)
_META_RE = re.compile(r"^(?P<body>.*?)\s*\((?P<meta>[^()]*)\)\s*$", re.DOTALL)
_PAIR_RE = re.compile(
    r"[\s,;]*(?P<label>[A-Za-z][A-Za-z'’.&/ -]*?)\s*:?\s*"
    r"(?P<num>[-\u2212]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?)\s*(?P<pct>%)?"
)
_YEAR_LABEL_RE = re.compile(
    r"^(?:[A-Za-z]+\.?\s+)?[0-9]{4}(?:\s*[/-]\s*(?:[0-9]{4}|[0-9]{2}))?$",
)
_COMPARATORS: dict[str, str] = {
    "england": "England",
    "eng": "England",
    "national": "England",
    "nat": "England",
    "statistical neighbours": "Statistical neighbours",
    "statistical neighbour": "Statistical neighbours",
    "stat neighbours": "Statistical neighbours",
    "stat neighbour": "Statistical neighbours",
    "stat nbrs": "Statistical neighbours",
    "sn": "Statistical neighbours",
    "sns": "Statistical neighbours",
    "london": "London",
    "region": "Region",
    "regional": "Region",
}


def _comparator(label: str) -> str:
    """England/National/Eng -> "England", SN variants -> "Statistical neighbours"; others as written."""
    written = " ".join(label.strip(" -&/").split())
    key = re.sub(r"[.:]", "", written.lower())
    key = re.sub(r"\s+(?:average|avg|av|mean)$", "", key).strip()
    return _COMPARATORS.get(key, written)


def _split_meta(meta: str) -> tuple[str | None, str | None]:
    """Split the bracket: "2014/15, LAIT" -> ("2014/15", "LAIT"); "2016,DFE" -> ("2016", "DFE")."""
    year_label: str | None = None
    sources: list[str] = []
    for part in (p.strip() for p in meta.split(",")):
        if not part:
            continue
        if year_label is None and _YEAR_LABEL_RE.match(part):
            year_label = part
        else:
            sources.append(part)
    return year_label, (", ".join(sources) or None)


def parse_benchmarks(raw: object) -> list[Benchmark]:
    """Read "England: 548.3 London: 477.9 ... (2014/15, LAIT)" into comparator values; never raises.

    The whole cell must be label/number pairs (plus an optional trailing "(year, source)");
    anything else, such as a standard ("65%+ of Deprived Children ...") returns [] and its
    text is available from benchmark_note().
    """
    if isinstance(raw, bool | int | float | Decimal | date | time):
        return []
    text = _one_line(raw)
    if not text or _NO_BENCHMARK_RE.match(text):
        return []
    body, year_label, source = text, None, None
    meta = _META_RE.match(text)
    if meta is not None:
        body = meta["body"]
        year_label, source = _split_meta(meta["meta"])
    if not any(ch.isdigit() for ch in body):
        return []
    pairs: list[Benchmark] = []
    # Match pair after pair from the start (not finditer), so prose costs one pass, not one per position.
    position, end = 0, len(body.rstrip(" ,;."))
    while position < end:
        match = _PAIR_RE.match(body, position)
        if match is None:
            return []
        label = match["label"].strip()
        number = _to_float(match["num"].replace("\u2212", "-"))
        if not label or number is None:
            return []
        pairs.append(Benchmark(_comparator(label), number + 0.0, bool(match["pct"]), year_label, source))
        position = match.end()
    if not pairs or position < end:
        return []
    return pairs


def benchmark_note(raw: object) -> str | None:
    """The text of a benchmarking cell that holds no comparator values, so it is not lost."""
    text = _one_line(raw) if not isinstance(raw, bool | int | float | Decimal | date | time) else ""
    if not text or _NO_BENCHMARK_RE.match(text) or parse_benchmarks(text):
        return None
    return text


# --- Refs and people ----------------------------------------------------------------------------

_TYPE_RE = re.compile(r"^[A-Za-z]{0,4}PI$", re.IGNORECASE)
_ANNUAL_RE = re.compile(r"\(\s*annual\s*\)", re.IGNORECASE)


def _cell_text(cell: object) -> str:
    if isinstance(cell, float) and math.isfinite(cell):
        return _format_number(cell)
    return _one_line(cell)


def parse_ref(raw_cells: Sequence[object] | str | None) -> tuple[str | None, str | None]:
    """Read the indicator type and ref from one or two cells: "CPI FS/S6" -> ("CPI", "FS/S6").

    Brackets such as "(Annual)" are dropped from the ref (see ref_is_annual). A first word that
    looks like an indicator type (CPI, SPI, KPI, PI, LPI, BVPI ...) becomes the type, upper-cased.
    """
    cells: Sequence[object] = [raw_cells] if isinstance(raw_cells, str) or raw_cells is None else raw_cells
    joined = " ".join(t for t in (_cell_text(c) for c in cells) if t)
    joined = " ".join(re.sub(r"[(\[][^()\[\]]*[)\]]", " ", joined).split())
    tokens = joined.split(" ") if joined else []
    kpi_type: str | None = None
    if tokens and _TYPE_RE.match(tokens[0]) and tokens[0].isalpha():
        kpi_type = tokens.pop(0).upper()
    return kpi_type, (" ".join(tokens) or None)


def ref_is_annual(raw: object) -> bool:
    """True when a ref is marked "(Annual)", i.e. expect one value a year, not a monthly one."""
    return bool(_ANNUAL_RE.search(_one_line(raw)))


_PEOPLE_SPLIT_RE = re.compile(r"\s*(?:\n|;|/|&|\+|,|\band\b|•|·|▪|◦)\s*", re.IGNORECASE)
_BULLET_RE = re.compile(r"^(?:[-*–—•·▪◦]+|[0-9]{1,2}[.)]|[a-z][.)])\s+", re.IGNORECASE)


_LEADS_SPLIT_RE = re.compile(r"\s*(?:\n|;|/|&|\+|•|·|▪|◦)\s*")


def split_leads(raw: object) -> list[str]:
    """The people (or roles) of a lead-officer cell for filtering: split only where a cell joins leads.

    Unlike :func:`split_people` it keeps "and" and commas, which belong to role titles
    ("Operational Director Corporate Parenting, Permanence and Transitions").
    """
    return split_people(raw, _LEADS_SPLIT_RE)


def split_people(raw: object, separators: re.Pattern[str] | None = None) -> list[str]:
    """Split a lead-officer cell into names or roles; never raises.

    Separators: newline, ";", "/", "&", "+", ",", "and", and bullets. A role prefix stays with
    the first name ("Social Care lead – Jo Pymont & Erica Ferrari" -> ["Social Care lead – Jo
    Pymont", "Erica Ferrari"]). Deliberately simple: a role containing "and" ("Head of Care
    and Support") is split too, and names separated only by spaces are not split.
    Duplicates (ignoring case) are dropped.
    """
    text = clean_text(raw)
    if _MISSING_MARKERS.get(text.lower()) in ("not applicable", "no value") or text.lower() == "none":
        return []
    people: list[str] = []
    seen: set[str] = set()
    for part in (separators or _PEOPLE_SPLIT_RE).split(text):
        name = _BULLET_RE.sub("", part.strip()).strip(" -–—.:")
        if not name or not any(ch.isalnum() for ch in name) or name.lower() in seen:
            continue
        seen.add(name.lower())
        people.append(name)
    return people
