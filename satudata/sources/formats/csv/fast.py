"""The data records of a regular CSV export as Arrow batches of raw cell text, by pyarrow's streaming parser.

pyarrow's parser (double quotes, no escape character, quoted newlines, blank lines kept as rows) splits records
and cells like Python's csv module does, quirks included. ``batches`` raises ``Decline`` wherever the two could
differ: an encoding outside ``FAST_ENCODINGS``, a delimiter or quote of more than one character, a record before
the data that spans lines or ends in a lone CR, a byte-order mark Python keeps as text, a record with another
number of cells than the header (pyarrow raises ArrowInvalid: the row-by-row reading reports extra/missing cells),
and a row of empty cells when the staging would tell a blank line from ``,,`` (Python does, pyarrow does not).
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from satudata.core.catalog import ReadOptions
from satudata.sources.formats.base import Decline
from satudata.sources.formats.csv.dialect import effective_encoding

# Python codec name → the name pyarrow is given (it decodes non-UTF-8 text through the same Python codec).
FAST_ENCODINGS = {"utf-8": "utf8", "utf-8-sig": "utf8", "iso8859-1": "latin-1", "cp1252": "cp1252",
                  "ascii": "ascii"}
BOM = b"\xef\xbb\xbf"
BLOCK_SIZE = 2 << 20          # bytes per parsed block (about 20k queue-log rows): bigger blocks raise the peak RSS


def batches(path: Path, options: ReadOptions, records_before: int,
            width: int) -> Iterator[tuple[pa.RecordBatch, int]]:
    """Raises Decline at once when the dialect or the records before the data are not regular."""
    try:
        encoding = codecs.lookup(options.encoding).name
    except LookupError:
        raise Decline(f"unknown encoding {options.encoding}") from None
    delimiter, quote = options.delimiter, options.quotechar
    if encoding not in FAST_ENCODINGS or len(delimiter) != 1 or len(quote) != 1 or delimiter == quote \
            or {delimiter, quote} & {"\r", "\n"}:
        raise Decline("a dialect pyarrow does not parse like Python's csv")
    encoding = effective_encoding(path, options.encoding)   # utf-8 with a BOM is read as utf-8-sig
    if encoding not in FAST_ENCODINGS:
        raise Decline(f"encoding {encoding}")
    _check_lines_before(path, options, records_before, encoding)
    offset = _data_offset(path, records_before, encoding)
    return _stream(path, options, offset, width, encoding, _blank_is_ambiguous(options))


def _check_lines_before(path: Path, options: ReadOptions, records: int, encoding: str) -> None:
    with path.open("r", encoding=encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=options.delimiter, quotechar=options.quotechar)
        read = sum(1 for _ in zip(range(records), reader, strict=False))
        if reader.line_num != read:
            raise Decline("a record before the data spans lines")


def _blank_is_ambiguous(options: ReadOptions) -> bool:
    """Python's csv gives a blank line no cells, pyarrow gives it empty cells: the same staged row only when "" is a
    missing value and no drop_rows rule matches ""."""
    patterns = [re.compile(rx) for rx in options.drop_patterns().values()]
    return "" not in options.missing_values or any(rx.search("") for rx in patterns)


def _data_offset(path: Path, lines: int, encoding: str) -> int:
    """Byte offset of physical line ``lines + 1``; lines must end in LF or CRLF, as Python's csv counted them."""
    offset = 0
    with path.open("rb") as handle:
        for _ in range(lines):
            line = handle.readline()
            body = line[:-2] if line.endswith(b"\r\n") else line.rstrip(b"\n")
            if b"\r" in body:
                raise Decline("a lone CR ends a line before the data")
            offset += len(line)
        start = handle.read(len(BOM))
    if start == BOM and encoding.startswith("utf-8") and not (offset == 0 and encoding == "utf-8-sig"):
        raise Decline("a byte-order mark where Python's csv keeps it as text")
    return offset


def _text_bytes(batch: pa.RecordBatch) -> int:
    """About the bytes of the file a parsed batch came from: its cells' text and a delimiter or line end after each
    (quotes are not counted), for the progress display."""
    text = sum(pc.sum(pc.binary_length(column)).as_py() or 0 for column in batch.columns)
    return text + batch.num_rows * batch.num_columns


def _stream(path: Path, options: ReadOptions, offset: int, width: int, encoding: str,
            ambiguous: bool) -> Iterator[tuple[pa.RecordBatch, int]]:
    if offset >= path.stat().st_size:
        return
    columns = [f"c{i}" for i in range(width)]
    source = pa.OSFile(str(path))
    try:
        source.seek(offset)
        # No invalid_row_handler: pyarrow raises ArrowInvalid on a record of another width by itself, and a Python
        # handler would print a UnicodeDecodeError traceback for a row that is not valid UTF-8.
        reader = pacsv.open_csv(
            source,
            read_options=pacsv.ReadOptions(column_names=columns, block_size=BLOCK_SIZE,
                                           encoding=FAST_ENCODINGS[encoding]),
            parse_options=pacsv.ParseOptions(delimiter=options.delimiter, quote_char=options.quotechar,
                                             double_quote=True, escape_char=False, newlines_in_values=True,
                                             ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(columns, pa.string()),
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False))
        parsed = offset
        for batch in reader:
            if ambiguous and batch.num_rows and _any_all_empty(batch):
                raise Decline("a row of empty cells: blank line or not, only Python's csv can tell")
            parsed += _text_bytes(batch)   # source.tell() runs tens of MB ahead: pyarrow reads ahead
            yield batch, min(parsed, source.tell())
    finally:
        source.close()


def _any_all_empty(batch: pa.RecordBatch) -> bool:
    mask = None
    for column in batch.columns:
        empty = pc.equal(pc.binary_length(column), 0)
        mask = empty if mask is None else pc.and_(mask, empty)
    return mask is not None and pc.any(mask).as_py()
