"""No upload takes the app past its memory budget.

* The reader child is watched from the parent by a portable memory guard (psutil: Windows has no
  RLIMIT_AS), which kills it past its cap; the wall-clock timeout backs that up.
* A sheet with data on more rows than an upload may hold is refused before it is read, with a message
  saying how to split it — from the command line and from the app's preview alike (both call
  :func:`lib.returns.pipeline.import_bytes`), in a process that stays small.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from bench import import_bench
from lib.returns import safety, worker
from lib.returns.workbook import RejectedFile, read_workbook
from tests import hostile_files as hf

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024


def _long_workbook(rows: int, path: Path | None = None) -> bytes:
    """``Ref``, ``Period``, ``Value`` with a distinct ref on every row (the issue's million-row file, as the
    import bench writes it)."""
    if path is not None:
        return import_bench.write_million(path, rows).read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        return import_bench.write_million(Path(tmp) / "long.xlsx", rows).read_bytes()


# --- the guard on its own -------------------------------------------------------------------------


def test_memory_guard_kills_a_process_past_its_cap() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "import time; x = b'x' * (300 * 2**20); time.sleep(60)"])
    guard = worker.MemoryGuard(proc.pid, 100 * MB, interval=0.01).start()
    try:
        code = proc.wait(timeout=20)
    finally:
        guard.stop()
        proc.kill()
    assert code != 0  # killed, not finished
    assert guard.tripped is not None and "memory guard" in guard.tripped and "100 MB cap" in guard.tripped
    assert guard.peak > 100 * MB


def test_memory_guard_leaves_a_process_under_its_cap_alone() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "import time; x = b'x' * (20 * 2**20); time.sleep(0.5)"])
    guard = worker.MemoryGuard(proc.pid, 1024 * MB, interval=0.01).start()
    assert proc.wait(timeout=20) == 0
    guard.stop()
    assert guard.tripped is None
    assert 20 * MB < guard.peak < 1024 * MB


def test_reader_over_its_cap_refuses_the_file_and_the_next_read_works(monkeypatch: pytest.MonkeyPatch) -> None:
    """A real read: with the cap set just above an idle reader, reading 300,000 cells trips the guard."""
    data = _long_workbook(100_000)
    read_workbook(hf.xlsx(), "warm.xlsx")  # a warm reader, as in a running app
    monkeypatch.setattr(worker, "RSS_CAP", 40 * MB)
    with pytest.raises(RejectedFile) as info:
        read_workbook(data, "big.xlsx", timeout=60)
    assert info.value.message == safety.MSG_STOPPED
    assert "memory guard" in (info.value.detail or "")
    monkeypatch.setattr(worker, "RSS_CAP", 480 * MB)
    assert [s.name for s in read_workbook(hf.xlsx(), "ok.xlsx").sheets] == ["Sheet1"]
    assert len(read_workbook(data, "big.xlsx", timeout=60).sheets[0].rows) == 100_001


# --- the row budget -------------------------------------------------------------------------------


def test_rows_past_a_lowered_budget_are_counted_and_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any budget (not only the default one the quick search knows) is checked by counting rows with data."""
    monkeypatch.setattr(safety, "MAX_DATA_ROWS", 1_000)
    monkeypatch.setattr(safety, "_MIN_ROW_BYTES", 1)
    with pytest.raises(RejectedFile) as info:
        read_workbook(_long_workbook(1_200), "long.xlsx")
    assert info.value.message == safety.MSG_TOO_MANY_ROWS.format(sheet="Data", limit=1_000)
    assert len(read_workbook(_long_workbook(900), "short.xlsx").sheets[0].rows) == 901


def test_formatting_past_the_budget_is_not_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """Empty formatted cells far down a sheet are not rows of data: the file is read."""
    monkeypatch.setattr(safety, "MAX_DATA_ROWS", 1_000)
    monkeypatch.setattr(safety, "_MIN_ROW_BYTES", 1)
    rows = "".join(f'<row r="{r}"><c r="A{r}" s="1"/></row>' for r in range(2, 3_000))
    data = hf.xlsx(sheets=[("Sheet1", hf.sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>Ref</t></is></c>'
                                                   f'</row>{rows}'))])
    assert read_workbook(data, "formatted.xlsx").sheets[0].name == "Sheet1"


@pytest.fixture(scope="module")
def million_rows(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return import_bench.write_million(tmp_path_factory.mktemp("million") / "million-rows.xlsx")


_MEASURE = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from lib import store
from lib.returns import pipeline
engine = store.get_engine(sys.argv[3]); store.init_db(engine)
data = open(sys.argv[2], "rb").read()
result = pipeline.import_bytes(engine, data, "million-rows.xlsx", dry_run=True)
with open("/proc/self/status") as fh:
    hwm = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:")) * 1024
print(json.dumps({"outcome": result.outcome, "problems": [p.line() for p in result.problems], "hwm": hwm}))
"""


@pytest.mark.timeout(300)
def test_million_row_file_is_refused_from_the_command_line(million_rows: Path, tmp_path: Path) -> None:
    """``import --dry-run``: exit 1, one clear line, no traceback, nothing stored, the process stays small."""
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "lib.cli", "--db", db, "import", "--dry-run", str(million_rows)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    import psutil

    peak = 0
    watched = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            procs = [watched, *watched.children(recursive=True)]
            peak = max([peak, *(p.memory_info().rss for p in procs)])
        except psutil.Error:
            pass
        time.sleep(0.02)
    out, err = proc.communicate()
    assert proc.returncode == 1, (out, err)
    said = out + err
    assert "Traceback" not in said
    assert safety.MSG_TOO_MANY_ROWS.format(sheet="Data", limit=safety.MAX_DATA_ROWS) in said
    assert "nothing stored" in said
    assert peak <= 500 * MB, f"a process peaked at {peak / MB:.0f} MB"
    assert time.perf_counter() - start < 60  # generous: the bench reports the real figure


@pytest.mark.timeout(300)
def test_million_row_file_is_refused_by_the_preview_the_app_runs(million_rows: Path, tmp_path: Path) -> None:
    """The upload page's preview is ``import_bytes(dry_run=True)``: refused with the same message, small."""
    out = subprocess.run([sys.executable, "-c", _MEASURE, str(ROOT), str(million_rows),
                          f"sqlite:///{tmp_path / 'app.db'}"], capture_output=True, text=True, check=True, timeout=240)
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["outcome"] == "rejected"
    assert any(safety.MSG_TOO_MANY_ROWS.format(sheet="Data", limit=safety.MAX_DATA_ROWS) in p
               for p in found["problems"])
    assert found["hwm"] <= 500 * MB
