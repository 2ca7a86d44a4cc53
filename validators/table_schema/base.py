"""What every part of the Table Schema engine shares: the staged table as view ``t``, each field's SQL, the
severity a schema declares, and one failing-rows query with its full count and first examples."""

from __future__ import annotations

from pathlib import Path

from satudata.core.duck import connect, literal, quote
from satudata.core.problems import Problem
from satudata.core.records import ReferenceTable
from satudata.validators.checks import default_severity
from satudata.validators.report import EXAMPLE_CAP, CheckResult
from satudata.validators.sqltypes import FieldSql, field_sql, register_udfs, render

ENGINE = "table-schema"


def as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


class TableBase:
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
        return (self.schema.get("severity") or {}).get(check, default_severity(check))


    def _collect(self, check: str, field: str | None, where: str, value_sql: str, severity: str,
                 detail: str | None, source: str = "t", order: str = "_ord") -> CheckResult:
        limit = "" if self.cap is None else f"LIMIT {self.cap}"
        query = (f"SELECT count(*) OVER () AS n, _file, _row, {value_sql} AS v FROM {source} "
                 f"WHERE {where} ORDER BY {order} {limit}")
        rows = self.con.execute(query).fetchall()
        count = rows[0][0] if rows else 0
        examples = [Problem(check, severity, field, row, None if v is None else str(v), file, detail)
                    for _, file, row, v in rows]
        return CheckResult(check, ENGINE, severity, field, count, examples, detail)
