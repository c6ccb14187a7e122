"""Small shared pieces of every read model: running SQL into frames, dates, our authority, as-at.

Pure apart from the database reads; no Streamlit.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, text

from lib import config

if TYPE_CHECKING:  # pandas is imported where a frame is built: an import alone never pays for it
    import pandas as pd


def frame(engine: Engine, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """The rows of a query as a DataFrame."""
    import pandas as pd

    with engine.connect() as conn:
        return pd.read_sql(text(sql), conn, params=params or {})


def to_date(series: pd.Series) -> pd.Series:
    """ISO strings or timestamps to ``datetime.date`` objects, with None (never NaT) for blanks."""
    import pandas as pd

    converted = pd.to_datetime(series)
    dates = converted.dt.date.astype(object)
    return dates.where(converted.notna(), None)


def in_clause(column: str, values: list[str] | tuple[str, ...] | None, prefix: str = "p") -> tuple[str, dict[str, Any]]:
    """``column IN (:p0, :p1…)`` and its parameters; an empty string when ``values`` is empty."""
    if not values:
        return "", {}
    names = [f"{prefix}{i}" for i in range(len(values))]
    return f"{column} IN (" + ", ".join(f":{n}" for n in names) + ")", dict(zip(names, values, strict=True))


def nothing_to_present(engine: Engine) -> bool:
    """True when no action and no KPI value is stored: the board, the packs and snapshots have nothing to show."""
    with engine.connect() as conn:
        acts = conn.execute(text("SELECT 1 FROM action LIMIT 1")).first()
        vals = None if acts else conn.execute(text("SELECT 1 FROM kpi_value LIMIT 1")).first()
    return acts is None and vals is None


def our_authority(engine: Engine) -> str:
    """The authority the programme is for (Settings), else the configured default."""
    with engine.connect() as conn:
        value = conn.execute(text("SELECT value FROM setting WHERE key = 'authority'")).scalar()
    return str(value) if value else config.DEFAULT_AUTHORITY


def authority_name(engine: Engine, la_code: str) -> str:
    """The authority's name; the code only when the authority is not in the reference data."""
    with engine.connect() as conn:
        value = conn.execute(text("SELECT name FROM authority WHERE la_code = :c"), {"c": la_code}).scalar()
    return str(value) if value else f"Authority {la_code}"


def as_at_date(engine: Engine) -> dt.date:
    """The date the data speaks for: the latest reporting period end of our authority (today when none)."""
    la = our_authority(engine)
    with engine.connect() as conn:
        latest_update = conn.execute(text("SELECT MAX(period_end) FROM action_update")).scalar()
        latest_value = conn.execute(
            text(
                "SELECT MAX(p.end_date) FROM kpi_value v JOIN period p ON p.id = v.period_id "
                "WHERE v.authority_code = :la AND p.kind = 'month'"
            ),
            {"la": la},
        ).scalar()
    import pandas as pd

    dates = [pd.Timestamp(d).date() for d in (latest_update, latest_value) if d is not None]
    return max(dates) if dates else dt.date.today()
