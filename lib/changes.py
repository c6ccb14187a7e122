"""What changed since the last board: RAG and status moves, new overdue actions, KPI RAG and
direction changes, new commentary, new inspections and the uploads that brought them.

Two states are compared: the programme as it stood on ``since`` (each action's latest update
on or before that date, each KPI's latest value on or before it) and as it stands on
``as_at`` (default: the data's own as-at date, :func:`lib.read.base.as_at_date`). Dates are
*reporting* dates (period ends), not wall-clock times, so a June return uploaded in July is
"as at 30 June". Only uploads are listed by the time they were made.

The same comparison runs against a frozen board snapshot (:func:`compare_frames`, used by
:func:`lib.snapshots.compare_with_today`). Pure pandas over the read models (:mod:`lib.read`); no Streamlit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine, text

from lib import formatting, vocab
from lib.read import base, judgements, kpis, programme

ACTION_CHANGE_COLUMNS = [
    "action_id", "plan", "ref", "title", "lead_officer", "objective", "recommendations", "due",
    "rag_from", "rag_to", "rag_from_label", "rag_to_label", "status_from", "status_to", "status_from_label",
    "status_to_label", "rag_changed", "status_changed", "rag_move", "turned_red", "period_from", "period_to",
    "commentary",
]
OVERDUE_COLUMNS = [
    "action_id", "plan", "ref", "title", "lead_officer", "objective", "recommendations", "due", "days_overdue",
    "status", "status_label", "rag", "rag_label",
]
KPI_CHANGE_COLUMNS = [
    "kpi_id", "ref", "name", "theme", "owner", "unit", "decimals", "polarity", "period_from", "period_to",
    "value_from", "value_to", "target_to", "target_text_to", "rag_from", "rag_to", "rag_level_to",
    "rag_from_label", "rag_to_label", "direction_from", "direction_to", "direction_from_label",
    "direction_to_label", "rag_changed", "direction_changed", "rag_move", "turned_red", "reported_rag_to",
    "commentary",
]
ACTION_COMMENTARY_COLUMNS = [
    "action_id", "plan", "ref", "title", "lead_officer", "objective", "recommendations", "period_end", "status",
    "status_label", "rag", "rag_label", "commentary", "reported_by",
]
KPI_COMMENTARY_COLUMNS = [
    "kpi_id", "ref", "name", "theme", "owner", "period", "period_end", "value", "unit", "decimals", "rag",
    "rag_level", "commentary",
]
INSPECTION_COLUMNS = [
    "inspection_id", "framework", "framework_label", "body", "title", "inspection_type", "start_date",
    "published_date", "overall", "judgements",
]
UPLOAD_COLUMNS = ["upload_id", "filename", "uploaded_at", "uploaded_by", "layout"]

_BAND_ORDER = {"green": 0, "amber": 1, "red": 2}


@dataclass
class Changes:
    """What changed between two states of the programme; every list is a DataFrame."""

    since: dt.date
    as_at: dt.date
    actions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ACTION_CHANGE_COLUMNS))
    new_overdue: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=OVERDUE_COLUMNS))
    kpis: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=KPI_CHANGE_COLUMNS))
    action_commentary: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ACTION_COMMENTARY_COLUMNS))
    kpi_commentary: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=KPI_COMMENTARY_COLUMNS))
    inspections: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=INSPECTION_COLUMNS))
    uploads: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=UPLOAD_COLUMNS))
    basis: str = "dates"  # dates | snapshot | upload
    label: str = ""  # "since 31 May 2019", "since the board of 12 Jul 2019 (snapshot 3)"

    @property
    def turned_red(self) -> pd.DataFrame:
        return self.actions[self.actions["turned_red"].astype(bool)] if not self.actions.empty else self.actions

    @property
    def kpis_turned_red(self) -> pd.DataFrame:
        return self.kpis[self.kpis["turned_red"].astype(bool)] if not self.kpis.empty else self.kpis

    def counts(self) -> dict[str, int]:
        acts = self.actions
        return {
            "action_rag_changes": int(acts["rag_changed"].sum()) if not acts.empty else 0,
            "action_status_changes": int(acts["status_changed"].sum()) if not acts.empty else 0,
            "actions_turned_red": len(self.turned_red),
            "new_overdue": len(self.new_overdue),
            "kpi_rag_changes": int(self.kpis["rag_changed"].sum()) if not self.kpis.empty else 0,
            "kpi_direction_changes": int(self.kpis["direction_changed"].sum()) if not self.kpis.empty else 0,
            "kpis_turned_red": len(self.kpis_turned_red),
            "action_commentary": len(self.action_commentary),
            "kpi_commentary": len(self.kpi_commentary),
            "inspections": len(self.inspections),
            "uploads": len(self.uploads),
        }

    @property
    def is_empty(self) -> bool:
        return not any(self.counts().values())

    def headline(self) -> str:
        """One sentence for a slide subtitle or the CLI's first line."""
        c = self.counts()
        count = formatting.count_text
        parts = [
            f"{count(c['action_rag_changes'], 'action RAG change')} ({c['actions_turned_red']} turned red)",
            count(c["action_status_changes"], "status change"),
            f"{c['new_overdue']} newly overdue",
            count(c["kpi_rag_changes"], "KPI RAG change"),
            count(c["kpi_direction_changes"], "KPI direction change"),
            f"{c['action_commentary'] + c['kpi_commentary']} new commentary",
        ]
        if c["inspections"]:
            parts.append(count(c["inspections"], "new inspection"))
        if c["uploads"]:
            parts.append(count(c["uploads"], "upload"))
        return "; ".join(parts)

    def lines(self) -> list[str]:
        """Plain-text report (the CLI's ``changes`` command prints these)."""
        out = [f"What changed {self.label or 'since ' + formatting.format_date(self.since)} "
               f"(as at {formatting.format_date(self.as_at)})", self.headline()]
        if not self.actions.empty:
            out.append("")
            out.append("Actions: RAG or status changed")
            for r in self.actions.itertuples(index=False):
                moves = []
                if r.rag_changed:
                    moves.append(f"RAG {r.rag_from_label} → {r.rag_to_label}")
                if r.status_changed:
                    moves.append(f"status {r.status_from_label} → {r.status_to_label}")
                out.append(f"  {r.plan} {r.ref} {formatting.shorten(r.title, 60)}: {'; '.join(moves)}")
        if not self.new_overdue.empty:
            out.append("")
            out.append("Actions newly overdue")
            for r in self.new_overdue.itertuples(index=False):
                out.append(f"  {r.plan} {r.ref} {formatting.shorten(r.title, 60)}: due "
                           f"{formatting.format_date(r.due)}, {r.status_label}, {r.rag_label}")
        if not self.kpis.empty:
            out.append("")
            out.append("KPIs: derived RAG or direction changed")
            for r in self.kpis.itertuples(index=False):
                moves = []
                if r.rag_changed:
                    moves.append(f"RAG {r.rag_from_label} → {r.rag_to_label}")
                if r.direction_changed:
                    moves.append(f"direction {r.direction_from_label or 'none'} → {r.direction_to_label or 'none'}")
                value = formatting.format_value(r.value_to, r.unit, r.decimals)
                out.append(f"  {r.ref} {formatting.shorten(r.name, 60)} ({value}, {formatting.text(r.period_to)}): "
                           f"{'; '.join(moves)}")
        if not self.action_commentary.empty or not self.kpi_commentary.empty:
            out.append("")
            out.append("New commentary")
            for r in self.action_commentary.itertuples(index=False):
                out.append(f"  {r.plan} {r.ref} ({formatting.format_date(r.period_end)}): "
                           f"{formatting.shorten(r.commentary, 200)}")
            for r in self.kpi_commentary.itertuples(index=False):
                out.append(f"  {r.ref} ({formatting.text(r.period)}): {formatting.shorten(r.commentary, 200)}")
        if not self.inspections.empty:
            out.append("")
            out.append("New inspections")
            for r in self.inspections.itertuples(index=False):
                out.append(f"  {r.framework_label} ({r.body}), started {formatting.format_date(r.start_date)}, "
                           f"published {formatting.format_date(r.published_date)}"
                           + (f": overall {r.overall}" if r.overall else ""))
        if not self.uploads.empty:
            out.append("")
            out.append("Uploads")
            for r in self.uploads.itertuples(index=False):
                out.append(f"  #{r.upload_id} {r.filename} ({formatting.format_datetime(r.uploaded_at)}"
                           + (f", {r.uploaded_by}" if isinstance(r.uploaded_by, str) and r.uploaded_by else "") + ")")
        return out

    def records(self) -> dict[str, Any]:
        """JSON-friendly dict (dates as ISO strings) for ``--format json``."""

        def clean(value: Any) -> Any:
            if isinstance(value, list):
                return [clean(v) for v in value]
            if formatting.is_blank(value):
                return None
            if isinstance(value, (dt.date, dt.datetime)):
                return value.isoformat()
            if hasattr(value, "item"):
                return value.item()
            return value

        def rows(df: pd.DataFrame) -> list[dict[str, Any]]:
            return [{k: clean(v) for k, v in rec.items()} for rec in df.to_dict(orient="records")]

        return {
            "since": self.since.isoformat(), "as_at": self.as_at.isoformat(), "basis": self.basis,
            "label": self.label, "counts": self.counts(),
            "actions": rows(self.actions), "new_overdue": rows(self.new_overdue), "kpis": rows(self.kpis),
            "action_commentary": rows(self.action_commentary), "kpi_commentary": rows(self.kpi_commentary),
            "inspections": rows(self.inspections), "uploads": rows(self.uploads),
        }


# --- comparing two states -------------------------------------------------------------------------


def _band(level: Any) -> str | None:
    return vocab.rag_band(level) if isinstance(level, str) else None


def _move(before: Any, after: Any) -> str:
    """"worse" / "better" / "" comparing two bands (no RAG counts as neither)."""
    b, a = _BAND_ORDER.get(str(before)), _BAND_ORDER.get(str(after))
    if b is None or a is None or a == b:
        return ""
    return "worse" if a > b else "better"


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _reported(frame_row: Any) -> bool:
    """Whether an actions-frame row had any update (its state is reported, not defaulted)."""
    return not formatting.is_blank(getattr(frame_row, "latest_period_end", None))


def compare_actions(before: pd.DataFrame, after: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(RAG/status changes, newly overdue) between two :func:`lib.read.programme.actions` frames."""
    prior = {int(r.action_id): r for r in before.itertuples(index=False)} if not before.empty else {}
    changed: list[dict[str, Any]] = []
    overdue: list[dict[str, Any]] = []
    for r in after.itertuples(index=False):
        old = prior.get(int(r.action_id))
        had = old is not None and _reported(old)
        has = _reported(r)
        rag_from = _str_or_none(old.rag) if old is not None and had else None
        rag_to = _str_or_none(r.rag) if has else None
        status_from = _str_or_none(old.status) if old is not None and had else None
        status_to = _str_or_none(r.status) if has else None
        rag_changed = rag_from != rag_to
        status_changed = status_from != status_to
        common = {
            "action_id": int(r.action_id), "plan": r.plan, "ref": r.ref, "title": r.title,
            "lead_officer": r.lead_officer, "objective": r.objective, "recommendations": list(r.recommendations),
            "due": r.due,
        }
        if rag_changed or status_changed:
            move = _move(_band(rag_from), _band(rag_to))
            changed.append({
                **common,
                "rag_from": rag_from, "rag_to": rag_to,
                "rag_from_label": formatting.rag_word(rag_from, "Not reported") if old is not None else "New action",
                "rag_to_label": formatting.rag_word(rag_to, "Not reported"),
                "status_from": status_from, "status_to": status_to,
                "status_from_label": formatting.status_word(status_from) if old is not None else "New action",
                "status_to_label": formatting.status_word(status_to),
                "rag_changed": rag_changed, "status_changed": status_changed, "rag_move": move,
                "turned_red": _band(rag_to) == "red" and _band(rag_from) != "red",
                "period_from": old.latest_period_end if old is not None and had else None,
                "period_to": r.latest_period_end if has else None,
                "commentary": formatting.text(r.latest_commentary) or None,
            })
        was_overdue = bool(old.overdue) if old is not None else False
        if bool(r.overdue) and not was_overdue:
            overdue.append({
                **common, "days_overdue": r.days_overdue, "status": r.status, "status_label": r.status_label,
                "rag": r.rag, "rag_label": formatting.rag_word(r.rag, "Not reported"),
            })
    changes = pd.DataFrame(changed, columns=ACTION_CHANGE_COLUMNS)
    if not changes.empty:
        changes["_o"] = [0 if t else (1 if m == "worse" else 2) for t, m in
                         zip(changes["turned_red"], changes["rag_move"], strict=True)]
        changes = changes.sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)
    return changes, pd.DataFrame(overdue, columns=OVERDUE_COLUMNS)


def compare_kpis(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """KPIs whose derived RAG band or direction of travel differs between two latest-KPI frames."""
    prior = {int(r.kpi_id): r for r in before.itertuples(index=False)} if not before.empty else {}
    rows: list[dict[str, Any]] = []
    for r in after.itertuples(index=False):
        old = prior.get(int(r.kpi_id))
        rag_from = _str_or_none(old.rag) if old is not None else None
        rag_to = _str_or_none(r.rag)
        dir_from = _str_or_none(old.direction) if old is not None else None
        dir_to = _str_or_none(r.direction)
        rag_changed, dir_changed = rag_from != rag_to, dir_from != dir_to
        if not (rag_changed or dir_changed):
            continue
        rows.append({
            "kpi_id": int(r.kpi_id), "ref": r.ref, "name": r.name, "theme": r.theme, "owner": r.owner,
            "unit": r.unit, "decimals": r.decimals, "polarity": r.polarity,
            "period_from": old.period if old is not None else None, "period_to": r.period,
            "value_from": old.value if old is not None else None, "value_to": r.value,
            "target_to": r.target, "target_text_to": r.target_text,
            "rag_from": rag_from, "rag_to": rag_to, "rag_level_to": _str_or_none(r.rag_level),
            "rag_from_label": formatting.rag_word(rag_from) if old is not None else "No value",
            "rag_to_label": formatting.rag_word(rag_to),
            "direction_from": dir_from, "direction_to": dir_to,
            "direction_from_label": formatting.direction_word(dir_from),
            "direction_to_label": formatting.direction_word(dir_to),
            "rag_changed": rag_changed, "direction_changed": dir_changed, "rag_move": _move(rag_from, rag_to),
            "turned_red": rag_to == "red" and rag_from != "red",
            "reported_rag_to": _str_or_none(r.reported_rag),
            "commentary": formatting.text(r.commentary) or None,
        })
    df = pd.DataFrame(rows, columns=KPI_CHANGE_COLUMNS)
    if not df.empty:
        df["_o"] = [0 if t else (1 if m == "worse" else (2 if c else 3)) for t, m, c in
                    zip(df["turned_red"], df["rag_move"], df["rag_changed"], strict=True)]
        df = df.sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)
    return df


def kpis_as_of(values: pd.DataFrame, day: dt.date | None) -> pd.DataFrame:
    """Each KPI's latest value on or before ``day`` (all of them when ``day`` is None)."""
    if values.empty:
        return values
    df = values if day is None else values[_mask(values, [d is not None and d <= day for d in values["period_end"]])]
    return df.groupby("kpi_id", sort=False).tail(1).reset_index(drop=True)


def _mask(df: pd.DataFrame, flags: list[bool]) -> pd.Series:
    """A boolean row mask (a plain empty list would select columns, not rows)."""
    return pd.Series(flags, index=df.index, dtype=bool)


def _window(dates: pd.Series, since: dt.date, as_at: dt.date | None) -> pd.Series:
    return pd.Series(
        [not formatting.is_blank(d) and d > since and (as_at is None or d <= as_at) for d in dates],
        index=dates.index, dtype=bool,
    )


def new_action_commentary(engine: Engine, acts: pd.DataFrame, since: dt.date, as_at: dt.date | None) -> pd.DataFrame:
    updates = programme.action_updates(engine)
    if updates.empty or acts.empty:
        return pd.DataFrame(columns=ACTION_COMMENTARY_COLUMNS)
    updates = updates[_window(updates["period_end"], since, as_at)]
    updates = updates[_mask(updates, [bool(formatting.text(c)) for c in updates["commentary"]])]
    meta = acts.set_index("action_id")
    rows = []
    for u in updates.itertuples(index=False):
        aid = int(u.action_id)
        if aid not in meta.index:
            continue
        a = meta.loc[aid]
        rows.append({
            "action_id": aid, "plan": a["plan"], "ref": a["ref"], "title": a["title"],
            "lead_officer": a["lead_officer"], "objective": a["objective"],
            "recommendations": list(a["recommendations"]), "period_end": u.period_end, "status": u.status,
            "status_label": formatting.status_word(u.status), "rag": _str_or_none(u.rag),
            "rag_label": formatting.rag_word(u.rag, "Not reported"), "commentary": formatting.text(u.commentary),
            "reported_by": _str_or_none(u.reported_by),
        })
    df = pd.DataFrame(rows, columns=ACTION_COMMENTARY_COLUMNS)
    return df.sort_values(["period_end", "plan", "ref"], kind="stable").reset_index(drop=True) if rows else df


def new_kpi_commentary(values: pd.DataFrame, since: dt.date, as_at: dt.date | None) -> pd.DataFrame:
    if values.empty:
        return pd.DataFrame(columns=KPI_COMMENTARY_COLUMNS)
    df = values[_window(values["period_end"], since, as_at)]
    df = df[_mask(df, [bool(formatting.text(c)) for c in df["commentary"]])]
    out = pd.DataFrame({
        "kpi_id": df["kpi_id"], "ref": df["ref"], "name": df["name"], "theme": df["theme"], "owner": df["owner"],
        "period": df["period"], "period_end": df["period_end"], "value": df["value"], "unit": df["unit"],
        "decimals": df["decimals"], "rag": df["rag"], "rag_level": df["rag_level"],
        "commentary": [formatting.text(c) for c in df["commentary"]],
    }, columns=KPI_COMMENTARY_COLUMNS)
    return out.reset_index(drop=True)


def new_inspections(engine: Engine, la_code: str, since: dt.date, as_at: dt.date | None) -> pd.DataFrame:
    """Our authority's inspections that started or were published in (since, as_at]."""
    insp = judgements.inspections(engine, [la_code])
    if insp.empty:
        return pd.DataFrame(columns=INSPECTION_COLUMNS)
    mask = _window(insp["start_date"], since, as_at) | _window(insp["published_date"], since, as_at)
    insp = insp[mask]
    if insp.empty:
        return pd.DataFrame(columns=INSPECTION_COLUMNS)
    judged = judgements.judgements(engine, [la_code])
    rows = []
    for i in insp.itertuples(index=False):
        own = judged[judged["inspection_id"] == i.inspection_id]
        overall = own[own["area_key"] == "overall"]
        rows.append({
            "inspection_id": int(i.inspection_id), "framework": i.framework, "framework_label": i.framework_label,
            "body": i.body, "title": i.title, "inspection_type": _str_or_none(i.inspection_type),
            "start_date": i.start_date, "published_date": i.published_date,
            "overall": formatting.text(overall.iloc[0]["grade"]) if not overall.empty else "",
            "judgements": len(own),
        })
    return pd.DataFrame(rows, columns=INSPECTION_COLUMNS)


def uploads_after(engine: Engine, *, after: dt.datetime | None = None, after_id: int | None = None) -> pd.DataFrame:
    """Imported (not undone) uploads made after a time or after an upload."""
    clauses = ["outcome = 'imported'", "undone_at IS NULL"]
    params: dict[str, Any] = {}
    if after is not None:
        clauses.append("uploaded_at > :after")
        params["after"] = after
    if after_id is not None:
        clauses.append("id > :aid")
        params["aid"] = after_id
    sql = ("SELECT id AS upload_id, filename, uploaded_at, uploaded_by, layout FROM upload WHERE "
           + " AND ".join(clauses) + " ORDER BY uploaded_at, id")
    with engine.connect() as conn:
        df = pd.read_sql(text(sql), conn, params=params)
    df["uploaded_at"] = pd.to_datetime(df["uploaded_at"])
    return df[UPLOAD_COLUMNS]


def compare_frames(
    engine: Engine,
    *,
    since: dt.date,
    as_at: dt.date,
    before_actions: pd.DataFrame,
    after_actions: pd.DataFrame,
    before_kpis: pd.DataFrame,
    after_kpis: pd.DataFrame,
    kpi_values: pd.DataFrame | None = None,
    la_code: str | None = None,
    commentary_until: dt.date | None = None,
    uploads: pd.DataFrame | None = None,
    basis: str = "dates",
    label: str = "",
) -> Changes:
    """Changes between two given states, plus the commentary and inspections dated in (since, as_at]."""
    la_code = la_code or base.our_authority(engine)
    values = kpi_values if kpi_values is not None else kpis.kpi_values(engine, la_code)
    acts, overdue = compare_actions(before_actions, after_actions)
    return Changes(
        since=since,
        as_at=as_at,
        actions=acts,
        new_overdue=overdue,
        kpis=compare_kpis(before_kpis, after_kpis),
        action_commentary=new_action_commentary(engine, after_actions, since, commentary_until),
        kpi_commentary=new_kpi_commentary(values, since, commentary_until),
        inspections=new_inspections(engine, la_code, since, as_at),
        uploads=uploads if uploads is not None else uploads_after(
            engine, after=dt.datetime.combine(since + dt.timedelta(days=1), dt.time())),
        basis=basis,
        label=label,
    )


def changes_since(engine: Engine, since: dt.date, as_at: dt.date | None = None) -> Changes:
    """Everything that changed between the reporting date ``since`` and ``as_at`` (default: the data's as-at).

    Actions: RAG or status of the latest update on or before ``since`` vs on or before ``as_at``;
    newly overdue: overdue at ``as_at`` but not at ``since``. KPIs: derived RAG band or direction of
    the latest value on or before each date. Commentary (action updates and KPI values) and our
    authority's inspections dated in (since, as_at]; imported uploads made after the day ``since``.
    """
    as_at = as_at or base.as_at_date(engine)
    if since > as_at:
        raise ValueError(f"'since' ({since.isoformat()}) is after the as-at date ({as_at.isoformat()})")
    la_code = base.our_authority(engine)
    values = kpis.kpi_values(engine, la_code)
    now = programme.programme(engine, as_at, la_code)
    before = programme.actions(engine, since, [la_code])
    return compare_frames(
        engine,
        since=since,
        as_at=as_at,
        before_actions=before[before["plan"].isin(now.current_plans)],
        after_actions=now.current_actions,
        before_kpis=kpis_as_of(values, since),
        after_kpis=kpis_as_of(values, as_at),
        kpi_values=values,
        la_code=la_code,
        commentary_until=as_at,
        label=f"since {formatting.format_date(since)}",
    )


def upload_as_at(engine: Engine, upload_id: int) -> dt.date:
    """The data's as-at date just after an upload: the latest period end of the rows stored by it or before it.

    Falls back to the upload's own date when nothing dated was stored by then.
    """
    la = base.our_authority(engine)
    with engine.connect() as conn:
        uploaded = conn.execute(text("SELECT uploaded_at FROM upload WHERE id = :i"), {"i": upload_id}).scalar()
        if uploaded is None:
            raise KeyError(f"no upload {upload_id}")
        latest_update = conn.execute(
            text("SELECT MAX(period_end) FROM action_update WHERE upload_id IS NULL OR upload_id <= :i"),
            {"i": upload_id},
        ).scalar()
        latest_value = conn.execute(
            text("SELECT MAX(p.end_date) FROM kpi_value v JOIN period p ON p.id = v.period_id "
                 "WHERE v.authority_code = :la AND p.kind = 'month' AND (v.upload_id IS NULL OR v.upload_id <= :i)"),
            {"la": la, "i": upload_id},
        ).scalar()
    dates = [pd.Timestamp(d).date() for d in (latest_update, latest_value) if d is not None]
    return max(dates) if dates else pd.Timestamp(uploaded).date()


def since_upload(engine: Engine, upload_id: int, as_at: dt.date | None = None) -> Changes:
    """What changed since an upload: from the data's as-at date right after it, and the uploads made after it."""
    since = upload_as_at(engine, upload_id)
    as_at = as_at or base.as_at_date(engine)
    if since > as_at:
        since = as_at
    changes = changes_since(engine, since, as_at)
    changes.uploads = uploads_after(engine, after_id=upload_id)
    changes.basis = "upload"
    changes.label = f"since upload {upload_id} (data as at {formatting.format_date(since)})"
    return changes
