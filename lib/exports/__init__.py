"""Board packs: the content is built once (:mod:`lib.exports.pack`) and written as PowerPoint
(:mod:`lib.exports.pptx_pack`), PDF (:mod:`lib.exports.pdf_pack`) or Excel (:mod:`lib.exports.xlsx_pack`)."""

from __future__ import annotations

from typing import Any

FORMATS = ("pptx", "pdf", "xlsx")
MEDIA_TYPES = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def render(engine: Any, pack: Any, fmt: str) -> bytes:
    """The pack as bytes in ``fmt`` (pptx, pdf or xlsx); the writers are imported only when used."""
    if fmt == "pptx":
        from lib.exports.pptx_pack import to_pptx

        return to_pptx(pack)
    if fmt == "pdf":
        from lib.exports.pdf_pack import to_pdf

        return to_pdf(pack)
    if fmt == "xlsx":
        from lib.exports.xlsx_pack import to_xlsx

        return to_xlsx(engine, pack)
    raise ValueError(f"unknown board-pack format {fmt!r}; choose one of {', '.join(FORMATS)}")
