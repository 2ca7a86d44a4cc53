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


MAX_PADDED_CELLS = 5_000_000     # a used range beyond this is read as the cells there are, not padded
MAX_BLANK_RUN = 100_000          # empty rows in a row: more, then a value, is a stray cell far below the table
MAX_UNPACKED = 2 * 1024 ** 3     # bytes of one part of the workbook, unpacked
BOMB_RATIO, BOMB_FLOOR = 100, 128 * 1024 ** 2   # a part over the floor that unpacks over 100× is a zip bomb


def refuse_bomb(path: Path) -> None:
    """Refuse a workbook a part of which unpacks to more than MAX_UNPACKED bytes, or to more than BOMB_RATIO
    times its packed size (over BOMB_FLOOR): openpyxl would read it whole (shared strings) or for minutes."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return   # openpyxl says what is wrong with it
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > MAX_UNPACKED or (part.file_size > BOMB_FLOOR and ratio > BOMB_RATIO):
            mb, packed = part.file_size / 1024 ** 2, part.compress_size / 1024 ** 2
            raise ExportUnreadable(
                path.name, f"bagian {part.filename} buku kerja ini terurai menjadi {mb:.0f} MB dari {packed:.1f} MB "
                f"(ukuran terurai {ratio:.0f}×): bom zip atau berkas rusak, tidak dibaca; simpan ulang dari Excel",
                f"the part {part.filename} of this workbook unpacks to {mb:.0f} MB from {packed:.1f} MB "
                f"(decompressed size {ratio:.0f}×): a zip bomb or a broken file, not read; save it again from "
                "Excel")


class XlsxFormat(BaseFormat):
    name = "xlsx"
    options = frozenset({"sheet"})
    spreadsheet = True

    def claims(self, head: bytes) -> bool:
        return head.startswith(ZIP) and head[30:30 + len(ODS_MIMETYPE)] != ODS_MIMETYPE

    def rows(self, path: Path, options: ReadOptions) -> Iterator[Row]:
        import openpyxl

        refuse_bomb(path)
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
            if (worksheet.max_row or 0) * (worksheet.max_column or 0) > MAX_PADDED_CELLS:
                worksheet.reset_dimensions()   # a used range of millions of cells: rows as long as their cells
            blank = 0   # empty rows not yet given: a run of a million of them ends in a stray cell, or nothing
            for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                if all(value is None for value in values):
                    blank += 1
                    continue
                if blank > MAX_BLANK_RUN:
                    last = max(i for i, value in enumerate(values) if value is not None)
                    raise ExportUnreadable(
                        path.name, f"baris {number} (kolom ke-{last + 1}) berisi sel nyasar setelah {blank:_} baris "
                        "kosong: hapus sel itu di Excel (Ctrl+End menunjukkannya), lalu simpan ulang".replace("_", "."),
                        f"row {number} (column {last + 1}) holds a stray cell after {blank:,} empty rows: delete it "
                        "in Excel (Ctrl+End shows it), then save again")
                for offset in range(blank, 0, -1):
                    yield number - offset, []
                blank = 0
                yield number, [cell_text(value) for value in values]
            for offset in range(min(blank, MAX_BLANK_RUN)):   # empty rows at the end of a sheet, but not millions
                yield number - blank + 1 + offset, []
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
