"""The version's datapackage.json: a Frictionless Data Package descriptor of the published files."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from satudata.catalog import Catalog, Dataset
from satudata.convert import OutputFile
from satudata.versioning import Fingerprint

SATUDATA_KEYS = ("privacy", "severity", "description_en")
LICENSES = {
    "CC-BY-4.0": ("Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "CC0-1.0": ("Creative Commons Zero 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "ODbL-1.0": ("Open Data Commons Open Database License 1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
    "CC-BY-SA-4.0": ("Creative Commons Attribution-ShareAlike 4.0",
                     "https://creativecommons.org/licenses/by-sa/4.0/"),
}


def published_schema(schema: dict, dropped: set[str], treated: set[str], suppressed: set[str] | None = None) -> dict:
    """The schema of the published table: dropped columns gone; masked or hashed columns become plain strings."""
    result = copy.deepcopy(schema)
    fields = []
    for field in result.get("fields", []):
        if field["name"] in dropped:
            continue
        if field["name"] in treated:
            field = {k: v for k, v in field.items() if k in ("name", "title", "description")}
            field["type"] = "string"
            field["description"] = (field.get("description", "") + " (disamarkan/masked)").strip()
        if field["name"] in (suppressed or set()):   # small counts are published empty
            field = copy.deepcopy(field)
            field.get("constraints", {}).pop("required", None)
            field["description"] = (field.get("description", "") + " (nilai < k dikosongkan / counts below k "
                                    "suppressed)").strip()
        fields.append({k: v for k, v in field.items() if k not in SATUDATA_KEYS})
    result["fields"] = fields
    names = {f["name"] for f in fields}
    pk = result.get("primaryKey")
    if pk and not set([pk] if isinstance(pk, str) else pk) <= names:
        result.pop("primaryKey")
    result["foreignKeys"] = [fk for fk in result.get("foreignKeys", [])
                             if set([fk["fields"]] if isinstance(fk["fields"], str) else fk["fields"]) <= names]
    if not result["foreignKeys"]:
        result.pop("foreignKeys")
    result.pop("severity", None)
    return result


def license_entry(license_id: str) -> dict:
    title, path = LICENSES.get(license_id, (license_id, ""))
    entry = {"name": license_id, "title": title}
    if path:
        entry["path"] = path
    return entry


def build_descriptor(catalog: Catalog, dataset: Dataset, version: str, schema: dict, outputs: list[OutputFile],
                     fingerprint: Fingerprint, exports: list[dict], change: dict,
                     inputs_sha256: str | None = None) -> dict:
    department = catalog.department(dataset.department)
    resources = []
    for output in outputs:
        fmt = output.name.rsplit(".", 1)[-1]
        resource = {
            "name": f"{dataset.id}-{fmt}", "path": output.name, "format": fmt, "mediatype": output.media_type,
            "bytes": output.bytes, "hash": f"sha256:{output.sha256}", "schema": schema,
        }
        if fmt == "csv":
            resource.update({"encoding": "utf-8", "dialect": {"delimiter": ",", "header": True}})
        resources.append(resource)
    return {
        "name": dataset.id,
        "id": f"{catalog.portal.base_url.rstrip('/')}/{dataset.department}/{dataset.id}",
        "title": dataset.title.id,
        "description": dataset.description.id,
        "version": version,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "licenses": [license_entry(dataset.license)],
        "keywords": dataset.tags,
        "contributors": [{"title": dataset.contact.name, "email": dataset.contact.email, "role": "contact"},
                         {"title": department.name, "email": department.email, "role": "publisher"}],
        "sources": [{"title": e["name"], "path": e["uri"], "sha256": e["sha256"], "bytes": e["bytes"]}
                    for e in exports],
        "resources": resources,
        "satudata": {
            "department": dataset.department,
            "title_en": dataset.title.en,
            "description_en": dataset.description.en,
            "frequency": dataset.frequency,
            "dimension": dataset.dimension,
            "spatial": dataset.spatial,
            "temporal": dataset.temporal.model_dump(mode="json") if dataset.temporal else None,
            "language": dataset.language,
            "content_sha256": fingerprint.content_sha256,
            "metadata_sha256": fingerprint.metadata_sha256,
            "columns": [list(c) for c in fingerprint.columns],
            "inputs_sha256": inputs_sha256,
            "published": datetime.now(UTC).isoformat(timespec="seconds"),
            "change": change,
        },
    }
