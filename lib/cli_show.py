"""What ``show`` prints: each read model's rows as plain records, and tables, CSV or JSON of them.

Kept apart from :mod:`lib.cli` because it needs pandas and the read models: an ``import`` from the
command line then never loads them, and its process stays small for a national file.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import math
from collections.abc import Callable
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from lib.cli import CliError
from lib.read import base, benchmarks, judgements, programme
from lib.read import kpis as kpi_model


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
