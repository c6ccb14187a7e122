"""Every piece of text an AppTest run puts on screen, and the markers that must never be among it.

Used by the raw-text sweep: titles, headers, captions, Markdown, plain text, alerts, metrics,
widget labels and options, expanders, tabs, page links, and every column name and cell of every
table. A missing-value marker ("nan", "None", "NaT", "<NA>"), a snake_case code, an internal
seed reference ("S4:21") or a bare authority code in place of a name is a defect.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pandas as pd
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

MISSING = re.compile(
    r"(?<![\w/])(nan|NaN|NaT|<NA>|null|undefined)(?![\w/])"
    # "None" as a value (a whole cell, after a colon or bracket, before a bracket), not "None this month".
    r"|^None$|[:(=\[]\s*None\b|\bNone\s*[)\]]|\w\s+None$"
)
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
SEED_LINE = re.compile(r"\bS\d{1,2}:\d+\b")
TEXT_KEYS = {"body", "label", "options", "value", "help", "placeholder", "text", "title", "caption", "default"}
SKIP_TYPES = {"arrowDataFrame", "arrowTable", "arrowVegaLiteChart", "vegaLiteChart", "deckGlJsonChart", "imgs",
              "fileUploader", "downloadButton"}


def _strings(value: Any, key: str = "") -> Iterator[str]:
    if isinstance(value, str):
        if key in TEXT_KEYS:
            yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, key)


def _nodes(node: Any) -> Iterator[Any]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def frame_texts(frame: Any) -> Iterator[str]:
    """Column names and every cell of a shown table (a DataFrame or a Styler)."""
    data = getattr(frame, "data", frame)
    if not isinstance(data, pd.DataFrame):
        return
    shown = data.drop(columns=[c for c in data.columns if str(c).startswith("_")])
    for col in shown.columns:
        yield str(col)
    for col in shown.columns:
        for cell in shown[col]:
            yield str(cell) if not isinstance(cell, str) else cell


def screen_texts(at: AppTest) -> list[tuple[str, str]]:
    """(where, text) for everything visible after a run."""
    out: list[tuple[str, str]] = []
    for node in _nodes(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None or not hasattr(proto, "DESCRIPTOR"):
            continue
        data = MessageToDict(proto)
        kinds = set(data)
        if kinds & SKIP_TYPES:
            continue
        for text in _strings(data):
            out.append((getattr(node, "type", "element"), text))
    for df in at.dataframe:
        out.extend(("table", text) for text in frame_texts(df.value))
    for table in at.table:
        out.extend(("table", text) for text in frame_texts(table.value))
    return out


def is_raw(where: str, text: str, codes: tuple[str, ...] = ()) -> bool:
    """True when a text shows a missing-value marker, a seed line, a snake_case code or starts with a bare code."""
    if MISSING.search(text) or SEED_LINE.search(text) or (SNAKE.search(text) and "://" not in text):
        return True
    heading = where in ("title", "header", "subheader", "caption")
    return bool(codes and heading and re.match(r"(?:" + "|".join(codes) + r")\b", text.strip()))


def raw_markers(texts: list[tuple[str, str]], *, codes: tuple[str, ...] = ()) -> list[str]:
    """Every text that :func:`is_raw`, with where it was shown."""
    return [f"{where}: {text[:160]!r}" for where, text in texts if is_raw(where, text, codes)]
