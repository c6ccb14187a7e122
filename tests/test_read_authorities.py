"""lib.read.authorities: the shipped crosswalk of authorities, names and statistical neighbours."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from lib import store
from lib.read import authorities

RETIRED = {"835", "836", "837", "909", "928"}


@pytest.fixture(scope="module")
def xw() -> pd.DataFrame:
    return authorities.crosswalk().set_index("la_code", drop=False)


def test_crosswalk_has_the_153_current_authorities_with_unique_codes(xw: pd.DataFrame) -> None:
    current = xw[xw["current"]]
    assert len(current) == 153
    assert set(xw.index) - set(current.index) == RETIRED
    assert xw["la_code"].is_unique and all(re.fullmatch(r"\d{3}", c) for c in xw["la_code"])
    assert xw["ecode"].is_unique and all(re.fullmatch(r"E\d{8}", e) for e in xw["ecode"])
    assert current["name"].is_unique and all(n and not n.isdigit() for n in current["name"])
    assert current["region"].notna().all()
    assert current["ceased"].isna().all() and current["successors"].map(len).eq(0).all()


@pytest.mark.parametrize(
    ("old", "ceased", "successors"),
    [
        ("909", dt.date(2023, 4, 1), ("942", "943")),
        ("928", dt.date(2021, 4, 1), ("940", "941")),
        ("835", dt.date(2019, 4, 1), ("838",)),
        ("836", dt.date(2019, 4, 1), ("839",)),
        ("837", dt.date(2019, 4, 1), ("839",)),
    ],
)
def test_crosswalk_successor_chains(xw: pd.DataFrame, old: str, ceased: dt.date, successors: tuple[str, ...]) -> None:
    row = xw.loc[old]
    assert not row["current"]
    assert row["ceased"] == ceased
    assert row["successors"] == successors
    for new in successors:
        assert xw.loc[new]["current"]
        assert old in xw.loc[new]["predecessors"]
        assert xw.loc[new]["created"] == ceased


def test_crosswalk_names_codes_and_predecessors(xw: pd.DataFrame) -> None:
    assert xw.loc["928"]["name"] == "Northamptonshire" and xw.loc["928"]["ecode"] == "E10000021"
    assert xw.loc["909"]["name"] == "Cumbria"
    assert xw.loc["942"]["name"] == "Cumberland" and xw.loc["943"]["name"] == "Westmorland and Furness"
    assert xw.loc["839"]["predecessors"] == ("836", "837")
    assert xw.loc["302"]["predecessors"] == () and xw.loc["302"]["created"] is None
    assert "E10000023" in xw.loc["815"]["previous_ecodes"]  # North Yorkshire's earlier code


def test_crosswalk_neighbour_set_is_the_latest_containing_the_authority(xw: pd.DataFrame) -> None:
    assert xw.loc["942"]["neighbour_set"] == "2025"  # the 2021 set has no Cumberland
    assert xw.loc["302"]["neighbour_set"] == "2025"
    assert set(xw[xw["current"]]["neighbour_set"]) == {"2025"}


def test_crosswalk_is_a_copy() -> None:
    first = authorities.crosswalk()
    first.loc[0, "name"] = "changed"
    assert authorities.crosswalk().loc[0, "name"] != "changed"


def test_current_count_never_counts_the_retired() -> None:
    assert authorities.current_count() == 153
    assert authorities.current_count(dt.date(2019, 6, 30)) == 151  # Northamptonshire and Cumbria, not successors
    assert authorities.current_count(dt.date(2019, 3, 31)) == 152  # Dorset, Poole, Bournemouth still there
    assert not RETIRED & set(authorities.existing_codes())
    assert authorities.existed("928", dt.date(2020, 1, 1)) and not authorities.existed("940", dt.date(2020, 1, 1))
    assert authorities.existed("999")  # unknown to the crosswalk: not treated as retired


def test_authorities_current_only_with_full_names(seeded_url: str) -> None:
    engine = store.get_engine(seeded_url)
    df = authorities.authorities(engine)
    assert len(df) == 153
    assert not RETIRED & set(df["la_code"])
    assert (df["name"] != df["la_code"]).all()
    assert df.set_index("la_code").loc["302", "name"] == "Barnet"
    assert list(df["name"]) == sorted(df["name"])


def test_authority_name_from_the_database(seeded_url: str) -> None:
    engine = store.get_engine(seeded_url)
    assert authorities.authority_name(engine, "800") == "Bath and North East Somerset"
    assert authorities.authority_name(engine, "909") == "Cumbria"
    assert authorities.region_of(engine, "302") == "London"


def test_empty_database_still_names_authorities(empty_engine: Engine) -> None:
    assert authorities.authority_name(empty_engine, "302") == "Barnet"
    assert authorities.authority_name(empty_engine, "999") == "Authority 999"
    assert authorities.region_of(empty_engine, "332") == "West Midlands"
    assert authorities.region_of(empty_engine, "999") is None
    df = authorities.authorities(empty_engine)
    assert len(df) == 153 and "Barnet" in set(df["name"]) and not RETIRED & set(df["la_code"])


def test_neighbours_use_the_latest_set_containing_the_authority(seeded_url: str) -> None:
    engine = store.get_engine(seeded_url)
    cumberland = authorities.neighbours(engine, "942")
    assert len(cumberland) == 10 and "943" in cumberland
    assert authorities.neighbour_set(engine, "942") == "2025"
    barnet = authorities.neighbours(engine, "302")
    assert len(barnet) == 10 and "302" not in barnet


def test_neighbours_never_list_a_retired_authority(seeded_url: str) -> None:
    engine = store.get_engine(seeded_url)
    current = set(authorities.existing_codes())
    assert "909" not in authorities.neighbours(engine, "940")
    for la in ("940", "941", "942", "943", "838", "839", "302"):
        assert set(authorities.neighbours(engine, la)) <= current


def test_neighbours_drop_retired_from_an_older_set(empty_engine: Engine) -> None:
    """Only the 2021 set stored: North Northamptonshire's includes abolished Cumbria, which must not show."""
    with empty_engine.begin() as conn:
        conn.execute(text("INSERT INTO authority (la_code, name, retired) VALUES (:c, :n, :f)"),
                     {"c": "940", "n": "North Northamptonshire", "f": False})
        for rank, code in enumerate(["941", "909", "891"], start=1):
            conn.execute(text("INSERT INTO statistical_neighbour (la_code, set_name, rank, neighbour_code) "
                              "VALUES ('940', '2021', :r, :c)"), {"r": rank, "c": code})
    assert authorities.neighbours(empty_engine, "940") == ["941", "891"]
    assert authorities.neighbour_set(empty_engine, "940") == "2021"
    assert authorities.neighbours(empty_engine, "942") == []  # the table has rows, none for Cumberland
    assert authorities.neighbour_set(empty_engine, "942") is None


def test_neighbours_on_an_empty_database_come_from_the_shipped_sets(empty_engine: Engine) -> None:
    assert authorities.neighbour_set(empty_engine, "942") == "2025"
    assert len(authorities.neighbours(empty_engine, "942")) == 10
    assert authorities.neighbours(empty_engine, "999") == []
    assert authorities.neighbour_set(empty_engine, "999") is None
