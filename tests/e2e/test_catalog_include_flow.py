"""End to end: a catalogue of 30 datasets, one datasets/<id>/dataset.yaml each (the benchmark's generator), through
the real catalogue flow: published, re-run unchanged (nothing written), then one export changed (only its pages)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.catalog_scale import generate, write_export
from satudata.core.catalog import load_catalog
from satudata.core.settings import RunSettings
from satudata.flows.publish import with_concurrency
from satudata.publish.site import site_is_current

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]
COUNT = 30


def _run(project: Path) -> dict[str, dict]:
    catalog = load_catalog(project / "catalog.yaml")
    settings = RunSettings.from_environment(project / "catalog.yaml", portal_dir=project / "portal")
    outcomes = with_concurrency(2)([d.id for d in catalog.datasets], settings.to_dict())
    return {o["dataset"]: o for o in outcomes}


def _stamps(portal: Path) -> dict[str, int]:
    return {str(p.relative_to(portal)): p.stat().st_mtime_ns for p in portal.rglob("*")
            if p.is_file() and not p.name.startswith(".")}


def test_an_included_catalogue_publishes_reruns_as_a_no_op_and_renders_only_what_changed(tmp_path: Path):
    import duckdb

    project = tmp_path / "project"
    entries = generate(project, COUNT, big=False)
    catalog = load_catalog(project / "catalog.yaml")
    assert len(catalog.datasets) == COUNT and all(catalog.where(d.id)[1] == "" for d in catalog.datasets)
    first = _run(project)
    assert {o["status"] for o in first.values()} == {"published"}, [o for o in first.values()
                                                                    if o["status"] != "published"][:2]
    portal = project / "portal"
    assert site_is_current(portal)
    before = _stamps(portal)

    again = _run(project)
    assert {o["status"] for o in again.values()} == {"unchanged"}
    assert _stamps(portal) == before   # no index.json, no page, no version written

    changed = entries[3]
    con = duckdb.connect()
    write_export(con, project, changed, shift=1)
    con.close()
    third = _run(project)
    assert third[changed["id"]]["status"] == "published" and third[changed["id"]]["version"] == "1.1.0"
    assert {o["status"] for i, o in third.items() if i != changed["id"]} == {"unchanged"}
    after = _stamps(portal)
    rewritten = {path for path, stamp in after.items() if before.get(path) != stamp}
    page = f"{changed['department']}/{changed['id']}/index.html"
    assert page in rewritten and "index.html" in rewritten and "index.json" in rewritten
    others = [e for e in entries if e["id"] != changed["id"]]
    assert not any(f"{e['department']}/{e['id']}/index.html" in rewritten for e in others)
    assert site_is_current(portal)
