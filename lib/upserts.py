"""Idempotent writes of the things returns and seed data carry: periods, KPI values,
benchmarks and action updates.

Each upsert compares the incoming row with what is stored and only writes a real
change, recording it against the upload (``upload_change``) so an undo can restore
exactly the state before. Called inside one :func:`lib.store.write` transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lib import periods
from lib.model import ActionUpdate, Base, Benchmark, KpiValue, Period, UploadChange

KPI_VALUE_FIELDS = (
    "value",
    "value_text",
    "missing_reason",
    "target",
    "target_text",
    "rag_reported",
    "rag_reported_text",
    "commentary",
    "source_sheet",
    "source_cell",
    "source",
)
ACTION_UPDATE_FIELDS = (
    "period_label",
    "status",
    "status_reported",
    "rag",
    "rag_reported",
    "commentary",
    "reported_by",
    "source_sheet",
    "source_cell",
)


@dataclass
class ChangeCounter:
    """How many rows an operation added, changed or left alone (for previews and summaries)."""

    added: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    def note(self, table: str, outcome: str) -> None:
        bucket = {"added": self.added, "changed": self.changed, "unchanged": self.unchanged}[outcome]
        bucket[table] = bucket.get(table, 0) + 1

    @property
    def total_changes(self) -> int:
        return sum(self.added.values()) + sum(self.changed.values())

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {"added": dict(self.added), "changed": dict(self.changed), "unchanged": dict(self.unchanged)}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def row_snapshot(row: Base, fields: tuple[str, ...]) -> str:
    return json.dumps({f: _jsonable(getattr(row, f)) for f in fields}, sort_keys=True)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    return bool(a == b)


class PeriodCache:
    """Period rows by (kind, start, end), created on first use within a session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._ids: dict[tuple[str, dt.date, dt.date], int] = {
            (p.kind, p.start_date, p.end_date): p.id for p in session.scalars(select(Period))
        }

    def id_for(self, period: periods.Period) -> int:
        key = (period.kind, period.start, period.end)
        found = self._ids.get(key)
        if found is not None:
            return found
        row = Period(kind=period.kind, start_date=period.start, end_date=period.end, label=period.label)
        self.session.add(row)
        self.session.flush()
        self._ids[key] = row.id
        return row.id


def _record(session: Session, upload_id: int | None, table: str, row_id: int, op: str, before: str | None) -> None:
    if upload_id is not None:
        session.add(UploadChange(upload_id=upload_id, table_name=table, row_id=row_id, operation=op, before=before))


def upsert_kpi_value(
    session: Session,
    *,
    kpi_id: int,
    authority: str,
    period_id: int,
    values: dict[str, Any],
    upload_id: int | None = None,
    counter: ChangeCounter | None = None,
    existing: KpiValue | None = None,
) -> str:
    """Insert or update one KPI value; returns "added", "changed" or "unchanged"."""
    row = existing or session.scalars(
        select(KpiValue).where(
            KpiValue.kpi_id == kpi_id, KpiValue.authority_code == authority, KpiValue.period_id == period_id
        )
    ).first()
    return _apply(
        session,
        row,
        lambda: KpiValue(kpi_id=kpi_id, authority_code=authority, period_id=period_id),
        "kpi_value",
        KPI_VALUE_FIELDS,
        values,
        upload_id,
        counter,
    )


def upsert_action_update(
    session: Session,
    *,
    action_id: int,
    period_end: dt.date,
    values: dict[str, Any],
    upload_id: int | None = None,
    counter: ChangeCounter | None = None,
    existing: ActionUpdate | None = None,
    known_missing: bool = False,
) -> str:
    """Insert or update one monthly action update; ``known_missing`` skips the lookup when the caller
    has already loaded every existing update (and passes ``existing`` when there is one)."""
    row = existing
    if row is None and not known_missing:
        row = session.scalars(
            select(ActionUpdate).where(ActionUpdate.action_id == action_id, ActionUpdate.period_end == period_end)
        ).first()
    return _apply(
        session,
        row,
        lambda: ActionUpdate(action_id=action_id, period_end=period_end),
        "action_update",
        ACTION_UPDATE_FIELDS,
        values,
        upload_id,
        counter,
    )


def upsert_benchmark(
    session: Session,
    *,
    kpi_id: int,
    comparator: str,
    period_id: int,
    source: str,
    values: dict[str, Any],
    upload_id: int | None = None,
    counter: ChangeCounter | None = None,
) -> str:
    row = session.scalars(
        select(Benchmark).where(
            Benchmark.kpi_id == kpi_id,
            Benchmark.comparator == comparator,
            Benchmark.period_id == period_id,
            Benchmark.source == source,
        )
    ).first()
    return _apply(
        session,
        row,
        lambda: Benchmark(kpi_id=kpi_id, comparator=comparator, period_id=period_id, source=source),
        "benchmark",
        ("value", "year_label", "note"),
        values,
        upload_id,
        counter,
    )


def _apply(
    session: Session,
    row: Any,
    make: Any,
    table: str,
    fields: tuple[str, ...],
    values: dict[str, Any],
    upload_id: int | None,
    counter: ChangeCounter | None,
) -> str:
    if row is None:
        row = make()
        for name in fields:
            if name in values:
                setattr(row, name, values[name])
        if upload_id is not None and hasattr(row, "upload_id"):
            row.upload_id = upload_id
        session.add(row)
        session.flush()
        _record(session, upload_id, table, row.id, "insert", None)
        outcome = "added"
    else:
        diffs = [name for name in fields if name in values and not _same(getattr(row, name), values[name])]
        if not diffs:
            outcome = "unchanged"
        else:
            snapshot_fields = fields + (("upload_id",) if hasattr(row, "upload_id") else ())
            before = row_snapshot(row, snapshot_fields)
            for name in diffs:
                setattr(row, name, values[name])
            if upload_id is not None and hasattr(row, "upload_id"):
                row.upload_id = upload_id
            _record(session, upload_id, table, row.id, "update", before)
            outcome = "changed"
    if counter is not None:
        counter.note(table, outcome)
    return outcome
