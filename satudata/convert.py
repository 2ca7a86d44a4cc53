"""Conversion: the checked, typed table → the published data.parquet and data.csv, privacy treatments applied.

Streaming from file to file in batches; the CSV is written from the Parquet, so both hold exactly the same rows
and values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from satudata.sources.pull import sha256_file
from satudata.validators.sqltypes import literal

CSV_NAME, PARQUET_NAME = "data.csv", "data.parquet"
ColumnTreatment = Callable[[pa.Array], pa.Array | None]


@dataclass(frozen=True)
class OutputFile:
    name: str
    path: Path
    sha256: str
    bytes: int
    media_type: str

    def as_dict(self) -> dict:
        return {"name": self.name, "sha256": self.sha256, "bytes": self.bytes, "mediatype": self.media_type}


def write_outputs(typed: Path, out_dir: Path, treatments: dict[str, ColumnTreatment],
                  small_cells: tuple[list[str], int] | None = None) -> list[OutputFile]:
    """data.parquet (privacy treatments and small-cell suppression applied, check columns removed), data.csv from it."""
    from satudata.validators.privacy import suppress_small_cells

    out_dir.mkdir(parents=True, exist_ok=True)
    parquet_path, csv_path = out_dir / PARQUET_NAME, out_dir / CSV_NAME
    source = pq.ParquetFile(typed)
    writer: pq.ParquetWriter | None = None
    try:
        for batch in source.iter_batches(batch_size=131_072):
            table = pa.Table.from_batches([batch]).drop_columns(["_file", "_row"])
            for name, treat in treatments.items():
                index = table.schema.get_field_index(name)
                treated = treat(table.column(name).combine_chunks())
                table = table.remove_column(index) if treated is None else table.set_column(index, name, treated)
            if small_cells:
                table, _ = suppress_small_cells(table, small_cells[0], small_cells[1])
            if writer is None:
                writer = pq.ParquetWriter(parquet_path, table.schema, compression="zstd")
            writer.write_table(table)
        if writer is None:  # no rows at all: still publish an empty, typed file
            schema = source.schema_arrow
            empty = schema.empty_table().drop_columns(["_file", "_row"])
            for name, treat in treatments.items():
                if treat(pa.array([], type=empty.schema.field(name).type)) is None:
                    empty = empty.drop_columns([name])
            writer = pq.ParquetWriter(parquet_path, empty.schema, compression="zstd")
            writer.write_table(empty)
    finally:
        if writer is not None:
            writer.close()
    con = duckdb.connect()
    try:
        con.execute(f"COPY (SELECT * FROM read_parquet({literal(str(parquet_path))})) TO {literal(str(csv_path))} "
                    "(FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', DATEFORMAT '%Y-%m-%d', "
                    "TIMESTAMPFORMAT '%Y-%m-%dT%H:%M:%S')")
    finally:
        con.close()
    return [describe(parquet_path, "application/vnd.apache.parquet"), describe(csv_path, "text/csv")]


def describe(path: Path, media_type: str) -> OutputFile:
    return OutputFile(path.name, path, sha256_file(path), path.stat().st_size, media_type)
