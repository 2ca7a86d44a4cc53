"""The SQL suite runner is a drop-in for GX on pandas: the same results, row for row, or None (use GX)."""

from __future__ import annotations

import datetime
import json
import math
import re
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from satudata.core.catalog import ReadOptions, load_catalog, load_schema
from satudata.sources.pull import _record, pull
from satudata.sources.stage import stage_exports
from satudata.validators.expectations_sql import run_suite_sql
from satudata.validators.gx_suite import run_suite
from satudata.validators.report import CheckResult
from satudata.validators.typed import cast_to_typed

REPO = Path(__file__).resolve().parents[2]
NUMBER = re.compile(r"-?\d+\.\d+(?:e[+-]\d+)?|nan")


def _observed(detail: str | None) -> tuple[str, list[float]]:
    """A detail with its observed figures pulled out, so floats compare within tolerance."""
    text = detail or ""
    head, _, observed = text.partition("; observed ")
    numbers = [float(n) for n in NUMBER.findall(observed)]
    return head + "; observed " + NUMBER.sub("#", observed) if observed else head, numbers


def assert_same_results(sql: list[CheckResult] | None, gx: list[CheckResult], cap: int | None = 20) -> None:
    assert sql is not None, "the SQL runner declined a suite it implements"
    assert [(r.check, r.field) for r in sql] == [(r.check, r.field) for r in gx]   # GX's own order
    for ours, theirs in zip(sql, gx, strict=True):
        where = f"{theirs.check} on {theirs.field}"
        assert (ours.severity, ours.count, ours.passed) == (theirs.severity, theirs.count, theirs.passed), where
        assert ours.arguments == theirs.arguments, where
        ours_text, ours_numbers = _observed(ours.detail)
        theirs_text, theirs_numbers = _observed(theirs.detail)
        assert ours_text == theirs_text, where
        assert len(ours_numbers) == len(theirs_numbers), where
        assert all(math.isclose(a, b, rel_tol=1e-9) or (math.isnan(a) and math.isnan(b))
                   for a, b in zip(ours_numbers, theirs_numbers, strict=True)), where
        ours_examples = [(p.check, p.severity, p.field, p.row, p.value) for p in ours.examples]
        theirs_examples = [(p.check, p.severity, p.field, p.row, p.value) for p in theirs.examples]
        assert cap is None or len(ours_examples) <= cap, where
        assert ours_examples == theirs_examples, where   # the same rows, in the same (file) order


def _compare(typed: Path, suite: dict, tmp_path: Path, cap: int | None = 20) -> list[CheckResult]:
    suite_path = tmp_path / f"{suite['name']}.json"
    suite_path.write_text(json.dumps(suite), encoding="utf-8")
    sql = run_suite_sql(typed, suite_path, cap)
    assert_same_results(sql, run_suite(typed, suite_path, cap), cap)
    assert sql is not None
    return sql


# --- small adversarial tables ------------------------------------------------------------------------------------
def _small_table(tmp_path: Path) -> Path:
    rows = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    table = pa.table({
        "_file": ["export.csv"] * 10,
        "_row": pa.array(rows, pa.int64()),
        "n": pa.array([5, 6, 7, 8, 9, 5, 5, 6, 6, 1], pa.int64()),                          # ties for the mode
        "a": pa.array([1, 2, None, 7, 7, 3, None, 3, 4, 10], pa.int64()),                   # nulls: shown as 7.0
        "x": pa.array([1.5, None, 2.0, float("nan"), 9.0, 1.0, 2.5, 2.5, -0.5, 100.0]),
        "s": pa.array(["x1", "y", None, "x1", "zz", "", "35.73.01", "35.73\n", "ä1", "a 1"]),
        "d": pa.array([datetime.date(2024, 1, d) for d in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)]),
        "e": pa.array([datetime.date(2024, 1, 1), None, datetime.date(2024, 1, 9), datetime.date(2024, 1, 4),
                       None, datetime.date(2023, 12, 1), datetime.date(2024, 1, 7), datetime.date(2024, 2, 1),
                       datetime.date(2024, 1, 9), datetime.date(2024, 1, 10)]),
        "empty": pa.array([None] * 10, pa.float64()),
    })
    path = tmp_path / "typed.parquet"
    pq.write_table(table, path)
    return path


def _suite(name: str, *expectations: tuple[str, dict] | tuple[str, dict, dict]) -> dict:
    return {"name": name, "expectations": [
        {"type": e[0], "kwargs": e[1], **({"meta": e[2]} if len(e) > 2 else {})} for e in expectations]}


ADVERSARIAL = {
    "nulls and mostly at the boundary": _suite(
        "mostly",
        ("expect_column_values_to_not_be_null", {"column": "a"}),
        ("expect_column_values_to_not_be_null", {"column": "a", "mostly": 0.8}),
        ("expect_column_values_to_not_be_null", {"column": "s", "mostly": 0.95}, {"severity": "warning"}),
        ("expect_column_values_to_not_be_null", {"column": "s"}, {"severity": "Error", "notes": "any word"}),
        ("expect_column_values_to_not_be_null", {"column": "x"}),
        ("expect_column_values_to_not_be_null", {"column": "e"}),
        ("expect_column_values_to_be_between", {"column": "a", "min_value": 2, "max_value": 7, "mostly": 0.75}),
        ("expect_column_values_to_be_between", {"column": "a", "min_value": 2, "max_value": 7, "mostly": 0.76}),
        ("expect_column_values_to_be_between", {"column": "x", "min_value": 1, "strict_min": True}),
        ("expect_column_values_to_be_between", {"column": "n", "max_value": 6, "strict_max": True,
                                                "strict_min": False, "mostly": 1}),
        ("expect_column_values_to_be_between", {"column": "empty", "min_value": 0}),
    ),
    "sets, uniqueness and ties": _suite(
        "sets",
        ("expect_column_values_to_be_in_set", {"column": "a", "value_set": [1, 2, 3.0, "7"]}),
        ("expect_column_values_to_be_in_set", {"column": "s", "value_set": ["x1", "", 1]}),
        ("expect_column_values_to_be_unique", {"column": "a"}),
        ("expect_column_values_to_be_unique", {"column": "s"}),
        ("expect_column_values_to_be_unique", {"column": "e"}),
        ("expect_compound_columns_to_be_unique", {"column_list": ["a", "e"]}),
        ("expect_compound_columns_to_be_unique", {"column_list": ["n", "a"], "ignore_row_if": "any_value_is_missing"}),
        ("expect_compound_columns_to_be_unique", {"column_list": ["n", "empty"], "ignore_row_if": "never"}),
        ("expect_column_most_common_value_to_be_in_set", {"column": "n", "value_set": [5]}),
        ("expect_column_most_common_value_to_be_in_set", {"column": "n", "value_set": [5], "ties_okay": True}),
        ("expect_column_most_common_value_to_be_in_set", {"column": "s", "value_set": ["x1"]}),
        ("expect_column_distinct_values_to_contain_set", {"column": "s", "value_set": ["x1", "y", "nope"]}),
        ("expect_column_distinct_values_to_equal_set", {"column": "s", "value_set": ["x1", "y"]}),
        ("expect_column_distinct_values_to_equal_set", {"column": "n", "value_set": [1, 5, 6.0, 7, 8, 9]}),
        ("expect_column_distinct_values_to_contain_set", {"column": "a", "value_set": [1, 4, 10]}),
    ),
    "regex and lengths": _suite(
        "text",
        ("expect_column_values_to_match_regex", {"column": "s", "regex": r"\d"}),           # unanchored search
        ("expect_column_values_to_match_regex", {"column": "s", "regex": r"^35\.73\.\d\d$"}),
        ("expect_column_values_to_match_regex", {"column": "s", "regex": r"^\w\d$", "mostly": 0.5}),
        ("expect_column_values_to_match_regex", {"column": "s", "regex": r"^35\.73$"}),      # $ before a final \n
        ("expect_column_values_to_not_match_regex", {"column": "s", "regex": r"\s"}),
        ("expect_column_values_to_not_match_regex_list", {"column": "s", "regex_list": ["^x", "z+", r"\b1"]}),
        ("expect_column_value_lengths_to_be_between", {"column": "s", "min_value": 1, "max_value": 2}),
        ("expect_column_value_lengths_to_be_between", {"column": "s", "min_value": 2, "strict_min": True}),
    ),
    "pairs": _suite(
        "pairs",
        ("expect_column_pair_values_a_to_be_greater_than_b", {"column_A": "a", "column_B": "x"}),
        ("expect_column_pair_values_a_to_be_greater_than_b", {"column_A": "a", "column_B": "x", "or_equal": True,
                                                               "ignore_row_if": "either_value_is_missing"}),
        ("expect_column_pair_values_a_to_be_greater_than_b", {"column_A": "n", "column_B": "a", "or_equal": True,
                                                               "ignore_row_if": "neither", "mostly": 0.5}),
        ("expect_column_pair_values_a_to_be_greater_than_b", {"column_A": "e", "column_B": "d", "or_equal": True}),
        ("expect_column_pair_values_a_to_be_greater_than_b", {"column_A": "e", "column_B": "d", "or_equal": False,
                                                               "ignore_row_if": "either_value_is_missing"}),
    ),
    "aggregates": _suite(
        "aggregates",
        ("expect_table_row_count_to_be_between", {"min_value": 10, "max_value": 10}),
        ("expect_table_row_count_to_be_between", {"min_value": 10, "strict_min": True}),
        ("expect_table_row_count_to_equal", {"value": 11}),
        ("expect_column_mean_to_be_between", {"column": "x", "min_value": 10, "max_value": 20}),
        ("expect_column_mean_to_be_between", {"column": "a", "min_value": 4.5}),
        ("expect_column_mean_to_be_between", {"column": "empty", "min_value": 0}),
        ("expect_column_median_to_be_between", {"column": "n", "min_value": 6, "strict_min": True}),
        ("expect_column_median_to_be_between", {"column": "a", "max_value": 3.5}),
        ("expect_column_median_to_be_between", {"column": "x", "min_value": 2}),
        ("expect_column_min_to_be_between", {"column": "a", "min_value": 1}),
        ("expect_column_max_to_be_between", {"column": "x", "max_value": 50}),
        ("expect_column_max_to_be_between", {"column": "empty", "max_value": 50}),
        ("expect_column_sum_to_be_between", {"column": "n", "min_value": 58, "max_value": 58}),
        ("expect_column_sum_to_be_between", {"column": "x", "min_value": 0}),
        ("expect_column_sum_to_be_between", {"column": "empty", "max_value": 0}),
        ("expect_column_proportion_of_non_null_values_to_be_between", {"column": "a", "min_value": 0.8}),
        ("expect_column_proportion_of_non_null_values_to_be_between", {"column": "x", "min_value": 0.81}),
        ("expect_column_proportion_of_unique_values_to_be_between", {"column": "s", "min_value": 0.9}),
        ("expect_column_proportion_of_unique_values_to_be_between", {"column": "empty", "max_value": 0}),
        ("expect_column_unique_value_count_to_be_between", {"column": "n", "min_value": 5, "max_value": 5}),
        ("expect_column_unique_value_count_to_be_between", {"column": "e", "max_value": 7.0}),
        ("expect_column_quantile_values_to_be_between", {"column": "n", "quantile_ranges": {
            "quantiles": [0.0, 0.25, 0.5, 0.75, 0.9, 1.0],
            "value_ranges": [[1, 1], [5, 5], [None, 6], [6, None], [8, 9], [9.0001, None]]}}),
        ("expect_column_quantile_values_to_be_between", {"column": "x", "quantile_ranges": {
            "quantiles": [0.5, 0.95], "value_ranges": [[2, 2.5], [50, 150]]}}, {"severity": "warning"}),
    ),
}


@pytest.mark.parametrize("case", list(ADVERSARIAL))
def test_small_tables_give_what_gx_gives(tmp_path: Path, case: str):
    _compare(_small_table(tmp_path), ADVERSARIAL[case], tmp_path)


@pytest.mark.parametrize("cap", [1, None])
def test_example_cap_is_applied_like_gx(tmp_path: Path, cap: int | None):
    _compare(_small_table(tmp_path), ADVERSARIAL["regex and lengths"], tmp_path, cap)
    _compare(_small_table(tmp_path), ADVERSARIAL["sets, uniqueness and ties"], tmp_path, cap)


def test_a_few_answers_spelled_out(tmp_path: Path):
    """Beyond agreeing with GX: the figures a person would work out by hand."""
    results = _compare(_small_table(tmp_path), _suite(
        "by-hand",
        ("expect_column_values_to_be_unique", {"column": "a"}),
        ("expect_column_values_to_match_regex", {"column": "s", "regex": r"\d"}),
        ("expect_column_values_to_not_be_null", {"column": "a", "mostly": 0.8}),
        ("expect_column_median_to_be_between", {"column": "n", "min_value": 6, "strict_min": True}),
        ("expect_table_row_count_to_equal", {"value": 11}),
    ), tmp_path, cap=1)
    unique, not_null, regex, median, rows = results   # GX's order: by column, in order of first appearance
    assert (unique.count, [(p.row, p.value) for p in unique.examples]) == (4, [(5, "7.0")])   # both 7s, both 3s
    assert (regex.count, [(p.row, p.value) for p in regex.examples]) == (3, [(3, "y")])      # "" shows as None
    assert not_null.passed and not_null.detail == "mostly=0.8"
    assert not median.passed and median.detail == "min_value=6.0, strict_min=True; observed 6.0"
    assert (rows.count, rows.detail) == (1, "value=11; observed 10")


@pytest.mark.parametrize("expectation", [
    {"type": "expect_column_values_to_be_dateutil_parseable", "kwargs": {"column": "s"}},
    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a", "row_condition": 'n>5'}},
    {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "n", "regex": "5"}},
    {"type": "expect_column_mean_to_be_between", "kwargs": {"column": "s", "min_value": 1}},
    {"type": "expect_column_values_to_be_between", "kwargs": {"column": "a"}},
    {"type": "expect_column_values_to_be_between", "kwargs": {"column": "a", "min_value": 5, "max_value": 1}},
    {"type": "expect_column_values_to_be_between", "kwargs": {"column": "d", "min_value": "2024-01-02"}},
    {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "a", "value_set": [True]}},
    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "no_such_column"}},
    {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "s", "regex": "("}},
    {"type": "expect_column_quantile_values_to_be_between",
     "kwargs": {"column": "n", "quantile_ranges": {"quantiles": [0.5], "value_ranges": [[1, 2]]},
                "allow_relative_error": "linear"}},
])
def test_declines_what_it_does_not_implement(tmp_path: Path, expectation: dict):
    suite = tmp_path / "suite.json"
    suite.write_text(json.dumps({"name": "x", "expectations": [
        {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}}, expectation]}))
    assert run_suite_sql(_small_table(tmp_path), suite) is None


# --- the benchmark's suite on a slice of its queue log, with planted failures -------------------------------------
def test_bench_suite_on_a_planted_slice(tmp_path: Path):
    from bench.generate import generate

    csv = generate(20_000, tmp_path / "queue.csv")
    schema = yaml.safe_load((REPO / "bench/datasets/antrean-bench/schema.yaml").read_text(encoding="utf-8"))
    staged = stage_exports([_record(csv, csv.as_uri(), "csv")], ReadOptions(), schema["fields"],
                           tmp_path / "staged.parquet")
    typed = cast_to_typed(staged.path, schema, staged.fields, tmp_path / "typed.parquet")
    suite = json.loads((REPO / "bench/datasets/antrean-bench/expectations.json").read_text(encoding="utf-8"))
    suite["expectations"] += [
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "id"}},
        {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "officer_code", "regex": r"^PTG-\d{4}$"}},
        {"type": "expect_column_median_to_be_between", "kwargs": {"column": "wait_minutes", "min_value": 100}},
        {"type": "expect_column_quantile_values_to_be_between", "kwargs": {"column": "rating", "quantile_ranges": {
            "quantiles": [0.1, 0.5, 0.9], "value_ranges": [[1, 1], [3, 3], [5, 5]]}}},
        {"type": "expect_column_most_common_value_to_be_in_set", "kwargs": {"column": "service", "value_set": ["KK"]}},
        {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": ["date", "officer_code"]}},
    ]
    results = _compare(typed, suite, tmp_path)
    failed = {r.check.removeprefix("gx:expect_"): r.count for r in results if not r.passed}
    # The planted failures: a null officer code, a rating of 7, duplicated ids, a malformed officer code.
    assert {"column_values_to_not_be_null", "column_values_to_be_in_set", "column_values_to_be_unique",
            "column_values_to_match_regex"} <= set(failed)


# --- every dataset of the demo catalogue ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_typed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    catalog = load_catalog(REPO / "catalog.yaml")
    typed: dict[str, Path] = {}
    for dataset in catalog.datasets:
        work = tmp_path_factory.mktemp(dataset.id)
        (work / "raw").mkdir()
        schema = load_schema(catalog, dataset.id)
        raws = pull(dataset.source, catalog.root, work / "raw")
        staged = stage_exports(raws, dataset.source.options, schema["fields"], work / "staged.parquet")
        if not staged.missing_fields:
            typed[dataset.id] = cast_to_typed(staged.path, schema, staged.fields, work / "typed.parquet")
        shutil.rmtree(work / "raw")
    return typed


@pytest.mark.slow
def test_every_demo_dataset_gives_what_gx_gives(demo_typed: dict[str, Path], tmp_path: Path):
    catalog = load_catalog(REPO / "catalog.yaml")
    assert set(demo_typed) == {d.id for d in catalog.datasets}
    for dataset_id, typed in demo_typed.items():
        suite = catalog.suite_path(dataset_id)
        assert_same_results(run_suite_sql(typed, suite), run_suite(typed, suite))
