"""Load the sample data (``sample_data/``) and the shipped reference data into a database.

The sample is the Barnet 2017 programme and its neighbours' judgements, built from
the seed papers, plus 24 months of illustrative monthly history (see
``sample_data/README.md`` for which figures are real). Seeding is idempotent:
natural keys decide what exists, and a second run changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from lib import config, milestones, periods, rag, reference, store, values, vocab
from lib.model import (
    Action,
    ActionRecommendation,
    Authority,
    Benchmark,
    Inspection,
    Judgement,
    Kpi,
    KpiTarget,
    KpiValue,
    Milestone,
    Objective,
    Period,
    Plan,
    Recommendation,
    RecommendationKpi,
    Setting,
)
from lib.upserts import ChangeCounter, PeriodCache, upsert_action_update, upsert_benchmark, upsert_kpi_value


def _yaml(path: Path, key: str) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        data: list[dict[str, Any]] = (yaml.safe_load(fh) or {}).get(key) or []
    return data


def _csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _as_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


# --- inspections -----------------------------------------------------------------------


def load_inspections(session: Session, rows: list[dict[str, Any]]) -> None:
    for item in rows:
        insp, created = reference.get_or_create_inspection(
            session,
            authority=str(item["authority"]).zfill(3),
            framework=item["framework"],
            start=_as_date(item.get("start")),
            body=item.get("body") or "Local authority",
            title=_text(item.get("title")),
            end_date=_as_date(item.get("end")),
            published_date=_as_date(item.get("published")),
            source=_text(item.get("source")),
            note=_text(item.get("note")),
        )
        if not created:
            continue
        by_area: dict[str, Judgement] = {}
        for pos, j in enumerate(item.get("judgements") or []):
            parent = by_area.get(j["parent"]) if j.get("parent") else None
            judgement = reference.add_judgement(
                session,
                insp,
                area=str(j["area"]),
                grade=_text(j.get("grade")),
                position=pos,
                section=_text(j.get("section")),
                parent=parent,
                source=_text(j.get("source")),
            )
            by_area[str(j["area"])] = judgement
        for pos, rec in enumerate(item.get("recommendations") or []):
            session.add(
                Recommendation(
                    inspection_id=insp.id,
                    number=str(rec["number"]),
                    position=pos,
                    text=str(rec["text"]).strip(),
                    timeframe=_text(rec.get("timeframe")),
                    addressed_to=_text(rec.get("addressed_to")),
                    kind=rec.get("kind") or "recommendation",
                    source=_text(rec.get("source")),
                )
            )
        session.flush()


# --- plans and actions -------------------------------------------------------------------


def _find_inspection(session: Session, authority: str, link: dict[str, Any] | None) -> Inspection | None:
    if not link:
        return None
    query = select(Inspection).where(
        Inspection.authority_code == authority, Inspection.framework_code == link["framework"]
    )
    start = _as_date(link.get("start"))
    if start:
        query = query.where(Inspection.start_date == start)
    return session.scalars(query.order_by(Inspection.start_date)).first()


def _milestones(session: Session, action: Action, act: dict[str, Any], start: dt.date | None) -> None:
    """The action's milestones: its horizon columns if the plan prints them, else its dated list."""
    specs, _notes = milestones.from_horizons(act.get("milestones") or {}, start)
    if not specs:
        specs = milestones.from_schedule(action.due_text, action.description)
    for spec in specs:
        session.add(Milestone(action_id=action.id, position=spec.position, label=spec.label, due_date=spec.due,
                              due_text=spec.due_text, status=spec.status, status_reported=spec.status_reported,
                              source=action.source))


def load_plans(session: Session, rows: list[dict[str, Any]]) -> None:
    for item in rows:
        if session.scalars(select(Plan).where(Plan.code == item["code"])).first():
            continue
        authority = str(item["authority"]).zfill(3)
        inspection = _find_inspection(session, authority, item.get("inspection"))
        plan = Plan(
            code=item["code"],
            title=item["title"],
            authority_code=authority,
            inspection_id=inspection.id if inspection else None,
            produced=_as_date(item.get("produced")),
            start_date=_as_date(item.get("start")),
            status=_text(item.get("status")),
            oversight=_text(item.get("oversight")),
            source=_text(item.get("source")),
        )
        session.add(plan)
        session.flush()
        objectives: dict[str, Objective] = {}
        for obj in item.get("objectives") or []:
            row = Objective(
                plan_id=plan.id,
                code=str(obj["code"]),
                title=str(obj["title"]).strip(),
                lead_officers=_text(obj.get("lead_officers")),
            )
            session.add(row)
            objectives[str(obj["code"])] = row
        session.flush()
        recs = {r.number: r for r in inspection.recommendations} if inspection else {}
        for pos, act in enumerate(item.get("actions") or []):
            linked = [str(n) for n in act.get("recommendations") or []]
            objective = objectives.get(str(act.get("objective"))) if act.get("objective") else None
            success = act.get("success_measures")
            action = Action(
                plan_id=plan.id,
                ref=str(act["ref"]),
                position=pos,
                objective_id=objective.id if objective else None,
                title=str(act.get("title") or act.get("description") or act["ref"]).strip(),
                description=_text(act.get("description")),
                lead_officer=_text(act.get("lead_officer")),
                due_date=_as_date(act.get("due")),
                due_text=_text(act.get("due_text")) or _text(act.get("horizon")),
                horizon=_text(act.get("horizon")),
                oversight=_text(act.get("oversight")),
                success_measures=_text(success),
                applies_to_all=any(n.upper() == "ALL" for n in linked),
                source=_text(act.get("source")),
            )
            session.add(action)
            session.flush()
            _milestones(session, action, act, plan.start_date)
            for number in linked:
                rec = recs.get(number)
                if rec is not None:
                    session.add(ActionRecommendation(action_id=action.id, recommendation_id=rec.id))
        session.flush()


# --- KPIs -------------------------------------------------------------------------------------


def load_kpis(session: Session, rows: list[dict[str, Any]]) -> None:
    have = set(session.scalars(select(Kpi.ref)))
    for item in rows:
        ref = str(item["ref"]).strip()
        if ref in have:
            continue
        polarity = vocab.normalise_polarity(item.get("polarity")) or "monitor"
        session.add(
            Kpi(
                ref=ref,
                name=str(item["name"]).strip(),
                theme=_text(item.get("theme")),
                kpi_type=_text(item.get("type")),
                unit=item.get("unit") or "number",
                polarity=polarity,
                polarity_reported=_text(item.get("polarity_as_printed")),
                rag_rule=item.get("rag_rule") or rag.DEFAULT_RULE,
                amber_tolerance=float(item.get("amber_tolerance") or rag.DEFAULT_TOLERANCE),
                owner=_text(item.get("owner")),
                frequency=_text(item.get("frequency")),
                decimals=int(item.get("decimals") or 0) if item.get("decimals") is not None else 1,
                description=_text(item.get("description")),
                source=_text(item.get("source")),
            )
        )
        have.add(ref)
    session.flush()


def kpi_value_fields(value_text: str | None, target_text: str | None, unit: str) -> dict[str, Any]:
    """Parse a printed result and target ("44.0% (G)", "42.5%") into stored fields."""
    parsed = values.parse_value(value_text, unit=unit)
    target = values.parse_target(target_text)
    return {
        "value": parsed.value,
        "value_text": parsed.text or None,
        "missing_reason": parsed.missing_reason,
        "target": target.value,
        "target_text": target.text or None,
        "rag_reported": parsed.reported_rag,
        "rag_reported_text": _rag_suffix(parsed.text) if parsed.reported_rag else None,
    }


def _rag_suffix(text: str) -> str | None:
    parts = text.replace("(", " ").replace(")", " ").split()
    return parts[-1] if parts else None


def _period_from_row(row: dict[str, str]) -> periods.Period:
    start = dt.date.fromisoformat(row["period_start"])
    end = dt.date.fromisoformat(row["period_end"])
    return periods.Period(end=end, start=start, kind=row["period_kind"], label=row.get("period_label") or "")


def load_kpi_values(session: Session, rows: list[dict[str, str]], counter: ChangeCounter) -> None:
    kpis = {k.ref: k for k in session.scalars(select(Kpi))}
    cache = PeriodCache(session)
    for row in rows:
        kpi = kpis[row["ref"].strip()]
        period = _period_from_row(row)
        fields = kpi_value_fields(row.get("value_text"), row.get("target_text"), kpi.unit)
        fields["commentary"] = _text(row.get("commentary"))
        fields["source"] = _text(row.get("source"))
        upsert_kpi_value(
            session,
            kpi_id=kpi.id,
            authority=str(row.get("authority") or config.DEFAULT_AUTHORITY).zfill(3),
            period_id=cache.id_for(period),
            values=fields,
            counter=counter,
        )


def load_kpi_targets(session: Session, rows: list[dict[str, str]], counter: ChangeCounter) -> None:
    """Targets by year (the Education Strategy's 2017-2020 targets); kept as they are on a second seed."""
    kpis = {k.ref: k for k in session.scalars(select(Kpi))}
    have = {(t.kpi_id, t.authority_code, t.start_date, t.end_date) for t in session.scalars(select(KpiTarget))}
    for row in rows:
        kpi = kpis[row["ref"].strip()]
        authority = str(row.get("authority") or config.DEFAULT_AUTHORITY).zfill(3)
        start, end = dt.date.fromisoformat(row["period_start"]), dt.date.fromisoformat(row["period_end"])
        if (kpi.id, authority, start, end) in have:
            counter.note("kpi_target", "unchanged")
            continue
        target = values.parse_target(row.get("target_text"))
        session.add(KpiTarget(kpi_id=kpi.id, authority_code=authority, period_kind=row["period_kind"],
                              start_date=start, end_date=end, label=row["label"], target=target.value,
                              target_text=None if target.value is not None else (target.text or None),
                              source=_text(row.get("source"))))
        counter.note("kpi_target", "added")
    session.flush()


def load_monthly_values(session: Session, rows: list[dict[str, str]], counter: ChangeCounter) -> None:
    kpis = {k.ref: k for k in session.scalars(select(Kpi))}
    cache = PeriodCache(session)
    for row in rows:
        kpi = kpis[row["ref"].strip()]
        year, month = (int(p) for p in row["month"].split("-"))
        period = periods.month(year, month)
        value = float(row["value"]) if row.get("value") not in (None, "") else None
        target = float(row["target"]) if row.get("target") not in (None, "") else None
        upsert_kpi_value(
            session,
            kpi_id=kpi.id,
            authority=str(row.get("authority") or config.DEFAULT_AUTHORITY).zfill(3),
            period_id=cache.id_for(period),
            values={
                "value": value,
                "value_text": row.get("value") or None,
                "missing_reason": None if value is not None else "blank",
                "target": target,
                "target_text": row.get("target") or None,
                "commentary": _text(row.get("commentary")),
                "source": "illustrative (sample_data/history/kpi_monthly.csv)",
            },
            counter=counter,
        )


def _value_kinds(session: Session, kpi_id: int) -> set[str]:
    """The kinds of period a KPI's stored values have (its benchmarks are read in their light)."""
    query = select(Period.kind).distinct().join(KpiValue, KpiValue.period_id == Period.id)
    return set(session.scalars(query.where(KpiValue.kpi_id == kpi_id)))


def load_benchmarks(session: Session, rows: list[dict[str, str]], counter: ChangeCounter) -> None:
    """Parse the printed benchmarking cells ("England: 548.3 London: 477.9 ... (2014/15, LAIT)").

    The printed year is read in the light of the KPI's own periods: "(2016, DFE)" beside an
    "Academic Year 2015/16" result is the 2015/16 academic year, not calendar 2016. A figure
    filed under another period by an earlier seed (the same cell, comparator and source) is
    moved to the right one rather than left beside it.
    """
    kpis = {k.ref: k for k in session.scalars(select(Kpi))}
    cache = PeriodCache(session)
    for row in rows:
        kpi = kpis.get(row["ref"].strip())
        if kpi is None:
            continue
        text = row.get("benchmark_text") or ""
        kinds = _value_kinds(session, kpi.id)
        for bench in values.parse_benchmarks(text):
            if not bench.year_label:
                continue
            try:
                period = periods.parse_benchmark_year(bench.year_label, value_kinds=kinds)
            except periods.PeriodError:
                continue
            period_id = cache.id_for(period)
            source = bench.source or ""
            stale = session.scalars(
                select(Benchmark).where(
                    Benchmark.kpi_id == kpi.id,
                    Benchmark.comparator == bench.comparator,
                    Benchmark.source == source,
                    Benchmark.note == text,
                    Benchmark.period_id != period_id,
                )
            ).all()
            for old in stale:
                session.delete(old)
                counter.note("benchmark", "changed")
            if stale:
                session.flush()
            upsert_benchmark(
                session,
                kpi_id=kpi.id,
                comparator=bench.comparator,
                period_id=period_id,
                source=source,
                values={"value": bench.value, "year_label": bench.year_label, "note": text},
                counter=counter,
            )


def load_lait(session: Session, counter: ChangeCounter) -> None:
    """LAIT values for the sample KPIs: England, regions and every LA (for quartiles).

    Each figure is filed under the period LAIT means by its year (reference.lait_period: "2016"
    of a financial-year measure is 2015/16, of an academic-year measure the 2015/16 academic
    year, of a 31 March count the snapshot at 31 March 2016). LAIT rows an earlier seed filed
    under another period are removed, so a re-seed corrects an old database.
    """
    kpis = {k.ref: k for k in session.scalars(select(Kpi))}
    known = set(session.scalars(select(Authority.la_code)))
    cache = PeriodCache(session)
    measure_names = {m.get("measure") for m in reference.lait_measures().values()} - {None, ""}
    existing: set[tuple[int, str, int]] = set()
    lait_file_rows: dict[tuple[int, str, int], int] = {}
    for b in session.scalars(select(Benchmark).where(Benchmark.source == "LAIT")):
        existing.add((b.kpi_id, b.comparator, b.period_id))
        if b.note in measure_names:  # a LAIT-file row, not a printed "(2014/15, LAIT)" cell
            lait_file_rows[(b.kpi_id, b.comparator, b.period_id)] = b.id
    seen: set[tuple[int, str, int]] = set()
    for row in _csv(config.REFERENCE_DIR / "lait_benchmarks.csv"):
        kpi = kpis.get(row["kpi_ref"])
        if kpi is None or row.get("value") in (None, ""):
            continue
        if row["area_type"] == "la":
            if row["area_code"].zfill(3) not in known:
                continue
            comparator = f"LA:{row['area_code'].zfill(3)}"
        elif row["area_type"] == "england":
            comparator = "England"
        else:
            comparator = row["area_name"] or row["area_code"]
        try:
            period = reference.lait_period(row["year_label"], row.get("year_type"), row.get("lait_measure_code"))
        except periods.PeriodError:
            continue
        key = (kpi.id, comparator, cache.id_for(period))
        seen.add(key)
        if key in existing:
            counter.note("benchmark", "unchanged")
            continue
        session.add(
            Benchmark(
                kpi_id=kpi.id,
                comparator=comparator,
                period_id=key[2],
                value=float(row["value"]),
                year_label=row["year_label"],
                source="LAIT",
                note=row.get("lait_measure"),
            )
        )
        existing.add(key)
        counter.note("benchmark", "added")
    stale = sorted(row_id for key, row_id in lait_file_rows.items() if key not in seen)
    for start in range(0, len(stale), 500):
        session.execute(delete(Benchmark).where(Benchmark.id.in_(stale[start : start + 500])))
        counter.changed["benchmark"] = counter.changed.get("benchmark", 0) + len(stale[start : start + 500])
    session.flush()


def load_action_updates(session: Session, rows: list[dict[str, str]], counter: ChangeCounter) -> None:
    actions = {
        (plan_code, ref): action_id
        for plan_code, ref, action_id in session.execute(
            select(Plan.code, Action.ref, Action.id).join(Action, Action.plan_id == Plan.id)
        )
    }
    for row in rows:
        action_id = actions[(row["plan"], row["action_ref"])]
        end = dt.date.fromisoformat(row["period_end"])
        upsert_action_update(
            session,
            action_id=action_id,
            period_end=end,
            values={
                "period_label": periods.month(end.year, end.month).label,
                "status": vocab.normalise_status(row.get("status")),
                "status_reported": _text(row.get("status")),
                "rag": vocab.normalise_rag(row.get("rag")),
                "rag_reported": _text(row.get("rag")),
                "commentary": _text(row.get("commentary")),
                "reported_by": _text(row.get("reported_by")),
            },
            counter=counter,
        )


def load_evidence(session: Session, rows: list[dict[str, Any]]) -> None:
    """Recommendation → KPI links (which KPIs evidence a recommendation's impact)."""
    kpis = {k.ref: k.id for k in session.scalars(select(Kpi))}
    have = {(r.recommendation_id, r.kpi_id) for r in session.scalars(select(RecommendationKpi))}
    for item in rows:
        link = item["inspection"]
        inspection = _find_inspection(session, str(link["authority"]).zfill(3), link)
        if inspection is None:
            continue
        recs = {r.number: r.id for r in inspection.recommendations}
        for number, refs in (item.get("links") or {}).items():
            rec_id = recs.get(str(number))
            for ref in refs or []:
                kpi_id = kpis.get(str(ref))
                if rec_id is None or kpi_id is None or (rec_id, kpi_id) in have:
                    continue
                session.add(RecommendationKpi(recommendation_id=rec_id, kpi_id=kpi_id, note="illustrative"))
                have.add((rec_id, kpi_id))
    session.flush()


def seed(engine: Engine, sample_dir: Path | None = None, *, reference_only: bool = False) -> ChangeCounter:
    """Load reference and sample data; safe to run any number of times.

    ``reference_only`` loads the official data alone — the 153 authorities, frameworks and grade
    scales, statistical neighbours, every published Ofsted outcome, and the LAIT benchmarks of
    whichever KPIs are already defined — without Barnet's sample programme, for a council starting
    with its own plan (run it again after importing KPI definitions to attach their benchmarks).
    """
    base = sample_dir or config.SAMPLE_DIR
    store.init_db(engine)
    counter = ChangeCounter()
    with store.write(engine) as session:
        reference.load_all(session)
        if session.get(Setting, "authority") is None:
            session.add(Setting(key="authority", value=config.DEFAULT_AUTHORITY))
        if reference_only:
            load_lait(session, counter)
            return counter
        load_inspections(session, _yaml(base / "inspections.yaml", "inspections"))
        load_plans(session, _yaml(base / "plans.yaml", "plans"))
        load_kpis(session, _yaml(base / "kpis.yaml", "kpis"))
        load_evidence(session, _yaml(base / "evidence.yaml", "evidence"))
        load_kpi_values(session, _csv(base / "kpi_values.csv"), counter)
        load_kpi_targets(session, _csv(base / "kpi_targets.csv"), counter)
        load_benchmarks(session, _csv(base / "benchmarks.csv"), counter)
        load_lait(session, counter)
        load_monthly_values(session, _csv(base / "history" / "kpi_monthly.csv"), counter)
        load_action_updates(session, _csv(base / "history" / "action_updates.csv"), counter)
    return counter


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows per main table: used to prove that a second seed changes nothing."""
    tables = [Authority, Inspection, Judgement, Recommendation, Plan, Action, Kpi, KpiValue, Benchmark]
    with store.read(engine) as session:
        counts = {t.__tablename__: session.scalar(select(func.count()).select_from(t)) or 0 for t in tables}
    return counts
