"""The board pack as a PowerPoint deck (16:9), written with python-pptx.

Every slide has a real title (so the outline and screen readers see it), tables are real
tables (text + fill, the RAG word always in the cell), charts are static PNGs rendered by
vl-convert (no browser) with their description as alt text, and every slide carries the
authority, the as-at date and "n of N" in its footer. Body text is 14 pt or larger. User text
goes in as plain text runs.

Nothing is left to the viewer's autofit: every box is sized from the text it holds, measured
with DejaVu Sans's metrics (wider than Calibri, the theme font, so what fits here fits in
PowerPoint too, and it is the font LibreOffice substitutes where Calibri is missing). A title
that is too long gets smaller type and two lines; a table or a commentary that does not fit
continues on "(n of m)" slides; only text that would not fit even then is shortened with "…".
"""

from __future__ import annotations

import functools
import io
import math
import re
from dataclasses import dataclass
from typing import Any

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.presentation import Presentation as PresentationType
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from lib import formatting
from lib.exports.pack import ACCENT, FILLS, TEXT_COLOUR, BoardPack, Section, Table, paginate

SLIDE_W, SLIDE_H = Emu(12192000), Emu(6858000)  # 13.333 x 7.5 in
SLIDE_W_IN = 13.333
MARGIN = 0.5  # inches
CONTENT_W = SLIDE_W_IN - 2 * MARGIN
BODY_PT = 14
TABLE_PT = 14
PARA_PT = 16  # a recommendation's text
SUB_PT = 15
TITLE_PT = (28, 24, 20)  # a title takes the largest size that sets it on one line, else two lines
MAX_ROWS = 12
FOOTER_TOP = 7.0
GREY = "#555555"
INSET = 0.04  # text box insets, inches
CELL_X, CELL_Y = 0.06, 0.04  # table cell margins, inches
LINE_SPACING = 1.2  # line height as a multiple of the type size (DejaVu Sans needs 1.17)
ROW_SLACK = 0.03  # inches added to each table row over its measured text
WIDTH_SLACK = 0.985  # share of a box's width the measured text may use (kerning, rounding)
GAP = 0.1  # between blocks, inches
MAX_CONTINUATIONS = 3  # slides a KPI's commentary may take beyond its first
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE = re.compile(r"\s+")

Run = tuple[str, float, bool]  # text, size in points, bold


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def _plain(value: Any) -> str:
    """User text as plain text: control characters removed (they are invalid in the XML) and line
    breaks made spaces (a run is one line of flowing text; the layout measures it so)."""
    text = formatting.text(value) if not isinstance(value, str) else value
    return _CONTROL.sub("", text.replace("\r\n", " ").replace("\n", " ").replace("\r", " "))


# --- measuring text ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _font(bold: bool) -> Any:
    """DejaVu Sans (bold) at 100 px for measuring, or None when it is not installed."""
    from PIL import ImageFont

    from lib.exports.pdf_pack import find_font

    paths = find_font()
    if paths is None:
        return None
    try:
        return ImageFont.truetype(str(paths["B" if bold else ""]), 100)
    except OSError:
        return None


@functools.lru_cache(maxsize=65536)
def _em_width(text: str, bold: bool) -> float:
    """Width of ``text`` in ems (without a font: 0.62 em a character, wider than DejaVu's average)."""
    font = _font(bold)
    if font is None:
        return len(text) * 0.62
    return float(font.getlength(text)) / 100


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width in inches of ``text`` set at ``size`` points."""
    return _em_width(text, bold) * size / 72


def line_height(size: float) -> float:
    return size * LINE_SPACING / 72


def wrap_lines(runs: list[Run], width: float) -> list[float]:
    """The type size of each line a paragraph of runs takes when wrapped at spaces to ``width`` inches
    (a word wider than the line is broken, as renderers do)."""
    width *= WIDTH_SLACK
    lines: list[float] = []
    used, size_now = 0.0, 0.0
    space = 0.0  # width of the spaces before the pending word
    word_w, word_size = 0.0, 0.0  # the pending word (it may span runs: "Red" then ",")

    def place() -> None:
        nonlocal used, size_now, space, word_w, word_size
        if word_w == 0:
            return
        if used and used + space + word_w > width:
            lines.append(size_now)
            used, size_now, space = 0.0, 0.0, 0.0
        if not used and word_w > width:  # a word longer than the line: broken across lines
            full = math.ceil(word_w / width) - 1
            lines.extend([word_size] * full)
            word_w -= full * width
        used += (space if used else 0.0) + word_w
        size_now = max(size_now, word_size)
        space, word_w, word_size = 0.0, 0.0, 0.0

    for text, size, bold in runs:
        for piece in re.split(r"(\s+)", _plain(text)):
            if not piece:
                continue
            if piece.isspace():
                place()
                space += text_width(" " * len(piece), size, bold)
            else:
                word_w += text_width(piece, size, bold)
                word_size = max(word_size, size)
    place()
    if used or not lines:
        lines.append(size_now or max((s for _t, s, _b in runs), default=BODY_PT))
    return lines


def runs_height(runs: list[Run], width: float) -> float:
    """Height in inches of a paragraph of runs wrapped to ``width`` inches."""
    return sum(line_height(s) for s in wrap_lines(runs, width))


def fit_text(text: str, size: float, width: float, max_lines: int, bold: bool = False) -> str:
    """``text`` (plain, one line of flow) shortened with "…" at a word boundary until it takes at most
    ``max_lines`` lines at ``size`` points across ``width`` inches."""
    text = _SPACE.sub(" ", _plain(text)).strip()
    if len(wrap_lines([(text, size, bold)], width)) <= max_lines:
        return text
    lo, hi = 1, len(text)
    while lo < hi:  # the longest shortening that fits
        mid = (lo + hi + 1) // 2
        if len(wrap_lines([(formatting.shorten(text, mid), size, bold)], width)) <= max_lines:
            lo = mid
        else:
            hi = mid - 1
    return formatting.shorten(text, lo)


def split_runs(runs: list[Run], width: float, height: float) -> tuple[list[Run], list[Run]]:
    """Runs cut at a word so the first part fits ``height`` inches when wrapped to ``width``; the rest
    follows (empty when everything fits). The first part may be empty."""
    if runs_height(runs, width) <= height:
        return runs, []
    words: list[tuple[str, float, bool]] = []
    for text, size, bold in runs:
        words.extend((w, size, bold) for w in re.findall(r"\S+\s*", _plain(text)))

    def head(n: int) -> list[Run]:
        return [(w, s, b) for w, s, b in words[:n]] + [("…", words[n - 1][1], False)] if n else []

    lo, hi = 0, len(words) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if runs_height(_merge(head(mid)), width) <= height:
            lo = mid
        else:
            hi = mid - 1
    rest = [("…", words[lo][1], False), *words[lo:]] if lo else words
    return _merge(head(lo)), _merge(rest)


def _merge(runs: list[Run]) -> list[Run]:
    """Adjacent runs of one style joined into one."""
    out: list[Run] = []
    for text, size, bold in runs:
        if out and out[-1][1:] == (size, bold):
            out[-1] = (out[-1][0] + text, size, bold)
        else:
            out.append((text, size, bold))
    return out


# --- drawing -------------------------------------------------------------------------------------------


def _frame(frame: Any, anchor: Any = MSO_ANCHOR.TOP) -> None:
    """A text frame that wraps, keeps its size (no autofit in any viewer) and has small insets."""
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = anchor
    for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
        setattr(frame, side, Inches(INSET))


@dataclass
class Para:
    """A paragraph of a text box: runs of (text, size, bold), one colour, alignment and space before."""

    runs: list[Run]
    colour: str = TEXT_COLOUR
    align: Any = PP_ALIGN.LEFT
    space_before: float = 0.0  # points

    @classmethod
    def of(cls, text: str, size: float = BODY_PT, *, bold: bool = False, colour: str = TEXT_COLOUR,
           align: Any = PP_ALIGN.LEFT, space_before: float = 0.0) -> Para:
        return cls([(text, size, bold)], colour, align, space_before)


def box_height(paras: list[Para], width: float) -> float:
    """Height a text box needs for ``paras`` at ``width`` inches (its insets included)."""
    inner = width - 2 * INSET
    return sum(p.space_before / 72 + runs_height(p.runs, inner) for p in paras) + 2 * INSET + 0.02


def _text_box(slide: Slide, left: float, top: float, width: float, paras: list[Para],
              height: float | None = None) -> float:
    """A text box sized to its text (or ``height`` when given); returns its bottom (inches)."""
    height = box_height(paras, width) if height is None else height
    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    _frame(frame)
    for i, para in enumerate(paras):
        p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        p.alignment = para.align
        if para.space_before:
            p.space_before = Pt(para.space_before)
        for text, size, bold in para.runs:
            run = p.add_run()
            run.text = _plain(text)
            run.font.size = Pt(size)
            run.font.bold = bold
            run.font.color.rgb = _rgb(para.colour)
    return top + height


# --- titles --------------------------------------------------------------------------------------------


@dataclass
class TitleLayout:
    text: str
    size: int
    height: float
    subtitle: str
    subtitle_height: float

    @property
    def content_top(self) -> float:
        top = 0.3 + self.height + 0.05
        return top + (self.subtitle_height + 0.08 if self.subtitle else 0.0)


def title_layout(title: str, subtitle: str = "") -> TitleLayout:
    """How a slide title (and its subtitle line) is set: the largest size that takes one line, else the
    largest that takes two, else the smallest with the title shortened to two lines."""
    inner = CONTENT_W - 2 * INSET
    text = _SPACE.sub(" ", _plain(title)).strip()
    chosen: tuple[str, int, int] | None = None
    for limit in (1, 2):
        for size in TITLE_PT:
            lines = len(wrap_lines([(text, size, True)], inner))
            if lines <= limit:
                chosen = (text, size, lines)
                break
        if chosen:
            break
    if chosen is None:
        size = TITLE_PT[-1]
        chosen = (fit_text(text, size, inner, 2, bold=True), size, 2)
    text, size, lines = chosen
    sub = fit_text(subtitle, SUB_PT, inner, 2) if subtitle else ""
    sub_h = box_height([Para.of(sub, SUB_PT)], CONTENT_W) if sub else 0.0
    return TitleLayout(text, size, lines * line_height(size) + 2 * INSET + 0.02, sub, sub_h)


def _content_top(title: str, subtitle: str = "", *, pages: bool = False) -> float:
    """Where content starts under a title; with ``pages`` the lowest it may start on any "(n of m)" slide."""
    top = title_layout(title, subtitle).content_top
    return max(top, title_layout(f"{title} (10 of 10)", subtitle).content_top) if pages else top


def _title(slide: Slide, title: str, subtitle: str = "") -> float:
    """Set the slide's title placeholder (and a subtitle line); returns where content may start (inches)."""
    layout = title_layout(title, subtitle)
    shape = _title_shape(slide)
    shape.left, shape.top = Inches(MARGIN), Inches(0.3)
    shape.width, shape.height = Inches(CONTENT_W), Inches(layout.height)
    frame = shape.text_frame
    frame.text = ""
    _frame(frame)
    para = frame.paragraphs[0]
    para.alignment = PP_ALIGN.LEFT
    run = para.add_run()
    run.text = layout.text
    run.font.size = Pt(layout.size)
    run.font.bold = True
    run.font.color.rgb = _rgb(ACCENT)
    if layout.subtitle:
        _text_box(slide, MARGIN, 0.3 + layout.height + 0.05, CONTENT_W, [Para.of(layout.subtitle, SUB_PT, colour=GREY)],
                  layout.subtitle_height)
    return layout.content_top


def _title_shape(slide: Slide) -> Any:
    shape = slide.shapes.title
    if shape is None:  # the "Title Only" layout always has one
        raise RuntimeError("slide layout without a title placeholder")
    return shape


def _new_slide(prs: PresentationType) -> Slide:
    return prs.slides.add_slide(prs.slide_layouts[5])  # "Title Only": a real title placeholder


# --- tables --------------------------------------------------------------------------------------------


def _column_widths(table: Table, width: float) -> list[float]:
    total = sum(table.widths) or 1.0
    return [width * w / total for w in table.widths]


def _cell_height(text: str, width: float, bold: bool = False) -> float:
    return runs_height([(text or " ", TABLE_PT, bold)], width - 2 * CELL_X) + 2 * CELL_Y + ROW_SLACK


def _row_height(row: list[str], widths: list[float], bold: bool = False) -> float:
    return max((_cell_height(cell, widths[c], bold) for c, cell in enumerate(row)), default=0.3)


def _header_height(table: Table, widths: list[float]) -> float:
    return _row_height(table.columns, widths, bold=True)


def _table_height(table: Table, width: float) -> float:
    widths = _column_widths(table, width)
    return _header_height(table, widths) + sum(_row_height(r, widths) for r in table.rows)


def _add_table(slide: Slide, table: Table, left: float, top: float, width: float) -> float:
    """Draw a table page; returns its bottom (inches)."""
    widths = _column_widths(table, width)
    heights = [_header_height(table, widths)] + [_row_height(r, widths) for r in table.rows]
    shape = slide.shapes.add_table(len(table.rows) + 1, len(table.columns), Inches(left), Inches(top),
                                   Inches(width), Inches(sum(heights)))
    grid = shape.table
    grid.first_row = True
    grid.horz_banding = False
    for c, w in enumerate(widths):
        grid.columns[c].width = Inches(w)
    for r, h in enumerate(heights):
        grid.rows[r].height = Inches(h)

    def fill_cell(cell: Any, content: str, *, bold: bool = False, fill: str | None = None,
                  colour: str = TEXT_COLOUR) -> None:
        cell.margin_left = cell.margin_right = Inches(CELL_X)
        cell.margin_top = cell.margin_bottom = Inches(CELL_Y)
        cell.vertical_anchor = MSO_ANCHOR.MIDDLE
        frame = cell.text_frame
        frame.word_wrap = True
        frame.text = ""
        run = frame.paragraphs[0].add_run()
        run.text = _plain(content)
        run.font.size = Pt(TABLE_PT)
        run.font.bold = bold
        run.font.color.rgb = _rgb(colour)
        cell.fill.solid()
        cell.fill.fore_color.rgb = _rgb(fill or "#ffffff")

    for c, name in enumerate(table.columns):
        fill_cell(grid.cell(0, c), name, bold=True, fill=ACCENT, colour="#ffffff")
    for r, row in enumerate(table.rows, start=1):
        for c, content in enumerate(row):
            key = table.fills[r - 1][c] if r - 1 < len(table.fills) else None
            fill_cell(grid.cell(r, c), content, fill=FILLS.get(key) if key else None)
    return top + sum(heights)


def _fit_rows(table: Table, width: float, height: float) -> Table:
    """The table with any row too tall for ``height`` (with the header) on a slide of its own shortened
    (its longest cell, word by word) until it fits."""
    widths = _column_widths(table, width)
    room = height - _header_height(table, widths)
    rows = []
    for row in table.rows:
        row = list(row)
        while _row_height(row, widths) > room and any(len(c) > 1 for c in row):
            c = max(range(len(row)), key=lambda i: len(row[i]))
            row[c] = formatting.shorten(row[c], max(1, int(len(row[c]) * 0.85)))
        rows.append(row)
    return Table(table.columns, rows, table.fills, table.widths, table.caption, table.empty, table.slide_limits,
                 table.width)


def _table_pages(table: Table, width: float, height: float, *, first_height: float | None = None) -> list[Table]:
    """Slide-sized pages of a (shortened) table; the first page may have less room (``first_height``),
    and is empty when not even one row fits there."""
    shown = _fit_rows(table.limited(), width, height)
    widths = _column_widths(shown, width)

    def cut(part: Table, room: float) -> list[Table]:
        return paginate(part, max_rows=MAX_ROWS, max_height=room, row_height=lambda r: _row_height(r, widths),
                        header_height=_header_height(part, widths))

    if first_height is None or not shown.rows:
        return cut(shown, height)
    if _header_height(shown, widths) + _row_height(shown.rows[0], widths) > first_height:
        return [shown.part(0, 0), *cut(shown, height)]
    first = cut(shown, first_height)[0]
    rest = shown.part(len(first.rows), len(shown.rows))
    return [first, *(cut(rest, height) if rest.rows else [])]


def _facts_table(facts: list[tuple[str, str, str | None]]) -> Table:
    table = Table([label for label, _v, _f in facts], widths=[1.0] * len(facts))
    table.add([value for _l, value, _f in facts], [fill for _l, _v, fill in facts])
    return table


def _facts_strip(slide: Slide, facts: list[tuple[str, str, str | None]], top: float) -> float:
    """Facts as a one-row table of label/value pairs (a real table, RAG fills on values)."""
    if not facts:
        return top
    return _add_table(slide, _facts_table(facts), MARGIN, top, CONTENT_W) + 0.15


def _facts_height(facts: list[tuple[str, str, str | None]]) -> float:
    return _table_height(_facts_table(facts), CONTENT_W) + 0.15 if facts else 0.0


# --- slides --------------------------------------------------------------------------------------------


def _title_slide(prs: PresentationType, pack: BoardPack) -> None:
    slide = _new_slide(prs)
    left, width = 0.9, 11.5
    authority = fit_text(pack.authority, 32, width - 2 * INSET, 2, bold=True)
    top = _text_box(slide, left, 1.3, width, [Para.of(authority, 32, bold=True, colour=ACCENT)])
    title = fit_text(pack.title, 40, width - 2 * INSET, 2, bold=True)
    height = box_height([Para.of(title, 40, bold=True)], width)
    shape = _title_shape(slide)
    shape.left, shape.top, shape.width, shape.height = Inches(left), Inches(top), Inches(width), Inches(height)
    shape.text_frame.text = ""
    _frame(shape.text_frame)
    shape.text_frame.paragraphs[0].alignment = PP_ALIGN.LEFT
    run = shape.text_frame.paragraphs[0].add_run()
    run.text = title
    run.font.size, run.font.bold, run.font.color.rgb = Pt(40), True, _rgb(TEXT_COLOUR)
    inner = width - 2 * INSET
    lines = [
        Para.of(f"As at {formatting.format_date(pack.as_at)}", 26),
        Para.of(f"What changed since {formatting.format_date(pack.since)}", 18, colour=GREY, space_before=18),
    ]
    if pack.inspection:
        lines.append(Para.of(fit_text(f"Recommendations from the {pack.inspection}", 18, inner, 2), 18, colour=GREY))
    if pack.filter_text:
        lines.append(Para.of(fit_text(f"Filtered – {pack.filter_text}", 18, inner, 3), 18, colour=GREY))
    lines.append(Para.of(f"Prepared {formatting.format_date(pack.generated_at)} by Improvement Board", 14,
                         colour=GREY, space_before=18))
    _text_box(slide, left, top + height + 0.1, width, lines)


def _note_paras(text: str, *, size: float = BODY_PT, bold: bool = False, colour: str = GREY) -> list[Para]:
    return [Para.of(fit_text(text, size, CONTENT_W - 2 * INSET, 6, bold=bold), size, bold=bold, colour=colour)]


def _table_slides(prs: PresentationType, section: Section, table: Table, *, title: str | None = None,
                  subtitle: str | None = None) -> None:
    """One table over as many slides as it needs (at most MAX_ROWS rows, and what fits, per slide); the
    section's note under the last page, or on a slide of its own when it does not fit there."""
    title = title or section.title
    sub = subtitle if subtitle is not None else section.subtitle
    width = CONTENT_W * table.width
    top = _content_top(title, sub, pages=True)
    room = FOOTER_TOP - top - GAP
    pages = _table_pages(table, width, room)
    note = _note_paras(section.note) if section.note and table.rows else []
    note_h = box_height(note, CONTENT_W) if note else 0.0
    note_alone = bool(note) and _table_height(pages[-1], width) + GAP + note_h > room
    count = len(pages) + (1 if note_alone else 0)
    for i in range(count):
        slide = _new_slide(prs)
        suffix = f" ({i + 1} of {count})" if count > 1 else ""
        top = _title(slide, title + suffix, sub)
        if i == len(pages):  # the note, on a slide of its own
            _text_box(slide, MARGIN, top, CONTENT_W, note)
            continue
        page = pages[i]
        if not page.rows:
            _text_box(slide, MARGIN, top, CONTENT_W, _note_paras(section.note or table.empty, size=16,
                                                                 colour=TEXT_COLOUR))
            continue
        bottom = _add_table(slide, page, MARGIN, top, width)
        if note and i == len(pages) - 1 and not note_alone:
            _text_box(slide, MARGIN, bottom + GAP, CONTENT_W, note)


def _paragraph_paras(section: Section) -> list[Para]:
    """A recommendation's paragraphs (its text, then what else answers it) at 16 pt, each at most 6 lines."""
    inner = CONTENT_W - 2 * INSET
    return [Para.of(fit_text(content, PARA_PT, inner, 6 if n == 0 else 3), PARA_PT)
            for n, (_heading, content) in enumerate(section.paragraphs)]


def _recommendation_slides(prs: PresentationType, section: Section) -> None:
    table = section.tables[0] if section.tables else Table(["Ref", "Action"])
    paras = _paragraph_paras(section)
    heights = [box_height([p], CONTENT_W) for p in paras]
    room = FOOTER_TOP - _content_top(section.title, section.subtitle, pages=True) - GAP
    above = sum(h + 0.06 for h in heights) + _facts_height(section.facts)
    pages = _table_pages(table, CONTENT_W, room, first_height=room - above)
    for i, page in enumerate(pages):
        slide = _new_slide(prs)
        suffix = f" ({i + 1} of {len(pages)})" if len(pages) > 1 else ""
        top = _title(slide, section.title + suffix, section.subtitle)
        if i == 0:
            for para, height in zip(paras, heights, strict=True):
                top = _text_box(slide, MARGIN, top, CONTENT_W, [para], height) + 0.06
            top = _facts_strip(slide, section.facts, top)
        if page.rows:
            _add_table(slide, page, MARGIN, top, CONTENT_W)
        elif not table.rows:
            _text_box(slide, MARGIN, top, CONTENT_W, _note_paras(section.note or table.empty, size=16, bold=True,
                                                                 colour=TEXT_COLOUR))


@dataclass
class KpiLayout:
    chart_h: float
    commentary: list[Run]  # what the first slide shows
    rest: list[list[Run]]  # the continuation slides' commentary
    full_width: bool  # commentary across the slide (below chart and panel) or under the chart only
    commentary_top: float


CHART_W = 7.6
PANEL_LEFT = MARGIN + CHART_W + 0.3
PANEL_W = SLIDE_W_IN - MARGIN - PANEL_LEFT


def _kpi_panel(section: Section) -> tuple[Table, list[Para]]:
    facts = Table(["Measure", "Latest"], widths=[1.5, 2.4])
    for label, value, fill in section.facts:
        facts.add([label, value], [None, fill])
    reason = dict(section.paragraphs).get("How the RAG was derived", "")
    paras = [Para.of("How the RAG was derived", BODY_PT, bold=True), Para.of(reason, BODY_PT, colour=GREY)]
    return facts, paras if reason else []


def _kpi_layout(section: Section, top: float, panel_bottom: float, continued_top: float,
                aspect: float) -> KpiLayout:
    """Where the chart and the commentary go: the largest chart (down to 2.3 in tall) that leaves room for
    the whole commentary, across the slide under chart and panel or under the chart; when none does, the
    commentary continues on further slides."""
    commentary = dict(section.paragraphs).get("Commentary", "")
    runs: list[Run] = [("Commentary: ", BODY_PT, True), (commentary, BODY_PT, False)]
    bottom = FOOTER_TOP - 0.05
    tallest = min(CHART_W / aspect, bottom - top - 0.6) if section.chart is not None else 0.5
    heights = [tallest - 0.1 * k for k in range(int(max(0.0, tallest - 2.3) / 0.1) + 1)] or [tallest]
    for chart_h in heights:
        for full_width in (True, False):
            below = (max(top + chart_h, panel_bottom) if full_width else top + chart_h) + GAP
            width = CONTENT_W if full_width else CHART_W
            if below + box_height([Para(runs)], width) <= bottom:
                return KpiLayout(chart_h, runs, [], full_width, below)
    # the commentary does not fit: a middling chart, what fits of the commentary beside it, the rest after
    chart_h = heights[min(len(heights) - 1, 4)]
    options = []
    for full_width in (True, False):
        below = (max(top + chart_h, panel_bottom) if full_width else top + chart_h) + GAP
        width = CONTENT_W if full_width else CHART_W
        first, rest = split_runs(runs, width - 2 * INSET, bottom - below - 2 * INSET - 0.02)
        options.append((len("".join(t for t, _s, _b in first)), full_width, below, first, rest))
    _n, full_width, below, first, rest = max(options, key=lambda o: o[0])
    pages: list[list[Run]] = []
    room = bottom - continued_top - 2 * INSET - 0.02
    while rest:
        lead: list[Run] = [("Commentary (continued): ", BODY_PT, True)] if first or pages else []
        if len(pages) == MAX_CONTINUATIONS - 1:  # the last slide it may take: what is left, shortened
            text = "".join(t for t, _s, _b in rest)
            lines = int(room / line_height(BODY_PT)) - 1
            pages.append(_merge([*lead, (fit_text(text, BODY_PT, CONTENT_W - 2 * INSET, lines), BODY_PT, False)]))
            break
        part, rest = split_runs(_merge(lead + rest), CONTENT_W - 2 * INSET, room)
        pages.append(part)
    return KpiLayout(chart_h, first, pages, full_width, below)


def _aspect(png: bytes) -> float:
    """Width over height of a PNG (the chart's axes and legend make it wider than its plot)."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        return float(image.width) / max(1, image.height)


def _fit_table(table: Table, width: float, height: float) -> Table:
    """The table with its longest wrapping cells shortened, word by word, until the whole table fits ``height``
    (or no cell takes more than one line)."""
    rows = [list(r) for r in table.rows]
    widths = _column_widths(table, width)
    one_line = line_height(TABLE_PT) + 2 * CELL_Y + ROW_SLACK + 0.001
    while True:
        part = Table(table.columns, rows, table.fills, table.widths, table.caption, table.empty, table.slide_limits,
                     table.width)
        if _table_height(part, width) <= height:
            return part
        wrapping = [(len(cell), r, c) for r, row in enumerate(rows) for c, cell in enumerate(row)
                    if _cell_height(cell, widths[c]) > one_line]
        if not wrapping:
            return part
        _n, r, c = max(wrapping)
        rows[r][c] = formatting.shorten(rows[r][c], max(1, int(len(rows[r][c]) * 0.85)))


def _kpi_slide(prs: PresentationType, section: Section) -> None:
    """The trend chart, the figures and how the RAG was derived, then the commentary (continued on
    "(n of m)" slides when it does not fit beside the chart)."""
    facts, reason = _kpi_panel(section)
    worst = _content_top(section.title, section.subtitle, pages=True)
    room = FOOTER_TOP - 0.05 - worst
    facts = _fit_table(facts, PANEL_W, room)
    facts_h = _table_height(facts, PANEL_W)
    if reason:  # the reason may fill the panel down to the footer, no further (and goes if not one line fits)
        lines = int((room - facts_h - GAP - 2 * INSET - 0.02 - line_height(BODY_PT)) / line_height(BODY_PT))
        text = fit_text(reason[1].runs[0][0], BODY_PT, PANEL_W - 2 * INSET, lines) if lines >= 1 else ""
        reason = [reason[0], Para.of(text, BODY_PT, colour=GREY)] if text else []
    reason_h = box_height(reason, PANEL_W) if reason else 0.0
    panel_bottom = worst + facts_h + (GAP + reason_h if reason else 0.0)
    png = section.chart.png() if section.chart is not None else b""
    aspect = _aspect(png) if png else 2.0
    layout = _kpi_layout(section, worst, panel_bottom, worst, aspect)
    count = 1 + len(layout.rest)
    slide = _new_slide(prs)
    top = _title(slide, section.title + (f" (1 of {count})" if count > 1 else ""), section.subtitle)
    shift = top - worst  # <= 0: this slide's title may be shorter than the worst case planned for
    if section.chart is not None:
        pic = slide.shapes.add_picture(io.BytesIO(png), Inches(MARGIN), Inches(top),
                                       Inches(layout.chart_h * aspect), Inches(layout.chart_h))  # never distorted
        pic.name = "Trend chart"
        element: Any = pic._element
        element.nvPicPr.cNvPr.set("descr", _plain(section.chart.alt_text))  # alt text
    else:
        _text_box(slide, MARGIN, top, CHART_W, [Para.of("Not enough figures to draw a trend.", 16)])
    bottom = _add_table(slide, facts, PANEL_LEFT, top, PANEL_W)
    if reason:
        _text_box(slide, PANEL_LEFT, bottom + GAP, PANEL_W, reason, reason_h)
    if layout.commentary:
        width = CONTENT_W if layout.full_width else CHART_W
        _text_box(slide, MARGIN, layout.commentary_top + shift, width, [Para(layout.commentary)])
    for n, runs in enumerate(layout.rest, start=2):
        slide = _new_slide(prs)
        top = _title(slide, f"{section.title} ({n} of {count})", section.subtitle)
        _text_box(slide, MARGIN, top, CONTENT_W, [Para(runs)])


def _changes_slides(prs: PresentationType, section: Section) -> None:
    slide = _new_slide(prs)
    top = _title(slide, section.title, "Summary of the changes in this pack")
    summary = Table(["What", "How many", "Details"], widths=[4.0, 1.3, 5.0])
    for table in section.tables:
        where = "on the next slides" if table.rows else "none"
        summary.add([table.caption, str(len(table.rows)), where])
    pages = _table_pages(summary, CONTENT_W, FOOTER_TOP - top - GAP)
    _add_table(slide, pages[0], MARGIN, top, CONTENT_W)  # a handful of rows: one per kind of change
    for table in section.tables:
        if table.rows:
            _table_slides(prs, section, table, title=table.caption, subtitle=section.title)


def _footers(prs: PresentationType, pack: BoardPack) -> None:
    total = len(prs.slides)
    footer = fit_text(pack.footer, 12, 9.5 - 2 * INSET, 1)
    for n, slide in enumerate(prs.slides, start=1):
        _text_box(slide, MARGIN, FOOTER_TOP + 0.08, 9.5, [Para.of(footer, 12, colour=GREY)])
        _text_box(slide, SLIDE_W_IN - MARGIN - 2.5, FOOTER_TOP + 0.08, 2.5,
                  [Para.of(f"Slide {n} of {total}", 12, colour=GREY, align=PP_ALIGN.RIGHT)])


def to_pptx(pack: BoardPack) -> bytes:
    """The board pack as .pptx bytes."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    prs.core_properties.title = f"{pack.title} – {pack.authority} – as at {formatting.format_date(pack.as_at)}"
    prs.core_properties.author = "Improvement Board"
    _title_slide(prs, pack)
    for section in pack.sections:
        if section.kind == "overview":
            _overview_slide(prs, section)
        elif section.kind in ("recommendation", "cross_cutting"):
            _recommendation_slides(prs, section)
        elif section.kind == "kpi":
            _kpi_slide(prs, section)
        elif section.kind == "changes":
            _changes_slides(prs, section)
        else:
            for table in section.tables:
                _table_slides(prs, section, table)
    _footers(prs, pack)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def _overview_slide(prs: PresentationType, section: Section) -> None:
    """RAG counts then the headline figures, flowing onto "(continued)" slides if they do not fit."""
    facts = Table(["Headline", "Figure"], widths=[4.0, 3.0], caption="Headlines")
    for label, value, fill in section.facts:
        facts.add([label, value], [None, fill])
    blocks = [(table, CONTENT_W * table.width) for table in section.tables] + [(facts, 7.5)]
    slide: Slide | None = None
    top, count = 0.0, 0
    for table, width in blocks:
        room = FOOTER_TOP - _content_top(section.title + " (continued)", section.subtitle) - GAP
        remaining = _fit_rows(table.limited(), width, room)
        widths = _column_widths(remaining, width)
        while remaining.rows:
            need = _header_height(remaining, widths) + _row_height(remaining.rows[0], widths)
            if slide is None or top + need > FOOTER_TOP - GAP:
                slide = _new_slide(prs)
                top = _title(slide, section.title + (" (continued)" if count else ""), section.subtitle)
                count += 1
            page = _table_pages(remaining, width, FOOTER_TOP - top - GAP)[0]
            top = _add_table(slide, page, MARGIN, top, width) + 0.3
            remaining = remaining.part(len(page.rows), len(remaining.rows))
    if slide is None:
        slide = _new_slide(prs)
        top = _title(slide, section.title, section.subtitle)
        _text_box(slide, MARGIN, top, CONTENT_W, [Para.of("Nothing to show.", 16)])
