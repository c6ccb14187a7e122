"""Settings: our authority, and each KPI's RAG rule and amber tolerance."""

import streamlit as st

from lib import formatting, rag, settings
from lib.formatting import plain
from lib.ui import loaders, setup, widgets

eng = setup.page_setup("Settings")
url, version = setup.db_url(), setup.data_version(eng)
ctx = loaders.load_context(url, version)
st.title("Settings", anchor=False)

authorities = loaders.load_authorities(url, version)
codes = authorities["la_code"].tolist()
names = dict(zip(authorities["la_code"], authorities["name"], strict=True))
with st.form("authority_form"):
    chosen = st.selectbox(
        "Our authority", codes, index=codes.index(ctx["la_code"]) if ctx["la_code"] in codes else 0,
        format_func=lambda c: names[c],
    )
    if st.form_submit_button("Save authority"):
        settings.set_authority(eng, chosen)
        setup.data_changed()
        st.success(plain(f"Our authority is now {names[chosen]}."))

st.header("RAG rules per KPI", anchor=False)
st.caption(
    "Tolerance: amber when the value misses target by no more than this percentage of the target. "
    "Targeted improvement: the key councils print beside their KPIs (green = target met; green amber ≥ 80% of the "
    "targeted "
    "improvement; red amber 65–80%; red below 65%)."
)
rules = settings.rules_table(eng)
if rules.empty:
    widgets.empty_state("No KPIs defined yet, so there are no rules to set — upload a KPI return or KPI "
                        "definitions on Upload returns; each KPI then gets a rule and tolerance here.")
    st.stop()
edited = st.data_editor(
    rules,
    hide_index=True,
    width="stretch",
    disabled=["Ref", "KPI", "Polarity"],
    column_config={
        "Ref": st.column_config.TextColumn(width=100),
        "RAG rule": st.column_config.SelectboxColumn(options=[formatting.rule_label(r) for r in rag.RULES],
                                                     required=True, width=190),
        "Amber tolerance (%)": st.column_config.NumberColumn(min_value=0.0, max_value=100.0, step=0.5, format="%.1f",
                                                             width=150),
        "Polarity": st.column_config.TextColumn(width=130),
        "KPI": st.column_config.TextColumn(width=420),
    },
    key="rules_editor",
)
if st.button("Save RAG rules", type="primary"):
    changed = settings.save_rules_table(eng, edited)
    setup.data_changed()
    st.success(f"Saved: {formatting.count_text(changed, 'KPI rule')} changed.")
