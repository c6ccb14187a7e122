"""Ofsted judgements read model: inspections with board-ready labels, the judgement grid over time,
the latest judgement as at a date, and the ILACS comparison with neighbours, region and England.

Grades are shown as the word with the number printed on the framework's own scale ("Adequate (3)",
"Performs excellently (4)"); :func:`scale_notes` says what each scale means. Pure apart from the
database reads; no Streamlit.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from lib import grades, reference
from lib.read import authorities, base

UNDATED = "date not published"
AREA_COLUMN = "Judgement area"

JUDGEMENTS_SQL = """
SELECT a.name AS authority, a.la_code, a.region, i.id AS inspection_id, i.framework_code AS framework,
       f.short AS framework_label, i.body, i.inspection_type, i.start_date AS inspection_start,
       i.end_date AS inspection_end, i.published_date, j.id AS judgement_id, j.parent_id, j.position,
       j.section, j.area, j.area_key, ja.area_label, ja.sort AS area_sort, j.grade, j.score, j.source
FROM judgement j
JOIN inspection i ON i.id = j.inspection_id
JOIN authority a ON a.la_code = i.authority_code
JOIN framework f ON f.code = i.framework_code
LEFT JOIN judgement_area ja ON ja.framework_code = i.framework_code AND ja.area_key = j.area_key
     AND ja.area_pattern = (SELECT MIN(area_pattern) FROM judgement_area x
                            WHERE x.framework_code = i.framework_code AND x.area_key = j.area_key)
{where}
ORDER BY a.name, i.start_date, i.id, j.position
"""

INSPECTIONS_SQL = """
SELECT i.id AS inspection_id, a.name AS authority, a.la_code, i.framework_code AS framework,
       f.short AS framework_label, f.graded, i.body, i.title, i.inspection_type, i.start_date, i.end_date,
       i.published_date, i.source, i.note
FROM inspection i
JOIN authority a ON a.la_code = i.authority_code
JOIN framework f ON f.code = i.framework_code
{where}
ORDER BY a.name, i.start_date, i.id
"""


# --- small pure helpers ----------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    """None, NaN, NaT, <NA> or empty text: what a board cell must never print."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and pd.isna(value):
        return True
    return isinstance(value, str) and not value.strip()


def _where(df: pd.DataFrame, mask: list[bool]) -> pd.DataFrame:
    """Rows where a Python list of flags is true (an empty list must not select zero columns)."""
    return df[pd.Series(mask, index=df.index, dtype=bool)]


def format_day(day: Any) -> str:
    """A date as a board reads it ("12 Feb 2024"), or "date not published"."""
    return UNDATED if _blank(day) else f"{day.day} {day:%b %Y}"


def event_day(start: Any, published: Any) -> dt.date | None:
    """The date an inspection is known by: its start, else its publication, else None."""
    for day in (start, published):
        if not _blank(day):
            return pd.Timestamp(day).date()
    return None


def known_day(start: Any, published: Any) -> dt.date | None:
    """The date an inspection's judgements are known from: its publication, else its start, else None.

    Grades exist for a reader only once published, so "as at" compares with this day.
    """
    return event_day(published, start)


def framework_short(framework_label: Any, framework: Any = "") -> str:
    """The framework's short name without its years ("SLAC 2009-12" → "SLAC")."""
    text = "" if _blank(framework_label) else str(framework_label)
    text = re.sub(r"\s*\d{4}(\s*[-–]\s*\d{2,4})?\+?$", "", text).strip()
    return text or str(framework or "Inspection").replace("_", " ").capitalize()


def _body_suffix(framework: Any, body: Any) -> str:
    """" (LSCB)" for a judgement of another body inside a local-authority framework."""
    if _blank(body) or body == "Local authority" or framework == "lscb_review":
        return ""
    return " (LSCB)" if "safeguarding" in str(body).lower() else f" ({body})"


def _label_candidates(name: str, day: dt.date | None) -> list[str]:
    """Ever more precise labels: year, month and year, full date."""
    if day is None:
        return [f"{name} ({UNDATED})"]
    return [f"{name} {day:%Y}", f"{name} {day:%b %Y}", f"{name} {day.day} {day:%b %Y}"]


def inspection_labels(events: pd.DataFrame) -> list[str]:
    """Short labels ("ILACS 2024", "SLAC 2012"), unique per authority: the month (then day) is added on a clash."""
    cands = [
        _label_candidates(framework_short(r.framework_label, r.framework) + _body_suffix(r.framework, r.body),
                          event_day(r.start_date, r.published_date))
        for r in events.itertuples(index=False)
    ]
    levels = [0] * len(cands)
    las = list(events["la_code"]) if len(events) else []
    for _ in range(3):
        labels = [c[min(lv, len(c) - 1)] for c, lv in zip(cands, levels, strict=True)]
        keys = list(zip(las, labels, strict=True))
        clashes = {k for k in keys if keys.count(k) > 1}
        levels = [lv + 1 if k in clashes else lv for k, lv in zip(keys, levels, strict=True)]
    labels = [c[min(lv, len(c) - 1)] for c, lv in zip(cands, levels, strict=True)]
    seen: dict[tuple[Any, str], int] = {}
    out = []
    for la, label in zip(las, labels, strict=True):
        seen[(la, label)] = seen.get((la, label), 0) + 1
        out.append(label if seen[(la, label)] == 1 else f"{label} ({seen[(la, label)]})")
    return out


def grade_text(framework: Any, grade: Any, score: Any) -> str:
    """A grade as a board cell shows it: the scale's word with its printed number, else the text as published."""
    if _blank(grade):
        return ""
    scale = reference.scales().get(str(framework))
    if scale is None or _blank(score):
        return str(grade).strip()
    word = grades.label_of(scale, int(score))
    return f"{word} ({grades.published_number(scale, int(score))})" if word else str(grade).strip()


def section_name(section: Any) -> str:
    """A 2009–12 report section in a few words ("Services for looked after children" → "looked after children")."""
    if _blank(section):
        return ""
    text = " ".join(str(section).split()).lower()
    text = re.sub(r"^services for ", "", text)
    return re.sub(r" services$", "", text)


def scale_sentence(framework: str) -> str | None:
    """One plain sentence explaining a graded framework's scale, best grade first (None when ungraded)."""
    scale = reference.scales().get(framework)
    if scale is None or not scale.graded:
        return None
    info = next((f for f in reference.frameworks_yaml() if f["code"] == framework), {})
    name = info.get("plain") or info.get("name") or framework
    printed = [(grades.published_number(scale, s), label) for s, label, _ in scale.grades]
    best = printed[0][0]
    words = ", ".join(f"{n} {label}" for n, label in printed)
    tail = f"{best} is best" + (", the reverse of Ofsted's inspection grades" if best != 1 else "")
    return f"{name}: {words} ({tail})."


# --- frames from the database ----------------------------------------------------------------------


def inspections(engine: Engine, la_codes: list[str] | None = None) -> pd.DataFrame:
    """Every inspection and visit, with a short label unique per authority that pages and ids carry."""
    clause, params = base.in_clause("a.la_code", la_codes, "la")
    df = base.frame(engine, INSPECTIONS_SQL.format(where=f"WHERE {clause}" if clause else ""), params)
    for col in ("start_date", "end_date", "published_date"):
        df[col] = base.to_date(df[col])
    df["graded"] = df["graded"].astype(bool)
    df["inspection_label"] = pd.Series(inspection_labels(df), index=df.index, dtype=object)
    return df


def judgements(engine: Engine, la_codes: list[str] | None = None) -> pd.DataFrame:
    """Every judgement as published, with its crosswalked area, score and its inspection's label."""
    clause, params = base.in_clause("a.la_code", la_codes, "la")
    df = base.frame(engine, JUDGEMENTS_SQL.format(where=f"WHERE {clause}" if clause else ""), params)
    for col in ("inspection_start", "inspection_end", "published_date"):
        df[col] = base.to_date(df[col])
    df["score"] = df["score"].astype("Int64")
    events = inspections(engine, la_codes)
    labels = dict(zip(events["inspection_id"], events["inspection_label"], strict=True))
    df["inspection_label"] = pd.Series([labels.get(i, "") for i in df["inspection_id"]], index=df.index, dtype=object)
    return df


# --- the judgement grid ----------------------------------------------------------------------------


def _columns(history: pd.DataFrame, events: pd.DataFrame) -> dict[int, tuple[str, dt.date | None]]:
    """inspection_id → (label, date), from the inspections frame where it has the inspection."""
    own = history.drop_duplicates("inspection_id")
    if "inspection_label" not in own:
        renamed = own.rename(columns={"inspection_start": "start_date"})
        own = own.assign(inspection_label=inspection_labels(renamed))
    out: dict[int, tuple[str, dt.date | None]] = {
        int(r.inspection_id): (str(r.inspection_label), event_day(r.inspection_start, r.published_date))
        for r in own.itertuples(index=False)
    }
    if not events.empty and "inspection_label" in events:
        for r in events.itertuples(index=False):
            if int(r.inspection_id) in out:
                out[int(r.inspection_id)] = (str(r.inspection_label), event_day(r.start_date, r.published_date))
    return out


def _grid_long(history: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """One row per shown grade: its column (inspection), its row (area, per report section) and the cell text."""
    if history.empty:
        return pd.DataFrame()
    shown = _where(history, [not _blank(g) for g in history["grade"]])
    if shown.empty:
        return pd.DataFrame()
    cols = _columns(shown, events)
    first_pos = shown.assign(s=[section_name(s) for s in shown["section"]]).groupby("s")["position"].min()
    rows = []
    for r in shown.itertuples(index=False):
        label, day = cols[int(r.inspection_id)]
        section = section_name(r.section)
        area = str(r.area_label) if not _blank(r.area_label) else " ".join(str(r.area).split())
        rows.append({
            "inspection_id": int(r.inspection_id), "inspection": label, "day": day, "framework": r.framework,
            "section": section, "area": area, "row": f"{area} — {section}" if section else area,
            "cell": grade_text(r.framework, r.grade, r.score),
            "score": "" if _blank(r.score) else int(r.score),
            "row_key": (0 if not section else 1, int(first_pos[section]) if section else 0,
                        999 if _blank(r.area_sort) else int(r.area_sort), int(r.position)),
        })
    return pd.DataFrame(rows)


def _newest_first(long: pd.DataFrame) -> list[str]:
    """Column labels, newest inspection first and undated ones last."""
    cols = long.drop_duplicates("inspection_id")
    ordered = sorted(zip(cols["day"], cols["inspection_id"], cols["inspection"], strict=True),
                     key=lambda t: (t[0] is not None, t[0] or dt.date.min, t[1]), reverse=True)
    return list(dict.fromkeys(label for _, _, label in ordered))


def judgement_grid(history: pd.DataFrame, events: pd.DataFrame, *, scores: bool = False) -> pd.DataFrame:
    """One authority's grades over time: areas (one row per report section) down, inspections across, "" blank.

    With ``scores`` the same shape holds each cell's normalised score (1 best .. 4 worst, None when ungraded),
    which is what a cell is coloured by: an old scale's printed number (4 = "performs excellently") is not.
    """
    long = _grid_long(history, events)
    if long.empty:
        return pd.DataFrame({AREA_COLUMN: pd.Series(dtype=object)})
    columns = _newest_first(long)
    row_order = long.groupby("row")["row_key"].min().sort_values().index.tolist()
    cells: dict[tuple[str, str], list[Any]] = {}
    for r in long.itertuples(index=False):
        bucket = cells.setdefault((r.row, r.inspection), [])
        item = (None if r.score == "" else r.score) if scores else r.cell
        if item not in bucket:
            bucket.append(item)
    if scores:
        records = [{AREA_COLUMN: row, **{c: next(iter(cells.get((row, c), [])), None) for c in columns}}
                   for row in row_order]
    else:
        records = [{AREA_COLUMN: row, **{c: "; ".join(cells.get((row, c), [])) for c in columns}}
                   for row in row_order]
    return pd.DataFrame(records, columns=[AREA_COLUMN, *columns])


def judgement_grid_rows(engine: Engine, la_code: str) -> list[dict[str, Any]]:
    """The grid in long form for the command line: one dict per shown grade, newest inspection first."""
    long = _grid_long(judgements(engine, [la_code]), inspections(engine, [la_code]))
    if long.empty:
        return []
    order = {label: i for i, label in enumerate(_newest_first(long))}
    long = long.assign(_c=long["inspection"].map(order)).sort_values(["_c", "row_key"], kind="stable")
    return [
        {"inspection": r.inspection, "inspection_start": r.day.isoformat() if r.day else UNDATED,
         "framework": r.framework, "section": r.section, "area": r.area, "grade": r.cell, "score": r.score}
        for r in long.itertuples(index=False)
    ]


def scale_notes(history: pd.DataFrame) -> list[str]:
    """One sentence per graded framework present in the grid, newest first, so the page can explain each scale."""
    long = _grid_long(history, pd.DataFrame())
    if long.empty:
        return []
    ordered = long.sort_values("day", key=lambda s: s.map(lambda d: d or dt.date.min), ascending=False)
    notes = [scale_sentence(str(fw)) for fw in dict.fromkeys(ordered["framework"])]
    return [n for n in notes if n]


# --- the latest judgement as at a date -------------------------------------------------------------


def latest_judgement(
    engine: Engine, la_code: str, as_at: dt.date | None = None
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The graded judgements of the latest graded inspection published by ``as_at``, and inspections after it.

    An inspection with no date at all is never "latest": nothing says it came before ``as_at``.
    """
    df = judgements(engine, [la_code])
    graded = df[df["score"].notna()].copy()
    graded["_day"] = [event_day(s, p) for s, p in zip(graded["inspection_start"], graded["published_date"],
                                                       strict=True)]
    known = [known_day(s, p) for s, p in zip(graded["inspection_start"], graded["published_date"], strict=True)]
    eligible = _where(graded, [d is not None and (as_at is None or d <= as_at) for d in known])
    current = eligible[eligible["_day"] == max(eligible["_day"])] if not eligible.empty else eligible
    return current.drop(columns="_day"), later_inspections(engine, la_code, as_at)


def later_inspections(engine: Engine, la_code: str, as_at: dt.date | None) -> list[dict[str, Any]]:
    """Inspections published (or, unpublished, started) after ``as_at``, so a page never shows them as current."""
    if as_at is None:
        return []
    events = inspections(engine, [la_code])
    out = []
    for r in events.itertuples(index=False):
        day = known_day(r.start_date, r.published_date)
        if day is not None and day > as_at:
            out.append({"label": r.inspection_label, "start": r.start_date, "published": r.published_date,
                        "framework_label": framework_short(r.framework_label, r.framework), "_day": day})
    out.sort(key=lambda item: item["_day"])
    return [{k: v for k, v in item.items() if k != "_day"} for item in out]


# --- ILACS across authorities ----------------------------------------------------------------------


def latest_ilacs(engine: Engine, as_at: dt.date | None = None) -> pd.DataFrame:
    """Each authority's latest ILACS grades started by ``as_at``, only authorities existing then (never 156)."""
    df = judgements(engine)
    df = df[(df["framework"] == "ilacs") & df["score"].notna() & df["inspection_start"].notna()]
    if as_at is not None:
        df = _where(df, [d <= as_at for d in df["inspection_start"]])
    df = _where(df, [authorities.existed(c, as_at) for c in df["la_code"]])
    if df.empty:
        return df
    last = df.groupby("la_code")["inspection_start"].transform("max")
    return df[df["inspection_start"] == last]


def _ilacs_areas(latest: pd.DataFrame) -> dict[str, str]:
    """area_key → column label, in the crosswalk's order."""
    keyed = latest[latest["area_key"].notna()].sort_values(["area_sort", "position"])
    return {str(r.area_key): str(r.area_label) if not _blank(r.area_label) else str(r.area)
            for r in keyed.drop_duplicates("area_key").itertuples(index=False)}


def _authority_row(engine: Engine, latest: pd.DataFrame, code: str, tag: str, areas: dict[str, str]) -> dict[str, str]:
    """One authority's latest ILACS grades, by full name."""
    own = latest[latest["la_code"] == code]
    rec = {"Authority": f"{authorities.authority_name(engine, code)} ({tag})",
           "Inspected": format_day(own.iloc[0]["inspection_start"]) if not own.empty else "no ILACS inspection"}
    for key, column in areas.items():
        hit = own[own["area_key"] == key]
        rec[column] = grade_text("ilacs", hit.iloc[0]["grade"], hit.iloc[0]["score"]) if not hit.empty else ""
    return rec


def _share_row(label: str, subset: pd.DataFrame, total: int, areas: dict[str, str]) -> dict[str, str]:
    """Share of authorities good or better per area, with how many authorities it counts."""
    inspected = subset["la_code"].nunique()
    rec = {"Authority": f"{label} (share good or better)",
           "Inspected": f"{inspected} LAs" if inspected == total else f"{inspected} of {total} LAs"}
    for key, column in areas.items():
        part = subset[subset["area_key"] == key]
        good = int((part["score"] <= 2).sum())
        rec[column] = f"{good / len(part):.0%} good or better ({good} of {len(part)})" if len(part) else ""
    return rec


def comparison(engine: Engine, la_code: str, as_at: dt.date | None = None) -> pd.DataFrame:
    """The authority's latest ILACS grades beside its current statistical neighbours, its region and England."""
    latest = latest_ilacs(engine, as_at)
    if latest.empty:
        return pd.DataFrame(columns=["Authority", "Inspected"])
    areas = _ilacs_areas(latest)
    tag = "us" if la_code == base.our_authority(engine) else "selected"
    rows = [_authority_row(engine, latest, la_code, tag, areas)]
    rows += [_authority_row(engine, latest, code, "SN", areas) for code in authorities.neighbours(engine, la_code)]
    existing = set(authorities.existing_codes(as_at)) | set(latest["la_code"])
    region = authorities.region_of(engine, la_code)
    if region:
        xw = authorities.crosswalk()
        members = {c for c in xw[xw["region"] == region]["la_code"] if c in existing}
        members |= set(latest[latest["region"] == region]["la_code"])
        rows.append(_share_row(f"{region} region", latest[latest["la_code"].isin(members)], len(members), areas))
    rows.append(_share_row("England", latest, len(existing), areas))
    return pd.DataFrame(rows, columns=["Authority", "Inspected", *areas.values()])


def grade_share_table(latest: pd.DataFrame) -> pd.DataFrame:
    """How many authorities hold each ILACS grade per area (the chart as a table), every grade a column."""
    if latest.empty:
        return pd.DataFrame()
    scale = reference.scales()["ilacs"]
    areas = _ilacs_areas(latest)
    rows = []
    for key, column in areas.items():
        part = latest[latest["area_key"] == key]
        rows.append({AREA_COLUMN: column, **{label: int((part["score"] == s).sum()) for s, label, _ in scale.grades}})
    return pd.DataFrame(rows, columns=[AREA_COLUMN, *[label for _, label, _ in scale.grades]])
