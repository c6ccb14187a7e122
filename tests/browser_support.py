"""Helpers for the browser tests: a Streamlit server on a copy of the seeded database, waiting for
Streamlit to finish a run, and axe-core accessibility checks.

Chromium is Debian's (``apt-get install chromium``), driven by the Playwright wheel's own driver;
no browser is ever downloaded. axe-core comes from ``node_modules`` (``package.json`` pins it).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "test-output"
SCREENSHOTS = OUTPUT / "screenshots"
AXE_OUTPUT = OUTPUT / "axe"
VIEWPORT = {"width": 1280, "height": 720}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
CHROMIUM_MISSING = "chromium not installed: apt-get install chromium"

# The app root carries Streamlit's own run and connection state (the attributes its e2e tests use).
APP = '[data-testid="stApp"]'
APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"][data-test-connection-state="CONNECTED"]'

# Violations at these impacts fail a test.
FAILING_IMPACTS = ("serious", "critical")

# (rule id, CSS selector as axe reports it, why): only for elements Streamlit itself renders that the
# app cannot change. Empty: nothing is excluded.
AXE_EXCLUSIONS: tuple[tuple[str, str, str], ...] = ()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def copy_sqlite(src_url: str, dst: Path) -> str:
    """Copy a SQLite database (WAL content included) through the backup API; returns the copy's URL."""
    src = Path(src_url.removeprefix("sqlite:///"))
    dst.parent.mkdir(parents=True, exist_ok=True)
    source, target = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return f"sqlite:///{dst}"


@dataclass
class Server:
    """A running ``streamlit run app.py``; ``fresh`` until a test claims the first page request."""

    proc: subprocess.Popen[bytes]
    port: int
    db_url: str
    log: Path
    fresh: bool = True
    _log_handle: Any = field(default=None, repr=False)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "") -> str:
        return f"{self.base}/{path.lstrip('/')}"

    def claim_fresh(self) -> bool:
        """True for the one caller that makes the first page request after the start."""
        was, self.fresh = self.fresh, False
        return was

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        if self._log_handle is not None:
            self._log_handle.close()


def start_server(db_url: str, workdir: Path, timeout: float = 45.0, *, project_config_only: bool = False) -> Server:
    """Start Streamlit on a free port against ``db_url`` and wait for its health endpoint.

    ``project_config_only``: do not pass ``--browser.gatherUsageStats false`` on the command line, so the
    project's ``.streamlit/config.toml`` alone decides (as in a real deployment); the outside-request test
    runs on such a server."""
    port = free_port()
    log = workdir / f"streamlit-{port}.log"
    handle = log.open("wb")
    env = {**os.environ, "IMPROVEMENT_BOARD_DB": db_url, "PYTHONUNBUFFERED": "1"}
    cmd = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
    ]
    if not project_config_only:
        cmd += ["--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(proc=proc, port=port, db_url=db_url, log=log, _log_handle=handle)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            server.stop()
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"{server.base}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"streamlit did not answer /_stcore/health within {timeout:.0f}s:\n{server.log_tail()}")


def wait_idle(page: Any, timeout: float = 30_000) -> None:
    """Wait until Streamlit is connected, the script run has finished, no spinner shows and fonts are in."""
    page.wait_for_selector(APP, timeout=timeout)
    page.wait_for_selector(APP_IDLE, timeout=timeout)
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stSpinner"]')
                 && !/running/i.test(document.querySelector('[data-testid="stStatusWidget"]')?.innerText || '')""",
        timeout=timeout,
    )
    page.evaluate("() => document.fonts.ready.then(() => true)")
    # Streamlit can start a second run right after the first (query-string sync); settle once more.
    page.wait_for_timeout(250)
    page.wait_for_selector(APP_IDLE, timeout=timeout)


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


@functools.cache
def axe_source() -> str:
    """axe.min.js from node_modules; runs ``npm ci`` once when it is missing."""
    import pytest

    path = ROOT / "node_modules" / "axe-core" / "axe.min.js"
    if not path.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm not installed, cannot fetch axe-core for the accessibility checks: apt-get install npm")
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=ROOT, capture_output=True, text=True, timeout=180
        )
        if done.returncode != 0 or not path.exists():
            raise RuntimeError(f"npm ci failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return path.read_text(encoding="utf-8")


def run_axe(page: Any, name: str) -> list[dict[str, Any]]:
    """axe-core's violations for the whole document; all of them (every impact) are saved to
    ``test-output/axe/<name>.json`` for review."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    violations = list(result["violations"])
    AXE_OUTPUT.mkdir(parents=True, exist_ok=True)
    (AXE_OUTPUT / f"{name}.json").write_text(json.dumps(violations, indent=2), encoding="utf-8")
    return violations


def _excluded(rule: str, target: str) -> bool:
    return any(rule == r and target == sel for r, sel, _why in AXE_EXCLUSIONS)


def serious_violations(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Violations at a failing impact, with excluded Streamlit-internal nodes removed."""
    out = []
    for v in violations:
        if v.get("impact") not in FAILING_IMPACTS:
            continue
        nodes = [n for n in v["nodes"] if not _excluded(v["id"], " ".join(map(str, n["target"])))]
        if nodes:
            out.append({**v, "nodes": nodes})
    return out


def describe_violations(violations: list[dict[str, Any]], first: int = 4) -> str:
    lines = []
    for v in violations:
        targets = [" ".join(map(str, n["target"])) for n in v["nodes"][:first]]
        more = f" (+{len(v['nodes']) - first} more)" if len(v["nodes"]) > first else ""
        lines.append(f"- {v['id']} [{v.get('impact')}] {v['help']} — {len(v['nodes'])} node(s): {targets}{more}")
        summary = (v["nodes"][0].get("failureSummary") or "").replace("\n", " ")
        if summary:
            lines.append(f"    first: {summary[:300]}")
    return "\n".join(lines)


# --- the board agenda at collection time, layout measurements, request and payload checks ----------------


def agenda_steps(engine: Any, present: bool) -> list[Any]:
    """The board agenda as the board page builds it in that mode (presentation mode may cut long tables
    into more, shorter views, when lib.board supports it)."""
    import inspect

    from lib import board

    if "presenting" in inspect.signature(board.agenda).parameters:
        return list(board.agenda(engine, presenting=present))
    return list(board.agenda(engine))


def agenda_titles_of(engine: Any, present: bool) -> list[str]:
    return [step.title for step in agenda_steps(engine, present)]


@functools.cache
def seeded_agenda_titles() -> dict[bool, tuple[str, ...]]:
    """The board agenda's step titles on a freshly seeded database, normal (False) and presentation (True)
    mode, for parametrising the step tests at collection time (the tests check the server's own copy has
    the very same agendas)."""
    import tempfile

    from lib import sample, store

    with tempfile.TemporaryDirectory(prefix="ib-agenda-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'seeded.db'}"
        engine = store.get_engine(url)
        try:
            sample.seed(engine)
            return {present: tuple(agenda_titles_of(engine, present)) for present in (False, True)}
        finally:
            engine.dispose()
            store._ENGINES.pop(url, None)


def browser_deselected(config: Any) -> bool:
    """True when ``-m`` leaves out the browser tests (then nothing need be seeded at collection)."""
    expr = (config.getoption("markexpr", "") or "").strip()
    if not expr:
        return False
    try:
        from _pytest.mark.expression import Expression

        def only_browser(name: str, /, **_kw: str | int | bool | None) -> bool:
            return name == "browser"

        return not Expression.compile(expr).evaluate(only_browser)
    except Exception:
        return False


# Measured on every screenshot and written to test-output/screenshots/layout.json for review: what runs
# off the right edge, how far the page scrolls below the 720 px fold, the smallest type on screen and
# text cut off with an ellipsis. Measurements, not assertions.
LAYOUT_JS = """
() => {
  const vw = window.innerWidth, vh = window.innerHeight;
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  const visible = (el) => { const s = getComputedStyle(el); const r = el.getBoundingClientRect();
    return s.visibility !== 'hidden' && s.display !== 'none' && r.width > 0 && r.height > 0; };
  const txt = (el) => (el.innerText ?? el.textContent ?? '').trim();
  const label = (el) => el.getAttribute('data-testid') || el.tagName.toLowerCase();
  const offRight = [], clipped = [], small = {};
  let minFont = 1e9, minFontText = '';
  for (const el of main.querySelectorAll('*')) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.right > vw + 1 && r.left < vw && el.children.length === 0) offRight.push(label(el) + ': ' +
        (txt(el) || el.getAttribute('aria-label') || '').slice(0, 60));
    const hasText = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!hasText || r.top >= vh || r.bottom <= 0) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < minFont) { minFont = size; minFontText = txt(el).slice(0, 60); }
    const s = getComputedStyle(el);
    if (el.scrollWidth > el.clientWidth + 1 && (s.textOverflow === 'ellipsis' || s.overflow === 'hidden'))
      clipped.push(label(el) + ': ' + txt(el).slice(0, 60));
  }
  const block = document.querySelector('[data-testid="stMainBlockContainer"]') || main;
  const contentBottom = Math.max(...[...block.querySelectorAll('*')].filter(visible)
    .map(e => e.getBoundingClientRect().bottom), 0);
  // Tables wider than their box: an st.table's own width; an st.dataframe grid's inner scroller (its
  // hidden columns are reached only by scrolling sideways).
  const wide = [];
  for (const t of main.querySelectorAll('[data-testid="stTable"]'))
    if (t.scrollWidth > t.clientWidth + 1) wide.push(`stTable ${t.scrollWidth}px in ${t.clientWidth}px`);
  for (const g of main.querySelectorAll('[data-testid="stDataFrame"]')) {
    const sc = g.querySelector('.dvn-scroller');
    if (sc && sc.scrollWidth > sc.clientWidth + 20) {
      const heads = [...g.querySelectorAll('[role="columnheader"]')].map(h => h.textContent.trim()).filter(Boolean);
      wide.push(`stDataFrame ${sc.scrollWidth}px in ${sc.clientWidth}px (${heads.join(', ')})`);
    }
  }
  return {content_bottom_px: Math.round(contentBottom), below_fold: contentBottom > vh + 1, viewport: [vw, vh],
          off_right: offRight.slice(0, 12),
          wide_tables: wide, clipped: clipped.slice(0, 12), min_font_px: minFont === 1e9 ? null : minFont,
          min_font_text: minFontText, grids: main.querySelectorAll('[data-testid="stDataFrame"]').length};
}
"""
def record_layout(page: Any, name: str) -> dict[str, Any]:
    """Measure the page as it stands and keep it under ``name`` in layout.json (merged with what is there,
    so xdist workers and partial runs add to it)."""
    measured: dict[str, Any] = page.evaluate(LAYOUT_JS)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / "layout.json"
    try:
        known: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    known[name] = measured
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(known, indent=1, sort_keys=True), encoding="utf-8")
    tmp.replace(path)
    return measured


LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
LOCAL_SCHEMES = frozenset({"data", "blob"})


def outside(url: str) -> bool:
    """A request that leaves this machine (data: and blob: URLs never do)."""
    import urllib.parse

    parts = urllib.parse.urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return False
    return (parts.hostname or "") not in LOCAL_HOSTS


# Formatting a payload must never get, and links it must never become: checked in the DOM (text inside
# st.dataframe grids is drawn on a canvas and is not in the DOM; those grids cannot render Markdown).
PAYLOAD_JS = r"""
([host, words, literals]) => {
  const found = [];
  const inside = (el) => { const ids = []; for (let e = el.parentElement; e && ids.length < 3; e = e.parentElement)
    if (e.dataset && e.dataset.testid) ids.push(e.dataset.testid); return ' in ' + (ids.join(' < ') || 'page'); };
  for (const a of document.querySelectorAll('a[href]'))
    if (a.href.includes(host) || a.getAttribute('href').includes(host))
      found.push(`<a href="${a.getAttribute('href')}">${a.textContent.trim().slice(0, 80)}</a>` + inside(a));
  for (const el of document.querySelectorAll('[src], [srcset], [data-src]'))
    for (const attr of ['src', 'srcset', 'data-src'])
      if ((el.getAttribute(attr) || '').includes(host))
        found.push(`<${el.tagName.toLowerCase()} ${attr}="${el.getAttribute(attr)}">` + inside(el));
  const pattern = (w) => new RegExp('\\b' + w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '\\b');
  const emphasis = 'strong, b, em, i, u, s, del, mark, code';
  for (const el of document.querySelectorAll(emphasis)) {
    const text = el.textContent;
    for (const w of words) if (pattern(w).test(text))
      found.push(`<${el.tagName.toLowerCase()}>${text.trim().slice(0, 80)}</${el.tagName.toLowerCase()}>`
                 + ` has "${w}"` + inside(el));
  }
  // A heading may show a payload only as typed (the action's own header does, by design): take out every
  // literal form first, then no payload word may be left.
  for (const el of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
    let text = el.textContent.replace(/\u2060/g, '');
    for (const lit of literals) text = text.split(lit).join(' ');
    for (const w of words) if (pattern(w).test(text))
      found.push(`<${el.tagName.toLowerCase()}>${el.textContent.trim().slice(0, 80)}</${el.tagName.toLowerCase()}>`
                 + ` has "${w}" not as typed` + inside(el));
  }
  return found;
}
"""


def payload_findings(page: Any, host: str, words: tuple[str, ...], literals: tuple[str, ...]) -> list[str]:
    """Links to ``host`` and payload ``words`` shown as formatting, on the whole document."""
    return list(page.evaluate(PAYLOAD_JS, [host, list(words), list(literals)]))


def visible_text(page: Any) -> str:
    """The main area's text as shown (word joiners taken out)."""
    main = page.locator('[data-testid="stMain"]')
    return str((main.first if main.count() else page.locator("body")).inner_text()).replace("\u2060", "")


TEXT_SIZE_JS = """
() => {
  const sel = ['[data-testid="stTable"] td', '[data-testid="stTable"] th', '[data-testid="stMarkdownContainer"] p',
               '[data-testid="stCaptionContainer"]', '[data-testid="stText"]']
    .map(s => '[data-testid="stMain"] ' + s).join(', ');
  const sizes = [...document.querySelectorAll(sel)]
    .filter(e => e.getBoundingClientRect().height > 0 && (e.innerText || '').trim())
    .map(e => [parseFloat(getComputedStyle(e).fontSize), e.innerText.trim().slice(0, 50)]);
  sizes.sort((a, b) => a[0] - b[0]);
  return sizes.slice(0, 3);
}
"""


def smallest_text(page: Any) -> list[tuple[float, str]]:
    """The three smallest font sizes (px) of the main area's body text: table cells, paragraphs, captions."""
    return [(float(size), str(text)) for size, text in page.evaluate(TEXT_SIZE_JS)]
