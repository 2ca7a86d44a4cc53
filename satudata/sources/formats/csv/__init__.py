"""CSV (and any delimited text): claimed when the file is text and not an HTML page; read row by row by Python's
csv module (the exact reading), or streamed as Arrow batches by pyarrow's CSV parser (fast.py)."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from satudata.core.catalog import ReadOptions
from satudata.core.problems import ExportUnreadable
from satudata.sources.formats.base import BaseFormat, Row
from satudata.sources.formats.csv import dialect, fast
from satudata.sources.formats.html import looks_like_html

csv.field_size_limit(2**31 - 1)


def first_undecodable(path: Path, encoding: str) -> tuple[int, int]:
    """(physical line, byte offset in the file) of the first byte the encoding cannot decode: the decoder's own
    offset counts from the chunk it was given, which tells a steward nothing."""
    decoder = codecs.getincrementaldecoder(encoding)()
    line, offset = 1, 0
    with path.open("rb") as handle:
        for line, data in enumerate(handle, start=1):   # noqa: B007 - the last line is the answer at the end
            try:
                decoder.decode(data)
            except UnicodeDecodeError as exc:
                return line, offset + max(exc.start, 0)
            offset += len(data)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:   # the file ends inside a character (cut in the middle of it)
        return line, max(offset - 1, 0)
    return line, offset


class CsvFormat(BaseFormat):
    name = "csv"
    options = frozenset({"encoding", "delimiter", "quotechar"})
    fast = True

    def claims(self, head: bytes) -> bool:
        return dialect.looks_like_text(head) and not looks_like_html(head)

    def sniff(self, path: Path, head: bytes, options: ReadOptions) -> dict[str, str]:
        found: dict[str, str] = {}
        whole = len(head) == path.stat().st_size
        encoding = options.encoding
        if not options.declared("encoding"):
            encoding = found["encoding"] = dialect.sniff_encoding(head, whole)
        delimiter = options.delimiter
        if not options.declared("delimiter"):
            delimiter = found["delimiter"] = dialect.sniff_delimiter(head, encoding, options)
        if not options.declared("quotechar"):
            found["quotechar"] = dialect.sniff_quotechar(head, encoding, delimiter)
        return found

    def rows(self, path: Path, options: ReadOptions) -> Iterator[Row]:
        encoding = dialect.effective_encoding(path, options.encoding)
        with path.open("r", encoding=encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=options.delimiter, quotechar=options.quotechar)
            try:
                for number, cells in enumerate(reader, start=1):
                    yield number, [cell for cell in cells]
            except UnicodeDecodeError:
                line, offset = first_undecodable(path, encoding)
                raise ExportUnreadable(
                    path.name,
                    f"bukan teks {encoding} mulai baris {line} (bita ke-{offset} berkas); simpan ulang sebagai UTF-8 "
                    "atau nyatakan options.encoding yang benar (mis. cp1252, latin-1)",
                    f"not {encoding} text from line {line} on (byte {offset} of the file); save it as UTF-8 or "
                    "declare the right options.encoding (e.g. cp1252, latin-1)",
                ) from None
            except csv.Error as exc:
                raise ExportUnreadable(path.name, f"CSV rusak di baris {reader.line_num}: {exc}",
                                       f"broken CSV at line {reader.line_num}: {exc}") from None

    def check_header(self, file: str, cells: list[str | None], options: ReadOptions, fields: int) -> None:
        if fields <= 1:
            return
        other = dialect.sniff_other_delimiter(cells, options.delimiter)
        if other is not None:
            raise ExportUnreadable(
                file,
                f"baris judul hanya satu kolom; berkas tampaknya dipisah {other!r}, bukan "
                f"{options.delimiter!r}: perbaiki options.delimiter",
                f"the header has one column; the file looks delimited by {other!r}, not "
                f"{options.delimiter!r}: fix options.delimiter",
            )

    def batches(self, path: Path, options: ReadOptions, records_before: int,
                width: int) -> Iterator[tuple[pa.RecordBatch, int]] | None:
        return fast.batches(path, options, records_before, width)
