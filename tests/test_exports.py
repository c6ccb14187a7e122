"""Board packs: the content built once, and the PowerPoint, PDF and Excel written from it."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator

import openpyxl
import pandas as pd
import pytest
from pptx import Presentation
from pptx.util import Pt
from pypdf import PdfReader
from sqlalchemy import Engine

from lib import milestones, periods, store, vocab
from lib.exports import pack as pack_mod
from lib.exports import pdf_pack, pptx_pack, render, xlsx_pack
from lib.exports.pack import FILLS, BoardPack
from lib.read import base, programme
from lib.read import kpis as kpi_model
from tests.test_changes import action_return

RAG_WORDS = ("Green", "Amber", "Red", "Blue", "No RAG", "Not reported", "None", "No value", "New action")
LEAD = "Divisional Director Performance and Improvement"


def flat(text: str) -> str:
    return " ".join(text.split())


def formula_sheets(data: bytes) -> list[str]:
    """Worksheets of an .xlsx holding any formula element (what openpyxl reports as data_type "f")."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [n for n in z.namelist() if n.startswith("xl/worksheets/") and re.search(rb"<f[ >/]", z.read(n))]


@pytest.fixture(scope="module")
def engine(seeded_url: str) -> Engine:
    return store.get_engine(seeded_url)


@pytest.fixture(scope="module")
def board_pack(engine: Engine) -> BoardPack:
    return pack_mod.build_pack(engine, since=None)


@pytest.fixture(scope="module")
def deck(board_pack: BoardPack) -> Iterator[object]:
    yield Presentation(io.BytesIO(pptx_pack.to_pptx(board_pack)))


@pytest.fixture(scope="module")
def pdf(board_pack: BoardPack) -> PdfReader:
    return PdfReader(io.BytesIO(pdf_pack.to_pdf(board_pack)))


@pytest.fixture(scope="module")
def red_kpi(engine: Engine) -> pd.Series:
    latest = kpi_model.latest_kpis(engine)
    red = latest[(latest["rag"] == "red") & latest["commentary"].notna()]
    assert not red.empty, "the sample has red KPIs with commentary"
    return red.iloc[0]


def slide_text(slide: object) -> str:
    parts = []
    for shape in slide.shapes:  # type: ignore[attr-defined]
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if shape.has_table:
            parts.extend(cell.text for row in shape.table.rows for cell in row.cells)
    return flat(" ".join(parts))


def titles(deck: object) -> list[str]:
    return [s.shapes.title.text for s in deck.slides]  # type: ignore[attr-defined]


# --- the content ------------------------------------------------------------------------------------


def test_pack_content(engine: Engine, board_pack: BoardPack) -> None:
    assert board_pack.authority == "Barnet" and board_pack.as_at == base.as_at_date(engine)
    assert board_pack.since == dt.date(2019, 5, 31)  # one month before 30 June 2019
    assert board_pack.inspection == "SIF 2017 and LSCB review 2017"  # the current programme answers both
    kinds = [s.kind for s in board_pack.sections]
    assert kinds[0] == "overview" and kinds[-2:] == ["changes", "judgements"]
    recs = [s for s in board_pack.sections if s.kind == "recommendation"]
    assert [s.title for s in recs[:3]] == ["Recommendation 1", "Recommendation 2", "Recommendation 3"]
    assert len(recs) == 19 + 5  # the SIF's 19 and the LSCB review's 5
    assert "Recommendation OR 1" in [s.title for s in recs]
    red = set(board_pack.red_kpis["ref"])
    latest = kpi_model.latest_kpis(engine)
    expected = set(latest[(latest["rag"] == "red") | (latest["reported_rag"] == "red")]["ref"])
    assert red == expected
    assert {s.key for s in board_pack.sections if s.kind == "kpi"} == {f"kpi-{r}" for r in red}
    assert board_pack.action_counts == vocab.rag_counts(programme.programme(engine).current_actions["rag"])
    for section in board_pack.sections:
        for table in section.tables:
            for row, fills in zip(table.rows, table.fills, strict=True):
                assert len(row) == len(fills) == len(table.columns)
                for cell, fill in zip(row, fills, strict=True):
                    if fill in FILLS and not fill.startswith("grade") and section.kind != "overview":
                        words = (*RAG_WORDS, *milestones.STATUS_LABELS.values())  # a fill always has its word
                        assert any(w in cell for w in words), (section.title, cell)


def test_month_before() -> None:
    assert periods.month_before(dt.date(2019, 6, 30)) == dt.date(2019, 5, 31)
    assert periods.month_before(dt.date(2019, 3, 31)) == dt.date(2019, 2, 28)
    assert periods.month_before(dt.date(2019, 3, 15)) == dt.date(2019, 2, 15)
    assert periods.month_before(dt.date(2019, 1, 10)) == dt.date(2018, 12, 10)


# --- PowerPoint ----------------------------------------------------------------------------------------


def test_pptx_slides(deck: object, board_pack: BoardPack, red_kpi: pd.Series) -> None:
    prs = deck
    assert prs.slide_width * 9 == prs.slide_height * 16  # type: ignore[attr-defined]
    names = titles(prs)
    assert names[0] == "Improvement board pack"
    assert "Barnet" in slide_text(prs.slides[0]) and "As at 30 Jun 2019" in slide_text(prs.slides[0])  # type: ignore[attr-defined]
    for expected in ("Where the programme stands", "What changed since 31 May 2019", "Latest Ofsted judgements",
                     "Actions whose RAG or status changed"):
        assert expected in names
    assert any(n.startswith("Recommendation 1") for n in names)
    kpi_slides = [s for s in prs.slides if s.shapes.title.text.startswith(f"{red_kpi['ref']} · ")]  # type: ignore[attr-defined]
    assert len(kpi_slides) == 1
    text = slide_text(kpi_slides[0])
    assert flat(red_kpi["commentary"])[:60] in text
    assert "Red" in text and "Derived RAG" in text
    pictures = [s for s in kpi_slides[0].shapes if s.shape_type == 13]
    assert len(pictures) == 1 and "Trend of" in pictures[0]._element.nvPicPr.cNvPr.get("descr")
    # every slide says whose pack it is and as at when
    for slide in prs.slides:  # type: ignore[attr-defined]
        assert "Barnet" in slide_text(slide) and "as at 30 Jun 2019" in slide_text(slide)


def test_pptx_tables_are_real_readable_and_short(deck: object) -> None:
    tables = 0
    for slide in deck.slides:  # type: ignore[attr-defined]
        for shape in slide.shapes:
            if shape.has_table:
                tables += 1
                assert len(shape.table.rows) - 1 <= pptx_pack.MAX_ROWS
                for row in shape.table.rows:
                    for cell in row.cells:
                        for para in cell.text_frame.paragraphs:
                            for run in para.runs:
                                assert run.font.size >= Pt(14)
                assert shape.top + shape.height <= pptx_pack.Inches(pptx_pack.FOOTER_TOP + 0.02)
            elif shape.has_text_frame and "Slide" not in shape.text_frame.text:
                for para in shape.text_frame.paragraphs:
                    for run in para.runs:
                        if "as at" not in run.text:  # the footer line is 12 pt
                            assert run.font.size is None or run.font.size >= Pt(14)
    assert tables > 20


def test_pptx_filtered_by_lead_officer(engine: Engine) -> None:
    acts = programme.actions(engine)
    assert LEAD in set(acts["lead_officer"])
    filtered = pack_mod.build_pack(engine, since=None, lead_officers=[LEAD])
    assert set(filtered.actions["lead_officer"]) == {LEAD}
    prs = Presentation(io.BytesIO(pptx_pack.to_pptx(filtered)))
    assert f"Lead officer: {LEAD}" in slide_text(prs.slides[0])
    seen: set[str] = set()
    for slide in prs.slides:
        title = slide.shapes.title.text
        if not (title.startswith("Recommendation") or title.startswith("Actions answering every")):
            continue
        for shape in slide.shapes:
            if shape.has_table and shape.table.cell(0, 0).text == "Ref":
                heads = [c.text for c in shape.table.rows[0].cells]
                lead_col = heads.index("Lead officer")
                for row in list(shape.table.rows)[1:]:
                    assert row.cells[lead_col].text == LEAD
                    seen.add(row.cells[0].text)
    current = acts[(acts["plan"] == "FSIAP-2017") & (acts["lead_officer"] == LEAD)]
    assert seen == set(current["ref"]) and seen
    # fewer recommendation slides than the unfiltered pack: recommendations with none of these actions are left out
    assert sum(1 for s in filtered.sections if s.kind == "recommendation") < 19


# --- PDF ------------------------------------------------------------------------------------------------


def test_pdf_pages(pdf: PdfReader, red_kpi: pd.Series) -> None:
    pages = [flat(p.extract_text()) for p in pdf.pages]
    assert len(pages) > 3
    for n, page in enumerate(pages, start=1):
        assert "Barnet" in page and "as at 30 Jun 2019" in page
        assert f"Page {n} of {len(pages)}" in page
    everything = " ".join(pages)
    assert red_kpi["ref"] in everything
    assert flat(red_kpi["commentary"])[:60] in everything
    assert "Where the programme stands" in pages[1]
    assert "What changed since 31 May 2019" in everything and "Latest Ofsted judgements" in everything
    assert pdf.metadata is not None and "Barnet" in (pdf.metadata.title or "")


def test_pdf_without_a_unicode_font(monkeypatch: pytest.MonkeyPatch, board_pack: BoardPack) -> None:
    monkeypatch.setattr(pdf_pack, "find_font", lambda: None)
    reader = PdfReader(io.BytesIO(pdf_pack.to_pdf(board_pack)))
    first = flat(reader.pages[1].extract_text())
    assert "Barnet" in first and "Green" in first
    assert pdf_pack.latin1("✖ Red — 2019 → “ok” … Zoë") == "Red - 2019 -> \"ok\" ... Zoë"


# --- Excel --------------------------------------------------------------------------------------------


def test_xlsx_pack_respects_the_filters_the_other_packs_respect(engine: Engine) -> None:
    filtered = pack_mod.build_pack(engine, lead_officers=[LEAD], themes=["Safeguarding"])
    book = openpyxl.load_workbook(io.BytesIO(xlsx_pack.to_xlsx(engine, filtered)), read_only=True)
    actions = list(book["Actions"].iter_rows(min_row=2, values_only=True))
    assert actions and {(r[0], r[1]) for r in actions} == set(zip(filtered.actions["plan"], filtered.actions["ref"],
                                                                   strict=True))
    assert {r[3] for r in actions} == {LEAD}
    kpi_refs = {r[0] for r in book["KPIs"].iter_rows(min_row=2, values_only=True)}
    assert kpi_refs == set(filtered.kpis["ref"]) and kpi_refs
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert LEAD in summary["Filters"]
    book.close()


def test_xlsx_has_summary_and_no_formulas(engine: Engine, board_pack: BoardPack, red_kpi: pd.Series) -> None:
    data = xlsx_pack.to_xlsx(engine, board_pack)
    assert formula_sheets(data) == []
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert book.sheetnames == ["Summary", "Actions", "KPIs", "Board pack"]
    for name in book.sheetnames:
        for row in book[name].iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{name}!{cell.coordinate}"
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Authority"] == "Barnet"
    assert summary["As at"].date() == dt.date(2019, 6, 30)
    assert f"Red KPI {red_kpi['ref']}" in summary
    from tests.screen_text import is_raw

    raw = [(name, c.coordinate, c.value) for name in book.sheetnames for row in book[name].iter_rows() for c in row
           if isinstance(c.value, str) and is_raw("table", c.value, ("302",))]
    assert not raw, raw[:10]
    titles = [r[0] for r in book["Board pack"].iter_rows(values_only=True) if r and r[0]]
    assert "Where the programme stands" in titles and any(str(t).startswith("Recommendation ") for t in titles)
    book.close()


def test_user_text_stays_text_in_every_format(fresh_seeded_url: str) -> None:
    engine = store.get_engine(fresh_seeded_url)
    store.init_db(engine)
    hostile = '=HYPERLINK("http://example.com","click") <b>bold</b> \x07bell'
    data = action_return([["FSIAP-2017", "1.16", dt.date(2019, 7, 31), "In progress", "Red", hostile]])
    from lib.returns import pipeline

    assert pipeline.import_bytes(engine, data, "hostile.xlsx").outcome == "imported"
    acts = programme.actions(engine)
    stored = acts[(acts["plan"] == "FSIAP-2017") & (acts["ref"] == "1.16")].iloc[0]["latest_commentary"]
    assert stored.startswith('=HYPERLINK("http://example.com","click")')  # as the importer kept it
    built = pack_mod.build_pack(engine, since=dt.date(2019, 6, 30))
    data = render(engine, built, "xlsx")
    assert formula_sheets(data) == []
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    row = next(r for r in book["Actions"].iter_rows(values_only=True) if r[0] == "FSIAP-2017" and r[1] == "1.16")
    assert row[-1] == stored, "the latest update as typed, a string cell"
    assert all(c.data_type != "f" for name in book.sheetnames for row in book[name].iter_rows() for c in row)
    book.close()
    prs = Presentation(io.BytesIO(render(engine, built, "pptx")))
    everything = " ".join(slide_text(s) for s in prs.slides)
    assert flat(stored) in everything
    reader = PdfReader(io.BytesIO(render(engine, built, "pdf")))
    assert "HYPERLINK" in " ".join(p.extract_text() for p in reader.pages)
    with pytest.raises(ValueError, match="unknown board-pack format"):
        render(engine, built, "docx")
