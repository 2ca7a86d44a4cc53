"""The rows of one export file with every dialect option given (no sniffing): for tools that read cells without a
schema (tests/privacy). The readers themselves are the formats (satudata/sources/formats/)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from satudata.core.catalog import ReadOptions
from satudata.sources.formats import Row, detect
from satudata.sources.formats.csv.dialect import effective_encoding

__all__ = ["Row", "effective_encoding", "iter_rows"]


def iter_rows(path: Path, fmt: str, *, encoding: str = "utf-8", delimiter: str = ",", quotechar: str = '"',
              sheet: str | None = None, json_path: str | None = None) -> Iterator[Row]:
    format_, _ = detect(path, fmt)
    options = ReadOptions(encoding=encoding, delimiter=delimiter, quotechar=quotechar, sheet=sheet,
                          json_path=json_path)
    return format_.rows(path, options)
