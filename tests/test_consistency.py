"""One answer everywhere: each recommendation has the same actions on every screen, pack and command.

For every recommendation of the sample: the Recommendations page, the action plan filtered by it
(AppTest), its board step(s), its PowerPoint slide(s), its PDF pages and ``show actions
--recommendation`` list the same own and cross-cutting actions. The RAG counts of the overview,
the board, the packs and the PowerPoint overview table are equal.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from pptx import Presentation
from pypdf import PdfReader
from sqlalchemy import Engine

from lib import board, cli, store
from lib.exports import pack as pack_mod
from lib.exports import pdf_pack, pptx_pack
from lib.read import programme
from tests.app_support import open_page

pytestmark = pytest.mark.usefixtures("streamlit_caches")


@pytest.fixture(scope="module")
def engine(seeded_url: str) -> Engine:
    return store.get_engine(seeded_url)


@pytest.fixture(scope="module")
def cli_recs(seeded_url: str) -> list[dict[str, Any]]:
    return cli_json(seeded_url, "show", "recommendations")


@pytest.fixture(scope="module")
def prog(engine: Engine) -> programme.Programme:
    return programme.programme(engine)


@pytest.fixture(scope="module")
def board_pack(engine: Engine) -> pack_mod.BoardPack:
    return pack_mod.build_pack(engine)


def cli_json(url: str, *args: str) -> Any:
    buffer = io.StringIO()
    import contextlib

    with contextlib.redirect_stdout(buffer):
        assert cli.main([*args, "--format", "json", "--db", url]) == 0
    return json.loads(buffer.getvalue())


def refs_after_colon(text: str) -> set[str]:
    """"3 cross-cutting actions also answer this recommendation: 2.02, 2.03, 3.01." → the refs."""
    tail = text.split(":", 1)[1] if ":" in text else ""
    return {r.strip().rstrip(".") for r in tail.split(",") if r.strip().rstrip(".")}


def test_every_recommendation_has_one_set_of_actions_in_the_cli(seeded_url: str,
                                                               cli_recs: list[dict[str, Any]]) -> None:
    assert len(cli_recs) == 54, "every inspection's recommendations, history included"
    assert len({r["id"] for r in cli_recs}) == len(cli_recs), "ids carry their inspection, so none repeats"
    assert sum(1 for r in cli_recs if r["number"] == "10") == 3, "number 10 of SLAC, SIF and Dudley's 2011"
    for rec in cli_recs:
        shown = cli_json(seeded_url, "show", "actions", "--recommendation", rec["id"])
        assert [a["id"] for a in shown] == rec["actions"] + rec["cross_cutting_actions"], rec["id"]
        assert not set(rec["actions"]) & set(rec["cross_cutting_actions"])


def test_recommendation_10_of_2017_never_mixes_with_2012(cli_recs: list[dict[str, Any]], seeded_url: str) -> None:
    sif = next(r for r in cli_recs if r["id"] == "SIF 2017 · 10")
    shown = cli_json(seeded_url, "show", "actions", "--recommendation", "SIF 2017 · 10")
    assert {a["plan"] for a in shown} == {"FSIAP-2017"}
    assert "1.08" in sif["actions"] and sif["cross_cutting_actions"], "own 1.08 and the ALL actions"


def test_the_recommendations_page_lists_the_same_actions(monkeypatch: pytest.MonkeyPatch, seeded_url: str,
                                                         cli_recs: list[dict[str, Any]]) -> None:
    at = open_page(monkeypatch, seeded_url, "pages/recommendations.py")
    expected = {r["id"]: r for r in cli_recs if r["authority"] == "Barnet"}
    seen: set[str] = set()
    for option in at.selectbox(key="r_inspection").options:
        plain_label = option.removesuffix(" (current programme)").removesuffix(" (after the as-at date)")
        at.selectbox(key="r_inspection").set_value(plain_label).run()
        assert not at.exception, at.exception
        for exp in at.expander:
            rec_id = re.sub(r"\\(.)", r"\1", exp.label).removeprefix("Recommendation ").split(": ", 1)[0]
            texts = [t.value for t in exp.text]
            own = next((t for t in texts if t.startswith("Own actions:")), "Own actions: none")
            cross = next((t for t in texts if t.startswith("Cross-cutting actions")), "")
            own_refs = refs_after_colon(own) - {"none"}
            assert own_refs == set(expected[rec_id]["actions"]), rec_id
            assert refs_after_colon(cross) == set(expected[rec_id]["cross_cutting_actions"]), rec_id
            seen.add(rec_id)
    assert seen == set(expected), "every recommendation of our authority is on the page"


def test_the_action_plan_filtered_by_each_recommendation(monkeypatch: pytest.MonkeyPatch, seeded_url: str,
                                                         cli_recs: list[dict[str, Any]]) -> None:
    at = open_page(monkeypatch, seeded_url, "pages/action_plan.py")
    plans = at.multiselect(key="f_plan").options
    at.multiselect(key="f_plan").set_value([p.removesuffix(" (history)") for p in plans]).run()
    for rec in (r for r in cli_recs if r["authority"] == "Barnet"):
        at.multiselect(key="f_rec").set_value([rec["id"]]).run()
        assert not at.exception, at.exception
        table = at.dataframe[0].value
        data = getattr(table, "data", table)
        assert sorted(data["Ref"]) == sorted(rec["actions"] + rec["cross_cutting_actions"]), rec["id"]


def test_each_board_step_lists_the_same_actions(engine: Engine, cli_recs: list[dict[str, Any]]) -> None:
    steps = [s for s in board.agenda(engine) if s.kind == "recommendation"]
    by_id: dict[str, tuple[set[str], set[str]]] = {}
    for step in steps:
        own, cross = by_id.setdefault(step.facts["id"], (set(), set()))
        own.update(step.table["Ref"])
        cross.update(step.facts["cross_refs"])
        assert len(step.table) <= board.ROWS_PER_VIEW
    current = {r["id"]: r for r in cli_recs if r["current"] and r["authority"] == "Barnet"}
    assert set(by_id) == set(current), "one step (or several pages) per recommendation of the current programme"
    for rec_id, (own, cross) in by_id.items():
        assert own == set(current[rec_id]["actions"]) and cross == set(current[rec_id]["cross_cutting_actions"])


def test_the_powerpoint_and_pdf_packs_list_the_same_actions(board_pack: pack_mod.BoardPack,
                                                           cli_recs: list[dict[str, Any]]) -> None:
    sections = [s for s in board_pack.sections if s.kind == "recommendation"]
    current = {r["id"]: r for r in cli_recs if r["current"] and r["authority"] == "Barnet"}
    titles = {s.title: s.key.removeprefix("rec-") for s in sections}
    assert set(titles.values()) == set(current)

    prs = Presentation(io.BytesIO(pptx_pack.to_pptx(board_pack)))
    slides: dict[str, tuple[set[str], set[str]]] = {}
    for slide in prs.slides:
        title = re.sub(r" \(\d+ of \d+\)$", "", slide.shapes.title.text)
        if title not in titles:
            continue
        own, cross = slides.setdefault(titles[title], (set(), set()))
        for shape in slide.shapes:
            if shape.has_table and shape.table.cell(0, 0).text == "Ref":
                own.update(row.cells[0].text for row in list(shape.table.rows)[1:])
            text = " ".join(shape.text_frame.text.split()) if shape.has_text_frame else ""
            if "cross-cutting action" in text and "every recommendation':" in text:
                cross.update(refs_after_colon(text.split("every recommendation'", 1)[-1]))
    assert set(slides) == set(current)
    for rec_id, (own, cross) in slides.items():
        assert own == set(current[rec_id]["actions"]), rec_id
        assert cross == set(current[rec_id]["cross_cutting_actions"]), rec_id

    reader = PdfReader(io.BytesIO(pdf_pack.to_pdf(board_pack)))
    starts = sorted((reader.get_destination_page_number(o), o.title) for o in reader.outline if not isinstance(o, list))
    for i, (page, title) in enumerate(starts):
        if title not in titles:
            continue
        end = starts[i + 1][0] if i + 1 < len(starts) else len(reader.pages) - 1
        text = " ".join(" ".join(reader.pages[p].extract_text().split()) for p in range(page, max(page, end) + 1))
        rec = current[titles[title]]
        for ref in rec["actions"]:
            assert re.search(rf"(?<![\d.]){re.escape(ref)}(?![\d])", text), (title, ref)
        if rec["cross_cutting_actions"]:
            assert f"{len(rec['cross_cutting_actions'])} cross-cutting action" in text, title


def test_rag_counts_agree_on_the_overview_the_board_and_the_packs(
    monkeypatch: pytest.MonkeyPatch, seeded_url: str, engine: Engine, board_pack: pack_mod.BoardPack
) -> None:
    at = open_page(monkeypatch, seeded_url, "pages/overview.py")
    metrics = [m.value for m in at.metric]
    overview = {"green": int(metrics[0]), "amber": int(metrics[1]), "red": int(metrics[2]), "overdue": int(metrics[3])}
    facts = board.agenda(engine)[0].facts["actions"]
    assert overview == {k: facts[k] for k in overview}
    assert {k: board_pack.action_counts[k] for k in ("green", "amber", "red")} == \
        {k: overview[k] for k in ("green", "amber", "red")}
    assert int(board_pack.actions["overdue"].sum()) == overview["overdue"]
    kpis = {"green": int(metrics[4]), "amber": int(metrics[5]), "red": int(metrics[6]), "none": int(metrics[7])}
    assert kpis == {k: board.agenda(engine)[0].facts["kpis"][k] for k in kpis} == \
        {k: board_pack.kpi_counts[k] for k in kpis}
    prs = Presentation(io.BytesIO(pptx_pack.to_pptx(board_pack)))
    rows = []
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_table:
                rows += [[c.text for c in row.cells] for row in shape.table.rows]
    total_row = next(r for r in rows if r[0] == "Actions – current programme")
    assert [int(v) for v in total_row[1:4]] == [overview["green"], overview["amber"], overview["red"]]
