"""The board pack's content, built once and shared by the PowerPoint, PDF and Excel writers.

A pack is a list of :class:`Section` (overview, cross-cutting actions, one per recommendation
of the current plan's inspection, one per red KPI, what changed, Ofsted judgements), each with
facts, paragraphs, :class:`Table` (text cells, a RAG/grade fill key per cell) and at most one
:class:`Chart`. Writers only lay these out; every word, number and colour decision is made
here, so the formats cannot disagree. All user text stays plain text (never formulas/markup).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import altair as alt
import pandas as pd
from sqlalchemy import Engine

from lib import changes as changes_mod
from lib import charts, formatting, periods, tables, vocab
from lib import milestones as milestone_rules
from lib.read import authorities as authorities_mod
from lib.read import benchmarks as benchmarks_mod
from lib.read import judgements as judgements_mod
from lib.read import kpis as kpis_mod
from lib.read import milestones as milestones_mod
from lib.read import programme

TITLE = "Improvement board pack"

# Fills for cells (light, with dark text): the RAG palette of the pages and the grade hues.
FILLS: dict[str, str] = {
    **formatting.RAG_COLOURS,
    "none": formatting.NEUTRAL_FILL,
    **{f"grade:{score}": colour for score, colour in formatting.GRADE_COLOURS.items()},
}
TEXT_COLOUR = "#1a1a1a"
ACCENT = "#1d4f91"
BAND_COLUMNS = vocab.COUNT_BANDS
FIGURE_ROWS = 6  # periods in a red KPI's figures table


# --- the content model ---------------------------------------------------------------------------


@dataclass
class Table:
    """Rows of text; ``fills[r][c]`` is a key of :data:`FILLS` (or None) for that cell."""

    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    fills: list[list[str | None]] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)  # relative column widths
    caption: str = ""
    empty: str = "Nothing to show."
    slide_limits: dict[int, int] = field(default_factory=dict)  # column → max characters on a slide
    width: float = 1.0  # share of the content width the table takes

    def __post_init__(self) -> None:
        if not self.widths:
            self.widths = [1.0] * len(self.columns)
        if len(self.fills) < len(self.rows):
            self.fills = self.fills + [[None] * len(self.columns) for _ in range(len(self.rows) - len(self.fills))]

    def add(self, cells: list[Any], fills: list[str | None] | None = None) -> None:
        self.rows.append([formatting.text(c) for c in cells])
        self.fills.append(list(fills) if fills is not None else [None] * len(self.columns))

    def part(self, start: int, stop: int) -> Table:
        return Table(self.columns, self.rows[start:stop], self.fills[start:stop], self.widths, self.caption,
                     self.empty, self.slide_limits, self.width)

    def limited(self) -> Table:
        """The table with long cells shortened for a slide (the PDF keeps the full text)."""
        if not self.slide_limits:
            return self
        rows = [[formatting.shorten(cell, self.slide_limits[c]) if c in self.slide_limits else cell
                 for c, cell in enumerate(row)] for row in self.rows]
        return Table(self.columns, rows, self.fills, self.widths, self.caption, self.empty, self.slide_limits,
                     self.width)


def paginate(table: Table, *, max_rows: int, max_height: float, row_height: Callable[[list[str]], float],
             header_height: float = 0.0) -> list[Table]:
    """Cut a table into pages of at most ``max_rows`` rows whose total ``row_height`` (plus the header) fits."""
    if not table.rows:
        return [table]
    pages: list[Table] = []
    start, used = 0, header_height
    for i, row in enumerate(table.rows):
        h = row_height(row)
        if i > start and (i - start >= max_rows or used + h > max_height):
            pages.append(table.part(start, i))
            start, used = i, header_height
        used += h
    pages.append(table.part(start, len(table.rows)))
    return pages


@dataclass
class Chart:
    """An Altair chart with what a reader without the picture needs to know."""

    chart: alt.TopLevelMixin
    alt_text: str
    _png: bytes | None = None

    def png(self, width: int = 640, height: int = 300, scale: float = 2.0) -> bytes:
        """The chart as a PNG, rendered without a browser by vl-convert (cached per pack)."""
        if self._png is None:
            import vl_convert as vlc

            sized = self.chart.properties(width=width, height=height, title="")
            styled = sized.configure_axis(labelFontSize=13, titleFontSize=14).configure_legend(
                labelFontSize=13, titleFontSize=13
            ).configure_view(strokeWidth=0)
            self._png = bytes(vlc.vegalite_to_png(styled.to_json(), scale=scale))
        return self._png


@dataclass
class Section:
    key: str
    kind: str  # overview | cross_cutting | recommendation | kpi | changes | judgements
    title: str
    subtitle: str = ""
    facts: list[tuple[str, str, str | None]] = field(default_factory=list)  # label, value, fill key
    paragraphs: list[tuple[str, str]] = field(default_factory=list)  # heading, plain text
    tables: list[Table] = field(default_factory=list)
    chart: Chart | None = None
    note: str = ""


@dataclass
class BoardPack:
    authority: str
    la_code: str
    as_at: dt.date
    since: dt.date
    generated_at: dt.datetime
    filters: dict[str, list[str]]
    sections: list[Section]
    changes: changes_mod.Changes
    action_counts: dict[str, int]
    kpi_counts: dict[str, int]
    actions: pd.DataFrame
    kpis: pd.DataFrame
    red_kpis: pd.DataFrame
    judgements: pd.DataFrame
    inspection: str = ""  # the current plan's inspection, e.g. "SIF 2013-17 inspection, 24 Apr 2017"
    title: str = TITLE

    @property
    def as_at_text(self) -> str:
        return f"as at {formatting.format_date(self.as_at)}"

    @property
    def filter_text(self) -> str:
        names = {"lead_officers": "Lead officer", "recommendations": "Recommendation", "themes": "KPI theme"}
        parts = [f"{names.get(k, k)}: {', '.join(v)}" for k, v in self.filters.items() if v]
        return "; ".join(parts)

    @property
    def footer(self) -> str:
        return f"{self.authority} · {self.title} · {self.as_at_text}"

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def summary(self) -> list[tuple[str, Any]]:
        """(item, value) rows for the Excel Summary sheet."""
        out: list[tuple[str, Any]] = [
            ("Authority", self.authority),
            ("Pack", self.title),
            ("As at", self.as_at),
            ("Changes since", self.since),
            ("Generated", self.generated_at.replace(microsecond=0)),
        ]
        if self.filter_text:
            out.append(("Filters", self.filter_text))
        if self.inspection:
            out.append(("Recommendations from", self.inspection))
        out.append(("Actions in the pack", len(self.actions)))
        for band in BAND_COLUMNS:
            out.append((f"Actions – {formatting.BAND_WORDS[band]}", self.action_counts.get(band, 0)))
        out.append(("Actions overdue", int(self.actions["overdue"].sum()) if not self.actions.empty else 0))
        out.append(("KPIs in the pack", len(self.kpis)))
        for band in BAND_COLUMNS:
            out.append((f"KPIs – {formatting.BAND_WORDS[band]} (derived)", self.kpi_counts.get(band, 0)))
        for r in self.red_kpis.itertuples(index=False):
            value = formatting.format_value(r.value, r.unit, r.decimals)
            target = formatting.format_target(r.target, r.target_text, r.unit, r.decimals)
            why = "" if r.rag == "red" else f"; published red, derived {formatting.rag_word(r.rag_level)}"
            out.append((f"Red KPI {r.ref}", f"{r.name}: {value} against target {target or 'none'} ({r.period}{why})"))
        c = self.changes.counts()
        out.append((f"Changes since {formatting.format_date(self.since)}", self.changes.headline()))
        out.append(("Actions turned red", c["actions_turned_red"]))
        out.append(("Actions newly overdue", c["new_overdue"]))
        return out


# --- helpers ---------------------------------------------------------------------------------------


def _fill(level: Any) -> str | None:
    return level if isinstance(level, str) and level in FILLS else "none"


def _last_fill(columns: int, key: str | None) -> list[str | None]:
    """Fills for a row whose last cell (the RAG) is coloured."""
    fills: list[str | None] = [None for _ in range(columns - 1)]
    fills.append(key)
    return fills


def _grade_fill(score: Any) -> str | None:
    try:
        return f"grade:{int(score)}" if not formatting.is_blank(score) else None
    except (TypeError, ValueError):
        return None


def action_table(acts: pd.DataFrame, caption: str = "", lead: bool = True, empty: str = "No actions.") -> Table:
    cols = ["Ref", "Action", *(["Lead officer"] if lead else []), "Due", "Status", "RAG"]
    widths = [0.6, 3.2, *([2.6] if lead else []), 1.3, 1.4, 1.2]
    table = Table(cols, widths=widths, caption=caption, empty=empty,
                  slide_limits={1: 110, **({2: 90} if lead else {})})
    for r in acts.itertuples(index=False):
        cells = [r.ref, r.title, *([r.lead_officer] if lead else []), formatting.due_text(r.due, r.due_text, r.overdue),
                 r.status_label,
                 formatting.rag_text(r.rag, "Not reported")]
        table.add(cells, _last_fill(len(cols), _fill(r.rag)))
    return table


def _kpi_trend(values: pd.DataFrame, bench: pd.DataFrame, row: Any) -> Chart | None:
    history = values[values["kpi_id"] == row.kpi_id]
    if history["value"].notna().sum() == 0:
        return None
    own_bench = bench[bench["ref"] == row.ref] if not bench.empty else bench
    chart = charts.kpi_trend(history, own_bench, unit=row.unit, title=f"{row.ref} trend")
    points = history[history["value"].notna()]
    first, last = points.iloc[0], points.iloc[-1]
    alt_text = (
        f"Trend of {row.ref} over {formatting.count_text(len(points), 'period')}, from "
        f"{formatting.format_value(first['value'], row.unit, row.decimals)} ({first['period']}) to "
        f"{formatting.format_value(last['value'], row.unit, row.decimals)} ({last['period']})"
    )
    return Chart(chart, alt_text)


def _is_red(row: Any) -> bool:
    reported = row.reported_rag if isinstance(row.reported_rag, str) else None
    return row.rag == "red" or vocab.rag_band(reported) == "red"


# --- building the pack -------------------------------------------------------------------------------


def _overview(pack_acts: pd.DataFrame, current_plans: list[str], kpis: pd.DataFrame,
              changes: changes_mod.Changes, as_at: dt.date) -> Section:
    table = Table(["", *[formatting.band_heading(b) for b in BAND_COLUMNS], "Total", "Overdue"],
                  widths=[3.2, 1.2, 1.2, 1.2, 1.3, 1.0, 1.1], caption="RAG counts")
    order = list(current_plans)

    def add_row(label: str, levels: pd.Series, overdue: int | None) -> None:
        counts = vocab.rag_counts(levels)
        cells: list[Any] = [label, *[counts[b] for b in BAND_COLUMNS], len(levels),
                            "" if overdue is None else overdue]
        fills: list[str | None] = [None, *[b if counts[b] else None for b in BAND_COLUMNS], None, None]
        table.add(cells, fills)

    for plan in order:
        part = pack_acts[pack_acts["plan"] == plan]
        if part.empty:
            continue
        label = f"Actions – {plan}"
        add_row(label, part["rag"], int(part["overdue"].sum()))
    if len(order) > 1:
        add_row("Actions – current programme", pack_acts["rag"], int(pack_acts["overdue"].sum()) if len(pack_acts)
                else 0)
    if not kpis.empty:
        add_row("KPIs – derived RAG", kpis["rag_level"], None)
        add_row("KPIs – published RAG", kpis["reported_rag"], None)
    done = int(pack_acts["status"].isin(list(vocab.DONE_STATUSES)).sum()) if len(pack_acts) else 0
    signoff = int(pack_acts["awaiting_signoff"].sum()) if len(pack_acts) else 0
    c = changes.counts()
    facts: list[tuple[str, str, str | None]] = [
        ("Actions", str(len(pack_acts)), None),
        ("Complete or awaiting sign-off", f"{done} ({signoff} awaiting sign-off)", None),
        ("Overdue", str(int(pack_acts["overdue"].sum()) if len(pack_acts) else 0), "red" if len(pack_acts) and
         pack_acts["overdue"].any() else None),
        ("Turned red since " + formatting.format_date(changes.since), str(c["actions_turned_red"]),
         "red" if c["actions_turned_red"] else None),
        ("Red KPIs (derived or published)", str(int(sum(_is_red(r) for r in kpis.itertuples(index=False)))),
         None),
    ]
    return Section("overview", "overview", "Where the programme stands",
                   subtitle=f"Actions and KPIs by RAG, as at {formatting.format_date(as_at)}",
                   facts=facts, tables=[table])


def _kpi_section(row: Any, values: pd.DataFrame, bench: pd.DataFrame) -> Section:
    value = formatting.format_value(row.value, row.unit, row.decimals) or formatting.text(row.value_text)
    target = formatting.format_target(row.target, row.target_text, row.unit, row.decimals) or "No target"
    previous = formatting.format_value(row.previous, row.unit, row.decimals)
    reported = row.reported_rag if isinstance(row.reported_rag, str) else None
    facts: list[tuple[str, str, str | None]] = [
        ("Latest value", f"{value} ({formatting.text(row.period)})", None),
        ("Target", target, None),
        ("Derived RAG", formatting.rag_text(row.rag_level), _fill(row.rag_level)),
        ("Published RAG", formatting.rag_text(reported, "None published"), _fill(reported) if reported else None),
        ("Direction of travel", formatting.direction_text(row.direction) or "Not known", None),
    ]
    if previous:
        facts.append(("Previous", f"{previous} ({formatting.text(row.previous_period)})", None))
    paragraphs = []
    commentary = formatting.text(row.commentary)
    paragraphs.append(("Commentary", commentary or "No commentary was given with this figure."))
    if formatting.text(row.rag_reason):
        paragraphs.append(("How the RAG was derived", formatting.text(row.rag_reason)))
    owner = formatting.text(row.owner)
    subtitle = " · ".join(p for p in (formatting.text(row.theme), f"Owner: {owner}" if owner else "",
                                      formatting.polarity_text(row.polarity)) if p)
    figures = Table(["Period", "Value", "Target", "Derived RAG", "Published RAG", "Direction"],
                    widths=[2.2, 1.2, 1.6, 1.5, 1.5, 1.5], caption="The latest figures (the chart as a table)")
    history = values[values["kpi_id"] == row.kpi_id].tail(FIGURE_ROWS)
    for h in history.iloc[::-1].itertuples(index=False):
        published = h.reported_rag if isinstance(h.reported_rag, str) else None
        figures.add([h.period, formatting.format_value(h.value, h.unit, h.decimals) or formatting.text(h.value_text),
                     formatting.format_target(h.target, h.target_text, h.unit, h.decimals),
                     formatting.rag_text(h.rag_level), formatting.rag_text(published, "None"),
                     formatting.direction_text(h.direction)],
                    [None, None, None, _fill(h.rag_level), _fill(published) if published else None, None])
    return Section(f"kpi-{row.ref}", "kpi", f"{row.ref} · {formatting.text(row.name)}", subtitle=subtitle,
                   facts=facts, paragraphs=paragraphs, chart=_kpi_trend(values, bench, row), tables=[figures])


def _changes_section(ch: changes_mod.Changes) -> Section:
    since = formatting.format_date(ch.since)
    tables: list[Table] = []
    t = Table(["Ref", "Action", "RAG before", "RAG now", "Status before → now"], widths=[0.7, 3.6, 1.4, 1.4, 2.6],
              caption="Actions whose RAG or status changed", empty="No action changed RAG or status.",
              slide_limits={1: 100})
    for r in ch.actions.itertuples(index=False):
        status = (f"{r.status_from_label} → {r.status_to_label}" if r.status_changed else r.status_to_label)
        t.add([f"{r.ref}", r.title, formatting.rag_text(r.rag_from, r.rag_from_label),
               formatting.rag_text(r.rag_to, r.rag_to_label), status],
              [None, None, _fill(r.rag_from), _fill(r.rag_to), None])
    tables.append(t)
    t = Table(["Ref", "Action", "Lead officer", "Due", "Status", "RAG"], widths=[0.7, 3.0, 2.6, 1.3, 1.4, 1.2],
              caption="Actions newly overdue", empty="No action became overdue.", slide_limits={1: 100, 2: 90})
    for r in ch.new_overdue.itertuples(index=False):
        t.add([r.ref, r.title, r.lead_officer, formatting.format_date(r.due), r.status_label,
               formatting.rag_text(r.rag, "Not reported")], _last_fill(6, _fill(r.rag)))
    tables.append(t)
    t = Table(["Ref", "KPI", "Value now", "RAG before", "RAG now", "Direction before → now"],
              widths=[1.8, 3.1, 1.5, 1.3, 1.3, 2.2], caption="KPIs whose derived RAG or direction changed",
              empty="No KPI changed RAG band or direction.", slide_limits={1: 90})
    for r in ch.kpis.itertuples(index=False):
        value = formatting.format_value(r.value_to, r.unit, r.decimals)
        period = formatting.text(r.period_to)
        direction = (f"{r.direction_from_label or 'None'} → {r.direction_to_label or 'None'}"
                     if r.direction_changed else r.direction_to_label)
        t.add([r.ref, r.name, f"{value} ({period})" if period else value,
               formatting.rag_text(r.rag_from, r.rag_from_label), formatting.rag_text(r.rag_to, r.rag_to_label),
               direction], [None, None, None, _fill(r.rag_from), _fill(r.rag_to), None])
    tables.append(t)
    t = Table(["Ref", "Period", "RAG", "Commentary"], widths=[1.8, 1.3, 1.3, 6.4],
              caption="New commentary", empty="No new commentary.", slide_limits={3: 330})
    for r in ch.action_commentary.itertuples(index=False):
        t.add([f"{r.plan} {r.ref}", formatting.format_date(r.period_end), formatting.rag_text(r.rag, "Not reported"),
               r.commentary], [None, None, _fill(r.rag), None])
    for r in ch.kpi_commentary.itertuples(index=False):
        t.add([r.ref, r.period, formatting.rag_text(r.rag_level), r.commentary], [None, None, _fill(r.rag_level), None])
    tables.append(t)
    if not ch.inspections.empty:
        t = Table(["Inspection", "Body", "Started", "Published", "Overall"], widths=[2.4, 2.4, 1.4, 1.4, 1.8],
                  caption="New inspections")
        for r in ch.inspections.itertuples(index=False):
            t.add([formatting.text(r.framework_label) + (f" – {r.inspection_type}" if r.inspection_type else ""),
                   r.body, formatting.format_date(r.start_date), formatting.format_date(r.published_date),
                   r.overall or "Not graded"])
        tables.append(t)
    if not ch.uploads.empty:
        t = Table(["Upload", "File", "When", "By"], widths=[0.9, 4.0, 2.0, 2.0], caption="Returns uploaded")
        for r in ch.uploads.itertuples(index=False):
            t.add([f"#{r.upload_id}", r.filename, formatting.format_datetime(r.uploaded_at),
                   r.uploaded_by])
        tables.append(t)
    return Section("changes", "changes", f"What changed since {since}", subtitle=ch.headline(), tables=tables)


def _judgements_section(judged: pd.DataFrame, later: list[dict[str, Any]]) -> Section | None:
    """The latest graded inspection as at the pack's date; a later one is named, never shown as current."""
    if judged.empty:
        return None
    first = judged.iloc[0]
    t = Table(["Judgement", "Grade"], widths=[5.0, 2.5], caption="Latest Ofsted judgements", width=0.7)
    for r in judged.itertuples(index=False):
        area = formatting.text(r.area_label) or formatting.text(r.area)
        t.add([area, judgements_mod.grade_text(r.framework, r.grade, r.score)], [None, _grade_fill(r.score)])
    subtitle = formatting.text(first["framework_label"])
    if formatting.text(first["inspection_type"]):
        subtitle += f" – {first['inspection_type']}"
    subtitle += f" · inspected {formatting.format_date(first['inspection_start']) or 'on a date not published'}"
    if not formatting.is_blank(first["published_date"]):
        subtitle += f" · published {formatting.format_date(first['published_date'])}"
    if later:
        subtitle += f" · {tables.later_text(later)}"
    return Section("judgements", "judgements", "Latest Ofsted judgements", subtitle=subtitle, tables=[t],
                   note=" ".join(judgements_mod.scale_notes(judged)))


def _restrict_changes(ch: changes_mod.Changes, action_ids: set[int], kpi_ids: set[int]) -> changes_mod.Changes:
    def keep(df: pd.DataFrame, col: str, ids: set[int]) -> pd.DataFrame:
        if df.empty:
            return df
        return df[df[col].astype(int).isin(list(ids))].reset_index(drop=True)

    ch.actions = keep(ch.actions, "action_id", action_ids)
    ch.new_overdue = keep(ch.new_overdue, "action_id", action_ids)
    ch.action_commentary = keep(ch.action_commentary, "action_id", action_ids)
    ch.kpis = keep(ch.kpis, "kpi_id", kpi_ids)
    ch.kpi_commentary = keep(ch.kpi_commentary, "kpi_id", kpi_ids)
    return ch


def build_pack(
    engine: Engine,
    *,
    since: dt.date | None = None,
    lead_officers: list[str] | None = None,
    recommendations: list[str] | None = None,
    themes: list[str] | None = None,
    as_at: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> BoardPack:
    """The board pack's content for our authority as at the data's date (or ``as_at``).

    ``since`` (default: one month before as-at) dates the "what changed" section. Lead officers
    and recommendations restrict the actions (as the action-plan page filters), themes restrict
    the KPIs (as the scorecard filters); filtered-out items leave the change lists too.
    """
    note = progress or (lambda _msg: None)
    prog = programme.programme(engine, as_at)
    la, as_at = prog.la_code, prog.as_at
    since = since or periods.month_before(as_at)
    if since > as_at:
        since = as_at
    filters = {"lead_officers": list(lead_officers or []), "recommendations": [str(r) for r in recommendations or []],
               "themes": list(themes or [])}

    note("actions")
    acts = prog.filter_actions(prog.current_actions, leads=filters["lead_officers"] or None,
                               recommendations=filters["recommendations"] or None)
    values = kpis_mod.kpi_values(engine, la)
    latest = changes_mod.kpis_as_of(values, None)
    kpis = kpis_mod.kpi_filter(latest, themes=filters["themes"] or None).reset_index(drop=True)
    red = kpis[[_is_red(r) for r in kpis.itertuples(index=False)]] if not kpis.empty else kpis
    if not red.empty:
        red = red.assign(_o=[0 if r == "red" else 1 for r in red["rag"]]).sort_values(
            ["_o", "period_end", "ref"], ascending=[True, False, True]).drop(columns="_o").reset_index(drop=True)

    note("changes")
    ch = changes_mod.compare_frames(
        engine, since=since, as_at=as_at, before_actions=programme.actions(engine, since, [la]),
        after_actions=prog.actions, before_kpis=changes_mod.kpis_as_of(values, since),
        after_kpis=changes_mod.kpis_as_of(values, as_at), kpi_values=values, la_code=la, commentary_until=as_at,
        label=f"since {formatting.format_date(since)}",
    )
    ch = _restrict_changes(ch, {int(i) for i in acts["action_id"]}, {int(i) for i in kpis["kpi_id"]})

    if prog.actions.empty and values.empty:
        sections: list[Section] = [Section("empty", "empty", NOTHING_TITLE, tables=[Table(["Next step"],
                                                                                         empty=NOTHING_TEXT)])]
    else:
        sections = [_overview(acts, prog.current_plans, kpis, ch, as_at)]
        milestone_section = _milestones_section(prog, acts)
        if milestone_section is not None:
            sections.append(milestone_section)
    note("recommendations")
    sections += _recommendation_sections(prog, acts, filters)

    note("kpis")
    bench = benchmarks_mod.published_by(benchmarks_mod.benchmarks(engine), as_at) if not red.empty else pd.DataFrame()
    for row in red.itertuples(index=False):
        sections.append(_kpi_section(row, values, bench))

    judged, later = judgements_mod.latest_judgement(engine, la, as_at)
    if sections[0].kind != "empty":
        sections.append(_changes_section(ch))
        judgement_section = _judgements_section(judged, later)
        if judgement_section is not None:
            sections.append(judgement_section)

    inspections = prog.current_recommendations["inspection"].drop_duplicates().tolist()
    return BoardPack(
        authority=authorities_mod.authority_name(engine, la), la_code=la, as_at=as_at, since=since,
        generated_at=dt.datetime.now(), filters=filters, sections=sections, changes=ch,
        action_counts=vocab.rag_counts(acts["rag"]), kpi_counts=vocab.rag_counts(kpis["rag_level"]),
        actions=acts.reset_index(drop=True), kpis=kpis, red_kpis=red, judgements=judged,
        inspection=" and ".join(inspections),
    )


NOTHING_TITLE = "Nothing to present yet"
NOTHING_TEXT = ("No action plan or KPI return is loaded for this authority. Upload a return on the Upload returns "
                "page (or load the sample), then download the pack again.")


def _milestones_section(prog: programme.Programme, acts: pd.DataFrame) -> Section | None:
    """The milestones of the pack's actions that are overdue or due this month, overdue first."""
    own = prog.current_milestones
    if own.empty:
        return None
    due = milestones_mod.due_or_overdue(own[own["key"].isin(acts["key"])])
    table = Table(["Action", "Milestone", "Due", "Status", "Lead officer"], widths=[0.7, 4.2, 1.2, 1.6, 2.4],
                  empty="No milestone is due this month or overdue.", slide_limits={1: 120, 4: 80})
    for r in due.itertuples(index=False):
        table.add([r.ref, r.label, formatting.format_date(r.due), r.status_label, r.lead_officer],
                  [None, None, None, "red" if r.status == milestone_rules.OVERDUE else "amber", None])
    return Section("milestones", "milestones", "Milestones due or overdue",
                   subtitle=f"As at {formatting.format_date(prog.as_at)} · "
                            f"{formatting.count_text(len(due), 'milestone')} of {len(own)}", tables=[table])


def _recommendation_sections(prog: programme.Programme, acts: pd.DataFrame,
                             filters: dict[str, list[str]]) -> list[Section]:
    """The cross-cutting actions once, then one section per recommendation of the current programme."""
    sections: list[Section] = []
    chain = prog.chain()
    chain = chain[chain["current"]]
    wanted = {rec["id"] for r in filters["recommendations"] if (rec := prog.find_recommendation(r)) is not None}
    filtering = any(filters[k] for k in ("lead_officers", "recommendations"))
    keys = set(acts["key"])
    by_key = acts.set_index("key")
    cross_all = acts[acts["applies_to_all"].astype(bool)]
    if not cross_all.empty:
        sections.append(Section(
            "rec-ALL", "cross_cutting", "Actions answering every recommendation",
            subtitle="Cross-cutting actions, listed once here and counted on each recommendation they answer",
            tables=[action_table(cross_all, "Cross-cutting actions")],
        ))
    for row in chain.itertuples(index=False):
        if wanted and row.id not in wanted:
            continue
        own_keys = [k for k in row.own_keys if k in keys]
        cross_keys = [k for k in row.cross_keys if k in keys]
        if filtering and not own_keys:
            continue  # filtered: a recommendation for its own actions; cross-cutting ones are listed once
        own = by_key.loc[own_keys].reset_index() if own_keys else acts.iloc[0:0]
        cross = by_key.loc[cross_keys].reset_index() if cross_keys else acts.iloc[0:0]
        r = programme.rollup(own, cross)
        facts: list[tuple[str, str, str | None]] = [
            ("Actions", f"{r.own} own" + (f" + {r.cross} cross-cutting" if r.cross else ""), None),
            ("Complete", f"{r.done} of {r.own + r.cross}", None),
            ("Overdue", str(r.overdue), "red" if r.overdue else None),
            ("Worst RAG", formatting.rag_text(r.worst, "Not reported")
             + (f" ({r.worst_from} action)" if r.worst_from else ""), _fill(r.worst) if r.worst else None),
        ]
        paragraphs = [("Recommendation", formatting.text(row.text))]
        if r.cross:
            refs = ", ".join(k.split(":", 1)[1] for k in cross_keys)
            worst = f" (worst {formatting.rag_text(r.cross_worst)})" if r.cross_worst else ""
            paragraphs.append(("Also answered by",
                               f"{formatting.count_text(r.cross, 'cross-cutting action')}{worst}, listed once under "
                               f"'Actions answering every recommendation': {refs}."))
        sections.append(Section(
            f"rec-{row.id}", "recommendation", f"Recommendation {row.label}",
            subtitle=formatting.text(row.inspection)
            + (f" · timeframe: {row.timeframe}" if formatting.text(row.timeframe) else ""),
            facts=facts, paragraphs=paragraphs,
            tables=[action_table(own, f"Its own actions (recommendation {row.label})",
                                 empty="No own action: answered only by the cross-cutting actions." if r.cross
                                 else "No action answers this recommendation yet.")],
            note="" if (r.own or r.cross) else "No action answers this recommendation yet.",
        ))
    return sections
