"""The typed table as the SQL expectations see it: a DuckDB view ``t``, one shared aggregate scan, pandas' values."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from satudata.core.duck import connect, literal, quote
from satudata.core.problems import Problem
from satudata.core.records import FAILS
from satudata.validators.expectations_sql.kwargs import Unsupported

NUMERIC = ("BIGINT", "INTEGER", "DOUBLE")
ORDERED = (*NUMERIC, "DATE", "TIMESTAMP")
NUMPY_INT = {"BIGINT": np.int64, "INTEGER": np.int32}


@dataclass
class Table:
    """The typed Parquet as a view ``t`` (NaN read as NULL, ``_ord`` = physical row) and one aggregate scan."""

    con: duckdb.DuckDBPyConnection
    path: Path
    types: dict[str, str]
    aggregates: dict[str, str] = field(default_factory=dict)   # SQL → alias
    values: dict[str, Any] = field(default_factory=dict)

    def kind(self, column: str, allowed: tuple[str, ...] | None = None) -> str:
        kind = self.types.get(column)
        if kind is None or column in ("_file", "_row") or (allowed is not None and kind not in allowed):
            raise Unsupported(f"column {column!r} of type {kind}")
        self.count(f"count({quote(column)})")
        return kind

    def count(self, sql: str) -> str:
        return self.aggregates.setdefault(sql, f"a{len(self.aggregates)}")

    def scan(self) -> None:
        if not self.aggregates:
            return
        select = ", ".join(f"{sql} AS {alias}" for sql, alias in self.aggregates.items())
        row = self.con.execute(f"SELECT {select} FROM t").fetchone()
        assert row is not None
        self.values = {sql: row[i] for i, sql in enumerate(self.aggregates)}

    def value(self, sql: str) -> Any:
        return self.values[sql]

    @property
    def rows(self) -> int:
        return int(self.value("count(*)"))

    def has_nulls(self, column: str) -> bool:
        return self.value(f"count({quote(column)})") < self.rows

    def pandas_value(self, column: str, value: Any) -> Any:
        """A cell as pandas holds it after ``to_pandas()``: its str() and repr() are what GX shows."""
        kind = self.types[column]
        if kind == "DOUBLE" or (kind in NUMPY_INT and self.has_nulls(column)):
            return np.float64("nan" if value is None else value)
        if kind in NUMPY_INT:
            return NUMPY_INT[kind](value)
        if kind == "VARCHAR" and value is None:
            return float("nan")
        if kind == "BOOLEAN" and not self.has_nulls(column):
            return np.bool_(value)
        if kind == "TIMESTAMP":
            import pandas as pd

            return pd.NaT if value is None else pd.Timestamp(value)
        return value

    def examples(self, check: str, severity: str, columns: list[str], where: str, cap: int | None) -> list[Problem]:
        limit = "" if cap is None else f"LIMIT {int(cap)}"
        cols = ", ".join(quote(c) for c in columns)
        rows = self.con.execute(f"SELECT _row, {cols} FROM t WHERE {where} ORDER BY _ord {limit}").fetchall()
        field_name = ", ".join(columns) if len(columns) > 1 else columns[0]
        return [Problem(check, severity, field_name, int(row[0]),
                        ", ".join(str(self.pandas_value(c, v)) for c, v in zip(columns, row[1:], strict=True)) or None)
                for row in rows]


@dataclass
class Expectation:
    kind: str
    kwargs: dict
    severity: str
    check: str = ""

    def __post_init__(self) -> None:
        self.check = f"gx:{self.kind}"


Outcome = tuple[bool, dict, list[Problem]]   # success, GX result fields (unexpected_count, observed_value), examples
Finisher = Callable[[int | None], Outcome]


def pandas_column(path: Path, column: str) -> Any:
    """The column as ``read_table(...).column(0).to_pandas()`` gives it (float64 with NaN for a float column or an
    integer column with nulls, else the integer type), filled row group by row group into one array: the column
    once in memory instead of twice (Arrow's chunks, then their concatenated copy)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path)
    meta, kind = parquet.metadata, parquet.schema_arrow.field(column).type
    leaf = [i for i in range(meta.num_columns) if meta.schema.column(i).path == column]
    stats = [meta.row_group(g).column(leaf[0]).statistics for g in range(meta.num_row_groups)] if leaf else [None]
    if not (pa.types.is_integer(kind) or pa.types.is_floating(kind)) or any(
            s is None or not s.has_null_count for s in stats):
        return pq.read_table(path, columns=[column]).column(0).to_pandas()
    as_float = pa.types.is_floating(kind) or any(s.null_count for s in stats)
    values = np.empty(meta.num_rows, np.float64 if as_float else kind.to_pandas_dtype())
    start = 0
    for group in range(meta.num_row_groups):
        chunk = parquet.read_row_group(group, columns=[column]).column(0)
        if as_float:
            chunk = pc.cast(chunk, pa.float64(), safe=False)
        part = chunk.to_numpy()      # float nulls become NaN, as in to_pandas()
        values[start:start + len(part)] = part
        start += len(part)
    return pd.Series(values)



@contextmanager
def open_table(typed_parquet: Path) -> Iterator[Table]:
    """The typed Parquet as view ``t``: every column but ``_fails``, NaN read as NULL, ``_ord`` the physical row."""
    con = connect(typed_parquet.parent)   # the pipeline's memory limit, spilling beside the typed table
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute(f"CREATE VIEW raw AS SELECT * FROM read_parquet({literal(str(typed_parquet))}, "
                    "file_row_number = true)")
        types = {name: kind for name, kind, *_ in con.execute("DESCRIBE raw").fetchall()
                 if name not in (FAILS, "file_row_number")}
        columns = ", ".join(f"CASE WHEN isnan({quote(n)}) THEN NULL ELSE {quote(n)} END AS {quote(n)}"
                            if kind == "DOUBLE" else quote(n) for n, kind in types.items())
        con.execute(f"CREATE VIEW t AS SELECT {columns}, file_row_number AS _ord FROM raw")
        table = Table(con, typed_parquet, types)
        table.count("count(*)")
        yield table
    finally:
        con.close()


# A float column longer than this is summed as it streams (pairwise_sum_streamed) instead of loaded whole.
STREAM_ROWS = 1 << 22
LEAF_ROWS = 1 << 20          # the part of the pairwise tree numpy sums itself (8 MB at a time)
PAIRWISE_BLOCK = 128         # numpy's PW_BLOCKSIZE: the smallest part it splits no further


class _FloatStream:
    """A float column's values in row order, NaN (nulls included) as 0.0, taken ``n`` at a time, row group by
    row group: what pandas' nanops sums after ``np.putmask(values, isna(values), 0)``."""

    def __init__(self, parquet, column: str) -> None:
        self.parquet, self.column = parquet, column
        self.group, self.buffer, self.nans = 0, np.empty(0), 0

    def take(self, n: int) -> np.ndarray:
        import pyarrow as pa
        import pyarrow.compute as pc

        parts, want = [], n
        while want:
            if not len(self.buffer):
                chunk = self.parquet.read_row_group(self.group, columns=[self.column]).column(0)
                self.group += 1
                values = pc.cast(chunk, pa.float64(), safe=False).to_numpy()   # nulls become NaN
                nan = np.isnan(values)
                self.nans += int(nan.sum())
                self.buffer = np.where(nan, 0.0, values)
            part, self.buffer = self.buffer[:want], self.buffer[want:]
            parts.append(part)
            want -= len(part)
        return parts[0] if len(parts) == 1 else np.concatenate(parts)


def pairwise_sum_streamed(take: Callable[[int], np.ndarray], n: int, leaf: int = LEAF_ROWS) -> np.float64:
    """``np.add.reduce`` of ``n`` float64 values taken in order from ``take``, without holding them all: numpy sums
    one contiguous array pairwise (it splits ``n`` values into ``n2 = n // 2 - (n // 2) % 8`` and the rest, down
    to blocks of 128), so summing the same halves the same way, and leaves of at most ``leaf`` values by numpy
    itself, gives the same bits (tests/unit/test_streamed_mean.py holds it to that). A leaf is never below
    numpy's own block of 128, which it sums with eight accumulators, unsplit."""
    leaf = max(leaf, PAIRWISE_BLOCK)
    if n <= leaf:
        return np.add.reduce(take(n))
    half = n // 2
    half -= half % 8
    left = pairwise_sum_streamed(take, half, leaf)
    return left + pairwise_sum_streamed(take, n - half, leaf)


def streamed_reduction(path: Path, column: str, func: str, leaf: int = LEAF_ROWS,
                       min_rows: int = STREAM_ROWS) -> np.float64 | None:
    """``pandas_column(path, column).mean()`` (or ``.sum()``) with the same bits, for a float column (a float type,
    or an integer one with nulls) longer than ``min_rows``, reading it row group by row group: the column is never
    in memory whole (100M rows: 800 MB, and pandas' copy with the NaN filled, 800 MB more). None: not such a
    column (the caller loads it as before)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path)
    meta, kind = parquet.metadata, parquet.schema_arrow.field(column).type
    if meta.num_rows <= min_rows or not (pa.types.is_integer(kind) or pa.types.is_floating(kind)):
        return None
    leaf_ids = [i for i in range(meta.num_columns) if meta.schema.column(i).path == column]
    stats = [meta.row_group(g).column(leaf_ids[0]).statistics for g in range(meta.num_row_groups)] \
        if leaf_ids else [None]
    if any(s is None or not s.has_null_count for s in stats):
        return None
    if not (pa.types.is_floating(kind) or any(s.null_count for s in stats)):
        return None   # an integer column without nulls: pandas sums it with a cast, in numpy's buffered order
    stream = _FloatStream(parquet, column)
    total = pairwise_sum_streamed(stream.take, meta.num_rows, leaf)
    if func == "sum":
        return np.float64(total)
    count = np.float64(meta.num_rows - stream.nans)
    return total / count if count > 0 else np.float64(np.nan)
