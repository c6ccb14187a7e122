"""The app in a real browser: Streamlit on a copy of the seeded database, driven by Debian's chromium.

Proves that a deep link opened as the very first request after a server start gets the same app
(navigation, filters from the URL) as the root; that every page renders without an exception and
passes axe-core at the "serious" and "critical" levels; and that the filters and the KPI trend work
by clicking. Screenshots at 1280×720 go to ``test-output/screenshots/`` for a person to look at.
"""

from __future__ import annotations

import shutil
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lib import store
from lib.read import programme
from lib.ui import setup
from tests.browser_support import (
    CHROMIUM_ARGS,
    CHROMIUM_MISSING,
    VIEWPORT,
    Server,
    copy_sqlite,
    describe_violations,
    run_axe,
    screenshot,
    serious_violations,
    start_server,
    wait_idle,
)

pytestmark = pytest.mark.browser

TITLES = [title for _path, title, _icon, _url, _help in setup.PAGES]
URL_PATHS = [url for _path, _title, _icon, url, _help in setup.PAGES]
# st.navigation serves the default (first) page at the root only: "/overview" shows "Page not found".
DEFAULT_PAGE = URL_PATHS[0]
# Each page's main heading is its title, except the overview's, which names the programme, and the
# board meeting's, which is the current agenda step (the first is the overview of the programme).
HEADINGS = {url: title for _path, title, _icon, url, _help in setup.PAGES[1:]}
HEADINGS["board"] = "Where the programme stands"
DEEP_LEAD = "Operational Director Corporate Parenting, Permanence and Transitions"
DEEP_REC = "10"  # as an old bookmark writes it: read as the current programme's recommendation 10
DEEP_REC_ID = "SIF 2017 · 10"
TREND_KPI = "DU-ASSESS45"


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.skip(CHROMIUM_MISSING)
    return path


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser")


@pytest.fixture(scope="module")
def db_url(seeded_url: str, workdir: Path) -> str:
    """A private copy of the seeded database (the server may write to it)."""
    store.get_engine(seeded_url).dispose()
    return copy_sqlite(seeded_url, workdir / "board.db")


@pytest.fixture(scope="module")
def server(chromium: str, db_url: str, workdir: Path) -> Iterator[Server]:
    srv = start_server(db_url, workdir)
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed: pip install playwright")
    pw = sync_api.sync_playwright().start()
    try:
        launched = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()
    finally:
        pw.stop()


class Tab:
    """A 1280×720 page that records uncaught JavaScript errors."""

    def __init__(self, browser: Any, server: Server | None = None) -> None:
        self.server = server
        self.context = browser.new_context(viewport=VIEWPORT)
        self.page = self.context.new_page()
        self.js_errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.js_errors.append(str(exc)))

    def open(self, url: str) -> Any:
        self.page.goto(url, wait_until="domcontentloaded")
        wait_idle(self.page)
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(browser: Any, server: Server) -> Iterator[Tab]:
    t = Tab(browser, server)
    yield t
    t.close()


@pytest.fixture(scope="module")
def prog(db_url: str) -> Any:
    return programme.programme(store.get_engine(db_url))


# --- helpers -------------------------------------------------------------------------------------


def nav_titles(page: Any) -> list[str]:
    """The top navigation's page titles (the icon ligature is the first line of each link)."""
    texts = page.locator('[data-testid="stTopNav"] [data-testid="stTopNavLink"]').all_inner_texts()
    return [t.strip().splitlines()[-1].strip() for t in texts]


def count_text(shown: int, total: int) -> str:
    return f"{shown} of {total} actions"


def multiselect(page: Any, label: str) -> Any:
    return page.locator('[data-testid="stMultiSelect"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text=label)
    )


def chosen(page: Any, label: str) -> list[str]:
    """The values a multiselect shows as chosen (its tags)."""
    tags = multiselect(page, label).locator('[data-testid="stMultiSelectTagsContainer"] [data-tag]')
    return [tags.nth(i).get_attribute("aria-label") or "" for i in range(tags.count())]


def pick(page: Any, label: str, typed: str, option: str) -> None:
    """Choose an option in a multiselect the way a person does: click, type, click the option."""
    box = multiselect(page, label).get_by_role("combobox")
    box.click()
    box.fill(typed)
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")


def query(page: Any) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)


def assert_clean(tab: Tab, where: str) -> None:
    page = tab.page
    exceptions = page.locator('[data-testid="stException"]')
    if exceptions.count():
        # The browser shows only the exception type (client.showErrorDetails = "type"): add the server log.
        log = tab.server.log_tail() if tab.server else "(no server log)"
        pytest.fail(f"{where}: exception shown:\n{exceptions.first.inner_text()}\n--- server log ---\n{log}")
    # Streamlit's own error modals ("Page not found", connection errors) are dialogs.
    dialogs = page.get_by_role("dialog")
    assert dialogs.count() == 0, f"{where}: dialog shown: {dialogs.all_inner_texts()}"
    assert not tab.js_errors, f"{where}: uncaught JavaScript errors: {tab.js_errors}"


def assert_accessible(page: Any, where: str) -> None:
    bad = serious_violations(run_axe(page, where))
    assert not bad, f"{where}: axe-core found serious/critical violations:\n{describe_violations(bad)}"


# --- tests (the deep-link test must stay first: it makes the server's first page request) ---------


def test_deep_link_as_first_request_gets_the_same_app(
    server: Server, browser: Any, db_url: str, workdir: Path, prog: Any
) -> None:
    # If another test already used the shared server (reordering, -k), prove it on a dedicated one.
    srv = server if server.claim_fresh() else start_server(db_url, workdir)
    tab = Tab(browser, srv)
    try:
        params = urllib.parse.urlencode({"lead": DEEP_LEAD, "rec": DEEP_REC})
        page = tab.open(srv.url(f"action_plan?{params}"))
        assert_clean(tab, "deep link")

        assert page.locator("h1").first.inner_text().strip() == "Action plan"
        assert nav_titles(page) == TITLES, "deep link must show the app's own navigation"

        expected = prog.filter_actions(leads=[DEEP_LEAD], recommendations=[DEEP_REC])
        assert 0 < len(expected) < len(prog.actions), "pick a deep-link filter that narrows the table"
        page.get_by_text(count_text(len(expected), len(prog.actions)), exact=True).wait_for()
        assert chosen(page, "Lead officer") == [DEEP_LEAD]
        assert chosen(page, "Recommendation") == [DEEP_REC_ID]
        q = query(page)
        assert q.get("lead") == [DEEP_LEAD] and q.get("rec") == [DEEP_REC_ID], page.url
        screenshot(page, "deep_link_action_plan")

        # The root shows the very same navigation.
        page = tab.open(srv.url(""))
        assert_clean(tab, "root")
        assert nav_titles(page) == TITLES
    finally:
        tab.close()
        if srv is not server:
            srv.stop()


@pytest.mark.parametrize("url_path", URL_PATHS)
def test_page_renders_and_is_accessible(server: Server, tab: Tab, url_path: str) -> None:
    server.claim_fresh()
    page = tab.open(server.url("" if url_path == DEFAULT_PAGE else url_path))
    assert_clean(tab, url_path)
    assert nav_titles(page) == TITLES
    heading = HEADINGS.get(url_path)
    if heading:
        assert page.locator("h1").first.inner_text().strip() == heading
    else:
        assert page.locator("h1").count() >= 1
    screenshot(page, url_path)
    assert_accessible(page, url_path)


def test_action_plan_filters_by_clicking(server: Server, tab: Tab, prog: Any) -> None:
    server.claim_fresh()
    page = tab.open(server.url("action_plan"))
    total = len(prog.actions)
    current = prog.current_actions  # the page opens on the current programme's plans
    page.get_by_text(count_text(len(current), total), exact=True).wait_for()

    by_lead = prog.filter_actions(current, leads=[DEEP_LEAD])
    pick(page, "Lead officer", "Corporate Parenting", DEEP_LEAD)
    page.get_by_text(count_text(len(by_lead), total), exact=True).wait_for()
    wait_idle(page)
    assert query(page).get("lead") == [DEEP_LEAD], page.url

    both = prog.filter_actions(current, leads=[DEEP_LEAD], recommendations=[DEEP_REC_ID])
    assert len(both) < len(by_lead)
    pick(page, "Recommendation", DEEP_REC_ID, DEEP_REC_ID)
    page.get_by_text(count_text(len(both), total), exact=True).wait_for()
    wait_idle(page)
    q = query(page)
    assert q.get("lead") == [DEEP_LEAD] and q.get("rec") == [DEEP_REC_ID], page.url
    assert chosen(page, "Lead officer") == [DEEP_LEAD]
    assert chosen(page, "Recommendation") == [DEEP_REC_ID]
    assert_clean(tab, "action plan filtered")
    screenshot(page, "action_plan_filtered")


def test_kpi_trend_chart(server: Server, tab: Tab) -> None:
    server.claim_fresh()
    page = tab.open(server.url(f"kpis?kpi={TREND_KPI}"))
    assert_clean(tab, "KPI trend")
    page.get_by_role("heading", name=TREND_KPI).first.wait_for()
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.scroll_into_view_if_needed()
    drawn = chart.locator("canvas, svg").first
    drawn.wait_for(state="visible")
    box = drawn.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 100, box
    assert query(page).get("kpi") == [TREND_KPI], page.url
    screenshot(page, "kpi_trend")
    assert_accessible(page, "kpi_trend")


def test_presentation_mode_screenshot(server: Any, browser: Any) -> None:
    """Presentation mode opened from a bookmark, stepped once with the keyboard, at 1280x720."""
    page = browser.new_page(viewport=VIEWPORT)
    try:
        page.goto(server.url("board?present=1"))
        wait_idle(page)
        assert page.locator("h1").first.inner_text().strip() == "Where the programme stands"
        links = page.locator('[data-testid="stTopNav"] [data-testid="stTopNavLink"]').all_inner_texts()
        assert not any("Upload" in t or "Settings" in t for t in links), links
        screenshot(page, "presentation_overview")
        page.locator("h1").first.click()  # focus the page, not the address bar
        page.keyboard.press("ArrowRight")
        page.get_by_role("heading", name="Red and amber actions").first.wait_for(timeout=15_000)
        wait_idle(page)
        screenshot(page, "presentation_actions")
    finally:
        page.close()


def test_upload_preview_lists_changes_by_cell(server: Server, tab: Tab, tmp_path: Path) -> None:
    """Drop a return in the browser: the preview lists each change with its cell before anything is stored."""
    import datetime as dt

    from tests.test_import import fs_plan_return

    server.claim_fresh()
    path = tmp_path / "fsiap-2019-07.xlsx"
    path.write_bytes(fs_plan_return(dt.date(2019, 7, 31), "Red", "Delayed"))
    page = tab.open(server.url("upload"))
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    page.get_by_text("This return would add", exact=False).first.wait_for(timeout=30_000)
    page.get_by_role("button", name="Confirm and store this return").wait_for()
    wait_idle(page)
    caption = page.get_by_text("changes shown. Confirming stores exactly these", exact=False).first
    caption.scroll_into_view_if_needed()
    assert caption.inner_text().startswith("15 of 15 changes shown"), caption.inner_text()
    assert_clean(tab, "upload preview")
    screenshot(page, "upload_preview")
    assert_accessible(page, "upload_preview")
