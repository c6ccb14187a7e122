"""The board pack as a PDF (A4 landscape), written with fpdf2.

Every page carries the authority's name and the "as at" date in its header and "Page n of N"
in its footer; tables show the RAG word in the cell as well as its colour; trend charts are
PNGs rendered without a browser by vl-convert, with alt text. Text is set in DejaVu Sans (a
TTF covering "—", "·", "✔"); when no such font is installed the pack still builds with the
core Helvetica font and every character outside Latin-1 transliterated.
"""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from lib import formatting
from lib.exports.pack import ACCENT, FILLS, TEXT_COLOUR, BoardPack, Section, Table

FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",
    "/usr/local/share/fonts",
    "/Library/Fonts",
    "C:/Windows/Fonts",
)
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
FAMILY = "DejaVu"
GREY = (85, 85, 85)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LATIN1 = {
    "✔": "", "✖": "", "▲": "", "▼": "", "▶": "", "◆": "", "◐": "", "★": "", "●": "", "△": "", "▽": "",
    "—": "-", "–": "-", "→": "->", "…": "...", "‘": "'", "’": "'", "“": '"', "”": '"', "•": "·", "−": "-",
}


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def find_font() -> dict[str, Path] | None:
    """DejaVu Sans regular and bold, if installed."""
    for folder in FONT_DIRS:
        paths = {style: Path(folder) / name for style, name in FONT_FILES.items()}
        if all(p.is_file() for p in paths.values()):
            return paths
    return None


def latin1(text: str) -> str:
    """Text for the core fonts: known symbols mapped, the rest decomposed or replaced by "?"."""
    out = []
    for ch in text:
        if ch in _LATIN1:
            out.append(_LATIN1[ch])
            continue
        try:
            ch.encode("latin-1")
            out.append(ch)
        except UnicodeEncodeError:
            plain = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
            out.append(plain or "?")
    return re.sub(r" {2,}", " ", "".join(out)).strip() if text.strip() else "".join(out)


class _PackPDF(FPDF):
    def __init__(self, pack: BoardPack, font: dict[str, Path] | None) -> None:
        super().__init__(orientation="landscape", unit="mm", format="A4")
        self.pack = pack
        self.unicode = font is not None
        if font is not None:
            for style, path in font.items():
                self.add_font(FAMILY, style=style, fname=str(path))
            self.family = FAMILY
        else:
            self.family = "Helvetica"
        self.set_margins(14, 22, 14)
        self.set_auto_page_break(True, margin=16)
        self.set_title(f"{pack.title} – {pack.authority} – {pack.as_at_text}")
        self.set_author("Improvement Board")
        self.set_creator("Improvement Board")
        self.set_lang("en-GB")
        self.continued = ""  # the section a page break lands in: named at the top of the next page

    def t(self, value: Any) -> str:
        text = _CONTROL.sub("", value if isinstance(value, str) else formatting.text(value))
        return text if self.unicode else latin1(text)

    def header(self) -> None:
        self.set_font(self.family, "B", 10)
        self.set_text_color(*_rgb(ACCENT))
        self.set_xy(self.l_margin, 9)
        width = self.w - self.l_margin - self.r_margin
        self.cell(width * 0.6, 6, self.t(f"{self.pack.authority} · {self.pack.title}"))
        self.set_font(self.family, "", 10)
        self.set_text_color(*GREY)
        self.cell(width * 0.4, 6, self.t(self.pack.as_at_text), align="R")
        self.set_draw_color(*_rgb(ACCENT))
        self.set_line_width(0.3)
        self.line(self.l_margin, 16, self.w - self.r_margin, 16)
        if self.continued:  # a section that runs over a page says whose table this is
            self.set_xy(self.l_margin, 18)
            self.set_font(self.family, "B", 10.5)
            self.cell(width, 5.5, self.t(f"{self.continued} (continued)")[:160])
            self.set_xy(self.l_margin, 25)
        else:
            self.set_xy(self.l_margin, 20)
        self.set_text_color(*_rgb(TEXT_COLOUR))

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, "", 9)
        self.set_text_color(*GREY)
        width = self.w - self.l_margin - self.r_margin
        self.cell(width * 0.7, 6, self.t(f"{self.pack.authority} · {self.pack.as_at_text} · generated "
                                         f"{formatting.format_date(self.pack.generated_at)}"))
        self.cell(width * 0.3, 6, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(*_rgb(TEXT_COLOUR))

    # --- building blocks ---------------------------------------------------------------------------

    @property
    def body_width(self) -> float:
        return float(self.w - self.l_margin - self.r_margin)

    def room(self) -> float:
        return float(self.h - self.b_margin - self.get_y())

    def heading(self, title: str, subtitle: str = "", *, new_page: bool = True, min_room: float = 60) -> None:
        self.continued = ""
        if new_page or self.room() < min_room:
            self.add_page()
        else:
            self.ln(4)
        self.start_section(self.t(title)[:120], level=0)
        self.set_font(self.family, "B", 16)
        self.set_text_color(*_rgb(ACCENT))
        self.multi_cell(self.body_width, 7.5, self.t(title), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*_rgb(TEXT_COLOUR))
        if subtitle:
            self.set_font(self.family, "", 10.5)
            self.set_text_color(*GREY)
            self.multi_cell(self.body_width, 5.5, self.t(subtitle), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_text_color(*_rgb(TEXT_COLOUR))
        self.ln(2)
        self.continued = title

    def paragraph(self, heading: str, content: str, *, width: float | None = None, size: float = 11) -> None:
        x = self.get_x()
        if heading:
            self.set_font(self.family, "B", size)
            self.multi_cell(width or self.body_width, 5.6, self.t(heading), align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_x(x)
        self.set_font(self.family, "", size)
        self.multi_cell(width or self.body_width, 5.6, self.t(content), align="L", new_x=XPos.LEFT,
                        new_y=YPos.NEXT)
        self.ln(1.5)

    def draw_table(self, table: Table, *, width: float | None = None, size: float = 10, caption: bool = True) -> None:
        if caption and table.caption:
            if self.room() < 30:
                self.add_page()
            self.set_font(self.family, "B", 12)
            self.cell(self.body_width, 7, self.t(table.caption), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.continued = table.caption  # a page break in the table names the table
        if not table.rows:
            self.set_font(self.family, "", 11)
            self.multi_cell(self.body_width, 6, self.t(table.empty), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(2)
            return
        self.set_font(self.family, "", size)
        heading = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=_rgb(ACCENT))
        x = self.get_x()
        with self.table(
            col_widths=tuple(table.widths), width=width or self.body_width * table.width, align="LEFT",
            text_align="LEFT", line_height=size * 0.5, headings_style=heading, padding=(1.2, 1.6), v_align="MIDDLE",
            repeat_headings=1, borders_layout="ALL",
        ) as grid:
            self.set_draw_color(170, 170, 170)
            head = grid.row()
            for name in table.columns:
                head.cell(self.t(name))
            for r, row in enumerate(table.rows):
                line = grid.row()
                for c, content in enumerate(row):
                    key = table.fills[r][c] if r < len(table.fills) else None
                    style = FontFace(fill_color=_rgb(FILLS[key])) if key and key in FILLS else None
                    line.cell(self.t(content), style=style)
        self.set_x(x)
        self.ln(3)


def _facts_table(facts: list[tuple[str, str, str | None]]) -> Table:
    table = Table(["Measure", "Latest"], widths=[1.4, 2.0])
    for label, value, fill in facts:
        table.add([label, value], [None, fill])
    return table


def _title_page(pdf: _PackPDF, pack: BoardPack) -> None:
    pdf.add_page()
    pdf.start_section(pdf.t(pack.title), level=0)
    pdf.set_y(55)
    pdf.set_font(pdf.family, "B", 30)
    pdf.set_text_color(*_rgb(ACCENT))
    pdf.multi_cell(pdf.body_width, 13, pdf.t(pack.authority), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*_rgb(TEXT_COLOUR))
    pdf.set_font(pdf.family, "B", 24)
    pdf.multi_cell(pdf.body_width, 12, pdf.t(pack.title), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(pdf.family, "", 18)
    pdf.multi_cell(pdf.body_width, 10, pdf.t(f"As at {formatting.format_date(pack.as_at)}"),
                   align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(8)
    pdf.set_font(pdf.family, "", 13)
    pdf.set_text_color(*GREY)
    lines = [f"What changed since {formatting.format_date(pack.since)}"]
    if pack.inspection:
        lines.append(f"Recommendations from the {pack.inspection}")
    if pack.filter_text:
        lines.append(f"Filtered – {pack.filter_text}")
    lines.append(f"Prepared {formatting.format_date(pack.generated_at)} by Improvement Board")
    for line in lines:
        pdf.multi_cell(pdf.body_width, 7, pdf.t(line), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*_rgb(TEXT_COLOUR))


def _columns(table: Table, keep: list[int]) -> Table:
    return Table([table.columns[c] for c in keep], [[row[c] for c in keep] for row in table.rows],
                 [[fills[c] for c in keep] for fills in table.fills], [table.widths[c] for c in keep],
                 table.caption, table.empty)


def _kpi_page(pdf: _PackPDF, section: Section) -> None:
    """Chart and commentary on the left; the figures, how the RAG was derived and recent periods on the right."""
    pdf.heading(section.title, section.subtitle)
    top = pdf.get_y()
    chart_w = 150.0
    panel_x = pdf.l_margin + chart_w + 6
    panel_w = pdf.w - pdf.r_margin - panel_x
    page = pdf.page_no()
    pdf.set_xy(panel_x, top)
    pdf.draw_table(_facts_table(section.facts), width=panel_w, size=10, caption=False)
    paragraphs = dict(section.paragraphs)
    reason = paragraphs.pop("How the RAG was derived", "")
    if reason:
        pdf.set_x(panel_x)
        pdf.paragraph("How the RAG was derived", reason, width=panel_w, size=10)
    for table in section.tables:
        pdf.set_x(panel_x)
        pdf.set_font(pdf.family, "B", 10)
        pdf.multi_cell(panel_w, 5.5, pdf.t(table.caption), align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.draw_table(_columns(table, [0, 1, 2, 3]), width=panel_w, size=9, caption=False)
    if pdf.page_no() != page:  # the panel ran over a page: the chart follows it
        top = pdf.get_y() + 3
    if section.chart is not None:
        info = pdf.image(io.BytesIO(section.chart.png()), x=pdf.l_margin, y=top, w=chart_w,
                         alt_text=pdf.t(section.chart.alt_text))
        bottom = top + float(info.rendered_height)
    else:
        pdf.set_xy(pdf.l_margin, top)
        pdf.set_font(pdf.family, "", 11)
        pdf.cell(chart_w, 8, pdf.t("Not enough figures to draw a trend."))
        bottom = top + 10
    pdf.set_xy(pdf.l_margin, bottom + 3)
    for heading, content in paragraphs.items():
        pdf.paragraph(heading, content, width=chart_w)


def to_pdf(pack: BoardPack) -> bytes:
    """The board pack as PDF bytes."""
    pdf = _PackPDF(pack, find_font())
    _title_page(pdf, pack)
    first_rec = True
    for section in pack.sections:
        if section.kind == "kpi":
            _kpi_page(pdf, section)
            continue
        if section.kind in ("recommendation", "cross_cutting"):
            pdf.heading(section.title, section.subtitle, new_page=first_rec, min_room=70)
            first_rec = False
        else:
            pdf.heading(section.title, section.subtitle)
        for heading, content in section.paragraphs:
            pdf.paragraph("", content) if heading == "Recommendation" else pdf.paragraph(heading, content)
        if section.facts and section.kind != "overview":
            pdf.set_font(pdf.family, "", 11)
            facts = "   ·   ".join(f"{label}: {value}" for label, value, _f in section.facts)
            pdf.multi_cell(pdf.body_width, 6, pdf.t(facts), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(1.5)
        for table in section.tables:
            pdf.draw_table(table, caption=section.kind in ("changes", "overview"))
        if section.kind == "overview" and section.facts:
            pdf.draw_table(Table(["Headline", "Figure"], [[label, value] for label, value, _f in section.facts],
                            [[None, fill] for _l, _v, fill in section.facts], widths=[2.0, 1.5],
                            caption="Headlines"), width=150)
        if section.note:
            pdf.set_font(pdf.family, "", 10)
            pdf.set_text_color(*GREY)
            pdf.multi_cell(pdf.body_width, 5.5, pdf.t(section.note), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.set_text_color(*_rgb(TEXT_COLOUR))
    return bytes(pdf.output())
