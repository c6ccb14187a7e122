"""The improvement programme: plans, recommendations, actions, and which actions answer which recommendation.

Three definitions live here and nowhere else (pages, board, packs, what-changed, snapshots
and the command line all call them):

- **The actions answering a recommendation**: those linked to it (its *own* actions) plus
  those linked to "ALL" of its inspection's recommendations (its *cross-cutting* actions),
  within the plan(s) that answer that inspection. A recommendation's identifier carries its
  inspection ("SIF 2017 · 10"), so number 10 of 2012 and number 10 of 2017 never mix.
- **The current programme**: the plan(s) answering the latest inspection (that has a plan)
  started on or before the as-at date; older plans are history. Plans not tied to any
  inspection (an uploaded plan on an empty database) are current.
- **Joint leads**: an action led by "Jay Mercer; Ann Graham" is led by each of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from lib import rag, values, vocab
from lib.read import base, milestones

ACTIONS_SQL = """
SELECT a.id AS action_id, pl.id AS plan_id, pl.code AS plan, pl.title AS plan_title,
       pl.inspection_id AS plan_inspection_id, pl.authority_code AS la_code, a.ref, a.position, a.title,
       a.description, a.lead_officer, a.due_date AS due, a.due_text, a.horizon, a.oversight,
       a.success_measures, a.applies_to_all, o.code AS objective_code, o.title AS objective
FROM action a
JOIN plan pl ON pl.id = a.plan_id
LEFT JOIN objective o ON o.id = a.objective_id
{where}
ORDER BY pl.id, a.position
"""

LINKS_SQL = """
SELECT ar.action_id, ar.recommendation_id, r.number
FROM action_recommendation ar JOIN recommendation r ON r.id = ar.recommendation_id
ORDER BY ar.action_id, r.position
"""

UPDATES_SQL = """
SELECT u.id AS update_id, u.action_id, u.period_end, u.period_label, u.status, u.status_reported, u.rag,
       u.rag_reported, u.commentary, u.reported_by, u.upload_id, u.source_sheet, u.source_cell
FROM action_update u
{where}
ORDER BY u.action_id, u.period_end
"""

RECOMMENDATIONS_SQL = """
SELECT r.id AS recommendation_id, i.id AS inspection_id, a.name AS authority, a.la_code,
       i.framework_code AS framework, i.start_date AS inspection_start, i.body, r.number, r.position,
       r.text, r.timeframe, r.addressed_to, r.kind, r.source
FROM recommendation r JOIN inspection i ON i.id = r.inspection_id
JOIN authority a ON a.la_code = i.authority_code
{where}
ORDER BY i.start_date, i.id, r.position
"""

EVIDENCE_SQL = """
SELECT rk.recommendation_id, k.ref FROM recommendation_kpi rk JOIN kpi k ON k.id = rk.kpi_id ORDER BY k.id
"""

PLANS_SQL = """
SELECT p.id AS plan_id, p.code AS plan, p.title, p.authority_code AS la_code, p.inspection_id, p.produced,
       p.status, p.oversight
FROM plan p {where} ORDER BY p.id
"""


def action_key(plan: Any, ref: Any) -> str:
    """The stable id of an action across plans, as in ``?action=PLAN:REF``."""
    return f"{plan}:{ref}"


def recommendation_id(inspection_label: str, number: Any) -> str:
    """A recommendation's identifier carrying its inspection, e.g. "SIF 2017 · 10"."""
    return f"{inspection_label} · {number}"


def leads_of(lead_officer: Any) -> list[str]:
    """Each person (or role) of a lead-officer cell; joint leads are each a lead."""
    return values.split_leads(lead_officer)


def boards_of(oversight: Any) -> list[str]:
    """The oversight boards an action reports to, as the plan lists them (";" between boards)."""
    if not isinstance(oversight, str):
        return []
    return list(dict.fromkeys(" ".join(part.split()) for part in oversight.split(";") if part.strip()))


def distinct_names(lists: Any) -> list[str]:
    """Every name in lists of names, once whatever its case ("Ann Smith" and "ann smith"), sorted."""
    seen: dict[str, str] = {}
    for names in lists:
        for name in names:
            seen.setdefault(name.casefold(), name)
    return sorted(seen.values(), key=str.casefold)


def action_updates(engine: Engine, action_id: int | None = None) -> pd.DataFrame:
    """Every dated progress layer of every action (or of one), oldest first."""
    where, params = ("WHERE u.action_id = :aid", {"aid": action_id}) if action_id is not None else ("", {})
    df = base.frame(engine, UPDATES_SQL.format(where=where), params)
    df["period_end"] = base.to_date(df["period_end"])
    return df


def _latest_updates(updates: pd.DataFrame, as_at: dt.date) -> tuple[pd.Series, pd.DataFrame | None]:
    if updates.empty:
        return pd.Series(dtype=int), None
    known = updates[updates["period_end"] <= as_at]
    if known.empty:
        return pd.Series(dtype=int), None
    return known.groupby("action_id").size(), known.groupby("action_id").tail(1).set_index("action_id")


def actions(engine: Engine, as_at: dt.date | None = None, la_codes: list[str] | None = None) -> pd.DataFrame:
    """One row per action: its links, latest reported status/RAG/commentary as at the date, and flags."""
    as_at = as_at or base.as_at_date(engine)
    clause, params = base.in_clause("pl.authority_code", la_codes)
    df = base.frame(engine, ACTIONS_SQL.format(where=f"WHERE {clause}" if clause else ""), params)
    df["due"] = base.to_date(df["due"])
    df["applies_to_all"] = df["applies_to_all"].astype(bool)
    df["key"] = [action_key(p, r) for p, r in zip(df["plan"], df["ref"], strict=True)]
    df["leads"] = [leads_of(lead) for lead in df["lead_officer"]]
    df["boards"] = [boards_of(text) for text in df["oversight"]]
    links = base.frame(engine, LINKS_SQL)
    linked: dict[int, list[int]] = {}
    numbers: dict[int, list[str]] = {}
    for row in links.itertuples(index=False):
        linked.setdefault(int(row.action_id), []).append(int(row.recommendation_id))
        numbers.setdefault(int(row.action_id), []).append(str(row.number))
    df["recommendation_ids"] = [linked.get(int(aid), []) for aid in df["action_id"]]
    # As the plan writes them: "ALL" first, then the numbers of its own inspection's recommendations.
    df["recommendations"] = [(["ALL"] if every else []) + numbers.get(int(aid), [])
                             for aid, every in zip(df["action_id"], df["applies_to_all"], strict=True)]
    counts, latest = _latest_updates(action_updates(engine), as_at)
    df["updates"] = [int(counts.get(aid, 0)) for aid in df["action_id"]]
    for col in ("status", "rag", "rag_reported", "status_reported", "commentary", "period_end", "reported_by"):
        name = col if col in ("status", "rag") else f"latest_{col}"
        df[name] = [latest[col].get(aid) if latest is not None else None for aid in df["action_id"]]
        df[name] = df[name].astype(object).where(df[name].notna(), None)
    df["status"] = [s if isinstance(s, str) else "not_started" for s in df["status"]]
    flags = [rag.action_flags(d, s, r, as_at) for d, s, r in zip(df["due"], df["status"], df["rag"], strict=True)]
    df["overdue"] = [f.overdue for f in flags]
    df["green_but_overdue"] = [f.green_but_overdue for f in flags]
    df["awaiting_signoff"] = [f.awaiting_signoff for f in flags]
    df["days_overdue"] = [f.days_overdue for f in flags]
    df["status_label"] = [vocab.STATUS_LABELS.get(s, s) for s in df["status"]]
    return df


def plans(engine: Engine, la_codes: list[str] | None = None) -> pd.DataFrame:
    """Every plan with the inspection it answers."""
    clause, params = base.in_clause("p.authority_code", la_codes)
    df = base.frame(engine, PLANS_SQL.format(where=f"WHERE {clause}" if clause else ""), params)
    df["produced"] = base.to_date(df["produced"])
    df["inspection_id"] = [None if pd.isna(i) else int(i) for i in df["inspection_id"]]
    return df


def recommendations(engine: Engine, la_codes: list[str] | None = None) -> pd.DataFrame:
    """Every recommendation with its inspection's label and an identifier carrying it."""
    from lib.read import judgements

    clause, params = base.in_clause("i.authority_code", la_codes)
    df = base.frame(engine, RECOMMENDATIONS_SQL.format(where=f"WHERE {clause}" if clause else ""), params)
    df["inspection_start"] = base.to_date(df["inspection_start"])
    events = judgements.inspections(engine, sorted(set(df["la_code"])) or None) if len(df) else pd.DataFrame()
    labels = dict(zip(events.get("inspection_id", []), events.get("inspection_label", []), strict=True))
    df["inspection"] = [labels.get(i, "Inspection") for i in df["inspection_id"]]
    df["id"] = [recommendation_id(lbl, n) for lbl, n in zip(df["inspection"], df["number"], strict=True)]
    return df


# --- the rules -------------------------------------------------------------------------------------


def current_inspections(events: pd.DataFrame, plan_frame: pd.DataFrame, as_at: dt.date) -> list[int]:
    """The latest inspection with a plan answering it, started on or before ``as_at`` (ties kept)."""
    answered = {int(i) for i in plan_frame["inspection_id"] if i is not None and not pd.isna(i)}
    if events.empty or not answered:
        return []
    starts = {int(r.inspection_id): (r.start_date or dt.date.min) for r in events.itertuples(index=False)
              if int(r.inspection_id) in answered}
    eligible = {i: s for i, s in starts.items() if s <= as_at}
    if not eligible:
        return []
    last = max(eligible.values())
    return sorted(i for i, s in eligible.items() if s == last)


def current_plans(plan_frame: pd.DataFrame, inspection_ids: list[int]) -> list[str]:
    """Plans answering the current inspection(s), plus plans tied to no inspection."""
    tied = [i for i in plan_frame["inspection_id"] if i is not None and not pd.isna(i)]
    if not tied:
        return plan_frame["plan"].tolist()
    return [str(p) for p, i in zip(plan_frame["plan"], plan_frame["inspection_id"], strict=True)
            if i is None or pd.isna(i) or int(i) in inspection_ids]


def answering(recs: pd.DataFrame, acts: pd.DataFrame) -> dict[int, tuple[list[str], list[str]]]:
    """Recommendation row id → (own action keys, cross-cutting action keys), in plan order.

    Own: linked to the recommendation, in a plan answering its inspection (or tied to none).
    Cross-cutting: linked to "ALL" in a plan answering its inspection.
    """
    out: dict[int, tuple[list[str], list[str]]] = {}
    inspection_of = dict(zip(recs["recommendation_id"], recs["inspection_id"], strict=True))
    own: dict[int, list[str]] = {int(r): [] for r in recs["recommendation_id"]}
    cross_by_inspection: dict[int, list[str]] = {}
    for a in acts.itertuples(index=False):
        plan_insp = None if a.plan_inspection_id is None or pd.isna(a.plan_inspection_id) else int(
            a.plan_inspection_id)
        for rid in a.recommendation_ids:
            if rid in own and (plan_insp is None or plan_insp == inspection_of[rid]):
                own[rid].append(a.key)
        if a.applies_to_all and plan_insp is not None:
            cross_by_inspection.setdefault(plan_insp, []).append(a.key)
    for rid in own:
        cross = [k for k in cross_by_inspection.get(int(inspection_of[rid]), []) if k not in own[rid]]
        out[rid] = (own[rid], cross)
    return out


@dataclass(frozen=True)
class Rollup:
    """A recommendation's progress: own and cross-cutting actions apart, and which kind made it worst."""

    own: int
    cross: int
    done: int
    overdue: int
    own_worst: str | None
    cross_worst: str | None

    @property
    def worst(self) -> str | None:
        return vocab.worst_band([self.own_worst, self.cross_worst])

    @property
    def worst_from(self) -> str | None:
        """"own" or "cross-cutting": the kind of action whose band is the worst (own when both)."""
        if self.worst is None:
            return None
        return "own" if self.own_worst == self.worst else "cross-cutting"


def rollup(own: pd.DataFrame, cross: pd.DataFrame) -> Rollup:
    """Counts and worst bands of a recommendation's own and cross-cutting actions."""
    both = pd.concat([own, cross]) if len(cross) else own
    return Rollup(
        own=len(own), cross=len(cross),
        done=int(both["status"].isin(list(vocab.DONE_STATUSES)).sum()) if len(both) else 0,
        overdue=int(both["overdue"].sum()) if len(both) else 0,
        own_worst=vocab.worst_band(own["rag"]) if len(own) else None,
        cross_worst=vocab.worst_band(cross["rag"]) if len(cross) else None,
    )


def action_summary(acts: pd.DataFrame) -> dict[str, int]:
    """The headline counts of a set of actions (overview, board and packs show these)."""
    counts = vocab.rag_counts(acts["rag"] if len(acts) else [])
    return {
        **counts,
        "total": len(acts),
        "overdue": int(acts["overdue"].sum()) if len(acts) else 0,
        "complete": int((acts["status"] == "complete").sum()) if len(acts) else 0,
        "awaiting_signoff": int(acts["awaiting_signoff"].sum()) if len(acts) else 0,
        "in_progress": int((acts["status"] == "in_progress").sum()) if len(acts) else 0,
        "done": int(acts["status"].isin(list(vocab.DONE_STATUSES)).sum()) if len(acts) else 0,
    }


# --- the programme, read once -----------------------------------------------------------------------


@dataclass
class Programme:
    """Everything the pages need about one authority's plans, as at one date."""

    la_code: str
    as_at: dt.date
    plans: pd.DataFrame
    actions: pd.DataFrame
    recommendations: pd.DataFrame
    current_plans: list[str]
    current_inspections: list[int]
    links: dict[int, tuple[list[str], list[str]]] = field(default_factory=dict)
    evidence: dict[int, list[str]] = field(default_factory=dict)  # recommendation row id → KPI refs
    milestones: pd.DataFrame = field(default_factory=pd.DataFrame)  # lib.read.milestones, every plan

    @property
    def current_milestones(self) -> pd.DataFrame:
        """The milestones of the current programme's actions."""
        return self.milestones[self.milestones["plan"].isin(self.current_plans)] if len(self.milestones) \
            else self.milestones

    @property
    def current_actions(self) -> pd.DataFrame:
        """The actions of the current programme's plans."""
        return self.actions[self.actions["plan"].isin(self.current_plans)]

    @property
    def current_recommendations(self) -> pd.DataFrame:
        """The recommendations of the inspection(s) the current programme answers."""
        return self.recommendations[self.recommendations["inspection_id"].isin(self.current_inspections)]

    def find_recommendation(self, wanted: str) -> pd.Series | None:
        """A recommendation by its id ("SIF 2017 · 10"), or by its number within the current programme."""
        text = str(wanted).strip()
        hit = self.recommendations[self.recommendations["id"] == text]
        if hit.empty:
            current = self.current_recommendations
            hit = current[current["number"].astype(str) == text]
        return hit.iloc[0] if len(hit) == 1 else None

    def resolve(self, wanted: list[str]) -> list[str]:
        """The ids of the recommendations named by ids or current-programme numbers (a "?rec=10" bookmark)."""
        return [rec["id"] for w in wanted if (rec := self.find_recommendation(w)) is not None]

    def plans_shown(self, chosen: list[str], action: str = "", recommendations: list[str] | None = None) -> list[str]:
        """The plans the action plan opens on: those chosen, else the current programme's; with a
        recommendation, every plan (its actions live in the plan answering its inspection); a deep link to a
        history plan's action adds that plan."""
        options = self.actions["plan"].drop_duplicates().tolist()
        shown = [p for p in chosen if p in options] or list(self.current_plans)
        if recommendations and not chosen:
            shown = options
        hit = self.actions[self.actions["key"] == action]
        if len(hit) and hit.iloc[0]["plan"] not in shown:
            shown.append(hit.iloc[0]["plan"])
        return shown

    def answering(self, rec_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(own actions, cross-cutting actions) of a recommendation, by its id or current number."""
        rec = self.find_recommendation(rec_id)
        if rec is None:
            empty = self.actions.iloc[0:0]
            return empty, empty
        own_keys, cross_keys = self.links.get(int(rec["recommendation_id"]), ([], []))
        by_key = self.actions.set_index("key")
        return (by_key.loc[own_keys].reset_index(), by_key.loc[cross_keys].reset_index())

    def answering_keys(self, rec_ids: list[str]) -> set[str]:
        """Keys of every action answering any of the recommendations (own or cross-cutting)."""
        keys: set[str] = set()
        for wanted in rec_ids:
            rec = self.find_recommendation(wanted)
            if rec is not None:
                own, cross = self.links.get(int(rec["recommendation_id"]), ([], []))
                keys.update(own)
                keys.update(cross)
        return keys

    def filter_actions(
        self,
        df: pd.DataFrame | None = None,
        *,
        recommendations: list[str] | None = None,
        leads: list[str] | None = None,
        objectives: list[str] | None = None,
        rags: list[str] | None = None,
        statuses: list[str] | None = None,
        plans: list[str] | None = None,
        boards: list[str] | None = None,
        overdue_only: bool = False,
        search: str | None = None,
    ) -> pd.DataFrame:
        """The action-plan page's, the packs' and the command line's one filter."""
        df = self.actions if df is None else df
        mask = pd.Series(True, index=df.index)
        if plans:
            mask &= df["plan"].isin(plans)
        if recommendations:
            mask &= df["key"].isin(self.answering_keys(recommendations))
        if leads:
            wanted = {p.casefold() for p in leads}
            mask &= pd.Series([bool(wanted & {p.casefold() for p in ps}) for ps in df["leads"]], index=df.index)
        if objectives:
            mask &= df["objective"].isin(objectives)
        if boards:
            wanted_boards = {b.casefold() for b in boards}
            mask &= pd.Series([bool(wanted_boards & {b.casefold() for b in bs}) for bs in df["boards"]],
                              index=df.index)
        if rags:
            mask &= pd.Series([(vocab.rag_band(r) or "none") in rags for r in df["rag"]], index=df.index)
        if statuses:
            mask &= df["status"].isin(statuses)
        if overdue_only:
            mask &= df["overdue"].astype(bool)
        if search:
            haystack = (df["ref"].astype(str) + " " + df["title"].fillna("") + " " + df["description"].fillna("")
                        + " " + df["lead_officer"].fillna("") + " " + df["latest_commentary"].fillna(""))
            mask &= haystack.str.lower().str.contains(search.strip().lower(), regex=False)
        return df[mask]

    def board_options(self, df: pd.DataFrame | None = None) -> list[str]:
        """Every oversight board or group named on an action ("DVSB; Safer Communities Board" is two)."""
        return distinct_names((self.actions if df is None else df)["boards"])

    def lead_options(self, df: pd.DataFrame | None = None) -> list[str]:
        """Every person leading an action, joint leads counted as each person."""
        return distinct_names((self.actions if df is None else df)["leads"])

    def chain(self) -> pd.DataFrame:
        """Each recommendation with its own and cross-cutting actions, their roll-up and evidencing KPIs."""
        rows = []
        by_key = self.actions.set_index("key") if len(self.actions) else None
        current = self.current_recommendations["number"].astype(str).value_counts()
        for rec in self.recommendations.itertuples(index=False):
            own_keys, cross_keys = self.links.get(int(rec.recommendation_id), ([], []))
            own = by_key.loc[own_keys] if by_key is not None and own_keys else self.actions.iloc[0:0]
            cross = by_key.loc[cross_keys] if by_key is not None and cross_keys else self.actions.iloc[0:0]
            r = rollup(own, cross)
            rows.append({
                "recommendation_id": rec.recommendation_id, "id": rec.id, "inspection_id": rec.inspection_id,
                # What the board calls it: the number alone where the current programme has it once, else the id.
                "label": str(rec.number) if int(rec.inspection_id) in self.current_inspections
                and current.get(str(rec.number), 0) == 1 else rec.id,
                "inspection": rec.inspection, "number": str(rec.number), "text": rec.text,
                "timeframe": rec.timeframe, "kind": rec.kind,
                "current": int(rec.inspection_id) in self.current_inspections,
                "later": rec.inspection_start is not None and rec.inspection_start > self.as_at,
                "own_keys": own_keys, "cross_keys": cross_keys,
                "own_refs": [k.split(":", 1)[1] for k in own_keys],
                "cross_refs": [k.split(":", 1)[1] for k in cross_keys],
                "action_count": r.own + r.cross, "own_count": r.own, "cross_count": r.cross,
                "done": r.done, "overdue": r.overdue, "own_worst": r.own_worst, "cross_worst": r.cross_worst,
                "worst_rag": r.worst, "worst_from": r.worst_from,
                "kpis": self.evidence.get(int(rec.recommendation_id), []),
            })
        columns = ["recommendation_id", "id", "label", "inspection_id", "inspection", "number", "text", "timeframe",
                   "kind", "current", "later", "own_keys", "cross_keys", "own_refs", "cross_refs", "action_count",
                   "own_count", "cross_count", "done", "overdue", "own_worst", "cross_worst", "worst_rag", "worst_from",
                   "kpis"]
        return pd.DataFrame(rows, columns=columns)


def chain_filter(chain: pd.DataFrame, *, inspection: str | None = None, gaps_only: bool = False) -> pd.DataFrame:
    """One inspection's recommendations; with ``gaps_only`` those no action answers or no KPI evidences."""
    shown = chain[chain["inspection"] == inspection] if inspection else chain
    if gaps_only:
        shown = shown[(shown["action_count"] == 0) | (shown["kpis"].map(len) == 0)]
    return shown


def programme(engine: Engine, as_at: dt.date | None = None, la_code: str | None = None,
              everyone: bool = False) -> Programme:
    """The programme of our authority (or ``la_code``; ``everyone`` for every authority) as at a date."""
    from lib.read import judgements

    as_at = as_at or base.as_at_date(engine)
    la = la_code or base.our_authority(engine)
    codes = None if everyone else [la]
    plan_frame = plans(engine, codes)
    acts = actions(engine, as_at, codes)
    recs = recommendations(engine, codes)
    events = judgements.inspections(engine, codes)
    current_ids = current_inspections(events, plan_frame, as_at)
    current = current_plans(plan_frame, current_ids)
    acts["current"] = acts["plan"].isin(current)
    plan_frame["current"] = plan_frame["plan"].isin(current)
    return Programme(la, as_at, plan_frame, acts, recs, current, current_ids, answering(recs, acts),
                     evidence(engine), milestones.milestones(engine, acts, as_at))


def evidence(engine: Engine) -> dict[int, list[str]]:
    """Recommendation row id → the refs of the KPIs evidencing it (the plan's "measured by")."""
    out: dict[int, list[str]] = {}
    for row in base.frame(engine, EVIDENCE_SQL).itertuples(index=False):
        out.setdefault(int(row.recommendation_id), []).append(str(row.ref))
    return out


def plan_inspections(engine: Engine) -> dict[str, dict[str, Any]]:
    """Plan code → the inspection whose recommendations it answers, as the export's columns."""
    df = base.frame(engine, "SELECT p.code, i.framework_code, i.start_date, i.body FROM plan p "
                            "JOIN inspection i ON i.id = p.inspection_id")
    df["start_date"] = base.to_date(df["start_date"])
    return {str(r.code): {"Inspection framework": r.framework_code, "Inspection start": r.start_date, "Body": r.body}
            for r in df.itertuples(index=False)}
