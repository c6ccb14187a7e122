"""Altair chart specs. Builders return ``alt.Chart`` and never call Streamlit, so the same
spec renders in the app and, through vl-convert, into board packs.

Chart data is kept small (one KPI, one authority): callers aggregate before charting.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import altair as alt
import pandas as pd

from lib import formatting
from lib import milestones as milestone_rules
from lib.read.benchmarks import same_unit

RAG_DOMAIN = [formatting.BAND_WORDS[b] for b in ("green", "amber", "red", "none")]
RAG_RANGE = ["#1b7837", "#e08214", "#b2182b", "#8c8c8c"]  # colour-blind-safe set, with shapes
RAG_SHAPES = ["circle", "triangle-up", "square", "diamond"]
GRADE_DOMAIN = ["Outstanding", "Good", "Requires improvement", "Inadequate", "Not graded"]
GRADE_RANGE = [*formatting.GRADE_COLOURS.values(), "#d9d9d9"]  # the tables' hues, then "Not graded"
MAX_POINTS = 5000


def _band_label(band: object) -> str:
    return formatting.BAND_WORDS.get(str(band), formatting.NO_RAG)


def trend_frame(values: pd.DataFrame) -> pd.DataFrame:
    """The rows a trend chart draws: one per period with value, target and RAG label."""
    df = values[values["value"].notna()].copy()
    df["RAG"] = [_band_label(b) for b in df["rag"]]
    df["period_end"] = pd.to_datetime(df["period_end"])
    df["period_start"] = pd.to_datetime(df["period_start"])
    return df[["period", "period_start", "period_end", "value", "target", "RAG", "period_kind"]].head(MAX_POINTS)


BENCHMARK_COMPARATORS = ("England", "London", "Statistical neighbours")


def chart_benchmarks(bench: pd.DataFrame | None, unit: str | None) -> pd.DataFrame:
    """The benchmarks a KPI's chart may draw: only those in the KPI's own unit.

    ``bench`` comes from lib.read.benchmarks.benchmarks, which gives each figure its own ``unit``;
    a frame without that column says nothing about units, so none of it is drawn.
    """
    if bench is None or bench.empty or not {"unit", "period_kind"} <= set(bench.columns):
        return pd.DataFrame(columns=list(bench.columns) if bench is not None else [])
    keep = bench[[same_unit(unit, u) for u in bench["unit"]]]
    if "origin" in keep and len(keep):
        # one line per comparator and period: the return's own printed figure before LAIT's (as the scorecard)
        keep = keep.assign(_o=[0 if o == "return" else 1 for o in keep["origin"]]).sort_values("_o", kind="stable")
        keep = keep.drop_duplicates(["comparator", "period_kind", "period_start", "period_end"]).drop(columns="_o")
    return keep


def benchmark_frame(
    bench: pd.DataFrame,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    comparators: tuple[str, ...] = BENCHMARK_COMPARATORS,
    *,
    clip: bool = True,
) -> pd.DataFrame:
    """Benchmarks as horizontal segments across the months their period covers (a financial- or
    academic-year figure spans its twelve months), clipped to the window the KPI's own data covers.
    With ``clip=False`` (figures drawn as dated points) figures whose period overlaps the window
    are kept at their own dates, unclipped. ``year_label`` is the year each figure speaks for."""
    columns = ["comparator", "value", "period_start", "period_end", "year_label", "period_kind", "source"]
    if bench.empty:
        return pd.DataFrame(columns=columns)
    df = bench[bench["comparator"].isin(comparators)].copy()
    if df.empty:
        return pd.DataFrame(columns=columns)
    df["period_start"] = pd.to_datetime(df["period_start"])
    df["period_end"] = pd.to_datetime(df["period_end"])
    df["year_label"] = [str(y) if isinstance(y, str) and y else "" for y in df.get("year_label", [""] * len(df))]
    df["period_kind"] = list(df["period_kind"]) if "period_kind" in df.columns else [""] * len(df)
    df["source"] = [str(x) if isinstance(x, str) else "" for x in df.get("source", [""] * len(df))]
    if not clip:  # points stay at their own dates: every figure whose period overlaps the window
        if start is not None:
            df = df[df["period_end"] >= start]
        if end is not None:
            df = df[df["period_start"] <= end]
        return df[columns].head(MAX_POINTS)
    if start is not None:
        df = df[df["period_end"] >= start]
        df["period_start"] = df["period_start"].clip(lower=start)
    if end is not None:
        df = df[df["period_start"] <= end]
        df["period_end"] = df["period_end"].clip(upper=end)
    return df[columns].head(MAX_POINTS)


Y_PADDING = 0.12  # share of the figures' span left above and below them


def y_domain(*figures: Iterable[object]) -> list[float] | None:
    """The y range a trend draws: every figure given (values, targets, benchmarks) with a little
    padding, so none sits on the chart's edge. Zero is included only when the figures are near it
    (closer to it than half their own span); figures that are all positive (or all negative) never
    get an axis crossing zero. None when there is no finite figure."""
    finite = [float(v) for series in figures for v in pd.to_numeric(pd.Series(list(series), dtype=object),
                                                                      errors="coerce")
              if pd.notna(v) and math.isfinite(float(v))]
    if not finite:
        return None
    lo, hi = min(finite), max(finite)
    span = hi - lo
    pad = span * Y_PADDING if span else (abs(hi) * 0.05 or 1.0)
    near = max(span, pad) * 0.5
    bottom = 0.0 if 0 < lo <= near else lo - pad
    top = 0.0 if -near <= hi < 0 else hi + pad
    if lo >= 0:
        bottom = max(bottom, 0.0)
    if hi <= 0:
        top = min(top, 0.0)
    if bottom == top:  # every figure is zero
        top = 1.0
    return [round(bottom, 6), round(top, 6)]


def kpi_trend(
    values: pd.DataFrame,
    bench: pd.DataFrame | None = None,
    *,
    title: str = "",
    unit: str | None = None,
    height: int = 320,
    trajectory: pd.DataFrame | None = None,
) -> alt.Chart:
    """Value line with RAG-shaped points, dashed target line and benchmarks in the KPI's unit only:
    segments across their period when it is of the values' kind, else points at the period's end,
    each with its year in the tooltip. ``bench`` is lib.read.benchmarks.benchmarks output; ``trajectory``
    (lib.read.kpis.targets rows of this KPI) draws each year's target across its year, future years too."""
    data = trend_frame(values)
    path = pd.DataFrame(columns=["start", "end", "target", "label"])
    if trajectory is not None and not trajectory.empty:
        path = trajectory[trajectory["target"].notna()].assign(
            start=lambda t: pd.to_datetime(t["start_date"]), end=lambda t: pd.to_datetime(t["end_date"]),
            label=lambda t: t["label"].astype(str) + " target")[["start", "end", "target", "label"]]
    y_title = "%" if unit == "percent" else (unit or "value")
    x = alt.X("period_end:T", title="Period end", axis=alt.Axis(format="%b %Y", labelAngle=0),
              scale=alt.Scale(padding=14))  # the first and last points (and a lone target) clear the edges
    own = chart_benchmarks(bench, unit)
    same_kind = other_kind = pd.DataFrame(columns=["value"])
    if not own.empty and not data.empty:
        start = data["period_start"].min() - pd.DateOffset(years=1)
        end = data["period_end"].max()
        kinds = set(data["period_kind"])
        same_kind = benchmark_frame(own[own["period_kind"].isin(kinds)], start, end)
        other_kind = benchmark_frame(own[~own["period_kind"].isin(kinds)], start, end, clip=False)
    # one y scale for every layer: the values, the target and the benchmarks drawn, never on an edge
    domain = y_domain(data["value"], data["target"], same_kind["value"], other_kind["value"], path["target"])
    scale = alt.Scale(domain=domain, nice=False, zero=False) if domain else alt.Scale(zero=False)

    def y(field: str, title: str | None = None) -> alt.Y:
        return alt.Y(field, scale=scale) if title is None else alt.Y(field, scale=scale, title=title)

    base = alt.Chart(data)
    line = base.mark_line(color="#1d4f91", strokeWidth=2).encode(x=x, y=y("value:Q", title=y_title))
    points = base.mark_point(size=90, filled=True, opacity=1).encode(
        x=x,
        y=y("value:Q"),
        color=alt.Color("RAG:N", scale=alt.Scale(domain=RAG_DOMAIN, range=RAG_RANGE), title="RAG"),
        shape=alt.Shape("RAG:N", scale=alt.Scale(domain=RAG_DOMAIN, range=RAG_SHAPES), title="RAG"),
        tooltip=[
            alt.Tooltip("period:N", title="Period"),
            alt.Tooltip("value:Q", title="Value", format=",.1f"),
            alt.Tooltip("target:Q", title="Target", format=",.1f"),
            alt.Tooltip("RAG:N"),
        ],
    )
    target = base.mark_line(strokeDash=[6, 4], color="#444444", interpolate="step-after").encode(
        x=x, y=y("target:Q"), tooltip=[alt.Tooltip("target:Q", title="Target", format=",.1f")]
    )
    target_marks = base.mark_tick(color="#444444", thickness=2.5, size=26).encode(
        x=x, y=y("target:Q"), tooltip=[alt.Tooltip("target:Q", title="Target", format=",.1f")]
    )  # a lone target (one annual period) still shows
    # benchmarks first, the target over them (a target equal to a benchmark stays visible), the values on top
    layers: list[alt.Chart] = []
    if not same_kind.empty or not other_kind.empty:
        color = alt.Color("comparator:N", title="Benchmark", scale=alt.Scale(scheme="dark2"))
        tooltip = [
            alt.Tooltip("comparator:N", title="Benchmark"),
            alt.Tooltip("year_label:N", title="Year"),
            alt.Tooltip("value:Q", title="Value", format=",.1f"),
            alt.Tooltip("source:N", title="Source"),
        ]
        if not same_kind.empty:  # a figure of the values' own kind of period spans that period
            layers.append(
                alt.Chart(same_kind).mark_rule(strokeWidth=3, opacity=0.8).encode(
                    x="period_start:T", x2="period_end:T", y=y("value:Q"), color=color, tooltip=tooltip
                )
            )
        if not other_kind.empty:  # another kind of period (a year beside months): a point at its end
            layers.append(
                alt.Chart(other_kind).mark_point(shape="cross", size=110, strokeWidth=2, opacity=0.9).encode(
                    x="period_end:T", y=y("value:Q"), color=color, tooltip=tooltip
                )
            )
    targets: list[alt.Chart] = [target, target_marks]
    with_target = data[data["target"].notna()]
    if len(with_target) == 1:  # no line to draw between targets: the one target spans its own period
        targets.append(alt.Chart(with_target).mark_rule(strokeDash=[6, 4], color="#444444", strokeWidth=1.5).encode(
            x="period_start:T", x2="period_end:T", y=y("target:Q"),
            tooltip=[alt.Tooltip("target:Q", title="Target", format=",.1f")],
        ))
    if len(with_target):  # the dashed line is named where it ends
        targets.append(alt.Chart(with_target.tail(1).assign(label="Target")).mark_text(
            align="right", baseline="bottom", dx=-4, dy=-3, color="#444444", fontSize=12
        ).encode(x=x, y=y("target:Q"), text="label:N"))
    if not path.empty:  # the trajectory: each year's target across its own year
        targets.append(alt.Chart(path).mark_rule(strokeDash=[2, 3], color="#7b3294", strokeWidth=2.5).encode(
            x=alt.X("start:T"), x2="end:T", y=y("target:Q"),
            tooltip=[alt.Tooltip("label:N", title="Year"), alt.Tooltip("target:Q", title="Target", format=",.1f")],
        ))
    layers += [*targets, line, points]
    chart = alt.layer(*layers).resolve_scale(color="independent", shape="independent")
    return chart.properties(title=title, height=height)


def small_multiples(values: pd.DataFrame, columns: int = 3) -> alt.Chart:
    """One small trend per KPI of a theme (monthly series only), independent y scales."""
    data = values[values["value"].notna() & (values["period_kind"] == "month")].copy()
    data["RAG"] = [_band_label(b) for b in data["rag"]]
    data["period_end"] = pd.to_datetime(data["period_end"])
    data["KPI"] = data["ref"] + " " + data["name"].str.slice(0, 38)
    data = data[["KPI", "period_end", "value", "target", "RAG", "period"]].head(MAX_POINTS)
    base = alt.Chart(data).encode(x=alt.X("period_end:T", title=None, axis=alt.Axis(format="%b %y")))
    line = base.mark_line(color="#1d4f91").encode(y=alt.Y("value:Q", title=None))
    pts = base.mark_point(filled=True, size=30).encode(
        y="value:Q",
        color=alt.Color("RAG:N", scale=alt.Scale(domain=RAG_DOMAIN, range=RAG_RANGE)),
        shape=alt.Shape("RAG:N", scale=alt.Scale(domain=RAG_DOMAIN, range=RAG_SHAPES)),
        tooltip=["KPI:N", "period:N", "value:Q", "target:Q", "RAG:N"],
    )
    tgt = base.mark_line(strokeDash=[4, 3], color="#444444").encode(y="target:Q")
    return (
        alt.layer(tgt, line, pts, data=data)
        .properties(width=230, height=120)
        .facet(facet=alt.Facet("KPI:N", title=None, header=alt.Header(labelLimit=260)), columns=columns)
        .resolve_scale(y="independent")
    )


def grade_label(score: object) -> str:
    try:
        value = int(score)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return "Not graded"
    return {1: "Outstanding", 2: "Good", 3: "Requires improvement", 4: "Inadequate"}.get(value, "Not graded")


def grade_distribution(df: pd.DataFrame, highlight: str | None = None) -> alt.Chart:
    """National spread per judgement area: stacked counts of authorities by grade."""
    data = df.copy()
    data["Grade"] = [grade_label(s) for s in data["score"]]
    counts = data.groupby(["area_label", "Grade"]).size().reset_index(name="Authorities")
    counts["order"] = counts["Grade"].map(GRADE_DOMAIN.index)
    return (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            y=alt.Y("area_label:N", title=None, axis=alt.Axis(labelLimit=320)),
            x=alt.X("Authorities:Q", stack="normalize", title="Share of authorities", axis=alt.Axis(format="%")),
            color=alt.Color("Grade:N", scale=alt.Scale(domain=GRADE_DOMAIN, range=GRADE_RANGE)),
            order=alt.Order("order:Q"),
            tooltip=["area_label:N", "Grade:N", "Authorities:Q"],
        )
        .properties(height=220)
    )




MILESTONE_DOMAIN = [milestone_rules.STATUS_LABELS[s] for s in milestone_rules.STATUS_ORDER]
MILESTONE_RANGE = ["#b2182b", "#e08214", "#2166ac", "#8c8c8c", "#1b7837"]
MILESTONE_SHAPES = ["square", "triangle-up", "circle", "diamond", "cross"]


def milestone_timeline(frame: pd.DataFrame, as_at: object | None = None) -> alt.LayerChart:
    """Milestones on a time line, one row per action: shape, colour and word for the status; the as-at date ruled."""
    data = frame[frame["due"].notna()].copy().head(MAX_POINTS)
    data["Due"] = pd.to_datetime(data["due"])
    data["Status"] = [milestone_rules.STATUS_LABELS.get(s, s) for s in data["status"]]
    data["Action"] = data["ref"].astype(str)
    data["Milestone"] = data["label"].map(lambda t: formatting.shorten(formatting.text(t), 90))
    data["Due date"] = data["due"].map(formatting.format_date)
    order = list(dict.fromkeys(data["Action"]))
    height = max(120, min(22 * len(order), 520))
    base = alt.Chart(data).encode(
        x=alt.X("Due:T", title="Due", axis=alt.Axis(format="%b %Y", labelAngle=0)),
        y=alt.Y("Action:N", sort=order, title="Action", axis=alt.Axis(labelLimit=160)),
    )
    line = base.mark_line(color="#bbbbbb", strokeWidth=1).encode(detail="Action:N")
    points = base.mark_point(size=110, filled=True).encode(
        color=alt.Color("Status:N", scale=alt.Scale(domain=MILESTONE_DOMAIN, range=MILESTONE_RANGE),
                        legend=alt.Legend(orient="top", title=None)),
        shape=alt.Shape("Status:N", scale=alt.Scale(domain=MILESTONE_DOMAIN, range=MILESTONE_SHAPES), legend=None),
        tooltip=["Action:N", "Milestone:N", "Due date:N", "Status:N"],
    )
    layers: list[alt.Chart] = [line, points]
    if as_at is not None:
        today = alt.Chart(pd.DataFrame({"as_at": [pd.Timestamp(as_at)]})).mark_rule(
            color="#444444", strokeDash=[4, 3]).encode(x="as_at:T")
        layers.append(today)
    chart: alt.LayerChart = alt.layer(*layers).properties(height=height)  # type: ignore[assignment]
    return chart
