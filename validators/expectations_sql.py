"""The GX suite in DuckDB SQL over the typed Parquet: the same check results as ``gx_suite.run_suite``, at scale.

GX 1.x on pandas stays the reference (tests/unit/test_expectations_sql.py compares both on every demo dataset
and on planted failures); its semantics are copied, not approximated:

- map expectations skip nulls (pandas NaN: SQL NULL, and NaN in DOUBLE columns) and pass when
  (non-null - unexpected) / non-null >= mostly, vacuously with no non-null value; ``not_be_null`` counts all rows;
- uniqueness flags every row of a repeated value (or tuple; compound columns group nulls together);
- regexes run through pandas' own ``str.contains`` (an unanchored search) on Arrow batches of the column;
- medians and quantiles are numpy order statistics ('nearest' picks index ``np.around((n - 1) q)``); means and
  sums are pandas' own, on the one column (8 bytes a row), since a float sum depends on the order of additions;
- values are shown as pandas holds them: integers of a column with nulls are floats ("7.0"), a null is "nan"
  ("None" in date columns); kwargs are shown as GX normalises them (field order, defaults left out, floats);
- results come in GX's order: grouped by ``column``, groups in order of first appearance.

``run_suite_sql`` returns None when the suite holds anything not implemented here (a type, a kwarg, a column
type, a configuration GX would reject): the caller then runs GX on pandas.
"""

from __future__ import annotations

import json
import math
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from satudata.core.duck import connect, literal, quote
from satudata.core.memory import gives_back_memory
from satudata.core.problems import ERROR, WARNING, Problem
from satudata.core.records import FAILS
from satudata.validators.gx_suite import ROW, _detail, _field
from satudata.validators.report import EXAMPLE_CAP, CheckResult

NUMERIC = ("BIGINT", "INTEGER", "DOUBLE")
ORDERED = (*NUMERIC, "DATE", "TIMESTAMP")
NUMPY_INT = {"BIGINT": np.int64, "INTEGER": np.int32}
REGEX_BATCH = 262_144
NO_COLUMN = object()

# GX model fields per expectation type, in GX's order: (name, kind, default). Kwargs equal to the default are left
# out of the configuration GX reports; kinds say how pydantic coerces a value.
_COLUMN = (("column", "name", None),)
_MOSTLY = (("mostly", "mostly", 1),)
_BETWEEN = (("min_value", "number", None), ("max_value", "number", None), ("strict_min", "bool", False),
            ("strict_max", "bool", False))
_INT_BETWEEN = tuple((n, "int" if k == "number" else k, d) for n, k, d in _BETWEEN)
SPECS: dict[str, tuple[tuple[str, str, Any], ...]] = {
    "expect_table_row_count_to_be_between": _INT_BETWEEN,
    "expect_table_row_count_to_equal": (("value", "count", None),),
    "expect_column_values_to_not_be_null": _COLUMN + _MOSTLY,
    "expect_column_values_to_be_between": _COLUMN + _MOSTLY + _BETWEEN,
    "expect_column_values_to_be_in_set": _COLUMN + _MOSTLY + (("value_set", "set", None),),
    "expect_column_values_to_be_unique": _COLUMN + _MOSTLY,
    "expect_column_values_to_match_regex": _COLUMN + _MOSTLY + (("regex", "regex", "(?s).*"),),
    "expect_column_values_to_not_match_regex": _COLUMN + _MOSTLY + (("regex", "regex", None),),
    "expect_column_values_to_not_match_regex_list": _COLUMN + _MOSTLY + (("regex_list", "regexes", None),),
    "expect_column_value_lengths_to_be_between": _COLUMN + _MOSTLY + _INT_BETWEEN,
    "expect_column_pair_values_a_to_be_greater_than_b": (
        ("column_A", "name", None), ("column_B", "name", None)) + _MOSTLY + (
        ("or_equal", "optional_bool", None), ("ignore_row_if", "pair_ignore", "both_values_are_missing")),
    "expect_compound_columns_to_be_unique": (("column_list", "names", None),) + _MOSTLY + (
        ("ignore_row_if", "list_ignore", "all_values_are_missing"),),
    "expect_column_mean_to_be_between": _COLUMN + _BETWEEN,
    "expect_column_median_to_be_between": _COLUMN + _BETWEEN,
    "expect_column_min_to_be_between": _COLUMN + _BETWEEN,
    "expect_column_max_to_be_between": _COLUMN + _BETWEEN,
    "expect_column_sum_to_be_between": _COLUMN + _BETWEEN,
    "expect_column_proportion_of_non_null_values_to_be_between": _COLUMN + _BETWEEN,
    "expect_column_proportion_of_unique_values_to_be_between": _COLUMN + _BETWEEN,
    "expect_column_unique_value_count_to_be_between": _COLUMN + _INT_BETWEEN,
    "expect_column_quantile_values_to_be_between": _COLUMN + (
        ("quantile_ranges", "quantiles", None), ("allow_relative_error", "false", False)),
    "expect_column_distinct_values_to_contain_set": _COLUMN + (("value_set", "set", None),),
    "expect_column_distinct_values_to_equal_set": _COLUMN + (("value_set", "set", None),),
    "expect_column_most_common_value_to_be_in_set": _COLUMN + (
        ("value_set", "set", None), ("ties_okay", "optional_bool", None)),
}


class Unsupported(Exception):
    """Something only GX on pandas evaluates exactly."""


# --- kwargs as GX normalises them --------------------------------------------------------------------------------
def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _coerce(kind: str, value: Any) -> Any:  # noqa: C901 - one branch per kind
    if value is None and kind in ("number", "int", "optional_bool"):
        return None
    if kind == "name" and isinstance(value, str) and value:
        return value
    if kind == "names" and isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return value
    if kind in ("number", "mostly") and _is_number(value) and (kind == "number" or 0 <= value <= 1):
        return float(value)
    if kind in ("int", "count") and _is_number(value) and float(value).is_integer():
        return int(value)
    if kind in ("bool", "optional_bool", "false") and isinstance(value, bool) and (kind != "false" or not value):
        return value
    if kind == "set" and isinstance(value, list) and all(isinstance(v, str) or _is_number(v) for v in value):
        return value
    if kind == "regex" and isinstance(value, str):
        re.compile(value)
        return value
    if kind == "regexes" and isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        for item in value:
            re.compile(item)
        return value
    if kind == "pair_ignore" and value in ("both_values_are_missing", "either_value_is_missing", "neither"):
        return value
    if kind == "list_ignore" and value in ("all_values_are_missing", "any_value_is_missing", "never"):
        return value
    if kind == "quantiles" and _quantile_ranges_ok(value):
        return value
    raise Unsupported(f"{kind}: {value!r}")


def _quantile_ranges_ok(value: Any) -> bool:
    if not isinstance(value, dict) or set(value) != {"quantiles", "value_ranges"}:
        return False
    quantiles, ranges = value["quantiles"], value["value_ranges"]
    return (isinstance(quantiles, list) and isinstance(ranges, list) and len(quantiles) == len(ranges) > 0
            and all(_is_number(q) and 0 <= q <= 1 for q in quantiles)
            and all(isinstance(r, list) and len(r) == 2 and all(b is None or _is_number(b) for b in r)
                    for r in ranges))


def normalise_kwargs(kind: str, kwargs: dict) -> dict:
    spec = SPECS.get(kind)
    if spec is None or set(kwargs) - {name for name, _, _ in spec}:
        raise Unsupported(kind)
    normalised: dict = {}
    for name, coerce_as, default in spec:
        if name not in kwargs:
            if default is None and coerce_as in ("name", "names", "count", "set", "regexes", "quantiles", "regex"):
                raise Unsupported(f"{kind} needs {name}")
            continue
        value = _coerce(coerce_as, kwargs[name])
        if value != default:
            normalised[name] = value
    return normalised


def _severity(expectation: dict) -> str:
    """gx_suite's rule: ``meta.severity``, else GX's own severity field; warning and info are warnings."""
    own = expectation.get("severity", "critical")
    if own not in ("critical", "warning", "info"):
        raise Unsupported(f"GX refuses severity {own!r}")
    declared = (expectation.get("meta") or {}).get("severity") or own
    return WARNING if str(declared).lower() in ("warning", "info") else ERROR


# --- the table ---------------------------------------------------------------------------------------------------
@dataclass
class _Table:
    """The typed Parquet as a view ``t`` (NaN read as NULL, ``_ord`` = physical row) and one aggregate scan."""

    con: duckdb.DuckDBPyConnection
    path: Path
    types: dict[str, str]
    aggregates: dict[str, str] = field(default_factory=dict)   # SQL → alias
    values: dict[str, Any] = field(default_factory=dict)

    def kind(self, column: str, allowed: tuple[str, ...] | None = None) -> str:
        kind = self.types.get(column)
        if kind is None or column in ("_file", "_row") or (allowed is not None and kind not in allowed):
            raise Unsupported(f"column {column!r} of type {kind}")
        self.count(f"count({quote(column)})")
        return kind

    def count(self, sql: str) -> str:
        return self.aggregates.setdefault(sql, f"a{len(self.aggregates)}")

    def scan(self) -> None:
        if not self.aggregates:
            return
        select = ", ".join(f"{sql} AS {alias}" for sql, alias in self.aggregates.items())
        row = self.con.execute(f"SELECT {select} FROM t").fetchone()
        assert row is not None
        self.values = {sql: row[i] for i, sql in enumerate(self.aggregates)}

    def value(self, sql: str) -> Any:
        return self.values[sql]

    @property
    def rows(self) -> int:
        return int(self.value("count(*)"))

    def has_nulls(self, column: str) -> bool:
        return self.value(f"count({quote(column)})") < self.rows

    def pandas_value(self, column: str, value: Any) -> Any:
        """A cell as pandas holds it after ``to_pandas()``: its str() and repr() are what GX shows."""
        kind = self.types[column]
        if kind == "DOUBLE" or (kind in NUMPY_INT and self.has_nulls(column)):
            return np.float64("nan" if value is None else value)
        if kind in NUMPY_INT:
            return NUMPY_INT[kind](value)
        if kind == "VARCHAR" and value is None:
            return float("nan")
        if kind == "BOOLEAN" and not self.has_nulls(column):
            return np.bool_(value)
        if kind == "TIMESTAMP":
            import pandas as pd

            return pd.NaT if value is None else pd.Timestamp(value)
        return value

    def examples(self, check: str, severity: str, columns: list[str], where: str, cap: int | None) -> list[Problem]:
        limit = "" if cap is None else f"LIMIT {int(cap)}"
        cols = ", ".join(quote(c) for c in columns)
        rows = self.con.execute(f"SELECT _row, {cols} FROM t WHERE {where} ORDER BY _ord {limit}").fetchall()
        field_name = ", ".join(columns) if len(columns) > 1 else columns[0]
        return [Problem(check, severity, field_name, int(row[0]),
                        ", ".join(str(self.pandas_value(c, v)) for c, v in zip(columns, row[1:], strict=True)) or None)
                for row in rows]


@dataclass
class _Expectation:
    kind: str
    kwargs: dict
    severity: str
    check: str = ""

    def __post_init__(self) -> None:
        self.check = f"gx:{self.kind}"


Outcome = tuple[bool, dict, list[Problem]]   # success, GX result fields (unexpected_count, observed_value), examples
Finisher = Callable[[int | None], Outcome]


# --- map expectations --------------------------------------------------------------------------------------------
def _map_outcome(table: _Table, exp: _Expectation, columns: list[str], domain: str, unexpected: str,
                 total_based: bool = False) -> Finisher:
    """Unexpected rows = ``domain AND unexpected``; mostly over the rows of the domain (or over all rows)."""
    considered = f"count(*) FILTER (WHERE {domain})"
    flagged = f"count(*) FILTER (WHERE ({domain}) AND ({unexpected}))"
    table.count(considered)
    table.count(flagged)

    def finish(cap: int | None) -> Outcome:
        bad = int(table.value(flagged))
        base = table.rows if total_based else int(table.value(considered))
        success = _mostly(base, bad, exp.kwargs.get("mostly", 1.0), total_based)
        examples = [] if success else table.examples(exp.check, exp.severity, columns,
                                                     f"({domain}) AND ({unexpected})", cap)
        return success, {"unexpected_count": bad}, examples

    return finish


def _mostly(considered: int, unexpected: int, mostly: float, total_based: bool = False) -> bool:
    if considered == 0:
        return True   # vacuously true, as GX says
    if total_based:
        return (considered - unexpected) / considered >= mostly
    return (float(considered) - float(unexpected)) / float(considered) >= mostly


def _duplicates(table: _Table, exp: _Expectation, columns: list[str], domain: str) -> Finisher:
    """Rows whose value (tuple) occurs more than once among the rows of the domain."""
    considered = f"count(*) FILTER (WHERE {domain})"
    table.count(considered)
    cols = ", ".join(quote(c) for c in columns)
    match = " AND ".join(f"t.{quote(c)} IS NOT DISTINCT FROM d.{quote(c)}" for c in columns)

    def finish(cap: int | None) -> Outcome:
        repeated = f"repeated_{id(exp)}"   # the repeated values (usually few), computed once
        table.con.execute(f"CREATE TEMP TABLE {repeated} AS SELECT {cols}, count(*) AS _repeats FROM t "
                          f"WHERE {domain} GROUP BY ALL HAVING count(*) > 1")
        row = table.con.execute(f"SELECT coalesce(sum(_repeats), 0) FROM {repeated}").fetchone()
        bad = int(row[0]) if row else 0
        success = _mostly(int(table.value(considered)), bad, exp.kwargs.get("mostly", 1.0))
        examples: list[Problem] = []
        if not success:
            where = f"({domain}) AND EXISTS (SELECT 1 FROM {repeated} AS d WHERE {match})"
            examples = table.examples(exp.check, exp.severity, columns, where, cap)
        table.con.execute(f"DROP TABLE {repeated}")
        return success, {"unexpected_count": bad}, examples

    return finish


def _regex_outcome(table: _Table, exp: _Expectation, column: str, patterns: list[str], negate: bool) -> Finisher:
    """pandas ``str.contains`` on each non-null value; unexpected = no match (or, when ``negate``, any match)."""
    table.kind(column, ("VARCHAR",))

    def finish(cap: int | None) -> Outcome:
        import pyarrow.parquet as pq

        bad, considered, examples = 0, 0, []
        source = pq.ParquetFile(table.path)
        for batch in source.iter_batches(batch_size=REGEX_BATCH, columns=[ROW, column]):
            series = batch.column(1).to_pandas()
            keep = series.notna().to_numpy()
            texts = series[keep].astype(str)
            hits = np.zeros(len(texts), dtype=bool)
            with warnings.catch_warnings():   # pandas warns (on stderr) when a pattern has groups, as GX's do
                warnings.simplefilter("ignore", UserWarning)
                for pattern in patterns:
                    hits |= texts.str.contains(pattern).to_numpy(dtype=bool)
            flagged = hits if negate else ~hits
            considered += len(texts)
            bad += int(flagged.sum())
            room = None if cap is None else cap - len(examples)
            if room is None or room > 0:
                rows = batch.column(0).to_numpy()[keep][flagged][:room]
                values = texts.to_numpy()[flagged][:room]
                examples += [Problem(exp.check, exp.severity, column, int(r), str(v) or None)
                             for r, v in zip(rows, values, strict=True)]
        success = _mostly(considered, bad, exp.kwargs.get("mostly", 1.0))
        return success, {"unexpected_count": bad}, [] if success else examples

    return finish


def _in_set_sql(kind: str, value_set: list) -> str | None:
    """The members of ``value_set`` pandas could find equal to a value of the column, as an SQL list."""
    if kind in NUMERIC:
        items = [f"CAST({v!r} AS DOUBLE)" for v in value_set if _is_number(v)]
    elif kind == "VARCHAR":
        items = [literal(v) for v in value_set if isinstance(v, str)]
    else:
        raise Unsupported(f"value_set on {kind}")
    return ", ".join(items) if items else None


def _map(table: _Table, exp: _Expectation) -> Finisher:  # noqa: C901 - one branch per map expectation
    kw, kind = exp.kwargs, exp.kind
    if kind == "expect_compound_columns_to_be_unique":
        columns = kw["column_list"]
        for column in columns:
            table.kind(column)
        nulls = [f"{quote(c)} IS NULL" for c in columns]
        rule = kw.get("ignore_row_if", "all_values_are_missing")
        domain = {"all_values_are_missing": f"NOT ({' AND '.join(nulls)})",
                  "any_value_is_missing": f"NOT ({' OR '.join(nulls)})", "never": "TRUE"}[rule]
        return _duplicates(table, exp, columns, domain)
    if kind == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = kw["column_A"], kw["column_B"]
        kinds = {table.kind(a, ORDERED), table.kind(b, ORDERED)}
        if not (kinds <= set(NUMERIC) or len(kinds) == 1):
            raise Unsupported(f"comparing {kinds}")
        rule = kw.get("ignore_row_if", "both_values_are_missing")
        domain = {"both_values_are_missing": f"NOT ({quote(a)} IS NULL AND {quote(b)} IS NULL)",
                  "either_value_is_missing": f"{quote(a)} IS NOT NULL AND {quote(b)} IS NOT NULL",
                  "neither": "TRUE"}[rule]
        op = ">=" if kw.get("or_equal") else ">"
        return _map_outcome(table, exp, [a, b], domain, f"NOT coalesce({quote(a)} {op} {quote(b)}, FALSE)")
    column = kw["column"]
    col = quote(column)
    present = f"{col} IS NOT NULL"
    if kind == "expect_column_values_to_not_be_null":
        table.kind(column)
        return _map_outcome(table, exp, [column], "TRUE", f"{col} IS NULL", total_based=True)
    if kind == "expect_column_values_to_be_unique":
        table.kind(column)
        return _duplicates(table, exp, [column], present)
    if kind == "expect_column_values_to_be_between":
        table.kind(column, NUMERIC)
        return _map_outcome(table, exp, [column], present, f"NOT ({_between_sql(col, kw)})")
    if kind == "expect_column_value_lengths_to_be_between":
        table.kind(column, ("VARCHAR",))
        return _map_outcome(table, exp, [column], present, f"NOT ({_between_sql(f'length({col})', kw)})")
    if kind == "expect_column_values_to_be_in_set":
        members = _in_set_sql(table.kind(column), kw["value_set"])
        unexpected = "TRUE" if members is None else f"{col} NOT IN ({members})"
        return _map_outcome(table, exp, [column], present, unexpected)
    if kind == "expect_column_values_to_match_regex":
        return _regex_outcome(table, exp, column, [kw.get("regex", "(?s).*")], negate=False)
    if kind == "expect_column_values_to_not_match_regex":
        return _regex_outcome(table, exp, column, [kw["regex"]], negate=True)
    return _regex_outcome(table, exp, column, kw["regex_list"], negate=True)


def _between_sql(value: str, kw: dict) -> str:
    low, high = kw.get("min_value"), kw.get("max_value")
    if low is None and high is None or (low is not None and high is not None and low > high):
        raise Unsupported("GX raises on these bounds")
    parts = []
    if low is not None:
        parts.append(f"{value} {'>' if kw.get('strict_min') else '>='} {low!r}")
    if high is not None:
        parts.append(f"{value} {'<' if kw.get('strict_max') else '<='} {high!r}")
    return " AND ".join(parts)


# --- aggregate expectations --------------------------------------------------------------------------------------
def _between(observed: Any, kw: dict) -> bool:
    """GX's ``_validate_metric_value_between`` for numbers."""
    if observed is None or (isinstance(observed, float) and math.isnan(observed)):
        return False
    low, high = kw.get("min_value"), kw.get("max_value")
    above = low is None or (observed > low if kw.get("strict_min") else observed >= low)
    below = high is None or (observed < high if kw.get("strict_max") else observed <= high)
    return bool(above and below)


def _order_statistics(table: _Table, column: str, ranks: list[int], count: int) -> list[Any]:
    """Values at 0-based ``ranks`` of the sorted non-null column (DuckDB's quantile_disc takes rank ceil(n q) - 1)."""
    positions = ", ".join(repr((rank + 0.5) / count) for rank in ranks)
    row = table.con.execute(f"SELECT quantile_disc({quote(column)}, [{positions}]) FROM t").fetchone()
    assert row is not None
    return list(row[0])


NUMERIC_AGGREGATES = ("mean", "median", "min", "max", "sum", "quantile")


def _aggregate(table: _Table, exp: _Expectation) -> Finisher:
    kw, kind = exp.kwargs, exp.kind
    if kind.startswith("expect_table_row_count"):
        if kind.endswith("between") and kw.get("min_value") is None and kw.get("max_value") is None:
            raise Unsupported("no bounds")

        def rows(_: int | None) -> Outcome:
            observed = table.rows
            success = observed == kw["value"] if kind.endswith("equal") else _between(observed, kw)
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
        return _between(observed, kw), {"observed_value": observed}, []

    return finish


def _observer(table: _Table, kind: str, column: str) -> Callable[[], Any]:
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


def _pandas_reduction(table: _Table, column: str, func: str) -> Any:
    """mean and sum by pandas itself on the one column (8 bytes a row): a float sum depends on numpy's pairwise
    order and on where the nulls are, so only the same call on the same array gives GX's exact figure."""
    series = pandas_column(table.path, column)
    return series.mean() if func == "mean" else series.sum()


def pandas_column(path: Path, column: str) -> Any:
    """The column as ``read_table(...).column(0).to_pandas()`` gives it (float64 with NaN for a float column or an
    integer column with nulls, else the integer type), filled row group by row group into one array: the column
    once in memory instead of twice (Arrow's chunks, then their concatenated copy)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path)
    meta, kind = parquet.metadata, parquet.schema_arrow.field(column).type
    leaf = [i for i in range(meta.num_columns) if meta.schema.column(i).path == column]
    stats = [meta.row_group(g).column(leaf[0]).statistics for g in range(meta.num_row_groups)] if leaf else [None]
    if not (pa.types.is_integer(kind) or pa.types.is_floating(kind)) or any(
            s is None or not s.has_null_count for s in stats):
        return pq.read_table(path, columns=[column]).column(0).to_pandas()
    as_float = pa.types.is_floating(kind) or any(s.null_count for s in stats)
    values = np.empty(meta.num_rows, np.float64 if as_float else kind.to_pandas_dtype())
    start = 0
    for group in range(meta.num_row_groups):
        chunk = parquet.read_row_group(group, columns=[column]).column(0)
        if as_float:
            chunk = pc.cast(chunk, pa.float64(), safe=False)
        part = chunk.to_numpy()      # float nulls become NaN, as in to_pandas()
        values[start:start + len(part)] = part
        start += len(part)
    return pd.Series(values)


def _median(table: _Table, column: str) -> Any:
    count = int(table.value(f"count({quote(column)})"))
    if count == 0:
        return None
    low, high = _order_statistics(table, column, [(count - 1) // 2, count // 2], count)
    return np.float64((float(low) + float(high)) / 2)


def _quantiles(table: _Table, exp: _Expectation, column: str) -> Finisher:
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


def _most_common(table: _Table, exp: _Expectation, column: str) -> Finisher:
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


def _distinct_sets(table: _Table, exp: _Expectation, column: str, kind: str) -> Finisher:
    value_set = exp.kwargs["value_set"]
    members = _in_set_sql(kind, value_set)
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


# --- the suite ---------------------------------------------------------------------------------------------------
MAP_KINDS = {k for k in SPECS if k.startswith(("expect_column_values", "expect_column_value_lengths",
                                                "expect_column_pair", "expect_compound"))}


def _gx_order(expectations: list[dict]) -> list[dict]:
    """GX validates expectations grouped by their ``column`` kwarg, groups in order of first appearance."""
    groups: dict[Any, list[dict]] = {}
    for expectation in expectations:
        column = (expectation.get("kwargs") or {}).get("column")
        groups.setdefault(column if isinstance(column, str) else NO_COLUMN, []).append(expectation)
    return [e for group in groups.values() for e in group]


@gives_back_memory
def run_suite_sql(typed_parquet: Path, suite_path: Path, cap: int | None = EXAMPLE_CAP) -> list[CheckResult] | None:
    """The suite's results on the typed table, as GX on pandas gives them, or None when only GX can tell."""
    document = json.loads(suite_path.read_text(encoding="utf-8"))
    con = connect(typed_parquet.parent)   # the pipeline's memory limit, spilling beside the typed table
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute(f"CREATE VIEW raw AS SELECT * FROM read_parquet({literal(str(typed_parquet))}, "
                    "file_row_number = true)")
        types = {name: kind for name, kind, *_ in con.execute("DESCRIBE raw").fetchall() if name != FAILS}
        columns = ", ".join(f"CASE WHEN isnan({quote(n)}) THEN NULL ELSE {quote(n)} END AS {quote(n)}"
                            if kind == "DOUBLE" else quote(n) for n, kind in types.items() if n != "file_row_number")
        con.execute(f"CREATE VIEW t AS SELECT {columns}, file_row_number AS _ord FROM raw")
        table = _Table(con, typed_parquet, {n: k for n, k in types.items() if n != "file_row_number"})
        table.count("count(*)")
        planned: list[tuple[_Expectation, Finisher]] = []
        for raw in _gx_order(list(document.get("expectations") or [])):
            kind = raw.get("type")
            if not isinstance(kind, str) or kind not in SPECS:
                return None
            exp = _Expectation(kind, normalise_kwargs(kind, dict(raw.get("kwargs") or {})), _severity(raw))
            planned.append((exp, _map(table, exp) if kind in MAP_KINDS else _aggregate(table, exp)))
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
    finally:
        con.close()
