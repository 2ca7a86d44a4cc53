"""The Table Schema constraints of single cells, each a small unit named by its type: SQL true on a failing cell.

A unit gets the field's cell (``Cell``: the raw column, its typed value, its SQL pieces) and the declared value of
the constraint, and returns the SQL condition, or None when the declaration asks for nothing (``required: false``).
``unique`` is a constraint of the whole column (validators.table_schema.keys); an unknown constraint is not
checked. Semantics are frictionless': a cell with a type error is not checked; NaN fails every bound.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from satudata.validators.sqltypes import FieldSql, pattern_condition

# satudata's own check, beyond the Table Schema: an integer frictionless accepts but a 64-bit column cannot hold.
INTEGER_RANGE = "integer-range"
INT64 = (-(2**63), 2**63 - 1)


@dataclass(frozen=True)
class Cell:
    column: str     # the staged text, quoted
    typed: str      # SQL of the typed value (NULL when empty or of the wrong type)
    sql: FieldSql
    number: bool    # a Table Schema number: NaN fails every bound
    con: duckdb.DuckDBPyConnection   # patterns Python and RE2 read differently are checked by a function on it


Constraint = Callable[[Cell, object], str | None]


def _required(cell: Cell, value: object) -> str | None:
    return f"{cell.column} IS NULL" if value else None


def _bound(operator: str) -> Constraint:
    def where(cell: Cell, value: object) -> str:
        bound = f"{cell.typed} {operator} {cell.sql.typed_literal(value)}"
        return f"(isnan({cell.typed}) OR {bound})" if cell.number else bound

    return where


def _length(operator: str) -> Constraint:
    return lambda cell, value: f"length({cell.typed}) {operator} {int(value)}"   # type: ignore[call-overload]


def _pattern(cell: Cell, value: object) -> str:
    return f"NOT {pattern_condition(cell.con, str(value), cell.typed)}"


def _enum(cell: Cell, value: object) -> str:
    items = ", ".join(cell.sql.typed_literal(v) for v in value)   # type: ignore[attr-defined]
    return f"{cell.typed} NOT IN ({items})"


CONSTRAINTS: dict[str, Constraint] = {
    "required": _required,
    "minimum": _bound("<"),
    "maximum": _bound(">"),
    "exclusiveMinimum": _bound("<="),
    "exclusiveMaximum": _bound(">="),
    "minLength": _length("<"),
    "maxLength": _length(">"),
    "pattern": _pattern,
    "enum": _enum,
}
