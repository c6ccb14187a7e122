"""Write a parsed return into the database as one dated layer, and undo it again.

Everything a return adds carries its ``upload_id``; everything it changes leaves a
before-image in ``upload_change``. Undo deletes the first and restores the second,
so the database returns exactly to its state before the upload. Values are written
in bulk (one query to load what exists, executemany for the rest) so a national
return of a third of a million rows stays within a few times its read time.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lib import periods, reference
from lib.model import (
    Action,
    ActionRecommendation,
    ActionUpdate,
    Benchmark,
    Inspection,
    Judgement,
    Kpi,
    KpiValue,
    Objective,
    Period,
    Plan,
    Recommendation,
    Upload,
    UploadChange,
)
from lib.returns.records import InspectionKey, ParsedReturn
from lib.upserts import ACTION_UPDATE_FIELDS, KPI_VALUE_FIELDS, ChangeCounter, row_snapshot, upsert_action_update

KPI_DEF_FIELDS = ("name", "theme", "unit", "polarity", "polarity_reported", "kpi_type", "owner", "rag_rule",
                  "amber_tolerance", "frequency", "decimals")
ACTION_FIELDS = ("title", "description", "lead_officer", "due_date", "due_text", "oversight", "success_measures",
                 "objective_id")


class UndoRefused(Exception):
    """An undo that would tear a later upload's data: undo that one first."""


class Writer:
    def __init__(self, session: Session, upload_id: int | None, counter: ChangeCounter) -> None:
        self.session, self.upload_id, self.counter = session, upload_id, counter
        self.changes: list[dict[str, Any]] = []
        self.recs_by_inspection: dict[int | None, dict[str, Recommendation]] = {}
        self.periods: dict[tuple[str, dt.date, dt.date], int] = {
            (p.kind, p.start_date, p.end_date): p.id for p in session.scalars(select(Period))
        }

    def change(self, table: str, row: Any, fields: tuple[str, ...]) -> None:
        snapshot_fields = fields + (("upload_id",) if hasattr(row, "upload_id") else ())
        self.changes.append({"upload_id": self.upload_id, "table_name": table, "row_id": row.id,
                             "operation": "update", "before": row_snapshot(row, snapshot_fields)})

    def set_fields(self, table: str, row: Any, new: dict[str, Any], fields: tuple[str, ...]) -> bool:
        diffs = {k: v for k, v in new.items() if k in fields and v is not None and getattr(row, k) != v}
        if not diffs:
            self.counter.note(table, "unchanged")
            return False
        self.change(table, row, fields)
        for k, v in diffs.items():
            setattr(row, k, v)
        self.counter.note(table, "changed")
        return True

    def period_id(self, period: periods.Period) -> int:
        key = (period.kind, period.start, period.end)
        found = self.periods.get(key)
        if found is None:
            row = Period(kind=period.kind, start_date=period.start, end_date=period.end, label=period.label,
                         upload_id=self.upload_id)
            self.session.add(row)
            self.session.flush()
            found = self.periods[key] = row.id
        return found

    # KPIs and values ---------------------------------------------------------------------------
    def kpis(self, parsed: ParsedReturn) -> dict[str, int]:
        existing = {k.ref: k for k in self.session.scalars(select(Kpi))}
        refs = list(dict.fromkeys([*parsed.kpis, *(v.ref for v in parsed.values),
                                   *(b.ref for b in parsed.benchmarks)]))
        for ref in refs:
            rec = parsed.kpis.get(ref)
            new = {}
            if rec is not None:
                new = {"name": rec.name, "theme": rec.theme, "unit": rec.unit, "polarity": rec.polarity,
                       "polarity_reported": rec.polarity_reported, "kpi_type": rec.kpi_type, "owner": rec.owner,
                       "rag_rule": rec.rag_rule, "amber_tolerance": rec.tolerance, "frequency": rec.frequency,
                       "decimals": rec.decimals}
            kpi = existing.get(ref)
            if kpi is None:
                kpi = Kpi(ref=ref, name=(new.get("name") or ref), upload_id=self.upload_id,
                          unit=new.get("unit") or "number", polarity=new.get("polarity") or "monitor",
                          rag_rule=new.get("rag_rule") or "tolerance",
                          amber_tolerance=new.get("amber_tolerance") if new.get("amber_tolerance") is not None
                          else 5.0,
                          decimals=new.get("decimals") if new.get("decimals") is not None else 1)
                for k in ("theme", "polarity_reported", "kpi_type", "owner", "frequency"):
                    setattr(kpi, k, new.get(k))
                self.session.add(kpi)
                self.counter.note("kpi", "added")
                existing[ref] = kpi
            elif new:
                self.set_fields("kpi", kpi, new, KPI_DEF_FIELDS)
        self.session.flush()
        return {ref: k.id for ref, k in existing.items()}

    def values(self, parsed: ParsedReturn, kpi_ids: dict[str, int]) -> None:
        if not parsed.values:
            return
        ids = {kpi_ids[v.ref] for v in parsed.values}
        cols = [getattr(KpiValue, f) for f in KPI_VALUE_FIELDS]
        existing: dict[tuple[int, str, int], Any] = {}
        query = select(KpiValue.id, KpiValue.kpi_id, KpiValue.authority_code, KpiValue.period_id,
                       KpiValue.upload_id, *cols).where(KpiValue.kpi_id.in_(ids))
        for row in self.session.execute(query):
            existing[(row.kpi_id, row.authority_code, row.period_id)] = row
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for rec in parsed.values:
            kid, pid = kpi_ids[rec.ref], self.period_id(rec.period)
            old = existing.get((kid, rec.authority, pid))
            fields = {f: rec.fields.get(f) for f in KPI_VALUE_FIELDS if f != "source"}
            fields["source"] = f"upload {self.upload_id}" if self.upload_id else None
            if old is None:
                inserts.append({"kpi_id": kid, "authority_code": rec.authority, "period_id": pid,
                                "upload_id": self.upload_id, **fields})
                self.counter.note("kpi_value", "added")
                continue
            diffs = [f for f in KPI_VALUE_FIELDS if f not in ("source", "source_sheet", "source_cell")
                     and not _same(getattr(old, f), fields.get(f))]
            if not diffs:
                self.counter.note("kpi_value", "unchanged")
                continue
            before = {f: _jsonable(getattr(old, f)) for f in (*KPI_VALUE_FIELDS, "upload_id")}
            self.changes.append({"upload_id": self.upload_id, "table_name": "kpi_value", "row_id": old.id,
                                 "operation": "update", "before": json.dumps(before, sort_keys=True)})
            updates.append({"id": old.id, "upload_id": self.upload_id, **fields})
            self.counter.note("kpi_value", "changed")
        if inserts:
            self.session.execute(insert(KpiValue), inserts)
        if updates:
            self.session.execute(update(KpiValue), updates)

    def benchmarks(self, parsed: ParsedReturn, kpi_ids: dict[str, int]) -> None:
        for rec in parsed.benchmarks:
            kid, pid = kpi_ids[rec.ref], self.period_id(rec.period)
            row = self.session.scalars(select(Benchmark).where(
                Benchmark.kpi_id == kid, Benchmark.comparator == rec.comparator, Benchmark.period_id == pid,
                Benchmark.source == rec.source)).first()
            if row is None:
                self.session.add(Benchmark(kpi_id=kid, comparator=rec.comparator, period_id=pid, value=rec.value,
                                           year_label=rec.year_label, source=rec.source, note=rec.note,
                                           upload_id=self.upload_id))
                self.counter.note("benchmark", "added")
            elif not _same(row.value, rec.value):
                self.change("benchmark", row, ("value", "year_label", "note"))
                row.value, row.upload_id = rec.value, self.upload_id
                self.counter.note("benchmark", "changed")
            else:
                self.counter.note("benchmark", "unchanged")

    # inspections ------------------------------------------------------------------------------
    def inspection(self, key: InspectionKey) -> Inspection:
        insp, created = reference.get_or_create_inspection(
            self.session, authority=key.authority, framework=key.framework, start=key.start, body=key.body,
            upload_id=self.upload_id)
        if created:
            self.counter.note("inspection", "added")
        return insp

    def judgements(self, parsed: ParsedReturn) -> None:
        by_area: dict[tuple[int, str], Judgement] = {}
        for rec in parsed.judgements:
            insp = self.inspection(rec.inspection)
            if rec.published and insp.published_date is None:
                self.change("inspection", insp, ("published_date",))  # so an undo clears it again
                insp.published_date = rec.published
            existing = self.session.scalars(select(Judgement).where(
                Judgement.inspection_id == insp.id, Judgement.area == rec.area,
                Judgement.section.is_(None) if rec.section is None else Judgement.section == rec.section)).first()
            if existing is not None:
                by_area[(insp.id, rec.area)] = existing
                self.set_fields("judgement", existing, {"grade": rec.grade,
                                                        "score": reference.grade_score(insp.framework_code, rec.grade)},
                                ("grade", "score"))
                continue
            parent = by_area.get((insp.id, rec.parent)) if rec.parent else None
            position = len(insp.judgements)
            judgement = reference.add_judgement(self.session, insp, area=rec.area, grade=rec.grade, position=position,
                                                section=rec.section, parent=parent, source=f"upload {self.upload_id}")
            judgement.upload_id = self.upload_id
            by_area[(insp.id, rec.area)] = judgement
            self.counter.note("judgement", "added")

    def recommendations(self, parsed: ParsedReturn) -> None:
        for rec in parsed.recommendations:
            insp = self.inspection(rec.inspection)
            existing = self.session.scalars(select(Recommendation).where(
                Recommendation.inspection_id == insp.id, Recommendation.number == rec.number)).first()
            if existing is not None:
                self.set_fields("recommendation", existing, {"text": rec.text, "timeframe": rec.timeframe},
                                ("text", "timeframe"))
                continue
            count = len(insp.recommendations)
            self.session.add(Recommendation(inspection_id=insp.id, number=rec.number, position=count, text=rec.text,
                                            timeframe=rec.timeframe, kind=rec.kind, addressed_to=rec.addressed_to,
                                            upload_id=self.upload_id))
            self.session.flush()
            self.session.refresh(insp)
            self.counter.note("recommendation", "added")

    # actions ------------------------------------------------------------------------------------------
    def actions(self, parsed: ParsedReturn, authority: str, default_plan: str) -> None:
        """Plans, objectives, actions, links and monthly updates; new rows are inserted in bulk."""
        if not parsed.actions:
            return
        plans = {p.code: p for p in self.session.scalars(select(Plan))}
        objectives: dict[tuple[int, str], Objective] = {
            (o.plan_id, o.code): o for o in self.session.scalars(select(Objective))}
        objectives_by_title = {(o.plan_id, o.title): o for o in objectives.values()}
        actions = {(a.plan_id, a.ref): a for a in self.session.scalars(select(Action))}
        next_position = {plan_id: 0 for plan_id, _ in actions}
        for plan_id, _ in actions:
            next_position[plan_id] += 1
        links = {(link.action_id, link.recommendation_id)
                 for link in self.session.scalars(select(ActionRecommendation))}
        updates = {(u.action_id, u.period_end): u for u in self.session.scalars(select(ActionUpdate))}

        new_actions: dict[tuple[int, str], dict[str, Any]] = {}
        resolved: list[tuple[Plan, tuple[int, str]]] = []
        for rec in parsed.actions:
            plan = plans.get(rec.plan or default_plan)
            if plan is None:
                plan = Plan(code=rec.plan or default_plan, title=f"Action plan {rec.plan or default_plan}",
                            authority_code=authority, upload_id=self.upload_id, source=f"upload {self.upload_id}")
                if rec.inspection is not None:
                    plan.inspection_id = self.inspection(rec.inspection).id
                self.session.add(plan)
                self.session.flush()
                plans[plan.code] = plan
                self.counter.note("plan", "added")
            objective = None
            if rec.objective:
                objective = (objectives.get((plan.id, rec.objective))
                             or objectives_by_title.get((plan.id, rec.objective)))
                if objective is None:
                    objective = Objective(plan_id=plan.id, code=rec.objective[:20], title=rec.objective,
                                          upload_id=self.upload_id)
                    self.session.add(objective)
                    self.session.flush()
                    objectives[(plan.id, objective.code)] = objectives_by_title[(plan.id, rec.objective)] = objective
            key = (plan.id, rec.ref)
            fields = {"title": rec.title, "description": rec.description, "lead_officer": rec.lead,
                      "due_date": rec.due, "due_text": rec.due_text, "oversight": rec.oversight,
                      "success_measures": rec.success, "objective_id": objective.id if objective else None}
            action = actions.get(key)
            if action is not None:
                self.set_fields("action", action, fields, ACTION_FIELDS)
            elif key in new_actions:  # the same action on a second sheet (definitions, then updates)
                row = new_actions[key]
                row.update({k: v for k, v in fields.items() if v is not None and row.get(k) is None})
                row["applies_to_all"] = row["applies_to_all"] or "ALL" in rec.recommendations
            else:
                position = next_position.get(plan.id, 0)
                next_position[plan.id] = position + 1
                new_actions[key] = {"plan_id": plan.id, "ref": rec.ref, "position": position,
                                    "upload_id": self.upload_id, "applies_to_all": "ALL" in rec.recommendations,
                                    **fields}
            resolved.append((plan, key))
        if new_actions:
            rows = list(new_actions.values())
            for row in rows:
                row["title"] = row.get("title") or row["ref"]
            self.session.execute(insert(Action), rows)
            self.counter.added["action"] = self.counter.added.get("action", 0) + len(rows)
            for a in self.session.scalars(select(Action).where(Action.upload_id == self.upload_id)
                                          if self.upload_id is not None else select(Action)):
                actions.setdefault((a.plan_id, a.ref), a)
        link_rows: list[dict[str, Any]] = []
        update_rows: list[dict[str, Any]] = []
        for rec, (plan, key) in zip(parsed.actions, resolved, strict=True):
            action_id = actions[key].id
            self.link(action_id, plan, rec.recommendations, rec.recommendation_texts, rec.timeframe, links,
                      authority, link_rows)
            if not rec.update:
                continue
            end = rec.update["period_end"]
            values = {k: v for k, v in rec.update.items() if k != "period_end"}
            existing = updates.get((action_id, end))
            if existing is None:
                row = {"action_id": action_id, "period_end": end, "upload_id": self.upload_id,
                       **{f: values.get(f) for f in ACTION_UPDATE_FIELDS}}
                updates[(action_id, end)] = row  # type: ignore[assignment]  # a later duplicate row updates it
                update_rows.append(row)
                self.counter.note("action_update", "added")
            elif isinstance(existing, dict):
                existing.update({k: v for k, v in values.items() if v is not None})
            else:
                upsert_action_update(self.session, action_id=action_id, period_end=end, values=values,
                                     upload_id=self.upload_id, counter=self.counter, existing=existing,
                                     known_missing=True)
        if link_rows:
            self.session.execute(insert(ActionRecommendation), link_rows)
        if update_rows:
            self.session.execute(insert(ActionUpdate), update_rows)

    def link(self, action_id: int, plan: Plan, numbers: list[str], texts: dict[str, str], timeframe: str | None,
             links: set[tuple[int, int]], authority: str, rows: list[dict[str, Any]]) -> None:
        numbers = [n for n in numbers if n != "ALL"]
        if not numbers:
            return
        if plan.inspection_id is None:
            insp, created = reference.get_or_create_inspection(
                self.session, authority=authority, framework="ilacs", start=None,
                body=f"Recommendations of plan {plan.code}", upload_id=self.upload_id,
                title=f"Recommendations answered by plan {plan.code}")
            if plan.upload_id != self.upload_id:  # an existing plan: remember it had no inspection, for undo
                self.change("plan", plan, ("inspection_id",))
            plan.inspection_id = insp.id
            if created:
                self.counter.note("inspection", "added")
        recs = self.recs_by_inspection.get(plan.inspection_id)
        if recs is None:
            recs = self.recs_by_inspection[plan.inspection_id] = {r.number: r for r in self.session.scalars(
                select(Recommendation).where(Recommendation.inspection_id == plan.inspection_id))}
        for number in numbers:
            recommendation = recs.get(number)
            if recommendation is None:
                recommendation = Recommendation(inspection_id=plan.inspection_id, number=number, position=len(recs),
                                                text=texts.get(number) or f"Recommendation {number}",
                                                timeframe=timeframe, upload_id=self.upload_id)
                self.session.add(recommendation)
                self.session.flush()
                recs[number] = recommendation
                self.counter.note("recommendation", "added")
            if (action_id, recommendation.id) not in links:
                rows.append({"action_id": action_id, "recommendation_id": recommendation.id,
                             "upload_id": self.upload_id})
                links.add((action_id, recommendation.id))
                self.counter.note("action_recommendation", "added")

    def flush_changes(self) -> None:
        if self.changes and self.upload_id is not None:
            self.session.execute(insert(UploadChange), self.changes)
        self.changes.clear()


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    return bool(a == b)


def apply(session: Session, parsed: ParsedReturn, *, upload_id: int | None, authority: str,
          default_plan: str) -> ChangeCounter:
    """Write everything in the parsed return; the caller owns the transaction."""
    counter = ChangeCounter()
    writer = Writer(session, upload_id, counter)
    kpi_ids = writer.kpis(parsed)
    writer.values(parsed, kpi_ids)
    writer.benchmarks(parsed, kpi_ids)
    writer.judgements(parsed)
    writer.recommendations(parsed)
    writer.actions(parsed, authority, default_plan)
    session.flush()
    writer.flush_changes()
    session.flush()
    return counter


# --- undo --------------------------------------------------------------------------------------------

UNDO_ORDER = (ActionUpdate, KpiValue, Benchmark, ActionRecommendation, Judgement, Recommendation, Action, Objective,
              Plan, Inspection, Kpi, Period)
TABLES: dict[str, Any] = {m.__tablename__: m for m in (*UNDO_ORDER, )}
DATE_FIELDS = {"due_date", "period_end", "start_date", "end_date", "published_date"}


def undo(session: Session, upload_id: int, *, when: dt.datetime | None = None) -> dict[str, int]:
    """Remove what an upload added and restore what it changed. Refuses if a later upload built on it."""
    upload = session.get(Upload, upload_id)
    if upload is None:
        raise UndoRefused(f"there is no upload {upload_id}")
    if upload.outcome != "imported":
        raise UndoRefused(f"upload {upload_id} is {upload.outcome}; only an imported upload can be undone")
    later = [u.id for u in session.scalars(select(Upload).where(Upload.id > upload_id, Upload.outcome == "imported"))]
    changes = session.scalars(select(UploadChange).where(UploadChange.upload_id == upload_id)
                              .order_by(UploadChange.id.desc())).all()
    touched = {(c.table_name, c.row_id) for c in changes}
    if later:
        later_changes = session.scalars(select(UploadChange).where(UploadChange.upload_id.in_(later))).all()
        clash = sorted({c.upload_id for c in later_changes if (c.table_name, c.row_id) in touched})
        for table in UNDO_ORDER:
            entity: Any = table
            if not hasattr(entity, "id"):
                continue
            ours = set(session.scalars(select(entity.id).where(entity.upload_id == upload_id)))
            clash += sorted({c.upload_id for c in later_changes if c.table_name == entity.__tablename__
                             and c.row_id in ours})
        if clash:
            raise UndoRefused(f"upload {upload_id} cannot be undone before the later upload(s) "
                              f"{', '.join(str(c) for c in sorted(set(clash)))} that changed the same rows; "
                              "undo those first")
    restored = 0
    for change in changes:  # newest first
        model = TABLES.get(change.table_name)
        if model is None or change.before is None:
            continue
        before = json.loads(change.before)
        for key, value in before.items():
            if key in DATE_FIELDS and isinstance(value, str):
                before[key] = dt.date.fromisoformat(value)
        session.execute(update(model).where(model.id == change.row_id).values(**before))
        restored += 1
    removed = 0
    try:
        with session.begin_nested():
            for table in UNDO_ORDER:
                query = delete(table).where(table.upload_id == upload_id)
                if table is Period:  # shared rows: keep any a later upload or the seed still uses
                    query = query.where(~Period.id.in_(select(KpiValue.period_id)),
                                        ~Period.id.in_(select(Benchmark.period_id)))
                result = session.execute(query)
                removed += int(getattr(result, "rowcount", 0) or 0)
    except IntegrityError as exc:
        raise UndoRefused(f"upload {upload_id} cannot be undone: later uploads added data that depends on it "
                          "(undo those first)") from exc
    session.execute(delete(UploadChange).where(UploadChange.upload_id == upload_id))
    upload.outcome = "undone"
    upload.undone_at = when or dt.datetime.now()
    return {"restored": restored, "removed": removed}
