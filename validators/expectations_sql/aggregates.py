"""Aggregate expectations in SQL: one statistic of a column (or the row count) bounded, as GX computes it.

Medians and quantiles are numpy order statistics ('nearest' picks index ``np.around((n - 1) q)``); means and sums
are pandas' own, on the one column (8 bytes a row), since a float sum depends on the order of additions.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from satudata.core.duck import quote
from satudata.validators.expectations_sql.kwargs import Unsupported
from satudata.validators.expectations_sql.rows import in_set_sql
from satudata.validators.expectations_sql.table import (
    NUMERIC,
    ORDERED,
    Expectation,
    Finisher,
    Outcome,
    Table,
    pandas_column,
    streamed_reduction,
)


def between(observed: Any, kw: dict) -> bool:
    """GX's ``_validate_metric_value_between`` for numbers."""
    if observed is None or (isinstance(observed, float) and math.isnan(observed)):
        return False
    low, high = kw.get("min_value"), kw.get("max_value")
    above = low is None or (observed > low if kw.get("strict_min") else observed >= low)
    below = high is None or (observed < high if kw.get("strict_max") else observed <= high)
    return bool(above and below)


def _order_statistics(table: Table, column: str, ranks: list[int], count: int) -> list[Any]:
    """Values at 0-based ``ranks`` of the sorted non-null column (DuckDB's quantile_disc takes rank ceil(n q) - 1)."""
    positions = ", ".join(repr((rank + 0.5) / count) for rank in ranks)
    row = table.con.execute(f"SELECT quantile_disc({quote(column)}, [{positions}]) FROM t").fetchone()
    assert row is not None
    return list(row[0])


NUMERIC_AGGREGATES = ("mean", "median", "min", "max", "sum", "quantile")


def aggregate_finisher(table: Table, exp: Expectation) -> Finisher:
    kw, kind = exp.kwargs, exp.kind
    if kind.startswith("expect_table_row_count"):
        if kind.endswith("between") and kw.get("min_value") is None and kw.get("max_value") is None:
            raise Unsupported("no bounds")

        def rows(_: int | None) -> Outcome:
            observed = table.rows
            success = observed == kw["value"] if kind.endswith("equal") else between(observed, kw)
            return success, {"observed_value": observed}, []

        return rows
    column = kw["column"]
    statistic = kind.split("_")[2]   # expect_column_<statistic>_...
    col_kind = table.kind(column, NUMERIC if statistic in NUMERIC_AGGREGATES else (*ORDERED, "VARCHAR"))
    if statistic == "quantile":
        return _quantiles(table, exp, column)
    if statistic == "most":
        return _most_common(table, exp, column)
    if statistic == "distinct":
        return _distinct_sets(table, exp, column, col_kind)
    observe = _observer(table, kind, column)

    def finish(_: int | None) -> Outcome:
        observed = observe()
        if observed is None or (isinstance(observed, float) and math.isnan(observed)):
            return False, {"observed_value": None}, []
        return between(observed, kw), {"observed_value": observed}, []

    return finish


def _observer(table: Table, kind: str, column: str) -> Callable[[], Any]:
    """The statistic a ``..._to_be_between`` expectation bounds, as pandas computes it (NaN when there is none)."""
    col = quote(column)
    nonnull, distinct = f"count({col})", f"count(DISTINCT {col})"
    statistic = kind.split("_")[2]
    if statistic in ("mean", "sum"):
        return lambda: _pandas_reduction(table, column, statistic)
    if statistic in ("min", "max"):
        extreme = f"{statistic}({col})"
        table.count(extreme)
        return lambda: None if table.value(extreme) is None else table.pandas_value(column, table.value(extreme))
    if statistic == "median":
        return lambda: _median(table, column)
    if kind == "expect_column_proportion_of_non_null_values_to_be_between":
        return lambda: np.int64(table.value(nonnull)) / table.rows if table.rows else 0
    table.count(distinct)
    if kind == "expect_column_unique_value_count_to_be_between":
        return lambda: int(table.value(distinct))
    return lambda: int(table.value(distinct)) / int(table.value(nonnull)) if table.value(nonnull) else 0


def _pandas_reduction(table: Table, column: str, func: str) -> Any:
    """mean and sum by pandas itself on the one column (8 bytes a row): a float sum depends on numpy's pairwise
    order and on where the nulls are, so only the same call on the same array gives GX's exact figure."""
    streamed = streamed_reduction(table.path, column, func)   # a long float column: summed as it streams
    if streamed is not None:
        return streamed
    series = pandas_column(table.path, column)
    return series.mean() if func == "mean" else series.sum()



def _median(table: Table, column: str) -> Any:
    count = int(table.value(f"count({quote(column)})"))
    if count == 0:
        return None
    low, high = _order_statistics(table, column, [(count - 1) // 2, count // 2], count)
    return np.float64((float(low) + float(high)) / 2)


def _quantiles(table: Table, exp: Expectation, column: str) -> Finisher:
    spec = exp.kwargs["quantile_ranges"]

    def finish(_: int | None) -> Outcome:
        count = int(table.value(f"count({quote(column)})"))
        if count == 0:
            raise Unsupported("quantiles of an empty column")
        ranks = np.around((count - 1) * np.asarray(spec["quantiles"], dtype=np.float64)).astype(np.intp)
        values = _order_statistics(table, column, [int(r) for r in ranks], count)
        values = [table.pandas_value(column, v).item() for v in values]
        ok = [_quantile_in_range(v, lo, hi) for v, (lo, hi) in zip(values, spec["value_ranges"], strict=True)]
        return all(ok), {"observed_value": {"quantiles": spec["quantiles"], "values": values}}, []

    return finish


def _quantile_in_range(value: Any, low: Any, high: Any) -> bool:
    low = -np.inf if low is None else low
    high = np.inf if high is None else high
    close = [bool(np.isclose(np.float64(value), np.float64(bound), rtol=1e-4, atol=1e-8)) for bound in (low, high)]
    return any(close) or low <= value <= high


def _most_common(table: Table, exp: Expectation, column: str) -> Finisher:
    def finish(_: int | None) -> Outcome:
        col = quote(column)
        rows = table.con.execute(
            f"WITH g AS (SELECT {col} AS v, count(*) AS n FROM t WHERE {col} IS NOT NULL GROUP BY ALL) "
            "SELECT v FROM g WHERE n = (SELECT max(n) FROM g)").fetchall()
        modes = sorted(table.pandas_value(column, row[0]) for row in rows)
        found = len(set(exp.kwargs["value_set"]).intersection(modes))
        success = found > 0 if exp.kwargs.get("ties_okay") else len(modes) == 1 and found == 1
        return success, {"observed_value": modes}, []

    return finish


def _distinct_sets(table: Table, exp: Expectation, column: str, kind: str) -> Finisher:
    value_set = exp.kwargs["value_set"]
    members = in_set_sql(kind, value_set)
    col = quote(column)
    outside = f"count(DISTINCT {col}) FILTER (WHERE {col} NOT IN ({members}))" if members else \
        f"count(DISTINCT {col})"
    table.count(outside)

    def finish(_: int | None) -> Outcome:
        found: set = set()
        if members:
            rows = table.con.execute(f"SELECT DISTINCT {col} FROM t WHERE {col} IN ({members})").fetchall()
            found = {table.pandas_value(column, row[0]) for row in rows}
        missing = len(set(value_set) - found)
        if exp.kind.endswith("contain_set"):
            return missing == 0, {"observed_value": None}, []
        unexpected = int(table.value(outside))
        return unexpected == 0 and missing == 0, {"observed_value": None, "unexpected_count": unexpected}, []

    return finish


