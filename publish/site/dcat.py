"""DCAT-AP 3 as JSON-LD: the catalogue (portal/catalog.jsonld) and each dataset (<department>/<dataset>/dataset.jsonld).

Every URL is absolute, built from ``catalog.portal.base_url``. A dataset node describes the dataset as it is now
(its latest version's distributions, version, notes and the run that made it) and links every version
(``dcat:hasVersion``, ``dcat:hasCurrentVersion``); each version is a dataset node of its own with
``dcat:previousVersion``. Controlled vocabularies are the EU Publications Office authority tables that DCAT-AP
names; region codes are Kemendagri codes.
"""

from __future__ import annotations

from datetime import UTC, datetime

from satudata.core.catalog import Catalog
from satudata.publish.package import LICENSES
from satudata.publish.site.model import DatasetView, VersionView

# Kemendagri region codes as URIs (shared with the CKAN publisher): SPATIAL_BASE + "35.73" is Kota Malang.
SPATIAL_BASE = "https://kodewilayah.id/"
COUNTRY_INDONESIA = "http://publications.europa.eu/resource/authority/country/IDN"
EU = "http://publications.europa.eu/resource/authority/"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
FREQUENCIES = {"daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY", "quarterly": "QUARTERLY",
               "yearly": "ANNUAL", "irregular": "IRREG"}
LANGUAGES = {"id": "IND", "en": "ENG", "jv": "JAV"}
# Smart-city dimensions → EU data themes (the smart-city dimension itself is also given as a keyword).
THEMES = {"governance": "GOVE", "economy": "ECON", "environment": "ENVI", "society": "SOCI", "living": "HEAL",
          "branding": "REGI"}
FILE_TYPES = {"data.csv": "CSV", "data.parquet": "PARQUET"}
PUBLISHER_TYPE_LOCAL_AUTHORITY = "http://purl.org/adms/publishertype/LocalAuthority"
CATALOG_DESCRIPTION = {
    "id": "Katalog data terbuka {title}: dataset perangkat daerah yang tervalidasi, berversi dan berjejak asal-usul.",
    "en": "Open data catalogue of {title}: validated, versioned datasets of the city's departments, with lineage.",
}

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "spdx": "http://spdx.org/rdf/terms#",
    "adms": "http://www.w3.org/ns/adms#",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def _ref(uri: str, kind: str | None = None) -> dict:
    return {"@id": uri, "@type": kind} if kind else {"@id": uri}


def _text(values: dict[str, str]) -> list[dict]:
    return [{"@value": text, "@language": lang} for lang, text in values.items() if text]


def _typed(value: object, datatype: str) -> dict:
    return {"@value": str(value), "@type": datatype}


def _moment(value: str) -> dict:
    return _typed(value, "xsd:dateTime") if "T" in value else _typed(value, "xsd:date")


def license_uri(license_id: str) -> str:
    path = LICENSES.get(license_id, (None, ""))[1]
    return path or f"http://spdx.org/licenses/{license_id}"


def spatial_uri(code: str | None) -> str:
    return f"{SPATIAL_BASE}{code}" if code else COUNTRY_INDONESIA


class _Urls:
    """Absolute URLs under ``portal.base_url``; with none set, references relative to the document (``up`` is
    the way from the document's folder to the portal's root), which JSON-LD resolves against where it was read."""

    def __init__(self, catalog: Catalog, up: str = "") -> None:
        self.base = f"{catalog.portal.base_url}/" if catalog.portal.base_url else (up or "./")

    def at(self, path: str) -> str:
        return f"{self.base}{path}"

    def catalog(self) -> str:
        return self.at("#catalog")

    def home(self) -> str:
        return self.base

    def page(self, view: DatasetView) -> str:
        return self.at(f"{view.path}/")

    def dataset(self, view: DatasetView) -> str:
        return f"{self.page(view)}#dataset"

    def version(self, view: DatasetView, version: VersionView) -> str:
        return f"{self.page(view)}{version.version}/#dataset"

    def file(self, view: DatasetView, version: VersionView, name: str) -> str:
        return f"{self.page(view)}{version.version}/{name}"

    def department(self, view: DatasetView) -> str:
        return self.at(f"{view.dataset.department}/#agent")


def _publisher_node(catalog: Catalog, urls: _Urls) -> dict:
    publisher = catalog.portal.publisher
    return {"@id": urls.at("#publisher"), "@type": "foaf:Agent", "foaf:name": publisher.name,
            "foaf:homepage": _ref(publisher.url), "foaf:mbox": _ref(f"mailto:{publisher.email}"),
            "dct:type": _ref(PUBLISHER_TYPE_LOCAL_AUTHORITY, "skos:Concept")}


def _department_node(view: DatasetView, urls: _Urls) -> dict:
    department = view.department
    return {"@id": urls.department(view), "@type": "foaf:Agent",
            "foaf:name": _text({"id": department.name, "en": department.name_en}),
            "foaf:mbox": _ref(f"mailto:{department.email}"),
            "dct:type": _ref(PUBLISHER_TYPE_LOCAL_AUTHORITY, "skos:Concept")}


def _contact_node(view: DatasetView) -> dict:
    contact = view.dataset.contact
    return {"@type": ["vcard:Kind", "vcard:Organization"], "vcard:fn": contact.name,
            "vcard:hasEmail": _ref(f"mailto:{contact.email}")}


def _distribution(view: DatasetView, version: VersionView, name: str, urls: _Urls) -> dict:
    data = version.files[name]
    url = urls.file(view, version, name)
    file_type = FILE_TYPES.get(name, name.rsplit(".", 1)[-1].upper())
    return {
        "@id": f"{url}#distribution", "@type": "dcat:Distribution",
        "dct:title": _text({"id": f"{view.dataset.title.id} ({file_type}, versi {version.version})",
                            "en": f"{view.dataset.title.en} ({file_type}, version {version.version})"}),
        "dcat:accessURL": _ref(urls.page(view)),
        "dcat:downloadURL": _ref(url),
        "dcat:mediaType": _ref(f"{IANA_MEDIA_TYPES}{data.media_type}", "dct:MediaType"),
        "dct:format": _ref(f"{EU}file-type/{file_type}", "dct:MediaTypeOrExtent"),
        "dcat:byteSize": _typed(data.bytes, "xsd:nonNegativeInteger"),
        "spdx:checksum": {"@id": f"{url}#sha256", "@type": "spdx:Checksum",
                          "spdx:algorithm": _ref("http://spdx.org/rdf/terms#checksumAlgorithm_sha256"),
                          "spdx:checksumValue": _typed(data.sha256, "xsd:hexBinary")},
        "dct:license": _ref(license_uri(view.dataset.license), "dct:LicenseDocument"),
        "dct:issued": _moment(version.published),
    }


def _activity(view: DatasetView, version: VersionView, urls: _Urls) -> dict | None:
    if not version.run_id:
        return None
    activity: dict = {"@id": f"urn:uuid:{version.run_id}", "@type": "prov:Activity",
                      "rdfs:label": f"Prefect flow run publish_dataset/{view.dataset.id} → {version.version}"}
    if version.run_started:
        activity["prov:startedAtTime"] = _moment(version.run_started)
    if version.run_ended:
        activity["prov:endedAtTime"] = _moment(version.run_ended)
    if version.has("lineage.jsonl"):
        activity["rdfs:seeAlso"] = _ref(urls.file(view, version, "lineage.jsonl"))
    return activity


def _version_notes(version: VersionView) -> list[dict]:
    if version.changelog and version.changelog.get("summary"):
        return _text(version.changelog["summary"])
    reasons = "; ".join(version.change.get("reasons", [])) or version.change.get("kind", "")
    return _text({"en": reasons})


def _described(view: DatasetView, version: VersionView, urls: _Urls) -> dict:
    """What a dataset node and its version nodes share: metadata plus one version's files, notes and run."""
    dataset = view.dataset
    node: dict = {
        "dct:description": _text({"id": dataset.description.id, "en": dataset.description.en}),
        "dct:identifier": dataset.id,
        "dct:publisher": _ref(urls.department(view)),
        "dcat:contactPoint": _contact_node(view),
        "dcat:keyword": [*dataset.tags, dataset.dimension],
        "dcat:theme": _ref(f"{EU}data-theme/{THEMES[dataset.dimension]}", "skos:Concept"),
        "dct:spatial": _ref(spatial_uri(dataset.spatial), "dct:Location"),
        "dct:accrualPeriodicity": _ref(f"{EU}frequency/{FREQUENCIES[dataset.frequency]}", "dct:Frequency"),
        "dct:language": [_ref(f"{EU}language/{LANGUAGES.get(code, code.upper())}", "dct:LinguisticSystem")
                         for code in dataset.language],
        "dcat:landingPage": _ref(urls.page(view), "foaf:Document"),
        "dct:license": _ref(license_uri(dataset.license), "dct:LicenseDocument"),
        "dcat:version": version.version,
        "adms:versionNotes": _version_notes(version),
        "dct:modified": _moment(version.published),
        "dcat:distribution": [_distribution(view, version, name, urls) for name in FILE_TYPES
                              if name in version.files],
    }
    if dataset.temporal and (dataset.temporal.start or dataset.temporal.end):
        period: dict = {"@type": "dct:PeriodOfTime"}
        if dataset.temporal.start:
            period["dcat:startDate"] = _typed(dataset.temporal.start.isoformat(), "xsd:date")
        if dataset.temporal.end:
            period["dcat:endDate"] = _typed(dataset.temporal.end.isoformat(), "xsd:date")
        node["dct:temporal"] = period
    activity = _activity(view, version, urls)
    if activity:
        node["prov:wasGeneratedBy"] = activity
    return node


def _version_node(view: DatasetView, index: int, urls: _Urls) -> dict:
    version = view.versions[index]
    title = view.dataset.title
    node = {"@id": urls.version(view, version), "@type": "dcat:Dataset",
            "dct:title": _text({"id": f"{title.id} (versi {version.version})",
                                "en": f"{title.en} (version {version.version})"}),
            **_described(view, version, urls), "dct:issued": _moment(version.published)}
    if index > 0:
        node["dcat:previousVersion"] = _ref(urls.version(view, view.versions[index - 1]))
    return node


def dataset_nodes(view: DatasetView, urls: _Urls) -> list[dict]:
    """The dataset, each of its versions and its publisher (the department)."""
    dataset = view.dataset
    main = {"@id": urls.dataset(view), "@type": "dcat:Dataset",
            "dct:title": _text({"id": dataset.title.id, "en": dataset.title.en}),
            **_described(view, view.latest, urls),
            "dct:issued": _moment(view.versions[0].published),
            "dcat:hasVersion": [_ref(urls.version(view, v)) for v in view.versions],
            "dcat:hasCurrentVersion": _ref(urls.version(view, view.latest))}
    versions = [_version_node(view, index, urls) for index in range(len(view.versions))]
    return [main, *versions, _department_node(view, urls)]


def dataset_document(catalog: Catalog, view: DatasetView) -> dict:
    """dataset.jsonld: one dataset, its versions and its publisher."""
    up = "../" * (view.path.count("/") + 1)     # dataset.jsonld sits in the dataset's own folder
    return {"@context": CONTEXT, "@graph": dataset_nodes(view, _Urls(catalog, up))}


def catalog_document(catalog: Catalog, views: list[DatasetView], modified: datetime | None = None) -> dict:
    """catalog.jsonld: the catalogue and every dataset with its versions."""
    urls = _Urls(catalog)
    title = catalog.portal.title
    when = (modified or datetime.now(UTC)).isoformat(timespec="seconds")
    node = {
        "@id": urls.catalog(), "@type": "dcat:Catalog",
        "dct:title": _text({"id": title.id, "en": title.en}),
        "dct:description": _text({lang: text.format(title=getattr(title, lang))
                                  for lang, text in CATALOG_DESCRIPTION.items()}),
        "dct:publisher": _ref(urls.at("#publisher")),
        "foaf:homepage": _ref(urls.home(), "foaf:Document"),
        "dct:language": [_ref(f"{EU}language/IND", "dct:LinguisticSystem"),
                         _ref(f"{EU}language/ENG", "dct:LinguisticSystem")],
        "dct:spatial": _ref(spatial_uri(catalog.portal.region_code), "dct:Location"),
        "dcat:themeTaxonomy": _ref(f"{EU}data-theme", "skos:ConceptScheme"),
        "dct:modified": _moment(when),
        "dcat:dataset": [_ref(urls.dataset(view)) for view in views],
    }
    graph = [node, _publisher_node(catalog, urls)]
    seen_departments: set[str] = set()
    for view in views:
        for item in dataset_nodes(view, urls):
            if item["@type"] == "foaf:Agent":
                if item["@id"] in seen_departments:
                    continue
                seen_departments.add(item["@id"])
            graph.append(item)
    return {"@context": CONTEXT, "@graph": graph}
