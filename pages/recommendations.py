"""Recommendations: each Ofsted recommendation → the actions answering it → the KPIs evidencing it."""

import streamlit as st

from lib import queries, ui

eng = ui.page_setup("Recommendations")
url, version = ui.db_url(), ui.data_version(eng)
ctx = ui.load_context(url, version)
st.title("Recommendations")
st.caption("Each recommendation with the actions that answer it and the KPIs that evidence it")

chain = ui.load_chain(url, version, ctx["la_code"])
if chain.empty:
    ui.empty_state("No recommendations recorded yet — they arrive with an inspection or an action-plan return.")
    st.stop()

inspections = chain["inspection"].unique().tolist()
state = ui.filters_from_url({"inspection": "str", "gaps": "bool"})
busiest = chain.groupby("inspection")["action_count"].sum().idxmax()
default_index = inspections.index(state["inspection"] if state["inspection"] in inspections else busiest)
c1, c2 = st.columns([3, 1])
chosen = c1.selectbox("Inspection", inspections, index=default_index, key="r_inspection")
gaps_only = c2.toggle("Only gaps", value=state["gaps"], key="r_gaps",
                      help="Recommendations with no action answering them or no KPI evidencing them")
ui.filters_to_url({"inspection": chosen, "gaps": gaps_only})

shown = queries.chain_filter(chain, inspection=chosen, gaps_only=gaps_only)
no_action = int((shown["action_count"] == 0).sum())
no_evidence = int((shown["kpi_count"] == 0).sum())
m1, m2, m3 = st.columns(3)
m1.metric("Recommendations", len(shown))
m2.metric("⚠ With no action", no_action)
m3.metric("⚠ With no KPI evidence", no_evidence)

st.dataframe(
    ui.style_rag(ui.chain_table(shown), {"Progress": "_rag_level"}),
    hide_index=True,
    width="stretch",
    column_config=ui.CHAIN_COLUMNS,
)
for row in shown.itertuples():
    with st.expander(f"Recommendation {ui.md(row.number)}: {ui.md(row.text[:90])}…"):
        st.text(row.text)
        if row.timeframe:
            st.caption(f"Timeframe: {ui.md(row.timeframe)}")
        if row.action_count:
            st.page_link(
                "pages/action_plan.py",
                label=f"Open the {row.action_count} linked actions in the action plan",
                icon=":material/checklist:",
                query_params={"rec": str(row.number)},
            )
        else:
            st.warning("No action answers this recommendation yet.", icon=":material/warning:")
        if row.kpis:
            st.caption("Evidenced by: " + ", ".join(ui.md(k) for k in row.kpis))
