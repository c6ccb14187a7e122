"""One call from uploaded bytes to stored history: read safely, parse, validate, preview, commit.

All or nothing: any error means nothing from the file is stored (the upload itself is
recorded as rejected, with the file, so nothing a user sent is lost). Parsing and
validation happen before the write lock is taken; the commit is one transaction. The
preview runs the very same commit and rolls it back, so what it promises is what a
confirm does.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import json
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from lib import config, periods, reference, store
from lib.model import Authority, ColumnMapping, Plan, Upload, UploadFile
from lib.read import base
from lib.returns import commit, headers
from lib.returns.parse import Context, parse_workbook
from lib.returns.records import BySeverity, Change, ParsedReturn, Problem, SheetReport
from lib.returns.workbook import RejectedFile, read_workbook
from lib.upserts import ChangeCounter

_GC_LOCK = threading.Lock()
_GC_PAUSES = 0  # imports running now with the collector paused (several threads may import at once)
_GC_WAS_ENABLED = True  # the collector's state before the first of them paused it


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while a file is parsed and written. A national file makes millions
    of small objects and no reference cycles, and every full collection walks them all: it was a third of
    the parse. Whatever cycles there are are collected when the last running import ends."""
    global _GC_PAUSES, _GC_WAS_ENABLED
    with _GC_LOCK:
        if _GC_PAUSES == 0:
            _GC_WAS_ENABLED = gc.isenabled()
        _GC_PAUSES += 1
        gc.disable()
    try:
        yield
    finally:
        with _GC_LOCK:
            _GC_PAUSES -= 1
            if _GC_PAUSES == 0 and _GC_WAS_ENABLED:
                gc.enable()


class _Rollback(Exception):
    """Raised inside the transaction to discard a preview."""


class _Refused(Exception):
    """Raised inside the transaction when writing found a problem (an ambiguous action id, say)."""


class _Duplicate(Exception):
    """Raised inside the transaction when another upload of the same file committed first."""


@dataclass
class ImportResult(BySeverity):
    filename: str
    sha256: str
    size: int
    outcome: str  # imported | rejected | duplicate | preview
    upload_id: int | None = None
    problems: list[Problem] = field(default_factory=list)
    sheets: list[SheetReport] = field(default_factory=list)
    counter: ChangeCounter = field(default_factory=ChangeCounter)
    notes: list[str] = field(default_factory=list)
    duplicate_of: int | None = None
    changes: Sequence[Change] = field(default_factory=list)

    def note_lines(self) -> list[str]:
        """Every note — file-level, cell-level, then what was not read — each starting with "note:"."""
        skipped = self.skipped()
        return ([f"note: {self.filename}: {n}" for n in self.notes] + [p.line() for p in self.cell_notes]
                + [f"note: {self.filename}: sheet skipped: {s}" for s in skipped["sheets"]]
                + [f"note: {self.filename}: column not read: {c}" for c in skipped["columns"]])

    def skipped(self) -> dict[str, list[str]]:
        """What was not read: sheets (and why) and columns (with their header text)."""
        return {
            "sheets": [f"{s.name}: {s.reason}" for s in self.sheets if s.family is None],
            "columns": [f"{s.name}: '{u}'" for s in self.sheets for u in s.unmatched],
            "rows": [f"{s.name}: {r}" for s in self.sheets for r in s.skipped_rows],
        }

    def as_dict(self) -> dict[str, Any]:
        """The summary object ``import --format json`` prints for each file."""
        return {
            "file": self.filename, "status": self.outcome, "upload_id": self.upload_id,
            "duplicate_of": self.duplicate_of,
            "counts": {"new": sum(self.counter.added.values()), "changed": sum(self.counter.changed.values()),
                       "unchanged": sum(self.counter.unchanged.values()), "by_table": self.counter.as_dict()},
            "notes": self.note_lines(), "warnings": [p.line() for p in self.warnings],
            "problems": [p.line() for p in self.errors],
            "changes": [c.as_row() for c in self.changes],
            "skipped": self.skipped(),
            "sheets": [{"sheet": s.name, "read_as": s.label, "rows": s.rows, "header_row": s.header_row}
                       for s in self.sheets],
        }

    @property
    def ok(self) -> bool:
        return self.outcome in ("imported", "duplicate", "preview") and not self.errors

    def summary_line(self) -> str:
        if self.outcome == "duplicate":
            return f"{self.filename}: already imported as upload {self.duplicate_of}; nothing changed"
        if self.outcome == "rejected":
            return f"{self.filename}: rejected ({len(self.errors)} problem(s)); nothing stored"
        added = sum(self.counter.added.values())
        changed = sum(self.counter.changed.values())
        unchanged = sum(self.counter.unchanged.values())
        verb = "would add" if self.outcome == "preview" else "imported as upload " + str(self.upload_id) + ":"
        return (f"{self.filename}: {verb} {added} new, {changed} changed, {unchanged} unchanged rows"
                + (f", {len(self.warnings)} warning(s)" if self.warnings else ""))

    def change_rows(self) -> list[dict[str, Any]]:
        """What will be (or was) added and changed, per table, for the preview."""
        names = set(self.counter.added) | set(self.counter.changed) | set(self.counter.unchanged)
        return [{"What": TABLE_LABELS.get(n, n), "Added": self.counter.added.get(n, 0),
                 "Changed": self.counter.changed.get(n, 0), "Unchanged": self.counter.unchanged.get(n, 0)}
                for n in sorted(names)]


TABLE_LABELS = {
    "kpi": "KPIs", "kpi_value": "KPI values", "benchmark": "Benchmarks", "action": "Actions",
    "action_update": "Action updates", "action_recommendation": "Action–recommendation links",
    "recommendation_kpi": "Recommendation–KPI evidence links",
    "recommendation": "Recommendations", "inspection": "Inspections", "judgement": "Judgements", "plan": "Plans",
    "objective": "Objectives",
}


def build_context(engine: Engine, period_hint: periods.Period | None = None) -> Context:
    ctx = Context(period_hint=period_hint)
    ctx.authority = base.our_authority(engine)
    with engine.connect() as conn:
        ctx.authorities = {str(r[0]): str(r[1]) for r in conn.execute(text("SELECT la_code, name FROM authority"))}
        for ref, name, unit, polarity in conn.execute(text("SELECT ref, name, unit, polarity FROM kpi")):
            ctx.kpi_units[ref] = unit
            ctx.kpi_polarity[ref] = polarity
            key = " ".join(str(name).lower().split())
            if key in ctx.kpi_names and ctx.kpi_names[key] != ref:
                ctx.kpi_names_shared.setdefault(key, {ctx.kpi_names[key]}).add(ref)
            ctx.kpi_names[key] = ref
        kinds = conn.execute(text(
            "SELECT k.ref, p.kind, COUNT(*) FROM kpi_value v JOIN kpi k ON k.id = v.kpi_id JOIN period p "
            "ON p.id = v.period_id WHERE p.kind IN ('academic_year', 'financial_year', 'calendar_year') "
            "GROUP BY k.ref, p.kind ORDER BY COUNT(*)"))
        ctx.kpi_year_kind = {str(r[0]): str(r[1]) for r in kinds}  # the commonest kind wins (last in order)
        ctx.kpi_dated = {str(r[0]) for r in conn.execute(text(
            "SELECT DISTINCT k.ref FROM kpi_value v JOIN kpi k ON k.id = v.kpi_id JOIN period p ON p.id = v.period_id "
            "WHERE p.kind IN ('as_at', 'month', 'quarter')"))}
        ctx.kpi_sub_annual = {str(r[0]) for r in conn.execute(text(
            "SELECT DISTINCT k.ref FROM kpi_value v JOIN kpi k ON k.id = v.kpi_id JOIN period p ON p.id = v.period_id "
            "WHERE p.kind IN ('month', 'quarter')"))}
        typical = conn.execute(text(
            "SELECT k.ref, AVG(ABS(v.value)) FROM kpi_value v JOIN kpi k ON k.id = v.kpi_id "
            "WHERE v.value IS NOT NULL AND k.unit = 'percent' GROUP BY k.ref"))
        ctx.kpi_typical = {r[0]: float(r[1]) for r in typical}
        for code, ref in conn.execute(text("SELECT p.code, a.ref FROM action a JOIN plan p ON p.id = a.plan_id")):
            ctx.plan_refs.setdefault(code, set()).add(ref)
        for sig, mapping in conn.execute(text("SELECT signature, mapping FROM column_mapping")):
            ctx.mappings[sig] = {int(k): v for k, v in json.loads(mapping).items()}
    return ctx


def choose_plan(parsed: ParsedReturn, ctx: Context, filename: str) -> str:
    """The plan a return's actions belong to when it has no Plan column: the one sharing most refs."""
    refs = {a.ref for a in parsed.actions if not a.plan}
    best, overlap = None, 0
    for code, known in ctx.plan_refs.items():
        common = len(refs & known)
        if common > overlap:
            best, overlap = code, common
    if best and overlap >= max(1, len(refs) // 3):
        return best
    stem = re.sub(r"[^A-Za-z0-9]+", "-", Path(filename).stem).strip("-").upper()[:30]
    return f"PLAN-{stem or 'IMPORTED'}"


def _existing_upload(engine: Engine, sha: str) -> int | None:
    with engine.connect() as conn:
        found = conn.execute(
            select(Upload.id).where(Upload.sha256 == sha, Upload.outcome == "imported").order_by(Upload.id)
        ).first()
    return int(found[0]) if found else None


def ensure_reference(engine: Engine) -> None:
    """An empty database gets the shipped reference data (authorities, frameworks) before a first import."""
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(Authority)).scalar()
    if not count:
        with store.write(engine) as session:  # checked again under the write lock: two first imports race
            if not session.scalar(select(func.count()).select_from(Authority)):
                reference.load_all(session)


def _record_rejection(engine: Engine, result: ImportResult, data: bytes, user: str | None) -> None:
    with store.write(engine) as session:
        upload = Upload(filename=result.filename[:255], sha256=result.sha256, size_bytes=result.size,
                        uploaded_at=dt.datetime.now(), uploaded_by=user, outcome="rejected",
                        summary=json.dumps({"problems": [p.line() for p in result.problems[:500]]}))
        session.add(upload)
        session.flush()
        if 0 < len(data) <= config.MAX_UPLOAD_BYTES:
            session.add(UploadFile(upload_id=upload.id, content=data))
        result.upload_id = upload.id


def import_bytes(
    engine: Engine,
    data: bytes,
    filename: str,
    *,
    user: str | None = None,
    dry_run: bool = False,
    period: periods.Period | None = None,
    record_rejections: bool = True,
) -> ImportResult:
    """Import one workbook all-or-nothing; ``dry_run`` previews exactly what a real import would do."""
    filename = Path(filename).name or "upload.xlsx"
    sha = hashlib.sha256(data).hexdigest()
    result = ImportResult(filename=filename, sha256=sha, size=len(data), outcome="rejected")
    ensure_reference(engine)
    previous = _existing_upload(engine, sha)
    if previous is not None:
        result.outcome, result.duplicate_of = "duplicate", previous
        return result
    try:
        book = read_workbook(data, filename)
    except RejectedFile as exc:
        result.problems.append(Problem(filename, None, None, None, exc.message))
        if record_rejections and not dry_run:
            _record_rejection(engine, result, data, user)
        return result
    ctx = build_context(engine, period)
    with collector_paused():
        return _parse_and_commit(engine, data, filename, sha, result, book, ctx, user=user, dry_run=dry_run,
                                 record_rejections=record_rejections)


def _parse_and_commit(engine: Engine, data: bytes, filename: str, sha: str, result: ImportResult, book: Any,
                      ctx: Context, *, user: str | None, dry_run: bool, record_rejections: bool) -> ImportResult:
    parsed = parse_workbook(book, ctx)
    result.sheets, result.notes = parsed.sheets, parsed.notes
    result.problems = list(parsed.problems)
    if parsed.errors:
        if record_rejections and not dry_run:
            _record_rejection(engine, result, data, user)
        return result
    default_plan = choose_plan(parsed, ctx, filename)
    try:
        with store.write(engine) as session:
            # Checked again under the write lock: the same file uploaded twice at once imports once.
            again = session.scalar(select(Upload.id).where(Upload.sha256 == sha, Upload.outcome == "imported")
                                   .order_by(Upload.id))
            if again is not None:
                result.duplicate_of = int(again)
                raise _Duplicate
            upload = Upload(filename=filename[:255], sha256=sha, size_bytes=len(data), uploaded_at=dt.datetime.now(),
                            uploaded_by=user, outcome="imported",
                            layout=", ".join(sorted({s.family for s in parsed.sheets if s.family}))[:60])
            session.add(upload)
            session.flush()
            session.add(UploadFile(upload_id=upload.id, content=data))
            writer = commit.apply(session, parsed, upload_id=upload.id, authority=parsed.authority or ctx.authority,
                                  default_plan=default_plan)
            counter = writer.counter
            result.problems = list(parsed.problems)
            result.changes = writer.records
            if parsed.errors:
                raise _Refused
            upload.summary = json.dumps({"changes": counter.as_dict(),
                                         "sheets": [(s.name, s.family, s.rows, s.reason) for s in parsed.sheets],
                                         "warnings": [p.line() for p in parsed.warnings[:200]],
                                         "notes": result.note_lines()[:200]})
            result.counter, result.upload_id = counter, upload.id
            if dry_run:
                raise _Rollback
    except _Refused:
        result.outcome, result.upload_id, result.changes = "rejected", None, []
        if record_rejections and not dry_run:
            _record_rejection(engine, result, data, user)
        return result
    except _Rollback:
        result.outcome, result.upload_id = "preview", None
        return result
    except _Duplicate:
        result.outcome = "duplicate"
        return result
    except SQLAlchemyError as exc:
        result.outcome = "rejected"
        result.problems.append(Problem(filename, None, None, None,
                                       "the database could not store the return (it may be busy, full or "
                                       f"read-only: {exc.__class__.__name__}); nothing was stored — try again"))
        return result
    result.outcome = "imported"
    return result


def import_path(engine: Engine, path: Path, **kwargs: Any) -> ImportResult:
    try:
        data = path.read_bytes()
    except OSError as exc:
        result = ImportResult(filename=path.name, sha256="", size=0, outcome="rejected")
        result.problems.append(Problem(path.name, None, None, None, f"cannot open the file: {exc.strerror}"))
        return result
    return import_bytes(engine, data, path.name, **kwargs)


def undo(engine: Engine, upload_id: int) -> dict[str, int]:
    with store.write(engine) as session:
        return commit.undo(session, upload_id)


def uploads(engine: Engine) -> list[dict[str, Any]]:
    with store.read(engine) as session:
        rows = session.scalars(select(Upload).order_by(Upload.id.desc())).all()
        out = []
        for u in rows:
            summary = json.loads(u.summary) if u.summary else {}
            changes = summary.get("changes", {})
            out.append({
                "id": u.id, "filename": u.filename, "uploaded_at": u.uploaded_at.isoformat(timespec="seconds"),
                "uploaded_by": u.uploaded_by, "outcome": u.outcome, "size": u.size_bytes, "sha256": u.sha256[:12],
                "added": sum(changes.get("added", {}).values()), "changed": sum(changes.get("changed", {}).values()),
                "problems": len(summary.get("problems", [])),
                "undone_at": u.undone_at.isoformat(timespec="seconds") if u.undone_at else None,
            })
    return out


def upload_file(engine: Engine, upload_id: int) -> bytes | None:
    """The original bytes of an upload, kept so nothing a user sent is lost — but a workbook carrying
    macros is never served back to anyone (None), only kept."""
    with store.read(engine) as session:
        row = session.get(UploadFile, upload_id)
        if row is None:
            return None
        content = bytes(row.content)
    return None if _has_macros(content) else content


def _has_macros(content: bytes) -> bool:
    import io
    import zipfile

    if not content.startswith(b"PK"):
        return content.startswith(b"\xd0\xcf\x11\xe0") and b"_\x00V\x00B\x00A" in content  # OLE VBA storage
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            return any(n.lower().endswith("vbaproject.bin") or n.lower().startswith("xl/macrosheets/")
                       for n in zf.namelist())
    except zipfile.BadZipFile:
        return False


def save_mapping(engine: Engine, sheet_name: str, header: list[object], family: str, mapping: dict[int, str]) -> str:
    """Remember a hand mapping of columns for this layout (sheet name + header texts)."""
    signature = headers.layout_signature(sheet_name, header)
    with store.write(engine) as session:
        row = session.get(ColumnMapping, signature)
        payload = json.dumps({str(k): v for k, v in mapping.items()})
        if row is None:
            session.add(ColumnMapping(signature=signature, family=family, mapping=payload,
                                      created_at=dt.datetime.now()))
        else:
            row.family, row.mapping = family, payload
    return signature


def plans(engine: Engine) -> list[str]:
    with store.read(engine) as session:
        return list(session.scalars(select(Plan.code).order_by(Plan.id)))


__all__ = ["ImportResult", "import_bytes", "import_path", "undo", "uploads"]
