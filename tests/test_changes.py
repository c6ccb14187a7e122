"""What changed since the last board, board snapshots as presented, and the 0002 migration."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import xlsxwriter
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from lib import changes, sample, snapshots, store
from lib.model import Base
from lib.read import kpis as kpi_model
from lib.read import programme
from lib.returns import pipeline

JULY = dt.date(2019, 7, 31)
AUGUST = dt.date(2019, 8, 31)
LIFE_STORY = "Two life story workers left in July; recruitment re-advertised and agency cover refused."


def action_return(rows: list[list[Any]]) -> bytes:
    """A monthly action return as councils fill it in: Plan, Action ID, Month, Status, RAG, Progress update."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False})
    month = book.add_format({"num_format": "mmm yyyy"})
    ws = book.add_worksheet("Actions")
    for c, head in enumerate(["Plan", "Action ID", "Month", "Status", "RAG", "Progress update"]):
        ws.write_string(0, c, head)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), month)
            else:
                ws.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


def import_july(engine: Engine, name: str = "actions-2019-07.xlsx") -> int:
    data = action_return([["FSIAP-2017", "1.16", JULY, "In progress", "Red", LIFE_STORY]])
    result = pipeline.import_bytes(engine, data, name, user="Performance team")
    assert result.outcome == "imported", [p.line() for p in result.problems]
    assert result.upload_id is not None
    return result.upload_id


@pytest.fixture
def fresh(fresh_seeded_url: str) -> Engine:
    engine = store.get_engine(fresh_seeded_url)
    store.init_db(engine)
    return engine


def row_for(df: pd.DataFrame, ref: str, plan: str = "FSIAP-2017") -> pd.Series:
    hits = df[(df["ref"] == ref) & (df["plan"] == plan)]
    assert len(hits) == 1, f"{plan} {ref} not in {df[['plan', 'ref']].values.tolist()}"
    return hits.iloc[0]


# --- changes since a date ----------------------------------------------------------------------------


def test_a_new_monthly_return_shows_as_rag_change_and_commentary(fresh: Engine) -> None:
    before = programme.actions(fresh)
    assert row_for(before, "1.16")["rag"] == "amber"
    upload_id = import_july(fresh)

    found = changes.changes_since(fresh, dt.date(2019, 6, 30))
    assert found.since == dt.date(2019, 6, 30) and found.as_at == JULY
    change = row_for(found.actions, "1.16")
    assert (change["rag_from"], change["rag_to"]) == ("amber", "red")
    assert (change["rag_from_label"], change["rag_to_label"]) == ("Amber", "Red")
    assert bool(change["rag_changed"]) and not bool(change["status_changed"]) and bool(change["turned_red"])
    assert change["period_from"] == dt.date(2019, 6, 30) and change["period_to"] == JULY
    assert len(found.turned_red) == 1

    note = row_for(found.action_commentary, "1.16")
    assert note["commentary"] == LIFE_STORY and note["period_end"] == JULY and note["rag"] == "red"
    assert list(found.uploads["upload_id"]) == [upload_id]
    assert found.counts()["action_rag_changes"] == 1 and not found.is_empty
    assert any("1.16" in line and "Amber → Red" in line for line in found.lines())
    assert json.loads(json.dumps(found.records()))["actions"][0]["rag_to"] == "red"
    # the ILACS inspection published on 1 July 2019 is new in the window too
    assert "ILACS 2018+" in set(found.inspections["framework_label"])


def test_changes_between_two_past_reporting_dates(seeded_engine: Engine) -> None:
    found = changes.changes_since(seeded_engine, dt.date(2019, 5, 31), dt.date(2019, 6, 30))
    agency = row_for(found.actions, "3.02")
    assert (agency["rag_from"], agency["rag_to"]) == ("amber", "red")
    academy = row_for(found.actions, "3.03")
    assert (academy["status_from"], academy["status_to"]) == ("in_progress", "complete_awaiting_signoff")
    assert academy["status_to_label"] == "Complete — awaiting sign-off"
    # turned red first in the list
    assert bool(found.actions.iloc[0]["turned_red"])

    kpi = found.kpis.set_index("ref")
    assert (kpi.loc["DU-CASELOAD-CIC", "rag_from"], kpi.loc["DU-CASELOAD-CIC", "rag_to"]) == ("green", "red")
    assert kpi.loc["DU-CASELOAD-CIC", "direction_to"] == "worsening"
    assert not bool(kpi.loc["DU-VISITS", "rag_changed"]) and bool(kpi.loc["DU-VISITS", "direction_changed"])
    assert "DU-AGENCY" in set(found.kpi_commentary["ref"])
    assert set(found.kpi_commentary["period_end"]) == {dt.date(2019, 6, 30)}
    assert found.inspections.empty  # ILACS was published on 1 July, after this window


def test_actions_that_became_overdue(seeded_engine: Engine) -> None:
    found = changes.changes_since(seeded_engine, dt.date(2018, 4, 15), dt.date(2018, 5, 31))
    overdue = found.new_overdue
    assert "1.16" in set(overdue["ref"])
    assert all(dt.date(2018, 4, 15) <= d < dt.date(2018, 5, 31) for d in overdue["due"])
    assert set(overdue["status"]) <= {"in_progress", "not_started", "on_hold"}
    then = programme.actions(seeded_engine, dt.date(2018, 4, 15)).set_index("action_id")
    assert not then.loc[list(overdue["action_id"]), "overdue"].any()


def test_since_after_as_at_is_refused(seeded_engine: Engine) -> None:
    with pytest.raises(ValueError, match="after the as-at date"):
        changes.changes_since(seeded_engine, dt.date(2030, 1, 1))


def test_since_upload(fresh: Engine) -> None:
    first = import_july(fresh)
    assert changes.upload_as_at(fresh, first) == JULY
    nothing = changes.since_upload(fresh, first)
    assert nothing.since == JULY and nothing.is_empty

    data = action_return([["FSIAP-2017", "1.16", AUGUST, "In progress", "Amber", "Agency cover agreed."]])
    second = pipeline.import_bytes(fresh, data, "actions-2019-08.xlsx")
    assert second.outcome == "imported"
    found = changes.since_upload(fresh, first)
    assert found.basis == "upload" and found.since == JULY and found.as_at == AUGUST
    change = row_for(found.actions, "1.16")
    assert (change["rag_from"], change["rag_to"]) == ("red", "amber")
    assert list(found.uploads["upload_id"]) == [second.upload_id]
    with pytest.raises(KeyError):
        changes.since_upload(fresh, 999)


# --- snapshots ---------------------------------------------------------------------------------------


def assert_same(a: snapshots.Snapshot, b: snapshots.Snapshot) -> None:
    for name in snapshots.FRAMES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)
    assert a.attention.keys() == b.attention.keys()
    for key in a.attention:
        pd.testing.assert_frame_equal(a.attention[key], b.attention[key], check_exact=True)
    assert (a.as_at, a.la_code, a.authority, a.meeting_date, a.title) == (
        b.as_at, b.la_code, b.authority, b.meeting_date, b.title)


def test_snapshot_keeps_what_the_board_saw(fresh: Engine) -> None:
    shown_actions = programme.programme(fresh).current_actions
    shown_kpis = kpi_model.latest_kpis(fresh)
    sid = snapshots.mark_board(fresh, dt.date(2019, 7, 10), "July improvement board", user="Chair")
    listed = snapshots.list_snapshots(fresh)
    assert list(listed["id"]) == [sid] and listed.iloc[0]["title"] == "July improvement board"
    assert listed.iloc[0]["as_at"] == dt.date(2019, 6, 30) and listed.iloc[0]["created_by"] == "Chair"

    marked = snapshots.load_snapshot(fresh, sid)
    pd.testing.assert_frame_equal(marked.actions, shown_actions, check_exact=True)
    pd.testing.assert_frame_equal(marked.kpis, shown_kpis, check_exact=True)
    assert isinstance(marked.actions["due"].dropna().iloc[0], dt.date)
    assert marked.judgements["score"].dtype == "Int64"
    assert isinstance(marked.actions["recommendations"].iloc[0], list)
    assert marked.authority == "Barnet" and set(marked.attention) >= {"turned_red", "newly_overdue"}

    import_july(fresh)  # a later upload changes today's figures ...
    assert row_for(programme.actions(fresh), "1.16")["rag"] == "red"
    later = snapshots.load_snapshot(fresh, sid)  # ... never the snapshot
    assert_same(marked, later)
    assert row_for(later.actions, "1.16")["rag"] == "amber"

    compared = snapshots.compare_with_today(fresh, sid)
    assert compared.basis == "snapshot" and compared.since == dt.date(2019, 6, 30) and compared.as_at == JULY
    change = row_for(compared.actions, "1.16")
    assert (change["rag_from"], change["rag_to"]) == ("amber", "red")
    assert LIFE_STORY in set(compared.action_commentary["commentary"])
    assert len(compared.uploads) == 1
    assert compared.kpis.empty  # no KPI moved


def test_snapshot_checksum_and_missing(fresh: Engine) -> None:
    sid = snapshots.mark_board(fresh, dt.date(2019, 7, 10), "")
    assert snapshots.load_snapshot(fresh, sid).title.startswith("Board meeting")
    with pytest.raises(snapshots.SnapshotError, match="no board snapshot"):
        snapshots.load_snapshot(fresh, sid + 1)
    with fresh.begin() as conn:
        conn.execute(text("UPDATE board_snapshot SET payload_sha256 = :h WHERE id = :i"), {"h": "0" * 64, "i": sid})
    with pytest.raises(snapshots.SnapshotError, match="damaged"):
        snapshots.load_snapshot(fresh, sid)


def test_frame_encoding_round_trip() -> None:
    df = pd.DataFrame({
        "day": pd.Series([dt.date(2019, 6, 30), None], dtype=object),
        "stamp": pd.to_datetime(["2019-06-30 10:00", None]),
        "text": pd.Series(["a", None], dtype="str"),
        "number": [1.5, float("nan")],
        "count": pd.Series([1, None], dtype="Int64"),
        "whole": [1, 2],
        "flag": [True, False],
        "items": [["1", "ALL"], []],
        "mixed": pd.Series([None, 3], dtype=object),
    }, index=[4, 9])
    back = snapshots.decode_frame(json.loads(json.dumps(snapshots.encode_frame(df))))
    pd.testing.assert_frame_equal(back, df, check_exact=True)
    empty = snapshots.decode_frame(snapshots.encode_frame(df.iloc[0:0]))
    assert list(empty.columns) == list(df.columns) and empty.empty


@pytest.mark.timeout(600)
def test_snapshot_round_trip_on_both_databases(empty_engine: Engine) -> None:
    sample.seed(empty_engine)
    sid = snapshots.mark_board(empty_engine, dt.date(2019, 7, 10), "Board")
    marked = snapshots.load_snapshot(empty_engine, sid)
    pd.testing.assert_frame_equal(marked.actions, programme.programme(empty_engine).current_actions,
                                  check_exact=True)
    assert snapshots.compare_with_today(empty_engine, sid).is_empty


# --- the migration -------------------------------------------------------------------------------------


def test_upgrading_a_0001_database_keeps_its_data(tmp_path: Path) -> None:
    engine = store.get_engine(f"sqlite:///{tmp_path / 'old.db'}")
    cfg = store._alembic_config()
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.commit()
    assert store.current_revision(engine) == "0001"
    assert "board_snapshot" not in inspect(engine).get_table_names()
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO authority (la_code, name, retired) VALUES ('302', 'Barnet', 0)"))
        conn.execute(text("INSERT INTO setting (key, value) VALUES ('authority', '302')"))

    store.init_db(engine)  # what the app does on start: upgrade to head in place
    assert store.current_revision(engine) == store.head_revision() == "0004"
    assert "ix_kpi_value_kpi_auth" not in {i["name"] for i in inspect(engine).get_indexes("kpi_value")}
    assert {"board_snapshot", "milestone", "kpi_target"} <= set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM authority WHERE la_code = '302'")).scalar() == "Barnet"
        assert conn.execute(text("SELECT value FROM setting WHERE key = 'authority'")).scalar() == "302"
    assert snapshots.list_snapshots(engine).empty
    engine.dispose()


def test_migrations_match_the_model(tmp_path: Path) -> None:
    engine = store.get_engine(f"sqlite:///{tmp_path / 'head.db'}")
    store.init_db(engine)
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diffs == []  # the hand-written 0002 creates exactly the BoardSnapshot model
    engine.dispose()
