"""Table Schema types as DuckDB SQL: when a text cell is valid for a field, and its typed value.

The same expressions serve validation (is it valid?) and conversion (what is the typed value?), so the published
Parquet holds exactly what passed. Semantics follow frictionless-py v5's readers; types and formats with no exact
SQL form go through frictionless' own cell reader as a Python UDF (slow, but exact).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

INTEGER_RX = r"^\s*[+-]?\d+(_\d+)*\s*$"
NUMBER_RX = (r"^\s*[+-]?((\d+(_\d+)*)?\.?\d+(_\d+)*|\d+(_\d+)*\.)([eE][+-]?\d+)?\s*$"
             r"|^\s*[+-]?([Nn][Aa][Nn]|[Ii][Nn][Ff]([Ii][Nn][Ii][Tt][Yy])?)\s*$")
DATETIME_RX = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}(:?\d{2})?)?$"
TIME_RX = r"^\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}(:?\d{2})?)?$"
DEFAULT_TRUE = ["true", "True", "TRUE", "1"]
DEFAULT_FALSE = ["false", "False", "FALSE", "0"]
UDF_PREFIX = "fl_valid_"


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


@dataclass(frozen=True)
class FieldSql:
    """SQL for one field over a text column ``c``: ``valid`` is true for null or parseable cells."""

    valid: str
    typed: str
    duck_type: str
    udf: dict | None = None   # a field descriptor that needs the frictionless UDF

    def typed_literal(self, value: object) -> str:
        """A constraint value (minimum, enum item) typed like the column."""
        return self.typed.replace("{c}", literal(str(value)))


def _strptime(fmt: str) -> str:
    return fmt.replace("'", "''")


def field_sql(field: dict) -> FieldSql:
    kind, fmt = field.get("type", "string"), field.get("format", "default")
    if kind in ("string", "any") and fmt in ("default", None) or kind == "any":
        return FieldSql("TRUE", "{c}", "VARCHAR")
    if kind == "integer" and field.get("bareNumber", True):
        clean = "replace(trim({c}), '_', '')"
        return FieldSql(f"regexp_full_match({{c}}, '{INTEGER_RX}')", f"TRY_CAST({clean} AS BIGINT)", "BIGINT")
    if kind == "number" and field.get("bareNumber", True) and not field.get("decimalChar") \
            and not field.get("groupChar"):
        clean = "replace(trim({c}), '_', '')"
        return FieldSql(f"regexp_full_match({{c}}, '{NUMBER_RX}')", f"TRY_CAST({clean} AS DOUBLE)", "DOUBLE")
    if kind == "boolean":
        trues = field.get("trueValues", DEFAULT_TRUE)
        falses = field.get("falseValues", DEFAULT_FALSE)
        t_list = ", ".join(literal(v) for v in trues)
        f_list = ", ".join(literal(v) for v in falses)
        typed = f"CASE WHEN {{c}} IN ({t_list}) THEN TRUE WHEN {{c}} IN ({f_list}) THEN FALSE END"
        return FieldSql(f"{{c}} IN ({t_list}, {f_list})", typed, "BOOLEAN")
    if kind == "date" and fmt != "any":
        pattern = "%Y-%m-%d" if fmt in ("default", None) else fmt
        if _strptime_safe(pattern):
            typed = f"CAST(TRY_STRPTIME({{c}}, '{_strptime(pattern)}') AS DATE)"
            return FieldSql(f"{typed} IS NOT NULL", typed, "DATE")
    if kind == "datetime" and fmt in ("default", None):
        typed = "CAST(TRY_CAST({c} AS TIMESTAMPTZ) AS TIMESTAMP)"
        return FieldSql(f"regexp_full_match({{c}}, '{DATETIME_RX}') AND {typed} IS NOT NULL", typed, "TIMESTAMP")
    if kind == "time" and fmt in ("default", None):
        typed = "TRY_CAST(left({c}, 8) AS TIME)"
        return FieldSql(f"regexp_full_match({{c}}, '{TIME_RX}') AND {typed} IS NOT NULL", typed, "TIME")
    if kind == "year":
        typed = "TRY_CAST({c} AS INTEGER)"
        return FieldSql(f"length({{c}}) = 4 AND {typed} BETWEEN 0 AND 9999", typed, "INTEGER")
    if kind == "yearmonth":
        return FieldSql(r"regexp_full_match({c}, '^\d{4}-(0?[1-9]|1[0-2])$')", "{c}", "VARCHAR")
    # Anything else: frictionless decides, through a Python UDF; the value stays text.
    return FieldSql("", "{c}", "VARCHAR", udf=field)


def _strptime_safe(fmt: str) -> bool:
    """Formats DuckDB's strptime reads like Python's (no locale names other than English months)."""
    return re.fullmatch(r"(%[dmyYHMSbBfz]|[^%])*", fmt) is not None


def render(template: str, column: str) -> str:
    return template.replace("{c}", quote(column))


def register_udfs(con: duckdb.DuckDBPyConnection, fields: list[dict]) -> dict[str, str]:
    """Register a frictionless-backed validity UDF for each field that needs one; name → SQL valid expr."""
    from frictionless import Field

    valid: dict[str, str] = {}
    for index, field in enumerate(fields):
        sql = field_sql(field)
        if sql.udf is None:
            continue
        reader = Field.from_descriptor({k: v for k, v in sql.udf.items()
                                        if k not in ("constraints", "privacy", "severity")}).read_cell
        name = f"{UDF_PREFIX}{index}"

        def check(cell: str | None, _read=reader) -> bool:
            if cell is None:
                return True
            _, notes = _read(cell)
            return not (notes and "type" in notes)

        con.create_function(name, check, ["VARCHAR"], "BOOLEAN", null_handling="special")
        valid[field["name"]] = f"{name}({quote(field['name'])})"
    return valid
