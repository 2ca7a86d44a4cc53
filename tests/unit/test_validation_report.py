"""The one validation report: every problem names check, severity, column, original row, value and a bilingual fix;
counts are full, examples capped; JSON and a self-contained HTML page that stays small with 100,000 errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from satudata.core.catalog import ReadOptions
from satudata.core.files import sha256_file
from satudata.core.records import RawExport
from satudata.sources.stage import stage_exports
from satudata.validators.checks import registry
from satudata.validators.messages import explain
from satudata.validators.report import EXAMPLE_CAP, ValidationReport, aggregate
from satudata.validators.report_html import render_html, write_html
from satudata.validators.table_schema import check_table
from satudata.validators.validate import validate_staged

SCHEMA = {
    "fields": [
        {"name": "kode", "type": "string", "constraints": {"required": True, "pattern": r"^35\.73\.\d{2}$"}},
        {"name": "jumlah", "type": "integer", "constraints": {"minimum": 0}},
        {"name": "tanggal", "type": "date"},
    ],
    "primaryKey": ["kode"],
}


def _raw(path: Path) -> RawExport:
    return RawExport(path, path.as_uri(), "csv", sha256_file(path), path.stat().st_size, "2025-07-01T00:00:00+00:00")


def _report(path: Path, work: Path, options: ReadOptions, schema: dict = SCHEMA,
            cap: int | None = EXAMPLE_CAP) -> ValidationReport:
    raw = _raw(path)
    staged = stage_exports([raw], options, schema["fields"], work / "staged.parquet")
    results = aggregate(staged.problems, "structure", cap) + check_table(staged.path, staged.fields, schema, {}, cap)
    return ValidationReport("contoh", [raw.as_dict()], staged.row_count, results)


@pytest.fixture
def titled_export(tmp_path: Path) -> Path:
    """Two title rows, the header on row 3, then data with one planted error per kind."""
    path = tmp_path / "rekap.csv"
    path.write_text("REKAP BULANAN;;\nDinas Contoh;;\nkode;jumlah;tanggal\n"
                    "35.73.01;10;2025-06-01\n"      # row 4: fine
                    "35.73.02;sepuluh;2025-06-02\n"  # row 5: a word in a number column
                    "35.73.03;-4;2025-06-31\n"        # row 6: below the minimum, a date that does not exist
                    "3573.04;1;2025-06-04\n"          # row 7: kode in the wrong format
                    "35.73.01;2;2025-06-05\n", encoding="utf-8")  # row 8: the key of row 4 again
    return path


def test_every_problem_names_check_severity_column_original_row_value_and_fix(titled_export: Path, tmp_path: Path):
    report = _report(titled_export, tmp_path, ReadOptions(delimiter=";", header_row=3))
    examples = [e for r in report.as_dict()["results"] for e in r["examples"]]
    found = {(e["check"], e["field"], e["row"], e["value"]) for e in examples}
    assert found == {("type", "jumlah", 5, "sepuluh"), ("minimum", "jumlah", 6, "-4"),
                     ("type", "tanggal", 6, "2025-06-31"), ("pattern", "kode", 7, "3573.04"),
                     ("primary-key", None, 8, "35.73.01")}
    for example in examples:
        assert example["severity"] == "error" and example["file"] == "rekap.csv"
        message = example["message"]
        assert message["id"] and message["en"] and message["id"] != message["en"]
        if example["check"] != "primary-key":
            assert example["field"] in message["id"] and example["field"] in message["en"]
        assert example["value"] in message["id"] and example["value"] in message["en"]
    assert report.status == "failed" and report.blocked


def test_messages_say_how_to_fix_in_both_languages():
    type_error = explain("type", "jumlah", "integer/default", "12.5")
    assert "bilangan bulat" in type_error["id"] and "whole number" in type_error["en"]
    date_error = explain("type", "tanggal", "date/default", "2025-06-31")
    assert "TTTT-BB-HH" in date_error["id"] and "YYYY-MM-DD" in date_error["en"]
    region = explain("foreign-key", "kode_kecamatan", "kode-wilayah.kode", "35.73.09")
    assert "Permendagri 72/2019" in region["id"] and "35.73.09" in region["en"]
    other = explain("foreign-key", "kode_opd", "pagu.kode_opd", "9.99")
    assert "Kemendagri" not in other["en"] and "reference table pagu.kode_opd" in other["en"]
    for check in (c.type for c in registry() if not c.type.startswith("gx:")):
        text = explain(check, "kolom", "detail", "nilai")
        assert text["id"] != text["en"] and "{" not in text["id"] + text["en"], check


def test_expectation_messages_say_what_the_expectation_means():
    for expectation in (c.type.removeprefix("gx:") for c in registry() if c.type not in ("gx:*", "gx:suite")
                        and c.engine == "great-expectations"):
        text = explain(f"gx:{expectation}", "jumlah", "min_value=1", "7",
                       {"column": "jumlah", "min_value": 1, "max_value": 9, "value_set": ["a"], "regex": "x",
                        "column_A": "gaji_max", "column_B": "gaji_min", "column_list": ["a", "b"], "count": 3})
        assert "Harapan mutu data" not in text["id"] and "Data-quality expectation" not in text["en"], expectation
        assert "{" not in text["id"] + text["en"], expectation
    between = explain("gx:expect_column_values_to_be_between", "waktu", None, "300",
                      {"column": "waktu", "min_value": 0, "max_value": 90, "mostly": 0.95, "count": 4})
    assert between["id"].startswith("Nilai kolom waktu harus antara 0 dan 90 (setidaknya 95% baris); 4 baris")
    assert between["en"].startswith("Values of column waktu must be between 0 and 90 (at least 95% of rows); 4 rows")
    rows = explain("gx:expect_table_row_count_to_be_between", None, None, None,
                   {"min_value": 1500, "max_value": None, "observed": 12})
    assert "1500" in rows["en"] and "found 12" in rows["en"] and "ditemukan 12" in rows["id"]
    unknown = explain("gx:expect_column_kl_divergence_to_be_less_than", "x", "threshold=0.1", None, {})
    assert "expect_column_kl_divergence_to_be_less_than" in unknown["en"] and "threshold=0.1" in unknown["id"]
    # An engine that does not pass the expectation's arguments still gets a message quoting them from the detail.
    unknown_arguments = explain("gx:expect_column_values_to_be_between", "x", "min_value=0, max_value=9", "12")
    assert "(min_value=0, max_value=9)" in unknown_arguments["id"]
    assert unknown_arguments["en"].startswith("Data-quality expectation expect_column_values_to_be_between on column x")


def test_counts_are_full_and_examples_capped(tmp_path: Path):
    path = tmp_path / "banyak.csv"
    path.write_text("kode,jumlah,tanggal\n" + "".join(f"35.73.{i % 100:02d},x{i},\n" for i in range(250)),
                    encoding="utf-8")
    report = _report(path, tmp_path, ReadOptions(), cap=7)
    by_check = {(r.check, r.field): r for r in report.results}
    assert by_check[("type", "jumlah")].count == 250
    assert [e.row for e in by_check[("type", "jumlah")].examples] == [2, 3, 4, 5, 6, 7, 8]
    assert by_check[("primary-key", None)].count == 150 and len(by_check[("primary-key", None)].examples) == 7
    assert report.as_dict()["summary"]["errors"] == 400


def test_json_report_round_trips(titled_export: Path, tmp_path: Path):
    report = _report(titled_export, tmp_path, ReadOptions(delimiter=";", header_row=3))
    written = report.write_json(tmp_path / "validation.json")
    assert json.loads(written.read_text(encoding="utf-8")) == json.loads(json.dumps(report.as_dict(), default=str))


def test_html_is_one_self_contained_page_with_the_summary_first(titled_export: Path, tmp_path: Path):
    report = _report(titled_export, tmp_path, ReadOptions(delimiter=";", header_row=3))
    page = render_html(report)
    for external in ("<script", "<link", "<img", "<iframe", "src=", "@import", "url(", "http://", "https://"):
        assert external not in page.lower(), external
    assert page.index("Ringkasan per kolom") < page.index("Masalah per kolom") < page.index("Pemeriksaan yang lolos")
    for column in ("kode", "jumlah", "tanggal"):
        assert f"Kolom <code>{column}</code>" in page
    for anchor in re.findall(r'href="#([^"]+)"', page):
        assert f'id="{anchor}"' in page
    assert "sepuluh" in page and "tidak diterbitkan" in page and "not published" in page


@pytest.mark.slow
def test_a_hundred_thousand_bad_cells_give_a_small_page_with_exact_counts(tmp_path: Path):
    path = tmp_path / "besar.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("kode,jumlah,tanggal\n")
        for i in range(100_000):   # every row: a bad number; every 4th row also a bad date
            handle.write(f"35.73.{i % 100:02d},n{i},{'2025-02-30' if i % 4 == 0 else '2025-02-28'}\n")
    suite = tmp_path / "expectations.json"
    suite.write_text(json.dumps({"name": "besar", "expectations": [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "jumlah"}}]}), encoding="utf-8")
    raw = _raw(path)
    staged = stage_exports([raw], ReadOptions(), SCHEMA["fields"], tmp_path / "staged.parquet")
    report = validate_staged("besar", [raw], staged, SCHEMA, suite, {}, tmp_path).report   # the pipeline's report
    by_check = {(r.check, r.field): r for r in report.results}
    assert by_check[("type", "jumlah")].count == 100_000
    assert by_check[("gx:expect_column_values_to_not_be_null", "jumlah")].count == 100_000
    assert by_check[("type", "tanggal")].count == 25_000
    assert by_check[("primary-key", None)].count == 100_000 - 100
    assert all(len(r.examples) <= EXAMPLE_CAP for r in report.results)
    html = write_html(report, tmp_path / "validation.html")
    page = html.read_text(encoding="utf-8")
    assert html.stat().st_size < 1_000_000
    assert "100000" in page and "25000" in page and "Ringkasan per kolom" in page
    assert report.write_json(tmp_path / "validation.json").stat().st_size < 1_000_000
