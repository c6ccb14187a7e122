"""Widgets the pages share: RAG- and grade-coloured tables, attention links, board steps, packs, snapshots.

Layout only: every word and number comes from :mod:`lib.tables` and :mod:`lib.formatting`.
User text reaches Streamlit only through tables and ``st.text`` (shown as typed) or through
:func:`lib.formatting.plain` for elements that render Markdown.
"""

from __future__ import annotations

import copy
import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextlib import nullcontext
from typing import Any

import pandas as pd
import streamlit as st

from lib import formatting, tables
from lib.formatting import GRADE_COLOURS, NEUTRAL_FILL, RAG_COLOURS, format_date, plain
from lib.ui import loaders
from lib.ui.setup import current_user, data_changed, engine_for
from lib.ui.uploads import XLSX_MIME

ACTION_COLUMNS: dict[str, Any] = {
    "Ref": st.column_config.TextColumn(width=55),
    "RAG": st.column_config.TextColumn(width=110),
    "Due": st.column_config.TextColumn(width=120),
    "Status": st.column_config.TextColumn(width=120),
    "Action": st.column_config.TextColumn(width=300),
    "Lead officer": st.column_config.TextColumn(width=250),
    "Recs": st.column_config.TextColumn(width=110, help="Ofsted recommendation numbers answered (ALL: every one)"),
}
WRAP_ROW_HEIGHT = 68  # three lines: a data grid wraps cell text only in rows taller than 4rem (64 px)
MILESTONE_COLUMNS: dict[str, Any] = {
    "Action": st.column_config.TextColumn(width=60),
    "Milestone": st.column_config.TextColumn(width="large"),
    "Due": st.column_config.TextColumn(width=110),
    "Status": st.column_config.TextColumn(width=140),
}
UPDATE_COLUMNS: dict[str, Any] = {"Commentary": st.column_config.TextColumn(width="large")}
SCORECARD_COLUMNS: dict[str, Any] = {
    "Ref": st.column_config.TextColumn(width=80),
    "KPI": st.column_config.TextColumn(width=185),
    "Value": st.column_config.TextColumn(width=70),
    "Target": st.column_config.TextColumn(width=70),
    "How close": st.column_config.TextColumn(width=130, help="The gap to the target; with the targeted-improvement "
                                             "rule, the share of the targeted improvement achieved"),
    "Derived RAG": st.column_config.TextColumn(width=95, help="From value, target, polarity and the KPI's rule"),
    "Published RAG": st.column_config.TextColumn(width=100, help="As the return reported it"),
    "Direction": st.column_config.TextColumn(width=100, help="Against the previous period, respecting polarity"),
    "Period": st.column_config.TextColumn(width=95),
    "Benchmarks": st.column_config.TextColumn(width=150, help="England · region · statistical neighbours, same year"),
}
CHAIN_COLUMNS: dict[str, Any] = {
    "No.": st.column_config.TextColumn(width=45),
    "Recommendation": st.column_config.TextColumn(width=340),
    "Actions": st.column_config.TextColumn(width=170),
    "Progress": st.column_config.TextColumn(width=250),
    "Evidence (KPIs)": st.column_config.TextColumn(width=190),
}
HISTORY_COLUMNS: dict[str, Any] = {
    "Upload": st.column_config.NumberColumn(width="small", format="%d"),
    "File": st.column_config.TextColumn(width="large"),
}


def style_rag(df: pd.DataFrame, columns: dict[str, str]) -> Any:
    """Colour RAG text columns (display column → level column) with the accessible palette; hide level columns.

    Only for small tables (Styler cost is per cell): callers keep it to a few hundred rows.
    """
    levels = {display: df[level_col] for display, level_col in columns.items()}
    shown = df.drop(columns=[c for c in df.columns if c.startswith("_")])

    def colour(col: pd.Series) -> list[str]:
        if col.name not in levels:
            return [""] * len(col)
        return [f"background-color: {RAG_COLOURS.get(lvl, NEUTRAL_FILL) if isinstance(lvl, str) else NEUTRAL_FILL}; "
                "color: #1a1a1a" for lvl in levels[col.name]]

    return shown.style.apply(colour, axis=0)


def style_grades(df: pd.DataFrame, scores: pd.DataFrame | None = None) -> Any:
    """Colour grade cells by their normalised score (1 best .. 4 worst); the word is always shown too.

    Scores come from ``scores`` (same shape), else a ``_score`` column for the Grade column, else the number in
    brackets (ILACS and SIF, whose printed number is the score).
    """
    import re

    shown = df.drop(columns=[c for c in df.columns if str(c).startswith("_")])
    if scores is None and "_score" in df:
        scores = pd.DataFrame({"Grade": df["_score"]}, index=df.index)

    def fill(score: Any) -> str:
        if formatting.is_blank(score):
            return ""
        return f"background-color: {GRADE_COLOURS.get(int(score), NEUTRAL_FILL)}; color: #1a1a1a"

    if scores is not None:
        def colour(col: pd.Series) -> list[str]:
            if col.name not in scores.columns:
                return [""] * len(col)
            return [fill(v) for v in scores[col.name]]

        return shown.style.apply(colour, axis=0)

    def by_text(value: Any) -> str:
        match = re.search(r"\((\d)\)\s*$", str(value))
        return fill(int(match.group(1))) if match else ""

    return shown.style.map(by_text)


TILE_EDGES = {"green": "#1b7837", "amber": "#b35806", "red": "#b2182b", "none": "#6c757d", "overdue": "#b2182b",
              "neutral": "#6c757d"}
TILE_FILLS = {**RAG_COLOURS, "overdue": "#f4a7a7"}


def _tile_rule(kind: str, css_key: str) -> str:
    return (f".st-key-{css_key} {{background: {TILE_FILLS.get(kind, NEUTRAL_FILL)}; border-left: 0.6rem solid "
            f"{TILE_EDGES[kind]}; border-radius: 0.4rem; padding: 0.35rem 0.7rem;}}")


def rag_tiles(counts: dict[str, int], key: str, *, extra: tuple[tuple[str, str, str], ...] = ()) -> None:
    """Headline counts as tiles: the RAG colour, its icon and its word, and the number large.

    ``extra`` adds (kind, label, count key) tiles such as ("overdue", "✖ Overdue", "overdue"). The CSS is
    built from constants and the tiles' own widget keys; no user text reaches it.
    """
    tiles = [(band, formatting.band_heading(band), band) for band in ("green", "amber", "red")] + list(extra)
    keys = [f"tile-{key}-{i}" for i in range(len(tiles))]
    kinds = [kind if kind in TILE_EDGES else "neutral" for kind, _label, _count in tiles]
    st.html("<style>" + "".join(_tile_rule(k, css) for k, css in zip(kinds, keys, strict=True)) + "</style>")
    for column, css_key, (_kind, label, count_key) in zip(st.columns(len(tiles)), keys, tiles, strict=True):
        with column.container(key=css_key):
            st.metric(label, int(counts.get(count_key, 0)))


def first_run(url: str) -> None:
    """An empty database: say what the product needs, and offer the two ways to begin."""
    from lib import sample

    st.subheader("Nothing loaded yet", anchor=False)
    st.write("Improvement Board shows an Ofsted improvement programme: the plan's actions with their RAG, the KPIs "
             "against their targets and benchmarks, and the Ofsted judgements. Start in one of two ways.")
    left, right = st.columns(2, gap="large")
    with left.container(border=True):
        st.markdown("**Look around with the sample programme**")
        st.caption("Barnet's 2017 improvement programme from its public committee papers, with illustrative "
                   "monthly returns, plus the official Ofsted outcomes and benchmarks.")
        if st.button("Load the sample", key="first_run_sample", icon=":material/dataset:"):
            with st.spinner("Loading the sample…"):
                sample.seed(engine_for(url))
            st.rerun()
    with right.container(border=True):
        st.markdown("**Start with our own plan**")
        st.caption("Loads only the official data (authorities, every published Ofsted outcome, statistical "
                   "neighbours); then upload your own plan and KPI returns, and choose your authority in Settings.")
        if st.button("Start with our own plan", key="first_run_own", icon=":material/upload_file:"):
            with st.spinner("Loading the official data…"):
                sample.seed(engine_for(url), reference_only=True)
            st.switch_page("pages/upload.py")
    st.caption("The same from the command line: python -m lib.cli seed (sample) or python -m lib.cli seed "
               "--reference-only (official data only).")


def empty_state(message: str) -> None:
    st.info(message, icon=":material/info:")


def attention_links(df: pd.DataFrame, page: str, label_of: Any, params_of: Any, icon: str, limit: int = 6) -> None:
    """A short list of links to the detail of each item, with a count of the rest."""
    if df.empty:
        st.caption("None this month.")
        return
    for row in df.head(limit).itertuples():
        st.page_link(page, label=label_of(row), icon=icon, query_params=params_of(row))
    if len(df) > limit:
        st.caption(f"…and {len(df) - limit} more")


def judgement_caption(judged: pd.DataFrame, later: list[Any]) -> str:
    """Which inspection the grades come from, and any later inspection after the as-at date."""
    first = judged.iloc[0]
    text = f"{formatting.text(first['framework_label'])} inspection starting {format_date(first['inspection_start'])}"
    if not formatting.is_blank(first.get("published_date")):
        text += f", published {format_date(first['published_date'])}"
    if later:
        text += " · " + tables.later_text(later)
    return plain(text)


def plain_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Every shown cell and heading escaped for an element that renders Markdown (st.table); "_" columns kept."""
    shown = df.copy()
    for col in shown.columns:
        if not str(col).startswith("_"):
            shown[col] = [plain(v) for v in shown[col]]
    shown.columns = [plain(c) if not str(c).startswith("_") else c for c in shown.columns]
    return shown


def wrapped_table(df: pd.DataFrame, levels: dict[str, str] | None = None) -> None:
    """A short table whose long text wraps (board steps): every cell shown as literal text, RAG cells coloured.

    st.table renders Markdown in cells, so each cell goes through :func:`plain` first.
    """
    shown = plain_frame(df)
    levels = {plain(k): v for k, v in (levels or {}).items() if v in shown.columns}
    st.table(style_rag(shown, levels) if levels else shown.drop(columns=[c for c in shown.columns
                                                                          if str(c).startswith("_")]),
             hide_index=True)


def render_step(step: Any) -> None:
    """One agenda step: tiles for the overview, a short wrapping RAG table otherwise."""
    if step.kind == "overview":
        f = step.facts
        st.subheader("Actions of the current programme", anchor=False)
        rag_tiles(f["actions"], "board-actions", extra=(("overdue", "✖ Overdue", "overdue"),
                                                        ("neutral", "To sign off", "awaiting_signoff")))
        st.subheader("KPIs", anchor=False)
        rag_tiles(f["kpis"], "board-kpis", extra=(("none", formatting.band_heading("none"), "none"),))
        st.caption(plain(f["caption"]))
        return
    if step.kind == "recommendation":
        st.text(step.facts["text"])
        st.caption(plain(step.facts["progress"]))
        if step.facts.get("cross"):
            st.caption(plain(step.facts["cross"]))
    if step.kind == "judgements":
        st.caption(plain(step.facts["caption"]))
        st.table(style_grades(plain_frame(step.table)), hide_index=True)
        return
    if step.note and step.table.empty:
        st.info(plain(step.note))
        return
    wrapped_table(step.table, {"RAG": "_rag", "Status": "_rag"} if step.kind == "milestones" else {"RAG": "_rag"})


def show_changes(changes: Any) -> None:
    """Each kind of change as a short table: RAG and status moves, new overdue, KPI moves, commentary."""
    for heading, table in tables.change_rows(changes).items():
        st.subheader(heading, anchor=False)
        config = {"Commentary": st.column_config.TextColumn(width="large")}
        shown = style_rag(table, {"RAG": "_rag"}) if "_rag" in table else table
        st.dataframe(shown, hide_index=True, width="stretch", column_config=config, row_height=WRAP_ROW_HEIGHT)
    if changes.is_empty:
        st.caption("Nothing has changed in this window.")


NOTHING_TO_PRESENT = ("Nothing to present yet: no action plan or KPI return is loaded. Upload a return (or load "
                      "the sample) first.")


def pack_downloads(url: str, version: str, *, since: dt.date | None, key: str,
                   leads: list[str] | None = None, recs: list[str] | None = None,
                   themes: list[str] | None = None) -> None:
    """PowerPoint, PDF and Excel board packs, generated when clicked, reflecting the given filters."""
    from lib.exports import pack as pack_mod
    from lib.exports import pdf_pack, pptx_pack, xlsx_pack

    def build() -> Any:
        return pack_mod.build_pack(engine_for(url), since=since, lead_officers=leads or None,
                                   recommendations=recs or None, themes=themes or None)

    ctx = loaders.load_context(url, version)
    stamp = f"{ctx['as_at']:%Y-%m-%d}"
    empty = bool(ctx.get("empty"))
    why = NOTHING_TO_PRESENT if empty else None
    c1, c2, c3 = st.columns(3)
    c1.download_button("PowerPoint pack", data=lambda: pptx_pack.to_pptx(build()),
                       file_name=f"board-pack-{stamp}.pptx", icon=":material/slideshow:", key=f"pptx_{key}",
                       mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                       on_click="ignore", disabled=empty, help=why)
    c2.download_button("PDF pack", data=lambda: pdf_pack.to_pdf(build()), file_name=f"board-pack-{stamp}.pdf",
                       mime="application/pdf", icon=":material/picture_as_pdf:", key=f"pdf_{key}", on_click="ignore",
                       disabled=empty, help=why)
    c3.download_button("Excel pack", data=lambda: xlsx_pack.to_xlsx(engine_for(url), build()),
                       file_name=f"board-pack-{stamp}.xlsx", mime=XLSX_MIME, icon=":material/table:",
                       key=f"xlsx_{key}", on_click="ignore", disabled=empty, help=why)
    if empty:
        st.caption(NOTHING_TO_PRESENT)


def mark_board(url: str, meeting: dt.date, title: str) -> int:
    from lib import snapshots

    snapshot_id = snapshots.mark_board(engine_for(url), meeting, title, user=current_user())
    data_changed()
    return snapshot_id


def show_snapshot(url: str, version: str, snapshot_id: int) -> None:
    """A board snapshot exactly as presented: its actions, KPIs with their benchmarks, and what moved since."""
    from lib import snapshots

    snap = snapshots.load_snapshot(engine_for(url), snapshot_id)
    st.caption(plain(f"{snap.label} · data as at {format_date(snap.as_at)} · frozen "
                     f"{formatting.format_datetime(snap.created_at)}"))
    tab_actions, tab_kpis, tab_compare = st.tabs(["Actions as presented", "KPIs as presented", "Compared with today"])
    with tab_actions:
        if snap.actions.empty:
            st.caption("No actions were on the board.")
        else:
            st.dataframe(style_rag(tables.action_table(snap.actions), {"RAG": "_rag_level"}), hide_index=True,
                         width="stretch", column_config=ACTION_COLUMNS)
    with tab_kpis:
        if snap.kpis.empty:
            st.caption("No KPIs were on the board.")
        else:
            table = tables.scorecard_table(snap.kpis, snap.benchmarks)
            st.dataframe(style_rag(table, {"Derived RAG": "_rag_level", "Published RAG": "_reported_level"}),
                         hide_index=True, width="stretch", column_config=SCORECARD_COLUMNS)
    with tab_compare:
        changes = loaders.load_snapshot_changes(url, version, snapshot_id)
        st.info(plain(changes.headline()))
        show_changes(changes)


# --- charts: built once per data revision and view --------------------------------------------------------------

_SPECS: OrderedDict[Hashable, dict[str, Any]] = OrderedDict()
_SPECS_LOCK = threading.Lock()
MAX_SPECS = 128  # chart specs kept (each a few KB to a few hundred KB)


def chart(key: Hashable, build: Callable[[], Any], *, width: Any = "stretch") -> None:
    """Draw the Altair chart ``build()`` makes, building and validating it only the first time its ``key``
    is seen. Why: a rerun (a click anywhere on the page) spent half its time building the same chart and
    checking it against the Vega-Lite schema. The key must name everything the chart depends on — the
    database and its data revision first, so a new upload never shows a stale chart."""
    import altair as alt

    with _SPECS_LOCK:
        spec = _SPECS.get(key)
        if spec is not None:
            _SPECS.move_to_end(key)
    if spec is None:
        built = build()
        with _SPECS_LOCK:  # Altair's theme is global: "none", as st.altair_chart uses, while converting
            theme = alt.theme.enable("none") if alt.theme.active == "default" else nullcontext()
            with theme:
                spec = built.to_dict()
            _SPECS[key] = spec
            while len(_SPECS) > MAX_SPECS:
                _SPECS.popitem(last=False)
    st.vega_lite_chart(spec=copy.deepcopy(spec), width=width)
