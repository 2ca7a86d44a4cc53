"""The local portal's read API: CKAN 2.12's Action API read calls, answered by static JSON files.

    api/3/action/package_list.json                 names of the published datasets
    api/3/action/package_show/<name>.json          one dataset: CKAN fields, extras, a resource per file per version
    api/3/action/organization_list.json            names of the departments with published datasets
    api/3/action/organization_show/<name>.json     one department
    api/3/action/package_search.json               every dataset (the answer to a search without q, rows, start)
    api/3/action/status_show.json                  what the portal is
    api/3/search-index.json                        what `satudata serve` (or a client) searches: ckan_search.py
    api/3/not-found.json                           CKAN's "Not found" answer, for a web server's 404 under api/

Every answer has CKAN's envelope ``{"help", "success": true, "result"}``. The dataset fields are the ones the CKAN
publisher sends (``publish/ckan_mapping.py``); only the addresses differ: the portal's own pages and files,
relative to the portal's root, or absolute under ``portal.base_url`` when it is set. Ids are uuid5 of the names,
so they stay the same whatever address the portal is served at.
"""

from __future__ import annotations

import json
import unicodedata
import uuid
from datetime import UTC, datetime
from pathlib import Path

from satudata.core.catalog import Catalog, Department
from satudata.core.publishing import PACKAGE_FILE, PublishedVersion
from satudata.publish.ckan_mapping import (
    file_rank,
    organization_fields,
    package_fields,
    package_id_for,
    resource_fields,
    resource_id_for,
    version_entry,
)
from satudata.publish.site.model import DatasetView

ACTIONS = "api/3/action"
SEARCH_INDEX = "api/3/search-index.json"
NOT_FOUND = "api/3/not-found.json"
NAMESPACE = "satudata:portal"        # what ids are made from (not an address: the portal may move)
SEARCH_SORT = "score desc, metadata_modified desc"
CKAN_VERSION = "2.12.0"              # the CKAN whose read answers these files reproduce
# CKAN's own licence register (ckan/model/license.py): what package_show says of each licence id.
CKAN_LICENSES = {
    "cc-by": ("Creative Commons Attribution", "http://www.opendefinition.org/licenses/cc-by"),
    "cc-by-sa": ("Creative Commons Attribution Share-Alike", "http://www.opendefinition.org/licenses/cc-by-sa"),
    "cc-zero": ("Creative Commons CCZero", "http://www.opendefinition.org/licenses/cc-zero"),
    "odc-odbl": ("Open Data Commons Open Database License (ODbL)", "http://www.opendefinition.org/licenses/odc-odbl"),
}


def envelope(catalog: Catalog, action: str, result: object) -> dict:
    return {"help": catalog.portal.url(f"{ACTIONS}/help_show?name={action}"), "success": True, "result": result}


def _timestamp(moment: str) -> str:
    """A time as CKAN writes it: UTC, no offset, microseconds."""
    parsed = datetime.fromisoformat(moment)
    parsed = parsed.astimezone(UTC) if parsed.tzinfo else parsed
    return parsed.replace(tzinfo=None).isoformat(timespec="microseconds")


def organization_id(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{NAMESPACE}/organization/{name}"))


def organization_dict(department: Department, views: list[DatasetView]) -> dict:
    """organization_show of a department (CKAN's default: no datasets listed, package_count says how many)."""
    fields = organization_fields(department)
    mine = [v for v in views if v.dataset.department == department.id]
    created = min((v.versions[0].published for v in mine), default="1970-01-01T00:00:00+00:00")
    return {"id": organization_id(fields["name"]), "name": fields["name"], "title": fields["title"],
            "display_name": fields["title"], "type": "organization", "description": fields["description"],
            "image_url": "", "image_display_url": "", "created": _timestamp(created), "is_organization": True,
            "approval_status": "approved", "state": "active", "package_count": len(mine),
            "extras": [{**e, "state": "active"} for e in fields["extras"]], "groups": [], "tags": [], "users": [],
            "num_followers": 0}


def _resource(catalog: Catalog, view: DatasetView, package_id: str, version: PublishedVersion, name: str,
              position: int) -> dict:
    file = version.files[name]
    page = catalog.portal.url(f"{view.path}/index.html#v{version.version}")
    fields = resource_fields(view.dataset, version.version, Path(name), file["sha256"], file["bytes"], file["uri"],
                             page, version.files.get(PACKAGE_FILE, {}).get("uri", ""))
    moment = _timestamp(version.published)
    return {**fields, "id": resource_id_for(NAMESPACE, package_id, version.version, name), "package_id": package_id,
            "url": file["uri"], "url_type": None, "size": file["bytes"], "position": position, "state": "active",
            "created": moment, "last_modified": moment, "metadata_modified": moment, "cache_url": None,
            "cache_last_updated": None, "datastore_active": False, "mimetype_inner": None, "resource_type": None}


def package_dict(catalog: Catalog, view: DatasetView) -> dict:
    """package_show of a dataset: what the CKAN publisher would have committed for its versions."""
    dataset, portal = view.dataset, catalog.portal
    history = [v.published_version for v in view.versions]
    committed = [version_entry(v.package, v.published_version.files) for v in view.versions]
    fields = package_fields(catalog, dataset, portal.base_url or "", committed)
    # The CKAN site's own addresses (…/dataset/<name>, …/organization/<name>) are the portal's pages here.
    links = {"identifier": portal.url(view.path), "publisher_uri": portal.url(f"{dataset.department}/#agent")}
    extras = [{"key": e["key"], "value": links.get(e["key"], e["value"])} for e in fields["extras"]]
    package_id = package_id_for(NAMESPACE, fields["name"])
    organization = organization_dict(view.department, [view])
    resources = []
    for version in reversed(history):                      # newest version first, data first within one
        for name in sorted(version.files, key=file_rank):
            resources.append(_resource(catalog, view, package_id, version, name, len(resources)))
    license_title, license_url = CKAN_LICENSES.get(fields["license_id"], (dataset.license, ""))
    tags = [{"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{NAMESPACE}/tag/{t['name']}")), "name": t["name"],
             "display_name": t["name"], "state": "active", "vocabulary_id": None} for t in fields["tags"]]
    return {
        **fields, "id": package_id, "type": "dataset", "state": "active", "url": portal.url(f"{view.path}/"),
        "owner_org": organization["id"], "extras": extras, "tags": tags, "num_tags": len(tags),
        "license_title": license_title, "license_url": license_url, "isopen": fields["license_id"] in CKAN_LICENSES,
        "metadata_created": _timestamp(history[0].published), "metadata_modified": _timestamp(history[-1].published),
        "creator_user_id": None, "groups": [], "relationships_as_object": [], "relationships_as_subject": [],
        "organization": {k: organization[k] for k in ("id", "name", "title", "type", "description", "image_url",
                                                      "created", "is_organization", "approval_status", "state")},
        "resources": resources, "num_resources": len(resources),
    }


def searchable(*texts: str) -> str:
    """Lowercase words without accents, as the search compares them."""
    folded = unicodedata.normalize("NFKD", " ".join(texts).lower())
    return "".join(c if c.isalnum() else " " for c in folded if not unicodedata.combining(c)).strip()


def index_entry(view: DatasetView, package: dict) -> dict:
    dataset = view.dataset
    return {"name": package["name"], "id": package["id"], "title": package["title"],
            "organization": package["organization"]["name"], "tags": [t["name"] for t in package["tags"]],
            "res_format": sorted({r["format"] for r in package["resources"]}),
            "metadata_modified": package["metadata_modified"],
            "title_text": searchable(dataset.title.id, dataset.title.en),
            "text": searchable(dataset.id, dataset.title.id, dataset.title.en, dataset.description.id,
                               dataset.description.en, " ".join(dataset.tags), view.department.name,
                               view.department.name_en)}


def documents(catalog: Catalog, views: list[DatasetView], generated: str) -> dict[str, dict]:
    """Every file of the API, by its path relative to the portal's root."""
    packages = [package_dict(catalog, view) for view in views]
    departments = [d for d in catalog.departments if any(v.dataset.department == d.id for v in views)]
    organizations = sorted((organization_dict(d, views) for d in departments), key=lambda o: o["title"].lower())
    files = {f"{ACTIONS}/package_list.json": envelope(catalog, "package_list", sorted(p["name"] for p in packages)),
             f"{ACTIONS}/organization_list.json": envelope(catalog, "organization_list",
                                                           [o["name"] for o in organizations]),
             f"{ACTIONS}/package_search.json": envelope(catalog, "package_search", {
                 "count": len(packages), "facets": {}, "search_facets": {}, "sort": SEARCH_SORT,
                 "results": sorted(packages, key=lambda p: p["metadata_modified"], reverse=True)}),
             f"{ACTIONS}/status_show.json": envelope(catalog, "status_show", {
                 "site_title": catalog.portal.title.id, "site_description": catalog.portal.title.en,
                 "site_url": catalog.portal.base_url or "", "ckan_version": CKAN_VERSION, "error_emails_to": None,
                 "locale_default": "id", "extensions": ["satudata-static-api"]}),
             SEARCH_INDEX: {"generated": generated, "datasets": [index_entry(v, p) for v, p in zip(views, packages,
                                                                                                  strict=True)],
                            "organizations": [{"id": o["id"], "name": o["name"]} for o in organizations]},
             NOT_FOUND: {"help": catalog.portal.url(f"{ACTIONS}/help_show?name=package_show"), "success": False,
                         "error": {"message": "Not found", "__type": "Not Found Error"}}}
    for package in packages:
        files[f"{ACTIONS}/package_show/{package['name']}.json"] = envelope(catalog, "package_show", package)
    for organization in organizations:
        files[f"{ACTIONS}/organization_show/{organization['name']}.json"] = envelope(catalog, "organization_show",
                                                                                       organization)
    return files


def stale_files(root: Path, written: dict[str, dict]) -> list[Path]:
    """package_show / organization_show files of datasets and departments that are no longer published."""
    folders = [root / ACTIONS / "package_show", root / ACTIONS / "organization_show"]
    return [path for folder in folders for path in folder.glob("*.json")
            if path.relative_to(root).as_posix() not in written]


def dumps(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))
