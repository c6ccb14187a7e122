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
import re
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lib import milestones as milestone_rules
from lib import periods, rag, reference, store, values
from lib.model import (
    Action,
    ActionRecommendation,
    ActionUpdate,
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
    Upload,
    UploadChange,
)
from lib.returns.records import (
    ActionRecord,
    Change,
    ChangeLog,
    InspectionKey,
    Loc,
    ParsedReturn,
    RecommendationRecord,
    column_letter,
)
from lib.upserts import ACTION_UPDATE_FIELDS, KPI_VALUE_FIELDS, ChangeCounter, row_snapshot

KPI_DEF_FIELDS = ("name", "theme", "unit", "polarity", "polarity_reported", "kpi_type", "owner", "rag_rule",
                  "amber_tolerance", "frequency", "decimals", "description")
MILESTONE_FIELDS = ("label", "due_date", "due_text", "status", "status_reported")
ACTION_FIELDS = ("title", "description", "lead_officer", "due_date", "due_text", "oversight", "success_measures",
                 "objective_id")
# What a monthly figure means; text-only differences ("44" vs "44.0") are not a change of meaning.
VALUE_MEANING = ("value", "missing_reason", "target", "rag_reported", "commentary")
VALUE_TEXT_OF = {"value": "value_text", "target": "target_text", "rag_reported": "rag_reported_text"}
UPDATE_MEANING = ("status", "rag", "commentary", "reported_by")
UPDATE_TEXT_OF = {"status": "status_reported", "rag": "rag_reported"}


class UndoRefused(Exception):
    """An undo that would tear a later upload's data: undo that one first."""


def _shown(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dt.date):
        return value.strftime("%-d %b %Y")
    text = str(value)
    return text if len(text) <= 200 else text[:199] + "…"


def _people(text: str | None) -> set[str]:
    return {p.lower() for p in values.split_people(text)} if text else set()


def _norm_text(text: str | None) -> str:
    return " ".join(str(text or "").split()).lower()


class Writer:
    def __init__(self, session: Session, upload_id: int | None, counter: ChangeCounter,
                 parsed: ParsedReturn | None = None) -> None:
        self.session, self.upload_id, self.counter = session, upload_id, counter
        self.parsed = parsed or ParsedReturn(filename="")
        self.changes: list[dict[str, Any]] = []
        self.before_kept: set[tuple[str, int]] = set()  # rows whose before-image is already in changes
        self.records = ChangeLog()  # what the preview lists, cell by cell
        self.recs_by_inspection: dict[int | None, dict[str, Recommendation]] = {}
        self.unlisted: set[tuple[int, str]] = set()  # recommendations made ahead of their first link
        self.periods: dict[tuple[str, dt.date, dt.date], int] = {}
        self.period_labels: dict[int, str] = {}  # as stored, so the preview names a period as the pages do
        for p in session.scalars(select(Period)):
            self.periods[(p.kind, p.start_date, p.end_date)] = p.id
            self.period_labels[p.id] = p.label

    def record(self, kind: str, table: str, thing: str, fld: str, before: Any, after: Any,
               loc: Loc | None = None) -> None:
        self.records.append(Change(kind, table, thing, fld, before if before is None or type(before) is str
                                   else _shown(before), after if after is None or type(after) is str
                                   else _shown(after), _cell_text(loc)))

    def change(self, table: str, row: Any, fields: tuple[str, ...]) -> None:
        snapshot_fields = fields + (("upload_id",) if hasattr(row, "upload_id") else ())
        self.changes.append({"upload_id": self.upload_id, "table_name": table, "row_id": row.id,
                             "operation": "update", "before": row_snapshot(row, snapshot_fields)})
        self.before_kept.add((table, row.id))

    def set_fields(self, table: str, row: Any, new: dict[str, Any], fields: tuple[str, ...], thing: str = "",
                   loc: Loc | None = None, cells: dict[str, Loc] | None = None) -> bool:
        diffs = {k: v for k, v in new.items() if k in fields and v is not None and not _same(getattr(row, k), v)
                 and not (isinstance(v, str) and _norm_text(v) == _norm_text(getattr(row, k)))}
        if not diffs:
            self.counter.note(table, "unchanged")
            return False
        self.change(table, row, fields)
        for k, v in diffs.items():
            self.record("changed", table, thing or f"{table} {row.id}", k, getattr(row, k), v,
                        (cells or {}).get(k, loc))
            setattr(row, k, v)
        self.counter.note(table, "changed")
        return True

    def ensure_periods(self, wanted: Any) -> None:
        """Every period of ``wanted`` not yet stored, inserted in one statement (not a flush per period)."""
        new: dict[tuple[str, dt.date, dt.date], periods.Period] = {}
        for period in wanted:
            key = (period.kind, period.start, period.end)
            if key not in self.periods and key not in new:
                new[key] = period
        if not new:
            return
        self.session.execute(insert(Period), [
            {"kind": p.kind, "start_date": p.start, "end_date": p.end, "label": p.label, "upload_id": self.upload_id}
            for p in new.values()])
        for pid, kind, start, end in self.session.execute(
                select(Period.id, Period.kind, Period.start_date, Period.end_date)):
            self.periods.setdefault((kind, start, end), pid)  # new ones keep no label here: a value's own names it

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
        """New KPIs are created (and listed as new); a stored KPI's definition changes only from a
        definitions sheet — a return's short label never renames a KPI."""
        existing = {k.ref: k for k in self.session.scalars(select(Kpi))}
        added: dict[str, dict[str, Any]] = {}
        refs = list(dict.fromkeys([*parsed.kpis, *(v.ref for v in parsed.values),
                                   *(b.ref for b in parsed.benchmarks)]))
        for ref in refs:
            rec = parsed.kpis.get(ref)
            new: dict[str, Any] = {}
            if rec is not None:
                new = {"name": rec.name, "theme": rec.theme, "unit": rec.unit, "polarity": rec.polarity,
                       "polarity_reported": rec.polarity_reported, "kpi_type": rec.kpi_type, "owner": rec.owner,
                       "rag_rule": rec.rag_rule, "amber_tolerance": rec.tolerance, "frequency": rec.frequency,
                       "decimals": rec.decimals, "description": rec.description}
            kpi = existing.get(ref)
            if kpi is None and ref not in added:
                row = {"ref": ref, "name": new.get("name") or ref, "upload_id": self.upload_id,
                       "unit": new.get("unit") or "number", "polarity": new.get("polarity") or "monitor",
                       "rag_rule": new.get("rag_rule") or rag.DEFAULT_RULE,
                       "amber_tolerance": new.get("amber_tolerance") if new.get("amber_tolerance") is not None
                       else rag.DEFAULT_TOLERANCE,
                       "decimals": new.get("decimals") if new.get("decimals") is not None else 1,
                       **{k: new.get(k) for k in ("theme", "polarity_reported", "kpi_type", "owner", "frequency",
                                                  "description")}}
                added[ref] = row
                self.counter.note("kpi", "added")
                self.record("new", "kpi", ref, "KPI", None, f"{row['name']} ({row['unit']}, {row['polarity']})",
                            rec.loc if rec else None)
            elif kpi is not None and new and rec is not None and rec.definition:
                if rec.polarity == kpi.polarity:  # the same meaning in other words is no change
                    new.pop("polarity_reported", None)
                self.set_fields("kpi", kpi, new, KPI_DEF_FIELDS, thing=ref, loc=rec.loc)
        self.session.flush()
        ids = {ref: k.id for ref, k in existing.items()}
        if added:  # new KPIs in one statement, not an ORM flush of each
            self.session.execute(insert(Kpi), list(added.values()))
            ids.update((str(r), int(i)) for r, i in self.session.execute(
                select(Kpi.ref, Kpi.id).where(Kpi.upload_id == self.upload_id) if self.upload_id is not None
                else select(Kpi.ref, Kpi.id)) if r in added)
        return ids

    def values(self, parsed: ParsedReturn, kpi_ids: dict[str, int]) -> None:
        if not parsed.values:
            return
        self.ensure_periods(dict.fromkeys(v.period for v in parsed.values))
        ids = {kpi_ids[v.ref] for v in parsed.values}
        cols = [getattr(KpiValue, f) for f in KPI_VALUE_FIELDS]
        existing: dict[tuple[int, str, int], Any] = {}
        query = select(KpiValue.id, KpiValue.kpi_id, KpiValue.authority_code, KpiValue.period_id,
                       KpiValue.upload_id, Period.end_date, *cols).join(Period, Period.id == KpiValue.period_id) \
            .where(KpiValue.kpi_id.in_(ids))
        latest: dict[tuple[int, str], tuple[dt.date, Any]] = {}
        for row in self.session.execute(query):
            existing[(row.kpi_id, row.authority_code, row.period_id)] = row
            key = (row.kpi_id, row.authority_code)
            if row.value is not None and (key not in latest or row.end_date > latest[key][0]):
                latest[key] = (row.end_date, row.value)
        units = {int(k): str(u) for k, u in self.session.execute(select(Kpi.id, Kpi.unit))}
        inserts: list[tuple[Any, ...]] = []
        updates: list[dict[str, Any]] = []
        replaced_older: dict[tuple[str, str], list[str]] = {}
        source = f"upload {self.upload_id}" if self.upload_id else None
        stored_fields = tuple(f for f in KPI_VALUE_FIELDS if f != "source")
        before_source = tuple(f for f in stored_fields if f not in ("source_sheet", "source_cell"))
        assert stored_fields == (*before_source, "source_sheet", "source_cell")
        added = 0  # new values, counted at the end (a call per row was a tenth of this loop)
        for rec in parsed.values:
            kid, pid = kpi_ids[rec.ref], self.period_id(rec.period)
            old = existing.get((kid, rec.authority, pid))
            label = self.period_labels.get(pid, rec.period.label)
            if old is None and rec.fields.get("_no_value"):
                self.parsed.problem(rec.loc, f"{rec.ref} has no value for {rec.period.label} and none is stored: "
                                    "its RAG or commentary alone is not stored — add the figure", "warning")
                continue
            if old is None:
                self.plausible(rec, units.get(kid), latest.get((kid, rec.authority)))
                got = rec.fields.get
                where = (rec.loc.sheet, rec.loc.cell) if rec.source_from_loc else (got("source_sheet"),
                                                                                  got("source_cell"))
                inserts.append((kid, rec.authority, pid, self.upload_id, *map(got, before_source), *where, source))
                if len(inserts) >= INSERT_CHUNK:  # written as they come: a national file's tuples never all wait
                    store.insert_rows(self.session, "kpi_value", VALUE_COLUMNS, inserts)
                    inserts.clear()
                added += 1
                self.records.defer(_new_value_change, rec, label)
                continue
            given_fields = rec.stored_fields()
            fields = {f: given_fields.get(f) for f in stored_fields}
            fields["source"] = source
            thing = f"{rec.ref} · {rec.authority} · {label}"
            # A blank cell says nothing: only what the return gives replaces what is stored.
            given = {f: fields.get(f) for f in VALUE_MEANING if fields.get(f) is not None}
            if fields.get("value") is not None or fields.get("missing_reason") is not None:
                given["value"], given["missing_reason"] = fields.get("value"), fields.get("missing_reason")
            diffs = [f for f in given if not _same(getattr(old, f), given[f])]
            if not diffs:
                self.counter.note("kpi_value", "unchanged")
                continue
            if "value" in diffs:
                self.plausible(rec, units.get(kid), latest.get((kid, rec.authority)))
            before = {f: _jsonable(getattr(old, f)) for f in (*KPI_VALUE_FIELDS, "upload_id")}
            self.changes.append({"upload_id": self.upload_id, "table_name": "kpi_value", "row_id": old.id,
                                 "operation": "update", "before": json.dumps(before, sort_keys=True)})
            new_row: dict[str, Any] = {f: getattr(old, f) for f in KPI_VALUE_FIELDS}
            for f in diffs:
                new_row[f] = given[f]
                text_field = VALUE_TEXT_OF.get(f)
                if text_field:
                    new_row[text_field] = fields.get(text_field)
                before_shown = getattr(old, VALUE_TEXT_OF[f]) if f in VALUE_TEXT_OF and getattr(
                    old, VALUE_TEXT_OF[f]) else getattr(old, f)
                after_shown = fields.get(VALUE_TEXT_OF[f]) if f in VALUE_TEXT_OF and fields.get(
                    VALUE_TEXT_OF[f]) else given[f]
                if f == "missing_reason" and "value" in diffs:
                    continue
                cell_col = rec.fields.get("cells", {}).get(f)
                self.record("changed", "kpi_value", thing, f, before_shown, after_shown,
                            rec.loc if cell_col is None else Loc(rec.loc.sheet, rec.loc.row, cell_col))
            new_row.update({"id": old.id, "upload_id": self.upload_id, "source": fields["source"],
                        "source_sheet": fields.get("source_sheet"), "source_cell": fields.get("source_cell")})
            updates.append(new_row)
            self.counter.note("kpi_value", "changed")
            if "value" in diffs and old.value is not None:
                latest_end = latest.get((kid, rec.authority), (None,))[0]
                if latest_end is not None and rec.period.end < latest_end:
                    replaced_older.setdefault((rec.ref, rec.authority), []).append(
                        f"{rec.period.label} {_shown(old.value)} → {_shown(given['value'])}")
        for (ref, authority), items in replaced_older.items():
            self.parsed.problem(None, f"{ref} ({authority}): this return replaces figures for periods before the "
                                f"latest one stored (a resubmission?): {'; '.join(items[:6])}"
                                + (f" and {len(items) - 6} more" if len(items) > 6 else ""), "warning")
        store.insert_rows(self.session, "kpi_value", VALUE_COLUMNS, inserts)
        if added:
            self.counter.added["kpi_value"] = self.counter.added.get("kpi_value", 0) + added
        if updates:
            self.session.execute(update(KpiValue), updates)

    def plausible(self, rec: Any, unit: str | None, last: tuple[dt.date, Any] | None) -> None:
        """Warnings a performance officer would want before confirming (never fatal)."""
        value = rec.fields.get("value")
        if value is None:
            return
        where = rec.loc
        if unit == "percent" and not 0 <= value <= 100:
            self.parsed.problem(where, f"{rec.ref}: {_shown(value)}% is outside 0–100", "warning")
        elif unit in ("number", "days", "weeks") and value < 0:
            self.parsed.problem(where, f"{rec.ref}: a negative {unit} ({_shown(value)})", "warning")
        if last is not None and last[1] not in (None, 0) and value not in (None, 0):
            ratio = abs(value) / abs(last[1])
            if ratio > 10 or ratio < 0.1:
                how = "more than ten times" if ratio > 10 else "under a tenth of"
                self.parsed.problem(where, f"{rec.ref}: {_shown(value)} is {how} "
                                    f"the last stored value ({_shown(last[1])}, {last[0]:%b %Y}); check the figure",
                                    "warning")

    def benchmarks(self, parsed: ParsedReturn, kpi_ids: dict[str, int]) -> None:
        if not parsed.benchmarks:
            return
        self.ensure_periods(dict.fromkeys(b.period for b in parsed.benchmarks))
        ids = {kpi_ids[b.ref] for b in parsed.benchmarks}
        stored: dict[tuple[int, str, int, str | None], Benchmark] = {}
        for b in self.session.scalars(select(Benchmark).where(Benchmark.kpi_id.in_(ids))):
            stored.setdefault((b.kpi_id, b.comparator, b.period_id, b.source), b)
        for rec in parsed.benchmarks:
            kid, pid = kpi_ids[rec.ref], self.period_id(rec.period)
            row = stored.get((kid, rec.comparator, pid, rec.source))
            thing = f"{rec.ref} · {rec.comparator} · {rec.period.label}"
            if row is None:
                row = Benchmark(kpi_id=kid, comparator=rec.comparator, period_id=pid, value=rec.value,
                                year_label=rec.year_label, source=rec.source, note=rec.note, upload_id=self.upload_id)
                self.session.add(row)
                stored[(kid, rec.comparator, pid, rec.source)] = row
                self.counter.note("benchmark", "added")
                self.record("new", "benchmark", thing, "value", None, rec.value, rec.loc)
            elif not _same(row.value, rec.value):
                self.change("benchmark", row, ("value", "year_label", "note"))
                self.record("changed", "benchmark", thing, "value", row.value, rec.value, rec.loc)
                row.value, row.upload_id = rec.value, self.upload_id
                self.counter.note("benchmark", "changed")
            else:
                self.counter.note("benchmark", "unchanged")

    def targets(self, parsed: ParsedReturn, kpi_ids: dict[str, int]) -> None:
        """A target table's years: one row per KPI, authority and year, changed in place on a re-import."""
        if not parsed.targets:
            return
        ids = {kpi_ids[t.ref] for t in parsed.targets}
        stored = {(t.kpi_id, t.authority_code, t.start_date, t.end_date): t
                  for t in self.session.scalars(select(KpiTarget).where(KpiTarget.kpi_id.in_(ids)))}
        for rec in parsed.targets:
            key = (kpi_ids[rec.ref], rec.authority, rec.period.start, rec.period.end)
            thing = f"{rec.ref} · target {rec.period.label}"
            shown = rec.target if rec.target is not None else rec.target_text
            row = stored.get(key)
            if row is None:
                row = KpiTarget(kpi_id=key[0], authority_code=rec.authority, period_kind=rec.period.kind,
                                start_date=rec.period.start, end_date=rec.period.end, label=rec.period.label,
                                target=rec.target, target_text=rec.target_text, upload_id=self.upload_id,
                                source_sheet=rec.loc.sheet, source_cell=rec.loc.cell,
                                source=f"upload {self.upload_id}" if self.upload_id is not None else None)
                self.session.add(row)
                stored[key] = row
                self.counter.note("kpi_target", "added")
                self.record("new", "kpi_target", thing, "target", None, shown, rec.loc)
            elif not (_same(row.target, rec.target) if rec.target is not None and row.target is not None
                      else (row.target, row.target_text or None) == (rec.target, rec.target_text or None)):
                self.change("kpi_target", row, ("target", "target_text", "source_sheet", "source_cell"))
                self.record("changed", "kpi_target", thing, "target",
                            row.target if row.target is not None else row.target_text, shown, rec.loc)
                row.target, row.target_text, row.upload_id = rec.target, rec.target_text, self.upload_id
                row.source_sheet, row.source_cell = rec.loc.sheet, rec.loc.cell
                self.counter.note("kpi_target", "changed")
            else:
                self.counter.note("kpi_target", "unchanged")

    # inspections ------------------------------------------------------------------------------
    def inspection(self, key: InspectionKey) -> Inspection:
        insp, created = reference.get_or_create_inspection(
            self.session, authority=key.authority, framework=key.framework, start=key.start, body=key.body,
            upload_id=self.upload_id)
        if created:
            self.counter.note("inspection", "added")
            self.record("new", "inspection", f"{key.authority} {key.framework} {key.start or ''}".strip(),
                        "inspection", None, key.body, None)
        return insp

    def judgements(self, parsed: ParsedReturn) -> None:
        by_area: dict[tuple[int, str], Judgement] = {}
        positions: dict[int, int] = {}  # the next position per inspection: judgements keep the report's order
        for rec in parsed.judgements:
            insp = self.inspection(rec.inspection)
            if rec.published and insp.published_date is None:
                self.change("inspection", insp, ("published_date",))  # so an undo clears it again
                insp.published_date = rec.published
            existing = self.session.scalars(select(Judgement).where(
                Judgement.inspection_id == insp.id, Judgement.area == rec.area,
                Judgement.section.is_(None) if rec.section is None else Judgement.section == rec.section)).first()
            thing = f"{rec.inspection.authority} {rec.inspection.framework} · {rec.area}"
            if existing is not None:
                by_area[(insp.id, rec.area)] = existing
                self.set_fields("judgement", existing, {"grade": rec.grade,
                                                        "score": reference.grade_score(insp.framework_code, rec.grade)},
                                ("grade", "score"), thing=thing, loc=rec.loc)
                continue
            parent = by_area.get((insp.id, rec.parent)) if rec.parent else None
            if insp.id not in positions:
                last = self.session.scalar(select(func.max(Judgement.position))
                                           .where(Judgement.inspection_id == insp.id))
                positions[insp.id] = -1 if last is None else int(last)
            positions[insp.id] += 1
            position = positions[insp.id]
            judgement = reference.add_judgement(self.session, insp, area=rec.area, grade=rec.grade, position=position,
                                                section=rec.section, parent=parent, source=f"upload {self.upload_id}")
            judgement.upload_id = self.upload_id
            by_area[(insp.id, rec.area)] = judgement
            self.counter.note("judgement", "added")
            self.record("new", "judgement", thing, "grade", None, rec.grade, rec.loc)

    def recommendations(self, parsed: ParsedReturn) -> None:
        for rec in parsed.recommendations:
            insp = self.inspection(rec.inspection)
            existing = self.session.scalars(select(Recommendation).where(
                Recommendation.inspection_id == insp.id, Recommendation.number == rec.number)).first()
            thing = f"{rec.inspection.authority} {rec.inspection.framework} · recommendation {rec.number}"
            if existing is not None:
                self.set_fields("recommendation", existing, {"text": rec.text, "timeframe": rec.timeframe},
                                ("text", "timeframe"), thing=thing, loc=rec.loc)
            else:
                existing = Recommendation(inspection_id=insp.id, number=rec.number,
                                          position=len(insp.recommendations), text=rec.text, timeframe=rec.timeframe,
                                          kind=rec.kind, addressed_to=rec.addressed_to, upload_id=self.upload_id)
                self.session.add(existing)
                self.session.flush()
                self.session.refresh(insp)
                self.counter.note("recommendation", "added")
                self.record("new", "recommendation", thing, "text", None, rec.text, rec.loc)
            self.evidence(existing, rec, thing)

    def evidence(self, recommendation: Recommendation, rec: RecommendationRecord, thing: str) -> None:
        """Link the KPIs a recommendation's row names as its evidence (adds links, never removes them)."""
        if not rec.kpis:
            return
        kpis = {k.ref: k.id for k in self.session.scalars(select(Kpi).where(Kpi.ref.in_(rec.kpis)))}
        have = set(self.session.scalars(select(RecommendationKpi.kpi_id).where(
            RecommendationKpi.recommendation_id == recommendation.id)))
        for ref in rec.kpis:
            if ref not in kpis:
                self.parsed.problem(rec.loc, f"recommendation {rec.number}: evidence KPI '{ref}' is not a stored "
                                    "KPI; the link was not made", "warning")
            elif kpis[ref] not in have:
                self.session.add(RecommendationKpi(recommendation_id=recommendation.id, kpi_id=kpis[ref],
                                                   upload_id=self.upload_id))
                have.add(kpis[ref])
                self.counter.note("recommendation_kpi", "added")
                self.record("new", "recommendation_kpi", thing, "evidenced by", None, ref, rec.loc)

    # actions ------------------------------------------------------------------------------------------
    def match_action(self, rec: ActionRecord, plan: Plan, known: dict[str, Action]) -> str | None:
        """The stored action a loosely written id means ("1.1" typed as a number for "1.10", "Action 3",
        "01.02"); None when it is new. Ambiguity is a problem naming the candidates."""
        ref = rec.ref
        if not known or ref in known:
            return ref
        if rec.ref_typed_as_number:
            longer = [k for k in known if k.startswith(ref) and set(k[len(ref):]) == {"0"}]
            if len(longer) == 1:
                self.parsed.note(rec.loc, f"action id {ref} (a number in Excel) read as {longer[0]} — "
                                    f"plan {plan.code} has {longer[0]} and no {ref}")
                return longer[0]

        def key(text: str) -> str:
            text = re.sub(r"(?i)^\s*(action|act|no\.?|#)\s*", "", text.strip())
            parts = re.split(r"[\s._\-/]+", text.lower())
            return ".".join(p.lstrip("0") or "0" if p.isdigit() else p for p in parts if p)

        wanted = key(ref)
        candidates = [k for k in known if key(k) == wanted]
        if re.fullmatch(r"\d+\.\d", ref):  # "1.1": 1.01 by its digits, or 1.10 with Excel's zero lost
            candidates += [k for k in known if k == ref + "0" and k not in candidates]
        if len(candidates) == 1:
            self.parsed.note(rec.loc, f"action id '{ref}' read as {candidates[0]} (plan {plan.code})")
            return candidates[0]
        if len(candidates) > 1:
            self.parsed.problem(rec.loc, f"action id '{ref}' could be any of {', '.join(sorted(candidates))} in plan "
                                f"{plan.code}: write the id exactly as the plan has it")
            return None
        return ref

    def due_change(self, rec: ActionRecord, action: Action | None) -> dict[str, Any]:
        """Due date and text as the cell means them, compared as meaning with what is stored."""
        if rec.due_text is None:
            return {}
        if action is None:
            return {"due_date": rec.due, "due_text": rec.due_text[:120]}
        if _norm_text(rec.due_text) == _norm_text(action.due_text):
            return {}
        if rec.due is not None and rec.due == action.due_date:
            return {}
        if not rec.due_readable:
            where = rec.columns.get("due", rec.loc)
            if action.due_date is not None:
                self.parsed.problem(where,
                                    f"cannot read the due date '{rec.due_text[:60]}'; the earlier due date "
                                    f"{_shown(action.due_date)} is cleared (the text is kept)", "warning")
            else:
                self.parsed.problem(where,
                                    f"cannot read the due date '{rec.due_text[:60]}' (the text is kept)", "warning")
        return {"due_date": rec.due, "due_text": rec.due_text[:120], "_due_clear": rec.due is None}

    def actions(self, parsed: ParsedReturn, authority: str, default_plan: str) -> None:
        """Plans, objectives, actions, links and monthly updates; new rows are inserted in bulk."""
        if not parsed.actions:
            return
        plans = {p.code: p for p in self.session.scalars(select(Plan))}
        objectives: dict[tuple[int, str], Objective] = {
            (o.plan_id, o.code): o for o in self.session.scalars(select(Objective))}
        objectives_by_title = {(o.plan_id, o.title): o for o in objectives.values()}
        actions = {(a.plan_id, a.ref): a for a in self.session.scalars(select(Action))}
        by_plan: dict[int, dict[str, Action]] = {}
        for (plan_id, ref), a in actions.items():
            by_plan.setdefault(plan_id, {})[ref] = a
        next_position = {plan_id: 0 for plan_id, _ in actions}
        for plan_id, _ in actions:
            next_position[plan_id] += 1
        links = {(link.action_id, link.recommendation_id)
                 for link in self.session.scalars(select(ActionRecommendation))}
        updates = {(u.action_id, u.period_end): u for u in self.session.scalars(select(ActionUpdate))}
        latest_update: dict[int, dt.date] = {}
        for action_id, end in updates:
            if end > latest_update.get(action_id, dt.date.min):
                latest_update[action_id] = end
        older: list[str] = []

        new_actions: dict[tuple[int, str], dict[str, Any]] = {}
        resolved: list[tuple[Plan, tuple[int, str], ActionRecord]] = []
        existed = set(actions)
        linked: dict[int, set[str]] = {}
        numbers = {r.id: r.number for r in self.session.scalars(select(Recommendation))}
        for action_id, rec_id in links:
            linked.setdefault(action_id, set()).add(numbers.get(rec_id, ""))
        noted: set[object] = set()
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
                self.record("new", "plan", plan.code, "plan", None, plan.title, None)
            matched = self.match_action(rec, plan, by_plan.get(plan.id, {}))
            if matched is None:
                continue
            rec.ref = matched
            action = actions.get((plan.id, rec.ref))
            objective = None
            if rec.objective and (action is None or rec.definition):
                objective = (objectives.get((plan.id, rec.objective))
                             or objectives_by_title.get((plan.id, rec.objective)))
                if objective is None:
                    objective = Objective(plan_id=plan.id, code=rec.objective[:20], title=rec.objective,
                                          upload_id=self.upload_id)
                    self.session.add(objective)
                    self.session.flush()
                    objectives[(plan.id, objective.code)] = objectives_by_title[(plan.id, rec.objective)] = objective
                    self.record("new", "objective", f"Plan {plan.code} · objective", "objective", None,
                                rec.objective, rec.columns.get("objective", rec.loc))
            key = (plan.id, rec.ref)
            thing = f"Plan {plan.code} · action {rec.ref}"
            cells = rec.columns
            due = self.due_change(rec, action if action is not None else None)
            if action is not None:
                fields: dict[str, Any] = {}
                if rec.definition:  # a plan table: titles and texts may change, and show in the preview
                    fields = {"title": rec.title, "description": rec.description, "oversight": rec.oversight,
                              "success_measures": rec.success, "objective_id": objective.id if objective else None}
                if rec.lead and _people(rec.lead) != _people(action.lead_officer):
                    fields["lead_officer"] = rec.lead
                clear_due = due.pop("_due_clear", False)
                fields.update(due)
                self.set_fields("action", action, fields, ACTION_FIELDS, thing=thing, loc=rec.loc,
                                cells={"lead_officer": cells.get("lead", rec.loc),
                                       "due_date": cells.get("due", rec.loc), "due_text": cells.get("due", rec.loc),
                                       "title": cells.get("title", rec.loc),
                                       "description": cells.get("action_text", rec.loc)})
                if clear_due and action.due_date is not None:
                    if ("action", action.id) not in self.before_kept:
                        self.change("action", action, ACTION_FIELDS)
                    self.record("changed", "action", thing, "due_date", action.due_date, None, cells.get("due"))
                    action.due_date = None
            elif key in new_actions:  # the same action on a second sheet (definitions, then updates)
                row = new_actions[key]
                more = {"title": rec.title, "description": rec.description, "lead_officer": rec.lead,
                        "oversight": rec.oversight, "success_measures": rec.success,
                        "objective_id": objective.id if objective else None, **due}
                more.pop("_due_clear", None)
                row.update({k: v for k, v in more.items() if v is not None and row.get(k) is None})
                row["applies_to_all"] = row["applies_to_all"] or "ALL" in rec.recommendations
            else:
                position = next_position.get(plan.id, 0)
                next_position[plan.id] = position + 1
                due.pop("_due_clear", None)
                new_actions[key] = {"plan_id": plan.id, "ref": rec.ref, "position": position,
                                    "upload_id": self.upload_id, "applies_to_all": "ALL" in rec.recommendations,
                                    "title": rec.title, "description": rec.description, "lead_officer": rec.lead,
                                    "due_date": due.get("due_date"), "due_text": due.get("due_text"),
                                    "oversight": rec.oversight, "success_measures": rec.success,
                                    "objective_id": objective.id if objective else None}
                known = by_plan.get(plan.id)
                self.record("new", "action", thing, "action", None, rec.title or rec.ref, rec.loc)
                if known:
                    self.parsed.note(rec.loc, f"action {rec.ref} is new to plan {plan.code} (it has "
                                        f"{len(known)} actions); it will be added")
            resolved.append((plan, key, rec))
        if new_actions:
            rows = list(new_actions.values())
            for row in rows:
                row["title"] = row.get("title") or row["ref"]
            self.session.execute(insert(Action), rows)
            self.counter.added["action"] = self.counter.added.get("action", 0) + len(rows)
            query = select(Action.id, Action.plan_id, Action.ref)
            for stored in self.session.execute(query.where(Action.upload_id == self.upload_id)
                                               if self.upload_id is not None else query):
                actions.setdefault((stored.plan_id, stored.ref), stored)  # type: ignore[arg-type]  # .id is read
        link_rows: list[dict[str, Any]] = []
        update_rows: list[dict[str, Any]] = []
        self.prepare_links([(plan, rec) for plan, key, rec in resolved
                            if not (key in existed and not rec.definition and rec.recommendations_by_order)],
                           authority)
        for plan, key, rec in resolved:
            action_id = actions[key].id
            thing = f"Plan {plan.code} · action {rec.ref}"
            if key in existed and not rec.definition and rec.recommendations_by_order:
                if rec.recommendations and not {n for n in rec.recommendations if n != "ALL"} <= linked.get(
                        action_id, set()) and ("links", key) not in noted:
                    noted.add(("links", key))
                    self.parsed.note(rec.columns.get("recommendations", rec.loc), f"action {rec.ref}: the "
                                     "recommendation text (no number) is not used — a progress return does not "
                                     "change which recommendations an action answers; give the number to link one")
            else:
                self.link(action_id, plan, rec.recommendations, rec.recommendation_texts, rec.timeframe, links,
                          authority, link_rows, thing=thing, loc=rec.loc)
            if not rec.update:
                continue
            end = rec.update["period_end"]
            values_ = {k: v for k, v in rec.update.items() if k != "period_end"}
            existing = updates.get((action_id, end))
            update_thing = f"{thing} · {values_.get('period_label') or end}"
            late = action_id in latest_update and end < latest_update[action_id]
            before_count = len(self.records)
            cells = rec.columns
            if existing is None:
                row = {"action_id": action_id, "period_end": end, "upload_id": self.upload_id,
                       **{f: values_.get(f) for f in ACTION_UPDATE_FIELDS}}
                updates[(action_id, end)] = row  # type: ignore[assignment]  # a later duplicate row updates it
                update_rows.append(row)
                self.counter.note("action_update", "added")
                for f in ("status", "rag", "commentary"):
                    if values_.get(f) is not None:
                        shown = values_.get(UPDATE_TEXT_OF.get(f, f)) or values_.get(f)
                        self.record("new", "action_update", update_thing, f, None, shown,
                                    cells.get(f, rec.loc))
            elif isinstance(existing, dict):
                existing.update({k: v for k, v in values_.items() if v is not None})
            else:
                self.action_update(existing, values_, update_thing, cells, rec.loc)
            if late and len(self.records) > before_count:
                older.append(f"{rec.ref} ({values_.get('period_label') or end}; latest stored "
                             f"{latest_update[action_id]:%b %Y})")
        if older:
            self.parsed.problem(None, f"updates for months before the latest stored update (a late or repeated "
                                f"return?): {', '.join(older[:6])}" + (f" and {len(older) - 6} more"
                                                                        if len(older) > 6 else ""), "warning")
        self.milestones(resolved, actions)
        if link_rows:
            self.session.execute(insert(ActionRecommendation), link_rows)
        if update_rows:
            self.session.execute(insert(ActionUpdate), update_rows)

    def action_update(self, row: ActionUpdate, new: dict[str, Any], thing: str, cells: dict[str, Loc],
                      loc: Loc) -> None:
        """A monthly update given again: only what the return says differently is changed."""
        diffs = [f for f in UPDATE_MEANING if new.get(f) is not None and not _same(getattr(row, f), new[f])]
        for f, word in UPDATE_TEXT_OF.items():  # "Delayed" for a stored "In progress": same code, new word
            if f not in diffs and new.get(word) and _norm_text(new[word]) != _norm_text(
                    getattr(row, word)) and new.get(f) is not None:
                diffs.append(f)
        if not diffs:
            self.counter.note("action_update", "unchanged")
            return
        self.change("action_update", row, ACTION_UPDATE_FIELDS)
        for f in diffs:
            text_field = UPDATE_TEXT_OF.get(f)
            before = (getattr(row, text_field) if text_field else None) or getattr(row, f)
            after = (new.get(text_field) if text_field else None) or new[f]
            self.record("changed", "action_update", thing, f, before, after, cells.get(f, loc))
            setattr(row, f, new[f])
            if text_field:
                setattr(row, text_field, new.get(text_field))
        for f in ("source_sheet", "source_cell", "period_label"):
            if new.get(f) is not None:
                setattr(row, f, new[f])
        row.upload_id = self.upload_id
        self.counter.note("action_update", "changed")

    def plan_inspection(self, plan: Plan, authority: str) -> int:
        """The inspection whose recommendations a plan's actions answer; one is made for a plan without."""
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
        return int(plan.inspection_id)

    def recommendations_of(self, inspection_id: int) -> dict[str, Recommendation]:
        recs = self.recs_by_inspection.get(inspection_id)
        if recs is None:
            recs = self.recs_by_inspection[inspection_id] = {r.number: r for r in self.session.scalars(
                select(Recommendation).where(Recommendation.inspection_id == inspection_id))}
        return recs

    def prepare_links(self, items: list[tuple[Plan, ActionRecord]], authority: str) -> None:
        """The recommendations the actions name and nobody stored yet, inserted in one statement before the
        links are made (each was a flush of its own); each is still listed as new where first named."""
        pending: dict[tuple[int, str], dict[str, Any]] = {}
        for plan, rec in items:
            numbers = [n for n in rec.recommendations if n != "ALL"]
            if not numbers:
                continue
            inspection_id = self.plan_inspection(plan, authority)
            recs = self.recommendations_of(inspection_id)
            for number in numbers:
                if number not in recs and (inspection_id, number) not in pending:
                    position = len(recs) + sum(1 for i, _n in pending if i == inspection_id)
                    pending[(inspection_id, number)] = {
                        "inspection_id": inspection_id, "number": number, "position": position,
                        "text": rec.recommendation_texts.get(number) or f"Recommendation {number}",
                        "timeframe": rec.timeframe, "upload_id": self.upload_id}
        if not pending:
            return
        self.session.execute(insert(Recommendation), list(pending.values()))
        for inspection_id in {i for i, _n in pending}:
            recs = self.recs_by_inspection[inspection_id]
            for r in self.session.scalars(select(Recommendation).where(Recommendation.inspection_id == inspection_id)):
                recs.setdefault(r.number, r)
        self.unlisted.update(pending)

    def link(self, action_id: int, plan: Plan, numbers: list[str], texts: dict[str, str], timeframe: str | None,
             links: set[tuple[int, int]], authority: str, rows: list[dict[str, Any]], thing: str = "",
             loc: Loc | None = None) -> None:
        numbers = [n for n in numbers if n != "ALL"]
        if not numbers:
            return
        inspection_id = self.plan_inspection(plan, authority)
        recs = self.recommendations_of(inspection_id)
        for number in numbers:
            recommendation = recs.get(number)
            if recommendation is None:
                recommendation = Recommendation(inspection_id=inspection_id, number=number, position=len(recs),
                                                text=texts.get(number) or f"Recommendation {number}",
                                                timeframe=timeframe, upload_id=self.upload_id)
                self.session.add(recommendation)
                self.session.flush()
                recs[number] = recommendation
                self.unlisted.add((inspection_id, number))
            if (inspection_id, number) in self.unlisted:  # new in this upload: listed where first named
                self.unlisted.discard((inspection_id, number))
                self.counter.note("recommendation", "added")
                self.record("new", "recommendation", f"Plan {plan.code} · recommendation {number}", "text", None,
                            recommendation.text, loc)
            if (action_id, recommendation.id) not in links:
                rows.append({"action_id": action_id, "recommendation_id": recommendation.id,
                             "upload_id": self.upload_id})
                links.add((action_id, recommendation.id))
                self.counter.note("action_recommendation", "added")
                self.record("new", "action_recommendation", thing, "answers recommendation", None, number, loc)

    def milestones(self, resolved: list[tuple[Plan, tuple[int, str], ActionRecord]],
                   actions: dict[tuple[int, str], Action]) -> None:
        """A due cell listing several dates ("1. July 17 … 4. Dec 17, March 18") gives the action's milestones:
        added where the action has none, changed in place where it has; stored ones beyond the list are kept."""
        wanted: dict[int, tuple[list[milestone_rules.MilestoneSpec], Plan, ActionRecord]] = {}
        for plan, key, rec in resolved:
            specs = milestone_rules.from_schedule(rec.due_text, rec.description)
            if specs and key in actions:
                wanted[actions[key].id] = (specs, plan, rec)
        if not wanted:
            return
        stored: dict[int, dict[int, Milestone]] = {}
        for m in self.session.scalars(select(Milestone).where(Milestone.action_id.in_(list(wanted)))):
            stored.setdefault(m.action_id, {})[m.position] = m
        rows: list[dict[str, Any]] = []
        for action_id, (specs, plan, rec) in wanted.items():
            have = stored.get(action_id, {})
            loc = rec.columns.get("due", rec.loc)
            if have:  # stored milestones are changed only by a milestones sheet, never by a due cell
                same = [m.due_date for _p, m in sorted(have.items())] == [spec.due for spec in specs]
                if not same:
                    self.parsed.note(loc, f"action {rec.ref}: the cell lists {len(specs)} milestone date(s) that "
                                     f"differ from the {len(have)} stored; the stored milestones are kept (change "
                                     "them on a Milestones sheet: Plan, Action ID, Milestone text, Due date)")
                continue
            for spec in specs:
                thing = f"Plan {plan.code} · action {rec.ref} · milestone {spec.position + 1}"
                rows.append({"action_id": action_id, "position": spec.position, "upload_id": self.upload_id,
                             "source": f"upload {self.upload_id}" if self.upload_id is not None else None,
                             "label": spec.label, "due_date": spec.due, "due_text": spec.due_text,
                             "status": spec.status, "status_reported": spec.status_reported})
                self.counter.note("milestone", "added")
                self.record("new", "milestone", thing, "due_date", None,
                            spec.due if spec.due is not None else spec.due_text, loc)
        if rows:
            self.session.execute(insert(Milestone), rows)

    def milestone_sheet(self, parsed: ParsedReturn, default_plan: str) -> None:
        """A milestones sheet: each row the n-th milestone of an action already stored or in this upload."""
        if not parsed.milestones:
            return
        actions = {(plan, ref): aid for aid, plan, ref in self.session.execute(
            select(Action.id, Plan.code, Action.ref).join(Plan, Plan.id == Action.plan_id))}
        by_action: dict[int, list[Milestone]] = {}
        for m in self.session.scalars(select(Milestone).order_by(Milestone.action_id, Milestone.position)):
            by_action.setdefault(m.action_id, []).append(m)
        rows: list[dict[str, Any]] = []
        listed: dict[int, set[int]] = {}  # action → the stored milestones the sheet named
        for rec in parsed.milestones:
            plan = rec.plan or default_plan
            action_id = actions.get((plan, rec.ref))
            if action_id is None:
                parsed.problem(rec.loc, f"no action {rec.ref} in plan {plan}: add the action (Actions sheet) first")
                continue
            have = by_action.setdefault(action_id, [])
            seen = listed.setdefault(action_id, set())
            # the same milestone is the one with the same text; else the one in the same place not yet named
            row = next((m for m in have if m.id not in seen and _norm_text(m.label) == _norm_text(rec.label)), None)
            if row is None:
                row = next((m for m in have if m.id not in seen and m.position == rec.position
                            and not any(_norm_text(m.label) == _norm_text(r.label) for r in parsed.milestones
                                        if (r.plan or default_plan, r.ref) == (plan, rec.ref))), None)
            fields = {"label": rec.label, "due_date": rec.due, "due_text": rec.due_text, "status": rec.status,
                      "status_reported": rec.status_reported}
            if row is None:
                position = max([m.position for m in have] + [p["position"] for p in rows
                                                               if p["action_id"] == action_id] + [-1]) + 1
                thing = f"Plan {plan} · action {rec.ref} · milestone {position + 1}"
                rows.append({"action_id": action_id, "position": position, "upload_id": self.upload_id,
                             "source": f"upload {self.upload_id}" if self.upload_id is not None else None, **fields})
                self.counter.note("milestone", "added")
                self.record("new", "milestone", thing, "due_date", None,
                            rec.due if rec.due is not None else rec.due_text, rec.loc)
                continue
            seen.add(row.id)
            self.set_fields("milestone", row, fields, MILESTONE_FIELDS,
                            thing=f"Plan {plan} · action {rec.ref} · milestone {row.position + 1}", loc=rec.loc)
        for action_id, seen in listed.items():
            left = [m for m in by_action.get(action_id, []) if m.id not in seen]
            if left:
                parsed.note(None, f"{len(left)} stored milestone(s) of an action on the Milestones sheet are not "
                            f"listed there and are kept: {'; '.join(m.label[:40] for m in left[:3])}")
        if rows:
            self.session.execute(insert(Milestone), rows)

    def flush_changes(self) -> None:
        if self.changes and self.upload_id is not None:
            self.session.execute(insert(UploadChange), self.changes)
        self.changes.clear()


INSERT_CHUNK = 20_000  # new KPI values written per executemany (or COPY)
VALUE_COLUMNS = ("kpi_id", "authority_code", "period_id", "upload_id", *KPI_VALUE_FIELDS)


def _cell_text(loc: Loc | None) -> str | None:
    """Where a change came from, as the preview names it: "Data!E5", or "Data row 5" for a whole row."""
    if loc is None:
        return None
    if loc.col is not None:
        return f"{loc.sheet}!{column_letter(loc.col)}{loc.row + 1}"
    return f"{loc.sheet} row {loc.row + 1}"


def _new_value_change(rec: Any, label: str) -> Change:
    """A new KPI value as the preview lists it: "44.5 · target 60 · RAG G · with commentary"."""
    fields = rec.fields
    shown = str(fields.get("value_text") or fields.get("missing_reason"))
    extras = [f"target {fields.get('target_text') or _shown(fields.get('target'))}"
              if fields.get("target") is not None or fields.get("target_text") else "",
              f"RAG {fields.get('rag_reported_text')}" if fields.get("rag_reported") else "",
              "with commentary" if fields.get("commentary") else ""]
    return Change("new", "kpi_value", _new_value_thing(rec, label), "value", None,
                  " · ".join([shown, *filter(None, extras)]), _cell_text(rec.loc))


def _new_value_thing(rec: Any, label: str) -> str:
    """The item a new value's change names, from the same arguments (the preview filters without building)."""
    return f"{rec.ref} · {rec.authority} · {label}"


ChangeLog.describe(_new_value_change, "kpi_value", _new_value_thing)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    return bool(a == b)


def apply(session: Session, parsed: ParsedReturn, *, upload_id: int | None, authority: str,
          default_plan: str) -> Writer:
    """Write everything in the parsed return; the caller owns the transaction (and rolls it back when
    the writer added an error to ``parsed.problems``). Returns the writer: its counter and records."""
    counter = ChangeCounter()
    writer = Writer(session, upload_id, counter, parsed)
    kpi_ids = writer.kpis(parsed)
    writer.values(parsed, kpi_ids)
    writer.benchmarks(parsed, kpi_ids)
    writer.targets(parsed, kpi_ids)
    writer.judgements(parsed)
    writer.recommendations(parsed)
    writer.actions(parsed, authority, default_plan)
    session.flush()
    writer.milestone_sheet(parsed, default_plan)
    session.flush()
    writer.flush_changes()
    session.flush()
    return writer


# --- undo --------------------------------------------------------------------------------------------

UNDO_ORDER = (ActionUpdate, Milestone, KpiValue, KpiTarget, Benchmark, ActionRecommendation, RecommendationKpi,
              Judgement, Recommendation, Action, Objective, Plan, Inspection, Kpi, Period)
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
