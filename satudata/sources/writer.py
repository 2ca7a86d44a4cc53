"""The staged Parquet file: ``_file``, ``_row``, ``_blank`` and one string column per present field."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

BATCH_ROWS = 65_536
META_COLUMNS = ("_file", "_row", "_blank")
STAGING_STATISTICS = META_COLUMNS   # the staged columns queries filter on


def staged_schema(fields: list[str]) -> pa.Schema:
    return pa.schema([("_file", pa.string()), ("_row", pa.int64()), ("_blank", pa.bool_())]
                     + [(name, pa.string()) for name in fields])


class RowWriter:
    """Staged rows one at a time (the row-by-row path), written in batches."""

    def __init__(self, path: Path, fields: list[str]) -> None:
        self.schema = staged_schema(fields)
        self.fields = fields
        self.writer = pq.ParquetWriter(path, self.schema, compression="zstd")
        self.buffer: dict[str, list] = {name: [] for name in self.schema.names}
        self.count = 0

    def add(self, file: str, row: int, blank: bool, values: dict[str, str | None]) -> None:
        buffer = self.buffer
        buffer["_file"].append(file)
        buffer["_row"].append(row)
        buffer["_blank"].append(blank)
        for name in self.fields:
            buffer[name].append(values.get(name))
        self.count += 1
        if len(buffer["_row"]) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.buffer["_row"]:
            self.writer.write_table(pa.Table.from_pydict(self.buffer, schema=self.schema))
            self.buffer = {name: [] for name in self.schema.names}

    def close(self) -> None:
        self.flush()
        self.writer.close()


def batch_writer(path: Path, schema: pa.Schema, first: pa.Table | None) -> pq.ParquetWriter:
    """The fast path's writer. A work file read once by DuckDB: LZ4 costs less to write and to read than zstd.
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
