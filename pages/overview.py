"""Overview: where the programme stands in five seconds, and what needs attention."""

import streamlit as st

from lib import queries, ui

eng = ui.page_setup("Overview")
url, version = ui.db_url(), ui.data_version(eng)
ctx = ui.load_context(url, version)

st.title(f"{ctx['authority']} improvement programme")
st.caption(f"As at {ui.format_date(ctx['as_at'])} · latest reporting period in the data")

acts = ui.load_actions(url, version)
latest = ui.load_latest_kpis(url, version, ctx["la_code"])

if acts.empty and latest.empty:
    ui.empty_state(
        "No returns loaded yet — upload a monthly return on the Upload page, "
        "or load the sample data with `python -m lib.cli seed`."
    )
    st.stop()

counts = queries.rag_counts(acts["rag"])
kpi_counts = queries.rag_counts(latest["rag"]) if not latest.empty else {"green": 0, "amber": 0, "red": 0, "none": 0}

st.subheader("Actions")
cols = st.columns(6)
cols[0].metric("Actions", len(acts))
cols[1].metric(ui.rag_text("green"), counts["green"])
cols[2].metric(ui.rag_text("amber"), counts["amber"])
cols[3].metric(ui.rag_text("red"), counts["red"])
cols[4].metric("⏰ Overdue", int(acts["overdue"].sum()))
cols[5].metric("Complete — awaiting sign-off", int(acts["awaiting_signoff"].sum()))
st.caption(
    f"Complete: {int((acts['status'] == 'complete').sum())} · "
    f"In progress: {int((acts['status'] == 'in_progress').sum())} · "
    f"Not started or not reported: {int((acts['status'] == 'not_started').sum())} · "
    f"No RAG reported: {counts['none']}"
)
st.page_link("pages/action_plan.py", label="Open the action plan", icon=":material/checklist:")

st.subheader("KPIs (latest period, derived RAG)")
cols = st.columns(5)
cols[0].metric("KPIs", len(latest))
cols[1].metric(ui.rag_text("green"), kpi_counts["green"])
cols[2].metric(ui.rag_text("amber"), kpi_counts["amber"])
cols[3].metric(ui.rag_text("red"), kpi_counts["red"])
cols[4].metric("— No RAG (monitor / text target)", kpi_counts["none"])
st.page_link("pages/kpis.py", label="Open the KPI scorecard", icon=":material/monitoring:")

st.subheader("Latest Ofsted judgements")
judged = queries.latest_judgements(eng, ctx["la_code"])
if judged.empty:
    ui.empty_state("No graded inspection recorded for this authority yet.")
else:
    first = judged.iloc[0]
    st.write(
        f"{first['framework_label']} inspection starting {ui.format_date(first['inspection_start'])}"
        + (f", published {ui.format_date(first['published_date'])}" if first["published_date"] else "")
    )
    st.dataframe(
        judged.assign(Grade=[f"{g} ({int(s)})" for g, s in zip(judged["grade"], judged["score"], strict=True)])[
            ["area", "Grade"]
        ].rename(columns={"area": "Judgement"}),
        hide_index=True,
        width="stretch",
    )
st.page_link("pages/judgements.py", label="Open Ofsted judgements", icon=":material/gavel:")

st.subheader("Needs attention this month")
items = queries.attention(eng, ctx["as_at"])
left, right = st.columns(2)
with left:
    st.markdown("**Actions that turned red**")
    df = items["turned_red"]
    if df.empty:
        st.caption("None this month.")
    for row in df.itertuples():
        st.page_link(
            "pages/action_plan.py",
            label=f"{row.ref} · {row.title} ({row.lead_officer})",
            icon=":material/error:",
            query_params={"action": f"{row.plan}:{row.ref}"},
        )
    st.markdown("**Actions that became overdue**")
    df = items["newly_overdue"]
    if df.empty:
        st.caption("None this month.")
    for row in df.itertuples():
        st.page_link(
            "pages/action_plan.py",
            label=f"{row.ref} · due {ui.format_date(row.due)} · {row.title}",
            icon=":material/schedule:",
            query_params={"action": f"{row.plan}:{row.ref}"},
        )
    df = items["green_but_overdue"]
    if not df.empty:
        st.markdown("**Reported green but overdue**")
        for row in df.itertuples():
            st.page_link(
                "pages/action_plan.py",
                label=f"{row.ref} · due {ui.format_date(row.due)} · {row.title}",
                icon=":material/warning:",
                query_params={"action": f"{row.plan}:{row.ref}"},
            )
with right:
    for key, heading in (
        ("kpis_worsened", "KPIs that worsened"),
        ("kpis_missed_target", "KPIs off target"),
        ("rag_mismatches", "Published RAG differs from derived RAG"),
    ):
        st.markdown(f"**{heading}**")
        df = items[key]
        if df.empty:
            st.caption("None.")
        for row in df.itertuples():
            st.page_link(
                "pages/kpis.py",
                label=f"{row.ref} · {row.name[:60]} · {ui.format_value(row.value, row.unit, row.decimals)}"
                f" · {ui.rag_text(row.rag)}",
                icon=":material/monitoring:",
                query_params={"kpi": row.ref},
            )
