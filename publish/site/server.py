"""Serve the portal folder over HTTP on this machine (stdlib ThreadingHTTPServer), following the `latest` links.

Besides the files, it answers CKAN's read calls at ``/api/3/action/<action>`` and ``/api/action/<action>`` (GET
with query parameters, or POST with a JSON body, as ckanapi sends them) from the static files the site wrote
(ckan_api.py), and ``package_search`` from the static search index (ckan_search.py).
"""

from __future__ import annotations

import functools
import io
import json
import re
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from satudata.publish.site.ckan_search import SearchFailed, search

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
API_PATH = re.compile(r"/api/(?:3/)?action/([A-Za-z_]+)/?")
ACTIONS, SEARCH_INDEX = "api/3/action", "api/3/search-index.json"
STATIC_ACTIONS = ("package_list", "organization_list", "status_show")
SHOW_ACTIONS = {"package_show": "datasets", "organization_show": "organizations"}
NAME = re.compile(r"[a-z0-9_-]{2,100}")
MAX_BODY = 1 << 16


class PortalHandler(SimpleHTTPRequestHandler):
    """Files of the portal; hidden files (locks, half-written versions) are never served."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **MEDIA_TYPES}
    quiet = False

    def send_head(self):  # noqa: ANN201 - the stdlib's signature
        path = urlsplit(self.path).path
        if any(part.startswith(".") for part in path.split("/") if part):
            self.send_error(404, "File not found")
            return None
        action = API_PATH.fullmatch(path)
        if action:
            return self._answer(action.group(1), dict(parse_qsl(urlsplit(self.path).query)))
        return super().send_head()

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        action = API_PATH.fullmatch(urlsplit(self.path).path)
        if not action:
            self.send_error(405, "Method not allowed: the portal is static files")
            return
        size = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(min(size, MAX_BODY)) or b"{}") if size <= MAX_BODY else None
        except ValueError:
            body = None
        params = dict(parse_qsl(urlsplit(self.path).query))
        if not isinstance(body, dict):
            reply = self._json(400, self._error(action.group(1), "Validation Error",
                                                "Bad request: the body is not a JSON object"))
        else:
            reply = self._answer(action.group(1), {**params, **body})
        self.copyfile(reply, self.wfile)

    # --- the read API -----------------------------------------------------------------------------------
    def _file(self, relative: str) -> Path:
        return Path(self.directory) / relative

    def _answer(self, action: str, params: dict) -> io.BytesIO:
        if action in STATIC_ACTIONS:
            return self._static(action, self._file(f"{ACTIONS}/{action}.json"))
        if action in SHOW_ACTIONS:
            name = self._resolve(SHOW_ACTIONS[action], str(params.get("id") or params.get("name_or_id") or ""))
            if name is None:
                return self._json(404, self._error(action, "Not Found Error", "Not found"))
            return self._static(action, self._file(f"{ACTIONS}/{action}/{name}.json"))
        if action == "package_search":
            return self._search(params)
        return self._json(400, self._error(action, None, f"Bad request - Action name not known: {action}"))

    def _index(self) -> dict:
        path = self._file(SEARCH_INDEX)
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {"datasets": [],
                                                                                   "organizations": []}

    def _resolve(self, kind: str, wanted: str) -> str | None:
        """The file name of a dataset or department given by name or id."""
        for entry in self._index()[kind]:
            if wanted in (entry["name"], entry["id"]):
                return entry["name"] if NAME.fullmatch(entry["name"]) else None
        return None

    def _static(self, action: str, path: Path) -> io.BytesIO:
        if not path.is_file():
            return self._json(404, self._error(action, "Not Found Error", "Not found"))
        return self._reply(200, path.read_bytes())

    def _search(self, params: dict) -> io.BytesIO:
        try:
            count, names, sort = search(self._index(), params)
        except SearchFailed as failed:
            return self._json(failed.status, self._error("package_search", failed.kind, failed.message))
        results = [json.loads(self._file(f"{ACTIONS}/package_show/{n}.json").read_text(encoding="utf-8"))["result"]
                   for n in names]
        return self._json(200, {"help": self._help("package_search"), "success": True,
                                "result": {"count": count, "facets": {}, "search_facets": {}, "sort": sort,
                                           "results": results}})

    def _help(self, action: str) -> str:
        """The help address as the static answers give it: under portal.base_url when the site has one."""
        status = self._file(f"{ACTIONS}/status_show.json")
        site = json.loads(status.read_text(encoding="utf-8"))["result"].get("site_url") if status.is_file() else ""
        return f"{site + '/' if site else ''}{ACTIONS}/help_show?name={action}"

    def _error(self, action: str, kind: str | None, message: str | dict) -> dict:
        body = message if isinstance(message, dict) else {"message": message}
        return {"help": self._help(action), "success": False,
                "error": {**body, **({"__type": kind} if kind else {})}}

    def _json(self, status: int, document: dict) -> io.BytesIO:
        return self._reply(status, json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode())

    def _reply(self, status: int, body: bytes) -> io.BytesIO:
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        if not self.quiet:
            super().log_message(format, *args)


def portal_server(root: Path, host: str = "127.0.0.1", port: int = 8000, quiet: bool = False) -> ThreadingHTTPServer:
    """A server rooted at the portal folder; port 0 picks a free port (see ``server.server_address``)."""
    handler = type("Handler", (PortalHandler,), {"quiet": quiet})
    server = ThreadingHTTPServer((host, port), functools.partial(handler, directory=str(root.resolve())))
    server.daemon_threads = True
    return server
