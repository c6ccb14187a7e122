"""Recommendations: each Ofsted recommendation → the actions answering it → the KPIs evidencing it."""

import streamlit as st

from lib import formatting, tables
from lib.formatting import plain
from lib.read import programme
from lib.ui import loaders, setup, widgets

eng = setup.page_setup("Recommendations")
url, version = setup.db_url(), setup.data_version(eng)
ctx = loaders.load_context(url, version)
st.title("Recommendations", anchor=False)
st.caption("Each recommendation with the actions that answer it and the KPIs that evidence it")

chain = loaders.load_chain(url, version)
if chain.empty:
    widgets.empty_state("No recommendations recorded yet — upload the inspection's recommendations or an "
                        "action-plan return that lists them on Upload returns (or load the sample on the overview).")
    st.page_link("pages/upload.py", label="Upload a return", icon=":material/upload_file:")
    st.stop()

inspections = chain["inspection"].drop_duplicates().tolist()
current = chain[chain["current"]]["inspection"].drop_duplicates().tolist()
later = chain[chain["later"]]["inspection"].drop_duplicates().tolist()
state = setup.filters_from_url({"inspection": "str", "gaps": "bool"})
wanted = state["inspection"] if state["inspection"] in inspections else (current[0] if current else inspections[-1])
c1, c2 = st.columns([3, 1])
chosen = c1.selectbox("Inspection", inspections, index=inspections.index(wanted), key="r_inspection",
                      format_func=lambda i: i + (" (current programme)" if i in current
                                                 else " (after the as-at date)" if i in later else ""))
gaps_only = c2.toggle("Only gaps", value=state["gaps"], key="r_gaps",
                      help="Recommendations with no action answering them or no KPI evidencing them")
setup.filters_to_url({"inspection": chosen, "gaps": gaps_only})

shown = programme.chain_filter(chain, inspection=chosen, gaps_only=gaps_only)
m1, m2, m3 = st.columns(3)
m1.metric("Recommendations", len(shown))
m2.metric("⚠ With no action", int((shown["action_count"] == 0).sum()))
m3.metric("⚠ With no KPI evidence", int((shown["kpis"].map(len) == 0).sum()))

latest = loaders.load_latest_kpis(url, version, ctx["la_code"])
kpi_rag = dict(zip(latest["ref"], latest["rag"], strict=True)) if len(latest) else {}
st.dataframe(widgets.style_rag(tables.chain_table(shown, kpi_rag), {"Progress": "_rag_level"}), hide_index=True,
             width="stretch", column_config=widgets.CHAIN_COLUMNS, row_height=widgets.WRAP_ROW_HEIGHT)
for row in shown.itertuples():
    with st.expander(plain(f"Recommendation {row.id}: {formatting.shorten(row.text, 90)}")):
        st.text(row.text)
        if formatting.text(row.timeframe):
            st.caption(plain(f"Timeframe: {row.timeframe}"))
        if row.action_count:
            st.text(f"Own actions: {', '.join(row.own_refs) or 'none'}")
            if row.cross_refs:
                st.text(f"Cross-cutting actions (answering every recommendation): {', '.join(row.cross_refs)}")
            st.page_link("pages/action_plan.py", label=f"Open {'the ' + formatting.count_text(row.action_count, 'action') if row.action_count > 1 else 'its action'} in the action plan",
                         icon=":material/checklist:", query_params={"rec": row.id})
        else:
            st.warning("No action answers this recommendation yet.", icon=":material/warning:")
        if row.kpis:
            st.caption(plain("Evidenced by: " + ", ".join(row.kpis)))
