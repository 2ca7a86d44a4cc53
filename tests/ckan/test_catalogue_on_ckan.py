"""The whole demo catalogue published to the real CKAN by the real flow, then run again; its DCAT-AP 3 from CKAN."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
import requests
from ckanapi import NotFound, RemoteCKAN, ValidationError
from rdflib import RDF, Graph, Literal, Namespace, URIRef

from satudata.core.catalog import Catalog, load_catalog
from satudata.core.publishing import FILE_ORDER, LINEAGE_FILE
from satudata.publish.ckan_mapping import SHA256_ALGORITHM, committed_entries, file_kind
from tests.ckan.conftest import package, purge, run_flow, sha256_of
from tests.conftest import machine_paths

pytestmark = [pytest.mark.ckan, pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")


def _purge_catalogue(ckan: RemoteCKAN, catalog: Catalog) -> None:
    """The demo datasets, and their organisations unless another test's dataset still lives in one."""
    purge(ckan, [d.id for d in catalog.datasets])
    for department in catalog.departments:
        with contextlib.suppress(NotFound, ValidationError):
            ckan.action.organization_purge(id=department.id)


@pytest.fixture(scope="module")
def published(tmp_path_factory, ckan: RemoteCKAN):
    """The demo catalogue published twice; CKAN's view of every dataset after each run."""
    from tests.conftest import copy_project

    project = copy_project(tmp_path_factory.mktemp("ckan") / "project")
    catalog = load_catalog(project / "catalog.yaml")
    _purge_catalogue(ckan, catalog)
    ids = [d.id for d in catalog.datasets]
    first = run_flow(project, ids)
    after_first = {i: package(ckan, i) for i in ids}
    second = run_flow(project, ids)
    after_second = {i: package(ckan, i) for i in ids}
    yield project, catalog, first, after_first, second, after_second
    _purge_catalogue(ckan, catalog)


def _lineage_outputs(lineage_text: str) -> dict[str, dict]:
    """name → {uri, sha256, bytes} of every output in the COMPLETE event of a lineage record."""
    complete = [json.loads(line) for line in lineage_text.splitlines() if line.strip()][-1]
    return {o["name"].rsplit("/", 1)[-1]: {"uri": o["namespace"] + o["name"], **o["facets"]["checksum"]}
            for o in complete["outputs"]}


def test_every_dataset_is_published_with_its_files_as_resources(published):
    _, catalog, first, after_first, _, _ = published
    assert {o["status"] for o in first.values()} == {"published"}, first
    for dataset in catalog.datasets:
        pkg = after_first[dataset.id]
        assert (pkg["version"], pkg["private"], pkg["organization"]["name"]) == ("1.0.0", False, dataset.department)
        [entry] = committed_entries(pkg)
        assert entry["version"] == "1.0.0"
        names = [r["satudata_file"] for r in pkg["resources"]]
        assert sorted(names) == sorted(entry["files"]) and len(set(names)) == len(names), dataset.id
        assert {"data.csv", "data.parquet", "datapackage.json", "validation.json", LINEAGE_FILE} <= set(names)
        assert names == sorted(names, key=lambda n: FILE_ORDER.index(n) if n in FILE_ORDER else 99)
        for resource in pkg["resources"]:
            name, recorded = resource["satudata_file"], entry["files"][resource["satudata_file"]]
            fmt, mimetype = file_kind(name)[:2]
            assert (resource["format"], resource["mimetype"]) == (fmt, mimetype), (dataset.id, name)
            assert (resource["hash"], resource["size"], resource["url"]) == \
                (recorded["sha256"], recorded["bytes"], recorded["uri"])
            assert resource["url_type"] == "upload" and resource["hash_algorithm"] == SHA256_ALGORITHM


def test_downloads_are_byte_identical_to_the_lineage_record(published):
    _, catalog, _, after_first, _, _ = published
    for dataset in catalog.datasets:
        pkg = after_first[dataset.id]
        [entry] = committed_entries(pkg)
        urls = {r["satudata_file"]: r["url"] for r in pkg["resources"]}
        lineage = requests.get(urls[LINEAGE_FILE], timeout=60)     # anonymous: the dataset is public now
        outputs = _lineage_outputs(lineage.text)
        assert set(outputs) == set(urls) - {LINEAGE_FILE}
        for name, output in outputs.items():
            assert output["uri"] == urls[name], "the lineage record names the URL CKAN serves"
            assert sha256_of(urls[name]) == output["sha256"] == entry["files"][name]["sha256"], (dataset.id, name)
        assert sha256_of(urls[LINEAGE_FILE]) == entry["files"][LINEAGE_FILE]["sha256"]


def test_an_independent_frictionless_validates_each_datapackage_as_ckan_serves_it(published, outside_bin):
    """datapackage.json on CKAN names every file by its own CKAN URL, so the package validates where it is."""
    import subprocess

    _, catalog, _, after_first, _, _ = published
    for dataset in catalog.datasets:
        urls = {r["satudata_file"]: r["url"] for r in after_first[dataset.id]["resources"]}
        out = subprocess.run([str(outside_bin / "frictionless"), "validate", "--json", urls["datapackage.json"]],
                             capture_output=True, text=True, timeout=600)
        report = json.loads(out.stdout)
        errors = [(t["name"], e["type"], e.get("message")) for t in report["tasks"] for e in t["errors"]]
        assert report["valid"] and errors == [], (dataset.id, errors[:5])
        descriptor = requests.get(urls["datapackage.json"], timeout=60).json()
        assert {t["place"] for t in report["tasks"]} == {r["path"] for r in descriptor["resources"]}
        assert all(r["path"] == urls[r["path"].rsplit("/", 1)[-1]] for r in descriptor["resources"])


def test_no_ckan_field_or_download_names_a_path_of_the_machine(published):
    project, catalog, _, after_first, _, _ = published
    needles = machine_paths(project)
    for dataset in catalog.datasets:
        pkg = after_first[dataset.id]
        fields = json.dumps(pkg, ensure_ascii=False).encode()
        assert [n for n in needles if n in fields] == [], dataset.id
        for resource in pkg["resources"]:
            body = requests.get(resource["url"], timeout=60).content
            assert [n for n in needles if n in body] == [], (dataset.id, resource["satudata_file"])


def test_organisations_come_from_the_departments(published, ckan: RemoteCKAN):
    _, catalog, _, _, _, _ = published
    for department in {d.department for d in catalog.datasets}:
        expected = catalog.department(department)
        org = ckan.action.organization_show(id=department)
        assert org["title"] == expected.name
        assert expected.description.id in org["description"] and expected.description.en in org["description"]


def test_second_run_publishes_nothing_and_keeps_every_resource(published):
    _, catalog, _, after_first, second, after_second = published
    assert {o["status"] for o in second.values()} == {"unchanged"}, second
    for dataset in catalog.datasets:
        before = [(r["id"], r["last_modified"], r["hash"]) for r in after_first[dataset.id]["resources"]]
        after = [(r["id"], r["last_modified"], r["hash"]) for r in after_second[dataset.id]["resources"]]
        assert after == before, dataset.id
        assert len(committed_entries(after_second[dataset.id])) == 1


def test_dcat_ap_3_from_ckan_itself(published, ckan_env):
    _, catalog, _, after_first, _, _ = published
    dataset = catalog.dataset("garis-kemiskinan-jatim")
    pkg = after_first[dataset.id]
    answer = requests.get(f"{ckan_env['url']}/dataset/{dataset.id}.jsonld", timeout=60)
    answer.raise_for_status()
    graph = Graph().parse(data=answer.text, format="json-ld")
    [node] = graph.subjects(RDF.type, DCAT.Dataset)
    one = graph.value

    assert one(node, DCT.accrualPeriodicity) == URIRef(
        "http://publications.europa.eu/resource/authority/frequency/ANNUAL")
    spatial = one(node, DCT.spatial)
    assert spatial == URIRef(f"https://kodewilayah.id/{dataset.spatial}") and one(spatial, SKOS.prefLabel)
    periods = {(str(one(t, DCAT.startDate)), str(one(t, DCAT.endDate))) for t in graph.objects(node, DCT.temporal)}
    assert ("2022-01-01", "2022-12-31") in periods
    contact = one(node, DCAT.contactPoint)
    assert str(one(contact, VCARD.fn)) == dataset.contact.name
    assert one(contact, VCARD.hasEmail) == URIRef(f"mailto:{dataset.contact.email}")
    assert str(one(one(node, DCT.publisher), FOAF.name)) == catalog.department(dataset.department).name
    assert one(node, DCT.language) == URIRef("http://publications.europa.eu/resource/authority/language/IND")
    [entry] = committed_entries(pkg)
    assert one(node, DCT.conformsTo) == URIRef(entry["files"]["datapackage.json"]["uri"])
    assert one(node, DCAT.version) == Literal("1.0.0")

    distributions = list(graph.objects(node, DCAT.distribution))
    assert len(distributions) == len(pkg["resources"])
    by_url = {r["url"]: r for r in pkg["resources"]}
    for distribution in distributions:
        resource = by_url[str(one(distribution, DCAT.downloadURL))]
        checksum = one(distribution, SPDX.checksum)
        assert str(one(checksum, SPDX.checksumValue)) == resource["hash"]
        assert one(checksum, SPDX.algorithm) == URIRef(SHA256_ALGORITHM)
        assert int(one(distribution, DCAT.byteSize)) == resource["size"]
        assert str(one(distribution, DCAT.mediaType)) == resource["mimetype"]
        assert one(distribution, DCT.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
        assert one(distribution, DCAT.accessURL) is not None
    parquet = by_url[next(u for u, r in by_url.items() if r["satudata_file"] == "data.parquet")]
    assert parquet["mimetype"] == "application/vnd.apache.parquet"


def test_project_folder_keeps_no_portal_when_publishing_to_ckan(published):
    project: Path = published[0]
    assert not (project / "portal").exists()
    assert (project / ".satudata" / "locks").is_dir()


def _local_dcat(project: Path, catalog: Catalog, dataset_id: str) -> Graph:
    from satudata.core.settings import RunSettings
    from satudata.flows.publish import with_concurrency

    settings = RunSettings.from_environment(project / "catalog.yaml", portal_dir=project / "local-portal")
    [outcome] = with_concurrency(1)([dataset_id], settings.to_dict())
    assert outcome["status"] == "published", outcome
    dataset = catalog.dataset(dataset_id)
    path = project / "local-portal" / dataset.department / dataset.id / "dataset.jsonld"
    return Graph().parse(data=path.read_text(encoding="utf-8"), format="json-ld")


def test_local_portal_dcat_says_the_same_as_ckan(published, ckan_env):
    """The same version published locally and on CKAN: the DCAT-AP 3 of both portals agree on what matters."""
    project, catalog, _, after_first, _, _ = published
    dataset_id = "garis-kemiskinan-jatim"
    remote = Graph().parse(data=requests.get(f"{ckan_env['url']}/dataset/{dataset_id}.jsonld", timeout=60).text,
                           format="json-ld")
    local = _local_dcat(project, catalog, dataset_id)

    def facts(graph: Graph) -> dict:
        versions = set(graph.objects(None, DCAT.hasVersion))   # the local portal also describes each version
        [node] = [n for n in graph.subjects(RDF.type, DCAT.Dataset)
                  if graph.value(n, DCAT.distribution) and n not in versions]
        one = graph.value
        contact = one(node, DCAT.contactPoint)
        files = {}
        for distribution in graph.objects(node, DCAT.distribution):
            url = str(one(distribution, DCAT.downloadURL))
            name = url.rsplit("/", 1)[-1]
            if name in ("data.csv", "data.parquet"):
                checksum = one(distribution, SPDX.checksum)
                files.setdefault(name, set()).add((str(one(checksum, SPDX.checksumValue)),
                                                   int(one(distribution, DCAT.byteSize)),
                                                   str(one(distribution, DCAT.mediaType)).rsplit("/", 1)[-1]))
        return {
            "frequency": one(node, DCT.accrualPeriodicity),
            "spatial": one(node, DCT.spatial),
            "temporal": {(str(one(t, DCAT.startDate)), str(one(t, DCAT.endDate)))
                         for t in graph.objects(node, DCT.temporal)},
            "contact": (str(one(contact, VCARD.fn)), str(one(contact, VCARD.hasEmail))),
            "language": one(node, DCT.language),
            "version": str(one(node, DCAT.version)),
            "files": files,
        }

    ckan_facts, local_facts = facts(remote), facts(local)
    for key in ("frequency", "spatial", "temporal", "contact", "language", "version"):
        assert ckan_facts[key] == local_facts[key], key
    assert ckan_facts["files"].keys() == local_facts["files"].keys() == {"data.csv", "data.parquet"}
    for name in ("data.csv", "data.parquet"):   # same bytes on both portals: same sha256, size and media type
        assert local_facts["files"][name] <= ckan_facts["files"][name], name
