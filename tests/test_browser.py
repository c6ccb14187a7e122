"""The app in a real browser: Streamlit on a copy of the seeded database, driven by Debian's chromium.

Proves that a deep link opened as the very first request after a server start gets the same app
(navigation, filters from the URL) as the root; that every page renders without an exception and
passes axe-core at the "serious" and "critical" levels; and that the filters and the KPI trend work
by clicking. Screenshots at 1280×720 go to ``test-output/screenshots/`` for a person to look at.

Issue 12: every page and every board step (the agenda of the seeded database, counted at collection)
is screenshotted in normal and presentation mode (``page-<url>-<mode>.png``,
``board-step-NN-<mode>.png``, with layout measurements in ``layout.json``); no page makes a request
that leaves this machine; and a return carrying Markdown, HTML and link payloads in its user text,
imported first, renders nowhere as a link or as formatting.
"""

from __future__ import annotations

import re
import shutil
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lib import store
from lib.read import authorities, base, programme
from lib.returns import pipeline
from lib.ui import setup
from tests import browser_payloads as payload
from tests.browser_support import (
    CHROMIUM_ARGS,
    CHROMIUM_MISSING,
    VIEWPORT,
    Server,
    agenda_steps,
    agenda_titles_of,
    browser_deselected,
    copy_sqlite,
    describe_violations,
    outside,
    payload_findings,
    record_layout,
    run_axe,
    screenshot,
    seeded_agenda_titles,
    serious_violations,
    smallest_text,
    start_server,
    visible_text,
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
    caption = page.get_by_text("Confirming stores exactly these", exact=False).first
    caption.scroll_into_view_if_needed()
    assert caption.inner_text().startswith("Showing 1–15 of 15 changes."), caption.inner_text()
    assert_clean(tab, "upload preview")
    screenshot(page, "upload_preview")
    assert_accessible(page, "upload_preview")


# --- issue 12: every page and board step at 1280×720, no outside request, no payload as formatting ------

MODES = ("normal", "present")
PRESENT_MIN_TEXT_PX = 18.0  # body text of a board step in presentation mode (normal mode is 14 px)
PRESENT_MIN_TITLE_PX = 40.0


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``(mode, step_no)`` runs over the board agenda of a freshly seeded database in each mode, counted at
    collection time, so the step tests follow lib.board when it changes (test_board_agenda_is_the_collected_one
    checks the server's copy has the very same agendas)."""
    if "step_no" not in metafunc.fixturenames:
        return
    if shutil.which("chromium") is None:
        metafunc.parametrize(("mode", "step_no"), [pytest.param("normal", 0, marks=pytest.mark.skip(
            reason=CHROMIUM_MISSING))])
        return
    agendas = {} if browser_deselected(metafunc.config) else seeded_agenda_titles()
    cases = [(mode, n) for mode in MODES for n in range(1, len(agendas.get(mode == "present", ())) + 1)]
    metafunc.parametrize(("mode", "step_no"), cases, ids=[f"{mode}-step{n:02d}" for mode, n in cases])


def with_mode(path: str, mode: str) -> str:
    """``path`` in presentation mode when ``mode`` is "present" (``?present=1``, see setup.presenting)."""
    if mode != "present":
        return path
    return f"{path}{'&' if '?' in path else '?'}present=1"


def page_path(url_path: str) -> str:
    return "" if url_path == DEFAULT_PAGE else url_path


def visit(tab: Tab, url: str) -> Any:
    """Open ``url`` in the tab as a new Streamlit session; JavaScript errors counted from here."""
    tab.js_errors.clear()
    return tab.open(url)


def assert_in_view(locator: Any, where: str) -> None:
    """Visible and wholly inside the 1280×720 viewport (not scrolled off, not cut off)."""
    assert locator.is_visible(), f"{where}: not visible"
    box = locator.bounding_box()
    assert box is not None, f"{where}: no box"
    assert box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"], f"{where}: outside the viewport: {box}"
    assert box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORT["width"], f"{where}: outside the viewport: {box}"


def assert_no_exception(tab: Tab, where: str) -> None:
    exceptions = tab.page.locator('[data-testid="stException"]')
    if exceptions.count():
        log = tab.server.log_tail() if tab.server else "(no server log)"
        pytest.fail(f"{where}: exception shown:\n{exceptions.first.inner_text()}\n--- server log ---\n{log}")
    assert not tab.js_errors, f"{where}: uncaught JavaScript errors: {tab.js_errors}"


def shoot(page: Any, name: str) -> None:
    screenshot(page, name)
    record_layout(page, name)


@pytest.fixture(scope="module")
def shared_tab(browser: Any, server: Server) -> Iterator[Tab]:
    """One browser context for the screenshot sweep: its HTTP cache stays warm (about a second saved per
    page), and every page load is still a new Streamlit session, so ``?step=`` and ``?present=`` are read
    afresh each time."""
    t = Tab(browser, server)
    yield t
    t.close()


@pytest.fixture(scope="module")
def agendas(db_url: str) -> dict[bool, list[str]]:
    """The board agenda of the server's own database, normal (False) and presentation (True) mode."""
    engine = store.get_engine(db_url)
    return {present: agenda_titles_of(engine, present) for present in (False, True)}


@pytest.fixture(scope="module")
def overview_heading(db_url: str) -> str:
    eng = store.get_engine(db_url)
    return f"{authorities.authority_name(eng, base.our_authority(eng))} improvement programme"


def test_board_agenda_is_the_collected_one(agendas: dict[bool, list[str]]) -> None:
    collected = seeded_agenda_titles()
    for present in (False, True):
        assert agendas[present] == list(collected[present]), "the step tests were collected from another agenda"
        assert len(agendas[present]) > 20


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("url_path", URL_PATHS)
def test_page_screenshot(server: Server, shared_tab: Tab, url_path: str, mode: str, overview_heading: str,
                         agendas: dict[bool, list[str]]) -> None:
    """Every page at 1280×720 in normal and presentation mode: no exception, its heading in view."""
    server.claim_fresh()
    present = mode == "present"
    where = f"{url_path} ({mode})"
    page = visit(shared_tab, server.url(with_mode(page_path(url_path), mode)))
    shown = [title for _p, title, _i, url, _h in setup.PAGES if not (present and url in setup.PRESENTATION_HIDDEN)]
    if present and url_path in setup.PRESENTATION_HIDDEN:
        # Upload and Settings are not part of presentation mode: not in the navigation, not served (Streamlit
        # says "Page not found" and runs the overview instead).
        assert_no_exception(shared_tab, where)
        assert nav_titles(page) == shown
        heading = page.locator("h1").first
        assert heading.inner_text().strip() == overview_heading, f"{where}: the hidden page was served"
        shoot(page, f"page-{url_path}-{mode}")
        return
    assert_clean(shared_tab, where)
    assert nav_titles(page) == shown
    heading = page.locator("h1").first
    expected = {DEFAULT_PAGE: overview_heading, "board": agendas[present][0]}.get(url_path) or HEADINGS[url_path]
    assert heading.inner_text().strip() == expected
    assert_in_view(heading, f"{where} heading")
    shoot(page, f"page-{url_path}-{mode}")


def test_board_step_screenshot(server: Server, shared_tab: Tab, agendas: dict[bool, list[str]], step_no: int,
                               mode: str) -> None:
    """Every board step (``?step=N``) in normal and presentation mode: the step's title from lib.board in
    view, "step N of M", and in presentation mode large type and no Upload/Settings."""
    server.claim_fresh()
    present = mode == "present"
    agenda_titles = agendas[present]
    assert step_no <= len(agenda_titles), f"step {step_no}: the server's agenda has {len(agenda_titles)} steps"
    where = f"board step {step_no} ({mode})"
    page = visit(shared_tab, server.url(with_mode(f"board?step={step_no}", mode)))
    assert_clean(shared_tab, where)
    heading = page.locator("h1").first
    assert heading.inner_text().strip() == agenda_titles[step_no - 1], where
    assert_in_view(heading, f"{where} title")
    counter = page.locator('[data-testid="stCaptionContainer"]').filter(
        has_text=f"step {step_no} of {len(agenda_titles)}")
    assert counter.count() == 1, f"{where}: no 'step {step_no} of {len(agenda_titles)}' caption"
    assert query(page).get("step") == [str(step_no)], page.url
    switch = page.get_by_role("switch", name="Presentation mode")
    assert switch.is_checked() == present, where
    titles = nav_titles(page)
    assert ("Upload returns" in titles) == (not present) and ("Settings" in titles) == (not present), titles
    shoot(page, f"board-step-{step_no:02d}-{mode}")
    if present:
        title_px = float(heading.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
        assert title_px >= PRESENT_MIN_TITLE_PX, f"{where}: title at {title_px}px"
        small = smallest_text(page)
        assert small, f"{where}: no body text found"
        assert small[0][0] >= PRESENT_MIN_TEXT_PX, f"{where}: text too small for a screen share: {small}"


# --- no request leaves this machine ------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_db_url(seeded_url: str, workdir: Path) -> str:
    """Another copy of the seeded database with the payload return imported (as a council would upload it)."""
    store.get_engine(seeded_url).dispose()
    url = copy_sqlite(seeded_url, workdir / "payloads.db")
    engine = store.get_engine(url)
    result = pipeline.import_bytes(engine, payload.payload_return(), payload.FILENAME)
    assert result.outcome == "imported", [p.line() for p in result.problems]
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def hostile_server(chromium: str, hostile_db_url: str, workdir: Path) -> Iterator[Server]:
    """A server on the payload database, configured by the project's .streamlit/config.toml alone."""
    srv = start_server(hostile_db_url, workdir, project_config_only=True)
    srv.claim_fresh()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def hostile_tab(browser: Any, hostile_server: Server) -> Iterator[Tab]:
    t = Tab(browser, hostile_server)
    yield t
    t.close()


def test_no_request_leaves_this_machine(hostile_server: Server, browser: Any) -> None:
    """Playwright's request log over every page in both modes (and an action, a KPI and a board step
    moved by keyboard), from a cold cache: every URL is on 127.0.0.1 or localhost, or data:/blob:."""
    srv = hostile_server
    context = browser.new_context(viewport=VIEWPORT)
    log: list[tuple[str, str]] = []
    where = ["start"]
    context.on("request", lambda req: log.append((where[0], req.url)))
    page = context.new_page()
    page.on("websocket", lambda ws: log.append((where[0], ws.url)))
    visits = [(f"{url} ({mode})", with_mode(page_path(url), mode)) for url in URL_PATHS for mode in MODES]
    visits += [("action selected", "action_plan?" + urllib.parse.urlencode({"action": payload.ACTION_KEY})),
               ("KPI selected", f"kpis?kpi={TREND_KPI}"), ("board step 2", "board?step=2&present=1")]
    try:
        for label, path in visits:
            where[0] = label
            page.goto(srv.url(path), wait_until="domcontentloaded")
            wait_idle(page)
            page.wait_for_timeout(300)  # late fetches (favicons, telemetry) after the run
        where[0] = "board step 3 by keyboard"
        page.locator("h1").first.click()
        page.keyboard.press("ArrowRight")
        page.get_by_text("step 3 of", exact=False).first.wait_for(timeout=15_000)
        wait_idle(page)
        page.wait_for_timeout(300)
    finally:
        context.close()
    out_dir = Path(__file__).resolve().parents[1] / "test-output"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "requests.txt").write_text("\n".join(f"{w}\t{u}" for w, u in log) + "\n", encoding="utf-8")
    assert any(not outside(u) for _w, u in log), "no local request recorded: the request log is not working"
    leaving: dict[str, list[str]] = {}
    for w, u in log:
        if outside(u):
            leaving.setdefault(u, []).append(w)
    assert not leaving, "requests left this machine:\n" + "\n".join(
        f"  {u}\n    opening: {', '.join(dict.fromkeys(ws))}" for u, ws in sorted(leaving.items()))


# --- no user-supplied Markdown, HTML or link renders as formatting or a link ---------------------------

PAYLOAD_VIEWS = [
    *URL_PATHS,
    "action_plan?" + urllib.parse.urlencode({"action": payload.ACTION_KEY}),
    "kpis?" + urllib.parse.urlencode({"kpi": payload.KPI_REF}),
]


def open_expanders(page: Any) -> None:
    """Open every expander so what it holds is rendered and checked too."""
    page.evaluate("""() => document.querySelectorAll('[data-testid="stExpander"] details:not([open]) > summary')
                                  .forEach(s => s.click())""")
    page.wait_for_timeout(300)
    wait_idle(page)


def assert_no_payload_rendered(page: Any, where: str) -> None:
    found = payload_findings(page, payload.EVIL_HOST, payload.PAYLOAD_WORDS, payload.HEADING_LITERALS)
    assert not found, f"{where}: user text rendered as a link or formatting:\n  " + "\n  ".join(found)


@pytest.mark.parametrize("view", PAYLOAD_VIEWS, ids=lambda v: re.sub(r"\W+", "-", v).strip("-") or "overview")
def test_payloads_never_render_as_links_or_formatting(hostile_server: Server, hostile_tab: Tab, view: str) -> None:
    page = visit(hostile_tab, hostile_server.url(page_path(view) if view in URL_PATHS else view))
    assert_clean(hostile_tab, view)
    open_expanders(page)
    assert_clean(hostile_tab, f"{view} (expanders open)")
    name = re.sub(r"\W+", "-", view).strip("-")
    detail = page.locator("h2").filter(has_text="Bold title")  # the action's or the KPI's own header
    if detail.count():
        detail.first.scroll_into_view_if_needed()
    shoot(page, f"payload-{name}")
    problems = payload_findings(page, payload.EVIL_HOST, payload.PAYLOAD_WORDS, payload.HEADING_LITERALS)
    text = visible_text(page)
    literals: tuple[str, ...] = ()
    if view.startswith("action_plan?"):
        header = page.locator("h2").filter(has_text="Bold title")
        if not (header.count() and payload.ACTION_TITLE in header.first.inner_text().replace("\u2060", "")):
            problems.append("the action's header does not show its title as typed")
        literals = (*payload.ACTION_LITERALS, payload.ACTION_DESCRIPTION)
    if view.startswith("kpis?"):
        header = page.locator("h2").filter(has_text="heading KPI")
        if not (header.count() and payload.KPI_NAME in header.first.inner_text().replace("\u2060", "")):
            problems.append("the KPI's header does not show its name as typed")
        literals = payload.KPI_LITERALS
    problems += [f"{literal!r} is not shown as typed" for literal in literals if literal not in text]
    assert not problems, f"{view}: user text rendered as a link or formatting, or not as typed:\n  " + \
        "\n  ".join(problems)


def test_payloads_on_the_board_steps_that_show_them(hostile_server: Server, hostile_tab: Tab,
                                                    hostile_db_url: str) -> None:
    """The board's tables are real HTML (st.table), not a canvas: the payload action and KPI must appear
    there as typed, never as a link or formatting, in presentation mode."""
    steps = agenda_steps(store.get_engine(hostile_db_url), present=True)
    carrying = [(n, s) for n, s in enumerate(steps, start=1)
                if "Bold title" in s.table.to_string() or "Bold title" in str(s.facts)]
    kinds = {s.kind for _n, s in carrying}
    assert {"actions", "kpis", "recommendation"} <= kinds, [(n, s.title) for n, s in carrying]
    problems: list[str] = []
    for n, step in carrying:
        where = f"board step {n} {step.title!r} (payloads)"
        page = visit(hostile_tab, hostile_server.url(f"board?step={n}&present=1"))
        assert_clean(hostile_tab, where)
        shoot(page, f"payload-board-step-{n:02d}-present")
        found = payload_findings(page, payload.EVIL_HOST, payload.PAYLOAD_WORDS, payload.HEADING_LITERALS)
        problems += [f"{where}: {f}" for f in found]
        literal = payload.KPI_NAME if step.kind == "kpis" else payload.ACTION_TITLE
        if literal not in visible_text(page):
            problems.append(f"{where}: {literal!r} not shown as typed")
    assert not problems, "\n".join(problems)


def test_payload_file_name_and_notes_in_the_upload_preview(hostile_server: Server, hostile_tab: Tab,
                                                            tmp_path: Path) -> None:
    """A return named with Markdown, dropped in the browser: the preview's notes carry the file name and
    the new refs; none of it becomes a link or formatting. Only previewed, never stored."""
    path = tmp_path / payload.FILENAME
    path.write_bytes(payload.payload_return(variant=2))
    page = visit(hostile_tab, hostile_server.url("upload"))
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    page.get_by_role("button", name="Confirm and store this return").wait_for(timeout=30_000)
    wait_idle(page)
    assert_clean(hostile_tab, "upload preview (payloads)")
    open_expanders(page)
    shoot(page, "payload-upload-preview")
    assert_no_payload_rendered(page, "upload preview")
    assert "**Bold title**" in visible_text(page), "the preview does not show the file name as typed"
