"""Agreement with Frictionless: the satudata engine reports exactly the errors frictionless-py reports.

One case per broken export in ``corpus/``: the multiset of (row, field, error type) from ``stage_exports`` +
``check_table(cap=None)`` equals the one from frictionless' ``validate`` with the same schema and dialect, and the
errors each case was built to contain are among them. This is the contract any faster engine must keep.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from satudata.validators.table_schema import INT64
from tests.agreement.harness import (
    Case,
    all_cases,
    frictionless_cli_errors,
    frictionless_errors,
    frictionless_values,
    pipeline_errors,
    typed_values,
    use_pypi_validators,
)

CASES = all_cases()
# Every kind of error a Table Schema validation reports, and every constraint and type, must be planted somewhere.
ERROR_TYPES = {"type-error", "constraint-error", "unique-error", "primary-key", "foreign-key", "blank-row",
               "extra-cell", "missing-cell", "missing-label", "extra-label", "duplicate-label", "incorrect-label",
               "blank-label"}
CONSTRAINTS = {"required", "unique", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength",
               "maxLength", "pattern", "enum"}
TYPES = {"string", "integer", "number", "boolean", "date", "datetime", "time", "year", "yearmonth"}


@pytest.fixture(scope="module", autouse=True)
def _pypi_validators() -> None:
    use_pypi_validators()


def _difference(ours: Counter, theirs: Counter) -> str:
    only_ours = sorted((ours - theirs).items())
    only_theirs = sorted((theirs - ours).items())
    return f"\n  only satudata:     {only_ours}\n  only frictionless: {only_theirs}"


def test_corpus_plants_every_kind_of_error_constraint_and_type():
    assert len(CASES) >= 15
    planted = {error_type for case in CASES for _, _, error_type in case.planted}
    assert planted >= ERROR_TYPES, ERROR_TYPES - planted
    fields = [f for case in CASES for f in case.schema["fields"]]
    assert {name for f in fields for name in (f.get("constraints") or {})} >= CONSTRAINTS
    assert {f.get("type", "string") for f in fields} >= TYPES
    assert any(case.schema.get("primaryKey") and len(case.schema["primaryKey"]) > 1 for case in CASES)
    assert any(len(fk["fields"]) > 1 for case in CASES for fk in case.schema.get("foreignKeys", []))
    assert any(case.references for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_satudata_reports_exactly_what_frictionless_reports(case: Case, tmp_path: Path):
    theirs = frictionless_errors(case)
    missing = [p for p in case.planted if p not in theirs]
    assert not missing, f"{case.id}: the corpus file no longer holds these planted errors: {missing}"
    ours = pipeline_errors(case, tmp_path)
    assert ours.errors == theirs, f"{case.id}: {case.description}{_difference(ours.errors, theirs)}"
    assert ours.counts_match_examples, "with cap=None every failing row is returned and counted"


def test_frictionless_command_line_agrees_with_its_python_api(tmp_path: Path):
    """The comparison uses frictionless' Python API; its CLI (`frictionless validate --json`) says the same."""
    case = next(c for c in CASES if c.id == "foreign_key_wilayah")
    api = frictionless_errors(case)
    assert api and any(error_type == "foreign-key" for _, _, error_type in api)
    assert frictionless_cli_errors(case, tmp_path) == api


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_published_values_are_the_values_frictionless_reads(case: Case, tmp_path: Path):
    """Conversion publishes from the typed table: each valid cell holds the value frictionless reads from it."""
    ours = typed_values(case, tmp_path)
    theirs = frictionless_values(case)
    # An integer beyond 64 bits fails satudata's integer-range check and is never published: NULL here.
    too_big = {key for key, value in theirs.items() if type(value) is int and not INT64[0] <= value <= INT64[1]}
    assert all(ours.get(key, "(absent)") is None for key in too_big)
    theirs = {key: value for key, value in theirs.items() if key not in too_big}
    differing = {key: (ours.get(key, "(absent)"), value) for key, value in theirs.items() if ours.get(key) != value}
    assert not differing, f"{case.id}: (row, field): (satudata, frictionless) {differing}"
