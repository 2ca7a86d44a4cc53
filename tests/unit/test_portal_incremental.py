"""A run that publishes a few datasets of a big catalogue rewrites only their entries of index.json and their pages
(plus the pages listing datasets); a run that publishes nothing writes nothing; a stale site is still rendered whole."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa

from satudata.core.catalog import load_catalog
from satudata.core.settings import RunSettings
from satudata.flows.context import RunContext
from satudata.flows.precheck import unchanged_since_latest
from satudata.flows.tasks import refresh_site, site_was_current
from satudata.publish.ckan_mapping import ckan_name
from satudata.publish.local import LocalPortal
from satudata.publish.site import render_site, site_is_current
from tests.unit.test_site import CUACA, GARIS, REPO, publish_version

REGIONS = {"wilayah": ["Kota Malang", "Kota Batu"], "garis_kemiskinan": [600_000, 550_000]}
DAYS = [dt.date(2025, 1, 1) + dt.timedelta(days=i) for i in range(10)]
WEATHER = {"tanggal": pa.array(DAYS), "suhu_rata_rata": [24.0 + i % 3 for i in range(10)],
           "curah_hujan": [float(i) for i in range(10)]}


def _published(tmp_path: Path):
    catalog = load_catalog(REPO / "catalog.yaml")
    portal = LocalPortal(catalog, tmp_path / "portal")
    publish_version(catalog, portal, GARIS, REGIONS, tmp_path / "g1")
    publish_version(catalog, portal, CUACA, WEATHER, tmp_path / "c1")
    render_site(catalog, portal.root)
    settings = RunSettings.from_environment(REPO / "catalog.yaml", portal_dir=portal.root)
    return catalog, portal, RunContext.open(settings)


def _page(portal: LocalPortal, department: str, dataset: str) -> Path:
    return portal.root / department / dataset / "index.html"


def test_a_publish_rewrites_its_own_index_entry_and_keeps_the_others(tmp_path: Path):
    catalog, portal, _ = _published(tmp_path)
    index = portal.root / "index.json"
    document = json.loads(index.read_text(encoding="utf-8"))
    document["datasets"][CUACA]["marker"] = "kept as it was"   # an entry the next publish must not read again
    index.write_text(json.dumps(document), encoding="utf-8")
    publish_version(catalog, portal, GARIS, {**REGIONS, "garis_kemiskinan": [610_000, 550_000]}, tmp_path / "g2")
    after = json.loads(index.read_text(encoding="utf-8"))["datasets"]
    assert after[GARIS]["latest"] == "1.1.0" and [v["version"] for v in after[GARIS]["versions"]] == ["1.0.0",
                                                                                                      "1.1.0"]
    assert after[CUACA]["marker"] == "kept as it was"
    portal.write_index()   # the whole index, read again from the versions
    assert "marker" not in json.loads(index.read_text(encoding="utf-8"))["datasets"][CUACA]


def test_a_run_publishing_one_dataset_renders_its_pages_and_the_listings_only(tmp_path: Path):
    catalog, portal, ctx = _published(tmp_path)
    other = _page(portal, catalog.dataset(CUACA).department, CUACA)
    other_api = portal.root / "api/3/action/package_show" / f"{ckan_name(CUACA)}.json"
    other.write_text("as rendered before", encoding="utf-8")
    other_api.write_text('{"as": "written before"}', encoding="utf-8")
    assert site_was_current(ctx)
    publish_version(catalog, portal, GARIS, {**REGIONS, "garis_kemiskinan": [610_000, 550_000]}, tmp_path / "g2")
    refresh_site.fn(ctx, [GARIS], True)
    assert "1.1.0" in _page(portal, catalog.dataset(GARIS).department, GARIS).read_text(encoding="utf-8")
    assert other.read_text(encoding="utf-8") == "as rendered before"   # not rendered again
    assert other_api.read_text(encoding="utf-8") == '{"as": "written before"}'
    search = json.loads((portal.root / "api/3/action/package_search.json").read_text(encoding="utf-8"))
    garis = next(p for p in search["result"]["results"] if p["name"] == ckan_name(GARIS))
    assert "1.1.0" in json.dumps(garis)   # the catalogue-wide answers are written again
    assert site_is_current(portal.root) and portal.index_is_current()


def test_a_site_that_was_not_whole_before_the_run_is_rendered_whole(tmp_path: Path):
    catalog, portal, ctx = _published(tmp_path)
    other = _page(portal, catalog.dataset(CUACA).department, CUACA)
    other.write_text("half written", encoding="utf-8")
    (portal.root / ".site-rendered").unlink()   # as if a run was killed while rendering
    was = site_was_current(ctx)
    assert not was
    publish_version(catalog, portal, GARIS, {**REGIONS, "garis_kemiskinan": [610_000, 550_000]}, tmp_path / "g2")
    refresh_site.fn(ctx, [GARIS], was)
    assert CUACA in other.read_text(encoding="utf-8")   # repaired
    assert site_is_current(portal.root)


def test_a_run_that_publishes_nothing_writes_neither_index_nor_site(tmp_path: Path):
    catalog, portal, ctx = _published(tmp_path)
    index, page = portal.root / "index.json", _page(portal, catalog.dataset(GARIS).department, GARIS)
    stamps = (index.stat().st_mtime_ns, page.stat().st_mtime_ns, (portal.root / "index.html").stat().st_mtime_ns)
    refresh_site.fn(ctx, [], True)
    assert (index.stat().st_mtime_ns, page.stat().st_mtime_ns,
            (portal.root / "index.html").stat().st_mtime_ns) == stamps


def test_the_no_op_test_reads_the_latest_descriptor_only(tmp_path: Path, monkeypatch):
    catalog, portal, _ = _published(tmp_path)
    dataset = catalog.dataset(GARIS)
    assert portal.latest_inputs(dataset) == ("1.0.0", portal.latest(dataset).inputs_sha256)
    read = []
    original = portal.store.read
    monkeypatch.setattr(portal.store, "read", lambda *a: read.append(a[-1]) or original(*a))
    unchanged_since_latest(catalog, portal, dataset)
    assert read == ["datapackage.json"]
