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


def start_server(db_url: str, workdir: Path, timeout: float = 45.0) -> Server:
    """Start Streamlit on a free port against ``db_url`` and wait for its health endpoint."""
    port = free_port()
    log = workdir / f"streamlit-{port}.log"
    handle = log.open("wb")
    env = {**os.environ, "IMPROVEMENT_BOARD_DB": db_url, "PYTHONUNBUFFERED": "1"}
    cmd = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
    ]
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
