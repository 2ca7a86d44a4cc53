"""Conversion: the checked, typed table → the published data.parquet and data.csv, privacy treatments applied.

Streaming from file to file in batches; both files hold exactly the same rows and values, in the same order.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from satudata.core.duck import connect, literal, quote
from satudata.core.memory import gives_back_memory
from satudata.core.records import INTERNAL_COLUMNS, OutputFile, describe

CSV_NAME, PARQUET_NAME = "data.csv", "data.parquet"
CSV_TYPE, PARQUET_TYPE = "text/csv", "application/vnd.apache.parquet"
FOLLOW_CHUNK = 1 << 20
ColumnTreatment = Callable[[pa.Array], pa.Array | None]
TableTreatment = Callable[[pa.Table], pa.Table]   # e.g. small-cell suppression, given by the privacy gate


@gives_back_memory
def write_outputs(typed: Path, out_dir: Path, treatments: dict[str, ColumnTreatment],
                  small_cells: TableTreatment | None = None) -> list[OutputFile]:
    """data.parquet (privacy treatments and small-cell suppression applied, check columns removed) and data.csv.

    With treatments, the CSV is written from the finished Parquet. Without, the typed table's values are the
    published ones, so the Parquet (pyarrow) and the CSV (DuckDB, from the typed table) are written side by side."""
    out_dir.mkdir(parents=True, exist_ok=True)
    parquet_path, csv_path = out_dir / PARQUET_NAME, out_dir / CSV_NAME
    if treatments or small_cells:
        _write_parquet(typed, parquet_path, treatments, small_cells)
        csv = _write_csv(f"SELECT * FROM read_parquet({literal(str(parquet_path))})", csv_path, out_dir)
        return [describe(parquet_path, PARQUET_TYPE), csv]
    def parquet_file() -> OutputFile:
        _write_parquet(typed, parquet_path, {}, None)
        return describe(parquet_path, PARQUET_TYPE)

    with ThreadPoolExecutor(max_workers=1) as pool:
        parquet = pool.submit(parquet_file)
        internal = ", ".join(quote(c) for c in INTERNAL_COLUMNS if c in pq.ParquetFile(typed).schema_arrow.names)
        # One DuckDB thread beside pyarrow's writer: with a core each, both finish sooner, in less memory.
        csv = _write_csv(f"SELECT * EXCLUDE ({internal}) FROM read_parquet({literal(str(typed))})", csv_path,
                         out_dir, threads=1)
        return [parquet.result(), csv]


def _write_parquet(typed: Path, parquet_path: Path, treatments: dict[str, ColumnTreatment],
                   small_cells: TableTreatment | None) -> None:
    source = pq.ParquetFile(typed)
    writer: pq.ParquetWriter | None = None
    try:
        for batch in source.iter_batches(batch_size=131_072):
            table = _published(pa.Table.from_batches([batch]))
            for name, treat in treatments.items():
                index = table.schema.get_field_index(name)
                treated = treat(table.column(name).combine_chunks())
                table = table.remove_column(index) if treated is None else table.set_column(index, name, treated)
            if small_cells:
                table = small_cells(table)
            if writer is None:
                writer = pq.ParquetWriter(parquet_path, table.schema, compression="zstd")
            writer.write_table(table)
        if writer is None:  # no rows at all: still publish an empty, typed file
            schema = source.schema_arrow
            empty = _published(schema.empty_table())
            for name, treat in treatments.items():
                if treat(pa.array([], type=empty.schema.field(name).type)) is None:
                    empty = empty.drop_columns([name])
            writer = pq.ParquetWriter(parquet_path, empty.schema, compression="zstd")
            writer.write_table(empty)
    finally:
        if writer is not None:
            writer.close()


def _published(table: pa.Table) -> pa.Table:
    return table.drop_columns([c for c in INTERNAL_COLUMNS if c in table.column_names])


def _write_csv(query: str, csv_path: Path, out_dir: Path, threads: int | None = None) -> OutputFile:
    """data.csv from ``query``, hashed while DuckDB writes it (see _follow_and_hash)."""
    done = threading.Event()
    csv_path.unlink(missing_ok=True)   # the follower must only ever see the file DuckDB is writing now
    with ThreadPoolExecutor(max_workers=1) as pool:
        following = pool.submit(_follow_and_hash, csv_path, done)
        con = connect(out_dir.parent, ordered=True)   # the CSV keeps the rows' order
        try:
            if threads:
                con.execute(f"SET threads = {int(threads)}")
            # Dates print as ISO text by default (years 1–9999 as %Y-%m-%d, a test holds it), without strftime.
            con.execute(f"COPY ({query}) TO {literal(str(csv_path))} "
                        "(FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', TIMESTAMPFORMAT '%Y-%m-%dT%H:%M:%S')")
        finally:
            con.close()
            done.set()
        digest, size = following.result()
    if digest is None:
        return describe(csv_path, CSV_TYPE)
    return OutputFile(csv_path.name, csv_path, digest, size, CSV_TYPE)


def _follow_and_hash(path: Path, done: threading.Event) -> tuple[str | None, int]:
    """sha256 and size of a file another thread is appending to, read as it grows until ``done``; (None, 0) when the
    file was replaced or its size differs at the end (the caller then hashes it again)."""
    while not path.exists():
        if done.wait(0.005):
            return None, 0
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        inode = os.fstat(handle.fileno()).st_ino
        while True:
            finished = done.is_set()     # checked before reading: an empty read after it means the end
            chunk = handle.read(FOLLOW_CHUNK)
            if chunk:
                digest.update(chunk)
                size += len(chunk)
            elif finished:
                break
            else:
                time.sleep(0.005)
    final = path.stat()
    if final.st_ino != inode or final.st_size != size:
        return None, 0
    return digest.hexdigest(), size


