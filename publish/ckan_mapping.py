"""satudata's catalogue and versions → CKAN organisations, datasets and resources (pure functions, no I/O).

The fields follow ckanext-dcat's ``euro_dcat_ap_3`` profile, so that ``/dataset/<name>.jsonld`` is DCAT-AP 3:
custom values are extras (CKAN 2.12 drops unknown top-level dataset fields), lists are JSON strings, a
resource's licence is a URI on the resource, its hash is hex with an SPDX algorithm.

The versions a dataset has *committed* live in CKAN itself, in the extra ``satudata_versions``: a JSON list of
``{version, satudata: {content_sha256, metadata_sha256, columns, published, inputs_sha256, change}, files}``.
"""

from __future__ import annotations

import json
import mimetypes
import re
import uuid
from pathlib import Path

from satudata.core.catalog import Catalog, Dataset, Department
from satudata.core.publishing import FILE_ORDER, LINEAGE_FILE, PACKAGE_FILE, PublishedVersion, version_from_package
from satudata.publish.site.dcat import EU, FREQUENCIES, LANGUAGES, THEMES, license_uri, spatial_uri

VERSIONS_EXTRA = "satudata_versions"
SHA256_ALGORITHM = "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"
MANAGED_EXTRAS = frozenset({
    "identifier", "title_en", "frequency", "theme", "language", "contact_name", "contact_email", "publisher_name",
    "publisher_email", "publisher_url", "publisher_uri", "satudata_dimension", VERSIONS_EXTRA, "spatial_uri",
    "spatial_text", "temporal_start", "temporal_end", "conforms_to", "version_notes", "issued", "modified"})
LICENSE_IDS = {"CC-BY-4.0": "cc-by", "CC0-1.0": "cc-zero", "ODbL-1.0": "odc-odbl", "CC-BY-SA-4.0": "cc-by-sa"}
# name → (format, media type, description in Bahasa Indonesia, in English)
FILE_KINDS = {
    "data.csv": ("CSV", "text/csv", "Data (CSV UTF-8, pemisah koma, desimal titik, tanggal ISO)",
                 "Data (UTF-8 CSV, comma-separated, dot decimals, ISO dates)"),
    "data.parquet": ("Parquet", "application/vnd.apache.parquet", "Data (Parquet, bertipe sesuai skema)",
                     "Data (Parquet, typed per the schema)"),
    PACKAGE_FILE: ("JSON", "application/json", "Deskriptor Frictionless Data Package: skema, sha256 dan ukuran berkas",
                   "Frictionless Data Package descriptor: schema, sha256 and size of each file"),
    "validation.json": ("JSON", "application/json", "Laporan validasi (JSON)", "Validation report (JSON)"),
    "validation.html": ("HTML", "text/html", "Laporan validasi", "Validation report"),
    "changelog.json": ("JSON", "application/json", "Perubahan antarversi", "What changed between versions"),
    "lineage.html": ("HTML", "text/html", "Catatan asal-usul data (lineage)", "Lineage record"),
    LINEAGE_FILE: ("JSONL", "application/jsonl", "Catatan lineage OpenLineage (JSON Lines), dengan sha256 tiap berkas",
                   "OpenLineage lineage record (JSON Lines), with the sha256 of every file"),
}


# --- names and ids ------------------------------------------------------------------------------------------
def ckan_name(text: str) -> str:
    """A name CKAN accepts: 2–100 characters of lowercase a-z, 0-9, '-' and '_'."""
    name = re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9_-]", "-", text.lower())).strip("-")[:100]
    return name if len(name) >= 2 else f"{name}--"[:2]


def ckan_tags(tags: list[str]) -> list[dict]:
    """Tags CKAN accepts (letters, digits, space, '-', '_', '.'; 2–100 characters), each once."""
    cleaned: list[str] = []
    for tag in tags:
        value = re.sub(r"[^\w .-]", "", tag).strip()[:100]
        if len(value) >= 2 and value not in cleaned:
            cleaned.append(value)
    return [{"name": t} for t in cleaned]


def ckan_filename(name: str) -> str:
    """The file name as CKAN keeps it in an upload's URL (its munge_filename: lowercase, safe characters)."""
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9_. -]", "", name.lower().strip()).replace(" ", "-"))


def package_id_for(site_url: str, name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{site_url}/dataset/{name}"))


def resource_id_for(site_url: str, package_id: str, version: str, name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{site_url}/dataset/{package_id}/{version}/{name}"))


def download_url(site_url: str, package_id: str, resource_id: str, name: str) -> str:
    return f"{site_url}/dataset/{package_id}/resource/{resource_id}/download/{ckan_filename(name)}"


# --- committed versions ---------------------------------------------------------------------------------------
def semver_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _extras(package: dict) -> dict[str, str]:
    return {e["key"]: e["value"] for e in package.get("extras", [])}


def committed_entries(package: dict | None) -> list[dict]:
    """The versions committed on this CKAN dataset, oldest first."""
    if not package:
        return []
    entries = json.loads(_extras(package).get(VERSIONS_EXTRA) or "[]")
    return sorted(entries, key=lambda e: semver_key(e["version"]))


def version_entry(descriptor: dict, files: dict[str, dict]) -> dict:
    """What is committed for one version: its datapackage.json's satudata block, and its files."""
    meta = descriptor["satudata"]
    keep = ("content_sha256", "metadata_sha256", "columns", "published", "inputs_sha256", "change")
    return {"version": descriptor["version"], "satudata": {k: meta.get(k) for k in keep}, "files": files}


def published_version(entry: dict) -> PublishedVersion:
    return version_from_package(entry, entry["files"])


# --- organisations, datasets, resources -----------------------------------------------------------------------
def organization_fields(department: Department) -> dict:
    return {
        "name": ckan_name(department.id),
        "title": department.name,
        "description": f"{department.description.id}\n\n{department.name_en}: {department.description.en}",
        "extras": [{"key": "email", "value": department.email}, {"key": "name_en", "value": department.name_en}],
    }


def package_fields(catalog: Catalog, dataset: Dataset, site_url: str, committed: list[dict]) -> dict:
    """Every dataset-level field satudata sets (CKAN core fields + DCAT extras), for create or commit."""
    department = catalog.department(dataset.department)
    name = ckan_name(dataset.id)
    latest = committed[-1] if committed else None
    extras: dict[str, str | None] = {
        "identifier": (catalog.portal.url(f"{dataset.department}/{dataset.id}") if catalog.portal.base_url
                       else f"{site_url}/dataset/{name}"),
        "title_en": dataset.title.en,
        "frequency": f"{EU}frequency/{FREQUENCIES[dataset.frequency]}",
        "theme": json.dumps([f"{EU}data-theme/{THEMES[dataset.dimension]}"]),
        "language": json.dumps([f"{EU}language/{LANGUAGES[code]}" if code in LANGUAGES else code
                                for code in dataset.language]),
        "contact_name": dataset.contact.name,
        "contact_email": dataset.contact.email,
        "publisher_name": department.name,
        "publisher_email": department.email,
        "publisher_url": catalog.portal.publisher.url,
        "publisher_uri": f"{site_url}/organization/{ckan_name(department.id)}",
        "satudata_dimension": dataset.dimension,
        VERSIONS_EXTRA: json.dumps(committed, ensure_ascii=False, sort_keys=True),
    }
    extras["spatial_uri"] = spatial_uri(dataset.spatial)     # no code: the whole of Indonesia
    extras["spatial_text"] = f"Kode wilayah Kemendagri {dataset.spatial}" if dataset.spatial else "Indonesia"
    if dataset.temporal:
        extras["temporal_start"] = dataset.temporal.start.isoformat() if dataset.temporal.start else None
        extras["temporal_end"] = dataset.temporal.end.isoformat() if dataset.temporal.end else None
    if latest:
        extras["conforms_to"] = json.dumps([latest["files"][PACKAGE_FILE]["uri"]])
        extras["version_notes"] = "; ".join((latest["satudata"].get("change") or {}).get("reasons") or [])
        extras["issued"] = committed[0]["satudata"]["published"]
        extras["modified"] = latest["satudata"]["published"]
    fields = {
        "name": name,
        "title": dataset.title.id,
        "notes": f"{dataset.description.id}\n\n---\n\n**{dataset.title.en}** — {dataset.description.en}",
        "owner_org": ckan_name(department.id),
        "license_id": LICENSE_IDS.get(dataset.license, dataset.license.lower()),
        "tags": ckan_tags(dataset.tags),
        "author": department.name,
        "author_email": department.email,
        "maintainer": dataset.contact.name,
        "maintainer_email": dataset.contact.email,
        "url": f"{site_url}/dataset/{name}",
        "private": latest is None,      # nothing to see until the first version is committed
        "extras": [{"key": k, "value": v} for k, v in extras.items() if v],
    }
    if latest:
        fields["version"] = latest["version"]
    return fields


def with_foreign_extras(fields: dict, package: dict) -> dict:
    """fields, keeping the extras someone else put on the CKAN dataset (satudata's own are all in fields)."""
    ours = {e["key"] for e in fields["extras"]} | MANAGED_EXTRAS
    return {**fields, "extras": fields["extras"] + [e for e in package.get("extras", []) if e["key"] not in ours]}


def file_kind(name: str) -> tuple[str, str, str, str]:
    """(format, media type, description id, description en) of a version's file."""
    if name in FILE_KINDS:
        return FILE_KINDS[name]
    if name.endswith(".csv"):   # the rows of another dataset the foreign keys refer to (e.g. kode-wilayah.csv)
        stem = name.removesuffix(".csv")
        return ("CSV", "text/csv", f"Baris {stem} yang dirujuk kunci asing dataset ini",
                f"The rows of {stem} this dataset's foreign keys refer to")
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return name.rsplit(".", 1)[-1].upper(), guessed, name, name


def resource_fields(dataset: Dataset, version: str, path: Path, sha256: str, size: int, uri: str,
                    page: str, conforms_to: str) -> dict[str, str]:
    """The fields of one version file's resource, as the flat strings a multipart upload needs."""
    name = path.name
    fmt, mediatype, text_id, text_en = file_kind(name)
    fields = {
        "name": f"{name} · v{version}",
        "description": f"{text_id}, versi {version}. / {text_en}, version {version}.",
        "format": fmt, "mimetype": mediatype, "size": str(size),
        "hash": sha256, "hash_algorithm": SHA256_ALGORITHM,
        "license": license_uri(dataset.license),
        "access_url": page, "download_url": uri,
        "satudata_version": version, "satudata_file": name,
    }
    if name in ("data.csv", "data.parquet"):
        fields["conforms_to"] = json.dumps([conforms_to])
    return fields


def file_rank(name: str) -> tuple[int, str]:
    return (FILE_ORDER.index(name) if name in FILE_ORDER else len(FILE_ORDER), name)


def resource_order(resources: list[dict], versions_newest_first: list[str]) -> list[dict]:
    """The given versions' resources, newest version first and data first within one; then resources satudata
    did not make. Resources of any other version (left by a run that died before committing) are left out."""
    ordered: list[dict] = []
    for version in versions_newest_first:
        ordered += sorted((r for r in resources if r.get("satudata_version") == version),
                          key=lambda r: file_rank(r.get("satudata_file", "")))
    return ordered + [r for r in resources if not r.get("satudata_version")]
