"""The portal store is picked once, at the edge (make_publisher), and a wrong setting names where it is and the fix;
the folder store keeps its promises. (The S3 store's own tests run against the real server: tests/s3.)"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from satudata.core.catalog import CatalogError, load_catalog
from satudata.core.publishing import PublishError
from satudata.core.settings import RunSettings
from satudata.flows.context import make_publisher
from satudata.publish.local import LocalPortal
from satudata.publish.store import FolderStore, VersionExists
from satudata.publish.store_s3 import S3Store


def _with_store(project: Path, value: str) -> Path:
    path = project / "catalog.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["portal"]["store"] = value
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _publisher(project: Path, **overrides) -> LocalPortal:
    settings = RunSettings.from_environment(project / "catalog.yaml", **overrides)
    return make_publisher(load_catalog(project / "catalog.yaml"), settings)


@pytest.fixture(autouse=True)
def _no_store_in_the_environment(monkeypatch):
    for name in ("SATUDATA_PORTAL_STORE", "SATUDATA_PORTAL_DIR", "SATUDATA_S3_ENDPOINT",
                 "SATUDATA_PORTAL_LEASE_SECONDS"):
        monkeypatch.delenv(name, raising=False)


def test_the_folder_of_the_catalogue_by_default(project):
    publisher = _publisher(project)
    assert isinstance(publisher.store, FolderStore) and publisher.root == (project / "portal").resolve()


def test_the_environment_picks_an_s3_store(project, monkeypatch):
    monkeypatch.setenv("SATUDATA_PORTAL_STORE", "s3://satudata-portal/kota/malang")
    monkeypatch.setenv("SATUDATA_S3_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("SATUDATA_PORTAL_LEASE_SECONDS", "20")
    settings = RunSettings.from_environment(project / "catalog.yaml")
    assert RunSettings.from_dict(settings.to_dict()) == settings          # it travels as a flow parameter
    deployed = RunSettings.from_dict({"catalog_path": str(project / "catalog.yaml"), "target": "local"})
    assert (deployed.portal_store, deployed.s3_endpoint) == (settings.portal_store, settings.s3_endpoint)  # worker's
    publisher = make_publisher(load_catalog(project / "catalog.yaml"), settings)
    store = publisher.store
    assert isinstance(store, S3Store) and publisher.root is None
    assert (store.bucket, store.prefix, store.where) == ("satudata-portal", "kota/malang/",
                                                         "s3://satudata-portal/kota/malang/")
    assert store.lease_seconds == 20 and store.client.meta.endpoint_url == "http://127.0.0.1:9"
    with pytest.raises(PublishError, match="is not a folder"):
        publisher.version_dir(publisher.catalog.datasets[0], "1.0.0")


def test_the_catalogue_can_name_the_store_and_an_explicit_folder_wins(project, tmp_path):
    _with_store(project, "s3://satudata-portal")
    store = _publisher(project).store
    assert isinstance(store, S3Store) and (store.bucket, store.prefix) == ("satudata-portal", "")
    assert isinstance(_publisher(project, portal_dir=tmp_path / "here").store, FolderStore)


def test_a_wrong_store_in_the_catalogue_names_file_key_and_fix(project):
    path = _with_store(project, "S3://Not A Bucket")
    with pytest.raises(CatalogError) as exc:
        load_catalog(path)
    assert (Path(exc.value.file).name, exc.value.key) == ("catalog.yaml", "portal.store")
    assert "s3://<bucket>/<prefix>" in exc.value.problem and exc.value.fix


def test_a_wrong_store_in_the_environment_names_the_variable_and_fix(project, monkeypatch):
    monkeypatch.setenv("SATUDATA_PORTAL_STORE", "/mnt/nfs/portal")
    with pytest.raises(PublishError, match=r"SATUDATA_PORTAL_STORE: '/mnt/nfs/portal' is not an S3 portal store — "
                                           r"fix: use s3://<bucket>/<prefix>"):
        _publisher(project)
    monkeypatch.setenv("SATUDATA_PORTAL_STORE", "s3://satudata-portal/p")
    monkeypatch.setenv("SATUDATA_PORTAL_LEASE_SECONDS", "a minute")
    with pytest.raises(ValueError, match="SATUDATA_PORTAL_LEASE_SECONDS='a minute' is not a number — fix"):
        _publisher(project)


def test_folder_store_shows_whole_versions_only_and_never_rewrites_one(tmp_path):
    store, bundle = FolderStore(tmp_path / "portal"), tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "datapackage.json").write_text("{}", encoding="utf-8")
    (bundle / "data.csv").write_text("a\n1\n", encoding="utf-8")
    with store.lock("dept/ds", "ds", 5):
        store.put_version("dept/ds", "1.0.0", bundle, ["data.csv", "datapackage.json"])
    (tmp_path / "portal/dept/ds/1.1.0").mkdir()                          # no datapackage.json: not a version
    (tmp_path / "portal/dept/ds/.tmp-1.2.0-dead").mkdir()                # what a dead run left
    assert store.versions("dept/ds") == ["1.0.0"]
    assert store.files("dept/ds", "1.0.0") == {"data.csv": 4, "datapackage.json": 2}
    with pytest.raises(VersionExists, match="1.0.0 already exists"):
        store.put_version("dept/ds", "1.0.0", bundle, ["data.csv"])
    with store.lock("dept/ds", "ds", 5):
        assert not (tmp_path / "portal/dept/ds/.tmp-1.2.0-dead").exists()
