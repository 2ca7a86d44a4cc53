"""`satudata checks` and `satudata describe`: the registry and the drafts, for people and as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from satudata.cli import app
from satudata.validators.checks.index import registry

REPO = Path(__file__).resolve().parents[2]


def test_checks_json_lists_every_registered_check_with_both_languages():
    result = CliRunner().invoke(app, ["checks", "--json"])
    assert result.exit_code == 0, result.output
    checks = json.loads(result.stdout)
    assert [c["type"] for c in checks] == [c.type for c in registry()]
    formula = next(c for c in checks if c["type"] == "formula-injection")
    assert formula["severity"] == "warning" and formula["fix"]["id"] and formula["fix"]["en"]


def test_checks_of_one_engine_and_an_unknown_engine():
    result = CliRunner().invoke(app, ["checks", "--engine", "privacy", "--json"])
    assert {c["engine"] for c in json.loads(result.stdout)} == {"privacy"}
    table = CliRunner().invoke(app, ["checks", "--engine", "table-schema"])
    assert table.exit_code == 0 and "foreign-key" in table.stdout and "how to fix" in table.stdout
    wrong = CliRunner().invoke(app, ["checks", "--engine", "gx"])
    assert wrong.exit_code == 2 and "unknown engine 'gx'" in wrong.output


def test_describe_drafts_an_entry_that_reads_the_export(tmp_path: Path):
    from tests.conftest import copy_project

    project = copy_project(tmp_path / "project")
    export = project / "exports" / "dinkes" / "rekap_kasus_dbd_kelurahan_2024.csv"
    catalog = ["--catalog", str(project / "catalog.yaml")]
    result = CliRunner().invoke(app, ["describe", str(export), *catalog, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    options = data["entry"]["source"]["options"]
    assert options["delimiter"] == ";" and data["entry"]["source"]["format"] == "csv"
    names = [f["name"] for f in data["schema"]["fields"]]
    assert "kode_kelurahan" in names and data["suite"]["expectations"]
    assert data["entry"]["source"]["path"] == "exports/dinkes/rekap_kasus_dbd_kelurahan_2024.csv"
    assert {"fields": "kode_kelurahan", "reference": {"resource": "kode-wilayah", "fields": "kode"}} in \
        data["schema"]["foreignKeys"]
    written = CliRunner().invoke(app, ["describe", str(export), *catalog, "--write"])
    assert written.exit_code == 0, written.output
    folder = project / "datasets" / data["dataset"]
    assert yaml.safe_load((folder / "schema.yaml").read_text())["fields"] == data["schema"]["fields"]
    again = CliRunner().invoke(app, ["describe", str(export), *catalog, "--write"])
    assert again.exit_code == 2 and "never overwrites" in " ".join(again.output.split())


def test_describe_a_file_that_is_not_an_export():
    result = CliRunner().invoke(app, ["describe", "/nonexistent/x.csv"])
    assert result.exit_code == 2 and "no such file" in result.output
