"""A CSV export's dialect: its encoding read past a byte-order mark, and the delimiter its header suggests."""

from __future__ import annotations

import codecs
from pathlib import Path

DELIMITER_CANDIDATES = (",", ";", "\t", "|")


def effective_encoding(path: Path, encoding: str) -> str:
    """The declared encoding, reading past a byte-order mark the way Frictionless does (utf-8 → utf-8-sig)."""
    name = codecs.lookup(encoding).name
    with path.open("rb") as handle:
        head = handle.read(4)
    if name == "utf-8" and head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if (name, head[:2]) in (("utf-16-be", codecs.BOM_UTF16_BE), ("utf-16-le", codecs.BOM_UTF16_LE)):
        return "utf-16"
    return name


def sniff_other_delimiter(first_line: list[str | None], declared: str) -> str | None:
    """When a header parsed into one cell that contains another common delimiter, name that delimiter."""
    if len(first_line) != 1 or first_line[0] is None:
        return None
    text = first_line[0]
    counts = {d: text.count(d) for d in DELIMITER_CANDIDATES if d != declared}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else None
