"""An AppTest sweep of every page and page state: no missing-value marker or raw code reaches the screen.

States: each page on the seeded and on an empty database, a KPI selected, an action selected (of
the current programme and of a history plan), every board step, a reopened board snapshot, each
inspection on the Recommendations page, and the judgements of authorities with old-scale grades.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import board, sample, snapshots, store
from tests.app_support import PAGES, open_page
from tests.screen_text import raw_markers, screen_texts

CODES = ("302", "800", "332")


pytestmark = pytest.mark.usefixtures("streamlit_caches")


def run(monkeypatch: pytest.MonkeyPatch, url: str, page: str, params: dict[str, str] | None = None) -> AppTest:
    at = open_page(monkeypatch, url, page, params)
    assert not at.exception, at.exception
    return at


def assert_clean(at: AppTest, where: str) -> None:
    texts = screen_texts(at)
    assert texts, f"{where}: nothing on screen"
    bad = raw_markers(texts, codes=CODES)
    assert not bad, f"{where}: " + "\n".join(bad[:20])


@pytest.mark.parametrize("page", PAGES)
def test_every_page_on_the_seeded_database(monkeypatch: pytest.MonkeyPatch, seeded_url: str, page: str) -> None:
    assert_clean(run(monkeypatch, seeded_url, page), page)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_on_an_empty_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, page: str) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    store.init_db(store.get_engine(url))
    at = run(monkeypatch, url, page)
    assert_clean(at, page)
    if page == "pages/overview.py":
        assert "Barnet" in at.title[0].value, "the authority's name, never its code"


@pytest.mark.parametrize("params", [
    {"kpi": "FS/S4"}, {"kpi": "CES/S13-1"}, {"kpi": "DU-ASSESS45"}, {"kpi": "FS/C14"}, {"theme": "Family Services"},
])
def test_kpi_page_states(monkeypatch: pytest.MonkeyPatch, seeded_url: str, params: dict[str, str]) -> None:
    assert_clean(run(monkeypatch, seeded_url, "pages/kpis.py", params), str(params))


@pytest.mark.parametrize("action", ["FSIAP-2017:1.08", "BSCB-IP-2017:L1.1", "SLAC-AP-2012:4.1", "SLAC-AP-2012:9.1"])
def test_action_plan_with_an_action_selected(monkeypatch: pytest.MonkeyPatch, seeded_url: str, action: str) -> None:
    at = run(monkeypatch, seeded_url, "pages/action_plan.py", {"action": action})
    ref = action.split(":", 1)[1]
    if any(h.value.startswith(f"{ref} · ") or h.value.startswith(ref.replace(".", "\\.")) for h in at.header):
        assert_clean(at, action)
    else:
        pytest.fail(f"?action={action} did not open the action's detail: {[h.value for h in at.header]}")


def test_every_board_step(monkeypatch: pytest.MonkeyPatch, seeded_url: str) -> None:
    steps = board.agenda(store.get_engine(seeded_url))
    assert len(steps) > 20
    at = open_page(monkeypatch, seeded_url, "pages/board.py", {"step": "1"})
    for n in range(1, len(steps) + 1):
        assert not at.exception, at.exception
        assert f"step {n} of {len(steps)}" in " ".join(c.value for c in at.caption), n
        assert_clean(at, f"board step {n}: {steps[n - 1].title}")
        if n < len(steps):
            at.button(key="agenda_next").click().run()


def test_recommendations_page_for_every_inspection(monkeypatch: pytest.MonkeyPatch, seeded_url: str) -> None:
    at = run(monkeypatch, seeded_url, "pages/recommendations.py")
    for option in at.selectbox(key="r_inspection").options:
        plain_label = option.removesuffix(" (current programme)").removesuffix(" (after the as-at date)")
        at.selectbox(key="r_inspection").set_value(plain_label).run()
        assert not at.exception, at.exception
        assert_clean(at, option)


@pytest.mark.parametrize("la", ["800", "332", "302", "942"])
def test_judgements_page_for_old_scales_and_new_authorities(monkeypatch: pytest.MonkeyPatch, seeded_url: str,
                                                            la: str) -> None:
    at = run(monkeypatch, seeded_url, "pages/judgements.py", {"la": la})
    assert_clean(at, la)


def test_a_reopened_snapshot(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'snap.db'}"
    engine = store.get_engine(url)
    sample.seed(engine)
    snapshots.mark_board(engine, dt.date(2019, 7, 10), "July board")
    at = run(monkeypatch, url, "pages/changes.py")
    assert any(t.label == "KPIs as presented" for t in at.tabs)
    assert_clean(at, "reopened snapshot")
    kpi_tables = [d.value for d in at.dataframe if "Benchmarks" in getattr(d.value, "data", d.value).columns]
    assert kpi_tables, "the snapshot's KPIs are shown"
    data = getattr(kpi_tables[0], "data", kpi_tables[0])
    assert (data["Benchmarks"] != "—").any(), "a reopened snapshot shows its benchmarks as they were"


@pytest.mark.parametrize("where, text", [
    ("title", "302 improvement programme"), ("table", "FS/S4 (nan)"), ("table", "None"), ("caption", "Target: None"),
    ("caption", "rule: targeted_improvement"), ("caption", "The previous inspection is mentioned at S4:21"),
    ("table", "NaT"), ("table", "<NA>"),
])
def test_the_sweep_catches_each_marker_the_issue_found(where: str, text: str) -> None:
    from tests.screen_text import is_raw

    assert is_raw(where, text, CODES)


@pytest.mark.parametrize("text", ["None this month.", "None published", "Barnet improvement programme",
                                  "Green amber", "No RAG"])
def test_the_sweep_lets_plain_words_through(text: str) -> None:
    from tests.screen_text import is_raw

    assert not is_raw("caption", text, CODES)
