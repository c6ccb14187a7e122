"""A seeded mutation fuzz of the whole import: at least 2,000 mutated workbooks per run through the public
entry point (:func:`lib.returns.pipeline.import_bytes`), into one database.

Mutations, drawn from a fixed seed so a failure replays: byte flips and truncation of the file; zip
members dropped, duplicated or emptied; sheet XML and shared strings edited (bytes flipped, cells given
odd values — huge and negative numbers, NaN, formulas, control characters, markup, dates far out,
missing-value words); CSV text edited. For every one: no exception escapes, none takes longer than the
reader's own timeout, and a refused file stores no data (only its upload record, so nothing a user sent
is lost).
"""

from __future__ import annotations

import io
import random
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from lib import store
from lib.returns import pipeline
from tests import council_returns

SEED = 20_261_202
COUNT = 2_000
SLOWEST = 30.0  # the reader's timeout: nothing may take longer
DATA_TABLES = ("kpi", "kpi_value", "kpi_target", "benchmark", "plan", "objective", "action", "action_update",
               "action_recommendation", "recommendation", "recommendation_kpi", "inspection", "judgement",
               "milestone", "period")

ODD_VALUES = ("1e309", "-1e309", "NaN", "-0", "=1+1", "=HYPERLINK(\"http://x\")", "+44", "@SUM(A1)", "44%%",
              "\x00\x07\x1b", "<script>alert(1)</script>", "**bold** [link](http://x)", "TBC", "n/a", "<5",
              "99999999", "-99999999", "1/0", "0.4.4", "44 (G)", "Red/Amber", "Purple", "31/02/2019",
              "2019-13-01", "Jun 2099", "x" * 40_000, "\u202eevil\u202c", "’’", "  ", "")


def _bases() -> list[tuple[str, bytes]]:
    """Realistic starting workbooks: the council returns (xlsx, xlsm, csv), stored uncompressed too."""
    out = []
    for case in council_returns.CASES:
        name, data = case.build()
        out.append((name, data))
        if name.endswith((".xlsx", ".xlsm")):
            out.append(("stored-" + name, _rezip(data, lambda n, b: b, zipfile.ZIP_STORED)))
    return out


def _rezip(data: bytes, edit: Callable[[str, bytes], bytes | None], compression: int = zipfile.ZIP_DEFLATED,
           extra: list[tuple[str, bytes]] | None = None) -> bytes:
    """The same zip with each member passed through ``edit`` (None drops it), plus ``extra`` members."""
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w", compression) as dst:
        for info in src.infolist():
            body = edit(info.filename, src.read(info.filename))
            if body is not None:
                dst.writestr(info.filename, body)
        for name, body in extra or []:
            dst.writestr(name, body)
    return buf.getvalue()


def _flip(rnd: random.Random, body: bytes, flips: int) -> bytes:
    if not body:
        return body
    out = bytearray(body)
    for _ in range(flips):
        out[rnd.randrange(len(out))] = rnd.randrange(256)
    return bytes(out)


def _odd_cell(rnd: random.Random, body: bytes) -> bytes:
    """One <v> or <t> value replaced by an odd one (escaped, so the XML stays well formed)."""
    import html
    import re

    spots = list(re.finditer(rb"<(v|t)(?: [^>]*)?>([^<]*)</\1>", body))[:2_000]
    if not spots:
        return body
    spot = rnd.choice(spots)
    value = html.escape(rnd.choice(ODD_VALUES)).encode("utf-8", "surrogatepass")
    return body[:spot.start(2)] + value + body[spot.end(2):]


def mutate(rnd: random.Random, name: str, data: bytes) -> bytes:
    """One mutation of one workbook."""
    if name.endswith(".csv"):
        choice = rnd.random()
        if choice < 0.4:
            return _flip(rnd, data, rnd.randint(1, 8))
        if choice < 0.6:
            return data[: rnd.randrange(len(data) + 1)]
        lines = data.split(b"\n")
        i = rnd.randrange(len(lines))
        lines[i] = lines[i] + b"," + rnd.choice(ODD_VALUES).encode("utf-8", "surrogatepass")
        return b"\n".join(lines)
    choice = rnd.random()
    if choice < 0.12:
        return _flip(rnd, data, rnd.randint(1, 16))
    if choice < 0.2:
        return data[: rnd.randrange(len(data) + 1)]
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = zf.namelist()
    target = rnd.choice(members)
    if choice < 0.27:
        return _rezip(data, lambda n, b: None if n == target else b)
    if choice < 0.32:
        return _rezip(data, lambda n, b: b"" if n == target else b)
    if choice < 0.36:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            body = zf.read(target)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zipfile warns about the duplicate name: that is the point
            return _rezip(data, lambda n, b: b, extra=[(target, _flip(rnd, body, 3))])
    xml_parts = [m for m in members if m.startswith("xl/worksheets/") or m == "xl/sharedStrings.xml"
                 or m == "xl/styles.xml" or m == "xl/workbook.xml"] or members
    part = rnd.choice(xml_parts)
    if choice < 0.6:
        return _rezip(data, lambda n, b: _flip(rnd, b, rnd.randint(1, 6)) if n == part else b)
    return _rezip(data, lambda n, b: _odd_cell(rnd, b) if n == part else b)


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: int(conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()) for t in DATA_TABLES}


@pytest.mark.timeout(900)
def test_two_thousand_mutated_workbooks_are_imported_or_refused_cleanly(tmp_path: Path) -> None:
    engine = store.get_engine(f"sqlite:///{tmp_path / 'fuzz.db'}")
    store.init_db(engine)
    pipeline.ensure_reference(engine)
    rnd = random.Random(SEED)
    bases = _bases()
    outcomes: dict[str, int] = {}
    slowest = 0.0
    failures: list[str] = []
    before = _counts(engine)
    for index in range(COUNT):
        name, data = rnd.choice(bases)
        mutated = mutate(rnd, name, data)
        start = time.perf_counter()
        try:
            result = pipeline.import_bytes(engine, mutated, f"fuzz-{index}-{name}")
        except Exception as exc:  # what this test exists to catch
            failures.append(f"#{index} from {name}: {exc.__class__.__name__}: {exc}")
            continue
        took = time.perf_counter() - start
        slowest = max(slowest, took)
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
        after = _counts(engine)
        if result.outcome == "rejected":
            assert result.errors, f"#{index} from {name}: refused without a problem"
            assert all(p.message and "Traceback" not in p.message for p in result.errors)
            if after != before:
                failures.append(f"#{index} from {name}: refused, yet stored "
                                f"{ {t: after[t] - before[t] for t in after if after[t] != before[t]} }")
        before = after
        if took > SLOWEST:
            failures.append(f"#{index} from {name}: took {took:.1f} s")
    assert not failures, "\n".join(failures[:20])
    assert sum(outcomes.values()) == COUNT
    # the mutations reach every stage: some files are refused, some still import
    assert outcomes.get("rejected", 0) > COUNT // 10, outcomes
    assert outcomes.get("imported", 0) + outcomes.get("duplicate", 0) > COUNT // 20, outcomes
    assert slowest <= SLOWEST
