"""Command line: what the app does, without a browser.

    python -m lib.cli seed
    python -m lib.cli show kpis|kpi-values|actions|recommendations|judgements|judgement-grid [--format ...]
    python -m lib.cli show actions --recommendation 'SIF 2017 · 10'
    python -m lib.cli show judgement-grid --authority 800
    python -m lib.cli import FILE... [--dry-run] [--period YYYY-MM] [--user NAME]
    python -m lib.cli export --out FILE.xlsx
    python -m lib.cli export --format pptx|pdf|xlsx --out FILE [--since DATE] [--lead-officer NAME]...
    python -m lib.cli changes --since DATE [--format table|json]
    python -m lib.cli template --out FILE.xlsx [--lead-officer NAME]
    python -m lib.cli uploads
    python -m lib.cli undo UPLOAD_ID

Every command takes ``--db URL`` (else ``IMPROVEMENT_BOARD_DB``, else the embedded SQLite
file). Errors go to stderr with a non-zero exit status.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import getpass
import io
import json
import math
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from lib import periods, sample, store
from lib.read import base, benchmarks, judgements, programme
from lib.read import kpis as kpi_model
from lib.returns import pipeline, template
from lib.returns.commit import UndoRefused


class CliError(Exception):
    """A user-facing error: printed to stderr, exit status 1 (or the given code)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def _clean(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return _clean(value.item())
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


def _records(df: pd.DataFrame, columns: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for row in df.to_dict(orient="records"):
        out.append({name: _clean(row.get(src)) for name, src in columns.items()})
    return out


def show_kpis(engine: Engine, args: argparse.Namespace | None = None) -> list[dict[str, Any]]:
    df = kpi_model.kpis(engine)
    latest = kpi_model.latest_kpis(engine)
    latest_by = latest.set_index("ref") if not latest.empty else pd.DataFrame()
    records = _records(df, {"ref": "ref", "name": "name", "theme": "theme", "type": "kpi_type", "unit": "unit",
                            "polarity": "polarity", "rag_rule": "rag_rule", "amber_tolerance": "amber_tolerance",
                            "owner": "owner", "frequency": "frequency"})
    for rec in records:
        if not latest_by.empty and rec["ref"] in latest_by.index:
            row = latest_by.loc[rec["ref"]]
            rec["latest_period"] = _clean(row["period"])
            rec["latest_value"] = _clean(row["value"])
            rec["rag"] = _clean(row["rag"])
        else:
            rec["latest_period"] = rec["latest_value"] = rec["rag"] = None
    return records


def show_kpi_values(engine: Engine, args: argparse.Namespace | None = None) -> list[dict[str, Any]]:
    df = kpi_model.kpi_values(engine)
    records = _records(df, {name: name for name in (
        "ref", "name", "authority", "la_code", "period", "period_kind", "period_end", "value", "value_text",
        "missing_reason", "target", "target_text", "target_source", "unit", "polarity", "rag", "rag_level",
        "reported_rag",
        "rag_mismatch", "direction", "commentary")})
    aligned = benchmarks.aligned(df, benchmarks.benchmarks(engine))["benchmarks"]
    for rec, bench in zip(records, aligned, strict=True):
        rec["benchmarks"] = _clean(bench)
    return records


ACTION_FIELDS = {"id": "ref", "plan": "plan", "recommendations": "recommendations", "objective": "objective",
                 "title": "title", "lead_officer": "lead_officer", "due": "due", "status": "status", "rag": "rag",
                 "overdue": "overdue", "updates": "updates", "latest_commentary": "latest_commentary"}


def show_actions(engine: Engine, args: argparse.Namespace | None = None) -> list[dict[str, Any]]:
    """Every action; with ``--recommendation ID`` exactly the actions answering it (own, then cross-cutting)."""
    prog = programme.programme(engine, everyone=True)
    wanted = getattr(args, "recommendation", None)
    if not wanted:
        return _records(prog.actions, ACTION_FIELDS)
    if prog.find_recommendation(wanted) is None:
        raise CliError(f"--recommendation: no recommendation '{wanted}'. Use an id from 'show recommendations' "
                       f"(e.g. '{prog.recommendations['id'].iloc[0] if len(prog.recommendations) else 'SIF 2017 · 1'}')"
                       " or a number of the current programme.")
    own, cross = prog.answering(wanted)
    records = _records(own, ACTION_FIELDS) + _records(cross, ACTION_FIELDS)
    for rec, kind in zip(records, ["own"] * len(own) + ["cross-cutting"] * len(cross), strict=True):
        rec["answers_as"] = kind
    return records


def show_recommendations(engine: Engine, args: argparse.Namespace | None = None) -> list[dict[str, Any]]:
    """Every inspection's recommendations, history included, with the actions answering each."""
    chain = programme.programme(engine, everyone=True).chain()
    recs = programme.recommendations(engine).set_index("recommendation_id")
    out = []
    for row in chain.itertuples(index=False):
        meta = recs.loc[row.recommendation_id]
        out.append(_clean({
            "id": row.id, "inspection": row.inspection, "number": row.number, "text": row.text,
            "actions": list(row.own_refs), "cross_cutting_actions": list(row.cross_refs), "kpis": list(row.kpis),
            "current": bool(row.current), "authority": meta["authority"], "framework": meta["framework"],
            "inspection_start": meta["inspection_start"], "body": meta["body"], "timeframe": row.timeframe,
            "kind": row.kind,
        }))
    return out


def show_judgements(engine: Engine, args: argparse.Namespace | None = None) -> list[dict[str, Any]]:
    return _records(judgements.judgements(engine), {name: name for name in (
        "authority", "la_code", "inspection_start", "framework", "body", "section", "area", "area_key", "grade",
        "score")})


def show_judgement_grid(engine: Engine, args: argparse.Namespace | None = None) -> list[dict[str, Any]]:
    """One authority's judgements over time, one row per inspection, section and area."""
    code = getattr(args, "authority", None) or base.our_authority(engine)
    return [_clean(row) for row in judgements.judgement_grid_rows(engine, str(code))]


def show_milestones(engine: Engine, args: argparse.Namespace | None = None) -> list[dict[str, Any]]:
    """Every action's milestones: plan, action, label, due (ISO) and status as at the data's date."""
    prog = programme.programme(engine, everyone=True)
    return _records(prog.milestones, {"plan": "plan", "action": "ref", "label": "label", "due": "due",
                                      "due_text": "due_text", "status": "status", "action_title": "title",
                                      "lead_officer": "lead_officer", "current": "current"})


SHOWS: dict[str, Callable[[Engine, argparse.Namespace | None], list[dict[str, Any]]]] = {
    "kpis": show_kpis,
    "kpi-values": show_kpi_values,
    "actions": show_actions,
    "recommendations": show_recommendations,
    "judgements": show_judgements,
    "judgement-grid": show_judgement_grid,
    "milestones": show_milestones,
}


def render(records: list[dict[str, Any]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(records, indent=2, ensure_ascii=False)
    if not records:
        return "" if fmt == "csv" else "(no rows)"
    flat = [
        {k: ("; ".join(map(str, v)) if isinstance(v, list) else v) for k, v in rec.items()} for rec in records
    ]
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(flat[0].keys()), lineterminator="\n")
        writer.writeheader()
        for rec in flat:
            writer.writerow({k: csv_safe(v) for k, v in rec.items()})
        return buf.getvalue().rstrip("\n")
    df = pd.DataFrame(flat)
    with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                           "display.max_colwidth", 40):
        return df.to_string(index=False)


def csv_safe(value: Any) -> Any:
    """OWASP: a text cell starting with = + - @ tab or CR is prefixed so spreadsheets keep it as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _who() -> str | None:
    """Who ran an import when --user is not given: the account on this computer."""
    try:
        return f"{getpass.getuser()} (command line)"
    except Exception:
        return None


def _engine(args: argparse.Namespace, *, create: bool = True) -> Engine:
    engine = store.get_engine(args.db)
    if create:
        store.init_db(engine)
    return engine


def cmd_seed(args: argparse.Namespace) -> int:
    engine = _engine(args)
    only = bool(getattr(args, "reference_only", False))
    counter = sample.seed(engine, reference_only=only)
    counts = sample.row_counts(engine)
    print(("Official data loaded (no sample programme): " if only else "Seeded: ")
          + ", ".join(f"{k} {v}" for k, v in counts.items()))
    changed = counter.total_changes
    if only:
        print(f"{changed} benchmark values written. Run it again after importing your KPI definitions to attach "
              "their LAIT benchmarks.")
        return 0
    print("No changes: the sample data was already loaded." if changed == 0 else f"{changed} values written.")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    engine = _engine(args)
    records = SHOWS[args.what](engine, args)
    print(render(records, args.format))
    return 0


def _period_option(text: str | None) -> periods.Period | None:
    if not text:
        return None
    try:
        return periods.parse_period(text)
    except periods.PeriodError as exc:
        raise CliError(f"--period: {exc}") from exc


def cmd_import(args: argparse.Namespace) -> int:
    """One summary line per file (scripts rely on it); problems, warnings and notes after it; with
    ``--changes`` every change cell by cell; ``--format json`` one summary object per file instead."""
    engine = _engine(args)
    period = _period_option(args.period)
    status = 0
    summaries: list[dict[str, Any]] = []
    for name in args.files:
        result = pipeline.import_path(engine, Path(name), dry_run=args.dry_run, period=period,
                                         user=args.user or _who())
        failed = bool(result.errors) or result.outcome == "rejected"
        status = 1 if failed else status
        if args.format == "json":
            summaries.append(result.as_dict())
            continue
        out = sys.stderr if failed else sys.stdout
        if failed:
            for problem in result.errors:
                print(problem.line(), file=out)
            print(result.summary_line(), file=out)
        else:
            print(result.summary_line(), file=out)
        for problem in result.warnings:
            print("  " + problem.line(), file=out)
        for line in result.note_lines():
            print("  " + line, file=out)
        if args.changes and not failed:
            for change in result.changes:
                before = f"{change.before} → " if change.kind == "changed" else ""
                where = f" [{change.cell}]" if change.cell else ""
                print(f"  {change.kind}: {change.thing}: {change.field_label}: {before}{change.after or ''}{where}",
                      file=out)
    if args.format == "json":
        print(json.dumps(summaries, indent=2, default=str))
    return status


def _date_option(text: str | None, name: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CliError(f"{name}: '{text}' is not a date (use YYYY-MM-DD)") from exc


def cmd_export(args: argparse.Namespace) -> int:
    engine = _engine(args)
    fmt = args.format or ("xlsx" if not args.out.lower().endswith((".pptx", ".pdf")) else args.out.rsplit(".", 1)[1])
    filtered = args.since or args.lead_officer or args.recommendation or args.theme
    if fmt == "xlsx" and not filtered and not args.format:
        Path(args.out).write_bytes(template.export(engine))
        print(f"Exported all current data to {args.out}")
        return 0
    from lib.exports import pack, pdf_pack, pptx_pack, xlsx_pack

    board_pack = pack.build_pack(engine, since=_date_option(args.since, "--since"),
                                 lead_officers=args.lead_officer or None, recommendations=args.recommendation or None,
                                 themes=args.theme or None)
    if fmt == "pptx":
        data = pptx_pack.to_pptx(board_pack)
    elif fmt == "pdf":
        data = pdf_pack.to_pdf(board_pack)
    else:
        data = xlsx_pack.to_xlsx(engine, board_pack)
    Path(args.out).write_bytes(data)
    print(f"Wrote the {fmt.upper()} board pack to {args.out}")
    return 0


def cmd_changes(args: argparse.Namespace) -> int:
    engine = _engine(args)
    from lib import changes

    since = _date_option(args.since, "--since")
    assert since is not None  # argparse makes --since required
    result = changes.changes_since(engine, since, _date_option(args.as_at, "--as-at"))
    if args.format == "json":
        print(json.dumps(result.records(), indent=2, ensure_ascii=False, default=str))
    else:
        print("\n".join(result.lines()))
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    engine = _engine(args)
    data = template.template(engine, lead_officer=args.lead_officer, month=_period_option(args.period))
    Path(args.out).write_bytes(data)
    who = f" for {args.lead_officer}" if args.lead_officer else ""
    print(f"Wrote the return template{who} to {args.out}")
    return 0


def cmd_uploads(args: argparse.Namespace) -> int:
    engine = _engine(args)
    print(render(pipeline.uploads(engine), args.format))
    return 0


def cmd_undo(args: argparse.Namespace) -> int:
    engine = _engine(args)
    try:
        done = pipeline.undo(engine, args.upload_id)
    except UndoRefused as exc:
        raise CliError(str(exc)) from exc
    print(f"Undid upload {args.upload_id}: {done['removed']} rows removed, {done['restored']} rows restored")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lib.cli", description="Improvement Board command line")
    parser.add_argument("--db", help="SQLAlchemy database URL (default: $IMPROVEMENT_BOARD_DB or data/*.db)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("seed", help="load the sample data (idempotent)")
    p.add_argument("--db", default=argparse.SUPPRESS)
    p.add_argument("--reference-only", action="store_true",
                   help="load only the official data (authorities, Ofsted outcomes, neighbours, LAIT benchmarks of "
                        "KPIs already defined), not the sample programme")
    p.set_defaults(func=cmd_seed)

    p = sub.add_parser("show", help="print current data")
    p.add_argument("what", choices=sorted(SHOWS))
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.add_argument("--recommendation", help="show actions: only those answering this recommendation id")
    p.add_argument("--authority", help="show judgement-grid: the 3-digit LA code (default: our authority)")
    p.add_argument("--db", default=argparse.SUPPRESS)
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("import", help="import Excel returns (all or nothing per file)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--dry-run", action="store_true", help="check and preview; store nothing")
    p.add_argument("--period", help="the month the return is for, when the file does not say (e.g. 2019-06)")
    p.add_argument("--user", default=os.environ.get("USER"), help="who is uploading (for the history)")
    p.add_argument("--changes", action="store_true", help="list every change: item, field, from → to, cell")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="json: one summary object per file (status, counts, notes, warnings, problems, changes)")
    p.add_argument("--db", default=argparse.SUPPRESS)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="write all current data (xlsx) or a board pack (pptx, pdf, xlsx)")
    p.add_argument("--out", required=True)
    p.add_argument("--format", choices=("xlsx", "pptx", "pdf"), help="default: from the file name; xlsx without "
                   "filters is the full importable export, with a format or filters a board pack")
    p.add_argument("--since", help="the pack's 'what changed since' date (YYYY-MM-DD; default a month before)")
    p.add_argument("--lead-officer", action="append", help="only this lead officer's actions (repeatable)")
    p.add_argument("--recommendation", action="append", help="only actions answering this recommendation")
    p.add_argument("--theme", action="append", help="only KPIs of this theme (repeatable)")
    p.add_argument("--db", default=argparse.SUPPRESS)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("template", help="write the monthly return template (or one officer's return pack)")
    p.add_argument("--out", required=True)
    p.add_argument("--lead-officer", help="only this lead officer's actions (a return pack)")
    p.add_argument("--period", help="the month the return is for (default: the month after the latest data)")
    p.add_argument("--db", default=argparse.SUPPRESS)
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("changes", help="what changed since a date (the last board)")
    p.add_argument("--since", required=True, help="YYYY-MM-DD")
    p.add_argument("--as-at", help="compare up to this date (default: the latest data)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--db", default=argparse.SUPPRESS)
    p.set_defaults(func=cmd_changes)

    p = sub.add_parser("uploads", help="list the upload history")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.add_argument("--db", default=argparse.SUPPRESS)
    p.set_defaults(func=cmd_uploads)

    p = sub.add_parser("undo", help="undo one upload, restoring the state before it")
    p.add_argument("upload_id", type=int)
    p.add_argument("--db", default=argparse.SUPPRESS)
    p.set_defaults(func=cmd_undo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.code
    except SQLAlchemyError as exc:
        print(f"error: database problem: {exc.__class__.__name__}: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
