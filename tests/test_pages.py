"""Every page runs in AppTest on the seeded database and on an empty one, and the filters work."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import sample, store
from lib.exports.pack import build_pack
from lib.read import programme
from tests.app_support import PAGES, open_page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


pytestmark = pytest.mark.usefixtures("streamlit_caches")




@pytest.mark.parametrize("page", PAGES)
def test_page_runs_on_seeded_database(monkeypatch: pytest.MonkeyPatch, seeded_url: str, page: str) -> None:
    at = open_page(monkeypatch, seeded_url, page)
    assert not at.exception, at.exception
    assert at.title, "every page has a title"


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_on_empty_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, page: str) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    store.init_db(store.get_engine(url))
    at = open_page(monkeypatch, url, page)
    assert not at.exception, at.exception
    said = " ".join(str(e.value) for kind in ("info", "markdown", "caption", "subheader", "text")
                    for e in getattr(at, kind)).lower()
    assert any(w in said for w in ("upload", "load the sample", "start with our own plan", "seed")), (page, said[:300])
    if page == "pages/board.py":
        assert "nothing to present" in said


def test_first_run_offers_the_sample_and_our_own_plan(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    store.init_db(store.get_engine(url))
    at = open_page(monkeypatch, url, "pages/overview.py")
    assert at.button(key="first_run_sample").label == "Load the sample"
    assert at.button(key="first_run_own").label == "Start with our own plan"
    at.button(key="first_run_own").click().run()
    engine = store.get_engine(url)
    assert sample.row_counts(engine)["authority"] >= 153 and sample.row_counts(engine)["action"] == 0
    assert sample.row_counts(engine)["judgement"] > 1000  # every published Ofsted outcome, no sample programme


def test_packs_and_snapshots_say_there_is_nothing_to_present(monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    store.init_db(store.get_engine(url))
    at = open_page(monkeypatch, url, "pages/changes.py")
    buttons = list(at.get("download_button"))
    assert buttons and all(b.proto.disabled for b in buttons)
    assert any("Nothing to present yet" in str(c.value) for c in at.caption)
    pack = build_pack(store.get_engine(url))
    assert [s.title for s in pack.sections] == ["Nothing to present yet"]


def _table_refs(at: AppTest, key_column: str = "Ref") -> list[str]:
    frames = [df.value for df in at.dataframe]
    for frame in frames:
        data = getattr(frame, "data", frame)
        if key_column in data.columns:
            return list(data[key_column])
    raise AssertionError("no table with a Ref column")


def test_lead_officer_filter_leaves_only_their_actions(monkeypatch: pytest.MonkeyPatch, seeded_url: str) -> None:
    prog = programme.programme(store.get_engine(seeded_url))
    acts = prog.current_actions
    lead = acts["lead_officer"].value_counts().index[0]
    at = open_page(monkeypatch, seeded_url, "pages/action_plan.py")
    at.multiselect(key="f_lead").set_value([lead]).run()
    assert not at.exception
    refs = _table_refs(at)
    expected = acts[acts["lead_officer"] == lead]
    assert sorted(refs) == sorted(expected["ref"])
    assert at.query_params["lead"] in (lead, [lead])


def test_lead_officer_filter_counts_joint_leads_as_each_person(monkeypatch: pytest.MonkeyPatch,
                                                               seeded_url: str) -> None:
    prog = programme.programme(store.get_engine(seeded_url))
    at = open_page(monkeypatch, seeded_url, "pages/action_plan.py", {"plan": "SLAC-AP-2012"})
    assert "Jay Mercer" in at.multiselect(key="f_lead").options
    at.multiselect(key="f_lead").set_value(["Jay Mercer"]).run()
    refs = _table_refs(at)
    joint = prog.actions[prog.actions["lead_officer"].fillna("").str.contains("Jay Mercer; Ann Graham")]
    assert not joint.empty and set(joint["ref"]) <= set(refs)


def test_recommendation_filter_leaves_only_the_actions_answering_it(monkeypatch: pytest.MonkeyPatch,
                                                                    seeded_url: str) -> None:
    prog = programme.programme(store.get_engine(seeded_url))
    own, cross = prog.answering("SIF 2017 · 10")
    at = open_page(monkeypatch, seeded_url, "pages/action_plan.py")
    at.multiselect(key="f_rec").set_value(["SIF 2017 · 10"]).run()
    refs = _table_refs(at)
    assert refs and sorted(refs) == sorted([*own["ref"], *cross["ref"]])
    assert not set(own["plan"]) - {"FSIAP-2017"}, "the 2012 plan's actions answer another inspection"


def test_filters_come_from_the_url(monkeypatch: pytest.MonkeyPatch, seeded_url: str) -> None:
    at = open_page(monkeypatch, seeded_url, "pages/action_plan.py", {"overdue": "1"})
    refs = _table_refs(at)
    acts = programme.programme(store.get_engine(seeded_url)).current_actions
    assert sorted(refs) == sorted(acts[acts["overdue"]]["ref"])


def test_kpi_page_renders_a_chart_for_the_selected_kpi(monkeypatch: pytest.MonkeyPatch, seeded_url: str) -> None:
    at = open_page(monkeypatch, seeded_url, "pages/kpis.py", {"kpi": "DU-ASSESS45"})
    assert not at.exception
    charts = at.get("vega_lite_chart")
    assert charts, "a trend chart is drawn"
    assert any("ASSESS45" in h.value for h in at.header)


def test_upload_page_preview_confirm_and_undo(monkeypatch: pytest.MonkeyPatch, fresh_seeded_url: str) -> None:
    from tests.test_import import fs_plan_return

    engine = store.get_engine(fresh_seeded_url)
    before = programme.actions(engine)[["ref", "rag", "updates"]].to_dict("records")
    data = fs_plan_return(dt.date(2019, 7, 31), "Red", "Delayed")
    at = open_page(monkeypatch, fresh_seeded_url, "pages/upload.py")
    at.file_uploader(key="upload_files").upload("fsiap-2019-07.xlsx", data, XLSX).run()
    assert not at.exception, at.exception
    assert any("would add" in s.value for s in at.success), [s.value for s in at.success]
    assert programme.action_updates(engine)["period_end"].max() == dt.date(2019, 6, 30), "a preview stores nothing"
    confirm = next(b for b in at.button if b.key and b.key.startswith("confirm_"))
    confirm.click().run()
    assert not at.exception, at.exception
    assert any("imported as upload" in s.value for s in at.success)
    after = programme.actions(engine).set_index("ref")
    assert after.loc["1.03", "rag"] == "red" and after.loc["1.03", "updates"] == before_updates(before, "1.03") + 1
    at.selectbox(key="undo_choice").set_value(at.selectbox(key="undo_choice").options[0]).run()
    at.button(key="undo_button").click().run()
    assert not at.exception, at.exception
    assert programme.actions(engine)[["ref", "rag", "updates"]].to_dict("records") == before


def test_upload_preview_lists_every_change_with_its_cell_and_filters(monkeypatch: pytest.MonkeyPatch,
                                                                     fresh_seeded_url: str) -> None:
    from tests.test_import import fs_plan_return

    data = fs_plan_return(dt.date(2019, 7, 31), "Red", "Delayed")
    at = open_page(monkeypatch, fresh_seeded_url, "pages/upload.py")
    at.file_uploader(key="upload_files").upload("fsiap-2019-07.xlsx", data, XLSX).run()
    assert not at.exception, at.exception
    assert not at.warning, [w.value for w in at.warning]  # notes are not warnings
    assert any("How the file was read" in e.label for e in at.expander)
    changes = next(d.value for d in at.dataframe if "Cell" in d.value.columns)
    row = changes[(changes["Item"].str.contains("action 1.03")) & (changes["Field"] == "RAG")].iloc[0]
    assert row["To"] == "Red" and row["Cell"] == "Progress!G5" and row["Change"] == "new"
    key = next(t.key for t in at.text_input if t.key and t.key.startswith("chg_find_"))
    at.text_input(key=key).set_value("2.02").run()
    narrowed = next(d.value for d in at.dataframe if "Cell" in d.value.columns)
    assert len(narrowed) < len(changes) and narrowed["Item"].str.contains("2.02").all()


def before_updates(rows: list[dict[str, object]], ref: str) -> int:
    return int(next(r["updates"] for r in rows if r["ref"] == ref))  # type: ignore[call-overload]


def test_presentation_mode_hides_upload_and_pages_through_the_agenda(
    monkeypatch: pytest.MonkeyPatch, seeded_url: str
) -> None:
    at = open_page(monkeypatch, seeded_url, "pages/board.py", {"present": "1"})
    assert not at.exception, at.exception
    assert at.title[0].value == "Where the programme stands"
    assert at.toggle(key="present_toggle").value is True
    at.button(key="agenda_next").click().run()
    assert at.title[0].value.startswith("Red and amber actions")
    assert at.query_params["step"] in ("2", ["2"])
    table = at.table[0].value  # a wrapping table: long text is never cut off
    data = getattr(table, "data", table)
    assert len(data) <= 12 and set(data["RAG"].str.split().str[-1]) <= {"Red", "Amber", "amber"}
    for hidden in ("pages/upload.py", "pages/settings.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(hidden)


def test_upload_page_is_there_when_not_presenting(monkeypatch: pytest.MonkeyPatch, seeded_url: str) -> None:
    at = open_page(monkeypatch, seeded_url, "pages/upload.py")
    assert len(at.get("file_uploader")) == 1


def test_changes_page_lists_a_rag_change_made_by_a_second_monthly_return(
    monkeypatch: pytest.MonkeyPatch, fresh_seeded_url: str
) -> None:
    from lib.returns import pipeline
    from tests.test_import import fs_plan_return

    engine = store.get_engine(fresh_seeded_url)
    result = pipeline.import_bytes(engine, fs_plan_return(dt.date(2019, 7, 31), "Red", "Delayed"), "july.xlsx")
    assert result.outcome == "imported"
    at = open_page(monkeypatch, fresh_seeded_url, "pages/changes.py", {"since": "2019-06-30"})
    assert not at.exception, at.exception
    moved = next(df.value for df in at.dataframe if "RAG" in getattr(df.value, "data", df.value).columns)
    data = getattr(moved, "data", moved)
    row = data[data["Ref"] == "1.03"].iloc[0]
    assert "→" in row["RAG"] and row["RAG"].endswith("Red")
    assert any("1 action RAG change" in i.value or "action RAG change" in i.value for i in at.info)


def test_marking_a_board_meeting_lists_the_snapshot_at_once(monkeypatch: pytest.MonkeyPatch,
                                                           fresh_seeded_url: str) -> None:
    at = open_page(monkeypatch, fresh_seeded_url, "pages/changes.py")
    assert not at.exception, at.exception
    assert not any(s.key == "ch_reopen" for s in at.selectbox), "no snapshot yet"
    at.text_input[0].set_value("July improvement board")
    next(b for b in at.button if b.label == "Mark this board meeting").click().run()
    assert not at.exception, at.exception
    assert any("Snapshot 1 saved" in s.value for s in at.success), [s.value for s in at.success]
    reopen = at.selectbox(key="ch_reopen")
    assert len(reopen.options) == 1 and "July improvement board" in reopen.options[0]
    assert any(t.label == "KPIs as presented" for t in at.tabs)
