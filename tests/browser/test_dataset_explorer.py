"""A dataset's page as a journalist uses it, in headless Chromium at 1280×800 and 390×844: the download box on the
first screen, the whole dataset in a paged and sortable table loaded from the published CSV, a chart of a chosen
column, no console errors, hostile cells shown as text, and the static table and chart when JavaScript is off."""

from __future__ import annotations

import csv
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import DATASET, DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

LOADED = "#explore[data-loaded], #explore[data-error]"
BAR = (11, 79, 138)            # the bars' colour, #0b4f8a


class Watched:
    """A page with its console errors and uncaught exceptions recorded."""

    def __init__(self, browser, viewport: dict, **options) -> None:
        self.context = browser.new_context(viewport=viewport, **options)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def desktop(browser) -> Iterator[Watched]:
    watched = Watched(browser, DESKTOP)
    yield watched
    watched.close()


def _rows(portal: Path, dataset, version: str = "1.0.0") -> list[list[str]]:
    with (portal / dataset.department / dataset.id / version / "data.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def _first_cells(page, column: int = 0) -> list[str]:
    return page.eval_on_selector_all("#data-table tbody tr", f"rows => rows.map(r => r.cells[{column}].textContent)")


def _open(watched: Watched, site_url: str, dataset) -> None:
    watched.page.goto(f"{site_url}/{dataset.department}/{dataset.id}/index.html")
    watched.page.wait_for_selector(LOADED, state="attached", timeout=30_000)
    assert watched.page.get_attribute("#explore", "data-error") is None


def test_the_table_holds_the_whole_dataset_pages_and_sorts(published, site_url, desktop, shots):
    catalog, portal = published
    dataset = catalog.dataset(DATASET)
    header, *rows = _rows(portal, dataset)
    page = desktop.page
    _open(desktop, site_url, dataset)
    assert page.get_attribute("#explore", "data-loaded") == str(len(rows)) and len(rows) > 1000
    assert _first_cells(page) == [r[0] for r in rows[:20]]
    page.get_by_role("button", name="Berikutnya").click()                         # page 2: rows 21–40
    assert _first_cells(page) == [r[0] for r in rows[20:40]]
    assert page.locator("#table-status").inner_text().startswith(f"Baris 21–40 dari {len(rows)}")
    page.get_by_role("button", name="Akhir").click()
    assert _first_cells(page)[-1] == rows[-1][0]
    page.get_by_label("Baris per halaman").select_option("100")                   # back to the first page
    assert _first_cells(page) == [r[0] for r in rows[:100]]

    wait = header.index("waktu_tunggu_menit")
    heading = page.locator("#data-table thead th").nth(wait)
    heading.get_by_role("button").click()                                         # ascending, numerically
    numbers = sorted(float(r[wait]) for r in rows if r[wait])
    assert heading.get_attribute("aria-sort") == "ascending"
    assert [float(v) for v in _first_cells(page, wait)] == numbers[:100]
    heading.get_by_role("button").click()                                         # descending
    assert [float(v) for v in _first_cells(page, wait)] == numbers[::-1][:100]
    page.locator("#data-table thead th").nth(0).get_by_role("button").click()     # a text column, A→Z
    assert _first_cells(page) == sorted(r[0] for r in rows)[:100]

    page.get_by_label("Cari di tabel").fill("Pindah Datang")
    service = header.index("layanan")
    expected = [r for r in rows if any("pindah datang" in c.lower() for c in r)]
    assert set(_first_cells(page, service)) == {"Pindah Datang"}
    assert f"dari {len(expected)}" in page.locator("#table-status").inner_text()
    page.screenshot(path=shots / "explorer-table-1280.png")
    assert desktop.errors == []


def _bar_pixels(page) -> int:
    return page.evaluate("""([r, g, b]) => {
        const canvas = document.querySelector('#chart-canvas canvas');
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 0; i < data.length; i += 4) {
            if (Math.abs(data[i] - r) < 8 && Math.abs(data[i + 1] - g) < 8 && Math.abs(data[i + 2] - b) < 8) n++;
        }
        return n;
    }""", list(BAR))


def test_the_chart_draws_the_chosen_column_by_time_or_by_kecamatan(published, site_url, desktop, shots):
    catalog, portal = published
    dataset = catalog.dataset(DATASET)
    page = desktop.page
    _open(desktop, site_url, dataset)
    assert page.locator("#chart-live").is_visible() and page.locator("#chart-static").is_hidden()
    assert page.locator("#chart-measure").input_value() == "waktu_tunggu_menit"
    caption = page.locator("#chart-caption").inner_text()
    assert caption.startswith("Rata-rata waktu_tunggu_menit per hari menurut tanggal")
    assert _bar_pixels(page) > 2000
    page.locator("#chart-canvas .u-over").hover()
    assert ": " in page.locator("#chart-readout").inner_text()                    # the bar under the pointer

    page.locator("#chart-measure").select_option("")                                  # rows per kecamatan
    page.locator("#chart-group").select_option("kode_kecamatan")
    header, *rows = _rows(portal, dataset)
    kecamatan = header.index("kode_kecamatan")
    counts = {}
    for row in rows:
        counts[row[kecamatan]] = counts.get(row[kecamatan], 0) + 1
    with (portal / dataset.department / dataset.id / "1.0.0" / "kode-wilayah.csv").open(encoding="utf-8") as f:
        names = {r["kode"]: r["nama_wilayah"] for r in csv.DictReader(f)}
    top = max(counts, key=counts.get)
    caption = page.locator("#chart-caption").inner_text()
    assert caption.startswith(f"Jumlah baris menurut kode_kecamatan ({len(counts)} kelompok); tertinggi "
                              f"{names[top]}: {counts[top]}")                     # codes named from kode-wilayah.csv
    assert page.locator("#chart-aggregate").is_disabled()
    assert _bar_pixels(page) > 2000
    page.locator("#shape-h").scroll_into_view_if_needed()
    page.screenshot(path=shots / "explorer-chart-1280.png")
    assert desktop.errors == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280x800", "390x844"])
def test_the_download_box_is_on_the_first_screen_and_gives_the_right_bytes(published, site_url, browser, shots,
                                                                          viewport):
    catalog, portal = published
    dataset = catalog.dataset(DATASET)
    watched = Watched(browser, viewport, is_mobile=viewport == PHONE, has_touch=viewport == PHONE)
    page = watched.page
    _open(watched, site_url, dataset)
    box = page.locator("section.download-box")
    links = {"latest/data.csv": "data.csv", "latest/data.parquet": "data.parquet", "#dictionary-h": None,
             "#versions-h": None}
    for href, name in links.items():
        link = box.locator(f"a[href='{href}']").first
        place = link.bounding_box()
        assert place and place["y"] >= 0 and place["y"] + place["height"] <= viewport["height"], (href, place)
        if name:
            body = page.request.get(f"{site_url}/{dataset.department}/{dataset.id}/{href}").body()
            assert body == (portal / dataset.department / dataset.id / "1.0.0" / name).read_bytes(), href
    page.screenshot(path=shots / f"dataset-first-screen-{viewport['width']}.png")
    box.get_by_role("link", name="Semua versi").click()
    assert page.locator("#versions-h").is_visible()
    assert watched.errors == []
    watched.close()


def test_on_a_phone_the_catalogue_shows_a_dataset_on_the_first_screen(published, site_url, browser, shots):
    catalog, _ = published
    watched = Watched(browser, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = watched.page
    page.goto(f"{site_url}/")
    first = page.locator("#dataset-list li.card").first
    title = first.locator("h3 a").bounding_box()
    assert first.locator("h3 a").inner_text() == catalog.datasets[0].title.id
    assert title["y"] >= 0 and title["y"] + title["height"] <= PHONE["height"], title
    page.screenshot(path=shots / "catalogue-first-screen-390.png")
    assert watched.errors == []
    watched.close()


def test_without_javascript_the_static_table_and_chart_remain(published, site_url, browser):
    catalog, portal = published
    dataset = catalog.dataset(DATASET)
    watched = Watched(browser, DESKTOP, java_script_enabled=False)
    page = watched.page
    page.goto(f"{site_url}/{dataset.department}/{dataset.id}/index.html")
    assert _first_cells(page) == [r[0] for r in _rows(portal, dataset)[1:21]]
    assert page.locator("#table-pager").is_hidden() and page.locator("#table-tools").is_hidden()
    assert page.locator("#chart-static svg.chart").is_visible() and page.locator("#chart-live").is_hidden()
    assert page.locator("section.download-box a[href='latest/data.csv']").is_visible()
    watched.close()


# --------------------------------------------------------------------------------------- hostile cells
HOSTILE = ["<img src=x onerror=\"window.__pwned='img'\">", "<script>window.__pwned='script'</script>",
           "javascript:window.__pwned='link'", "=HYPERLINK(\"http://example.invalid\")"]


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Iterator[str]:
    """A small portal whose poverty lines name regions with markup, served by the portal's own server."""
    from satudata.publish.local import LocalPortal
    from satudata.publish.site import render_site
    from satudata.publish.site.server import portal_server
    from tests.unit.test_site import GARIS, REPO, load_catalog, publish_version

    base = tmp_path_factory.mktemp("hostile")
    catalog = load_catalog(REPO / "catalog.yaml")
    root = base / "portal"
    names = [*HOSTILE, *(f"Kota {i}" for i in range(30))]
    publish_version(catalog, LocalPortal(catalog, root), GARIS,
                    {"wilayah": names, "garis_kemiskinan": [500_000 + i for i in range(len(names))]}, base / "work")
    render_site(catalog, root)
    server = portal_server(root, "127.0.0.1", 0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/bappeda/garis-kemiskinan-jatim/index.html"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def test_hostile_cells_are_shown_as_text_never_run(hostile_site, desktop):
    page = desktop.page
    page.goto(hostile_site)
    page.wait_for_selector(LOADED, state="attached", timeout=30_000)
    assert page.get_attribute("#explore", "data-loaded") == str(len(HOSTILE) + 30)
    page.locator("#chart-group").select_option("wilayah")
    assert _first_cells(page)[:len(HOSTILE)] == HOSTILE                          # the very text, as text
    page.locator("#data-table thead th").nth(0).get_by_role("button").click()
    page.get_by_role("button", name="Berikutnya").click()
    assert page.locator("#data-table img, #data-table script, #data-table a").count() == 0
    assert page.evaluate("window.__pwned") is None
    assert desktop.errors == []                                                  # no <img src=x> was fetched
