"""The board pack as a PowerPoint deck (16:9), written with python-pptx.

Every slide has a real title (so the outline and screen readers see it), tables are real
tables (text + fill, the RAG word always in the cell), charts are static PNGs rendered by
vl-convert (no browser) with their description as alt text, and every slide carries the
authority, the as-at date and "n of N" in its footer. Body text is 14 pt or larger; a table
that would not fit continues on the next slide. User text goes in as plain text runs.
"""

from __future__ import annotations

import io
import re
from typing import Any

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.presentation import Presentation as PresentationType
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from lib import formatting
from lib.exports.pack import ACCENT, FILLS, TEXT_COLOUR, BoardPack, Section, Table, paginate

SLIDE_W, SLIDE_H = Emu(12192000), Emu(6858000)  # 13.333 x 7.5 in
MARGIN = 0.5  # inches
CONTENT_W = 13.333 - 2 * MARGIN
BODY_PT = 14
TABLE_PT = 14
MAX_ROWS = 12
LINE_IN = 0.24  # height of one 14 pt line with spacing, inches
CHARS_PER_IN = 10.0  # average characters per inch of 14 pt text (conservative)
FOOTER_TOP = 7.0
GREY = "#555555"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def _plain(value: Any) -> str:
    """User text as plain text: control characters removed (they are invalid in the XML)."""
    return _CONTROL.sub("", formatting.text(value) if not isinstance(value, str) else value)


def _text_box(slide: Slide, left: float, top: float, width: float, height: float,
              paragraphs: list[tuple[str, dict[str, Any]]], *, anchor: Any = MSO_ANCHOR.TOP) -> Any:
    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
        setattr(frame, side, Inches(0.04))
    for i, (content, style) in enumerate(paragraphs):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.alignment = style.get("align", PP_ALIGN.LEFT)
        if style.get("space_before"):
            para.space_before = Pt(style["space_before"])
        runs = style.get("runs") or [(content, style)]
        for run_text, run_style in runs:
            run = para.add_run()
            run.text = _plain(run_text)
            run.font.size = Pt(run_style.get("size", BODY_PT))
            run.font.bold = bool(run_style.get("bold", False))
            run.font.color.rgb = _rgb(run_style.get("colour", TEXT_COLOUR))
    return box


def _title_size(title: str) -> tuple[int, float]:
    """(font size, box height in inches) for a slide title: long titles get smaller type, two lines."""
    size = 28 if len(title) <= 62 else (24 if len(title) <= 80 else 20)
    one_line = len(title) <= CONTENT_W * 72 / (size * 0.52)
    return size, 0.62 if one_line else 1.0


def _subtitle_lines(subtitle: str) -> int:
    return 0 if not subtitle else min(2, max(1, -(-len(subtitle) // int(CONTENT_W * 9.5))))


def _content_top(title: str, subtitle: str = "") -> float:
    """Where content starts under a title (and subtitle), inches from the top."""
    top = 0.3 + _title_size(title)[1] + 0.05
    lines = _subtitle_lines(subtitle)
    return top + (0.3 * lines + 0.1 if lines else 0.0)


def _title(slide: Slide, title: str, subtitle: str = "") -> float:
    """Set the slide's title placeholder (and a subtitle line); returns where content may start (inches)."""
    shape = _title_shape(slide)
    size, height = _title_size(title)
    shape.left, shape.top, shape.width, shape.height = Inches(MARGIN), Inches(0.3), Inches(CONTENT_W), Inches(height)
    frame = shape.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = MSO_ANCHOR.TOP
    for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
        setattr(frame, side, Inches(0.04))
    frame.text = ""
    para = frame.paragraphs[0]
    para.alignment = PP_ALIGN.LEFT
    run = para.add_run()
    run.text = _plain(title)
    run.font.size = Pt(size)
    run.font.bold = True
    run.font.color.rgb = _rgb(ACCENT)
    top = 0.3 + height + 0.05
    lines = _subtitle_lines(subtitle)
    if lines:
        _text_box(slide, MARGIN, top, CONTENT_W, 0.3 * lines,
                  [(formatting.shorten(subtitle, int(CONTENT_W * 9.5 * 2)), {"size": 15, "colour": GREY})])
    return _content_top(title, subtitle)


def _chars(widths_in: list[float]) -> list[float]:
    return [max(1.0, (w - 0.12) * CHARS_PER_IN) for w in widths_in]


def _column_widths(table: Table, width: float) -> list[float]:
    total = sum(table.widths) or 1.0
    return [width * w / total for w in table.widths]


def _row_lines(row: list[str], chars: list[float]) -> int:
    return max(
        (sum(max(1, -(-len(part) // max(1, int(chars[c])))) for part in (cell or " ").split("\n"))
         for c, cell in enumerate(row)),
        default=1,
    )


def _header_height(table: Table, chars: list[float]) -> float:
    return 0.42 if _row_lines(table.columns, chars) == 1 else 0.7


def _row_height(row: list[str], chars: list[float]) -> float:
    return _row_lines(row, chars) * LINE_IN + 0.12


def _add_table(slide: Slide, table: Table, left: float, top: float, width: float) -> float:
    """Draw a table page; returns its bottom (inches)."""
    widths = _column_widths(table, width)
    chars = _chars(widths)
    n_rows = len(table.rows) + 1
    heights = [_header_height(table, chars)] + [_row_height(r, chars) for r in table.rows]
    shape = slide.shapes.add_table(n_rows, len(table.columns), Inches(left), Inches(top), Inches(width),
                                   Inches(sum(heights)))
    grid = shape.table
    grid.first_row = True
    grid.horz_banding = False
    for c, w in enumerate(widths):
        grid.columns[c].width = Inches(w)
    for r, h in enumerate(heights):
        grid.rows[r].height = Inches(h)

    def fill_cell(cell: Any, content: str, *, bold: bool = False, fill: str | None = None,
                  colour: str = TEXT_COLOUR) -> None:
        cell.margin_left = cell.margin_right = Inches(0.06)
        cell.margin_top = cell.margin_bottom = Inches(0.04)
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


def _table_pages(table: Table, width: float, height: float, *, first_height: float | None = None) -> list[Table]:
    """Slide-sized pages of a (shortened) table; the first page may have less room (``first_height``)."""
    shown = table.limited()
    chars = _chars(_column_widths(shown, width))

    def cut(part: Table, room: float) -> list[Table]:
        return paginate(part, max_rows=MAX_ROWS, max_height=room, row_height=lambda r: _row_height(r, chars),
                        header_height=_header_height(part, chars))

    if first_height is None or not shown.rows:
        return cut(shown, height)
    first = cut(shown, first_height)[0]
    rest = shown.part(len(first.rows), len(shown.rows))
    return [first, *(cut(rest, height) if rest.rows else [])]


def _facts_strip(slide: Slide, facts: list[tuple[str, str, str | None]], top: float) -> float:
    """Facts as a one-row table of label/value pairs (a real table, RAG fills on values)."""
    if not facts:
        return top
    table = Table([label for label, _v, _f in facts], widths=[1.0] * len(facts))
    table.add([value for _l, value, _f in facts], [fill for _l, _v, fill in facts])
    return _add_table(slide, table, MARGIN, top, CONTENT_W) + 0.15


def _title_shape(slide: Slide) -> Any:
    shape = slide.shapes.title
    if shape is None:  # the "Title Only" layout always has one
        raise RuntimeError("slide layout without a title placeholder")
    return shape


def _new_slide(prs: PresentationType) -> Slide:
    return prs.slides.add_slide(prs.slide_layouts[5])  # "Title Only": a real title placeholder


def _title_slide(prs: PresentationType, pack: BoardPack) -> None:
    slide = _new_slide(prs)
    _text_box(slide, 0.9, 1.3, 11.5, 0.8, [(pack.authority, {"size": 32, "bold": True, "colour": ACCENT})])
    shape = _title_shape(slide)
    shape.left, shape.top, shape.width, shape.height = Inches(0.9), Inches(2.1), Inches(11.5), Inches(1.0)
    shape.text_frame.text = ""
    shape.text_frame.word_wrap = True
    shape.text_frame.paragraphs[0].alignment = PP_ALIGN.LEFT
    run = shape.text_frame.paragraphs[0].add_run()
    run.text = _plain(pack.title)
    run.font.size, run.font.bold, run.font.color.rgb = Pt(40), True, _rgb(TEXT_COLOUR)
    lines: list[tuple[str, dict[str, Any]]] = [
        (f"As at {formatting.format_date(pack.as_at)}", {"size": 26}),
        (f"What changed since {formatting.format_date(pack.since)}", {"size": 18, "colour": GREY, "space_before": 18}),
    ]
    if pack.inspection:
        lines.append((f"Recommendations from the {pack.inspection}", {"size": 18, "colour": GREY}))
    if pack.filter_text:
        lines.append((f"Filtered – {pack.filter_text}", {"size": 18, "colour": GREY}))
    lines.append((f"Prepared {formatting.format_date(pack.generated_at)} by Improvement Board",
                  {"size": 14, "colour": GREY, "space_before": 18}))
    _text_box(slide, 0.9, 3.2, 11.5, 3.5, lines)


def _table_slides(prs: PresentationType, section: Section, table: Table, *, title: str | None = None,
                  subtitle: str | None = None) -> None:
    """One table over as many slides as it needs (at most MAX_ROWS rows, and what fits, per slide)."""
    title = title or section.title
    sub = subtitle if subtitle is not None else section.subtitle
    width = CONTENT_W * table.width
    top = _content_top(title + " (1 of 2)", sub)
    pages = _table_pages(table, width, FOOTER_TOP - top - 0.1)
    for i, page in enumerate(pages):
        slide = _new_slide(prs)
        suffix = f" ({i + 1} of {len(pages)})" if len(pages) > 1 else ""
        top = _title(slide, title + suffix, sub)
        if not page.rows:
            _text_box(slide, MARGIN, top, CONTENT_W, 0.5, [(section.note or table.empty, {"size": 16})])
            continue
        bottom = _add_table(slide, page, MARGIN, top, width)
        if i == len(pages) - 1 and section.note and bottom < FOOTER_TOP - 0.5:
            _text_box(slide, MARGIN, bottom + 0.1, CONTENT_W, 0.4, [(section.note, {"size": 14, "colour": GREY})])


def _paragraph_lines(content: str) -> int:
    """Lines a 16 pt paragraph takes across the slide (about 8.6 characters per inch)."""
    return max(1, -(-len(content) // int(CONTENT_W * 8.6)))


def _first_page_room(section: Section) -> float:
    """Height the paragraphs and the facts strip take above the table on the first slide (inches)."""
    room = sum(0.3 * _paragraph_lines(content) + 0.1 for _heading, content in section.paragraphs)
    if section.facts:
        room += 0.42 + _row_height(["x"], [10.0]) + 0.15
    return room


def _recommendation_slides(prs: PresentationType, section: Section) -> None:
    table = section.tables[0] if section.tables else Table(["Ref", "Action"])
    content_top = _content_top(section.title + " (1 of 2)", section.subtitle)
    room = FOOTER_TOP - content_top - 0.1
    pages = _table_pages(table, CONTENT_W, room, first_height=room - _first_page_room(section))
    for i, page in enumerate(pages):
        slide = _new_slide(prs)
        suffix = f" ({i + 1} of {len(pages)})" if len(pages) > 1 else ""
        top = _title(slide, section.title + suffix, section.subtitle)
        if i == 0:
            for _heading, content in section.paragraphs:
                lines = _paragraph_lines(content)
                _text_box(slide, MARGIN, top, CONTENT_W, 0.3 * lines + 0.05, [(content, {"size": 16})])
                top += 0.3 * lines + 0.1
            top = _facts_strip(slide, section.facts, top)
        if not page.rows:
            _text_box(slide, MARGIN, top, CONTENT_W, 0.5, [(section.note or table.empty, {"size": 16, "bold": True})])
            continue
        _add_table(slide, page, MARGIN, top, CONTENT_W)


def _kpi_slide(prs: PresentationType, section: Section) -> None:
    slide = _new_slide(prs)
    top = _title(slide, section.title, section.subtitle)
    chart_w, panel_left = 7.6, MARGIN + 7.6 + 0.3
    panel_w = 13.333 - MARGIN - panel_left
    chart_bottom = top
    commentary_text = dict(section.paragraphs).get("Commentary", "")
    commentary_lines = min(8, -(-(len(commentary_text) + 12) // int(CONTENT_W * 9.3)))
    chart_h = FOOTER_TOP - top - (commentary_lines * LINE_IN + 0.15) - 0.2  # a long commentary shrinks the chart
    chart_h = max(2.3, min(chart_w / 2.2, chart_h))
    if section.chart is not None:
        png = section.chart.png()
        pic = slide.shapes.add_picture(io.BytesIO(png), Inches(MARGIN), Inches(top), height=Inches(chart_h))
        pic.name = "Trend chart"
        element: Any = pic._element
        element.nvPicPr.cNvPr.set("descr", _plain(section.chart.alt_text))  # alt text
        chart_bottom = top + pic.height / 914400
    else:
        _text_box(slide, MARGIN, top, chart_w, 0.5, [("Not enough figures to draw a trend.", {"size": 16})])
        chart_bottom = top + 0.6
    facts = Table(["Measure", "Latest"], widths=[1.5, 2.4])
    for label, value, fill in section.facts:
        facts.add([label, value], [None, fill])
    panel_bottom = _add_table(slide, facts, panel_left, top, panel_w)
    paragraphs = dict(section.paragraphs)
    reason = paragraphs.pop("How the RAG was derived", "")
    if reason:
        per_line = int((panel_w - 0.1) * CHARS_PER_IN)
        shown = formatting.shorten(reason, 3 * per_line)
        height = (1 + -(-len(shown) // per_line)) * LINE_IN + 0.1
        _text_box(slide, panel_left, panel_bottom + 0.1, panel_w, height,
                  [("How the RAG was derived", {"size": 14, "bold": True}), (shown, {"size": 14, "colour": GREY})])
        panel_bottom += height + 0.1
    commentary = paragraphs.get("Commentary", "")
    if commentary:
        below = max(chart_bottom, panel_bottom) + 0.1
        room = FOOTER_TOP - below - 0.1
        max_chars = int(max(1.0, room / LINE_IN - 1) * CONTENT_W * 9.3)
        _text_box(slide, MARGIN, below, CONTENT_W, room,
                  [("", {"runs": [("Commentary: ", {"size": BODY_PT, "bold": True}),
                                  (formatting.shorten(commentary, max_chars), {"size": BODY_PT})]})])


def _changes_slides(prs: PresentationType, section: Section) -> None:
    slide = _new_slide(prs)
    top = _title(slide, section.title, "Summary of the changes in this pack")
    summary = Table(["What", "How many", "Details"], widths=[4.0, 1.3, 5.0])
    for table in section.tables:
        where = "on the next slides" if table.rows else "none"
        summary.add([table.caption, str(len(table.rows)), where])
    _add_table(slide, summary, MARGIN, top, CONTENT_W)
    for table in section.tables:
        if table.rows:
            _table_slides(prs, section, table, title=table.caption, subtitle=section.title)


def _footers(prs: PresentationType, pack: BoardPack) -> None:
    total = len(prs.slides)
    for n, slide in enumerate(prs.slides, start=1):
        _text_box(slide, MARGIN, FOOTER_TOP + 0.08, 9.5, 0.35, [(pack.footer, {"size": 12, "colour": GREY})])
        _text_box(slide, 13.333 - MARGIN - 2.5, FOOTER_TOP + 0.08, 2.5, 0.35,
                  [(f"Slide {n} of {total}", {"size": 12, "colour": GREY, "align": PP_ALIGN.RIGHT})])


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
        remaining = table.limited()
        chars = _chars(_column_widths(remaining, width))
        while remaining.rows:
            need = _header_height(remaining, chars) + _row_height(remaining.rows[0], chars)
            if slide is None or top + need > FOOTER_TOP - 0.1:
                slide = _new_slide(prs)
                top = _title(slide, section.title + (" (continued)" if count else ""), section.subtitle)
                count += 1
            page = _table_pages(remaining, width, FOOTER_TOP - top - 0.1)[0]
            top = _add_table(slide, page, MARGIN, top, width) + 0.3
            remaining = remaining.part(len(page.rows), len(remaining.rows))
    if slide is None:
        _title(_new_slide(prs), section.title, section.subtitle)
