"""KPI scorecard and trends: latest values against target and benchmarks; a KPI's history."""

import streamlit as st

from lib import charts, queries, ui

eng = ui.page_setup("KPI scorecard")
url, version = ui.db_url(), ui.data_version(eng)
ctx = ui.load_context(url, version)
st.title("KPI scorecard")
st.caption(f"{ctx['authority']} · latest value of each KPI · derived RAG from target, polarity and tolerance")

latest = ui.load_latest_kpis(url, version, ctx["la_code"])
if latest.empty:
    ui.empty_state("No KPI values yet — upload a KPI return on the Upload page.")
    st.stop()

summary = ui.load_benchmark_summary(url, version, ctx["la_code"])
state = ui.filters_from_url({"theme": "list", "owner": "list", "rag": "list", "kpi": "str"})
c1, c2, c3 = st.columns(3)
themes = c1.multiselect(
    "Theme", sorted(latest["theme"].dropna().unique()),
    default=ui.valid(state["theme"], latest["theme"].dropna().unique()), key="k_theme",
)
owners = c2.multiselect(
    "Owner", sorted(latest["owner"].dropna().unique()),
    default=ui.valid(state["owner"], latest["owner"].dropna().unique()), key="k_owner",
)
rags = c3.multiselect(
    "Derived RAG", ["green", "amber", "red", "none"], default=ui.valid(state["rag"], ["green", "amber", "red", "none"]),
    key="k_rag", format_func=lambda r: ui.rag_text(r) if r != "none" else "No RAG",
)
ui.filters_to_url({"theme": themes, "owner": owners, "rag": rags})
shown = queries.kpi_filter(latest, themes=themes, owners=owners, rags=rags)
st.write(f"{len(shown)} of {len(latest)} KPIs")
table = ui.scorecard_table(shown, summary)
event = st.dataframe(
    ui.style_rag(table, {"Derived RAG": "_rag_level", "Published RAG": "_reported_level"}),
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="single-row",
    key="kpi_table",
    column_config=ui.SCORECARD_COLUMNS,
)
selected = ui.selected_row(event, shown, url_key="kpi", key_of=lambda r: r["ref"])

if selected is None:
    st.caption("Select a KPI to see its trend against target and benchmarks.")
else:
    ref = selected["ref"]
    history = ui.load_kpi_history(url, version, ctx["la_code"], ref)
    bench = ui.load_benchmarks(url, version, ref)
    st.header(f"{ui.md(ref)} · {ui.md(selected['name'])}", anchor=False)
    st.caption(
        f"{ui.polarity_text(selected['polarity'])} · rule: {selected['rag_rule'].replace('_', ' ')} · "
        f"{selected['rag_reason']}"
    )
    st.altair_chart(
        charts.kpi_trend(history, bench, unit=selected["unit"], title=f"{ref} trend"), width="stretch"
    )
    st.markdown("**The figures in the chart**")
    st.dataframe(ui.history_table(history), hide_index=True, width="stretch")
    if not bench.empty:
        with st.expander("Benchmarks"):
            st.dataframe(ui.benchmark_table(bench), hide_index=True, width="stretch")

if themes and len(themes) == 1:
    monthly = ui.load_kpi_values(url, version, ctx["la_code"])
    monthly = monthly[monthly["theme"] == themes[0]]
    if (monthly["period_kind"] == "month").any():
        st.header(f"{ui.md(themes[0])}: all KPIs", anchor=False)
        st.altair_chart(charts.small_multiples(monthly), width="content")

with st.expander("Board pack of this filtered view", icon=":material/download:"):
    st.caption("PowerPoint, PDF and Excel packs whose KPI pages are restricted to the themes chosen above.")
    ui.pack_downloads(url, version, since=None, key="kpis", themes=themes)
