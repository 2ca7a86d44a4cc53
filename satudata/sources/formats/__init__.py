"""Formats: how the bytes of an export become rows. One module (or folder) per format; ``detect`` picks the format
by the file's content, the declared one first when it claims the file."""

from __future__ import annotations

from pathlib import Path

from satudata.core.problems import ExportUnreadable
from satudata.sources.formats.base import Decline, Format, Row, read_head
from satudata.sources.formats.csv import CsvFormat
from satudata.sources.formats.html import HtmlFormat
from satudata.sources.formats.json import JsonFormat
from satudata.sources.formats.workbook import OdsFormat, XlsFormat
from satudata.sources.formats.xlsx import XlsxFormat

# In the order they are asked when the declared format does not claim a file: binary kinds by their magic bytes,
# then HTML and JSON by their first characters, and CSV (any other text) last.
FORMATS: tuple[Format, ...] = (XlsxFormat(), OdsFormat(), XlsFormat(), HtmlFormat(), JsonFormat(), CsvFormat())
BY_NAME = {f.name: f for f in FORMATS}

__all__ = ["BY_NAME", "FORMATS", "Decline", "Format", "Row", "detect"]


def detect(path: Path, declared: str | None) -> tuple[Format, bytes]:
    """The format of an export, by its content, and its first bytes."""
    head = read_head(path)
    first = BY_NAME.get(declared or "")
    for fmt in ([first] if first else []) + [f for f in FORMATS if f is not first]:
        if fmt.claims(head):
            return fmt, head
    raise ExportUnreadable(
        path.name, "bukan berkas teks (CSV/JSON) maupun buku kerja (XLSX/XLS/ODS): isinya bita acak atau biner; "
        "minta ekspor ulang dari aplikasi sumber",
        "not a text file (CSV/JSON) nor a workbook (XLSX/XLS/ODS): its content is random or binary bytes; ask for "
        "a new export from the source application")
