"""Authorities read model: the crosswalk of current and retired authorities, names and statistical neighbours.

The crosswalk comes from the shipped reference CSVs, so names, regions and reorganisations are known
even before anything is loaded into the database. Pure apart from the database reads; no Streamlit.
"""

from __future__ import annotations

import csv
import datetime as dt
from functools import lru_cache

import pandas as pd
from sqlalchemy import Engine, text

from lib import config
from lib.read import base

CROSSWALK_COLUMNS = [
    "la_code", "ecode", "name", "region", "la_type", "current", "created", "ceased",
    "predecessors", "successors", "previous_ecodes", "neighbour_set",
]


def _csv(name: str) -> list[dict[str, str]]:
    """The rows of one shipped reference CSV (none when the file is missing)."""
    path = config.REFERENCE_DIR / name
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _codes(cell: str | None) -> tuple[str, ...]:
    """A "|"-separated cell of LA codes as zero-padded codes."""
    return tuple(c.strip().zfill(3) for c in (cell or "").split("|") if c.strip())


def _day(cell: str | None) -> dt.date | None:
    """An ISO date cell, None when blank."""
    return dt.date.fromisoformat(cell.strip()[:10]) if cell and cell.strip() else None


@lru_cache(maxsize=1)
def _shipped_neighbours() -> dict[str, dict[str, list[str]]]:
    """la_code → set name → neighbour codes in rank order, from the shipped CSV."""
    out: dict[str, dict[str, list[tuple[int, str]]]] = {}
    for row in _csv("statistical_neighbours.csv"):
        sets = out.setdefault(row["la_code"].zfill(3), {})
        sets.setdefault(row["set"], []).append((int(row["rank"]), row["neighbour_code"].zfill(3)))
    return {la: {s: [c for _, c in sorted(ranked)] for s, ranked in sets.items()} for la, sets in out.items()}


def _latest_set(set_names: list[str]) -> str | None:
    """The newest of some neighbour-set names ("2025" beats "2021")."""
    return max(set_names, key=lambda s: (len(s), s)) if set_names else None


@lru_cache(maxsize=1)
def _crosswalk() -> pd.DataFrame:
    """Built once: the shipped CSVs do not change while the app runs."""
    current, retired = _csv("local_authorities.csv"), _csv("retired_local_authorities.csv")
    successors = {r["la_code"].zfill(3): _codes(r.get("replaced_by")) for r in retired}
    ceased = {r["la_code"].zfill(3): _day(r.get("ceased")) for r in retired}
    predecessors: dict[str, list[str]] = {}
    created: dict[str, dt.date | None] = {}
    for old, news in successors.items():
        for new in news:
            predecessors.setdefault(new, []).append(old)
            created[new] = ceased[old]
    sn = _shipped_neighbours()
    rows = []
    for is_current, row in [(True, r) for r in current] + [(False, r) for r in retired]:
        code = row["la_code"].strip().zfill(3)
        rows.append({
            "la_code": code, "ecode": row.get("ecode") or None, "name": row["name"].strip(),
            "region": row.get("region") or None, "la_type": row.get("la_type") or None, "current": is_current,
            "created": created.get(code), "ceased": ceased.get(code),
            "predecessors": tuple(sorted(predecessors.get(code, []))), "successors": successors.get(code, ()),
            "previous_ecodes": tuple(e for e in (row.get("previous_ecodes") or "").split("|") if e),
            "neighbour_set": _latest_set(list(sn.get(code, {}))),
        })
    return pd.DataFrame(rows, columns=CROSSWALK_COLUMNS)


def crosswalk() -> pd.DataFrame:
    """Every authority, current and retired, with its reorganisation links, so history can be followed."""
    return _crosswalk().copy()


def existed(la_code: str, as_at: dt.date | None = None) -> bool:
    """Whether an authority existed on a date (today when None); codes the crosswalk lacks count as existing."""
    day = as_at or dt.date.today()
    created, ceased = _lifespans().get(la_code, (None, None))
    return (created is None or created <= day) and (ceased is None or ceased > day)


@lru_cache(maxsize=1)
def _lifespans() -> dict[str, tuple[dt.date | None, dt.date | None]]:
    """la_code → (created, ceased), looked up for every judgement row, so kept as a dict."""
    xw = _crosswalk()
    return {c: (a, b) for c, a, b in zip(xw["la_code"], xw["created"], xw["ceased"], strict=True)}


def existing_codes(as_at: dt.date | None = None) -> list[str]:
    """The authorities in existence on a date (today: the current ones), for counts that never include the retired."""
    return [c for c in _crosswalk()["la_code"] if existed(c, as_at)]


def current_count(as_at: dt.date | None = None) -> int:
    """How many authorities had children's services on a date (153 today), for "n of N LAs" wording."""
    return len(existing_codes(as_at))


def authorities(engine: Engine) -> pd.DataFrame:
    """Current authorities with full names (from the shipped list when the database holds none), for pickers."""
    df = base.frame(
        engine, "SELECT la_code, name, region, la_type FROM authority WHERE retired = :f ORDER BY name", {"f": False}
    )
    if df.empty:
        shipped = _crosswalk()[_crosswalk()["current"]]
        df = shipped[["la_code", "name", "region", "la_type"]].sort_values("name").reset_index(drop=True)
    return df


def authority_name(engine: Engine, la_code: str) -> str:
    """The authority's full name: the database's, else the shipped list's, so an empty database never shows a code."""
    with engine.connect() as conn:
        value = conn.execute(text("SELECT name FROM authority WHERE la_code = :c"), {"c": la_code}).scalar()
    if value:
        return str(value)
    hit = _crosswalk()[_crosswalk()["la_code"] == la_code]
    return str(hit.iloc[0]["name"]) if not hit.empty else f"Authority {la_code}"


def region_of(engine: Engine, la_code: str) -> str | None:
    """The authority's ONS region: the database's, else the shipped list's."""
    with engine.connect() as conn:
        value = conn.execute(text("SELECT region FROM authority WHERE la_code = :c"), {"c": la_code}).scalar()
    if value:
        return str(value)
    hit = _crosswalk()[_crosswalk()["la_code"] == la_code]
    return str(hit.iloc[0]["region"]) if not hit.empty and hit.iloc[0]["region"] else None


def _stored_sets(engine: Engine, la_code: str) -> dict[str, list[str]]:
    """Set name → neighbour codes in rank order from the database; the shipped CSV when the table is empty."""
    df = base.frame(
        engine,
        "SELECT set_name, neighbour_code FROM statistical_neighbour WHERE la_code = :la ORDER BY set_name, rank",
        {"la": la_code},
    )
    if df.empty:
        with engine.connect() as conn:
            any_rows = conn.execute(text("SELECT 1 FROM statistical_neighbour")).first()
        return {} if any_rows else _shipped_neighbours().get(la_code, {})
    sets: dict[str, list[str]] = {}
    for row in df.itertuples(index=False):
        sets.setdefault(str(row.set_name), []).append(str(row.neighbour_code).zfill(3))
    return sets


def neighbour_set(engine: Engine, la_code: str) -> str | None:
    """Which published neighbour set is used (the latest containing the authority), so a page can say so."""
    return _latest_set(list(_stored_sets(engine, la_code)))


def neighbours(engine: Engine, la_code: str) -> list[str]:
    """The authority's statistical neighbours from the latest set containing it, never a retired authority."""
    sets = _stored_sets(engine, la_code)
    chosen = _latest_set(list(sets))
    return [c for c in sets[chosen] if c != la_code and existed(c)] if chosen else []
