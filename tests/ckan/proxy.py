"""A loopback HTTP proxy in front of the CKAN harness, to make CKAN fail on purpose (stdlib only, threaded).

Each request to ``/api/action/<action>`` (or ``/api/3/action/<action>``) is numbered per action and handed to
``decide(action, n)``: it returns an HTTP status to answer at once without forwarding (e.g. 503), or None to
forward it. After a forwarded request's upstream answer has come back, ``after(action, n)`` runs; if it returns
False the client gets no answer (the connection is closed), as if the caller died mid-request.
"""

from __future__ import annotations

import http.client
import threading
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


def action_of(path: str) -> str | None:
    parts = urlsplit(path).path.strip("/").split("/")
    if len(parts) >= 3 and parts[0] == "api" and parts[-2] == "action":
        return parts[-1]
    return None


class CkanProxy:
    def __init__(self, upstream: str, decide: Callable[[str, int], int | None] = lambda a, n: None,
                 after: Callable[[str, int], bool] = lambda a, n: True) -> None:
        target = urlsplit(upstream)
        self.upstream_host, self.upstream_port = target.hostname or "127.0.0.1", target.port or 80
        self.decide, self.after = decide, after
        self.counts: Counter[str] = Counter()
        self.log: list[tuple[str, int, int]] = []       # (action, n, status answered)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> CkanProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=10)

    def statuses(self, action: str) -> list[int]:
        return [status for name, _, status in self.log if name == action]

    def _number(self, action: str) -> int:
        with self._lock:
            self.counts[action] += 1
            return self.counts[action]

    def _record(self, action: str, n: int, status: int) -> None:
        with self._lock:
            self.log.append((action, n, status))

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:   # quiet
                pass

            def _relay(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                action = action_of(self.path)
                n = proxy._number(action) if action else 0
                refuse = proxy.decide(action, n) if action else None
                if refuse:
                    payload = b"Service Unavailable"
                    self.send_response(refuse)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    proxy._record(action, n, refuse)
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP | {"host"}}
                upstream = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port, timeout=300)
                try:
                    upstream.request(self.command, self.path, body=body, headers=headers)
                    answer = upstream.getresponse()
                    data = answer.read()
                finally:
                    upstream.close()
                if action and not proxy.after(action, n):
                    proxy._record(action, n, 0)
                    self.close_connection = True
                    return
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in HOP_BY_HOP | {"content-length"}:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                if action:
                    proxy._record(action, n, answer.status)

            do_GET = do_POST = _relay

        return Handler
