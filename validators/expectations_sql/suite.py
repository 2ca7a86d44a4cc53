"""The suite on the typed table: GX's expectations in SQL (or, when only GX can tell, GX on pandas), then
satudata's own expectations, which only this engine runs.

Results come in GX's order: grouped by ``column``, groups in order of first appearance; satudata's own follow, in
the order the suite declares them, whichever engine ran GX's.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from satudata.core.memory import gives_back_memory
from satudata.validators.expectations_sql.aggregates import aggregate_finisher
from satudata.validators.expectations_sql.kwargs import SPECS, Unsupported, normalise_kwargs, severity
from satudata.validators.expectations_sql.own import is_own, run_own
from satudata.validators.expectations_sql.rows import map_finisher
from satudata.validators.expectations_sql.table import Expectation, Finisher, open_table
from satudata.validators.gx_suite import _detail, _field, run_suite
from satudata.validators.report import EXAMPLE_CAP, CheckResult

MAP_KINDS = {k for k in SPECS if k.startswith(("expect_column_values", "expect_column_value_lengths",
                                                "expect_column_pair", "expect_compound"))}
NO_COLUMN = object()


def _gx_order(expectations: list[dict]) -> list[dict]:
    """GX validates expectations grouped by their ``column`` kwarg, groups in order of first appearance."""
    groups: dict[Any, list[dict]] = {}
    for expectation in expectations:
        column = (expectation.get("kwargs") or {}).get("column")
        groups.setdefault(column if isinstance(column, str) else NO_COLUMN, []).append(expectation)
    return [e for group in groups.values() for e in group]


@gives_back_memory
def run_suite_sql(typed_parquet: Path, suite_path: Path, cap: int | None = EXAMPLE_CAP) -> list[CheckResult] | None:
    """The results of the suite's GX expectations on the typed table, as GX on pandas gives them, or None when only
    GX can tell. satudata's own expectations are left out (``run_own``), as GX on pandas leaves them out."""
    document = json.loads(suite_path.read_text(encoding="utf-8"))
    expectations = [e for e in document.get("expectations") or [] if not is_own(e.get("type"))]
    with open_table(typed_parquet) as table:
        try:
            planned: list[tuple[Expectation, Finisher]] = []
            for raw in _gx_order(expectations):
                kind = raw.get("type")
                if not isinstance(kind, str) or kind not in SPECS:
                    return None
                exp = Expectation(kind, normalise_kwargs(kind, dict(raw.get("kwargs") or {})), severity(raw))
                planned.append((exp, map_finisher(table, exp) if kind in MAP_KINDS else aggregate_finisher(table, exp)))
            table.scan()
            results = []
            for exp, finish in planned:
                success, result, examples = finish(cap)
                count = 0 if success else int(result.get("unexpected_count") or 1)
                results.append(CheckResult(exp.check, "great-expectations", exp.severity, _field(exp.kwargs), count,
                                           examples, _detail(exp.kwargs, result), dict(exp.kwargs)))
            return results
        except (Unsupported, re.error):
            return None


def run_expectations(typed_parquet: Path, suite_path: Path, cap: int | None = EXAMPLE_CAP) -> list[CheckResult]:
    """Every expectation of the suite: GX's in DuckDB SQL, or by GX on pandas when the SQL engine declines; then
    satudata's own."""
    results = run_suite_sql(typed_parquet, suite_path, cap)
    if results is None:
        results = run_suite(typed_parquet, suite_path, cap)
    return results + run_own(typed_parquet, suite_path, cap)
