"""Command line: what the app does, without a browser.

    python -m lib.cli seed
    python -m lib.cli show kpis|kpi-values|actions|recommendations|judgements [--format table|json|csv]

Every command takes ``--db URL`` (else ``IMPROVEMENT_BOARD_DB``, else the embedded SQLite
file). Errors go to stderr with a non-zero exit status.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import math
import sys
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from lib import queries, sample, store


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
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _records(df: pd.DataFrame, columns: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for row in df.to_dict(orient="records"):
        out.append({name: _clean(row.get(src)) for name, src in columns.items()})
    return out


def show_kpis(engine: Engine) -> list[dict[str, Any]]:
    df = queries.kpis(engine)
    latest = queries.latest_kpis(engine)
    latest_by = latest.set_index("ref") if not latest.empty else pd.DataFrame()
    records = _records(
        df,
        {
            "ref": "ref",
            "name": "name",
            "theme": "theme",
            "type": "kpi_type",
            "unit": "unit",
            "polarity": "polarity",
            "rag_rule": "rag_rule",
            "amber_tolerance": "amber_tolerance",
            "owner": "owner",
            "frequency": "frequency",
        },
    )
    for rec in records:
        if not latest_by.empty and rec["ref"] in latest_by.index:
            row = latest_by.loc[rec["ref"]]
            rec["latest_period"] = _clean(row["period"])
            rec["latest_value"] = _clean(row["value"])
            rec["rag"] = _clean(row["rag"])
        else:
            rec["latest_period"] = rec["latest_value"] = rec["rag"] = None
    return records


def show_kpi_values(engine: Engine) -> list[dict[str, Any]]:
    df = queries.kpi_values(engine)
    return _records(
        df,
        {
            "ref": "ref",
            "name": "name",
            "authority": "authority",
            "la_code": "la_code",
            "period": "period",
            "period_kind": "period_kind",
            "period_end": "period_end",
            "value": "value",
            "value_text": "value_text",
            "missing_reason": "missing_reason",
            "target": "target",
            "target_text": "target_text",
            "unit": "unit",
            "polarity": "polarity",
            "rag": "rag",
            "rag_level": "rag_level",
            "reported_rag": "reported_rag",
            "rag_mismatch": "rag_mismatch",
            "direction": "direction",
            "commentary": "commentary",
        },
    )


def show_actions(engine: Engine) -> list[dict[str, Any]]:
    df = queries.actions(engine)
    return _records(
        df,
        {
            "id": "ref",
            "plan": "plan",
            "recommendations": "recommendations",
            "objective": "objective",
            "title": "title",
            "lead_officer": "lead_officer",
            "due": "due",
            "status": "status",
            "rag": "rag",
            "overdue": "overdue",
            "updates": "updates",
            "latest_commentary": "latest_commentary",
        },
    )


def show_recommendations(engine: Engine) -> list[dict[str, Any]]:
    df = queries.recommendations(engine)
    return _records(
        df,
        {
            "authority": "authority",
            "framework": "framework",
            "inspection_start": "inspection_start",
            "body": "body",
            "number": "number",
            "text": "text",
            "timeframe": "timeframe",
            "kind": "kind",
            "actions": "actions",
        },
    )


def show_judgements(engine: Engine) -> list[dict[str, Any]]:
    df = queries.judgements(engine)
    return _records(
        df,
        {
            "authority": "authority",
            "la_code": "la_code",
            "inspection_start": "inspection_start",
            "framework": "framework",
            "body": "body",
            "section": "section",
            "area": "area",
            "area_key": "area_key",
            "grade": "grade",
            "score": "score",
        },
    )


SHOWS: dict[str, Callable[[Engine], list[dict[str, Any]]]] = {
    "kpis": show_kpis,
    "kpi-values": show_kpi_values,
    "actions": show_actions,
    "recommendations": show_recommendations,
    "judgements": show_judgements,
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


def _engine(args: argparse.Namespace, *, create: bool = True) -> Engine:
    engine = store.get_engine(args.db)
    if create:
        store.init_db(engine)
    return engine


def cmd_seed(args: argparse.Namespace) -> int:
    engine = _engine(args)
    counter = sample.seed(engine)
    counts = sample.row_counts(engine)
    print("Seeded: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    changed = counter.total_changes
    print("No changes: the sample data was already loaded." if changed == 0 else f"{changed} values written.")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    engine = _engine(args)
    records = SHOWS[args.what](engine)
    print(render(records, args.format))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lib.cli", description="Improvement Board command line")
    parser.add_argument("--db", help="SQLAlchemy database URL (default: $IMPROVEMENT_BOARD_DB or data/*.db)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("seed", help="load the sample data (idempotent)")
    p.add_argument("--db", default=argparse.SUPPRESS)
    p.set_defaults(func=cmd_seed)

    p = sub.add_parser("show", help="print current data")
    p.add_argument("what", choices=sorted(SHOWS))
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.add_argument("--db", default=argparse.SUPPRESS)
    p.set_defaults(func=cmd_show)
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
