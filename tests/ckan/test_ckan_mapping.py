"""Fast checks of the CKAN mapping and session that need no CKAN (the CKAN tests beside them need the harness)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from satudata.core.catalog import load_catalog
from satudata.core.publishing import PublishError, version_from_package
from satudata.core.settings import RunSettings
from satudata.publish.ckan import CkanPublisher
from satudata.publish.ckan_mapping import (
    ckan_name,
    ckan_tags,
    package_fields,
    published_version,
    resource_fields,
    resource_order,
    version_entry,
    with_foreign_extras,
)
from satudata.publish.ckan_session import CkanSession, CkanUnavailable

REPO = Path(__file__).resolve().parents[2]
SITE = "http://ckan.example"
# Top-level fields of CKAN 2.12's dataset schema: an extra with one of these keys is rejected.
CORE_FIELDS = {"id", "name", "title", "author", "author_email", "maintainer", "maintainer_email", "license_id",
               "notes", "url", "version", "state", "type", "owner_org", "private", "extras", "tags", "groups",
               "resources", "metadata_created", "metadata_modified", "creator_user_id", "plugin_data"}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(REPO / "catalog.yaml")


def _entry(version: str, published: str = "2025-07-01T00:00:00+00:00") -> dict:
    descriptor = {"version": version, "satudata": {
        "content_sha256": "c" * 64, "metadata_sha256": "m" * 64, "columns": [["kode", "string"]],
        "published": published, "inputs_sha256": "i" * 64, "change": {"kind": "minor", "reasons": ["data changed"]},
        "title_en": "not kept"}}
    files = {name: {"sha256": name[0] * 64, "bytes": 10, "uri": f"{SITE}/{version}/{name}"}
             for name in ("data.csv", "datapackage.json", "lineage.jsonl")}
    return version_entry(descriptor, files)


def test_names_and_tags_are_what_ckan_accepts():
    assert ckan_name("Garis Kemiskinan/Jatim 2022") == "garis-kemiskinan-jatim-2022"
    assert ckan_name("x") == "x-" and len(ckan_name("a" * 300)) == 100
    assert ckan_tags(["pelayanan publik", "APBD!", "a", "apbd", "data-rujukan"]) == \
        [{"name": "pelayanan publik"}, {"name": "APBD"}, {"name": "apbd"}, {"name": "data-rujukan"}]


def test_every_demo_dataset_maps_to_extras_ckan_keeps(catalog):
    for dataset in catalog.datasets:
        fields = package_fields(catalog, dataset, SITE, [])
        keys = [e["key"] for e in fields["extras"]]
        assert len(keys) == len(set(keys)) and not set(keys) & CORE_FIELDS, dataset.id
        assert all(isinstance(e["value"], str) and e["value"] for e in fields["extras"])
        assert fields["private"] is True and "version" not in fields
        assert fields["owner_org"] == dataset.department and fields["name"] == dataset.id
        extras = {e["key"]: e["value"] for e in fields["extras"]}
        assert extras["frequency"].startswith("http://publications.europa.eu/resource/authority/frequency/")
        assert extras["spatial_uri"] and extras["spatial_text"]
        assert json.loads(extras["satudata_versions"]) == []


def test_committing_makes_the_dataset_public_with_its_latest_version(catalog):
    dataset = catalog.dataset("garis-kemiskinan-jatim")
    committed = [_entry("1.0.0", "2025-07-01T00:00:00+00:00"), _entry("1.1.0", "2025-08-01T00:00:00+00:00")]
    fields = package_fields(catalog, dataset, SITE, committed)
    extras = {e["key"]: e["value"] for e in fields["extras"]}
    assert (fields["private"], fields["version"]) == (False, "1.1.0")
    assert (extras["issued"], extras["modified"]) == ("2025-07-01T00:00:00+00:00", "2025-08-01T00:00:00+00:00")
    assert json.loads(extras["conforms_to"]) == [f"{SITE}/1.1.0/datapackage.json"]
    assert (extras["temporal_start"], extras["temporal_end"]) == ("2022-01-01", "2022-12-31")
    assert json.loads(extras["satudata_versions"]) == committed


def test_foreign_extras_are_kept_and_satudatas_own_replaced(catalog):
    fields = package_fields(catalog, catalog.dataset("kode-wilayah"), SITE, [])
    package = {"extras": [{"key": "harvest_source", "value": "x"}, {"key": "frequency", "value": "old"},
                          {"key": "temporal_start", "value": "2000-01-01"}]}
    merged = {e["key"]: e["value"] for e in with_foreign_extras(fields, package)["extras"]}
    assert merged["harvest_source"] == "x" and merged["frequency"].endswith("/IRREG")
    assert "temporal_start" not in merged     # kode-wilayah has no temporal coverage any more


def test_committed_entry_reads_back_as_the_published_version():
    entry = _entry("1.2.0")
    version = published_version(json.loads(json.dumps(entry)))   # through CKAN's JSON string and back
    assert version == version_from_package(entry, entry["files"])
    assert (version.version, version.lineage_sha256, version.inputs_sha256) == ("1.2.0", "l" * 64, "i" * 64)
    assert version.fingerprint.columns == (("kode", "string"),)


def test_resource_fields_are_flat_strings_with_hex_hash(catalog, tmp_path):
    path = tmp_path / "data.parquet"
    path.write_bytes(b"PAR1")
    fields = resource_fields(catalog.dataset("kode-wilayah"), "1.0.0", path, "ab" * 32, 4, f"{SITE}/d", f"{SITE}/p",
                             f"{SITE}/datapackage.json")
    assert all(isinstance(v, str) for v in fields.values())
    assert (fields["format"], fields["mimetype"], fields["size"]) == ("Parquet", "application/vnd.apache.parquet", "4")
    assert fields["hash"] == "ab" * 32 and fields["license"] == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert (fields["download_url"], fields["access_url"]) == (f"{SITE}/d", f"{SITE}/p")
    assert json.loads(fields["conforms_to"]) == [f"{SITE}/datapackage.json"]


def test_resource_order_newest_first_data_first_leftovers_dropped():
    def res(version: str | None, file: str) -> dict:
        return {"id": f"{version}/{file}", "satudata_version": version, "satudata_file": file} if version \
            else {"id": file}
    resources = [res("1.0.0", "lineage.jsonl"), res("1.0.0", "data.csv"), res(None, "manual"),
                 res("1.1.0", "datapackage.json"), res("1.1.0", "data.csv"), res("2.0.0", "data.csv")]
    ordered = [r["id"] for r in resource_order(resources, ["1.1.0", "1.0.0"])]
    assert ordered == ["1.1.0/data.csv", "1.1.0/datapackage.json", "1.0.0/data.csv", "1.0.0/lineage.jsonl",
                       "manual"]


def test_settings_without_url_or_token_fail_clearly(catalog, tmp_path):
    with pytest.raises(PublishError, match="SATUDATA_CKAN_URL"):
        CkanPublisher.from_settings(catalog, RunSettings(tmp_path / "catalog.yaml", target="ckan", ckan_token="t"))
    with pytest.raises(PublishError, match="SATUDATA_CKAN_TOKEN is not set"):
        CkanPublisher.from_settings(catalog, RunSettings(tmp_path / "catalog.yaml", target="ckan", ckan_url=SITE))


def test_the_token_stays_out_of_reprs_and_errors(catalog, tmp_path):
    with socket.socket() as probe:       # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    token = "secret-token-1234567890"
    session = CkanSession(f"http://127.0.0.1:{port}", token, attempts=0)
    publisher = CkanPublisher(catalog, session, tmp_path / "locks")
    assert token not in repr(publisher) and token not in repr(session) and token not in repr(session.ckan.__dict__)
    with pytest.raises(CkanUnavailable) as caught:
        publisher.latest(catalog.dataset("kode-wilayah"))
    assert f"127.0.0.1:{port}" in str(caught.value) and "package_show" in str(caught.value)
    assert token not in str(caught.value) and caught.value.__cause__ is None


def test_resource_create_alone_is_not_retried_after_an_ambiguous_failure():
    session = CkanSession(SITE, "t", attempts=4)
    create = session.http.get_adapter(f"{SITE}/api/action/resource_create").max_retries
    update = session.http.get_adapter(f"{SITE}/api/action/resource_update").max_retries
    assert (create.connect, create.read, set(create.status_forcelist)) == (4, 0, {429, 500, 503})
    assert (update.connect, update.read, set(update.status_forcelist)) == (4, 4, {429, 500, 502, 503, 504})
    assert create.allowed_methods is None and update.allowed_methods is None   # POST included
