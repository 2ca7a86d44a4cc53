"""The satudata command line: one Typer app (``satudata.cli:app``), one module per command group.

run (stewards) · validate (stewards) · checks, describe (writing a dataset's folder) · list, versions (the
catalogue) · lineage, verify (auditors) · serve (the portal) · deploy (operations). Every command reads its
configuration once, at its start (``common.Invocation``); every command that prints a table also prints JSON with
``--json`` (docs/cli.md).
"""

from __future__ import annotations

from typing import Annotated

import typer

from satudata.cli import audit, catalogue, deploy, drafting, portal, run, validate
from satudata.cli.common import EXIT_CODES_HELP

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="satudata — Satu Data Kota Malang: validated, versioned open data with lineage.",
                  epilog=EXIT_CODES_HELP)


def _version(show: bool) -> None:
    if show:
        from satudata.cli.about import version_text

        typer.echo(version_text())
        raise typer.Exit()


@app.callback()
def satudata(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                   help="Print the package version and the git commit of the code, "
                                                        "then exit.")] = False) -> None:
    """satudata — Satu Data Kota Malang: validated, versioned open data with lineage."""


COMMANDS = {
    "run": run.run,
    "validate": validate.validate,
    "list": catalogue.list_datasets,
    "versions": catalogue.versions,
    "lineage": audit.lineage,
    "verify": audit.verify,
    "serve": portal.serve,
    "deploy": deploy.deploy,
    "checks": drafting.checks,
    "describe": drafting.describe,
}
for _name, _command in COMMANDS.items():
    app.command(_name, epilog=EXIT_CODES_HELP)(_command)


def main() -> None:  # pragma: no cover - console script entry
    app(prog_name="satudata")
