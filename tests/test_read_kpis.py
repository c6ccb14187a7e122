"""The KPI read model, the stored data revision, and the tables and words the pages show."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from lib import board, formatting, sample, settings, store, tables, vocab
from lib.model import Setting
from lib.read import kpis, programme

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def engine(seeded_url: str) -> Engine:
    return store.get_engine(seeded_url)


def test_latest_kpis_are_one_row_per_kpi_with_derived_rag(engine: Engine) -> None:
    values = kpis.kpi_values(engine, "302")
    latest = kpis.latest_kpis(engine, "302")
    assert latest["ref"].is_unique and set(latest["ref"]) == set(values["ref"])
    for row in latest.itertuples(index=False):
        last = values[values["ref"] == row.ref].iloc[-1]
        assert row.period_end == last["period_end"]
    assert set(latest["rag"].dropna()) <= set(vocab.RAG_BANDS)
    summary = kpis.kpi_summary(latest)
    assert summary["green"] + summary["amber"] + summary["red"] + summary["none"] == summary["total"] == len(latest)


def test_kpi_filter(engine: Engine) -> None:
    latest = kpis.latest_kpis(engine, "302")
    red = kpis.kpi_filter(latest, rags=["red"])
    assert not red.empty and set(red["rag"]) == {"red"}
    none = kpis.kpi_filter(latest, rags=["none"])
    assert none["rag"].isna().all()
    theme = latest["theme"].dropna().iloc[0]
    assert set(kpis.kpi_filter(latest, themes=[theme])["theme"]) == {theme}


def test_empty_database_gives_empty_frames_with_the_derived_columns(empty_engine: Engine) -> None:
    values = kpis.kpi_values(empty_engine)
    assert values.empty and set(kpis.DERIVED_COLUMNS) <= set(values.columns)
    assert kpis.latest_kpis(empty_engine).empty and kpis.kpi_summary(kpis.latest_kpis(empty_engine))["total"] == 0


def test_every_write_settings_included_changes_the_stored_revision(empty_engine: Engine) -> None:
    first = store.data_revision(empty_engine)
    sample.seed(empty_engine)
    seeded = store.data_revision(empty_engine)
    assert seeded != first
    settings.set_authority(empty_engine, "800")
    after_setting = store.data_revision(empty_engine)
    assert after_setting != seeded
    rules = settings.rules_table(empty_engine)
    rules.loc[0, "Amber tolerance (%)"] = 12.5
    assert settings.save_rules_table(empty_engine, rules) == 1
    assert store.data_revision(empty_engine) != after_setting
    assert settings.kpi_rules(empty_engine).loc[0, "amber_tolerance"] == 12.5


def test_a_second_process_sees_a_settings_change_at_once(empty_engine: Engine) -> None:
    """Two server processes on one database: the other process reads the new revision on its next rerun."""
    url = empty_engine.url.render_as_string(hide_password=False)
    code = "import sys; from lib import store; print(store.data_revision(store.get_engine(sys.argv[1])))"

    def other_process() -> str:
        done = subprocess.run([sys.executable, "-c", code, url], capture_output=True, text=True, cwd=ROOT,
                              timeout=60, check=True)
        return done.stdout.strip()

    before = other_process()
    assert before == store.data_revision(empty_engine)
    with store.write(empty_engine) as session:  # what Settings does: one write, no row count changes
        session.merge(Setting(key="authority", value="800"))
    after = other_process()
    assert after != before and after == store.data_revision(empty_engine)


def test_rules_table_shows_words_never_codes(engine: Engine) -> None:
    table = settings.rules_table(engine)
    assert list(table.columns) == ["Ref", "RAG rule", "Amber tolerance (%)", "Polarity", "KPI"]
    assert set(table["RAG rule"]) <= {"Tolerance", "Targeted improvement"}
    assert not table["Polarity"].str.contains("_").any()


def test_action_table_words(engine: Engine) -> None:
    prog = programme.programme(engine)
    table = tables.action_table(prog.current_actions)
    assert not table.isna().any().any()
    assert set(table["RAG"].str.split(" ", n=1).str[1]) <= {*vocab.RAG_LABELS.values(), "Not reported"}
    overdue = table[prog.current_actions["overdue"].to_numpy()]
    assert overdue["Due"].str.endswith("· overdue").all()


def test_formatting_words() -> None:
    assert formatting.format_value(226.0, "number", 1) == "226" and formatting.format_value(14.5, "number", 1) == "14.5"
    assert formatting.format_value(44.0, "percent", 1) == "44.0%"
    assert formatting.due_text(dt.date(2019, 3, 31), None, True) == "31 Mar 2019 · overdue"
    assert formatting.due_text(None, "Dec 17, March 18") == "Dec 17, March 18"
    assert formatting.due_text(None, None) == "No date set"
    assert formatting.rule_label("targeted_improvement") == "Targeted improvement"
    assert formatting.count_text(1, "KPI") == "1 KPI" and formatting.count_text(2, "KPI") == "2 KPIs"
    assert formatting.format_datetime(dt.datetime(2026, 12, 1, 20, 8, 15)) == "1 Dec 2026, 20:08"
    assert formatting.format_date("2019-06-30") == "30 Jun 2019"
    assert formatting.band_heading("none") == "— No RAG" and formatting.band_heading("red") == "✖ Red"
    # a word joiner after the scheme: the address is shown as typed and can never become a link
    assert formatting.plain("**bold** http://x.com") == "\\*\\*bold\\*\\* http\u2060\\://x\\.com"
    assert formatting.plain("a@b.org") == "a\\@b\\.org"
    assert formatting.or_blank(float("nan")) == "—" and formatting.or_blank(pd.NA) == "—"


def test_vocab_worst_band_and_counts() -> None:
    assert vocab.worst_band(["green", "red_amber", None]) == "amber"
    assert vocab.worst_band(["green", "red"]) == "red" and vocab.worst_band([None, float("nan")]) is None
    assert vocab.rag_counts(["green", "blue", "amber", None, "red"]) == {"green": 2, "amber": 1, "red": 1, "none": 1}


def test_board_pages_long_lists_and_keeps_every_action(engine: Engine) -> None:
    steps = board.agenda(engine)
    assert steps[0].kind == "overview" and steps[-1].kind == "judgements"
    for step in steps:
        assert len(step.table) <= board.ROWS_PER_VIEW
    paged = [s for s in steps if " of " in s.title]
    assert all(s.title.endswith(")") for s in paged)
    assert "SIF 2013-17" in steps[-1].facts["caption"] and "later inspection: ILACS 2019" in steps[-1].facts["caption"]


def test_later_inspections_and_progress_words() -> None:
    later = [{"label": "ILACS 2019", "start": dt.date(2019, 5, 13)}, {"label": "ILACS 2024", "start": None},
             {"label": "Focused visit 2021", "start": None}]
    assert tables.later_text(later) == "later inspection: ILACS 2019 (13 May 2019) and 2 more"
    assert tables.later_text([]) == ""
    row = pd.DataFrame([{"action_count": 8, "done": 5, "overdue": 0, "own_count": 0, "own_worst": None,
                         "cross_worst": "red"}]).iloc[0]
    text = tables.progress_text(row)
    assert "own worst" not in text and "cross-cutting worst ✖ Red" in text
    assert tables.progress_level(row) == "red"


def test_severity_orders_levels_worst_first() -> None:
    levels = ["amber", "green_amber", "red_amber", None, "red", "green"]
    assert sorted(levels, key=vocab.severity) == ["red", "red_amber", "amber", "green_amber", "green", None]


def test_no_benchmark_of_a_year_unfinished_by_the_as_at_date(engine: Engine) -> None:
    from lib.read import benchmarks

    bench = benchmarks.benchmarks(engine, "DU-ASSESS45")
    shown = benchmarks.published_by(bench, dt.date(2019, 6, 30))
    assert len(shown) < len(bench) and (shown["period_end"] <= dt.date(2019, 6, 30)).all()
    summary = benchmarks.summary(engine, "302", kpis.latest_kpis(engine, "302"), dt.date(2019, 6, 30))
    assert not summary["england_note"].fillna("").str.contains("2019/20|202[0-9]").any()
