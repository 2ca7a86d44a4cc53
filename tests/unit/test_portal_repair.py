"""A run killed between a version's rename and the index (or while the site renders) leaves them behind: the next
run sees it and writes them again, even when it publishes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from satudata.core.catalog import load_catalog
from satudata.core.settings import RunSettings
from satudata.flows.context import RunContext
from satudata.flows.tasks import refresh_site
from satudata.publish.local import LocalPortal
from satudata.publish.site import render_site, site_is_current
from tests.unit.test_site import GARIS, REPO, publish_version

REGIONS = {"wilayah": ["Kota Malang", "Kota Batu"], "garis_kemiskinan": [600_000, 550_000]}


def test_a_lagging_index_and_a_stale_site_are_rewritten_by_a_run_that_publishes_nothing(tmp_path: Path):
    catalog = load_catalog(REPO / "catalog.yaml")
    portal = LocalPortal(catalog, tmp_path / "portal")
    publish_version(catalog, portal, GARIS, REGIONS, tmp_path / "w1")
    render_site(catalog, portal.root)
    index = portal.root / "index.json"
    lagging = index.read_bytes()                      # the index as it was at 1.0.0
    publish_version(catalog, portal, GARIS, {**REGIONS, "garis_kemiskinan": [610_000, 550_000]}, tmp_path / "w2")
    assert portal.index_is_current() and not site_is_current(portal.root)   # the site was not rendered again
    index.write_bytes(lagging)                        # as if killed before the index was rewritten
    assert not portal.index_is_current()
    settings = RunSettings.from_environment(REPO / "catalog.yaml", portal_dir=portal.root)
    refresh_site.fn(RunContext.open(settings), False)
    assert portal.index_is_current() and site_is_current(portal.root)
    assert json.loads(index.read_text())["datasets"][GARIS]["latest"] == "1.1.0"
    page = (portal.root / "bappeda" / GARIS / "index.html").read_text(encoding="utf-8")
    assert "1.1.0" in page
