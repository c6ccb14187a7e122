"""Targets over several years and dated milestones: read from the plans as printed, imported,
used by the RAG, listed by the command line."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from lib import cli, milestones, store
from lib.read import kpis as kpi_model
from lib.returns import pipeline
from tests.test_import import workbook

EDUCATION_TARGETS = [
    ["Education Strategy 2017-2020"],
    ["Key Performance Indicators and Targets"],
    [],
    ["#", "Performance indicator", "2016-17 (School year 2015/16)", "Target for 2017-18 (School year 2016/17)",
     "Target for 2018-19 (School year 2017/18)", "Target for 2019-20 (School year 2018/19)"],
    ["Strategic Goal 1: Access – school places"],
    ["3", "Percentage of final EHC plans issued within 20 weeks", "53.5%", "90%", "92%", "100%"],
    ["Strategic Goal 3: Achievement – school improvement"],
    ["6", "Percentage of primary schools rated as 'good' or better", "93%", "95.5%", "97.7%", "100%"],
    ["7", "Percentage of secondary schools rated as 'good' or better", "92%", "95.8%", "", "100%"],
    [],
    ["Source: Education Strategy 2017-2020, agreed by the CELS Committee on 18 July 2017."],
]

ES3_RESULTS = [
    ["Ref", "KPI", "Period", "Value"],
    ["ES/3", "Percentage of final EHC plans issued within 20 weeks", "Academic Year 2016/17", "88%"],
    ["ES/3", "Percentage of final EHC plans issued within 20 weeks", "Academic Year 2017/18", "88%"],
    ["ES/3", "Percentage of final EHC plans issued within 20 weeks", "Academic Year 2018/19", "99%"],
]


@pytest.fixture
def seeded(tmp_path: Path, seeded_url: str) -> Engine:
    store.get_engine(seeded_url).dispose()
    target = tmp_path / "board.db"
    shutil.copy(seeded_url.removeprefix("sqlite:///"), target)
    return store.get_engine(f"sqlite:///{target}")


def _es3(engine: Engine) -> dict[int, tuple[float | None, str | None, str | None]]:
    """ES/3 by the year its academic year ends in: (target applied, where it came from, derived RAG)."""
    df = kpi_model.kpi_values(engine, kpi_ref="ES/3")
    return {r.period_end.year: (r.target, r.target_source, r.rag if isinstance(r.rag, str) else None)
            for r in df.itertuples()}


def test_education_strategy_target_table_imports_and_each_year_has_its_target(seeded: Engine) -> None:
    data = workbook({"KPIs and targets": EDUCATION_TARGETS})
    preview = pipeline.import_bytes(seeded, data, "education-strategy-targets.xlsx", dry_run=True)
    assert preview.outcome == "preview", [p.line() for p in preview.problems]
    notes = " ".join(p.message for p in preview.problems)
    assert "school year 2016/17" in notes  # the reading of each year's column is said, not guessed silently
    assert "holds 3 filled cell(s)" in notes  # the 2016-17 baseline column is not a target: it says so
    result = pipeline.import_bytes(seeded, data, "education-strategy-targets.xlsx")
    assert result.outcome == "imported", [p.line() for p in result.problems]
    # the 2018-19 ES/3 target (92%) differs from the sample's 90%: a change, shown before it is stored
    assert any(c.table == "kpi_target" and c.kind == "changed" and c.thing.startswith("ES/3")
               for c in preview.changes)
    pipeline.import_bytes(seeded, workbook({"Results": ES3_RESULTS}), "es3-results.xlsx")
    rows = _es3(seeded)
    assert rows[2017] == (90.0, "2016/17 target", "amber")  # 88 against 90: within 5%
    assert rows[2018] == (92.0, "2017/18 target", "amber")  # the same 88 against the next year's 92
    assert rows[2019] == (100.0, "2018/19 target", "amber")  # 99 against 100
    assert rows[2016] == (None, None, None)  # the baseline year has no target
    pipeline.import_bytes(seeded, workbook({"Results": [["Ref", "Period", "Value"],
                                                         ["ES/3", "Academic Year 2017/18", "80%"]]}), "r2.xlsx")
    assert _es3(seeded)[2018] == (92.0, "2017/18 target", "red")  # 80 against 92: more than 5% short
    shown = {r["period_end"]: r for r in cli.SHOWS["kpi-values"](seeded) if r["ref"] == "ES/3"}
    assert shown["2018-08-31"]["target"] == 92.0 and shown["2018-08-31"]["target_source"] == "2017/18 target"
    assert shown["2016-08-31"]["target_source"] is None


def test_a_dated_kpi_takes_the_reporting_years_target_and_its_own_target_comes_first(seeded: Engine) -> None:
    pipeline.import_bytes(seeded, workbook({"KPIs and targets": EDUCATION_TARGETS}), "targets.xlsx")
    rows = [["Ref", "Period", "Value", "Target"],
            ["CES/S1", "As at 31 March 2018", "96%", None], ["CES/S1", "As at 31 March 2019", "96%", "99%"]]
    pipeline.import_bytes(seeded, workbook({"Results": rows}), "ces-s1.xlsx")
    df = kpi_model.kpi_values(seeded, kpi_ref="CES/S1").set_index("period_end")
    # "% of schools good or better" is a count as at 31 March: "Target for 2017-18 (School year 2016/17)" is
    # the target of 31 March 2018, the reporting year's end (not of the school year 2016/17)
    assert df.loc[dt.date(2018, 3, 31), "target"] == 95.5
    assert df.loc[dt.date(2018, 3, 31), "target_source"] == "2017/18 target"
    assert df.loc[dt.date(2019, 3, 31), "target"] == 99.0 and df.loc[dt.date(2019, 3, 31), "target_source"] == "return"


def test_a_name_two_kpis_share_is_refused_and_asks_for_the_ref(seeded: Engine) -> None:
    with store.write(seeded) as session:
        session.execute(text("UPDATE kpi SET name = 'Percentage of final EHC plans issued within 20 weeks' "
                             "WHERE ref = 'CES/S3'"))
    result = pipeline.import_bytes(seeded, workbook({"KPIs and targets": EDUCATION_TARGETS}), "t.xlsx")
    assert result.outcome == "rejected"
    assert any("is the name of CES/S3 and ES/3: give the Ref" in p.message for p in result.errors)


def test_a_second_target_for_the_same_year_is_refused_naming_both_cells(seeded: Engine) -> None:
    rows = [["Ref", "KPI", "2017/18 target", "2017-18 target"], ["ES/3", None, "90%", "95%"]]
    result = pipeline.import_bytes(seeded, workbook({"Targets": rows}), "twice.xlsx", dry_run=True)
    assert result.outcome == "rejected"
    assert any("a second target for" in p.message and "Targets!C2" in p.message for p in result.errors)


def test_a_percentage_target_outside_0_to_100_is_a_warning(seeded: Engine) -> None:
    rows = [["Ref", "KPI", "2017/18 target", "2018/19 target"], ["ES/3", None, 9000, 95]]
    result = pipeline.import_bytes(seeded, workbook({"Targets": rows}), "big.xlsx", dry_run=True)
    assert any("outside 0–100%" in p.message and p.column == "C" for p in result.warnings)


def test_year_target_columns_on_a_results_sheet_pick_the_values_own_year(seeded: Engine) -> None:
    rows = [["Ref", "Indicator", "Period", "Result", "2017/18 target", "2018/19 target", "2019/20 target"],
            ["ES/3", "Percentage of final EHC plans issued within 20 weeks", "Academic Year 2017/18", "88%", "89%",
             "95%", "100%"]]
    result = pipeline.import_bytes(seeded, workbook({"Results": rows}), "r.xlsx")
    assert result.outcome == "imported"
    df = kpi_model.kpi_values(seeded, kpi_ref="ES/3").set_index("period_end")
    assert df.loc[dt.date(2018, 8, 31), "target"] == 89.0  # ES/3's years are school years: AY 2017/18


def test_undo_removes_the_imported_targets(seeded: Engine) -> None:
    before = kpi_model.targets(seeded)
    result = pipeline.import_bytes(seeded, workbook({"KPIs and targets": EDUCATION_TARGETS}), "targets.xlsx")
    assert len(kpi_model.targets(seeded)) >= len(before)
    pipeline.undo(seeded, result.upload_id)
    after = kpi_model.targets(seeded)
    assert sorted(after["target"].tolist()) == sorted(before["target"].tolist())


def test_a_target_table_for_kpis_nobody_defined_is_refused_naming_the_row(empty_engine: Engine) -> None:
    result = pipeline.import_bytes(empty_engine, workbook({"KPIs and targets": EDUCATION_TARGETS}), "t.xlsx")
    assert result.outcome == "rejected"
    lines = [p.line() for p in result.problems if p.severity == "error"]
    assert any("KPIs and targets" in line and "row 6" in line for line in lines), lines


# --- milestones ----------------------------------------------------------------------------------------


def test_horizon_milestones_count_from_the_plans_start() -> None:
    specs, notes = milestones.from_horizons({"3 months": "Launch [completed]", "12 months": "Embedded"},
                                            dt.date(2017, 8, 1))
    assert [(s.due, s.status) for s in specs] == [(dt.date(2017, 10, 31), "complete"), (dt.date(2018, 7, 31), None)]
    assert notes == []
    undated, notes = milestones.from_horizons({"6 months": "Review"}, None)
    assert undated[0].due is None and "no start date" in notes[0]


def test_a_dated_list_gives_one_milestone_per_date_labelled_by_the_step() -> None:
    specs = milestones.from_schedule("1. July 17 2. Sept 17 4. Dec 17, March 18",
                                     "1. Set up the group\n2. Workshops\n3. Strategy\n4. Quarterly monitoring")
    assert [(s.label, s.due) for s in specs] == [
        ("1. Set up the group", dt.date(2017, 7, 31)), ("2. Workshops", dt.date(2017, 9, 30)),
        ("4. Quarterly monitoring", dt.date(2017, 12, 31)), ("4. Quarterly monitoring", dt.date(2018, 3, 31))]
    assert milestones.from_schedule("24 May 2012", None) == []  # one date is the due date, not a milestone list


@pytest.mark.parametrize(("due", "complete", "expected"), [
    (dt.date(2019, 6, 10), False, "due_this_month"), (dt.date(2019, 5, 31), False, "overdue"),
    (dt.date(2019, 9, 30), False, "upcoming"), (None, False, "undated"), (dt.date(2019, 5, 31), True, "complete"),
])
def test_milestone_status_as_at_a_date(due: dt.date | None, complete: bool, expected: str) -> None:
    assert milestones.status(None, due, complete, dt.date(2019, 6, 30)) == expected


def test_show_milestones_lists_the_2017_plan_and_lscb_l1_3(seeded_engine: Engine) -> None:
    rows = cli.SHOWS["milestones"](seeded_engine)
    assert set(rows[0]) >= {"plan", "action", "label", "due", "status"}
    fsiap = [r for r in rows if r["plan"] == "FSIAP-2017" and r["action"] == "1.01"]
    assert [r["due"] for r in fsiap] == ["2017-10-31", "2018-01-31", "2018-04-30"]  # 3, 6, 9 months from 1 Aug 2017
    l13 = [r["due"] for r in rows if r["plan"] == "BSCB-IP-2017" and r["action"] == "L1.3"]
    assert "2017-12-31" in l13 and "2018-03-31" in l13
    assert all(r["status"] in milestones.STATUS_LABELS for r in rows)


def test_targets_by_year_in_words(seeded_engine: Engine) -> None:
    from lib import tables

    frame = kpi_model.targets(seeded_engine)
    kpi_id = int(kpi_model.kpis(seeded_engine).set_index("ref").loc["CES/S1", "kpi_id"])
    text_ = tables.targets_by_year_text(frame[frame["kpi_id"] == kpi_id], "percent", 1)
    assert text_.startswith("Targets by year: 2017/18 95.5%; 2018/19 97.7%; 2019/20 100.0%")
