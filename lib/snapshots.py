"""Board snapshots, "as presented": marking a board meeting freezes what the board was shown.

The frames the meeting saw (the actions table, the latest KPIs, the attention lists, the
recommendation roll-up and the latest Ofsted judgements, with the as-at date and the
authority) are written once into ``board_snapshot`` as gzip-compressed JSON with a SHA-256
of the bytes. Nothing recomputes them later: uploads, undo or a changed RAG rule after the
meeting never alter what the minutes refer to. :func:`compare_with_today` sets a snapshot
beside today's figures with the same comparison as :mod:`lib.changes`.

Frames are stored column by column with their dtypes, so :func:`load_snapshot` gives back
frames equal to the ones marked (dates as ``datetime.date``, nullable integers as Int64,
lists as lists). Pure pandas plus one table; no Streamlit.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from lib import changes, formatting, store
from lib.model import BoardSnapshot
from lib.read import attention as attention_model
from lib.read import authorities, base, benchmarks, judgements, kpis, programme

PAYLOAD_VERSION = 1
FRAMES = ("actions", "kpis", "judgements", "chain", "benchmarks")


class SnapshotError(RuntimeError):
    """A snapshot that does not exist or whose stored bytes no longer match their checksum."""


@dataclass
class Snapshot:
    id: int
    meeting_date: dt.date
    title: str
    created_at: dt.datetime
    created_by: str | None
    as_at: dt.date
    la_code: str
    authority: str
    actions: pd.DataFrame
    kpis: pd.DataFrame
    judgements: pd.DataFrame
    chain: pd.DataFrame
    benchmarks: pd.DataFrame = field(default_factory=pd.DataFrame)  # the scorecard's benchmark summary as shown
    attention: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.title} ({formatting.format_date(self.meeting_date)})"


# --- frames <-> JSON, keeping dtypes ---------------------------------------------------------


def _cell(value: Any) -> Any:
    """One object-column cell as JSON, tagging what JSON cannot say itself (dates, NaN)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, pd.Timestamp):
        return {"$ts": value.isoformat()}
    if isinstance(value, (list, tuple)):
        return [_cell(v) for v in value]
    if value is pd.NaT:
        return {"$nat": True}
    if value is pd.NA:
        return {"$na": True}
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return {"$nan": True}
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _uncell(value: Any) -> Any:
    if isinstance(value, list):
        return [_uncell(v) for v in value]
    if isinstance(value, dict):
        if "$date" in value:
            return dt.date.fromisoformat(value["$date"])
        if "$dt" in value:
            return dt.datetime.fromisoformat(value["$dt"])
        if "$ts" in value:
            return pd.Timestamp(value["$ts"])
        if "$nan" in value:
            return float("nan")
        if "$nat" in value:
            return pd.NaT
        if "$na" in value:
            return pd.NA
    return value


def encode_frame(df: pd.DataFrame) -> dict[str, Any]:
    columns = []
    for name in df.columns:
        series = df[name]
        dtype = str(series.dtype)
        if pd.api.types.is_datetime64_any_dtype(series):
            values: list[Any] = [None if pd.isna(v) else pd.Timestamp(v).isoformat() for v in series]
            kind = "datetime"
        elif dtype == "object":
            values = [_cell(v) for v in series]
            kind = "object"
        elif pd.api.types.is_bool_dtype(series) and dtype == "bool":
            values = [bool(v) for v in series]
            kind = "bool"
        elif pd.api.types.is_numeric_dtype(series):
            values = [None if pd.isna(v) else (v.item() if hasattr(v, "item") else v) for v in series]
            kind = "number"
        else:  # str / string / category: text with missing as null
            values = [None if formatting.is_blank(v) and not isinstance(v, str) else str(v) for v in series]
            kind = "text"
        columns.append({"name": str(name), "dtype": dtype, "kind": kind, "values": values})
    index = [v.item() if hasattr(v, "item") else v for v in df.index]
    return {"columns": columns, "index": index}


def decode_frame(data: dict[str, Any]) -> pd.DataFrame:
    index = pd.Index(data.get("index", []))
    if len(index) and list(index) == list(range(len(index))):
        index = pd.RangeIndex(len(index))
    elif not len(index):
        index = pd.RangeIndex(0)
    out: dict[str, pd.Series] = {}
    for col in data["columns"]:
        kind, dtype, values = col["kind"], col["dtype"], col["values"]
        if kind == "datetime":
            series = pd.Series(pd.to_datetime(values), index=index).astype(dtype)
        elif kind == "object":
            series = pd.Series([_uncell(v) for v in values], index=index, dtype=object)
        elif kind == "number":
            if dtype[:1].isupper() or dtype == "boolean":  # nullable extension types: Int64, Float64, boolean
                series = pd.Series([pd.NA if v is None else v for v in values], index=index, dtype=dtype)
            elif dtype.startswith(("int", "uint")):
                series = pd.Series(values, index=index, dtype=dtype)
            else:
                series = pd.Series([math.nan if v is None else v for v in values], index=index, dtype=dtype)
        elif kind == "bool":
            series = pd.Series(values, index=index, dtype="bool")
        else:
            series = pd.Series(values, index=index, dtype=dtype if dtype != "category" else object)
        out[col["name"]] = series
    return pd.DataFrame(out, index=index, columns=[c["name"] for c in data["columns"]])


def _pack(payload: dict[str, Any]) -> bytes:
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=True).encode("utf-8")
    return gzip.compress(raw, compresslevel=6, mtime=0)


def _unpack(data: bytes) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(gzip.decompress(data).decode("utf-8"))
    return loaded


# --- the API ---------------------------------------------------------------------------------


def capture(engine: Engine, as_at: dt.date | None = None) -> dict[str, Any]:
    """The frames the board sees now, as the snapshot payload (not yet stored)."""
    prog = programme.programme(engine, as_at)
    as_at, la = prog.as_at, prog.la_code
    latest = kpis.latest_kpis(engine, la)
    attention = attention_model.attention(prog, latest, programme.action_updates(engine))
    judged, _later = judgements.latest_judgement(engine, la, as_at)
    return {
        "version": PAYLOAD_VERSION,
        "as_at": as_at.isoformat(),
        "la_code": la,
        "authority": authorities.authority_name(engine, la),
        "schema": store.head_revision(),
        "frames": {
            "actions": encode_frame(prog.current_actions),
            "kpis": encode_frame(latest),
            "judgements": encode_frame(judged),
            "chain": encode_frame(prog.chain()),
            "benchmarks": encode_frame(benchmarks.summary(engine, la, latest, as_at)),
        },
        "attention": {name: encode_frame(df) for name, df in attention.items()},
    }


def mark_board(engine: Engine, meeting_date: dt.date, title: str, user: str | None = None,
               *, as_at: dt.date | None = None) -> int:
    """Freeze what the board is shown today as a snapshot of ``meeting_date``; returns its id."""
    title = " ".join(str(title or "").split())[:200] or f"Board meeting {formatting.format_date(meeting_date)}"
    payload = capture(engine, as_at)
    data = _pack(payload)
    with store.write(engine) as session:
        row = BoardSnapshot(
            meeting_date=meeting_date, title=title, created_at=dt.datetime.now().replace(microsecond=0),
            created_by=(user or None) and str(user)[:200], as_at=dt.date.fromisoformat(payload["as_at"]),
            authority_code=str(payload["la_code"])[:3], payload=data,
            payload_sha256=hashlib.sha256(data).hexdigest(),
        )
        session.add(row)
        session.flush()
        return int(row.id)


def list_snapshots(engine: Engine) -> pd.DataFrame:
    """Every snapshot, newest meeting first (without the payloads)."""
    cols = ["id", "meeting_date", "title", "created_at", "created_by", "as_at", "authority_code", "size_bytes"]
    with store.read(engine) as session:
        rows = session.execute(
            select(BoardSnapshot.id, BoardSnapshot.meeting_date, BoardSnapshot.title, BoardSnapshot.created_at,
                   BoardSnapshot.created_by, BoardSnapshot.as_at, BoardSnapshot.authority_code,
                   BoardSnapshot.payload)
            .order_by(BoardSnapshot.meeting_date.desc(), BoardSnapshot.id.desc())
        ).all()
    return pd.DataFrame(
        [(r.id, r.meeting_date, r.title, r.created_at, r.created_by, r.as_at, r.authority_code, len(r.payload))
         for r in rows],
        columns=cols,
    )


def load_snapshot(engine: Engine, snapshot_id: int) -> Snapshot:
    with store.read(engine) as session:
        row = session.get(BoardSnapshot, snapshot_id)
        if row is None:
            raise SnapshotError(f"no board snapshot {snapshot_id}")
        data = bytes(row.payload)
        if hashlib.sha256(data).hexdigest() != row.payload_sha256:
            raise SnapshotError(f"board snapshot {snapshot_id} is damaged: its checksum does not match")
        meta = (row.id, row.meeting_date, row.title, row.created_at, row.created_by)
    payload = _unpack(data)
    # A snapshot marked before a frame existed (benchmarks) reopens with that frame empty.
    frames = {name: decode_frame(payload["frames"][name]) if name in payload["frames"] else pd.DataFrame()
              for name in FRAMES}
    return Snapshot(
        id=int(meta[0]), meeting_date=meta[1], title=meta[2], created_at=meta[3], created_by=meta[4],
        as_at=dt.date.fromisoformat(payload["as_at"]), la_code=str(payload["la_code"]),
        authority=str(payload["authority"]),
        actions=frames["actions"], kpis=frames["kpis"], judgements=frames["judgements"], chain=frames["chain"],
        benchmarks=frames["benchmarks"],
        attention={name: decode_frame(f) for name, f in payload.get("attention", {}).items()},
    )


def compare_with_today(engine: Engine, snapshot_id: int) -> changes.Changes:
    """What changed since the board saw a snapshot: its frames beside today's.

    RAG/status changes and newly overdue actions, KPI RAG/direction changes (snapshot frames
    against today's actions and latest KPIs), commentary and inspections dated after the
    snapshot's as-at date, and the uploads made after it was marked.
    """
    snap = load_snapshot(engine, snapshot_id)
    as_at = base.as_at_date(engine)
    return changes.compare_frames(
        engine,
        since=snap.as_at,
        as_at=max(as_at, snap.as_at),
        before_actions=snap.actions,
        after_actions=programme.programme(engine, as_at, snap.la_code).current_actions,
        before_kpis=snap.kpis,
        after_kpis=kpis.latest_kpis(engine, snap.la_code),
        la_code=snap.la_code,
        commentary_until=None,
        uploads=changes.uploads_after(engine, after=snap.created_at),
        basis="snapshot",
        label=f"since the board of {formatting.format_date(snap.meeting_date)} (snapshot {snap.id}, data as at "
              f"{formatting.format_date(snap.as_at)})",
    )
