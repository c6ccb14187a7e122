"""Ofsted judgements: one authority over time across frameworks, and beside its neighbours."""

import streamlit as st

from lib import charts, queries, ui

eng = ui.page_setup("Ofsted judgements")
url, version = ui.db_url(), ui.data_version(eng)
ctx = ui.load_context(url, version)
st.title("Ofsted judgements")

authorities = ui.load_authorities(url, version)
if authorities.empty:
    ui.empty_state("No authorities loaded — run `python -m lib.cli seed` to load the reference data.")
    st.stop()

names = authorities["name"].tolist()
codes = authorities["la_code"].tolist()
state = ui.filters_from_url({"la": "str"})
current = state["la"] if state["la"] in codes else ctx["la_code"]
chosen = st.selectbox(
    "Authority", codes, index=codes.index(current) if current in codes else 0,
    format_func=lambda c: names[codes.index(c)], key="j_la",
)
ui.filters_to_url({"la": chosen})

over_time, across = st.tabs(["Over time", "Beside neighbours and England"])
with over_time:
    history = ui.load_judgements(url, version, (chosen,))
    events = ui.load_inspections(url, version, (chosen,))
    if events.empty:
        ui.empty_state("No inspections recorded for this authority.")
    else:
        grid = queries.judgement_grid(history, events)
        st.caption(
            "Rows are judgement areas matched across frameworks (2009-12, SIF, ILACS) by the crosswalk; "
            "columns are inspections, newest first. Grades are words with the framework's 1-4 score."
        )
        st.dataframe(
            ui.style_grades(grid), hide_index=True, width="stretch",
        )
        ungraded = events[~events["graded"].astype(bool)]
        if not ungraded.empty:
            st.markdown("**Ungraded visits**")
            recs = ui.load_recommendations(url, version, chosen)
            for row in ungraded.itertuples():
                st.markdown(f"**{row.framework_label} · {ui.format_date(row.start_date) or 'date unknown'}**"
                            + (f" · {ui.md(row.note)}" if row.note else ""))
                areas = recs[(recs["inspection_id"] == row.inspection_id)]
                for area in areas.itertuples():
                    st.text(f"• {area.text}")
with across:
    comparison = ui.load_comparison(url, version, chosen)
    if comparison.empty:
        ui.empty_state("No ILACS judgements recorded for this authority yet.")
    else:
        st.caption(
            "Latest ILACS judgements of the authority, its statistical neighbours (2021 set), "
            "its region and England (shares of authorities at each grade)."
        )
        st.dataframe(ui.style_grades(comparison), hide_index=True, width="stretch")
        national = ui.load_national(url, version)
        st.markdown("**National spread of the latest judgements**")
        st.altair_chart(charts.grade_distribution(national), width="stretch")
        st.dataframe(queries.grade_share_table(national), hide_index=True, width="stretch")
