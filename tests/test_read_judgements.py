"""lib.read.judgements: inspection labels, the judgement grid, the latest judgement as at a date, ILACS comparisons."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from sqlalchemy import Engine

from lib import store
from lib.read import authorities
from lib.read import judgements as J

BAD = re.compile(r"\b(nan|None|NaT)\b|<NA>|\(date unknown\)|\b[a-z]+_[a-z_]+\b")
RETIRED = {"835", "836", "837", "909", "928"}


@pytest.fixture(scope="module")
def engine(seeded_url: str) -> Engine:
    return store.get_engine(seeded_url)


def _grid(engine: Engine, la: str) -> pd.DataFrame:
    return J.judgement_grid(J.judgements(engine, [la]), J.inspections(engine, [la]))


def _clean_frame(df: pd.DataFrame) -> None:
    """No cell or label a board would print as nan/None/NaT/<NA>, no snake_case."""
    for col in df.columns:
        assert not BAD.search(str(col)), col
        for value in df[col]:
            assert isinstance(value, str), (col, value)
            assert not BAD.search(value), (col, value)


# --- labels ----------------------------------------------------------------------------------------


def _events(rows: list[tuple[str, str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"la_code": la, "framework": fw, "framework_label": {"ilacs": "ILACS 2018+", "slac": "SLAC 2009-12"}[fw],
          "body": "Local authority", "start_date": dt.date.fromisoformat(d) if d else None, "published_date": None}
         for la, fw, d in rows]
    )


def test_labels_carry_framework_and_year_and_add_the_month_on_a_clash() -> None:
    events = _events([("1", "ilacs", "2019-03-04"), ("1", "ilacs", "2019-11-18"), ("1", "slac", "2012-01-09"),
                      ("2", "ilacs", "2019-03-04"), ("1", "slac", None)])
    assert J.inspection_labels(events) == [
        "ILACS Mar 2019", "ILACS Nov 2019", "SLAC 2012", "ILACS 2019", "SLAC (date not published)",
    ]


def test_labels_add_the_day_when_the_month_clashes_too() -> None:
    events = _events([("1", "ilacs", "2019-03-04"), ("1", "ilacs", "2019-03-25"), ("1", "slac", None),
                      ("1", "slac", None)])
    assert J.inspection_labels(events) == [
        "ILACS 4 Mar 2019", "ILACS 25 Mar 2019", "SLAC (date not published)", "SLAC (date not published) (2)",
    ]


def test_inspection_labels_on_the_seed(engine: Engine) -> None:
    events = J.inspections(engine, ["302"])
    labels = set(events["inspection_label"])
    assert {"SIF 2017", "LSCB review 2017", "ILACS 2019", "ILACS 2024", "Focused visit 2021"} <= labels
    assert "SLAC (date not published)" in labels  # the seed gives only "January 2012"
    assert set(J.inspections(engine, ["800"])["inspection_label"]) == {"SLAC 2012", "ILACS 2022", "Focused visit 2024"}
    assert "SLAC 2011" in set(J.inspections(engine, ["332"])["inspection_label"])
    everyone = J.inspections(engine)
    assert not everyone.duplicated(["la_code", "inspection_label"]).any()
    assert all(lbl and not BAD.search(lbl) for lbl in everyone["inspection_label"])


def test_judgements_carry_their_inspection_label(engine: Engine) -> None:
    df = J.judgements(engine, ["800"])
    assert len(df) == 20 + 4 + 0  # SLAC 2012 (20 grades) and ILACS 2022 (4); the focused visit has none
    assert set(df["inspection_label"]) == {"SLAC 2012", "ILACS 2022"}
    assert str(df["score"].dtype) == "Int64"
    assert isinstance(df["inspection_start"].iloc[0], dt.date)


# --- the grid --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("la", "column", "safeguarding", "looked_after", "cells"),
    [("800", "SLAC 2012", "Adequate (3)", "Good (2)", 20), ("332", "SLAC 2011", "Adequate (3)", "Good (2)", 22)],
)
def test_grid_keeps_both_sections_of_a_2009_12_inspection(
    engine: Engine, la: str, column: str, safeguarding: str, looked_after: str, cells: int
) -> None:
    grid = _grid(engine, la).set_index(J.AREA_COLUMN)
    assert grid.loc["Overall effectiveness — safeguarding", column] == safeguarding
    assert grid.loc["Overall effectiveness — looked after children", column] == looked_after
    assert (grid[column] != "").sum() == cells  # every graded judgement of the inspection has its own cell
    assert grid.index.is_unique


def test_grid_reads_like_the_reports(engine: Engine) -> None:
    grid = _grid(engine, "800")
    assert list(grid.columns) == [J.AREA_COLUMN, "ILACS 2022", "SLAC 2012"]  # newest first
    rows = list(grid[J.AREA_COLUMN])
    assert rows[0] == "Overall effectiveness"  # ILACS rows (no section) first
    assert rows.index("Overall effectiveness — safeguarding") < rows.index("Partnership working — safeguarding")
    lac = rows.index("Overall effectiveness — looked after children")
    assert rows.index("Partnership working — safeguarding") < lac
    assert grid.set_index(J.AREA_COLUMN).loc["Being healthy — looked after children", "SLAC 2012"] == "Inadequate (4)"


def test_grid_keeps_old_scale_words_with_their_printed_number(engine: Engine) -> None:
    grid = _grid(engine, "302").set_index(J.AREA_COLUMN)
    assert grid.loc["Overall effectiveness", "Annual assessment (date not published)"] == "Performs excellently (4)"
    assert grid.loc["Quality of provision — safeguarding", "SLAC (date not published)"] == "at least 'adequate'"
    assert grid.loc["Local Safeguarding Children Board", "LSCB review 2017"] == "Inadequate (4)"
    assert grid.loc["Overall effectiveness", "SIF 2017"] == "Inadequate (4)"
    assert grid.loc["Children in care", "ILACS 2024"] == "Outstanding (1)"
    assert list(grid.columns)[:2] == ["ILACS 2024", "ILACS 2019"]


@pytest.mark.parametrize("la", ["302", "800", "332", "942", "201"])
def test_grid_cells_never_print_nan_none_or_codes(engine: Engine, la: str) -> None:
    _clean_frame(_grid(engine, la))


def test_grid_rows_keep_both_overall_grades(engine: Engine) -> None:
    for la, label, grades in (("800", "SLAC 2012", ("Adequate (3)", "Good (2)")),
                              ("332", "SLAC 2011", ("Adequate (3)", "Good (2)"))):
        rows = J.judgement_grid_rows(engine, la)
        overall = [r for r in rows if r["inspection"] == label and r["area"] == "Overall effectiveness"]
        assert [(r["section"], r["grade"]) for r in overall] == [
            ("safeguarding", grades[0]), ("looked after children", grades[1])]
        assert {r["framework"] for r in overall} == {"slac"}
        assert [r["score"] for r in overall] == [3, 2]


def test_grid_rows_shape(engine: Engine) -> None:
    rows = J.judgement_grid_rows(engine, "302")
    assert set(rows[0]) == {"inspection", "inspection_start", "framework", "section", "area", "grade", "score"}
    assert rows[0]["inspection"] == "ILACS 2024" and rows[0]["inspection_start"] == "2024-06-10"
    undated = [r for r in rows if r["inspection"] == "SLAC (date not published)"]
    assert undated and all(r["inspection_start"] == "date not published" for r in undated)
    hedge = next(r for r in undated if r["grade"] == "at least 'adequate'")
    assert hedge["score"] == ""
    annual = next(r for r in rows if r["framework"] == "annual_assessment")
    assert annual["grade"] == "Performs excellently (4)" and annual["score"] == 1  # normalised: 1 is best
    for r in rows:
        assert all(not BAD.search(str(v)) for k, v in r.items() if k != "framework")


def test_scale_notes_explain_each_scale_in_the_grid(engine: Engine) -> None:
    notes = J.scale_notes(J.judgements(engine, ["800"]))
    assert notes == [
        "Inspections of local authority children's services (ILACS, 2018 onwards): 1 Outstanding, 2 Good, "
        "3 Requires improvement to be good, 4 Inadequate (1 is best).",
        "2009–12 safeguarding and looked-after children inspections: 1 Outstanding, 2 Good, 3 Adequate, "
        "4 Inadequate (1 is best).",
    ]
    barnet = J.scale_notes(J.judgements(engine, ["302"]))
    assert len(barnet) == 5
    assert barnet[-1] == (
        "Annual performance assessments of children's services (before 2012): 4 Performs excellently, "
        "3 Performs well, 2 Performs adequately, 1 Performs poorly (4 is best, the reverse of Ofsted's inspection "
        "grades)."
    )


def test_grade_text_and_dates() -> None:
    assert J.grade_text("slac", "Grade 3 (Adequate)", 3) == "Adequate (3)"
    assert J.grade_text("annual_assessment", "'performs excellently' (4)", 1) == "Performs excellently (4)"
    assert J.grade_text("slac", "at least 'adequate'", None) == "at least 'adequate'"
    assert J.grade_text("ilacs", None, None) == "" and J.grade_text("ilacs", float("nan"), pd.NA) == ""
    assert J.format_day(dt.date(2024, 2, 12)) == "12 Feb 2024"
    assert J.format_day(None) == J.format_day(pd.NaT) == "date not published"
    assert J.section_name("Services for looked after children") == "looked after children"
    assert J.section_name("Safeguarding Services") == "safeguarding"
    assert J.framework_short("ILACS 2018+") == "ILACS" and J.framework_short("SLAC 2009-12") == "SLAC"


# --- the latest judgement as at a date -------------------------------------------------------------


def test_latest_judgement_as_at_mid_2019_is_not_the_2024_ilacs(engine: Engine) -> None:
    # The May 2019 ILACS was published on 1 July 2019: as at 30 June its grades were not yet known.
    current, later = J.latest_judgement(engine, "302", dt.date(2019, 6, 30))
    assert set(current["inspection_label"]) == {"SIF 2017", "LSCB review 2017"}
    assert current["score"].notna().all()
    by_label = {item["label"]: item for item in later}
    assert "ILACS 2024" in by_label
    assert by_label["ILACS 2024"]["start"] == dt.date(2024, 6, 10)
    assert by_label["ILACS 2024"]["framework_label"] == "ILACS"
    assert [item["label"] for item in later] == ["ILACS 2019", "Focused visit 2021", "ILACS 2024"]
    current, _ = J.latest_judgement(engine, "302", dt.date(2019, 7, 31))
    assert set(current["inspection_label"]) == {"ILACS 2019"} and len(current) == 4


def test_latest_judgement_without_a_date_limit(engine: Engine) -> None:
    current, later = J.latest_judgement(engine, "302", None)
    assert set(current["inspection_label"]) == {"ILACS 2024"} and later == []


def test_latest_judgement_keeps_inspections_of_the_same_day(engine: Engine) -> None:
    current, later = J.latest_judgement(engine, "302", dt.date(2018, 1, 1))
    assert set(current["inspection_label"]) == {"SIF 2017", "LSCB review 2017"}
    assert "ILACS 2019" in {i["label"] for i in later}


def test_latest_judgement_never_guesses_an_undated_inspection_is_current(engine: Engine) -> None:
    current, later = J.latest_judgement(engine, "302", dt.date(2013, 1, 1))
    assert current.empty  # the 2012 SLAC record has no date in the seed
    assert later[0]["label"] == "SIF 2017"


# --- ILACS across authorities ----------------------------------------------------------------------


def test_latest_ilacs_counts_current_authorities_only(engine: Engine) -> None:
    latest = J.latest_ilacs(engine)
    assert latest["la_code"].nunique() <= 153
    assert not RETIRED & set(latest["la_code"])
    assert (latest.groupby("la_code")["inspection_id"].nunique() == 1).all()
    assert set(latest[latest["la_code"] == "302"]["inspection_label"]) == {"ILACS 2024"}


def test_latest_ilacs_as_at_a_date(engine: Engine) -> None:
    as_at = dt.date(2019, 6, 30)
    latest = J.latest_ilacs(engine, as_at)
    assert all(d <= as_at for d in latest["inspection_start"])
    assert "928" in set(latest["la_code"])  # Northamptonshire existed in 2019
    assert not {"940", "941", "835", "836", "837"} & set(latest["la_code"])
    assert set(latest[latest["la_code"] == "302"]["inspection_label"]) == {"ILACS 2019"}


def _count(inspected: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d+)(?: of (\d+))? LAs", inspected)
    assert m, inspected
    return int(m.group(1)), int(m.group(2) or m.group(1))


def test_comparison_beside_neighbours_region_and_england(engine: Engine) -> None:
    df = J.comparison(engine, "302")
    _clean_frame(df)
    assert df.iloc[0]["Authority"] == "Barnet (us)" and df.iloc[0]["Inspected"] == "10 Jun 2024"
    names = {authorities.authority_name(engine, c) for c in authorities.neighbours(engine, "302")}
    assert {a.removesuffix(" (SN)") for a in df["Authority"] if a.endswith("(SN)")} == names
    assert not any(re.search(r"\d{3}", a) for a in df["Authority"])
    england = df[df["Authority"] == "England (share good or better)"].iloc[0]
    assert england["Inspected"] == "153 LAs"
    london = df[df["Authority"] == "London region (share good or better)"].iloc[0]
    assert _count(london["Inspected"])[1] == 33
    assert re.fullmatch(r"\d+% good or better \(\d+ of 153\)", england["Overall effectiveness"])


def test_comparison_as_at_2019_counts_authorities_existing_then(engine: Engine) -> None:
    df = J.comparison(engine, "302", dt.date(2019, 6, 30))
    _clean_frame(df)
    assert df.iloc[0]["Inspected"] == "13 May 2019"
    england = df[df["Authority"].str.startswith("England")].iloc[0]
    inspected, total = _count(england["Inspected"])
    assert total == 151 and inspected < total


def test_comparison_for_new_authorities(engine: Engine) -> None:
    cumberland = J.comparison(engine, "942")
    assert cumberland.iloc[0]["Authority"] == "Cumberland (selected)"
    assert (cumberland["Authority"].str.endswith("(SN)")).sum() == 10
    north = J.comparison(engine, "940")
    sns = {a.removesuffix(" (SN)") for a in north["Authority"] if a.endswith(" (SN)")}
    current_names = set(authorities.authorities(engine)["name"])
    assert len(sns) == 10 and sns <= current_names and "Cumbria" not in sns
    _clean_frame(north)


def test_grade_share_table(engine: Engine) -> None:
    table = J.grade_share_table(J.latest_ilacs(engine))
    assert list(table.columns) == [J.AREA_COLUMN, "Outstanding", "Good", "Requires improvement to be good",
                                   "Inadequate"]
    assert table.iloc[0][J.AREA_COLUMN] == "Overall effectiveness"
    overall = table.iloc[0]
    assert sum(int(overall[c]) for c in table.columns[1:]) == 153
    assert J.grade_share_table(pd.DataFrame()).empty


# --- an empty database -----------------------------------------------------------------------------


def test_everything_on_an_empty_database(empty_engine: Engine) -> None:
    history, events = J.judgements(empty_engine), J.inspections(empty_engine, ["302"])
    assert history.empty and "inspection_label" in history.columns
    assert events.empty and "inspection_label" in events.columns
    assert list(J.judgement_grid(history, events).columns) == [J.AREA_COLUMN]
    assert J.judgement_grid_rows(empty_engine, "302") == []
    assert J.scale_notes(history) == []
    current, later = J.latest_judgement(empty_engine, "302", dt.date(2019, 6, 30))
    assert current.empty and later == []
    assert J.latest_ilacs(empty_engine).empty
    assert J.comparison(empty_engine, "302").empty
    assert J.grade_share_table(J.latest_ilacs(empty_engine)).empty


def test_grid_labels_columns_itself_when_the_history_has_no_labels(engine: Engine) -> None:
    history = J.judgements(engine, ["332"]).drop(columns="inspection_label")
    grid = J.judgement_grid(history, pd.DataFrame())
    assert list(grid.columns) == [J.AREA_COLUMN, "ILACS 2022", "ILACS 2018", "SLAC 2011"]


def test_grid_scores_colour_an_old_scale_by_its_meaning(engine: Engine) -> None:
    history, events = J.judgements(engine, ["302"]), J.inspections(engine, ["302"])
    grid = J.judgement_grid(history, events).set_index(J.AREA_COLUMN)
    scores = J.judgement_grid(history, events, scores=True).set_index(J.AREA_COLUMN)
    annual = next(c for c in grid.columns if c.startswith("Annual assessment"))
    assert grid.loc["Overall effectiveness", annual] == "Performs excellently (4)"
    assert scores.loc["Overall effectiveness", annual] == 1, "4 on that scale is the best: coloured as best"
    assert scores.shape == grid.shape
