"""Action plan: the RAG table of actions, filters kept in the URL, and an action's history."""

import streamlit as st

from lib import charts, formatting, tables, vocab
from lib.formatting import plain
from lib.ui import loaders, setup, widgets

eng = setup.page_setup("Action plan")
url, version = setup.db_url(), setup.data_version(eng)
ctx = loaders.load_context(url, version)
st.title("Action plan", anchor=False)
st.caption(f"As at {formatting.format_date(ctx['as_at'])}")

prog = loaders.load_programme(url, version)
acts = prog.actions
if acts.empty:
    widgets.empty_state("No actions yet — upload an action-plan return on the Upload page.")
    st.stop()

state = setup.filters_from_url(
    {"plan": "list", "rec": "list", "lead": "list", "objective": "list", "rag": "list", "status": "list",
     "board": "list", "overdue": "bool", "q": "str", "action": "str"}
)
plan_options = acts["plan"].drop_duplicates().tolist()
rec_ids = prog.recommendations["id"].tolist()
rec_state = prog.resolve(state["rec"])  # "?rec=10" is the current programme's recommendation 10
plan_default = prog.plans_shown(state["plan"], state["action"], rec_state)

c1, c2, c3, c4 = st.columns([2.0, 2.0, 1.2, 0.9], vertical_alignment="bottom")
recs = c1.multiselect("Recommendation", rec_ids, default=setup.valid(rec_state, rec_ids), key="f_rec",
                      help="Its own actions and the cross-cutting actions answering every recommendation")
lead_options = prog.lead_options()
leads = c2.multiselect("Lead officer", lead_options, default=setup.valid(state["lead"], lead_options), key="f_lead",
                       help="Actions led jointly count for each of their leads")
band_options = ["green", "amber", "red", "none"]
rags = c3.multiselect("RAG", band_options, default=setup.valid(state["rag"], band_options), key="f_rag",
                      format_func=lambda r: formatting.rag_text(r if r != "none" else None, "Not reported"))
overdue = c4.toggle("Overdue only", value=state["overdue"], key="f_overdue")
more_open = bool(state["plan"] or state["objective"] or state["status"] or state["q"] or state["board"])
with st.expander("More filters: plan, objective, oversight board, status, text", expanded=more_open):
    m1, m2, m5, m3, m4 = st.columns(5)
    plans = m1.multiselect(
        "Plan", plan_options, default=plan_default, key="f_plan",
        format_func=lambda p: p if p in prog.current_plans else f"{p} (history)",
        help="The current programme's plans are chosen to start with; older plans are history",
    )
    objective_options = sorted(acts["objective"].dropna().unique())
    objectives = m2.multiselect("Objective", objective_options, default=setup.valid(state["objective"],
                                                                                    objective_options),
                                key="f_objective")
    board_options = prog.board_options()
    boards = m5.multiselect("Oversight board", board_options, default=setup.valid(state["board"], board_options),
                            key="f_board", help="The board or group each action reports to, as the plan names it")
    statuses = m3.multiselect("Status", list(vocab.STATUSES), default=setup.valid(state["status"], vocab.STATUSES),
                              key="f_status", format_func=formatting.status_word)
    search = m4.text_input("Search text", value=state["q"], key="f_q")

setup.filters_to_url(
    {"plan": plans if plans != list(prog.current_plans) else [], "rec": recs, "lead": leads,
     "objective": objectives, "rag": rags, "status": statuses, "board": boards, "overdue": overdue, "q": search}
)
shown = prog.filter_actions(plans=plans, recommendations=recs, leads=leads, objectives=objectives, rags=rags,
                            statuses=statuses, boards=boards, overdue_only=overdue, search=search)
st.write(f"{len(shown)} of {formatting.count_text(len(acts), 'action')}")
if recs:
    cross = int(shown["applies_to_all"].sum())
    st.caption(f"{formatting.count_text(len(shown) - cross, 'own action')} and "
               f"{formatting.count_text(cross, 'cross-cutting action')} (Recs: ALL — they answer every "
               "recommendation of the inspection).")
table = tables.action_table(shown)
event = st.dataframe(
    widgets.style_rag(table, {"RAG": "_rag_level"}) if len(table) <= 500 else table.drop(columns=["_rag_level"]),
    hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row", key="action_table",
    row_height=widgets.WRAP_ROW_HEIGHT,
    column_config=widgets.ACTION_COLUMNS,
)

selected = setup.selected_row(event, shown, url_key="action", key_of=lambda r: r["key"])
if selected is None:
    st.caption("Select a row to see the action's monthly updates and commentary.")
else:
    st.header(plain(f"{selected['ref']} · {selected['title']}"), anchor=False)
    plan_word = "current programme" if selected["plan"] in prog.current_plans else "history"
    st.caption(plain(f"{selected['plan']} ({plan_word}) · {formatting.text(selected['plan_title'])}"))
    c1, c2, c3, c4 = st.columns(4)
    c1.markdown("**Lead officer**")
    c1.text(formatting.text(selected["lead_officer"]) or "Not recorded")
    c2.markdown("**Due**")
    c2.text(formatting.due_text(selected["due"], selected["due_text"], selected["overdue"]))
    c3.markdown("**Recommendations**")
    c3.text(", ".join(selected["recommendations"]) or "None linked")
    c4.markdown("**Oversight board**")
    c4.text("; ".join(selected["boards"]) or "Not recorded")
    st.markdown("**Latest update**")
    st.text(formatting.text(selected["latest_commentary"]) or "None yet")
    if formatting.text(selected["description"]):
        with st.expander("Action text", expanded=False):
            st.text(selected["description"])
    own_milestones = prog.milestones[prog.milestones["key"] == selected["key"]]
    if len(own_milestones):
        st.markdown(f"**Milestones** ({len(own_milestones)})")
        st.dataframe(tables.milestone_table(own_milestones), hide_index=True, width="stretch",
                     row_height=widgets.WRAP_ROW_HEIGHT,
                     column_config=widgets.MILESTONE_COLUMNS)
    if formatting.text(selected["success_measures"]):
        with st.expander("Success measures", expanded=False):
            st.text(selected["success_measures"])
    history = loaders.load_updates(url, version, int(selected["action_id"]))
    if history.empty:
        st.caption("No monthly updates recorded for this action yet.")
    else:
        st.dataframe(tables.update_table(history), hide_index=True, width="stretch", row_height=widgets.WRAP_ROW_HEIGHT,
                     column_config=widgets.UPDATE_COLUMNS)

shown_milestones = prog.milestones[prog.milestones["key"].isin(shown["key"])]
if len(shown_milestones):
    with st.expander(f"Milestones of these actions on a timeline ({len(shown_milestones)})",
                     icon=":material/timeline:", expanded=bool(recs or objectives)):
        widgets.chart(("milestones", url, version, tuple(shown_milestones["key"].drop_duplicates()), prog.as_at),
                      lambda: charts.milestone_timeline(shown_milestones, prog.as_at))
        st.dataframe(tables.milestone_table(shown_milestones, lead=True), hide_index=True, width="stretch",
                     row_height=widgets.WRAP_ROW_HEIGHT,
                     column_config=widgets.MILESTONE_COLUMNS)

with st.expander("Board pack of this filtered view", icon=":material/download:"):
    st.caption("PowerPoint, PDF and Excel packs restricted to the lead officers and recommendations chosen above.")
    widgets.pack_downloads(url, version, since=None, key="actions", leads=leads, recs=recs)
