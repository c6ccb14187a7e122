"""The programme read model: which actions answer a recommendation, the current programme, joint leads."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import Engine

from lib import store, vocab
from lib.read import attention, base, programme


@pytest.fixture(scope="module")
def engine(seeded_url: str) -> Engine:
    return store.get_engine(seeded_url)


@pytest.fixture(scope="module")
def prog(engine: Engine) -> programme.Programme:
    return programme.programme(engine)


def test_the_current_programme_answers_the_latest_inspection_as_at_the_date(prog: programme.Programme) -> None:
    assert prog.as_at == dt.date(2019, 6, 30)
    assert prog.current_plans == ["FSIAP-2017", "BSCB-IP-2017"], "the 2012 plan is history"
    assert not prog.current_actions["plan"].eq("SLAC-AP-2012").any()
    assert set(prog.current_recommendations["inspection"]) == {"SIF 2017", "LSCB review 2017"}


def test_an_earlier_as_at_makes_the_2012_plan_current(engine: Engine) -> None:
    # Before the 2017 inspection the only plan answering an inspection is the 2012 one (its date is unknown).
    early = programme.programme(engine, dt.date(2016, 12, 31))
    assert early.current_plans == ["SLAC-AP-2012"]


def test_own_and_cross_cutting_actions_of_a_recommendation(prog: programme.Programme) -> None:
    own, cross = prog.answering("SIF 2017 · 10")
    assert list(own["ref"]) == ["1.08"]
    assert set(cross["plan"]) == {"FSIAP-2017"} and cross["applies_to_all"].all() and len(cross) == 8
    by_number, _ = prog.answering("10")  # a number is read within the current programme
    assert list(by_number["ref"]) == ["1.08"]
    old, old_cross = prog.answering("SLAC (date not published) · 10")
    assert set(old["plan"]) <= {"SLAC-AP-2012"} and set(old_cross["plan"]) <= {"SLAC-AP-2012"}
    assert prog.find_recommendation("99") is None and prog.answering("99")[0].empty


def test_answering_is_pure_and_keeps_other_inspections_apart() -> None:
    recs = pd.DataFrame({"recommendation_id": [1, 2], "inspection_id": [10, 20]})
    acts = pd.DataFrame({
        "key": ["A:1", "A:2", "B:1", "C:1"], "plan_inspection_id": [10, 10, 20, None],
        "recommendation_ids": [[1], [], [1, 2], [2]], "applies_to_all": [False, True, False, False],
    })
    links = programme.answering(recs, acts)
    assert links[1] == (["A:1"], ["A:2"]), "B:1 answers inspection 20, so its link to rec 1 is not counted"
    assert links[2] == (["B:1", "C:1"], []), "a plan tied to no inspection keeps its own links"


def test_the_roll_up_says_which_kind_of_action_made_it_red() -> None:
    own = pd.DataFrame({"rag": ["green"], "status": ["in_progress"], "overdue": [False]})
    cross = pd.DataFrame({"rag": ["red", "green"], "status": ["complete", "in_progress"], "overdue": [True, False]})
    r = programme.rollup(own, cross)
    assert (r.own, r.cross, r.done, r.overdue) == (1, 2, 1, 1)
    assert r.worst == "red" and r.worst_from == "cross-cutting" and r.own_worst == "green"
    assert programme.rollup(own.iloc[0:0], own.iloc[0:0]).worst is None


def test_chain_shows_own_and_cross_cutting_apart(prog: programme.Programme) -> None:
    chain = prog.chain().set_index("id")
    row = chain.loc["SIF 2017 · 10"]
    assert row["own_refs"] == ["1.08"] and len(row["cross_refs"]) == 8 and row["current"]
    assert row["label"] == "10" and chain.loc["LSCB review 2017 · OR 1", "label"] == "OR 1"
    assert row["action_count"] == 9 and row["worst_from"] in ("own", "cross-cutting")


def test_joint_leads_count_as_each_person(prog: programme.Programme) -> None:
    options = prog.lead_options()
    assert {"Jay Mercer", "Ann Graham", "Val White", "Rachel Williams"} <= set(options)
    assert "Operational Director Corporate Parenting, Permanence and Transitions" in options, "roles stay whole"
    mine = prog.filter_actions(leads=["Ann Graham"])
    assert set(mine["lead_officer"]) == {"Jay Mercer; Ann Graham"} and len(mine) == 2


def test_filters(prog: programme.Programme) -> None:
    acts = prog.current_actions
    red = prog.filter_actions(acts, rags=["red"])
    assert set(red["rag"].map(vocab.rag_band)) == {"red"}
    none = prog.filter_actions(acts, rags=["none"])
    assert none["rag"].isna().all()
    assert prog.filter_actions(acts, search="return home")["ref"].tolist() == ["1.08"]
    assert prog.filter_actions(acts, overdue_only=True)["overdue"].all()


def test_action_summary_counts(prog: programme.Programme) -> None:
    summary = programme.action_summary(prog.current_actions)
    assert summary["total"] == len(prog.current_actions) == 45
    assert summary["green"] + summary["amber"] + summary["red"] + summary["none"] == summary["total"]
    assert programme.action_summary(prog.current_actions.iloc[0:0])["total"] == 0


def test_attention_reads_the_current_programme(engine: Engine, prog: programme.Programme) -> None:
    from lib.read import kpis

    items = attention.attention(prog, kpis.latest_kpis(engine), programme.action_updates(engine))
    assert set(items["turned_red"]["plan"]) <= set(prog.current_plans)
    assert attention.previous_month_end(dt.date(2019, 6, 30)) == dt.date(2019, 5, 31)


def test_an_empty_database(empty_engine: Engine) -> None:
    empty = programme.programme(empty_engine)
    assert empty.actions.empty and empty.recommendations.empty and empty.current_plans == []
    assert empty.chain().empty and empty.lead_options() == []
    assert base.our_authority(empty_engine) == "302"
    assert isinstance(base.as_at_date(empty_engine), dt.date)


def test_resolve_and_chain_filter(prog: programme.Programme) -> None:
    assert prog.resolve(["10", "SIF 2017 · 3", "99"]) == ["SIF 2017 · 10", "SIF 2017 · 3"]
    chain = prog.chain()
    sif = programme.chain_filter(chain, inspection="SIF 2017")
    assert len(sif) == 19 and set(sif["inspection"]) == {"SIF 2017"}
    gaps = programme.chain_filter(chain, inspection="SIF 2017", gaps_only=True)
    assert 0 < len(gaps) < len(sif) and ((gaps["action_count"] == 0) | (gaps["kpis"].map(len) == 0)).all()


def test_plans_the_action_plan_opens_on(prog: programme.Programme) -> None:
    assert prog.plans_shown([]) == ["FSIAP-2017", "BSCB-IP-2017"]
    assert prog.plans_shown(["SLAC-AP-2012"]) == ["SLAC-AP-2012"]
    assert prog.plans_shown([], "SLAC-AP-2012:4.1") == ["FSIAP-2017", "BSCB-IP-2017", "SLAC-AP-2012"]
    assert set(prog.plans_shown([], recommendations=["SIF 2017 · 10"])) == set(prog.actions["plan"])


def test_oversight_boards_are_shown_and_filter_the_2012_plan(prog: programme.Programme) -> None:
    assert programme.boards_of("DVSB; Safer Communities Board") == ["DVSB", "Safer Communities Board"]
    assert programme.boards_of(None) == []
    slac = prog.actions[prog.actions["plan"] == "SLAC-AP-2012"]
    assert "Safer Communities Board" in prog.board_options(slac)
    shown = prog.filter_actions(plans=["SLAC-AP-2012"], boards=["safer communities board"])
    assert len(shown) and all("Safer Communities Board" in b for b in shown["boards"])
    assert len(shown) < len(slac)  # a filter, not everything


def test_milestones_of_the_current_programme(prog: programme.Programme) -> None:
    current = prog.current_milestones
    assert set(current["plan"]) <= set(prog.current_plans) and len(current) == 147
    l13 = current[current["key"] == programme.action_key("BSCB-IP-2017", "L1.3")]
    assert [d.isoformat() for d in l13["due"]][3:5] == ["2017-12-31", "2018-03-31"]
    assert l13["label"].iloc[3].startswith("4. Quarterly monitoring")
