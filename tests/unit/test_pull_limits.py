"""Pulling from HTTP and SQL: secrets named by environment variable and never recorded; every pull bounded in time
and size, with a clear message naming the source."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest
from pydantic import ValidationError

from satudata.core.catalog import Source
from satudata.core.problems import ExportUnreadable
from satudata.sources.pull import pull
from tests.loopback import serving

TOKEN = "s3cr3t-jobfair-token-91x"


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        if self.path.startswith("/endless"):
            self.send_response(200)
            self.end_headers()
            try:
                while True:
                    self.wfile.write(b"x;" * 32768)
            except (BrokenPipeError, ConnectionResetError):
                return
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self.send_response(401)
            self.end_headers()
            return
        body = b"kode;nama\n35.73;Kota Malang\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[str]:
    with serving(_Handler) as url:
        yield url


def test_a_header_takes_its_secret_from_the_environment_and_it_is_never_recorded(server, tmp_path, monkeypatch):
    monkeypatch.setenv("JOBFAIR_TOKEN", TOKEN)
    source = Source(kind="http", url=f"{server}/lowongan.csv?tahun=2025&token={TOKEN}",
                    headers={"Authorization": "Bearer ${JOBFAIR_TOKEN}"})
    [raw] = pull(source, tmp_path, tmp_path / "raw")
    assert raw.path.read_text() == "kode;nama\n35.73;Kota Malang\n"
    assert TOKEN not in repr(raw.as_dict()) and raw.uri == f"{server}/lowongan.csv?tahun=2025"
    named = Source(kind="http", url=f"{server}/lowongan.csv", headers={"Authorization": "Bearer ${JOBFAIR_TOKEN}"})
    pull(named, tmp_path, tmp_path / "again")
    assert TOKEN not in named.model_dump_json()           # the catalogue entry (and its hash) hold only the name


def test_a_missing_variable_or_a_wrong_token_is_a_clear_error(server, tmp_path, monkeypatch):
    source = Source(kind="http", url=f"{server}/lowongan.csv", headers={"Authorization": "Bearer ${JOBFAIR_TOKEN}"})
    monkeypatch.delenv("JOBFAIR_TOKEN", raising=False)
    with pytest.raises(ExportUnreadable) as missing:
        pull(source, tmp_path, tmp_path / "raw")
    assert "JOBFAIR_TOKEN" in missing.value.message_en and missing.value.file == f"{server}/lowongan.csv"
    monkeypatch.setenv("JOBFAIR_TOKEN", "wrong")
    with pytest.raises(ExportUnreadable) as refused:
        pull(source, tmp_path, tmp_path / "raw")
    assert refused.value.message_en == "download failed: HTTP 401" and "wrong" not in str(refused.value)


def test_a_secret_written_into_the_catalogue_is_refused():
    with pytest.raises(ValidationError, match="name an environment variable"):
        Source(kind="http", url="https://x.example/a.csv", headers={"Authorization": f"Bearer {TOKEN}"})


def test_an_endless_body_stops_at_the_declared_size_or_time(server, tmp_path):
    by_size = Source(kind="http", url=f"{server}/endless.csv", max_bytes=5_000_000)
    with pytest.raises(ExportUnreadable, match="larger than 5000000 bytes"):
        pull(by_size, tmp_path, tmp_path / "a")
    by_time = Source(kind="http", url=f"{server}/endless.csv", timeout=1.5)
    with pytest.raises(ExportUnreadable, match=r"more than 1\.5 s"):
        pull(by_time, tmp_path, tmp_path / "b")


def test_a_sql_query_that_runs_too_long_is_stopped_with_a_clear_message(tmp_path):
    db = tmp_path / "sipd.sqlite"
    sqlite3.connect(db).close()
    endless = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
               "SELECT count(*) FROM n")
    source = Source(kind="sql", url="sqlite:///sipd.sqlite", query=endless, timeout=1.0)
    with pytest.raises(ExportUnreadable) as caught:
        pull(source, tmp_path, tmp_path / "raw")
    assert "longer than 1 s (source.timeout)" in caught.value.message_en
    assert caught.value.file == "sqlite:///sipd.sqlite"
