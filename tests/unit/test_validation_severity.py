"""Severity is declared per check: per field and per schema in the Table Schema, per expectation in the GX suite
(``meta.severity`` or GX's own ``severity``); everything else is an error. Only errors block publication."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from satudata.core.catalog import ReadOptions
from satudata.core.files import sha256_file
from satudata.core.records import RawExport, ReferenceTable
from satudata.sources.stage import stage_exports
from satudata.validators.gx_suite import run_suite
from satudata.validators.report import ValidationReport, aggregate
from satudata.validators.table_schema import check_table
from satudata.validators.typed import cast_to_typed

EXPORT = ("kode,kecamatan,suhu,hujan\n"
          "A1,35.73.01,25,10\n"
          "A2,35.73.09,40,500\n"     # row 3: unknown kecamatan, suhu above its maximum, hujan above its maximum
          "A2,35.73.02,24,12\n")     # row 4: the key of row 3 again
WILAYAH = "kode\n35.73.01\n35.73.02\n"


def _schema(**severity: dict) -> dict:
    return {
        "fields": [
            {"name": "kode", "type": "string"},
            {"name": "kecamatan", "type": "string", **({"severity": severity["kecamatan"]}
                                                        if "kecamatan" in severity else {})},
            {"name": "suhu", "type": "number", "constraints": {"maximum": 35},
             **({"severity": severity["suhu"]} if "suhu" in severity else {})},
            {"name": "hujan", "type": "number", "constraints": {"maximum": 300}, "severity": {"maximum": "warning"}},
        ],
        "primaryKey": ["kode"],
        "foreignKeys": [{"fields": "kecamatan", "reference": {"resource": "wilayah", "fields": "kode"}}],
        **({"severity": severity["table"]} if "table" in severity else {}),
    }


def _raw(path: Path) -> RawExport:
    return RawExport(path, path.as_uri(), "csv", sha256_file(path), path.stat().st_size, "2025-07-01T00:00:00+00:00")


def _check(tmp_path: Path, schema: dict) -> tuple[dict[tuple[str, str | None], str], ValidationReport]:
    export, reference = tmp_path / "data.csv", tmp_path / "wilayah.csv"
    export.write_text(EXPORT, encoding="utf-8")
    reference.write_text(WILAYAH, encoding="utf-8")
    ref_schema = {"fields": [{"name": "kode", "type": "string"}]}
    ref = stage_exports([_raw(reference)], ReadOptions(), ref_schema["fields"], tmp_path / "ref.parquet")
    staged = stage_exports([_raw(export)], ReadOptions(), schema["fields"], tmp_path / "staged.parquet")
    results = aggregate(staged.problems, "structure") + check_table(
        staged.path, staged.fields, schema, {"wilayah": ReferenceTable(ref.path, ref_schema)})
    report = ValidationReport("contoh", [], staged.row_count, results)
    return {(r.check, r.field): r.severity for r in results if r.count}, report


def test_checks_are_errors_unless_declared(tmp_path: Path):
    failing, report = _check(tmp_path, _schema())
    assert failing == {("maximum", "suhu"): "error", ("maximum", "hujan"): "warning",
                       ("primary-key", None): "error", ("foreign-key", "kecamatan"): "error"}
    assert report.blocked and report.status == "failed"


def test_field_and_schema_declarations_make_checks_warnings(tmp_path: Path):
    schema = _schema(suhu={"maximum": "warning"}, kecamatan={"foreign-key": "warning"},
                     table={"primary-key": "warning"})
    failing, report = _check(tmp_path, schema)
    assert set(failing.values()) == {"warning"} and len(failing) == 4
    assert not report.blocked and report.status == "passed-with-warnings"
    assert report.as_dict()["summary"] == {**report.as_dict()["summary"], "errors": 0, "warnings": 4}
    examples = [e for r in report.as_dict()["results"] for e in r["examples"]]
    assert {e["severity"] for e in examples} == {"warning"}


def test_a_field_declaration_wins_over_the_schema_one(tmp_path: Path):
    failing, _ = _check(tmp_path, _schema(table={"maximum": "warning"}, suhu={"maximum": "error"}))
    assert failing[("maximum", "suhu")] == "error"
    assert failing[("maximum", "hujan")] == "warning"


def test_a_schema_declaration_covers_every_column(tmp_path: Path):
    failing, _ = _check(tmp_path, _schema(table={"maximum": "warning", "foreign-key": "warning"}))
    assert failing == {("maximum", "suhu"): "warning", ("maximum", "hujan"): "warning",
                       ("primary-key", None): "error", ("foreign-key", "kecamatan"): "warning"}


@pytest.fixture
def typed_table(tmp_path: Path) -> Path:
    export = tmp_path / "data.csv"
    export.write_text("kode,jumlah\nA,5\nB,50\nC,500\n", encoding="utf-8")
    schema = {"fields": [{"name": "kode", "type": "string"}, {"name": "jumlah", "type": "integer"}]}
    staged = stage_exports([_raw(export)], ReadOptions(), schema["fields"], tmp_path / "staged.parquet")
    return cast_to_typed(staged.path, schema, staged.fields, tmp_path / "typed.parquet")


def test_expectation_severity_comes_from_meta_or_from_gx_itself(typed_table: Path, tmp_path: Path):
    between = {"type": "expect_column_values_to_be_between", "kwargs": {"column": "jumlah", "max_value": 100}}
    rows = {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 10}}
    suite = {"name": "contoh", "expectations": [
        between,                                                        # default: error
        {**between, "kwargs": {**between["kwargs"], "max_value": 99}, "meta": {"severity": "warning"}},
        {**rows, "severity": "warning"},                                # GX's own severity field
        {**rows, "kwargs": {"min_value": 11}, "severity": "critical"},
        {**rows, "kwargs": {"min_value": 12}, "severity": "info"},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "jumlah"}},   # passes
    ]}
    path = tmp_path / "expectations.json"
    path.write_text(json.dumps(suite), encoding="utf-8")
    results = run_suite(typed_table, path)   # GX may reorder the results
    assert sorted((r.check, r.severity, r.count) for r in results) == sorted([
        ("gx:expect_column_values_to_be_between", "error", 1),
        ("gx:expect_column_values_to_be_between", "warning", 1),
        ("gx:expect_table_row_count_to_be_between", "warning", 1),
        ("gx:expect_table_row_count_to_be_between", "error", 1),
        ("gx:expect_table_row_count_to_be_between", "warning", 1),
        ("gx:expect_column_values_to_not_be_null", "error", 0),
    ])
    by_key = {(r.check, r.severity, (r.arguments or {}).get("max_value"), (r.arguments or {}).get("min_value")): r
              for r in results}
    first = by_key[("gx:expect_column_values_to_be_between", "error", 100, None)].as_dict()
    assert [(e["file"], e["row"], e["value"]) for e in first["examples"]] == [("data.csv", 4, "500")]
    assert first["message"]["id"].startswith("Nilai kolom jumlah harus antara")
    assert "found 3" in by_key[("gx:expect_table_row_count_to_be_between", "warning", None, 10)].as_dict()[
        "message"]["en"]


def test_misspelt_expectation_type_blocks_instead_of_passing(tmp_path):
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    from satudata.validators.gx_suite import run_suite

    typed = tmp_path / "typed.parquet"
    pq.write_table(pa.table({"_row": [2, 3], "a": [2, 1], "b": [1, 1]}), typed)
    suite = tmp_path / "expectations.json"
    suite.write_text(json.dumps({"name": "x", "expectations": [
        {"type": "expect_column_pair_values_A_to_be_greater_than_B", "kwargs": {"column_A": "a", "column_B": "b"}}]}))
    [result] = run_suite(typed, suite)
    assert (result.check, result.severity, result.count) == ("gx:suite", "error", 1)
    assert "expect_column_pair_values_A_to_be_greater_than_B" in result.detail
