"""Settings: our authority, and each KPI's RAG rule and amber tolerance."""

import streamlit as st

from lib import settings, ui

eng = ui.page_setup("Settings")
url, version = ui.db_url(), ui.data_version(eng)
ctx = ui.load_context(url, version)
st.title("Settings")

authorities = ui.load_authorities(url, version)
codes = authorities["la_code"].tolist()
names = dict(zip(authorities["la_code"], authorities["name"], strict=True))
with st.form("authority_form"):
    chosen = st.selectbox(
        "Our authority", codes, index=codes.index(ctx["la_code"]) if ctx["la_code"] in codes else 0,
        format_func=lambda c: f"{names[c]} ({c})",
    )
    if st.form_submit_button("Save authority"):
        settings.set_authority(eng, chosen)
        ui.data_changed()
        st.success(f"Our authority is now {names[chosen]}.")

st.header("RAG rules per KPI", anchor=False)
st.caption(
    "Tolerance: amber when the value misses target by no more than this percentage of the target. "
    "Targeted improvement: the seed papers' key (green = target met; green amber ≥ 80% of the targeted "
    "improvement; red amber 65–80%; red below 65%)."
)
rules = settings.kpi_rules(eng)
edited = st.data_editor(
    rules[["ref", "rag_rule", "amber_tolerance", "polarity", "name"]],
    hide_index=True,
    width="stretch",
    disabled=["ref", "name", "polarity"],
    column_config={
        "ref": st.column_config.TextColumn("Ref", width=100),
        "rag_rule": st.column_config.SelectboxColumn("RAG rule", options=list(settings.RULES), required=True,
                                                     width=170, help="tolerance or targeted_improvement"),
        "amber_tolerance": st.column_config.NumberColumn("Amber tolerance (%)", min_value=0.0, max_value=100.0,
                                                         step=0.5, format="%.1f", width=150),
        "polarity": st.column_config.TextColumn("Polarity", width=90),
        "name": st.column_config.TextColumn("KPI", width=420),
    },
    key="rules_editor",
)
if st.button("Save RAG rules", type="primary"):
    changed = settings.save_kpi_rules(eng, edited)
    ui.data_changed()
    st.success(f"Saved: {changed} KPI rule(s) changed.")
