"""A loopback HTTP proxy in front of the S3 harness, to kill a writer at a chosen moment (stdlib only, threaded).

Requests are forwarded byte for byte, the Host header included, so their SigV4 signatures still hold. After the
upstream answer to a request has come back, ``after(method, key, status)`` runs (key: the object key without the
bucket, query left out); if it returns False the client gets no answer (the connection is closed), as if the caller
died mid-request.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


class S3Proxy:
    def __init__(self, upstream: str, bucket: str, after: Callable[[str, str, int], bool]) -> None:
        target = urlsplit(upstream)
        self.upstream = (target.hostname or "127.0.0.1", target.port or 80)
        self.bucket, self.after = bucket, after
        self.log: list[tuple[str, str, int]] = []
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> S3Proxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=10)

    def key_of(self, path: str) -> str:
        parts = unquote(urlsplit(path).path).lstrip("/").split("/", 1)
        return parts[1] if len(parts) == 2 and parts[0] == self.bucket else ""

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                assert "chunked" not in (self.headers.get("Transfer-Encoding") or ""), "chunked bodies not forwarded"
                body = self.rfile.read(length) if length else None
                upstream = http.client.HTTPConnection(*proxy.upstream, timeout=120)
                upstream.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                for name, value in self.headers.items():
                    if name.lower() not in HOP_BY_HOP:
                        upstream.putheader(name, value)
                upstream.endheaders(body)
                answer = upstream.getresponse()
                data = answer.read()
                upstream.close()
                key = proxy.key_of(self.path)
                with proxy._lock:
                    proxy.log.append((self.command, key, answer.status))
                if not proxy.after(self.command, key, answer.status):
                    self.close_connection = True
                    return
                self.send_response_only(answer.status)   # the server's own Date and Server headers, not ours
                for name, value in answer.getheaders():   # a HEAD answer keeps the object's Content-Length
                    if name.lower() not in HOP_BY_HOP and (self.command == "HEAD" or name.lower() != "content-length"):
                        self.send_header(name, value)
                if self.command != "HEAD":
                    self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward

        return Handler
