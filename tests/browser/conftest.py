"""What the browser tests share: the demo catalogue published once by the real flow, `satudata serve` on a free
loopback port, one headless Chromium (Debian's), and a folder for screenshots (under pytest's tmp dir; copied to
$SATUDATA_SCREENSHOTS as well when that is set, to look at them)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from satudata.core.catalog import Catalog, load_catalog
from satudata.core.settings import RunSettings
from satudata.flows.publish import with_concurrency
from tests.conftest import serving

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DESKTOP, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}
DATASET = "antrean-nunggu-transparan"
CHANGED = "pengaduan-ngalam-command-center"


@pytest.fixture(scope="package")
def published(tmp_path_factory, prefect_harness) -> tuple[Catalog, Path]:
    """The whole demo catalogue published into a temporary project by the real flow (which renders the site), then
    a second version of the complaints: the last complaint of the export withdrawn."""
    from tests.conftest import copy_project

    project = copy_project(tmp_path_factory.mktemp("browser") / "project")
    catalog = load_catalog(project / "catalog.yaml")
    settings = RunSettings.from_environment(project / "catalog.yaml", portal_dir=project / "portal").to_dict()
    outcomes = with_concurrency(2)([d.id for d in catalog.datasets], settings)
    assert {o["status"] for o in outcomes} == {"published"}, outcomes
    export = project / catalog.dataset(CHANGED).source.path
    lines = export.read_text(encoding="utf-8").splitlines(keepends=True)
    export.write_text("".join(lines[:-1]), encoding="utf-8")
    outcomes = with_concurrency(1)([CHANGED], settings)
    assert [(o["status"], o["version"]) for o in outcomes] == [("published", "1.1.0")], outcomes
    return catalog, project / "portal"


@pytest.fixture(scope="package")
def site_url(published) -> Iterator[str]:
    """`satudata serve` on a free loopback port, stopped by its PID at the end."""
    with serving(published[1]) as url:
        yield url


@pytest.fixture(scope="package")   # not session: sync_playwright keeps an event loop running, which later
def browser() -> Iterator:            # tests (Prefect's sync calls) must not find
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="package")
def shots(tmp_path_factory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("screenshots")
    yield folder
    if os.environ.get("SATUDATA_SCREENSHOTS"):
        shutil.copytree(folder, os.environ["SATUDATA_SCREENSHOTS"], dirs_exist_ok=True)
