"""What the site shows, read from the local portal folder: every published version of every dataset.

Only what the versions themselves record is read (datapackage.json, validation.json, changelog.json,
lineage.jsonl): the site never hashes data files again, so rendering stays cheap however large they are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pyarrow.parquet as pq

from satudata.core.catalog import Catalog, Dataset, Department, load_schema
from satudata.core.publishing import (
    CHANGELOG_FILE,
    PARQUET_BYTES,
    VALIDATION_FILE,
    PublishedVersion,
    read_changelog,
)
from satudata.publish.local import LocalPortal
from satudata.publish.package import ADVISORY, UNIT

DATA_FILES = ("data.csv", "data.parquet")
PRIVACY_LABELS = {
    "public": ("publik", "public"),
    "hash": ("di-hash (sha256 bergaram)", "hashed (salted sha256)"),
    "mask": ("disamarkan", "masked"),
    "drop": ("tidak diterbitkan", "not published"),
    "aggregate-only": ("hanya agregat, tidak per baris", "aggregates only, not row by row"),
}


@dataclass(frozen=True)
class DataFile:
    name: str
    bytes: int
    sha256: str
    media_type: str


@dataclass
class VersionView:
    """One published version as the site shows it. What every page needs is read once, when the view is made
    (its datapackage.json, lineage record and file list); the rest is read when first asked for (the validation
    summary by its dataset's page, the changelog by that page and catalog.jsonld, the rows in the Parquet footer by
    the cards of the latest version): re-rendering the pages that list 1,000 datasets reads little more."""

    version: str
    folder: Path
    published: str                       # ISO 8601, UTC
    change: dict                         # {kind, reasons, previous}
    files: dict[str, DataFile]           # data.csv / data.parquet, from datapackage.json
    schema: dict                         # the published Table Schema
    package: dict                        # the version's datapackage.json
    published_version: PublishedVersion  # what a target knows of it (files with hashes and addresses)
    run_id: str | None = None            # the Prefect flow run that made this version (lineage)
    run_started: str | None = None
    run_ended: str | None = None
    extras: list[str] = field(default_factory=list)   # other published files: lineage.html, validation.html, ...

    @cached_property
    def validation(self) -> dict:
        """{status, errors, warnings, row_count}, from validation.json."""
        return _validation(self.folder)

    @cached_property
    def changelog(self) -> dict | None:
        return read_changelog(self.folder / CHANGELOG_FILE) if CHANGELOG_FILE in self.extras else None

    @cached_property
    def rows(self) -> int | None:
        """Rows in the published data.parquet (from its footer)."""
        parquet = self.folder / "data.parquet"
        return pq.ParquetFile(parquet).metadata.num_rows if parquet.is_file() else None

    @property
    def year(self) -> str:
        return self.published[:4]

    @property
    def date(self) -> str:
        return self.published[:10]

    def has(self, name: str) -> bool:
        return name in self.extras or name in self.files


@dataclass(frozen=True)
class FieldView:
    name: str
    type: str
    title: str
    description: str
    description_en: str
    constraints: list[str]
    privacy: str
    published: bool

    @property
    def privacy_label(self) -> tuple[str, str]:
        return PRIVACY_LABELS.get(self.privacy, (self.privacy, self.privacy))


@dataclass
class DatasetView:
    dataset: Dataset
    department: Department
    versions: list[VersionView]          # oldest first
    primary_key: list[str]
    catalog: Catalog = field(repr=False, compare=False)

    @cached_property
    def fields(self) -> list[FieldView]:
        """The data dictionary: the published columns, described from the source schema (only the dataset's own
        page shows it, so the source schema is read when it is rendered)."""
        return _fields(self.latest.schema, _source_schema(self.catalog, self.dataset))

    @property
    def latest(self) -> VersionView:
        return self.versions[-1]

    @property
    def path(self) -> str:
        """Where the dataset lives in the portal, relative to its root (no leading or trailing slash)."""
        return f"{self.dataset.department}/{self.dataset.id}"

    @property
    def newest_first(self) -> list[VersionView]:
        return list(reversed(self.versions))


def _validation(folder: Path) -> dict:
    path = folder / VALIDATION_FILE
    if not path.is_file():
        return {"status": "unknown", "errors": 0, "warnings": 0, "row_count": None}
    report = json.loads(path.read_text(encoding="utf-8"))
    summary = report.get("summary", {})
    return {"status": report.get("status", "unknown"), "errors": summary.get("errors", 0),
            "warnings": summary.get("warnings", 0), "row_count": report.get("row_count")}


def _run(events: list[dict]) -> tuple[str | None, str | None, str | None]:
    if not events:
        return None, None, None
    start = next((e for e in events if e.get("eventType") == "START"), events[0])
    return events[-1].get("run", {}).get("runId"), start.get("eventTime"), events[-1].get("eventTime")


def read_version(portal: LocalPortal, dataset: Dataset, version: str) -> VersionView:
    """A version's view, its datapackage.json, lineage record and file list each read once."""
    whole = portal.read_version_whole(dataset, version)
    package, meta = whole.package, whole.package.get("satudata", {})
    files: dict[str, DataFile] = {}
    schema: dict = {}
    for resource in package.get("resources", []):
        if resource["path"] in DATA_FILES:
            size = int(resource.get("bytes", resource.get(PARQUET_BYTES)))
            files[resource["path"]] = DataFile(resource["path"], size, resource["hash"].removeprefix("sha256:"),
                                               resource["mediatype"])
            schema = schema or resource.get("schema", {})
    run_id, started, ended = _run(whole.events)
    extras = sorted(name for name in whole.version.files if name not in DATA_FILES)
    return VersionView(package["version"], portal.version_dir(dataset, version),
                       meta.get("published") or package.get("created", ""), meta.get("change", {}), files, schema,
                       package, whole.version, run_id, started, ended, extras)


def _constraints(field_: dict, primary_key: list[str]) -> list[str]:
    found = []
    if field_["name"] in primary_key:
        found.append("primary key")
    for name, value in field_.get("constraints", {}).items():
        if value is True:
            found.append(name)
        elif isinstance(value, list):
            found.append(f"{name}: {', '.join(str(v) for v in value)}")
        elif value is not False:
            found.append(f"{name}: {value}")
    if field_.get(UNIT):
        found.append(f"satuan / unit: {field_[UNIT]}")
    for rule in field_.get(ADVISORY, []):   # declared as a warning, broken by some published rows
        value = rule["value"] if rule["value"] is not True else ""
        found.append(f"{rule['constraint']}{': ' if value != '' else ''}{value} — hanya peringatan, {rule['rows']} "
                     f"baris melanggar / warning only, {rule['rows']} rows break it")
    return found


def _fields(published: dict, source: dict) -> list[FieldView]:
    """The published columns, described from the source schema (English, privacy); then the ones never published."""
    declared = {f["name"]: f for f in source.get("fields", [])}
    key = published.get("primaryKey") or []
    key = [key] if isinstance(key, str) else key
    views = []
    for entry in published.get("fields", []):
        origin = declared.get(entry["name"], {})
        views.append(FieldView(entry["name"], entry.get("type", "string"), entry.get("title", ""),
                               entry.get("description", ""), origin.get("description_en", ""),
                               _constraints(entry, key), origin.get("privacy", "public"), True))
    published_names = {f["name"] for f in published.get("fields", [])}
    for name, origin in declared.items():
        if name not in published_names:
            views.append(FieldView(name, origin.get("type", "string"), origin.get("title", ""),
                                   origin.get("description", ""), origin.get("description_en", ""), [],
                                   origin.get("privacy", "drop"), False))
    return views


def _source_schema(catalog: Catalog, dataset: Dataset) -> dict:
    path = catalog.schema_path(dataset.id)
    return load_schema(catalog, dataset.id) if path.is_file() else {}   # libyaml: 1,000 schemas a render


def dataset_views(catalog: Catalog, root: Path) -> list[DatasetView]:
    """Every catalogue dataset that has at least one published version, in catalogue order."""
    portal = LocalPortal(catalog, root)
    views = []
    for dataset in catalog.datasets:
        versions = [read_version(portal, dataset, v) for v in portal.versions(dataset)]
        if not versions:
            continue
        key = versions[-1].schema.get("primaryKey") or []
        views.append(DatasetView(dataset, catalog.department(dataset.department), versions,
                                 [key] if isinstance(key, str) else list(key), catalog))
    return views
