"""Ofsted judgements: one authority over time across frameworks, and beside its neighbours."""

import streamlit as st

from lib import charts, formatting, tables
from lib.formatting import plain
from lib.read import judgements
from lib.ui import loaders, setup, widgets

eng = setup.page_setup("Ofsted judgements")
url, version = setup.db_url(), setup.data_version(eng)
ctx = loaders.load_context(url, version)
st.title("Ofsted judgements", anchor=False)

authorities = loaders.load_authorities(url, version)
if authorities.empty:
    widgets.empty_state("No official Ofsted data loaded yet — choose 'Start with our own plan' (or 'Load the "
                        "sample') on the overview, or run python -m lib.cli seed --reference-only.")
    st.page_link("pages/overview.py", label="Open the overview", icon=":material/dashboard:")
    st.stop()

names = dict(zip(authorities["la_code"], authorities["name"], strict=True))
codes = authorities["la_code"].tolist()
state = setup.filters_from_url({"la": "str"})
current = state["la"] if state["la"] in codes else ctx["la_code"]
chosen = st.selectbox("Authority", codes, index=codes.index(current) if current in codes else 0,
                      format_func=lambda c: names[c], key="j_la")
setup.filters_to_url({"la": chosen})

over_time, across = st.tabs(["Over time", "Beside neighbours and England"])
with over_time:
    events = loaders.load_inspections(url, version, (chosen,))
    if events.empty:
        widgets.empty_state("No inspections recorded for this authority. The official outcomes of every authority "
                            "load with 'Start with our own plan' on the overview (python -m lib.cli seed "
                            "--reference-only); an inspection's judgements can also be uploaded on Upload returns.")
    else:
        grid, scores, notes = loaders.load_judgement_grid(url, version, chosen)
        st.caption("Rows are judgement areas matched across frameworks (2009–12, SIF, ILACS) by the crosswalk; "
                   "columns are inspections, newest first. Grades are the published words with their 1–4 score.")
        if grid.empty:
            st.caption("No graded judgement recorded for this authority.")
        else:
            st.dataframe(widgets.style_grades(grid.replace("", formatting.BLANK), scores), hide_index=True,
                         width="stretch")
        for note in notes:
            st.caption(plain(note))
        if chosen == ctx["la_code"]:
            _judged, later = loaders.load_latest_judgement(url, version, chosen, ctx["as_at"])
            if later:
                st.caption(plain(f"The data is as at {formatting.format_date(ctx['as_at'])}: "
                                 + tables.later_text(later) + " came after it (not the judgement the board reports)."))
        ungraded = events[~events["graded"].astype(bool)]
        if not ungraded.empty:
            st.markdown("**Ungraded visits**")
            prog = loaders.load_programme(url, version)
            recs = prog.recommendations
            for row in ungraded.itertuples():
                st.markdown(plain(f"{row.inspection_label} · {formatting.format_date(row.start_date) or 'date not published'}"))
                if formatting.text(row.title):
                    st.text(row.title)
                for area in recs[recs["inspection_id"] == row.inspection_id].itertuples():
                    st.text(f"• {area.text}")
with across:
    comparison = loaders.load_comparison(url, version, chosen)
    if comparison.empty:
        widgets.empty_state("No ILACS judgements recorded for this authority yet.")
    else:
        st.caption("Latest ILACS judgements of the authority, its statistical neighbours (the latest published set "
                   "that includes it), its region and England (shares of current authorities judged good or better).")
        st.dataframe(widgets.style_grades(comparison), hide_index=True, width="stretch")
        national = loaders.load_national(url, version)
        st.markdown("**National spread of the latest judgements**")
        widgets.chart(("grades", url, version), lambda: charts.grade_distribution(national))
        st.dataframe(judgements.grade_share_table(national), hide_index=True, width="stretch")
