"""Sources declared in catalog.yaml: a glob of monthly files, an HTTP(S) URL and an SQL query (SQLAlchemy URL)."""

from __future__ import annotations

import hashlib
import sqlite3
from functools import partial
from http.server import SimpleHTTPRequestHandler
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from satudata.core.catalog import ReadOptions, Source
from satudata.core.problems import ExportUnreadable
from satudata.sources.pull import pull
from satudata.sources.read import read_exports
from tests.loopback import serving

FIELDS = [{"name": "tanggal", "type": "date"}, {"name": "jumlah", "type": "integer"}]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def http_root(tmp_path: Path):
    root = tmp_path / "www"
    root.mkdir()
    with serving(partial(_Quiet, directory=str(root))) as url:
        yield root, url


def test_glob_pulls_every_monthly_file_in_order_and_keeps_their_row_numbers(tmp_path: Path):
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "antrean_2025-02.csv").write_text("tanggal,jumlah\n2025-02-01,5\n", encoding="utf-8")
    (exports / "antrean_2025-01.csv").write_text("tanggal,jumlah\n2025-01-01,3\n2025-01-02,4\n", encoding="utf-8")
    (exports / "other.csv").write_text("x\n", encoding="utf-8")
    raws = pull(Source(kind="glob", path="exports/antrean_2025-*.csv", format="csv"), tmp_path, tmp_path / "run")
    assert [r.path.name for r in raws] == ["antrean_2025-01.csv", "antrean_2025-02.csv"]
    assert all(r.sha256 == hashlib.sha256(r.path.read_bytes()).hexdigest() for r in raws)
    staged = read_exports(raws, ReadOptions(), FIELDS, tmp_path / "staged.parquet")
    rows = pq.read_table(staged.path).to_pylist()
    assert [(r["_file"], r["_row"], r["jumlah"]) for r in rows] == [
        ("antrean_2025-01.csv", 2, "3"), ("antrean_2025-01.csv", 3, "4"), ("antrean_2025-02.csv", 2, "5")]


def test_http_source_is_downloaded_and_hashed(tmp_path: Path, http_root):
    root, base = http_root
    body = b"tanggal,jumlah\n2025-03-01,7\n"
    (root / "rekap.csv").write_bytes(body)
    [raw] = pull(Source(kind="http", url=f"{base}/rekap.csv", format="csv"), tmp_path, tmp_path / "run")
    assert raw.uri == f"{base}/rekap.csv"
    assert (raw.sha256, raw.bytes) == (hashlib.sha256(body).hexdigest(), len(body))
    assert raw.path.read_bytes() == body


def test_http_source_that_is_missing_names_the_url(tmp_path: Path, http_root):
    _, base = http_root
    with pytest.raises(ExportUnreadable) as caught:
        pull(Source(kind="http", url=f"{base}/hilang.csv", format="csv"), tmp_path, tmp_path / "run")
    assert caught.value.file == f"{base}/hilang.csv"
    assert "404" in caught.value.message_en


def test_sql_source_runs_the_query_into_a_csv_export(tmp_path: Path):
    database = tmp_path / "sipd.sqlite"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE realisasi (tanggal TEXT, jumlah INTEGER)")
        connection.executemany("INSERT INTO realisasi VALUES (?, ?)", [("2025-01-31", 10), ("2025-02-28", None)])
    source = Source(kind="sql", url="sqlite:///sipd.sqlite",
                    query="SELECT tanggal, jumlah FROM realisasi ORDER BY tanggal")
    [raw] = pull(source, tmp_path, tmp_path / "run")
    assert raw.path.read_text(encoding="utf-8").splitlines() == ["tanggal,jumlah", "2025-01-31,10", "2025-02-28,"]
    staged = read_exports([raw], ReadOptions(), FIELDS, tmp_path / "staged.parquet")
    assert [(r["_row"], r["jumlah"]) for r in pq.read_table(staged.path).to_pylist()] == [(2, "10"), (3, None)]


def test_sql_error_names_the_problem_without_the_password(tmp_path: Path):
    source = Source(kind="sql", url="sqlite:///missing.sqlite", query="SELECT * FROM nothing")
    with pytest.raises(ExportUnreadable) as caught:
        pull(source, tmp_path, tmp_path / "run")
    assert "SQL query failed" in caught.value.message_en
