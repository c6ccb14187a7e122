"""Action plan: the RAG table of actions, filters kept in the URL, and an action's history."""

import streamlit as st

from lib import queries, ui, vocab

eng = ui.page_setup("Action plan")
url, version = ui.db_url(), ui.data_version(eng)
ctx = ui.load_context(url, version)
st.title("Action plan")
st.caption(f"As at {ui.format_date(ctx['as_at'])}")

acts = ui.load_actions(url, version)
if acts.empty:
    ui.empty_state("No actions yet — upload an action-plan return on the Upload page.")
    st.stop()

state = ui.filters_from_url(
    {"plan": "list", "rec": "list", "lead": "list", "objective": "list", "rag": "list", "status": "list",
     "overdue": "bool", "q": "str"}
)
rec_options = sorted({r for recs in acts["recommendations"] for r in recs}, key=ui.natural_key)
lead_options = sorted(acts["lead_officer"].dropna().unique())
c1, c2, c3, c4 = st.columns([1.1, 2.2, 1.2, 0.9], vertical_alignment="bottom")
recs = c1.multiselect("Recommendation", rec_options, default=ui.valid(state["rec"], rec_options), key="f_rec")
leads = c2.multiselect("Lead officer", lead_options, default=ui.valid(state["lead"], lead_options), key="f_lead")
rags = c3.multiselect(
    "RAG", ["green", "amber", "red", "none"], default=ui.valid(state["rag"], ["green", "amber", "red", "none"]),
    key="f_rag", format_func=lambda r: ui.rag_text(r) if r != "none" else "Not reported",
)
overdue = c4.toggle("Overdue only", value=state["overdue"], key="f_overdue")
more_open = bool(state["plan"] or state["objective"] or state["status"] or state["q"])
with st.expander("More filters: plan, objective, status, text", expanded=more_open):
    m1, m2, m3, m4 = st.columns(4)
    plans = m1.multiselect("Plan", sorted(acts["plan"].unique()), default=ui.valid(state["plan"], acts["plan"].unique()),
                           key="f_plan")
    objectives = m2.multiselect(
        "Objective", sorted(acts["objective"].dropna().unique()),
        default=ui.valid(state["objective"], acts["objective"].dropna().unique()), key="f_objective",
    )
    statuses = m3.multiselect(
        "Status", list(vocab.STATUSES), default=ui.valid(state["status"], vocab.STATUSES), key="f_status",
        format_func=lambda s: vocab.STATUS_LABELS[s],
    )
    search = m4.text_input("Search text", value=state["q"], key="f_q")

ui.filters_to_url(
    {"plan": plans, "rec": recs, "lead": leads, "objective": objectives, "rag": rags, "status": statuses,
     "overdue": overdue, "q": search}
)
shown = queries.action_filter(
    acts, plans=plans, recommendations=recs, leads=leads, objectives=objectives, rags=rags,
    statuses=statuses, overdue_only=overdue, search=search,
)
st.write(f"{len(shown)} of {len(acts)} actions")
table = ui.action_table(shown)
event = st.dataframe(
    ui.style_rag(table, {"RAG": "_rag_level"}) if len(table) <= 500 else table.drop(columns=["_rag_level"]),
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="single-row",
    key="action_table",
    column_config=ui.ACTION_COLUMNS,
)

selected = ui.selected_row(event, shown, url_key="action", key_of=lambda r: f"{r['plan']}:{r['ref']}")
if selected is None:
    st.caption("Select a row to see the action's monthly updates and commentary.")
else:
    st.header(f"{selected['ref']} · {selected['title']}")
    st.caption(f"Latest update: {selected['latest_commentary'] or 'none yet'}")
    c1, c2, c3 = st.columns(3)
    c1.write(f"**Lead officer:** {selected['lead_officer'] or 'not recorded'}")
    c2.write(f"**Due:** {ui.format_date(selected['due']) or selected['due_text'] or 'not set'}")
    c3.write(f"**Recommendations:** {', '.join(selected['recommendations']) or 'none linked'}")
    if selected["description"]:
        with st.expander("Action text", expanded=False):
            st.text(selected["description"])
    if selected["success_measures"]:
        with st.expander("Success measures and milestones", expanded=False):
            st.text(selected["success_measures"])
    history = ui.load_updates(url, version, int(selected["action_id"]))
    if history.empty:
        st.caption("No monthly updates recorded for this action yet.")
    else:
        st.dataframe(ui.update_table(history), hide_index=True, width="stretch",
                     column_config=ui.UPDATE_COLUMNS)

with st.expander("Board pack of this filtered view", icon=":material/download:"):
    st.caption("PowerPoint, PDF and Excel packs restricted to the lead officers and recommendations chosen above.")
    ui.pack_downloads(url, version, since=None, key="actions", leads=leads, recs=recs)
