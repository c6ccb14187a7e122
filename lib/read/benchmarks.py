"""Benchmarks read model: England, region, statistical-neighbour and every-authority figures,
aligned to a KPI value by period and unit so that a figure of one year or unit is never shown,
drawn or ranked beside a value of another.

Rules (the only place they live):

- a benchmark's **unit** is its own: a LAIT figure is in its LAIT measure's unit
  (``reference.unit_of_lait_measure``), a figure printed in a return is in its KPI's unit. An
  England or regional LAIT figure of a rate, percentage or score that lies outside the range of
  every authority's figure for that year cannot be in that unit (an average lies between its
  parts); it is treated as a count (LAIT's England row for first-time entrants holds ~3,000
  beside authority rates of 98-782 per 100,000);
- the **same period** means the same kind of period with the same start and end: a financial
  year containing a monthly value is not its period;
- the summary shows, per comparator, the figure of the value's own period, else the latest
  available one with the words "latest available: <year>";
- quartile and rank compare our shown value with every authority's figure of the same period
  and unit; otherwise they are of our own LAIT figure in the latest LAIT year, labelled with it.

Pure apart from :func:`benchmarks` and :func:`summary`, which read the database and hand the
frames to pure functions. No Streamlit.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from lib import periods, reference
from lib.formatting import format_value
from lib.read import authorities
from lib.read.base import as_at_date as base_as_at
from lib.read.base import frame, in_clause, to_date

ENGLAND = "England"
SN = "Statistical neighbours"
LA_PREFIX = "LA:"
AVERAGING_UNITS = frozenset({"percent", "rate", "score", "ratio", "days", "weeks"})
IMPLAUSIBLE_UNIT = "count"  # deliberately not in vocab.UNITS: never the unit of a KPI
MIN_AUTHORITIES_FOR_RANGE = 10  # fewer authority figures than this and the range check is not made
MIN_NEIGHBOURS = 7  # a statistical-neighbour mean needs at least this many of the ten

BENCHMARK_COLUMNS = [
    "benchmark_id", "kpi_id", "ref", "comparator", "value", "unit", "unit_label", "kpi_unit", "comparable",
    "unit_note", "period_kind", "period_start", "period_end", "period", "year_label", "year_printed",
    "source", "origin", "lait_measure",
]  # fmt: skip

COMPARATORS = ("england", "region", "sn")
SUMMARY_COLUMNS = [
    "ref", "kpi_id", "value", "unit", "period", "period_kind", "period_start", "period_end", "year_label",
    "region_name",
    *[f"{c}{s}" for c in COMPARATORS for s in ("", "_year", "_source", "_same_period", "_note")],
    "quartile", "rank", "rank_of", "quartile_year", "quartile_basis", "quartile_note", "la_value", "la_year",
]  # fmt: skip

BENCHMARK_SQL = """
SELECT b.id AS benchmark_id, k.id AS kpi_id, k.ref, k.unit AS kpi_unit, b.comparator, b.value,
       b.year_label AS year_printed, b.source, b.note, b.period_id, p.kind AS period_kind,
       p.start_date AS period_start, p.end_date AS period_end, p.label AS period
FROM benchmark b
JOIN kpi k ON k.id = b.kpi_id
JOIN period p ON p.id = b.period_id
{where}
ORDER BY k.id, p.end_date, b.comparator, b.source
"""

RANGE_SQL = """
SELECT b.kpi_id, b.period_id, MIN(b.value) AS lo, MAX(b.value) AS hi, COUNT(*) AS n
FROM benchmark b
WHERE b.comparator LIKE 'LA:%'
GROUP BY b.kpi_id, b.period_id
"""


# --- small pure helpers ------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str | int | dt.date):
        return False
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _num(value: Any) -> float | None:
    if _blank(value) or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _text(value: Any) -> str:
    return "" if _blank(value) else str(value).strip()


def _day(value: Any) -> dt.date | None:
    """A date from a date, timestamp or ISO string; None for blanks."""
    if _blank(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def same_unit(kpi_unit: Any, bench_unit: Any) -> bool:
    """True when a benchmark's unit is the KPI's: both known and equal. Unknown is never the same."""
    a, b = _text(kpi_unit).lower(), _text(bench_unit).lower()
    return bool(a) and a == b


def same_period(kind_a: Any, start_a: Any, end_a: Any, kind_b: Any, start_b: Any, end_b: Any) -> bool:
    """True when two periods are the same: same kind, same first and last day."""
    if _text(kind_a) != _text(kind_b) or not _text(kind_a):
        return False
    sa, ea, sb, eb = _day(start_a), _day(end_a), _day(start_b), _day(end_b)
    return None not in (sa, ea, sb, eb) and sa == sb and ea == eb


def year_text(kind: Any, start: Any, end: Any, fallback: Any = "") -> str:
    """The year a period speaks for ("2015/16", "2016", "as at 31 Mar 2018"); ``fallback`` if undated."""
    s, e = _day(start), _day(end)
    if s is None or e is None or not _text(kind):
        return _text(fallback)
    return periods.year_label(str(kind), s, e)


def quartile(value: float, others: Iterable[float], polarity: str) -> int | None:
    """Quartile 1 (best) .. 4 (worst) of ``value`` among the other authorities' figures.

    ``others`` are the other authorities' values (our own excluded; blanks ignored). The
    quartile follows the rank: rank r of n is quartile ceil(4r/n). None for a "monitor" KPI,
    a blank value or no others.
    """
    place = rank(value, others, polarity)
    if place is None:
        return None
    position, total = place
    return max(1, min(4, math.ceil(4 * position / total)))


def rank(value: float, others: Iterable[float], polarity: str) -> tuple[int, int] | None:
    """(rank, out of): 1 is best; ties share the better rank. None for "monitor" or no others."""
    number = _num(value)
    rest = [n for n in (_num(o) for o in others) if n is not None]
    if number is None or not rest or polarity not in ("higher", "lower"):
        return None
    better = sum(1 for o in rest if (o > number if polarity == "higher" else o < number))
    return better + 1, len(rest) + 1


# --- benchmarks --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    source: Any
    note: Any
    kpi_unit: Any
    value: Any
    kpi_id: Any
    period_id: Any
    comparator: Any


def derive(raw: pd.DataFrame, ranges: pd.DataFrame | None = None) -> pd.DataFrame:
    """Add each benchmark's own unit, comparability with its KPI, year label and origin (pure).

    ``raw`` has the columns of BENCHMARK_SQL; ``ranges`` per (kpi_id, period_id) the lowest and
    highest authority figure (lo, hi) and how many there are (n), for the plausibility check.
    """
    if raw.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in BENCHMARK_COLUMNS})
    df = raw.copy()
    for col in ("period_start", "period_end"):
        df[col] = to_date(df[col])
    spans: dict[tuple[int, int], tuple[float, float, int]] = {}
    if ranges is not None and not ranges.empty:
        for r in ranges.itertuples(index=False):
            spans[(int(r.kpi_id), int(r.period_id))] = (float(r.lo), float(r.hi), int(r.n))
    units, labels, notes, origins, measures = [], [], [], [], []
    own_unit: dict[tuple[str, str, str, str], tuple[str, str, str, str | None]] = {}  # (source, note, kpi unit) ->
    cols = {c: df[c].tolist() for c in ("source", "note", "kpi_unit", "value", "kpi_id", "period_id", "comparator")}
    refs = df["ref"].tolist() if "ref" in df else [None] * len(df)
    for i in range(len(df)):
        r = _Row(*(cols[c][i] for c in ("source", "note", "kpi_unit", "value", "kpi_id", "period_id", "comparator")))
        cache_key = (_text(r.source), _text(r.note), _text(r.kpi_unit), _text(refs[i]))
        if cache_key not in own_unit:
            # A LAIT figure is in its measure's unit: named by the row's note, else the measure backing the KPI
            # (a figure re-imported from an export carries no note).
            code = (reference.lait_measure_code(r.note) or reference.lait_measure_of_kpi(refs[i])
                    if cache_key[0].upper() == "LAIT" else None)
            if code is not None:
                found = reference.unit_of_lait_measure(code) or ""
                own_unit[cache_key] = (found, reference.lait_unit_label(code) or found, "lait", code)
            else:
                own_unit[cache_key] = (cache_key[2], cache_key[2], "return", None)
        unit, label, origin, code = own_unit[cache_key]
        note = ""
        value = _num(r.value)
        span = spans.get((int(r.kpi_id), int(r.period_id)))
        if (
            origin == "lait"
            and not str(r.comparator).startswith(LA_PREFIX)
            and unit in AVERAGING_UNITS
            and span is not None
            and span[2] >= MIN_AUTHORITIES_FOR_RANGE
            and value is not None
            and not span[0] <= value <= span[1]
        ):
            note = (
                f"{r.comparator}'s figure ({value:,.0f}) lies outside every authority's figure that year "
                f"({span[0]:,.0f}–{span[1]:,.0f}), so it cannot be a {unit}; treated as a count and not compared"
            )
            unit, label = IMPLAUSIBLE_UNIT, IMPLAUSIBLE_UNIT
        units.append(unit)
        labels.append(label)
        notes.append(note)
        origins.append(origin)
        measures.append(code or "")
    df["unit"], df["unit_label"], df["unit_note"], df["origin"], df["lait_measure"] = (
        units, labels, notes, origins, measures,
    )
    df["comparable"] = [same_unit(k, u) for k, u in zip(cols["kpi_unit"], units, strict=True)]
    years: dict[tuple[Any, Any, Any, Any], str] = {}
    keys = list(zip(*(df[c].tolist() for c in ("period_kind", "period_start", "period_end", "year_printed")),
                    strict=True))
    for key in keys:
        if key not in years:
            years[key] = year_text(*key)
    df["year_label"] = [years[key] for key in keys]
    df["value"] = df["value"].astype(float)
    df["year_printed"] = [_text(y) for y in df["year_printed"].tolist()]
    df["source"] = [_text(s) for s in cols["source"]]
    return df[BENCHMARK_COLUMNS].reset_index(drop=True)


def benchmarks(engine: Engine, kpi_ref: str | None = None, include_las: bool = False) -> pd.DataFrame:
    """Every benchmark with its own unit, comparability with its KPI and the year it speaks for.

    Columns: BENCHMARK_COLUMNS. ``comparator`` is "England", a region ("London"),
    "Statistical neighbours" or, with ``include_las``, "LA:<code>" for each authority.
    """
    clauses = [] if include_las else ["b.comparator NOT LIKE 'LA:%'"]
    params: dict[str, Any] = {}
    if kpi_ref:
        clauses.append("k.ref = :ref")
        params["ref"] = kpi_ref
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    raw = frame(engine, BENCHMARK_SQL.format(where=where), params)
    ranges = frame(engine, RANGE_SQL) if not raw.empty else None
    return derive(raw, ranges)


def _bench_entry(row: Any) -> dict[str, Any]:
    return {
        "group": str(row.comparator),
        "value": float(row.value),
        "period": _text(row.year_label),
        "unit": _text(row.unit),
        "source": _text(row.source),
    }


def aligned(values: pd.DataFrame, bench: pd.DataFrame, groups: Iterable[str] | None = None) -> pd.DataFrame:
    """Each KPI value row with the benchmarks of exactly its period and in its unit (pure).

    ``values`` has the columns of lib.read.kpis.kpi_values (ref, unit, period_kind, period_start,
    period_end...); ``bench`` those of :func:`benchmarks`. Adds ``benchmarks``: a list of
    ``{group, value, period, unit, source}`` per row, JSON-ready (authority rows "LA:..." are
    left out; ``groups`` keeps only those comparators, e.g. England, our region and SN). A
    financial year containing a monthly value is not its period, so a monthly row gets none.
    """
    wanted = set(groups) if groups is not None else None
    out = values.copy()
    if out.empty:
        out["benchmarks"] = pd.Series(dtype=object)
        return out
    index: dict[tuple[str, str, dt.date | None, dt.date | None], list[dict[str, Any]]] = {}
    if bench is not None and not bench.empty:
        for b in bench.itertuples(index=False):
            if str(b.comparator).startswith(LA_PREFIX) or _num(b.value) is None:
                continue
            if wanted is not None and str(b.comparator) not in wanted:
                continue
            key = (str(b.ref), _text(b.period_kind), _day(b.period_start), _day(b.period_end))
            index.setdefault(key, []).append({**_bench_entry(b), "_unit": _text(b.unit)})
    lists = []
    for r in out.itertuples(index=False):
        start, end = _day(r.period_start), _day(r.period_end)
        hits = index.get((str(r.ref), _text(r.period_kind), start, end), []) if start and end else []
        unit = getattr(r, "unit", None)
        lists.append([{k: v for k, v in h.items() if k != "_unit"} for h in hits if same_unit(unit, h["_unit"])])
    out["benchmarks"] = lists
    return out


# --- summary -----------------------------------------------------------------------------------

PeriodKey = tuple[str, dt.date | None, dt.date | None]


def _key(kind: Any, start: Any, end: Any) -> PeriodKey:
    return _text(kind), _day(start), _day(end)


@dataclass(frozen=True)
class _Figure:
    """One comparator figure as the summary shows it."""

    value: float
    year: str
    source: str
    same: bool
    end: dt.date | None
    origin: str = "return"


@dataclass
class _Year:
    """Every authority's figure for one KPI in one period."""

    key: PeriodKey
    year: str
    figures: dict[str, float]


_SUMMARY_INPUT = ["ref", "comparator", "value", "period_kind", "period_start", "period_end", "year_label", "source",
                  "origin", "comparable"]  # fmt: skip


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows the summary reads, as plain dicts (only its columns: converting is the slow part)."""
    if df is None or df.empty:
        return []
    cols = [c for c in _SUMMARY_INPUT if c in df.columns]
    return [dict(zip(cols, row, strict=True)) for row in zip(*(df[c].tolist() for c in cols), strict=True)]


def _neighbour_set(neighbours: Mapping[str, list[str]], end: dt.date | None) -> tuple[str, list[str]] | None:
    """The statistical-neighbour set to average for a period: the newest set named no later than
    the period's year, else the oldest given. :func:`summary` passes only the set the authorities
    read model uses (the latest), as LAIT does for every year."""
    sets = sorted((name, codes) for name, codes in neighbours.items() if codes)
    if not sets:
        return None
    usable = [s for s in sets if end is not None and s[0][:4].isdigit() and int(s[0][:4]) <= end.year]
    return usable[-1] if usable else sets[0]


def _sn_mean(year: _Year, neighbours: Mapping[str, list[str]], same: bool) -> _Figure | None:
    """Mean of the statistical neighbours' own LAIT figures for one period."""
    chosen = _neighbour_set(neighbours, year.key[2])
    if chosen is None:
        return None
    name, codes = chosen
    found = [year.figures[f"{LA_PREFIX}{c}"] for c in codes if f"{LA_PREFIX}{c}" in year.figures]
    if not found or len(found) < min(MIN_NEIGHBOURS, len(codes)):
        return None
    source = f"LAIT, mean of {len(found)} of {len(codes)} statistical neighbours ({name} set)"
    return _Figure(sum(found) / len(found), year.year, source, same, year.key[2], "lait")


def _available(start: Any, end: Any, key: PeriodKey) -> bool:
    """A benchmark period that began by the value's own period end (the same year, overlapping or earlier).

    A benchmark of a later year is never set beside an older value.
    """
    return end is not None and (key[2] is None or (start or end) <= key[2])


def _comparator_figure(rows: list[dict[str, Any]], key: PeriodKey) -> _Figure | None:
    """The figure of the value's own period, else the latest one ending by the value's period end; a
    return's own figure is preferred to LAIT's for the same period."""
    if not rows:
        return None
    same = [r for r in rows if r["_key"] == key and None not in key]
    if same:
        pool = same
    else:
        dated = [r for r in rows if _available(r["_key"][1], r["_key"][2], key)]
        if not dated:
            return None
        last = max(r["_key"][2] for r in dated)
        pool = [r for r in dated if r["_key"][2] == last]
    row = sorted(pool, key=lambda r: 0 if r["origin"] == "return" else 1)[0]
    return _Figure(float(row["value"]), _text(row["year_label"]), _text(row["source"]), bool(same),
                   row["_key"][2], str(row["origin"]))


def _years(las: list[dict[str, Any]]) -> dict[PeriodKey, _Year]:
    years: dict[PeriodKey, _Year] = {}
    for r in las:
        value = _num(r["value"])
        if value is None:
            continue
        year = years.setdefault(r["_key"], _Year(r["_key"], _text(r["year_label"]), {}))
        year.figures[str(r["comparator"])] = value
    return years


def _sn_figure(
    years: dict[PeriodKey, _Year], neighbours: Mapping[str, list[str]], key: PeriodKey, printed: _Figure | None
) -> _Figure | None:
    """A statistical-neighbour mean from LAIT: of the value's own period, else of the latest LAIT
    year that has one, and then only when it is later than the printed figure it would replace."""
    if key in years and None not in key:
        same = _sn_mean(years[key], neighbours, True)
        if same is not None:
            return same
    for year in sorted(years.values(), key=lambda y: y.key[2] or dt.date.min, reverse=True):
        if not _available(year.key[1], year.key[2], key):
            continue
        if printed is not None and printed.end is not None and year.key[2] is not None and printed.end >= year.key[2]:
            return None
        mean = _sn_mean(year, neighbours, False)
        if mean is not None:
            return mean
    return None


def _ranking(
    years: dict[PeriodKey, _Year], ours: str, shown: float | None, polarity: str, key: PeriodKey
) -> dict[str, Any]:
    """Quartile and rank among all authorities: our shown value within its own period when
    LAIT has that period, else our own LAIT figure in the latest LAIT year that holds it."""
    if polarity not in ("higher", "lower") or not years:
        return {}
    own = years.get(key) if None not in key else None
    if own is not None and (shown is not None or ours in own.figures):
        value = shown if shown is not None else own.figures[ours]
        basis, note, year = ("our value" if shown is not None else "our LAIT figure"), own.year, own
    else:
        with_us = [y for y in years.values() if ours in y.figures and _available(y.key[1], y.key[2], key)]
        if not with_us:
            return {}
        year = max(with_us, key=lambda y: y.key[2] or dt.date.min)
        joiner = " " if year.year.startswith("as at") else " for "
        value, basis, note = year.figures[ours], "our LAIT figure", f"our LAIT figure{joiner}{year.year}"
    others = [v for code, v in year.figures.items() if code != ours]
    place = rank(value, others, polarity)
    if place is None:
        return {}
    out: dict[str, Any] = {
        "rank": place[0], "rank_of": place[1], "quartile": quartile(value, others, polarity),
        "quartile_year": year.year, "quartile_basis": basis, "quartile_note": note,
    }  # fmt: skip
    if ours in year.figures:
        out["la_value"], out["la_year"] = year.figures[ours], year.year
    return out


def summarise(
    values: pd.DataFrame,
    published: pd.DataFrame,
    las: pd.DataFrame,
    *,
    la_code: str,
    region: str | None = None,
    neighbours: Mapping[str, list[str]] | None = None,
) -> pd.DataFrame:
    """The benchmark summary of each shown value (pure; see :func:`summary` for the columns).

    ``values``: one row per shown KPI value (ref, unit, polarity, value, period_kind,
    period_start, period_end, period). ``published``: non-authority rows of :func:`benchmarks`.
    ``las``: "LA:<code>" rows of :func:`benchmarks` for the periods that matter (at least the
    values' periods and the latest year holding our authority). Only rows whose unit is their
    KPI's (``comparable``) are used.
    """
    neighbours = neighbours or {}
    if values is None or values.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in SUMMARY_COLUMNS})
    pub_by: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in _records(published):
        if bool(r.get("comparable")) and _num(r["value"]) is not None:
            r["_key"] = _key(r["period_kind"], r["period_start"], r["period_end"])
            pub_by.setdefault((str(r["ref"]), str(r["comparator"])), []).append(r)
    las_by: dict[str, list[dict[str, Any]]] = {}
    for r in _records(las):
        if bool(r.get("comparable")):
            r["_key"] = _key(r["period_kind"], r["period_start"], r["period_end"])
            las_by.setdefault(str(r["ref"]), []).append(r)
    years_by = {ref: _years(rows) for ref, rows in las_by.items()}
    ours = f"{LA_PREFIX}{la_code}"
    names = {"england": ENGLAND, "region": _text(region), "sn": SN}
    out = []
    for v in values.to_dict("records"):
        ref = str(v.get("ref"))
        key = _key(v.get("period_kind"), v.get("period_start"), v.get("period_end"))
        shown = _num(v.get("value"))
        rec: dict[str, Any] = dict.fromkeys(SUMMARY_COLUMNS)
        rec.update(
            ref=ref, kpi_id=v.get("kpi_id"), value=shown, unit=_text(v.get("unit")), period=_text(v.get("period")),
            period_kind=key[0], period_start=key[1], period_end=key[2],
            year_label=year_text(*key, fallback=v.get("period")), region_name=_text(region) or None,
        )  # fmt: skip
        years = years_by.get(ref, {})
        for col, comparator in names.items():
            if not comparator:
                continue
            figure = _comparator_figure(pub_by.get((ref, comparator), []), key)
            if col == "sn" and (figure is None or not figure.same) and years:
                figure = _sn_figure(years, neighbours, key, figure) or figure
            if figure is None:
                continue
            rec[col], rec[f"{col}_year"], rec[f"{col}_source"] = figure.value, figure.year, figure.source
            rec[f"{col}_same_period"] = figure.same
            rec[f"{col}_note"] = figure.year if figure.same else f"latest available: {figure.year}"
        rec.update(_ranking(years, ours, shown, _text(v.get("polarity")) or "monitor", key))
        out.append(rec)
    df = pd.DataFrame(out, columns=SUMMARY_COLUMNS)
    for col in COMPARATORS:  # True / False / None as Python objects, whatever the rows hold
        df[f"{col}_same_period"] = pd.Series([None if x is None else bool(x) for x in df[f"{col}_same_period"]],
                                             index=df.index, dtype=object)
    return df


def _la_rows(engine: Engine, kpi_ids: list[int], period_ids: list[int], ours: str,
             ends: Mapping[int, dt.date | None] | None = None, until: dt.date | None = None) -> pd.DataFrame:
    """Authority rows for the given periods plus, per KPI, the latest year holding our authority that ends
    by that KPI's shown period end (``ends``) and every earlier year holding us (for the SN mean)."""
    if not kpi_ids:
        return derive(pd.DataFrame())
    kpi_clause, kpi_params = in_clause("b.kpi_id", [str(k) for k in kpi_ids], "k")
    kpi_params = {k: int(v) for k, v in kpi_params.items()}
    latest = frame(
        engine,
        "SELECT b.kpi_id, b.period_id, p.start_date, p.end_date FROM benchmark b JOIN period p ON p.id = b.period_id "
        f"WHERE b.comparator = :ours AND {kpi_clause}",
        {"ours": ours, **kpi_params},
    )
    wanted = set(period_ids)
    if not latest.empty:
        latest["end_date"] = to_date(latest["end_date"])
        latest["start_date"] = to_date(latest["start_date"])
        for kpi, group in latest.groupby("kpi_id"):
            end = (ends or {}).get(int(kpi))
            usable = group[[d is not None and (end is None or (b or d) <= end) and (until is None or d <= until)
                            for b, d in zip(group["start_date"], group["end_date"], strict=True)]]
            if usable.empty:
                continue
            last = max(usable["end_date"])
            wanted |= {int(p) for p in usable[usable["end_date"] == last]["period_id"]}
    if not wanted:
        return derive(pd.DataFrame())
    per_clause, per_params = in_clause("b.period_id", [str(p) for p in sorted(wanted)], "q")
    params: dict[str, Any] = {**kpi_params, **{k: int(v) for k, v in per_params.items()}}
    where = f"WHERE b.comparator LIKE 'LA:%' AND {kpi_clause} AND {per_clause}"
    return derive(frame(engine, BENCHMARK_SQL.format(where=where), params))  # no range check for authorities


def _period_ids(engine: Engine, values: pd.DataFrame) -> list[int]:
    """The stored period ids of the shown values' periods."""
    if values.empty:
        return []
    stored = frame(engine, "SELECT id, kind, start_date, end_date FROM period")
    if stored.empty:
        return []
    stored["start_date"], stored["end_date"] = to_date(stored["start_date"]), to_date(stored["end_date"])
    keyed = stored[["id", "kind", "start_date", "end_date"]].itertuples(index=False)
    by_key = {(k, s, e): int(i) for i, k, s, e in keyed}
    ids = {
        by_key.get((_text(k), _day(s), _day(e)))
        for k, s, e in zip(values["period_kind"], values["period_start"], values["period_end"], strict=True)
    }
    return sorted(i for i in ids if i is not None)


def published_by(bench: pd.DataFrame, until: dt.date | None) -> pd.DataFrame:
    """The benchmarks whose period had ended by ``until`` (the data's as-at date): what a reader then could know."""
    if until is None or bench.empty:
        return bench
    return bench[[not pd.isna(e) and e <= until for e in bench["period_end"]]]


def summary(engine: Engine, la_code: str, latest_values: pd.DataFrame, as_at: dt.date | None = None) -> pd.DataFrame:
    """Per shown KPI value: England, our region and statistical neighbours, quartile and rank.

    Columns (SUMMARY_COLUMNS): for each of ``england``, ``region`` (``region_name`` says which)
    and ``sn``: the figure, ``_year`` ("2015/16"), ``_source``, ``_same_period`` and ``_note``
    (the year, or "latest available: 2016/17": the latest begun by the value's period end).
    ``quartile`` (1 best), ``rank`` of ``rank_of``,
    ``quartile_year``, ``quartile_basis`` ("our value" compared within its own period, or "our
    LAIT figure" of the latest LAIT year), ``quartile_note``; ``la_value``/``la_year``: our own
    LAIT figure used or matching. No figure in a unit other than the KPI's is ever used.
    """
    if latest_values is None or latest_values.empty:
        return summarise(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), la_code=la_code)
    until = as_at or base_as_at(engine)
    published = published_by(benchmarks(engine), until)
    kpi_ids = sorted({int(k) for k in latest_values["kpi_id"].dropna()}) if "kpi_id" in latest_values else []
    ends = {int(k): e for k, e in zip(latest_values["kpi_id"], latest_values["period_end"], strict=True)
            if not pd.isna(k)} if "kpi_id" in latest_values else {}
    las = published_by(_la_rows(engine, kpi_ids, _period_ids(engine, latest_values), f"{LA_PREFIX}{la_code}", ends,
                                until), until)
    region_name = authorities.region_of(engine, la_code) or ""
    chosen = authorities.neighbour_set(engine, la_code)
    codes = authorities.neighbours(engine, la_code)
    neighbours = {chosen: codes} if chosen and codes else {}
    return summarise(latest_values, published, las, la_code=la_code, region=region_name or None, neighbours=neighbours)


# --- text --------------------------------------------------------------------------------------


def _field(row: Any, name: str) -> Any:
    if isinstance(row, Mapping):
        return row.get(name)
    if isinstance(row, pd.Series):
        return row.get(name)
    return getattr(row, name, None)


def benchmark_cell(summary_row: Any, unit: Any, decimals: Any = 1) -> str:
    """The scorecard's "Benchmarks" cell as plain text, every figure with its year:

    "England 48.5 (2015/16) · London 51.9 (2015/16) · SN 53.0 (2015/16) · quartile 1 (2015/16, rank 9 of 152)".
    A figure of another period says "latest available: <year>". "—" when there is nothing;
    never "nan" or "None".
    """
    if summary_row is None:
        return "—"
    parts = []
    region = _text(_field(summary_row, "region_name")) or "Region"
    for col, label in (("england", "England"), ("region", region), ("sn", "SN")):
        value = _num(_field(summary_row, col))
        if value is None:
            continue
        shown = format_value(value, _text(unit) or None, 1 if _blank(decimals) else decimals)
        note = _text(_field(summary_row, f"{col}_note")) or _text(_field(summary_row, f"{col}_year"))
        parts.append(f"{label} {shown}" + (f" ({note})" if note else ""))
    quart = _num(_field(summary_row, "quartile"))
    if quart is not None:
        note = _text(_field(summary_row, "quartile_note")) or _text(_field(summary_row, "quartile_year"))
        place, total = _num(_field(summary_row, "rank")), _num(_field(summary_row, "rank_of"))
        extra = [note] if note else []
        if place is not None and total is not None:
            extra.append(f"rank {int(place)} of {int(total)}")
        parts.append(f"quartile {int(quart)}" + (f" ({', '.join(extra)})" if extra else ""))
    return " · ".join(parts) if parts else "—"
