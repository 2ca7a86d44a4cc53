"""Format readers: turn one export file into numbered rows of cells (strings or None), nothing more.

Row numbers are physical rows of the original file, 1-based, title rows counted (records for CSV, sheet rows
for XLSX, and for JSON the header is row 1 and record n is row n + 1, as Frictionless counts them).
"""

from __future__ import annotations

import codecs
import csv
import json
import math
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from satudata.core.problems import ExportUnreadable

Row = tuple[int, list[str | None]]
DELIMITER_CANDIDATES = (",", ";", "\t", "|")
csv.field_size_limit(2**31 - 1)


def iter_rows(path: Path, fmt: str, *, encoding: str = "utf-8", delimiter: str = ",", quotechar: str = '"',
              sheet: str | None = None, json_path: str | None = None) -> Iterator[Row]:
    _refuse_empty(path)
    if fmt == "csv":
        return _csv_rows(path, encoding, delimiter, quotechar)
    if fmt == "xlsx":
        return _xlsx_rows(path, sheet)
    if fmt == "json":
        return _json_rows(path, encoding, json_path)
    raise ExportUnreadable(path.name, f"format {fmt!r} tidak dikenal", f"unknown format {fmt!r}")


def _refuse_empty(path: Path) -> None:
    if not path.is_file():
        raise ExportUnreadable(str(path), "berkas tidak ditemukan", "file not found")
    if path.stat().st_size == 0:
        raise ExportUnreadable(path.name, "berkas kosong (0 bita); minta ekspor ulang dari aplikasi sumber",
                               "the file is empty (0 bytes); ask for a new export from the source application")


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


def _csv_rows(path: Path, encoding: str, delimiter: str, quotechar: str) -> Iterator[Row]:
    encoding = effective_encoding(path, encoding)
    _refuse_html(path)
    with path.open("r", encoding=encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter, quotechar=quotechar)
        try:
            for number, cells in enumerate(reader, start=1):
                yield number, [cell for cell in cells]
        except UnicodeDecodeError as exc:
            raise ExportUnreadable(
                path.name,
                f"bukan teks {encoding} (bita ke-{exc.start}); simpan ulang sebagai UTF-8 atau nyatakan "
                "options.encoding yang benar (mis. cp1252, latin-1)",
                f"not {encoding} text (byte {exc.start}); save it as UTF-8 or declare the right "
                "options.encoding (e.g. cp1252, latin-1)",
            ) from None
        except csv.Error as exc:
            raise ExportUnreadable(path.name, f"CSV rusak di baris {reader.line_num}: {exc}",
                                   f"broken CSV at line {reader.line_num}: {exc}") from None


def sniff_other_delimiter(first_line: list[str | None], declared: str) -> str | None:
    """When a header parsed into one cell that contains another common delimiter, name that delimiter."""
    if len(first_line) != 1 or first_line[0] is None:
        return None
    text = first_line[0]
    counts = {d: text.count(d) for d in DELIMITER_CANDIDATES if d != declared}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else None


def looks_like_html(path: Path) -> bool:
    """Whether the file is an HTML page (what a portal serves for a broken download link), by its first 512 bytes."""
    with path.open("rb") as handle:
        head = handle.read(512).lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<table"))


def _refuse_html(path: Path) -> None:
    if looks_like_html(path):
        raise ExportUnreadable(
            path.name,
            "ini halaman HTML, bukan berkas data; unduh ulang sebagai CSV/XLSX asli dari aplikasi",
            "this is an HTML page, not a data file; download it again as a real CSV/XLSX",
        )


def _xlsx_rows(path: Path, sheet: str | None) -> Iterator[Row]:
    import openpyxl

    _refuse_html(path)
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
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise ExportUnreadable(
                path.name, f"lembar {sheet!r} tidak ada; yang ada: {', '.join(book.sheetnames)}",
                f"sheet {sheet!r} not found; sheets: {', '.join(book.sheetnames)}")
        worksheet = book[sheet] if sheet else book.worksheets[0]
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(value) for value in values]
    except (zipfile.BadZipFile, EOFError, KeyError) as exc:
        raise ExportUnreadable(path.name, f"XLSX terpotong/rusak: {exc}",
                               f"XLSX truncated or corrupt: {exc}") from None
    finally:
        book.close()


def _cell_text(value: Any) -> str | None:
    """An Excel or JSON value as the text a person would have typed."""
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


def _json_rows(path: Path, encoding: str, json_path: str | None) -> Iterator[Row]:
    _refuse_html(path)
    try:
        document = json.loads(path.read_text(encoding=effective_encoding(path, encoding)))
    except UnicodeDecodeError as exc:
        raise ExportUnreadable(path.name, f"bukan teks {encoding}: {exc.reason}",
                               f"not {encoding} text: {exc.reason}") from None
    except json.JSONDecodeError as exc:
        raise ExportUnreadable(path.name, f"JSON rusak di baris {exc.lineno} kolom {exc.colno}: {exc.msg}",
                               f"broken JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    records = document
    for key in (json_path.split(".") if json_path else []):
        if not isinstance(records, dict) or key not in records:
            raise ExportUnreadable(path.name, f"kunci {key!r} dari json_path {json_path!r} tidak ada",
                                   f"key {key!r} of json_path {json_path!r} not found")
        records = records[key]
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ExportUnreadable(path.name, "json_path harus menunjuk daftar objek (record)",
                               "json_path must point at a list of objects (records)")
    labels: list[str] = []
    for record in records:
        labels.extend(key for key in record if key not in labels)
    yield 1, list(labels)
    for index, record in enumerate(records, start=2):
        yield index, [_cell_text(record.get(label)) for label in labels]
