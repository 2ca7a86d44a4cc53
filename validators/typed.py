"""The typed table: staged text cast by the schema's types (the same SQL that validated it), blank rows gone.

GX and the privacy scan run on it, and conversion publishes from it. It is written by the Table Schema engine in
the same scan that checks the cells (``TableSchemaEngine.write_typed``): besides the fields it holds ``_file`` and
``_row`` (where each row came from) and ``_fails`` (the row's failing cell checks, NULL when none), which are never
published. Its rows are ordered by primary key (then file and row), the published order. Exports nearly always
arrive in that order already: the table is written in the staged order, checked, and sorted (a second pass,
spilling to disk beyond DuckDB's memory limit) only when it is not.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from satudata.core.duck import literal, quote

PARQUET = "(FORMAT parquet, COMPRESSION zstd)"
def _keys(schema: dict, present: list[str]) -> list[str]:
    keys = schema.get("primaryKey") or []
    keys = [keys] if isinstance(keys, str) else keys
    return list(keys) if keys and set(keys) <= set(present) else []


def _order_by(schema: dict, present: list[str]) -> str:
    return ", ".join(quote(k) for k in [*_keys(schema, present), "_file", "_row"])


def comparable(kind: pa.DataType) -> bool:
    """Whether pyarrow's comparisons order values of ``kind`` as DuckDB's ORDER BY does (not floating point, with its
    NaN; not nested or dictionary-encoded values)."""
    return not (pa.types.is_floating(kind) or pa.types.is_nested(kind) or pa.types.is_dictionary(kind))


def _not_after(before: pa.Array, after: pa.Array, rest: pa.Array) -> pa.Array:
    """Per pair of neighbours: ``before`` sorts first (as DuckDB's ORDER BY: NULLs last), or ties and ``rest``."""
    first = pc.or_(pc.and_(pc.is_valid(before), pc.is_null(after)), pc.fill_null(pc.less(before, after), False))
    tie = pc.or_(pc.and_(pc.is_null(before), pc.is_null(after)), pc.fill_null(pc.equal(before, after), False))
    return pc.or_(first, pc.and_(tie, rest))


def is_ordered(path: Path, columns: list[str]) -> bool:
    """Whether the Parquet's rows are already in ORDER BY ``columns`` order (False for keys compared in ways the
    check does not mirror, floating point with its NaN, and nested types)."""
    parquet = pq.ParquetFile(path)
    if not all(comparable(parquet.schema_arrow.field(name).type) for name in columns):
        return False
    previous: pa.RecordBatch | None = None
    for batch in parquet.iter_batches(batch_size=1 << 20, columns=columns):
        table = pa.Table.from_batches([previous, batch] if previous is not None else [batch]).combine_chunks()
        if table.num_rows > 1:
            ordered = pa.repeat(True, table.num_rows - 1)
            for name in reversed(columns):
                values = table.column(name).chunk(0)
                ordered = _not_after(values.slice(0, len(values) - 1), values.slice(1), ordered)
            if not pc.all(ordered).as_py():
                return False
        previous = batch.slice(batch.num_rows - 1) if batch.num_rows else previous
    return True


def cast_to_typed(staged: Path, schema: dict, present: list[str], out: Path) -> Path:
    """Typed Parquet of every non-blank row, schema order, with ``_file``/``_row`` kept for checks (the cell checks
    run too, as they share the scan; ``check_table`` gives the whole report)."""
    from satudata.validators.table_schema import TableSchemaEngine

    engine = TableSchemaEngine(staged, present, schema)
    try:
        engine.write_typed(out)
        engine.finish_typed(out)
    finally:
        engine.close()
    return out


def put_in_order(con: duckdb.DuckDBPyConnection, unsorted: Path, schema: dict, present: list[str],
                 out: Path, ordered: bool | None = None) -> Path:
    """Move the typed table written in staged order to ``out`` when that is the published order; sort it when not.
    ``ordered``: already known (by validators.sorted_keys), or None to check."""
    try:
        if ordered is None:
            ordered = is_ordered(unsorted, [*_keys(schema, present), "_file", "_row"])
        if ordered:
            unsorted.replace(out)
        else:
            # The sort by primary key (the published order: content hashes depend on it) spills beyond the limit.
            con.execute("SET preserve_insertion_order = false")
            con.execute(f"COPY (SELECT * FROM read_parquet({literal(str(unsorted))}) "
                        f"ORDER BY {_order_by(schema, present)}) TO {literal(str(out))} {PARQUET}")
    finally:
        unsorted.unlink(missing_ok=True)
    return out
