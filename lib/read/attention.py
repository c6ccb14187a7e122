"""What needs attention this month: actions turned red or newly overdue, KPIs worsened or off target.

The overview lists these and the board snapshot freezes them; both read this one function.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from lib import formatting, vocab
from lib.read.programme import Programme


def previous_month_end(day: dt.date) -> dt.date:
    """The last day of the month before ``day``'s month."""
    return day.replace(day=1) - dt.timedelta(days=1)


def attention(prog: Programme, latest: pd.DataFrame, updates: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Items of the current programme and scorecard needing attention, each a small frame."""
    as_at = prog.as_at
    prev_end = previous_month_end(as_at)
    acts = prog.current_actions
    if updates is None:
        updates = pd.DataFrame(columns=["action_id", "period_end", "rag"])
    known = updates[updates["period_end"] <= prev_end] if len(updates) else updates
    earlier = known.groupby("action_id").tail(1) if len(known) else known
    prev_rag = {int(r.action_id): r.rag for r in earlier.itertuples(index=False)}
    turned_red = acts[[
        vocab.rag_band(r) == "red" and not formatting.is_blank(lp) and lp > prev_end
        and vocab.rag_band(prev_rag.get(int(aid))) != "red"
        for r, lp, aid in zip(acts["rag"], acts["latest_period_end"], acts["action_id"], strict=True)
    ]]
    newly_overdue = acts[[bool(o) and not formatting.is_blank(d) and d > prev_end
                          for o, d in zip(acts["overdue"], acts["due"], strict=True)]]
    if latest.empty:
        worsened = missed = mismatched = latest
    else:
        # "this month": KPIs reported for the current period, not annual figures from years ago
        current = latest[[not formatting.is_blank(d) and d > prev_end for d in latest["period_end"]]]
        worsened = current[current["direction"] == "worsening"]
        missed = current[current["rag"].isin(["red", "amber"])]
        mismatched = latest[latest["rag_mismatch"].astype(bool)]
    return {
        "turned_red": turned_red,
        "newly_overdue": newly_overdue,
        "green_but_overdue": acts[acts["green_but_overdue"].astype(bool)],
        "kpis_worsened": worsened,
        "kpis_missed_target": missed,
        "rag_mismatches": mismatched,
    }

