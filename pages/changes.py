"""Since the last board: what moved, snapshots "as presented", and the board pack downloads."""

import datetime as dt

import streamlit as st

from lib import ui

eng = ui.page_setup("Since last board")
url, version = ui.db_url(), ui.data_version(eng)
ctx = ui.load_context(url, version)
st.title("Since last board")
st.caption(f"{ctx['authority']} · as at {ui.format_date(ctx['as_at'])}")

snaps = ui.load_snapshots(url, version)
bases = ["A board meeting (snapshot)", "A date", "An upload"] if not snaps.empty else ["A date", "An upload"]
state = ui.filters_from_url({"since": "str", "snapshot": "str"})
c1, c2 = st.columns([1, 2])
basis = c1.radio("Compare with", bases, key="ch_basis", horizontal=False)
since: dt.date | None = None
changes = None
if basis == "A board meeting (snapshot)":
    ids = snaps["id"].tolist()
    wanted = int(state["snapshot"]) if state["snapshot"].isdigit() and int(state["snapshot"]) in ids else ids[0]
    chosen = c2.selectbox("Board meeting", ids, index=ids.index(wanted), key="ch_snapshot",
                          format_func=lambda i: ui.snapshot_label(snaps, i))
    ui.filters_to_url({"snapshot": str(chosen), "since": ""})
    changes = ui.load_snapshot_changes(url, version, int(chosen))
    since = changes.since
elif basis == "A date":
    default = ui.parse_iso(state["since"]) or ui.month_before(ctx["as_at"])
    since = c2.date_input("Changes after", value=default, format="DD/MM/YYYY", key="ch_since")
    ui.filters_to_url({"since": since.isoformat(), "snapshot": ""})
    changes = ui.load_changes(url, version, since)
else:
    uploads = ui.upload_history(url, version)
    imported = uploads[uploads["Outcome"] == "imported"]
    if imported.empty:
        ui.empty_state("No imported uploads yet — compare with a date instead.")
    else:
        ids = imported["Upload"].tolist()
        chosen_upload = c2.selectbox("Changes since upload", ids, key="ch_upload",
                                     format_func=lambda i: ui.upload_label(imported, i))
        changes = ui.load_upload_changes(url, version, int(chosen_upload))
        since = changes.since

if changes is not None:
    st.info(changes.headline(), icon=":material/compare_arrows:")
    ui.show_changes(changes)

st.header("Board pack", anchor=False)
st.caption("PowerPoint, PDF and Excel packs of the current data, with what changed since the date above.")
ui.pack_downloads(url, version, since=since, key="changes")

st.header("Mark a board meeting", anchor=False)
with st.form("mark_board", border=True):
    m1, m2 = st.columns([1, 2])
    meeting = m1.date_input("Meeting date", value=dt.date.today(), format="DD/MM/YYYY")
    title = m2.text_input("Title", value="Improvement board", max_chars=200)
    st.caption("Freezes what the dashboard shows now, so it can be reopened exactly as presented and compared "
               "with later data. Later uploads never change a snapshot.")
    if st.form_submit_button("Mark this board meeting", type="primary"):
        snapshot_id = ui.mark_board(url, meeting, title)
        st.success(f"Snapshot {snapshot_id} saved: {ui.md(title)} on {ui.format_date(meeting)}.")

if not snaps.empty:
    st.header("Reopen a snapshot as presented", anchor=False)
    ids = snaps["id"].tolist()
    pick = st.selectbox("Snapshot", ids, key="ch_reopen", format_func=lambda i: ui.snapshot_label(snaps, i))
    ui.show_snapshot(url, version, int(pick))
