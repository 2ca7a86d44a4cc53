"""Formats: how the bytes of an export become rows. One module (or folder) per format; ``detect`` picks it."""

from __future__ import annotations

from pathlib import Path

from satudata.sources.formats.base import Decline, Format, Row, read_head
from satudata.sources.formats.csv import CsvFormat
from satudata.sources.formats.html import HtmlFormat
from satudata.sources.formats.json import JsonFormat
from satudata.sources.formats.xlsx import XlsxFormat

FORMATS: tuple[Format, ...] = (XlsxFormat(), JsonFormat(), CsvFormat())
BY_NAME = {f.name: f for f in FORMATS}
HTML = HtmlFormat()

__all__ = ["BY_NAME", "FORMATS", "Decline", "Format", "Row", "detect"]


def detect(path: Path, declared: str | None) -> tuple[Format, bytes]:
    """The format of an export: an HTML page (refused) whatever is declared, else the declared format."""
    head = read_head(path)
    if HTML.claims(head):
        return HTML, head
    return BY_NAME.get(declared or "csv", BY_NAME["csv"]), head
