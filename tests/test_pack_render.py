"""Packs that look right (issue 12): every slide's text fits its box, measured with the font the
slides are rendered in; the PowerPoint pack renders headless with LibreOffice to as many pages as it
has slides, and the PDF pack to pages (PNGs of both under test-output/packs/, to look at); KPI charts
show their figures and the target, on a y axis that starts at zero only when the figures are near it.

The measuring here is the test's own (PIL and DejaVu Sans, found with fc-match), not the writer's.
"""

from __future__ import annotations

import io
import itertools
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops, ImageFont
from pptx import Presentation
from pptx.util import Inches, Pt
from pypdf import PdfReader
from sqlalchemy import Engine

from lib import charts, store
from lib.exports import pack as pack_mod
from lib.exports import pdf_pack, pptx_pack
from lib.exports.pack import BoardPack

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "test-output" / "packs"
EMU_PT = 12700  # EMU per point
TOLERANCE_PT = 0.5
DEFAULT_PT = 18  # what a run without a size is set in (the default text style)


# --- measuring: the test's own ------------------------------------------------------------------------


def _font_file(pattern: str, fallback: str) -> str | None:
    if shutil.which("fc-match"):
        found = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True,
                               check=False).stdout.strip()
        if found and "DejaVuSans" in Path(found).name:
            return found
    path = Path("/usr/share/fonts/truetype/dejavu") / fallback
    return str(path) if path.is_file() else None


@dataclass
class Measure:
    """Text widths and line heights in points, from DejaVu Sans (LibreOffice's stand-in for Calibri here,
    and wider than Calibri, so what fits here fits in PowerPoint)."""

    regular: Any
    bold: Any

    SIZE = 200  # px the fonts are loaded at; widths scale linearly

    @classmethod
    def load(cls) -> Measure:
        files = (_font_file("DejaVu Sans:style=Book", "DejaVuSans.ttf"),
                 _font_file("DejaVu Sans:style=Bold", "DejaVuSans-Bold.ttf"))
        if None in files:
            pytest.skip("DejaVu Sans is not installed (fonts-dejavu-core): cannot measure slide text")
        return cls(*(ImageFont.truetype(f, cls.SIZE) for f in files))

    def width(self, text: str, size: float, bold: bool) -> float:
        return float((self.bold if bold else self.regular).getlength(text)) * size / self.SIZE

    def line(self, size: float, bold: bool = False) -> float:
        ascent, descent = (self.bold if bold else self.regular).getmetrics()
        return (ascent + descent) * size / self.SIZE

    def paragraph_height(self, runs: list[tuple[str, float, bool]], width: float) -> float:
        """Points a paragraph of (text, size, bold) runs takes, wrapped greedily at spaces to ``width``."""
        if not runs:
            return self.line(DEFAULT_PT)
        # words as lists of styled pieces (a word may span runs), each with the space before it
        words: list[tuple[float, float, float]] = []  # (space before, width, size)
        space = 0.0
        current: list[tuple[str, float, bool]] = []

        def end_word() -> None:
            nonlocal current, space
            if current:
                words.append((space, sum(self.width(t, s, b) for t, s, b in current), max(s for _t, s, _b in current)))
                current, space = [], 0.0

        for text, size, bold in runs:
            for piece in re.split(r"(\s+)", text):
                if not piece:
                    continue
                if piece.isspace():
                    end_word()
                    space += self.width(" " * len(piece.replace("\n", " ")), size, bold)
                else:
                    current.append((piece, size, bold))
        end_word()
        if not words:
            return self.line(max(s for _t, s, _b in runs))
        heights: list[float] = []
        line_w, line_size = 0.0, 0.0
        for gap, w, size in words:
            if line_w and line_w + gap + w > width:
                heights.append(self.line(line_size))
                line_w, line_size = 0.0, 0.0
            if not line_w and w > width:  # one word wider than the box breaks over lines
                while w > width:
                    heights.append(self.line(size))
                    w -= width
            line_w += (gap if line_w else 0.0) + w
            line_size = max(line_size, size)
        heights.append(self.line(line_size))
        return sum(heights)

    def frame_height(self, frame: Any, width: float) -> float:
        total = 0.0
        for para in frame.paragraphs:
            runs = [(r.text, r.font.size.pt if r.font.size else DEFAULT_PT, bool(r.font.bold)) for r in para.runs]
            total += (para.space_before.pt if para.space_before is not None else 0.0) + self.paragraph_height(runs,
                                                                                                            width)
        return total


@dataclass
class Box:
    name: str
    left: float  # points
    top: float
    right: float
    bottom: float

    def overlaps(self, other: Box) -> bool:
        return (min(self.right, other.right) - max(self.left, other.left) > TOLERANCE_PT
                and min(self.bottom, other.bottom) - max(self.top, other.top) > TOLERANCE_PT)


def _pt(emu: Any) -> float:
    return float(emu or 0) / EMU_PT


def _describe(shape: Any) -> str:
    text = shape.text_frame.text if shape.has_text_frame else ("table" if shape.has_table else shape.name)
    return f"{shape.name} {' '.join(text.split())[:50]!r}"


def slide_problems(slide: Any, slide_w: float, slide_h: float, measure: Measure) -> list[str]:
    """What does not fit on a slide: text taller than its box, a table taller (once its rows grow to their
    text) than the room it was given, shapes off the slide or on top of each other."""
    problems: list[str] = []
    boxes: list[Box] = []
    for shape in slide.shapes:
        left, top, width, height = _pt(shape.left), _pt(shape.top), _pt(shape.width), _pt(shape.height)
        if shape.has_text_frame:
            frame = shape.text_frame
            inner_w = width - _pt(frame.margin_left) - _pt(frame.margin_right)
            inner_h = height - _pt(frame.margin_top) - _pt(frame.margin_bottom)
            need = measure.frame_height(frame, inner_w)
            if need > inner_h + TOLERANCE_PT:
                problems.append(f"{_describe(shape)}: text needs {need:.1f} pt, the box holds {inner_h:.1f} pt")
        elif shape.has_table:
            table = shape.table
            widths = [_pt(c.width) for c in table.columns]
            height = 0.0
            for r, row in enumerate(table.rows):
                need = 0.0
                for c, cell in enumerate(row.cells):
                    inner_w = widths[c] - _pt(cell.margin_left) - _pt(cell.margin_right)
                    need = max(need, measure.frame_height(cell.text_frame, inner_w) + _pt(cell.margin_top)
                               + _pt(cell.margin_bottom))
                if need > _pt(row.height) + TOLERANCE_PT:
                    problems.append(f"{_describe(shape)} row {r}: text needs {need:.1f} pt, the row is "
                                    f"{_pt(row.height):.1f} pt (it grows when rendered)")
                height += max(_pt(row.height), need)
            width = sum(widths)
        box = Box(_describe(shape), left, top, left + width, top + height)
        if box.left < -TOLERANCE_PT or box.top < -TOLERANCE_PT or box.right > slide_w + TOLERANCE_PT \
                or box.bottom > slide_h + TOLERANCE_PT:
            problems.append(f"{box.name}: off the slide ({box.left:.0f}, {box.top:.0f}, {box.right:.0f}, "
                            f"{box.bottom:.0f} pt on {slide_w:.0f} x {slide_h:.0f})")
        boxes.append(box)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a.overlaps(b):
                problems.append(f"{a.name} overlaps {b.name}")
    return problems


def deck_problems(prs: Any, measure: Measure) -> list[str]:
    w, h = _pt(prs.slide_width), _pt(prs.slide_height)
    out = []
    for n, slide in enumerate(prs.slides, start=1):
        title = slide.shapes.title.text if slide.shapes.title is not None else ""
        out.extend(f"slide {n} ({title[:40]}): {p}" for p in slide_problems(slide, w, h, measure))
    return out


# --- fixtures ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def measure() -> Measure:
    return Measure.load()


@pytest.fixture(scope="module")
def engine(seeded_url: str) -> Engine:
    return store.get_engine(seeded_url)


@pytest.fixture(scope="module")
def board_pack(engine: Engine) -> BoardPack:
    return pack_mod.build_pack(engine, since=None)


@pytest.fixture(scope="module")
def pptx_bytes(board_pack: BoardPack) -> bytes:
    return pptx_pack.to_pptx(board_pack)


def _tools(*names: str) -> None:
    missing = [n for n in names if shutil.which(n) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not on PATH: install libreoffice-impress and poppler-utils "
                    "(scripts/test.sh does, as root) to render the packs")


def _pngs(pdf: Path, into: Path, stem: str) -> list[Path]:
    """The PDF's pages as PNGs at 50 dpi in ``into`` (old ones removed first)."""
    into.mkdir(parents=True, exist_ok=True)
    for old in into.glob(f"{stem}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(into / stem)], check=True, capture_output=True,
                   timeout=120)
    return sorted(into.glob(f"{stem}-*.png"))


def _not_blank(png: Path) -> bool:
    with Image.open(png) as im:
        rgb = im.convert("RGB")
        return ImageChops.difference(rgb, Image.new("RGB", rgb.size, "white")).getbbox() is not None


# --- the checks can fail -------------------------------------------------------------------------------


def test_the_measure_reports_text_that_overflows(measure: Measure) -> None:
    prs = Presentation()
    prs.slide_width, prs.slide_height = pptx_pack.SLIDE_W, pptx_pack.SLIDE_H
    w, h = _pt(prs.slide_width), _pt(prs.slide_height)
    slide = prs.slides.add_slide(prs.slide_layouts[6])  # blank
    ok = slide.shapes.add_textbox(Inches(0.5), Inches(0.5), Inches(4), Inches(0.5))
    ok.text_frame.word_wrap = True
    run = ok.text_frame.paragraphs[0].add_run()
    run.text, run.font.size = "Fits on one line", Pt(14)
    assert slide_problems(slide, w, h, measure) == []

    small = slide.shapes.add_textbox(Inches(5), Inches(0.5), Inches(1.5), Inches(0.4))
    small.text_frame.word_wrap = True
    run = small.text_frame.paragraphs[0].add_run()
    run.text, run.font.size = "A deliberately long sentence that cannot fit in a box this small " * 3, Pt(14)
    problems = slide_problems(slide, w, h, measure)
    assert len(problems) == 1 and "text needs" in problems[0], problems

    # a table whose rows grow to their text runs off the slide and over a footer placed below it
    table = slide.shapes.add_table(2, 2, Inches(0.5), Inches(6.4), Inches(4), Inches(0.6)).table
    for r in range(2):
        table.rows[r].height = Inches(0.3)
        for c in range(2):
            cell = table.cell(r, c)
            cell.text_frame.text = "words " * 30
            cell.text_frame.paragraphs[0].runs[0].font.size = Pt(14)
    footer = slide.shapes.add_textbox(Inches(0.5), Inches(7.05), Inches(4), Inches(0.35))
    run = footer.text_frame.paragraphs[0].add_run()
    run.text, run.font.size = "Footer", Pt(12)
    problems = slide_problems(slide, w, h, measure)
    assert any("row 0" in p for p in problems) and any("off the slide" in p for p in problems), problems
    assert any("overlaps" in p and "Footer" in p for p in problems), problems

    # 14 pt text just wider than its box takes two lines
    one = measure.width("Measured, not trusted", 14, False)
    assert measure.paragraph_height([("Measured, not trusted", 14, False)], one + 1) == pytest.approx(measure.line(14))
    assert measure.paragraph_height([("Measured, not trusted", 14, False)], one - 1) == pytest.approx(
        2 * measure.line(14))


# --- the PowerPoint pack -------------------------------------------------------------------------------


def test_every_slide_text_fits_its_box(pptx_bytes: bytes, board_pack: BoardPack, measure: Measure) -> None:
    prs = Presentation(io.BytesIO(pptx_bytes))
    problems = deck_problems(prs, measure)
    assert not problems, "\n".join(problems)
    total = len(prs.slides)
    for n, slide in enumerate(prs.slides, start=1):
        title = slide.shapes.title
        assert title is not None and title.text.strip(), f"slide {n} has no title"
        content = [s for s in slide.shapes if s.shape_id != title.shape_id
                   and not (s.has_text_frame and s.text_frame.text in (f"Slide {n} of {total}", board_pack.footer))]
        assert any(s.has_table or s.shape_type == 13 or (s.has_text_frame and s.text_frame.text.strip())
                   for s in content), f"slide {n} ({title.text}) shows nothing under its title"
        assert all(s.text_frame.auto_size == 0 for s in slide.shapes if s.has_text_frame), \
            f"slide {n}: a box left to the viewer's autofit"  # MSO_AUTO_SIZE.NONE: the box is what was measured


def test_the_pptx_pack_renders_one_page_per_slide(pptx_bytes: bytes, tmp_path: Path) -> None:
    _tools("soffice", "pdftoppm")
    started = time.monotonic()
    deck = tmp_path / "pack.pptx"
    deck.write_bytes(pptx_bytes)
    profile = (tmp_path / "lo-profile").as_uri()  # a private profile: parallel runs do not clash
    done = subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                           "--outdir", str(tmp_path), str(deck)], capture_output=True, text=True, timeout=240,
                          check=False)
    rendered = tmp_path / "pack.pdf"
    assert done.returncode == 0 and rendered.is_file(), done.stderr or done.stdout
    slides = len(Presentation(io.BytesIO(pptx_bytes)).slides)
    pages = PdfReader(rendered).pages
    assert len(pages) == slides
    OUT.mkdir(parents=True, exist_ok=True)
    shutil.copy(deck, OUT / "pack.pptx")
    shutil.copy(rendered, OUT / "pack-pptx.pdf")
    pngs = _pngs(rendered, OUT / "pptx", "slide")
    assert len(pngs) == slides and all(_not_blank(p) for p in pngs)
    for n, page in enumerate(pages, start=1):  # each footer rendered on its own page, in order
        assert f"Slide {n} of {slides}" in " ".join(page.extract_text().split())
    assert time.monotonic() - started < 240


# --- the PDF pack --------------------------------------------------------------------------------------


def test_the_pdf_pack_renders_with_left_aligned_headings(board_pack: BoardPack, tmp_path: Path) -> None:
    _tools("pdftoppm", "pdftotext")
    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(pdf_pack.to_pdf(board_pack))
    pages = len(PdfReader(pdf).pages)
    OUT.mkdir(parents=True, exist_ok=True)
    shutil.copy(pdf, OUT / "pack.pdf")
    pngs = _pngs(pdf, OUT / "pdf", "page")
    assert len(pngs) == pages > 3 and all(_not_blank(p) for p in pngs)
    # the longest heading wraps; left-aligned, the gaps between its words are spaces, not justified stretches
    longest = max((s.title for s in board_pack.sections), key=len)
    words = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True,
                           timeout=120).stdout
    found = [(float(m[1]), float(m[2]), float(m[3]), float(m[4]), m[5]) for m in
             re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
                         words)]
    heading = longest.split()
    start = next(i for i in range(len(found)) if [w[4] for w in found[i:i + 3]] == heading[:3])
    first_line = [w for w in found[start:start + len(heading)] if w[1] == found[start][1]]
    assert 2 < len(first_line) < len(heading), "the longest heading takes two lines"
    height = first_line[0][3] - first_line[0][1]
    gaps = [b[0] - a[2] for a, b in itertools.pairwise(first_line)]
    assert max(gaps) < 0.5 * height, f"word gaps {gaps} in a {height:.1f} pt heading line: justified?"


# --- the charts ----------------------------------------------------------------------------------------


def test_y_domain_covers_the_figures_and_includes_zero_only_near_it() -> None:
    lo, hi = charts.y_domain([60.0, 60.0], [None, 63.0])  # FS/S7: value and target far from zero
    assert 59 < lo < 60 and 63 < hi < 64
    lo, hi = charts.y_domain([14.0, 28.0], [10.0, 15.0], [16.0, 26.0])  # the target is the lowest figure
    assert 0 < lo < 10 and hi > 28
    assert charts.y_domain([5.0, 15.0]) == [0.0, pytest.approx(16.2)]  # near zero: zero included
    assert charts.y_domain([0.0, 12.0])[0] == 0.0  # never below zero for figures that are not
    lo, hi = charts.y_domain([-1.66], [-1.14], [-0.9])
    assert lo < -1.66 and -0.9 < hi < 0
    assert charts.y_domain([3.0]) == [pytest.approx(2.85), pytest.approx(3.15)]
    assert charts.y_domain([], [None]) is None


def _y_domains(chart: Any) -> list[list[float]]:
    spec = chart.to_dict()
    return [layer["encoding"]["y"]["scale"]["domain"] for layer in spec["layer"]
            if "y" in layer.get("encoding", {}) and "domain" in layer["encoding"]["y"].get("scale", {})]


def test_every_kpi_chart_shows_its_figures_and_target(board_pack: BoardPack) -> None:
    kpis = [s for s in board_pack.sections if s.kind == "kpi" and s.chart is not None]
    assert kpis
    for section in kpis:
        spec = section.chart.chart.to_dict()  # type: ignore[union-attr]
        domains = _y_domains(section.chart.chart)  # type: ignore[union-attr]
        assert domains and all(d == domains[0] for d in domains), section.title  # one scale for every layer
        lo, hi = domains[0]
        figures = [r[k] for rows in spec["datasets"].values() for r in rows for k in ("value", "target")
                   if isinstance(r.get(k), int | float)]
        assert lo < min(figures) or lo == 0 <= min(figures), section.title
        assert hi > max(figures), section.title
    fs7 = next(s for s in kpis if s.key == "kpi-FS/S7")
    lo, hi = _y_domains(fs7.chart.chart)[0]  # type: ignore[union-attr]
    assert 55 < lo < 60 < 63 < hi < 65, "FS/S7: the axis starts near the value, the target shows"

