"""Upload returns: drop workbooks, preview every change and problem, confirm, see history, undo."""

import streamlit as st

from lib import tables
from lib.formatting import plain
from lib.ui import loaders, setup, uploads, widgets

eng = setup.page_setup("Upload returns")
url, version = setup.db_url(), setup.data_version(eng)
ctx = loaders.load_context(url, version)
st.title("Upload returns", anchor=False)
st.caption("Any layout: our template, a wide monthly KPI return, a commissioning-plan KPI table or an action-plan "
           "progress table. Nothing is stored until you confirm, and any error stops the whole file.")

with st.expander("Download a return template", icon=":material/download:"):
    c1, c2 = st.columns(2)
    c1.download_button("Monthly return template (all KPIs and actions)", loaders.template_bytes(url, version, None),
                       file_name="improvement-board-return.xlsx", mime=uploads.XLSX_MIME, key="dl_template")
    leads = loaders.load_programme(url, version).lead_options()
    lead = c2.selectbox("Return pack for one lead officer", leads, index=None, placeholder="Choose a lead officer",
                        key="pack_lead")
    if lead:
        c2.download_button(plain(f"Return pack for {lead}"), loaders.template_bytes(url, version, lead),
                           file_name=tables.pack_filename(lead), mime=uploads.XLSX_MIME, key="dl_pack")

files = st.file_uploader("Returns (.xlsx, .xlsm, .xls, .ods or .csv)", type=["xlsx", "xlsm", "xls", "ods", "csv"],
                         accept_multiple_files=True, key="upload_files")
months = tables.month_choices(ctx["as_at"])
month = st.selectbox("Month the returns are for (used only when a file does not say)", months, index=None,
                     placeholder="Work it out from the file", key="upload_month",
                     format_func=lambda p: p.label)

for uploaded in files or []:
    data = uploaded.getvalue()
    with st.container(border=True):
        st.subheader(plain(uploaded.name))
        with st.spinner(plain(f"Checking {uploaded.name}…")):
            preview = uploads.preview_import(url, data, uploaded.name, month)
        uploads.show_import_result(preview, key=f"preview_{preview.sha256[:12]}")
        if preview.outcome == "preview":
            st.button("Confirm and store this return", type="primary", key=f"confirm_{preview.sha256[:12]}",
                      on_click=uploads.confirm_import, args=(url, data, uploaded.name, month))
        elif preview.outcome == "rejected":
            uploads.mapping_editor(url, data, uploaded.name, preview)

if "import_message" in st.session_state:
    kind, message = st.session_state.pop("import_message")
    (st.success if kind == "ok" else st.error)(plain(message))

st.subheader("Upload history")
history = loaders.load_upload_history(url, version)
if history.empty:
    widgets.empty_state("No returns uploaded yet — drop a workbook above.")
else:
    st.dataframe(history, hide_index=True, width="stretch", column_config=widgets.HISTORY_COLUMNS)
    undoable = history[history["Outcome"] == "Imported"]["Upload"].tolist()
    c1, c2 = st.columns([2, 1])
    chosen = c1.selectbox("Upload", undoable, index=None, placeholder="Choose an upload to undo", key="undo_choice")
    with c2.popover("Undo this upload", disabled=chosen is None, icon=":material/undo:"):
        st.write(f"Undo upload {chosen}? It removes every row the upload stored and restores what it changed. "
                 "The file itself stays in the history.")
        st.button(f"Yes, undo upload {chosen}", on_click=uploads.undo_upload, args=(url, chosen), key="undo_button",
                  type="primary")
