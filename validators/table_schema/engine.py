"""The Table Schema engine: every check of a schema on the staged text table, column at a time in DuckDB SQL.

Agreement with frictionless-py is the contract (tests/agreement): the same (row, field, error type) multiset for
types, constraints, unique, primary and foreign keys (see the semantics in ``cells``, ``constraints`` and ``keys``).
"""

from __future__ import annotations

from pathlib import Path

from satudata.core.memory import gives_back_memory
from satudata.core.records import ReferenceTable
from satudata.validators.report import EXAMPLE_CAP, CheckResult
from satudata.validators.sorted_keys import SortedKeys, scan_sorted_keys
from satudata.validators.table_schema.base import as_list
from satudata.validators.table_schema.cells import CellCheck, CellChecks
from satudata.validators.table_schema.constraints import CONSTRAINTS, INTEGER_RANGE
from satudata.validators.table_schema.keys import KeyChecks

# Every check type the engine can report.
EMITS = ("type", INTEGER_RANGE, *CONSTRAINTS, "unique", "primary-key", "foreign-key")


class TableSchemaEngine(CellChecks, KeyChecks):
    def run(self, typed_out: Path | None = None) -> list[CheckResult]:
        """Every check; with ``typed_out``, the typed table is written there by the same scan as the cell checks."""
        checks = self.all_cell_checks()
        cell_results = self.write_typed(typed_out, checks) if typed_out else self.run_cell_checks(checks)
        results: list[CheckResult] = []
        for name, column in zip(self.present, _by_field(checks, cell_results, self.present), strict=True):
            results += column
            if (self.fields[name].get("constraints") or {}).get("unique"):
                results.append(self.check_unique(name))
        keys = as_list(self.schema.get("primaryKey") or [])
        if keys and set(keys) <= set(self.present):
            scan = self._scan_sorted_keys(keys, cell_results) if typed_out else None
            results += self.check_primary_key(keys, scan)
            self._ordered = scan.in_published_order if scan is not None else None
        for fk in self.schema.get("foreignKeys") or []:
            if set(as_list(fk["fields"])) <= set(self.present):
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
