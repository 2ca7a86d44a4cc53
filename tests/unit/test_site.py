"""The portal's static site: pages, links that work without JavaScript, downloads of every version, the chart,
the data dictionary, the changelog, how to cite, and the server behind `satudata serve`."""

from __future__ import annotations

import datetime as dt
import html as html_text
import json
import re
import threading
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from satudata.convert import write_outputs
from satudata.core.catalog import Catalog, load_catalog, load_schema
from satudata.core.files import sha256_file
from satudata.flows.bundle import assemble
from satudata.lineage.changelog import build_changelog, write_changelog
from satudata.lineage.record import LineageInput
from satudata.publish.local import LocalPortal
from satudata.publish.package import published_schema
from satudata.publish.site import render_site
from satudata.publish.site.chart import render_svg, shape_of
from satudata.publish.site.render import check_reserved, preview
from satudata.publish.site.server import portal_server
from satudata.validators.privacy_gate import column_treatments, declared
from satudata.validators.report import CheckResult, ValidationReport
from satudata.versioning import decide, fingerprint, metadata_sha256

REPO = Path(__file__).resolve().parents[2]
GARIS, CUACA, ANTREAN = "garis-kemiskinan-jatim", "cuaca-harian-geofisika-malang", "antrean-nunggu-transparan"


# --------------------------------------------------------------------------------------- a small published portal
def publish_version(catalog: Catalog, portal: LocalPortal, dataset_id: str, columns: dict[str, pa.Array | list],
                    work: Path, warnings: int = 0) -> str:
    """Publish one version the way the flow does (outputs, changelog, bundle, local portal), without validation."""
    dataset = catalog.dataset(dataset_id)
    schema = load_schema(catalog, dataset_id)
    suite = json.loads(catalog.suite_path(dataset_id).read_text(encoding="utf-8"))
    rows = len(next(iter(columns.values())))
    work.mkdir(parents=True, exist_ok=True)
    typed = work / "typed.parquet"
    pq.write_table(pa.table({**columns, "_file": ["export.csv"] * rows, "_row": list(range(2, rows + 2))}), typed)
    outputs = write_outputs(typed, work / "out", column_treatments(schema, "test-salt"))
    treatments = declared(schema)
    public = published_schema(schema, {n for n, t in treatments.items() if t in ("drop", "aggregate-only")},
                              {n for n, t in treatments.items() if t in ("mask", "hash")})
    fp = fingerprint(outputs, public, metadata_sha256(catalog, dataset, schema, suite))
    previous = portal.latest(dataset)
    decision = decide(previous.version if previous else None, previous.fingerprint if previous else None, fp)
    assert decision.version is not None
    before = portal.fetch(dataset, previous.version, "data.parquet", work / "previous.parquet") if previous else None
    current = next(o.path for o in outputs if o.name == "data.parquet")
    changelog = write_changelog(build_changelog(before, current, dataset_id=dataset_id, version=decision.version,
                                                previous_version=previous.version if previous else None,
                                                primary_key=public.get("primaryKey")), work / "changelog.json")
    results = [CheckResult("maximum", "table-schema", "warning", next(iter(columns)), warnings)] if warnings else []
    report = ValidationReport(dataset_id, [], rows, results)
    lineage = LineageInput(dataset_id, decision.version, str(uuid.uuid4()), "2025-07-01T00:00:00+00:00", [],
                           list(fp.columns), [], code_root=str(REPO))
    bundle, _ = assemble(catalog, dataset, portal, decision, outputs, public, fp, report, lineage, previous,
                         {"changelog.json": changelog}, work / "bundle")
    portal.publish(dataset, bundle)
    return decision.version


def _antrean_columns(rows: int) -> dict[str, list]:
    return {
        "id_antrean": [f"ANT250602{1 + i % 5:02d}{i:03d}" for i in range(rows)],
        "tanggal": pa.array([dt.date(2025, 6, 2) + dt.timedelta(days=i % 20) for i in range(rows)]),
        "jam_ambil": pa.array([dt.time(8, i % 60) for i in range(rows)]),
        "kode_kecamatan": [f"35.73.0{1 + i % 5}" for i in range(rows)],
        "layanan": ["KTP-el"] * rows,
        "nik_pemohon": [f"3573{i:012d}" for i in range(rows)],
        "no_hp": ["0812-3456-7890"] * rows,
        "waktu_tunggu_menit": [float(i % 30) for i in range(rows)],
        "rating": [1 + i % 5 for i in range(rows)],
        "kode_petugas": [f"DPC-{100 + i % 9}" for i in range(rows)],
    }


def build_portal(root: Path, work: Path, base_url: str | None = None) -> tuple[Catalog, Path]:
    """Two versions of the poverty lines (one row changed, one added), the weather (no key) and the queue log;
    served at ``base_url`` (the public URL of a real deployment), or with no public URL (the demo's default)."""
    catalog = load_catalog(REPO / "catalog.yaml")
    if base_url:
        catalog = catalog.model_copy(update={"portal": catalog.portal.model_copy(update={"base_url": base_url})})
    portal = LocalPortal(catalog, root)
    regions = ["Kota Malang", "Kota Batu", "Kabupaten Malang"]
    publish_version(catalog, portal, GARIS, {"wilayah": regions, "garis_kemiskinan": [600_000, 550_000, 480_000]},
                    work / "g1")
    publish_version(catalog, portal, GARIS, {"wilayah": [*regions, "Kota Blitar"],
                                             "garis_kemiskinan": [610_000, 550_000, 480_000, 530_000]},
                    work / "g2", warnings=2)
    days = [dt.date(2025, 1, 1) + dt.timedelta(days=3 * i) for i in range(40)]
    publish_version(catalog, portal, CUACA, {"tanggal": pa.array(days), "suhu_rata_rata": [24.0 + i % 5 for i in
                                                                                           range(40)],
                                             "curah_hujan": [None if i % 7 == 0 else float(i) for i in range(40)]},
                    work / "c1")
    publish_version(catalog, portal, ANTREAN, _antrean_columns(30), work / "a1")
    render_site(catalog, root)
    return catalog, root


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Catalog, Path]:
    base = tmp_path_factory.mktemp("site")
    return build_portal(base / "portal", base / "work")


# --------------------------------------------------------------------------------------- reading the HTML
@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    text: str = ""


@dataclass
class Page(HTMLParser):
    elements: list[Element] = field(default_factory=list)
    _open: list[Element] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        self.elements.append(element)
        if tag not in ("meta", "link", "br", "input", "img", "rect", "line"):
            self._open.append(element)

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        for element in self._open:
            element.text += data

    def find(self, tag: str, **attrs: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag and all(e.attrs.get(k.rstrip("_")) == v
                                                                   for k, v in attrs.items())]

    def by_id(self, element_id: str) -> Element:
        return next(e for e in self.elements if e.attrs.get("id") == element_id)


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _dataset_page(root: Path, catalog: Catalog, dataset_id: str) -> Page:
    dataset = catalog.dataset(dataset_id)
    return parse(root / dataset.department / dataset.id / "index.html")


# --------------------------------------------------------------------------------------- the pages
def test_every_page_asset_and_catalogue_file_is_written(site):
    catalog, root = site
    for name in ("index.html", "assets/site.css", "assets/filter.js", "catalog.jsonld"):
        assert (root / name).is_file(), name
    for department in catalog.departments:   # one static filter page per department, even an empty one
        assert (root / department.id / "index.html").is_file()
    assert sorted(p.name for p in (root / "tema").iterdir()) == ["environment", "governance", "society"]
    published_tags = {t for d in (GARIS, CUACA, ANTREAN) for t in catalog.dataset(d).tags}
    assert {p.name for p in (root / "tag").iterdir()} == published_tags
    for dataset_id in (GARIS, CUACA, ANTREAN):
        dataset = catalog.dataset(dataset_id)
        assert (root / dataset.department / dataset.id / "index.html").is_file()
        assert (root / dataset.department / dataset.id / "dataset.jsonld").is_file()
    assert not (root / "bappeda" / "kode-wilayah").exists()   # not published: no page


def test_every_relative_link_and_source_resolves_to_a_file(site):
    _, root = site
    checked = 0
    for html in root.rglob("*.html"):
        if html.name != "index.html":   # the versions' own reports are not the site's pages
            continue
        for element in parse(html).elements:
            target = element.attrs.get("href") or element.attrs.get("src")
            if not target or urlsplit(target).scheme or target.startswith(("#", "//")):
                continue
            path = urlsplit(target).path
            resolved = (html.parent / path).resolve()
            if path.endswith("/") or path == "":
                resolved = resolved / "index.html"
            assert resolved.is_file(), f"{html.relative_to(root)}: {target}"
            assert root in resolved.parents or resolved.parent == root
            checked += 1
    assert checked > 200


def test_catalogue_lists_every_published_dataset_with_working_links_without_javascript(site):
    catalog, root = site
    page = parse(root / "index.html")
    cards = page.find("li", class_="card")
    assert [c.attrs["data-dataset"] for c in cards] == [d.id for d in catalog.datasets if d.id in (GARIS, CUACA,
                                                                                                    ANTREAN)]
    hrefs = {e.attrs["href"] for e in page.find("a")}
    for dataset_id in (GARIS, CUACA, ANTREAN):
        dataset = catalog.dataset(dataset_id)
        prefix = f"{dataset.department}/{dataset.id}"
        assert {f"{prefix}/index.html", f"{prefix}/latest/data.csv", f"{prefix}/latest/data.parquet"} <= hrefs
    assert {f"{d.id}/index.html" for d in catalog.departments} <= hrefs        # static department filters
    form = page.by_id("filters")
    assert "hidden" in form.attrs                                               # shown only by the script
    labelled = {e.attrs["for"] for e in page.find("label")}
    assert {"q", "department", "dimension", "tag"} <= labelled
    department_options = [e.attrs["value"] for e in page.elements
                          if e.tag == "option" and e.attrs.get("value") in {d.id for d in catalog.departments}]
    assert department_options == [d.id for d in catalog.departments]
    assert page.find("script", src="assets/filter.js")
    assert not [e for e in page.find("script") if not e.attrs.get("src")]     # no inline script


def test_department_page_is_a_static_filter(site):
    catalog, root = site
    page = parse(root / "bappeda" / "index.html")
    assert [c.attrs["data-dataset"] for c in page.find("li", class_="card")] == [GARIS]
    assert page.find("a", href="../bappeda/garis-kemiskinan-jatim/index.html")
    tag_page = parse(root / "tag" / "cuaca" / "index.html")
    assert [c.attrs["data-dataset"] for c in tag_page.find("li", class_="card")] == [CUACA]


def test_pages_are_indonesian_with_english_marked_and_fit_a_phone(site):
    catalog, root = site
    for path in (root / "index.html", root / "tema" / "society" / "index.html",
                 root / "bappeda" / "garis-kemiskinan-jatim" / "index.html"):
        page = parse(path)
        assert page.find("html")[0].attrs["lang"] == "id"
        assert page.find("meta", name="viewport")[0].attrs["content"] == "width=device-width, initial-scale=1"
        assert len(page.find("h1")) == 1
        assert any(e.attrs.get("lang") == "en" for e in page.elements)
    page = _dataset_page(root, catalog, GARIS)
    english = [_squash(e.text) for e in page.elements if e.attrs.get("lang") == "en"]
    assert _squash(catalog.dataset(GARIS).description.en) in english
    assert _squash(catalog.dataset(GARIS).title.en) in english
    css = (root / "assets" / "site.css").read_text(encoding="utf-8")
    assert ".table-scroll { overflow-x: auto;" in css
    assert all(e.attrs.get("class") == "table-scroll" for e in page.elements if e.tag == "div"
               and e.attrs.get("role") == "region")
    assert len(page.find("div", class_="table-scroll")) >= 3


def test_dataset_page_links_csv_and_parquet_of_every_version(site):
    catalog, root = site
    page = _dataset_page(root, catalog, GARIS)
    downloads = {e.attrs["href"] for e in page.find("a") if "download" in e.attrs}
    assert downloads == {"latest/data.csv", "latest/data.parquet", "1.0.0/data.csv", "1.0.0/data.parquet",
                         "1.1.0/data.csv", "1.1.0/data.parquet"}
    folder = root / "bappeda" / "garis-kemiskinan-jatim"
    assert (folder / "latest").resolve() == (folder / "1.1.0").resolve()
    assert [e.attrs["id"] for e in page.elements if e.tag == "tr" and e.attrs.get("id")] == ["v1.1.0", "v1.0.0"]


def test_dataset_page_shows_changelog_validation_and_lineage(site):
    catalog, root = site
    page = _dataset_page(root, catalog, GARIS)
    folder = root / "bappeda" / "garis-kemiskinan-jatim" / "1.1.0"
    changelog = json.loads((folder / "changelog.json").read_text(encoding="utf-8"))
    assert changelog["rows_added"]["count"] == 1 and changelog["rows_changed"]["count"] == 1
    section = _squash(next(e for e in page.find("section") if e.attrs.get("aria-labelledby") == "changes-h").text)
    assert "1 baris ditambah rows added" in section and "1 baris diubah rows changed" in section
    assert "3 → 4 baris rows" in section
    assert "Kota Malang" in section and "600000" in section and "610000" in section   # the changed row, old → new
    assert "Kota Blitar" in section                                                    # the added row
    versions = _squash(next(e for e in page.find("section") if e.attrs.get("aria-labelledby") == "versions-h").text)
    assert changelog["summary"]["id"] in versions and changelog["summary"]["en"] in versions
    badges = [_squash(e.text) for e in page.find("span") if "status-" in (e.attrs.get("class") or "")]
    assert badges == ["lolos dengan peringatan / passed with warnings"]
    hrefs = {e.attrs["href"] for e in page.find("a")}
    assert {"latest/validation.html", "1.0.0/validation.html", "1.1.0/changelog.json", "latest/lineage.jsonl",
            "1.0.0/lineage.jsonl"} <= hrefs
    assert {"latest/lineage.html", "1.0.0/lineage.html"} <= hrefs                  # the auditors' page
    first = parse(root / "dlh" / "cuaca-harian-geofisika-malang" / "index.html")
    section = _squash(next(e for e in first.find("section") if e.attrs.get("aria-labelledby") == "changes-h").text)
    assert "Versi pertama: 40 baris." in section and "First version: 40 rows." in section


def test_how_to_cite_names_department_title_version_year_url_and_csv_hash(site):
    catalog, root = site
    dataset = catalog.dataset(GARIS)
    page = _dataset_page(root, catalog, GARIS)
    cite = _squash(page.by_id("cite-id").text)
    folder = root / "bappeda" / "garis-kemiskinan-jatim" / "1.1.0"
    year = json.loads((folder / "datapackage.json").read_text())["satudata"]["published"][:4]
    assert cite.startswith(f"{catalog.department('bappeda').name} ({year}). {dataset.title.id}, versi 1.1.0")
    assert "http" not in cite and page.find("link", rel="canonical") == []   # no public URL configured
    assert sha256_file(folder / "data.csv") in cite
    assert sha256_file(folder / "data.csv") in _squash(page.by_id("cite-en").text)


def test_with_a_public_url_the_citation_and_canonical_link_use_it(tmp_path):
    catalog, root = build_portal(tmp_path / "portal", tmp_path / "work", "https://satudata.malangkota.go.id")
    page = _dataset_page(root, catalog, GARIS)
    url = "https://satudata.malangkota.go.id/bappeda/garis-kemiskinan-jatim/"
    assert url in _squash(page.by_id("cite-id").text) and url in _squash(page.by_id("cite-en").text)
    assert [e.attrs["href"] for e in page.find("link", rel="canonical")] == [url]


def test_preview_shows_the_first_20_rows_of_the_latest_parquet(site):
    catalog, root = site
    page = _dataset_page(root, catalog, CUACA)
    html = (root / "dlh" / "cuaca-harian-geofisika-malang" / "index.html").read_text(encoding="utf-8")
    table = html.split('<table class="preview" id="data-table">', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], flags=re.S)
    expected = pq.read_table(root / "dlh" / "cuaca-harian-geofisika-malang" / "latest" / "data.parquet").slice(0, 20)
    assert len(rows) == 20
    cells = [re.findall(r"<td>(.*?)</td>", row) for row in rows]
    assert [c[0] for c in cells] == [d.isoformat() for d in expected.column("tanggal").to_pylist()]
    assert cells[0][2] == "" and cells[1][2] == "1.0"        # a missing value stays empty
    assert [e.text for e in page.find("th", scope="col")][:3] == ["tanggal", "suhu_rata_rata", "curah_hujan"]
    section = _squash(next(e for e in page.find("section") if e.attrs.get("aria-labelledby") == "preview-h").text)
    assert "20 baris pertama dari 40 (versi 1.0.0)." in section
    card = next(e for e in parse(root / "index.html").find("li", class_="card") if e.attrs["data-dataset"] == CUACA)
    assert "40 baris rows" in _squash(card.text)


def test_preview_reads_only_what_it_shows(tmp_path: Path):
    path = tmp_path / "data.parquet"
    pq.write_table(pa.table({"n": list(range(100)), "t": [dt.date(2025, 1, 1)] * 100}), path)
    columns, rows = preview(path, limit=5)
    assert columns == ["n", "t"] and rows == [[str(i), "2025-01-01"] for i in range(5)]


def test_data_dictionary_lists_types_constraints_and_privacy(site):
    catalog, root = site
    page = _dataset_page(root, catalog, ANTREAN)
    html = (root / "dispendukcapil" / "antrean-nunggu-transparan" / "index.html").read_text(encoding="utf-8")
    table = html.split('<table class="dictionary">', 1)[1].split("</table>", 1)[0]
    rows = {html_text.unescape(re.search(r"<code>(.*?)</code>", row).group(1)):
            _squash(html_text.unescape(re.sub(r"<[^>]+>", " ", row)))
            for row in re.findall(r"<tr(?: class=\"unpublished\")?>(.*?)</tr>", table, flags=re.S)[1:]}
    schema = load_schema(catalog, ANTREAN)
    assert list(rows) == [f["name"] for f in schema["fields"] if f["name"] != "no_hp"] + ["no_hp"]
    assert "di-hash" in rows["nik_pemohon"] and "hashed" in rows["nik_pemohon"]
    assert "tidak diterbitkan" in rows["no_hp"] and "not published" in rows["no_hp"]
    assert rows["tanggal"].startswith("tanggal date Tanggal")
    assert "primary key" in rows["id_antrean"] and "pattern: ^ANT\\d{11}$" in rows["id_antrean"]
    assert "minimum: 1" in rows["rating"] and "maximum: 5" in rows["rating"]
    assert "Applicant's satisfaction rating" in rows["rating"]                # the English description
    assert page.find("tr", class_="unpublished")


def test_dataset_page_draws_an_accessible_chart(site):
    catalog, root = site
    html = (root / "dlh" / "cuaca-harian-geofisika-malang" / "index.html").read_text(encoding="utf-8")
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'role="img"' in svg and 'aria-labelledby="chart-title chart-desc"' in svg
    assert '<title id="chart-title">Jumlah baris per bulan menurut kolom tanggal' in svg
    assert "Records per month" in svg and '<desc id="chart-desc">40 baris dari 2025-01 sampai 2025-04' in svg
    assert svg.count('class="bar"') == 4


# --------------------------------------------------------------------------------------- the chart
def test_chart_counts_records_per_month_and_fills_gaps(tmp_path: Path):
    path = tmp_path / "data.parquet"
    dates = [dt.date(2024, 1, 5)] * 3 + [dt.date(2024, 4, 1)] * 2 + [None]
    pq.write_table(pa.table({"kode": ["a"] * 6, "tanggal": pa.array(dates), "n": [1.0] * 6}), path)
    chart = shape_of(path)
    assert (chart.kind, chart.column) == ("months", "tanggal")
    assert [(b.label, b.value) for b in chart.bars] == [("2024-01", 3), ("2024-02", 0), ("2024-03", 0),
                                                         ("2024-04", 2)]
    svg = render_svg(chart)
    assert svg.count("<rect") == 4 and "<title>2024-02: 0</title>" in svg


def test_chart_per_day_for_a_short_span_and_per_year_for_a_long_one(tmp_path: Path):
    short, long = tmp_path / "short.parquet", tmp_path / "long.parquet"
    pq.write_table(pa.table({"t": pa.array([dt.date(2025, 6, 1), dt.date(2025, 6, 3)])}), short)
    pq.write_table(pa.table({"t": pa.array([dt.date(2000, 1, 1), dt.date(2024, 12, 31)])}), long)
    days = shape_of(short)
    assert days.kind == "days" and [b.value for b in days.bars] == [1, 0, 1]
    years = shape_of(long)
    assert years.kind == "years" and len(years.bars) == 25 and years.total == 2


def test_chart_histogram_of_the_main_numeric_column(tmp_path: Path):
    path = tmp_path / "data.parquet"
    pq.write_table(pa.table({"id": list(range(100)), "tahun": [2024] * 100, "lintang": [-7.9] * 100,
                             "pagu": [float(i) for i in range(100)]}), path)
    chart = shape_of(path, primary_key=["id"])
    assert (chart.kind, chart.column) == ("histogram", "pagu")
    assert len(chart.bars) == 12 and chart.total == 100
    assert chart.bars[0].label.startswith("0–8,25")


def test_no_chart_without_dates_or_measures(tmp_path: Path):
    path = tmp_path / "data.parquet"
    pq.write_table(pa.table({"kode": ["35", "35.73"], "nama": ["JAWA TIMUR", "KOTA MALANG"]}), path)
    assert shape_of(path) is None


# --------------------------------------------------------------------------------------- housekeeping
def test_filter_pages_of_tags_no_dataset_has_any_more_are_removed(tmp_path: Path):
    catalog, root = build_portal(tmp_path / "portal", tmp_path / "work")
    stale = root / "tag" / "dihapus"
    stale.mkdir()
    (stale / "index.html").write_text("old", encoding="utf-8")
    render_site(catalog, root)
    assert not stale.exists() and (root / "tag" / "cuaca" / "index.html").is_file()


def test_a_department_named_like_a_site_folder_is_refused():
    catalog = load_catalog(REPO / "catalog.yaml")
    clashing = catalog.model_copy(update={"departments": [
        catalog.departments[0].model_copy(update={"id": "assets"}), *catalog.departments[1:]]})
    with pytest.raises(ValueError, match="assets"):
        check_reserved(clashing)


# --------------------------------------------------------------------------------------- serving
@pytest.fixture(scope="module")
def server(site):
    _, root = site
    httpd = portal_server(root, "127.0.0.1", 0, quiet=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=10)


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), b""


def test_server_serves_the_site_and_follows_the_latest_link(site, server):
    _, root = site
    status, kind, body = _get(f"{server}/")
    assert status == 200 and kind.startswith("text/html") and b'<html lang="id">' in body
    status, kind, body = _get(f"{server}/bappeda/garis-kemiskinan-jatim/latest/data.csv")
    assert status == 200 and kind.startswith("text/csv")
    assert body == (root / "bappeda" / "garis-kemiskinan-jatim" / "1.1.0" / "data.csv").read_bytes()
    status, kind, _ = _get(f"{server}/catalog.jsonld")
    assert (status, kind) == (200, "application/ld+json")
    status, kind, _ = _get(f"{server}/bappeda/garis-kemiskinan-jatim/1.0.0/data.parquet")
    assert (status, kind) == (200, "application/vnd.apache.parquet")


def test_server_hides_lock_files_and_stays_inside_the_portal(site, server):
    assert _get(f"{server}/bappeda/garis-kemiskinan-jatim/.lock")[0] == 404
    assert _get(f"{server}/.index.lock")[0] == 404
    assert _get(f"{server}/../../etc/passwd")[0] == 404


def test_serve_is_a_satudata_command():
    from typer.testing import CliRunner

    from satudata.cli import app

    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--portal", "--port", "--host"):
        assert option in result.output


# --------------------------------------------------------------------------------------- the CKAN read API
def _api(root: Path, relative: str) -> dict:
    document = json.loads((root / "api" / "3" / "action" / relative).read_text(encoding="utf-8"))
    action = relative.split("/")[0].removesuffix(".json")
    assert document["success"] is True and document["help"].endswith(f"help_show?name={action}")
    return document["result"]


def test_api_lists_datasets_and_departments_as_ckan_does(site):
    catalog, root = site
    assert _api(root, "package_list.json") == sorted([GARIS, CUACA, ANTREAN])
    organizations = _api(root, "organization_list.json")
    assert sorted(organizations) == ["bappeda", "dispendukcapil", "dlh"]      # only departments with datasets
    shown = _api(root, "organization_show/bappeda.json")
    department = catalog.department("bappeda")
    assert (shown["name"], shown["title"], shown["is_organization"], shown["package_count"]) == (
        "bappeda", department.name, True, 1)
    status = _api(root, "status_show.json")
    assert status["ckan_version"].startswith("2.12") and status["site_title"] == catalog.portal.title.id
    everything = _api(root, "package_search.json")
    assert everything["count"] == 3 and {p["name"] for p in everything["results"]} == {GARIS, CUACA, ANTREAN}
    missing = json.loads((root / "api" / "3" / "not-found.json").read_text(encoding="utf-8"))   # a server's 404
    assert (missing["success"], missing["error"]["__type"]) == (False, "Not Found Error")


def test_package_show_has_the_ckan_publishers_fields_and_a_resource_per_file_of_every_version(site):
    from satudata.publish.ckan_mapping import package_fields

    catalog, root = site
    package = _api(root, f"package_show/{GARIS}.json")
    dataset = catalog.dataset(GARIS)
    mapped = package_fields(catalog, dataset, "", [])
    for key in ("name", "title", "notes", "license_id", "author", "maintainer_email"):
        assert package[key] == mapped[key], key
    assert [t["name"] for t in package["tags"]] == [t["name"] for t in mapped["tags"]]
    assert package["organization"]["name"] == "bappeda" and package["owner_org"] == package["organization"]["id"]
    assert (package["state"], package["type"], package["private"], package["version"]) == ("active", "dataset", False,
                                                                                         "1.1.0")
    extras = {e["key"]: e["value"] for e in package["extras"]}
    assert [v["version"] for v in json.loads(extras["satudata_versions"])] == ["1.0.0", "1.1.0"]
    assert extras["title_en"] == dataset.title.en and extras["identifier"] == "bappeda/garis-kemiskinan-jatim"
    assert package["url"] == "bappeda/garis-kemiskinan-jatim/"
    folder = root / "bappeda" / "garis-kemiskinan-jatim"
    on_disk = [(v, p.name) for v in ("1.1.0", "1.0.0") for p in (folder / v).iterdir()]
    resources = package["resources"]
    assert len(resources) == len(on_disk) == package["num_resources"]
    assert [(r["satudata_version"], r["satudata_file"]) for r in resources[:2]] == [("1.1.0", "data.csv"),
                                                                                  ("1.1.0", "data.parquet")]
    for resource in resources:   # relative to the portal's root; hash and size of the very file
        path = root / resource["url"]
        assert resource["url"] == f"bappeda/garis-kemiskinan-jatim/{resource['satudata_version']}/" \
                                  f"{resource['satudata_file']}"
        assert resource["hash"] == sha256_file(path) and resource["size"] == path.stat().st_size
        assert resource["package_id"] == package["id"] and resource["state"] == "active"
    csv = resources[0]
    assert (csv["format"], csv["mimetype"], csv["name"]) == ("CSV", "text/csv", "data.csv · v1.1.0")
    assert json.loads(csv["conforms_to"]) == ["bappeda/garis-kemiskinan-jatim/1.1.0/datapackage.json"]


def test_with_a_public_url_api_addresses_are_absolute_and_ids_stay_the_same(site, tmp_path):
    _, root = site
    base = "https://satudata.malangkota.go.id"
    _, public = build_portal(tmp_path / "portal", tmp_path / "work", base)
    relative, absolute = _api(root, f"package_show/{CUACA}.json"), _api(public, f"package_show/{CUACA}.json")
    assert absolute["id"] == relative["id"] and absolute["url"] == f"{base}/dlh/cuaca-harian-geofisika-malang/"
    assert all(r["url"].startswith(f"{base}/dlh/cuaca-harian-geofisika-malang/1.0.0/") for r in absolute["resources"])
    assert _api(public, "status_show.json")["site_url"] == base


def test_search_index_and_package_search_of_the_server(site, server):
    from satudata.publish.site.ckan_search import search

    _, root = site
    index = json.loads((root / "api" / "3" / "search-index.json").read_text(encoding="utf-8"))
    assert search(index, {"q": "kemiskinan"})[:2] == (1, [GARIS])
    assert search(index, {"q": "poverty"})[1] == [GARIS]                         # the English text too
    assert search(index, {"q": "cuac"})[1] == [CUACA]                            # a word's beginning
    assert search(index, {"q": "tags:cuaca"})[1] == [CUACA]
    assert search(index, {"q": "", "fq": "organization:dispendukcapil"})[1] == [ANTREAN]
    assert search(index, {"q": "kemiskinan cuaca"})[0] == 0                      # every word must match
    assert search(index, {"q": "*:*", "rows": "2", "start": "1", "sort": "name asc"}) == (
        3, sorted([GARIS, CUACA, ANTREAN])[1:3], "name asc")
    status, kind, body = _get(f"{server}/api/3/action/package_search?q=kemiskinan&rows=5")
    answer = json.loads(body)
    assert (status, kind.split(";")[0], answer["success"], answer["result"]["count"]) == (200, "application/json",
                                                                                          True, 1)
    assert answer["result"]["results"][0] == _api(root, f"package_show/{GARIS}.json")
    status, answer = _get_error(f"{server}/api/action/package_search?rows=many")
    assert status == 409 and answer["error"] == {"rows": ["Invalid integer"], "__type": "Validation Error"}


def _get_error(url: str, data: bytes | None = None) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_server_answers_ckan_read_calls_by_name_or_id_get_or_post(site, server):
    _, root = site
    package = _api(root, f"package_show/{CUACA}.json")
    for url in (f"{server}/api/3/action/package_show?id={CUACA}", f"{server}/api/action/package_show?id={CUACA}",
                f"{server}/api/3/action/package_show?id={package['id']}"):
        status, answer = _get_error(url)
        assert status == 200 and answer["result"] == package, url
    status, answer = _get_error(f"{server}/api/action/package_show", json.dumps({"id": CUACA}).encode())
    assert status == 200 and answer["result"]["id"] == package["id"]                      # ckanapi's POST
    status, answer = _get_error(f"{server}/api/3/action/package_show?id=../../index")
    assert status == 404 and answer["error"] == {"message": "Not found", "__type": "Not Found Error"}
    status, answer = _get_error(f"{server}/api/3/action/package_create")
    assert status == 400 and "Action name not known: package_create" in answer["error"]["message"]
    status, answer = _get_error(f"{server}/api/3/action/organization_show?id=dlh")
    assert status == 200 and answer["result"]["package_count"] == 1
    assert _get_error(f"{server}/api/3/action/package_list")[1]["result"] == sorted([GARIS, CUACA, ANTREAN])


def test_api_answers_of_datasets_no_longer_published_are_removed(tmp_path: Path):
    catalog, root = build_portal(tmp_path / "portal", tmp_path / "work")
    stale = root / "api" / "3" / "action" / "package_show" / "dihapus.json"
    stale.write_text("{}", encoding="utf-8")
    render_site(catalog, root)
    assert not stale.exists() and (root / "api" / "3" / "action" / "package_show" / f"{GARIS}.json").is_file()


def test_a_department_named_api_is_refused():
    catalog = load_catalog(REPO / "catalog.yaml")
    clashing = catalog.model_copy(update={"departments": [
        catalog.departments[0].model_copy(update={"id": "api"}), *catalog.departments[1:]]})
    with pytest.raises(ValueError, match="api"):
        check_reserved(clashing)


# --------------------------------------------------------------------------------------- the explorer
def test_vendored_libraries_are_copied_unchanged_with_their_licences(site):
    _, root = site
    table = (REPO / "publish" / "site" / "templates" / "VENDORED.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| `([^`]+)` \| (\S+) \| (\S+) \| MIT \(`([^`]+)`\) \| `[^`]+` \| ([0-9a-f]{64}) \|$", table,
                        flags=re.M)
    assert {row[0] for row in listed} == {"papaparse.min.js", "uplot.iife.min.js", "uplot.min.css"}
    for name, package, version, licence, digest in listed:
        assert sha256_file(root / "assets" / name) == digest, name
        assert "Permission is hereby granted" in (root / "assets" / licence).read_text(encoding="utf-8")
        if name.endswith(".js"):                                                  # the banner names the version
            assert version in (root / "assets" / name).read_text(encoding="utf-8")[:200], (name, package)
    script = (root / "assets" / "explore.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script, sink                                           # values go in as text only


def test_dataset_page_configures_the_explorer_from_the_published_schema(site):
    catalog, root = site
    page = _dataset_page(root, catalog, ANTREAN)
    section = page.by_id("explore")
    config = json.loads(section.attrs["data-config"])
    assert (config["csv"], config["autoLoad"], config["rows"]) == ("1.0.0/data.csv", True, 30)
    assert [f["name"] for f in config["fields"]] == preview(root / "dispendukcapil" / ANTREAN / "1.0.0" /
                                                            "data.parquet")[0]
    assert config["measures"] == ["waktu_tunggu_menit", "rating"]                 # not the codes, not the key
    assert [g["name"] for g in config["groups"]][:2] == ["tanggal", "kode_kecamatan"]
    assert config["regions"] is None                                              # this version ships no codes
    options = [e.attrs["value"] for e in page.find("option") if e.attrs.get("data-kind")]
    assert options == [g["name"] for g in config["groups"]]
    scripts = [e.attrs.get("src") for e in page.find("script")]
    assert scripts == ["../../assets/papaparse.min.js", "../../assets/uplot.iife.min.js", "../../assets/explore.js"]
    assert page.by_id("chart-static").tag == "figure" and "hidden" in page.by_id("chart-live").attrs
    order = [e.attrs.get("aria-labelledby") for e in page.find("section")]
    assert order[:3] == ["download-h", "about-h", "preview-h"]                    # the download box first
    box = _squash(next(e for e in page.find("section") if e.attrs.get("aria-labelledby") == "download-h").text)
    assert "Kamus data Data dictionary" in box and "Semua versi Every version (1)" in box
    assert page.find("a", href=f"../../api/3/action/package_show/{ANTREAN}.json")


def test_the_download_box_says_how_to_open_the_csv_without_running_formulas(site):
    catalog, root = site
    page = _dataset_page(root, catalog, GARIS)
    note = _squash(page.by_id("csv-safety").text)
    assert "Dari Teks/CSV" in note and "From Text/CSV" in note and "never run as formulas" in note
