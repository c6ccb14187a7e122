"""The command line: seed and show, on a fresh database file, as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lib import cli

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, IMPROVEMENT_BOARD_DB=db)
    return subprocess.run(
        [sys.executable, "-m", "lib.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_seed_then_show_as_the_acceptance_says(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    seeded = run_cli("seed", db=db)
    assert seeded.returncode == 0, seeded.stderr
    again = run_cli("seed", db=db)
    assert "No changes" in again.stdout

    judgements = json.loads(run_cli("show", "judgements", "--format", "json", db=db).stdout)
    assert len(judgements) >= 40
    assert {"authority", "la_code", "inspection_start", "framework", "area", "grade", "score"} <= set(judgements[0])
    dudley = [j for j in judgements if j["authority"] == "Dudley" and j["area"] == "Enjoying and achieving"]
    assert dudley and dudley[0]["score"] == 1

    values = json.loads(run_cli("show", "kpi-values", "--format", "json", db=db).stdout)
    keys = {"ref", "name", "authority", "period", "period_end", "value", "target", "unit", "polarity", "rag",
            "reported_rag", "direction"}
    assert keys <= set(values[0])
    fs_s6 = next(v for v in values if v["ref"] == "FS/S6" and v["period_end"] == "2017-03-31")
    assert fs_s6["value"] == 44.0 and fs_s6["reported_rag"] == "green" and fs_s6["rag"] == "green"
    assert {v["polarity"] for v in values} <= {"higher", "lower", "monitor"}
    assert {v["rag"] for v in values} <= {"green", "amber", "red", None}

    actions = json.loads(run_cli("show", "actions", "--format", "json", db=db).stdout)
    assert len(actions) >= 40
    assert {"id", "recommendations", "title", "lead_officer", "due", "status", "rag", "updates"} <= set(actions[0])
    assert all(isinstance(a["recommendations"], list) for a in actions)

    csv_out = run_cli("show", "recommendations", "--format", "csv", db=db)
    assert csv_out.returncode == 0 and csv_out.stdout.startswith("id,inspection,number,text,actions,")

    recs = json.loads(run_cli("show", "recommendations", "--format", "json", db=db).stdout)
    sif10 = next(r for r in recs if r["id"] == "SIF 2017 · 10")
    assert sif10["inspection"] == "SIF 2017" and sif10["number"] == "10" and sif10["actions"] == ["1.08"]
    assert len(sif10["cross_cutting_actions"]) == 8 and isinstance(sif10["kpis"], list)
    answering = json.loads(run_cli("show", "actions", "--recommendation", "SIF 2017 · 10", "--format", "json",
                                   db=db).stdout)
    assert [a["id"] for a in answering] == sif10["actions"] + sif10["cross_cutting_actions"]
    assert {a["plan"] for a in answering} == {"FSIAP-2017"}
    joint = next(a for a in actions if a["id"] == "9.1")
    assert joint["lead_officer"] == "Jay Mercer; Ann Graham", "joint leads as written"
    unknown_rec = run_cli("show", "actions", "--recommendation", "SIF 2017 · 99", db=db)
    assert unknown_rec.returncode == 1 and "no recommendation" in unknown_rec.stderr

    grid = json.loads(run_cli("show", "judgement-grid", "--authority", "800", "--format", "json", db=db).stdout)
    assert {"inspection", "inspection_start", "framework", "section", "area", "grade", "score"} == set(grid[0])
    overall_2012 = [g for g in grid if g["inspection"] == "SLAC 2012" and g["area"].lower().startswith("overall")]
    assert sorted(g["score"] for g in overall_2012) == [2, 3], "both sections' overall effectiveness"
    assert len({g["section"] for g in overall_2012}) == 2

    bench = next(v for v in values if v["ref"] == "CES/S13-1" and v["benchmarks"])
    assert bench["period"].endswith("2015/16")
    assert all(b["period"] == "2015/16" for b in bench["benchmarks"]), "benchmarks of the value's own period"
    assert {"group", "value", "period", "unit", "source"} == set(bench["benchmarks"][0])


def test_errors_go_to_stderr_with_non_zero_exit(tmp_path: Path) -> None:
    bad = run_cli("show", "actions", db="notadialect://nowhere")
    assert bad.returncode != 0
    assert bad.stderr.strip() and not bad.stdout.strip()
    unknown = run_cli("show", "nonsense", db=f"sqlite:///{tmp_path / 'y.db'}")
    assert unknown.returncode == 2 and "invalid choice" in unknown.stderr


@pytest.mark.parametrize("payload", ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)"])
def test_csv_output_escapes_formula_prefixes(payload: str) -> None:
    import csv
    import io

    rows = list(csv.reader(io.StringIO(cli.render([{"a": payload}], "csv"))))
    assert rows == [["a"], ["'" + payload]]


def test_board_pack_export_and_changes_from_the_command_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'pack.db'}"
    assert run_cli("seed", db=db).returncode == 0
    pptx = tmp_path / "pack.pptx"
    made = run_cli("export", "--format", "pptx", "--out", str(pptx), "--since", "2019-05-31", db=db)
    assert made.returncode == 0, made.stderr
    from pptx import Presentation

    texts = " ".join(shape.text_frame.text for slide in Presentation(str(pptx)).slides for shape in slide.shapes
                     if shape.has_text_frame)
    assert "Barnet" in texts and "as at" in texts.lower()
    changes = run_cli("changes", "--since", "2019-05-31", db=db)
    assert changes.returncode == 0
    assert "1.08" in changes.stdout and "Red" in changes.stdout
    bad = run_cli("changes", "--since", "not-a-date", db=db)
    assert bad.returncode == 1 and "not a date" in bad.stderr


def test_show_names_are_the_shows_and_an_import_loads_no_pandas() -> None:
    """``import`` from the command line stays small: pandas and the read models load only for ``show``."""
    from lib import cli_show

    assert tuple(cli_show.SHOWS) == cli.SHOW_NAMES
    code = "import sys; import lib.cli, lib.returns.pipeline; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == "False"
