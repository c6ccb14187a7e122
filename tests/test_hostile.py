"""Hostile uploads (design §3.7) in every format read (.xlsx/.xlsm, .xls, .ods, .csv): each is refused
with a plain-English message, or read safely, and the process that asked survives with bounded memory.

Each hostile file is read in a separate Python process with RLIMIT_AS 1.5 GiB, so a failure of the
isolation can only kill that process (and show up as a failed test), never the test runner.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.returns import safety
from lib.returns.workbook import RejectedFile, Workbook, read_workbook
from tests import hostile_files as hf

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 1536 * 1024 * 1024  # RLIMIT_AS of the process under test

RUNNER = r"""
import json, resource, sys, time
limit = int(sys.argv[4])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
sys.path.insert(0, sys.argv[1])
from tests import hostile_files
from lib.returns import worker
from lib.returns.workbook import RejectedFile, read_workbook
data = getattr(hostile_files, sys.argv[2])()
out = {"size": len(data)}
t0 = time.perf_counter()
try:
    if sys.argv[3] == "read":
        book = read_workbook(data, sys.argv[2] + sys.argv[5], timeout=15)
        out["outcome"] = "ok"
        out["sheets"] = [[s.name, len(s.rows), len(s.rows[0]) if s.rows else 0] for s in book.sheets]
    else:  # the isolated reader alone, as if the pre-check had been bypassed
        worker.read_values(data, ["Sheet1"], timeout=15)
        out["outcome"] = "ok"
except RejectedFile as exc:
    out["outcome"] = "rejected"
    out["message"] = exc.message
    out["detail"] = exc.detail
out["seconds"] = time.perf_counter() - t0
out["after"] = [s.name for s in read_workbook(hostile_files.xlsx(), "ok.xlsx").sheets]  # still works
# VmHWM is this process's own high-water mark; ru_maxrss would include the memory of the (large)
# pytest process this one was forked from, which Linux carries over to the child.
with open("/proc/self/status") as fh:
    out["parent_kb"] = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
worker._POOL.shutdown()
out["children_kb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps(out))
"""


def run_isolated(builder: str, mode: str = "read", extension: str = ".xlsx") -> dict[str, object]:
    """Build and read one hostile file in a fresh, memory-capped Python; return what it reported."""
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER, str(ROOT), builder, mode, str(LIMIT), extension],
        capture_output=True, text=True, timeout=60, cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    assert proc.returncode == 0, f"the reading process died (rc={proc.returncode}): {proc.stderr[-2000:]}"
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["after"] == ["Sheet1"], "the reader pool did not recover"
    assert int(str(result["parent_kb"])) < 400 * 1024, f"parent peak RSS {result['parent_kb']} KB"
    assert int(str(result["children_kb"])) < LIMIT // 1024, f"reader peak RSS {result['children_kb']} KB"
    return result


NOT_XLSX = "This is not a spreadsheet file the Improvement Board can read. Upload an Excel workbook (.xlsx, .xlsm"
NOT_READABLE = "not a spreadsheet file the Improvement Board can read"  # also in the message for binary ".csv" files
ENCRYPTED = "The workbook is password-protected (encrypted), so it cannot be read"
DAMAGED = "damaged or incomplete"
ENTITIES = "invalid XML (entity declarations are not allowed)"
NONSTANDARD = "not stored the way Excel or LibreOffice save spreadsheets"
STOPPED = "could not be read safely (the reader stopped) — it has not been imported"
UNREADABLE = "could not be read: its contents are not valid spreadsheet data"

# builder, phrase the message must contain, file text that must not appear in it. The phrase must hold
# whatever the file is called (test_hostile_cli saves each as .xlsx); EXTENSIONS names them here.
REJECTED = [
    ("empty", "The file is empty", []),
    ("html_renamed", NOT_XLSX, ["<td>", "html"]),
    ("png_renamed", NOT_READABLE, ["PNG", "IHDR"]),
    ("ole_header", DAMAGED, []),
    ("truncated", DAMAGED, ["aaaa"]),
    ("zip_bomb", "unpacks to far more data than a return can hold", ["aaaa"]),
    ("lying_bomb", DAMAGED, ["aaaa"]),
    ("far_cell", "Sheet 'Sheet1' has cells out to XFD1048576", []),
    ("far_cell_without_reference", "Sheet 'Sheet1' has cells out to A1048576", []),
    ("far_cell_prefixed", "Sheet 'Sheet1' has cells out to XFD1048576", []),
    ("far_cell_behind_comment", "Sheet 'Sheet1' has cells out to A1048576", []),
    ("wide_sheet", "Sheet 'Wide' has cells out to ATD1", []),
    ("billion_laughs_in_shared_strings", ENTITIES, ["lol", "DOCTYPE"]),
    ("billion_laughs_in_sheet", ENTITIES, ["lol", "DOCTYPE"]),
    ("xxe_in_shared_strings", ENTITIES, ["passwd", "xxe", "file:"]),
    ("xxe_in_sheet", ENTITIES, ["passwd", "xxe", "file:"]),
    ("utf16_sheet", NONSTANDARD, []),
    ("overlapping_merges", "overlapping merged cells", []),
    ("duplicate_part_names", DAMAGED, []),
    ("too_many_parts", NONSTANDARD, []),
    ("ambiguous_date_system", NONSTANDARD, []),
    ("unterminated_comments", UNREADABLE, []),
    ("unclosed_error_cells", UNREADABLE, ["#N/A"]),
    ("unclosed_cell_tags", "", []),
    # .xls and other OLE files
    ("encrypted_ole", ENCRYPTED, ["EncryptionInfo", "EncryptedPackage"]),
    ("xls_rc4_password", ENCRYPTED, ["FILEPASS"]),
    ("xls_truncated", DAMAGED, ["KPI"]),
    ("xls_wide_sheet", "Sheet 'Wide' has cells out to ATD1", []),
    ("word_document_ole", NOT_XLSX, ["WordDocument"]),
    # .ods
    ("ods_zip_bomb", "unpacks to far more data than a return can hold", ["aaaa"]),
    ("ods_billion_laughs", ENTITIES, ["lol", "DOCTYPE"]),
    ("ods_xxe", ENTITIES, ["passwd", "xxe", "file:"]),
    ("ods_encrypted", ENCRYPTED, ["Blowfish"]),
    ("ods_far_cell", "Sheet 'Sheet1' has cells out to A1048576", []),
    ("ods_repeat_bomb", "Sheet 'Sheet1' has more than 5,000,000 filled cells", []),
    ("odt_renamed", NOT_XLSX, ["opendocument.text"]),
    # .csv and other text
    ("csv_over_row_cap", "has cells out to A1000002 (1,000,002 rows × 1 columns)", []),
    ("csv_over_row_cap_quoted", "has cells out to A1000002 (1,000,002 rows × 1 columns)", []),
    ("csv_too_wide", "has cells out to ATD1 (1 rows × 1,200 columns)", []),
    ("binary_garbage", NOT_READABLE, []),
]
EXTENSIONS = {"encrypted_ole": ".xlsx", "xls_rc4_password": ".xls", "xls_truncated": ".xls", "xls_wide_sheet": ".xls",
              "word_document_ole": ".xls", "csv_over_row_cap": ".csv", "csv_over_row_cap_quoted": ".csv",
              "csv_too_wide": ".csv", "binary_garbage": ".csv", "png_renamed": ".csv"}
EXTENSIONS.update({builder: ".ods" for builder, _phrase, _hidden in REJECTED if builder.startswith(("ods", "odt"))})


@pytest.mark.timeout(20)
@pytest.mark.parametrize(("builder", "phrase", "hidden"), REJECTED, ids=[r[0] for r in REJECTED])
def test_hostile_file_is_refused_cleanly(builder: str, phrase: str, hidden: list[str]) -> None:
    result = run_isolated(builder, extension=EXTENSIONS.get(builder, ".xlsx"))
    assert result["outcome"] == "rejected", result
    message = str(result["message"])
    assert phrase in message and message.strip()
    assert "Traceback" not in message and 'File "' not in message
    for text in hidden:
        assert text not in message
    assert float(str(result["seconds"])) < 2.0, "a refusal must be quick (design R5: ≤ 2 s)"


@pytest.mark.timeout(20)
@pytest.mark.parametrize("builder", ["lying_dimension", "formatted_to_the_bottom"])
def test_oversized_layout_without_data_is_read_quickly(builder: str) -> None:
    """<dimension> and styled empty cells down to row 1,048,576 say nothing about data: read, fast."""
    result = run_isolated(builder)
    assert result["outcome"] == "ok", result
    assert float(str(result["seconds"])) < 1.0
    assert result["sheets"] in ([["Sheet1", 3, 3]], [["Sheet1", 2, 2]])


@pytest.mark.timeout(20)
def test_far_cell_never_reaches_the_reader_in_the_app() -> None:
    """The 1.6 KB file that aborts calamine is refused by the pre-check (the reader is never asked)."""
    data = hf.far_cell()
    assert len(data) < 2000
    check = safety.Precheck(data, "far.xlsx")
    check.structure()
    asked: list[str] = []
    with pytest.raises(RejectedFile) as info:
        check.layout(on_sheet=asked.append)
    assert asked == []
    assert "XFD1048576" in info.value.message


@pytest.mark.timeout(20)
def test_reader_dies_alone_when_the_precheck_is_bypassed() -> None:
    """Handing the far-cell file straight to the isolated reader: calamine aborts in the child, the
    caller gets a clean refusal, and the next file is read by a fresh child."""
    result = run_isolated("far_cell", mode="worker")
    assert result["outcome"] == "rejected", result
    assert STOPPED in str(result["message"])
    assert "SIGABRT" in str(result["detail"]) or "SIGKILL" in str(result["detail"])


@pytest.mark.timeout(20)
def test_unsupported_error_value_is_named() -> None:
    with pytest.raises(RejectedFile) as info:
        read_workbook(hf.error_value("#SPILL!"), "spill.xlsx")
    assert info.value.message.startswith("Sheet 'Sheet1' cell B1 holds an Excel error (#SPILL!)")


@pytest.mark.timeout(20)
def test_too_large_upload_is_refused_before_anything_else() -> None:
    from lib import config

    with pytest.raises(RejectedFile) as info:
        read_workbook(b"PK\x03\x04" + b"\x00" * (config.MAX_UPLOAD_BYTES + 1 - 4), "big.xlsx")
    assert "too large" in info.value.message and f"{config.MAX_UPLOAD_BYTES / 1024 / 1024:.1f} MB" in info.value.message


@pytest.mark.timeout(20)
def test_sheet_name_in_messages_is_cleaned() -> None:
    """A sheet name is the only file text a message may quote: control/bidi characters go, length is capped."""
    name = "Data\u202e<script>" + "x" * 60
    data = hf.xlsx(sheets=[(name.replace("<", "&lt;").replace(">", "&gt;"), hf.sheet_xml(
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))])
    with pytest.raises(RejectedFile) as info:
        read_workbook(data, "x.xlsx")
    assert "\u202e" not in info.value.message
    assert "x" * 45 not in info.value.message


@pytest.mark.timeout(20)
def test_a_timeout_refuses_the_file_and_the_next_read_works() -> None:
    """The reader parses every shared string and the checks only their head, so with this many the reader
    is reliably still busy when the (already passed) deadline is looked at."""
    with pytest.raises(RejectedFile) as info:
        read_workbook(hf.xlsx(sst=hf.shared_strings([f"text {i}" for i in range(200_000)])), "slow.xlsx", timeout=1e-6)
    assert STOPPED in info.value.message
    assert [s.name for s in read_workbook(hf.xlsx(), "ok.xlsx").sheets] == ["Sheet1"]


# ---------------------------------------------------------------------------------------------
# Fuzzing: anything at all → a Workbook or a RejectedFile, never another exception, never a hang.

SEED = hf.xlsx(
    sheets=[("Sheet1", hf.sheet_xml(
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="1"><v>0.44</v></c><c r="C1"><f>1+1</f><v>2</v></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c><c r="B2" t="e"><v>#N/A</v></c></row>',
        after='<mergeCells count="1"><mergeCell ref="A1:A2"/></mergeCells>'))],
    sst=hf.shared_strings(["KPI", "=SUM(A1)"]),
    compression=zipfile.ZIP_STORED,  # stored parts: byte flips reach the XML instead of only breaking CRCs
)
FUZZ = settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def _outcome(data: bytes, filename: str = "fuzz.xlsx") -> str:
    try:
        book = read_workbook(data, filename, timeout=20)
    except RejectedFile as exc:
        assert exc.message and "Traceback" not in exc.message
        return exc.message
    assert isinstance(book, Workbook)
    return "ok"


@pytest.mark.timeout(300)
@FUZZ
@given(st.binary(max_size=4096), st.sampled_from(["fuzz.xlsx", "fuzz.csv"]))
def test_fuzz_random_bytes(data: bytes, filename: str) -> None:
    _outcome(data, filename)


@pytest.mark.timeout(300)
@FUZZ
@given(st.binary(max_size=4096).map(lambda b: b"PK\x03\x04" + b),
       st.binary(max_size=4096).map(lambda b: hf.OLE_MAGIC + b))
def test_fuzz_random_containers(zip_like: bytes, ole_like: bytes) -> None:
    """Random bytes behind each container's magic: the ZIP and OLE directory readers never crash."""
    _outcome(zip_like)
    _outcome(ole_like, "fuzz.xls")


SEED_XLS = hf.xls()
SEED_ODS = hf.ods_workbook(compression=zipfile.ZIP_STORED)


@pytest.mark.timeout(300)
@FUZZ
@given(st.sampled_from(["xls", "ods"]),
       st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), min_size=1, max_size=8),
       st.integers(0, 1 << 20))
def test_fuzz_mutated_xls_and_ods(kind: str, flips: list[tuple[int, int]], cut: int) -> None:
    """Byte flips and truncation of a real .xls and a stored .ods: a Workbook or a refusal, never a crash."""
    seed = SEED_XLS if kind == "xls" else SEED_ODS
    data = bytearray(seed)
    for pos, value in flips:
        data[pos % len(seed)] = value
    _outcome(bytes(data[: max(cut % (len(seed) + 1), 8)] if cut % 4 == 0 else data), f"fuzz.{kind}")


@pytest.mark.timeout(300)
@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(SEED) - 1), st.integers(0, 255)), min_size=1, max_size=8),
       st.integers(0, len(SEED)))
def test_fuzz_mutated_workbook(flips: list[tuple[int, int]], cut: int) -> None:
    data = bytearray(SEED)
    for pos, value in flips:
        data[pos] = value
    _outcome(bytes(data[: max(cut, 4)] if cut < 64 else data))


TOKENS = [
    '<c r="XFD1048576"><v>1</v></c>', '<c r="A1048576"><v>1</v></c>', "<c><v>1</v></c>", '<row r="1048576">',
    "<row>", "</row>", "<c>", "</c>", "<!--", "-->", '<x:c r="B2"><x:v>1</x:v></x:c>', ' t="e"', "<f>1</f>",
    "<v>#SPILL!</v>", "&lol;", '<!DOCTYPE a [<!ENTITY lol "x">]>', "<![CDATA[", "]]>", ' r="A0"', ' r="AAAA1"',
    '<c r="ALL1000000"><v>1</v></c>', '<mergeCell ref="A1:XFD1048576"/>', ' s="1"', ' hidden="1"', "\x00", "<?pi?>",
]


@pytest.mark.timeout(300)
@FUZZ
@given(st.lists(st.tuples(st.integers(0, 2000), st.sampled_from(TOKENS)), min_size=1, max_size=6))
def test_fuzz_sheet_xml_tokens(edits: list[tuple[int, str]]) -> None:
    """Splice tag-like tokens into the sheet XML: the pre-check and calamine must agree on what is
    safe, so the isolated reader is never the one that stops (that would mean the check missed)."""
    xml = hf.sheet_xml('<row r="1"><c r="A1"><v>1</v></c><c r="B1" s="1"><v>0.5</v></c></row>'
                       '<row r="2"><c r="A2" t="inlineStr"><is><t>text</t></is></c></row>',
                       after='<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>')
    for pos, token in sorted(edits, reverse=True):
        cut = min(pos, len(xml))
        xml = xml[:cut] + token.encode() + xml[cut:]
    outcome = _outcome(hf.xlsx(sheets=[("Sheet1", xml)]))
    assert STOPPED not in outcome
