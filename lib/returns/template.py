"""Workbooks we write: the monthly return template (and per-officer return packs) and the full export.

Both use the column headers the importer reads first (:mod:`lib.returns.headers`), so a
downloaded template filled in and uploaded back, or an export imported into an empty
database, goes through the same recognition as any council's workbook. Written with
xlsxwriter with formula and URL conversion off and every text written as a string:
a cell a user typed as ``=HYPERLINK(...)`` stays text, never a live formula.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

import pandas as pd
import xlsxwriter
from sqlalchemy import Engine

from lib import periods, vocab
from lib.read import base, benchmarks, judgements, milestones, programme
from lib.read import kpis as kpi_model
from lib.returns.headers import TEMPLATE_ACTION_COLUMNS, TEMPLATE_KPI_COLUMNS

RAG_CHOICES = ["Green", "Green Amber", "Amber", "Red Amber", "Red", "Blue"]
STATUS_CHOICES = [vocab.STATUS_LABELS[s].replace("—", "-") for s in vocab.STATUSES]
POLARITY_CHOICES = ["Higher is better", "Lower is better", "Monitor"]
POLARITY_WORDS = {"higher": "Higher is better", "lower": "Lower is better", "monitor": "Monitor"}
MAX_ROWS = 50_000

INSTRUCTIONS = (
    "Improvement Board monthly return",
    "",
    "1. KPIs sheet: for each KPI type this month's value in the Value column (44 or 44% for 44 per cent).",
    "   Leave a row blank if there is nothing to report. For a missing figure type n/a, TBC or Not available;",
    "   never type 0 for 'no data'. The Period column holds the month the figure is for.",
    "2. Actions sheet: for each of your actions choose this month's Status and RAG from the drop-downs and",
    "   write a short progress update. The Month column holds the month of the update.",
    "3. Do not rename the column headings. You may add notes in other columns: they are ignored.",
    "4. Upload the workbook on the Upload returns page (or: python -m lib.cli import FILE).",
    "   You will see a preview and every problem found before anything is stored.",
    "",
    *vocab.rag_key_lines(),  # generated from vocab.RAG_WORD_TABLE / STATUS_WORD_TABLE, the importer's own words
)


class SheetWriter:
    """Thin helpers over xlsxwriter that keep every user text a string cell."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(
            self.buffer,
            {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
        )
        self.header = self.book.add_format({"bold": True, "bg_color": "#dfe7f3", "border": 1, "text_wrap": True,
                                            "valign": "top"})
        self.date = self.book.add_format({"num_format": "d mmm yyyy", "valign": "top"})
        self.month = self.book.add_format({"num_format": "mmm yyyy", "valign": "top"})
        self.wrap = self.book.add_format({"text_wrap": True, "valign": "top"})
        self.input = self.book.add_format({"bg_color": "#fff8dc", "valign": "top", "text_wrap": True})
        self.input_number = self.book.add_format({"bg_color": "#fff8dc", "valign": "top"})

    def sheet(self, name: str, columns: Sequence[str], widths: dict[str, int] | None = None) -> Any:
        ws = self.book.add_worksheet(name)
        for c, title in enumerate(columns):
            ws.write_string(0, c, title, self.header)
            ws.set_column(c, c, (widths or {}).get(title, 16))
        ws.freeze_panes(1, 0)
        return ws

    def cell(self, ws: Any, r: int, c: int, value: Any, fmt: Any = None) -> None:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            if fmt is not None:
                ws.write_blank(r, c, None, fmt)
            return
        if isinstance(value, bool):
            ws.write_string(r, c, "yes" if value else "no", fmt)
        elif isinstance(value, dt.datetime | dt.date):
            ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()) if not isinstance(value, dt.datetime)
                              else value, fmt or self.date)
        elif isinstance(value, int | float):
            ws.write_number(r, c, float(value), fmt)
        else:
            ws.write_string(r, c, str(value), fmt)

    def instructions(self, extra: Sequence[str] = ()) -> None:
        ws = self.book.add_worksheet("Instructions")
        ws.set_column(0, 0, 110)
        bold = self.book.add_format({"bold": True, "font_size": 14})
        for r, line in enumerate([*INSTRUCTIONS, *extra]):
            ws.write_string(r, 0, line, bold if r == 0 else None)

    def close(self) -> bytes:
        self.book.close()
        return self.buffer.getvalue()


def _next_month(day: dt.date) -> periods.Period:
    nxt = day.replace(day=1) + dt.timedelta(days=32)
    return periods.month(nxt.year, nxt.month)


def _column(columns: Sequence[str], name: str) -> int:
    return list(columns).index(name)


def template(engine: Engine, *, lead_officer: str | None = None, month: periods.Period | None = None) -> bytes:
    """The monthly return, pre-filled with current KPIs and actions (or one officer's return pack)."""
    la = base.our_authority(engine)
    month = month or _next_month(base.as_at_date(engine))
    w = SheetWriter()
    who = f"Return pack for {lead_officer}" if lead_officer else "All KPIs and actions"
    w.instructions([f"{who} · return for {month.label}"])

    prog = programme.programme(engine)
    acts = prog.current_actions
    if lead_officer:
        acts = prog.filter_actions(acts, leads=[lead_officer])
    latest = kpi_model.latest_kpis(engine, la)
    kpis = kpi_model.kpis(engine)
    if lead_officer:
        kpis = kpis[kpis["owner"].fillna("").str.lower().str.contains(lead_officer.strip().lower(), regex=False)]
    if not lead_officer:
        monthly = kpis["frequency"].fillna("monthly") == "monthly"
        kpis = kpis[monthly] if monthly.any() else kpis
    if not kpis.empty:
        cols = [*TEMPLATE_KPI_COLUMNS, "Last value (for reference)", "Last period (for reference)"]
        ws = w.sheet("KPIs", cols, {"KPI": 50, "Commentary": 60, "Theme": 22})
        last = latest.set_index("ref") if not latest.empty else pd.DataFrame()
        for i, k in enumerate(kpis.itertuples(index=False), start=1):
            prev = last.loc[k.ref] if not last.empty and k.ref in last.index else None
            target = prev["target"] if prev is not None else None
            row = [k.ref, k.name, k.theme, k.unit, POLARITY_WORDS.get(k.polarity, "Monitor")]
            for c, v in enumerate(row):
                w.cell(ws, i, c, v, w.wrap if c == 1 else None)
            w.cell(ws, i, _column(cols, "Period"), month.end.replace(day=1), w.month)
            w.cell(ws, i, _column(cols, "Value"), None, w.input_number)
            w.cell(ws, i, _column(cols, "Target"), target if target is not None and not pd.isna(target) else None,
                   w.input_number)
            w.cell(ws, i, _column(cols, "RAG"), None, w.input)
            w.cell(ws, i, _column(cols, "Commentary"), None, w.input)
            if prev is not None:
                w.cell(ws, i, _column(cols, "Last value (for reference)"), prev["value_text"] or prev["value"])
                w.cell(ws, i, _column(cols, "Last period (for reference)"), prev["period"])
        n = len(kpis)
        ws.data_validation(1, _column(cols, "RAG"), n, _column(cols, "RAG"),
                           {"validate": "list", "source": RAG_CHOICES, "ignore_blank": True})
        ws.data_validation(1, _column(cols, "Polarity"), n, _column(cols, "Polarity"),
                           {"validate": "list", "source": POLARITY_CHOICES})
        ws.data_validation(1, _column(cols, "Value"), n, _column(cols, "Value"),
                           {"validate": "any", "input_title": "This month's value",
                            "input_message": "A number (44 or 44%), or n/a, TBC, Not available"})
    cols = [*TEMPLATE_ACTION_COLUMNS, "Last status (for reference)", "Last RAG (for reference)"]
    ws = w.sheet("Actions", cols, {"Action title": 40, "Action description": 50, "Progress update": 60,
                                   "Lead officer": 28, "Objective": 30})
    for i, a in enumerate(acts.itertuples(index=False), start=1):
        cells = {"Plan": a.plan, "Action ID": a.ref, "Recommendation(s)": ", ".join(a.recommendations),
               "Objective": a.objective, "Action title": a.title, "Action description": a.description,
               "Lead officer": a.lead_officer, "Reported by": a.lead_officer}
        for name, value in cells.items():
            w.cell(ws, i, _column(cols, name), value, w.wrap)
        w.cell(ws, i, _column(cols, "Due date"), a.due if a.due else a.due_text)
        w.cell(ws, i, _column(cols, "Month"), month.end, w.month)
        for name in ("Status", "RAG", "Progress update"):
            w.cell(ws, i, _column(cols, name), None, w.input)
        w.cell(ws, i, _column(cols, "Last status (for reference)"), a.status_label)
        w.cell(ws, i, _column(cols, "Last RAG (for reference)"), vocab.RAG_LABELS.get(a.rag) if a.rag else None)
    n = max(1, len(acts))
    ws.data_validation(1, _column(cols, "Status"), n, _column(cols, "Status"),
                       {"validate": "list", "source": STATUS_CHOICES})
    ws.data_validation(1, _column(cols, "RAG"), n, _column(cols, "RAG"), {"validate": "list", "source": RAG_CHOICES})
    return w.close()


EXPORT_KPI_COLUMNS = ("LA code", "Ref", "KPI", "Theme", "Unit", "Polarity", "Period", "Period kind", "Period start",
                      "Period end", "Value", "Target", "RAG", "Commentary")
EXPORT_DEF_COLUMNS = ("Ref", "KPI", "Type", "Theme", "Unit", "Polarity", "RAG rule", "Amber tolerance (%)", "Owner",
                      "Frequency", "Decimals", "Definition")
EXPORT_BENCH_COLUMNS = ("Ref", "Comparator", "Year", "Value", "Source", "Period kind", "Period start", "Period end")
EXPORT_ACTION_COLUMNS = ("Plan", "Action ID", "Recommendation(s)", "Objective", "Action title", "Action description",
                         "Lead officer", "Due date", "Due (as written)", "Oversight", "Success measures",
                         "Inspection framework", "Inspection start", "Body")
EXPORT_UPDATE_COLUMNS = ("Plan", "Action ID", "Month", "Status", "RAG", "Progress update", "Reported by")
EXPORT_REC_COLUMNS = ("LA code", "Framework", "Inspection start", "Body", "Recommendation number",
                      "Recommendation text", "Timeframe", "Kind", "Addressed to", "Evidence (KPI refs)")
EXPORT_JUDGEMENT_COLUMNS = ("LA code", "Framework", "Inspection start", "Body", "Judgement section", "Judgement area",
                            "Parent area", "Grade", "Published")


def _write_frame(w: SheetWriter, name: str, columns: Sequence[str], rows: list[dict[str, Any]],
                 widths: dict[str, int] | None = None) -> None:
    ws = w.sheet(name, columns, widths)
    for i, row in enumerate(rows[:MAX_ROWS * 10], start=1):
        for c, col in enumerate(columns):
            value = row.get(col)
            fmt = w.date if isinstance(value, dt.date) else None
            w.cell(ws, i, c, value, fmt)


def export(engine: Engine) -> bytes:
    """All current data in the template's layout, plus reference sheets, importable into an empty database."""
    w = SheetWriter()
    w.instructions(["", "This is a full export. Importing it into an empty database reproduces the same data."])
    defs = kpi_model.kpis(engine)
    _write_frame(w, "KPI definitions", EXPORT_DEF_COLUMNS, [
        {"Ref": r.ref, "KPI": r.name, "Type": r.kpi_type, "Theme": r.theme, "Unit": r.unit,
         "Polarity": _text_or(r.polarity_reported, POLARITY_WORDS.get(r.polarity)), "RAG rule": r.rag_rule,
         "Amber tolerance (%)": r.amber_tolerance,
         "Owner": r.owner, "Frequency": r.frequency, "Decimals": r.decimals,
         "Definition": r.description if isinstance(r.description, str) else None}
        for r in defs.itertuples(index=False)
    ], {"KPI": 50})
    values = kpi_model.kpi_values(engine)
    _write_frame(w, "KPIs", EXPORT_KPI_COLUMNS, [
        {"LA code": r.la_code, "Ref": r.ref, "KPI": r.name, "Theme": r.theme, "Unit": r.unit,
         "Polarity": POLARITY_WORDS.get(r.polarity), "Period": r.period, "Period kind": r.period_kind,
         "Period start": r.period_start, "Period end": r.period_end,
         "Value": r.value_text if isinstance(r.value_text, str) and r.value_text else _num(r.value),
         "Target": None if r.target_source != "return" else r.target_text
         if isinstance(r.target_text, str) and r.target_text else _num(r.target),
         "RAG": _text_or(r.rag_reported_text, vocab.RAG_LABELS.get(r.reported_rag))
         if isinstance(r.reported_rag, str) else None,
         "Commentary": r.commentary if isinstance(r.commentary, str) else None}
        for r in values.itertuples(index=False)
    ], {"KPI": 40, "Commentary": 50})
    bench = benchmarks.benchmarks(engine, include_las=True)
    _write_frame(w, "Benchmarks", EXPORT_BENCH_COLUMNS, [
        {"Ref": r.ref, "Comparator": r.comparator, "Year": r.year_label, "Value": r.value, "Source": r.source,
         "Period kind": r.period_kind, "Period start": r.period_start, "Period end": r.period_end}
        for r in bench.itertuples(index=False)
    ])
    acts = programme.actions(engine)
    plan_inspections = programme.plan_inspections(engine)
    _write_frame(w, "Actions", EXPORT_ACTION_COLUMNS, [
        {"Plan": a.plan, "Action ID": a.ref, "Recommendation(s)": ", ".join(a.recommendations),
         "Objective": a.objective, "Action title": a.title, "Action description": a.description,
         "Lead officer": a.lead_officer, "Due date": a.due if a.due else a.due_text,
         "Due (as written)": a.due_text if a.due and isinstance(a.due_text, str) else None, "Oversight": a.oversight,
         "Success measures": a.success_measures, **plan_inspections.get(a.plan, {})}
        for a in acts.itertuples(index=False)
    ], {"Action title": 40, "Action description": 50})
    _milestone_sheet(w, engine, acts)
    _target_sheet(w, engine)
    updates = programme.action_updates(engine)
    refs = {int(a.action_id): (a.plan, a.ref) for a in acts.itertuples(index=False)}
    _write_frame(w, "Action updates", EXPORT_UPDATE_COLUMNS, [
        {"Plan": refs[int(u.action_id)][0], "Action ID": refs[int(u.action_id)][1], "Month": u.period_end,
         "Status": u.status_reported or (vocab.STATUS_LABELS.get(u.status) if u.status else None),
         "RAG": u.rag_reported or (vocab.RAG_LABELS.get(u.rag) if u.rag else None),
         "Progress update": u.commentary, "Reported by": u.reported_by}
        for u in updates.itertuples(index=False) if int(u.action_id) in refs
    ], {"Progress update": 60})
    recs = programme.recommendations(engine)
    evidence = programme.evidence(engine)
    insp = judgements.inspections(engine).set_index("inspection_id")
    _write_frame(w, "Recommendations", EXPORT_REC_COLUMNS, [
        {"LA code": insp.loc[r.inspection_id, "la_code"], "Framework": r.framework,
         "Inspection start": r.inspection_start, "Body": r.body, "Recommendation number": r.number,
         "Recommendation text": r.text, "Timeframe": r.timeframe, "Kind": r.kind, "Addressed to": r.addressed_to,
         "Evidence (KPI refs)": ", ".join(evidence.get(int(r.recommendation_id), [])) or None}
        for r in recs.itertuples(index=False)
    ], {"Recommendation text": 70})
    judged = judgements.judgements(engine)
    parents = dict(zip(judged["judgement_id"], judged["area"], strict=True))
    _write_frame(w, "Judgements", EXPORT_JUDGEMENT_COLUMNS, [
        {"LA code": j.la_code, "Framework": j.framework, "Inspection start": j.inspection_start, "Body": j.body,
         "Judgement section": j.section, "Judgement area": j.area,
         "Parent area": parents.get(j.parent_id) if j.parent_id is not None and not pd.isna(j.parent_id) else None,
         "Grade": j.grade, "Published": j.published_date}
        for j in judged.itertuples(index=False)
    ], {"Judgement area": 60})
    return w.close()


EXPORT_MILESTONE_COLUMNS = ("Plan", "Action ID", "Milestone text", "Due date", "Due (as written)", "Milestone status")


def _milestone_sheet(w: SheetWriter, engine: Engine, acts: pd.DataFrame) -> None:
    """Every milestone, in its action's order, so an import gives each action the same milestones."""
    frame = milestones.milestones(engine, acts, dt.date.today())
    _write_frame(w, "Milestones", EXPORT_MILESTONE_COLUMNS, [
        {"Plan": m.plan, "Action ID": m.ref, "Milestone text": m.label, "Due date": m.due,
         "Due (as written)": m.due_text,
         "Milestone status": m.status_reported if isinstance(m.status_reported, str) and m.status_reported
         else ("Complete" if m.status_stored == "complete" else None)}
        for m in frame.itertuples(index=False)
    ], {"Milestone text": 60})


def _target_heading(kind: str, label: str) -> str:
    years = label.split()[-1]
    return f"Target AY {years}" if kind == "academic_year" else f"Target FY {years}"


def _target_sheet(w: SheetWriter, engine: Engine) -> None:
    """Targets by year, one column per year ("Target AY 2017/18"), one row per KPI and authority."""
    frame = kpi_model.targets(engine)
    if frame.empty:
        return
    refs = dict(zip(kpi_model.kpis(engine)["kpi_id"], kpi_model.kpis(engine)["ref"], strict=True))
    years = sorted({(t.start_date, t.period_kind, t.label) for t in frame.itertuples(index=False)})
    heads = list(dict.fromkeys(_target_heading(kind, label) for _start, kind, label in years))
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for t in frame.itertuples(index=False):
        row = rows.setdefault((refs[t.kpi_id], t.authority_code), {"Ref": refs[t.kpi_id], "LA code": t.authority_code})
        row[_target_heading(t.period_kind, t.label)] = _num(t.target) if _num(t.target) is not None \
            else t.target_text
    _write_frame(w, "KPI targets by year", ("LA code", "Ref", *heads), list(rows.values()))


def _text_or(text: Any, fallback: Any) -> Any:
    """The text as reported when there is one (so an export imported back changes nothing), else the label."""
    return text if isinstance(text, str) and text.strip() else fallback


def _num(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return float(value)
