"""Acceptance corpus (issue 8): realistic council returns, and exactly what each must store.

For every case in :mod:`tests.council_returns`, on an empty database and on the seeded sample:

* a dry run stores nothing, and promises what the real import then does (same outcome, counts, problems);
* the real import has the expected outcome, and names what it must (cells, odd words) in its notes,
  warnings or problems;
* comparing KPI values, action updates, actions and KPI definitions before and after, only the expected
  rows are new or changed, each with exactly the expected figures — nothing else moves (this is what
  catches a silent overwrite, a phantom KPI or action, or a renamed definition);
* the import's own counts agree with what it stored.

Cases 19 and 20 round-trip our own template and a lead officer's return pack from the seeded sample.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import Engine

from lib import store
from lib.read import kpis as kpi_model
from lib.read import programme
from lib.returns import pipeline
from tests import council_returns as cr

# --- databases ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def empty_with_reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty database after its first import's reference load (authorities, frameworks), made once.

    Loading the shipped reference data takes seconds; every "empty database" test copies this file
    instead. :func:`test_first_import_into_a_pristine_database` covers the truly empty path.
    """
    path = tmp_path_factory.mktemp("empty") / "empty.db"
    engine = store.get_engine(f"sqlite:///{path}")
    store.init_db(engine)
    pipeline.ensure_reference(engine)
    engine.dispose()
    store._ENGINES.pop(f"sqlite:///{path}", None)
    return path


@pytest.fixture
def empty_db(tmp_path: Path, empty_with_reference: Path) -> Iterator[Engine]:
    target = tmp_path / "x.db"
    shutil.copy(empty_with_reference, target)
    engine = store.get_engine(f"sqlite:///{target}")
    store.init_db(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def pristine_db(tmp_path: Path) -> Iterator[Engine]:
    """A plain empty database: the schema and nothing else."""
    engine = store.get_engine(f"sqlite:///{tmp_path / 'x.db'}")
    store.init_db(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def seeded_db(fresh_seeded_url: str) -> Iterator[Engine]:
    engine = store.get_engine(fresh_seeded_url)
    yield engine
    engine.dispose()


# --- what the database holds, as plain comparable dicts ----------------------------------------------

VALUE_FIELDS = ("value", "value_text", "missing_reason", "target", "target_text", "reported_rag", "rag_reported_text",
                "commentary", "source", "upload_id", "source_sheet", "source_cell")
VALUE_MEANING = ("value", "missing_reason", "target", "reported_rag", "commentary")
UPDATE_FIELDS = ("period_label", "status", "status_reported", "rag", "rag_reported", "commentary", "reported_by",
                 "upload_id", "source_sheet", "source_cell")
UPDATE_MEANING = ("status", "rag", "commentary", "reported_by")
ACTION_FIELDS = ("title", "description", "lead_officer", "due", "due_text", "horizon", "oversight",
                 "success_measures", "applies_to_all", "objective_code", "objective", "recommendations")
ACTION_DUE_FIELDS = ("due", "due_text", "horizon")
KPI_FIELDS = ("name", "theme", "kpi_type", "unit", "polarity", "polarity_reported", "rag_rule", "amber_tolerance",
              "owner", "frequency", "decimals")


def clean(value: Any) -> Any:
    """One spelling per value: None for NaN/NaT, python numbers and dates, tuples for lists."""
    if isinstance(value, list | tuple):
        return tuple(clean(v) for v in value)
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return float(value)
    return value


@dataclass
class State:
    values: dict[tuple[Any, ...], dict[str, Any]]
    updates: dict[tuple[Any, ...], dict[str, Any]]
    actions: dict[tuple[Any, ...], dict[str, Any]]
    kpis: dict[str, dict[str, Any]]
    uploads: int

    def same_data(self, other: State) -> bool:
        return (self.values, self.updates, self.actions, self.kpis) == (
            other.values, other.updates, other.actions, other.kpis)


def snapshot(engine: Engine) -> State:
    values: dict[tuple[Any, ...], dict[str, Any]] = {}
    frame = kpi_model.kpi_values(engine)
    for row in frame.to_dict("records"):
        key = (row["ref"], str(row["la_code"]), clean(row["period_start"]), clean(row["period_end"]),
               row["period_kind"])
        assert key not in values, f"two stored values for {key}"
        values[key] = {f: clean(row[f]) for f in VALUE_FIELDS}
    acts = programme.actions(engine)
    actions: dict[tuple[Any, ...], dict[str, Any]] = {}
    ids: dict[int, tuple[str, str]] = {}
    for row in acts.to_dict("records"):
        plan_ref = (row["plan"], row["ref"])
        ids[int(row["action_id"])] = plan_ref
        actions[plan_ref] = {f: clean(row[f]) for f in ACTION_FIELDS}
    updates: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in programme.action_updates(engine).to_dict("records"):
        plan, ref = ids[int(row["action_id"])]
        updates[(plan, ref, clean(row["period_end"]))] = {f: clean(row[f]) for f in UPDATE_FIELDS}
    kpis = {row["ref"]: {f: clean(row[f]) for f in KPI_FIELDS} for row in kpi_model.kpis(engine).to_dict("records")}
    return State(values, updates, actions, kpis, len(pipeline.uploads(engine)))


# --- matching expectations ------------------------------------------------------------------------------


def canon(ref: str) -> str:
    return re.sub(r"[\s/\-_.]+", "", ref).upper()


def kv_ref_ok(kv: cr.KV, ref: str) -> bool:
    return ref == kv.ref or (kv.loose_ref and canon(ref) == canon(kv.ref))


def kv_matches(kv: cr.KV, key: tuple[Any, ...]) -> bool:
    ref, la, start, end, kind = key
    return (kv_ref_ok(kv, ref) and la == kv.la and start == kv.period.start and end == kv.period.end
            and (kv.period.kind is None or kind == kv.period.kind))


def refs_of(item: cr.AU | cr.AC) -> tuple[str, ...]:
    return item.ref if isinstance(item.ref, tuple) else (item.ref,)


def au_matches(au: cr.AU, key: tuple[Any, ...]) -> bool:
    plan, ref, period_end = key
    return (au.plan is None or plan == au.plan) and ref in refs_of(au) and period_end == cr.month(au.month).end


def action_matches(item: cr.AU | cr.AC, key: tuple[Any, ...]) -> bool:
    plan, ref = key
    return (item.plan is None or plan == item.plan) and ref in refs_of(item)


def close(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    return bool(a == b)


def check_fields(label: str, stored: dict[str, Any], wanted: dict[str, Any], failures: list[str]) -> None:
    for name, want in wanted.items():
        if want is cr.ANY:
            continue
        got = stored.get(name)
        if not close(got, want):
            failures.append(f"{label}: {name} is {got!r}, expected {want!r}")


def diff_keys(before: dict[Any, dict[str, Any]], after: dict[Any, dict[str, Any]]) -> tuple[list[Any], list[Any],
                                                                                             list[Any]]:
    new = [k for k in after if k not in before]
    changed = [k for k in after if k in before and after[k] != before[k]]
    removed = [k for k in before if k not in after]
    return new, changed, removed


def show_change(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    if before is None:
        return "new " + ", ".join(f"{k}={v!r}" for k, v in (after or {}).items() if v is not None and k in (
            "value", "missing_reason", "target", "reported_rag", "commentary", "status", "rag", "due", "due_text",
            "title", "name", "unit", "polarity"))
    if after is None:
        return "removed"
    return ", ".join(f"{k}: {before.get(k)!r} → {after.get(k)!r}" for k in after if after.get(k) != before.get(k))


def nearby(kv: cr.KV, before: State, after: State) -> str:
    """What was stored instead: new rows for a KPI like this one, or this period under another ref/authority."""
    new = [k for k in after.values if k not in before.values or after.values[k] != before.values[k]]
    same_period = [k for k in new if (k[2], k[3]) == (kv.period.start, kv.period.end)]
    same_kpi = [k for k in new if canon(k[0]) == canon(kv.ref)]
    shown = [f"{k[0]} · {k[1]} · {k[2]}..{k[3]} ({k[4]}) = {after.values[k]['value']!r}"
             for k in dict.fromkeys(same_period + same_kpi)][:4]
    return f" (stored instead: {'; '.join(shown)})" if shown else ""


def mention_text(result: pipeline.ImportResult) -> str:
    """Everything the import told the user: notes, warnings and problems, what it skipped and why."""
    parts = [*result.notes, *(p.line() for p in result.problems)]
    for sheet in result.sheets:
        parts += [sheet.name, sheet.reason or "", " ".join(sheet.unmatched)]
    for extra in ("skipped", "warnings", "summary"):
        value = getattr(result, extra, None)
        if value is not None and not callable(value):
            parts.append(str(value))
    return "\n".join(parts)


def told(result: pipeline.ImportResult) -> str:
    lines = [f"outcome={result.outcome} counter={result.counter.as_dict()}"]
    lines += [f"  note: {n}" for n in result.notes[:15]]
    lines += [f"  {p.line()}" for p in result.problems[:25]]
    if len(result.problems) > 25:
        lines.append(f"  … {len(result.problems) - 25} more problems")
    lines += [f"  sheet {s.name!r}: {s.family} rows={s.rows} reason={s.reason} unmatched={s.unmatched}"
              for s in result.sheets]
    return "\n".join(lines)


def outcomes(expect: cr.Expect) -> tuple[str, ...]:
    return expect.outcome if isinstance(expect.outcome, tuple) else (expect.outcome,)


# --- the check ---------------------------------------------------------------------------------------


def check_stored(expect: cr.Expect, before: State, after: State, result: pipeline.ImportResult) -> list[str]:
    """Every expected row stored with its figures, and nothing else new, changed or removed."""
    failures: list[str] = []
    kvs = [s for s in expect.stored if isinstance(s, cr.KV)]
    aus = [s for s in expect.stored if isinstance(s, cr.AU)]
    acs = [s for s in expect.stored if isinstance(s, cr.AC)]

    # KPI values
    for kv in kvs:
        found = [k for k in after.values if kv_matches(kv, k)]
        if len(found) != 1:
            failures.append(f"KPI value {kv}: {'not stored' if not found else f'stored {len(found)} times'}"
                            + nearby(kv, before, after))
            continue
        check_fields(f"KPI value {kv}", after.values[found[0]],
                     {"value": kv.value, "missing_reason": kv.missing, "target": kv.target, "reported_rag": kv.rag,
                      "commentary": kv.commentary}, failures)
    for kv in expect.optional:
        for k in [k for k in after.values if kv_matches(kv, k)]:
            if after.values[k] != before.values.get(k):
                check_fields(f"optional KPI value {kv}", after.values[k],
                             {"value": kv.value, "missing_reason": kv.missing}, failures)
    new, changed, removed = diff_keys(before.values, after.values)
    for k in new + changed:
        if not any(kv_matches(kv, k) for kv in [*kvs, *expect.optional]):
            failures.append(f"unexpected KPI value {k[0]} · {k[1]} · {k[2]}..{k[3]} ({k[4]}): "
                            + show_change(before.values.get(k), after.values[k]))
    failures += [f"KPI value removed: {k}" for k in removed]

    # action updates
    for au in aus:
        found = [k for k in after.updates if au_matches(au, k)]
        if len(found) != 1:
            how = "not stored" if not found else f"stored {len(found)} times: {found}"
            failures.append(f"action update {au}: {how}")
            continue
        check_fields(f"action update {au}", after.updates[found[0]],
                     {"status": au.status, "rag": au.rag, "commentary": au.commentary}, failures)
    new, changed, removed = diff_keys(before.updates, after.updates)
    for k in new + changed:
        if not any(au_matches(au, k) for au in aus):
            failures.append(f"unexpected action update {k[0]} · {k[1]} · {k[2]}: "
                            + show_change(before.updates.get(k), after.updates[k]))
    failures += [f"action update removed: {k}" for k in removed]

    # actions (definitions)
    for ac in acs:
        found = [k for k in after.actions if action_matches(ac, k)]
        if len(found) != 1:
            failures.append(f"action {ac}: {'not found' if not found else f'found {len(found)} times: {found}'}")
            continue
        got = after.actions[found[0]]
        if ac.due is not cr.ANY:
            dues = ac.due if isinstance(ac.due, tuple) else (ac.due,)
            if got["due"] not in dues:
                failures.append(f"action {ac}: due is {got['due']!r}, expected {' or '.join(map(repr, dues))} "
                                f"(due text {got['due_text']!r})")
        if ac.due_text_has and ac.due_text_has.lower() not in str(got["due_text"] or "").lower():
            failures.append(f"action {ac}: due text {got['due_text']!r} does not keep {ac.due_text_has!r}")
    new, changed, removed = diff_keys(before.actions, after.actions)
    either: list[cr.AU | cr.AC] = [*aus, *acs]
    for k in new:
        if not any(action_matches(item, k) for item in either):
            failures.append(f"unexpected new action {k[0]} · {k[1]}: {show_change(None, after.actions[k])}")
    for k in changed:
        allowed = ACTION_DUE_FIELDS if any(action_matches(ac, k) for ac in acs) else ()
        moved = {f for f in ACTION_FIELDS if after.actions[k][f] != before.actions[k][f]} - set(allowed)
        if moved:
            failures.append(f"action {k[0]} · {k[1]} rewritten by a return: "
                            + ", ".join(f"{f}: {before.actions[k][f]!r} → {after.actions[k][f]!r}"
                                        for f in sorted(moved)))
    failures += [f"action removed: {k}" for k in removed]

    # KPI definitions: new only for the KPIs the return reports; a return never rewrites one
    new_kpis, changed_kpis, removed_kpis = diff_keys(before.kpis, after.kpis)
    for ref in new_kpis:
        if not any(kv_ref_ok(kv, ref) for kv in [*kvs, *expect.optional]):
            failures.append(f"unexpected new KPI {ref!r}: {show_change(None, after.kpis[ref])}")
    for ref in changed_kpis:
        failures.append(f"KPI {ref} definition rewritten by a return: "
                        + show_change(before.kpis[ref], after.kpis[ref]))
    failures += [f"KPI removed: {ref}" for ref in removed_kpis]

    # the import's own counts agree with what it stored
    failures += check_counts(before, after, result)
    return failures


def check_counts(before: State, after: State, result: pipeline.ImportResult) -> list[str]:
    failures = []
    counter = result.counter
    for table, b, a, meaning in (("kpi_value", before.values, after.values, VALUE_MEANING),
                                 ("action_update", before.updates, after.updates, UPDATE_MEANING)):
        new, changed, _ = diff_keys(b, a)
        meant = [k for k in changed if any(not close(a[k][f], b[k][f]) for f in meaning)]
        if counter.added.get(table, 0) != len(new):
            failures.append(f"the import says {counter.added.get(table, 0)} new {table} but stored {len(new)}")
        if not len(meant) <= counter.changed.get(table, 0) <= len(changed):
            failures.append(f"the import says {counter.changed.get(table, 0)} changed {table} but changed "
                            f"{len(meant)} (and touched {len(changed)})")
    created: dict[str, list[Any]] = {"kpi": [k for k in after.kpis if k not in before.kpis],
                                     "action": [k for k in after.actions if k not in before.actions]}
    for table, made in created.items():
        if counter.added.get(table, 0) != len(made):
            failures.append(f"the import says {counter.added.get(table, 0)} new {table} but created {len(made)}: "
                            f"{made[:8]}")
    return failures


def check_mentions(expect: cr.Expect, result: pipeline.ImportResult) -> list[str]:
    text = mention_text(result).lower()
    failures = []
    for wanted in expect.must_mention:
        options = wanted if isinstance(wanted, tuple) else (wanted,)
        if not any(o.lower() in text for o in options):
            failures.append(f"the notes, warnings and problems never mention {' or '.join(map(repr, options))}")
    return failures


def run_case(engine: Engine, name: str, data: bytes, expect: cr.Expect) -> pipeline.ImportResult:
    before = snapshot(engine)

    dry = pipeline.import_bytes(engine, data, name, dry_run=True)
    after_dry = snapshot(engine)
    assert after_dry.same_data(before) and after_dry.uploads == before.uploads, (
        "a dry run stored something:\n" + "\n".join(check_stored(cr.Expect(), before, after_dry, dry)))

    result = pipeline.import_bytes(engine, data, name)
    after = snapshot(engine)
    context = f"\n--- what the import said ---\n{told(result)}"

    wanted = outcomes(expect)
    ok = result.outcome in wanted
    assert ok, f"{name}: outcome {result.outcome!r}, expected {' or '.join(wanted)}" + context
    failures: list[str] = []
    expected_dry = "preview" if result.outcome == "imported" else result.outcome
    if dry.outcome != expected_dry:
        failures.append(f"the dry run said {dry.outcome!r} but the import {result.outcome!r}")
    if result.outcome == "imported":
        if (dry.counter.added, dry.counter.changed) != (result.counter.added, result.counter.changed):
            failures.append(f"the dry run promised {dry.counter.as_dict()} but the import did "
                            f"{result.counter.as_dict()}")
        failures += check_stored(expect, before, after, result)
    else:
        if not after.same_data(before):
            failures.append("a rejected file stored something:\n  "
                            + "\n  ".join(check_stored(cr.Expect(), before, after, result)))
    if sorted(p.line() for p in dry.problems) != sorted(p.line() for p in result.problems):
        failures.append("the dry run and the import reported different problems")
    failures += check_mentions(expect, result)
    assert not failures, f"{name}:\n  " + "\n  ".join(failures) + context
    return result


# --- the corpus, on an empty and on the seeded database ---------------------------------------------------


@pytest.mark.parametrize("where", ["empty", "seeded"])
@pytest.mark.parametrize("case", cr.CASES, ids=[c.id for c in cr.CASES])
def test_council_return(case: cr.Case, where: str, request: pytest.FixtureRequest) -> None:
    engine = request.getfixturevalue("empty_db" if where == "empty" else "seeded_db")
    name, data = case.build()
    run_case(engine, name, data, case.empty if where == "empty" else case.seeded)


def test_first_import_into_a_pristine_database(pristine_db: Engine) -> None:
    """The commissioning-plan table (Ref over two cells) is the first thing ever imported."""
    case = cr.CASE_BY_ID["11-commissioning-split-ref"]
    name, data = case.build()
    run_case(pristine_db, name, data, case.empty)


# --- 19 and 20: our template and a lead officer's return pack, round trip ---------------------------------


def template_month(data: bytes) -> str:
    """The month our template is for (its Period / Month cells), e.g. 'Jul 2019'."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    ws = book["Actions"]
    heads = [c.value for c in next(ws.iter_rows(max_row=1))]
    first = next(ws.iter_rows(min_row=2, max_row=2, values_only=True))
    when = first[heads.index("Month")]
    assert isinstance(when, dt.datetime | dt.date), when
    return f"{when:%b %Y}"


def assert_no_op(engine: Engine, name: str, data: bytes) -> None:
    before = snapshot(engine)
    result = pipeline.import_bytes(engine, data, name)
    after = snapshot(engine)
    context = f"\n--- what the import said ---\n{told(result)}"
    failures = check_stored(cr.Expect(), before, after, result)
    added, changed = sum(result.counter.added.values()), sum(result.counter.changed.values())
    if result.outcome not in ("imported", "duplicate"):
        failures.insert(0, f"outcome {result.outcome!r}")
    if (added, changed) != (0, 0):
        failures.append(f"reported {added} new, {changed} changed (expected 0 new, 0 changed)")
    if result.problems:
        failures.append(f"{len(result.problems)} warning(s)/problem(s) about our own unedited file")
    changes = getattr(result, "changes", None)
    if changes is None:
        failures.append("ImportResult has no 'changes' list (the cell-by-cell preview of issue 8)")
    elif changes:
        listed = [c.as_row() if hasattr(c, "as_row") else c for c in changes[:5]]
        failures.append(f"{len(changes)} change(s) listed: {listed}")
    assert not failures, f"{name} imported back unedited:\n  " + "\n  ".join(failures) + context


def assert_typed(engine: Engine, name: str, data: bytes, expect: cr.Expect, things: int) -> None:
    result = run_case(engine, name, data, expect)
    changes = getattr(result, "changes", None)
    assert changes is not None, "ImportResult has no 'changes' list (the cell-by-cell preview of issue 8)"
    items = {c.thing for c in changes}
    assert len(items) == things and all(c.cell for c in changes), (
        f"expected exactly {things} changes, each with its cell; got {[c.as_row() for c in changes]}")


def test_19_template_unedited_changes_nothing(seeded_db: Engine) -> None:
    name, data = cr.template_return(seeded_db)
    assert_no_op(seeded_db, name, data)


def test_19_template_three_values_typed_changes_exactly_three(seeded_db: Engine) -> None:
    name, data = cr.template_return(seeded_db, typed_values=cr.TEMPLATE_TYPED)
    when = template_month(data)
    expect = cr.Expect("imported", tuple(cr.KV(ref, cr.month(when), value) for ref, value in cr.TEMPLATE_TYPED.items()))
    assert_typed(seeded_db, name, data, expect, things=3)


def test_20_return_pack_unedited_changes_nothing(seeded_db: Engine) -> None:
    name, data = cr.template_return(seeded_db, lead_officer=cr.PACK_OFFICER)
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert book["Actions"].max_row > 2, "the return pack should hold the officer's actions"
    assert_no_op(seeded_db, name, data)


def test_20_return_pack_changes_only_what_the_officer_typed(seeded_db: Engine) -> None:
    name, data = cr.template_return(seeded_db, lead_officer=cr.PACK_OFFICER, typed_actions=cr.PACK_TYPED)
    when = template_month(data)
    expect = cr.Expect("imported", tuple(
        cr.AU(ref, when, cr.STATUS[status], cr.RAG_WORD[rag], update, plan=cr.FS_PLAN)
        for ref, (status, rag, update) in cr.PACK_TYPED.items()))
    assert_typed(seeded_db, name, data, expect, things=len(cr.PACK_TYPED))


# --- the builders themselves: what each workbook holds, read back with openpyxl ---------------------------


def _cells(data: bytes) -> dict[str, Any]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book.worksheets[0]
    return {c.coordinate: c for row in ws.iter_rows() for c in row}


def test_builders_make_the_hazards_they_claim() -> None:
    ws = openpyxl.load_workbook(io.BytesIO(cr.c1_hidden_previous()[1])).worksheets[0]
    assert ws["E5"].value == "Previous value" and ws.column_dimensions["E"].hidden
    assert ws["E6"].value == cr.history()[("DU-VISITS", "2019-06")][0]
    cells = _cells(cr.c3_rag_fill()[1])
    assert cells["E7"].value is None and cells["E7"].fill.fgColor.rgb == "FFFF0000"
    cells = _cells(cr.c4_numeric_ids()[1])
    assert cells["A9"].value == 1.1 and cells["A9"].data_type == "n"
    cells = _cells(cr.c9_rag_words()[1])
    assert cells[cr.C9_ON_TRACK_CELL].value == "On track"
    assert _cells(cr.c9_rag_purple()[1])[cr.C9_PURPLE_CELL].value == "Purple"
    book = openpyxl.load_workbook(io.BytesIO(cr.c11_commissioning_split_ref()[1]))
    ws = book.worksheets[0]
    assert "A6:B6" in {str(r) for r in ws.merged_cells.ranges}
    assert (ws["A7"].value, ws["B7"].value) == ("CPI", "FS/S6")
    cells = _cells(cr.c14_two_row_header()[1])
    assert isinstance(cells["C5"].value, dt.datetime)
    assert (cells["C6"].value, cells["D6"].value) == ("Actual", "Target")
    cells = _cells(cr.c17_fractions()[1])
    assert cells[cr.C17_CELL].value == 0.87 and cells[cr.C17_CELL].number_format == "General"
    assert cr.c18_csv_utf8_bom()[1].startswith(b"\xef\xbb\xbf")
    assert "£1.2m" in cr.c18_csv_cp1252()[1].decode("cp1252")
    book = openpyxl.load_workbook(io.BytesIO(cr.c18_xlsm()[1]), keep_vba=True)
    assert book.worksheets[0]["D5"].value == 96.9
