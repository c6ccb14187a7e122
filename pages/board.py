"""Board meeting: the agenda one screen at a time, large type, next/previous from the keyboard."""

import streamlit as st

from lib import ui

eng = ui.page_setup("Board meeting")
url, version = ui.db_url(), ui.data_version(eng)
ctx = ui.load_context(url, version)
ui.presentation_css()

steps = ui.load_agenda(url, version)
if not steps:
    ui.empty_state("Nothing to present yet — load returns first.")
    st.stop()

index = ui.agenda_index(len(steps))
step = steps[index]
top = st.columns([4.2, 1.5, 1.4, 2.2], vertical_alignment="center")
top[0].caption(f"{ctx['authority']} · as at {ui.format_date(ctx['as_at'])} · step {index + 1} of {len(steps)}")
top[1].button("Previous", icon=":material/arrow_back:", shortcut="Left", disabled=index == 0,
              on_click=ui.agenda_move, args=(-1, len(steps)), key="agenda_prev")
top[2].button("Next", icon=":material/arrow_forward:", shortcut="Right", disabled=index == len(steps) - 1,
              on_click=ui.agenda_move, args=(1, len(steps)), key="agenda_next", type="primary")
top[3].toggle("Presentation mode", value=ui.presenting(), key="present_toggle", on_change=ui.toggle_presenting)

st.title(ui.md(step.title), anchor=False)
ui.render_step(step)
st.progress((index + 1) / len(steps), text=" → ".join(ui.agenda_outline(steps, index)))
