"""`satudata deploy`: Prefect deployments from catalog.yaml (a schedule for every dataset)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

CatalogOption = Annotated[Path, typer.Option("--catalog", "-c", help="Path to catalog.yaml.")]


def deploy(catalog: CatalogOption = Path("catalog.yaml"),
           target: Annotated[str, typer.Option(help="Where scheduled runs publish: local or ckan.")] = "ckan",
           write: Annotated[Path | None, typer.Option("--write", help="Write a prefect.yaml here.")] = None,
           apply: Annotated[bool, typer.Option("--apply", help="Create the deployments on PREFECT_API_URL.")] = False,
           pool: Annotated[str, typer.Option(help="Prefect work pool (process type).")] = "satudata") -> None:
    """Generate one Prefect deployment per dataset, scheduled by its update frequency (cron, Asia/Jakarta)."""
    from satudata.cli import _catalog, console
    from satudata.flows.deployments import TIMEZONE, deployment_specs, write_prefect_yaml

    cat = _catalog(catalog)
    specs = deployment_specs(cat, target)
    table = Table(title=f"Prefect deployments ({len(specs)}), work pool {pool!r}, timezone {TIMEZONE}")
    for column in ("deployment", "cron", "tags"):
        table.add_column(column)
    for spec in specs:
        table.add_row(f"publish_dataset/{spec.name}", spec.cron, ", ".join(spec.tags))
    console.print(table)
    if write is not None:
        write_prefect_yaml(specs, write, pool)
        console.print(f"wrote {write}")
    if apply:
        if not os.environ.get("PREFECT_API_URL"):
            console.print("[red]--apply needs a Prefect server: set PREFECT_API_URL (see README, Running in "
                          "production)[/]")
            raise typer.Exit(2)
        from satudata.flows.deployments import apply as apply_deployments

        ids = apply_deployments(specs, cat.root, pool)
        console.print(f"applied {len(ids)} deployments to {os.environ['PREFECT_API_URL']}")


def register(app: typer.Typer) -> None:
    app.command("deploy")(deploy)
