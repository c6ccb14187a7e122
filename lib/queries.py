"""The views the pages, the command line and the exports need, as pandas DataFrames.

Derived RAG, direction of travel and action flags are computed here from the stored
facts with the pure rules in :mod:`lib.rag`; nothing derived is stored, so a change of
rule or tolerance shows at once and reported values are never overwritten.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Engine, text

from lib import config, rag, vocab

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


def _frame(engine: Engine, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(text(sql), conn, params=params or {})


def _to_date(series: pd.Series) -> pd.Series:
    """ISO strings or timestamps to ``datetime.date`` objects, with None (never NaT) for blanks."""
    converted = pd.to_datetime(series)
    dates = converted.dt.date.astype(object)
    return dates.where(converted.notna(), None)


def our_authority(engine: Engine) -> str:
    with engine.connect() as conn:
        value = conn.execute(text("SELECT value FROM setting WHERE key = 'authority'")).scalar()
    return str(value) if value else config.DEFAULT_AUTHORITY


def authority_name(engine: Engine, la_code: str) -> str:
    with engine.connect() as conn:
        value = conn.execute(text("SELECT name FROM authority WHERE la_code = :c"), {"c": la_code}).scalar()
    return str(value) if value else la_code


def _is_text_target(target: Any, target_text: Any) -> bool:
    if target is not None and not pd.isna(target):
        return False
    if target_text is None or (isinstance(target_text, float) and pd.isna(target_text)):
        return False
    return bool(str(target_text).strip())


def _num(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return float(value)


def add_derived_kpi_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Previous value, derived RAG (level, band, reason), direction and mismatch flag."""
    if df.empty:
        for col in ("previous", "rag_level", "rag", "rag_reason", "direction", "rag_mismatch"):
            df[col] = pd.Series(dtype=object)
        return df
    df = df.copy()
    df["previous"] = df.groupby(["kpi_id", "la_code"])["value"].shift(1)
    df["previous_period"] = df.groupby(["kpi_id", "la_code"])["period"].shift(1)
    levels, bands, reasons, directions, mismatches = [], [], [], [], []
    for row in df.itertuples(index=False):
        value, target, previous = _num(row.value), _num(row.target), _num(row.previous)
        result = rag.kpi_rag(
            value,
            target,
            row.polarity,
            rule=row.rag_rule,
            tolerance_pct=float(row.amber_tolerance),
            previous=previous,
            target_is_text=_is_text_target(row.target, row.target_text),
        )
        levels.append(result.level)
        bands.append(result.band)
        reasons.append(result.reason)
        directions.append(rag.direction(value, previous, row.polarity))
        reported = row.reported_rag if isinstance(row.reported_rag, str) else None
        mismatches.append(rag.rag_mismatch(result, reported))
    df["rag_level"] = levels
    df["rag"] = bands
    df["rag_reason"] = reasons
    df["direction"] = directions
    df["rag_mismatch"] = mismatches
    return df


def kpi_values(engine: Engine, la_code: str | None = None, kpi_ref: str | None = None) -> pd.DataFrame:
    """Every stored KPI value with its derived RAG and direction of travel."""
    clauses, params = [], {}
    if la_code:
        clauses.append("v.authority_code = :la")
        params["la"] = la_code
    if kpi_ref:
        clauses.append("k.ref = :ref")
        params["ref"] = kpi_ref
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    df = _frame(engine, KPI_VALUES_SQL.format(where=where), params)
    for col in ("period_start", "period_end"):
        df[col] = _to_date(df[col])
    return add_derived_kpi_columns(df)


def latest_kpis(engine: Engine, la_code: str | None = None) -> pd.DataFrame:
    """One row per KPI: its latest period for the authority (the scorecard)."""
    la_code = la_code or our_authority(engine)
    df = kpi_values(engine, la_code)
    if df.empty:
        return df
    return df.groupby("kpi_id", sort=False).tail(1).reset_index(drop=True)


def kpis(engine: Engine) -> pd.DataFrame:
    return _frame(
        engine,
        "SELECT id AS kpi_id, ref, name, theme, kpi_type, unit, polarity, polarity_reported, rag_rule, "
        "amber_tolerance, owner, frequency, decimals, description FROM kpi ORDER BY id",
    )


def benchmarks(engine: Engine, kpi_ref: str | None = None, include_las: bool = False) -> pd.DataFrame:
    where = [] if include_las else ["b.comparator NOT LIKE 'LA:%'"]
    params: dict[str, Any] = {}
    if kpi_ref:
        where.append("k.ref = :ref")
        params["ref"] = kpi_ref
    sql = (
        "SELECT k.ref, b.comparator, b.value, b.year_label, b.source, p.kind AS period_kind, "
        "p.start_date AS period_start, p.end_date AS period_end, p.label AS period "
        "FROM benchmark b JOIN kpi k ON k.id = b.kpi_id JOIN period p ON p.id = b.period_id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY k.id, p.end_date, b.comparator"
    )
    df = _frame(engine, sql, params)
    for col in ("period_start", "period_end"):
        df[col] = _to_date(df[col])
    return df


# --- actions -----------------------------------------------------------------------------

ACTIONS_SQL = """
SELECT a.id AS action_id, pl.code AS plan, pl.title AS plan_title, a.ref, a.position, a.title, a.description,
       a.lead_officer, a.due_date AS due, a.due_text, a.horizon, a.oversight, a.success_measures,
       a.applies_to_all, o.code AS objective_code, o.title AS objective
FROM action a
JOIN plan pl ON pl.id = a.plan_id
LEFT JOIN objective o ON o.id = a.objective_id
ORDER BY pl.id, a.position
"""

LINKS_SQL = """
SELECT ar.action_id, r.number
FROM action_recommendation ar JOIN recommendation r ON r.id = ar.recommendation_id
ORDER BY ar.action_id, r.position
"""

UPDATES_SQL = """
SELECT u.id AS update_id, u.action_id, u.period_end, u.period_label, u.status, u.status_reported, u.rag,
       u.rag_reported, u.commentary, u.reported_by, u.upload_id, u.source_sheet, u.source_cell
FROM action_update u
ORDER BY u.action_id, u.period_end
"""


def action_updates(engine: Engine, action_id: int | None = None) -> pd.DataFrame:
    sql = UPDATES_SQL
    params: dict[str, Any] = {}
    if action_id is not None:
        sql = sql.replace("ORDER BY", "WHERE u.action_id = :aid ORDER BY")
        params["aid"] = action_id
    df = _frame(engine, sql, params)
    df["period_end"] = _to_date(df["period_end"])
    return df


def as_at_date(engine: Engine) -> dt.date:
    """The date the data speaks for: the latest reporting period end of our authority."""
    la = our_authority(engine)
    with engine.connect() as conn:
        latest_update = conn.execute(text("SELECT MAX(period_end) FROM action_update")).scalar()
        latest_value = conn.execute(
            text(
                "SELECT MAX(p.end_date) FROM kpi_value v JOIN period p ON p.id = v.period_id "
                "WHERE v.authority_code = :la AND p.kind = 'month'"
            ),
            {"la": la},
        ).scalar()
    dates = [pd.Timestamp(d).date() for d in (latest_update, latest_value) if d is not None]
    return max(dates) if dates else dt.date.today()


def actions(engine: Engine, as_at: dt.date | None = None) -> pd.DataFrame:
    """One row per action: links, latest reported status/RAG/commentary, flags."""
    as_at = as_at or as_at_date(engine)
    df = _frame(engine, ACTIONS_SQL)
    df["due"] = _to_date(df["due"])
    df["applies_to_all"] = df["applies_to_all"].astype(bool)
    links = _frame(engine, LINKS_SQL)
    by_action: dict[int, list[str]] = {}
    for row in links.itertuples(index=False):
        by_action.setdefault(int(row.action_id), []).append(str(row.number))
    df["recommendations"] = [
        (["ALL"] if all_flag else []) + by_action.get(int(aid), [])
        for aid, all_flag in zip(df["action_id"], df["applies_to_all"], strict=True)
    ]
    updates = action_updates(engine)
    updates = updates[updates["period_end"] <= as_at] if not updates.empty else updates
    counts = updates.groupby("action_id").size() if not updates.empty else pd.Series(dtype=int)
    latest = updates.groupby("action_id").tail(1).set_index("action_id") if not updates.empty else None
    df["updates"] = [int(counts.get(aid, 0)) for aid in df["action_id"]]
    cols = ("status", "rag", "rag_reported", "status_reported", "commentary", "period_end", "reported_by")
    for col in cols:
        src = latest[col] if latest is not None else {}
        df[f"latest_{col}" if col not in ("status", "rag") else col] = [
            (src.get(aid) if hasattr(src, "get") else None) for aid in df["action_id"]
        ]
    df["status"] = [s if isinstance(s, str) else "not_started" for s in df["status"]]
    df["rag"] = [r if isinstance(r, str) else None for r in df["rag"]]
    flags = [
        rag.action_flags(due, status, r, as_at)
        for due, status, r in zip(df["due"], df["status"], df["rag"], strict=True)
    ]
    df["overdue"] = [f.overdue for f in flags]
    df["green_but_overdue"] = [f.green_but_overdue for f in flags]
    df["awaiting_signoff"] = [f.awaiting_signoff for f in flags]
    df["days_overdue"] = [f.days_overdue for f in flags]
    df["status_label"] = df["status"].map(vocab.STATUS_LABELS)
    df["rag_label"] = [vocab.RAG_LABELS.get(r, "Not reported") if r else "Not reported" for r in df["rag"]]
    return df


# --- inspections ---------------------------------------------------------------------------

JUDGEMENTS_SQL = """
SELECT a.name AS authority, a.la_code, a.region, i.id AS inspection_id, i.framework_code AS framework,
       f.short AS framework_label, i.body, i.inspection_type, i.start_date AS inspection_start,
       i.end_date AS inspection_end, i.published_date, j.id AS judgement_id, j.parent_id, j.position,
       j.section, j.area, j.area_key, ja.area_label, ja.sort AS area_sort, j.grade, j.score, j.source
FROM judgement j
JOIN inspection i ON i.id = j.inspection_id
JOIN authority a ON a.la_code = i.authority_code
JOIN framework f ON f.code = i.framework_code
LEFT JOIN judgement_area ja ON ja.framework_code = i.framework_code AND ja.area_key = j.area_key
     AND ja.area_pattern = (SELECT MIN(area_pattern) FROM judgement_area x
                            WHERE x.framework_code = i.framework_code AND x.area_key = j.area_key)
{where}
ORDER BY a.name, i.start_date, i.id, j.position
"""


def judgements(engine: Engine, la_codes: list[str] | None = None) -> pd.DataFrame:
    params: dict[str, Any] = {}
    where = ""
    if la_codes:
        names = [f"la{i}" for i in range(len(la_codes))]
        where = "WHERE a.la_code IN (" + ", ".join(f":{n}" for n in names) + ")"
        params = dict(zip(names, la_codes, strict=True))
    df = _frame(engine, JUDGEMENTS_SQL.format(where=where), params)
    for col in ("inspection_start", "inspection_end", "published_date"):
        df[col] = _to_date(df[col])
    df["score"] = df["score"].astype("Int64")
    return df


def inspections(engine: Engine, la_codes: list[str] | None = None) -> pd.DataFrame:
    params: dict[str, Any] = {}
    where = ""
    if la_codes:
        names = [f"la{i}" for i in range(len(la_codes))]
        where = "WHERE a.la_code IN (" + ", ".join(f":{n}" for n in names) + ")"
        params = dict(zip(names, la_codes, strict=True))
    sql = (
        "SELECT i.id AS inspection_id, a.name AS authority, a.la_code, i.framework_code AS framework, "
        "f.short AS framework_label, f.graded, i.body, i.title, i.inspection_type, i.start_date, i.end_date, "
        "i.published_date, i.source, i.note FROM inspection i JOIN authority a ON a.la_code = i.authority_code "
        f"JOIN framework f ON f.code = i.framework_code {where} ORDER BY a.name, i.start_date"
    )
    df = _frame(engine, sql, params)
    for col in ("start_date", "end_date", "published_date"):
        df[col] = _to_date(df[col])
    return df


def recommendations(engine: Engine, la_code: str | None = None) -> pd.DataFrame:
    """Every recommendation with the inspection it came from and the actions answering it."""
    params: dict[str, Any] = {}
    where = ""
    if la_code:
        where = "WHERE i.authority_code = :la"
        params["la"] = la_code
    sql = (
        "SELECT r.id AS recommendation_id, i.id AS inspection_id, a.name AS authority, "
        "i.framework_code AS framework, i.start_date AS inspection_start, i.body, r.number, r.position, "
        "r.text, r.timeframe, r.addressed_to, r.kind, r.source "
        "FROM recommendation r JOIN inspection i ON i.id = r.inspection_id "
        f"JOIN authority a ON a.la_code = i.authority_code {where} ORDER BY i.start_date, r.position"
    )
    df = _frame(engine, sql, params)
    df["inspection_start"] = _to_date(df["inspection_start"])
    links = _frame(
        engine,
        "SELECT ar.recommendation_id, a.ref, pl.code AS plan FROM action_recommendation ar "
        "JOIN action a ON a.id = ar.action_id JOIN plan pl ON pl.id = a.plan_id ORDER BY a.position",
    )
    by_rec: dict[int, list[str]] = {}
    for row in links.itertuples(index=False):
        by_rec.setdefault(int(row.recommendation_id), []).append(str(row.ref))
    df["actions"] = [by_rec.get(int(rid), []) for rid in df["recommendation_id"]]
    return df


# --- overview ------------------------------------------------------------------------------------


def _previous_month_end(day: dt.date) -> dt.date:
    return day.replace(day=1) - dt.timedelta(days=1)


def attention(engine: Engine, as_at: dt.date | None = None) -> dict[str, pd.DataFrame]:
    """Items needing attention this month, each a small frame the overview lists and links."""
    as_at = as_at or as_at_date(engine)
    prev_end = _previous_month_end(as_at)
    acts = actions(engine, as_at)
    updates = action_updates(engine)
    if not updates.empty:
        updates = updates[updates["period_end"] <= as_at]
    prev_rag: dict[int, str | None] = {}
    if not updates.empty:
        earlier = updates[updates["period_end"] <= prev_end].groupby("action_id").tail(1)
        prev_rag = {int(r.action_id): r.rag for r in earlier.itertuples(index=False)}
    latest_period = acts["latest_period_end"]
    turned_red = acts[
        [
            vocab.rag_band(r) == "red"
            and lp is not None
            and not pd.isna(lp)
            and lp > prev_end
            and vocab.rag_band(prev_rag.get(int(aid))) != "red"
            for r, lp, aid in zip(acts["rag"], latest_period, acts["action_id"], strict=True)
        ]
    ]
    newly_overdue = acts[
        [
            bool(o) and d is not None and not pd.isna(d) and d > prev_end
            for o, d in zip(acts["overdue"], acts["due"], strict=True)
        ]
    ]
    latest = latest_kpis(engine)
    if latest.empty:
        worsened = missed = mismatched = latest
    else:
        # "this month": KPIs reported for the current period, not annual figures from years ago
        current = latest[[d is not None and d > prev_end for d in latest["period_end"]]]
        worsened = current[current["direction"] == "worsening"]
        missed = current[current["rag"].isin(["red", "amber"])]
        mismatched = latest[latest["rag_mismatch"].astype(bool)]
    return {
        "turned_red": turned_red,
        "newly_overdue": newly_overdue,
        "green_but_overdue": acts[acts["green_but_overdue"]],
        "kpis_worsened": worsened,
        "kpis_missed_target": missed,
        "rag_mismatches": mismatched,
    }


def rag_counts(levels: pd.Series) -> dict[str, int]:
    """Counts per band (green/amber/red) plus "none" for not reported / no RAG."""
    counts = {"green": 0, "amber": 0, "red": 0, "none": 0}
    for level in levels:
        band = vocab.rag_band(level) if isinstance(level, str) else None
        counts[band or "none"] += 1
    return counts


def latest_judgements(engine: Engine, la_code: str | None = None) -> pd.DataFrame:
    """The most recent graded inspection of the authority and its judgements."""
    la_code = la_code or our_authority(engine)
    df = judgements(engine, [la_code])
    if df.empty:
        return df
    graded = df[df["score"].notna() & df["inspection_start"].notna()]
    if graded.empty:
        return graded
    last = max(graded["inspection_start"])
    return graded[graded["inspection_start"] == last]


def action_filter(
    df: pd.DataFrame,
    *,
    recommendations: list[str] | None = None,
    leads: list[str] | None = None,
    objectives: list[str] | None = None,
    rags: list[str] | None = None,
    statuses: list[str] | None = None,
    plans: list[str] | None = None,
    overdue_only: bool = False,
    search: str | None = None,
) -> pd.DataFrame:
    """Filter the actions frame the way the action-plan page and the exports do."""
    mask = pd.Series(True, index=df.index)
    if plans:
        mask &= df["plan"].isin(plans)
    if recommendations:
        wanted = set(recommendations)
        mask &= pd.Series([bool(wanted & set(recs)) for recs in df["recommendations"]], index=df.index)
    if leads:
        mask &= df["lead_officer"].isin(leads)
    if objectives:
        mask &= df["objective"].isin(objectives)
    if rags:
        mask &= pd.Series(
            [(vocab.rag_band(r) if isinstance(r, str) else "none") in rags for r in df["rag"]], index=df.index
        )
    if statuses:
        mask &= df["status"].isin(statuses)
    if overdue_only:
        mask &= df["overdue"].astype(bool)
    if search:
        needle = search.strip().lower()
        haystack = (
            df["ref"].astype(str) + " " + df["title"].fillna("") + " " + df["description"].fillna("") + " "
            + df["lead_officer"].fillna("") + " " + df["latest_commentary"].fillna("")
        ).str.lower()
        mask &= haystack.str.contains(needle, regex=False)
    return df[mask]


# --- benchmarks ---------------------------------------------------------------------------------


def quartile(value: float, others: list[float], polarity: str) -> int | None:
    """Quartile band 1 (best) .. 4 (worst) of a value among all authorities, respecting polarity."""
    if not others or polarity not in ("higher", "lower"):
        return None
    better = sum(1 for o in others if (o > value if polarity == "higher" else o < value))
    share = better / len(others)
    return min(4, int(share * 4) + 1)


def benchmark_summary(engine: Engine, la_code: str | None = None) -> pd.DataFrame:
    """Per KPI: latest England / London / statistical-neighbour values and our quartile nationally."""
    la_code = la_code or our_authority(engine)
    published_rows = benchmarks(engine)
    # Every authority's value, but only for each KPI's latest LAIT year (a few thousand rows, not all years).
    latest_las = _frame(engine, """
        SELECT k.ref, b.comparator, b.value, b.year_label, p.end_date AS period_end
        FROM benchmark b JOIN kpi k ON k.id = b.kpi_id JOIN period p ON p.id = b.period_id
        JOIN (SELECT b2.kpi_id, MAX(p2.end_date) AS last_end
              FROM benchmark b2 JOIN period p2 ON p2.id = b2.period_id
              WHERE b2.comparator LIKE 'LA:%' GROUP BY b2.kpi_id) m
          ON m.kpi_id = b.kpi_id AND p.end_date = m.last_end
        WHERE b.comparator LIKE 'LA:%'
        ORDER BY k.id""")
    bench = pd.concat([published_rows, latest_las], ignore_index=True) if not latest_las.empty else published_rows
    meta = kpis(engine).set_index("ref")
    rows = []
    for ref, group in bench.groupby("ref", sort=False):
        rec: dict[str, Any] = {"ref": ref}
        published = group[~group["comparator"].str.startswith("LA:")]
        for comparator, col in (("England", "england"), ("London", "london"), ("Statistical neighbours", "sn")):
            hits = published[published["comparator"] == comparator]
            if not hits.empty:
                last = hits.iloc[-1]
                rec[col] = float(last["value"])
                rec[f"{col}_year"] = last["year_label"]
        las = group[group["comparator"].str.startswith("LA:")]
        if not las.empty:
            last_end = las["period_end"].max()
            year = las[las["period_end"] == last_end]
            ours = year[year["comparator"] == f"LA:{la_code}"]
            if not ours.empty:
                value = float(ours.iloc[0]["value"])
                rec["la_value"] = value
                rec["la_year"] = ours.iloc[0]["year_label"]
                polarity = str(meta.loc[ref, "polarity"]) if ref in meta.index else "monitor"
                rec["quartile"] = quartile(value, [float(v) for v in year["value"]], polarity)
        rows.append(rec)
    cols = ["ref", "england", "england_year", "london", "london_year", "sn", "sn_year", "la_value", "la_year",
            "quartile"]
    return pd.DataFrame(rows, columns=cols)


def kpi_filter(
    df: pd.DataFrame,
    *,
    themes: list[str] | None = None,
    owners: list[str] | None = None,
    rags: list[str] | None = None,
    refs: list[str] | None = None,
) -> pd.DataFrame:
    mask = pd.Series(True, index=df.index)
    if themes:
        mask &= df["theme"].isin(themes)
    if owners:
        mask &= df["owner"].isin(owners)
    if rags:
        mask &= pd.Series([(r if isinstance(r, str) else "none") in rags for r in df["rag"]], index=df.index)
    if refs:
        mask &= df["ref"].isin(refs)
    return df[mask]


# --- the recommendation → action → KPI chain ----------------------------------------------------


def chain(engine: Engine, la_code: str | None = None) -> pd.DataFrame:
    """Recommendations with their actions' progress roll-up and evidencing KPIs."""
    la_code = la_code or our_authority(engine)
    recs = recommendations(engine, la_code)
    if recs.empty:
        return recs.assign(inspection=pd.Series(dtype=str))
    insp = inspections(engine, [la_code]).set_index("inspection_id")
    acts = actions(engine)
    by_plan_ref = {(r.plan, r.ref): r for r in acts.itertuples(index=False)}
    links = _frame(
        engine,
        "SELECT ar.recommendation_id, pl.code AS plan, a.ref FROM action_recommendation ar "
        "JOIN action a ON a.id = ar.action_id JOIN plan pl ON pl.id = a.plan_id",
    )
    all_links = _frame(
        engine,
        "SELECT pl.inspection_id, pl.code AS plan, a.ref FROM action a JOIN plan pl ON pl.id = a.plan_id "
        "WHERE a.applies_to_all = :t",
        {"t": True},
    )
    kpi_links = _frame(
        engine,
        "SELECT rk.recommendation_id, k.ref FROM recommendation_kpi rk JOIN kpi k ON k.id = rk.kpi_id",
    )
    latest = latest_kpis(engine, la_code)
    kpi_rag = dict(zip(latest["ref"], latest["rag"], strict=True)) if not latest.empty else {}
    rows = []
    for rec in recs.itertuples(index=False):
        keys = [(r.plan, r.ref) for r in links[links["recommendation_id"] == rec.recommendation_id].itertuples()]
        keys += [(r.plan, r.ref) for r in all_links[all_links["inspection_id"] == rec.inspection_id].itertuples()]
        linked = [by_plan_ref[k] for k in dict.fromkeys(keys) if k in by_plan_ref]
        bands = [vocab.rag_band(a.rag) for a in linked]
        done = sum(1 for a in linked if a.status in vocab.DONE_STATUSES)
        overdue = sum(1 for a in linked if a.overdue)
        worst = next((b for b in ("red", "amber", "green") if b in bands), None)
        refs = [r.ref for r in kpi_links[kpi_links["recommendation_id"] == rec.recommendation_id].itertuples()]
        event = insp.loc[rec.inspection_id] if rec.inspection_id in insp.index else None
        label = (
            f"{event['framework_label']} · {event['body']} · {_fmt(event['start_date'])}" if event is not None else ""
        )
        rows.append(
            {
                "recommendation_id": rec.recommendation_id,
                "inspection": label,
                "number": rec.number,
                "text": rec.text,
                "timeframe": rec.timeframe,
                "kind": rec.kind,
                "actions": [f"{a.ref}" for a in linked],
                "action_count": len(linked),
                "done": done,
                "overdue": overdue,
                "worst_rag": worst,
                "kpis": [f"{r} ({kpi_rag.get(r) or 'no RAG'})" for r in refs],
                "kpi_count": len(refs),
            }
        )
    return pd.DataFrame(rows)


def _fmt(day: Any) -> str:
    if day is None or (isinstance(day, float) and pd.isna(day)):
        return "date unknown"
    return f"{day.day} {day:%b %Y}"


def _month_year(day: Any) -> str:
    if day is None or (isinstance(day, float) and pd.isna(day)):
        return "(date unknown)"
    return f"{day:%b %Y}"


def chain_filter(df: pd.DataFrame, *, inspection: str | None = None, gaps_only: bool = False) -> pd.DataFrame:
    if df.empty:
        return df
    mask = pd.Series(True, index=df.index)
    if inspection:
        mask &= df["inspection"] == inspection
    if gaps_only:
        mask &= (df["action_count"] == 0) | (df["kpi_count"] == 0)
    return df[mask]


# --- judgements across frameworks and authorities ------------------------------------------------


def judgement_grid(history: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Areas (crosswalked) as rows, graded inspections as columns, grade words with scores."""
    graded = history[history["grade"].notna()].copy()
    if graded.empty:
        return pd.DataFrame()
    graded["row"] = [
        lbl if isinstance(lbl, str) and lbl else area
        for lbl, area in zip(graded["area_label"], graded["area"], strict=True)
    ]
    graded["sort"] = graded["area_sort"].fillna(999)
    graded["col"] = [
        f"{str(fw).split(' ')[0]} {_month_year(start)}"
        + ("" if body == "Local authority" or str(fw).startswith("LSCB") else " (LSCB)")
        for fw, start, body in zip(graded["framework_label"], graded["inspection_start"], graded["body"], strict=True)
    ]
    graded["cell"] = [
        f"{g} ({int(s)})" if s is not None and not pd.isna(s) else str(g)
        for g, s in zip(graded["grade"], graded["score"], strict=True)
    ]
    newest_first = graded.assign(_s=graded["inspection_start"].map(lambda d: d or dt.date.min))
    order_cols = list(dict.fromkeys(newest_first.sort_values("_s", ascending=False)["col"]))
    order_rows = (
        graded.sort_values(["sort", "position"]).drop_duplicates("row")["row"].tolist()
    )
    grid = graded.pivot_table(index="row", columns="col", values="cell", aggfunc="first")
    grid = grid.reindex(index=order_rows, columns=order_cols).fillna("")
    grid.index.name = "Judgement area"
    return grid.reset_index()


def latest_ilacs(engine: Engine) -> pd.DataFrame:
    """The latest ILACS graded judgements of every authority."""
    df = judgements(engine)
    df = df[(df["framework"] == "ilacs") & df["score"].notna()]
    if df.empty:
        return df
    last = df.groupby("la_code")["inspection_start"].transform("max")
    return df[df["inspection_start"] == last]


def neighbours(engine: Engine, la_code: str, set_name: str = "2021") -> list[str]:
    df = _frame(
        engine,
        "SELECT neighbour_code FROM statistical_neighbour WHERE la_code = :la AND set_name = :s ORDER BY rank",
        {"la": la_code, "s": set_name},
    )
    return [str(c) for c in df["neighbour_code"]]


def comparison(engine: Engine, la_code: str) -> pd.DataFrame:
    """The authority's latest ILACS grades beside each statistical neighbour, its region and England."""
    latest = latest_ilacs(engine)
    if latest.empty or la_code not in set(latest["la_code"]):
        return pd.DataFrame()
    latest = latest[latest["area_key"].notna()]
    labels = latest.drop_duplicates("area_key").sort_values("area_sort")
    keys = labels["area_key"].tolist()
    columns = dict(zip(labels["area_key"], labels["area_label"].fillna(labels["area"]), strict=True))
    rows = []
    sns = neighbours(engine, la_code)
    for code in [la_code, *sns]:
        own = latest[latest["la_code"] == code]
        if own.empty:
            continue
        rec = {"Authority": own.iloc[0]["authority"] + (" (us)" if code == la_code else " (SN)"),
               "Inspected": _fmt(own.iloc[0]["inspection_start"])}
        for key in keys:
            hit = own[own["area_key"] == key]
            rec[columns[key]] = f"{hit.iloc[0]['grade']} ({int(hit.iloc[0]['score'])})" if not hit.empty else ""
        rows.append(rec)
    region = latest[latest["la_code"] == la_code].iloc[0]["region"]
    for label, subset in ((f"{region} region", latest[latest["region"] == region]), ("England", latest)):
        rec = {"Authority": label + " (share good or better)", "Inspected": f"{subset['la_code'].nunique()} LAs"}
        for key in keys:
            part = subset[subset["area_key"] == key]
            share = (part["score"] <= 2).mean() if not part.empty else float("nan")
            rec[columns[key]] = f"{share:.0%} good or better" if not pd.isna(share) else ""
        rows.append(rec)
    return pd.DataFrame(rows)


def grade_share_table(latest: pd.DataFrame) -> pd.DataFrame:
    """Counts of authorities per grade per area (chart-as-table)."""
    if latest.empty:
        return pd.DataFrame()
    data = latest.assign(area=latest["area_label"].fillna(latest["area"]))
    table = data.pivot_table(index="area", columns="score", values="la_code", aggfunc="count", fill_value=0)
    table = table.rename(columns={1: "Outstanding", 2: "Good", 3: "Requires improvement", 4: "Inadequate"})
    table.index.name = "Judgement area"
    return table.reset_index()


def authorities(engine: Engine) -> pd.DataFrame:
    return _frame(
        engine, "SELECT la_code, name, region, la_type FROM authority WHERE retired = :f ORDER BY name", {"f": False}
    )


def plan_inspections(engine: Engine) -> dict[str, dict[str, Any]]:
    """Plan code → the inspection whose recommendations it answers (for exports)."""
    df = _frame(
        engine,
        "SELECT p.code, i.framework_code, i.start_date, i.body FROM plan p JOIN inspection i ON i.id = p.inspection_id",
    )
    out: dict[str, dict[str, Any]] = {}
    for row in df.itertuples(index=False):
        start = None if row.start_date is None or pd.isna(row.start_date) else pd.Timestamp(row.start_date).date()
        out[str(row.code)] = {"Inspection framework": row.framework_code, "Inspection start": start, "Body": row.body}
    return out
