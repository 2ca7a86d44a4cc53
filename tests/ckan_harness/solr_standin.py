#!/usr/bin/env python3
"""Solr STAND-IN for the satudata CKAN test harness. FOR TESTS ONLY.

This is NOT Solr and is not a search engine.  Real Solr cannot be installed
on the test machines, yet CKAN 2.12 talks to Solr on every dataset
create/update/delete (without it package_create fails with
SearchIndexError).  This tiny server (Python stdlib only) answers the calls
CKAN 2.12 makes through pysolr, well enough for the CKAN action API to work:

  GET  /solr/<core>/schema?wt=schema.xml       schema version check at start-up
  GET  /solr/<core>/admin/file/?file=schema.xml (classic fallback of the same)
  GET  /solr/<core>/admin/ping                 ping
  GET|POST /solr/<core>/select                 search (q, fq, rows, start, fl,
                                               sort, facet.field) - simplistic
  POST /solr/<core>/update                     JSON or XML add/delete/commit

Documents are kept in memory keyed by their unique key (CKAN's schema uses
``index_id``; ``id`` is used when that is absent) and, when --data-file is
given, saved to that JSON file after every update so a restart keeps them.

Query support is deliberately small: ``*:*``, ``field:value``,
``field:"value"``, ``field:(a OR b)``, ``+``/``-`` prefixes, AND/OR between
clauses, parenthesised groups, ``[x TO y]`` ranges (treated as "field
present") and bare words (case-insensitive substring match over all field
values).  Relevance scoring does not exist.  Nothing in satudata may rely on
search results being correct: the publisher uses package_show, which reads
the database, not the search index.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import threading
import time
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# CKAN 2.12 accepts schema versions 2.8 .. 2.12 and reads the version from
# the root element's name attribute ("ckan-X.Y").
SCHEMA_XML = """<?xml version="1.0" encoding="UTF-8" ?>
<schema name="ckan-2.12" version="1.6">
  <uniqueKey>index_id</uniqueKey>
  <!-- satudata test harness: Solr stand-in, not a real schema -->
</schema>
"""

DOCS: dict[str, dict] = {}
LOCK = threading.Lock()
DATA_FILE: str | None = None


# --------------------------------------------------------------------------
# persistence
# --------------------------------------------------------------------------
def _load() -> None:
    if DATA_FILE and os.path.exists(DATA_FILE):
        try:
            with open(DATA_FILE, encoding="utf-8") as f:
                data = json.load(f)
            if isinstance(data, dict):
                DOCS.update(data)
        except (OSError, ValueError) as e:  # a broken file just starts empty
            print(f"solr-standin: ignoring unreadable {DATA_FILE}: {e}",
                  file=sys.stderr)


def _save() -> None:
    if not DATA_FILE:
        return
    tmp = DATA_FILE + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(DOCS, f)
    os.replace(tmp, DATA_FILE)


def _key(doc: dict) -> str:
    return str(doc.get("index_id") or doc.get("id"))


# --------------------------------------------------------------------------
# a very small Lucene-ish query matcher
# --------------------------------------------------------------------------
_TOKEN_RE = re.compile(
    r"""\s*(
        \(|\)                                   # group brackets
      | [+-]?[A-Za-z_][\w.\-]*:\[[^\]]*\]       # field:[a TO b]
      | [+-]?[A-Za-z_][\w.\-]*:\{[^}]*\}        # field:{a TO b}
      | [+-]?[A-Za-z_][\w.\-]*:"(?:[^"\\]|\\.)*"  # field:"quoted"
      | [+-]?[A-Za-z_][\w.\-]*:\(               # field:( ... )  (value group)
      | [+-]?"(?:[^"\\]|\\.)*"                  # "bare phrase"
      | [+-]\(                                  # +( group
      | [^\s()]+                                # anything else
    )""",
    re.VERBOSE,
)


def _tokenize(q: str) -> list[str]:
    out, pos = [], 0
    while pos < len(q):
        m = _TOKEN_RE.match(q, pos)
        if not m:
            break
        tok = m.group(1)
        pos = m.end()
        if tok:
            out.append(tok)
        if pos < len(q) and not q[pos:].strip():
            break
    return out


def _unquote(v: str) -> str:
    if len(v) >= 2 and v[0] == '"' and v[-1] == '"':
        v = v[1:-1]
    return re.sub(r"\\(.)", r"\1", v)


def _values(doc: dict, field: str) -> list:
    if field in ("*", ""):
        vals: list = []
        for v in doc.values():
            vals.extend(v if isinstance(v, list) else [v])
        return vals
    v = doc.get(field)
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def _field_match(doc: dict, field: str, value: str) -> bool:
    value = _unquote(value)
    vals = _values(doc, field)
    if value == "*":
        return bool(vals) or field == "*"
    lv = value.lower()
    for v in vals:
        s = "true" if v is True else "false" if v is False else str(v)
        if s == value or s.lower() == lv:
            return True
        # text-ish fields: allow word/substring matches
        if field in ("text", "title", "notes", "*") and lv in s.lower():
            return True
    return False


def _text_match(doc: dict, word: str) -> bool:
    word = _unquote(word).lower()
    if word in ("*", ""):
        return True
    return any(isinstance(v, str) and word in v.lower() for v in _values(doc, "*"))


class _Parser:
    """Recursive descent over tokens producing a predicate(doc) -> bool."""

    def __init__(self, tokens: list[str], default_and: bool = True):
        self.t = tokens
        self.i = 0
        self.default_and = default_and

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else None

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def parse_expr(self, closing: str | None = None):
        # list of (prefix, predicate, connector-before)
        items: list[tuple[str, object, str]] = []
        connector = "AND" if self.default_and else "OR"
        while True:
            tok = self.peek()
            if tok is None:
                break
            if tok == ")":
                self.take()
                break
            if tok in ("AND", "&&"):
                self.take()
                connector = "AND"
                continue
            if tok in ("OR", "||"):
                self.take()
                connector = "OR"
                continue
            if tok == "NOT":
                self.take()
                pred = self.parse_atom()
                items.append(("-", pred, connector))
            else:
                prefix = ""
                if tok[0] in "+-" and len(tok) > 1:
                    prefix = tok[0]
                pred = self.parse_atom()
                items.append((prefix, pred, connector))
            connector = "AND" if self.default_and else "OR"
        return self._combine(items)

    @staticmethod
    def _combine(items):
        if not items:
            return lambda d: True
        required = [p for (pre, p, _) in items if pre == "+"]
        prohibited = [p for (pre, p, _) in items if pre == "-"]
        plain = [(p, c) for (pre, p, c) in items if pre == ""]

        def pred(doc):
            if any(not p(doc) for p in required):
                return False
            if any(p(doc) for p in prohibited):
                return False
            if not plain:
                return True
            # evaluate plain clauses left to right; OR groups of AND runs
            result = None
            for p, conn in plain:
                v = p(doc)
                if result is None:
                    result = v
                elif conn == "OR":
                    result = result or v
                else:
                    result = result and v
            return bool(result)

        return pred

    def parse_atom(self):
        tok = self.take()
        if tok is None:
            return lambda d: True
        if tok[0] in "+-" and len(tok) > 1:
            tok = tok[1:]
        if tok == "(":
            return self.parse_expr(")")
        if tok == "*:*":
            return lambda d: True
        if tok.startswith("{!"):
            return lambda d: True  # local params: ignored
        m = re.match(r"^([A-Za-z_][\w.\-]*):(.*)$", tok, re.S)
        if m:
            field, value = m.group(1), m.group(2)
            if value == "(":
                # field:(a OR b ...) -> OR over the values inside
                vals, conn_and = [], False
                while True:
                    t = self.take()
                    if t is None or t == ")":
                        break
                    if t == "AND":
                        conn_and = True
                        continue
                    if t == "OR":
                        continue
                    vals.append(t.lstrip("+"))
                if conn_and:
                    return lambda d, f=field, vs=vals: all(
                        _field_match(d, f, v) for v in vs)
                return lambda d, f=field, vs=vals: any(
                    _field_match(d, f, v) for v in vs)
            if value.startswith("[") or value.startswith("{"):
                return lambda d, f=field: bool(_values(d, f))
            return lambda d, f=field, v=value: _field_match(d, f, v)
        return lambda d, w=tok: _text_match(d, w)


def _predicate(q: str | None, default_and: bool = True):
    if q is None:
        return lambda d: True
    q = q.strip()
    if q in ("", "*:*", "*", '""', "''"):
        return lambda d: True
    return _Parser(_tokenize(q), default_and).parse_expr()


# --------------------------------------------------------------------------
# select / update
# --------------------------------------------------------------------------
def _sort_docs(docs: list[dict], sort: str | None) -> list[dict]:
    if not sort:
        return docs
    specs = []
    for part in sort.split(","):
        bits = part.strip().split()
        if not bits or bits[0] == "score":
            continue
        specs.append((bits[0], len(bits) > 1 and bits[1].lower() == "desc"))
    for field, desc in reversed(specs):
        docs = sorted(docs,
                      key=lambda d, f=field: (d.get(f) is None, str(d.get(f, ""))),
                      reverse=desc)
    return docs


def select(params: dict[str, list[str]]) -> dict:
    def one(name, default=None):
        v = params.get(name)
        return v[-1] if v else default

    default_and = (one("q.op", "OR") or "OR").upper() == "AND"
    q = one("q", "*:*")
    preds = [_predicate(q, default_and)]
    for fq in params.get("fq", []):
        preds.append(_predicate(fq, True))
    with LOCK:
        docs = [d for d in DOCS.values() if all(p(d) for p in preds)]
    docs = _sort_docs(docs, one("sort"))
    try:
        start = int(one("start", "0") or 0)
    except ValueError:
        start = 0
    try:
        rows = int(one("rows", "10") or 10)
    except ValueError:
        rows = 10
    page = docs[start:start + max(rows, 0)]

    fl_raw = " ".join(params.get("fl", []))
    fl = [f for f in re.split(r"[\s,]+", fl_raw) if f and f != "score"]
    if fl and "*" not in fl:
        page = [{k: d[k] for k in fl if k in d} for d in page]

    out = {
        "responseHeader": {"status": 0, "QTime": 0,
                           "params": {k: v[-1] for k, v in params.items()}},
        "response": {"numFound": len(docs), "start": start, "docs": page},
    }
    if (one("facet", "false") or "").lower() == "true":
        try:
            mincount = int(one("facet.mincount", "1") or 1)
        except ValueError:
            mincount = 1
        try:
            limit = int(one("facet.limit", "50") or 50)
        except ValueError:
            limit = 50
        fields = {}
        for field in params.get("facet.field", []):
            field = re.sub(r"^\{![^}]*\}", "", field)
            counts: dict[str, int] = {}
            for d in docs:
                for v in _values(d, field):
                    counts[str(v)] = counts.get(str(v), 0) + 1
            items = sorted(((k, c) for k, c in counts.items() if c >= mincount),
                           key=lambda kc: (-kc[1], kc[0]))
            if limit >= 0:
                items = items[:limit]
            flat: list = []
            for k, c in items:
                flat.extend([k, c])
            fields[field] = flat
        out["facet_counts"] = {"facet_queries": {}, "facet_fields": fields,
                               "facet_ranges": {}, "facet_intervals": {},
                               "facet_heatmaps": {}}
    return out


def _delete_query(q: str) -> None:
    pred = _predicate(q, True)
    for k in [k for k, d in DOCS.items() if pred(d)]:
        del DOCS[k]


def _add(doc: dict) -> None:
    if not isinstance(doc, dict):
        return
    DOCS[_key(doc)] = doc


def _delete_ids(ids) -> None:
    ids = ids if isinstance(ids, list) else [ids]
    for i in ids:
        i = str(i)
        DOCS.pop(i, None)
        for k in [k for k, d in DOCS.items() if str(d.get("id")) == i]:
            del DOCS[k]


def update_json(body: bytes) -> None:
    data = json.loads(body.decode("utf-8") or "null")
    if data is None:
        return
    if isinstance(data, list):  # list of docs
        for doc in data:
            _add(doc)
        return
    if isinstance(data, dict):
        # either a single doc or a command object ({"add": ..., "delete": ...})
        if not ({"add", "delete", "commit", "optimize"} & set(data)):
            _add(data)
            return
        # json.loads keeps only the last duplicate key; accept that
        add = data.get("add")
        if add is not None:
            for a in (add if isinstance(add, list) else [add]):
                _add(a.get("doc", a) if isinstance(a, dict) else a)
        dele = data.get("delete")
        if dele is not None:
            for d in (dele if isinstance(dele, list) else [dele]):
                if isinstance(d, dict):
                    if "query" in d:
                        _delete_query(str(d["query"]))
                    if "id" in d:
                        _delete_ids(d["id"])
                else:
                    _delete_ids(d)


def _xml_value(text: str | None):
    return text or ""


def update_xml(body: bytes) -> None:
    if not body.strip():
        return
    root = ET.fromstring(body)
    elems = [root] if root.tag != "update" else list(root)
    for el in elems:
        if el.tag == "add":
            for d in el.findall("doc"):
                doc: dict = {}
                for f in d.findall("field"):
                    name = f.get("name")
                    if not name:
                        continue
                    val = _xml_value(f.text)
                    if name in doc:
                        if not isinstance(doc[name], list):
                            doc[name] = [doc[name]]
                        doc[name].append(val)
                    else:
                        doc[name] = val
                _add(doc)
        elif el.tag == "delete":
            for i in el.findall("id"):
                _delete_ids(_xml_value(i.text))
            for q in el.findall("query"):
                _delete_query(_xml_value(q.text))
        # commit / optimize / rollback: nothing to do (always "committed")


# --------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------
class Handler(BaseHTTPRequestHandler):
    server_version = "satudata-solr-standin/1.0"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quieter, to stderr with a timestamp
        sys.stderr.write("{} {}\n".format(time.strftime("%H:%M:%S"), fmt % args))

    def _send(self, code: int, body, ctype="application/json; charset=utf-8"):
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, code: int, msg: str):
        self._send(code, {"responseHeader": {"status": code, "QTime": 0},
                          "error": {"msg": msg, "code": code}})

    def _route(self):
        parts = urlsplit(self.path)
        path = parts.path.rstrip("/")
        params = parse_qs(parts.query, keep_blank_values=True)
        body = b""
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            body = self.rfile.read(length)
        ctype = (self.headers.get("Content-Type") or "").lower()
        if self.command == "POST" and "x-www-form-urlencoded" in ctype:
            for k, v in parse_qs(body.decode("utf-8"),
                                 keep_blank_values=True).items():
                params.setdefault(k, []).extend(v)
            body = b""
        m = re.match(r"^/solr/[^/]+(/.*)?$", path)
        sub = (m.group(1) or "") if m else path
        return sub, params, body, ctype

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def _dispatch(self):
        try:
            sub, params, body, ctype = self._route()
            if sub in ("/schema", "/admin/file") or sub.startswith("/schema/"):
                wt = (params.get("wt") or [""])[-1]
                f = (params.get("file") or [""])[-1]
                if sub == "/admin/file" or wt == "schema.xml" or f:
                    return self._send(200, SCHEMA_XML,
                                      "application/xml; charset=utf-8")
                return self._send(200, {"responseHeader": {"status": 0},
                                        "schema": {"name": "ckan-2.12",
                                                   "version": 1.6,
                                                   "uniqueKey": "index_id"}})
            if sub == "/admin/ping":
                return self._send(200, {"responseHeader": {"status": 0,
                                                           "QTime": 0},
                                        "status": "OK"})
            if sub in ("/select", "/query"):
                return self._send(200, select(params))
            if sub.startswith("/update"):
                with LOCK:
                    if body.strip():
                        if "json" in ctype or sub.endswith("/json") \
                                or body.lstrip()[:1] in (b"{", b"["):
                            update_json(body)
                        else:
                            update_xml(body)
                    _save()
                return self._send(200, {"responseHeader": {"status": 0,
                                                           "QTime": 0}})
            if sub in ("/admin/luke", "/admin/system", ""):
                return self._send(200, {"responseHeader": {"status": 0},
                                        "index": {"numDocs": len(DOCS)}})
            return self._error(404, f"solr stand-in: unsupported path {self.path}")
        except Exception as e:  # report as a Solr-style error
            return self._error(400, f"solr stand-in: {type(e).__name__}: {e}")


def main(argv=None) -> int:
    global DATA_FILE
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=18983)
    ap.add_argument("--data-file", default=None,
                    help="JSON file to persist documents in (optional)")
    args = ap.parse_args(argv)
    DATA_FILE = args.data_file
    _load()
    ThreadingHTTPServer.allow_reuse_address = True
    srv = ThreadingHTTPServer((args.host, args.port), Handler)
    srv.daemon_threads = True
    print(f"solr stand-in (tests only) listening on http://{args.host}:{args.port}/solr/", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
