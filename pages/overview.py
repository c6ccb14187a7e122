"""Overview: where the current programme stands in five seconds, and what needs attention."""

from typing import Any

import streamlit as st

from lib import formatting, tables
from lib import milestones as milestone_rules
from lib.formatting import plain, rag_text
from lib.read import kpis, milestones, programme
from lib.ui import loaders, setup, widgets

eng = setup.page_setup("Overview")
url, version = setup.db_url(), setup.data_version(eng)
ctx = loaders.load_context(url, version)

st.title(f"{ctx['authority']} improvement programme", anchor=False)
st.caption(f"As at {formatting.format_date(ctx['as_at'])} · the latest reporting period in the data")

prog = loaders.load_programme(url, version)
acts = prog.current_actions
latest = loaders.load_latest_kpis(url, version, ctx["la_code"])

if prog.actions.empty and latest.empty:
    widgets.first_run(url)
    st.stop()

counts = programme.action_summary(acts)
kpi_counts = kpis.kpi_summary(latest)
left, right = st.columns(2, gap="large")
with left:
    st.header("Actions", anchor=False)
    widgets.rag_tiles(counts, "actions", extra=(("overdue", "✖ Overdue", "overdue"),))
    st.caption(plain(
        f"Current programme ({', '.join(prog.current_plans) or 'no plan yet'}): "
        f"{formatting.count_text(counts['total'], 'action')} · complete {counts['complete']} · "
        f"awaiting sign-off {counts['awaiting_signoff']} · in progress {counts['in_progress']} · "
        f"no RAG reported {counts['none']}"
    ))
    st.page_link("pages/action_plan.py", label="Open the action plan", icon=":material/checklist:")
with right:
    st.header("KPIs", anchor=False)
    widgets.rag_tiles(kpi_counts, "kpis", extra=(("none", formatting.band_heading("none"), "none"),))
    st.caption(f"{formatting.count_text(kpi_counts['total'], 'KPI')} · derived RAG of each KPI's latest value "
               "against its target")
    st.page_link("pages/kpis.py", label="Open the KPI scorecard", icon=":material/monitoring:")

st.header("Needs attention this month", anchor=False)
items = loaders.load_attention(url, version, ctx["la_code"])
a1, a2 = st.columns(2, gap="large")


def action_label(r: Any) -> str:
    return plain(f"{r.ref} · {r.title}")


def overdue_label(r: Any) -> str:
    return plain(f"{r.ref} · due {formatting.format_date(r.due)} · {r.title}")


def milestone_label(r: Any) -> str:
    return plain(f"{r.ref} · {milestone_rules.STATUS_LABELS.get(r.status, r.status)} · "
                 f"due {formatting.format_date(r.due)} · {formatting.shorten(formatting.text(r.label), 60)}")


def kpi_label(r: Any) -> str:
    value = tables.value_text(r.value, r.unit, r.decimals, r.value_text, r.missing_reason)
    return plain(f"{r.ref} · {value} · {rag_text(r.rag_level)} · "
                 f"{formatting.shorten(r.name, 48)}")


with a1:
    st.markdown("**Actions that turned red**")
    widgets.attention_links(items["turned_red"], "pages/action_plan.py", action_label,
                            lambda r: {"action": r.key}, ":material/error:")
    st.markdown("**Actions that became overdue**")
    widgets.attention_links(items["newly_overdue"], "pages/action_plan.py", overdue_label,
                            lambda r: {"action": r.key}, ":material/schedule:")
    due = milestones.due_or_overdue(prog.current_milestones)
    st.markdown(f"**Milestones due or overdue** ({len(due)})" if len(due) else "**Milestones due or overdue**")
    widgets.attention_links(due, "pages/action_plan.py", milestone_label, lambda r: {"action": r.key},
                            ":material/flag:", limit=4)
    if not items["green_but_overdue"].empty:
        st.markdown("**Reported green but overdue**")
        widgets.attention_links(items["green_but_overdue"], "pages/action_plan.py", overdue_label,
                                lambda r: {"action": r.key}, ":material/warning:")
with a2:
    for key, heading in (
        ("kpis_worsened", "KPIs that worsened"),
        ("kpis_missed_target", "KPIs off target"),
        ("rag_mismatches", "Published RAG differs from the rule"),
    ):
        st.markdown(f"**{heading}**")
        widgets.attention_links(items[key], "pages/kpis.py", kpi_label, lambda r: {"kpi": r.ref},
                                ":material/monitoring:", limit=4)

st.header("Latest Ofsted judgements", anchor=False)
judged, later = loaders.load_latest_judgement(url, version, ctx["la_code"], ctx["as_at"])
if judged.empty:
    widgets.empty_state("No graded inspection recorded for this authority by the as-at date.")
else:
    st.caption(widgets.judgement_caption(judged, later))
    st.dataframe(widgets.style_grades(tables.grade_table(judged)), hide_index=True, width="stretch")
st.page_link("pages/judgements.py", label="Open Ofsted judgements", icon=":material/gavel:")
