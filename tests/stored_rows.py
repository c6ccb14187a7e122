"""Every row an import stores, as plain data, for the test that guards the import's rewrite for speed.

``python -m tests.stored_rows OUT.json.gz`` imports a fixed set of workbooks (the council returns of
``tests/council_returns.py`` one after another, the benchmark's typical return twice with changes,
a long file of several authorities, an undo) into empty SQLite databases and writes what every
table then holds. The expected file was written by the import as it stood before the rewrite
(commit 29b1f13); ``tests/test_import_equivalence.py`` runs the same scenarios through the current
code and compares row by row. Times of day and the uploading account are left out (they differ
between runs); everything else — ids, texts, figures, provenance, the undo log — is compared.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import xlsxwriter
from sqlalchemy import Engine, MetaData, select

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from lib import sample, store  # noqa: E402
from lib.returns import pipeline  # noqa: E402
from tests import council_returns  # noqa: E402

# Times of day, the account, and what differs with the bytes xlsxwriter writes (it stamps the time)
VOLATILE = {"uploaded_at", "undone_at", "created_at", "marked_at", "changed_at", "uploaded_by", "at", "when",
            "sha256", "size_bytes", "content"}
EXPECTED = ROOT / "tests" / "data" / "stored_rows.json.gz"


def _plain(value: Any) -> Any:
    if isinstance(value, bytes | memoryview):
        return "sha256:" + hashlib.sha256(bytes(value)).hexdigest()
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 9)
    return value


def _summary(text: str | None) -> Any:
    """An upload's summary without its time-dependent parts (notes can name today's month)."""
    if not text:
        return text
    data = json.loads(text)
    return {k: v for k, v in data.items() if k in ("changes", "sheets")}


def dump(engine: Engine) -> dict[str, list[list[Any]]]:
    """Every table's rows (primary-key order), without times of day and user names."""
    meta = MetaData()
    meta.reflect(engine)
    out: dict[str, list[list[Any]]] = {}
    with engine.connect() as conn:
        for name in sorted(meta.tables):
            if name == "alembic_version":
                continue
            if name == "setting":  # the data revision is a random token
                cols_where = meta.tables[name]
                out[name] = [[_plain(v) for v in row] for row in conn.execute(
                    select(cols_where).where(cols_where.c.key != "data_revision").order_by(*cols_where.primary_key))]
                continue
            table = meta.tables[name]
            cols = [c for c in table.columns if c.name not in VOLATILE]
            order = list(table.primary_key.columns) or cols
            rows = []
            for row in conn.execute(select(*cols).order_by(*order)):
                values = [_summary(v) if c.name == "summary" and name == "upload" else _plain(v)
                          for c, v in zip(cols, row, strict=True)]
                rows.append(values)
            out[name] = rows
    return out


def long_file(authorities: int = 6, months: int = 24, seed: int = 3, bump: float = 0.0) -> bytes:
    """A long file (LA code, Ref, KPI, Period, Value, Target) like a regional return, deterministic."""
    codes = [line.split(",")[0] for line in
             (ROOT / "reference_data" / "local_authorities.csv").read_text(encoding="utf-8").splitlines()[1:]]
    rnd = random.Random(seed)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("Data")
    day = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_row(0, 0, ["LA code", "Ref", "KPI", "Period", "Value", "Target"])
    r = 0
    for la in codes[:authorities]:
        for k in range(20):
            pct = k % 5 < 2
            for m in range(months):
                r += 1
                year, month = 2021 + (3 + m) // 12, (3 + m) % 12 + 1
                value = round(rnd.uniform(20, 100), 1) if pct else float(rnd.randint(0, 900))
                ws.write_string(r, 0, la)
                ws.write_string(r, 1, f"REG-{k + 1:02d}")
                ws.write_string(r, 2, f"Regional measure {k + 1}")
                ws.write_datetime(r, 3, dt.datetime(year, month, 1), day)
                ws.write_number(r, 4, value + (bump if m == months - 1 else 0.0))
                ws.write_number(r, 5, 75.0 if pct else 300.0)
    wb.close()
    return buf.getvalue()


def _engine(path: Path) -> Engine:
    engine = store.get_engine(f"sqlite:///{path}")
    store.init_db(engine)
    return engine


def _scenario_council_returns(engine: Engine) -> list[str]:
    outcomes = []
    for case in council_returns.CASES:
        name, data = case.build()
        outcomes.append(f"{name}: {pipeline.import_bytes(engine, data, name).outcome}")
    return outcomes


def _scenario_typical(engine: Engine) -> list[str]:
    """The benchmark's monthly return (60 KPIs wide, 200 actions), then the same shape with other figures."""
    import tempfile

    from bench import import_bench

    said = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in (1, 2):
            path = Path(tmp) / f"typical-{seed}.xlsx"
            import_bench.write_typical(path, seed)
            said.append(pipeline.import_bytes(engine, path.read_bytes(), path.name).summary_line())
    return said


def _scenario_seeded(engine: Engine) -> list[str]:
    """The council returns again, on the database the sample loads (the matching differs there)."""
    sample.seed(engine)
    return _scenario_council_returns(engine)


def _scenario_long(engine: Engine) -> list[str]:
    first = pipeline.import_bytes(engine, long_file(), "regional.xlsx")
    second = pipeline.import_bytes(engine, long_file(bump=1.0), "regional-resubmitted.xlsx")
    third = pipeline.import_bytes(engine, long_file(seed=4, months=26), "regional-later.xlsx")
    undone = pipeline.undo(engine, third.upload_id) if third.upload_id else {}
    return [first.summary_line(), second.summary_line(), third.summary_line(), json.dumps(undone, sort_keys=True)]


SCENARIOS: dict[str, Callable[[Engine], list[str]]] = {
    "council_returns": _scenario_council_returns,
    "typical": _scenario_typical,
    "long": _scenario_long,
    "seeded": _scenario_seeded,
}


def run(name: str, tmp: Path) -> dict[str, Any]:
    """One scenario on a new empty database: what each import said and every stored row."""
    engine = _engine(tmp / f"{name}.db")
    try:
        said = SCENARIOS[name](engine)
        return {"said": said, "tables": dump(engine)}
    finally:
        store.dispose_all()


def main(argv: list[str]) -> int:
    import tempfile

    out = Path(argv[0]) if argv else EXPECTED
    with tempfile.TemporaryDirectory() as tmp:
        result = {name: run(name, Path(tmp)) for name in SCENARIOS}
    out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(out, "wt", encoding="utf-8") as fh:
        json.dump(result, fh, sort_keys=True)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))


def long_file_with_odd_rows() -> bytes:
    """A long file whose rows hit every check a plain row skips: percentages as fractions, targets as
    fractions and over 100, totals, notes, blank and text values, unknown authorities, future months,
    formulas' cached values, a repeated header, a name without a ref."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet("Data")
    pct = wb.add_format({"num_format": "0.0%"})
    day = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_row(0, 0, ["LA code", "Ref", "KPI", "Period", "Value", "Target"])
    rows: list[list[Any]] = [
        ["302", "ODD-01", "Share seen in time (%)", dt.datetime(2023, 4, 1), 44.5, 60.0],
        ["302", "ODD-01", "Share seen in time (%)", dt.datetime(2023, 5, 1), 0.45, 60.0],
        ["302", "ODD-01", "Share seen in time (%)", dt.datetime(2023, 6, 1), 46.0, 0.6],
        ["302", "ODD-01", "Share seen in time (%)", dt.datetime(2023, 7, 1), 47.0, 6000.0],
        ["302", "ODD-02", "Visits", dt.datetime(2023, 4, 1), 12.0, 10.0],
        ["302", "ODD-02", "Visits", dt.datetime(2023, 5, 1), "n/a", 10.0],
        ["302", "ODD-02", "Visits", dt.datetime(2023, 6, 1), "12 (G)", 10.0],
        ["302", "ODD-02", "Visits", dt.datetime(2023, 7, 1), -3.0, 10.0],
        ["999", "ODD-02", "Visits", dt.datetime(2023, 8, 1), 5.0, 10.0],
        ["302", "ODD-02", "Visits", dt.datetime(2099, 8, 1), 5.0, 10.0],
        ["302", "Total", "", dt.datetime(2023, 8, 1), 99.0, None],
        ["LA code", "Ref", "KPI", "Period", "Value", "Target"],
        ["302", "", "Visits", dt.datetime(2023, 9, 1), 7.0, 10.0],
        ["302", "ODD-02", "Visits", "Oct 2023", 8.0, "10"],
        ["302", "ODD-02", "Visits", dt.datetime(2023, 11, 1), 9.0, None],
        [302.0, "ODD-02", "Visits", dt.datetime(2023, 12, 1), 9.5, 10.0],
        ["302", "odd 02", "Visits", dt.datetime(2024, 1, 1), 10.0, 10.0],
    ]
    r = 0
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, dt.datetime):
                ws.write_datetime(r, c, value, day)
            elif isinstance(value, float) and c == 4 and value < 1:
                ws.write_number(r, c, value, pct if r == 2 else None)
            elif value is not None:
                ws.write(r, c, value)
    ws.write(r + 2, 0, "Source: council performance team")
    wb.close()
    return buf.getvalue()
