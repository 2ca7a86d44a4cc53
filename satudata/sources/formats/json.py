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
            document = json.loads(path.read_text(encoding=effective_encoding(path, encoding)))
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
            yield index, [cell_text(record.get(label)) for label in labels]
