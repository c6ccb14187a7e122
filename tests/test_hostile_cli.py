"""Every hostile file through the command line a user runs: exit status 1, a clear message naming the
file, nothing stored (``show`` output unchanged), in bounded time; the app's reader keeps working."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from lib import cli, store
from tests import hostile_files as hf
from tests.test_hostile import REJECTED

SHOWS = ("kpi-values", "actions", "recommendations", "judgements")
CASES = [*REJECTED, ("empty_sheet", "no data found", [])]  # a workbook with no data: refused by the validator


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('hostile-cli') / 'board.db'}"
    assert cli.main(["--db", url, "seed"]) == 0
    return url


def snapshot(db: str, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    out = {}
    for what in SHOWS:
        capsys.readouterr()
        assert cli.main(["--db", db, "show", what, "--format", "json"]) == 0
        out[what] = capsys.readouterr().out
    return out


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("builder", "phrase", "_hidden"), CASES, ids=[r[0] for r in CASES])
def test_hostile_file_via_cli_changes_nothing(builder: str, phrase: str, _hidden: list[str], db: str,
                                              tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(db, capsys)
    path = tmp_path / f"{builder}.xlsx"
    path.write_bytes(getattr(hf, builder)())
    started = time.perf_counter()
    code = cli.main(["--db", db, "import", str(path)])
    elapsed = time.perf_counter() - started
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(f"{builder}.xlsx: "), err
    assert phrase in err, err
    assert "Traceback" not in err
    assert elapsed < 20
    assert snapshot(db, capsys) == before
    engine = store.get_engine(db)
    with engine.connect() as conn:
        from sqlalchemy import text

        imported = conn.execute(text("SELECT COUNT(*) FROM upload WHERE outcome = 'imported'")).scalar()
    assert imported == 0
