"""Since the last board: what moved, snapshots "as presented", and the board pack downloads."""

import datetime as dt

import streamlit as st

from lib import formatting, tables
from lib.formatting import plain
from lib.periods import month_before
from lib.ui import loaders, setup, widgets

eng = setup.page_setup("Since last board")
url, version = setup.db_url(), setup.data_version(eng)
ctx = loaders.load_context(url, version)
st.title("Since last board", anchor=False)
st.caption(plain(f"{ctx['authority']} · as at {formatting.format_date(ctx['as_at'])}"))

snaps = loaders.load_snapshots(url, version)
since: dt.date | None = None
if ctx["empty"]:
    widgets.empty_state("Nothing is loaded yet, so nothing has changed — upload a return (or load the sample on "
                        "the overview); later returns are compared here with the one before.")
    st.page_link("pages/upload.py", label="Upload a return", icon=":material/upload_file:")
else:
    bases = ["A board meeting (snapshot)", "A date", "An upload"] if not snaps.empty else ["A date", "An upload"]
    state = setup.filters_from_url({"since": "str", "snapshot": "str"})
    c1, c2 = st.columns([1, 2])
    basis = c1.radio("Compare with", bases, key="ch_basis", horizontal=False)
    changes = None
    if basis == "A board meeting (snapshot)":
        ids = snaps["id"].tolist()
        wanted = int(state["snapshot"]) if state["snapshot"].isdigit() and int(state["snapshot"]) in ids else ids[0]
        chosen = c2.selectbox("Board meeting", ids, index=ids.index(wanted), key="ch_snapshot",
                              format_func=lambda i: tables.snapshot_label(snaps, i))
        setup.filters_to_url({"snapshot": str(chosen), "since": ""})
        changes = loaders.load_snapshot_changes(url, version, int(chosen))
        since = changes.since
    elif basis == "A date":
        default = tables.parse_iso(state["since"]) or month_before(ctx["as_at"])
        since = c2.date_input("Changes after", value=default, format="DD/MM/YYYY", key="ch_since")
        setup.filters_to_url({"since": since.isoformat(), "snapshot": ""})
        changes = loaders.load_changes(url, version, since)
    else:
        uploads = loaders.load_upload_history(url, version)
        imported = uploads[uploads["Outcome"] == "Imported"]
        if imported.empty:
            widgets.empty_state("No imported uploads yet — compare with a date instead.")
        else:
            ids = imported["Upload"].tolist()
            chosen_upload = c2.selectbox("Changes since upload", ids, key="ch_upload",
                                         format_func=lambda i: tables.upload_label(imported, i))
            changes = loaders.load_upload_changes(url, version, int(chosen_upload))
            since = changes.since

    if changes is not None:
        st.info(plain(changes.headline()), icon=":material/compare_arrows:")
        widgets.show_changes(changes)

st.header("Board pack", anchor=False)
st.caption("PowerPoint, PDF and Excel packs of the current data, with what changed since the date above.")
widgets.pack_downloads(url, version, since=since, key="changes")

st.header("Mark a board meeting", anchor=False)
with st.form("mark_board", border=True):
    m1, m2 = st.columns([1, 2])
    meeting = m1.date_input("Meeting date", value=dt.date.today(), format="DD/MM/YYYY")
    title = m2.text_input("Title", value="Improvement board", max_chars=200)
    st.caption("Freezes what the dashboard shows now, so it can be reopened exactly as presented and compared "
               "with later data. Later uploads never change a snapshot.")
    if ctx["empty"]:
        st.caption(widgets.NOTHING_TO_PRESENT)
    if st.form_submit_button("Mark this board meeting", type="primary", disabled=ctx["empty"]):
        snapshot_id = widgets.mark_board(url, meeting, title)
        st.session_state["snapshot_message"] = (f"Snapshot {snapshot_id} saved: {title} on "
                                                f"{formatting.format_date(meeting)}.")
        st.rerun()  # so the new snapshot is listed (and reopened below) at once
if "snapshot_message" in st.session_state:
    st.success(plain(st.session_state.pop("snapshot_message")))

if not snaps.empty:
    st.header("Reopen a snapshot as presented", anchor=False)
    ids = snaps["id"].tolist()
    pick = st.selectbox("Snapshot", ids, key="ch_reopen", format_func=lambda i: tables.snapshot_label(snaps, i))
    widgets.show_snapshot(url, version, int(pick))
