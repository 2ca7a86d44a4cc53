"""A loopback HTTP proxy in front of the CKAN harness, to make CKAN fail on purpose (stdlib only, threaded).

Each request to ``/api/action/<action>`` (or ``/api/3/action/<action>``) is numbered per action and handed to
``decide(action, n)``: it returns an HTTP status (or a status and a body) to answer at once without forwarding
(e.g. 503), or None to forward it. After a forwarded request's upstream answer has come back, ``after(action, n)``
runs; if it returns False the client gets no answer (the connection is closed), as if the caller died mid-request.

More faults (tests/faults/test_ckan_faults.py): ``reset(action, n, body)`` → True reads only half of the request
body and then resets the connection (a TCP RST) without forwarding anything; ``delay(action, n)`` → seconds to wait
after CKAN answered before the answer is relayed (longer than the client's timeout: a timeout after CKAN applied
the action; short: a slow server). ``decide`` and ``reset`` may take the request body as a third argument.
"""

from __future__ import annotations

import http.client
import inspect
import socket
import struct
import threading
import time
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
    def __init__(self, upstream: str, decide: Callable[..., int | tuple[int, bytes] | None] = lambda a, n: None,
                 after: Callable[[str, int], bool] = lambda a, n: True,
                 reset: Callable[..., bool] = lambda a, n: False,
                 delay: Callable[[str, int], float] = lambda a, n: 0.0) -> None:
        target = urlsplit(upstream)
        self.upstream_host, self.upstream_port = target.hostname or "127.0.0.1", target.port or 80
        self.decide, self.after, self.reset, self.delay = decide, after, reset, delay
        self.counts: Counter[str] = Counter()
        self.log: list[tuple[str, int, int]] = []       # (action, n, status answered; 0: no answer, -1: reset)
        self.late: list[tuple[str, int, float]] = []    # (action, n, seconds the answer was held back)
        self.first_request: float | None = None        # time.monotonic() of the first action request
        self._lock = threading.Lock()
        self.server = _QuietServer(("127.0.0.1", 0), self._handler())
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
                action = action_of(self.path)
                n = proxy._number(action) if action else 0
                if action and proxy.first_request is None:
                    proxy.first_request = time.monotonic()
                if action and length and _call(proxy.reset, action, n, b""):
                    self.rfile.read(length // 2)        # half the upload has arrived: then the line drops
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    proxy._record(action, n, -1)
                    self.close_connection = True
                    self.connection.close()
                    return
                body = self.rfile.read(length) if length else None
                refuse = _call(proxy.decide, action, n, body or b"") if action else None
                if refuse:
                    refuse, payload = refuse if isinstance(refuse, tuple) else (refuse, b"Service Unavailable")
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
                wait = proxy.delay(action, n) if action else 0.0
                if wait:
                    with proxy._lock:
                        proxy.late.append((action, n, wait))
                    time.sleep(wait)
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


def _call(hook: Callable, action: str, n: int, body: bytes):
    """A hook of (action, n) or of (action, n, body)."""
    return hook(action, n, body) if len(inspect.signature(hook).parameters) >= 3 else hook(action, n)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:   # a client that went away (killed, timed out)
        pass
