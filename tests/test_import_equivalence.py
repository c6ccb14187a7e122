"""The import was rewritten for speed and memory; what it stores must not change.

The expected rows were written by the import before the rewrite (see ``tests/stored_rows.py``): the
council returns on an empty and on the seeded database, the benchmark's typical return twice, and a
long regional file imported, resubmitted with changes, extended and undone. Every stored row of
every table is compared, and what each import said.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from lib import store
from tests import stored_rows
from tests.conftest import PG_SKIP_REASON, drop_pg_database, make_pg_database


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    with gzip.open(stored_rows.EXPECTED, "rt", encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def _first_difference(want: list[list[Any]], got: list[list[Any]]) -> str:
    for index, (a, b) in enumerate(zip(want, got, strict=False)):
        if a != b:
            return f"row {index}: expected {a!r}, got {b!r}"
    return f"{len(want)} rows expected, {len(got)} stored"


def _compare(want: dict[str, Any], got: dict[str, Any]) -> None:
    assert got["said"] == want["said"]
    assert sorted(got["tables"]) == sorted(want["tables"])
    for table, rows in want["tables"].items():
        assert got["tables"][table] == rows, f"{table}: {_first_difference(rows, got['tables'][table])}"


@pytest.mark.parametrize("scenario", sorted(stored_rows.SCENARIOS))
def test_import_stores_exactly_what_it_stored_before(scenario: str, expected: dict[str, Any],
                                                     tmp_path: Path) -> None:
    want = expected[scenario]
    assert sum(len(rows) for rows in want["tables"].values()) > 100  # the scenario stores something
    _compare(want, stored_rows.run(scenario, tmp_path))


@pytest.mark.postgres
@pytest.mark.skipif(PG_SKIP_REASON is not None, reason=PG_SKIP_REASON or "")
def test_long_file_through_copy_on_postgresql_stores_the_same_rows(expected: dict[str, Any]) -> None:
    """PostgreSQL takes new KPI values by COPY: the same rows, ids included, as SQLite's executemany."""
    url, name = make_pg_database()
    engine = store.get_engine(url)
    try:
        store.init_db(engine)
        said = stored_rows.SCENARIOS["long"](engine)
        got = {"said": said, "tables": stored_rows.dump(engine)}
    finally:
        store.dispose_all()
        drop_pg_database(name)
    _compare(expected["long"], got)


def _parsed(data: bytes, name: str, engine: Any) -> Any:
    from lib.returns import parse, pipeline
    from lib.returns.workbook import read_workbook

    parsed = parse.parse_workbook(read_workbook(data, name), pipeline.build_context(engine))
    return ([(v.ref, v.authority, v.period, v.stored_fields(), v.loc) for v in parsed.values], parsed.problems,
            parsed.kpis, parsed.sheets, parsed.notes)


def test_plain_rows_read_exactly_as_the_full_path_reads_them(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Long tables' plain rows skip checks that cannot fire for them: every value record, problem and note
    is the same with that shortcut as without it — on long files, the council returns and odd rows."""
    from lib.returns import parse

    engine = store.get_engine(f"sqlite:///{tmp_path / 'paths.db'}")
    store.init_db(engine)
    files = [("regional.xlsx", stored_rows.long_file()), ("later.xlsx", stored_rows.long_file(seed=4, months=26))]
    files += [case.build() for case in stored_rows.council_returns.CASES]
    files.append(("odd.xlsx", stored_rows.long_file_with_odd_rows()))
    read_plainly: list[int] = []
    plain_value = parse.SheetParser.plain_value

    def counted(self: Any, r: int, row: list[object]) -> Any:
        rec = plain_value(self, r, row)
        read_plainly.append(rec is not None)
        return rec

    monkeypatch.setattr(parse.SheetParser, "plain_value", counted)
    for name, data in files:
        monkeypatch.setattr(parse.SheetParser, "plain_rows", True)
        fast = _parsed(data, name, engine)
        if name == "regional.xlsx":
            assert sum(read_plainly) > 2_000  # the shortcut really read most rows
        if name == "odd.xlsx":
            assert 0 < sum(read_plainly[-17:]) < 12  # and left the odd rows to the full path
        monkeypatch.setattr(parse.SheetParser, "plain_rows", False)
        full = _parsed(data, name, engine)
        assert fast == full, name
    stored_rows.SCENARIOS["long"](engine)  # and again on a database that knows the KPIs and their history
    for name, data in files[:2] + files[-1:]:
        monkeypatch.setattr(parse.SheetParser, "plain_rows", True)
        fast = _parsed(data, name, engine)
        monkeypatch.setattr(parse.SheetParser, "plain_rows", False)
        assert fast == _parsed(data, name, engine), name
