"""The tables the pages show, shaped from the read models: words, icons and dates, never raw codes.

Pure (no Streamlit), so every shape is unit-tested and the pages only lay them out. Columns whose
name starts with "_" carry the RAG level or score a page colours a cell by; pages drop them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pandas as pd

from lib import formatting, periods
from lib.formatting import BLANK, direction_text, format_target, format_value, or_blank, rag_text
from lib.read import judgements


def action_table(df: pd.DataFrame) -> pd.DataFrame:
    """The action-plan table: words for RAG and status, dates as 24 May 2012, overdue marked."""
    return pd.DataFrame(
        {
            "Ref": df["ref"].astype(str),
            "RAG": [rag_text(r, "Not reported") for r in df["rag"]],
            "Due": [formatting.due_text(d, t, o) for d, t, o in zip(df["due"], df["due_text"], df["overdue"],
                                                                      strict=True)],
            "Status": df["status_label"],
            "Action": df["title"].map(or_blank),
            "Lead officer": df["lead_officer"].map(or_blank),
            "Recs": [", ".join(r) or BLANK for r in df["recommendations"]],
            "_rag_level": df["rag"],
        }
    ).reset_index(drop=True)


def milestone_table(df: pd.DataFrame, *, lead: bool = False) -> pd.DataFrame:
    """Milestones in words: the action, what is due, when, and its status (icon and word)."""
    data: dict[str, Any] = {
        "Action": df["ref"].astype(str).tolist(),
        "Milestone": df["label"].map(or_blank).tolist(),
        "Due": [formatting.format_date(d) or formatting.text(t) or "No date" for d, t in
                zip(df["due"], df["due_text"], strict=True)],
        "Status": df["status_label"].tolist(),
    }
    if lead:
        data["Lead officer"] = df["lead_officer"].map(or_blank).tolist()
    return pd.DataFrame(data)


def update_table(df: pd.DataFrame) -> pd.DataFrame:
    """An action's monthly updates, newest first."""
    return pd.DataFrame(
        {
            "Month": [formatting.text(lbl) or formatting.format_date(d) for lbl, d in
                      zip(df["period_label"], df["period_end"], strict=True)],
            "Status": [formatting.status_word(s) for s in df["status"]],
            "RAG": [rag_text(r, "Not reported") for r in df["rag"]],
            "As reported": df["rag_reported"].map(formatting.text),
            "Commentary": df["commentary"].map(formatting.text),
            "Reported by": df["reported_by"].map(formatting.text),
        }
    ).iloc[::-1].reset_index(drop=True)


def value_text(value: Any, unit: Any, decimals: Any, value_written: Any = None, missing: Any = None) -> str:
    """A KPI figure as shown: the number with its unit, else why it is missing, else "—"."""
    shown = format_value(value, unit, decimals) or formatting.text(value_written)
    return shown or formatting.text(missing).capitalize() or BLANK


def closeness_text(value: Any, target: Any, polarity: Any, rule: Any, previous: Any, unit: Any,
                   decimals: Any) -> str:
    """How close to target: "Met by 1.5 pts", "2.1 pts short"; with the targeted-improvement rule also the
    share of the targeted improvement achieved ("62% of targeted improvement")."""
    from lib import rag

    def number(x: Any) -> float | None:
        return None if formatting.is_blank(x) else float(x)

    v, t, p = number(value), number(target), number(previous)
    gap = rag.gap_to_target(v, t, str(polarity))
    if gap is None:
        return BLANK
    size = format_value(abs(gap), "number" if unit == "percent" else unit, decimals) + (" pts" if unit == "percent"
                                                                                         else "")
    words = "On target" if abs(gap) < 1e-9 else (f"Met by {size}" if gap > 0 else f"{size} short")
    if rule == "targeted_improvement" and gap < 0:
        pct = rag.percent_of_targeted_improvement(v, t, str(polarity), p)
        if pct is not None:
            words += f" · {pct:.0f}% of targeted improvement"
    return words


def targets_by_year_text(years: pd.DataFrame, unit: Any, decimals: Any) -> str:
    """A KPI's targets by year in words: "Targets by year: 2017/18 95.5%; 2018/19 97.7% (…)"."""
    listed = "; ".join(f"{y.label} {format_target(y.target, y.target_text, unit, decimals)}"
                       for y in years.itertuples(index=False))
    return f"Targets by year: {listed} (each value is judged against its own year's target)"


def scorecard_table(df: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """The KPI scorecard: latest value, target, derived and published RAG, direction, period, benchmarks."""
    from lib.read import benchmarks

    by_ref = {r.ref: r for r in summary.itertuples(index=False)} if not summary.empty else {}
    rows = []
    for row in df.itertuples(index=False):
        reported = row.reported_rag if isinstance(row.reported_rag, str) else None
        rows.append(
            {
                "Ref": row.ref,
                "KPI": or_blank(row.name),
                "Value": value_text(row.value, row.unit, row.decimals, row.value_text, row.missing_reason),
                "Target": format_target(row.target, row.target_text, row.unit, row.decimals) or "No target",
                "How close": closeness_text(row.value, row.target, row.polarity, row.rag_rule, row.previous,
                                            row.unit, row.decimals),
                "Derived RAG": rag_text(row.rag_level),
                "Published RAG": rag_text(reported, "None published"),
                "Direction": direction_text(row.direction) or BLANK,
                "Period": or_blank(row.period),
                "Benchmarks": benchmarks.benchmark_cell(by_ref[row.ref], row.unit, row.decimals)
                if row.ref in by_ref else BLANK,
                "_rag_level": row.rag_level,
                "_reported_level": reported,
            }
        )
    columns = ["Ref", "KPI", "Value", "Target", "How close", "Derived RAG", "Published RAG", "Direction", "Period",
               "Benchmarks", "_rag_level", "_reported_level"]
    return pd.DataFrame(rows, columns=columns)


def history_table(df: pd.DataFrame) -> pd.DataFrame:
    """A KPI's figures, newest first (the trend chart as a table)."""
    return pd.DataFrame(
        {
            "Period": df["period"].map(or_blank),
            "Value": [value_text(v, u, d, w, m) for v, u, d, w, m in
                      zip(df["value"], df["unit"], df["decimals"], df["value_text"], df["missing_reason"],
                          strict=True)],
            "Target": [format_target(t, tt, u, d) or BLANK for t, tt, u, d in
                       zip(df["target"], df["target_text"], df["unit"], df["decimals"], strict=True)],
            "Derived RAG": [rag_text(r) for r in df["rag_level"]],
            "Published RAG": [rag_text(r, "None published") for r in df["reported_rag"]],
            "Direction": [direction_text(d) or BLANK for d in df["direction"]],
            "Commentary": df["commentary"].map(formatting.text),
        }
    ).iloc[::-1].reset_index(drop=True)


def benchmark_table(df: pd.DataFrame, decimals: Any = 1) -> pd.DataFrame:
    """A KPI's benchmarks: comparator, year, value with its unit, source."""
    unit = df["unit"] if "unit" in df else pd.Series([None] * len(df), index=df.index)
    return pd.DataFrame(
        {
            "Comparator": df["comparator"].map(or_blank),
            "Year": df["year_label"].map(or_blank),
            "Value": [format_value(v, u, decimals) or BLANK for v, u in zip(df["value"], unit, strict=True)],
            "Unit": [vocab_unit(u) for u in unit],
            "Source": df["source"].map(or_blank),
        }
    )


def vocab_unit(unit: Any) -> str:
    """A unit in words."""
    return {"percent": "Percentage", "number": "Number", "rate": "Rate", "score": "Score", "days": "Days",
            "weeks": "Weeks", "ratio": "Ratio", "currency": "£"}.get(formatting.text(unit), or_blank(unit))


def progress_text(row: Any) -> str:
    """A recommendation's roll-up in words: own and cross-cutting actions apart, and which made it worst."""
    if row.action_count == 0:
        return "⚠ No action answers it"
    parts = [f"{row.done}/{row.action_count} done"]
    if row.overdue:
        parts.append(f"{row.overdue} overdue")
    if isinstance(row.own_worst, str):
        parts.append(f"own worst {rag_text(row.own_worst)}")
    if isinstance(row.cross_worst, str):
        parts.append(f"cross-cutting worst {rag_text(row.cross_worst)}")
    return " · ".join(parts)


def progress_level(row: Any) -> str | None:
    """The band a recommendation's progress cell is coloured by: its own actions' worst, else the cross-cutting.

    Cross-cutting actions answer every recommendation alike, so colouring by them would paint every row the
    same; their worst band is still written in the cell.
    """
    level = row.own_worst if row.own_count else row.cross_worst
    return level if isinstance(level, str) else None


def actions_text(own: list[str], cross: list[str]) -> str:
    """Own action refs, then the number of cross-cutting ones."""
    text = ", ".join(own) if own else "No own action"
    if cross:
        text += f" + {formatting.count_text(len(cross), 'cross-cutting action')}"
    return text


def chain_table(df: pd.DataFrame, kpi_rag: dict[str, Any] | None = None) -> pd.DataFrame:
    """Recommendations with the actions answering them, their progress and evidencing KPIs."""
    kpi_rag = kpi_rag or {}
    rows = []
    for row in df.itertuples(index=False):
        kpis = [f"{k} ({formatting.rag_word(kpi_rag.get(k))})" for k in row.kpis]
        rows.append(
            {
                "No.": row.number,
                "Recommendation": or_blank(row.text),
                "Actions": actions_text(row.own_refs, row.cross_refs),
                "Progress": progress_text(row),
                "Evidence (KPIs)": ", ".join(kpis) if kpis else "⚠ No KPI evidence",
                "_rag_level": progress_level(row),
            }
        )
    columns = ["No.", "Recommendation", "Actions", "Progress", "Evidence (KPIs)", "_rag_level"]
    return pd.DataFrame(rows, columns=columns)


def grade_table(judged: pd.DataFrame) -> pd.DataFrame:
    """The latest judgements: area and grade word with its score."""
    return pd.DataFrame(
        {
            "Judgement": [formatting.text(lbl) or formatting.text(area)
                          for lbl, area in zip(judged["area_label"], judged["area"], strict=True)],
            "Grade": [judgements.grade_text(f, g, s) for f, g, s in
                      zip(judged["framework"], judged["grade"], judged["score"], strict=True)],
            "_score": judged["score"],
        }
    )


def upload_history(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The upload history as shown: when in words, who, outcome."""
    return pd.DataFrame(
        [{"Upload": r["id"], "File": r["filename"], "When": formatting.format_datetime(r["uploaded_at"]),
          "By": r["uploaded_by"] or "Not recorded", "Outcome": str(r["outcome"]).capitalize(), "Added": r["added"],
          "Changed": r["changed"], "Problems": r["problems"]} for r in rows],
        columns=["Upload", "File", "When", "By", "Outcome", "Added", "Changed", "Problems"],
    )


def upload_label(uploads: pd.DataFrame, upload_id: int) -> str:
    row = uploads[uploads["Upload"] == upload_id].iloc[0]
    return f"{upload_id} · {row['File']} · {row['When']}"


def snapshot_label(snaps: pd.DataFrame, snapshot_id: int) -> str:
    row = snaps[snaps["id"] == snapshot_id].iloc[0]
    return f"{row['title']} · {formatting.format_date(row['meeting_date'])} (snapshot {snapshot_id})"


def pack_filename(lead: str) -> str:
    """A return pack's file name from a lead officer's name."""
    return "return-pack-" + re.sub(r"[^a-z0-9]+", "-", lead.lower()).strip("-")[:60] + ".xlsx"


def month_choices(as_at: dt.date, count: int = 18) -> list[periods.Period]:
    """The month after ``as_at`` and the ``count - 1`` months before it, newest first."""
    out = []
    year, month = as_at.year, as_at.month + 1
    for _ in range(count):
        if month == 0:
            year, month = year - 1, 12
        if month == 13:
            year, month = year + 1, 1
        out.append(periods.month(year, month))
        month -= 1
    return out


def parse_iso(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


SECTION_LABELS = {"overview": "Overview", "actions": "Actions", "kpis": "KPIs", "recommendation": "Recommendations",
                  "judgements": "Ofsted"}


def agenda_outline(steps: list[Any], index: int) -> list[str]:
    """Short labels of the agenda's sections, the current one in brackets, for the progress bar."""
    sections: list[str] = []
    for i, step in enumerate(steps):
        label = SECTION_LABELS.get(step.kind, step.kind.capitalize())
        if i == index:
            label = f"[{label}]"
        if not sections or sections[-1].strip("[]") != label.strip("[]"):
            sections.append(label)
        elif i == index:
            sections[-1] = label
    return sections


def change_rows(changes: Any) -> dict[str, pd.DataFrame]:
    """What changed, as the tables the Since-last-board page shows (heading → table)."""
    out: dict[str, pd.DataFrame] = {}
    acts = changes.actions
    if not acts.empty:
        out["Actions whose RAG or status changed"] = pd.DataFrame({
            "Ref": acts["ref"], "Action": acts["title"].map(or_blank),
            "RAG": [f"{rag_text(a)} → {rag_text(b)}" if moved else rag_text(b)
                    for a, b, moved in zip(acts["rag_from"], acts["rag_to"], acts["rag_changed"], strict=True)],
            "Status": [f"{a} → {b}" if moved else str(b) for a, b, moved in
                       zip(acts["status_from_label"], acts["status_to_label"], acts["status_changed"], strict=True)],
            "Lead officer": acts["lead_officer"].map(or_blank), "_rag": acts["rag_to"],
        })
    od = changes.new_overdue
    if not od.empty:
        out["Newly overdue"] = pd.DataFrame({
            "Ref": od["ref"], "Action": od["title"].map(or_blank),
            "Due": [formatting.format_date(d) or BLANK for d in od["due"]],
            "Lead officer": od["lead_officer"].map(or_blank)})
    k = changes.kpis
    if not k.empty:
        out["KPIs whose RAG or direction changed"] = pd.DataFrame({
            "Ref": k["ref"], "KPI": k["name"].map(or_blank),
            "RAG": [f"{rag_text(a)} → {rag_text(b)}" for a, b in zip(k["rag_from"], k["rag_to"], strict=True)],
            "Direction": [f"{direction_text(a) or BLANK} → {direction_text(b) or BLANK}"
                          for a, b in zip(k["direction_from"], k["direction_to"], strict=True)],
            "_rag": k["rag_to"],
        })
    commentary = changes.action_commentary
    if not commentary.empty:
        out["New commentary on actions"] = pd.DataFrame({
            "Ref": commentary["ref"], "Month": [formatting.format_date(d) for d in commentary["period_end"]],
            "Commentary": commentary["commentary"].map(formatting.text),
            "By": commentary["reported_by"].map(or_blank)})
    kc = changes.kpi_commentary
    if not kc.empty:
        out["New commentary on KPIs"] = pd.DataFrame({"Ref": kc["ref"], "Period": kc["period"].map(or_blank),
                                                      "Commentary": kc["commentary"].map(formatting.text)})
    ins = changes.inspections
    if not ins.empty:
        out["New inspections"] = pd.DataFrame({
            "Inspection": ins["framework_label"].map(or_blank),
            "Start": [formatting.format_date(d) or "Date not published" for d in ins["start_date"]],
            "Overall": ins["overall"].map(lambda v: formatting.text(v) or "Not graded")})
    return out


def later_text(later: list[dict[str, Any]]) -> str:
    """The inspections after the as-at date, named so none is taken for the current one ("" when none)."""
    if not later:
        return ""
    first = later[0]
    text = f"later inspection: {first['label']} ({formatting.format_date(first['start']) or 'date not published'})"
    return text + (f" and {len(later) - 1} more" if len(later) > 1 else "")
