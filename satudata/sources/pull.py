"""Pull the raw export(s) of a dataset into the run folder, with their hashes: file, glob, HTTP(S) or SQL."""

from __future__ import annotations

import csv
import glob
import shutil
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlparse, urlunparse

from satudata.core.catalog import Source
from satudata.core.files import CHUNK, sha256_file
from satudata.core.problems import ExportUnreadable
from satudata.core.records import RawExport


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


def _copy(origin: Path, dest_dir: Path, fmt: str, root: Path) -> RawExport:
    target = dest_dir / origin.name
    shutil.copyfile(origin, target)
    return _record(target, declared_name(origin, root), fmt)


def _http(url: str, dest_dir: Path, fmt: str, timeout: float) -> RawExport:
    import requests

    name = Path(urlparse(url).path).name or f"export.{fmt}"
    target = dest_dir / name
    try:
        with requests.get(url, stream=True, timeout=timeout) as response:
            response.raise_for_status()
            with target.open("wb") as handle:
                for chunk in response.iter_content(CHUNK):
                    handle.write(chunk)
    except requests.RequestException as exc:
        shown = public_url(url)   # the exception's text may hold the URL with its credentials
        status = getattr(exc.response, "status_code", None)
        why = f"HTTP {status}" if status else type(exc).__name__
        raise ExportUnreadable(shown, f"gagal mengunduh: {why}", f"download failed: {why}") from None
    return _record(target, public_url(url), fmt)


def _sql(url: str, query: str, dest_dir: Path, root: Path) -> RawExport:
    import sqlalchemy

    declared = url
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        url = "sqlite:///" + str((root / url.removeprefix("sqlite:///")).resolve())
    target = dest_dir / "query_result.csv"
    try:
        engine = sqlalchemy.create_engine(url)
        with engine.connect() as connection, target.open("w", encoding="utf-8", newline="") as handle:
            result = connection.execution_options(stream_results=True).execute(sqlalchemy.text(query))
            writer = csv.writer(handle)
            writer.writerow(result.keys())
            for rows in result.partitions(10_000):
                writer.writerows(["" if v is None else v for v in row] for row in rows)
        engine.dispose()
    except sqlalchemy.exc.SQLAlchemyError as exc:
        raise ExportUnreadable(public_sql_url(declared), f"kueri SQL gagal: {exc.__class__.__name__}: {exc.args[0]}",
                               f"SQL query failed: {exc.__class__.__name__}: {exc.args[0]}") from None
    return _record(target, public_sql_url(declared), "csv", query)


def local_exports(source: Source, root: Path) -> list[Path]:
    """The files a ``file`` source (its path, found or not) or a ``glob`` source (its matches, sorted) names."""
    if source.kind == "file":
        return [root / source.path]
    return sorted(Path(p) for p in glob.glob(str(root / source.path)))


def pull(source: Source, root: Path, dest_dir: Path, *, http_timeout: float = 60.0) -> list[RawExport]:
    """Copy or fetch every export of a source into dest_dir and hash it."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    fmt = source.format or "csv"
    if source.kind == "file":
        (origin,) = local_exports(source, root)
        if not origin.is_file():
            raise ExportUnreadable(str(source.path), "berkas ekspor tidak ditemukan", "export file not found")
        return [_copy(origin, dest_dir, fmt, root)]
    if source.kind == "glob":
        matches = local_exports(source, root)
        if not matches:
            raise ExportUnreadable(str(source.path), "tidak ada berkas yang cocok dengan pola",
                                   "no file matches the pattern")
        return [_copy(p, dest_dir, fmt, root) for p in matches]
    if source.kind == "http":
        return [_http(source.url, dest_dir, fmt, http_timeout)]
    return [_sql(source.url, source.query, dest_dir, root)]
