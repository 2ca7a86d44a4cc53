"""Excel workbooks (.xlsx), read by openpyxl: claimed by the zip magic bytes (an OpenDocument zip is ods.py's)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

from satudata.core.catalog import ReadOptions
from satudata.core.problems import ExportUnreadable
from satudata.sources.formats.base import BaseFormat, Row, cell_text, sheet_missing
from satudata.sources.formats.workbook import ODS_MIMETYPE

ZIP = b"PK\x03\x04"


class XlsxFormat(BaseFormat):
    name = "xlsx"
    options = frozenset({"sheet"})
    spreadsheet = True

    def claims(self, head: bytes) -> bool:
        return head.startswith(ZIP) and head[30:30 + len(ODS_MIMETYPE)] != ODS_MIMETYPE

    def rows(self, path: Path, options: ReadOptions) -> Iterator[Row]:
        import openpyxl

        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except zipfile.BadZipFile:
            raise ExportUnreadable(
                path.name,
                "bukan berkas XLSX yang utuh (arsip zip rusak/terpotong, atau .xls lama); simpan ulang dari Excel "
                "sebagai .xlsx",
                "not a complete XLSX file (broken or truncated zip, or an old .xls); save it again from Excel as .xlsx",
            ) from None
        except Exception as exc:  # openpyxl raises many kinds for corrupt workbooks
            raise ExportUnreadable(path.name, f"XLSX tidak terbaca: {exc}", f"XLSX cannot be read: {exc}") from None
        number = 0
        try:
            if options.sheet is not None and options.sheet not in book.sheetnames:
                raise sheet_missing(path.name, "XLSX", options.sheet, book.sheetnames)
            worksheet = book[options.sheet] if options.sheet else book.worksheets[0]
            for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):  # noqa: B007
                yield number, [cell_text(value) for value in values]
        except ExportUnreadable:
            raise
        except (zipfile.BadZipFile, EOFError, KeyError) as exc:
            raise ExportUnreadable(path.name, f"XLSX terpotong/rusak setelah baris {number}: {exc}",
                                   f"XLSX truncated or corrupt after row {number}: {exc}") from None
        except Exception as exc:  # noqa: BLE001 - a broken sheet XML (ParseError), a bad cell value: openpyxl's
            raise ExportUnreadable(  # many kinds, none a bug of ours
                path.name, f"XML lembar kerja XLSX rusak setelah baris {number} ({type(exc).__name__}: {exc}); "
                "simpan ulang dari Excel sebagai .xlsx",
                f"the XLSX sheet's XML is broken after row {number} ({type(exc).__name__}: {exc}); save it again "
                "from Excel as .xlsx") from None
        finally:
            book.close()
