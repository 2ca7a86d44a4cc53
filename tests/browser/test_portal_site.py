"""The portal as a journalist uses it, in headless Chromium: the demo catalogue published by the real flow, served
by `satudata serve`, filtered, opened, downloaded, at desktop and phone width, with and without JavaScript."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.browser.conftest import CHANGED, DATASET, DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]


def _visible_cards(page) -> list[str]:
    return page.eval_on_selector_all("#dataset-list li.card:not([hidden])", "els => els.map(e => e.dataset.dataset)")


def test_catalogue_filters_by_department_and_search(published, site_url, browser, shots):
    catalog, _ = published
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{site_url}/")
    assert page.locator("html").get_attribute("lang") == "id"
    assert _visible_cards(page) == [d.id for d in catalog.datasets]
    page.get_by_label("Perangkat daerah").select_option("bappeda")
    expected = [d.id for d in catalog.datasets if d.department == "bappeda"]
    assert _visible_cards(page) == expected and len(expected) == 2
    assert "department=bappeda" in page.url
    assert page.locator("#result-count").inner_text().startswith(f"2 dari {len(catalog.datasets)} dataset")
    page.get_by_label("Cari").fill("kemiskinan")
    assert _visible_cards(page) == ["garis-kemiskinan-jatim"]
    page.screenshot(path=shots / "catalogue-filtered-1280.png", full_page=True)
    page.get_by_role("button", name="Hapus filter").click()
    page.get_by_label("Dimensi").select_option("environment")
    assert _visible_cards(page) == [d.id for d in catalog.datasets if d.dimension == "environment"]
    page.get_by_label("Tag").select_option("apbd")
    page.get_by_label("Dimensi").select_option("")
    assert _visible_cards(page) == [d.id for d in catalog.datasets if "apbd" in d.tags]
    page.goto(f"{site_url}/?department=dinkes")   # a filtered address can be shared
    assert _visible_cards(page) == [d.id for d in catalog.datasets if d.department == "dinkes"]
    page.close()


def test_dataset_page_downloads_match_the_published_files(published, site_url, browser, shots):
    catalog, portal = published
    dataset = catalog.dataset(DATASET)
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{site_url}/")
    page.get_by_role("link", name=dataset.title.id).click()
    page.wait_for_url(f"{site_url}/{dataset.department}/{dataset.id}/index.html")
    assert page.locator("h1").inner_text() == dataset.title.id
    assert page.locator("p.subtitle[lang=en]").inner_text() == dataset.title.en
    folder = portal / dataset.department / dataset.id
    for link, published_file in (("latest/data.csv", folder / "1.0.0" / "data.csv"),
                                 ("1.0.0/data.parquet", folder / "1.0.0" / "data.parquet")):
        with page.expect_download() as info:
            page.locator(f"a[href='{link}']").first.click()
        assert Path(info.value.path()).read_bytes() == published_file.read_bytes(), link
    chart = page.locator("svg.chart")
    assert chart.get_attribute("role") == "img" and chart.locator("title").count() >= 1
    assert page.locator("table.preview tbody tr").count() == 20
    assert "tidak diterbitkan" in page.locator("table.dictionary").inner_text()
    page.screenshot(path=shots / "dataset-1280.png", full_page=True)
    context.close()


def test_pages_fit_a_phone_and_tables_scroll_sideways(published, site_url, browser, shots):
    catalog, _ = published
    dataset = catalog.dataset(DATASET)
    page = browser.new_page(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    for name, path in (("catalogue", "/"), ("dataset", f"/{dataset.department}/{dataset.id}/index.html")):
        page.goto(f"{site_url}{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is {overflow}px wider than a phone"
        page.screenshot(path=shots / f"{name}-390.png", full_page=True)
    preview = page.locator("div.table-scroll", has=page.locator("table.preview"))
    assert preview.evaluate("e => e.scrollWidth > e.clientWidth && getComputedStyle(e).overflowX === 'auto'")
    page.close()


def test_without_javascript_every_dataset_and_link_still_works(published, site_url, browser):
    catalog, portal = published
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site_url}/")
    assert page.locator("#filters").is_hidden()
    assert page.locator("#dataset-list li.card:visible").count() == len(catalog.datasets)
    page.locator(".browse").get_by_role("link", name=catalog.department("dlh").name).click()
    cards = page.locator("li.card")
    assert cards.count() == len([d for d in catalog.datasets if d.department == "dlh"])
    dataset = catalog.dataset("cuaca-harian-geofisika-malang")
    cards.first.get_by_role("link", name=dataset.title.id).click()
    assert page.locator("h1").inner_text() == dataset.title.id
    response = page.request.get(f"{site_url}/{dataset.department}/{dataset.id}/latest/data.csv")
    assert response.body() == (portal / dataset.department / dataset.id / "1.0.0" / "data.csv").read_bytes()
    context.close()


def test_the_flow_wrote_changelogs_and_the_site_shows_every_version(published, site_url, browser, shots):
    catalog, portal = published
    for dataset in catalog.datasets:
        first = json.loads((portal / dataset.department / dataset.id / "1.0.0" / "changelog.json").read_text())
        rows = pq.ParquetFile(portal / dataset.department / dataset.id / "1.0.0" / "data.parquet").metadata.num_rows
        assert (first["method"], first["rows"]["after"]) == ("first-version", rows), dataset.id
    dataset = catalog.dataset(CHANGED)
    folder = portal / dataset.department / dataset.id
    second = json.loads((folder / "1.1.0" / "changelog.json").read_text())
    assert (second["method"], second["primary_key"]) == ("primary-key", ["id_laporan"])
    assert (second["rows_removed"]["count"], second["rows_added"]["count"]) == (1, 0)
    assert second["rows"]["after"] == second["rows"]["before"] - 1
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{site_url}/{dataset.department}/{dataset.id}/index.html")
    versions = [" ".join(t.split()) for t in page.locator("table.versions tbody th").all_inner_texts()]
    assert versions == ["1.1.0 terbaru latest", "1.0.0"]
    for version in ("1.1.0", "1.0.0"):
        for name in ("data.csv", "data.parquet"):
            link = page.locator(f"a[download][href='{version}/{name}']")
            response = page.request.get(f"{site_url}/{dataset.department}/{dataset.id}/{version}/{name}")
            assert link.count() == 1 and response.body() == (folder / version / name).read_bytes()
    changes = page.locator("section[aria-labelledby=changes-h]")
    assert "1 baris dihapus" in changes.inner_text()
    changes.locator("summary").first.click()
    removed = second["rows_removed"]["sample"][0]
    assert removed["id_laporan"] in changes.locator("details[open] table").inner_text()
    changes.screenshot(path=shots / "changelog-1280.png")
    page.close()
