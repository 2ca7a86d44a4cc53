"""One export opened for reading: the format that reads it, and the options it is read with."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from satudata.core.catalog import ReadOptions
from satudata.core.records import RawExport
from satudata.sources.formats import Format, Row, detect


@dataclass
class Export:
    raw: RawExport
    format: Format
    options: ReadOptions

    @property
    def file(self) -> str:
        return self.raw.path.name

    def rows(self) -> Iterator[Row]:
        return self.format.rows(self.raw.path, self.options)


def open_export(raw: RawExport, options: ReadOptions) -> Export:
    fmt, _ = detect(raw.path, raw.format)
    return Export(raw, fmt, options)
