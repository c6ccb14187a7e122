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
import datetime as dt
import getpass
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from lib import periods, store
from lib.returns import pipeline
from lib.returns.commit import UndoRefused

# What ``show`` can print (the functions live in lib.cli_show, loaded only when asked for)
SHOW_NAMES = ("kpis", "kpi-values", "actions", "recommendations", "judgements", "judgement-grid", "milestones")
_SHOW_ATTRS = frozenset({"SHOWS", "render", "csv_safe", "ACTION_FIELDS", "show_kpis", "show_kpi_values",
                         "show_actions", "show_recommendations", "show_judgements", "show_judgement_grid",
                         "show_milestones"})


def __getattr__(name: str) -> Any:
    """``cli.SHOWS``, ``cli.render`` … still work: they are read from :mod:`lib.cli_show` on first use."""
    if name in _SHOW_ATTRS:
        from lib import cli_show

        return getattr(cli_show, name)
    raise AttributeError(name)


class CliError(Exception):
    """A user-facing error: printed to stderr, exit status 1 (or the given code)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


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
    from lib import sample

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
    from lib import cli_show

    records = cli_show.SHOWS[args.what](engine, args)
    print(cli_show.render(records, args.format))
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
        from lib.returns import template

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
    from lib.returns import template

    data = template.template(engine, lead_officer=args.lead_officer, month=_period_option(args.period))
    Path(args.out).write_bytes(data)
    who = f" for {args.lead_officer}" if args.lead_officer else ""
    print(f"Wrote the return template{who} to {args.out}")
    return 0


def cmd_uploads(args: argparse.Namespace) -> int:
    engine = _engine(args)
    from lib import cli_show

    print(cli_show.render(pipeline.uploads(engine), args.format))
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
    p.add_argument("what", choices=sorted(SHOW_NAMES))
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
