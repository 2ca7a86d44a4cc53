"""The Table Schema checks, column at a time in DuckDB SQL over the staged text table.

Agreement with frictionless-py is the contract (tests/agreement): the same (row, field, error type) multiset for
types, constraints, unique, primary and foreign keys. Semantics copied from frictionless: a cell with a type
error is not checked against constraints and counts as empty in keys; NaN fails every bound and equals nothing;
unique and primary-key errors fall on the later occurrences; a primary key whose cells are all empty is an error;
a foreign key whose cells are all empty is not checked, and keys compare like Python values (a text never equals
a number, empty equals empty); blank rows are only checked for their primary key. One check is satudata's own,
``integer-range``: an integer frictionless accepts but a published 64-bit integer column cannot hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from satudata.core.duck import connect, literal, quote
from satudata.core.memory import gives_back_memory
from satudata.core.problems import ERROR, Problem
from satudata.core.records import FAILS, ReferenceTable
from satudata.validators.report import EXAMPLE_CAP, CheckResult
from satudata.validators.sorted_keys import SortedKeys, scan_sorted_keys
from satudata.validators.sqltypes import FieldSql, field_sql, pattern_condition, register_udfs, render
from satudata.validators.typed import PARQUET, put_in_order

CONSTRAINT_SQL = {
    "minimum": "{t} < {v}",
    "maximum": "{t} > {v}",
    "exclusiveMinimum": "{t} <= {v}",
    "exclusiveMaximum": "{t} >= {v}",
}
# satudata's own checks, beyond the Table Schema: an integer frictionless accepts but a 64-bit column cannot hold.
INTEGER_RANGE = "integer-range"
INT64 = (-(2**63), 2**63 - 1)
IN_LIST_ROWS = 5_000   # failing primary-key rows looked up by a literal list; more: by a join
# Table Schema types whose Python values can be equal across types (True == 1 == 1.0 == Decimal("1")).
FAMILY = {"integer": "number", "number": "number", "year": "number", "boolean": "number", "string": "text",
          "any": "text"}


@dataclass(frozen=True)
class CellCheck:
    """A check of single cells: ``where`` is SQL true on a failing cell, whose text is the example value."""

    check: str
    field: str
    where: str
    severity: str
    detail: str | None


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


class TableSchemaEngine:
    def __init__(self, staged_path: Path, present: list[str], schema: dict,
                 references: dict[str, ReferenceTable] | None = None, cap: int | None = EXAMPLE_CAP,
                 blank_severity: str = "warning") -> None:
        self.schema, self.present, self.cap = schema, present, cap
        self.references = references or {}
        self.blank_severity = blank_severity
        self._unsorted: Path | None = None     # the typed table as written, in staged order
        self._ordered: bool | None = None      # whether that is the published order, when the key scan knows
        self.fields = {f["name"]: f for f in schema.get("fields", [])}
        self.con = connect(staged_path.parent)   # every query orders its examples by _ord
        self.con.execute(f"CREATE VIEW t AS SELECT *, file_row_number AS _ord FROM "
                         f"read_parquet({literal(str(staged_path))}, file_row_number = true)")
        ref_fields = [f for table in self.references.values() for f in table.schema.get("fields", [])]
        register_udfs(self.con, [self.fields[n] for n in present] + ref_fields)

    def close(self) -> None:
        self.con.close()

    # --- SQL pieces -------------------------------------------------------------------------------------
    def sql(self, name: str) -> FieldSql:
        return field_sql(self.fields[name])

    def valid(self, name: str) -> str:
        return f"({quote(name)} IS NULL OR {render(self.sql(name).valid, name)})"

    def typed(self, name: str) -> str:
        """The typed value, NULL when the cell is empty or has a type error."""
        return f"CASE WHEN {self.valid(name)} THEN {render(self.sql(name).typed, name)} END"

    def is_number(self, name: str) -> bool:
        return self.fields[name].get("type") == "number"

    def severity(self, name: str | None, check: str) -> str:
        declared = (self.fields[name].get("severity", {}) if name else {}) or {}
        if check in declared:
            return declared[check]
        return (self.schema.get("severity") or {}).get(check, ERROR)

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

    def cell_checks(self, name: str, valid: str, typed: str) -> list[CellCheck]:
        """The checks of one field's cells: type, integer range, then each constraint in declared order. ``valid``
        and ``typed`` are the columns holding the cell's ``self.valid`` and ``self.typed``."""
        field, col = self.fields[name], quote(name)
        kind = f"{field.get('type', 'string')}/{field.get('format', 'default')}"
        checks = [CellCheck("type", name, f"NOT _blank AND {col} IS NOT NULL AND NOT {valid}",
                            self.severity(name, "type"), kind)]
        sql = self.sql(name)
        if field.get("type") == "integer":
            where = (f"NOT _blank AND {col} IS NOT NULL AND {valid} "
                     f"AND coalesce({typed} NOT BETWEEN {INT64[0]} AND {INT64[1]}, TRUE)")
            checks.append(CellCheck(INTEGER_RANGE, name, where, self.severity(name, INTEGER_RANGE), "int64"))
        for constraint, value in (field.get("constraints") or {}).items():
            where = self._constraint_where(name, constraint, value, typed, sql)
            if where is None:
                continue
            detail = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            checks.append(CellCheck(constraint, name, f"NOT _blank AND {where}", self.severity(name, constraint),
                                    detail))
        return checks

    def _checked_rows(self, checks: list[CellCheck]) -> tuple[str, str, str]:
        """(source, fails, any_fails): the staged rows with each cell's validity and typed value as columns (each
        cell read once), the list of a row's failing (check, cell) pairs, and SQL true when a row has any."""
        flags = ", ".join(f"CASE WHEN {c.where} THEN {{'k': {i}, 'v': {quote(c.field)}}} END"
                          for i, c in enumerate(checks))
        any_fails = " OR ".join(f"({c.where})" for c in checks)
        # A field's common shape is tested once a cell, as a column both its validity and its typed value read.
        shaped = [n for n in self.present if self.sql(n).shape]
        tiers = {n: self.sql(n).shared(self._shape_alias(n)) if n in shaped else (self.sql(n).valid, self.sql(n).typed)
                 for n in self.present}
        shapes = "".join(f", {render(self.sql(n).shape or '', n)} AS {self._shape_alias(n)}" for n in shaped)
        valid = ", ".join(f"({quote(n)} IS NULL OR {render(tiers[n][0], n)}) AS {self._valid_alias(n)}"
                          for n in self.present)
        typed = ", ".join(f"CASE WHEN {self._valid_alias(n)} THEN {render(tiers[n][1], n)} END AS "
                          f"{self._typed_alias(n)}" for n in self.present)
        source = f"(SELECT *, {typed} FROM (SELECT *, {valid} FROM (SELECT *{shapes} FROM t)))"
        return source, f"list_filter([{flags}], lambda x: x IS NOT NULL)", any_fails

    def run_cell_checks(self, checks: list[CellCheck]) -> list[CheckResult]:
        """Every cell check in one scan of the table: the failing (check, row, cell) tuples of each row, then
        per check the count and the first examples in row order (the same as one query per check)."""
        if not checks:
            return []
        source, fails, any_fails = self._checked_rows(checks)
        return self._cell_results(checks, f"SELECT _file, _row, _ord, unnest({fails}) AS f FROM {source} "
                                          f"WHERE {any_fails}")

    def _cell_results(self, checks: list[CellCheck], failing_cells: str) -> list[CheckResult]:
        """Count and first examples per check from ``failing_cells`` (rows of _file, _row, _ord, f{k, v})."""
        limit = "" if self.cap is None else f"QUALIFY row_number() OVER (PARTITION BY f.k ORDER BY _ord) <= {self.cap}"
        rows = self.con.execute(f"SELECT f.k, count(*) OVER (PARTITION BY f.k), _file, _row, f.v "
                                f"FROM ({failing_cells}) {limit} ORDER BY f.k, _ord").fetchall()
        counts: dict[int, int] = {}
        examples: dict[int, list[Problem]] = {i: [] for i in range(len(checks))}
        for k, count, file, row, value in rows:
            check = checks[k]
            counts[k] = count
            examples[k].append(Problem(check.check, check.severity, check.field, row,
                                       None if value is None else str(value), file, check.detail))
        return [CheckResult(c.check, "table-schema", c.severity, c.field, counts.get(i, 0), examples[i], c.detail)
                for i, c in enumerate(checks)]

    def write_typed(self, out: Path, checks: list[CellCheck] | None = None) -> list[CheckResult]:
        """The typed table at ``out`` (see validators.typed) and the results of ``checks`` (every cell check by
        default), from one scan: each row's typed values and its failing checks (``_fails``) are written together,
        then the failures are read back from that one mostly empty column."""
        checks = self.all_cell_checks() if checks is None else checks
        unsorted = out.with_name(out.name + ".unsorted")
        self._write_unsorted(checks, unsorted)
        results = self._cell_results(checks, f"SELECT _file, _row, file_row_number AS _ord, unnest({FAILS}) AS f FROM "
                                             f"read_parquet({literal(str(unsorted))}, file_row_number = true) "
                                             f"WHERE {FAILS} IS NOT NULL") if checks else []
        self._unsorted, self._ordered = unsorted, None
        return results

    def _write_unsorted(self, checks: list[CellCheck], unsorted: Path) -> None:
        columns = ", ".join(f"TRY_CAST({self._typed_alias(n)} AS {self.sql(n).duck_type}) AS {quote(n)}"
                            for n in self.present)
        # TRY_CAST: an integer beyond 64 bits (reported by the integer-range check, so never published) is NULL.
        if checks:
            source, fails, any_fails = self._checked_rows(checks)
            fails_column = f"CASE WHEN {any_fails} THEN {fails} END"
        else:   # the typed values alone
            source = self._checked_rows([])[0] if self.present else "t"
            fails_column = "NULL::STRUCT(k INTEGER, v VARCHAR)[]"
        self.con.execute("SET preserve_insertion_order = true")   # written in the staged order
        try:
            self.con.execute(f"COPY (SELECT _file, _row{', ' if columns else ''}{columns}, {fails_column} AS {FAILS} "
                             f"FROM {source} WHERE NOT _blank) TO {literal(str(unsorted))} {PARQUET}")
        finally:
            self.con.execute("SET preserve_insertion_order = false")

    def finish_typed(self, out: Path) -> Path:
        """Put the table ``write_typed`` wrote in the published order at ``out``."""
        return put_in_order(self.con, self._unsorted, self.schema, self.present, out, self._ordered)

    def _constraint_where(self, name: str, constraint: str, value: object, typed: str,
                          sql: FieldSql) -> str | None:
        col = quote(name)
        if constraint == "required":
            return f"{col} IS NULL" if value else None
        if constraint == "unique":
            return None  # a table-level check, see check_unique
        if constraint in CONSTRAINT_SQL:
            bound = CONSTRAINT_SQL[constraint].format(t=typed, v=sql.typed_literal(value))
            return f"(isnan({typed}) OR {bound})" if self.is_number(name) else bound
        if constraint in ("minLength", "maxLength"):
            op = "<" if constraint == "minLength" else ">"
            return f"length({typed}) {op} {int(value)}"
        if constraint == "pattern":
            return f"NOT {pattern_condition(self.con, str(value), typed)}"
        if constraint == "enum":
            items = ", ".join(sql.typed_literal(v) for v in value)
            return f"{typed} NOT IN ({items})"
        return None

    def _key(self, name: str, alias: str) -> str:
        """A key cell as frictionless compares it: typed, NULL when empty or invalid."""
        return f"{self.typed(name)} AS {alias}"

    def _nan(self, names: list[str], aliases: list[str]) -> str:
        tests = [f"coalesce(isnan({a}), FALSE)" for n, a in zip(names, aliases, strict=True) if self.is_number(n)]
        return " OR ".join(tests) or "FALSE"

    def check_unique(self, name: str) -> CheckResult:
        nan = self._nan([name], ["v"])
        source = (f"(SELECT _file, _row, _ord, raw, v FROM (SELECT _file, _row, _ord, {quote(name)} AS raw, "
                  f"{self._key(name, 'v')} FROM t) WHERE v IS NOT NULL AND NOT ({nan}) "
                  f"QUALIFY row_number() OVER (PARTITION BY v ORDER BY _ord) > 1)")
        return self._collect("unique", name, "TRUE", "raw", self.severity(name, "unique"), "unique", source)

    def check_primary_key(self, keys: list[str], scan: SortedKeys | None = None) -> list[CheckResult]:
        """Rows whose key is empty or repeats an earlier row's. With ``scan`` (keys found sorted in the typed table,
        see validators.sorted_keys) only those rows and the blank ones are looked up; otherwise one window over
        every row compares the keys."""
        raw = " || '|' || ".join(f"coalesce({quote(k)}, '')" for k in keys)
        if scan is not None:
            failing = self._rows_of(scan.repeated + scan.empty, f"_file, _row, _ord, _blank, {raw} AS raw")
        else:
            aliases = [f"k{i}" for i in range(len(keys))]
            typed = ", ".join(self._key(k, a) for k, a in zip(keys, aliases, strict=True))
            all_null = " AND ".join(f"{a} IS NULL" for a in aliases)
            # A key holding NaN equals no other key (NaN != NaN), so it gets a partition of its own.
            part = ", ".join(aliases) + f", CASE WHEN {self._nan(keys, aliases)} THEN _ord END"
            base = (f"(SELECT *, ({all_null}) AS all_null, row_number() OVER (PARTITION BY {part} ORDER BY _ord) "
                    f"AS seen FROM (SELECT _file, _row, _ord, _blank, {raw} AS raw, {typed} FROM t))")
            failing = f"SELECT _file, _row, _ord, _blank, raw FROM {base} WHERE all_null OR seen > 1"
        # One scan: the failing rows (few, as a rule) are kept, then split into blank rows and the others.
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE primary_key_failures AS {failing}")
        detail = ", ".join(keys)
        severity = self.severity(None, "primary-key")
        failures = "primary_key_failures"
        results = [self._collect("primary-key", None, "NOT _blank", "raw", severity, detail, failures)]
        blank = self._collect("primary-key", None, "_blank", "raw", self.blank_severity, detail, failures)
        if blank.count:
            results.append(blank)
        return results

    def _rows_of(self, rows: list[tuple[str, int]], columns: str) -> str:
        """SQL selecting ``columns`` of the blank rows and of ``rows`` (file, row). A short list is written into the
        query, where the Parquet reader skips every row group whose ``_row`` range holds none of them."""
        blank = f"SELECT {columns} FROM t WHERE _blank"
        if not rows:
            return blank
        if len(rows) > IN_LIST_ROWS:
            self.con.register("listed_rows", pa.table({"_file": [f for f, _ in rows], "_row": [r for _, r in rows]}))
            return (f"{blank} UNION ALL SELECT {columns} FROM t SEMI JOIN listed_rows USING (_file, _row) "
                    f"WHERE NOT _blank")
        by_file: dict[str, list[int]] = {}
        for file, row in rows:
            by_file.setdefault(file, []).append(row)
        files = " OR ".join(f"(_file = {literal(file)} AND _row IN ({', '.join(map(str, numbers))}))"
                            for file, numbers in by_file.items())
        every = ", ".join(str(row) for _, row in rows)
        return f"{blank} UNION ALL SELECT {columns} FROM t WHERE NOT _blank AND _row IN ({every}) AND ({files})"

    def _reference(self, resource: str | None) -> tuple[str, dict]:
        if resource in ("", None):
            return "t", self.schema
        if resource in self.references:
            table = self.references[resource]
            return f"read_parquet({literal(str(table.path))})", table.schema
        raise KeyError(f"foreign key to unknown resource {resource!r}")

    def check_foreign_key(self, fk: dict) -> CheckResult | None:
        keys = _as_list(fk["fields"])
        ref = fk["reference"]
        ref_fields = _as_list(ref["fields"])
        ref_source, ref_schema = self._reference(ref.get("resource"))
        ref_types = {f["name"]: f for f in ref_schema.get("fields", [])}
        data_cols, ref_cols, nan_tests, comparable = [], [], [], True
        for i, (key, ref_name) in enumerate(zip(keys, ref_fields, strict=True)):
            kind, ref_kind = self.fields[key].get("type", "string"), ref_types[ref_name].get("type", "string")
            family, ref_family = FAMILY.get(kind, kind), FAMILY.get(ref_kind, ref_kind)
            comparable &= family == ref_family
            cast = "" if kind == ref_kind else ("::DOUBLE" if family == ref_family == "number" else "::VARCHAR")
            ref_sql = field_sql(ref_types[ref_name])
            ref_valid = f"({quote(ref_name)} IS NULL OR {render(ref_sql.valid, ref_name)})"
            data_cols.append(f"({self.typed(key)}){cast} AS k{i}")
            ref_cols.append(f"(CASE WHEN {ref_valid} THEN {render(ref_sql.typed, ref_name)} END){cast} AS r{i}")
            if "number" in (kind, ref_kind):
                nan_tests.append(f"coalesce(isnan(r{i}), FALSE)")
        aliases = list(range(len(keys)))
        raw = " || '|' || ".join(f"coalesce({quote(k)}, '')" for k in keys)
        join = " AND ".join(f"x.k{i} IS NOT DISTINCT FROM r.r{i}" for i in aliases)
        # Reference rows whose cells are all empty are not in the lookup, nor those with NaN (equal to nothing);
        # keys of types that never compare equal in Python (text and number) find nothing.
        lookup = (f"(SELECT * FROM (SELECT {', '.join(ref_cols)} FROM {ref_source}) "
                  f"WHERE NOT ({' AND '.join(f'r{i} IS NULL' for i in aliases)}) "
                  f"AND NOT ({' OR '.join(nan_tests) or 'FALSE'}) AND {literal(comparable)})")
        source = (f"(SELECT x.* FROM (SELECT _file, _row, _ord, {raw} AS raw, {', '.join(data_cols)} FROM t) x "
                  f"ANTI JOIN {lookup} r ON {join} WHERE {' OR '.join(f'x.k{i} IS NOT NULL' for i in aliases)})")
        name = ", ".join(keys)
        severity = fk.get("severity") or self.severity(keys[0] if len(keys) == 1 else None, "foreign-key")
        detail = f"{ref.get('resource') or '(self)'}.{', '.join(ref_fields)}"
        return self._collect("foreign-key", name, "TRUE", "raw", severity, detail, source)

    def _shape_alias(self, name: str) -> str:
        return f"__shape_{self.present.index(name)}"

    def _valid_alias(self, name: str) -> str:
        return f"__valid_{self.present.index(name)}"

    def _typed_alias(self, name: str) -> str:
        return f"__typed_{self.present.index(name)}"

    def all_cell_checks(self) -> list[CellCheck]:
        return [check for name in self.present
                for check in self.cell_checks(name, self._valid_alias(name), self._typed_alias(name))]

    def run(self, typed_out: Path | None = None) -> list[CheckResult]:
        """Every check; with ``typed_out``, the typed table is written there by the same scan as the cell checks."""
        checks = self.all_cell_checks()
        cell_results = self.write_typed(typed_out, checks) if typed_out else self.run_cell_checks(checks)
        results: list[CheckResult] = []
        for name, column in zip(self.present, _by_field(checks, cell_results, self.present), strict=True):
            results += column
            if (self.fields[name].get("constraints") or {}).get("unique"):
                results.append(self.check_unique(name))
        keys = _as_list(self.schema.get("primaryKey") or [])
        if keys and set(keys) <= set(self.present):
            scan = self._scan_sorted_keys(keys, cell_results) if typed_out else None
            results += self.check_primary_key(keys, scan)
            self._ordered = scan.in_published_order if scan is not None else None
        for fk in self.schema.get("foreignKeys") or []:
            if set(_as_list(fk["fields"])) <= set(self.present):
                result = self.check_foreign_key(fk)
                if result is not None:
                    results.append(result)
        if typed_out:
            self.finish_typed(typed_out)
        return results

    def _scan_sorted_keys(self, keys: list[str], cell_results: list[CheckResult]) -> SortedKeys | None:
        """The key scan of the typed table, when its key values are the ones the SQL check compares: not floating
        point (NaN), and no key integer beyond 64 bits (NULL in the typed table, a value to the SQL check)."""
        if any(self.is_number(k) for k in keys) or any(r.check == INTEGER_RANGE and r.field in keys and r.count
                                                       for r in cell_results):
            return None
        return scan_sorted_keys(self._unsorted, keys)


def _by_field(checks: list[CellCheck], results: list[CheckResult], present: list[str]) -> list[list[CheckResult]]:
    grouped: dict[str, list[CheckResult]] = {name: [] for name in present}
    for check, result in zip(checks, results, strict=True):
        grouped[check.field].append(result)
    return [grouped[name] for name in present]


def check_table(staged_path: Path, present: list[str], schema: dict,
                references: dict[str, ReferenceTable] | None = None, cap: int | None = EXAMPLE_CAP,
                blank_severity: str = "warning") -> list[CheckResult]:
    return check_and_cast(staged_path, present, schema, references, cap, blank_severity)


@gives_back_memory
def check_and_cast(staged_path: Path, present: list[str], schema: dict,
                   references: dict[str, ReferenceTable] | None = None, cap: int | None = EXAMPLE_CAP,
                   blank_severity: str = "warning", typed_out: Path | None = None) -> list[CheckResult]:
    """The Table Schema checks of the staged table; with ``typed_out``, the typed table written there too (the cell
    checks and the cast share one scan)."""
    engine = TableSchemaEngine(staged_path, present, schema, references, cap, blank_severity)
    try:
        return engine.run(typed_out)
    finally:
        engine.close()
