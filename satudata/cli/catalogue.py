"""`satudata list` and `satudata versions`: the catalogue and what the local portal holds of it."""

from __future__ import annotations

from pathlib import Path

from rich.markup import escape
from rich.table import Table

from satudata.cli.common import CatalogOption, DatasetArgument, Invocation, JsonOption, PortalOption, print_json


def list_datasets(catalog: CatalogOption = Path("catalog.yaml"), portal: PortalOption = None,
                  as_json: JsonOption = False) -> None:
    """The catalogue: every dataset, its department, source and latest published version."""
    from satudata.publish.local import LocalPortal

    inv = Invocation.open(catalog, portal=portal)
    local = LocalPortal(inv.catalog, inv.settings.portal_dir)
    rows = [{"id": ds.id, "department": ds.department, "title": ds.title.model_dump(),
             "source": {"kind": ds.source.kind, "format": ds.source.format}, "frequency": ds.frequency,
             "versions": local.versions(ds)} for ds in inv.catalog.datasets]
    for row in rows:
        row["latest"] = row["versions"][-1] if row["versions"] else None
    if as_json:
        print_json({"title": inv.catalog.portal.title.model_dump(), "portal": str(local.root), "datasets": rows})
        return
    table = Table(title=inv.catalog.portal.title.id)
    for column in ("dataset", "department", "judul/title", "source", "frequency", "latest"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["id"], row["department"], escape(row["title"]["id"]),
                      f"{row['source']['kind']}/{row['source']['format'] or 'sql'}", row["frequency"],
                      row["latest"] or "-")
    inv.out.print(table)


def versions(dataset: DatasetArgument, catalog: CatalogOption = Path("catalog.yaml"), portal: PortalOption = None,
             as_json: JsonOption = False) -> None:
    """Every published version of a dataset on the local portal, with what changed."""
    from satudata.core.publishing import PACKAGE_FILE, read_package
    from satudata.publish.local import LocalPortal

    inv = Invocation.open(catalog, portal=portal)
    inv.dataset_ids([dataset])
    local = LocalPortal(inv.catalog, inv.settings.portal_dir)
    ds = inv.catalog.dataset(dataset)
    rows = []
    for version in local.history(ds):
        change = read_package(local.version_dir(ds, version.version) / PACKAGE_FILE)["satudata"].get("change", {})
        rows.append({"version": version.version, "published": version.published,
                     "change": {"kind": change.get("kind"), "reasons": change.get("reasons", [])},
                     "content_sha256": version.fingerprint.content_sha256, "lineage_sha256": version.lineage_sha256})
    if as_json:
        print_json({"dataset": dataset, "versions": rows})
        return
    table = Table(title=f"{dataset}: versi / versions")
    for column in ("version", "published", "change", "content sha256", "lineage sha256"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["version"], row["published"],
                      escape(f"{row['change']['kind'] or ''}: {'; '.join(row['change']['reasons'])}"),
                      row["content_sha256"][:16], (row["lineage_sha256"] or "")[:16])
    inv.out.print(table)
    if not rows:
        inv.out.print("belum ada versi / no version published yet")
