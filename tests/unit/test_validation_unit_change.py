"""The unit-change expectation (``expect_column_level_to_stay_within_factor_of_previous_period``): a budget series
whose level jumps about 1000× between consecutive periods of one entity is a warning naming the entity, the two
periods, the two values and the ratio, with the bilingual fix; GX on pandas, which does not know it, does not choke."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from satudata.core.catalog import ReadOptions
from satudata.core.files import sha256_file
from satudata.core.records import RawExport
from satudata.sources.stage import stage_exports
from satudata.validators.expectations_sql import run_expectations, run_suite_sql
from satudata.validators.gx_suite import run_suite
from satudata.validators.report_html import render_html
from satudata.validators.report_markdown import render_markdown
from satudata.validators.validate import validate_staged

CHECK = "gx:expect_column_level_to_stay_within_factor_of_previous_period"
SCHEMA = {"fields": [{"name": "tahun", "type": "integer"}, {"name": "kode_opd", "type": "string"},
                     {"name": "anggaran", "type": "integer"}],
          "primaryKey": ["tahun", "kode_opd"]}
# Three departments, 2022–2025, in rupiah; Dinas B sent its 2024 budget in thousands of rupiah.
BUDGETS = {"1.01": [52_000_000_000, 55_500_000_000, 57_000_000_000, 60_250_000_000],
           "1.02": [12_400_000_000, 13_100_000_000, 13_900_000, 14_600_000_000],
           "2.07": [3_200_000_000, 3_050_000_000, 3_600_000_000, 3_700_000_000]}


def _export(tmp_path: Path, budgets: dict[str, list[int]] = BUDGETS) -> Path:
    lines = ["tahun,kode_opd,anggaran"] + [f"{2022 + i},{kode},{value}" for kode, values in budgets.items()
                                          for i, value in enumerate(values)]
    path = tmp_path / "pagu.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _suite(tmp_path: Path, *expectations: dict) -> Path:
    path = tmp_path / "expectations.json"
    path.write_text(json.dumps({"name": "pagu", "expectations": list(expectations)}), encoding="utf-8")
    return path


def _unit_change(**kwargs: object) -> dict:
    return {"type": CHECK.removeprefix("gx:"),
            "kwargs": {"column": "anggaran", "entity": ["kode_opd"], "period": ["tahun"], **kwargs}}


def _validate(tmp_path: Path, export: Path, suite: Path, schema: dict = SCHEMA):
    raw = RawExport(export, export.as_uri(), "csv", sha256_file(export), export.stat().st_size,
                    "2025-07-01T00:00:00+00:00")
    staged = stage_exports([raw], ReadOptions(), schema["fields"], tmp_path / "staged.parquet")
    return validate_staged("pagu", [raw], staged, schema, suite, {}, tmp_path)


def test_a_department_in_thousands_for_one_year_is_a_warning_naming_entity_periods_values_and_ratio(tmp_path: Path):
    checked = _validate(tmp_path, _export(tmp_path), _suite(tmp_path, _unit_change()))
    report = checked.report
    [result] = [r for r in report.as_dict()["results"] if r["check"] == CHECK]
    assert (result["severity"], result["count"], result["field"]) == ("warning", 2, "anggaran")
    assert [(e["row"], e["value"]) for e in result["examples"]] == [
        (8, "kode_opd=1.02; tahun=2023: 13100000000 → tahun=2024: 13900000 (÷942)"),
        (9, "kode_opd=1.02; tahun=2024: 13900000 → tahun=2025: 14600000000 (×1050)")]
    first = result["examples"][0]["message"]
    assert "Kolom anggaran berubah 100× atau lebih" in first["id"] and "Periksa satuan (rupiah/ribuan" in first["id"]
    assert "tahun=2023: 13100000000 → tahun=2024: 13900000 (÷942)" in first["id"]
    assert "Column anggaran changes by 100× or more" in first["en"] and "Check the unit" in first["en"]
    assert report.status == "passed-with-warnings" and not report.blocked   # a warning: still published
    page = render_html(report)
    assert CHECK in page and "kode_opd=1.02; tahun=2023: 13100000000 → tahun=2024: 13900000 (÷942)" in page
    assert "Periksa satuan (rupiah/ribuan/juta/miliar)" in render_markdown(report)


def test_consecutive_quarters_across_years_and_rows_of_one_period_summed(tmp_path: Path):
    schema = {"fields": [{"name": "tahun", "type": "integer"}, {"name": "triwulan", "type": "integer"},
                         {"name": "kode_opd", "type": "string"}, {"name": "jenis", "type": "string"},
                         {"name": "anggaran", "type": "number"}]}
    rows = ["tahun,triwulan,kode_opd,jenis,anggaran"]
    for year, quarter, scale in ((2023, 3, 1), (2023, 4, 1), (2024, 1, 1e-3), (2024, 2, 1e-3)):
        rows += [f"{year},{quarter},1.02,pegawai,{4e9 * scale}", f"{year},{quarter},1.02,modal,{1e9 * scale}",
                 f"{year},{quarter},2.07,pegawai,{2e9}"]
    export = tmp_path / "realisasi.csv"
    export.write_text("\n".join(rows) + "\n", encoding="utf-8")
    suite = _suite(tmp_path, _unit_change(period=["tahun", "triwulan"]))
    [result] = [r for r in _validate(tmp_path, export, suite, schema).report.results if r.check == CHECK]
    # 1.02: 5e9 a quarter (two rows summed) until 2023 Q4, then 5e6: one jump, on the first row of 2024 Q1.
    assert [(p.row, p.value) for p in result.examples] == [
        (8, "kode_opd=1.02; tahun=2023, triwulan=4: 5000000000 → tahun=2024, triwulan=1: 5000000 (÷1000)")]


def test_a_steady_series_passes_and_the_factor_is_a_threshold(tmp_path: Path):
    steady = {"1.01": [1_000_000, 1_500_000, 900_000, 80_000_000]}   # ×88.9 at the end: under 100, over 50
    export = _export(tmp_path, steady)
    results = run_expectations(_typed(tmp_path, export), _suite(tmp_path, _unit_change(), _unit_change(factor=50)))
    assert [(r.check, r.count, r.detail) for r in results] == [
        (CHECK, 0, "entity=['kode_opd'], period=['tahun'], factor=100"),
        (CHECK, 1, "entity=['kode_opd'], period=['tahun'], factor=50")]


def test_no_entity_empty_cells_and_zero_levels(tmp_path: Path):
    path = tmp_path / "series.csv"
    path.write_text("tahun,kode_opd,anggaran\n2020,x,5000\n2021,x,\n2022,x,0\n2023,x,6\n2024,x,7\n", encoding="utf-8")
    [result] = run_expectations(_typed(tmp_path, path), _suite(tmp_path, _unit_change(entity=[])))
    # 2021 is empty, 2022 is zero (not compared): 2023 follows 2020 directly; the table is one series.
    assert [(p.row, p.value) for p in result.examples] == [(5, "tahun=2020: 5000 → tahun=2023: 6 (÷833)")]


def test_declared_error_blocks_and_bad_arguments_are_an_error_naming_the_fix(tmp_path: Path):
    export = _export(tmp_path)
    suite = _suite(tmp_path, {**_unit_change(), "meta": {"severity": "error"}},
                   _unit_change(period=["bulan"]), _unit_change(column="kode_opd"), _unit_change(factor=1))
    report = _validate(tmp_path, export, suite).report
    results = [(r.severity, r.count, r.detail) for r in report.results if r.check == CHECK]
    assert results[0][:2] == ("error", 2) and report.blocked
    assert results[1:] == [("error", 1, "error: period: no column 'bulan' in the table"),
                           ("error", 1, "error: column 'kode_opd' is not a numeric column of the table"),
                           ("error", 1, "error: factor must be a number greater than 1, not 1")]


def test_gx_on_pandas_leaves_it_to_sql_and_the_results_agree(tmp_path: Path):
    typed = _typed(tmp_path, _export(tmp_path))
    row_count = {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 5}}
    suite = _suite(tmp_path, row_count, _unit_change())
    gx, sql = run_suite(typed, suite), run_suite_sql(typed, suite)
    assert sql is not None and [(r.check, r.count) for r in gx] == [(r.check, r.count) for r in sql] == [
        ("gx:expect_table_row_count_to_be_between", 0)]
    # A suite the SQL engine declines runs on GX with pandas; satudata's own expectation still runs, in SQL.
    stdev = {"type": "expect_column_stdev_to_be_between", "kwargs": {"column": "anggaran", "min_value": 0}}
    declined = _suite(tmp_path, stdev, _unit_change())
    assert run_suite_sql(typed, declined) is None
    assert [(r.check, r.count) for r in run_expectations(typed, declined)] == [
        ("gx:expect_column_stdev_to_be_between", 0), (CHECK, 2)]


def test_a_misspelt_name_is_still_a_suite_error(tmp_path: Path):
    typed = _typed(tmp_path, _export(tmp_path))
    misspelt = {**_unit_change(), "type": "expect_column_level_to_stay_within_factor_of_previous_periods"}
    [result] = run_expectations(typed, _suite(tmp_path, misspelt))
    assert (result.check, result.severity, result.count) == ("gx:suite", "error", 1)
    assert "satudata checks" in result.detail and "Suite harapan mutu data tidak dapat dipakai" in \
        result.message()["id"]


@pytest.mark.parametrize("treatment", ["hash", "drop"])
def test_values_of_a_private_entity_column_never_reach_the_report(tmp_path: Path, treatment: str):
    nik = "3573014509870002"
    path = tmp_path / "bantuan.csv"
    path.write_text(f"tahun,nik,bantuan\n2023,{nik},600000\n2024,{nik},600\n", encoding="utf-8")
    schema = {"fields": [{"name": "tahun", "type": "integer"}, {"name": "nik", "type": "string",
                                                               "privacy": treatment},
                         {"name": "bantuan", "type": "integer"}]}
    suite = _suite(tmp_path, _unit_change(column="bantuan", entity=["nik"], factor=100))
    report = _validate(tmp_path, path, suite, schema).report
    [result] = [r for r in report.as_dict()["results"] if r["check"] == CHECK]
    assert result["count"] == 1 and result["examples"][0]["value"] == "********"
    assert nik not in json.dumps(report.as_dict(), ensure_ascii=False) and nik not in render_html(report)


def _typed(tmp_path: Path, export: Path, schema: dict = SCHEMA) -> Path:
    from satudata.validators.typed import cast_to_typed

    raw = RawExport(export, export.as_uri(), "csv", sha256_file(export), export.stat().st_size,
                    "2025-07-01T00:00:00+00:00")
    staged = stage_exports([raw], ReadOptions(), schema["fields"], tmp_path / "staged.parquet")
    return cast_to_typed(staged.path, schema, staged.fields, tmp_path / "typed.parquet")
