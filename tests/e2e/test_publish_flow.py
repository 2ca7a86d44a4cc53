"""End to end: the real Prefect flows on the real demo exports, into a local portal in a temporary folder."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from satudata.core.catalog import load_catalog
from satudata.core.settings import RunSettings
from satudata.flows.publish import with_concurrency
from satudata.publish.local import LocalPortal

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]


def _run(project: Path, ids: list[str] | None = None) -> dict[str, dict]:
    catalog = load_catalog(project / "catalog.yaml")
    settings = RunSettings.from_environment(project / "catalog.yaml", portal_dir=project / "portal")
    outcomes = with_concurrency(2)(ids or [d.id for d in catalog.datasets], settings.to_dict())
    return {o["dataset"]: o for o in outcomes}


def _edit_entry(project: Path, dataset_id: str, change: Callable[[dict], object]) -> None:
    """Change one dataset's entry of the project's catalog.yaml in place."""
    raw = yaml.safe_load((project / "catalog.yaml").read_text(encoding="utf-8"))
    change(next(d for d in raw["datasets"] if d["id"] == dataset_id))
    (project / "catalog.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _portal(project: Path) -> LocalPortal:
    return LocalPortal(load_catalog(project / "catalog.yaml"), project / "portal")


def _parquet_rows_as_csv_text(path: Path) -> list[list[str]]:
    """Parquet values rendered the way the CSV writes them, to compare cell by cell."""
    table = pq.read_table(path)
    rows = []
    for record in table.to_pylist():
        row = []
        for value in record.values():
            if value is None:
                row.append("")
            elif isinstance(value, bool):
                row.append("true" if value else "false")
            elif hasattr(value, "isoformat"):
                row.append(value.isoformat())
            else:
                row.append(str(value))
        rows.append(row)
    return rows


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Path, dict, dict]:
    from tests.conftest import copy_project

    project = copy_project(tmp_path_factory.mktemp("e2e") / "project")
    first = _run(project)
    second = _run(project)
    return project, first, second


def test_first_run_publishes_1_0_0_of_every_dataset(published):
    project, first, _ = published
    assert {o["status"] for o in first.values()} == {"published"}, first
    assert {o["version"] for o in first.values()} == {"1.0.0"}
    portal = _portal(project)
    index = json.loads((project / "portal" / "index.json").read_text())
    for dataset in load_catalog(project / "catalog.yaml").datasets:
        folder = portal.version_dir(dataset, "1.0.0")
        names = {p.name for p in folder.iterdir()}
        assert {"data.csv", "data.parquet", "datapackage.json", "validation.json", "lineage.jsonl"} <= names
        assert (portal.dataset_dir(dataset) / "latest").resolve() == folder.resolve()
        assert index["datasets"][dataset.id]["latest"] == "1.0.0"


def test_second_run_publishes_nothing(published):
    project, _, second = published
    assert {o["status"] for o in second.values()} == {"unchanged"}, second
    assert all(len(_portal(project).versions(d)) == 1 for d in load_catalog(project / "catalog.yaml").datasets)


def test_parquet_and_csv_hold_the_same_rows_and_values(published):
    project, _, _ = published
    portal = _portal(project)
    for dataset in load_catalog(project / "catalog.yaml").datasets:
        folder = portal.version_dir(dataset, "1.0.0")
        with (folder / "data.csv").open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            csv_rows = list(reader)
        assert header == pq.read_schema(folder / "data.parquet").names
        parquet_rows = _parquet_rows_as_csv_text(folder / "data.parquet")
        assert len(csv_rows) == len(parquet_rows) > 0, dataset.id
        for csv_row, parquet_row in zip(csv_rows, parquet_rows, strict=True):
            for csv_cell, parquet_cell in zip(csv_row, parquet_row, strict=True):
                if csv_cell != parquet_cell:   # floats: the same number, maybe written differently
                    assert float(csv_cell) == pytest.approx(float(parquet_cell)), (dataset.id, csv_row)


def test_datapackage_describes_files_with_hashes_and_types(published):
    project, _, _ = published
    portal = _portal(project)
    dataset = load_catalog(project / "catalog.yaml").dataset("antrean-nunggu-transparan")
    folder = portal.version_dir(dataset, "1.0.0")
    package = json.loads((folder / "datapackage.json").read_text())
    from satudata.core.files import sha256_file

    for resource in package["resources"]:
        assert resource["hash"] == f"sha256:{sha256_file(folder / resource['path'])}"
        size = resource["bytes"] if resource["format"] != "parquet" else resource["satudata:bytes"]
        assert size == (folder / resource["path"]).stat().st_size
    assert package["version"] == "1.0.0" and package["licenses"][0]["name"]
    assert package["sources"][0]["sha256"]
    schema = pq.read_schema(folder / "data.parquet")
    assert str(schema.field("tanggal").type) == "date32[day]"
    assert str(schema.field("kode_kecamatan").type) == "string"



def test_each_dataset_run_attaches_its_validation_report_as_a_prefect_artifact(published):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    async def read(key: str):
        async with get_client() as client:
            artifacts = await client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))
            runs = [await client.read_flow_run(a.flow_run_id) for a in artifacts]
            return artifacts, runs

    import asyncio

    artifacts, runs = asyncio.run(read("validation-realisasi-apbd"))
    assert artifacts and all(a.type == "markdown" for a in artifacts)
    assert {r.name for r in runs} == {"realisasi-apbd"}            # the dataset's own flow run
    text = artifacts[0].data
    assert "lolos dengan peringatan / passed with warnings" in text
    assert "persentase" in text and "maximum" in text and "100.42" in text   # the check, first example, fix
    assert "above the maximum 100" in text


def test_changed_row_gives_minor_dropped_column_gives_major_metadata_gives_patch(project: Path):
    dataset_id = "pengaduan-ngalam-command-center"
    assert _run(project, [dataset_id])[dataset_id]["version"] == "1.0.0"
    catalog = load_catalog(project / "catalog.yaml")
    dataset = catalog.dataset(dataset_id)
    export = project / dataset.source.path
    options = dataset.source.options
    schema_path = project / "datasets" / dataset_id / "schema.yaml"
    schema = yaml.safe_load(schema_path.read_text(encoding="utf-8"))

    # A changed row: one row fewer in the export → new data → minor.
    lines = export.read_text(encoding=options.encoding).splitlines(keepends=True)
    export.write_text("".join(lines[:-1]), encoding=options.encoding)
    outcome = _run(project, [dataset_id])[dataset_id]
    assert (outcome["status"], outcome["version"], outcome["change"]) == ("published", "1.1.0", "minor")

    # A dropped column: remove a public, optional column from schema and export → major.
    victim = next(f["name"] for f in schema["fields"] if f.get("privacy", "public") == "public"
                  and not f.get("constraints", {}).get("required") and f["name"] not in
                  (schema.get("primaryKey") or []))
    position = [f["name"] for f in schema["fields"]].index(victim)
    rows = list(csv.reader(export.open(encoding=options.encoding, newline=""), delimiter=options.delimiter))
    header_row = options.header_row
    label = rows[header_row - 1][position]
    with export.open("w", encoding=options.encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=options.delimiter)
        for row in rows:
            writer.writerow(row[:position] + row[position + 1:])
    schema["fields"] = [f for f in schema["fields"] if f["name"] != victim]
    schema_path.write_text(yaml.safe_dump(schema, allow_unicode=True, sort_keys=False), encoding="utf-8")
    suite_path = project / "datasets" / dataset_id / "expectations.json"
    suite = json.loads(suite_path.read_text(encoding="utf-8"))
    suite["expectations"] = [e for e in suite["expectations"] if victim not in json.dumps(e["kwargs"])]
    suite_path.write_text(json.dumps(suite), encoding="utf-8")
    outcome = _run(project, [dataset_id])[dataset_id]
    assert (outcome["status"], outcome["version"], outcome["change"]) == ("published", "2.0.0", "major"), \
        (outcome, label)

    # Metadata only: a new English title → patch.
    _edit_entry(project, dataset_id, lambda entry: entry["title"].update(en=entry["title"]["en"] + " (revised)"))
    outcome = _run(project, [dataset_id])[dataset_id]
    assert (outcome["status"], outcome["version"], outcome["change"]) == ("published", "2.0.1", "patch")

    portal = _portal(project)
    assert portal.versions(dataset) == ["1.0.0", "1.1.0", "2.0.0", "2.0.1"]
    for version in portal.versions(dataset):   # every earlier version is kept, whole
        assert (portal.version_dir(dataset, version) / "data.csv").is_file()


def test_metadata_only_change_gives_1_0_1(project: Path):
    dataset_id = "garis-kemiskinan-jatim"
    assert _run(project, [dataset_id])[dataset_id]["version"] == "1.0.0"
    _edit_entry(project, dataset_id,
                lambda entry: entry["description"].update(en=entry["description"]["en"] + " Revised wording."))
    outcome = _run(project, [dataset_id])[dataset_id]
    assert (outcome["status"], outcome["version"], outcome["change"]) == ("published", "1.0.1", "patch")
    portal = _portal(project)
    dataset = load_catalog(project / "catalog.yaml").dataset(dataset_id)
    old, new = (portal.version_dir(dataset, v) / "data.csv" for v in ("1.0.0", "1.0.1"))
    assert old.read_bytes() == new.read_bytes()   # the data did not change, only what is said about it
