"""Board packs: the content is built once (:mod:`lib.exports.pack`) and written as PowerPoint
(:mod:`lib.exports.pptx_pack`), PDF (:mod:`lib.exports.pdf_pack`) or Excel (:mod:`lib.exports.xlsx_pack`)."""

from __future__ import annotations

FORMATS = ("pptx", "pdf", "xlsx")
MEDIA_TYPES = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
