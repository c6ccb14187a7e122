"""Overview: where the programme stands in five seconds, and what needs attention."""

import streamlit as st

from lib import queries, ui

eng = ui.page_setup("Overview")
url, version = ui.db_url(), ui.data_version(eng)
ctx = ui.load_context(url, version)

st.title(f"{ctx['authority']} improvement programme")
st.caption(f"As at {ui.format_date(ctx['as_at'])} · the latest reporting period in the data")

acts = ui.load_actions(url, version)
latest = ui.load_latest_kpis(url, version, ctx["la_code"])

if acts.empty and latest.empty:
    ui.empty_state(
        "No returns loaded yet — upload a monthly return on the Upload returns page, "
        "or load the sample data with `python -m lib.cli seed`."
    )
    st.page_link("pages/upload.py", label="Upload a return", icon=":material/upload_file:")
    st.stop()

counts = queries.rag_counts(acts["rag"])
kpi_counts = queries.rag_counts(latest["rag"]) if not latest.empty else {"green": 0, "amber": 0, "red": 0, "none": 0}

left, right = st.columns(2, gap="large")
with left:
    st.header("Actions", anchor=False)
    c = st.columns(4)
    c[0].metric(ui.rag_text("green"), counts["green"])
    c[1].metric(ui.rag_text("amber"), counts["amber"])
    c[2].metric(ui.rag_text("red"), counts["red"])
    c[3].metric("Overdue", int(acts["overdue"].sum()), help="Past due date and not complete")
    st.caption(
        f"{len(acts)} actions · complete {int((acts['status'] == 'complete').sum())} · "
        f"complete — awaiting sign-off {int(acts['awaiting_signoff'].sum())} · "
        f"in progress {int((acts['status'] == 'in_progress').sum())} · no RAG reported {counts['none']}"
    )
    st.page_link("pages/action_plan.py", label="Open the action plan", icon=":material/checklist:")
with right:
    st.header("KPIs", anchor=False)
    c = st.columns(4)
    c[0].metric(ui.rag_text("green"), kpi_counts["green"])
    c[1].metric(ui.rag_text("amber"), kpi_counts["amber"])
    c[2].metric(ui.rag_text("red"), kpi_counts["red"])
    c[3].metric("No RAG", kpi_counts["none"], help="Monitor-only KPIs and text targets get no RAG")
    st.caption(f"{len(latest)} KPIs · derived RAG of each KPI's latest value against its target")
    st.page_link("pages/kpis.py", label="Open the KPI scorecard", icon=":material/monitoring:")

st.header("Needs attention this month", anchor=False)
items = ui.load_attention(url, version, ctx["as_at"])
a1, a2 = st.columns(2, gap="large")
with a1:
    st.markdown("**Actions that turned red**")
    ui.attention_links(
        items["turned_red"], "pages/action_plan.py",
        lambda r: f"{ui.md(r.ref)} · {ui.md(r.title)}", lambda r: {"action": f"{r.plan}:{r.ref}"}, ":material/error:",
    )
    st.markdown("**Actions that became overdue**")
    ui.attention_links(
        items["newly_overdue"], "pages/action_plan.py",
        lambda r: f"{ui.md(r.ref)} · due {ui.format_date(r.due)} · {ui.md(r.title)}",
        lambda r: {"action": f"{r.plan}:{r.ref}"}, ":material/schedule:",
    )
    if not items["green_but_overdue"].empty:
        st.markdown("**Reported green but overdue**")
        ui.attention_links(
            items["green_but_overdue"], "pages/action_plan.py",
            lambda r: f"{ui.md(r.ref)} · due {ui.format_date(r.due)} · {ui.md(r.title)}",
            lambda r: {"action": f"{r.plan}:{r.ref}"}, ":material/warning:",
        )
with a2:
    for key, heading in (
        ("kpis_worsened", "KPIs that worsened"),
        ("kpis_missed_target", "KPIs off target"),
        ("rag_mismatches", "Published RAG differs from the rule"),
    ):
        st.markdown(f"**{heading}**")
        ui.attention_links(
            items[key], "pages/kpis.py",
            lambda r: f"{ui.md(r.ref)} · {ui.format_value(r.value, r.unit, r.decimals)} · {ui.rag_text(r.rag_level)}"
            f" · {ui.md(r.name[:48])}",
            lambda r: {"kpi": r.ref}, ":material/monitoring:", limit=4,
        )

st.header("Latest Ofsted judgements", anchor=False)
judged = ui.load_latest_judgements(url, version, ctx["la_code"])
if judged.empty:
    ui.empty_state("No graded inspection recorded for this authority yet.")
else:
    first = judged.iloc[0]
    st.caption(
        f"{first['framework_label']} inspection starting {ui.format_date(first['inspection_start'])}"
        + (f", published {ui.format_date(first['published_date'])}" if first["published_date"] else "")
    )
    st.dataframe(ui.style_grades(ui.latest_grade_table(judged)), hide_index=True, width="stretch")
st.page_link("pages/judgements.py", label="Open Ofsted judgements", icon=":material/gavel:")
