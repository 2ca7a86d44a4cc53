"""A tiny loopback HTTP server for the corpus' HTTP sources: 404, 500, an HTML page, an endless body, a stall, a
short body, a redirect loop and a gzip bomb (routes in corpus.HTTP_ROUTES). Threads only, 127.0.0.1 only."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.faults.corpus import ANTREAN, GOOD, HTML_PAGE, HTTP_ROUTES, gzip_bomb

ENDLESS_CHUNK = 64 * 1024
ENDLESS_PAUSE = 0.01            # ~6 MB/s: a body that never ends, without filling the disk in a minute
STALL_SECONDS = 600


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:   # quiet
        return

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        behaviour, status = HTTP_ROUTES.get(self.path, ("status", 404))
        try:
            getattr(self, "_" + behaviour.replace("-", "_"))(status)
        except (BrokenPipeError, ConnectionResetError):
            return

    def _head(self, status: int, content_type: str, length: int | None, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length is not None:
            self.send_header("Content-Length", str(length))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()

    def _status(self, status: int) -> None:
        body = f"<html><body><h1>{status}</h1><p>Tidak ditemukan / not found</p></body></html>".encode()
        self._head(status, "text/html; charset=utf-8", len(body))
        self.wfile.write(body)

    def _html(self, status: int) -> None:
        body = HTML_PAGE.encode("utf-8")
        self._head(status, "text/html; charset=utf-8", len(body))
        self.wfile.write(body)

    def _empty(self, status: int) -> None:
        self._head(status, "text/csv", 0)

    def _endless(self, status: int) -> None:
        lines = GOOD[ANTREAN].read_bytes().splitlines(keepends=True)
        body_block = b"".join(lines[1:])
        block = (body_block * (ENDLESS_CHUNK // len(body_block) + 1))[:ENDLESS_CHUNK]
        self._head(status, "text/csv", None, Connection="close")
        self.close_connection = True
        self.wfile.write(lines[0])
        while not self.server.stopping.is_set():
            self.wfile.write(block)
            time.sleep(ENDLESS_PAUSE)

    def _stall(self, status: int) -> None:
        self._head(status, "text/csv", 1_000_000)
        self.wfile.flush()
        self.server.stopping.wait(STALL_SECONDS)
        self.close_connection = True

    def _truncated(self, status: int) -> None:
        data = GOOD[ANTREAN].read_bytes()
        self._head(status, "text/csv", len(data) + 100_000, Connection="close")
        self.wfile.write(data[: len(data) // 3])
        self.wfile.flush()
        self.close_connection = True

    def _redirect_loop(self, status: int) -> None:
        self._head(status, "text/html", 0, Location=self.path)

    def _gzip_bomb(self, status: int) -> None:
        body = gzip_bomb(self.server.folder).read_bytes()
        self._head(status, "text/csv", len(body), Content_Encoding="gzip")
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, folder: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.folder = folder
        self.stopping = threading.Event()

    def handle_error(self, request, client_address) -> None:   # a client that hung up is no news: stay quiet
        return


def refused_address() -> str:
    """A loopback host:port where nothing listens (bound, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"127.0.0.1:{port}"


@contextmanager
def serving(folder: Path) -> Iterator[dict[str, str]]:
    """Serve the HTTP routes; yields the placeholders for corpus URLs: {'http': host:port, 'refused': host:port}."""
    folder.mkdir(parents=True, exist_ok=True)
    gzip_bomb(folder)   # made before any request, so no request waits for it
    server = _Server(folder)
    thread = threading.Thread(target=server.serve_forever, name="faults-http", daemon=True)
    thread.start()
    try:
        yield {"http": f"127.0.0.1:{server.server_address[1]}", "refused": refused_address()}
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(10)
