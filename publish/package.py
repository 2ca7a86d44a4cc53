"""The version's datapackage.json: a Frictionless Data Package descriptor of the published files."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime

from satudata.core.catalog import Catalog, Dataset
from satudata.core.publishing import PARQUET_BYTES
from satudata.core.records import Fingerprint, OutputFile, ReferenceRows

SATUDATA_KEYS = ("privacy", "severity", "description_en")
ADVISORY = "satudata:advisory"     # rules declared as warnings that the published rows break (see soften)
UNIT = "satudata:unit"             # the unit of a field's values, taken out of the export's cells (options.units)
FIELD_CONSTRAINTS = ("required", "unique", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                     "minLength", "maxLength", "pattern", "enum")
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


def _advisory(rule: str, value: object, rows: int) -> dict:
    return {"constraint": rule, "value": value, "rows": rows, "see": "validation.json",
            "note": {"id": f"Aturan ini hanya peringatan: {rows} baris melanggarnya dan tetap diterbitkan, jadi tidak "
                           f"dicantumkan sebagai batasan wajib. Baris-barisnya ada di validation.json.",
                     "en": f"This rule is a warning only: {rows} rows break it and are published, so it is not "
                           f"declared as a hard constraint. The rows are listed in validation.json."}}


def _names(fields: object) -> list[str]:
    return [fields] if isinstance(fields, str) else list(fields)


def soften(schema: dict, warnings: list[dict]) -> dict:
    """The published schema without the rules its own rows break: a check declared as a warning that found rows
    (``warnings``: CheckResult.as_dict() of the report's warnings) leaves ``constraints`` / ``primaryKey`` /
    ``foreignKeys`` and is kept as ``satudata:advisory`` beside them, so a reader still sees the rule and where the
    rows that break it are, and a Frictionless validator finds the package consistent."""
    result = copy.deepcopy(schema)
    fields = {f["name"]: f for f in result.get("fields", [])}
    for warning in warnings:
        check, name, rows = warning["check"], warning.get("field"), warning["count"]
        if check in FIELD_CONSTRAINTS and name in fields and check in fields[name].get("constraints", {}):
            field = fields[name]
            value = field["constraints"].pop(check)
            if not field["constraints"]:
                field.pop("constraints")
            field.setdefault(ADVISORY, []).append(_advisory(check, value, rows))
        elif check == "primary-key" and result.get("primaryKey"):
            result.setdefault(ADVISORY, []).append(_advisory("primaryKey", result.pop("primaryKey"), rows))
        elif check == "foreign-key" and name:
            broken = [fk for fk in result.get("foreignKeys", []) if ", ".join(_names(fk["fields"])) == name]
            for fk in broken:
                result["foreignKeys"].remove(fk)
                result.setdefault(ADVISORY, []).append(_advisory("foreignKey", fk, rows))
            if not result.get("foreignKeys"):
                result.pop("foreignKeys", None)
    return result


def referenced_resources(schema: dict) -> list[str]:
    """The package resources the schema's foreign keys name (another catalogue dataset, e.g. kode-wilayah)."""
    return sorted({fk["reference"]["resource"] for fk in schema.get("foreignKeys", [])
                   if fk["reference"].get("resource")})


PANDAS_NULLS = {"integer": "nan", "number": "nan", "year": "nan", "datetime": "NaT"}


def parquet_schema(schema: dict) -> dict:
    """The schema of the Parquet resource: the same, but integer and number fields also count "nan" (datetime:
    "NaT") as missing. The file holds real nulls; frictionless 5.21 reads Parquet through pandas, which turns a null
    in such a column into NaN (NaT) and then reads it as the text "nan", so without this every empty cell of a
    numeric column would be a type error. No integer, year or datetime can be NaN, so nothing else reads as missing;
    a number column's NaN (never written by satudata: frictionless reads "NaN" only where an export wrote it) would."""
    result = copy.deepcopy(schema)
    default = result.get("missingValues", [""])
    for field in result.get("fields", []):
        marker = PANDAS_NULLS.get(field.get("type", "string"))
        if marker:
            field["missingValues"] = [*field.get("missingValues", default), marker]
    return result


def public_schema(schema: dict, treatments: dict[str, str], dataset: Dataset, report: object) -> dict:
    """The schema a version is published with: privacy treatments (``treatments``: column → drop, mask, hash, ...)
    applied, small-cell columns no longer required, and the rules the published rows break made advisory
    (``report``: the ValidationReport, whose warnings say which)."""
    dropped = {n for n, t in treatments.items() if t in ("drop", "aggregate-only")}
    treated = {n for n, t in treatments.items() if t in ("mask", "hash")}
    suppressed = set(dataset.small_cells.columns) if dataset.small_cells else set()
    result = soften(published_schema(schema, dropped, treated, suppressed), [r.as_dict() for r in report.warnings])
    units = (getattr(report, "reading", None) or {}).get("units", {})
    for field in result["fields"]:   # a unit the reader took out of the cells (94,23 % → 94.23) stays on record
        if field["name"] in units:
            field[UNIT] = units[field["name"]]
    return result


def license_entry(license_id: str) -> dict:
    title, path = LICENSES.get(license_id, (license_id, ""))
    entry = {"name": license_id, "title": title}
    if path:
        entry["path"] = path
    return entry


def build_descriptor(catalog: Catalog, dataset: Dataset, version: str, schema: dict, outputs: list[OutputFile],
                     fingerprint: Fingerprint, exports: list[dict], change: dict,
                     inputs_sha256: str | None = None, references: list[ReferenceRows] | None = None,
                     path_of: Callable[[str], str] = str) -> dict:
    """The Data Package of one version. ``path_of`` names a file of this version as the target serves it (beside
    the descriptor on the local portal; its own URL on CKAN). ``references`` are the rows of other catalogue datasets
    that the foreign keys point at, shipped as resources so that the keys resolve inside the package.

    Parquet: frictionless 5.21 reads Parquet through pyarrow, never through its byte loader, so it cannot count or
    hash the file and reports any declared ``bytes`` as wrong ("actual is None"). The Parquet resource therefore
    keeps its sha256 as ``hash`` (which frictionless leaves unchecked) and its size as ``satudata:bytes``; both are
    also in the lineage record, and ``satudata verify`` re-hashes every byte."""
    department = catalog.department(dataset.department)
    resources = []
    for output in outputs:
        fmt = output.name.rsplit(".", 1)[-1]
        resource = {
            "name": f"{dataset.id}-{fmt}", "path": path_of(output.name), "format": fmt,
            "mediatype": output.media_type, "bytes": output.bytes, "hash": f"sha256:{output.sha256}", "schema": schema,
        }
        if fmt == "csv":
            resource.update({"encoding": "utf-8", "dialect": {"delimiter": ",", "header": True}})
        if fmt == "parquet":
            resource[PARQUET_BYTES] = resource.pop("bytes")
            resource["schema"] = parquet_schema(schema)
        resources.append(resource)
    for reference in references or []:
        resources.append({
            "name": reference.resource, "path": path_of(reference.file.name), "format": "csv",
            "mediatype": reference.file.media_type, "bytes": reference.file.bytes,
            "hash": f"sha256:{reference.file.sha256}", "encoding": "utf-8",
            "dialect": {"delimiter": ",", "header": True}, "schema": reference.schema,
            "title": reference.title,
            "description": (f"Baris {reference.resource} yang dirujuk dataset ini ({reference.rows} baris). / "
                            f"The rows of {reference.resource} this dataset refers to ({reference.rows} rows)."),
            "sources": [{"title": f"{reference.resource}: {e['name']}", "path": e["uri"], "sha256": e["sha256"]}
                        for e in reference.exports],
        })
    descriptor_id = catalog.portal.url(f"{dataset.department}/{dataset.id}") if catalog.portal.base_url else None
    return {
        "name": dataset.id,
        **({"id": descriptor_id} if descriptor_id else {}),
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
