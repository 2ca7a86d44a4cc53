"""`satudata deploy`: Prefect deployments from catalog.yaml (a schedule for every dataset)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from satudata.cli.common import CatalogOption, ExitCode, Invocation, JsonOption, fail, print_json


def deploy(catalog: CatalogOption = Path("catalog.yaml"),
           target: Annotated[str, typer.Option(help="Where scheduled runs publish: local or ckan.")] = "ckan",
           write: Annotated[Path | None, typer.Option("--write", help="Write a prefect.yaml here.")] = None,
           apply: Annotated[bool, typer.Option("--apply", help="Create the deployments on PREFECT_API_URL.")] = False,
           pool: Annotated[str, typer.Option(help="Prefect work pool (process type).")] = "satudata",
           as_json: JsonOption = False) -> None:
    """Generate one Prefect deployment per dataset, scheduled by its update frequency (cron, Asia/Jakarta)."""
    inv = Invocation.open(catalog, target=target, prefect=True)
    api_url = os.environ.get("PREFECT_API_URL")
    if apply and not api_url:
        fail(inv.err, "[red]--apply needs a Prefect server: set PREFECT_API_URL (see docs/production.md)[/]")
    from satudata.flows.deployments import (
        TIMEZONE,
        catalog_parameter,
        code_root,
        deployment_specs,
        write_prefect_yaml,
    )

    specs = deployment_specs(inv.catalog, target, catalog_parameter(inv.catalog))
    say = inv.err if as_json else inv.out
    if not as_json:
        table = Table(title=f"Prefect deployments ({len(specs)}), work pool {pool!r}, timezone {TIMEZONE}")
        for column in ("deployment", "cron", "tags"):
            table.add_column(column)
        for spec in specs:
            table.add_row(f"publish_dataset/{spec.name}", spec.cron, escape(", ".join(spec.tags)))
        inv.out.print(table)
    if write is not None:
        write_prefect_yaml(specs, write, pool)
        say.print(f"wrote {escape(str(write))}")
    applied = None
    if apply:
        import httpx

        from satudata.flows.deployments import apply as apply_deployments

        try:
            applied = apply_deployments(specs, code_root(), pool)
        except (httpx.HTTPError, OSError) as exc:
            fail(inv.err, f"[red]Prefect API tidak dapat dihubungi / cannot reach the Prefect API[/] {api_url}: "
                          f"{type(exc).__name__}: {escape(str(exc))}", ExitCode.UNREACHABLE)
        say.print(f"applied {len(applied)} deployments to {api_url}")
    if as_json:
        print_json({"target": target, "work_pool": pool, "timezone": TIMEZONE,
                    "deployments": [{"name": f"publish_dataset/{s.name}", "dataset": s.dataset_id, "cron": s.cron,
                                     "tags": s.tags} for s in specs],
                    "written": str(write) if write is not None else None,
                    "applied": applied, "api_url": api_url if apply else None})
