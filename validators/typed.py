"""The typed table: staged text cast by the schema's types (the same SQL that validated it), blank rows gone.

GX and the privacy scan run on it, and conversion publishes from it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from satudata.validators.sqltypes import field_sql, literal, quote, register_udfs, render


def _order_by(schema: dict, present: list[str]) -> str:
    keys = schema.get("primaryKey") or []
    keys = [keys] if isinstance(keys, str) else keys
    if keys and set(keys) <= set(present):
        return ", ".join(quote(k) for k in keys) + ", _file, _row"
    return "_file, _row"


def _typed(field: dict) -> str:
    """The typed value of a valid cell; NULL for an empty cell or one with a type error."""
    sql, column = field_sql(field), field["name"]
    return f"CASE WHEN {quote(column)} IS NOT NULL AND {render(sql.valid, column)} THEN {render(sql.typed, column)} END"


def cast_to_typed(staged: Path, schema: dict, present: list[str], out: Path) -> Path:
    """Typed Parquet of every non-blank row, schema order, with ``_file``/``_row`` kept for checks."""
    fields = [f for f in schema["fields"] if f["name"] in present]
    con = duckdb.connect()
    try:
        register_udfs(con, fields)
        # TRY_CAST: an integer beyond 64 bits (reported by the integer-range check, so never published) is NULL here.
        columns = ", ".join(f"TRY_CAST({_typed(f)} AS {field_sql(f).duck_type}) AS {quote(f['name'])}"
                            for f in fields)
        con.execute(
            f"COPY (SELECT _file, _row, {columns} FROM read_parquet({literal(str(staged))}) "
            f"WHERE NOT _blank ORDER BY {_order_by(schema, present)}) "
            f"TO {literal(str(out))} (FORMAT parquet, COMPRESSION zstd)")
    finally:
        con.close()
    return out
