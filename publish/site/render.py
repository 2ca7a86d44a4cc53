"""The static website of the local portal, rendered with Jinja2 into the portal folder after each run.

    index.html                              the catalogue: search and filters (a small script), every dataset
    <department>/index.html                 one department's datasets (a static filter page)
    tema/<dimension>/index.html             one smart-city dimension's datasets
    tag/<tag>/index.html                    one tag's datasets
    <department>/<dataset>/index.html       a dataset: description, downloads of every version, changelog, ...
    <department>/<dataset>/dataset.jsonld   DCAT-AP 3 of the dataset; catalog.jsonld for the catalogue
    api/3/action/...                        CKAN's read API as static JSON (ckan_api.py)
    assets/site.css, assets/filter.js, ...

Every link between pages and to files is relative and works without JavaScript. Each file is written atomically.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path

import pyarrow.parquet as pq
from jinja2 import Environment, PackageLoader, select_autoescape

from satudata.core.catalog import Catalog, Department
from satudata.publish.ckan_mapping import ckan_name
from satudata.publish.package import LICENSES
from satudata.publish.site import ckan_api
from satudata.publish.site.chart import render_svg, shape_of
from satudata.publish.site.dcat import catalog_document, dataset_document, license_uri
from satudata.publish.site.explore import explorer_config
from satudata.publish.site.mark import RENDERED_MARK, index_sha256, site_is_current  # noqa: F401 - re-exported
from satudata.publish.site.model import DatasetView, dataset_views

ASSETS = ("site.css", "filter.js", "explore.js", "papaparse.min.js", "papaparse.LICENSE.txt", "uplot.iife.min.js",
          "uplot.min.css", "uplot.LICENSE.txt")
ASSETS_DIR, DIMENSION_DIR, TAG_DIR, API_DIR = "assets", "tema", "tag", "api"
RESERVED = (ASSETS_DIR, DIMENSION_DIR, TAG_DIR, API_DIR)
PREVIEW_ROWS = 20
DIMENSION_LABELS = {
    "governance": ("Tata kelola pemerintahan", "Smart governance"),
    "living": ("Kehidupan", "Smart living"),
    "economy": ("Ekonomi", "Smart economy"),
    "branding": ("Citra kota", "Smart branding"),
    "society": ("Masyarakat", "Smart society"),
    "environment": ("Lingkungan", "Smart environment"),
}
FREQUENCY_LABELS = {"daily": ("harian", "daily"), "weekly": ("mingguan", "weekly"),
                    "monthly": ("bulanan", "monthly"), "quarterly": ("triwulanan", "quarterly"),
                    "yearly": ("tahunan", "yearly"), "irregular": ("tidak tetap", "irregular")}
STATUS_LABELS = {"passed": ("lolos", "passed"), "passed-with-warnings": ("lolos dengan peringatan",
                                                                         "passed with warnings"),
                 "failed": ("gagal", "failed"), "unknown": ("tidak diketahui", "unknown")}
CHANGE_LABELS = {"initial": ("versi pertama", "first version"), "major": ("mayor", "major"),
                 "minor": ("minor", "minor"), "patch": ("patch", "patch")}


def slug(text: str) -> str:
    """A tag as a folder name: lowercase, anything but a-z 0-9 - _ becomes '-'."""
    return re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-") or "tag"


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}".replace(".", ",")
        value /= 1024
    return f"{size} B"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def preview(parquet: Path, limit: int = PREVIEW_ROWS) -> tuple[list[str], list[list[str]]]:
    """The column names and the first ``limit`` rows as text, read with pyarrow (one small batch only)."""
    source = pq.ParquetFile(parquet)
    names = source.schema_arrow.names
    batch = next(source.iter_batches(batch_size=limit), None)
    rows = [] if batch is None else [[_cell(v) for v in row.values()] for row in batch.to_pylist()[:limit]]
    return names, rows


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{path.name}.{uuid.uuid4().hex}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError:   # a full or read-only disk: no half-written page is left beside the old one
        tmp.unlink(missing_ok=True)
        raise
    return path


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("satudata.publish.site", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)
    env.filters.update(size=human_size, slug=slug, tojson_compact=lambda v: json.dumps(v, ensure_ascii=False))
    env.globals.update(dimensions=DIMENSION_LABELS, frequencies=FREQUENCY_LABELS, statuses=STATUS_LABELS,
                       changes=CHANGE_LABELS, licenses=LICENSES, license_uri=license_uri)
    return env


@dataclass
class Listing:
    """A page listing datasets: the catalogue, or a static filter by department, dimension or tag."""

    path: str                  # relative to the portal root
    title: tuple[str, str]
    views: list[DatasetView]
    intro: tuple[str, str] | None = None
    department: Department | None = None


class Site:
    def __init__(self, catalog: Catalog, root: Path) -> None:
        self.catalog = catalog
        self.root = root.resolve()
        self.env = _environment()
        self.views = dataset_views(catalog, self.root)
        self.generated = datetime.now(UTC).isoformat(timespec="seconds")
        self.tags = sorted({tag for view in self.views for tag in view.dataset.tags})
        # the datasets of each department and dimension, counted once (every listing page shows them)
        self.counts = {"department": Counter(v.dataset.department for v in self.views),
                       "dimension": Counter(v.dataset.dimension for v in self.views)}

    def _page(self, template: str, path: str, **values: object) -> Path:
        depth = path.count("/")
        html = self.env.get_template(template).render(
            root="../" * depth, portal=self.catalog.portal, catalog=self.catalog,
            generated=self.generated, tags=self.tags, all_views=self.views, browse_counts=self.counts, **values)
        return _write(self.root / path, html)

    def listings(self) -> list[Listing]:
        pages = []
        for department in self.catalog.departments:
            views = [v for v in self.views if v.dataset.department == department.id]
            pages.append(Listing(f"{department.id}/index.html", (department.name, department.name_en), views,
                                 (department.description.id, department.description.en), department))
        for dimension, labels in DIMENSION_LABELS.items():
            views = [v for v in self.views if v.dataset.dimension == dimension]
            if views:
                pages.append(Listing(f"{DIMENSION_DIR}/{dimension}/index.html", labels, views))
        for tag in self.tags:
            views = [v for v in self.views if tag in v.dataset.tags]
            pages.append(Listing(f"{TAG_DIR}/{slug(tag)}/index.html", (f"Tag: {tag}", f"Tag: {tag}"), views))
        return pages

    def dataset_page(self, view: DatasetView) -> list[Path]:
        latest_parquet = view.latest.folder / "data.parquet"
        columns, rows = preview(latest_parquet) if latest_parquet.is_file() else ([], [])
        chart = shape_of(latest_parquet, view.primary_key) if latest_parquet.is_file() else None
        page = self._page("dataset.html.j2", f"{view.path}/index.html", view=view, preview_columns=columns,
                          preview_rows=rows, chart=chart, chart_svg=render_svg(chart) if chart else None,
                          explore=explorer_config(view) if columns else None, api_name=ckan_name(view.dataset.id),
                          url=self.catalog.portal.base_url and self.catalog.portal.url(f"{view.path}/"))
        document = dataset_document(self.catalog, view)
        return [page, _write(self.root / view.path / "dataset.jsonld",
                             json.dumps(document, ensure_ascii=False, indent=2))]

    def assets(self) -> list[Path]:
        folder = files("satudata.publish.site") / "templates"
        return [_write(self.root / ASSETS_DIR / name, (folder / name).read_text(encoding="utf-8"))
                for name in ASSETS]

    def api(self, only: Collection[str] | None = None) -> list[Path]:
        """CKAN's read calls as static JSON; answers of datasets no longer published are removed. ``only``: the
        package_show answers of these datasets alone are written again (the catalogue-wide answers always are)."""
        files = ckan_api.documents(self.catalog, self.views, self.generated)
        for stale in ckan_api.stale_files(self.root, files):
            stale.unlink()
        if only is not None:
            names = {ckan_name(i) for i in only}
            files = {path: document for path, document in files.items()
                     if not path.startswith(f"{ckan_api.ACTIONS}/package_show/") or Path(path).stem in names}
        return [_write(self.root / path, ckan_api.dumps(document)) for path, document in files.items()]

    def prune(self, listings: list[Listing]) -> None:
        """Remove filter pages of dimensions and tags no published dataset has any more."""
        kept = {listing.path.split("/")[1] for listing in listings
                if listing.path.startswith((f"{DIMENSION_DIR}/", f"{TAG_DIR}/"))}
        for folder in (self.root / DIMENSION_DIR, self.root / TAG_DIR):
            if folder.is_dir():
                for child in folder.iterdir():
                    if child.is_dir() and child.name not in kept:
                        shutil.rmtree(child)

    def render(self, only: Collection[str] | None = None) -> list[Path]:
        """Every page; ``only``: the pages of these datasets, and every page that lists datasets (the others' own
        pages are as they were: a version never changes)."""
        written = self.assets()
        title = self.catalog.portal.title
        written.append(self._page("index.html.j2", "index.html",
                                  listing=Listing("index.html", (title.id, title.en), self.views)))
        listings = self.listings()
        for listing in listings:
            written.append(self._page("listing.html.j2", listing.path, listing=listing))
        for view in self.views:
            if only is None or view.dataset.id in only:
                written.extend(self.dataset_page(view))
        document = catalog_document(self.catalog, self.views, datetime.fromisoformat(self.generated))
        # compact: at 1,000 datasets it is ~10 MB, and indenting it takes the pure-Python encoder (4× slower)
        written.append(_write(self.root / "catalog.jsonld", json.dumps(document, ensure_ascii=False,
                                                                       separators=(",", ":"))))
        written.extend(self.api(only))
        self.prune(listings)
        return written


def check_reserved(catalog: Catalog) -> None:
    clash = [d.id for d in catalog.departments if d.id in RESERVED]
    if clash:
        raise ValueError(f"department id(s) {', '.join(clash)} clash with the site's own folders "
                         f"({', '.join(RESERVED)}); rename the department in catalog.yaml")


def render_site(catalog: Catalog, root: Path, only: Collection[str] | None = None) -> list[Path]:
    """Render the whole site from what is published in ``root``; returns the files written. The mark written last
    tells a later run whether the site shows the index (a run killed while rendering leaves it behind).

    ``only``: the site was whole before these datasets were published (``site_is_current`` said so before the
    run), so only their pages and the pages listing datasets are rendered again."""
    check_reserved(catalog)
    written = Site(catalog, root).render(set(only) if only is not None else None)
    _write(root / RENDERED_MARK, index_sha256(root))
    return written
