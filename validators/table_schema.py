"""The Table Schema checks, column at a time in DuckDB SQL over the staged text table.

Agreement with frictionless-py is the contract (tests/agreement): the same (row, field, error type) set for types,
constraints, unique, primary and foreign keys. Semantics copied from frictionless: a cell with a type error is
not checked against constraints; unique and primary-key errors fall on the later occurrences; a primary key whose
cells are all empty is an error; a foreign key whose cells are all empty is not checked; blank rows are only
checked for their primary key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from satudata.validators.problems import ERROR, Problem
from satudata.validators.report import EXAMPLE_CAP, CheckResult
from satudata.validators.sqltypes import FieldSql, field_sql, literal, quote, register_udfs, render

CONSTRAINT_SQL = {
    "minimum": "{t} < {v}",
    "maximum": "{t} > {v}",
    "exclusiveMinimum": "{t} <= {v}",
    "exclusiveMaximum": "{t} >= {v}",
}


@dataclass(frozen=True)
class ReferenceTable:
    """A table that foreign keys point at: its staged text Parquet and its Table Schema."""

    path: Path
    schema: dict


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


class TableSchemaEngine:
    def __init__(self, staged_path: Path, present: list[str], schema: dict,
                 references: dict[str, ReferenceTable] | None = None, cap: int | None = EXAMPLE_CAP,
                 blank_severity: str = "warning") -> None:
        self.schema, self.present, self.cap = schema, present, cap
        self.references = references or {}
        self.blank_severity = blank_severity
        self.fields = {f["name"]: f for f in schema.get("fields", [])}
        self.con = duckdb.connect()
        self.con.execute("SET preserve_insertion_order = true")
        self.con.execute(f"CREATE VIEW t AS SELECT *, file_row_number AS _ord FROM "
                         f"read_parquet({literal(str(staged_path))}, file_row_number = true)")
        self.udf_valid = register_udfs(self.con, [self.fields[n] for n in present])

    def close(self) -> None:
        self.con.close()

    # --- SQL pieces -------------------------------------------------------------------------------------
    def sql(self, name: str) -> FieldSql:
        return field_sql(self.fields[name])

    def valid(self, name: str) -> str:
        if name in self.udf_valid:
            return self.udf_valid[name]
        return f"({quote(name)} IS NULL OR {render(self.sql(name).valid, name)})"

    def typed(self, name: str) -> str:
        """The typed value, NULL when the cell is empty or has a type error."""
        return f"CASE WHEN {self.valid(name)} THEN {render(self.sql(name).typed, name)} END"

    def severity(self, name: str | None, check: str) -> str:
        declared = (self.fields[name].get("severity", {}) if name else {}) or {}
        if check in declared:
            return declared[check]
        return self.schema.get("severity", {}).get(check, ERROR)

    # --- running ----------------------------------------------------------------------------------------
    def _collect(self, check: str, field: str | None, where: str, value_sql: str, severity: str,
                 detail: str | None, source: str = "t", order: str = "_ord") -> CheckResult:
        limit = "" if self.cap is None else f"LIMIT {self.cap}"
        query = (f"SELECT count(*) OVER () AS n, _file, _row, {value_sql} AS v FROM {source} "
                 f"WHERE {where} ORDER BY {order} {limit}")
        rows = self.con.execute(query).fetchall()
        count = rows[0][0] if rows else 0
        examples = [Problem(check, severity, field, row, None if v is None else str(v), file, detail)
                    for _, file, row, v in rows]
        return CheckResult(check, "table-schema", severity, field, count, examples, detail)

    def check_field(self, name: str) -> list[CheckResult]:
        field, col = self.fields[name], quote(name)
        kind = f"{field.get('type', 'string')}/{field.get('format', 'default')}"
        results = [self._collect("type", name, f"NOT _blank AND {col} IS NOT NULL AND NOT {self.valid(name)}",
                                 col, self.severity(name, "type"), kind)]
        typed, sql = self.typed(name), self.sql(name)
        for constraint, value in field.get("constraints", {}).items():
            where = self._constraint_where(name, constraint, value, typed, sql)
            if where is None:
                continue
            detail = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            results.append(self._collect(constraint, name, f"NOT _blank AND {where}", col,
                                         self.severity(name, constraint), detail))
        return results

    def _constraint_where(self, name: str, constraint: str, value: object, typed: str,
                          sql: FieldSql) -> str | None:
        col = quote(name)
        if constraint == "required":
            return f"{col} IS NULL" if value else None
        if constraint == "unique":
            return None  # a table-level check, see check_unique
        if constraint in CONSTRAINT_SQL:
            return CONSTRAINT_SQL[constraint].format(t=typed, v=sql.typed_literal(value))
        if constraint in ("minLength", "maxLength"):
            op = "<" if constraint == "minLength" else ">"
            return f"length({typed}) {op} {int(value)}"
        if constraint == "pattern":
            return f"NOT regexp_full_match({typed}, {literal(value)})"
        if constraint == "enum":
            items = ", ".join(sql.typed_literal(v) for v in value)
            return f"{typed} NOT IN ({items})"
        return None

    def check_unique(self, name: str) -> CheckResult:
        typed = self.typed(name)
        source = (f"(SELECT _file, _row, _ord, {quote(name)} AS raw, {typed} AS v FROM t "
                  f"WHERE {typed} IS NOT NULL QUALIFY row_number() OVER (PARTITION BY v ORDER BY _ord) > 1)")
        return self._collect("unique", name, "TRUE", "raw", self.severity(name, "unique"), "unique", source)

    def check_primary_key(self, keys: list[str]) -> list[CheckResult]:
        typed = ", ".join(f"{self.typed(k)} AS k{i}" for i, k in enumerate(keys))
        part = ", ".join(f"k{i}" for i in range(len(keys)))
        all_null = " AND ".join(f"k{i} IS NULL" for i in range(len(keys)))
        raw = " || '|' || ".join(f"coalesce({quote(k)}, '')" for k in keys)
        base = (f"(SELECT _file, _row, _ord, _blank, {raw} AS raw, {typed}, ({all_null}) AS all_null, "
                f"row_number() OVER (PARTITION BY {part} ORDER BY _ord) AS seen FROM t)")
        where = "(all_null OR seen > 1)"
        detail = ", ".join(keys)
        severity = self.severity(None, "primary-key")
        results = [self._collect("primary-key", None, f"{where} AND NOT _blank", "raw", severity, detail, base)]
        blank = self._collect("primary-key", None, f"{where} AND _blank", "raw", self.blank_severity, detail, base)
        if blank.count:
            results.append(blank)
        return results

    def check_foreign_key(self, fk: dict) -> CheckResult | None:
        keys = _as_list(fk["fields"])
        ref = fk["reference"]
        ref_fields = _as_list(ref["fields"])
        if ref["resource"] in ("", None):
            ref_source, ref_schema = "t", self.schema
        elif ref["resource"] in self.references:
            table = self.references[ref["resource"]]
            ref_source, ref_schema = f"read_parquet({literal(str(table.path))})", table.schema
        else:
            raise KeyError(f"foreign key to unknown resource {ref['resource']!r}")
        ref_types = {f["name"]: f for f in ref_schema.get("fields", [])}
        ref_cols = ", ".join(
            f"{render(field_sql(ref_types[rf]).typed, rf)} AS r{i}" for i, rf in enumerate(ref_fields))
        ref_valid = " AND ".join(
            f"({quote(rf)} IS NULL OR {render(field_sql(ref_types[rf]).valid, rf)})" for rf in ref_fields)
        typed = ", ".join(f"{self.typed(k)} AS k{i}" for i, k in enumerate(keys))
        raw = " || '|' || ".join(f"coalesce({quote(k)}, '')" for k in keys)
        join = " AND ".join(f"x.k{i} = r.r{i}" for i in range(len(keys)))
        any_set = " OR ".join(f"x.k{i} IS NOT NULL" for i in range(len(keys)))
        source = (f"(SELECT x.* FROM (SELECT _file, _row, _ord, {raw} AS raw, {typed} FROM t) x "
                  f"ANTI JOIN (SELECT {ref_cols} FROM {ref_source} WHERE {ref_valid}) r ON {join} "
                  f"WHERE {any_set})")
        name = keys[0] if len(keys) == 1 else None
        severity = fk.get("severity") or self.severity(name, "foreign-key")
        detail = f"{ref['resource'] or '(self)'}.{', '.join(ref_fields)}"
        return self._collect("foreign-key", name, "TRUE", "raw", severity, detail, source)

    def run(self) -> list[CheckResult]:
        results: list[CheckResult] = []
        for name in self.present:
            results += self.check_field(name)
            if self.fields[name].get("constraints", {}).get("unique"):
                results.append(self.check_unique(name))
        keys = _as_list(self.schema.get("primaryKey", []))
        if keys and set(keys) <= set(self.present):
            results += self.check_primary_key(keys)
        for fk in self.schema.get("foreignKeys", []):
            if set(_as_list(fk["fields"])) <= set(self.present):
                result = self.check_foreign_key(fk)
                if result is not None:
                    results.append(result)
        return results


def check_table(staged_path: Path, present: list[str], schema: dict,
                references: dict[str, ReferenceTable] | None = None, cap: int | None = EXAMPLE_CAP,
                blank_severity: str = "warning") -> list[CheckResult]:
    engine = TableSchemaEngine(staged_path, present, schema, references, cap, blank_severity)
    try:
        return engine.run()
    finally:
        engine.close()
