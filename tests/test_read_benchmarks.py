"""The benchmarks read model: figures of one year or unit are never shown, drawn or ranked beside
a value of another (lib.read.benchmarks, with the loaders and the trend chart that feed it)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, select, text

from lib import charts, periods, reference, sample, store
from lib.model import Benchmark, Kpi
from lib.read import benchmarks as rb
from lib.read import kpis

BARNET = "302"
AY_2015 = ("academic_year", dt.date(2015, 9, 1), dt.date(2016, 8, 31))


@pytest.fixture(scope="module")
def engine(seeded_url: str) -> Engine:
    return store.get_engine(seeded_url)


@pytest.fixture(scope="module")
def latest(engine: Engine) -> pd.DataFrame:
    return kpis.latest_kpis(engine, BARNET)


@pytest.fixture(scope="module")
def summary(engine: Engine, latest: pd.DataFrame) -> pd.DataFrame:
    return rb.summary(engine, BARNET, latest).set_index("ref", drop=False)


@pytest.fixture(scope="module")
def bench(engine: Engine) -> pd.DataFrame:
    return rb.benchmarks(engine)


def _chart_data(chart: Any) -> list[dict[str, Any]]:
    """Every row of every dataset an Altair spec carries."""
    spec = chart.to_dict()
    rows: list[dict[str, Any]] = []
    for values in spec.get("datasets", {}).values():
        rows.extend(values)
    return rows


def _benchmark_layers(chart: Any) -> list[dict[str, Any]]:
    spec = chart.to_dict()
    datasets = spec.get("datasets", {})
    layers = []
    for layer in spec["layer"]:
        name = (layer.get("data") or {}).get("name")
        data = datasets.get(name, []) if name else []
        if data and "comparator" in data[0]:
            layers.append({"mark": layer["mark"], "data": data})
    return layers


# --- bug 1: CES/S13-1 compares only figures of its own year ---------------------------------------


def test_ces_s13_1_is_benchmarked_against_its_own_academic_year_only(summary: pd.DataFrame) -> None:
    row = summary.loc["CES/S13-1"]
    assert row["value"] == pytest.approx(56.1)
    assert row["year_label"] == "2015/16"
    for col in ("england", "region", "sn"):
        assert row[f"{col}_same_period"] is True, col
        assert row[f"{col}_year"] == "2015/16", col
    # the paper's own 2015/16 figures, not LAIT 2025's 46.0 / 50.5
    assert row["england"] == pytest.approx(48.5)
    assert row["region"] == pytest.approx(51.9)
    assert row["region_name"] == "London"
    assert row["sn"] == pytest.approx(53.0)
    cell = rb.benchmark_cell(row, "score", 1)
    assert "England 48.5 (2015/16)" in cell
    assert "46.0" not in cell and "50.5" not in cell and "latest available" not in cell


def test_ces_s13_1_quartile_and_rank_use_the_2015_16_year_and_our_shown_value(
    engine: Engine, summary: pd.DataFrame
) -> None:
    row = summary.loc["CES/S13-1"]
    assert row["quartile_year"] == "2015/16"
    assert row["quartile_basis"] == "our value"
    sql = (
        "SELECT b.value FROM benchmark b JOIN kpi k ON k.id = b.kpi_id JOIN period p ON p.id = b.period_id "
        "WHERE k.ref = 'CES/S13-1' AND b.comparator LIKE 'LA:%' AND b.comparator != 'LA:302' "
        "AND p.kind = 'academic_year' AND p.start_date = :start"
    )
    with engine.connect() as conn:
        others = [v for (v,) in conn.execute(text(sql), {"start": "2015-09-01"})]
        later = [v for (v,) in conn.execute(text(sql), {"start": "2024-09-01"})]
    assert len(others) > 100 and len(later) > 100  # a 2024/25 year exists, and it is not the one used
    assert row["rank"] == 1 + sum(1 for o in others if o > 56.1)
    assert row["rank_of"] == len(others) + 1
    assert row["quartile"] == math.ceil(4 * row["rank"] / row["rank_of"])
    cell = rb.benchmark_cell(row, "score", 1)
    assert f"quartile {int(row['quartile'])} (2015/16, rank {int(row['rank'])} of {int(row['rank_of'])})" in cell


def test_a_value_without_figures_of_its_period_says_latest_available_with_the_year(
    summary: pd.DataFrame, bench: pd.DataFrame
) -> None:
    row = summary.loc["FS/S15"]  # as at 31 March 2017; LAIT holds financial years
    assert row["england_same_period"] is False
    england = bench[(bench["ref"] == "FS/S15") & (bench["comparator"] == "England") & bench["comparable"]]
    # never a later year's figure beside an older value: the latest begun by 31 March 2017
    begun = england[[s <= dt.date(2017, 3, 31) for s in england["period_start"]]]
    last = begun[begun["period_end"] == begun["period_end"].max()]
    assert row["england_note"] == f"latest available: {last.iloc[0]['year_label']}"
    assert row["england_note"] == "latest available: 2016/17"
    assert england["period_end"].max() > dt.date(2024, 1, 1), "later years exist and are not used"
    assert row["quartile_basis"] == "our LAIT figure"
    assert row["quartile_year"] == "2016/17"
    cell = rb.benchmark_cell(row, "percent", 1)
    assert "(latest available: 2016/17)" in cell and "2024/25" not in cell
    assert "our LAIT figure for 2016/17" in cell


# --- bug 2: a figure in another unit is never drawn or compared -----------------------------------


def test_fs_c14_count_is_not_a_rate(bench: pd.DataFrame) -> None:
    england = bench[(bench["ref"] == "FS/C14") & (bench["comparator"] == "England")]
    counts = england[england["origin"] == "lait"]
    assert len(counts) >= 5
    assert (counts["unit"] == rb.IMPLAUSIBLE_UNIT).all()
    assert not counts["comparable"].any()
    assert counts["unit_note"].str.contains("cannot be a rate").all()
    paper = england[england["origin"] == "return"]
    assert paper["value"].tolist() == [334.0] and paper["comparable"].all()
    london = bench[(bench["ref"] == "FS/C14") & (bench["comparator"] == "London") & (bench["origin"] == "lait")]
    assert (london["unit"] == "rate").all() and london["comparable"].all()


def test_fs_c14_count_never_reaches_its_summary_or_chart(engine: Engine, summary: pd.DataFrame) -> None:
    row = summary.loc["FS/C14"]
    assert row["england"] == pytest.approx(334.0)
    assert row["england_note"] == "latest available: 2016"
    assert "3,071" not in rb.benchmark_cell(row, "rate", 0)
    history = kpis.kpi_values(engine, BARNET, "FS/C14")
    own = rb.benchmarks(engine, "FS/C14")
    counts = set(own[~own["comparable"]]["value"])
    assert 3071.0 in counts
    layers = _benchmark_layers(charts.kpi_trend(history, own, unit="rate"))
    drawn = [r["value"] for layer in layers for r in layer["data"]]
    assert drawn, "the rate benchmarks are drawn"
    assert not counts & set(drawn)
    assert max(drawn) < 1000


def test_every_summary_figure_is_a_comparable_figure_of_its_stated_year(
    summary: pd.DataFrame, bench: pd.DataFrame
) -> None:
    comparable = bench[bench["comparable"]]
    for row in summary.itertuples(index=False):
        for col, comparator in (("england", "England"), ("region", row.region_name)):
            value = getattr(row, col)
            if value is None or pd.isna(value):
                continue
            hits = comparable[
                (comparable["ref"] == row.ref)
                & (comparable["comparator"] == comparator)
                & (comparable["year_label"] == getattr(row, f"{col}_year"))
            ]
            assert any(math.isclose(v, value) for v in hits["value"]), (row.ref, col, value)


def test_a_lait_measure_in_another_unit_is_never_compared(bench: pd.DataFrame, summary: pd.DataFrame) -> None:
    # FS/S3 counts children; LAIT's CPPlans2yrsActive is a percentage
    lait = bench[(bench["ref"] == "FS/S3") & (bench["origin"] == "lait")]
    assert not lait.empty and (lait["unit"] == "percent").all() and not lait["comparable"].any()
    row = summary.loc["FS/S3"]
    assert pd.isna(row["england"]) and pd.isna(row["quartile"])
    assert row["sn"] == pytest.approx(9.0)  # the printed count (2014/15, CIN Census)


# --- bug 3: academic results are filed as academic years ------------------------------------------


def test_academic_results_are_filed_as_academic_years(engine: Engine, bench: pd.DataFrame) -> None:
    values = kpis.kpi_values(engine, BARNET)
    academic = {ref for ref, kinds in values.groupby("ref")["period_kind"] if set(kinds) == {"academic_year"}}
    assert "CES/S13-1" in academic and len(academic) >= 15
    theirs = bench[bench["ref"].isin(academic)]
    assert not theirs.empty
    assert set(theirs["period_kind"]) == {"academic_year"}
    s13 = theirs[(theirs["ref"] == "CES/S13-1") & (theirs["source"] == "DFE")]
    assert sorted(s13["comparator"]) == ["England", "London", "Statistical neighbours"]
    assert set(s13["period_start"]) == {AY_2015[1]} and set(s13["period_end"]) == {AY_2015[2]}
    assert set(s13["year_printed"]) == {"2016"}  # the printed label is kept


def test_no_two_england_figures_of_a_kpi_overlap_without_being_the_same_period(bench: pd.DataFrame) -> None:
    england = bench[bench["comparator"] == "England"]
    for ref, rows in england.groupby("ref"):
        spans = sorted({(r.period_start, r.period_end) for r in rows.itertuples(index=False)})
        for (s1, e1), (s2, e2) in itertools.pairwise(spans):
            assert e1 < s2, (ref, (s1, e1), (s2, e2))


def test_a_reseed_moves_figures_an_old_seed_filed_under_the_wrong_year(fresh_seeded_url: str) -> None:
    engine = store.get_engine(fresh_seeded_url)
    wrong = periods.calendar_year(2016)
    with store.write(engine) as session:
        from lib.upserts import PeriodCache

        calendar_id = PeriodCache(session).id_for(wrong)
        kpi_id = session.scalars(select(Kpi.id).where(Kpi.ref == "CES/S13-1")).one()
        for row in session.scalars(select(Benchmark).where(Benchmark.kpi_id == kpi_id, Benchmark.source == "DFE")):
            row.period_id = calendar_id  # as the old loader filed "(2016, DFE)"
    before = rb.benchmarks(engine, "CES/S13-1")
    assert "calendar_year" in set(before["period_kind"])
    sample.seed(engine)
    after = rb.benchmarks(engine, "CES/S13-1")
    assert set(after["period_kind"]) == {"academic_year"}
    assert len(after[after["source"] == "DFE"]) == 3
    engine.dispose()


def test_lait_years_are_read_as_lait_means_them() -> None:
    assert reference.lait_period("2016", "Academic Year", "AVG_Attain8_Score") == periods.academic_year(2015)
    assert reference.lait_period("2016", "Financial Year", "ReReferral") == periods.financial_year(2015)
    assert reference.lait_period("2017", "Annual", "LAC") == periods.as_at(dt.date(2017, 3, 31))
    stable = reference.lait_period("2017", "Financial Year", "LACStable_2016on")
    assert stable == periods.as_at(dt.date(2017, 3, 31))
    assert reference.lait_period("2016", "Calendar Year", "FirstYJS") == periods.calendar_year(2016)
    assert reference.lait_period("2018", "Annual (end of Sept)", "Work_Force_Agecy_Rate").kind == "as_at"
    assert reference.unit_of_lait_measure("FirstYJS") == "rate"
    assert reference.unit_of_lait_measure("CPPlans2yrsActive") == "percent"
    assert reference.unit_of_lait_measure("AVG_Attain8_Score") == "score"
    assert reference.unit_of_lait_measure("Work_Force_TO_Rate") == "percent"
    assert reference.unit_of_lait_measure("nonsense") is None


def test_a_31_march_count_matches_a_31_march_value(summary: pd.DataFrame) -> None:
    row = summary.loc["FS/S16"]  # children in care per 10,000 as at 31 March 2017; LAIT "2017"
    assert row["england_same_period"] is True and row["england_year"] == "as at 31 Mar 2017"
    assert pd.isna(row["quartile"])  # a "monitor" KPI has no better or worse


def test_benchmark_year_labels() -> None:
    assert periods.parse_benchmark_year("2016", value_kinds={"academic_year"}) == periods.academic_year(2015)
    assert periods.parse_benchmark_year("2015/16", value_kinds={"academic_year"}).kind == "academic_year"
    assert periods.parse_benchmark_year("2016", value_kinds={"as_at"}) == periods.calendar_year(2016)
    assert periods.parse_benchmark_year("2014/15") == periods.financial_year(2014)
    assert periods.year_label("financial_year", dt.date(2015, 4, 1), dt.date(2016, 3, 31)) == "2015/16"
    assert periods.year_label(*AY_2015) == "2015/16"
    assert periods.year_label("calendar_year", dt.date(2016, 1, 1), dt.date(2016, 12, 31)) == "2016"
    assert periods.year_label("as_at", dt.date(2018, 3, 31), dt.date(2018, 3, 31)) == "as at 31 Mar 2018"
    assert periods.year_label("month", dt.date(2019, 6, 1), dt.date(2019, 6, 30)) == "Jun 2019"


# --- quartile and rank ---------------------------------------------------------------------------


def test_quartile_and_rank_respect_polarity_and_ties() -> None:
    others = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0]
    assert rb.rank(75, others, "higher") == (1, 8)
    assert rb.quartile(75, others, "higher") == 1
    assert rb.rank(75, others, "lower") == (8, 8)
    assert rb.quartile(75, others, "lower") == 4
    assert rb.rank(55, others, "higher") == (3, 8)
    assert rb.quartile(55, others, "higher") == 2  # rank 3 of 8
    assert rb.quartile(45, others, "higher") == 2  # rank 4 of 8: still the top half
    assert rb.quartile(35, others, "higher") == 3  # rank 5 of 8
    assert rb.rank(30, others, "higher") == (5, 8)  # a tie shares the better rank
    assert rb.rank(30, [*others, float("nan"), None], "higher") == (5, 8)  # type: ignore[list-item]
    assert rb.quartile(30, others, "monitor") is None
    assert rb.rank(30, [], "higher") is None
    assert rb.quartile(float("nan"), others, "higher") is None


def _values(**over: Any) -> pd.DataFrame:
    row = {"kpi_id": 1, "ref": "K1", "unit": "score", "polarity": "higher", "value": 50.0,
           "period_kind": AY_2015[0], "period_start": AY_2015[1], "period_end": AY_2015[2],
           "period": "Academic Year 2015/16"}  # fmt: skip
    row.update(over)
    return pd.DataFrame([row])


def _bench_rows(rows: list[tuple[str, float, str, tuple[str, dt.date, dt.date]]], **over: Any) -> pd.DataFrame:
    out = []
    for comparator, value, unit, (kind, start, end) in rows:
        rec = {"ref": "K1", "comparator": comparator, "value": value, "unit": unit, "comparable": unit == "score",
               "period_kind": kind, "period_start": start, "period_end": end,
               "year_label": periods.year_label(kind, start, end), "source": "LAIT", "origin": "lait"}  # fmt: skip
        rec.update(over)
        out.append(rec)
    return pd.DataFrame(out)


AY_2024 = ("academic_year", dt.date(2024, 9, 1), dt.date(2025, 8, 31))
AY_2013 = ("academic_year", dt.date(2013, 9, 1), dt.date(2014, 8, 31))


def test_summarise_ranks_our_value_within_its_own_year() -> None:
    las = _bench_rows(
        [("LA:001", 40.0, "score", AY_2015), ("LA:002", 60.0, "score", AY_2015), ("LA:003", 45.0, "score", AY_2015),
         ("LA:302", 30.0, "score", AY_2015),
         ("LA:001", 90.0, "score", AY_2024), ("LA:002", 95.0, "score", AY_2024), ("LA:302", 99.0, "score", AY_2024)]
    )  # fmt: skip
    out = rb.summarise(_values(), pd.DataFrame(), las, la_code=BARNET).iloc[0]
    assert (out["rank"], out["rank_of"]) == (2, 4)  # 50 among 40, 60, 45 (our LAIT 30 replaced by our value)
    assert out["quartile"] == 2 and out["quartile_year"] == "2015/16" and out["quartile_basis"] == "our value"
    assert out["la_value"] == pytest.approx(30.0)


def test_summarise_falls_back_to_our_latest_lait_figure_labelled_with_its_year() -> None:
    las = _bench_rows(
        [("LA:001", 90.0, "score", AY_2013), ("LA:002", 95.0, "score", AY_2013), ("LA:302", 99.0, "score", AY_2013),
         ("LA:001", 99.5, "score", AY_2024), ("LA:302", 10.0, "score", AY_2024)]
    )
    out = rb.summarise(_values(), pd.DataFrame(), las, la_code=BARNET).iloc[0]
    assert (out["rank"], out["rank_of"]) == (1, 3), "the 2013/14 year, never the later 2024/25"
    assert out["quartile_basis"] == "our LAIT figure" and out["quartile_year"] == "2013/14"
    assert out["quartile_note"] == "our LAIT figure for 2013/14"


def test_summarise_never_compares_another_unit() -> None:
    las = _bench_rows([("LA:001", 40.0, "percent", AY_2015), ("LA:302", 99.0, "percent", AY_2015)])
    published = _bench_rows([("England", 12.0, "percent", AY_2015), ("England", 48.0, "score", AY_2013),
                             ("England", 60.0, "score", AY_2024)])
    out = rb.summarise(_values(), published, las, la_code=BARNET).iloc[0]
    assert pd.isna(out["quartile"]) and pd.isna(out["rank"])
    assert out["england"] == pytest.approx(48.0)  # the score of an earlier year, never the percent of this one
    assert out["england_note"] == "latest available: 2013/14"


def test_summarise_prefers_the_returns_own_figure_and_a_same_period_one() -> None:
    published = pd.concat(
        [
            _bench_rows([("England", 50.1, "score", AY_2015), ("England", 46.0, "score", AY_2024)]),
            _bench_rows([("England", 48.5, "score", AY_2015)], source="DFE", origin="return"),
        ]
    )
    out = rb.summarise(_values(), published, pd.DataFrame(), la_code=BARNET, region="London").iloc[0]
    assert out["england"] == pytest.approx(48.5) and out["england_source"] == "DFE"
    assert out["england_same_period"] is True and out["england_note"] == "2015/16"
    assert pd.isna(out["region"])


def test_summarise_statistical_neighbour_mean_from_lait() -> None:
    codes = [f"{i:03d}" for i in range(1, 11)]
    las = _bench_rows([(f"LA:{c}", float(i), "score", AY_2015) for i, c in enumerate(codes, start=1)])
    out = rb.summarise(_values(), pd.DataFrame(), las, la_code=BARNET, neighbours={"2025": codes}).iloc[0]
    assert out["sn"] == pytest.approx(5.5) and out["sn_same_period"] is True
    assert "mean of 10 of 10" in out["sn_source"]
    few = rb.summarise(_values(), pd.DataFrame(), las.head(3), la_code=BARNET, neighbours={"2025": codes})
    assert pd.isna(few.iloc[0]["sn"])  # three of ten neighbours are not a neighbour average


# --- aligned --------------------------------------------------------------------------------------


def test_aligned_keeps_only_the_same_period_and_unit() -> None:
    fy = ("financial_year", dt.date(2018, 4, 1), dt.date(2019, 3, 31))
    june = ("month", dt.date(2018, 6, 1), dt.date(2018, 6, 30))
    values = pd.concat([_values(), _values(period_kind=june[0], period_start=june[1], period_end=june[2])])
    bench = pd.concat(
        [
            _bench_rows([("England", 48.5, "score", AY_2015), ("London", 51.9, "score", AY_2015)]),
            _bench_rows([("England", 12.0, "percent", AY_2015)]),  # another unit
            _bench_rows([("LA:302", 56.0, "score", AY_2015)]),  # an authority
            _bench_rows([("England", 47.0, "score", AY_2024), ("England", 30.0, "score", fy)]),  # other periods
        ]
    )
    out = rb.aligned(values, bench)
    assert len(out) == 2 and list(out.columns[:-1]) == list(values.columns)
    first, monthly = out.iloc[0]["benchmarks"], out.iloc[1]["benchmarks"]
    assert first == [
        {"group": "England", "value": 48.5, "period": "2015/16", "unit": "score", "source": "LAIT"},
        {"group": "London", "value": 51.9, "period": "2015/16", "unit": "score", "source": "LAIT"},
    ]
    assert monthly == []  # the financial year containing June is not June
    json.dumps(out["benchmarks"].tolist())
    only = rb.aligned(values, bench, groups=["London"])
    assert [b["group"] for b in only.iloc[0]["benchmarks"]] == ["London"]


def test_aligned_on_the_seeded_kpi_values(engine: Engine) -> None:
    values = kpis.kpi_values(engine, BARNET, "CES/S13-1")
    out = rb.aligned(values, rb.benchmarks(engine, "CES/S13-1"))
    row = out[out["period_start"] == AY_2015[1]].iloc[0]
    england = sorted((b["value"], b["source"]) for b in row["benchmarks"] if b["group"] == "England")
    assert england == [(48.5, "DFE"), (50.1, "LAIT")]
    assert {b["period"] for b in row["benchmarks"]} == {"2015/16"}
    fs_c14 = rb.aligned(kpis.kpi_values(engine, BARNET, "FS/C14"), rb.benchmarks(engine, "FS/C14"))
    assert all(b["unit"] == "rate" for bs in fs_c14["benchmarks"] for b in bs)
    assert all(b["value"] != 3071.0 for bs in fs_c14["benchmarks"] for b in bs)


# --- text -----------------------------------------------------------------------------------------


def test_benchmark_cells_never_say_nan_or_none(summary: pd.DataFrame, latest: pd.DataFrame) -> None:
    units = latest.set_index("ref")
    cells = [
        rb.benchmark_cell(row, units.loc[row["ref"], "unit"], units.loc[row["ref"], "decimals"])
        for _, row in summary.iterrows()
    ]
    assert len(cells) == len(latest)
    for cell in cells:
        assert cell and "nan" not in cell.lower() and "none" not in cell.lower()
        assert cell == "—" or "(" in cell  # every figure carries its year
    assert rb.benchmark_cell(None, "percent", 1) == "—"
    assert rb.benchmark_cell({"england": float("nan"), "quartile": None}, None, None) == "—"
    assert rb.benchmark_cell({"england": 46.0, "england_note": None}, "percent", 1) == "England 46.0%"
    assert rb.benchmark_cell(
        {"england": 46.0, "england_note": "2015/16", "region": 50.5, "region_name": "London", "region_note": "2015/16",
         "sn": 48.2, "sn_note": "2015/16", "quartile": 2.0, "quartile_note": "2015/16", "rank": 40, "rank_of": 152},
        "percent", 1,
    ) == "England 46.0% (2015/16) · London 50.5% (2015/16) · SN 48.2% (2015/16) · quartile 2 (2015/16, rank 40 of 152)"


def test_same_unit_needs_two_known_equal_units() -> None:
    assert rb.same_unit("rate", "rate") and rb.same_unit("Percent", "percent ")
    assert not rb.same_unit("rate", "count")
    assert not rb.same_unit(None, None) and not rb.same_unit(float("nan"), "rate") and not rb.same_unit("", "")


# --- the chart ------------------------------------------------------------------------------------


def test_trend_draws_another_kind_of_period_as_dated_points_with_its_year(engine: Engine) -> None:
    history = kpis.kpi_values(engine, BARNET, "DU-REREF")  # monthly; LAIT holds financial years
    own = rb.benchmarks(engine, "DU-REREF")
    layers = _benchmark_layers(charts.kpi_trend(history, own, unit="percent", title="DU-REREF"))
    assert layers and all((layer["mark"] if isinstance(layer["mark"], str) else layer["mark"]["type"]) == "point"
                          for layer in layers)  # fmt: skip
    first, last = min(history["period_start"]), max(history["period_end"])
    for row in (r for layer in layers for r in layer["data"]):
        assert row["year_label"] and "/" in row["year_label"]
        end, start = pd.Timestamp(row["period_end"]).date(), pd.Timestamp(row["period_start"]).date()
        assert (end - start).days > 300  # a whole year, at its own dates: never clipped to the window
        assert end >= first - dt.timedelta(days=366) and start <= last


def test_trend_draws_a_same_kind_figure_across_its_period(engine: Engine) -> None:
    history = kpis.kpi_values(engine, BARNET, "CES/S13-1")
    layers = _benchmark_layers(charts.kpi_trend(history, rb.benchmarks(engine, "CES/S13-1"), unit="score"))
    assert layers and all((layer["mark"] if isinstance(layer["mark"], str) else layer["mark"]["type"]) == "rule"
                          for layer in layers)  # fmt: skip
    assert {r["year_label"] for layer in layers for r in layer["data"]} <= {"2014/15", "2015/16"}


def test_trend_draws_no_benchmark_whose_unit_it_cannot_tell(engine: Engine) -> None:
    history = kpis.kpi_values(engine, BARNET, "FS/C14")
    legacy = rb.benchmarks(engine, "FS/C14").drop(columns=["unit"])
    assert _benchmark_layers(charts.kpi_trend(history, legacy, unit="rate")) == []
    assert _benchmark_layers(charts.kpi_trend(history, None, unit="rate")) == []


# --- an empty database ------------------------------------------------------------------------------


def test_an_empty_database_gives_empty_frames_with_the_columns(empty_engine: Engine) -> None:
    bench = rb.benchmarks(empty_engine)
    assert bench.empty and list(bench.columns) == rb.BENCHMARK_COLUMNS
    assert list(rb.benchmarks(empty_engine, "FS/C14", include_las=True).columns) == rb.BENCHMARK_COLUMNS
    values = kpis.latest_kpis(empty_engine, BARNET)
    out = rb.summary(empty_engine, BARNET, values)
    assert out.empty and list(out.columns) == rb.SUMMARY_COLUMNS
    lined = rb.aligned(kpis.kpi_values(empty_engine), bench)
    assert lined.empty and "benchmarks" in lined.columns
