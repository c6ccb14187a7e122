"""Cold first paint in Chromium: how long a new visitor waits for each page's content (target ≤ 2.5 s).

Run from the project root::

    .venv/bin/python -m bench.browser_bench                    # every page, 5 cold visits each, 3 server starts
    .venv/bin/python -m bench.browser_bench --quick            # 3 visits per page, 1 server start
    .venv/bin/python -m bench.browser_bench --page / --page kpis --repeat 10
    .venv/bin/python -m bench.browser_bench --server-starts 5  # more first-visitor samples

Setup: ``lib.sample.seed`` into a temporary SQLite file, then ``streamlit run app.py`` headless on a free
127.0.0.1 port with ``IMPROVEMENT_BOARD_DB`` pointing at it, started and waited for (``/_stcore/health``)
by the browser tests' own helper (``tests.browser_support.start_server``). Chromium is Debian's, driven
by Playwright with the tests' flags; one browser process serves the whole run.

Method: every visit is a **new browser context** (empty HTTP cache, no cookies, no service worker:
a first-time visitor) at 1280×720, opening the page's URL (``/`` for the overview, the default page;
``/<url_path>`` for the others, as ``lib.ui.setup.PAGES`` names them). A script injected before any of
the page's own (``add_init_script``) checks the DOM on every animation frame and stamps
``performance.now()`` (milliseconds since the navigation started) when:

* **shell** — Streamlit's app root (``[data-testid="stApp"]``) is in the DOM: HTML, JS bundle and CSS
  fetched, parsed and React mounted;
* **h1** — the page's heading in the main area (``[data-testid="stMainBlockContainer"] h1``) has a
  non-empty, visible box;
* **content** (the figure against the target) — the heading is visible **and** the script run has
  finished: the app root's ``data-test-script-state`` is ``notRunning`` and the status widget
  (``[data-testid="stStatusWidget"]``) shows no "Running". The stamp is taken in the frame's
  animation callback, just before that frame is painted.

The browser's own first-contentful-paint (``performance.getEntriesByType('paint')``) is printed for
context: Streamlit's HTML has no text of its own, so FCP is the first text the app draws (the top
navigation or the heading, from the script run's first messages); the shell is about when the
browser's first-paint happens (the empty app frame).

The server is started once for the page visits, so **1st** (each page's first visit on it) has that
page's ``st.cache_data`` entries and first-time module imports still to do, and later visits find the
server's caches warm: the median is mostly a warm server with a cold browser, the max mostly the 1st
visit. **First visitor** is separate: the very first page request after a server start (module imports
of the whole app, engine creation, every cache empty), repeated on ``--server-starts`` fresh servers
(the database file stays in the OS page cache between starts); it runs before the page visits, so the
default page's 1st is not server-cold. The server and Chromium share the machine's cores, so the load
average and core count are printed; times are wall clock. It prints figures and asserts nothing about
speed; it exits 1 only when a page showed an exception (``[data-testid="stException"]``) or a
Streamlit dialog ("Page not found"), never showed its heading, or the server failed to start.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # also runnable as `python bench/browser_bench.py`
    sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser, sync_playwright  # noqa: E402
from playwright.sync_api import Error as PlaywrightError  # noqa: E402

from lib import sample, store  # noqa: E402
from lib.ui import setup  # noqa: E402
from tests.browser_support import CHROMIUM_ARGS, CHROMIUM_MISSING, VIEWPORT, Server, start_server  # noqa: E402

TARGET = 2.5  # seconds, navigation start → main content visible (issue 10)
VISIT_TIMEOUT_MS = 60_000
DEFAULT_PAGE = setup.PAGES[0][3]  # st.navigation serves the default page at the root only
URL_PATHS = [url for _path, _title, _icon, url, _help in setup.PAGES]
TITLES = {url: title for _path, title, _icon, url, _help in setup.PAGES}

# Stamps performance.now() into window.__ibMarks as the page comes up; see the module docstring.
MARKS_JS = """
(() => {
  const marks = {};
  window.__ibMarks = marks;
  const visible = (el) => {
    if (!el || !(el.innerText || '').trim()) return false;
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
  };
  const running = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return true;
    const w = document.querySelector('[data-testid="stStatusWidget"]');
    return !!w && (/running/i.test(w.innerText || '')
                   || !!w.querySelector('[data-testid^="stStatusWidgetRunning"]'));
  };
  const check = () => {
    if (marks.content !== undefined) return true;
    const now = performance.now();
    if (marks.shell === undefined && document.querySelector('[data-testid="stApp"]')) marks.shell = now;
    if (marks.error === undefined && document.querySelector('[data-testid="stException"], [role="dialog"]'))
      marks.error = now;  // an exception box, or Streamlit's own modal ("Page not found", connection lost)
    const h1 = document.querySelector('[data-testid="stMainBlockContainer"] h1');
    if (visible(h1)) {
      if (marks.heading === undefined) marks.heading = now;
      if (!running()) { marks.content = now; marks.title = h1.innerText.trim(); return true; }
    }
    return false;
  };
  const frame = () => { if (!check()) requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
  const timer = setInterval(() => { if (check()) clearInterval(timer); }, 50);  // if frames are throttled
})();
"""

AFTER_JS = """
() => {
  const paint = Object.fromEntries(performance.getEntriesByType('paint').map(e => [e.name, e.startTime]));
  const errors = [...document.querySelectorAll('[data-testid="stException"]')].map(e => e.innerText.slice(0, 300));
  const dialogs = [...document.querySelectorAll('[role="dialog"]')].map(e => e.innerText.slice(0, 200));
  return {marks: window.__ibMarks || {}, fcp: paint['first-contentful-paint'] ?? null, errors, dialogs};
}
"""


# --- measuring ----------------------------------------------------------------------------------------------


@dataclass
class Visit:
    """One cold visit; times in seconds since navigation start (None: not reached)."""

    content: float | None
    heading: float | None
    shell: float | None
    fcp: float | None
    title: str = ""
    error: str = ""


@dataclass
class Row:
    label: str
    path: str
    visits: list[Visit] = field(default_factory=list)

    def times(self, name: str) -> list[float]:
        return [t for v in self.visits if (t := getattr(v, name)) is not None]

    @property
    def errors(self) -> list[str]:
        return [v.error for v in self.visits if v.error]


def page_url(server: Server, path: str) -> str:
    return server.url("" if path == DEFAULT_PAGE else path)


def _seconds(ms: object) -> float | None:
    return float(ms) / 1000 if isinstance(ms, int | float) else None


def visit(browser: Browser, server: Server, path: str) -> Visit:
    """Open ``path`` in a new context (cold browser cache) and wait for its content or an exception."""
    context = browser.new_context(viewport={"width": VIEWPORT["width"], "height": VIEWPORT["height"]})
    try:
        context.add_init_script(MARKS_JS)
        page = context.new_page()
        js_errors: list[str] = []
        page.on("pageerror", lambda exc: js_errors.append(str(exc)))
        problem = ""
        try:
            page.goto(page_url(server, path), wait_until="commit", timeout=VISIT_TIMEOUT_MS)
            page.wait_for_function(
                "() => window.__ibMarks && (window.__ibMarks.content !== undefined"
                " || window.__ibMarks.error !== undefined)",
                timeout=VISIT_TIMEOUT_MS,
            )
        except PlaywrightError as exc:
            problem = f"no main heading within {VISIT_TIMEOUT_MS / 1000:.0f} s ({str(exc).splitlines()[0][:120]})"
        if not problem:  # an exception can follow the heading: let the run finish, then look
            try:
                page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                                       timeout=VISIT_TIMEOUT_MS)
            except PlaywrightError:
                problem = "script run did not finish"
        found = page.evaluate(AFTER_JS)
        marks = found["marks"]
        if found["errors"]:
            problem = "exception shown: " + " | ".join(found["errors"]).replace("\n", " ")
        elif found["dialogs"]:
            problem = "dialog shown: " + " | ".join(found["dialogs"]).replace("\n", " ")
        elif js_errors:
            problem = problem or f"uncaught JavaScript error: {js_errors[0][:200]}"
        return Visit(
            content=_seconds(marks.get("content")),
            heading=_seconds(marks.get("heading")),
            shell=_seconds(marks.get("shell")),
            fcp=_seconds(found["fcp"]),
            title=str(marks.get("title", "")),
            error=problem,
        )
    finally:
        context.close()


def build_sample(path: Path) -> tuple[str, float]:
    """``lib.sample.seed`` into a new SQLite file (as ``bench/page_bench.py`` does)."""
    url = f"sqlite:///{path}"
    t0 = time.perf_counter()
    sample.seed(store.get_engine(url))
    seconds = time.perf_counter() - t0
    store.dispose_all()
    return url, seconds


def timed_start(db_url: str, workdir: Path) -> tuple[Server, float]:
    t0 = time.perf_counter()
    server = start_server(db_url, workdir)
    return server, time.perf_counter() - t0


# --- report ---------------------------------------------------------------------------------------------------


def secs(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def med(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def report(rows: list[Row]) -> None:
    header = (f"{'page':<36} {'visits':>6} {'1st':>8} {'median':>8} {'max':>8} {'FCP med':>8} {'shell med':>9} "
              f"{'h1 med':>8} {'target':>7}  verdict")
    print(header)
    print("-" * len(header))
    for row in rows:
        content = row.times("content")
        first = row.visits[0].content if row.visits else None
        worst = max(content) if content else None
        median = med(content)
        if row.errors:
            verdict = f"ERROR ({len(row.errors)}): {row.errors[0][:140]}"
        elif median is None or worst is None:
            verdict = "—"
        else:
            verdict = "MET" if median <= TARGET else "MISSED"
            if verdict == "MET" and worst > TARGET:
                verdict += " (max over)"
        print(f"{row.label:<36} {len(row.visits):>6} {secs(first):>8} {secs(median):>8} {secs(worst):>8} "
              f"{secs(med(row.times('fcp'))):>8} {secs(med(row.times('shell'))):>9} "
              f"{secs(med(row.times('heading'))):>8} {secs(TARGET):>7}  {verdict}")


def describe_load(when: str) -> str:
    one, five, fifteen = os.getloadavg()
    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    return f"load average {when}: {one:.2f} {five:.2f} {fifteen:.2f} (1/5/15 min) on {cores} cores ({usable} usable)"


def chosen_paths(wanted: list[str] | None, parser: argparse.ArgumentParser) -> list[str]:
    if not wanted:
        return URL_PATHS
    out: list[str] = []
    for raw in wanted:
        name = raw.strip().strip("/").removeprefix("pages/").removesuffix(".py")
        by_file = {Path(p).stem: url for p, _t, _i, url, _h in setup.PAGES}
        path = DEFAULT_PAGE if name == "" else by_file.get(name, name)
        if path not in URL_PATHS:
            parser.error(f"unknown page {raw!r}: one of /, {', '.join(URL_PATHS)}")
        if path not in out:
            out.append(path)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="cold visits per page (default 5)")
    parser.add_argument("--page", action="append",
                        help="only this page: /, a url path (kpis) or file (pages/kpis.py); repeatable")
    parser.add_argument("--server-starts", type=int, default=3,
                        help="fresh servers whose very first visit is timed (default 3)")
    parser.add_argument("--quick", action="store_true", help="3 visits per page, 1 server start")
    args = parser.parse_args(argv)
    repeat = 3 if args.quick else max(1, args.repeat)
    starts = 1 if args.quick else max(1, args.server_starts)
    paths = chosen_paths(args.page, parser)
    chromium = shutil.which("chromium")
    if chromium is None:
        print(CHROMIUM_MISSING, file=sys.stderr)
        return 1

    print(f"Browser benchmark (cold first paint): {repeat} cold visits per page, {starts} server start(s); "
          f"target ≤ {TARGET:.1f} s from navigation start to main content")
    print(describe_load("at start"))
    rows = [Row(f"{TITLES[p]} ({'/' if p == DEFAULT_PAGE else '/' + p})", p) for p in paths]
    first_row = Row(f"first visitor after start ({'/' if paths[0] == DEFAULT_PAGE else '/' + paths[0]})",
                    paths[0])
    start_times: list[float] = []
    failed = False
    with tempfile.TemporaryDirectory(prefix="ib-browser-bench-") as tmp_name, sync_playwright() as pw:
        tmp = Path(tmp_name)
        db_url, seeded = build_sample(tmp / "sample.db")
        print(f"sample database seeded in {seeded:.1f} s")
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        print(f"chromium {browser.version}, viewport {VIEWPORT['width']}×{VIEWPORT['height']}")
        try:
            for n in range(starts):
                try:
                    server, seconds = timed_start(db_url, tmp)
                except RuntimeError as exc:
                    print(f"server failed to start: {exc}", file=sys.stderr)
                    if n == 0:
                        return 1
                    failed = True  # report what the earlier servers gave
                    break
                start_times.append(seconds)
                try:
                    here = [visit(browser, server, first_row.path)]
                    first_row.visits += here
                    if n == 0:  # the page visits run on the first server, after its first visitor
                        for row in rows:
                            for _ in range(repeat):
                                row.visits.append(visit(browser, server, row.path))
                            here += row.visits
                            print(f"  {row.label}: " + ", ".join(secs(v.content) for v in row.visits), flush=True)
                    if any(v.error for v in here):
                        failed = True
                        print(f"--- server log (last lines) ---\n{server.log_tail()}", file=sys.stderr)
                finally:
                    server.stop()
            print(f"  {first_row.label}: " + ", ".join(secs(v.content) for v in first_row.visits))
        finally:
            browser.close()

    print()
    report([first_row, *rows])
    print(f"server start (spawn → /_stcore/health 200): {', '.join(f'{s:.1f} s' for s in start_times)}")
    print("times from navigation start: shell = Streamlit's app root mounted, h1 = main heading visible, "
          "1st/median/max = heading visible and the script run finished (the target's figure); "
          "FCP = the browser's first-contentful-paint (the app's first text: navigation or heading); the first "
          "visitor's visit comes before the page visits, so the default page's 1st is not server-cold")
    print(describe_load("at end"))
    return 1 if failed or first_row.errors or any(r.errors for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
