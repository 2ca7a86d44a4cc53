"""`satudata run`: pull, validate, convert, version and publish, with a live board and a summary (or JSON)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from satudata.cli.board import PLAIN_EVERY, run_catalog
from satudata.cli.common import CatalogOption, ExitCode, Invocation, JsonOption, PortalOption, fail, print_json
from satudata.cli.problems import print_summary
from satudata.flows.progress import STAGES

STATUS_STYLE = {"published": "green", "unchanged": "cyan", "quarantined": "red", "failed": "red bold"}


def run(datasets: Annotated[list[str] | None, typer.Argument(help="Dataset ids (default: all).", metavar="DATASET",
                                                              show_default=False)] = None,
        catalog: CatalogOption = Path("catalog.yaml"),
        target: Annotated[str, typer.Option(help="Publish target: local or ckan.")] = "local",
        portal: PortalOption = None,
        concurrency: Annotated[int, typer.Option(help="Datasets processed at once.", min=1)] = 2,
        log_every: Annotated[float, typer.Option(
            "--log-every", min=0.0, help="Seconds between two progress lines of a dataset when the output is not a "
                                         "terminal.")] = PLAIN_EVERY,
        on_workers: Annotated[bool, typer.Option(
            "--on-workers", help="Run each dataset as its own flow run of its deployment (satudata deploy --apply) "
                                 "on the work pool's workers, against PREFECT_API_URL (docs/production.md).")] = False,
        timeout: Annotated[float, typer.Option(help="With --on-workers: seconds to wait for the runs.",
                                               min=1.0)] = 3600.0,
        as_json: JsonOption = False) -> None:
    """Pull, validate, convert, version and publish datasets (publishes nothing that did not change).

    On a terminal one live line per dataset shows its stage and, while its export is read, rows, MB, rows per
    second and the time left; otherwise (a pipe, CI, a Prefect worker) the same comes as plain log lines. With
    --json the progress goes to stderr and stdout holds only the JSON summary.
    """
    inv = Invocation.open(catalog, target=target, portal=portal, concurrency=concurrency,
                          prefect=True)
    ids = inv.dataset_ids(datasets or [])

    if on_workers:
        if not os.environ.get("PREFECT_API_URL"):
            fail(inv.err, "[red]--on-workers butuh server Prefect: atur PREFECT_API_URL / --on-workers needs a "
                          "Prefect server: set PREFECT_API_URL (docs/production.md)[/]")
        from satudata.flows.fanout import publish_catalog_on_workers

        outcomes = publish_catalog_on_workers(ids, inv.settings.to_dict(), timeout=timeout)
    else:
        from satudata.flows.context import sharing

        with sharing(str(inv.settings.catalog_path), inv.catalog):   # the flow reuses the catalogue read here
            outcomes = run_catalog(ids, inv.settings, inv.err if as_json else inv.out, log_every)   # Ctrl+C: 130
    portal_dir = inv.portal_dir() if target == "local" else None
    if as_json:
        print_json(summary_json(outcomes, target, portal_dir))
    else:
        print_outcomes(outcomes, inv.out)
        if portal_dir is not None:
            _print_portal(portal_dir, inv.out)
    if any(o["status"] not in ("published", "unchanged") for o in outcomes):
        raise typer.Exit(int(ExitCode.PROBLEM))


def _report_json(outcome: dict) -> Path | None:
    """validation.json beside the steward's report (validation.html), when there is one."""
    if not outcome.get("report"):
        return None
    path = Path(outcome["report"]).with_name("validation.json")
    return path if path.is_file() else None


def summary_json(outcomes: list[dict], target: str, portal_dir: Path | None) -> dict:
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o["status"]] = counts.get(o["status"], 0) + 1
    datasets = [{"dataset": o["dataset"], "status": o["status"], "version": o.get("version"),
                 "change": o.get("change"), "message": o.get("message", ""), "report": o.get("report"),
                 "report_json": str(_report_json(o)) if _report_json(o) else None,
                 "seconds": o.get("seconds", 0.0), "stages": o.get("stages", {})} for o in outcomes]
    return {"target": target, "portal": str(portal_dir) if portal_dir else None,
            "ok": all(o["status"] in ("published", "unchanged") for o in outcomes), "counts": counts,
            "stages": list(STAGES), "datasets": datasets}


def stage_table(outcomes: list[dict]) -> Table:
    table = Table(title="detik per tahap / seconds per stage", caption="- : tahap tidak dijalankan / stage not run")
    table.add_column("dataset", no_wrap=True)
    for stage in STAGES:
        table.add_column(stage, justify="right")
    table.add_column("total", justify="right")
    for o in outcomes:
        stages = o.get("stages", {})
        table.add_row(o["dataset"], *(f"{stages[s]:.1f}" if s in stages else "-" for s in STAGES),
                      f"{o.get('seconds', 0):.1f}")
    return table


def print_outcomes(outcomes: list[dict], console: Console) -> None:
    """The seconds per stage, the outcome of every dataset, then what was wrong with the ones that failed."""
    console.print(stage_table(outcomes))
    table = Table(title="satudata run")
    table.add_column("dataset", no_wrap=True)
    table.add_column("status", no_wrap=True)
    for column in ("versi/version", "perubahan/change", "catatan/note", "detik/s"):
        table.add_column(column)
    for o in outcomes:
        table.add_row(o["dataset"], f"[{STATUS_STYLE.get(o['status'], '')}]{o['status']}[/]", o.get("version") or "-",
                      o.get("change") or "-", escape(o["message"]), f"{o.get('seconds', 0):.1f}")
    console.print(table)
    for o in outcomes:   # what was wrong, capped to a screen; whole paths, never cut: the steward opens the file
        report = _report_json(o)
        if o["status"] in ("quarantined", "failed") and report is not None:
            print_summary(json.loads(report.read_text(encoding="utf-8")), o["report"], console)
        if o.get("report"):
            console.print(f"Laporan / report {o['dataset']}: {escape(o['report'])}", soft_wrap=True)
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o["status"]] = counts.get(o["status"], 0) + 1
    console.print(", ".join(f"{n} {s}" for s, n in sorted(counts.items())))


def _print_portal(portal_dir: Path, console: Console) -> None:
    console.print(f"Portal lokal / local portal: [bold]{escape(str(portal_dir))}[/]  "
                  f"(index: {escape(str(portal_dir / 'index.json'))})", soft_wrap=True)
    if (portal_dir / "index.html").is_file():
        console.print(f"Situs / site: [bold]{escape(str(portal_dir / 'index.html'))}[/] — lihat / view with "
                      f"[bold]satudata serve[/] (http://127.0.0.1:8000/)", soft_wrap=True)
