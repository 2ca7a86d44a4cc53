"""DCAT-AP 3 JSON-LD of the catalogue and of each dataset: parsed with rdflib, validated with pyshacl."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import RDF, Graph, Literal, Namespace, URIRef

from satudata.core.files import read_jsonl, sha256_file
from satudata.publish.site.dcat import COUNTRY_INDONESIA, spatial_uri
from tests.unit.test_site import CUACA, build_portal

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SH = Namespace("http://www.w3.org/ns/shacl#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
PROV = Namespace("http://www.w3.org/ns/prov#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
BASE = "http://127.0.0.1:8000"
GARIS_PAGE = f"{BASE}/bappeda/garis-kemiskinan-jatim/"


@pytest.fixture(scope="module")
def portal(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("dcat")
    return build_portal(base / "portal", base / "work", BASE)[1]


def _graph(path: Path) -> Graph:
    graph = Graph()
    graph.parse(path, format="json-ld")
    return graph


def _shapes() -> Graph:
    graph = Graph()
    graph.parse(data=(files("satudata.publish.site") / "dcat-ap-3-shapes.ttl").read_text(encoding="utf-8"),
                format="turtle")
    return graph


def _languages(graph: Graph, subject: URIRef, predicate: URIRef) -> dict[str, str]:
    return {o.language: str(o) for o in graph.objects(subject, predicate)}


def test_catalogue_has_title_description_publisher_and_every_dataset(portal: Path):
    graph = _graph(portal / "catalog.jsonld")
    catalog = URIRef(f"{BASE}/#catalog")
    assert list(graph.subjects(RDF.type, DCAT.Catalog)) == [catalog]
    assert _languages(graph, catalog, DCT.title) == {"id": "Satu Data Kota Malang", "en": "Kota Malang One Data"}
    assert set(_languages(graph, catalog, DCT.description)) == {"id", "en"}
    publisher = graph.value(catalog, DCT.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in graph and graph.value(publisher, FOAF.name)
    datasets = set(graph.objects(catalog, DCAT.dataset))
    assert datasets == {URIRef(f"{BASE}/bappeda/garis-kemiskinan-jatim/#dataset"),
                        URIRef(f"{BASE}/dlh/cuaca-harian-geofisika-malang/#dataset"),
                        URIRef(f"{BASE}/dispendukcapil/antrean-nunggu-transparan/#dataset")}
    for dataset in datasets:
        assert (dataset, RDF.type, DCAT.Dataset) in graph
        assert set(_languages(graph, dataset, DCT.title)) == {"id", "en"}


def test_dataset_describes_its_latest_version_and_links_every_version(portal: Path):
    folder = portal / "bappeda" / "garis-kemiskinan-jatim"
    graph = _graph(folder / "dataset.jsonld")
    dataset = URIRef(f"{GARIS_PAGE}#dataset")
    v1, v2 = URIRef(f"{GARIS_PAGE}1.0.0/#dataset"), URIRef(f"{GARIS_PAGE}1.1.0/#dataset")
    assert str(graph.value(dataset, DCAT.version)) == "1.1.0"
    changelog = json.loads((folder / "1.1.0" / "changelog.json").read_text(encoding="utf-8"))
    assert _languages(graph, dataset, ADMS.versionNotes) == changelog["summary"]
    assert set(graph.objects(dataset, DCAT.hasVersion)) == {v1, v2}
    assert graph.value(dataset, DCAT.hasCurrentVersion) == v2
    assert graph.value(v2, DCAT.previousVersion) == v1 and graph.value(v1, DCAT.previousVersion) is None
    assert str(graph.value(v1, DCAT.version)) == "1.0.0"
    assert graph.value(dataset, DCT.spatial) == URIRef("https://kodewilayah.id/35")
    period = graph.value(dataset, DCT.temporal)
    assert (period, RDF.type, DCT.PeriodOfTime) in graph
    assert graph.value(period, DCAT.startDate) == Literal("2022-01-01", datatype=XSD.date)
    assert graph.value(period, DCAT.endDate) == Literal("2022-12-31", datatype=XSD.date)
    assert graph.value(dataset, DCT.accrualPeriodicity) == URIRef(
        "http://publications.europa.eu/resource/authority/frequency/ANNUAL")
    run_id = read_jsonl(folder / "1.1.0" / "lineage.jsonl")[-1]["run"]["runId"]
    activity = graph.value(dataset, PROV.wasGeneratedBy)
    assert activity == URIRef(f"urn:uuid:{run_id}") and (activity, RDF.type, PROV.Activity) in graph
    publisher = graph.value(dataset, DCT.publisher)
    assert _languages(graph, publisher, FOAF.name)["id"] == "Badan Perencanaan, Penelitian dan Pengembangan Daerah"
    contact = graph.value(dataset, DCAT.contactPoint)
    assert str(graph.value(contact, VCARD.hasEmail)) == "mailto:bappeda@malangkota.go.id"
    assert graph.value(dataset, DCAT.landingPage) == URIRef(GARIS_PAGE)


def test_distributions_give_urls_media_types_sizes_and_checksums_of_the_files(portal: Path):
    folder = portal / "bappeda" / "garis-kemiskinan-jatim" / "1.1.0"
    graph = _graph(folder.parent / "dataset.jsonld")
    distributions = list(graph.objects(URIRef(f"{GARIS_PAGE}#dataset"), DCAT.distribution))
    assert len(distributions) == 2
    media = {"data.csv": "text/csv", "data.parquet": "application/vnd.apache.parquet"}
    for distribution in distributions:
        url = str(graph.value(distribution, DCAT.downloadURL))
        name = url.rsplit("/", 1)[1]
        assert url == f"{GARIS_PAGE}1.1.0/{name}"
        assert graph.value(distribution, DCAT.accessURL) == URIRef(GARIS_PAGE)
        assert graph.value(distribution, DCAT.mediaType) == URIRef(
            f"https://www.iana.org/assignments/media-types/{media[name]}")
        assert graph.value(distribution, DCAT.byteSize) == Literal(
            str((folder / name).stat().st_size), datatype=XSD.nonNegativeInteger)
        checksum = graph.value(distribution, SPDX.checksum)
        assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(graph.value(checksum, SPDX.checksumValue)) == sha256_file(folder / name)
        assert graph.value(distribution, DCT.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")


def test_every_identifier_is_an_absolute_uri(portal: Path):
    for path in (portal / "catalog.jsonld", portal / "dlh" / "cuaca-harian-geofisika-malang" / "dataset.jsonld"):
        graph = _graph(path)
        for node in {*graph.subjects(), *graph.objects()}:
            if isinstance(node, URIRef):
                assert str(node).startswith(("http://", "https://", "urn:uuid:", "mailto:")), node


def test_catalogue_and_datasets_conform_to_the_dcat_ap_3_shapes(portal: Path):
    shapes = _shapes()
    documents = [portal / "catalog.jsonld", *sorted(portal.glob("*/*/dataset.jsonld"))]
    assert len(documents) == 4
    for path in documents:
        conforms, _, text = validate(_graph(path), shacl_graph=shapes, inference="none")
        assert conforms, f"{path}:\n{text}"


def test_the_shapes_catch_a_missing_title_access_url_or_checksum_value(portal: Path):
    shapes = _shapes()
    graph = _graph(portal / "dlh" / "cuaca-harian-geofisika-malang" / "dataset.jsonld")
    dataset = URIRef(f"{BASE}/dlh/cuaca-harian-geofisika-malang/#dataset")
    graph.remove((dataset, DCT.title, None))
    distribution = next(graph.objects(dataset, DCAT.distribution))
    graph.remove((distribution, DCAT.accessURL, None))
    graph.remove((graph.value(distribution, SPDX.checksum), SPDX.checksumValue, None))
    conforms, results, _ = validate(graph, shacl_graph=shapes, inference="none")
    assert not conforms
    failing = {(results.value(r, SH.focusNode), results.value(r, SH.resultPath))
               for r in results.subjects(RDF.type, SH.ValidationResult)}
    assert (dataset, DCT.title) in failing
    assert (distribution, DCAT.accessURL) in failing
    assert any(path == SPDX.checksumValue for _, path in failing)


def test_spatial_coverage_is_a_kemendagri_code_uri_or_indonesia():
    assert spatial_uri("35.73") == "https://kodewilayah.id/35.73"
    assert spatial_uri(None) == COUNTRY_INDONESIA


def test_a_dataset_with_one_version_has_no_previous_version(portal: Path):
    graph = _graph(portal / "dlh" / "cuaca-harian-geofisika-malang" / "dataset.jsonld")
    page = f"{BASE}/dlh/cuaca-harian-geofisika-malang/"
    dataset = URIRef(f"{page}#dataset")
    assert [str(v) for v in graph.objects(dataset, DCAT.version)] == ["1.0.0"]
    assert list(graph.objects(dataset, DCAT.hasVersion)) == [URIRef(f"{page}1.0.0/#dataset")]
    assert list(graph.subject_objects(DCAT.previousVersion)) == []
    assert str(graph.value(dataset, DCT.identifier)) == CUACA
    assert graph.value(dataset, DCT.spatial) == URIRef("https://kodewilayah.id/35.07")
    assert _languages(graph, dataset, ADMS.versionNotes) == {"id": "Versi pertama: 40 baris.",
                                                             "en": "First version: 40 rows."}
