"""The upload controller: preview a file (cached for the session), confirm, undo, map columns by hand."""

from __future__ import annotations

import functools
from typing import Any

import pandas as pd
import streamlit as st

from lib.formatting import BLANK, count_text, plain
from lib.ui.setup import current_user, data_changed, data_version, engine_for

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def preview_import(url: str, data: bytes, filename: str, month: Any) -> Any:
    """The dry-run import of a file, remembered for this session so reruns do not re-read it."""
    import hashlib

    from lib.returns import pipeline

    key = ("preview", hashlib.sha256(data).hexdigest(), getattr(month, "end", None), data_version(engine_for(url)))
    cache = st.session_state.setdefault("_previews", {})
    if key not in cache:
        cache.clear()
        cache[key] = pipeline.import_bytes(engine_for(url), data, filename, dry_run=True, period=month)
    return cache[key]


def show_import_result(result: Any, key: str) -> None:
    """Preview or outcome: sheets read, what would change, every problem (downloadable)."""
    from lib.returns import report

    if result.outcome == "duplicate":
        st.info(f"Already imported as upload {result.duplicate_of}; importing it again would change nothing.",
                icon=":material/check_circle:")
        return
    if result.sheets:
        st.dataframe(
            pd.DataFrame([{"Sheet": s.name, "Read as": s.label, "Rows": s.rows,
                           "Header row": str(s.header_row) if s.header_row else BLANK,
                           "Not read": s.reason or "; ".join([*(f"column '{u}'" for u in s.unmatched),
                                                               *s.skipped_rows]) or BLANK}
                          for s in result.sheets]),
            hide_index=True, width="stretch",
        )
    if result.outcome == "preview":
        st.success(plain(result.summary_line().replace(result.filename + ": ", "This return ")),
                   icon=":material/fact_check:")
        rows = result.change_rows()
        if rows:
            st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        show_upload_changes(result, key)
    errors, warnings = result.errors, result.warnings
    if errors:
        st.error(f"{count_text(len(errors), 'problem')} — nothing from this file will be stored. Fix them and "
                 "upload again.", icon=":material/error:")
    if warnings:
        st.warning(f"{count_text(len(warnings), 'warning')} — the import is allowed; check them.",
                   icon=":material/warning:")
    listed = [p for p in result.problems if p.severity != "note"]
    if listed:
        st.dataframe(pd.DataFrame([p.as_row() for p in listed]), hide_index=True, width="stretch",
                     column_config={"Problem": st.column_config.TextColumn(width="large")})
    if result.problems or result.changes:
        # Made when clicked, not on every rerun: a national return's workbook of 330,000 changes takes
        # most of a minute to write.
        st.download_button("Download the changes, problems and notes as a spreadsheet",
                           functools.partial(report.problems_workbook, result.problems, result.sheets,
                                             result.changes),
                           file_name=f"preview-{result.filename.rsplit('.', 1)[0]}.xlsx", mime=XLSX_MIME,
                           key=f"dl_{key}")
    notes = result.notes + [p.line().removeprefix("note: ").removeprefix(result.filename + ": ")
                            for p in result.cell_notes]
    if notes:
        with st.expander(f"How the file was read ({count_text(len(notes), 'note')})", icon=":material/info:"):
            st.dataframe(pd.DataFrame({"Note": notes}), hide_index=True, width="stretch")


CHANGE_COLUMNS = ["Change", "What", "Item", "Field", "From", "To", "Cell"]  # Change.as_row()'s, in order


def show_upload_changes(result: Any, key: str) -> None:
    """Every change the upload would make, cell by cell, a page at a time, filterable by table and item:
    what, item, field, from → to, cell. Only the page shown is made into rows."""
    from lib.returns.pipeline import TABLE_LABELS as CHANGE_LABELS
    from lib.returns.preview import PAGE_SIZE, change_page

    if not result.changes:
        st.caption("Nothing in this file differs from what is stored.")
        return
    what_key, find_key, page_key = f"chg_what_{key}", f"chg_find_{key}", f"chg_page_{key}"
    state = st.session_state
    # The widgets' values of this run are in the session state already: the page is worked out first, so
    # the table choice can show its counts (None before the first run: every table).
    shown = change_page(result.changes, state.get(what_key), state.get(find_key) or "",
                        state.get(page_key) or 1, PAGE_SIZE)
    counts = dict(shown.tables)
    kinds = list(counts)
    c1, c2, c3 = st.columns([2, 3, 1], vertical_alignment="bottom")
    c1.multiselect("Show changes to", kinds, default=kinds, key=what_key, on_change=_first_page, args=(page_key,),
                   format_func=lambda k: f"{CHANGE_LABELS.get(k, k)} ({counts.get(k, 0):,})")
    c2.text_input("Find an item (ref, action, period)", key=find_key, on_change=_first_page, args=(page_key,))
    if shown.pages > 1:
        c3.selectbox("Page", range(1, shown.pages + 1), key=page_key,
                     format_func=lambda p: f"Page {p:,} of {shown.pages:,}")
    st.dataframe(pd.DataFrame(shown.rows, columns=CHANGE_COLUMNS), hide_index=True, width="stretch",
                 column_config={"Item": st.column_config.TextColumn(width="medium"),
                                "From": st.column_config.TextColumn(width="medium"),
                                "To": st.column_config.TextColumn(width="medium")})
    st.caption(shown.caption())


def _first_page(page_key: str) -> None:
    """The filters changed: back to the first page (the page selector starts again at its default)."""
    st.session_state.pop(page_key, None)


def confirm_import(url: str, data: bytes, filename: str, month: Any) -> None:
    from lib.returns import pipeline

    result = pipeline.import_bytes(engine_for(url), data, filename, period=month, user=current_user())
    data_changed()
    st.session_state.pop("_previews", None)
    if result.outcome == "imported":
        st.session_state["import_message"] = ("ok", result.summary_line())
    else:
        st.session_state["import_message"] = ("error", result.summary_line())


def undo_upload(url: str, upload_id: int | None) -> None:
    from lib.returns import pipeline
    from lib.returns.commit import UndoRefused

    if upload_id is None:
        return
    try:
        done = pipeline.undo(engine_for(url), int(upload_id))
        st.session_state["import_message"] = (
            "ok", f"Undid upload {upload_id}: {done['removed']} rows removed, {done['restored']} restored.")
    except UndoRefused as exc:
        st.session_state["import_message"] = ("error", f"Cannot undo: {exc}")
    data_changed()
    st.session_state.pop("_previews", None)



def mapping_editor(url: str, data: bytes, filename: str, result: Any) -> None:
    """For sheets whose headers were not understood: map columns by hand, remembered for this layout."""
    from lib.returns import headers, pipeline
    from lib.returns.workbook import RejectedFile, read_workbook

    skipped = [s for s in result.sheets if s.family is None and s.reason and "no recognisable" in s.reason]
    if not skipped:
        return
    with st.expander("Map the columns of an unrecognised sheet by hand", icon=":material/tune:"):
        try:
            book = read_workbook(data, filename)
        except RejectedFile:
            return
        names = [s.name for s in skipped]
        sheet_name = st.selectbox("Sheet", names, key=f"map_sheet_{result.sha256[:8]}")
        sheet = next(s for s in book.sheets if s.name == sheet_name)
        header_index = next((i for i, r in enumerate(sheet.rows) if sum(1 for v in r if v not in (None, "")) >= 2),
                            None)
        if header_index is None:
            st.caption("This sheet has no header row to map.")
            return
        header = sheet.rows[header_index]
        options = ["(ignore)", *sorted(headers.FIELDS)]
        mapping: dict[int, str] = {}
        cols = st.columns(3)
        for i, cell in enumerate(header):
            if cell in (None, ""):
                continue
            choice = cols[i % 3].selectbox(str(cell)[:40], options, key=f"map_{result.sha256[:8]}_{sheet_name}_{i}")
            if choice != "(ignore)":
                mapping[i] = choice
        if st.button("Remember this mapping and check again", key=f"map_save_{result.sha256[:8]}"):
            from lib.returns.parse import mapping_match

            found = mapping_match(header, header_index, mapping)
            if found is None:
                st.error("These columns are not enough for a table: map at least a KPI reference and a value, "
                         "or an action and a lead officer / status / RAG.")
                return
            pipeline.save_mapping(engine_for(url), sheet_name, header, found.family.code, mapping)
            st.session_state.pop("_previews", None)
            data_changed()
            st.rerun()

