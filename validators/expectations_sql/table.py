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
