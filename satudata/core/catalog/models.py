"""The catalogue as typed objects: portal, departments, datasets and their sources."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    Field,
    PrivateAttr,
    field_validator,
    model_serializer,
)

from satudata.core.catalog.base import ID_PATTERN, STORE_PATTERN, CatalogError, _Strict
from satudata.core.catalog.options import ReadOptions


class Bilingual(_Strict):
    id: str
    en: str


class Contact(_Strict):
    name: str
    email: str


class Publisher(_Strict):
    name: str
    url: str
    email: str


class Portal(_Strict):
    title: Bilingual
    local_dir: str = "portal"
    store: str | None = None            # s3://<bucket>/<prefix>: the portal in an S3-compatible store, not local_dir
    base_url: str | None = None         # the public URL the portal is served at; None: links relative to it
    ckan_url: str | None = None
    region_code: str = "35.73"
    publisher: Publisher
    webhook_url: str | None = None      # failure notifications; SATUDATA_WEBHOOK_URL overrides

    @field_validator("base_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not re.fullmatch(r"https?://[^/\s?#]+(/[^\s?#]*)?", value):
            raise ValueError("must be the portal's public http(s) URL, e.g. https://satudata.malangkota.go.id")
        return value.rstrip("/")

    @field_validator("store")
    @classmethod
    def _store(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(STORE_PATTERN, value):
            raise ValueError("must be an S3 portal store s3://<bucket>/<prefix>, e.g. s3://satudata-portal/portal "
                             "(the bucket in lowercase a-z, 0-9, '.', '-'); leave it out for the local_dir folder")
        return value

    def url(self, path: str) -> str:
        """The public URL of a path inside the portal, or the path itself (relative to the portal's root) when
        no public base URL is configured."""
        return f"{self.base_url}/{path}" if self.base_url else path


class Department(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: str
    name_en: str
    description: Bilingual
    email: str


ENV_REFERENCE = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)\}")


class Source(_Strict):
    kind: Literal["file", "glob", "http", "sql"]
    path: str | None = None
    url: str | None = None
    query: str | None = None
    format: Literal["csv", "xlsx", "xls", "ods", "html", "json"] | None = None
    options: ReadOptions = ReadOptions()
    # HTTP request headers; a secret is named, never written: {Authorization: "Bearer ${JOBFAIR_TOKEN}"} takes the
    # token from the environment when the export is pulled, and it is never recorded anywhere.
    headers: dict[str, str] = {}
    timeout: float = Field(600.0, gt=0)          # seconds for the whole pull (an HTTP download, a SQL query)
    max_bytes: int = Field(20 * 1024 ** 3, gt=0)  # an export (file, HTTP body) beyond this is refused (endless body)

    @field_validator("headers")
    @classmethod
    def _secrets_by_reference(cls, value: dict[str, str]) -> dict[str, str]:
        for name, text in value.items():
            if name.lower() in ("authorization", "proxy-authorization", "x-api-key", "api-key", "cookie") \
                    and not ENV_REFERENCE.search(text):
                raise ValueError(f"header {name} holds a secret written in the catalogue: name an environment "
                                 f"variable instead, e.g. {name}: \"Bearer ${{MY_TOKEN}}\"")
        return value

    @model_serializer(mode="wrap")
    def _dump(self, handler: Any) -> dict[str, Any]:
        """Settings a catalogue does not declare stay out of its hash, so adding them changed no version."""
        dumped = handler(self)
        for key in ("headers", "timeout", "max_bytes"):
            if key not in self.model_fields_set:
                dumped.pop(key, None)
        return dumped


class Temporal(_Strict):
    start: date | None = None
    end: date | None = None


class SmallCells(_Strict):
    columns: list[str]
    k: int = Field(5, ge=2)


class Dataset(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    department: str
    title: Bilingual
    description: Bilingual
    license: str
    frequency: Literal["daily", "weekly", "monthly", "quarterly", "yearly", "irregular"]
    dimension: Literal["governance", "living", "economy", "branding", "society", "environment"]
    tags: list[str]
    contact: Contact
    spatial: str | None = "35.73"
    temporal: Temporal | None = None
    language: list[str] = ["id"]
    source: Source
    small_cells: SmallCells | None = None

    @field_validator("tags")
    @classmethod
    def _tags(cls, tags: list[str]) -> list[str]:
        for tag in tags:
            if not re.fullmatch(r"[a-z0-9][a-z0-9 _.-]*", tag):
                raise ValueError(f"tag {tag!r} may hold only lowercase a-z, 0-9, space, '-', '_' and '.'")
        return tags


class Catalog(_Strict):
    portal: Portal
    departments: list[Department]
    datasets: list[Dataset] = []
    # Globs (relative to catalog.yaml) of files holding one dataset each, e.g. datasets/*/dataset.yaml.
    include: list[str] = []
    # Set by load_catalog, not read from YAML.
    root: Path = Path(".")
    path: Path = Path("catalog.yaml")
    origins: dict[str, Path] = {}      # dataset id → the included file it was read from (inline ones: absent)
    _ids: tuple[list[Dataset], dict[str, Dataset]] | None = PrivateAttr(default=None)

    def dataset(self, dataset_id: str) -> Dataset:
        found = self._by_id().get(dataset_id)
        if found is not None:
            return found
        known = ", ".join(d.id for d in self.datasets)
        raise CatalogError(self.path, "datasets", f"no dataset {dataset_id!r}", f"use one of: {known}")

    def _by_id(self) -> dict[str, Dataset]:
        # Built once per list of datasets (a 1,000-dataset catalogue: no linear search per look-up); a model_copy
        # with other datasets builds its own.
        if self._ids is None or self._ids[0] is not self.datasets:
            self._ids = (self.datasets, {d.id: d for d in self.datasets})
        return self._ids[1]

    def where(self, dataset_id: str) -> tuple[Path, str]:
        """The file that declares a dataset and the key path of the dataset inside it (for messages)."""
        origin = self.origins.get(dataset_id)
        return (origin, "") if origin is not None else (self.path, f"datasets[{dataset_id}]")

    def department(self, department_id: str) -> Department:
        return next(d for d in self.departments if d.id == department_id)

    def dataset_dir(self, dataset_id: str) -> Path:
        return self.root / "datasets" / dataset_id

    def schema_path(self, dataset_id: str) -> Path:
        return self.dataset_dir(dataset_id) / "schema.yaml"

    def suite_path(self, dataset_id: str) -> Path:
        return self.dataset_dir(dataset_id) / "expectations.json"

    def portal_dir(self) -> Path:
        return (self.root / self.portal.local_dir).resolve()


