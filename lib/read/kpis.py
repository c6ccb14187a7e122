"""KPIs: every stored value with its derived RAG, direction of travel and mismatch flag.

Derived figures are computed from the stored facts with the pure rules in :mod:`lib.rag`;
nothing derived is stored over a reported value, so a change of rule or tolerance shows at
once. The scorecard, the board, the packs, what-changed and the command line read here.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Engine

from lib import formatting, rag, vocab
from lib.read import base

KPI_VALUES_SQL = """
SELECT k.id AS kpi_id, k.ref, k.name, k.theme, k.kpi_type, k.owner, k.unit, k.polarity,
       k.rag_rule, k.amber_tolerance, k.decimals, k.frequency,
       a.la_code, a.name AS authority,
       p.label AS period, p.kind AS period_kind, p.start_date AS period_start, p.end_date AS period_end,
       v.id AS value_id, v.value, v.value_text, v.missing_reason, v.target, v.target_text,
       v.rag_reported AS reported_rag, v.rag_reported_text, v.commentary, v.source,
       v.upload_id, v.source_sheet, v.source_cell
FROM kpi_value v
JOIN kpi k ON k.id = v.kpi_id
JOIN period p ON p.id = v.period_id
JOIN authority a ON a.la_code = v.authority_code
{where}
ORDER BY k.id, a.la_code, p.end_date, p.start_date
"""
TARGETS_SQL = """
SELECT t.kpi_id, t.authority_code, t.period_kind, t.start_date, t.end_date, t.label, t.target, t.target_text
FROM kpi_target t ORDER BY t.kpi_id, t.start_date
"""
ANY_AUTHORITY = "*"
YEAR_KINDS = ("academic_year", "financial_year", "calendar_year")
DERIVED_COLUMNS = ("previous", "previous_period", "rag_level", "rag", "rag_reason", "direction", "rag_mismatch")


def _number(value: Any) -> float | None:
    return None if formatting.is_blank(value) else float(value)


def add_derived_kpi_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Previous value, derived RAG (level, band, reason), direction and mismatch flag, per KPI and authority."""
    df = df.copy()
    if df.empty:
        for col in DERIVED_COLUMNS:
            df[col] = pd.Series(dtype=object)
        return df
    df["previous"] = df.groupby(["kpi_id", "la_code"])["value"].shift(1)
    df["previous_period"] = df.groupby(["kpi_id", "la_code"])["period"].shift(1)
    levels, bands, reasons, directions, mismatches = [], [], [], [], []
    for row in df.itertuples(index=False):
        value, target, previous = _number(row.value), _number(row.target), _number(row.previous)
        result = rag.kpi_rag(
            value, target, row.polarity, rule=row.rag_rule, tolerance_pct=float(row.amber_tolerance),
            previous=previous, target_is_text=target is None and bool(formatting.text(row.target_text)),
        )
        levels.append(result.level)
        bands.append(result.band)
        reasons.append(result.reason)
        directions.append(rag.direction(value, previous, row.polarity))
        mismatches.append(rag.rag_mismatch(result, row.reported_rag if isinstance(row.reported_rag, str) else None))
    df["rag_level"], df["rag"], df["rag_reason"] = levels, bands, reasons
    df["direction"], df["rag_mismatch"] = directions, mismatches
    return df


def targets(engine: Engine) -> pd.DataFrame:
    """Every KPI's targets by year or month (target tables such as the Education Strategy's)."""
    df = base.frame(engine, TARGETS_SQL)
    for col in ("start_date", "end_date"):
        df[col] = base.to_date(df[col])
    return df


def apply_targets(values: pd.DataFrame, by_period: pd.DataFrame) -> pd.DataFrame:
    """The one rule for the target a value is judged against, in ``target_source``.

    The value's own target, as its return reported it, comes first ("return"). Otherwise the
    target whose year or month holds the value's period end ("2017/18 target") — for a yearly value
    only a target of the same kind of year (a school year's result is never judged against a
    financial year's target); same kind first, the authority's own before one for every authority.
    A value with neither has no target (None).
    """
    df = values.copy()
    own = df["target"].notna() | df["target_text"].map(lambda t: bool(formatting.text(t)))
    df["target_source"] = pd.Series(["return" if o else None for o in own], index=df.index, dtype=object)
    if by_period.empty or own.all():
        return df
    table: dict[int, list[Any]] = {}
    for t in by_period.itertuples(index=False):
        table.setdefault(int(t.kpi_id), []).append(t)
    for i in df.index[~own]:
        row = df.loc[i]
        yearly = row["period_kind"] in YEAR_KINDS
        options = [t for t in table.get(int(row["kpi_id"]), ())
                   if t.authority_code in (row["la_code"], ANY_AUTHORITY) and t.start_date <= row["period_end"]
                   <= t.end_date and (not yearly or t.period_kind == row["period_kind"])]
        if not options:
            continue
        best = min(options, key=lambda t: (t.period_kind != row["period_kind"], t.authority_code == ANY_AUTHORITY))
        df.at[i, "target"] = best.target
        df.at[i, "target_text"] = best.target_text
        df.at[i, "target_source"] = f"{best.label} target"
    return df


def kpi_values(engine: Engine, la_code: str | None = None, kpi_ref: str | None = None) -> pd.DataFrame:
    """Every stored KPI value (of one authority, of one KPI) with its derived RAG and direction."""
    clauses, params = [], {}
    if la_code:
        clauses.append("v.authority_code = :la")
        params["la"] = la_code
    if kpi_ref:
        clauses.append("k.ref = :ref")
        params["ref"] = kpi_ref
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    df = base.frame(engine, KPI_VALUES_SQL.format(where=where), params)
    for col in ("period_start", "period_end"):
        df[col] = base.to_date(df[col])
    return add_derived_kpi_columns(apply_targets(df, targets(engine)))


def latest_of(values: pd.DataFrame) -> pd.DataFrame:
    """One row per KPI (and authority): its latest stored period."""
    if values.empty:
        return values
    return values.groupby(["kpi_id", "la_code"], sort=False).tail(1).reset_index(drop=True)


def latest_kpis(engine: Engine, la_code: str | None = None) -> pd.DataFrame:
    """The scorecard: one row per KPI, its latest period for the authority."""
    return latest_of(kpi_values(engine, la_code or base.our_authority(engine)))


def kpis(engine: Engine) -> pd.DataFrame:
    """Every KPI's definition."""
    return base.frame(
        engine,
        "SELECT id AS kpi_id, ref, name, theme, kpi_type, unit, polarity, polarity_reported, rag_rule, "
        "amber_tolerance, owner, frequency, decimals, description FROM kpi ORDER BY id",
    )


def kpi_summary(latest: pd.DataFrame) -> dict[str, int]:
    """Headline counts of the scorecard by derived RAG band (overview, board and packs show these)."""
    counts = vocab.rag_counts(latest["rag"] if len(latest) else [])
    return {**counts, "total": len(latest)}


def kpi_filter(
    df: pd.DataFrame,
    *,
    themes: list[str] | None = None,
    owners: list[str] | None = None,
    rags: list[str] | None = None,
    refs: list[str] | None = None,
) -> pd.DataFrame:
    """The scorecard's, the packs' and the command line's one KPI filter."""
    mask = pd.Series(True, index=df.index)
    if themes:
        mask &= df["theme"].isin(themes)
    if owners:
        mask &= df["owner"].isin(owners)
    if rags:
        mask &= pd.Series([(vocab.rag_band(r) or "none") in rags for r in df["rag"]], index=df.index)
    if refs:
        mask &= df["ref"].isin(refs)
    return df[mask]
