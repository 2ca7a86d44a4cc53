"""Pull the raw export(s) of a dataset into the run folder, with their hashes: file, glob, HTTP(S) or SQL."""

from __future__ import annotations

import csv
import glob
import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlparse, urlunparse

from satudata.core.catalog import ENV_REFERENCE, Source
from satudata.core.files import CHUNK, sha256_file
from satudata.core.problems import ExportUnreadable
from satudata.core.records import RawExport

READ_TIMEOUT = 20.0        # seconds an HTTP server may stay silent (before its answer, or within its body)
BOMB_RATIO, BOMB_FLOOR = 100, 128 * 1024 ** 2   # an answer over the floor unpacking over 100× is a compression bomb


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _record(path: Path, uri: str, fmt: str, query: str | None = None) -> RawExport:
    return RawExport(path, uri, fmt, sha256_file(path), path.stat().st_size, _now(), query)


def declared_name(path: Path, root: Path) -> str:
    """A local export as the catalogue names it: relative to the catalogue's folder (POSIX separators), or, for a
    file outside it, its name alone; never an absolute path of this machine."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


SECRET_PARAMETERS = ("token", "key", "apikey", "api_key", "access_token", "secret", "password", "passwd", "pwd",
                     "sig", "signature", "auth", "credential", "credentials")


def public_url(url: str) -> str:
    """A URL fit to publish: no user name or password, and no query parameter that looks like a credential."""
    parsed = urlparse(url)
    netloc = parsed.hostname or ""
    if parsed.port:
        netloc += f":{parsed.port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parsed.query, keep_blank_values=True)
                       if k.lower().replace("-", "_") not in SECRET_PARAMETERS], safe="/:")
    return urlunparse(parsed._replace(netloc=netloc, query=query))


def public_sql_url(url: str) -> str:
    """An SQLAlchemy URL fit to publish: the user stays, the password goes (``postgresql://user@host/db``)."""
    if url.startswith("sqlite:"):
        return url
    parsed = urlparse(url)
    if parsed.password is None:
        return url
    user = f"{parsed.username}@" if parsed.username else ""
    host = (parsed.hostname or "") + (f":{parsed.port}" if parsed.port else "")
    return urlunparse(parsed._replace(netloc=user + host))


def _copy(origin: Path, dest_dir: Path, fmt: str, root: Path, max_bytes: int) -> RawExport:
    size = origin.stat().st_size
    if size > max_bytes:
        raise ExportUnreadable(declared_name(origin, root),
                               f"berkas {size:_} bita, lebih dari {max_bytes:_} bita (source.max_bytes): ekspor "
                               "yang salah atau batasnya perlu dinaikkan".replace("_", "."),
                               f"the file has {size:,} bytes, more than {max_bytes:,} (source.max_bytes): a wrong "
                               "export, or the limit must be raised")
    target = dest_dir / origin.name
    shutil.copyfile(origin, target)
    return _record(target, declared_name(origin, root), fmt)


def resolve_headers(headers: dict[str, str], where: str) -> dict[str, str]:
    """The request headers with each ``${NAME}`` taken from the environment (read here, at pull time only)."""
    resolved = {}
    for name, text in headers.items():
        missing = [v for v in ENV_REFERENCE.findall(text) if v not in os.environ]
        if missing:
            raise ExportUnreadable(where, f"variabel lingkungan {', '.join(missing)} untuk header {name} tidak ada",
                                   f"the environment variable {', '.join(missing)} for header {name} is not set")
        resolved[name] = ENV_REFERENCE.sub(lambda m: os.environ[m.group(1)], text)
    return resolved


def _http(source: Source, dest_dir: Path, fmt: str, read_timeout: float) -> RawExport:
    import requests

    url, shown = source.url, public_url(source.url)   # the real URL may hold credentials: only `shown` is told
    target = dest_dir / (Path(urlparse(url).path).name or f"export.{fmt}")
    headers = resolve_headers(source.headers, shown)
    deadline, size = time.monotonic() + source.timeout, 0
    try:
        with requests.get(url, stream=True, timeout=min(read_timeout, source.timeout), headers=headers) as response:
            response.raise_for_status()
            with target.open("wb") as handle:
                for chunk in response.iter_content(CHUNK):
                    size += len(chunk)
                    if size > source.max_bytes:
                        raise ExportUnreadable(shown, f"jawaban lebih dari {source.max_bytes} bita (source.max_bytes)",
                                               f"the answer is larger than {source.max_bytes} bytes "
                                               "(source.max_bytes)")
                    wire = response.raw.tell()   # bytes received, before Content-Encoding is undone
                    if size > BOMB_FLOOR and size > BOMB_RATIO * max(wire, 1):
                        raise ExportUnreadable(
                            shown, f"jawaban terkompresi terurai lebih dari {BOMB_RATIO}× ({wire:_} bita menjadi "
                            f"lebih dari {size:_} bita): bom kompresi, tidak dibaca".replace("_", "."),
                            f"the compressed answer unpacks more than {BOMB_RATIO}× ({wire:,} bytes into more than "
                            f"{size:,} bytes; decompressed size over the limit): a compression bomb, not read")
                    if time.monotonic() > deadline:
                        raise ExportUnreadable(shown, f"unduhan melebihi {source.timeout:g} detik (source.timeout)",
                                               f"the download took more than {source.timeout:g} s (source.timeout)")
                    handle.write(chunk)
    except requests.RequestException as exc:
        status = getattr(exc.response, "status_code", None)   # the exception's text may hold the URL: not told
        why = f"HTTP {status}" if status else type(exc).__name__
        # requests reports a read timeout inside the body as a ConnectionError wrapping urllib3's ReadTimeoutError
        stalled = isinstance(exc, requests.Timeout) or "timed out" in str(exc).lower()
        # worth another try: the server was down or overloaded, never a 4xx, a redirect loop or a stalled answer
        transient = (status is not None and (status >= 500 or status == 429)) or (
            status is None and isinstance(exc, requests.ConnectionError) and not stalled)
        if stalled:
            seconds = min(read_timeout, source.timeout)
            raise ExportUnreadable(shown, f"gagal mengunduh: server diam lebih dari {seconds:g} detik (timeout)",
                                   f"download failed: the server sent nothing for more than {seconds:g} s "
                                   "(timeout)") from None
        raise ExportUnreadable(shown, f"gagal mengunduh: {why}", f"download failed: {why}",
                               transient=transient) from None
    return _record(target, shown, fmt)


def _sql(url: str, query: str, dest_dir: Path, root: Path, timeout: float = 600.0) -> RawExport:
    import sqlalchemy

    declared = url
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        url = "sqlite:///" + str((root / url.removeprefix("sqlite:///")).resolve())
    target = dest_dir / "query_result.csv"
    try:
        engine = sqlalchemy.create_engine(url)
        _limit_statements(engine, timeout)
        with engine.connect() as connection, target.open("w", encoding="utf-8", newline="") as handle:
            result = connection.execution_options(stream_results=True).execute(sqlalchemy.text(query))
            writer = csv.writer(handle)
            writer.writerow(result.keys())
            for rows in result.partitions(10_000):
                writer.writerows(["" if v is None else v for v in row] for row in rows)
        engine.dispose()
    except ImportError as exc:   # the URL's dialect needs a driver this installation lacks (mysql:// → MySQLdb)
        scheme = declared.split(":", 1)[0]
        raise ExportUnreadable(public_sql_url(declared),
                               f"driver basis data untuk {scheme!r} tidak terpasang (modul {exc.name or exc}): "
                               "pasang drivernya (mis. pip install mysqlclient / psycopg) atau perbaiki source.url",
                               f"the database driver for {scheme!r} is not installed (module {exc.name or exc}): "
                               "install it (e.g. pip install mysqlclient / psycopg) or fix source.url") from None
    except sqlalchemy.exc.SQLAlchemyError as exc:
        why = str(exc.orig if getattr(exc, "orig", None) is not None else exc.args[0])
        if "interrupted" in why.lower() or "statement timeout" in why.lower():
            why = f"the query ran longer than {timeout:g} s (source.timeout)"
        raise ExportUnreadable(public_sql_url(declared), f"kueri SQL gagal: {exc.__class__.__name__}: {why}",
                               f"SQL query failed: {exc.__class__.__name__}: {why}") from None
    return _record(target, public_sql_url(declared), "csv", query)


def _limit_statements(engine: object, seconds: float) -> None:
    """Stop a query that runs longer than ``seconds``: SQLite through its progress handler, PostgreSQL and MySQL
    through their statement timeouts."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(connection: object, _record: object) -> None:
        name = type(connection).__module__
        if name.startswith("sqlite3"):
            deadline = time.monotonic() + seconds
            connection.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        elif "psycopg" in name:
            with connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = {int(seconds * 1000)}")
        elif "mysql" in name.lower():
            with connection.cursor() as cursor:
                cursor.execute(f"SET SESSION MAX_EXECUTION_TIME = {int(seconds * 1000)}")


def local_exports(source: Source, root: Path) -> list[Path]:
    """The files a ``file`` source (its path, found or not) or a ``glob`` source (its matches, sorted) names."""
    if source.kind == "file":
        return [root / source.path]
    return sorted(Path(p) for p in glob.glob(str(root / source.path)))


def pull(source: Source, root: Path, dest_dir: Path, *, http_timeout: float = READ_TIMEOUT) -> list[RawExport]:
    """Copy or fetch every export of a source into dest_dir and hash it."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    fmt = source.format or "csv"
    if source.kind == "file":
        (origin,) = local_exports(source, root)
        if not origin.is_file():
            raise ExportUnreadable(str(source.path), "berkas ekspor tidak ditemukan", "export file not found")
        return [_copy(origin, dest_dir, fmt, root, source.max_bytes)]
    if source.kind == "glob":
        matches = local_exports(source, root)
        if not matches:
            raise ExportUnreadable(str(source.path), "tidak ada berkas yang cocok dengan pola",
                                   "no file matches the pattern")
        return [_copy(p, dest_dir, fmt, root, source.max_bytes) for p in matches]
    if source.kind == "http":
        return [_http(source, dest_dir, fmt, http_timeout)]
    return [_sql(source.url, source.query, dest_dir, root, source.timeout)]
