"""The board meeting's agenda as a sequence of steps, each small enough for one screen.

Overview → red and amber actions → KPIs off target → milestones due or overdue → each
recommendation of the current programme → Ofsted judgements as at the data's date. An empty
database has no agenda at all (the page says there is nothing to present). Long tables are cut into views of at most
one screen (:data:`SCREENS`, "(1 of 2)") so text stays legible through a video call. Pure apart from
the reads through the read models (no Streamlit).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from lib import formatting, tables, vocab
from lib import milestones as milestone_rules
from lib.read import judgements, kpis, milestones, programme

ROWS_PER_VIEW = 8
MILESTONE_CHARS = 140  # a milestone's text on a board step; the action plan shows it in full


@dataclass(frozen=True)
class Screen:
    """What one 1280×720 view holds: rows, wrapped lines of text, and characters per line of the widest
    text column (measured on screenshots at the normal and the presentation type size)."""

    rows: int
    lines: int
    chars: int


SCREENS = {False: Screen(ROWS_PER_VIEW, 14, 45), True: Screen(5, 12, 24)}  # presenting → a view


def _lines(row: pd.Series, chars: int) -> int:
    """How many wrapped lines a row takes: its longest text cell over the characters a line holds."""
    longest = max((len(str(v)) for k, v in row.items() if not str(k).startswith("_") and isinstance(v, str)),
                  default=0)
    return max(1, -(-longest // chars))


def _views(table: pd.DataFrame, screen: Screen) -> list[pd.DataFrame]:
    """Consecutive views that fit the screen: at most its rows and wrapped lines (at least one row a view)."""
    views, start, used = [], 0, 0
    for i in range(len(table)):
        lines = _lines(table.iloc[i], screen.chars)
        if i > start and (i - start >= screen.rows or used + lines > screen.lines):
            views.append(table.iloc[start:i])
            start, used = i, 0
        used += lines
    if len(table):
        views.append(table.iloc[start:])
    return views or [table]


@dataclass
class Step:
    key: str  # stable id, e.g. "actions-2" or "rec-SIF 2017 · 7-1"
    title: str
    kind: str  # overview | actions | kpis | recommendation | judgements
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    facts: dict[str, Any] = field(default_factory=dict)
    note: str | None = None


def _paged(key: str, title: str, kind: str, table: pd.DataFrame, facts: dict[str, Any] | None = None,
           note: str | None = None, *, screen: Screen = SCREENS[False]) -> list[Step]:
    """One step per view that fits the screen (see :func:`_views`), titled "(n of m)" when there are several."""
    parts = _views(table, screen)
    return [Step(f"{key}-{i}", title + (f" ({i} of {len(parts)})" if len(parts) > 1 else ""), kind, part,
                 dict(facts or {}), note) for i, part in enumerate(parts, start=1)]


def _action_rows(acts: pd.DataFrame, *, lead: bool, latest: bool) -> pd.DataFrame:
    data: dict[str, Any] = {
        "Ref": acts["ref"].astype(str).tolist(),
        "RAG": [formatting.rag_text(r, "Not reported") for r in acts["rag"]],
        "Action": acts["title"].map(formatting.or_blank).tolist(),
    }
    if lead:
        data["Lead officer"] = acts["lead_officer"].map(formatting.or_blank).tolist()
    else:
        data["Status"] = acts["status_label"].tolist()
    data["Due"] = [formatting.due_text(d, t, o) for d, t, o in zip(acts["due"], acts["due_text"], acts["overdue"],
                                                                     strict=True)]
    if latest:
        data["Latest update"] = acts["latest_commentary"].map(formatting.text).tolist()
    data["_rag"] = acts["rag"].tolist()
    return pd.DataFrame(data)


def agenda(engine: Engine, as_at: dt.date | None = None, *, presenting: bool = False) -> list[Step]:
    """Every step of the board's agenda, in order; in presentation mode long tables take more views."""
    screen = SCREENS[presenting]
    prog = programme.programme(engine, as_at)
    acts = prog.current_actions
    latest = kpis.latest_kpis(engine, prog.la_code)
    if prog.actions.empty and latest.empty:
        return []  # nothing to present: the page and the packs say so
    counts = programme.action_summary(acts)
    steps = [Step("overview", "Where the programme stands", "overview", facts={
        "as_at": prog.as_at, "actions": counts, "kpis": kpis.kpi_summary(latest),
        "caption": f"Current programme: {', '.join(prog.current_plans) or 'no plan yet'} · "
                   f"{formatting.count_text(counts['total'], 'action')}, {counts['complete']} complete.",
    })]
    if len(acts):
        hot = acts[[vocab.rag_band(r) in ("red", "amber") for r in acts["rag"]]]
        hot = hot.assign(_o=[vocab.severity(r) for r in hot["rag"]])
        hot = hot.sort_values(["_o", "due"], na_position="last")
        steps += _paged("actions", "Red and amber actions", "actions", _action_rows(hot, lead=True, latest=True),
                        note=None if len(hot) else "No action of the current programme is red or amber.",
                        screen=screen)
    if len(latest):
        off = latest[latest["rag"].isin(["red", "amber"])]
        off = off.assign(_o=[vocab.severity(r) for r in off["rag_level"]]).sort_values(["_o", "ref"])
        table = pd.DataFrame({
            "Ref": off["ref"].tolist(), "KPI": off["name"].map(formatting.or_blank).tolist(),
            "Value": [tables.value_text(v, u, d, w, m) for v, u, d, w, m in
                      zip(off["value"], off["unit"], off["decimals"], off["value_text"], off["missing_reason"],
                          strict=True)],
            "Target": [formatting.format_target(t, tt, u, d) or "No target" for t, tt, u, d in
                       zip(off["target"], off["target_text"], off["unit"], off["decimals"], strict=True)],
            "How close": [tables.closeness_text(v, t, p, r, pr, u, d) for v, t, p, r, pr, u, d in
                          zip(off["value"], off["target"], off["polarity"], off["rag_rule"], off["previous"],
                              off["unit"], off["decimals"], strict=True)],
            "RAG": [formatting.rag_text(r) for r in off["rag_level"]],
            "Direction": [formatting.direction_text(d) or formatting.BLANK for d in off["direction"]],
            "Period": off["period"].map(formatting.or_blank).tolist(),
            "_rag": off["rag"].tolist(),
        })
        steps += _paged("kpis", "KPIs off target", "kpis", table,
                        note=None if len(off) else "Every KPI with a target is meeting it.", screen=screen)
    due = milestones.due_or_overdue(prog.current_milestones)
    if len(prog.current_milestones):
        short = due.assign(label=[formatting.shorten(formatting.text(t), MILESTONE_CHARS) for t in due["label"]])
        table = tables.milestone_table(short, lead=True).assign(
            _rag=["red" if s == milestone_rules.OVERDUE else "amber" for s in due["status"]])
        steps += _paged("milestones", "Milestones due or overdue", "milestones", table,
                        note=None if len(due) else "No milestone of the current programme is due this month or "
                                                   "overdue.", screen=screen)
    chain = prog.chain()
    for row in chain[chain["current"]].itertuples(index=False):
        own, cross = prog.answering(row.id)
        worst = f" (worst {formatting.rag_text(row.cross_worst)})" if isinstance(row.cross_worst, str) else ""
        facts = {"text": row.text, "progress": f"{row.inspection} · {tables.progress_text(row)}", "id": row.id,
                 "own": list(row.own_refs), "cross_refs": list(row.cross_refs),
                 "cross": (f"Also answered by {formatting.count_text(len(cross), 'cross-cutting action')}{worst}: "
                           + ", ".join(row.cross_refs)) if len(cross) else ""}
        steps += _paged(f"rec-{row.id}", f"Recommendation {row.label}", "recommendation",
                        _action_rows(own, lead=False, latest=False), facts,
                        note=None if len(own) else ("Answered only by the cross-cutting actions." if len(cross)
                                                    else "No action answers this recommendation yet."),
                        screen=screen)
    judged, later = judgements.latest_judgement(engine, prog.la_code, prog.as_at)
    if not judged.empty:
        first = judged.iloc[0]
        caption = (f"{formatting.text(first['framework_label'])} inspection starting "
                   f"{formatting.format_date(first['inspection_start']) or 'on a date not published'}")
        caption += f" · {tables.later_text(later)}" if later else ""
        steps.append(Step("judgements", "Latest Ofsted judgements", "judgements", tables.grade_table(judged),
                          facts={"caption": caption}))
    return steps
