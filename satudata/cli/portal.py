"""`satudata serve`: the local portal's website on this machine, for journalists and for checking a run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from satudata.cli.common import CatalogOption, ExitCode, Invocation, consoles

PortalOption = Annotated[Path | None, typer.Option("--portal", help="Portal folder (default: from catalog.yaml).")]
PortOption = Annotated[int, typer.Option(help="Port to listen on (0: any free port).")]
HostOption = Annotated[str, typer.Option(help="Address to listen on (loopback by default).")]
QuietOption = Annotated[bool, typer.Option("--quiet", help="Do not log each request.")]


def serve(catalog: CatalogOption = Path("catalog.yaml"), portal: PortalOption = None, port: PortOption = 8000,
          host: HostOption = "127.0.0.1", quiet: QuietOption = False) -> None:
    """Serve the portal folder (the site, every version's files) over HTTP until Ctrl+C.

    With --portal no catalogue is read.
    """
    from satudata.publish.site.server import portal_server

    root = portal.resolve() if portal is not None else Invocation.open(catalog).portal_dir()
    _, err = consoles()
    if not root.is_dir():
        err.print(f"Folder portal tidak ada / no portal folder: {root} (run `satudata run` first)", markup=False)
        raise typer.Exit(int(ExitCode.USAGE))
    if not (root / "index.html").is_file():
        err.print(f"Belum ada situs / no site yet in {root}: `satudata run` renders it", markup=False)
    server = portal_server(root, host, port, quiet)
    bound_host, bound_port = server.server_address[:2]
    typer.echo(f"Portal: http://{bound_host}:{bound_port}/  ({root})  — Ctrl+C untuk berhenti / to stop")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
