"""Old binary Excel workbooks (.xls, BIFF) and OpenDocument spreadsheets (.ods), read by calamine: claimed by their
magic bytes (an OLE2 compound file; a zip whose first entry is an OpenDocument spreadsheet mimetype)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from satudata.core.catalog import ReadOptions
from satudata.core.problems import ExportUnreadable
from satudata.sources.formats.base import BaseFormat, Row, cell_text, sheet_missing

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet"


class _CalamineFormat(BaseFormat):
    options = frozenset({"sheet"})
    spreadsheet = True
    kind = ""

    def rows(self, path: Path, options: ReadOptions) -> Iterator[Row]:
        import python_calamine

        try:
            book = python_calamine.CalamineWorkbook.from_path(str(path))
            names = list(book.sheet_names)
            if options.sheet is not None and options.sheet not in names:
                raise sheet_missing(path.name, self.kind, options.sheet, names)
            if not names:
                raise ExportUnreadable(path.name, f"{self.kind} tanpa lembar kerja", f"a {self.kind} with no sheet")
            sheet = book.get_sheet_by_name(options.sheet or names[0])
        except python_calamine.CalamineError as exc:
            raise ExportUnreadable(path.name, f"{self.kind} rusak atau terpotong: {exc}",
                                   f"{self.kind} broken or truncated: {exc}") from None
        first_row, first_column = (sheet.start or (0, 0)) if sheet.height else (0, 0)
        padding: list[str | None] = [None] * first_column
        for index, values in enumerate(sheet.iter_rows()):
            yield first_row + index + 1, padding + [None if v == "" else cell_text(v) for v in values]


class XlsFormat(_CalamineFormat):
    name = "xls"
    kind = "XLS"

    def claims(self, head: bytes) -> bool:
        return head.startswith(OLE2)


class OdsFormat(_CalamineFormat):
    name = "ods"
    kind = "ODS"

    def claims(self, head: bytes) -> bool:
        return head.startswith(b"PK\x03\x04") and head[30:30 + len(ODS_MIMETYPE)] == ODS_MIMETYPE
