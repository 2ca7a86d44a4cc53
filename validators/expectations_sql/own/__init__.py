"""satudata's own expectations: declared in the suite like GX's, run in DuckDB SQL on the typed table.

Great Expectations 1.x has no such types, so GX on pandas (the reference path) leaves them out and they run here
whichever engine ran the rest of the suite. One module of this package is one expectation, found by itself:

- ``CHECK``: its record for the registry (validators.checks), of type ``gx:<expectation type>``;
- ``arguments(kwargs, types) -> dict``: the suite's kwargs checked against the typed columns (name → DuckDB type)
  and normalised (``ValueError`` says what is wrong);
- ``run(table, kwargs, severity, cap) -> (count, examples)`` on the typed table (expectations_sql.table.Table).

The severity is ``meta.severity``, else GX's own ``severity`` field, else the record's default.
"""

from __future__ import annotations

import json
import pkgutil
from functools import lru_cache
from importlib import import_module
from pathlib import Path
from types import ModuleType

from satudata.core.memory import gives_back_memory
from satudata.core.problems import ERROR, WARNING
from satudata.validators.report import EXAMPLE_CAP, CheckResult

ENGINE = "great-expectations"
GX_PREFIX = "gx:"


@lru_cache(maxsize=1)
def own_expectations() -> dict[str, ModuleType]:
    """Expectation type (as the suite names it) → the module implementing it."""
    modules = [import_module(f"{__name__}.{info.name}") for info in pkgutil.iter_modules(__path__)]
    return {module.CHECK.type.removeprefix(GX_PREFIX): module for module in modules}


def is_own(kind: object) -> bool:
    return isinstance(kind, str) and kind in own_expectations()


def _severity(expectation: dict, default: str) -> str:
    declared = (expectation.get("meta") or {}).get("severity") or expectation.get("severity")
    if declared is None:
        return default
    return WARNING if str(declared).lower() in ("warning", "info") else ERROR


def _field(kwargs: dict) -> str | None:
    column = kwargs.get("column")
    return column if isinstance(column, str) else None


def _detail(kwargs: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in kwargs.items() if k != "column")


@gives_back_memory
def run_own(typed_parquet: Path, suite_path: Path, cap: int | None = EXAMPLE_CAP) -> list[CheckResult]:
    """The results of the suite's own expectations, in the order the suite declares them."""
    from satudata.validators.expectations_sql.table import open_table

    document = json.loads(suite_path.read_text(encoding="utf-8"))
    declared = [e for e in document.get("expectations") or [] if is_own(e.get("type"))]
    if not declared:
        return []
    results: list[CheckResult] = []
    with open_table(typed_parquet) as table:
        for expectation in declared:
            module = own_expectations()[expectation["type"]]
            check, raw = module.CHECK.type, dict(expectation.get("kwargs") or {})
            severity = _severity(expectation, module.CHECK.severity)
            try:
                kwargs = module.arguments(raw, table.types)
            except ValueError as exc:   # the suite asks for something this expectation cannot do: it is blocked
                results.append(CheckResult(check, ENGINE, ERROR, _field(raw), 1, [], f"error: {exc}"))
                continue
            count, examples = module.run(table, kwargs, severity, cap)
            results.append(CheckResult(check, ENGINE, severity, _field(kwargs), count, examples, _detail(kwargs),
                                       dict(kwargs)))
    return results
