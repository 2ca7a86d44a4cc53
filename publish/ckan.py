"""The CKAN publisher: one CKAN dataset per satudata dataset, one resource per file of each version.

Publishing a version uploads its files as resources with ids chosen in advance (a uuid5 of the dataset, version
and file name), downloads each back and compares its sha256 with the bundle's, then *commits* the version: one
``package_update`` that adds it to the extra ``satudata_versions``, refreshes the metadata, puts the newest
version's resources first and drops resources left by a run that died before committing. Only committed versions
are seen by ``history()``/``latest()``. A re-run of a version that was not committed finds its resources by their
ids and reuses those whose hash is right, so a run killed mid-publish is completed without duplicates.
See docs/ckan.md for why versions are resources of one dataset, and how ``file_uri``
knows the URLs in advance.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

from satudata.core.catalog import Catalog, Dataset
from satudata.core.files import sha256_file
from satudata.core.publishing import (
    PACKAGE_FILE,
    Bundle,
    DatasetLocked,
    PublishedVersion,
    PublishError,
    PublishRecord,
    read_package,
)
from satudata.core.settings import RunSettings
from satudata.publish.ckan_mapping import (
    ckan_name,
    committed_entries,
    download_url,
    organization_fields,
    package_fields,
    package_id_for,
    published_version,
    resource_fields,
    resource_id_for,
    resource_order,
    semver_key,
    version_entry,
    with_foreign_extras,
)
from satudata.publish.ckan_session import CkanSession, CkanUnavailable

UPLOAD_ATTEMPTS = 3


class CkanPublisher:
    target = "ckan"

    def __init__(self, catalog: Catalog, session: CkanSession, locks_dir: Path, lock_wait_seconds: float = 900.0) \
            -> None:
        self.catalog = catalog
        self.session = session
        self.locks_dir = locks_dir
        self.lock_wait_seconds = lock_wait_seconds
        self._package_ids: dict[str, str] = {}

    @classmethod
    def from_settings(cls, catalog: Catalog, settings: RunSettings) -> CkanPublisher:
        url = settings.ckan_url or catalog.portal.ckan_url
        if not url:
            raise PublishError("no CKAN to publish to: set SATUDATA_CKAN_URL (or portal.ckan_url in catalog.yaml)")
        if not settings.ckan_token:
            raise PublishError("SATUDATA_CKAN_TOKEN is not set: publishing to CKAN needs an API token")
        timeout = settings.ckan_timeout
        session = CkanSession(url, settings.ckan_token, timeout=(min(10.0, timeout), timeout))
        return cls(catalog, session, settings.state_dir() / "locks")

    def __repr__(self) -> str:
        return f"CkanPublisher({self.session.url!r})"

    # --- reading ----------------------------------------------------------------------------------------
    def _package(self, dataset: Dataset) -> dict | None:
        name = ckan_name(dataset.id)
        package = self.session.call("package_show", f"dataset {name}", {"id": name}, missing_ok=True)
        if package and package.get("state") == "deleted":
            raise PublishError(f"CKAN dataset {name} was deleted: restore it, or purge it (dataset_purge) to "
                               "publish it again from version 1.0.0")
        if package:
            self._package_ids[dataset.id] = package["id"]
        return package

    def history(self, dataset: Dataset) -> list[PublishedVersion]:
        return [published_version(entry) for entry in committed_entries(self._package(dataset))]

    def latest(self, dataset: Dataset) -> PublishedVersion | None:
        history = self.history(dataset)
        return history[-1] if history else None

    def file_uri(self, dataset: Dataset, version: str, name: str) -> str:
        """The download URL CKAN gives the file: the dataset's id and the resource's id are known in advance."""
        site, package_id = self.session.site_url, self._package_id(dataset)
        return download_url(site, package_id, resource_id_for(site, package_id, version, name), name)

    def resource_path(self, dataset: Dataset, version: str, name: str) -> str:
        """Each file is a resource of its own, with its own URL: datapackage.json names them by those URLs."""
        return self.file_uri(dataset, version, name)

    def _package_id(self, dataset: Dataset) -> str:
        if dataset.id not in self._package_ids:
            package = self._package(dataset)
            if package is None and self.session.user().get("sysadmin"):
                self._package_ids[dataset.id] = package_id_for(self.session.site_url, ckan_name(dataset.id))
            elif package is None:   # only a sysadmin may choose a dataset's id: create it now to learn it
                self._create_package(dataset)
        return self._package_ids[dataset.id]

    def fetch(self, dataset: Dataset, version: str, name: str, dest: Path) -> Path:
        entry = next((e for e in committed_entries(self._package(dataset)) if e["version"] == version), None)
        if entry is None or name not in entry["files"]:
            raise FileNotFoundError(f"{dataset.id} {version}/{name} is not published on {self.session.url}")
        dest.parent.mkdir(parents=True, exist_ok=True)
        sha256, _ = self.session.download(entry["files"][name]["uri"], dest)
        if sha256 != entry["files"][name]["sha256"]:
            raise PublishError(f"{dataset.id} {version}/{name}: the file on CKAN is not the one published "
                               f"(sha256 {sha256}, published {entry['files'][name]['sha256']})")
        return dest

    # --- writing ----------------------------------------------------------------------------------------
    @contextmanager
    def lock(self, dataset: Dataset) -> Iterator[None]:
        """A file lock on this machine (CKAN has none), waited for like the local portal's: the run that waited then
        decides again with what the other published. The commit step re-checks, so nothing commits twice."""
        self.locks_dir.mkdir(parents=True, exist_ok=True)
        host = ckan_name(urlparse(self.session.url).netloc)
        with (self.locks_dir / f"ckan-{host}-{ckan_name(dataset.id)}.lock").open("a") as handle:
            deadline = time.monotonic() + self.lock_wait_seconds
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise DatasetLocked(
                            f"{dataset.id}: run lain sudah {self.lock_wait_seconds:.0f} detik menerbitkan dataset ini "
                            "ke CKAN; coba lagi nanti / another run is publishing this dataset to CKAN (waited "
                            f"{self.lock_wait_seconds:.0f} s); try again later") from None
                    time.sleep(0.2)
            try:
                self.session.user()   # a token CKAN does not accept fails here, before any work
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def publish(self, dataset: Dataset, bundle: Bundle) -> PublishRecord:
        self._ensure_organization(dataset)
        package = self._package(dataset) or self._create_package(dataset)
        self._refuse_committed(dataset, package, bundle.version)
        existing = {r["id"]: r for r in package.get("resources", [])}
        files = {path.name: self._put_file(dataset, package["id"], bundle.version, path, existing)
                 for path in bundle.files()}
        self._commit(dataset, bundle, files)
        return PublishRecord(self.target, dataset.id, bundle.version, files)

    def _refuse_committed(self, dataset: Dataset, package: dict, version: str) -> None:
        if any(e["version"] == version for e in committed_entries(package)):
            raise PublishError(f"{dataset.id} {version} is already committed on {self.session.url}; versions are "
                               "immutable, nothing was changed")

    def _ensure_organization(self, dataset: Dataset) -> None:
        wanted = organization_fields(self.catalog.department(dataset.department))
        what = f"organisation {wanted['name']}"
        found = self.session.call("organization_show", what, {"id": wanted["name"]}, missing_ok=True)
        if found is None:
            try:
                self.session.call("organization_create", what, wanted)
            except PublishError:   # created meanwhile by a run publishing another dataset of the department?
                if self.session.call("organization_show", what, {"id": wanted["name"]}, missing_ok=True) is None:
                    raise
        elif (found.get("title"), found.get("description"), _extras(found)) != \
                (wanted["title"], wanted["description"], _extras(wanted)):
            self.session.call("organization_patch", what, {"id": found["id"], **wanted})

    def _create_package(self, dataset: Dataset) -> dict:
        """A private dataset with satudata's metadata and no version; its id chosen when the token may do so."""
        site, name = self.session.site_url, ckan_name(dataset.id)
        fields = package_fields(self.catalog, dataset, site, [])
        if self.session.user().get("sysadmin"):
            fields["id"] = package_id_for(site, name)
        else:
            self._ensure_organization(dataset)
        try:
            self.session.call("package_create", f"dataset {name}", fields)
        except PublishError:       # created meanwhile by another run (or the create's answer was lost)
            if self._package(dataset) is None:
                raise
        package = self._package(dataset)
        if package is None:
            raise PublishError(f"CKAN dataset {name} was created but cannot be read back")
        return package

    def _put_file(self, dataset: Dataset, package_id: str, version: str, path: Path, existing: dict[str, dict]) \
            -> dict:
        """Upload one file (or reuse its resource from an earlier, uncommitted try), then verify it by download."""
        site = self.session.site_url
        resource_id = resource_id_for(site, package_id, version, path.name)
        uri = download_url(site, package_id, resource_id, path.name)
        sha256, size = sha256_file(path), path.stat().st_size
        package_uri = download_url(site, package_id, resource_id_for(site, package_id, version, PACKAGE_FILE),
                                   PACKAGE_FILE)
        fields = resource_fields(dataset, version, path, sha256, size, uri,
                                 f"{site}/dataset/{package_id}/resource/{resource_id}", package_uri)
        resource = existing.get(resource_id)
        if resource is None or (resource.get("hash"), resource.get("size")) != (sha256, size):
            resource = self._upload(dataset, package_id, resource_id, fields, path, resource is not None)
        if resource.get("url") != uri:
            raise PublishError(f"{dataset.id} {version}/{path.name}: CKAN gave the URL {resource.get('url')}, not "
                               f"{uri} as the lineage record says; not committed")
        got_sha256, got_size = self.session.download(uri)
        if (got_sha256, got_size) != (sha256, size):
            raise PublishError(f"{dataset.id} {version}/{path.name}: the file downloaded back from CKAN has sha256 "
                               f"{got_sha256} ({got_size} bytes), the bundle's is {sha256} ({size} bytes); "
                               "not committed")
        return {"sha256": sha256, "bytes": size, "uri": uri}

    def _upload(self, dataset: Dataset, package_id: str, resource_id: str, fields: dict[str, str], path: Path,
                exists: bool) -> dict:
        what = f"{path.name} of dataset {ckan_name(dataset.id)}"
        for attempt in range(1, UPLOAD_ATTEMPTS + 1):
            data = {**fields, "id": resource_id} if exists else {**fields, "id": resource_id, "package_id": package_id}
            try:
                return self.session.upload("resource_update" if exists else "resource_create", what, data, path,
                                           path.name)
            except CkanUnavailable:
                if attempt == UPLOAD_ATTEMPTS:
                    raise
                # The outcome is unknown: look before trying again, so a resource is never created twice.
                exists = self.session.call("resource_show", what, {"id": resource_id}, missing_ok=True) is not None
        raise AssertionError("unreachable")

    def _commit(self, dataset: Dataset, bundle: Bundle, files: dict[str, dict]) -> None:
        """One package_update: the version joins satudata_versions, metadata refreshed, newest files first."""
        package = self._package(dataset)          # read again right before committing
        if package is None:
            raise PublishError(f"CKAN dataset {ckan_name(dataset.id)} disappeared while publishing")
        self._refuse_committed(dataset, package, bundle.version)
        committed = committed_entries(package) + [version_entry(read_package(bundle.dir / PACKAGE_FILE), files)]
        committed.sort(key=lambda e: semver_key(e["version"]))
        fields = with_foreign_extras(package_fields(self.catalog, dataset, self.session.site_url, committed), package)
        newest_first = [e["version"] for e in reversed(committed)]
        update = {**package, **fields, "resources": resource_order(package.get("resources", []), newest_first)}
        self.session.call("package_update", f"dataset {fields['name']}", update)


def _extras(group: dict) -> dict[str, str]:
    return {e["key"]: e["value"] for e in group.get("extras", [])}
