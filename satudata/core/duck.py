"""DuckDB as every stage opens it: bounded memory that spills to the run's work folder, and SQL quoting."""

from __future__ import annotations

import uuid
from pathlib import Path

import duckdb

# DuckDB's share of the pipeline's memory: beyond it, sorts, joins and tables spill to the work folder.
MEMORY_LIMIT = "512MB"


def connect(work_dir: Path, memory_limit: str | None = None, ordered: bool = False) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection of the pipeline: bounded memory, spilling into a folder of its own inside ``work_dir``
    (DuckDB creates it on the first spill and removes it on close); ``MEMORY_LIMIT`` unless told. ``ordered``
    keeps insertion order, which only a query without ORDER BY needs."""
    con = duckdb.connect()
    con.execute(f"SET memory_limit = {literal(memory_limit or MEMORY_LIMIT)}")
    con.execute(f"SET temp_directory = {literal(str(work_dir / f'.duckdb-tmp-{uuid.uuid4().hex[:12]}'))}")
    con.execute(f"SET preserve_insertion_order = {literal(ordered)}")
    return con


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


NUMERIC = ("integer", "number")

# DuckDB types → Table Schema type names (what journalists read in the data dictionary).
_TYPE_NAMES = {
    "VARCHAR": "string", "BOOLEAN": "boolean", "DATE": "date", "TIME": "time", "TIMESTAMP": "datetime",
    "TIMESTAMP WITH TIME ZONE": "datetime", "DOUBLE": "number", "FLOAT": "number", "BIGINT": "integer",
    "INTEGER": "integer", "SMALLINT": "integer", "TINYINT": "integer", "HUGEINT": "integer", "UBIGINT": "integer",
    "UINTEGER": "integer", "USMALLINT": "integer", "UTINYINT": "integer",
}


def type_name(duck_type: str) -> str:
    if duck_type.startswith("DECIMAL"):
        return "number"
    return _TYPE_NAMES.get(duck_type, duck_type.lower())
