"""Imports under contention and under crashes (design §3.5 and §3.8, R1–R4).

R1 concurrent uploads all commit, none fails with "database is locked", no row is lost;
R2 a process killed inside the write transaction leaves the database exactly as before
(or, if the kill came after the commit, exactly as after) with ``integrity_check = ok``;
R3 a workbook with one bad cell on any sheet stores nothing from any sheet;
R4 uploading the same file twice, even at the same moment, stores it once.

Imports run in real child processes (``python -c`` running :data:`CHILD`), started
together: each loads its workbooks, says "ready", and waits for one "go" line on stdin,
which the parent sends to every child at once. The children use the ordinary lib code;
they only listen to SQLAlchemy's ``begin`` event to say when the write lock is taken.
Figures (p50/p95 import times, kills landing mid-transaction) are printed: run with ``-s``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from lib import store
from lib.returns import pipeline
from tests.conftest import PG_SKIP_REASON, drop_pg_database, make_pg_database
from tests.test_import import workbook

ROOT = Path(__file__).resolve().parents[1]
PROCESSES, FILES_EACH, ROWS_EACH = 8, 3, 60
CRASH_KILLS = int(os.environ.get("IMPROVEMENT_BOARD_CRASH_KILLS", "10"))
COUNTED = ("kpi", "kpi_value", "period", "plan", "action", "action_update", "upload", "upload_file", "upload_change")

# The child: import each workbook path given, one JSON line per result. Prints "ready" once
# loaded, waits for a line on stdin when asked to, and prints "begin <t>" as soon as an import's
# write transaction holds the lock (the lib's own BEGIN IMMEDIATE listener runs first) and
# "done <t>" at the end, so the parent knows where the transaction is.
CHILD = r"""
import json, sys, time
from pathlib import Path
from sqlalchemy import event
from lib import store
from lib.returns import pipeline

url, wait, *paths = sys.argv[1:]
engine = store.get_engine(url)

@event.listens_for(engine, "begin")
def _began(conn):
    if conn.get_execution_options().get("immediate"):
        print(f"begin {time.perf_counter():.6f}", flush=True)

books = [(Path(p).name, Path(p).read_bytes()) for p in paths]
with engine.connect():
    pass
print("ready", flush=True)
if wait == "wait":
    sys.stdin.readline()
for name, data in books:
    started = time.perf_counter()
    try:
        r = pipeline.import_bytes(engine, data, name)
        out = {"file": name, "outcome": r.outcome, "problems": [p.line() for p in r.problems][:5],
               "duplicate_of": r.duplicate_of, "upload_id": r.upload_id}
    except Exception as exc:
        out = {"file": name, "outcome": "exception", "problems": [f"{type(exc).__name__}: {exc}"[:800]]}
    out["ms"] = (time.perf_counter() - started) * 1000
    print(json.dumps(out), flush=True)
print(f"done {time.perf_counter():.6f}", flush=True)
"""


# --- workbooks ----------------------------------------------------------------------------------

def month_labels(count: int, start: tuple[int, int] = (2010, 1)) -> list[str]:
    year, month = start
    labels = []
    for _ in range(count):
        labels.append(dt.date(year, month, 1).strftime("%b %Y"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return labels


def kpi_sheet(refs: list[str], months: int, base: float = 10.0) -> list[list[Any]]:
    rows: list[list[Any]] = [["Ref", "KPI", "Period", "Value"]]
    for i, ref in enumerate(refs):
        rows += [[ref, f"Measure {ref}", label, round(base + i + j * 0.25, 2)]
                 for j, label in enumerate(month_labels(months))]
    return rows


ACTION_HEADER = ["Plan", "Action ID", "Action title", "Lead officer", "Due date", "Month", "Status", "RAG",
                 "Progress update"]


def action_sheet(plan: str, count: int, month: str = "Mar 2019") -> list[list[Any]]:
    return [ACTION_HEADER] + [[plan, f"A{i}", f"Action {i}", "Head of Service", dt.date(2019, 12, 31), month,
                               "In progress", "Green", f"Update {i}"] for i in range(count)]


# --- processes ----------------------------------------------------------------------------------

@dataclass
class Child:
    proc: subprocess.Popen[str]
    lines: list[str]

    def read_until(self, prefix: str) -> str:
        assert self.proc.stdout is not None
        while True:
            line = self.proc.stdout.readline()
            if not line:
                stderr = self.proc.stderr.read() if self.proc.stderr else ""
                raise AssertionError(f"child ended before {prefix!r}: {self.lines} {stderr[-2000:]}")
            self.lines.append(line.rstrip("\n"))
            if line.startswith(prefix):
                return line.rstrip("\n")

    def go(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def stop(self) -> None:
        """SIGKILL the child and its reader worker (its own process group); no-op once it has ended."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()

    def finish(self, timeout: float = 120) -> tuple[list[dict[str, Any]], str]:
        out, err = self.proc.communicate(timeout=timeout)
        self.lines += out.splitlines()
        assert self.proc.returncode == 0, err[-3000:]
        return [json.loads(line) for line in self.lines if line.startswith("{")], err


def spawn(url: str, paths: list[Path], *, wait: bool) -> Child:
    proc = subprocess.Popen([sys.executable, "-c", CHILD, url, "wait" if wait else "go", *map(str, paths)],
                            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    return Child(proc, [])


def run_together(url: str, groups: list[list[Path]]) -> tuple[list[dict[str, Any]], str]:
    """Start one child per group, release them all at once, collect every result and all stderr."""
    children = [spawn(url, paths, wait=True) for paths in groups]
    try:
        for child in children:
            child.read_until("ready")
        for child in children:  # the barrier: every child is loaded and blocked on stdin
            child.go()
        results, errors = [], []
        for child in children:
            found, err = child.finish()
            results += found
            errors.append(err)
        return results, "\n".join(errors)
    finally:
        for child in children:
            child.stop()


# --- databases ----------------------------------------------------------------------------------

@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with the schema and reference data, ready for a first import; no engine left open."""
    name = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'board.db'}"
    else:
        if PG_SKIP_REASON:
            pytest.skip(PG_SKIP_REASON)
        url, name = make_pg_database()
    engine = store.get_engine(url)
    store.init_db(engine)
    pipeline.ensure_reference(engine)
    engine.dispose()
    yield url
    store.get_engine(url).dispose()
    store._ENGINES.pop(url, None)
    if name:
        drop_pg_database(name)


def counts(url: str) -> dict[str, Any]:
    """Row counts of the tables an import writes, plus the integrity check on SQLite."""
    engine = store.get_engine(url)
    with engine.connect() as conn:
        found: dict[str, Any] = {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar() for t in COUNTED}
        found["imported"] = conn.execute(text("SELECT COUNT(*) FROM upload WHERE outcome = 'imported'")).scalar()
        if store.is_sqlite(engine):
            found["integrity"] = conn.execute(text("PRAGMA integrity_check")).scalar()
    return found


def sqlite_state(path: Path) -> dict[str, Any]:
    """The same as :func:`counts` through a plain sqlite3 connection (recovers a killed writer's WAL)."""
    conn = sqlite3.connect(path, timeout=30)
    try:
        found: dict[str, Any] = {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in COUNTED}
        found["imported"] = conn.execute("SELECT COUNT(*) FROM upload WHERE outcome = 'imported'").fetchone()[0]
        found["integrity"] = conn.execute("PRAGMA integrity_check").fetchone()[0]
        found["value_sum"] = round(conn.execute("SELECT TOTAL(value) FROM kpi_value").fetchone()[0], 6)
    finally:
        conn.close()
    return found


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# --- R1: concurrent imports ---------------------------------------------------------------------

@pytest.mark.timeout(180)
def test_eight_processes_importing_different_workbooks_at_once_all_commit(db_url: str, tmp_path: Path) -> None:
    """8 processes × 3 different workbooks (one KPI each, the same 60 months) released together.

    The months are shared on purpose: the first returns for a new month arrive together, and the
    period rows are created by whichever import gets there first; the others must reuse them.
    """
    groups: list[list[Path]] = []
    for p in range(PROCESSES):
        group = []
        for f in range(FILES_EACH):
            ref = f"CC-{p}-{f}"
            path = tmp_path / f"return-{p}-{f}.xlsx"
            path.write_bytes(workbook({"KPIs": kpi_sheet([ref], ROWS_EACH, base=100.0 * p + 10.0 * f)}))
            group.append(path)
        groups.append(group)

    started = time.perf_counter()
    results, stderr = run_together(db_url, groups)
    wall = time.perf_counter() - started

    outcomes = [r["outcome"] for r in results]
    failures = [(r["file"], r["outcome"], r["problems"][0].splitlines()[0] if r["problems"] else "")
                for r in results if r["outcome"] != "imported"]
    locked = [r for r in results if any("locked" in p for p in r["problems"])]
    times = [r["ms"] for r in results]
    print(f"\n[R1 {db_url.split(':')[0]}] {PROCESSES}x{FILES_EACH}: {outcomes.count('imported')}/{len(results)} "
          f"imported in {wall:.1f}s; import_bytes ms p50 {pct(times, 0.5):.0f} p95 {pct(times, 0.95):.0f} "
          f"max {max(times):.0f}; failures {failures[:3]}")
    assert len(results) == PROCESSES * FILES_EACH
    assert not locked and "database is locked" not in stderr
    assert not failures, failures
    after = counts(db_url)
    assert after["kpi_value"] == PROCESSES * FILES_EACH * ROWS_EACH  # no lost rows
    assert after["imported"] == after["upload"] == PROCESSES * FILES_EACH
    assert after["period"] == ROWS_EACH  # the shared months exist once each
    engine = store.get_engine(db_url)
    with engine.connect() as conn:
        per_kpi = dict(conn.execute(text(
            "SELECT k.ref, COUNT(*) FROM kpi_value v JOIN kpi k ON k.id = v.kpi_id GROUP BY k.ref")).all())
        shas = conn.execute(text("SELECT COUNT(DISTINCT sha256) FROM upload WHERE outcome = 'imported'")).scalar()
    assert per_kpi == {f"CC-{p}-{f}": ROWS_EACH for p in range(PROCESSES) for f in range(FILES_EACH)}
    assert shas == PROCESSES * FILES_EACH
    if store.is_sqlite(engine):
        assert after["integrity"] == "ok"


# --- R2: crash atomicity ------------------------------------------------------------------------

@pytest.mark.timeout(240)
def test_kill_inside_the_write_transaction_leaves_before_or_after_never_between(tmp_path: Path) -> None:
    """SIGKILL a big import at random moments after BEGIN IMMEDIATE (the lock is taken only after parsing).

    The workbook holds 2,000 KPI values and 400 actions with their updates: cheap to parse, while the
    per-action writes make the transaction last ~0.3-1 s, so random kills land inside it.
    """
    base = tmp_path / "base.db"
    url = f"sqlite:///{base}"
    engine = store.get_engine(url)
    store.init_db(engine)
    earlier = workbook({"KPIs": kpi_sheet(["EARLY-1", "EARLY-2"], 12),
                        "Actions": action_sheet("PLAN-CRASH", 20, "Feb 2019")})
    assert pipeline.import_bytes(engine, earlier, "earlier.xlsx").outcome == "imported"
    with engine.connect() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()
    store._ENGINES.pop(url, None)
    before = sqlite_state(base)

    big = tmp_path / "big-return.xlsx"
    big.write_bytes(workbook({"KPIs": kpi_sheet([f"BIG-{i:03d}" for i in range(20)], 100),
                              "Actions": action_sheet("PLAN-CRASH", 400)}))

    spawned: list[Child] = []

    def prepare(i: int) -> tuple[Path, Child]:
        """A fresh copy of the database and a child loaded and waiting to import into it."""
        path = tmp_path / f"crash-{i}.db"
        shutil.copy(base, path)
        spawned.append(spawn(f"sqlite:///{path}", [big], wait=True))
        return path, spawned[-1]

    rng = random.Random(358)
    mid, post, states = 0, 0, []
    try:
        # Calibrate: one complete run, under the same load as the killed ones (the next child starting
        # up on the other core), gives the "after" state and how long the transaction lasts.
        full, child = prepare(-1)
        child.read_until("ready")
        child.go()
        upcoming = prepare(0)
        began = float(child.read_until("begin").split()[1])
        results, _ = child.finish()
        assert [r["outcome"] for r in results] == ["imported"], results
        window = float(next(line for line in child.lines if line.startswith("done")).split()[1]) - began
        after = sqlite_state(full)
        assert after["kpi_value"] == before["kpi_value"] + 2_000
        assert after["action_update"] == before["action_update"] + 400

        for i in range(CRASH_KILLS):
            path, child = upcoming
            child.read_until("ready")
            child.go()
            if i + 1 < CRASH_KILLS:  # the next child starts up on the other core meanwhile
                upcoming = prepare(i + 1)
            child.read_until("begin")
            delay = rng.uniform(0.0, 1.5 * window)
            time.sleep(delay)
            child.stop()
            state = sqlite_state(path)
            states.append((round(delay, 3), "before" if state == before else "after" if state == after else state))
            assert state in (before, after), f"kill {i} after {delay:.3f}s left a partial import: {state}"
            if state == before:
                mid += 1
                last_mid = path
            else:
                post += 1
    finally:
        for spawned_child in spawned:
            spawned_child.stop()
    print(f"\n[R2] transaction window {window * 1000:.0f} ms; {CRASH_KILLS} kills: {mid} inside the transaction "
          f"(database unchanged), {post} after the commit (complete import); (delay s, state): {states}")
    assert mid >= 1, "no kill landed inside the transaction: the test proved nothing"

    # A writer killed while holding the lock leaves no stale lock: the next import goes straight in.
    engine = store.get_engine(f"sqlite:///{last_mid}")
    small = workbook({"KPIs": kpi_sheet(["AFTER-CRASH"], 3)})
    assert pipeline.import_bytes(engine, small, "after-crash.xlsx").outcome == "imported"
    engine.dispose()


# --- R3: no partial import across sheets --------------------------------------------------------

@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'r3.db'}"
    engine = store.get_engine(url)
    store.init_db(engine)
    first = workbook({"KPIs": kpi_sheet(["R3-OLD"], 6), "Actions": action_sheet("PLAN-R3", 4, "Feb 2019")})
    assert pipeline.import_bytes(engine, first, "first.xlsx").outcome == "imported"
    yield url
    engine.dispose()
    store._ENGINES.pop(url, None)


def test_bad_cell_on_the_actions_sheet_stores_nothing_from_the_good_kpi_sheet(sqlite_url: str) -> None:
    engine = store.get_engine(sqlite_url)
    before = counts(sqlite_url)
    actions = action_sheet("PLAN-R3", 6)
    actions[4][ACTION_HEADER.index("RAG")] = "Purple"  # Actions!H5
    data = workbook({"KPIs": kpi_sheet(["R3-NEW", "R3-OLD"], 24, base=50.0), "Actions": actions})
    result = pipeline.import_bytes(engine, data, "one-bad-cell.xlsx")
    assert result.outcome == "rejected"
    lines = [p.line() for p in result.errors]
    assert len(lines) == 1, lines
    assert lines[0].startswith("one-bad-cell.xlsx: Actions: row 5: column H:") and "Purple" in lines[0]
    after = counts(sqlite_url)
    # The rejection itself is recorded (with the file), nothing else changes.
    assert after["upload"] == before["upload"] + 1 and after["upload_file"] == before["upload_file"] + 1
    assert {k: v for k, v in after.items() if k not in ("upload", "upload_file")} == \
        {k: v for k, v in before.items() if k not in ("upload", "upload_file")}


def test_database_error_while_writing_actions_rolls_back_the_kpi_rows_already_written(sqlite_url: str) -> None:
    """The KPI sheet is written first; a failure writing the Actions sheet must take it back too."""
    engine = store.get_engine(sqlite_url)
    with store.write(engine) as session:
        session.execute(text("CREATE TRIGGER refuse_updates BEFORE INSERT ON action_update "
                             "WHEN NEW.commentary = 'boom' BEGIN SELECT RAISE(ABORT, 'forced failure'); END"))
    before = counts(sqlite_url)
    actions = action_sheet("PLAN-R3", 6)
    actions[-1][ACTION_HEADER.index("Progress update")] = "boom"
    data = workbook({"KPIs": kpi_sheet(["R3-NEW"], 24, base=50.0), "Actions": actions})
    result = pipeline.import_bytes(engine, data, "fails-mid-write.xlsx")
    assert result.outcome == "rejected"
    assert "nothing was stored" in result.errors[0].message
    assert counts(sqlite_url) == before


# --- R4: the same file twice at the same moment -------------------------------------------------

@pytest.mark.timeout(120)
def test_same_file_uploaded_twice_at_once_is_stored_once(db_url: str, tmp_path: Path) -> None:
    """Two processes import the same bytes at the same moment: both pass the duplicate check, which
    runs before the write lock, so the check must hold inside the transaction too."""
    path = tmp_path / "same-return.xlsx"
    path.write_bytes(workbook({"KPIs": kpi_sheet([f"SAME-{i}" for i in range(20)], 100),
                               "Actions": action_sheet("PLAN-SAME", 50)}))
    results, stderr = run_together(db_url, [[path], [path]])
    outcomes = sorted(r["outcome"] for r in results)
    after = counts(db_url)
    engine = store.get_engine(db_url)
    with engine.connect() as conn:
        uploads = conn.execute(text("SELECT id, outcome, sha256 FROM upload ORDER BY id")).all()
    print(f"\n[R4 {db_url.split(':')[0]}] outcomes {outcomes}; uploads {[(u[0], u[1], u[2][:12]) for u in uploads]}; "
          f"kpi_value {after['kpi_value']}; problems {[r['problems'][0][:200] for r in results if r['problems']]}")
    assert "database is locked" not in stderr
    # Never duplicated rows, whatever else happens.
    assert after["kpi_value"] == 2_000 and after["action_update"] == 50
    # One upload of one file: exactly one imported upload row for the sha256, the other call a duplicate.
    assert after["imported"] == 1, (
        f"the same file is recorded as imported {after['imported']} times: {uploads}; outcomes {outcomes}")
    assert outcomes == ["duplicate", "imported"], [
        (r["outcome"], r["problems"][0].splitlines()[0] if r["problems"] else "") for r in results]
