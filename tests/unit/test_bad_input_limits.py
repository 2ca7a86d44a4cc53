"""Limits and messages of the readers for hostile or broken exports (the bad-input corpus in tests/faults, in
small): control characters, huge cells, too many columns, JSON duplicate keys and wrong shapes, undecodable bytes
named by line, XLSX zip bombs and stray cells, HTML in latin-1, file size bounds, and which pull failures retry."""

from __future__ import annotations

import json
import socket
import time
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pyarrow.parquet as pq
import pytest

from satudata.core.catalog import ReadOptions, Source
from satudata.core.problems import ExportUnreadable
from satudata.flows.tasks import _transient
from satudata.sources import limits
from satudata.sources.formats import xlsx
from satudata.sources.pull import _record, pull
from satudata.sources.read import read_exports
from satudata.sources.stage import stage_exports
from tests.loopback import serving

FIELDS = [{"name": "kode", "type": "string"}, {"name": "lokasi", "type": "string"}]


def _stage_both(path: Path, fmt: str, tmp_path: Path, fields=FIELDS, **options):
    """The exact row path and the read_exports entry point (the fast path when it can): the same problems."""
    raw = _record(path, path.name, fmt)
    exact = stage_exports([raw], ReadOptions(**options), fields, tmp_path / "exact.parquet")
    either = read_exports([raw], ReadOptions(**options), fields, tmp_path / "either.parquet")
    return exact, either


def _csv(tmp_path: Path, rows: list[str], name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(("kode,lokasi\n" + "\n".join(rows) + "\n").encode("utf-8"))
    return path


def test_nul_and_control_characters_in_a_cell_are_an_error_naming_row_and_column(tmp_path: Path):
    rows = [f"{i},Jl. Ijen {i}" for i in range(1, 40)]
    rows[18] = "19,Jl. Ijen\x00\x00 No. 5"
    rows[25] = "26,Jl.\x07 Bel"
    rows[30] = "31,\"Jl.\tTab\r\nBaris\""   # tab and line breaks are text
    for staged in _stage_both(_csv(tmp_path, rows), "csv", tmp_path):
        found = [(p.check, p.field, p.row, p.detail) for p in staged.problems if p.check == "control-character"]
        assert found == [("control-character", "lokasi", 20, "\\x00"), ("control-character", "lokasi", 27, "\\x07")]
        bad = next(p for p in staged.problems if p.row == 20)
        assert bad.value == "Jl. Ijen\\x00\\x00 No. 5" and bad.severity == "error"


def test_a_cell_over_the_limit_refuses_the_export_naming_row_and_column(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_CELL_CHARS", 1000)
    rows = [f"{i},Jl. {i}" for i in range(1, 20)]
    rows[8] = "9," + "x" * 1001
    path = _csv(tmp_path, rows)
    for read in (stage_exports, read_exports):
        with pytest.raises(ExportUnreadable) as caught:
            read([_record(path, path.name, "csv")], ReadOptions(), FIELDS, tmp_path / "s.parquet")
        assert "column lokasi in row 10 holds 1,001 characters" in caught.value.message_en
        assert "baris 10" in caught.value.message_id


def test_a_header_wider_than_a_spreadsheet_is_refused(tmp_path: Path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(20_000)) + "\n" + ",".join("1" * 20_000) + "\n")
    with pytest.raises(ExportUnreadable, match=r"header \(row 1\) has 20,000 columns, more than the limit"):
        stage_exports([_record(path, path.name, "csv")], ReadOptions(), FIELDS, tmp_path / "s.parquet")


def test_an_undecodable_byte_is_named_by_its_line(tmp_path: Path):
    path = tmp_path / "mixed.csv"
    text = "kode,lokasi\n" + "".join(f"{i},Jl. {i}\n" for i in range(1, 3000))
    lines = text.encode("utf-8").splitlines(keepends=True)
    lines[1499] = "1499,Jl. Café\n".encode("cp1252")
    path.write_bytes(b"".join(lines))
    with pytest.raises(ExportUnreadable) as caught:   # declared utf-8: not sniffed as cp1252
        stage_exports([_record(path, path.name, "csv")], ReadOptions(encoding="utf-8"), FIELDS,
                      tmp_path / "s.parquet")
    assert "from line 1500 on" in caught.value.message_en and "mulai baris 1500" in caught.value.message_id
    cut = tmp_path / "cut.csv"
    cut.write_bytes(b"kode,lokasi\n1,Malang\n2,Kec. \xc3")   # ends inside a two-byte character
    with pytest.raises(ExportUnreadable, match="from line 3 on"):
        stage_exports([_record(cut, cut.name, "csv")], ReadOptions(encoding="utf-8"), FIELDS,
                      tmp_path / "t.parquet")


def _json(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "export.json"
    path.write_text(text, encoding="utf-8")
    return path


def _json_stage(path: Path, tmp_path: Path, **options):
    return stage_exports([_record(path, path.name, "json")], ReadOptions(json_path="data.items", **options),
                         FIELDS, tmp_path / "s.parquet")


def test_json_duplicate_keys_name_the_record_row_and_the_column(tmp_path: Path):
    items = [json.dumps({"kode": str(i), "location": f"Jl. {i}"}) for i in range(1, 10)]
    items[6] = items[6].replace('"location": ', '"location": "Jl. Lain", "location": ', 1)
    path = _json(tmp_path, '{"data": {"items": [' + ",".join(items) + "]}}")
    with pytest.raises(ExportUnreadable) as caught:
        _json_stage(path, tmp_path, rename={"location": "lokasi"})
    assert "record 7 (row 8) has the key 'location' (column lokasi) twice" in caught.value.message_en
    assert "baris 8" in caught.value.message_id and "kolom lokasi" in caught.value.message_id


@pytest.mark.parametrize(("items", "words"), [
    ('{"a": {"kode": "1"}}', "json_path 'data.items' must point at a list of objects (records), not an object"),
    ('["1", "2"]', "json_path 'data.items': record 1 (row 2) is a string, not an object"),
])
def test_json_of_the_wrong_shape_names_the_json_path(tmp_path: Path, items: str, words: str):
    with pytest.raises(ExportUnreadable) as caught:
        _json_stage(_json(tmp_path, '{"data": {"items": ' + items + "}}"), tmp_path)
    assert words in caught.value.message_en and "data.items" in caught.value.message_id


def test_json_with_a_hundred_thousand_keys_is_refused_in_seconds(tmp_path: Path):
    record = {"kode": "1", "lokasi": "x", **{f"extra_{i}": i for i in range(100_000)}}
    path = _json(tmp_path, json.dumps({"data": {"items": [record, {"kode": "2", "lokasi": "y"}]}}))
    with pytest.raises(ExportUnreadable, match="has 100,002 columns"):
        _json_stage(path, tmp_path)


def test_deeply_nested_json_is_a_message(tmp_path: Path):
    path = _json(tmp_path, '{"data": {"items": ' + "[" * 100_000 + "]" * 100_000 + "}}")
    with pytest.raises(ExportUnreadable, match="nested too deeply"):
        _json_stage(path, tmp_path)


def _workbook(path: Path, rows: list[list]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_an_xlsx_part_that_unpacks_a_hundredfold_past_the_floor_is_a_zip_bomb(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(xlsx, "BOMB_FLOOR", 1_000_000)
    good = _workbook(tmp_path / "good.xlsx", [["kode", "lokasi"], ["1", "Malang"]])
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b" " * 5_000_000 + b"</sheetData>")
            target.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED)
    xlsx.refuse_bomb(good)   # an ordinary workbook passes
    with pytest.raises(ExportUnreadable, match=r"sheet1.xml of this workbook unpacks to 5 MB .*zip bomb"):
        list(xlsx.XlsxFormat().rows(bomb, ReadOptions()))


def test_a_stray_cell_far_below_the_table_is_named_not_read_as_a_million_rows(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_BLANK_RUN", 50)
    monkeypatch.setattr(xlsx, "MAX_PADDED_CELLS", 10)
    path = tmp_path / "stray.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["kode", "lokasi"])
    book.active.append(["1", "Malang"])
    book.active.cell(row=200, column=30, value="x")
    book.save(path)
    with pytest.raises(ExportUnreadable, match=r"row 200 \(column 30\) holds a stray cell after 197 empty rows"):
        list(xlsx.XlsxFormat().rows(path, ReadOptions()))
    book = openpyxl.Workbook()   # a few blank rows: read as blank rows, numbered as in Excel
    book.active.append(["kode", "lokasi"])
    book.active.append(["1", "Malang"])
    book.active.cell(row=20, column=3, value="y")
    book.save(path)
    rows = list(xlsx.XlsxFormat().rows(path, ReadOptions()))
    assert [n for n, _ in rows] == list(range(1, 21)) and rows[-1][1][2] == "y" and rows[5][1] in ([], [None] * 3)


def test_html_declared_latin_1_is_read(tmp_path: Path):
    path = tmp_path / "table.xls"
    path.write_bytes("<html><body><table><tr><td>kode</td><td>lokasi</td></tr>"
                     "<tr><td>1</td><td>Jalan Café</td></tr></table></body></html>".encode("latin-1"))
    staged = stage_exports([_record(path, path.name, "html")], ReadOptions(encoding="latin-1"), FIELDS,
                           tmp_path / "s.parquet")
    assert pq.read_table(staged.path).column("lokasi").to_pylist() == ["Jalan Café"]


def test_a_file_export_over_max_bytes_is_refused_before_it_is_copied(tmp_path: Path):
    (tmp_path / "big.csv").write_bytes(b"kode,lokasi\n" + b"1,x\n" * 1000)
    source = Source(kind="file", path="big.csv", max_bytes=1000)
    with pytest.raises(ExportUnreadable, match=r"has 4,012 bytes, more than 1,000 \(source.max_bytes\)"):
        pull(source, tmp_path, tmp_path / "raw")
    assert not (tmp_path / "raw" / "big.csv").exists()


def _state(exc: BaseException | None):
    def result():
        if exc is not None:
            raise exc
        return []
    return SimpleNamespace(result=result)


def test_the_pull_retries_only_transient_failures():
    assert _transient(None, None, _state(ExportUnreadable("u", "gagal", "failed", transient=True)))
    assert not _transient(None, None, _state(ExportUnreadable("u", "HTTP 404", "HTTP 404")))
    assert _transient(None, None, _state(OSError("disk")))
    assert not _transient(None, None, _state(None))


class _Faulty(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/stall.csv":   # headers, then silence
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.flush()
            time.sleep(3)
            return
        self.send_response({"/busy.csv": 503, "/gone.csv": 404}[self.path])
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def faulty() -> Iterator[str]:
    with serving(_Faulty) as url:
        yield url.removeprefix("http://")


def test_which_http_failures_are_transient(faulty: str, tmp_path: Path):
    def failure(url: str, **kwargs) -> ExportUnreadable:
        with pytest.raises(ExportUnreadable) as caught:
            pull(Source(kind="http", url=url), tmp_path, tmp_path / "raw", **kwargs)
        return caught.value

    assert failure(f"http://{faulty}/busy.csv").transient            # 5xx: the pull task tries again
    assert not failure(f"http://{faulty}/gone.csv").transient        # 404: it never will be there
    stalled = failure(f"http://{faulty}/stall.csv", http_timeout=0.5)
    assert not stalled.transient and "sent nothing for more than 0.5 s (timeout)" in stalled.message_en
    with socket.socket() as probe:   # a port nobody listens on: refused, transient
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert failure(f"http://127.0.0.1:{port}/x.csv").transient
