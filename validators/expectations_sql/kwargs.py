"""Expectation arguments as GX normalises them, and which ones the SQL engine takes (``SPECS``).

Each supported GX type lists its model fields in GX's order: (name, kind, default). Kwargs equal to the default
are left out of the configuration GX reports; kinds say how pydantic coerces a value. Anything else (a type, a
kwarg, a value GX would reject) raises ``Unsupported``: the suite then runs on GX with pandas.
"""

from __future__ import annotations

import math
import re
from typing import Any

from satudata.core.problems import ERROR, WARNING

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
def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _coerce(kind: str, value: Any) -> Any:  # noqa: C901 - one branch per kind
    if value is None and kind in ("number", "int", "optional_bool"):
        return None
    if kind == "name" and isinstance(value, str) and value:
        return value
    if kind == "names" and isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return value
    if kind in ("number", "mostly") and is_number(value) and (kind == "number" or 0 <= value <= 1):
        return float(value)
    if kind in ("int", "count") and is_number(value) and float(value).is_integer():
        return int(value)
    if kind in ("bool", "optional_bool", "false") and isinstance(value, bool) and (kind != "false" or not value):
        return value
    if kind == "set" and isinstance(value, list) and all(isinstance(v, str) or is_number(v) for v in value):
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
            and all(is_number(q) and 0 <= q <= 1 for q in quantiles)
            and all(isinstance(r, list) and len(r) == 2 and all(b is None or is_number(b) for b in r)
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


def severity(expectation: dict) -> str:
    """gx_suite's rule: ``meta.severity``, else GX's own severity field; warning and info are warnings."""
    own = expectation.get("severity", "critical")
    if own not in ("critical", "warning", "info"):
        raise Unsupported(f"GX refuses severity {own!r}")
    declared = (expectation.get("meta") or {}).get("severity") or own
    return WARNING if str(declared).lower() in ("warning", "info") else ERROR

