"""The upload preview a page at a time: lib.returns.preview.change_page over a ChangeLog (deferred and
plain changes) or a list, and the Upload page's page selector."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from lib import store
from lib.returns import commit
from lib.returns.pipeline import TABLE_LABELS
from lib.returns.preview import ChangePage, change_page
from lib.returns.records import Change, ChangeLog, Loc, ValueRecord
from tests.app_support import open_page

CSV = "text/csv"


class Counting:
    """A deferred-change builder that counts the changes it builds: "REF · AUTH · label" values."""

    def __init__(self) -> None:
        self.built = 0

    def __call__(self, ref: str, authority: str, label: str, value: str) -> Change:
        self.built += 1
        return Change("new", "kpi_value", f"{ref} · {authority} · {label}", "value", None, value, f"Data!{authority}")

    @staticmethod
    def thing(ref: str, authority: str, label: str, value: str) -> str:
        return f"{ref} · {authority} · {label}"


@pytest.fixture
def described(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counting]:
    """A counting builder described to ChangeLog (for this test only)."""
    monkeypatch.setattr(ChangeLog, "_described", dict(ChangeLog._described))
    build = Counting()
    ChangeLog.describe(build, "kpi_value", Counting.thing)
    yield build


def undescribed_action(ref: str, status: str) -> Change:
    """A deferred builder ChangeLog knows nothing about: built to be read."""
    return Change("new", "action_update", f"Plan 2017 · action {ref}", "status", None, status, "Progress!F4")


def mixed_log(build: Counting) -> ChangeLog:
    """Plain and deferred changes (described and not), the tables interleaved."""
    log = ChangeLog()
    log.append(Change("new", "kpi", "FS/S6", "name", None, "Children in foster care", "KPIs!B2"))
    for i, month in enumerate(("Apr 2019", "May 2019", "Jun 2019")):
        log.defer(build, "FS/S6", "302", month, f"4{i}.5")
    log.append(Change("changed", "action", "Plan 2017 · action 1.03", "rag", "Amber", "Red", "Progress!G5"))
    log.defer(undescribed_action, "1.03", "Delayed")
    log.defer(build, "fs/s7", "303", "Jun 2019", "12")
    log.append(Change("new", "benchmark", "FS/S6 · England · 2019", "value", None, "43.1", None))
    log.defer(undescribed_action, "2.02", "On track")
    log.append(Change("changed", "action", "Plan 2017 · action 2.02", "status", "On track", "Complete", "P!F9"))
    return log


def old_preview(changes: list[Change], tables: set[str] | None, find: str) -> list[dict[str, Any]]:
    """What the preview showed before, from every change as a row (the pandas filters)."""
    frame = pd.DataFrame([c.as_row() for c in changes])
    shown = frame[frame["What"].isin(tables if tables is not None else set(frame["What"]))]
    if find:
        shown = shown[shown["Item"].str.contains(find, case=False, regex=False)]
    return shown.assign(What=shown["What"].map(lambda k: TABLE_LABELS.get(k, k))).to_dict("records")


@pytest.mark.parametrize(("tables", "find"), [
    (None, ""), ({"kpi_value"}, ""), ({"action", "action_update"}, ""), ({"benchmark", "kpi"}, ""),
    (None, "fs/s6"), (None, "JUN 2019"), ({"action_update"}, "2.02"), ({"kpi_value"}, "303"), (None, "· 30"),
    (None, "nowhere"), (set(), ""), ({"judgement"}, ""),
])
def test_a_page_is_what_the_whole_frame_showed_in_the_logs_order(described: Counting, tables: set[str] | None,
                                                                 find: str) -> None:
    log = mixed_log(described)
    everything = list(log)
    expected = old_preview(everything, tables, find)
    page = change_page(log, tables, find, page_size=500)
    assert page.rows == expected
    assert page.matching == len(expected) and page.total == len(everything) == 10
    assert page.tables == [("action", 2), ("action_update", 2), ("benchmark", 1), ("kpi", 1), ("kpi_value", 4)]
    assert change_page(everything, tables, find) == page, "a list of changes pages the same as the log"


def test_what_is_mapped_through_the_table_labels_and_rows_are_as_row(described: Counting) -> None:
    page = change_page(mixed_log(described), {"kpi_value"}, "jun")
    assert [r["Item"] for r in page.rows] == ["FS/S6 · 302 · Jun 2019", "fs/s7 · 303 · Jun 2019"]
    assert page.rows[0] == {"Change": "new", "What": "KPI values", "Item": "FS/S6 · 302 · Jun 2019",
                            "Field": "Value", "From": "", "To": "42.5", "Cell": page.rows[0]["Cell"]}


def test_paging_boundaries(described: Counting) -> None:
    log = mixed_log(described)
    items = [c.thing for c in log]
    pages = [change_page(log, page=n, page_size=3) for n in (1, 2, 3, 4)]
    assert [p.pages for p in pages] == [4, 4, 4, 4] and [p.page for p in pages] == [1, 2, 3, 4]
    assert [r["Item"] for p in pages for r in p.rows] == items, "every change once, in order"
    assert [(p.first, p.last) for p in pages] == [(1, 3), (4, 6), (7, 9), (10, 10)]
    assert change_page(log, page=5, page_size=3) == pages[3], "past the end: the last page"
    assert change_page(log, page=99, page_size=5).rows == change_page(log, page=2, page_size=5).rows
    assert change_page(log, page=0, page_size=3) == pages[0] and change_page(log, page=-2, page_size=3) == pages[0]
    exact = change_page(log, page=2, page_size=5)
    assert exact.pages == 2 and len(exact.rows) == 5 and exact.last == 10
    assert change_page(log, page_size=10).pages == 1 and change_page(log, page_size=1, page=10).rows[0]["Item"] == \
        items[9]
    with pytest.raises(ValueError, match="page_size"):
        change_page(log, page_size=0)


def test_captions() -> None:
    def page(rows: int, matching: int, total: int, number: int = 1, size: int = 500) -> ChangePage:
        return ChangePage([{}] * rows, matching, total, [], number, max(1, -(-matching // size)), size)

    stores = " Confirming stores exactly these."
    assert page(500, 12_345, 330_480).caption() == \
        "Showing 1–500 of 12,345 matching changes (330,480 in all)." + stores
    assert page(345, 12_345, 330_480, 25).caption() == \
        "Showing 12,001–12,345 of 12,345 matching changes (330,480 in all)." + stores
    assert page(500, 330_480, 330_480).caption() == "Showing 1–500 of 330,480 changes." + stores
    assert page(1, 1, 1).caption() == "Showing 1 of 1 change." + stores
    assert page(1, 1, 9).caption() == "Showing 1 of 1 matching change (9 in all)." + stores
    assert page(0, 0, 9).caption() == "No change matches (9 changes in all). Confirming stores all of them."


def test_empty_changes() -> None:
    for empty in (ChangeLog(), []):
        page = change_page(empty, None, "x", page=3)
        assert (page.rows, page.matching, page.total, page.tables, page.page, page.pages) == ([], 0, 0, [], 1, 1)
        assert (page.first, page.last) == (0, 0)


def test_a_page_of_another_table_builds_no_deferred_value_of_300000(described: Counting) -> None:
    log = ChangeLog()
    log.append(Change("new", "kpi", "NAT-1", "name", None, "A national KPI", "KPIs!B2"))
    refs, codes = [f"NAT-{i}" for i in range(150)], [str(200 + i) for i in range(150)]
    for i in range(300_000):
        log.defer(described, refs[i // 2_000], codes[i % 150], "Jun 2019", "1.5")
    for i in range(700):
        log.append(Change("changed", "action", f"Plan 2017 · action {i}", "status", "Open", "Closed", None))
    assert described.built == 0
    page = change_page(log, {"action"}, page=2)
    # one deferred change is built: the log checks the description against the first it meets
    assert described.built == 1
    assert page.matching == 700 and len(page.rows) == 200 and page.rows[0]["Item"] == "Plan 2017 · action 500"
    assert page.tables == [("action", 700), ("kpi", 1), ("kpi_value", 300_000)]
    found = change_page(log, None, "nat-149 · ")  # the items are read without building the values
    assert found.matching == 2_000 and described.built == 1 + 500, "only the page shown is built"
    assert found.rows[0]["Item"] == f"NAT-149 · {200 + 298_000 % 150} · Jun 2019"
    assert log[1] == described("NAT-0", "200", "Jun 2019", "1.5") and log[-1].table == "action", "indexing as before"
    assert len(log) == 300_701 and log[300_000] == described("NAT-149", codes[299_999 % 150], "Jun 2019", "1.5")


def test_a_wrong_description_is_noticed_and_the_changes_are_built_instead(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ChangeLog, "_described", dict(ChangeLog._described))
    build = Counting()
    ChangeLog.describe(build, "kpi_value", lambda ref, authority, label, value: f"{ref} | {label}")  # stale
    log = ChangeLog()
    for month in ("May 2019", "Jun 2019"):
        log.defer(build, "FS/S6", "302", month, "1")
    page = change_page(log, None, "302 · jun")
    assert [r["Item"] for r in page.rows] == ["FS/S6 · 302 · Jun 2019"] and page.matching == 1


def test_the_imports_deferred_values_are_described_truly() -> None:
    """commit.py defers each new value as (_new_value_change, record, label): the preview reads their
    table and item without building them, and the description agrees with the built change."""
    rec = ValueRecord("FS/S6", "302", None, {"value": 44.5, "value_text": "44.5", "target": 60.0,
                                              "target_text": "60", "commentary": "ok"}, Loc("Data", 6, 2), True)
    log = ChangeLog()
    log.defer(commit._new_value_change, rec, "Jun 2019")
    log.append(Change("new", "kpi", "FS/S6", "name", None, "Foster care", None))
    assert log.tables() == ["kpi_value", "kpi"] and log.thing_at(0) == log[0].thing == "FS/S6 · 302 · Jun 2019"
    assert log._checked == {commit._new_value_change: True}, "the description held: no value is built to be read"
    assert change_page(log, None, "302 · jun").rows == [{**log[0].as_row(), "What": "KPI values"}]


# --- the Upload page ---------------------------------------------------------------------------------------


def visits_csv(authorities: int = 130, months: int = 4) -> bytes:
    """Monthly figures of a KPI not yet stored, for many authorities: the KPI and 520 new values, a
    preview of two pages."""
    from lib import reference

    codes = sorted({row["la_code"].strip() for row in reference._rows("local_authorities.csv")} - {"302"})
    codes = codes[:authorities]
    lines = ["ref,la code,month,value,target,commentary"]
    lines += [f"DU-VISITS,{code},2019-{m:02d},80.5,90," for code in codes for m in range(1, months + 1)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def empty_url(tmp_path: Path) -> str:
    """A database with the schema and nothing else (a fraction of a second; the seeded one takes seconds)."""
    url = f"sqlite:///{tmp_path / 'board.db'}"
    store.init_db(store.get_engine(url))
    return url


@pytest.mark.usefixtures("streamlit_caches")
def test_the_upload_preview_pages_through_the_changes(monkeypatch: pytest.MonkeyPatch, empty_url: str) -> None:
    at = open_page(monkeypatch, empty_url, "pages/upload.py")
    at.file_uploader(key="upload_files").upload("visits.csv", visits_csv(), CSV).run()
    assert not at.exception, at.exception

    def changes() -> pd.DataFrame:
        return next(d.value for d in at.dataframe if "Cell" in d.value.columns)

    def caption() -> str:
        return next(c.value for c in at.caption if c.value.startswith(("Showing", "No change")))

    first = changes()
    assert len(first) == 500 and caption() == "Showing 1–500 of 521 changes. Confirming stores exactly these."
    assert list(first["What"][:2]) == ["KPIs", "KPI values"], "in the log's order: the new KPI, then its values"
    what = next(m for m in at.multiselect if m.key and m.key.startswith("chg_what_"))
    assert what.options == ["KPIs (1)", "KPI values (520)"]
    key = what.key.removeprefix("chg_what_")
    download = next(b.proto for b in at.get("download_button") if b.proto.id.endswith(f"-dl_{key}"))
    assert download.deferred_file_id and not download.url, "the workbook of every change is made only when clicked"
    pager = at.selectbox(key=f"chg_page_{key}")
    assert pager.options == ["Page 1 of 2", "Page 2 of 2"] and pager.value == 1
    pager.set_value(2).run()
    assert not at.exception, at.exception
    second = changes()
    assert len(second) == 21 and caption() == "Showing 501–521 of 521 changes. Confirming stores exactly these."
    assert not set(second["Item"]) & set(first["Item"]), "page 2 shows other changes"
    assert second["Item"].iloc[-1].endswith("Apr 2019"), "the last authority's last month"
    at.text_input(key=f"chg_find_{key}").set_value("du-visits").run()  # a new filter: back to page 1
    assert not at.exception, at.exception
    assert at.selectbox(key=f"chg_page_{key}").value == 1 and changes().equals(first)
    at.multiselect(key=f"chg_what_{key}").set_value(["kpi_value"]).run()
    assert not at.exception, at.exception
    assert caption() == "Showing 1–500 of 520 matching changes (521 in all). Confirming stores exactly these."
    at.text_input(key=f"chg_find_{key}").set_value("jan 2019").run()
    assert not at.exception, at.exception
    assert not [s for s in at.selectbox if s.key == f"chg_page_{key}"], "one page: no page selector"
    found = changes()
    assert len(found) == 130 and found["Item"].str.endswith("Jan 2019").all()
    assert caption() == "Showing 1–130 of 130 matching changes (521 in all). Confirming stores exactly these."
