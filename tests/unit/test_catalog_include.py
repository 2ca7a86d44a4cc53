"""catalog.yaml with `include:`: one dataset a file, loaded like inline entries, mistakes named by the included file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from satudata.core.catalog import CatalogError, load_catalog
from satudata.flows.precheck import export_hashes_in_place
from satudata.versioning import inputs_sha256


def _split(project: Path, keep_inline: int = 0) -> list[str]:
    """Move every dataset but the first ``keep_inline`` of the demo catalogue into datasets/<id>/dataset.yaml."""
    path = project / "catalog.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    moved = raw["datasets"][keep_inline:]
    for entry in moved:
        (project / "datasets" / entry["id"] / "dataset.yaml").write_text(
            yaml.safe_dump(entry, allow_unicode=True, sort_keys=False), encoding="utf-8")
    raw["datasets"] = raw["datasets"][:keep_inline]
    raw["include"] = ["datasets/*/dataset.yaml"]
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return [entry["id"] for entry in moved]


def _edit(file: Path, change) -> None:
    raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    change(raw)
    file.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_included_datasets_load_like_inline_ones(project: Path):
    before = load_catalog(project / "catalog.yaml")
    moved = _split(project, keep_inline=2)
    after = load_catalog(project / "catalog.yaml")
    assert {d.id for d in after.datasets} == {d.id for d in before.datasets}
    assert [d.id for d in after.datasets[:2]] == [d.id for d in before.datasets[:2]]   # inline first
    for dataset in before.datasets:   # the same typed entry, whichever file holds it
        assert after.dataset(dataset.id) == dataset
    assert after.where(moved[0]) == (project / "datasets" / moved[0] / "dataset.yaml", "")
    assert after.where(before.datasets[0].id) == (project / "catalog.yaml", f"datasets[{before.datasets[0].id}]")


def test_moving_a_dataset_into_its_own_file_keeps_its_inputs_hash(project: Path):
    """A version's inputs hash (the no-op test) does not see the move, and does see an edit of the included file."""
    def key(catalog, dataset_id):
        dataset = catalog.dataset(dataset_id)
        schema = yaml.safe_load(catalog.schema_path(dataset_id).read_text(encoding="utf-8"))
        suite = yaml.safe_load(catalog.suite_path(dataset_id).read_text(encoding="utf-8"))
        return inputs_sha256(export_hashes_in_place(dataset, catalog.root), dataset, schema, suite)

    before = load_catalog(project / "catalog.yaml")
    target = next(d.id for d in before.datasets if d.source.kind in ("file", "glob"))
    _split(project)
    moved = load_catalog(project / "catalog.yaml")
    assert key(moved, target) == key(before, target)
    _edit(project / "datasets" / target / "dataset.yaml",
          lambda raw: raw["source"]["options"].update(missing_values=["", "-", "n/a"]))
    edited = load_catalog(project / "catalog.yaml")
    assert key(edited, target) != key(before, target)


@pytest.mark.parametrize(("change", "key", "words"), [
    (lambda raw: raw.update(titel="x"), "titel", "remove the key"),
    (lambda raw: raw.update(frequency="dayly"), "frequency", "allowed"),
    (lambda raw: raw["source"]["options"].update(delimter=";"), "source.options.delimter", "spelling"),
    (lambda raw: raw.update(spatial=35.73), "spatial", "quotes"),
    (lambda raw: raw.update(department="dinas-x"), "department", "add it under departments"),
    (lambda raw: raw["source"].update(path="exports/tidak-ada.csv", kind="file"), "source.path", "relative"),
])
def test_mistakes_in_an_included_file_name_that_file_and_the_key(project: Path, change, key: str, words: str):
    moved = _split(project)
    file = project / "datasets" / moved[0] / "dataset.yaml"
    _edit(file, change)
    with pytest.raises(CatalogError) as caught:
        load_catalog(project / "catalog.yaml")
    assert Path(caught.value.file) == file
    assert caught.value.key == key
    assert words in caught.value.fix


def test_broken_yaml_in_an_included_file_names_it_and_the_line(project: Path):
    moved = _split(project)
    file = project / "datasets" / moved[1] / "dataset.yaml"
    file.write_text(file.read_text(encoding="utf-8") + "tags: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(project / "catalog.yaml")
    assert Path(caught.value.file) == file
    assert caught.value.key.startswith("line ")


def test_an_included_file_that_is_not_one_dataset_is_refused(project: Path):
    moved = _split(project)
    file = project / "datasets" / moved[0] / "dataset.yaml"
    file.write_text("- id: a\n- id: b\n", encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(project / "catalog.yaml")
    assert Path(caught.value.file) == file
    assert "one dataset" in caught.value.problem


def test_duplicate_ids_across_files_name_both_files(project: Path):
    moved = _split(project)
    first = project / "datasets" / moved[0] / "dataset.yaml"
    extra = project / "more" / "copy.yaml"
    extra.parent.mkdir()
    extra.write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    _edit(project / "catalog.yaml", lambda raw: raw["include"].append("more/*.yaml"))
    with pytest.raises(CatalogError) as caught:
        load_catalog(project / "catalog.yaml")
    assert Path(caught.value.file) == extra
    assert caught.value.key == "id"
    assert str(first) in caught.value.problem and "its own id" in caught.value.fix


def test_an_included_id_that_is_also_inline_names_both_files(project: Path):
    moved = _split(project, keep_inline=1)
    inline_id = load_catalog(project / "catalog.yaml").datasets[0].id
    _edit(project / "datasets" / moved[0] / "dataset.yaml", lambda raw: raw.update(id=inline_id))
    (project / "datasets" / moved[0] / "dataset.yaml").rename(project / "dup.yaml")
    _edit(project / "catalog.yaml", lambda raw: raw["include"].append("dup.yaml"))
    with pytest.raises(CatalogError) as caught:
        load_catalog(project / "catalog.yaml")
    assert Path(caught.value.file) == project / "dup.yaml"
    assert str(project / "catalog.yaml") in caught.value.problem


def test_an_include_pattern_matching_nothing_is_named(project: Path):
    _split(project)
    _edit(project / "catalog.yaml", lambda raw: raw["include"].append("dataset/*/dataset.yml"))
    with pytest.raises(CatalogError) as caught:
        load_catalog(project / "catalog.yaml")
    assert caught.value.file.endswith("catalog.yaml")
    assert caught.value.key == "include[1]"
    assert "matches no file" in caught.value.problem


@pytest.mark.parametrize("pattern", ["../*/dataset.yaml", "/etc/*.yaml"])
def test_an_include_outside_the_catalogue_folder_is_refused(project: Path, pattern: str):
    _split(project)
    _edit(project / "catalog.yaml", lambda raw: raw.update(include=[pattern]))
    with pytest.raises(CatalogError) as caught:
        load_catalog(project / "catalog.yaml")
    assert caught.value.key == "include[0]"


def test_an_included_file_in_another_datasets_folder_is_refused(project: Path):
    moved = _split(project)
    _edit(project / "datasets" / moved[0] / "dataset.yaml", lambda raw: raw.update(id=f"{moved[0]}-x"))
    with pytest.raises(CatalogError) as caught:
        load_catalog(project / "catalog.yaml")
    assert caught.value.key == "id" and "folder" in caught.value.problem


def test_cli_names_the_included_file(project: Path):
    from typer.testing import CliRunner

    from satudata.cli import app

    moved = _split(project)
    _edit(project / "datasets" / moved[0] / "dataset.yaml", lambda raw: raw.update(frequency="sometimes"))
    result = CliRunner().invoke(app, ["list", "--catalog", str(project / "catalog.yaml")])
    assert result.exit_code == 2
    assert f"{moved[0]}/dataset.yaml" in result.output.replace("\n", "") and "frequency" in result.output
