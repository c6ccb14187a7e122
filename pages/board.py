"""Board meeting: the agenda one screen at a time, large type, next/previous from the keyboard."""

import streamlit as st

from lib import formatting, tables
from lib.formatting import plain
from lib.ui import loaders, setup, widgets

eng = setup.page_setup("Board meeting")
url, version = setup.db_url(), setup.data_version(eng)
ctx = loaders.load_context(url, version)
setup.presentation_css()

steps = loaders.load_agenda(url, version, setup.presenting())
if not steps:
    st.title("Board meeting", anchor=False)
    widgets.empty_state(widgets.NOTHING_TO_PRESENT)
    st.page_link("pages/upload.py", label="Upload a return", icon=":material/upload_file:")
    st.page_link("pages/overview.py", label="Or load the sample on the overview", icon=":material/dashboard:")
    st.stop()

index = setup.agenda_index(len(steps))
step = steps[index]
top = st.columns([4.2, 1.5, 1.4, 2.2], vertical_alignment="center")
top[0].caption(plain(f"{ctx['authority']} · as at {formatting.format_date(ctx['as_at'])} · "
                     f"step {index + 1} of {len(steps)}"))
top[1].button("Previous", shortcut="Left", disabled=index == 0,
              on_click=setup.agenda_move, args=(-1, len(steps)), key="agenda_prev")
top[2].button("Next", shortcut="Right", disabled=index == len(steps) - 1,
              on_click=setup.agenda_move, args=(1, len(steps)), key="agenda_next", type="primary")
top[3].toggle("Presentation mode", value=setup.presenting(), key="present_toggle", on_change=setup.toggle_presenting)

st.title(plain(step.title), anchor=False)
widgets.render_step(step)
st.progress((index + 1) / len(steps), text=" → ".join(tables.agenda_outline(steps, index)))
