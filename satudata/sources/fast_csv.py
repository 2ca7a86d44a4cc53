"""Stage a regular CSV export fast: pyarrow's streaming CSV parser and compute kernels instead of Python rows.

``stage_csv_fast`` writes exactly the staged Parquet and ``StagedTable`` that ``stage.stage_exports`` writes for
the same export (same columns, values, ``_row`` numbers, order and problems), in batches, never holding the file.
The title rows and the header are still read by Python's csv module and ``stage._read_header``, so labels and
label problems are the slow path's own. pyarrow's parser (double quotes, no escape character, quoted newlines,
blank lines kept as rows) splits records and cells like Python's csv module does, quirks included.

It returns None, meaning "use the exact slow path", whenever the two could differ: a record with another number
of cells than the header (extra-cell / missing-cell problems), options it does not stream (``stop_at``,
``skip_footer_rows``), an encoding outside ``FAST_ENCODINGS``, a header area where a record spans lines or ends
in a lone CR, a data row of empty cells when "" is not a missing value (Python tells a blank line from ``,,``;
pyarrow does not), undecodable text, an empty or HTML file (the slow path raises the right error).
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from satudata.core.catalog import ReadOptions
from satudata.core.memory import gives_back_memory
from satudata.core.problems import ERROR, WARNING, ExportUnreadable, Problem
from satudata.core.records import RawExport, StagedTable
from satudata.sources.normalise import build_normalisers
from satudata.sources.rows import _refuse_empty, effective_encoding, looks_like_html
from satudata.sources.stage import _header_problems, _Layout, _layout, _read_header

# Python codec name → the name pyarrow is given (it decodes non-UTF-8 text through the same Python codec).
FAST_ENCODINGS = {"utf-8": "utf8", "utf-8-sig": "utf8", "iso8859-1": "latin-1", "cp1252": "cp1252",
                  "ascii": "ascii"}
# What str.strip() removes: every character whose str.isspace() is true (a unit test re-derives it).
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
              "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
BOM = b"\xef\xbb\xbf"
BLOCK_SIZE = 2 << 20          # bytes per parsed block (about 20k queue-log rows): bigger blocks raise the peak RSS
CACHE_LIMIT = 200_000         # distinct values remembered per Python-normalised column
DATE_TYPES = ("date", "datetime", "time")
STAGING_STATISTICS = ("_file", "_row", "_blank")   # the staged columns queries filter on


class NotRegular(Exception):
    """The export needs the slow path for exact results."""


@dataclass
class _Plan:
    """One export: where its data starts, how many records came before, how its cells map onto fields."""

    raw: RawExport
    labels: list[str]
    layout: _Layout
    header_row: int
    records_before: int
    encoding: str               # the Python codec the slow path reads the file with
    offset: int


@gives_back_memory
def stage_csv_fast(raws: Iterable[RawExport], options: ReadOptions, schema_fields: list[dict],
                   out_path: Path, progress: Callable[[int, int], None] | None = None) -> StagedTable | None:
    """The staged table of CSV exports, as ``stage_exports`` makes it, or None when only the slow path is exact."""
    raws = list(raws)
    if not raws or any(raw.format != "csv" for raw in raws) or not _streamable(options):
        return None
    names = [f["name"] for f in schema_fields]
    try:
        plans = [_plan(raw, options, names) for raw in raws]
    except (NotRegular, ExportUnreadable, UnicodeDecodeError, csv.Error, LookupError):
        return None
    problems: list[Problem] = []
    for plan in plans:
        file = plan.raw.path.name
        if not options.select:
            problems += _header_problems(plan.labels, names, file, plan.header_row or None)
        else:
            problems += [Problem("missing-label", ERROR, n, plan.header_row or None, None, file)
                         for n in options.select if n not in plan.labels]
    present = [n for n in names if all(n in plan.layout.positions for plan in plans)]
    missing = [n for n in names if n not in present]
    batcher = _Batcher(options, schema_fields, present)
    writer: pq.ParquetWriter | None = None
    count, declined, done_bytes = 0, False, 0
    pending: Future | None = None
    try:
        with ThreadPoolExecutor(max_workers=1) as background:   # write one batch while the next is parsed
            for plan in plans:
                for table, blank_rows, position in _stream(plan, options, batcher):
                    if pending is not None:
                        pending.result()
                    writer = writer or _staging_writer(out_path, batcher.schema, table)
                    pending = background.submit(writer.write_table, table)
                    count += table.num_rows
                    problems += [Problem("blank-row", WARNING, None, row, None, plan.raw.path.name)
                                 for row in blank_rows]
                    if progress:
                        progress(count, done_bytes + position)
                done_bytes += plan.raw.bytes
                if progress:
                    progress(count, done_bytes)
            if pending is not None:
                pending.result()
    except (NotRegular, pa.ArrowInvalid, UnicodeDecodeError):
        declined = True
    finally:
        (writer or _staging_writer(out_path, batcher.schema, None)).close()
    if declined:
        out_path.unlink(missing_ok=True)
        return None
    return StagedTable(out_path, present, missing, count, problems,
                       {plan.raw.path.name: plan.header_row for plan in plans})


def _staging_writer(path: Path, schema: pa.Schema, first: pa.Table | None) -> pq.ParquetWriter:
    """The staged table's writer. A work file read once by DuckDB: LZ4 costs less to write and to read than zstd.
    Columns whose first batch repeats its values (codes, dates, categories: most columns of a department export) are
    dictionary-encoded, so DuckDB reads each distinct text once and checks it once; columns of mostly different
    values (ids, free text) are not, as a dictionary would only add work. Statistics are kept only for the columns
    queries filter on (``_file``, ``_row``, ``_blank``: failing rows are looked up by row-group pruning): min/max
    of every text column cost a quarter of the writer's time and no query reads them."""
    repeating = [] if first is None else [
        name for name in first.column_names
        if pa.types.is_string(first.schema.field(name).type)
        and 2 * pc.count_distinct(first.column(name)).as_py() <= first.num_rows]
    return pq.ParquetWriter(path, schema, compression="lz4", use_dictionary=repeating or False,
                            write_statistics=list(STAGING_STATISTICS))


def _streamable(options: ReadOptions) -> bool:
    try:
        encoding = codecs.lookup(options.encoding).name
    except LookupError:
        return False
    single = len(options.delimiter) == 1 and len(options.quotechar) == 1
    return (encoding in FAST_ENCODINGS and single and options.delimiter != options.quotechar
            and not {options.delimiter, options.quotechar} & {"\r", "\n"}
            and options.stop_at is None and options.skip_footer_rows == 0 and options.decimal != "")


def _plan(raw: RawExport, options: ReadOptions, names: list[str]) -> _Plan:
    _refuse_empty(raw.path)
    if looks_like_html(raw.path):
        raise NotRegular("an HTML page: the slow path names the problem")
    encoding = effective_encoding(raw.path, options.encoding)   # utf-8 with a BOM is read as utf-8-sig
    if encoding not in FAST_ENCODINGS:
        raise NotRegular(f"encoding {encoding}")
    before = options.skip_rows_after_header + (options.header_row or options.skip_rows)
    records: list[tuple[int, list[str | None]]] = []
    with raw.path.open("r", encoding=encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=options.delimiter, quotechar=options.quotechar)
        for number in range(1, before + 1):
            cells = next(reader, None)
            if cells is None:
                break
            records.append((number, list(cells)))
        if reader.line_num != len(records):
            raise NotRegular("a record before the data spans lines")
    labels, header_row = _read_header(raw, iter(records), options, names)
    if len(records) < before or not labels:
        raise NotRegular("no data rows, or no columns")
    return _Plan(raw, labels, _layout(labels, names, options), header_row, before, encoding,
                 _data_offset(raw.path, before, encoding))


def _data_offset(path: Path, lines: int, encoding: str) -> int:
    """Byte offset of physical line ``lines + 1``; lines must end in LF or CRLF, as Python's csv counted them."""
    offset = 0
    with path.open("rb") as handle:
        for _ in range(lines):
            line = handle.readline()
            body = line[:-2] if line.endswith(b"\r\n") else line.rstrip(b"\n")
            if b"\r" in body:
                raise NotRegular("a lone CR ends a line before the data")
            offset += len(line)
        start = handle.read(len(BOM))
    if start == BOM and encoding.startswith("utf-8") and not (offset == 0 and encoding == "utf-8-sig"):
        raise NotRegular("a byte-order mark where Python's csv keeps it as text")
    return offset


def _refuse_row(row: object) -> str:
    return "error"   # another number of cells than the header: the slow path reports extra/missing cells


def _text_bytes(batch: pa.RecordBatch) -> int:
    """About the bytes of the file a parsed batch came from: its cells' text and a delimiter or line end after each
    (quotes are not counted)."""
    text = sum(pc.sum(pc.binary_length(column)).as_py() or 0 for column in batch.columns)
    return text + batch.num_rows * batch.num_columns


def _stream(plan: _Plan, options: ReadOptions, batcher: _Batcher) -> Iterable[tuple[pa.Table, list[int], int]]:
    """Staged batches of one export, with their blank rows and how far into the file the reader has got."""
    path = plan.raw.path
    if plan.offset >= path.stat().st_size:
        return
    columns = [f"c{i}" for i in range(len(plan.labels))]
    source = pa.OSFile(str(path))
    try:
        source.seek(plan.offset)
        reader = pacsv.open_csv(
            source,
            read_options=pacsv.ReadOptions(column_names=columns, block_size=BLOCK_SIZE,
                                           encoding=FAST_ENCODINGS[plan.encoding]),
            parse_options=pacsv.ParseOptions(delimiter=options.delimiter, quote_char=options.quotechar,
                                             double_quote=True, escape_char=False, newlines_in_values=True,
                                             ignore_empty_lines=False, invalid_row_handler=_refuse_row),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(columns, pa.string()),
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False))
        first_row, parsed = plan.records_before + 1, plan.offset
        for batch in reader:
            parsed += _text_bytes(batch)   # source.tell() runs tens of MB ahead: pyarrow reads ahead
            yield (*batcher.convert(batch, plan, first_row), min(parsed, source.tell()))
            first_row += batch.num_rows
    finally:
        source.close()


class _Batcher:
    """Turns one parsed batch of raw cells into staged rows: clean, normalise, drop, mark blanks."""

    def __init__(self, options: ReadOptions, schema_fields: list[dict], present: list[str]) -> None:
        self.options, self.present = options, present
        self.schema = pa.schema([("_file", pa.string()), ("_row", pa.int64()), ("_blank", pa.bool_())]
                                + [(name, pa.string()) for name in present])
        self.missing = pa.array(options.missing_values, pa.string())
        self.only_empty_missing = options.missing_values == [""]   # found by length: a third of a set lookup
        # Python's csv gives a blank line no cells, pyarrow gives it empty cells: the same staged row only when
        # "" is a missing value and no drop_rows pattern matches "".
        self.drop = {col: re.compile(rx) for col, rx in options.drop_rows.items()}
        self.empty_ambiguous = "" not in options.missing_values or any(rx.search("") for rx in self.drop.values())
        chains = build_normalisers(options, schema_fields)
        types = {f["name"]: f.get("type", "string") for f in schema_fields}
        self.number = {n for n in present if chains[n] and types[n] in ("number", "integer")
                       and not self._python_chain(n, types[n])}
        self.python: dict[str, Callable[[str], str | None]] = {
            n: _compose(chains[n]) for n in present if chains[n] and n not in self.number}
        self.caches: dict[str, dict[str, str | None]] = {n: {} for n in self.python}

    def _python_chain(self, name: str, field_type: str) -> bool:
        formats = self.options.date_formats
        dated = isinstance(formats, str) or name in formats
        return name in self.options.replace or (dated and field_type in DATE_TYPES)

    def _clean(self, column: pa.Array) -> pa.Array:
        if self.options.strip:
            column = pc.utf8_trim(column, WHITESPACE)
        if len(self.missing):
            missing = (pc.equal(pc.binary_length(column), 0) if self.only_empty_missing
                       else pc.is_in(column, value_set=self.missing))
            if pc.any(missing).as_py():
                column = pc.if_else(missing, pa.scalar(None, pa.string()), column)
        return column

    def _numbers(self, column: pa.Array) -> pa.Array:
        if self.options.thousands:
            column = pc.replace_substring(column, self.options.thousands, "")
        if self.options.decimal != ".":
            column = pc.replace_substring(column, self.options.decimal, ".")
        return column

    def _python(self, name: str, column: pa.Array) -> pa.Array:
        """Apply the slow path's own normaliser chain to each distinct value (dates and codes repeat a lot)."""
        encoded = column.dictionary_encode()
        cache, normalise = self.caches[name], self.python[name]
        if len(cache) > CACHE_LIMIT:
            cache.clear()
        mapped = []
        for value in encoded.dictionary.to_pylist():
            if value not in cache:
                cache[value] = normalise(value)
            mapped.append(cache[value])
        return pc.take(pa.array(mapped, pa.string()), encoded.indices)

    def _kept(self, batch: pa.RecordBatch, labels: list[str]) -> pa.Array | None:
        """Rows not matched by ``drop_rows`` (regex on the stripped raw cell), or None when none is declared."""
        position = {label: i for i, label in enumerate(labels)}
        dropped = None
        for col, rx in self.drop.items():
            if col not in position:
                continue
            encoded = batch.column(position[col]).dictionary_encode()
            hits = pa.array([rx.search(v.strip()) is not None for v in encoded.dictionary.to_pylist()], pa.bool_())
            match = pc.take(hits, encoded.indices)
            dropped = match if dropped is None else pc.or_(dropped, match)
        return None if dropped is None else pc.invert(dropped)

    def convert(self, batch: pa.RecordBatch, plan: _Plan, first_row: int) -> tuple[pa.Table, list[int]]:
        rows = pa.array(np.arange(first_row, first_row + batch.num_rows, dtype=np.int64))
        if self.empty_ambiguous and batch.num_rows:
            all_empty = _all(pc.equal(pc.binary_length(c), 0) for c in batch.columns)
            if pc.any(all_empty).as_py():
                raise NotRegular("a row of empty cells: blank line or not, only Python's csv can tell")
        kept = self._kept(batch, plan.labels)
        if kept is not None:
            batch, rows = batch.filter(kept), rows.filter(kept)
        cleaned = [self._clean(column) for column in batch.columns]
        blank = _all(pc.is_null(column) for column in cleaned)
        values = []
        for name in self.present:
            column = cleaned[plan.layout.positions[name]]
            if name in self.number:
                column = self._numbers(column)
            elif name in self.python:
                column = self._python(name, column)
            values.append(column)
        count = batch.num_rows
        table = pa.Table.from_arrays([pa.repeat(plan.raw.path.name, count), rows, blank, *values],
                                     schema=self.schema)
        return table, rows.filter(blank).to_pylist()


def _all(masks: Iterable[pa.Array]) -> pa.Array:
    result = None
    for mask in masks:
        result = mask if result is None else pc.and_(result, mask)
    assert result is not None
    return result


def _compose(chain: list[Callable[[str], str | None]]) -> Callable[[str], str | None]:
    def normalise(value: str) -> str | None:
        for step in chain:
            value = step(value)
        return value

    return normalise
