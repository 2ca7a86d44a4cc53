"""The registry of checks is complete: every check in it has its texts in both languages, a severity and an engine
that produces it; every check name an engine can report is in it; ``satudata checks`` can list it."""

from __future__ import annotations

import ast
import inspect
import json
from collections import Counter
from pathlib import Path

import pytest

from satudata.core.catalog import ReadOptions
from satudata.core.problems import ERROR, WARNING
from satudata.core.records import ReferenceTable
from satudata.sources.stage import stage_exports
from satudata.validators.checks import ENGINES, frictionless_type, lookup, registry
from satudata.validators.checks.render import listing, render
from satudata.validators.expectations_sql import SPECS
from satudata.validators.expectations_sql.own import own_expectations
from satudata.validators.messages import explain
from satudata.validators.privacy_gate import EMITS as PRIVACY_EMITS
from satudata.validators.table_schema import EMITS as TABLE_SCHEMA_EMITS
from satudata.validators.table_schema import check_table
from tests.agreement.harness import _raw, all_cases, reference_spec

REPO = Path(__file__).resolve().parents[2]
TEXTS = ("title", "about", "fix", "message")


def _structure_emits() -> set[str]:
    """The check names the readers give their problems: every ``Problem("<name>", ...)`` (and a cell normaliser's
    ``CellProblem("<name>", ...)``) in satudata/sources and its format modules."""
    names = set()
    for path in (REPO / "satudata/sources").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("Problem", "CellProblem")
                    and node.args
                    and isinstance(node.args[0], ast.Constant)):
                names.add(node.args[0].value)
    return names


def _gx_knows(kind: str) -> bool:
    from great_expectations.exceptions import ExpectationNotFoundError
    from great_expectations.expectations.registry import get_expectation_impl

    try:
        return get_expectation_impl(kind) is not None
    except ExpectationNotFoundError:
        return False


def _emits() -> dict[str, set[str]]:
    gx = {f"gx:{kind}" for kind in SPECS} | {f"gx:{kind}" for kind in own_expectations()} | {"gx:suite", "gx:*"}
    gx |= {c.type for c in registry() if c.engine == "great-expectations" and not c.fast and c.type != "gx:*"
           and _gx_knows(c.type.removeprefix("gx:"))}   # GX on pandas runs any GX type
    return {"structure": _structure_emits(), "table-schema": set(TABLE_SCHEMA_EMITS), "great-expectations": gx,
            "privacy": set(PRIVACY_EMITS)}


def test_every_check_has_both_languages_a_severity_and_an_engine_that_produces_it():
    emits = _emits()
    assert len({c.type for c in registry()}) == len(registry())
    for check in registry():
        assert check.engine in ENGINES and check.severity in (ERROR, WARNING), check.type
        for name in TEXTS:
            text = getattr(check, name)
            assert text.id.strip() and text.en.strip() and text.id != text.en, (check.type, name)
        assert check.type in emits[check.engine], f"{check.type}: no {check.engine} engine reports it"


def test_every_check_an_engine_can_report_is_registered():
    for engine, names in _emits().items():
        for name in names:
            check = lookup(name)
            assert check is not None and check.type == name and check.engine == engine, name


def test_the_checks_engines_report_on_the_corpus_are_registered_by_name(tmp_path: Path):
    """What the readers and the Table Schema engine really report on every broken export of the agreement corpus."""
    found: Counter = Counter()
    for case in all_cases():
        work = tmp_path / case.id
        work.mkdir()
        staged = stage_exports([_raw(case.data)], case.read_options, case.schema["fields"], work / "staged.parquet")
        references = {}
        for name in case.references:
            data, schema, options = reference_spec(name)
            ref = stage_exports([_raw(data)], ReadOptions(**{"strip": False, **options}), schema["fields"],
                                work / f"ref-{name}.parquet")
            references[name] = ReferenceTable(ref.path, schema)
        found.update(p.check for p in staged.problems)
        found.update(r.check for r in check_table(staged.path, staged.fields, case.schema, references) if r.count)
    assert {name: lookup(name).type if lookup(name) else None for name in found} == {name: name for name in found}
    assert {"blank-row", "extra-cell", "missing-cell", "type", "integer-range", "primary-key",
            "foreign-key"} <= set(found)


def test_frictionless_types_are_frictionless_own_and_the_fast_path_runs_what_it_says():
    import frictionless
    from frictionless import errors

    known = {c.type for c in vars(errors).values() if inspect.isclass(c) and issubclass(c, frictionless.errors.Error)}
    for check in registry():
        assert (check.frictionless is not None) == (check.origin == "frictionless"), check.type
        assert check.frictionless is None or check.frictionless in known, check.type
        if check.engine == "great-expectations" and check.type not in ("gx:suite", "gx:*"):
            kind = check.type.removeprefix("gx:")
            assert check.fast == (kind in SPECS or kind in own_expectations()), check.type
            assert (check.origin == "satudata") == (kind in own_expectations()), check.type
    assert frictionless_type("minimum") == "constraint-error" and frictionless_type("integer-range") is None


def test_messages_come_from_the_registry_filled_in():
    for check in registry():
        arguments = {"column": "jumlah", "min_value": 1, "max_value": 9, "value_set": ["a"], "regex": "x",
                     "column_A": "a", "column_B": "b", "column_list": ["a", "b"], "count": 3, "factor": 100}
        text = explain(check.type, "jumlah", "integer/default", "7",
                       arguments if check.engine == "great-expectations" else None)
        assert text["id"] and text["en"] and "{" not in text["id"] + text["en"], check.type
    assert explain("gx:expect_column_kl_divergence_to_be_less_than", "x", "t=1", None, {})["en"].startswith(
        "Data-quality expectation expect_column_kl_divergence_to_be_less_than")


@pytest.mark.parametrize("engine", [None, *ENGINES])
def test_satudata_checks_lists_them_as_json_and_as_a_table(engine: str | None):
    listed = json.loads(render(engine, as_json=True))
    assert [c["type"] for c in listed] == [c.type for c in registry() if engine in (None, c.engine)]
    for check in listed:
        assert {"type", "engine", "severity", "title", "about", "fix"} <= set(check)
        assert set(check["title"]) == set(check["about"]) == set(check["fix"]) == {"id", "en"}
    assert render(engine).row_count == len(listing(engine)) > 0


def test_each_supported_expectation_is_a_check_and_satudata_s_own_are_found_by_themselves():
    gx = {c.type for c in registry() if c.engine == "great-expectations"}
    assert {f"gx:{kind}" for kind in SPECS} <= gx and {f"gx:{kind}" for kind in own_expectations()} <= gx
    unit_change = lookup("gx:expect_column_level_to_stay_within_factor_of_previous_period")
    assert unit_change is not None and unit_change.severity == WARNING and unit_change.origin == "satudata"
