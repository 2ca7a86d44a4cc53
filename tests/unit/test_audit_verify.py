"""`satudata verify` on a local portal of two versions: each test makes ONE change that must be caught."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from satudata.core.catalog import load_catalog
from satudata.lineage.verify import CHAIN, WHOLE_VERSION, Status, problems, verify
from satudata.publish.local import LocalPortal
from tests.unit.test_audit import DATASET, ROWS_1, ROWS_2, cli, publish_version, version_dir


@pytest.fixture
def portal(project: Path) -> Path:
    publish_version(project, ROWS_1, "11111111-0000-4000-8000-000000000001")
    publish_version(project, ROWS_2, "11111111-0000-4000-8000-000000000002")
    return project


def findings_of(project: Path) -> list[tuple[str | None, str, Status]]:
    catalog = load_catalog(project / "catalog.yaml")
    found = verify(LocalPortal(catalog, project / "portal"), [catalog.dataset(DATASET)])
    return [(f.version, f.file, f.status) for f in problems(found)]


def _rewrite_record(path: Path, change) -> None:
    events = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    change(events[-1])
    path.write_text("".join(json.dumps(e, sort_keys=True) + "\n" for e in events), encoding="utf-8")


def test_untouched_portal_is_ok_for_every_file_of_every_version_and_exits_0(portal: Path):
    result = cli(portal, "verify", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["ok"] is True and {f["status"] for f in report["findings"]} == {"OK"}
    for version in ("1.0.0", "1.1.0"):
        files = {f["file"] for f in report["findings"] if f["version"] == version}
        assert files == {p.name for p in version_dir(portal, version).iterdir()} | {CHAIN}
    table = cli(portal, "verify", DATASET)
    assert table.exit_code == 0 and "UTUH / INTACT" in table.output


def test_one_byte_changed_in_an_old_csv_is_an_altered_file(portal: Path):
    path = version_dir(portal, "1.0.0") / "data.csv"
    data = bytearray(path.read_bytes())
    data[-3] = ord("9") if data[-3] != ord("9") else ord("8")
    path.write_bytes(bytes(data))
    assert findings_of(portal) == [("1.0.0", "data.csv", Status.ALTERED)]
    result = cli(portal, "verify", "--problems-only")
    assert result.exit_code == 1 and "altered file" in result.output and "lineage.jsonl records" in result.output


def test_a_deleted_file_is_a_missing_file(portal: Path):
    (version_dir(portal, "1.0.0") / "data.parquet").unlink()
    assert findings_of(portal) == [("1.0.0", "data.parquet", Status.MISSING)]
    assert cli(portal, "verify").exit_code == 1


def test_a_rewritten_older_lineage_record_breaks_the_chain(portal: Path):
    def forge(event: dict) -> None:   # claim another hash for 1.0.0's data.csv
        for output in event["outputs"]:
            if output["facets"]["checksum"]["fileName"] == "data.csv":
                output["facets"]["checksum"]["sha256"] = "0" * 64

    _rewrite_record(version_dir(portal, "1.0.0") / "lineage.jsonl", forge)
    assert sorted(findings_of(portal)) == [("1.0.0", "data.csv", Status.ALTERED), ("1.1.0", CHAIN, Status.BROKEN)]
    result = cli(portal, "verify", "--format", "json")
    broken = next(f for f in json.loads(result.output)["findings"] if f["status"] == "broken chain")
    assert result.exit_code == 1 and "previousLineageSha256" in broken["detail"]


def test_a_rewritten_latest_record_no_longer_matches_the_index_head(portal: Path):
    _rewrite_record(version_dir(portal, "1.1.0") / "lineage.jsonl",
                    lambda event: event["run"].update(runId="00000000-0000-4000-8000-000000000000"))
    assert findings_of(portal) == [("1.1.0", CHAIN, Status.BROKEN)]


def test_a_removed_old_version_is_missing_and_breaks_the_chain(portal: Path):
    shutil.rmtree(version_dir(portal, "1.0.0"))
    assert sorted(findings_of(portal)) == [("1.0.0", WHOLE_VERSION, Status.MISSING), ("1.1.0", CHAIN, Status.BROKEN)]


def test_a_file_added_to_a_published_version_is_altered(portal: Path):
    (version_dir(portal, "1.0.0") / "data-corrected.csv").write_text("wilayah\nKota Malang\n", encoding="utf-8")
    assert findings_of(portal) == [("1.0.0", "data-corrected.csv", Status.ALTERED)]


def test_a_changed_resource_hash_in_datapackage_is_caught_on_both_files(portal: Path):
    path = version_dir(portal, "1.0.0") / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor["resources"][0]["hash"] = "sha256:" + "0" * 64
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    name = descriptor["resources"][0]["path"]
    assert sorted(findings_of(portal)) == sorted([("1.0.0", "datapackage.json", Status.ALTERED),
                                                  ("1.0.0", name, Status.ALTERED)])


def test_a_deleted_lineage_record_is_missing_and_the_chain_cannot_be_followed(portal: Path):
    (version_dir(portal, "1.0.0") / "lineage.jsonl").unlink()
    assert sorted(findings_of(portal)) == [("1.0.0", CHAIN, Status.BROKEN), ("1.0.0", "lineage.jsonl", Status.MISSING),
                                           ("1.1.0", CHAIN, Status.BROKEN)]


def test_a_lost_catalogue_index_breaks_the_chain_head(portal: Path):
    (portal / "portal" / "index.json").unlink()
    assert findings_of(portal) == [("1.1.0", CHAIN, Status.BROKEN)]
