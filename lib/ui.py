"""The only lib module that imports Streamlit: page set-up, cached loaders, RAG badges.

Every page calls :func:`page_setup` first, so a deep link opened as the first request
after a server start gets the same configuration, data check and navigation.
Loaders are cached per database URL and data version, bounded, and cleared after
any write (upload, undo, settings) via :func:`data_changed`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine, text

from lib import config, formatting, queries, store, vocab
from lib.formatting import direction_text, format_date, format_value, plain, rag_text

RAG_COLOURS = formatting.RAG_COLOURS
RAG_ICONS = formatting.RAG_ICONS
NEUTRAL = formatting.NEUTRAL_FILL

# Our own constant CSS (never user text): less empty space above the title, calmer title size,
# so a 1280x720 screen share shows the table, not the margins.
PAGE_CSS = """
<style>
.block-container {padding-top: 2.2rem; padding-bottom: 2rem; max-width: 100%;}
h1 {font-size: 2.0rem !important; padding-top: 0.2rem !important;}
h2 {font-size: 1.45rem !important;}
h3 {font-size: 1.2rem !important;}
</style>
"""


def db_url() -> str:
    return config.database_url()


@st.cache_resource(max_entries=4)
def engine_for(url: str) -> Engine:
    from lib.returns import worker

    engine = store.get_engine(url)
    store.init_db(engine)
    worker.prestart()  # warm the isolated workbook reader so the first upload does not wait for it
    return engine


def engine() -> Engine:
    return engine_for(db_url())


def data_version(eng: Engine) -> str:
    """A cheap fingerprint that changes whenever data is written, to key the caches."""
    with eng.connect() as conn:
        uploads = conn.execute(text("SELECT COUNT(*), MAX(id) FROM upload")).one()
        values = conn.execute(text("SELECT COUNT(*) FROM kpi_value")).scalar()
        updates = conn.execute(text("SELECT COUNT(*) FROM action_update")).scalar()
        settings = conn.execute(text("SELECT COUNT(*) FROM setting")).scalar()
    return f"{uploads[0]}-{uploads[1]}-{values}-{updates}-{settings}"


def data_changed() -> None:
    """Call after any write so every page re-reads."""
    st.cache_data.clear()


def page_setup(title: str) -> Engine:
    """Shared set-up for every page, deep links included.

    When a page file is run directly (a deep link as the first request after a server
    start runs the file without app.py), build the same navigation here, let it run the
    page, and stop the direct run, so every URL shows the same app.
    """
    if not getattr(_NAV, "active", False):
        run_app()
        st.stop()
    st.set_page_config(page_title=f"{title} · Improvement Board", layout="wide")
    st.markdown(PAGE_CSS, unsafe_allow_html=True)  # constant defined above, no user data
    return engine()


# --- cached loaders -------------------------------------------------------------------------


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def load_actions(url: str, version: str) -> pd.DataFrame:
    return queries.actions(engine_for(url))


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def load_kpi_values(url: str, version: str, la_code: str | None = None) -> pd.DataFrame:
    return queries.kpi_values(engine_for(url), la_code)


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def load_latest_kpis(url: str, version: str, la_code: str) -> pd.DataFrame:
    return queries.latest_kpis(engine_for(url), la_code)


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def load_recommendations(url: str, version: str, la_code: str | None = None) -> pd.DataFrame:
    return queries.recommendations(engine_for(url), la_code)


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def load_judgements(url: str, version: str, la_codes: tuple[str, ...] | None = None) -> pd.DataFrame:
    return queries.judgements(engine_for(url), list(la_codes) if la_codes else None)


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def load_benchmarks(url: str, version: str, kpi_ref: str | None = None) -> pd.DataFrame:
    return queries.benchmarks(engine_for(url), kpi_ref)


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def load_updates(url: str, version: str, action_id: int | None = None) -> pd.DataFrame:
    return queries.action_updates(engine_for(url), action_id)


@st.cache_data(ttl=600, max_entries=8, show_spinner=False)
def load_attention(url: str, version: str, as_at: dt.date) -> dict[str, pd.DataFrame]:
    return queries.attention(engine_for(url), as_at)


@st.cache_data(ttl=600, max_entries=8, show_spinner=False)
def load_latest_judgements(url: str, version: str, la_code: str) -> pd.DataFrame:
    return queries.latest_judgements(engine_for(url), la_code)


@st.cache_data(ttl=600, max_entries=4, show_spinner=False)
def load_context(url: str, version: str) -> dict[str, Any]:
    eng = engine_for(url)
    la = queries.our_authority(eng)
    return {"la_code": la, "authority": queries.authority_name(eng, la), "as_at": queries.as_at_date(eng)}


# --- formatting ------------------------------------------------------------------------------










def style_rag(df: pd.DataFrame, columns: dict[str, str]) -> Any:
    """Colour RAG text columns (display column → level column) with the accessible palette.

    Only for small tables (Styler cost is per cell): callers keep it to a few hundred rows.
    """
    levels = {display: df[level_col] for display, level_col in columns.items()}
    shown = df.drop(columns=list(set(columns.values()) - set(columns.keys())), errors="ignore")

    def colour(col: pd.Series) -> list[str]:
        if col.name not in levels:
            return [""] * len(col)
        return [
            f"background-color: {RAG_COLOURS.get(lvl, NEUTRAL) if isinstance(lvl, str) else NEUTRAL}; color: #1a1a1a"
            for lvl in levels[col.name]
        ]

    return shown.style.apply(colour, axis=0)


def empty_state(message: str) -> None:
    st.info(message, icon=":material/info:")


# --- navigation -------------------------------------------------------------------------------

PAGES: tuple[tuple[str, str, str, str, str], ...] = (
    # (file, title, icon, url_path, help)
    ("pages/overview.py", "Overview", ":material/dashboard:", "overview",
     "Where the programme stands: actions and KPIs by RAG, latest Ofsted judgements, what needs attention."),
    ("pages/action_plan.py", "Action plan", ":material/checklist:", "action_plan",
     "Every action with its recommendation, lead officer, due date, status and RAG; filter and open history."),
    ("pages/recommendations.py", "Recommendations", ":material/account_tree:", "recommendations",
     "Each Ofsted recommendation with the actions that answer it and the KPIs that evidence it."),
    ("pages/kpis.py", "KPI scorecard", ":material/monitoring:", "kpis",
     "Latest KPI values against targets and benchmarks, with trend charts and direction of travel."),
    ("pages/judgements.py", "Ofsted judgements", ":material/gavel:", "judgements",
     "Inspection judgements over time and beside statistical neighbours, region and England."),
    ("pages/board.py", "Board meeting", ":material/co_present:", "board",
     "The board's agenda one screen at a time in large type; arrow keys move between steps."),
    ("pages/changes.py", "Since last board", ":material/compare_arrows:", "changes",
     "What moved since the last board or a date; board snapshots as presented; board pack downloads."),
    ("pages/upload.py", "Upload returns", ":material/upload_file:", "upload",
     "Upload monthly Excel returns, preview and confirm, see the upload history and undo."),
    ("pages/settings.py", "Settings", ":material/settings:", "settings",
     "Our authority and the RAG rule and tolerance of each KPI."),
)

_NAV = __import__("threading").local()
PRESENTATION_HIDDEN = frozenset({"upload", "settings"})  # controls a board audience does not need


def run_app() -> None:
    """Build the navigation and run the selected page (called by app.py)."""
    st.set_page_config(page_title="Improvement Board", page_icon=":material/dashboard:", layout="wide")
    shown = [p for p in PAGES if not (presenting() and p[3] in PRESENTATION_HIDDEN)]
    pages = [
        st.Page(
            str(config.PROJECT_ROOT / path),
            title=title,
            icon=icon,
            url_path=url,
            help=help_text,
            default=(i == 0),
        )
        for i, (path, title, icon, url, help_text) in enumerate(shown)
    ]
    nav = st.navigation(pages, position="top")
    _NAV.active = True
    try:
        nav.run()
    finally:
        _NAV.active = False


# --- URL filters and selection -------------------------------------------------------------------


def natural_key(text: str) -> tuple[Any, ...]:
    """Sort "2" before "10" and "ALL" first."""
    import re as _re

    if text == "ALL":
        return (0,)
    return (1, *tuple(int(p) if p.isdigit() else p for p in _re.split(r"(\d+)", text)))


def filters_from_url(spec: dict[str, str]) -> dict[str, Any]:
    """Read filters from the query string: "list" params repeat, "bool" is 1/0, "str" is text."""
    out: dict[str, Any] = {}
    for name, kind in spec.items():
        if kind == "list":
            out[name] = [v for v in st.query_params.get_all(name) if v]
        elif kind == "bool":
            out[name] = st.query_params.get(name, "0") in ("1", "true", "yes")
        else:
            out[name] = st.query_params.get(name, "")
    return out


def filters_to_url(values: dict[str, Any]) -> None:
    """Write the current filters back so the view can be bookmarked and shared."""
    for name, value in values.items():
        if isinstance(value, bool):
            wanted: list[str] = ["1"] if value else []
        elif isinstance(value, list):
            wanted = [str(v) for v in value]
        else:
            wanted = [str(value)] if value else []
        if st.query_params.get_all(name) != wanted:
            if wanted:
                st.query_params[name] = wanted if len(wanted) > 1 else wanted[0]
            elif name in st.query_params:
                del st.query_params[name]


def valid(defaults: list[str], options: Any) -> list[str]:
    """Keep only URL values that are real options (a stale bookmark must not crash the page)."""
    allowed = {str(o) for o in options}
    return [d for d in defaults if d in allowed]


def selected_row(event: Any, shown: pd.DataFrame, *, url_key: str, key_of: Any) -> pd.Series | None:
    """The row picked in a table, else the one named in the URL (deep links from the overview)."""
    rows = list(getattr(getattr(event, "selection", None), "rows", []) or [])
    if rows and rows[0] < len(shown):
        row = shown.iloc[rows[0]]
        key = key_of(row)
        if st.query_params.get(url_key) != key:
            st.query_params[url_key] = key
        return row
    wanted = st.query_params.get(url_key)
    if wanted:
        for _, row in shown.iterrows():
            if key_of(row) == wanted:
                return row
    return None


# --- table shapes ----------------------------------------------------------------------------------

ACTION_COLUMNS: dict[str, Any] = {
    "Ref": st.column_config.TextColumn(width=50),
    "RAG": st.column_config.TextColumn(width=105),
    "Due": st.column_config.TextColumn(width=165),
    "Status": st.column_config.TextColumn(width=125),
    "Action": st.column_config.TextColumn(width=300),
    "Lead officer": st.column_config.TextColumn(width=260),
    "Recs": st.column_config.TextColumn(width=85, help="Ofsted recommendation numbers answered"),
}
UPDATE_COLUMNS: dict[str, Any] = {
    "Commentary": st.column_config.TextColumn(width="large"),
}


def action_table(df: pd.DataFrame) -> pd.DataFrame:
    """The action-plan table as shown: words for RAG and status, dates as 24 May 2012."""
    due = []
    for d, text_due, overdue in zip(df["due"], df["due_text"], df["overdue"], strict=True):
        label = format_date(d) or (text_due or "")
        due.append(f"{label} · OVERDUE" if overdue else label)
    return pd.DataFrame(
        {
            "Ref": df["ref"],
            "RAG": [rag_text(r) if isinstance(r, str) else "Not reported" for r in df["rag"]],
            "Due": due,
            "Status": df["status_label"],
            "Action": df["title"],
            "Lead officer": df["lead_officer"].fillna(""),
            "Recs": [", ".join(r) for r in df["recommendations"]],
            "_rag_level": df["rag"],
        }
    ).reset_index(drop=True)


def update_table(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Month": df["period_label"].fillna(""),
            "Status": [vocab.STATUS_LABELS.get(s, s or "") for s in df["status"]],
            "RAG": [rag_text(r) if isinstance(r, str) else "Not reported" for r in df["rag"]],
            "As reported": df["rag_reported"].fillna(""),
            "Commentary": df["commentary"].fillna(""),
            "Reported by": df["reported_by"].fillna(""),
        }
    ).iloc[::-1].reset_index(drop=True)


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def load_benchmark_summary(url: str, version: str, la_code: str) -> pd.DataFrame:
    return queries.benchmark_summary(engine_for(url), la_code)


@st.cache_data(ttl=600, max_entries=64, show_spinner=False)
def load_kpi_history(url: str, version: str, la_code: str, ref: str) -> pd.DataFrame:
    return queries.kpi_values(engine_for(url), la_code, ref)


def polarity_text(polarity: str | None) -> str:
    return vocab.POLARITY_LABELS.get(polarity or "", "Polarity not set")


SCORECARD_COLUMNS: dict[str, Any] = {
    "Ref": st.column_config.TextColumn(width=80),
    "KPI": st.column_config.TextColumn(width=235),
    "Value": st.column_config.TextColumn(width=70),
    "Target": st.column_config.TextColumn(width=70),
    "Derived RAG": st.column_config.TextColumn(width=105, help="From value, target, polarity and the KPI's rule"),
    "Published RAG": st.column_config.TextColumn(width=110, help="As the return reported it"),
    "Direction": st.column_config.TextColumn(width=110, help="Against the previous period, respecting polarity"),
    "Period": st.column_config.TextColumn(width=100),
    "Benchmarks": st.column_config.TextColumn(width=190, help="England · London · statistical neighbours · quartile"),
}


def _bench_text(row: Any, unit: str | None, decimals: int) -> str:
    parts = []
    for col, label in (("england", "Eng"), ("london", "Lon"), ("sn", "SN")):
        value = getattr(row, col, None)
        if value is not None and not pd.isna(value):
            parts.append(f"{label} {format_value(value, unit, decimals)}")
    quart = getattr(row, "quartile", None)
    if quart is not None and not pd.isna(quart):
        parts.append(f"Q{int(quart)} nationally")
    return " · ".join(parts)


def scorecard_table(df: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    by_ref = {r.ref: r for r in summary.itertuples(index=False)} if not summary.empty else {}
    rows = []
    for row in df.itertuples(index=False):
        value = format_value(row.value, row.unit, row.decimals) or (row.missing_reason or "").capitalize()
        target = (
            format_value(row.target, row.unit, row.decimals)
            if row.target is not None and not pd.isna(row.target)
            else (row.target_text or "")
        )
        reported = row.reported_rag if isinstance(row.reported_rag, str) else None
        rows.append(
            {
                "Ref": row.ref,
                "KPI": row.name,
                "Value": value,
                "Target": target,
                "Derived RAG": rag_text(row.rag_level if isinstance(row.rag_level, str) else None),
                "Published RAG": rag_text(reported) if reported else "",
                "Direction": direction_text(row.direction),
                "Period": row.period,
                "Benchmarks": _bench_text(by_ref[row.ref], row.unit, row.decimals) if row.ref in by_ref else "",
                "_rag_level": row.rag_level,
                "_reported_level": reported,
            }
        )
    return pd.DataFrame(rows)


def history_table(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Period": df["period"],
            "Value": [
                format_value(v, u, d) or (m or "")
                for v, u, d, m in zip(df["value"], df["unit"], df["decimals"], df["missing_reason"], strict=True)
            ],
            "Target": [
                format_value(t, u, d) if t is not None and not pd.isna(t) else (tt or "")
                for t, tt, u, d in zip(df["target"], df["target_text"], df["unit"], df["decimals"], strict=True)
            ],
            "Derived RAG": [rag_text(r if isinstance(r, str) else None) for r in df["rag_level"]],
            "Published RAG": [rag_text(r) if isinstance(r, str) else "" for r in df["reported_rag"]],
            "Direction": [direction_text(d) for d in df["direction"]],
            "Commentary": df["commentary"].fillna(""),
        }
    ).iloc[::-1].reset_index(drop=True)


def benchmark_table(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Comparator": df["comparator"],
            "Year": df["year_label"],
            "Value": df["value"],
            "Source": df["source"],
        }
    )


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def load_chain(url: str, version: str, la_code: str) -> pd.DataFrame:
    return queries.chain(engine_for(url), la_code)


@st.cache_data(ttl=3600, max_entries=4, show_spinner=False)
def load_authorities(url: str, version: str) -> pd.DataFrame:
    return queries.authorities(engine_for(url))


@st.cache_data(ttl=600, max_entries=32, show_spinner=False)
def load_inspections(url: str, version: str, la_codes: tuple[str, ...]) -> pd.DataFrame:
    return queries.inspections(engine_for(url), list(la_codes))


@st.cache_data(ttl=600, max_entries=32, show_spinner=False)
def load_comparison(url: str, version: str, la_code: str) -> pd.DataFrame:
    return queries.comparison(engine_for(url), la_code)


@st.cache_data(ttl=600, max_entries=4, show_spinner=False)
def load_national(url: str, version: str) -> pd.DataFrame:
    return queries.latest_ilacs(engine_for(url))


CHAIN_COLUMNS: dict[str, Any] = {
    "No.": st.column_config.TextColumn(width=45),
    "Recommendation": st.column_config.TextColumn(width=360),
    "Actions": st.column_config.TextColumn(width=120),
    "Progress": st.column_config.TextColumn(width=210),
    "Evidence (KPIs)": st.column_config.TextColumn(width=190),
}


def chain_table(df: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for row in df.itertuples(index=False):
        if row.action_count == 0:
            progress = "⚠ No action"
        else:
            progress = f"{row.done}/{row.action_count} done" + (f" · {row.overdue} overdue" if row.overdue else "")
            progress += f" · worst {rag_text(row.worst_rag)}" if row.worst_rag else ""
        rows.append(
            {
                "No.": row.number,
                "Recommendation": row.text,
                "Actions": ", ".join(row.actions) if row.actions else "—",
                "Progress": progress,
                "Evidence (KPIs)": ", ".join(row.kpis) if row.kpis else "⚠ No KPI evidence",
                "_rag_level": row.worst_rag if row.action_count else None,
            }
        )
    return pd.DataFrame(rows)


GRADE_COLOURS = {1: "#4dac26", 2: "#b8e186", 3: "#fdb863", 4: "#e66101"}


def style_grades(df: pd.DataFrame) -> Any:
    """Colour grade cells by the score in brackets; the word is always shown too."""
    import re as _re

    def colour(value: Any) -> str:
        match = _re.search(r"\((\d)\)\s*$", str(value))
        if not match:
            return ""
        return f"background-color: {GRADE_COLOURS.get(int(match.group(1)), NEUTRAL)}; color: #1a1a1a"

    return df.style.map(colour)


# --- uploads ---------------------------------------------------------------------------------------

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HISTORY_COLUMNS: dict[str, Any] = {
    "Upload": st.column_config.NumberColumn(width="small", format="%d"),
    "File": st.column_config.TextColumn(width="large"),
}


@st.cache_data(ttl=600, max_entries=32, show_spinner=False)
def template_bytes(url: str, version: str, lead: str | None) -> bytes:
    from lib.returns import template

    return template.template(engine_for(url), lead_officer=lead)


@st.cache_data(ttl=600, max_entries=4, show_spinner=False)
def lead_officers(url: str, version: str) -> list[str]:
    acts = queries.actions(engine_for(url))
    return sorted(acts["lead_officer"].dropna().unique().tolist())


def pack_filename(lead: str) -> str:
    import re as _re

    return "return-pack-" + _re.sub(r"[^a-z0-9]+", "-", lead.lower()).strip("-")[:60] + ".xlsx"


def month_choices(as_at: dt.date, count: int = 18) -> list[Any]:
    from lib import periods

    out = []
    year, month = as_at.year, as_at.month + 1
    for _ in range(count):
        if month == 0:
            year, month = year - 1, 12
        if month == 13:
            year, month = year + 1, 1
        out.append(periods.month(year, month))
        month -= 1
    return out


def preview_import(url: str, data: bytes, filename: str, month: Any) -> Any:
    """The dry-run import of a file, remembered for this session so reruns do not re-read it."""
    import hashlib

    from lib.returns import pipeline

    key = ("preview", hashlib.sha256(data).hexdigest(), getattr(month, "end", None), data_version(engine_for(url)))
    cache = st.session_state.setdefault("_previews", {})
    if key not in cache:
        cache.clear()
        cache[key] = pipeline.import_bytes(engine_for(url), data, filename, dry_run=True, period=month)
    return cache[key]


def show_import_result(result: Any, key: str) -> None:
    """Preview or outcome: sheets read, what would change, every problem (downloadable)."""
    from lib.returns import report

    if result.outcome == "duplicate":
        st.info(f"Already imported as upload {result.duplicate_of}; importing it again would change nothing.",
                icon=":material/check_circle:")
        return
    if result.sheets:
        st.dataframe(
            pd.DataFrame([{"Sheet": s.name, "Read as": s.label, "Rows": s.rows,
                           "Header row": str(s.header_row) if s.header_row else "",
                           "Not read": s.reason or "; ".join([*(f"column '{u}'" for u in s.unmatched),
                                                               *s.skipped_rows])}
                          for s in result.sheets]),
            hide_index=True, width="stretch",
        )
    if result.outcome == "preview":
        st.success(plain(result.summary_line().replace(result.filename + ": ", "This return ")),
                   icon=":material/fact_check:")
        rows = result.change_rows()
        if rows:
            st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        show_upload_changes(result, key)
    errors, warnings = result.errors, result.warnings
    if errors:
        st.error(f"{len(errors)} problem(s) — nothing from this file will be stored. Fix them and upload again.",
                 icon=":material/error:")
    if warnings:
        st.warning(f"{len(warnings)} warning(s) — the import is allowed; check them.", icon=":material/warning:")
    listed = [p for p in result.problems if p.severity != "note"]
    if listed:
        st.dataframe(pd.DataFrame([p.as_row() for p in listed]), hide_index=True, width="stretch",
                     column_config={"Problem": st.column_config.TextColumn(width="large")})
    if result.problems or result.changes:
        st.download_button("Download the changes, problems and notes as a spreadsheet",
                           report.problems_workbook(result.problems, result.sheets, result.changes),
                           file_name=f"preview-{result.filename.rsplit('.', 1)[0]}.xlsx", mime=XLSX_MIME,
                           key=f"dl_{key}")
    notes = result.notes + [p.line().removeprefix("note: ").removeprefix(result.filename + ": ")
                            for p in result.cell_notes]
    if notes:
        with st.expander(f"How the file was read ({len(notes)} note(s))", icon=":material/info:"):
            st.dataframe(pd.DataFrame({"Note": notes}), hide_index=True, width="stretch")


def show_upload_changes(result: Any, key: str) -> None:
    """Every change the upload would make, cell by cell, filterable: what, item, field, from → to, cell."""
    from lib.returns.pipeline import TABLE_LABELS as CHANGE_LABELS

    if not result.changes:
        st.caption("Nothing in this file differs from what is stored.")
        return
    frame = pd.DataFrame([c.as_row() for c in result.changes])
    kinds = sorted(frame["What"].unique())
    c1, c2 = st.columns([1, 2])
    chosen = c1.multiselect("Show changes to", kinds, default=kinds, key=f"chg_what_{key}",
                            format_func=lambda k: CHANGE_LABELS.get(k, k))
    needle = c2.text_input("Find an item (ref, action, period)", key=f"chg_find_{key}")
    shown = frame[frame["What"].isin(chosen)]
    if needle:
        shown = shown[shown["Item"].str.contains(needle, case=False, regex=False)]
    shown = shown.assign(What=shown["What"].map(lambda k: CHANGE_LABELS.get(k, k)))
    st.dataframe(shown, hide_index=True, width="stretch",
                 column_config={"Item": st.column_config.TextColumn(width="medium"),
                                "From": st.column_config.TextColumn(width="medium"),
                                "To": st.column_config.TextColumn(width="medium")})
    st.caption(f"{len(shown)} of {len(frame)} change(s) shown. Confirming stores exactly these.")



def current_user() -> str | None:
    try:
        user = st.user
        return str(user.get("email") or user.get("name")) if getattr(user, "is_logged_in", False) else None
    except Exception:
        return None


def confirm_import(url: str, data: bytes, filename: str, month: Any) -> None:
    from lib.returns import pipeline

    result = pipeline.import_bytes(engine_for(url), data, filename, period=month, user=current_user())
    data_changed()
    st.session_state.pop("_previews", None)
    if result.outcome == "imported":
        st.session_state["import_message"] = ("ok", result.summary_line())
    else:
        st.session_state["import_message"] = ("error", result.summary_line())


def undo_upload(url: str, upload_id: int | None) -> None:
    from lib.returns import pipeline
    from lib.returns.commit import UndoRefused

    if upload_id is None:
        return
    try:
        done = pipeline.undo(engine_for(url), int(upload_id))
        st.session_state["import_message"] = (
            "ok", f"Undid upload {upload_id}: {done['removed']} rows removed, {done['restored']} restored.")
    except UndoRefused as exc:
        st.session_state["import_message"] = ("error", f"Cannot undo: {exc}")
    data_changed()
    st.session_state.pop("_previews", None)


@st.cache_data(ttl=600, max_entries=8, show_spinner=False)
def upload_history(url: str, version: str) -> pd.DataFrame:
    from lib.returns import pipeline

    rows = pipeline.uploads(engine_for(url))
    return pd.DataFrame(
        [{"Upload": r["id"], "File": r["filename"], "When": r["uploaded_at"].replace("T", " "),
          "By": r["uploaded_by"] or "", "Outcome": r["outcome"], "Added": r["added"], "Changed": r["changed"],
          "Problems": r["problems"]} for r in rows],
        columns=["Upload", "File", "When", "By", "Outcome", "Added", "Changed", "Problems"],
    )


def mapping_editor(url: str, data: bytes, filename: str, result: Any) -> None:
    """For sheets whose headers were not understood: map columns by hand, remembered for this layout."""
    from lib.returns import headers, pipeline
    from lib.returns.workbook import RejectedFile, read_workbook

    skipped = [s for s in result.sheets if s.family is None and s.reason and "no recognisable" in s.reason]
    if not skipped:
        return
    with st.expander("Map the columns of an unrecognised sheet by hand", icon=":material/tune:"):
        try:
            book = read_workbook(data, filename)
        except RejectedFile:
            return
        names = [s.name for s in skipped]
        sheet_name = st.selectbox("Sheet", names, key=f"map_sheet_{result.sha256[:8]}")
        sheet = next(s for s in book.sheets if s.name == sheet_name)
        header_index = next((i for i, r in enumerate(sheet.rows) if sum(1 for v in r if v not in (None, "")) >= 2),
                            None)
        if header_index is None:
            st.caption("This sheet has no header row to map.")
            return
        header = sheet.rows[header_index]
        options = ["(ignore)", *sorted(headers.FIELDS)]
        mapping: dict[int, str] = {}
        cols = st.columns(3)
        for i, cell in enumerate(header):
            if cell in (None, ""):
                continue
            choice = cols[i % 3].selectbox(str(cell)[:40], options, key=f"map_{result.sha256[:8]}_{sheet_name}_{i}")
            if choice != "(ignore)":
                mapping[i] = choice
        if st.button("Remember this mapping and check again", key=f"map_save_{result.sha256[:8]}"):
            from lib.returns.parse import mapping_match

            found = mapping_match(header, header_index, mapping)
            if found is None:
                st.error("These columns are not enough for a table: map at least a KPI reference and a value, "
                         "or an action and a lead officer / status / RAG.")
                return
            pipeline.save_mapping(engine_for(url), sheet_name, header, found.family.code, mapping)
            st.session_state.pop("_previews", None)
            data_changed()
            st.rerun()


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()#+-.!|<>~$:"})


def md(text: Any) -> str:
    """User text made inert for Markdown-rendering widgets (labels, captions): shown as typed."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    return str(text).translate(_MD_SPECIAL).replace("\n", " ")


def attention_links(df: pd.DataFrame, page: str, label_of: Any, params_of: Any, icon: str, limit: int = 6) -> None:
    """A short list of links to the detail of each item, with a count of the rest."""
    if df.empty:
        st.caption("None this month.")
        return
    for row in df.head(limit).itertuples():
        st.page_link(page, label=label_of(row), icon=icon, query_params=params_of(row))
    if len(df) > limit:
        st.caption(f"…and {len(df) - limit} more")


def latest_grade_table(judged: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Judgement": [lbl if isinstance(lbl, str) and lbl else area
                          for lbl, area in zip(judged["area_label"], judged["area"], strict=True)],
            "Grade": [f"{g} ({int(s)})" for g, s in zip(judged["grade"], judged["score"], strict=True)],
        }
    )


# --- board meeting / presentation mode ------------------------------------------------------------

PRESENT_CSS = """
<style>
html, body, [data-testid="stAppViewContainer"] {font-size: 19px;}
[data-testid="stMarkdownContainer"] p, [data-testid="stCaptionContainer"] {font-size: 1.05rem;}
h1 {font-size: 2.3rem !important;}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {font-size: 3rem !important; line-height: 1.15;}
[data-testid="stMetricLabel"] p {font-size: 1.15rem !important;}
</style>
"""


def presenting() -> bool:
    """Presentation mode: from the URL (?present=1, so a bookmark opens straight into it) or the switch."""
    if "presenting" not in st.session_state:
        st.session_state["presenting"] = st.query_params.get("present") == "1"
    return bool(st.session_state["presenting"])


def toggle_presenting() -> None:
    on = bool(st.session_state.get("present_toggle"))
    st.session_state["presenting"] = on
    if on:
        st.query_params["present"] = "1"
    elif "present" in st.query_params:
        del st.query_params["present"]


def presentation_css() -> None:
    if presenting():
        st.markdown(PRESENT_CSS, unsafe_allow_html=True)  # constant defined above, no user data


@st.cache_data(ttl=600, max_entries=8, show_spinner=False)
def load_agenda(url: str, version: str) -> list[Any]:
    from lib import board

    return board.agenda(engine_for(url))


def agenda_index(count: int) -> int:
    if "agenda_step" not in st.session_state:
        try:
            st.session_state["agenda_step"] = int(st.query_params.get("step", "1")) - 1
        except ValueError:
            st.session_state["agenda_step"] = 0
    index = min(max(0, int(st.session_state["agenda_step"])), count - 1)
    st.session_state["agenda_step"] = index
    if st.query_params.get("step") != str(index + 1):
        st.query_params["step"] = str(index + 1)
    return index


def agenda_move(delta: int, count: int) -> None:
    st.session_state["agenda_step"] = min(max(0, int(st.session_state.get("agenda_step", 0)) + delta), count - 1)


def agenda_outline(steps: list[Any], index: int) -> list[str]:
    """Short labels of the sections, the current one marked, for the progress bar."""
    sections: list[str] = []
    for i, step in enumerate(steps):
        label = {"overview": "Overview", "actions": "Actions", "kpis": "KPIs", "recommendation": "Recommendations",
                 "judgements": "Ofsted"}.get(step.kind, step.kind)
        if i == index:
            label = f"[{label}]"
        if not sections or sections[-1].strip("[]") != label.strip("[]"):
            sections.append(label)
        elif i == index:
            sections[-1] = label
    return sections


def render_step(step: Any) -> None:
    """One agenda step: metrics for the overview, a short RAG table otherwise."""
    if step.kind == "overview":
        f = step.facts
        st.subheader("Actions", anchor=False)
        c = st.columns(5)
        c[0].metric(rag_text("green"), f["actions"]["green"])
        c[1].metric(rag_text("amber"), f["actions"]["amber"])
        c[2].metric(rag_text("red"), f["actions"]["red"])
        c[3].metric("Overdue", f["overdue"])
        c[4].metric("Awaiting sign-off", f["awaiting_signoff"])
        st.subheader("KPIs", anchor=False)
        c = st.columns(5)
        c[0].metric(rag_text("green"), f["kpis"]["green"])
        c[1].metric(rag_text("amber"), f["kpis"]["amber"])
        c[2].metric(rag_text("red"), f["kpis"]["red"])
        c[3].metric("No RAG", f["kpis"]["none"])
        st.caption(f"{f['total_actions']} actions, {f['complete']} complete.")
        return
    if step.kind == "recommendation":
        st.text(step.facts["text"])
        progress = f"{step.facts['done']} of {step.facts['count']} actions done"
        if step.facts["overdue"]:
            progress += f" · {step.facts['overdue']} overdue"
        st.caption(progress + (" · evidence: " + ", ".join(md(k) for k in step.facts["kpis"])
                               if step.facts["kpis"] else " · no KPI evidence"))
    if step.kind == "judgements":
        st.caption(f"{step.facts['framework']} inspection starting {format_date(step.facts['start'])}")
        st.dataframe(style_grades(step.table), hide_index=True, width="stretch")
        return
    if step.note and step.table.empty:
        st.info(step.note)
        return
    table = step.table.copy()
    table["RAG"] = [rag_text(r) for r in table["_rag"]] if "_rag" in table else table.get("RAG")
    st.dataframe(style_rag(table, {"RAG": "_rag"}), hide_index=True, width="stretch",
                 row_height=44, column_config={"Latest update": st.column_config.TextColumn(width="large")})


# --- changes, snapshots, packs ----------------------------------------------------------------------


def parse_iso(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def month_before(day: dt.date) -> dt.date:
    from lib.exports.pack import month_before as _month_before

    return _month_before(day)


@st.cache_data(ttl=600, max_entries=8, show_spinner=False)
def load_snapshots(url: str, version: str) -> pd.DataFrame:
    from lib import snapshots

    return snapshots.list_snapshots(engine_for(url))


def snapshot_label(snaps: pd.DataFrame, snapshot_id: int) -> str:
    row = snaps[snaps["id"] == snapshot_id].iloc[0]
    return f"{row['title']} · {format_date(row['meeting_date'])} (snapshot {snapshot_id})"


def upload_label(uploads: pd.DataFrame, upload_id: int) -> str:
    row = uploads[uploads["Upload"] == upload_id].iloc[0]
    return f"{upload_id} · {row['File']} · {row['When']}"


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def load_changes(url: str, version: str, since: dt.date) -> Any:
    from lib import changes

    return changes.changes_since(engine_for(url), since)


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def load_snapshot_changes(url: str, version: str, snapshot_id: int) -> Any:
    from lib import snapshots

    return snapshots.compare_with_today(engine_for(url), snapshot_id)


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def load_upload_changes(url: str, version: str, upload_id: int) -> Any:
    from lib import changes

    return changes.since_upload(engine_for(url), upload_id)


def show_changes(changes: Any) -> None:
    """Each kind of change as a short table: RAG and status moves, new overdue, KPI moves, commentary."""
    acts = changes.actions
    if not acts.empty:
        st.subheader("Actions whose RAG or status changed", anchor=False)
        st.dataframe(pd.DataFrame({
            "Ref": acts["ref"], "Action": acts["title"],
            "RAG": [f"{rag_text(a)} → {rag_text(b)}" if moved else rag_text(b)
                    for a, b, moved in zip(acts["rag_from"], acts["rag_to"], acts["rag_changed"], strict=True)],
            "Status": [f"{a} → {b}" if moved else str(b)
                       for a, b, moved in zip(acts["status_from_label"], acts["status_to_label"],
                                              acts["status_changed"], strict=True)],
            "Lead officer": acts["lead_officer"].fillna(""),
            "_rag": acts["rag_to"],
        }).pipe(lambda d: style_rag(d, {"RAG": "_rag"})), hide_index=True, width="stretch")
    if not changes.new_overdue.empty:
        st.subheader("Newly overdue", anchor=False)
        od = changes.new_overdue
        st.dataframe(pd.DataFrame({"Ref": od["ref"], "Action": od["title"], "Due": [format_date(d) for d in od["due"]],
                                   "Lead officer": od["lead_officer"].fillna("")}), hide_index=True, width="stretch")
    if not changes.kpis.empty:
        st.subheader("KPIs whose RAG or direction changed", anchor=False)
        k = changes.kpis
        st.dataframe(pd.DataFrame({
            "Ref": k["ref"], "KPI": k["name"],
            "RAG": [f"{rag_text(a)} → {rag_text(b)}" for a, b in zip(k["rag_from"], k["rag_to"], strict=True)],
            "Direction": [f"{direction_text(a)} → {direction_text(b)}"
                          for a, b in zip(k["direction_from"], k["direction_to"], strict=True)],
            "_rag": k["rag_to"],
        }).pipe(lambda d: style_rag(d, {"RAG": "_rag"})), hide_index=True, width="stretch")
    commentary = changes.action_commentary
    if not commentary.empty:
        st.subheader("New commentary", anchor=False)
        st.dataframe(pd.DataFrame({
            "Ref": commentary["ref"], "Month": [format_date(d) for d in commentary["period_end"]],
            "Commentary": commentary["commentary"], "By": commentary["reported_by"].fillna(""),
        }), hide_index=True, width="stretch", column_config={"Commentary": st.column_config.TextColumn(width="large")})
    if not changes.kpi_commentary.empty:
        kc = changes.kpi_commentary
        st.dataframe(pd.DataFrame({"Ref": kc["ref"], "Period": kc["period"], "Commentary": kc["commentary"]}),
                     hide_index=True, width="stretch")
    if not changes.inspections.empty:
        st.subheader("New inspections", anchor=False)
        ins = changes.inspections
        st.dataframe(pd.DataFrame({"Framework": ins["framework_label"],
                                   "Start": [format_date(d) for d in ins["start_date"]],
                                   "Overall": ins["overall"].fillna("")}), hide_index=True, width="stretch")
    if changes.is_empty:
        st.caption("Nothing has changed in this window.")


def pack_downloads(url: str, version: str, *, since: dt.date | None, key: str,
                   leads: list[str] | None = None, recs: list[str] | None = None,
                   themes: list[str] | None = None) -> None:
    """PowerPoint, PDF and Excel board packs, generated when clicked, reflecting the given filters."""
    from lib.exports import pack as pack_mod
    from lib.exports import pdf_pack, pptx_pack, xlsx_pack

    def build() -> Any:
        return pack_mod.build_pack(engine_for(url), since=since, lead_officers=leads or None,
                                   recommendations=recs or None, themes=themes or None)

    stamp = f"{load_context(url, version)['as_at']:%Y-%m-%d}"
    c1, c2, c3 = st.columns(3)
    c1.download_button("PowerPoint pack", data=lambda: pptx_pack.to_pptx(build()),
                       file_name=f"board-pack-{stamp}.pptx", icon=":material/slideshow:", key=f"pptx_{key}",
                       mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                       on_click="ignore")
    c2.download_button("PDF pack", data=lambda: pdf_pack.to_pdf(build()), file_name=f"board-pack-{stamp}.pdf",
                       mime="application/pdf", icon=":material/picture_as_pdf:", key=f"pdf_{key}", on_click="ignore")
    c3.download_button("Excel pack", data=lambda: xlsx_pack.to_xlsx(engine_for(url), build()),
                       file_name=f"board-pack-{stamp}.xlsx", mime=XLSX_MIME, icon=":material/table:",
                       key=f"xlsx_{key}", on_click="ignore")


def mark_board(url: str, meeting: dt.date, title: str) -> int:
    from lib import snapshots

    snapshot_id = snapshots.mark_board(engine_for(url), meeting, title, user=current_user())
    data_changed()
    return snapshot_id


def show_snapshot(url: str, version: str, snapshot_id: int) -> None:
    from lib import snapshots

    snap = snapshots.load_snapshot(engine_for(url), snapshot_id)
    st.caption(f"{md(snap.label)} · data as at {format_date(snap.as_at)} · frozen {snap.created_at:%d %b %Y %H:%M}")
    tab_actions, tab_kpis, tab_compare = st.tabs(["Actions as presented", "KPIs as presented", "Compared with today"])
    with tab_actions:
        if not snap.actions.empty:
            st.dataframe(style_rag(action_table(snap.actions), {"RAG": "_rag_level"}), hide_index=True,
                         width="stretch", column_config=ACTION_COLUMNS)
    with tab_kpis:
        if not snap.kpis.empty:
            st.dataframe(scorecard_table(snap.kpis, pd.DataFrame()).drop(columns=["_rag_level", "_reported_level"]),
                         hide_index=True, width="stretch", column_config=SCORECARD_COLUMNS)
    with tab_compare:
        changes = load_snapshot_changes(url, version, snapshot_id)
        st.info(changes.headline())
        show_changes(changes)
