"""Milestones of every action with the status each has as at the data's date.

The status rule is :func:`lib.milestones.status`; this module only joins the stored milestones
to their actions (plan, ref, title, lead, the action's own status) so that the action plan, the
overview, the board, the packs and ``show milestones`` read one frame.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine

from lib import milestones as rules
from lib.read import base

MILESTONES_SQL = """
SELECT m.id AS milestone_id, m.action_id, m.position, m.label, m.due_date AS due, m.due_text,
       m.status AS status_stored, m.status_reported
FROM milestone m
ORDER BY m.action_id, m.position
"""
COLUMNS = ("milestone_id", "action_id", "position", "label", "due", "due_text", "status_stored", "status_reported",
           "plan", "ref", "key", "title", "lead_officer", "status", "status_label", "current")


def milestones(engine: Engine, acts: pd.DataFrame, as_at: dt.date) -> pd.DataFrame:
    """One row per milestone of the given actions, in plan and action order, with its status."""
    df = base.frame(engine, MILESTONES_SQL)
    if df.empty or acts.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    df["due"] = base.to_date(df["due"])
    keep = ["action_id", "plan", "ref", "key", "title", "lead_officer", "status"]
    if "current" in acts:
        keep.append("current")
    joined = acts[keep].rename(columns={"status": "action_status"}).reset_index(drop=True)
    joined["_order"] = range(len(joined))
    df = df.merge(joined, on="action_id", how="inner").sort_values(["_order", "position"]).drop(columns="_order")
    df["status"] = [rules.status(s if isinstance(s, str) else None, d if isinstance(d, dt.date) else None,
                                 a == "complete", as_at)
                    for s, d, a in zip(df["status_stored"], df["due"], df["action_status"], strict=True)]
    df["status_label"] = [rules.status_text(s) for s in df["status"]]
    if "current" not in df:
        df["current"] = True
    return df.drop(columns="action_status").reset_index(drop=True)


def due_or_overdue(frame: pd.DataFrame) -> pd.DataFrame:
    """The milestones a board asks about this month: overdue first, then due this month, by date."""
    hot = frame[frame["status"].isin([rules.OVERDUE, rules.DUE_NOW])]
    order = {s: i for i, s in enumerate(rules.STATUS_ORDER)}
    return hot.assign(_o=hot["status"].map(order)).sort_values(["_o", "due"]).drop(columns="_o")
