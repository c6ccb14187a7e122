"""Importing the layouts councils really use, built here from the seed figures, plus history,
identity, undo and the export round trip."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from sqlalchemy import Engine

from lib import cli, store
from lib.read import benchmarks, programme
from lib.read import kpis as kpi_model
from lib.returns import pipeline, template

ROOT = Path(__file__).resolve().parents[1]


def workbook(sheets: dict[str, list[list[Any]]], *, merges: dict[str, list[tuple[int, int, int, int]]] | None = None,
             percent: dict[str, list[tuple[int, int]]] | None = None) -> bytes:
    """Build an .xlsx in memory: rows of values per sheet, optional merged ranges and percent cells."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False})
    pct = book.add_format({"num_format": "0.0%"})
    date = book.add_format({"num_format": "d mmm yyyy"})
    for name, rows in sheets.items():
        ws = book.add_worksheet(name)
        pcells = set((percent or {}).get(name, []))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date)
                elif isinstance(value, int | float):
                    ws.write_number(r, c, value, pct if (r, c) in pcells else None)
                else:
                    ws.write_string(r, c, value)
        for r0, c0, r1, c1 in (merges or {}).get(name, []):
            ws.merge_range(r0, c0, r1, c1, rows[r0][c0])
    book.close()
    return buffer.getvalue()


def show(engine: Engine, what: str) -> list[dict[str, Any]]:
    return cli.SHOWS[what](engine)


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    eng = store.get_engine(f"sqlite:///{tmp_path / 'imp.db'}")
    store.init_db(eng)
    return eng


def import_ok(engine: Engine, data: bytes, name: str, **kw: Any) -> pipeline.ImportResult:
    result = pipeline.import_bytes(engine, data, name, **kw)
    assert result.outcome == "imported", [p.line() for p in result.problems]
    return result


# --- the commissioning-plan KPI table (seed 001 lines 3825-3922) ---------------------------------------

COMMISSIONING = [
    ["Children, Education, Libraries and Safeguarding Committee"],
    ["Annual Performance Report 2016/17", None, None, None, None, None, None, None, None, None],
    [],
    ["SAFEGUARDING"],
    ["Ref", None, "Indicator", "Polarity", "Period Covered", "2016/17 Target", "2016/17 Result", "2015/16 Result",
     "DOT Long Term (From 2015/16)", "Benchmarking"],
    ["CPI FS/S6", None, "Percentage of children in London Borough of Barnet foster care", "Bigger is Better",
     "As at 31 March 2017", "42.5%", "44.0% (G)", "43.5%", "Improving", "No benchmark available"],
    ["CPI", "FS/S4", "Number of referrals to social care (per 10,000 of the under-18 population)", "Monitor",
     "As at 31 March 2017", "Monitor", "345", "396", "Monitor",
     "England: 548.3 London: 477.9 Statistical Neighbours: 467.48 (2014/15, LAIT)"],
    ["CPI", "FS/S5", "Number of children adopted", "Bigger is Better", "Apr 2016 - Mar 2017", "10", "8 (GA)", "12",
     "Worsening", "No benchmark available"],
    ["8 adoption orders have been granted in 2016/17, which is a drop from 12 last year. However, 12 children are "
     "currently placed for adoption with orders anticipated."],
    ["Ref", None, "Indicator", "Polarity", "Period Covered", "2016/17 Target", "2016/17 Result", "2015/16 Result",
     "DOT Long Term (From 2015/16)", "Benchmarking"],
    ["QUALITY OF SOCIAL WORK PRACTICE"],
    ["SPI", "FS/S11", "Percentage of children in external residential placements", "Smaller is Better",
     "As at 31 March 2017", "9.2%", "10.4% (R)", "9.2%", "Worsening", "No benchmark available"],
    ["CPI", "FS/S17", "Percentage of young people in care who know about the Corporate Parenting Pledge",
     "Bigger is Better", "Apr 2016 - Mar 2017", "Monitor", "Not available", "New for 2016/17", "New for 2016/17",
     "No benchmark available"],
    ["SPI", "CES/S13-4", "Percentage of pupils achieving the English Baccalaureate", "Bigger is Better",
     "Academic Year 2015/16", "34.2% (Top 10% in England)", "43.7% G", "New for 2016/17", "New for 2016/17",
     "National 23.1% London 31.9% Statistical Neighbours 34.4% (2016, DFE)"],
]


def test_commissioning_plan_table(engine: Engine) -> None:
    data = workbook({"KPIs 2016-17": COMMISSIONING}, merges={"KPIs 2016-17": [(8, 0, 8, 9)]})
    result = import_ok(engine, data, "cels-performance-2016-17.xlsx")
    values = kpi_model.kpi_values(engine)
    row = values[(values["ref"] == "FS/S6") & (values["period_end"] == dt.date(2017, 3, 31))].iloc[0]
    assert row["value"] == pytest.approx(44.0) and row["reported_rag"] == "green" and row["target"] == 42.5
    assert row["period_kind"] == "as_at"
    prev = values[(values["ref"] == "FS/S6") & (values["period_end"] == dt.date(2016, 3, 31))].iloc[0]
    assert prev["value"] == pytest.approx(43.5)
    s5 = values[(values["ref"] == "FS/S5") & (values["period_kind"] == "financial_year")]
    assert s5.iloc[-1]["reported_rag"] == "green_amber"
    assert "adoption orders" in (s5.iloc[-1]["commentary"] or "")
    s11 = values[(values["ref"] == "FS/S11")].iloc[-1]
    assert s11["value"] == pytest.approx(10.4) and s11["reported_rag"] == "red"
    s17 = values[(values["ref"] == "FS/S17")].iloc[-1]
    assert s17["value"] is None or s17["value"] != s17["value"]  # missing, never zero
    assert s17["missing_reason"] == "not available"
    ebacc = values[values["ref"] == "CES/S13-4"].iloc[-1]
    assert ebacc["period_kind"] == "academic_year" and ebacc["reported_rag"] == "green"
    kpis = kpi_model.kpis(engine).set_index("ref")
    assert kpis.loc["FS/S11", "polarity"] == "lower" and kpis.loc["FS/S4", "polarity"] == "monitor"
    assert kpis.loc["FS/S6", "kpi_type"] == "CPI"
    assert kpis.loc["FS/S6", "theme"].lower() == "safeguarding"
    bench = benchmarks.benchmarks(engine, "FS/S4").set_index("comparator")
    assert bench.loc["England", "value"] == pytest.approx(548.3)
    assert bench.loc["Statistical neighbours", "value"] == pytest.approx(467.48)
    assert bench.loc["London", "year_label"] == "2014/15"
    assert {s.family for s in result.sheets} == {"kpi_values"}


def test_wide_monthly_return_with_real_dates_and_text_months(engine: Engine) -> None:
    months = [dt.date(2017, m, 1) for m in (4, 5, 6)]
    rows = [
        ["DU Assurance Report — monthly KPIs"],
        ["Notes: figures are provisional"],
        [],
        ["Ref", "Measure", "Polarity", "Target", *months, "Jul-17"],
        ["DU-ASSESS45", "Assessments completed within 45 working days", "Bigger is Better", 0.85, 0.71, 0.725,
         "n/a", "74.5%"],
        ["DU-CASELOAD", "Average caseload (DAT)", "Smaller is Better", 15, 18.2, 17.5, "17", "-"],
    ]
    data = workbook({"Monthly": rows}, percent={"Monthly": [(4, 3), (4, 4), (4, 5)]})
    import_ok(engine, data, "du-assurance.xlsx")
    values = kpi_model.kpi_values(engine)
    assess = values[values["ref"] == "DU-ASSESS45"].set_index("period")
    assert assess.loc["Apr 2017", "value"] == pytest.approx(71.0)
    assert assess.loc["May 2017", "value"] == pytest.approx(72.5)
    assert assess.loc["Jul 2017", "value"] == pytest.approx(74.5)
    assert assess.loc["Jun 2017", "missing_reason"] == "not applicable"
    assert assess.loc["Apr 2017", "target"] == pytest.approx(85.0)
    case = values[values["ref"] == "DU-CASELOAD"].set_index("period")
    assert case.loc["Jun 2017", "value"] == pytest.approx(17.0)
    assert case.loc["Jul 2017", "missing_reason"] is not None
    assert kpi_model.kpis(engine).set_index("ref").loc["DU-CASELOAD", "polarity"] == "lower"


ACTION_PLAN_2012 = [
    ["Appendix 1: Inspection of Safeguarding and Looked After Children Action Plan 2012"],
    ["Local Authority & partners"],
    ["Ofsted recommendations", "Ofsted timeframe", "Key actions", "Lead officer", "Completion date",
     "Reporting mechanism/ oversight", "RAG", "Progress update"],
    ["1. The Domestic Violence Strategic Board to review the services provided through housing for victims of "
     "domestic abuse", "3 months", "Carry out a review of services provided through housing for victims of domestic "
     "abuse", "Stav Yiannou", "24 May 2012", "DVSB; Safer Communities Board", "Green", "Review under way"],
    [None, None, "*Subsequently review and refresh Domestic Violence strategy and action plan, to include a focus on "
     "housing", "Stav Yiannou", "24 August 2012", "DVSB", "AMBER", "Waiting for the review"],
    ["2. The council to review its current processes for initiating child protection enquiries", "3 months",
     "Review current process in relation to recording section 47 enquiries", "Jo Pymont\nErica Ferrari",
     "Sept 17", "Safeguarding and social care management meeting", "g", "Done in draft"],
]


def test_action_plan_table_with_merged_recommendation_and_no_ids(engine: Engine) -> None:
    data = workbook({"Appendix 1": ACTION_PLAN_2012}, merges={"Appendix 1": [(3, 0, 4, 0), (3, 1, 4, 1)]})
    import_ok(engine, data, "slac-action-plan-progress-2012-05.xlsx")
    acts = programme.actions(engine).set_index("ref")
    assert list(acts.index) == ["1.1", "1.2", "2.1"]
    assert acts.loc["1.2", "recommendations"] == ["1"]
    assert acts.loc["1.1", "due"] == dt.date(2012, 5, 24)
    assert acts.loc["2.1", "due"] == dt.date(2017, 9, 30)
    assert acts.loc["1.2", "rag"] == "amber" and acts.loc["2.1", "rag"] == "green"
    assert "Jo Pymont" in acts.loc["2.1", "lead_officer"] and "Erica Ferrari" in acts.loc["2.1", "lead_officer"]
    recs = programme.recommendations(engine)
    assert set(recs["number"]) == {"1", "2"}
    assert recs.set_index("number").loc["1", "text"].startswith("The Domestic Violence Strategic Board")
    updates = programme.action_updates(engine)
    assert set(updates["period_end"]) == {dt.date(2012, 5, 31)}  # month from the file name


def fs_plan_return(month: dt.date, rag_103: str, status_103: str) -> bytes:
    rows = [
        [f"Family Services Improvement Action Plan — progress as at {month:%B %Y}"],
        ["Objective One: Empowering and equipping our workforce"],
        ["Recn.", "Recommendation(s)", "Action", "Lead officer", "Due date", "Status", "RAG", "Progress update"],
        ["1.01", "1, 2, 3", "Thresholds document to be launched to all partners", "Operational Director Early Help",
         "Oct 17", "Complete", "Blue", "Launched"],
        ["1.03", "1, 4, 9, 18", "Line Managers to review all open CIN and CP cases", "Operational Director Early Help",
         "Dec 17, March 18", status_103, rag_103, "Reviews in progress"],
        ["2.02", "ALL", "The Improvement Action Plan will be monitored through the Social Work Improvement Board",
         "HoS Business Improvement", "3 months", "On track", "Green", "Standing item"],
    ]
    return workbook({"Progress": rows})


def test_two_monthly_returns_give_one_action_with_two_updates_and_reimport_is_a_noop(engine: Engine) -> None:
    import_ok(engine, fs_plan_return(dt.date(2017, 8, 31), "Amber", "In progress"), "fsiap-2017-08.xlsx")
    before = show(engine, "actions")
    june = fs_plan_return(dt.date(2017, 9, 30), "Red", "Delayed")
    second = import_ok(engine, june, "fsiap-2017-09.xlsx")
    acts = programme.actions(engine).set_index("ref")
    assert len(acts) == 3
    assert acts.loc["1.03", "updates"] == 2
    assert acts.loc["1.03", "rag"] == "red"
    assert acts.loc["1.03", "recommendations"] == ["1", "4", "9", "18"]
    assert acts.loc["2.02", "recommendations"][0] == "ALL"
    snapshot = (show(engine, "actions"), show(engine, "recommendations"), show(engine, "kpi-values"))
    again = pipeline.import_bytes(engine, june, "fsiap-2017-09-copy.xlsx")
    assert again.outcome == "duplicate" and again.duplicate_of == second.upload_id
    assert (show(engine, "actions"), show(engine, "recommendations"), show(engine, "kpi-values")) == snapshot
    pipeline.undo(engine, second.upload_id)
    assert show(engine, "actions") == before


def test_undo_restores_the_exact_prior_show_output_after_changes(fresh_seeded_url: str) -> None:
    engine = store.get_engine(fresh_seeded_url)
    before = {w: show(engine, w) for w in cli.SHOWS}
    rows = [["Ref", "Period", "Value", "Target", "Commentary"],
            ["DU-ASSESS45", "Jun 2019", 50.0, 90, "Corrected figure"],
            ["DU-ASSESS45", "Jul 2019", 51.0, 90, None],
            ["FS/S6", "As at 31 March 2017", "45.0% (G)", "42.5%", None]]
    result = import_ok(engine, workbook({"KPIs": rows}), "corrections.xlsx", period=None)
    assert result.counter.changed.get("kpi_value") == 2 and result.counter.added.get("kpi_value") == 1
    assert show(engine, "kpi-values") != before["kpi-values"]
    pipeline.undo(engine, result.upload_id)
    assert {w: show(engine, w) for w in cli.SHOWS} == before


def test_same_kpi_and_period_twice_with_different_values_names_both_rows(engine: Engine) -> None:
    rows = [["Ref", "KPI", "Period", "Value"], ["X1", "A measure", "Jun 2019", 5], ["X1", "A measure", "Jun 2019", 6]]
    result = pipeline.import_bytes(engine, workbook({"KPIs": rows}), "dupes.xlsx")
    assert result.outcome == "rejected"
    message = result.errors[0].line()
    assert "B2" in message or "D2" in message or "row 2" in message
    assert "row 3" in message or "D3" in message
    assert kpi_model.kpi_values(engine).empty


def test_every_problem_is_listed_with_sheet_row_and_column(engine: Engine) -> None:
    rows = [["Ref", "KPI", "Period", "Value", "RAG"],
            ["X1", "A", "Jun 2019", "lots", "Green"],
            ["X2", "B", "Smarch 2019", 5, "Green"],
            ["X3", "C", "Jun 2019", 7, "Purple"]]
    result = pipeline.import_bytes(engine, workbook({"Return": rows}), "bad.xlsx")
    lines = [p.line() for p in result.errors]
    assert len(lines) == 3, lines
    assert any(line.startswith("bad.xlsx: Return: row 2: column D:") for line in lines)
    assert any("row 3" in line and "column C" in line for line in lines)
    assert any("row 4" in line and "column E" in line and "Purple" in line for line in lines)
    assert kpi_model.kpi_values(engine).empty


def test_percentage_typed_as_fraction_is_refused(fresh_seeded_url: str) -> None:
    engine = store.get_engine(fresh_seeded_url)
    rows = [["Ref", "Period", "Value"], ["DU-ASSESS45", "Jul 2019", 0.87]]
    result = pipeline.import_bytes(engine, workbook({"KPIs": rows}), "fraction.xlsx")
    assert result.outcome == "rejected"
    assert "fraction" in result.errors[0].message


def test_formula_text_stays_data_and_export_has_no_formulas(engine: Engine, tmp_path: Path) -> None:
    payload = '=HYPERLINK("http://evil.example","click")'
    rows = [["Ref", "KPI", "Period", "Value", "Commentary"], ["X1", "@SUM(A1)", "Jun 2019", 5, payload],
            ["X2", "+cmd", "Jun 2019", 6, "-2+3"]]
    import_ok(engine, workbook({"KPIs": rows}), "inject.xlsx")
    values = kpi_model.kpi_values(engine).set_index("ref")
    assert values.loc["X1", "commentary"] == payload
    data = template.export(engine)
    book = openpyxl.load_workbook(io.BytesIO(data))
    formulas = [(ws.title, c.coordinate) for ws in book.worksheets for row in ws.iter_rows() for c in row
                if c.data_type == "f"]
    assert formulas == []
    texts = {c.value for ws in book.worksheets for row in ws.iter_rows() for c in row}
    assert payload in texts and "@SUM(A1)" in texts


def test_export_then_import_into_an_empty_database_round_trips(seeded_engine: Engine, tmp_path: Path) -> None:
    data = template.export(seeded_engine)
    target = store.get_engine(f"sqlite:///{tmp_path / 'round.db'}")
    store.init_db(target)
    result = pipeline.import_bytes(target, data, "export.xlsx")
    assert result.outcome == "imported", [p.line() for p in result.problems[:10]]
    for what in cli.SHOWS:
        assert show(target, what) == show(seeded_engine, what), what


def test_template_prefills_kpis_and_actions_with_validation(seeded_engine: Engine) -> None:
    data = template.template(seeded_engine)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert {"Instructions", "KPIs", "Actions"} <= set(book.sheetnames)
    kpis = book["KPIs"]
    headers = [c.value for c in kpis[1]]
    assert headers[:3] == ["Ref", "KPI", "Theme"]
    assert kpis.max_row > 10
    assert isinstance(kpis.cell(2, headers.index("Period") + 1).value, dt.datetime)
    actions = book["Actions"]
    assert actions.max_row > 40
    validations = [dv.formula1 for dv in actions.data_validations.dataValidation]
    assert any("Green" in (f or "") for f in validations) and any("Complete" in (f or "") for f in validations)


def test_return_pack_for_one_lead_officer_round_trips(fresh_seeded_url: str, tmp_path: Path) -> None:
    engine = store.get_engine(fresh_seeded_url)
    acts = programme.actions(engine)
    lead = acts["lead_officer"].value_counts().index[-1]
    data = template.template(engine, lead_officer=lead)
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book["Actions"]
    heads = [c.value for c in ws[1]]
    leads = {ws.cell(r, heads.index("Lead officer") + 1).value for r in range(2, ws.max_row + 1)}
    assert leads == {lead}
    for r in range(2, ws.max_row + 1):
        ws.cell(r, heads.index("Status") + 1).value = "In progress"
        ws.cell(r, heads.index("RAG") + 1).value = "Amber"
        ws.cell(r, heads.index("Progress update") + 1).value = "Filled in by the officer"
    out = io.BytesIO()
    book.save(out)
    result = import_ok(engine, out.getvalue(), "pack.xlsx")
    assert result.counter.added.get("action_update") == ws.max_row - 1


def test_cli_import_reports_problems_and_exit_codes(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    good = tmp_path / "good.xlsx"
    good.write_bytes(workbook({"KPIs": [["Ref", "KPI", "Period", "Value"], ["X1", "A", "Jun 2019", 5]]}))
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook({"KPIs": [["Ref", "KPI", "Period", "Value"], ["X1", "A", "Jun 2019", "lots"]]}))
    run = [sys.executable, "-m", "lib.cli", "--db", db]
    ok = subprocess.run([*run, "import", str(good)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and "imported as upload" in ok.stdout
    failed = subprocess.run([*run, "import", str(bad)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert failed.returncode == 1
    assert "bad.xlsx: KPIs: row 2: column D: 'lots' is not a number" in failed.stderr
    listing = subprocess.run([*run, "uploads", "--format", "json"], cwd=ROOT, capture_output=True, text=True,
                             timeout=120)
    history = json.loads(listing.stdout)
    assert [h["outcome"] for h in history] == ["rejected", "imported"]
    undo = subprocess.run([*run, "undo", str(history[1]["id"])], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert undo.returncode == 0
    shown = subprocess.run([*run, "show", "kpi-values", "--format", "json"], cwd=ROOT, capture_output=True, text=True,
                           timeout=120)
    assert json.loads(shown.stdout) == []


def test_unrecognised_headers_can_be_mapped_by_hand_and_are_remembered(engine: Engine) -> None:
    rows = [["Indicator code", "Figure for the month"], ["X9", 12.5], ["X10", 7]]
    data = workbook({"Odd layout": rows})
    first = pipeline.import_bytes(engine, data, "odd-2019-06.xlsx")
    assert first.outcome == "rejected"
    assert first.sheets[0].family is None and "no recognisable table" in (first.sheets[0].reason or "")
    pipeline.save_mapping(engine, "Odd layout", rows[0], "kpi_values", {0: "ref", 1: "value"})
    second = import_ok(engine, data, "odd-2019-06.xlsx")
    assert second.counter.added.get("kpi_value") == 2
    values = kpi_model.kpi_values(engine).set_index("ref")
    assert values.loc["X9", "value"] == pytest.approx(12.5) and values.loc["X9", "period"] == "Jun 2019"


def test_undo_of_a_return_that_links_an_existing_plan_restores_it(engine: Engine) -> None:
    rows = [["Plan", "Action ID", "Action", "Lead officer", "Month", "Status", "RAG"],
            ["P-UNDO", "1.1", "Do the thing", "A Lead", "Jun 2019", "In progress", "Amber"]]
    import_ok(engine, workbook({"Actions": rows}), "first-2019-06.xlsx")
    before = {w: show(engine, w) for w in cli.SHOWS}
    linked = [["Plan", "Action ID", "Recommendation(s)", "Action", "Lead officer", "Month", "Status", "RAG"],
              ["P-UNDO", "1.1", "3", "Do the thing", "A Lead", "Jul 2019", "In progress", "Green"]]
    second = import_ok(engine, workbook({"Actions": linked}), "second-2019-07.xlsx")
    assert programme.actions(engine).set_index("ref").loc["1.1", "recommendations"] == ["3"]
    pipeline.undo(engine, second.upload_id)
    assert {w: show(engine, w) for w in cli.SHOWS} == before


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = cli.main(list(argv))
    return code, capsys.readouterr().out


def test_dry_run_changes_are_exactly_what_the_import_stores(fresh_seeded_url: str, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """`import --dry-run --changes` (and its JSON) promise what the real import then stores, cell by cell."""
    engine = store.get_engine(fresh_seeded_url)
    values = kpi_model.kpi_values(engine)
    s6 = values[values["ref"] == "FS/S6"].sort_values("period_end").iloc[-1]
    rows = [
        ["Family Services monthly return — data for July 2019"],
        ["Produced 12 August 2019"],
        [],
        ["Ref", "Indicator", "Period", "Value", "Commentary"],
        ["FS S6", "Foster care", s6["period"], 61.5, None],  # an existing period, changed value, loose ref
        ["FS/S11", "External residential", "Jul 2019", 9.9, "Two placements ended"],
        ["Source: Mosaic, 5 August 2019"],
    ]
    path = tmp_path / "fs-return-2019-07.xlsx"
    path.write_bytes(workbook({"Return": rows}))
    before = kpi_model.kpi_values(engine)
    code, out = _cli(capsys, "--db", fresh_seeded_url, "import", str(path), "--dry-run", "--changes")
    assert code == 0, out
    assert out.splitlines()[0].startswith("fs-return-2019-07.xlsx: would add 1 new, 1 changed")
    assert "note: fs-return-2019-07.xlsx: Return: row 5: column A: 'FS S6' read as FS/S6" in out
    assert "Source: Mosaic" in out and "warning" not in out
    assert f"changed: FS/S6 · 302 · {s6['period']}: Value: {s6['value_text']} → 61.5 [Return!D5]" in out
    assert "new: FS/S11 · 302 · Jul 2019: Value: 9.9 · with commentary [Return!D6]" in out
    assert kpi_model.kpi_values(engine).equals(before), "a dry run stores nothing"
    code, dry = _cli(capsys, "--db", fresh_seeded_url, "import", str(path), "--dry-run", "--format", "json")
    code, real = _cli(capsys, "--db", fresh_seeded_url, "import", str(path), "--format", "json")
    assert code == 0
    promised, done = json.loads(dry)[0], json.loads(real)[0]
    assert promised["status"] == "preview" and done["status"] == "imported"
    assert promised["changes"] == done["changes"] and len(done["changes"]) == 2
    after = kpi_model.kpi_values(engine)
    for change in done["changes"]:
        ref, la, period = change["Item"].split(" · ")
        row = after[(after["ref"] == ref) & (after["la_code"] == la) & (after["period"] == period)].iloc[0]
        assert row["value_text"] == change["To"].split(" · ")[0]
        assert row["source_cell"] == change["Cell"].split("!")[1]
    untouched = before.merge(after, on=["ref", "la_code", "period"], suffixes=("", "_after"))
    untouched = untouched[~((untouched["ref"] == "FS/S6") & (untouched["period"] == s6["period"]))]
    assert (untouched["value"].fillna(-1) == untouched["value_after"].fillna(-1)).all()
    assert not any("Source" in str(c) for c in after["commentary"].dropna())


def test_xls_percentages_arrive_as_fractions_and_are_read_as_points_with_a_note(fresh_seeded_url: str) -> None:
    """An .xls cell formatted 87% reaches us as 0.87 with no format to say so: a percentage KPI whose history
    is in points reads it as 87 and says so; the same figure in an .xlsx (format known, not %) is refused."""
    import xlwt

    engine = store.get_engine(fresh_seeded_url)
    book = xlwt.Workbook()
    ws = book.add_sheet("KPIs")
    pct = xlwt.easyxf(num_format_str="0.0%")
    for c, head in enumerate(["Ref", "Period", "Value"]):
        ws.write(0, c, head)
    ws.write(1, 0, "DU-ASSESS45")
    ws.write(1, 1, "Jul 2019")
    ws.write(1, 2, 0.87, pct)
    buffer = io.BytesIO()
    book.save(buffer)
    result = import_ok(engine, buffer.getvalue(), "du-return-2019-07.xls")
    assert any("read as 87%" in p.message and p.column == "C" and p.row == 2 for p in result.cell_notes)
    stored = kpi_model.kpi_values(engine)
    row = stored[(stored["ref"] == "DU-ASSESS45") & (stored["period"] == "Jul 2019")].iloc[0]
    assert row["value"] == pytest.approx(87.0)


def test_loose_refs_match_when_unambiguous_and_name_the_candidates_when_not(engine: Engine) -> None:
    first = [["Ref", "KPI", "Period", "Value"], ["AB/1-2", "Re-referrals", "Jun 2019", 12],
             ["AB/12", "Repeat CP plans", "Jun 2019", 7], ["CD/S06", "Visits on time", "Jun 2019", 80]]
    import_ok(engine, workbook({"KPIs": first}), "june-2019.xlsx")
    loose = [["Ref", "Period", "Value"], ["cd s6", "Jul 2019", 81]]
    result = import_ok(engine, workbook({"KPIs": loose}), "july-2019.xlsx")
    assert any(p.message == "'cd s6' read as CD/S06" and p.row == 2 and p.column == "A" for p in result.cell_notes)
    assert [c.thing for c in result.changes] == ["CD/S06 · 302 · Jul 2019"]
    ambiguous = [["Ref", "Period", "Value"], ["AB 12", "Jul 2019", 9]]
    refused = pipeline.import_bytes(engine, workbook({"KPIs": ambiguous}), "july-2019b.xlsx")
    assert refused.outcome == "rejected"
    assert any("AB/1-2 or AB/12" in p.message and p.row == 2 and p.column == "A" for p in refused.errors)
    assert set(kpi_model.kpis(engine)["ref"]) == {"AB/1-2", "AB/12", "CD/S06"}, "no KPI invented"


def test_a_cell_up_to_excels_own_limit_is_accepted(engine: Engine) -> None:
    text = ("Progress is on track. " * 1500)[:32_766] + "."
    rows = [["Action ID", "Action", "Lead officer", "Month", "Status", "RAG", "Progress update"],
            ["1.1", "Audit all open CIN cases", "Head of Service", "Jul 2019", "In progress", "Green", text]]
    import_ok(engine, workbook({"Actions": rows}), "plan-2019-07.xlsx")
    assert programme.action_updates(engine)["commentary"].iloc[0] == text


def test_preview_spreadsheet_lists_problems_changes_and_sheets_as_plain_text(engine: Engine) -> None:
    from lib.returns import report

    rows = [["Ref", "KPI", "Period", "Value", "Commentary"],
            ["X1", "Visits", "Jun 2019", 5, '=HYPERLINK("http://evil.example","click")'],
            ["Total", None, None, 5, None]]
    result = pipeline.import_bytes(engine, workbook({"KPIs": rows}), "x-2019-06.xlsx", dry_run=True)
    data = report.problems_workbook(result.problems, result.sheets, result.changes)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Problems", "Changes", "Sheets"]
    changes = [[c.value for c in r] for r in book["Changes"].iter_rows(min_row=2)]
    assert ["new", "kpi", "X1", "KPI", None, "Visits (number, monitor)", "KPIs!A2"] in changes
    assert any(r[2] == "X1 · 302 · Jun 2019" and r[6] == "KPIs!D2" for r in changes)
    notes = [r[5].value for r in book["Problems"].iter_rows(min_row=2) if r[0].value == "note"]
    assert any("'Total' not read as data" in n for n in notes)
    assert book["Sheets"]["G2"].value.startswith("row 3 'Total'")
    assert all(c.data_type != "f" for ws in book for r in ws.iter_rows() for c in r)


# --- layouts a new user tried (each on an empty database; the seeded sample is covered by the corpus) ---------


def _values(engine: Engine) -> dict[tuple[str, str], Any]:
    frame = kpi_model.kpi_values(engine)
    return {(r.ref, r.period): r for r in frame.itertuples(index=False)}


def test_one_month_column_with_theme_targets_by_year_and_comments(engine: Engine) -> None:
    rows = [["Family Services – Monthly Performance Return, July 2019"], [],
            ["Theme", "Ref", "Indicator", "Target 2019/20", "Target 2020/21", "Jul-19", "DoT", "Comments"],
            ["Children in care", "CIC-1", "Visits within timescale", 95, 97, 94.1, "↓", "Two visits missed"],
            [None, "CIC-2", "Placement stability", 10, 9, 9.0, "↑", None]]
    result = import_ok(engine, workbook({"KPIs": rows}, merges={"KPIs": [(3, 0, 4, 0)]}), "fs-return.xlsx")
    stored = _values(engine)
    visits = stored[("CIC-1", "Jul 2019")]
    assert (visits.value, visits.target, visits.commentary) == (94.1, 95.0, "Two visits missed")
    assert stored[("CIC-2", "Jul 2019")].target == 10.0
    assert not programme.actions(engine).shape[0], "a KPI table is never read as an action plan"
    assert any("latest period" in p.message for p in result.cell_notes)
    assert "KPIs: 'Target 2020/21'" in result.skipped()["columns"]


def test_values_with_qualifiers_and_suppression(engine: Engine) -> None:
    rows = [["Ref", "KPI", "Unit", "Period", "Value"],
            ["AUD-1", "Audits good or better", "%", "Jul 2019", "12 (of 27)"]]
    refused = pipeline.import_bytes(engine, workbook({"KPIs": rows}), "audits.xlsx")
    assert refused.outcome == "rejected"
    assert any(p.row == 2 and p.column == "E" and "type the percentage" in p.message for p in refused.errors)
    rows = [["Ref", "KPI", "Unit", "Period", "Value"],
            ["CP-3", "Children on a plan for a third time", "number", "Jul 2019", "<5"],
            ["CP-4", "Children subject to a plan", "number", "Jul 2019", "301 (provisional)"]]
    result = import_ok(engine, workbook({"KPIs": rows}), "cp.xlsx")
    stored = _values(engine)
    assert stored[("CP-3", "Jul 2019")].missing_reason == "suppressed"
    assert stored[("CP-4", "Jul 2019")].value == 301.0
    assert any("read as 301" in p.message and p.column == "E" for p in result.cell_notes)


def test_title_dates_and_year_headers_give_the_period(engine: Engine) -> None:
    rows = [["Children's services KPIs"], ["Data as at 31/07/2019"], [],
            ["Ref", "KPI", "Value"], ["V-1", "Visits", 94.1]]
    result = import_ok(engine, workbook({"KPIs": rows}), "kpis.xlsx")
    assert ("V-1", "Jul 2019") in _values(engine)
    assert any("Jul 2019" in p.message and "title" in p.message for p in result.cell_notes)
    rows = [["Ref", "Indicator", "2017/18 Result", "2018/19 Result"], ["ED-1", "Good level of development", 55.9, 56.4]]
    import_ok(engine, workbook({"Education": rows}), "education.xlsx")
    stored = _values(engine)
    assert stored[("ED-1", "2018/19")].value == 56.4 and stored[("ED-1", "2017/18")].value == 55.9


def test_revised_deadline_and_status_words_in_an_action_tracker(engine: Engine) -> None:
    first = [["Action No.", "Action", "Lead Officer", "Deadline", "Month", "Status", "RAG"],
             ["1.08", "Relaunch the return home interview offer", "Head of Service", dt.date(2018, 7, 31), "Jun 2019",
              "In progress", "Amber"]]
    import_ok(engine, workbook({"Tracker": first}), "tracker-2019-06.xlsx")
    rows = [["FSIAP progress tracker July 2019"],
            ["Action No.", "Action", "Lead Officer", "Deadline", "Revised deadline", "Status", "RAG",
             "Progress update July 2019"],
            ["1.08", "Relaunch the return home interview offer", "Head of Service", dt.date(2018, 7, 31),
             dt.date(2019, 12, 31), "Delayed", "Amber", "Uptake still low"],
            ["1.08", None, None, None, None, None, None, None]]
    result = import_ok(engine, workbook({"Tracker": rows[:3]}), "tracker-2019-07.xlsx")
    action = programme.actions(engine).set_index("ref").loc["1.08"]
    assert action["due"] == dt.date(2019, 12, 31) and "revised from" in action["due_text"]
    updates = programme.action_updates(engine).sort_values("period_end")
    july = updates.iloc[-1]
    assert july["commentary"] == "Uptake still low" and july["status_reported"] == "Delayed"
    assert any("revised deadline" in p.message and p.column == "E" for p in result.cell_notes)
    again = [rows[0], rows[1], ["1.08", None, None, None, None, "On track", "Amber", None]]
    data = workbook({"Tracker": again})
    redo = pipeline.import_bytes(engine, data, "tracker-2019-07b.xlsx", dry_run=True)
    assert [(c.field, c.before, c.after) for c in redo.changes] == [("status", "Delayed", "On track")]


@pytest.mark.parametrize("case", ["c2_side_by_side", "c11_commissioning_split_ref", "c14_two_row_header"])
def test_council_layouts_on_an_empty_sqlite_and_postgresql_database(empty_engine: Engine, case: str) -> None:
    """The same council workbooks store the same figures on PostgreSQL as on SQLite."""
    import tests.council_returns as cr

    name, data = getattr(cr, case)()
    expect = getattr(cr, "_" + case.split("_")[0] + "_expect")()
    result = import_ok(empty_engine, data, name)
    stored = kpi_model.kpi_values(empty_engine)
    wanted = [kv for kv in expect.stored if isinstance(kv, cr.KV)]
    assert wanted and len(stored) >= len(wanted)
    for kv in wanted:
        rows = stored[(stored["ref"] == kv.ref) & (stored["period_end"] == kv.period.end)]
        assert len(rows) == 1, (kv.ref, kv.period, [p.line() for p in result.problems])
        if kv.value is not None:
            assert rows.iloc[0]["value"] == pytest.approx(kv.value), kv.ref


def test_a_kpi_table_without_figures_is_never_stored_as_an_action_plan(fresh_seeded_url: str) -> None:
    engine = store.get_engine(fresh_seeded_url)
    rows = [["Ref", "Indicator", "Lead officer", "Status", "Commentary"],
            ["FS/S6", "Foster care", "Head of Fostering", "On track", "Recruitment campaign launched"]]
    result = pipeline.import_bytes(engine, workbook({"Narrative": rows}), "narrative-2019-07.xlsx")
    assert result.outcome == "rejected"
    assert any("is a KPI reference" in p.message and p.row == 2 and p.column == "A" for p in result.errors)


def test_the_full_export_imported_back_into_the_same_database_changes_nothing(fresh_seeded_url: str) -> None:
    engine = store.get_engine(fresh_seeded_url)
    result = pipeline.import_bytes(engine, template.export(engine), "all.xlsx", dry_run=True)
    assert result.outcome == "preview", [p.line() for p in result.errors]
    assert result.counter.added == {} and result.counter.changed == {}, result.changes[:5]
    assert result.warnings == [] and result.changes == []


def test_progress_returns_never_link_recommendations_by_the_order_of_their_texts(fresh_seeded_url: str) -> None:
    """A Word-style plan pasted into Excel carries recommendation text, not numbers: it must not be linked to
    recommendations 1, 2 … of the stored inspection by the order the texts appear in."""
    engine = store.get_engine(fresh_seeded_url)
    before = programme.actions(engine).set_index("ref")["recommendations"].to_dict()
    rows = [["Family Services Improvement Action Plan – progress at July 2019"],
            ["Ofsted recommendation", "No.", "Action", "By when", "By whom", "RAG", "Progress July 2019"],
            ["Ensure children who go missing are offered a return home interview", "1.08", "Group supervision",
             "Dec 2019", "Head of Service", "Amber", "RHI offer 90%"],
            ["Improve the social care IT system", "2.04", "IT improvements", "March 2020", "Head of Service", "Red",
             "Delayed"]]
    result = import_ok(engine, workbook({"Plan": rows}), "fsiap-progress.xlsx")
    assert programme.actions(engine).set_index("ref")["recommendations"].to_dict() == before
    assert not [c for c in result.changes if c.table == "action_recommendation"]
    assert sum("recommendation text (no number) is not used" in p.message for p in result.cell_notes) == 2


def test_export_into_an_empty_database_keeps_kpi_definitions_and_due_texts(seeded_engine: Engine,
                                                                          engine: Engine) -> None:
    import_ok(engine, template.export(seeded_engine), "all.xlsx")
    source, copy = kpi_model.kpis(seeded_engine), kpi_model.kpis(engine)
    assert dict(zip(source["ref"], source["description"], strict=True)) == dict(
        zip(copy["ref"], copy["description"], strict=True))
    keep = ["plan", "ref", "due", "due_text"]
    assert programme.actions(seeded_engine)[keep].equals(programme.actions(engine)[keep])


def test_formula_values_with_no_saved_result_and_annual_kpis_given_a_month(fresh_seeded_url: str) -> None:
    engine = store.get_engine(fresh_seeded_url)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet("KPIs")
    ws.write_row(0, 0, ["Ref", "Period", "Numerator", "Denominator", "%"])
    ws.write_row(1, 0, ["DU-VISITS", "Jul 2019", 90, 100])
    ws.write_formula(1, 4, "=C2/D2*100", None, "")  # saved with no result, as some tools write them
    book.close()
    refused = pipeline.import_bytes(engine, buffer.getvalue(), "formulas.xlsx")
    assert refused.outcome == "rejected"
    assert any(p.row == 2 and p.column == "E" and "formula with no saved result" in p.message for p in refused.errors)
    rows = [["Ref", "Period", "Value"], ["CES/S13-1 (Annual)", "Jul 2019", 57]]
    result = import_ok(engine, workbook({"KPIs": rows}), "annual.xlsx")
    assert any("stored by academic year only" in p.message and p.column == "C" for p in result.warnings)
    assert any("'CES/S13-1 (Annual)' read as CES/S13-1" in p.message for p in result.cell_notes)
