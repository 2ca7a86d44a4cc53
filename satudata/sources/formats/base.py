"""What every format shares: the ``Format`` protocol, numbered rows of cell text, and the checks made before any
format is chosen (the file exists, is not empty, is text or a known binary kind)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, ClassVar, Protocol

import pyarrow as pa

from satudata.core.catalog import ReadOptions
from satudata.core.problems import ExportUnreadable

Row = tuple[int, list[str | None]]   # (row number in the file, 1-based, title rows counted; the cells' text)
HEAD_BYTES = 65_536                  # how much of a file the formats look at to claim it or sniff its dialect


class Decline(Exception):
    """The fast reading cannot promise the exact reading's result for this export: read it row by row."""


class Format(Protocol):
    """One way bytes become rows. A format claims a file by its content (magic bytes, sniffing), never by its name.

    ``rows`` is the exact reading every format has: the file's rows, numbered as Frictionless numbers them.
    ``batches`` is an optional fast reading of the data rows as Arrow batches of raw cell text (one string column
    per header cell), promising the same cells as ``rows``: it returns None when the format has none, and raises
    ``Decline`` (before or while streaming) where it could differ, so the caller reads the export row by row.
    """

    name: ClassVar[str]                 # as catalog.yaml declares it: csv, xlsx, xls, ods, html, json
    options: ClassVar[frozenset[str]]   # the ReadOptions keys this format reads (staging reads the others)
    spreadsheet: ClassVar[bool]         # rows are padded to a used range: trailing empty cells are not cells
    records: ClassVar[bool]             # a list of records: the header is their keys, always row 1
    fast: ClassVar[bool]                # has a fast reading (``batches``)

    def claims(self, head: bytes) -> bool:
        """Whether the file that starts with ``head`` (its first HEAD_BYTES) is in this format."""

    def sniff(self, path: Path, head: bytes, options: ReadOptions) -> dict[str, str]:
        """Values of the undeclared options this format reads, found in the file (e.g. encoding, delimiter)."""

    def rows(self, path: Path, options: ReadOptions) -> Iterator[Row]:
        """Every row of the export, in order."""

    def check_header(self, file: str, cells: list[str | None], options: ReadOptions, fields: int) -> None:
        """Raise ExportUnreadable when the header row shows the options are wrong (e.g. another delimiter)."""

    def batches(self, path: Path, options: ReadOptions, records_before: int,
                width: int) -> Iterator[tuple[pa.RecordBatch, int]] | None:
        """The records after the first ``records_before``, as batches of ``width`` string columns, each with how
        many bytes of the file have been read; None when the format has no fast reading."""


class BaseFormat:
    """Defaults for the optional parts of the protocol."""

    name: ClassVar[str] = ""
    options: ClassVar[frozenset[str]] = frozenset()
    spreadsheet: ClassVar[bool] = False
    records: ClassVar[bool] = False
    fast: ClassVar[bool] = False

    def sniff(self, path: Path, head: bytes, options: ReadOptions) -> dict[str, str]:
        return {}

    def check_header(self, file: str, cells: list[str | None], options: ReadOptions, fields: int) -> None:
        return None

    def batches(self, path: Path, options: ReadOptions, records_before: int,
                width: int) -> Iterator[tuple[pa.RecordBatch, int]] | None:
        return None


def read_head(path: Path) -> bytes:
    """The first bytes of an export, after refusing a missing or empty file."""
    if not path.is_file():
        raise ExportUnreadable(str(path), "berkas tidak ditemukan", "file not found")
    if path.stat().st_size == 0:
        raise ExportUnreadable(path.name, "berkas kosong (0 bita); minta ekspor ulang dari aplikasi sumber",
                               "the file is empty (0 bytes); ask for a new export from the source application")
    with path.open("rb") as handle:
        return handle.read(HEAD_BYTES)


def sheet_missing(file: str, kind: str, sheet: str, sheets: list[str]) -> ExportUnreadable:
    """The declared sheet (or table) is not in the workbook: name the ones it has."""
    have = ", ".join(repr(s) for s in sheets) or "-"
    return ExportUnreadable(file, f"lembar {sheet!r} tidak ada di {kind} ini; yang ada: {have}: perbaiki options.sheet",
                            f"sheet {sheet!r} not found in this {kind}; sheets: {have}: fix options.sheet")


def cell_text(value: Any) -> str | None:
    """An Excel, OpenDocument or JSON value as the text a person would have typed."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e17:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
