"""The satudata command line: run, validate, list, versions (and more for auditors and operators)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from satudata.core.catalog import Catalog, CatalogError, load_catalog
from satudata.core.settings import RunSettings, quiet_environment

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="satudata — Satu Data Kota Malang: validated, versioned open data with lineage.")
console = Console(stderr=False, highlight=False, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False)

CatalogOption = Annotated[Path, typer.Option("--catalog", "-c", help="Path to catalog.yaml.")]
PortalOption = Annotated[Path | None, typer.Option("--portal", help="Local portal folder (overrides catalog.yaml).")]
STATUS_STYLE = {"published": "green", "unchanged": "cyan", "quarantined": "red", "failed": "red bold"}


def _catalog(path: Path) -> Catalog:
    try:
        return load_catalog(path)
    except CatalogError as exc:
        err.print(f"[red bold]Katalog salah / catalogue error[/]\n{escape(exc.file)}: [bold]{escape(exc.key)}[/]: "
                  f"{escape(exc.problem)}\n  perbaiki / fix: {escape(exc.fix)}")
        raise typer.Exit(2) from None


def _check_ids(catalog: Catalog, ids: list[str]) -> list[str]:
    known = [d.id for d in catalog.datasets]
    for dataset_id in ids:
        if dataset_id not in known:
            err.print(f"[red]Dataset tidak dikenal / unknown dataset[/] {dataset_id!r}; known: {', '.join(known)}")
            raise typer.Exit(2)
    return ids or known


def _settings(catalog_path: Path, target: str, portal: Path | None, concurrency: int = 2) -> RunSettings:
    return RunSettings.from_environment(catalog_path.resolve(), target=target,
                                        portal_dir=portal.resolve() if portal else None, concurrency=concurrency)


@app.command()
def run(datasets: Annotated[list[str] | None, typer.Argument(help="Dataset ids (default: all).")] = None,
        catalog: CatalogOption = Path("catalog.yaml"),
        target: Annotated[str, typer.Option(help="Publish target: local or ckan.")] = "local",
        portal: PortalOption = None,
        concurrency: Annotated[int, typer.Option(help="Datasets processed at once.")] = 2) -> None:
    """Pull, validate, convert, version and publish datasets (publishes nothing that did not change)."""
    if target not in ("local", "ckan"):
        err.print("[red]--target must be local or ckan[/]")
        raise typer.Exit(2)
    cat = _catalog(catalog)
    ids = _check_ids(cat, datasets or [])
    settings = _settings(catalog, target, portal, concurrency)
    quiet_environment(settings.root)
    from satudata.runner import run_catalog

    outcomes = run_catalog(ids, settings, console)
    _summary(outcomes)
    if target == "local":
        portal_dir = settings.portal_dir or cat.portal_dir()
        console.print(f"Portal lokal / local portal: [bold]{portal_dir}[/]  (index: {portal_dir / 'index.json'})")
        if (portal_dir / "index.html").is_file():
            console.print(f"Situs / site: [bold]{portal_dir / 'index.html'}[/] — lihat / view with "
                          f"[bold]satudata serve[/] (http://127.0.0.1:8000/)")
    if any(o["status"] not in ("published", "unchanged") for o in outcomes):
        raise typer.Exit(1)


def _summary(outcomes: list[dict]) -> None:
    table = Table(title="satudata run", show_lines=False)
    for column in ("dataset", "status", "versi/version", "perubahan/change", "catatan/note", "detik/s"):
        table.add_column(column)
    for o in outcomes:
        note = escape(o["message"] + (f"\nlaporan/report: {o['report']}" if o.get("report") else ""))
        table.add_row(o["dataset"], f"[{STATUS_STYLE.get(o['status'], '')}]{o['status']}[/]", o.get("version") or "-",
                      o.get("change") or "-", note, f"{o.get('seconds', 0):.1f}")
    console.print(table)
    for o in outcomes:   # whole paths, never cut by the table's width: the steward opens this file
        if o.get("report"):
            console.print(f"Laporan / report {o['dataset']}: {escape(o['report'])}", soft_wrap=True)
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o["status"]] = counts.get(o["status"], 0) + 1
    console.print(", ".join(f"{n} {s}" for s, n in sorted(counts.items())))


@app.command()
def validate(dataset: Annotated[str, typer.Argument(help="Dataset id.")],
             file: Annotated[Path | None, typer.Argument(help="Check this export instead of the declared source.")]
             = None,
             catalog: CatalogOption = Path("catalog.yaml")) -> None:
    """Check an export against the dataset's schema, suite and privacy rules; publishes nothing."""
    cat = _catalog(catalog)
    _check_ids(cat, [dataset])
    settings = _settings(catalog, "local", None)
    quiet_environment(settings.root)
    from satudata.flows.check import check_export

    report, folder = check_export(cat, settings, dataset, file)
    _report_table(report)
    console.print(f"Laporan / report: [bold]{folder / 'validation.html'}[/] (JSON: {folder / 'validation.json'})")
    if report.blocked:
        raise typer.Exit(1)


def _report_table(report) -> None:
    data = report.as_dict()
    if data["fatal"]:
        f = data["fatal"]
        console.print(f"[red bold]{f['file']}[/]: {f['message']['id']}\n  {f['message']['en']}")
        return
    table = Table(title=f"{report.dataset}: {data['status']} ({data['row_count']} rows)")
    for column in ("kolom/column", "pemeriksaan/check", "tingkat", "jumlah/count", "contoh baris/example rows"):
        table.add_column(column)
    for result in data["results"]:
        if result["count"]:
            rows = ", ".join(str(x["row"]) for x in result["examples"][:5])
            table.add_row(result["field"] or "-", result["check"], result["severity"], str(result["count"]), rows)
    console.print(table)


@app.command("list")
def list_datasets(catalog: CatalogOption = Path("catalog.yaml"), portal: PortalOption = None) -> None:
    """The catalogue: every dataset, its department, source and latest published version."""
    cat = _catalog(catalog)
    from satudata.publish.local import LocalPortal

    local = LocalPortal(cat, portal)
    table = Table(title=cat.portal.title.id)
    for column in ("dataset", "department", "judul/title", "source", "frequency", "latest"):
        table.add_column(column)
    for ds in cat.datasets:
        versions = local.versions(ds)
        table.add_row(ds.id, ds.department, ds.title.id, f"{ds.source.kind}/{ds.source.format or 'sql'}",
                      ds.frequency, versions[-1] if versions else "-")
    console.print(table)


@app.command()
def versions(dataset: Annotated[str, typer.Argument(help="Dataset id.")],
             catalog: CatalogOption = Path("catalog.yaml"), portal: PortalOption = None) -> None:
    """Every published version of a dataset on the local portal, with what changed."""
    cat = _catalog(catalog)
    _check_ids(cat, [dataset])
    from satudata.publish.local import LocalPortal

    local = LocalPortal(cat, portal)
    ds = cat.dataset(dataset)
    table = Table(title=f"{dataset}: versi / versions")
    for column in ("version", "published", "change", "content sha256", "lineage sha256"):
        table.add_column(column)
    for version in local.history(ds):
        table.add_row(version.version, version.published, _change(local, ds, version.version),
                      version.fingerprint.content_sha256[:16], (version.lineage_sha256 or "")[:16])
    console.print(table)
    if not local.versions(ds):
        console.print("belum ada versi / no version published yet")


def _change(local, ds, version: str) -> str:
    from satudata.core.publishing import PACKAGE_FILE, read_package

    change = read_package(local.version_dir(ds, version) / PACKAGE_FILE)["satudata"].get("change", {})
    return f"{change.get('kind', '')}: {'; '.join(change.get('reasons', []))}"


# Command groups that live in their own modules (auditors, the portal, operations) register themselves here.
COMMAND_MODULES = ("satudata.audit_cli", "satudata.portal_cli", "satudata.deploy_cli")


def _register_command_modules() -> None:
    import importlib

    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(app)


_register_command_modules()


def main() -> None:  # pragma: no cover - console script entry
    app(prog_name="satudata")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
