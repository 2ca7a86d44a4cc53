"""`satudata serve`: the local portal's website on this machine, for journalists and for checking a run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def _portal_dir(catalog: Path, portal: Path | None) -> Path:
    if portal is not None:
        return portal.resolve()
    from satudata.cli import _catalog

    return _catalog(catalog).portal_dir()


CatalogOption = Annotated[Path, typer.Option("--catalog", "-c", help="Path to catalog.yaml.")]
PortalOption = Annotated[Path | None, typer.Option("--portal", help="Portal folder (default: from catalog.yaml).")]
PortOption = Annotated[int, typer.Option(help="Port to listen on (0: any free port).")]
HostOption = Annotated[str, typer.Option(help="Address to listen on (loopback by default).")]
QuietOption = Annotated[bool, typer.Option("--quiet", help="Do not log each request.")]


def serve(catalog: CatalogOption = Path("catalog.yaml"), portal: PortalOption = None, port: PortOption = 8000,
          host: HostOption = "127.0.0.1", quiet: QuietOption = False) -> None:
    """Serve the portal folder (the site, every version's files) over HTTP until Ctrl+C."""
    from satudata.publish.site.server import portal_server

    root = _portal_dir(catalog, portal)
    if not root.is_dir():
        typer.echo(f"Folder portal tidak ada / no portal folder: {root} (run `satudata run` first)", err=True)
        raise typer.Exit(2)
    if not (root / "index.html").is_file():
        typer.echo(f"Belum ada situs / no site yet in {root}: `satudata run` renders it", err=True)
    server = portal_server(root, host, port, quiet)
    bound_host, bound_port = server.server_address[:2]
    typer.echo(f"Portal: http://{bound_host}:{bound_port}/  ({root})  — Ctrl+C untuk berhenti / to stop", err=False)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
