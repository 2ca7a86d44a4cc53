"""catalog.yaml loads into typed objects, and every mistake names the file, the key path and a fix."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from satudata.core.catalog import CatalogError, load_catalog
from tests.conftest import REPO


def test_demo_catalogue_loads_with_every_dataset_complete():
    catalog = load_catalog(REPO / "catalog.yaml")
    assert len(catalog.datasets) >= 8
    assert len({d.department for d in catalog.datasets}) >= 5
    for dataset in catalog.datasets:
        assert catalog.schema_path(dataset.id).is_file()
        assert catalog.suite_path(dataset.id).is_file()
        assert dataset.title.id and dataset.title.en and dataset.description.id and dataset.description.en
        assert dataset.license and dataset.tags and dataset.contact.email


def _broken(project: Path, change) -> Path:
    path = project / "catalog.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(raw)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _first_dataset(raw: dict) -> dict:
    return raw["datasets"][0]


@pytest.mark.parametrize(("change", "key", "words"), [
    (lambda raw: _first_dataset(raw).update(titel="x"), "datasets[kode-wilayah].titel", "remove the key"),
    (lambda raw: _first_dataset(raw).update(frequency="dayly"), "datasets[kode-wilayah].frequency", "allowed"),
    (lambda raw: _first_dataset(raw).update(department="dinas-x"), "datasets[kode-wilayah].department",
     "add it under departments"),
    (lambda raw: raw["datasets"].append(dict(raw["datasets"][1])), "datasets[sekolah-kota-malang].id",
     "its own id"),
    (lambda raw: _first_dataset(raw)["source"]["options"].update(delimter=";"),
     "datasets[kode-wilayah].source.options.delimter", "spelling"),
    (lambda raw: _first_dataset(raw).update(spatial=35.73), "datasets[kode-wilayah].spatial", "quotes"),
])
def test_catalogue_mistakes_name_file_key_and_fix(project: Path, change, key: str, words: str):
    path = _broken(project, change)
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    error = caught.value
    assert error.file.endswith("catalog.yaml")
    assert error.key == key
    assert words in error.fix


def test_missing_schema_file_is_named(project: Path):
    (project / "datasets" / "kode-wilayah" / "schema.yaml").unlink()
    with pytest.raises(CatalogError) as caught:
        load_catalog(project / "catalog.yaml")
    assert "datasets/kode-wilayah/schema.yaml" in caught.value.problem
    assert caught.value.fix == "create datasets/kode-wilayah/schema.yaml"


def test_missing_suite_file_is_named(project: Path):
    (project / "datasets" / "kode-wilayah" / "expectations.json").unlink()
    with pytest.raises(CatalogError, match="expectations.json"):
        load_catalog(project / "catalog.yaml")


def test_broken_yaml_names_the_line(project: Path):
    path = project / "catalog.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n  - id: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    assert caught.value.key.startswith("line ")


def test_cli_prints_catalogue_error_and_exits_2(project: Path):
    from typer.testing import CliRunner

    from satudata.cli import app

    _broken(project, lambda raw: _first_dataset(raw).update(frequency="sometimes"))
    result = CliRunner().invoke(app, ["list", "--catalog", str(project / "catalog.yaml")])
    assert result.exit_code == 2
    assert "datasets[kode-wilayah].frequency" in result.output


@pytest.mark.parametrize("bad", ["../etc", "dinkes/rahasia", "ДИНКЕС", "dínkes", "Dinkes", ".hidden", "a"])
@pytest.mark.parametrize("where", ["dataset", "department"])
def test_ids_that_could_leave_the_portal_folder_or_are_not_plain_ascii_are_refused(project: Path, bad: str,
                                                                                  where: str):
    def change(raw: dict) -> None:
        if where == "dataset":
            _first_dataset(raw)["id"] = bad
        else:
            old = raw["departments"][0]["id"]
            raw["departments"][0]["id"] = bad
            for dataset in raw["datasets"]:
                if dataset["department"] == old:
                    dataset["department"] = bad

    with pytest.raises(CatalogError) as caught:
        load_catalog(_broken(project, change))
    assert caught.value.key.endswith(".id") and "a-z" in caught.value.problem + caught.value.fix
