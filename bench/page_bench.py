"""How long each page takes to rerun (server side, Streamlit AppTest), at sample and at national scale.

Run from the project root::

    .venv/bin/python -m bench.page_bench                  # sample + national, 5 warm reruns per page
    .venv/bin/python -m bench.page_bench --quick          # 3 warm reruns
    .venv/bin/python -m bench.page_bench --scale sample   # one scale only
    .venv/bin/python -m bench.page_bench --profile        # also cProfile the pages that miss their target
    .venv/bin/python -m bench.page_bench --national-build import   # build national data by a real import

Databases (temporary SQLite files):

* sample: ``lib.sample.seed``;
* national: the sample plus 153 authorities × 60 KPIs × 36 months = 330,480 KPI values (the same
  generated rows as ``bench/import_bench.py``'s national file). By default they are bulk-inserted
  with SQLAlchemy Core (kpi, period, kpi_value: seconds); ``--national-build import`` writes the
  national workbook and imports it with ``pipeline.import_bytes`` instead (over a minute).

Method, per database: ``IMPROVEMENT_BOARD_DB`` points at it and ``st.cache_data`` /
``st.cache_resource`` are cleared. Per page: ``AppTest.from_file(app.py)``, ``at.run()`` (session
start on the default page, not timed), ``st.cache_data.clear()``, then **cold** = the timed
``at.switch_page(page).run()`` (data caches empty, engine warm, every page's modules already
imported by one untimed visit of all pages: what the first viewer sees after an upload) and
**warm** = the median of N timed ``at.run()`` reruns. The floor is the median rerun of an empty
script (``import streamlit as st``) measured in the same run. Targets: warm ≤ 150 ms per page at
sample scale, ≤ 1 s at national scale; cold is shown against the same numbers. Wall-clock and
CPU time are both printed (CPU is not inflated by other processes competing for the 2 cores).
It prints figures; it asserts nothing except that no page raised (exit 1 if one did).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import io
import logging
import os
import pstats
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # also runnable as `python bench/page_bench.py`
    sys.path.insert(0, str(ROOT))
logging.disable(logging.WARNING)  # AppTest's "missing ScriptRunContext" / "No runtime found" chatter

import streamlit as st  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402
from streamlit.testing.v1 import AppTest, local_script_runner  # noqa: E402

from bench import import_bench  # noqa: E402
from lib import config, periods, sample, store  # noqa: E402
from lib.model import Kpi, KpiValue, Period  # noqa: E402
from lib.returns import pipeline  # noqa: E402
from lib.ui import setup  # noqa: E402

APP = str(ROOT / "app.py")
PAGES = [(path, title) for path, title, *_ in setup.PAGES]
TARGETS = {"sample": 0.100, "national": 0.300}  # warm; the targets (cold first paint: browser bench)
TIMEOUT = 300.0


# --- databases ------------------------------------------------------------------------------------------------


def build_sample(path: Path) -> tuple[str, float]:
    url = f"sqlite:///{path}"
    t0 = time.perf_counter()
    sample.seed(store.get_engine(url))
    seconds = time.perf_counter() - t0
    store.dispose_all()
    return url, seconds


def _bulk_national(url: str) -> int:
    """Add the national rows with SQLAlchemy Core: 60 KPIs, the month periods, 330,480 kpi_value rows."""
    engine = store.get_engine(url)
    rows = list(import_bench.national_rows(seed=import_bench.DEFAULT_SEED + 1))
    with store.write(engine) as session:
        kpi_ids = {k.ref: k.id for k in session.scalars(select(Kpi))}
        for ref, name, pct in import_bench.national_kpis():
            if ref not in kpi_ids:
                kpi = Kpi(ref=ref, name=name, unit="percent" if pct else "number",
                          polarity="higher" if pct else "monitor", source="bench: national")
                session.add(kpi)
                session.flush()
                kpi_ids[ref] = kpi.id
        period_ids = {(p.kind, p.start_date, p.end_date): p.id for p in session.scalars(select(Period))}
        for month in sorted({r[3] for r in rows}):
            p = periods.month(month.year, month.month)
            if (p.kind, p.start, p.end) not in period_ids:
                row = Period(kind=p.kind, start_date=p.start, end_date=p.end, label=p.label)
                session.add(row)
                session.flush()
                period_ids[(p.kind, p.start, p.end)] = row.id
        month_ids = {m: period_ids[("month", *_month_span(m))] for m in {r[3] for r in rows}}
        values = [
            {"kpi_id": kpi_ids[ref], "authority_code": la, "period_id": month_ids[month], "value": value,
             "value_text": _number_text(value), "target": target, "target_text": _number_text(target),
             "source_sheet": "Data", "source_cell": f"E{i + 2}", "source": "bench: national"}
            for i, (la, ref, _name, month, value, target) in enumerate(rows)
        ]
        session.execute(insert(KpiValue), values)
    return len(values)


def _month_span(first: dt.date) -> tuple[dt.date, dt.date]:
    p = periods.month(first.year, first.month)
    return p.start, p.end


def _number_text(value: float) -> str:
    return f"{value:g}"


def _import_national(url: str, tmp: Path) -> int:
    """Add the national rows the way a user would: write the workbook, import it."""
    bench = import_bench.write_national(tmp / "national-kpis.xlsx", import_bench.DEFAULT_SEED + 1)
    data = bench.load()
    config.MAX_UPLOAD_BYTES = max(config.MAX_UPLOAD_BYTES, len(data))
    result = pipeline.import_bytes(store.get_engine(url), data, bench.path.name)
    problems = import_bench.check_import(result, bench)
    if problems:
        print("national import failed:\n" + "\n".join(problems), file=sys.stderr)
        raise SystemExit(1)
    return bench.values


def build_national(sample_path: Path, tmp: Path, how: str) -> tuple[str, float, int]:
    path = tmp / "national.db"
    shutil.copyfile(sample_path, path)
    url = f"sqlite:///{path}"
    t0 = time.perf_counter()
    added = _bulk_national(url) if how == "core" else _import_national(url, tmp)
    seconds = time.perf_counter() - t0
    store.dispose_all()
    return url, seconds, added


# --- timing ------------------------------------------------------------------------------------------------


@dataclass
class PageFigures:
    scale: str
    page: str
    title: str
    cold: float
    warm: list[float]
    cold_cpu: float = 0.0
    warm_cpu: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def warm_median(self) -> float:
        return statistics.median(self.warm) if self.warm else float("nan")

    @property
    def warm_cpu_median(self) -> float:
        return statistics.median(self.warm_cpu) if self.warm_cpu else float("nan")


def reset_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()
    store.dispose_all()


def _timed(fn: Callable[[], Any]) -> float:
    return _timed2(fn)[0]


def _timed2(fn: Callable[[], Any]) -> tuple[float, float]:
    """(wall, CPU) seconds; CPU is this process's (AppTest runs the page in a thread of it)."""
    c0, t0 = time.process_time(), time.perf_counter()
    fn()
    return time.perf_counter() - t0, time.process_time() - c0


def empty_floor(tmp: Path, reruns: int) -> list[float]:
    """Reruns of a script that only imports Streamlit: AppTest's own cost per run."""
    script = tmp / "empty_page.py"
    script.write_text("import streamlit as st\n", encoding="utf-8")
    at = AppTest.from_file(str(script), default_timeout=TIMEOUT)
    at.run()
    return [_timed(at.run) for _ in range(reruns)]


def _errors(at: AppTest) -> list[str]:
    return [str(getattr(e, "message", e))[:200] for e in at.exception]


def _title(at: AppTest) -> str | None:
    return at.title[0].value if len(at.title) else None


@dataclass
class State:
    """One page state to time: the page, a label, and how to get there (query parameters, a widget)."""

    page: str
    label: str
    params: dict[str, str] = field(default_factory=dict)
    prepare: Callable[[AppTest], None] | None = None


def states(url: str) -> list[State]:
    """Every page in its default state, then the states a board meeting uses: a KPI selected (its chart
    and figures), a theme chosen, an action selected, a recommendation chosen, and each board step."""
    from sqlalchemy import text as sql

    engine = store.get_engine(url)
    with engine.connect() as conn:
        kpi = conn.execute(sql("SELECT k.ref FROM kpi k JOIN kpi_value v ON v.kpi_id = k.id GROUP BY k.ref "
                               "ORDER BY COUNT(*) DESC, k.ref LIMIT 1")).scalar()
        theme = conn.execute(sql("SELECT theme FROM kpi WHERE theme IS NOT NULL ORDER BY theme LIMIT 1")).scalar()
    from lib import board
    from lib.read import programme

    prog = programme.programme(engine, everyone=True)
    action = str(prog.actions["key"].iloc[0]) if "key" in prog.actions and len(prog.actions) else None
    steps = len(board.agenda(engine, presenting=False))
    out = [State(page, title) for page, title in PAGES]
    if kpi:
        out.append(State("pages/kpis.py", f"KPI {kpi}", {"kpi": str(kpi)}))
    if theme:
        out.append(State("pages/kpis.py", f"theme {theme}"[:30],
                         prepare=lambda at, theme=theme: at.multiselect(key="k_theme").select(theme).run()))
    if action:
        out.append(State("pages/action_plan.py", f"action {action}"[:30], {"action": action}))
    out += [State("pages/board.py", f"board step {n} of {steps}", {"step": str(n)}) for n in range(2, steps + 1)]
    return out


def time_page(scale: str, page: str, title: str, reruns: int, state: State | None = None) -> PageFigures:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()  # session start on the default page (not timed)
    st.cache_data.clear()
    at.switch_page(page)
    for key, value in (state.params if state else {}).items():
        at.query_params[key] = value
    if state is not None and state.prepare is not None:
        at.run()  # the page, then the widget change: the timed runs are reruns in that state
        state.prepare(at)
        st.cache_data.clear()
    cold, cold_cpu = _timed2(at.run)
    errors = _errors(at)
    shown = _title(at)
    warm, warm_cpu = [], []
    for _ in range(reruns):
        wall, cpu = _timed2(at.run)
        warm.append(wall)
        warm_cpu.append(cpu)
        errors += [e for e in _errors(at) if e not in errors]
        if _title(at) != shown:  # a rerun must redraw the same page, or the timing means nothing
            errors.append(f"rerun showed {_title(at)!r}, not {shown!r}")
    return PageFigures(scale, page, title, cold, warm, cold_cpu, warm_cpu, errors)


def visit_all(url: str) -> None:
    """Open every page once, untimed, so that cold runs measure data loading, not first-time module
    imports (lib.board, lib.returns.template, Altair) that a running server has long done."""
    os.environ[config.ENV_DB] = url
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    for page, _title in PAGES:
        at.switch_page(page).run()


def time_scale(scale: str, url: str, reruns: int, pages: list[tuple[str, str]]) -> list[PageFigures]:
    os.environ[config.ENV_DB] = url
    reset_caches()
    wanted = {page for page, _ in pages}
    return [time_page(scale, s.page, s.label, reruns, s) for s in states(url) if s.page in wanted]


def upload_to_dashboard(url: str, tmp: Path, repeats: int) -> None:
    """Confirm → overview rendered: the typical return imported (as Confirm does), then the overview's
    first render with its caches emptied by the new data revision (what the director sees next)."""
    typical = import_bench.write_typical(tmp / "typical-dash.xlsx")
    data = typical.path.read_bytes()
    totals, imports, renders = [], [], []
    for i in range(repeats):
        path = tmp / f"dash-{i}.db"
        shutil.copyfile(url.removeprefix("sqlite:///"), path)
        dash_url = f"sqlite:///{path}"
        os.environ[config.ENV_DB] = dash_url
        engine = store.get_engine(dash_url)
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.run()  # the overview open before the upload, its caches warm
        t0 = time.perf_counter()
        result = pipeline.import_bytes(engine, data, f"typical-{i}.xlsx")
        t1 = time.perf_counter()
        at.run()
        t2 = time.perf_counter()
        if result.outcome != "imported" or at.exception:
            print(f"upload to dashboard: {result.summary_line()} {[str(e) for e in at.exception][:1]}")
            return
        imports.append(t1 - t0)
        renders.append(t2 - t1)
        totals.append(t2 - t0)
    print(f"upload to dashboard (typical return, sample database, {repeats} repeats): "
          f"{ms(statistics.median(totals))} median = import {ms(statistics.median(imports))} + first overview "
          f"render {ms(statistics.median(renders))} (target ≤ 150 ms)")


# --- profiling ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def profiled_script_thread(prof: cProfile.Profile) -> Iterator[None]:
    """AppTest runs the page in its own thread: profile inside that thread."""
    original = local_script_runner.LocalScriptRunner._run_script_thread

    def wrapped(self: Any) -> None:
        prof.enable()
        try:
            original(self)
        finally:
            prof.disable()

    local_script_runner.LocalScriptRunner._run_script_thread = wrapped  # type: ignore[method-assign]
    try:
        yield
    finally:
        local_script_runner.LocalScriptRunner._run_script_thread = original  # type: ignore[method-assign]


def profile_page(fig: PageFigures, url: str, which: str, top: int = 15) -> None:
    os.environ[config.ENV_DB] = url
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    st.cache_data.clear()
    at.switch_page(fig.page)
    prof = cProfile.Profile()
    if which == "warm":
        at.run()
    with profiled_script_thread(prof):
        seconds = _timed(at.run)
    own = "|".join(re.escape(str(ROOT / d) + os.sep) for d in ("lib", "pages"))
    print(f"\n--- {fig.scale}: {fig.title} ({fig.page}), one {which} run profiled ({seconds * 1000:,.0f} ms) ---")
    for label, sort, restrict in ((f"top {top} by cumulative time, lib/ and pages/ only", "cumulative", own),
                                  ("top 10 by own time, any module", "tottime", None)):
        buf = io.StringIO()
        stats = pstats.Stats(prof, stream=buf).sort_stats(sort)
        if restrict:
            stats.print_stats(restrict, top)
        else:
            stats.print_stats(10)
        lines = buf.getvalue().splitlines()
        start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
        print(f"{label}:")
        for line in lines[start:]:
            if line.strip():
                print(line.replace(str(ROOT) + os.sep, "").replace(sys.prefix, "<venv>")[:170])


# --- report ------------------------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def report(figures: list[PageFigures], floor: float) -> list[tuple[PageFigures, str]]:
    misses: list[tuple[PageFigures, str]] = []
    header = (f"{'scale':<9} {'page state':<30} {'cold':>9} {'warm':>9} {'warm min–max':>17} {'warm/empty':>10} "
              f"{'warm CPU':>9} {'cold CPU':>9} {'target':>8}  {'warm':<6} {'cold':<6}")
    print(header)
    print("-" * len(header))
    for f in figures:
        target = TARGETS[f.scale]
        warm_ok = f.warm_median <= target
        cold_ok = f.cold <= target
        flag = "" if not f.errors else f"  RAISED: {f.errors[0]}"
        spread = f"{ms(min(f.warm))}–{ms(max(f.warm))}" if f.warm else ""
        print(f"{f.scale:<9} {f.title:<30} {ms(f.cold):>9} {ms(f.warm_median):>9} {spread:>17} "
              f"{f.warm_median / floor:>9.1f}× {ms(f.warm_cpu_median):>9} {ms(f.cold_cpu):>9} "
              f"{ms(target):>8}  {'ok' if warm_ok else 'MISS':<6} "
              f"{'ok' if cold_ok else 'MISS':<6}{flag}")
        if not warm_ok:
            misses.append((f, "warm"))
        elif not cold_ok:
            misses.append((f, "cold"))
    print(f"empty-script rerun (floor): {floor * 1000:.1f} ms median. warm = median of the timed reruns; "
          "cold = first render of the page with st.cache_data empty (engine warm); times are wall clock, "
          "CPU columns are this process's CPU time (not inflated by other processes on the machine); "
          f"load average now {os.getloadavg()[0]:.1f}")
    return misses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reruns", type=int, default=5, help="warm reruns per page (default 5)")
    parser.add_argument("--quick", action="store_true", help="3 warm reruns per page")
    parser.add_argument("--scale", choices=("sample", "national", "both"), default="both")
    parser.add_argument("--page", action="append", help="only this page (file or url path); repeatable")
    parser.add_argument("--national-build", choices=("core", "import"), default="core",
                        help="how the national rows get in: SQLAlchemy Core bulk insert (default) or a real import")
    parser.add_argument("--profile", action="store_true", help="cProfile one run of each page that misses its target")
    args = parser.parse_args(argv)
    reruns = 3 if args.quick else args.reruns
    pages = PAGES
    if args.page:
        wanted = {p.removeprefix("pages/").removesuffix(".py") for p in args.page}
        pages = [(p, t) for p, t in PAGES if Path(p).stem in wanted]

    print(f"Page benchmark: {import_bench.describe_machine()}, streamlit {st.__version__}; "
          f"{reruns} warm reruns per page; load average {os.getloadavg()[0]:.1f}")
    saved_env = os.environ.get(config.ENV_DB)
    figures: list[PageFigures] = []
    urls: dict[str, str] = {}
    floors: list[float] = []
    with tempfile.TemporaryDirectory(prefix="ib-page-bench-") as tmp_name:
        tmp = Path(tmp_name)
        try:
            sample_path = tmp / "sample.db"
            url, seconds = build_sample(sample_path)
            urls["sample"] = url
            print(f"sample database seeded in {seconds:.1f} s")
            visit_all(url)
            floors += empty_floor(tmp, max(reruns, 5))
            if args.scale in ("sample", "both"):
                figures += time_scale("sample", url, reruns, pages)
            if args.scale in ("national", "both"):
                url, seconds, added = build_national(sample_path, tmp, args.national_build)
                urls["national"] = url
                how = "SQLAlchemy Core bulk insert" if args.national_build == "core" else "pipeline.import_bytes"
                print(f"national database: sample + {added:,} KPI values added by {how} in {seconds:.1f} s")
                floors += empty_floor(tmp, max(reruns, 5))
                figures += time_scale("national", url, reruns, pages)
            floors += empty_floor(tmp, max(reruns, 5))
            print()
            misses = report(figures, statistics.median(floors))
            upload_to_dashboard(urls["sample"], tmp, reruns)
            if args.profile:
                for fig, which in misses:
                    reset_caches()
                    profile_page(fig, urls[fig.scale], which)
        finally:
            reset_caches()
            if saved_env is None:
                os.environ.pop(config.ENV_DB, None)
            else:
                os.environ[config.ENV_DB] = saved_env
    return 1 if any(f.errors for f in figures) else 0


if __name__ == "__main__":
    raise SystemExit(main())
