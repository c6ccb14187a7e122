"""Cached loaders: each read model's answer, cached per database URL and data revision.

Bounded (``max_entries``) and cleared after any write in this process (:func:`setup.data_changed`);
another process's writes change the stored revision, so they show after one rerun.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from lib import tables
from lib.read import attention, authorities, base, benchmarks, judgements, kpis, programme
from lib.ui.setup import engine_for

TTL = 3600  # the stored revision keys every cache; the TTL only bounds how long an idle entry lingers


@st.cache_data(ttl=TTL, max_entries=4, show_spinner=False)
def load_context(url: str, version: str) -> dict[str, Any]:
    """Our authority, its name and the as-at date."""
    eng = engine_for(url)
    la = base.our_authority(eng)
    return {"la_code": la, "authority": authorities.authority_name(eng, la), "as_at": base.as_at_date(eng),
            "empty": base.nothing_to_present(eng)}


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def load_programme(url: str, version: str) -> programme.Programme:
    return programme.programme(engine_for(url))


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def load_chain(url: str, version: str) -> pd.DataFrame:
    """Each recommendation with the actions answering it (the programme's chain, built once per revision)."""
    return load_programme(url, version).chain()


@st.cache_data(ttl=TTL, max_entries=32, show_spinner=False)
def load_judgement_grid(url: str, version: str, la_code: str) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """One authority's grid over time: grade words, their scores (for colour) and the scale notes."""
    history, events = load_judgements(url, version, (la_code,)), load_inspections(url, version, (la_code,))
    scores = judgements.judgement_grid(history, events, scores=True).drop(columns=judgements.AREA_COLUMN)
    return judgements.judgement_grid(history, events), scores, judgements.scale_notes(history)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def load_kpi_values(url: str, version: str, la_code: str | None = None) -> pd.DataFrame:
    return kpis.kpi_values(engine_for(url), la_code)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def load_targets(url: str, version: str, la_code: str, kpi_id: int) -> pd.DataFrame:
    """One KPI's targets by year for our authority (and those set for every authority)."""
    frame = kpis.targets(engine_for(url))
    return frame[(frame["kpi_id"] == kpi_id) & frame["authority_code"].isin([la_code, kpis.ANY_AUTHORITY])]


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def load_latest_kpis(url: str, version: str, la_code: str) -> pd.DataFrame:
    return kpis.latest_of(load_kpi_values(url, version, la_code))


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def load_kpi_history(url: str, version: str, la_code: str, ref: str) -> pd.DataFrame:
    return kpis.kpi_values(engine_for(url), la_code, ref)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def load_benchmarks(url: str, version: str, kpi_ref: str | None = None) -> pd.DataFrame:
    return benchmarks.benchmarks(engine_for(url), kpi_ref)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def load_benchmark_summary(url: str, version: str, la_code: str) -> pd.DataFrame:
    ctx = load_context(url, version)
    return benchmarks.summary(engine_for(url), la_code, load_latest_kpis(url, version, la_code), ctx["as_at"])


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def load_attention(url: str, version: str, la_code: str) -> dict[str, pd.DataFrame]:
    eng = engine_for(url)
    return attention.attention(load_programme(url, version), load_latest_kpis(url, version, la_code),
                               programme.action_updates(eng))


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def load_updates(url: str, version: str, action_id: int) -> pd.DataFrame:
    return programme.action_updates(engine_for(url), action_id)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def load_judgements(url: str, version: str, la_codes: tuple[str, ...]) -> pd.DataFrame:
    return judgements.judgements(engine_for(url), list(la_codes))


@st.cache_data(ttl=TTL, max_entries=32, show_spinner=False)
def load_inspections(url: str, version: str, la_codes: tuple[str, ...]) -> pd.DataFrame:
    return judgements.inspections(engine_for(url), list(la_codes))


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def load_latest_judgement(url: str, version: str, la_code: str, as_at: dt.date) -> tuple[pd.DataFrame, list[Any]]:
    return judgements.latest_judgement(engine_for(url), la_code, as_at)


@st.cache_data(ttl=TTL, max_entries=32, show_spinner=False)
def load_comparison(url: str, version: str, la_code: str) -> pd.DataFrame:
    return judgements.comparison(engine_for(url), la_code)


@st.cache_data(ttl=TTL, max_entries=4, show_spinner=False)
def load_national(url: str, version: str) -> pd.DataFrame:
    return judgements.latest_ilacs(engine_for(url))


@st.cache_data(ttl=TTL, max_entries=4, show_spinner=False)
def load_authorities(url: str, version: str) -> pd.DataFrame:
    return authorities.authorities(engine_for(url))


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def load_agenda(url: str, version: str, presenting: bool = False) -> list[Any]:
    from lib import board

    return board.agenda(engine_for(url), presenting=presenting)


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def load_snapshots(url: str, version: str) -> pd.DataFrame:
    from lib import snapshots

    return snapshots.list_snapshots(engine_for(url))


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def load_changes(url: str, version: str, since: dt.date) -> Any:
    from lib import changes

    return changes.changes_since(engine_for(url), since)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def load_snapshot_changes(url: str, version: str, snapshot_id: int) -> Any:
    from lib import snapshots

    return snapshots.compare_with_today(engine_for(url), snapshot_id)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def load_upload_changes(url: str, version: str, upload_id: int) -> Any:
    from lib import changes

    return changes.since_upload(engine_for(url), upload_id)


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def load_upload_history(url: str, version: str) -> pd.DataFrame:
    from lib.returns import pipeline

    return tables.upload_history(pipeline.uploads(engine_for(url)))


@st.cache_data(ttl=TTL, max_entries=32, show_spinner=False)
def template_bytes(url: str, version: str, lead: str | None) -> bytes:
    from lib.returns import template

    return template.template(engine_for(url), lead_officer=lead)
