"""KPI scorecard and trends: latest values against target and benchmarks; a KPI's history."""

import streamlit as st

from lib import charts, formatting, tables
from lib.formatting import plain
from lib.read import benchmarks, kpis
from lib.ui import loaders, setup, widgets

eng = setup.page_setup("KPI scorecard")
url, version = setup.db_url(), setup.data_version(eng)
ctx = loaders.load_context(url, version)
st.title("KPI scorecard", anchor=False)
st.caption(plain(f"{ctx['authority']} · latest value of each KPI · derived RAG from target, polarity and tolerance"))

latest = loaders.load_latest_kpis(url, version, ctx["la_code"])
if latest.empty:
    widgets.empty_state("No KPI values yet — upload a KPI return on the Upload page.")
    st.stop()

summary = loaders.load_benchmark_summary(url, version, ctx["la_code"])
state = setup.filters_from_url({"theme": "list", "owner": "list", "rag": "list", "kpi": "str"})
c1, c2, c3 = st.columns(3)
theme_options = sorted(latest["theme"].dropna().unique())
themes = c1.multiselect("Theme", theme_options, default=setup.valid(state["theme"], theme_options), key="k_theme")
owner_options = sorted(latest["owner"].dropna().unique())
owners = c2.multiselect("Owner", owner_options, default=setup.valid(state["owner"], owner_options), key="k_owner")
band_options = ["green", "amber", "red", "none"]
rags = c3.multiselect("Derived RAG", band_options, default=setup.valid(state["rag"], band_options), key="k_rag",
                      format_func=lambda r: formatting.rag_text(r if r != "none" else None))
setup.filters_to_url({"theme": themes, "owner": owners, "rag": rags})
shown = kpis.kpi_filter(latest, themes=themes, owners=owners, rags=rags)
st.write(f"{len(shown)} of {formatting.count_text(len(latest), 'KPI')}")
table = tables.scorecard_table(shown, summary)
event = st.dataframe(
    widgets.style_rag(table, {"Derived RAG": "_rag_level", "Published RAG": "_reported_level"}),
    hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row", key="kpi_table",
    column_config=widgets.SCORECARD_COLUMNS, row_height=widgets.WRAP_ROW_HEIGHT,
)
selected = setup.selected_row(event, shown, url_key="kpi", key_of=lambda r: r["ref"])

if selected is None:
    st.caption("Select a KPI to see its trend against target and benchmarks.")
else:
    ref = selected["ref"]
    history = loaders.load_kpi_history(url, version, ctx["la_code"], ref)
    # what the board could know on the as-at date: no benchmark of a year that had not ended by then
    bench = benchmarks.published_by(loaders.load_benchmarks(url, version, ref), ctx["as_at"])
    st.header(plain(f"{ref} · {selected['name']}"), anchor=False)
    st.caption(plain(
        f"{formatting.polarity_text(selected['polarity'])} · rule: {formatting.rule_label(selected['rag_rule'])} · "
        f"{formatting.text(selected['rag_reason']) or 'no RAG derived'}"
    ))
    years = loaders.load_targets(url, version, ctx["la_code"], int(selected["kpi_id"]))
    widgets.chart(("kpi_trend", url, version, ctx["la_code"], ref, ctx["as_at"]),
                  lambda: charts.kpi_trend(history, bench, unit=selected["unit"], title=f"{ref} trend",
                                           trajectory=years))
    if len(years):
        st.caption(plain(tables.targets_by_year_text(years, selected["unit"], selected["decimals"])))
    st.markdown("**The figures in the chart**")
    st.dataframe(tables.history_table(history), hide_index=True, width="stretch")
    comparable = bench[bench["comparable"].astype(bool)] if "comparable" in bench else bench
    if not comparable.empty:
        with st.expander("Benchmarks"):
            st.dataframe(tables.benchmark_table(comparable, selected["decimals"]), hide_index=True, width="stretch")
            if len(comparable) < len(bench):
                st.caption(f"{formatting.count_text(len(bench) - len(comparable), 'published figure')} in another "
                           "unit (a count beside a rate, a percentage beside a number) are not shown or compared.")

if themes and len(themes) == 1:
    monthly = loaders.load_kpi_values(url, version, ctx["la_code"])
    monthly = monthly[monthly["theme"] == themes[0]]
    if (monthly["period_kind"] == "month").any():
        st.header(plain(f"{themes[0]}: all KPIs"), anchor=False)
        widgets.chart(("small_multiples", url, version, ctx["la_code"], themes[0]),
                      lambda: charts.small_multiples(monthly), width="content")

with st.expander("Board pack of this filtered view", icon=":material/download:"):
    st.caption("PowerPoint, PDF and Excel packs whose KPI pages are restricted to the themes chosen above.")
    widgets.pack_downloads(url, version, since=None, key="kpis", themes=themes)
