"""The store on SQLite and on PostgreSQL: schema versions, seeding, idempotence, atomic writes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select

from lib import periods, sample, store
from lib.model import KpiValue, Setting, UploadChange
from lib.read import attention, base, judgements, programme
from lib.read import kpis as kpi_model
from lib.upserts import ChangeCounter, PeriodCache, upsert_kpi_value


def test_schema_is_at_the_newest_migration(empty_engine: Engine) -> None:
    assert store.current_revision(empty_engine) == store.head_revision()
    store.init_db(empty_engine)  # a second upgrade is a no-op
    assert store.current_revision(empty_engine) == store.head_revision()


def test_seed_twice_changes_nothing(empty_engine: Engine) -> None:
    first = sample.seed(empty_engine)
    counts = sample.row_counts(empty_engine)
    assert first.total_changes > 0
    second = sample.seed(empty_engine)
    assert second.total_changes == 0
    assert sample.row_counts(empty_engine) == counts


def test_seeded_views_hold_the_acceptance_figures(empty_engine: Engine) -> None:
    sample.seed(empty_engine)
    judged = judgements.judgements(empty_engine)
    assert len(judged) >= 40
    assert judged["authority"].nunique() >= 4
    assert judged["framework"].nunique() >= 3

    def score(authority: str, area_part: str, framework: str) -> int:
        rows = judged[
            (judged["authority"] == authority)
            & judged["area"].str.contains(area_part, case=False)
            & (judged["framework"] == framework)
        ]
        return int(rows.iloc[0]["score"])

    assert score("Dudley", "Enjoying and achieving", "slac") == 1
    assert score("Bath and North East Somerset", "contribution of health", "slac") == 4
    assert score("Barnet", "Overall effectiveness", "sif") == 4

    values = kpi_model.kpi_values(empty_engine)
    fs_s6 = values[(values["ref"] == "FS/S6") & (values["period_end"] == dt.date(2017, 3, 31))].iloc[0]
    assert fs_s6["value"] == pytest.approx(44.0)
    assert fs_s6["reported_rag"] == "green"
    fs_s11 = values[(values["ref"] == "FS/S11") & (values["period_end"] == dt.date(2017, 3, 31))].iloc[0]
    assert fs_s11["value"] == pytest.approx(10.4)
    assert fs_s11["reported_rag"] == "red"
    monthly = values[values["period_kind"] == "month"].groupby("ref").size()
    assert (monthly >= 12).sum() >= 10

    acts = programme.actions(empty_engine)
    assert len(acts) >= 40
    assert (acts["recommendations"].map(len) > 1).any()
    assert acts["lead_officer"].fillna("").str.strip().ne("").all()


def test_a_failed_write_leaves_nothing_behind(empty_engine: Engine) -> None:
    with pytest.raises(RuntimeError), store.write(empty_engine) as session:
        session.add(Setting(key="half", value="written"))
        session.flush()
        raise RuntimeError("crash mid-transaction")
    with store.read(empty_engine) as session:
        assert session.get(Setting, "half") is None


def test_upsert_records_changes_for_undo(empty_engine: Engine) -> None:
    sample.seed(empty_engine)
    with store.write(empty_engine) as session:
        from lib.model import Kpi, Upload

        kpi = session.scalars(select(Kpi).where(Kpi.ref == "DU-ASSESS45")).one()
        upload = Upload(filename="x.xlsx", sha256="0" * 64, size_bytes=1, uploaded_at=dt.datetime(2026, 1, 1),
                        outcome="imported")
        session.add(upload)
        session.flush()
        cache = PeriodCache(session)
        counter = ChangeCounter()
        pid = cache.id_for(periods.month(2019, 6))
        outcome = upsert_kpi_value(
            session, kpi_id=kpi.id, authority="302", period_id=pid, values={"value": 12.5},
            upload_id=upload.id, counter=counter,
        )
        assert outcome == "changed"
        new_pid = cache.id_for(periods.month(2019, 7))
        assert upsert_kpi_value(
            session, kpi_id=kpi.id, authority="302", period_id=new_pid, values={"value": 50.0},
            upload_id=upload.id, counter=counter,
        ) == "added"
        again = upsert_kpi_value(
            session, kpi_id=kpi.id, authority="302", period_id=new_pid, values={"value": 50.0},
            upload_id=upload.id, counter=counter,
        )
        assert again == "unchanged"
        changes = session.scalars(select(UploadChange).where(UploadChange.upload_id == upload.id)).all()
        assert sorted(c.operation for c in changes) == ["insert", "update"]
        assert counter.as_dict()["added"] == {"kpi_value": 1}
        total = session.scalar(select(func.count()).select_from(KpiValue))
        assert total and total > 0


def test_attention_this_month_holds_only_this_months_kpis_and_real_movers(seeded_engine: Engine) -> None:
    as_at = base.as_at_date(seeded_engine)
    items = attention.attention(programme.programme(seeded_engine, as_at), kpi_model.latest_kpis(seeded_engine),
                                programme.action_updates(seeded_engine))
    for key in ("kpis_worsened", "kpis_missed_target"):
        assert not items[key].empty
        assert all(d.year == as_at.year and d.month == as_at.month for d in items[key]["period_end"]), key
    assert set(items["kpis_worsened"]["direction"]) == {"worsening"}
    assert set(items["turned_red"]["ref"]) == {"1.08", "3.02"}  # the sample's June 2019 story
    assert all(items["newly_overdue"]["overdue"])
