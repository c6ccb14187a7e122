"""Shipped public reference data: authorities, statistical neighbours, frameworks and
grade scales, the judgement-area crosswalk, official Ofsted outcomes and LAIT benchmarks.

The files live in ``reference_data/`` (licence notes there). Loading is idempotent:
rows are keyed by their natural keys and re-loading changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from lib import config, grades, periods
from lib.model import (
    Authority,
    Framework,
    GradeScale,
    Inspection,
    Judgement,
    JudgementArea,
    StatisticalNeighbour,
)


def _rows(name: str, base: Path | None = None) -> list[dict[str, str]]:
    path = (base or config.REFERENCE_DIR) / name
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _date(text: str | None) -> dt.date | None:
    text = (text or "").strip()
    if not text:
        return None
    return dt.date.fromisoformat(text[:10])


@lru_cache(maxsize=1)
def frameworks_yaml() -> list[dict[str, Any]]:
    with (config.REFERENCE_DIR / "frameworks.yaml").open(encoding="utf-8") as fh:
        data: list[dict[str, Any]] = yaml.safe_load(fh)["frameworks"]
    return data


@lru_cache(maxsize=1)
def scales() -> dict[str, grades.Scale]:
    return grades.load_scales(frameworks_yaml())


def normalise_area_text(area: str) -> str:
    """Lower-case, collapse spaces, drop a leading "2.1 " / "1. " number and trailing punctuation."""
    text = re.sub(r"\s+", " ", area or "").strip().lower()
    text = re.sub(r"^\(?\d+(\.\d+)*\)?\.?\s+", "", text)
    text = text.replace("’", "'")
    return text.rstrip(" .:;")


@lru_cache(maxsize=1)
def crosswalk() -> dict[tuple[str, str], tuple[str, str, int]]:
    table: dict[tuple[str, str], tuple[str, str, int]] = {}
    for row in _rows("judgement_areas.csv"):
        key = (row["framework"], normalise_area_text(row["area_pattern"]))
        table[key] = (row["area_key"], row["area_label"], int(row.get("sort") or 0))
    return table


def area_key(framework: str, area: str) -> str | None:
    """The crosswalk key of a published area wording under a framework (None if unknown)."""
    hit = crosswalk().get((framework, normalise_area_text(area)))
    return hit[0] if hit else None


def grade_score(framework: str, grade: str | None) -> int | None:
    scale = scales().get(framework)
    if scale is None or grade is None or not str(grade).strip():
        return None
    return grades.normalise_grade(grade, scale).score


def load_frameworks(session: Session) -> None:
    for fw in frameworks_yaml():
        session.merge(
            Framework(
                code=fw["code"],
                name=fw["name"],
                short=fw.get("short") or fw["code"],
                years=fw.get("years"),
                graded=bool(fw.get("graded")),
            )
        )
        for grade in fw.get("scale") or []:
            session.merge(
                GradeScale(
                    framework_code=fw["code"],
                    score=int(grade["score"]),
                    label=grade["label"],
                    synonyms="|".join(str(s) for s in grade.get("synonyms") or []),
                )
            )
    for row in _rows("judgement_areas.csv"):
        session.merge(
            JudgementArea(
                framework_code=row["framework"],
                area_pattern=normalise_area_text(row["area_pattern"]),
                area_key=row["area_key"],
                area_label=row["area_label"],
                sort=int(row.get("sort") or 0),
            )
        )


def load_authorities(session: Session) -> int:
    existing = set(session.scalars(select(Authority.la_code)))
    count = 0
    for retired, name in ((False, "local_authorities.csv"), (True, "retired_local_authorities.csv")):
        for row in _rows(name):
            code = row["la_code"].strip().zfill(3)
            if code in existing:
                continue
            session.add(
                Authority(
                    la_code=code,
                    name=row["name"].strip(),
                    ecode=(row.get("ecode") or "").strip() or None,
                    region=(row.get("region") or "").strip() or None,
                    la_type=(row.get("la_type") or "").strip() or None,
                    ofsted_urn=(row.get("ofsted_urn") or "").strip() or None,
                    retired=retired,
                )
            )
            existing.add(code)
            count += 1
    session.flush()
    return count


def load_neighbours(session: Session) -> None:
    have = {(n.la_code, n.set_name, n.rank) for n in session.scalars(select(StatisticalNeighbour))}
    known = set(session.scalars(select(Authority.la_code)))
    for row in _rows("statistical_neighbours.csv"):
        key = (row["la_code"].zfill(3), row["set"], int(row["rank"]))
        if key in have or key[0] not in known:
            continue
        session.add(
            StatisticalNeighbour(
                la_code=key[0],
                set_name=key[1],
                rank=key[2],
                neighbour_code=row["neighbour_code"].zfill(3),
                closeness=row.get("closeness") or None,
            )
        )
        have.add(key)


def get_or_create_inspection(
    session: Session,
    *,
    authority: str,
    framework: str,
    start: dt.date | None,
    body: str = "Local authority",
    **fields: Any,
) -> tuple[Inspection, bool]:
    found = session.scalars(
        select(Inspection).where(
            Inspection.authority_code == authority,
            Inspection.framework_code == framework,
            Inspection.start_date == start if start else Inspection.start_date.is_(None),
            Inspection.body == body,
        )
    ).first()
    if found:
        return found, False
    graded = next((bool(f.get("graded")) for f in frameworks_yaml() if f["code"] == framework), True)
    insp = Inspection(
        authority_code=authority, framework_code=framework, start_date=start, body=body, graded=graded, **fields
    )
    session.add(insp)
    session.flush()
    return insp, True


def add_judgement(
    session: Session,
    inspection: Inspection,
    *,
    area: str,
    grade: str | None,
    position: int,
    section: str | None = None,
    parent: Judgement | None = None,
    source: str | None = None,
) -> Judgement:
    judgement = Judgement(
        inspection_id=inspection.id,
        area=area,
        area_key=area_key(inspection.framework_code, area),
        grade=grade,
        score=grade_score(inspection.framework_code, grade),
        position=position,
        section=section,
        parent_id=parent.id if parent else None,
        source=source,
    )
    session.add(judgement)
    session.flush()
    return judgement


def _group(rows: Iterable[dict[str, str]], *keys: str) -> dict[tuple[str, ...], list[dict[str, str]]]:
    groups: dict[tuple[str, ...], list[dict[str, str]]] = {}
    for row in rows:
        groups.setdefault(tuple(row.get(k, "") for k in keys), []).append(row)
    return groups


def load_ofsted_outcomes(session: Session) -> int:
    """Official ILACS judgements (all 153 LAs) and ungraded visits. Returns inspections added."""
    known = set(session.scalars(select(Authority.la_code)))
    added = 0
    groups = _group(_rows("ofsted_outcomes.csv"), "la_code", "framework", "start_date")
    for (la_code, framework, start), rows in groups.items():
        la_code = la_code.zfill(3)
        if la_code not in known:
            continue
        first = rows[0]
        insp, created = get_or_create_inspection(
            session,
            authority=la_code,
            framework=framework or "ilacs",
            start=_date(start),
            title="Inspection of local authority children's services",
            inspection_type=first.get("inspection_type") or None,
            end_date=_date(first.get("end_date")),
            published_date=_date(first.get("published_date")),
            source="Ofsted official statistics: LA inspection outcomes as at 31 March 2025",
        )
        if not created:
            continue
        added += 1
        for pos, row in enumerate(rows):
            add_judgement(session, insp, area=row["area"], grade=row.get("grade") or None, position=pos)
    for row in _rows("ofsted_visits.csv"):
        la_code = row["la_code"].zfill(3)
        if la_code not in known:
            continue
        insp, created = get_or_create_inspection(
            session,
            authority=la_code,
            framework=row.get("framework") or "focused_visit",
            start=_date(row.get("start_date")),
            title=row.get("visit_type") or None,
            inspection_type=row.get("visit_type") or None,
            end_date=_date(row.get("end_date")),
            published_date=_date(row.get("published_date")),
            note=(f"Theme: {row['theme']}" if row.get("theme") else None),
            source="Ofsted official statistics: in-year inspection activity 2024-25",
        )
        added += int(created)
    return added


def load_all(session: Session) -> None:
    """Everything the product needs before any council data: idempotent."""
    load_frameworks(session)
    load_authorities(session)
    load_neighbours(session)
    session.flush()
    load_ofsted_outcomes(session)


# --- LAIT benchmarks: what period and unit each measure's figures are in ----------------------

# LAIT measures that count children on one day (31 March) although LAIT files them by financial
# or "Annual" year: "2017" is the snapshot at 31 March 2017, not the year before it.
_LAIT_AS_AT_31_MARCH = frozenset({"LAC"})


@lru_cache(maxsize=1)
def lait_measures() -> dict[str, dict[str, str]]:
    """The LAIT measures shipped in reference_data/lait_measures.csv, by LAIT code."""
    return {row["code"]: row for row in _rows("lait_measures.csv")}


@lru_cache(maxsize=1)
def _lait_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for code, row in lait_measures().items():
        names.setdefault(code.strip().lower(), code)
        names.setdefault((row.get("measure") or "").strip().lower(), code)
    names.pop("", None)
    return names


@lru_cache(maxsize=1)
def _kpi_lait_map() -> dict[str, str]:
    return {row["kpi_ref"]: row["lait_measure_code"] for row in _rows("kpi_lait_map.csv") if row.get("kpi_ref")}


def lait_measure_of_kpi(ref: object) -> str | None:
    """The LAIT measure that backs a KPI (reference_data/kpi_lait_map.csv), else None."""
    return _kpi_lait_map().get(str(ref)) if isinstance(ref, str) else None


def lait_measure_code(text: object) -> str | None:
    """The LAIT code of a measure named by its code or its LAIT name (a LAIT benchmark's note), else None."""
    if not isinstance(text, str):
        return None
    return _lait_names().get(text.strip().lower())


def unit_of_lait_measure(code: str | None) -> str | None:
    """The product unit (vocab.UNITS) LAIT's figures for a measure are in, from its axis label and
    chart title: "% ..." or "(%)" percent, "Rate per 10,000" rate, "Score per pupil" score,
    "Case Load" number. None when the measure is unknown or its unit cannot be told."""
    row = lait_measures().get(code or "")
    if row is None:
        return None
    axis = (row.get("y_axis_name") or "").strip().lower()
    title = (row.get("chart_title") or "").strip().lower()
    if axis.startswith("%") or "(%)" in title or axis.startswith("percent"):
        return "percent"
    if axis.startswith("rate per") or "rate per" in title:
        return "rate"
    if "score" in axis or "score" in title:
        return "score"
    if axis in ("case load", "caseload", "number", "count"):
        return "number"
    return None


def lait_unit_label(code: str | None) -> str | None:
    """LAIT's own words for the unit ("Rate per 100,000 of 10-17 population")."""
    row = lait_measures().get(code or "")
    return (row.get("y_axis_name") or "").strip() or None if row else None


def lait_period(year: str, year_type: str | None, code: str | None = None) -> periods.Period:
    """The period a LAIT figure speaks for. LAIT labels every figure with one year:

    - academic-year measures: "2016" is the 2015/16 academic year (results published in 2016);
    - financial-year measures: "2016" is the year ending 31 March 2016 (2015/16), except
      snapshots taken on 31 March ("children looked after at 31 March ...", and the "Annual"
      looked-after rate), which are as at 31 March 2016;
    - "Annual (end of Sept)" workforce measures: as at 30 September 2016, except turnover,
      which is the year to 30 September 2016;
    - calendar-year measures: 1 January to 31 December 2016.

    Raises periods.PeriodError for a label that is not a year.
    """
    text = (year or "").strip()
    if not (len(text) == 4 and text.isdigit()):
        kind = (year_type or "").lower()
        hint = "academic_year" if "academic" in kind else "financial_year" if "financial" in kind else None
        return periods.parse_year_label(text, hint=hint)
    y = int(text)
    kind = (year_type or "").strip().lower()
    row = lait_measures().get(code or "") or {}
    words = " ".join((row.get("measure") or "", row.get("chart_title") or "")).lower()
    if "academic" in kind:
        return periods.academic_year(y - 1)
    if "end of sept" in kind:
        if "turnover" in words:
            return periods.span(dt.date(y - 1, 10, 1), dt.date(y, 9, 30), f"Year to 30 Sep {y}")
        return periods.as_at(dt.date(y, 9, 30))
    if code in _LAIT_AS_AT_31_MARCH or "at 31 march" in words:
        return periods.as_at(dt.date(y, 3, 31))
    if "financial" in kind:
        return periods.financial_year(y - 1)
    if kind == "annual":
        return periods.as_at(dt.date(y, 3, 31))
    return periods.calendar_year(y)
