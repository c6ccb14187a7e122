"""The board meeting's agenda as a sequence of steps, each small enough for one screen.

Overview → red and amber actions → KPIs off target → each recommendation's progress →
Ofsted judgements. Tables are cut into views of at most ``ROWS_PER_VIEW`` rows so text
stays legible through a video call. Pure: frames in, steps out (no Streamlit).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from lib import queries, vocab

ROWS_PER_VIEW = 10


@dataclass
class Step:
    key: str  # stable id, e.g. "actions-2" or "rec-FS-7"
    title: str
    kind: str  # overview | actions | kpis | recommendation | judgements
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    facts: dict[str, Any] = field(default_factory=dict)
    note: str | None = None


def _rag_word(level: Any) -> str:
    return vocab.RAG_LABELS.get(level, "No RAG") if isinstance(level, str) else "No RAG"


def _value(value: Any, unit: Any, decimals: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = f"{float(value):,.{int(decimals) if decimals is not None and not pd.isna(decimals) else 1}f}"
    return text + ("%" if unit == "percent" else "")


def _date(day: Any) -> str:
    if day is None or (isinstance(day, float) and pd.isna(day)):
        return ""
    return f"{day.day} {day:%b %Y}"


def _chunks(df: pd.DataFrame, size: int = ROWS_PER_VIEW) -> list[pd.DataFrame]:
    return [df.iloc[i:i + size] for i in range(0, len(df), size)] or [df]


def agenda(engine: Engine, as_at: dt.date | None = None) -> list[Step]:
    """Every step of the board's agenda, in order."""
    as_at = as_at or queries.as_at_date(engine)
    acts = queries.actions(engine, as_at)
    latest = queries.latest_kpis(engine)
    steps: list[Step] = []

    counts = queries.rag_counts(acts["rag"]) if not acts.empty else {"green": 0, "amber": 0, "red": 0, "none": 0}
    kpi_counts = queries.rag_counts(latest["rag"]) if not latest.empty else {"green": 0, "amber": 0, "red": 0,
                                                                                "none": 0}
    steps.append(Step("overview", "Where the programme stands", "overview", facts={
        "as_at": as_at, "actions": counts, "kpis": kpi_counts, "total_actions": len(acts),
        "overdue": int(acts["overdue"].sum()) if not acts.empty else 0,
        "awaiting_signoff": int(acts["awaiting_signoff"].sum()) if not acts.empty else 0,
        "complete": int((acts["status"] == "complete").sum()) if not acts.empty else 0,
    }))

    if not acts.empty:
        hot = acts[[vocab.rag_band(r) in ("red", "amber") if isinstance(r, str) else False for r in acts["rag"]]]
        hot = hot.assign(_order=[0 if vocab.rag_band(r) == "red" else 1 for r in hot["rag"]]).sort_values(
            ["_order", "due"], na_position="last")
        table = pd.DataFrame({
            "Ref": hot["ref"], "RAG": [_rag_word(r) for r in hot["rag"]], "Action": hot["title"],
            "Lead officer": hot["lead_officer"].fillna(""),
            "Due": [_date(d) + (" · overdue" if o else "") for d, o in zip(hot["due"], hot["overdue"], strict=True)],
            "Latest update": hot["latest_commentary"].fillna(""),
            "_rag": hot["rag"],
        })
        parts = _chunks(table)
        for i, part in enumerate(parts, start=1):
            suffix = f" ({i} of {len(parts)})" if len(parts) > 1 else ""
            steps.append(Step(f"actions-{i}", f"Red and amber actions{suffix}", "actions", part,
                              note=None if len(hot) else "No action is red or amber."))

    if not latest.empty:
        off = latest[latest["rag"].isin(["red", "amber"])].copy()
        off["_order"] = [0 if r == "red" else 1 for r in off["rag"]]
        off = off.sort_values(["_order", "ref"])
        table = pd.DataFrame({
            "Ref": off["ref"], "KPI": off["name"],
            "Value": [_value(v, u, d) for v, u, d in zip(off["value"], off["unit"], off["decimals"], strict=True)],
            "Target": [_value(t, u, d) if t is not None and not pd.isna(t) else (tt or "")
                       for t, tt, u, d in zip(off["target"], off["target_text"], off["unit"], off["decimals"],
                                              strict=True)],
            "RAG": [_rag_word(r) for r in off["rag_level"]],
            "Direction": [vocab.DIRECTION_LABELS.get(d, "") if isinstance(d, str) else "" for d in off["direction"]],
            "Period": off["period"],
            "_rag": off["rag"],
        })
        parts = _chunks(table)
        for i, part in enumerate(parts, start=1):
            suffix = f" ({i} of {len(parts)})" if len(parts) > 1 else ""
            steps.append(Step(f"kpis-{i}", f"KPIs off target{suffix}", "kpis", part,
                              note=None if len(off) else "Every KPI with a target is meeting it."))

    chain = queries.chain(engine)
    if not chain.empty:
        busiest = chain.groupby("inspection")["action_count"].sum().idxmax()
        by_ref = acts.set_index("ref") if not acts.empty else pd.DataFrame()
        for row in chain[chain["inspection"] == busiest].itertuples(index=False):
            linked = by_ref.loc[[r for r in row.actions if r in by_ref.index]] if len(by_ref) else pd.DataFrame()
            linked = linked[~linked.index.duplicated()] if len(linked) else linked
            table = pd.DataFrame({
                "Ref": list(linked.index), "RAG": [_rag_word(r) for r in linked["rag"]] if len(linked) else [],
                "Action": linked["title"].tolist() if len(linked) else [],
                "Status": linked["status_label"].tolist() if len(linked) else [],
                "Due": [_date(d) for d in linked["due"]] if len(linked) else [],
                "_rag": linked["rag"].tolist() if len(linked) else [],
            }).head(ROWS_PER_VIEW)
            steps.append(Step(f"rec-{row.number}", f"Recommendation {row.number}", "recommendation", table, facts={
                "text": row.text, "done": row.done, "count": row.action_count, "overdue": row.overdue,
                "worst": row.worst_rag, "kpis": row.kpis,
            }, note=None if row.action_count else "No action answers this recommendation yet."))

    judged = queries.latest_judgements(engine)
    if not judged.empty:
        first = judged.iloc[0]
        steps.append(Step("judgements", "Latest Ofsted judgements", "judgements", pd.DataFrame({
            "Judgement": [lbl if isinstance(lbl, str) and lbl else a
                          for lbl, a in zip(judged["area_label"], judged["area"], strict=True)],
            "Grade": [f"{g} ({int(s)})" for g, s in zip(judged["grade"], judged["score"], strict=True)],
        }), facts={"framework": first["framework_label"], "start": first["inspection_start"]}))
    return steps
