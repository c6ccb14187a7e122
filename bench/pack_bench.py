"""How long a full board pack takes on the sample data: PowerPoint and PDF (median of 5 runs each).

    .venv/bin/python -m bench.pack_bench [--db URL] [--runs 5]     (or: .venv/bin/python bench/pack_bench.py)

Each run builds the pack from the database (read models, changes, chart specs) and writes it, chart
PNGs included (vl-convert, no browser), so the figure is what a user waits for. The first,
untimed run warms imports and the chart renderer. Target: at most 5 s for the PowerPoint pack.
Without --db the sample data is seeded into a temporary SQLite database first.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine

from lib import sample, store
from lib.exports import pack, pdf_pack, pptx_pack

TARGET_S = 5.0


def _time(fn: Callable[[], object], runs: int) -> tuple[float, list[float], object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times, result


def bench(engine: Engine, runs: int) -> int:
    pptx_pack.to_pptx(pack.build_pack(engine))  # warm-up: imports, vl-convert start, SQLite cache
    built = pack.build_pack(engine)
    charts = sum(1 for s in built.sections if s.chart is not None)
    print(f"sample pack: {len(built.sections)} sections, {charts} charts, as at {built.as_at}")

    build_med, _, _ = _time(lambda: pack.build_pack(engine), runs)
    print(f"build_pack (content only)      median {build_med:6.2f} s")

    pptx_med, pptx_all, deck = _time(lambda: pptx_pack.to_pptx(pack.build_pack(engine)), runs)
    size = len(deck) if isinstance(deck, bytes) else 0
    verdict = "OK" if pptx_med <= TARGET_S else "OVER TARGET"
    print(f"full PPTX pack (build + write) median {pptx_med:6.2f} s  runs {[round(t, 2) for t in pptx_all]}  "
          f"{size / 1024:.0f} KiB  target <= {TARGET_S:.0f} s: {verdict}")

    pdf_med, pdf_all, doc = _time(lambda: pdf_pack.to_pdf(pack.build_pack(engine)), runs)
    size = len(doc) if isinstance(doc, bytes) else 0
    print(f"full PDF pack (build + write)  median {pdf_med:6.2f} s  runs {[round(t, 2) for t in pdf_all]}  "
          f"{size / 1024:.0f} KiB")
    return 0 if pptx_med <= TARGET_S else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="SQLAlchemy URL (default: seed the sample into a temporary SQLite file)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if args.db:
        engine = store.get_engine(args.db)
        store.init_db(engine)
        return bench(engine, args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        engine = store.get_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        sample.seed(engine)
        try:
            return bench(engine, args.runs)
        finally:
            store.dispose_all()


if __name__ == "__main__":
    raise SystemExit(main())
