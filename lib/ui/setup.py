"""Page set-up and navigation: every page calls :func:`page_setup` first.

A deep link opened as the first request after a server start runs the page file without
app.py, so :func:`page_setup` builds the same navigation, runs the page through it and stops
the direct run: every URL shows the same app. Also the URL-kept filters and presentation mode.
"""

from __future__ import annotations

import functools
import getpass
import threading
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from lib import config, store

# Our own constant CSS (never user text): less empty space above the title, calmer title size,
# so a 1280x720 screen share shows the table, not the margins.
PAGE_CSS = """
<style>
.block-container {padding-top: 3.2rem; padding-bottom: 2rem; max-width: 100%;}
h1 {font-size: 2.0rem !important; padding-top: 0.2rem !important;}
h2 {font-size: 1.45rem !important;}
h3 {font-size: 1.2rem !important;}
</style>
"""
PRESENT_CSS = """
<style>
html, body, [data-testid="stAppViewContainer"] {font-size: 20px;}
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li, [data-testid="stText"],
[data-testid="stTable"] td, [data-testid="stTable"] th {font-size: 1.1rem !important; line-height: 1.35;}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {font-size: 1rem !important;}
h1 {font-size: 2.3rem !important;}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMetricValue"] div {font-size: 3rem !important; line-height: 1.15;}
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"] p {font-size: 1.15rem !important;}
</style>
"""

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
PRESENTATION_HIDDEN = frozenset({"upload", "settings"})  # controls a board audience does not need
_NAV = threading.local()


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
    """The stored data revision, which every committed write changes: the key of every cache."""
    return store.data_revision(eng)


def data_changed() -> None:
    """Call after any write so every page of this process re-reads at once."""
    st.cache_data.clear()


def page_setup(title: str) -> Engine:
    """Shared set-up for every page, deep links included."""
    if not getattr(_NAV, "active", False):
        run_app()
        st.stop()
    st.set_page_config(page_title=f"{title} · Improvement Board", layout="wide", page_icon=favicon())
    st.markdown(PAGE_CSS, unsafe_allow_html=True)  # constant defined above, no user data
    return engine()


@functools.cache
def favicon() -> Any:
    """The tab icon, drawn here and served by the app: a Material icon as a page icon would make every
    browser fetch it from Google's font server (a closed council network blocks it; an outside party learns
    the app is in use)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((2, 2, 62, 62), radius=12, fill="#1d4f91")
    for i, (colour, height) in enumerate((("#1b7837", 22), ("#e08214", 34), ("#b2182b", 46))):
        draw.rectangle((12 + i * 15, 52 - height, 22 + i * 15, 52), fill=colour)
    return image


def run_app() -> None:
    """Build the navigation and run the selected page (called by app.py).

    Pages carry no navigation icon: Streamlit would make a page's Material icon the tab icon, fetched
    from an outside font server on every load (see :func:`favicon`)."""
    st.set_page_config(page_title="Improvement Board", layout="wide", page_icon=favicon())
    shown = [p for p in PAGES if not (presenting() and p[3] in PRESENTATION_HIDDEN)]
    pages = [
        st.Page(str(config.PROJECT_ROOT / path), title=title, url_path=url, help=help_text, default=(i == 0))
        for i, (path, title, _icon, url, help_text) in enumerate(shown)
    ]
    nav = st.navigation(pages, position="top")
    _NAV.active = True
    try:
        nav.run()
    finally:
        _NAV.active = False


# --- URL filters and selection -------------------------------------------------------------------


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


# --- presentation mode -----------------------------------------------------------------------------


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


def agenda_index(count: int) -> int:
    """The board step shown: from the session, else ``?step=N``; kept in the URL."""
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


def current_user() -> str | None:
    """Who is using the app: the signed-in user's e-mail or name when sign-in is configured, else the
    account on this computer ("jsmith (this computer)"), so the upload history always says who."""
    try:
        user = st.user
        signed_in = str(user.get("email") or user.get("name")) if getattr(user, "is_logged_in", False) else None
    except Exception:
        signed_in = None  # no sign-in configured (st.user unavailable)
    if signed_in:
        return signed_in
    try:
        return f"{getpass.getuser()} (this computer)"
    except Exception:
        return None
