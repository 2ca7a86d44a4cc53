"""JSON documents holding a list of records (at ``json_path``): claimed when the text starts with { or [. The
header is the records' keys, row 1; record n is row n + 1, as Frictionless counts them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from satudata.core.catalog import ReadOptions
from satudata.core.problems import ExportUnreadable
from satudata.sources.formats.base import BaseFormat, Row, cell_text
from satudata.sources.formats.csv.dialect import effective_encoding


class JsonFormat(BaseFormat):
    name = "json"
    options = frozenset({"encoding", "json_path"})
    records = True

    def claims(self, head: bytes) -> bool:
        return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"["))

    def rows(self, path: Path, options: ReadOptions) -> Iterator[Row]:
        encoding, json_path = options.encoding, options.json_path
        try:
            document = json.loads(path.read_text(encoding=effective_encoding(path, encoding)),
                                  object_pairs_hook=_Record)
        except UnicodeDecodeError as exc:
            raise ExportUnreadable(path.name, f"bukan teks {encoding}: {exc.reason}",
                                   f"not {encoding} text: {exc.reason}") from None
        except json.JSONDecodeError as exc:
            raise ExportUnreadable(path.name, f"JSON rusak di baris {exc.lineno} kolom {exc.colno}: {exc.msg}",
                                   f"broken JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
        except RecursionError:
            raise ExportUnreadable(path.name, "JSON bersarang terlalu dalam (ribuan tingkat): bukan tabel data",
                                   "JSON nested too deeply (thousands of levels): not a data table") from None
        records = document
        where = repr(json_path) if json_path else "the top level (no json_path)"
        where_id = repr(json_path) if json_path else "tingkat teratas (tanpa json_path)"
        for key in (json_path.split(".") if json_path else []):
            if not isinstance(records, dict) or key not in records:
                raise ExportUnreadable(path.name, f"kunci {key!r} dari json_path {json_path!r} tidak ada",
                                       f"key {key!r} of json_path {json_path!r} not found")
            records = records[key]
        if not isinstance(records, list):
            found = _kind(records)
            raise ExportUnreadable(path.name, f"json_path {where_id} harus menunjuk daftar objek (record), bukan "
                                   f"{found[0]}", f"json_path {where} must point at a list of objects (records), "
                                   f"not {found[1]}")
        for index, record in enumerate(records):
            if not isinstance(record, dict):
                found = _kind(record)
                raise ExportUnreadable(
                    path.name, f"json_path {where_id}: record ke-{index + 1} (baris {index + 2}) adalah "
                    f"{found[0]}, bukan objek", f"json_path {where}: record {index + 1} (row {index + 2}) is "
                    f"{found[1]}, not an object")
            if record.duplicates:
                key = record.duplicates[0]
                column = options.rename.get(key, key)   # as the schema names it
                also = ("", "") if column == key else (f" (kolom {column})", f" (column {column})")
                raise ExportUnreadable(
                    path.name, f"record ke-{index + 1} (baris {index + 2}) punya kunci {key!r}{also[0]} dua kali; "
                    "nilai mana yang benar tidak bisa diketahui: perbaiki ekspornya",
                    f"record {index + 1} (row {index + 2}) has the key {key!r}{also[1]} twice; which value is "
                    "right cannot be known: fix the export")
        labels: dict[str, None] = {}   # every key, in the order first seen (a dict: a set with order)
        for record in records:
            for key in record:
                if key not in labels:
                    labels[key] = None
        yield 1, list(labels)
        for index, record in enumerate(records, start=2):
            yield index, [cell_text(record.get(label)) for label in labels]


class _Record(dict):
    """A JSON object that remembers the keys its text gives twice (json keeps the last value silently)."""

    duplicates: list[str]

    def __init__(self, pairs: list[tuple[str, object]]) -> None:
        super().__init__(pairs)
        self.duplicates = [] if len(self) == len(pairs) else _twice(pairs)


def _twice(pairs: list[tuple[str, object]]) -> list[str]:
    seen: set[str] = set()
    twice = []
    for key, _ in pairs:
        if key in seen and key not in twice:
            twice.append(key)
        seen.add(key)
    return twice


def _kind(value: object) -> tuple[str, str]:
    """What a JSON value is, in (Indonesian, English)."""
    if isinstance(value, dict):
        return "objek", "an object"
    if isinstance(value, list):
        return "daftar", "a list"
    if isinstance(value, str):
        return "teks", "a string"
    if value is None:
        return "null", "null"
    return "angka/boolean", "a number or boolean"
