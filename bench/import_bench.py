"""How long an upload takes to import, against the time python-calamine needs just to read the file.

Run from the project root::

    .venv/bin/python -m bench.import_bench                 # typical return (7 repeats) + national file (3)
    .venv/bin/python -m bench.import_bench --quick         # 3 + 1 repeats
    .venv/bin/python -m bench.import_bench --only typical --repeat 15
    .venv/bin/python -m bench.import_bench --profile       # also one cProfile'd import of each file

Two workbooks are generated deterministically (``random.Random(seed)``) in a temporary directory:

* typical: a monthly return, "KPIs" sheet 60 KPIs × 24 months wide (Ref, KPI, Polarity, Target, then
  one column per month with real Excel dates as headers) and an "Actions" sheet of 200 actions with
  400–1,500-character description and progress texts, in the template's columns;
* national: a long file, 153 authorities (real LA codes) × 60 KPIs × 36 months = 330,480 rows of
  LA code, Ref, KPI, Period (a real date, first of the month), Value, Target, written with
  xlsxwriter's constant_memory mode.

For each, medians over the repeats of: the whole import (``pipeline.import_bytes`` into a fresh
SQLite database; the database is created, migrated and given the reference data before the timer
starts, so the time is read + parse + validate + commit; each fresh copy is opened by the one engine
kept for the run, as the app's server keeps its engine, so SQL statements are compiled once — the
typical return is also timed with a new engine per import, as a new process would), python-calamine
reading the same bytes in-process (``CalamineWorkbook.from_filelike`` + ``to_python`` of every sheet: the floor), their
ratio, and ``read_workbook`` alone (pre-check + isolated reader process). Peak RSS is the process
high-water mark after the imports (``resource.getrusage``) and the reader child's ``VmHWM``.

It prints figures; it asserts nothing except that every import really imported what was generated
(it exits 1 with the first problems when one did not).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import csv
import datetime as dt
import gc
import io
import os
import platform
import pstats
import random
import re
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # also runnable as `python bench/import_bench.py`
    sys.path.insert(0, str(ROOT))

import python_calamine  # noqa: E402
import xlsxwriter  # noqa: E402

from lib import config, store  # noqa: E402
from lib.returns import pipeline, worker  # noqa: E402
from lib.returns.parse import parse_workbook  # noqa: E402
from lib.returns.workbook import read_workbook  # noqa: E402

TYPICAL_KPIS, TYPICAL_MONTHS, TYPICAL_ACTIONS = 60, 24, 200
NATIONAL_KPIS, NATIONAL_MONTHS = 60, 36
TYPICAL_FIRST_MONTH = dt.date(2023, 4, 1)  # Apr 2023 .. Mar 2025
NATIONAL_FIRST_MONTH = dt.date(2022, 4, 1)  # Apr 2022 .. Mar 2025
RETURN_MONTH = dt.date(2025, 3, 1)
DEFAULT_SEED = 1
TARGET_RATIO = 2.0  # import ≤ 2 × the floor: the fastest read + executemany of the same cells (goal 1.5×)
RSS_TARGET_MB = 500  # national peak RSS; the million-row file's processes each

WORDS = (
    "the", "service", "will", "review", "improve", "ensure", "children", "young", "people", "families", "social",
    "workers", "supervision", "audit", "quality", "assurance", "practice", "managers", "timely", "assessment",
    "plans", "outcomes", "partners", "multi-agency", "safeguarding", "board", "training", "caseloads", "visits",
    "recorded", "within", "timescales", "evidence", "impact", "monthly", "performance", "report", "leaders",
    "oversight", "front", "door", "MASH", "referrals", "re-referrals", "strategy", "discussions", "child",
    "protection", "conferences", "care", "leavers", "pathway", "placements", "stability", "voice", "of", "and",
    "to", "in", "for", "with", "by", "is", "has", "been", "are", "on", "track", "completed", "delayed", "because",
)
LEADS = ("Head of Safeguarding", "Head of Children in Care", "Principal Social Worker", "Head of Early Help",
         "Director of Children's Social Care", "Head of Quality Assurance", "Workforce Development Lead",
         "Head of MASH and Assessment")
STATUSES = ("Not started", "In progress", "In progress", "In progress", "On hold", "Complete")
RAGS = ("Green", "Green", "Amber", "Amber", "Red")
INDICATOR_NAMES = (
    "Re-referrals within 12 months", "Assessments completed within 45 working days",
    "Child protection visits within timescale", "Children in care with up-to-date health assessment",
    "Care leavers in education, employment or training", "Social worker caseload (average)",
    "Strategy discussions within 1 working day", "Placement stability (3+ moves)", "Agency social workers",
    "Supervision within timescale", "Initial child protection conferences within 15 days",
    "Children seen alone at visit",
)


# --- generated workbooks -----------------------------------------------------------------------------------


@dataclass
class BenchFile:
    label: str
    path: Path
    values: int  # KPI values an import must store
    actions: int  # actions an import must store
    shape: str
    data: bytes = field(default=b"", repr=False)

    def load(self) -> bytes:
        if not self.data:
            self.data = self.path.read_bytes()
        return self.data


def month_starts(first: dt.date, count: int) -> list[dt.date]:
    out = []
    for i in range(count):
        y, m = divmod(first.month - 1 + i, 12)
        out.append(dt.date(first.year + y, m + 1, 1))
    return out


def la_codes() -> list[str]:
    with (config.REFERENCE_DIR / "local_authorities.csv").open(newline="", encoding="utf-8") as fh:
        codes = [row["la_code"].strip() for row in csv.DictReader(fh)]
    return [c for c in codes if c]


def text_of(rnd: random.Random, low: int, high: int) -> str:
    """A sentence-like text of low..high characters."""
    target = rnd.randint(low, high)
    parts: list[str] = []
    size = 0
    while size < target:
        word = rnd.choice(WORDS)
        parts.append(word)
        size += len(word) + 1
    text = " ".join(parts)[:target].rstrip()
    return text[0].upper() + text[1:] + "."


def kpi_name(i: int) -> str:
    return f"{INDICATOR_NAMES[i % len(INDICATOR_NAMES)]} ({i + 1})"


def write_typical(path: Path, seed: int = 1) -> BenchFile:
    """A monthly return: wide KPI sheet (60 × 24 months) and 200 actions with long texts."""
    rnd = random.Random(seed)
    months = month_starts(TYPICAL_FIRST_MONTH, TYPICAL_MONTHS)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    pct = wb.add_format({"num_format": "0.0%"})
    mon = wb.add_format({"num_format": "mmm-yy"})
    day = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws = wb.add_worksheet("KPIs")
    ws.write_row(0, 0, ["Ref", "KPI", "Polarity", "Target"])
    for c, m in enumerate(months):
        ws.write_datetime(0, 4 + c, dt.datetime(m.year, m.month, 1), mon)
    for r in range(TYPICAL_KPIS):
        row = r + 1
        percent = r % 5 < 2  # 40% of the KPIs are percentages, formatted as such
        ws.write_string(row, 0, f"PI-{r + 1:03d}")
        ws.write_string(row, 1, kpi_name(r))
        ws.write_string(row, 2, rnd.choice(("Higher is better", "Lower is better", "Monitor")))
        if percent:
            ws.write_number(row, 3, round(rnd.uniform(0.5, 0.95), 2), pct)
        else:
            ws.write_number(row, 3, rnd.randint(10, 500))
        for c in range(TYPICAL_MONTHS):
            if percent:
                ws.write_number(row, 4 + c, round(rnd.uniform(0.3, 1.0), 3), pct)
            else:
                ws.write_number(row, 4 + c, rnd.randint(0, 900))
    ws = wb.add_worksheet("Actions")
    ws.write_row(0, 0, ["Plan", "Action ID", "Recommendation(s)", "Action title", "Action description",
                        "Lead officer", "Due date", "Month", "Status", "RAG", "Progress update"])
    for r in range(TYPICAL_ACTIONS):
        row = r + 1
        rec = r // 20 + 1
        status = rnd.choice(STATUSES)
        ws.write_string(row, 0, "BENCH-2025")
        ws.write_string(row, 1, f"{rec}.{r % 20 + 1:02d}")
        ws.write_string(row, 2, str(rec) if r % 4 else f"{rec}, {rec % 10 + 1}")
        ws.write_string(row, 3, text_of(rnd, 40, 90))
        ws.write_string(row, 4, text_of(rnd, 400, 1500))
        ws.write_string(row, 5, rnd.choice(LEADS))
        ws.write_datetime(row, 6, dt.datetime(2025, rnd.randint(1, 12), 28), day)
        ws.write_datetime(row, 7, dt.datetime(RETURN_MONTH.year, RETURN_MONTH.month, 1), mon)
        ws.write_string(row, 8, status)
        ws.write_string(row, 9, "Blue" if status == "Complete" else rnd.choice(RAGS))
        ws.write_string(row, 10, text_of(rnd, 400, 1500))
    wb.close()
    return BenchFile("typical", path, TYPICAL_KPIS * TYPICAL_MONTHS, TYPICAL_ACTIONS,
                     f"{TYPICAL_KPIS} KPIs × {TYPICAL_MONTHS} months wide + {TYPICAL_ACTIONS} actions")


def national_kpis() -> list[tuple[str, str, bool]]:
    """(ref, name, is a percentage) of the national file's KPIs."""
    return [(f"NAT-{i + 1:03d}", kpi_name(i), i % 5 < 2) for i in range(NATIONAL_KPIS)]


def national_rows(seed: int = 2) -> Iterator[tuple[str, str, str, dt.date, float, float]]:
    """(LA code, Ref, KPI, first of month, value, target) for 153 LAs × 60 KPIs × 36 months, deterministic.

    Percentages are plain numbers in percentage points (44.5 means 44.5%), as DfE/LAIT publish them.
    """
    rnd = random.Random(seed)
    months = month_starts(NATIONAL_FIRST_MONTH, NATIONAL_MONTHS)
    kpis = national_kpis()
    targets = {ref: (round(rnd.uniform(50, 95), 1) if pct else float(rnd.randint(10, 500))) for ref, _, pct in kpis}
    for la in la_codes():
        for ref, name, pct in kpis:
            target = targets[ref]
            for m in months:
                value = round(rnd.uniform(20, 100), 1) if pct else float(rnd.randint(0, 900))
                yield la, ref, name, m, value, target


def write_national(path: Path, seed: int = 2) -> BenchFile:
    """The national long file, written row by row (xlsxwriter constant_memory)."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    day = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws = wb.add_worksheet("Data")
    ws.write_row(0, 0, ["LA code", "Ref", "KPI", "Period", "Value", "Target"])
    count = 0
    for count, (la, ref, name, month, value, target) in enumerate(national_rows(seed), start=1):
        ws.write_string(count, 0, la)
        ws.write_string(count, 1, ref)
        ws.write_string(count, 2, name)
        ws.write_datetime(count, 3, dt.datetime(month.year, month.month, 1), day)
        ws.write_number(count, 4, value)
        ws.write_number(count, 5, target)
    wb.close()
    authorities = len(la_codes())
    return BenchFile("national", path, count, 0,
                     f"{authorities} LAs × {NATIONAL_KPIS} KPIs × {NATIONAL_MONTHS} months long")


def write_regional(path: Path, seed: int = 3) -> BenchFile:
    """A regional long file: 150 authorities (real codes) × 50 KPIs × 36 months = 270,000 rows of twelve
    columns (LA code, KPI code, Period, Value, Numerator, Denominator, Unit, Polarity, Quartile, Rank,
    Suppressed, Source); half the KPIs percentages stored as fractions in %-formatted cells."""
    rnd = random.Random(seed)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    pct = wb.add_format({"num_format": "0.0%"})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet("Data")
    ws.write_row(0, 0, ["LA code", "KPI code", "Period", "Value", "Numerator", "Denominator", "Unit", "Polarity",
                        "Quartile", "Rank", "Suppressed", "Source"])
    months = month_starts(NATIONAL_FIRST_MONTH, NATIONAL_MONTHS)
    r = 0
    for la in la_codes()[:150]:
        for k in range(50):
            percent = k % 2 == 1
            for m in months:
                r += 1
                ws.write_string(r, 0, la)
                ws.write_string(r, 1, f"CSC{k:03d}")
                ws.write_datetime(r, 2, dt.datetime(m.year, m.month, 1), day)
                if percent:
                    ws.write_number(r, 3, round(rnd.uniform(0.2, 0.99), 3), pct)
                else:
                    ws.write_number(r, 3, rnd.randint(0, 500))
                ws.write_row(r, 4, [rnd.randint(0, 500), 600, "%" if percent else "number",
                                    "Higher is better" if k % 3 else "Lower is better", 1 + k % 4, 1 + r % 150])
                ws.write_boolean(r, 10, False)
                ws.write_string(r, 11, "DfE")
    wb.close()
    return BenchFile("regional", path, r, 0, "150 LAs × 50 KPIs × 36 months long, 12 columns")


def write_wide(path: Path, kpis: int = 1_000, months: int = 36, seed: int = 4) -> Path:
    """A wide return: Ref, Measure, Polarity, Target, then one column per month (Excel dates shown mmm-yy),
    every value a fraction in a %-formatted cell."""
    rnd = random.Random(seed)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    pct = wb.add_format({"num_format": "0.0%"})
    mon = wb.add_format({"num_format": "mmm-yy"})
    ws = wb.add_worksheet("KPIs")
    ws.write_row(0, 0, ["Ref", "Measure", "Polarity", "Target"])
    for c, m in enumerate(month_starts(NATIONAL_FIRST_MONTH, months)):
        ws.write_datetime(0, 4 + c, dt.datetime(m.year, m.month, 1), mon)
    for r in range(kpis):
        ws.write_string(r + 1, 0, f"W-{r + 1:04d}")
        ws.write_string(r + 1, 1, f"Measure {r + 1} (%)")
        ws.write_string(r + 1, 2, "Higher is better" if r % 2 else "Lower is better")
        ws.write_number(r + 1, 3, round(rnd.uniform(0.5, 0.95), 2), pct)
        for c in range(months):
            ws.write_number(r + 1, 4 + c, round(rnd.uniform(0.2, 0.99), 3), pct)
    wb.close()
    return path


def write_million(path: Path, rows: int = 999_999) -> Path:
    """Three columns (Ref, Period, Value), a distinct ref on every row: past the row budget."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Data")
    ws.write_row(0, 0, ["Ref", "Period", "Value"])
    for i in range(1, rows + 1):
        ws.write_string(i, 0, f"R{i:06d}")
        ws.write_string(i, 1, "Jun 2019")
        ws.write_number(i, 2, i % 97)
    wb.close()
    return path


@dataclass
class CliRun:
    seconds: float
    code: int
    peak_mb: float  # the largest resident memory of the command or any process it started
    output: str


def cli_run(args: list[str]) -> CliRun:
    """``python -m lib.cli ARGS`` in a new process, timed, its process tree's memory watched (psutil)."""
    import subprocess

    import psutil

    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "lib.cli", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    peak = 0
    watched = psutil.Process(proc.pid)
    while proc.poll() is None:
        with contextlib.suppress(psutil.Error):
            peak = max([peak, *(p.memory_info().rss for p in (watched, *watched.children(recursive=True)))])
        time.sleep(0.01)
    out = proc.communicate()[0]
    return CliRun(time.perf_counter() - start, proc.returncode, peak / 1024 / 1024, out)


def measure_wide(tmp: Path, repeats: int) -> None:
    """The wide return imported by the command line into an empty database, net of the same command
    importing a one-row file of that shape (process start, imports, migration), against its floor."""
    full, one = write_wide(tmp / "wide-1000.xlsx"), write_wide(tmp / "wide-1.xlsx", kpis=1)
    data = full.read_bytes()
    nets, floors, peaks = [], [], []
    for i in range(repeats):
        runs = []
        for path in (one, full):
            db = tmp / f"wide-{i}-{path.stem}.db"
            run = cli_run(["--db", f"sqlite:///{db}", "import", str(path)])
            if run.code != 0:
                print(f"wide: the import of {path.name} failed:\n{run.output[-2000:]}", file=sys.stderr)
                raise SystemExit(1)
            runs.append(run)
        nets.append(runs[1].seconds - runs[0].seconds)
        peaks.append(runs[1].peak_mb)
        t0 = time.perf_counter()
        floor(data, tmp / "floor-wide.db")
        floors.append(time.perf_counter() - t0)
    net, fl = statistics.median(nets), statistics.median(floors)
    verdict = "meets" if net / fl <= TARGET_RATIO else "MISSES"
    print(f"wide: 1,000 KPIs × 36 months (36,000 %-formatted values), CLI into an empty database, net of a "
          f"one-row file: {fmt_time(net)} vs floor {fmt_time(fl)} = {net / fl:.2f}× {verdict} the ≤ "
          f"{TARGET_RATIO:g}× target ({repeats} repeats; peak RSS {max(peaks):,.0f} MB)")


def measure_million(tmp: Path) -> None:
    """``import --dry-run`` of the million-row file: refused (exit 1) within 10 s, every process ≤ 500 MB."""
    path = write_million(tmp / "million-rows.xlsx")
    run = cli_run(["--db", f"sqlite:///{tmp / 'million.db'}", "import", "--dry-run", str(path)])
    said = run.output.strip().splitlines()
    ok = run.code == 1 and "Traceback" not in run.output and run.seconds <= 10 and run.peak_mb <= RSS_TARGET_MB
    print(f"million: 999,999 rows × 3 ({path.stat().st_size / 1024 / 1024:.1f} MB), import --dry-run: exit "
          f"{run.code} in {run.seconds:.2f} s, peak RSS of any process {run.peak_mb:,.0f} MB — "
          f"{'meets' if ok else 'MISSES'} the targets (exit 1, ≤ 10 s, ≤ {RSS_TARGET_MB} MB, no traceback)")
    print(f"  it said: {said[0][:200] if said else '(nothing)'}")


# --- measurement ---------------------------------------------------------------------------------------------


def calamine_read(data: bytes) -> list[list[list[Any]]]:
    """The fastest reader here (python-calamine; fastexcel is not installed) reading every sheet in this
    process, nothing else."""
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return [book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names]


def floor_write(sheets: list[list[list[Any]]], path: Path) -> None:
    """The floor's write: every cell read, as prebuilt tuples, into a fresh SQLite file in one transaction
    (one ``executemany`` per sheet into a table of that many columns), with the app's journal settings."""
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(f"{path}{suffix}")
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("BEGIN")
        for index, rows in enumerate(sheets):
            width = max((len(r) for r in rows), default=0)
            if not width:
                continue
            cols = ", ".join(f"c{i}" for i in range(width))
            conn.execute(f"CREATE TABLE s{index} ({cols})")
            marks = ", ".join("?" for _ in range(width))
            conn.executemany(f"INSERT INTO s{index} VALUES ({marks})",
                             [tuple(_plain(v) for v in r) + (None,) * (width - len(r)) for r in rows])
        conn.execute("COMMIT")
    finally:
        conn.close()


def _plain(value: Any) -> Any:
    """A cell as SQLite stores it: dates as ISO text (as the app stores them), "" as NULL."""
    if value == "":
        return None
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return str(value)
    return value


def floor(data: bytes, path: Path) -> None:
    """The floor of an import: the fastest read of the file plus one-transaction executemany of its cells."""
    floor_write(calamine_read(data), path)


class Databases:
    """Fresh SQLite databases: one migrated + reference-loaded template, copied for every repeat."""

    def __init__(self, tmp: Path, *, warm_engine: bool = True) -> None:
        self.tmp = tmp
        self.warm_engine = warm_engine  # one engine kept across the copies, as a running server keeps its own
        self.count = 0
        self.template = tmp / "template.db"
        engine = store.get_engine(f"sqlite:///{self.template}")
        store.init_db(engine)
        pipeline.ensure_reference(engine)
        store.dispose_all()  # closes the last connection: WAL checkpointed into the file

    @contextlib.contextmanager
    def fresh(self) -> Iterator[Any]:
        """A copy of the template. With ``warm_engine`` every copy lies at the same path and is opened by
        the same engine (its pool emptied first), so SQLAlchemy's compiled statements are cached as in a
        server that has imported before; without, each copy gets a new engine, as a new process would."""
        self.count += 1
        path = self.tmp / ("import-live.db" if self.warm_engine else f"import-{self.count}.db")
        url = f"sqlite:///{path}"
        if self.warm_engine:
            store.get_engine(url).dispose()
            self._remove(path)
        shutil.copyfile(self.template, path)
        engine = store.get_engine(url)
        store.init_db(engine)  # a no-op on the copy (already at head), outside the timer
        pipeline.ensure_reference(engine)  # likewise
        try:
            yield engine
        finally:
            if self.warm_engine:
                engine.dispose()
            else:
                store.dispose_all()
            self._remove(path)

    @staticmethod
    def _remove(path: Path) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(f"{path}{suffix}")


def check_import(result: pipeline.ImportResult, bench: BenchFile) -> list[str]:
    """Why this import is not what the generated file should give (empty when it is)."""
    problems = []
    if result.outcome != "imported":
        problems.append(f"outcome is {result.outcome!r}, not 'imported'")
    c = result.counter
    values = sum(d.get("kpi_value", 0) for d in (c.added, c.changed, c.unchanged))
    if values != bench.values:
        problems.append(f"{values:,} KPI values stored, expected {bench.values:,}")
    actions = sum(d.get("action", 0) for d in (c.added, c.changed, c.unchanged))
    if actions != bench.actions:
        problems.append(f"{actions:,} actions stored, expected {bench.actions:,}")
    if problems:
        problems += [f"  {p.line()}" for p in result.problems[:10]]
    return problems


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def reader_peak_mb() -> float:
    """High-water RSS of the isolated reader processes (best effort, Linux)."""
    peaks = [0]
    for w in list(getattr(worker._POOL, "idle", [])):
        proc = getattr(w, "proc", None)
        if proc is None:
            continue
        with contextlib.suppress(OSError), open(f"/proc/{proc.pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]))
    return max(peaks) / 1024


def reader_cpu() -> dict[int, float]:
    """CPU seconds (user + system) used so far by each reader process (Linux /proc; 10 ms ticks)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    out: dict[int, float] = {}
    for w in list(getattr(worker._POOL, "idle", [])):
        proc = getattr(w, "proc", None)
        if proc is None:
            continue
        with contextlib.suppress(OSError, ValueError, IndexError), open(f"/proc/{proc.pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
            out[proc.pid] = (int(fields[11]) + int(fields[12])) / tick
    return out


@dataclass
class Sample:
    wall: float
    cpu: float  # this process + the reader process: immune to other processes competing for the cores


def timed(fn: Callable[[], Any]) -> tuple[Sample, Any]:
    gc.collect()
    readers = reader_cpu()
    c0, t0 = time.process_time(), time.perf_counter()
    out = fn()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    cpu += sum(v - readers.get(pid, 0.0) for pid, v in reader_cpu().items())
    return Sample(wall, cpu), out


def median(samples: list[Sample], attr: str = "wall") -> float:
    return statistics.median(getattr(s, attr) for s in samples)


@dataclass
class Figures:
    bench: BenchFile
    repeats: int
    imports: list[Sample]
    calamine: list[Sample]
    reads: list[Sample]
    parses: list[Sample]
    rss_mb: float
    reader_mb: float
    floors: list[Sample] = field(default_factory=list)
    cli_peak_mb: float = 0.0  # `python -m lib.cli import FILE`: the largest resident memory of it or its reader
    cli_seconds: float = 0.0
    cold_imports: list[Sample] = field(default_factory=list)  # a new engine per import (a new process)

    def ratio(self, attr: str = "wall") -> float:
        """import / floor (the fastest read plus executemany of the same cells)."""
        return median(self.imports, attr) / median(self.floors, attr)


def measure(bench: BenchFile, repeats: int, dbs: Databases, budget: float | None = None) -> Figures:
    """Imports first (so peak RSS is theirs), then the two reads interleaved, same number of repeats.

    With a ``budget`` (seconds) the imports stop early when another one would overrun it; at
    least one always runs.
    """
    data = bench.load()
    timeout = 300.0
    imports: list[Sample] = []
    started = time.perf_counter()
    for _ in range(repeats):
        if budget is not None and imports and time.perf_counter() - started + max(s.wall for s in imports) > budget:
            print(f"{bench.label}: stopped after {len(imports)} of {repeats} imports (--budget {budget:g} s)")
            break
        with dbs.fresh() as engine:
            sample, result = timed(lambda engine=engine: pipeline.import_bytes(engine, data, bench.path.name))
            problems = check_import(result, bench)
            if problems:
                print(f"\n{bench.label}: the import did not store what the file holds:", file=sys.stderr)
                print("\n".join(problems), file=sys.stderr)
                raise SystemExit(1)
            imports.append(sample)
            del result
    rss, reader = peak_rss_mb(), reader_peak_mb()
    calamine: list[Sample] = []
    reads: list[Sample] = []
    parses: list[Sample] = []
    floors: list[Sample] = []
    for _ in range(len(imports)):  # interleaved, so all see the same machine load
        sample, rows = timed(lambda: calamine_read(data))
        calamine.append(sample)
        del rows
        sample, _ = timed(lambda: floor(data, dbs.tmp / "floor.db"))
        floors.append(sample)
        sample, book = timed(lambda: read_workbook(data, bench.path.name, timeout=timeout))
        reads.append(sample)
        with dbs.fresh() as engine:
            ctx = pipeline.build_context(engine)  # what import_bytes parses against, on a fresh database
        with pipeline.collector_paused():  # as import_bytes parses
            sample, parsed = timed(lambda book=book, ctx=ctx: parse_workbook(book, ctx))
        parses.append(sample)
        del book, parsed
    figures = Figures(bench, len(imports), imports, calamine, reads, parses, rss, reader, floors)
    if bench.label == "typical":  # also as a first import of a new process: SQL not yet compiled
        dbs.warm_engine = False
        try:
            for _ in range(len(imports)):
                with dbs.fresh() as engine:
                    sample, _result = timed(lambda engine=engine: pipeline.import_bytes(engine, data, bench.path.name))
                    figures.cold_imports.append(sample)
        finally:
            dbs.warm_engine = True
    if bench.label != "typical":  # the importing process's own peak: a new process, nothing else in it
        dbs.count += 1
        run = cli_run(["--db", f"sqlite:///{dbs.tmp / f'cli-{dbs.count}.db'}", "import", str(bench.path)])
        figures.cli_peak_mb, figures.cli_seconds = run.peak_mb, run.seconds
        if run.code != 0:
            print(f"{bench.label}: the command-line import failed:\n{run.output[-1500:]}", file=sys.stderr)
    return figures


def warm_up(typical: BenchFile, dbs: Databases) -> None:
    """Start the reader process and import once, as a running server would have."""
    worker.prestart()
    data = typical.load()
    for _ in range(3):
        calamine_read(data)
        read_workbook(data, typical.path.name)
    with dbs.fresh() as engine:
        problems = check_import(pipeline.import_bytes(engine, data, typical.path.name), typical)
    if problems:
        print("typical: the warm-up import did not store what the file holds:", file=sys.stderr)
        print("\n".join(problems), file=sys.stderr)
        raise SystemExit(1)


def profile_import(bench: BenchFile, dbs: Databases, top: int = 15) -> None:
    """One import under cProfile: our own functions by cumulative time, then anything by own time."""
    data = bench.load()
    prof = cProfile.Profile()
    with dbs.fresh() as engine:
        gc.collect()
        prof.enable()
        pipeline.import_bytes(engine, data, bench.path.name)
        prof.disable()
    own = re.escape(str(ROOT / "lib") + os.sep)
    for title, sort, restrict in ((f"top {top} by cumulative time, lib/ only", "cumulative", own),
                                  ("top 12 by own (internal) time, any module", "tottime", None)):
        print(f"\n--- profile of one {bench.label} import: {title} ---")
        buf = io.StringIO()
        stats = pstats.Stats(prof, stream=buf)
        stats.sort_stats(sort)
        if restrict:
            stats.print_stats(restrict, top)
        else:
            stats.print_stats(12)
        lines = buf.getvalue().splitlines()
        start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
        for line in lines[start:]:
            if line.strip():
                print(line.replace(str(ROOT) + os.sep, "").replace(sys.prefix, "<venv>")[:170])
    print("(the values are read in the reader process: that time shows here as waiting in lib/returns/worker.py)")


def fmt_time(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 1 else f"{seconds:,.2f} s"


def report(all_figures: list[Figures]) -> bool:
    print()
    header = (f"{'file':<9} {'size':>8} {'n':>2} {'import':>10} {'floor':>10} {'import/floor':>12} "
              f"{'calamine':>10} {'read_workbook':>13} {'CPU ratio':>9} {'peak RSS':>9} {'reader RSS':>10}")
    print(header)
    print("-" * len(header))
    ok = True
    for f in all_figures:
        size = len(f.bench.load())
        size_text = f"{size / 1024:,.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:,.1f} MB"
        imp, cal, rd, fl = median(f.imports), median(f.calamine), median(f.reads), median(f.floors)
        print(f"{f.bench.label:<9} {size_text:>8} {f.repeats:>2} {fmt_time(imp):>10} {fmt_time(fl):>10} "
              f"{f.ratio():>11.2f}× {fmt_time(cal):>10} {fmt_time(rd):>13} {f.ratio('cpu'):>8.2f}× "
              f"{f.rss_mb:>6,.0f} MB {f.reader_mb:>7,.0f} MB")
    print()
    for f in all_figures:
        ratio = f.ratio()
        verdict = "meets" if ratio <= TARGET_RATIO else "MISSES"
        ok = ok and ratio <= TARGET_RATIO
        walls = [s.wall for s in f.imports]
        print(f"{f.bench.label}: {f.bench.shape}, {f.bench.values:,} values; import/floor {ratio:.2f}× "
              f"{verdict} the ≤ {TARGET_RATIO:g}× target (import min {fmt_time(min(walls))}, max "
              f"{fmt_time(max(walls))}; CPU {fmt_time(median(f.imports, 'cpu'))} vs floor "
              f"{fmt_time(median(f.floors, 'cpu'))}; {f.bench.values / median(f.imports):,.0f} values/s)")
    for f in all_figures:
        if f.cold_imports:
            cold = median(f.cold_imports)
            print(f"{f.bench.label} with a new engine per import (the first import of a new process, e.g. the "
                  f"command line; every SQL statement compiled afresh): {fmt_time(cold)}, "
                  f"{cold / median(f.floors):.2f}× the floor")
    for f in all_figures:
        for attr in ("wall", "cpu"):
            imp, rd, ps = median(f.imports, attr), median(f.reads, attr), median(f.parses, attr)
            rest = max(imp - rd - ps, 0.0)
            print(f"{f.bench.label} import split ({attr}): read_workbook {fmt_time(rd)} ({rd / imp:.0%}), "
                  f"parse_workbook (parse + validate) {fmt_time(ps)} ({ps / imp:.0%}), the rest (context, "
                  f"commit, upload record) {fmt_time(rest)} ({rest / imp:.0%})")
    print("floor = python-calamine reading the file in this process + one-transaction executemany of every cell "
          "into a fresh SQLite file; times are wall-clock medians; CPU ratio = import/floor in CPU time (this "
          "process + the reader process), which other processes on the machine do not inflate")
    print("peak RSS = this process's high-water mark after the imports (everything before them included: file "
          f"generation, warm-up); reader RSS = the isolated reader's high-water mark; load average now "
          f"{os.getloadavg()[0]:.1f}")
    for f in all_figures:
        if f.cli_peak_mb:
            verdict = "meets" if f.cli_peak_mb <= RSS_TARGET_MB else "MISSES"
            print(f"{f.bench.label}: `python -m lib.cli import` in a new process: {fmt_time(f.cli_seconds)} (process "
                  f"start and migration included), peak RSS {f.cli_peak_mb:,.0f} MB (the command or its reader, "
                  f"whichever is larger) — {verdict} the ≤ {RSS_TARGET_MB} MB target")
    return ok


def describe_machine() -> str:
    return (f"{os.cpu_count()} cores, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
            f"python-calamine {metadata.version('python-calamine')}, xlsxwriter {xlsxwriter.__version__}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="repeats for the typical return (default 7)")
    parser.add_argument("--national-repeat", type=int, default=3, help="repeats for the national file (default 3)")
    parser.add_argument("--budget", type=float, default=120.0,
                        help="seconds the national imports may take in all before repeats stop early (default 120)")
    parser.add_argument("--quick", action="store_true", help="3 typical and 1 national repeat")
    parser.add_argument("--only", choices=("typical", "national", "regional", "wide", "million"),
                        help="measure one file only")
    parser.add_argument("--profile", action="store_true", help="also profile one import of each file (cProfile)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the generated data (default 1)")
    parser.add_argument("--keep", type=Path, help="also copy the generated workbooks into this directory")
    args = parser.parse_args(argv)
    typical_n, national_n = (3, 1) if args.quick else (args.repeat, args.national_repeat)

    print(f"Import benchmark: {describe_machine()}; load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="ib-import-bench-") as tmp_name:
        tmp = Path(tmp_name)
        t0 = time.perf_counter()
        typical = write_typical(tmp / "typical-return.xlsx", args.seed)
        files = [typical]
        if args.only in (None, "national"):
            files.append(write_national(tmp / "national-kpis.xlsx", args.seed + 1))
        if args.only in (None, "regional"):
            files.append(write_regional(tmp / "regional-kpis.xlsx", args.seed + 2))
        print(f"generated {', '.join(f'{b.label} {b.path.stat().st_size / 1024:,.0f} KB' for b in files)} "
              f"in {time.perf_counter() - t0:.1f} s")
        biggest = max(b.path.stat().st_size for b in files)
        if biggest > config.MAX_UPLOAD_BYTES:
            print(f"note: the national file is {biggest / 1024 / 1024:.1f} MB, over the app's "
                  f"{config.MAX_UPLOAD_BYTES / 1024 / 1024:.0f} MB upload cap; the cap is raised for this run")
            config.MAX_UPLOAD_BYTES = biggest
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for b in files:
                shutil.copy(b.path, args.keep / b.path.name)
        dbs = Databases(tmp)
        warm_up(typical, dbs)
        figures = []
        for bench in files:
            if args.only and bench.label != args.only:
                continue
            n = typical_n if bench.label == "typical" else national_n
            t0 = time.perf_counter()
            figures.append(measure(bench, n, dbs, args.budget if bench.label != "typical" else None))
            print(f"measured {bench.label} ({figures[-1].repeats} repeats) in {time.perf_counter() - t0:.1f} s")
        if figures:
            report(figures)
        if args.only in (None, "wide"):
            measure_wide(tmp, 1 if args.quick else 3)
        if args.only in (None, "million"):
            measure_million(tmp)
        if args.profile:
            for bench in files:
                if not args.only or bench.label == args.only:
                    profile_import(bench, dbs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
