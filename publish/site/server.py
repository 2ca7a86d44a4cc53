"""Serve the portal folder over HTTP on this machine (stdlib ThreadingHTTPServer), following the `latest` links."""

from __future__ import annotations

import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MEDIA_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".parquet": "application/vnd.apache.parquet",
    ".jsonld": "application/ld+json",
    ".jsonl": "application/x-ndjson",
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}


class PortalHandler(SimpleHTTPRequestHandler):
    """Files of the portal; hidden files (locks, half-written versions) are never served."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **MEDIA_TYPES}
    quiet = False

    def send_head(self):  # noqa: ANN201 - the stdlib's signature
        parts = self.path.split("?", 1)[0].split("#", 1)[0].split("/")
        if any(part.startswith(".") for part in parts if part):
            self.send_error(404, "File not found")
            return None
        return super().send_head()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        if not self.quiet:
            super().log_message(format, *args)


def portal_server(root: Path, host: str = "127.0.0.1", port: int = 8000, quiet: bool = False) -> ThreadingHTTPServer:
    """A server rooted at the portal folder; port 0 picks a free port (see ``server.server_address``)."""
    handler = type("Handler", (PortalHandler,), {"quiet": quiet})
    server = ThreadingHTTPServer((host, port), functools.partial(handler, directory=str(root.resolve())))
    server.daemon_threads = True
    return server
