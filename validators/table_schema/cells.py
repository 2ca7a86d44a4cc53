"""The cell checks of the Table Schema engine, every one in one scan of the staged table (see docs/performance.md).

Per field: its type, then ``integer-range`` for integers, then each declared constraint (validators.table_schema
.constraints). Each row's failing (check, cell) pairs are gathered into one list column, from which the count and
the first examples of every check are read; when the typed table is written, that list is its ``_fails`` column,
so the checks and the cast share the scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from satudata.core.duck import literal, quote
from satudata.core.problems import Problem
from satudata.core.records import FAILS
from satudata.validators.report import CheckResult
from satudata.validators.sqltypes import render
from satudata.validators.table_schema.base import ENGINE, TableBase
from satudata.validators.table_schema.constraints import CONSTRAINTS, INT64, INTEGER_RANGE, Cell
from satudata.validators.typed import PARQUET, put_in_order


@dataclass(frozen=True)
class CellCheck:
    """A check of single cells: ``where`` is SQL true on a failing cell, whose text is the example value."""

    check: str
    field: str
    where: str
    severity: str
    detail: str | None



class CellChecks(TableBase):
    """The cell checks of ``TableSchemaEngine``."""

    def cell_checks(self, name: str, valid: str, typed: str) -> list[CellCheck]:
        """The checks of one field's cells: type, integer range, then each constraint in declared order. ``valid``
        and ``typed`` are the columns holding the cell's ``self.valid`` and ``self.typed``."""
        field, col = self.fields[name], quote(name)
        kind = f"{field.get('type', 'string')}/{field.get('format', 'default')}"
        checks = [CellCheck("type", name, f"NOT _blank AND {col} IS NOT NULL AND NOT {valid}",
                            self.severity(name, "type"), kind)]
        if field.get("type") == "integer":
            where = (f"NOT _blank AND {col} IS NOT NULL AND {valid} "
                     f"AND coalesce({typed} NOT BETWEEN {INT64[0]} AND {INT64[1]}, TRUE)")
            checks.append(CellCheck(INTEGER_RANGE, name, where, self.severity(name, INTEGER_RANGE), "int64"))
        cell = Cell(col, typed, self.sql(name), self.is_number(name), self.con)
        for constraint, value in (field.get("constraints") or {}).items():
            where = CONSTRAINTS[constraint](cell, value) if constraint in CONSTRAINTS else None
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
        return [CheckResult(c.check, ENGINE, c.severity, c.field, counts.get(i, 0), examples[i], c.detail)
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

    def _shape_alias(self, name: str) -> str:
        return f"__shape_{self.present.index(name)}"

    def _valid_alias(self, name: str) -> str:
        return f"__valid_{self.present.index(name)}"

    def _typed_alias(self, name: str) -> str:
        return f"__typed_{self.present.index(name)}"

    def all_cell_checks(self) -> list[CellCheck]:
        return [check for name in self.present
                for check in self.cell_checks(name, self._valid_alias(name), self._typed_alias(name))]

