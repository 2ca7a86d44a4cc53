"""What every command shares: exit codes, options, the two consoles, and reading the configuration once.

Each command is its own entry point: it calls ``Invocation.open`` first, which reads catalog.yaml and the
environment (``RunSettings.from_environment``) once, and passes what it read on. Nothing below the CLI reads the
environment or the catalogue for it again.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from satudata.core.catalog import Catalog, CatalogError, load_catalog
from satudata.core.settings import RunSettings, quiet_environment


class ExitCode(IntEnum):
    OK = 0
    PROBLEM = 1        # a dataset failed or was quarantined, the export failed validation, verify found a problem
    USAGE = 2          # bad usage: unknown command, option, value, dataset or version; catalogue error; no portal
    UNREACHABLE = 3    # the target (CKAN, the portal folder) or the Prefect API cannot be reached or read
    INTERRUPTED = 130  # stopped with Ctrl+C


EXIT_CODES_HELP = """Exit codes / kode keluar:

\b
  0    ok
  1    a dataset failed or was quarantined, the export failed validation, or verify found a problem
  2    bad usage (unknown command, option, value, dataset or version), catalogue error, no portal folder,
       a target with no URL or token
  3    the target (CKAN, portal folder) or the Prefect API cannot be reached or read
  130  interrupted (Ctrl+C)
"""
TARGETS = ("local", "ckan")

CatalogOption = Annotated[Path, typer.Option("--catalog", "-c", help="Path to catalog.yaml.")]
PortalOption = Annotated[Path | None, typer.Option("--portal", help="Local portal folder (overrides catalog.yaml).")]
TargetOption = Annotated[str, typer.Option("--target", help="Publish target: local or ckan.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (keys in docs/cli.md) instead of tables.")]
DatasetArgument = Annotated[str, typer.Argument(help="Dataset id.", metavar="DATASET", show_default=False)]


def consoles() -> tuple[Console, Console]:
    """(stdout, stderr). Plain 160 columns when stdout is not a terminal, so piped output is not cut at 80."""
    width = None if sys.stdout.isatty() else 160
    return Console(highlight=False, width=width), Console(stderr=True, highlight=False)


def fail(err: Console, message: str, code: ExitCode = ExitCode.USAGE) -> NoReturn:
    err.print(message)
    raise typer.Exit(int(code))


def print_json(data: object) -> None:
    """One JSON document on stdout, nothing else (progress and messages go to stderr)."""
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@dataclass
class Invocation:
    """What one command invocation read at its start: the consoles, the catalogue and the run settings."""

    out: Console
    err: Console
    catalog: Catalog
    settings: RunSettings

    @classmethod
    def open(cls, catalog_path: Path, *, target: str = "local", portal: Path | None = None, concurrency: int = 2,
             prefect: bool = False) -> Invocation:
        """Read catalog.yaml and the environment once. ``prefect``: the command runs Prefect or GX, whose state
        and noise ``quiet_environment`` keeps in the project's folder and off the terminal."""
        out, err = consoles()
        if target not in TARGETS:
            fail(err, f"[red]--target harus / must be {' or '.join(TARGETS)}[/] (got {escape(target)!r})")
        catalog = read_catalog(catalog_path, err)
        settings = RunSettings.from_environment(catalog_path.resolve(), target=target,
                                                portal_dir=portal.resolve() if portal else None,
                                                concurrency=concurrency)
        if prefect:
            quiet_environment(settings.root)
        return cls(out, err, catalog, settings)

    def dataset_ids(self, ids: list[str]) -> list[str]:
        """The ids asked for (all of the catalogue when none), each checked against it (exit 2 when unknown)."""
        known = [d.id for d in self.catalog.datasets]
        for dataset_id in ids:
            if dataset_id not in known:
                fail(self.err, f"[red]Dataset tidak dikenal / unknown dataset[/] {escape(dataset_id)!r}; "
                               f"known: {', '.join(known)}")
        return ids or known

    def portal_dir(self) -> Path:
        return self.settings.portal_dir or self.catalog.portal_dir()


def read_catalog(path: Path, err: Console) -> Catalog:
    try:
        return load_catalog(path)
    except CatalogError as exc:
        fail(err, f"[red bold]Katalog salah / catalogue error[/]\n{escape(exc.file)}: [bold]{escape(exc.key)}[/]: "
                  f"{escape(exc.problem)}\n  perbaiki / fix: {escape(exc.fix)}")
