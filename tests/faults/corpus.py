"""The bad-input corpus: malformed exports of our own making, written at run time, deterministically.

Every case is a small record: which demo dataset it targets (the one whose declared format matches), how its
source is reached (``file``, ``sql`` or ``http``), the files it writes, how the dataset's catalogue source is
changed to reach it, and what a good message must name besides the file (``row:N``, ``column:NAME``,
``text:WORDS`` (case-sensitive), ``re:PATTERN``). ``write_corpus(folder)`` writes every case's files; nothing
big is ever committed: the 50 MB cells, the 100k columns and the zip bombs are made here, when the suite runs.

Rows are counted as the report counts them: physical rows of the export, header row 1 (CSV lines, XLSX sheet
rows; JSON record n is row n + 1; an SQL result's header is row 1 of its CSV).
"""

from __future__ import annotations

import gzip
import io
import json
import random
import re
import shutil
import sqlite3
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SEED = 20250705

# The demo datasets the corpus targets, by declared format.
ANTREAN = "antrean-nunggu-transparan"         # file csv, latin-1, ';', decimal comma
NCC = "pengaduan-ngalam-command-center"       # file csv, utf-8, ','
FASKES = "fasilitas-kesehatan"                # file xlsx, sheet "Faskes 2025", header row 4, stop_at '^Sumber:'
JOBFAIR = "lowongan-job-fair"                 # file json, json_path data.items
APBD = "realisasi-apbd"                       # sql on SQLite
TARGETS = (ANTREAN, NCC, FASKES, JOBFAIR, APBD)

GOOD = {
    ANTREAN: REPO / "exports/dispendukcapil/antrean_nunggu_transparan_2025-06.csv",
    NCC: REPO / "exports/diskominfo/ncc_pengaduan_2025-01_2025-08.csv",
    FASKES: REPO / "exports/dinkes/daftar_fasilitas_kesehatan_kota_malang_2025-06.xlsx",
    JOBFAIR: REPO / "exports/disnaker/jobfair_lowongan_2025.json",
    APBD: REPO / "exports/bkad/sipd_export.sqlite",
}
APBD_QUERY = (
    "SELECT r.tahun, r.triwulan, r.kode_unit AS kode_opd, u.nama_unit AS nama_opd, r.pagu AS anggaran, "
    "r.realisasi_kumulatif AS realisasi, ROUND(100.0 * r.realisasi_kumulatif / r.pagu, 2) AS persentase "
    "FROM realisasi_belanja AS r JOIN ref_unit AS u ON u.kode_unit = r.kode_unit "
    "ORDER BY r.tahun, r.triwulan, r.kode_unit")
MB = 1 << 20


@dataclass(frozen=True)
class Case:
    id: str
    dataset: str
    kind: str                                   # file | sql | http
    what: str                                   # what is wrong, in one line
    files: tuple[str, ...] = ()                 # what write_corpus writes for it (the export first)
    names: tuple[str, ...] = ()                 # besides the file: row:N, column:NAME, text:WORDS, re:PATTERN
    source: dict = field(default_factory=dict)  # changes to the dataset's catalogue source (see measure.py)
    big: bool = False                           # made at run time only; tens of MB or a decompression bomb
    build: Callable[[Path, random.Random], None] | None = None

    @property
    def token(self) -> str:
        """What names the export: the file name, the SQLite file of an sql source, the last part of a URL."""
        if self.kind == "http":
            return self.source["url"].rsplit("/", 1)[-1]
        if self.kind == "sql":
            url = self.source["url"]
            return url.rsplit("/", 1)[-1] if url.startswith("sqlite:") else url
        return self.files[0]


# ------------------------------------------------------------------------------------------------ helpers

def _good(dataset: str) -> bytes:
    return GOOD[dataset].read_bytes()


def _lines(dataset: str) -> list[bytes]:
    return _good(dataset).splitlines(keepends=True)


def _split(line: bytes, sep: bytes) -> list[bytes]:
    return line.rstrip(b"\r\n").split(sep)


def _eol(line: bytes) -> bytes:
    return line[len(line.rstrip(b"\r\n")):] or b"\n"


def _set_cell(lines: list[bytes], row: int, index: int, value: bytes, sep: bytes) -> None:
    cells = _split(lines[row - 1], sep)
    cells[index] = value
    lines[row - 1] = sep.join(cells) + _eol(lines[row - 1])


def _ncc_rows() -> list[list[str]]:
    import csv

    return list(csv.reader(io.StringIO(_good(NCC).decode("utf-8"), newline="")))


def _ncc_text(rows: list[list[str]]) -> str:
    import csv

    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


NCC_COLUMN = {"lokasi": 6, "isi_laporan": 7}


def _write(name: str, data: bytes | str) -> Callable[[Path, random.Random], None]:
    def build(folder: Path, rng: random.Random) -> None:
        (folder / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return build


HTML_PAGE = ("<!DOCTYPE html>\n<html><head><title>Portal Satu Data - Masuk</title></head><body>"
             "<h1>Sesi Anda telah berakhir</h1><p>Silakan masuk kembali.</p>"
             "<form method=post><input name=username><input type=password name=password></form></body></html>\n")


# ------------------------------------------------------------------------------------------------ zip helpers

def _rezip(src: bytes, dest: Path, changes: dict[str, bytes | None], add: dict[str, bytes] | None = None,
           big: dict[str, Callable[[io.RawIOBase], None]] | None = None) -> None:
    """A copy of a zip with some members replaced (None: removed), added, or streamed by a writer function;
    every member dated as in the original, so the bytes are the same on every run."""
    stamp = (2025, 7, 1, 8, 0, 0)
    with zipfile.ZipFile(io.BytesIO(src)) as old, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename in (big or {}):
                target = zipfile.ZipInfo(info.filename, info.date_time)
                target.compress_type = zipfile.ZIP_DEFLATED
                with new.open(target, "w", force_zip64=True) as handle:
                    big[info.filename](handle)
                continue
            if info.filename in changes and changes[info.filename] is None:
                continue
            data = changes.get(info.filename, old.read(info.filename))
            new.writestr(zipfile.ZipInfo(info.filename, info.date_time), data, zipfile.ZIP_DEFLATED, 9)
        for name, data in (add or {}).items():
            new.writestr(zipfile.ZipInfo(name, stamp), data, zipfile.ZIP_DEFLATED, 9)


SHEET = "xl/worksheets/sheet1.xml"


def _sheet() -> str:
    with zipfile.ZipFile(GOOD[FASKES]) as book:
        return book.read(SHEET).decode("utf-8")


def _faskes_parts() -> tuple[str, str, str]:
    """The sheet XML cut in three: up to the last data row, the notes footer rows ('Sumber: ...'), the end."""
    sheet = _sheet()
    footer = sheet.rfind("<row ", 0, sheet.find(">Sumber:"))
    # blank-looking rows above the notes belong to the footer too; cut at the row that holds 'Sumber:'
    end = sheet.index("</sheetData>")
    return sheet[:footer], sheet[footer:end], sheet[end:]


def _faskes_data_row() -> str:
    sheet = _sheet()
    start = sheet.index('<row r="5"')
    row = sheet[start:sheet.index("</row>", start) + len("</row>")]
    return re.sub(r' r="[A-Z]*\d+"', "", row)   # no row or cell references: each copy is identical


# ------------------------------------------------------------------------------------------------ CSV builders

def _csv_nul_block(folder: Path, rng: random.Random) -> None:
    lines = _lines(ANTREAN)
    lines[99] = lines[99][:20] + b"\x00" * 4096 + lines[99][20:]   # a block of zeros inside row 100
    (folder / "csv-nul-block.csv").write_bytes(b"".join(lines))


def _csv_nul_in_cell(folder: Path, rng: random.Random) -> None:
    rows = _ncc_rows()
    rows[19][NCC_COLUMN["lokasi"]] = "Jl. Ijen\x00\x00\x00 No. 5"
    (folder / "csv-nul-in-cell.csv").write_bytes(_ncc_text(rows).encode("utf-8"))


def _csv_cp1252_byte(folder: Path, rng: random.Random) -> None:
    rows = _ncc_rows()
    rows[499][NCC_COLUMN["lokasi"]] = "Jl. Caf\u00e9 Ol\u00e9"
    text = _ncc_text(rows).splitlines(keepends=True)
    data = b"".join(line.encode("cp1252") if n == 500 else line.encode("utf-8")
                    for n, line in enumerate(text, start=1))
    (folder / "csv-cp1252-in-utf8.csv").write_bytes(data)


def _csv_ragged_short(folder: Path, rng: random.Random) -> None:
    lines = _lines(ANTREAN)
    for row in (10, 20):
        lines[row - 1] = b";".join(_split(lines[row - 1], b";")[:-2]) + b"\n"
    (folder / "csv-ragged-short-rows.csv").write_bytes(b"".join(lines))


def _csv_ragged_long(folder: Path, rng: random.Random) -> None:
    lines = _lines(ANTREAN)
    lines[29] = lines[29].rstrip(b"\r\n") + b";EXTRA;LAGI\n"
    (folder / "csv-ragged-long-rows.csv").write_bytes(b"".join(lines))


def _csv_unterminated_quote(folder: Path, rng: random.Random) -> None:
    lines = _lines(ANTREAN)
    _set_cell(lines, 50, 4, b'"KTP-el', b";")   # the quote opens in row 50 and never closes
    (folder / "csv-unterminated-quote.csv").write_bytes(b"".join(lines))


def _csv_header(name: str, edit: Callable[[list[bytes]], list[bytes]]) -> Callable[[Path, random.Random], None]:
    def build(folder: Path, rng: random.Random) -> None:
        lines = _lines(ANTREAN)
        lines[0] = b";".join(edit(_split(lines[0], b";"))) + _eol(lines[0])
        (folder / name).write_bytes(b"".join(lines))
    return build


def _replace_at(cells: list[bytes], index: int, value: bytes) -> list[bytes]:
    return [value if i == index else c for i, c in enumerate(cells)]


def _csv_50mb_cell(folder: Path, rng: random.Random) -> None:
    rows = _ncc_rows()
    rows[9][NCC_COLUMN["lokasi"]] = "Jl. " + "x" * (50 * MB)
    (folder / "csv-50mb-cell.csv").write_bytes(_ncc_text(rows).encode("utf-8"))


def _csv_100k_columns(folder: Path, rng: random.Random) -> None:
    lines = _lines(ANTREAN)[:21]
    extra_labels = b"".join(b";EXTRA_%06d" % i for i in range(100_000))
    extra_cells = b";x" * 100_000
    out = [lines[0].rstrip(b"\r\n") + extra_labels + b"\n"]
    out += [line.rstrip(b"\r\n") + extra_cells + b"\n" for line in lines[1:]]
    (folder / "csv-100k-columns.csv").write_bytes(b"".join(out))


def _truncate_mid_row(dataset: str, name: str, fraction: float) -> Callable[[Path, random.Random], None]:
    def build(folder: Path, rng: random.Random) -> None:
        data = _good(dataset)
        cut = int(len(data) * fraction)
        while data[cut - 1:cut] in (b"\n", b";", b","):   # cut inside a cell, not on a boundary
            cut += 1
        (folder / name).write_bytes(data[:cut])
    return build


def _truncated_row(dataset: str, fraction: float) -> int:
    data = _good(dataset)
    cut = int(len(data) * fraction)
    while data[cut - 1:cut] in (b"\n", b";", b","):
        cut += 1
    return data[:cut].count(b"\n") + 1


def _csv_truncated_mid_quote(folder: Path, rng: random.Random) -> None:
    data = _good(NCC)
    lines = data.splitlines(keepends=True)
    head = b"".join(lines[:799])
    row = lines[799]
    cut = row.index(b',"') + 12                    # inside the quoted 'Isi Laporan' of row 800
    (folder / "csv-truncated-mid-quote.csv").write_bytes(head + row[:cut])


def _csv_truncated_mid_utf8(folder: Path, rng: random.Random) -> None:
    rows = _ncc_rows()
    rows[99][NCC_COLUMN["lokasi"]] = "Jl. Caf\u00e9 Ol\u00e9"
    data = _ncc_text(rows[:100]).encode("utf-8")
    cut = data.rindex("\u00e9".encode()) + 1       # half of the last é: the file ends inside a character
    (folder / "csv-truncated-mid-utf8.csv").write_bytes(data[:cut])


def _csv_xlsx_named_csv(folder: Path, rng: random.Random) -> None:
    shutil.copyfile(GOOD[FASKES], folder / "csv-xlsx-named-csv.csv")


# ------------------------------------------------------------------------------------------------ XLSX builders

def _xlsx_truncated(folder: Path, rng: random.Random) -> None:
    data = _good(FASKES)
    (folder / "xlsx-truncated.xlsx").write_bytes(data[: len(data) // 2])


def _xlsx_ole2(folder: Path, rng: random.Random) -> None:
    header = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(16) + bytes.fromhex("3e000300feff0900")
    (folder / "xlsx-ole2-old-xls.xls").write_bytes(header + rng.randbytes(16 * 1024))


def _xlsx_zip_not_workbook(folder: Path, rng: random.Random) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("laporan/README.txt", (2025, 7, 1, 8, 0, 0)), "Rekap faskes, lihat lampiran.")
        archive.writestr(zipfile.ZipInfo("laporan/faskes.csv", (2025, 7, 1, 8, 0, 0)), "kode;nama\n1;A\n")
    (folder / "xlsx-zip-not-workbook.xlsx").write_bytes(out.getvalue())


def _xlsx_missing_sheet(folder: Path, rng: random.Random) -> None:
    with zipfile.ZipFile(GOOD[FASKES]) as book:
        workbook = book.read("xl/workbook.xml").replace(b'name="Faskes 2025"', b'name="Sheet1"')
    _rezip(_good(FASKES), folder / "xlsx-missing-sheet.xlsx", {"xl/workbook.xml": workbook})


def _xlsx_corrupt_xml(folder: Path, rng: random.Random) -> None:
    sheet = _sheet().encode("utf-8")
    cut = sheet.index(b'<row r="100"') + 37          # well-formed up to row 99, then cut inside a tag
    _rezip(_good(FASKES), folder / "xlsx-corrupt-sheet-xml.xlsx", {SHEET: sheet[:cut] + b"<c r=\"B1"})


def _xlsx_duplicate_header(folder: Path, rng: random.Random) -> None:
    sheet = _sheet().replace("<t>Bujur</t>", "<t>Lintang</t>", 1)
    _rezip(_good(FASKES), folder / "xlsx-duplicate-header.xlsx", {SHEET: sheet.encode("utf-8")})


def _xlsx_empty_sheet(folder: Path, rng: random.Random) -> None:
    sheet = _sheet()
    start, end = sheet.index("<sheetData>"), sheet.index("</sheetData>")
    empty = re.sub(r'<dimension ref="[^"]*" />', '<dimension ref="A1" />', sheet[:start]) + "<sheetData />" + \
        sheet[end + len("</sheetData>"):]
    empty = re.sub(r"<mergeCells.*?</mergeCells>", "", empty)
    _rezip(_good(FASKES), folder / "xlsx-empty-sheet.xlsx", {SHEET: empty.encode("utf-8")})


def _xlsx_dimension_bomb(folder: Path, rng: random.Random) -> None:
    """A 20 kB workbook whose used range is A1:XFD1048576: one stray cell in the sheet's very last cell and no
    'Sumber:' footer to stop at. A reader that pads rows to the used range makes 1,048,576 rows of 16,384 cells."""
    data, _footer, end = _faskes_parts()
    data = re.sub(r'<dimension ref="[^"]*" />', '<dimension ref="A1:XFD1048576" />', data)
    stray = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    _rezip(_good(FASKES), folder / "xlsx-dimension-bomb.xlsx", {SHEET: (data + stray + end).encode("utf-8")})


def _xlsx_zip_bomb_sheet(folder: Path, rng: random.Random) -> None:
    """About 5 MB on disk, 1 GiB of sheet XML inside: the valid data rows, then one data row repeated ~3.5M times
    (no <dimension>, as many writers other than Excel leave it out, so a reader cannot stop at the declared size)."""
    data, footer, end = _faskes_parts()
    data = re.sub(r'<dimension ref="[^"]*" />', "", data)
    row = _faskes_data_row().encode("utf-8")
    block = row * (MB // len(row) + 1)

    def write(handle) -> None:
        handle.write(data.encode("utf-8"))
        for _ in range(1024):
            handle.write(block)
        handle.write((footer + end).encode("utf-8"))

    _rezip(_good(FASKES), folder / "xlsx-zip-bomb-sheet.xlsx", {}, big={SHEET: write})


def _xlsx_zip_bomb_strings(folder: Path, rng: random.Random) -> None:
    """A shared-strings table of 1.25 GiB (1.3M strings of 1,000 characters) in a few MB: readers load it whole."""
    content_types = _zip_member(FASKES, "[Content_Types].xml").replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                     b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    rels = _zip_member(FASKES, "xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/'
                             b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    item = b"<si><t>" + b"Puskesmas " * 100 + b"</t></si>"
    block = item * (MB // len(item) + 1)
    count = 1280 * (MB // len(item) + 1)

    def write(handle) -> None:
        handle.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.'
                     b'openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">' % (count, count))
        for _ in range(1280):
            handle.write(block)
        handle.write(b"</sst>")

    target = folder / "xlsx-zip-bomb-shared-strings.xlsx"
    _rezip(_good(FASKES), target, {"[Content_Types].xml": content_types, "xl/_rels/workbook.xml.rels": rels})
    with zipfile.ZipFile(target, "a", zipfile.ZIP_DEFLATED) as book:
        info = zipfile.ZipInfo("xl/sharedStrings.xml", (2025, 7, 1, 8, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with book.open(info, "w", force_zip64=True) as handle:
            write(handle)


def _zip_member(dataset: str, name: str) -> bytes:
    with zipfile.ZipFile(GOOD[dataset]) as book:
        return book.read(name)


# ------------------------------------------------------------------------------------------------ JSON builders

def _jobfair() -> dict:
    return json.loads(_good(JOBFAIR))


def _json_doc(name: str, edit: Callable[[dict], object]) -> Callable[[Path, random.Random], None]:
    def build(folder: Path, rng: random.Random) -> None:
        document = _jobfair()
        document = edit(document)
        (folder / name).write_text(json.dumps(document, indent=1, ensure_ascii=False), encoding="utf-8")
    return build


def _json_truncated(folder: Path, rng: random.Random) -> None:
    data = _good(JOBFAIR)
    (folder / "json-truncated.json").write_bytes(data[: int(len(data) * 0.6)])


def _json_truncated_line() -> int:
    data = _good(JOBFAIR)
    return data[: int(len(data) * 0.6)].count(b"\n") + 1


def _json_nested(folder: Path, rng: random.Random) -> None:
    depth = 100_000
    text = '{"status": "ok", "data": {"items": ' + "[" * depth + "]" * depth + "}}"
    (folder / "json-nested-100k-levels.json").write_text(text, encoding="utf-8")


def _json_items_object(document: dict) -> dict:
    document["data"]["items"] = {item["id"]: item for item in document["data"]["items"]}
    return document


def _json_scalars(document: dict) -> dict:
    document["data"]["items"] = [item["id"] for item in document["data"]["items"]]
    return document


def _json_ndjson(folder: Path, rng: random.Random) -> None:
    items = _jobfair()["data"]["items"]
    text = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)
    (folder / "json-ndjson.json").write_text(text, encoding="utf-8")


def _json_nan(document: dict) -> dict:
    document["data"]["items"][4]["salary_min"] = float("nan")
    document["data"]["items"][4]["salary_max"] = float("inf")
    return document


def _json_utf16(folder: Path, rng: random.Random) -> None:
    (folder / "json-utf16le-no-bom.json").write_bytes(_good(JOBFAIR).decode("utf-8").encode("utf-16-le"))


def _json_50mb(document: dict) -> dict:
    document["data"]["items"][2]["company_name"] = "PT " + "x" * (50 * MB)
    return document


def _json_duplicate_keys(folder: Path, rng: random.Random) -> None:
    document = _jobfair()
    items = [json.dumps(item, ensure_ascii=False) for item in document["data"]["items"]]
    items[6] = items[6].replace('"position": ', '"position": "Kepala Gudang", "position": ', 1)
    text = '{"status": "ok", "data": {"items": [\n' + ",\n".join(items) + "\n]}}"
    (folder / "json-duplicate-keys.json").write_text(text, encoding="utf-8")


def _json_100k_keys(folder: Path, rng: random.Random) -> None:
    document = _jobfair()
    document["data"]["items"][0].update({f"extra_{i:06d}": i for i in range(100_000)})
    (folder / "json-100k-keys.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")


# ------------------------------------------------------------------------------------------------ SQL builders

def _sqlite_copy(name: str) -> Callable[[Path, random.Random], None]:
    def build(folder: Path, rng: random.Random) -> None:
        shutil.copyfile(GOOD[APBD], folder / name)
    return build


def _sqlite_truncated(folder: Path, rng: random.Random) -> None:
    data = _good(APBD)
    page = 4096
    corrupt = bytearray(data)
    corrupt[2 * page: 4 * page] = rng.randbytes(2 * page)   # two pages of noise where tables were
    (folder / "sql-corrupt-db.sqlite").write_bytes(bytes(corrupt))


def _apbd_rows() -> int:
    with sqlite3.connect(f"file:{GOOD[APBD]}?mode=ro", uri=True) as db:
        return db.execute("SELECT count(*) FROM realisasi_belanja").fetchone()[0]


def _sqlite_url(name: str) -> str:
    return f"sqlite:///exports/faults/{name}"


# ------------------------------------------------------------------------------------------------ HTTP routes

# path on the loopback server -> what it does (tests/faults/http_server.py)
HTTP_ROUTES = {
    "/antrean_404.csv": ("status", 404),
    "/antrean_500.csv": ("status", 500),
    "/antrean_login.csv": ("html", 200),
    "/antrean_empty.csv": ("empty", 200),
    "/antrean_endless.csv": ("endless", 200),
    "/antrean_stall.csv": ("stall", 200),
    "/antrean_truncated.csv": ("truncated", 200),
    "/antrean_loop.csv": ("redirect-loop", 302),
    "/antrean_gzip_bomb.csv": ("gzip-bomb", 200),
}


def _http(path: str) -> dict:
    return {"kind": "http", "url": "http://{http}" + path}


# ------------------------------------------------------------------------------------------------ the corpus

def _cases() -> list[Case]:
    cases = [
        # ---- CSV (antrean: latin-1 ';'; pengaduan: utf-8 ',')
        Case("csv-empty", ANTREAN, "file", "0 bytes", ("csv-empty.csv",), build=_write("csv-empty.csv", b"")),
        Case("csv-bom-only", NCC, "file", "only a UTF-8 byte-order mark", ("csv-bom-only.csv",),
             build=_write("csv-bom-only.csv", b"\xef\xbb\xbf")),
        Case("csv-blank-lines-only", ANTREAN, "file", "only blank lines and spaces", ("csv-blank-lines-only.csv",),
             build=_write("csv-blank-lines-only.csv", b"\r\n\r\n   \r\n\r\n")),
        Case("csv-header-only", ANTREAN, "file", "the header and no data row", ("csv-header-only.csv",),
             build=_write("csv-header-only.csv", _lines(ANTREAN)[0])),
        Case("csv-binary-utf8", NCC, "file", "64 KiB of random bytes, declared utf-8", ("csv-binary-utf8.csv",),
             build=lambda folder, rng: (folder / "csv-binary-utf8.csv").write_bytes(rng.randbytes(64 * 1024))),
        Case("csv-binary-latin1", ANTREAN, "file", "64 KiB of random bytes, declared latin-1 (decodes as text)",
             ("csv-binary-latin1.csv",),
             build=lambda folder, rng: (folder / "csv-binary-latin1.csv").write_bytes(rng.randbytes(64 * 1024))),
        Case("csv-png-named-csv", ANTREAN, "file", "a PNG image saved as .csv", ("csv-png-named-csv.csv",),
             build=lambda folder, rng: (folder / "csv-png-named-csv.csv").write_bytes(
                 b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(8 * 1024))),
        Case("csv-nul-block", ANTREAN, "file", "4096 NUL bytes inside row 100 (a crash-damaged file)",
             ("csv-nul-block.csv",), ("row:100",), build=_csv_nul_block),
        Case("csv-nul-in-cell", NCC, "file", "NUL bytes inside the free-text lokasi cell of row 20",
             ("csv-nul-in-cell.csv",), ("row:20", "column:lokasi"), build=_csv_nul_in_cell),
        Case("csv-utf16le-no-bom", NCC, "file", "UTF-16 LE without a BOM, declared utf-8",
             ("csv-utf16le-no-bom.csv",),
             build=lambda folder, rng: (folder / "csv-utf16le-no-bom.csv").write_bytes(
                 _good(NCC).decode("utf-8").encode("utf-16-le"))),
        Case("csv-utf16-bom", NCC, "file", "UTF-16 with its BOM, declared utf-8", ("csv-utf16-bom.csv",),
             build=lambda folder, rng: (folder / "csv-utf16-bom.csv").write_bytes(
                 _good(NCC).decode("utf-8").encode("utf-16"))),
        Case("csv-cp1252-in-utf8", NCC, "file", "one cp1252 row (é as 0xE9) in a utf-8 file, row 500",
             ("csv-cp1252-in-utf8.csv",), ("row:500",), build=_csv_cp1252_byte),
        Case("csv-wrong-delimiter-comma", ANTREAN, "file", "',' where ';' is declared",
             ("csv-wrong-delimiter-comma.csv",), ("text:delimiter",),
             build=lambda folder, rng: (folder / "csv-wrong-delimiter-comma.csv").write_bytes(
                 _good(ANTREAN).replace(b",", b".").replace(b";", b","))),
        Case("csv-wrong-delimiter-tab", ANTREAN, "file", "tabs where ';' is declared",
             ("csv-wrong-delimiter-tab.csv",), ("text:delimiter",),
             build=lambda folder, rng: (folder / "csv-wrong-delimiter-tab.csv").write_bytes(
                 _good(ANTREAN).replace(b";", b"\t"))),
        Case("csv-ragged-short-rows", ANTREAN, "file", "rows 10 and 20 lack their last two cells",
             ("csv-ragged-short-rows.csv",), ("row:10", "row:20"), build=_csv_ragged_short),
        Case("csv-ragged-long-rows", ANTREAN, "file", "row 30 has two cells more than the header",
             ("csv-ragged-long-rows.csv",), ("row:30",), build=_csv_ragged_long),
        Case("csv-unterminated-quote", ANTREAN, "file", "a quote opens in row 50 and never closes",
             ("csv-unterminated-quote.csv",), ("row:50",), build=_csv_unterminated_quote),
        Case("csv-duplicate-header", ANTREAN, "file", "the header repeats ID_ANTREAN where RATING belongs",
             ("csv-duplicate-header.csv",), ("row:1", "re:(?i)id_antrean"),
             build=_csv_header("csv-duplicate-header.csv", lambda c: _replace_at(c, 8, b"ID_ANTREAN"))),
        Case("csv-blank-header", ANTREAN, "file", "the JENIS_LAYANAN label is blank",
             ("csv-blank-header.csv",), ("row:1", "column:layanan"),
             build=_csv_header("csv-blank-header.csv", lambda c: _replace_at(c, 4, b""))),
        Case("csv-header-all-blank", ANTREAN, "file", "a header row of empty labels",
             ("csv-header-all-blank.csv",), ("row:1",),
             build=_csv_header("csv-header-all-blank.csv", lambda c: [b""] * len(c))),
        Case("csv-excel-sep-line", ANTREAN, "file", "Excel's 'sep=;' line above the header",
             ("csv-excel-sep-line.csv",), ("row:1",),
             build=lambda folder, rng: (folder / "csv-excel-sep-line.csv").write_bytes(b"sep=;\n" + _good(ANTREAN))),
        Case("csv-50mb-cell", NCC, "file", "a 50 MB lokasi cell in row 10 (a column with no length limit)",
             ("csv-50mb-cell.csv",), ("row:10", "column:lokasi"), big=True, build=_csv_50mb_cell),
        Case("csv-100k-columns", ANTREAN, "file", "100,000 extra columns (header and 20 rows)",
             ("csv-100k-columns.csv",), ("row:1",), big=True, build=_csv_100k_columns),
        Case("csv-gzip-named-csv", ANTREAN, "file", "the gzip of the export saved as .csv",
             ("csv-gzip-named-csv.csv",),
             build=lambda folder, rng: (folder / "csv-gzip-named-csv.csv").write_bytes(
                 gzip.compress(_good(ANTREAN), mtime=0))),
        Case("csv-xlsx-named-csv", ANTREAN, "file", "an XLSX workbook saved as .csv", ("csv-xlsx-named-csv.csv",),
             build=_csv_xlsx_named_csv),
        Case("csv-html-named-csv", ANTREAN, "file", "a portal's login page saved as .csv",
             ("csv-html-named-csv.csv",), build=_write("csv-html-named-csv.csv", HTML_PAGE)),
        Case("csv-truncated-mid-row", ANTREAN, "file", "cut inside a cell at 60 % of the file",
             ("csv-truncated-mid-row.csv",), (f"row:{_truncated_row(ANTREAN, 0.6)}",),
             build=_truncate_mid_row(ANTREAN, "csv-truncated-mid-row.csv", 0.6)),
        Case("csv-truncated-mid-quote", NCC, "file", "cut inside a quoted cell of row 800",
             ("csv-truncated-mid-quote.csv",), ("row:800",), build=_csv_truncated_mid_quote),
        Case("csv-truncated-mid-utf8", NCC, "file", "cut inside a two-byte character of row 100",
             ("csv-truncated-mid-utf8.csv",), ("row:100",), build=_csv_truncated_mid_utf8),
        # ---- XLSX (fasilitas-kesehatan)
        Case("xlsx-empty", FASKES, "file", "0 bytes", ("xlsx-empty.xlsx",), build=_write("xlsx-empty.xlsx", b"")),
        Case("xlsx-truncated", FASKES, "file", "the first half of the workbook", ("xlsx-truncated.xlsx",),
             build=_xlsx_truncated),
        Case("xlsx-ole2-old-xls", FASKES, "file", "an old binary .xls (OLE2)", ("xlsx-ole2-old-xls.xls",),
             build=_xlsx_ole2),
        Case("xlsx-html-named-xls", FASKES, "file", "an HTML table saved as .xls", ("xlsx-html-named-xls.xls",),
             build=_write("xlsx-html-named-xls.xls",
                          "<html><body><table><tr><td>Kode Faskes</td><td>Nama Faskes</td></tr>"
                          "<tr><td>P3573010101</td><td>Puskesmas Polehan</td></tr></table></body></html>\n")),
        Case("xlsx-csv-named-xlsx", FASKES, "file", "a CSV text saved as .xlsx", ("xlsx-csv-named-xlsx.xlsx",),
             build=lambda folder, rng: (folder / "xlsx-csv-named-xlsx.xlsx").write_bytes(_good(ANTREAN))),
        Case("xlsx-zip-not-workbook", FASKES, "file", "a zip archive of other files", ("xlsx-zip-not-workbook.xlsx",),
             build=_xlsx_zip_not_workbook),
        Case("xlsx-missing-sheet", FASKES, "file", "the sheet 'Faskes 2025' is called 'Sheet1'",
             ("xlsx-missing-sheet.xlsx",), ("text:Faskes 2025",), build=_xlsx_missing_sheet),
        Case("xlsx-corrupt-sheet-xml", FASKES, "file", "the sheet's XML is cut inside a tag at row 100",
             ("xlsx-corrupt-sheet-xml.xlsx",), build=_xlsx_corrupt_xml),
        Case("xlsx-duplicate-header", FASKES, "file", "the label Bujur is a second Lintang",
             ("xlsx-duplicate-header.xlsx",), ("row:4", "text:Lintang"), build=_xlsx_duplicate_header),
        Case("xlsx-empty-sheet", FASKES, "file", "the sheet exists but has no rows", ("xlsx-empty-sheet.xlsx",),
             build=_xlsx_empty_sheet),
        Case("xlsx-dimension-bomb", FASKES, "file", "used range A1:XFD1048576 (a stray last cell)",
             ("xlsx-dimension-bomb.xlsx",), build=_xlsx_dimension_bomb),
        Case("xlsx-zip-bomb-sheet", FASKES, "file", "~5 MB holding 1 GiB of sheet XML (3.5M rows)",
             ("xlsx-zip-bomb-sheet.xlsx",), big=True, build=_xlsx_zip_bomb_sheet),
        Case("xlsx-zip-bomb-shared-strings", FASKES, "file", "~5 MB holding a 1.25 GiB shared-strings table",
             ("xlsx-zip-bomb-shared-strings.xlsx",), big=True, build=_xlsx_zip_bomb_strings),
        # ---- JSON (lowongan-job-fair, json_path data.items)
        Case("json-empty", JOBFAIR, "file", "0 bytes", ("json-empty.json",), build=_write("json-empty.json", b"")),
        Case("json-bom-only", JOBFAIR, "file", "only a UTF-8 byte-order mark", ("json-bom-only.json",),
             build=_write("json-bom-only.json", b"\xef\xbb\xbf")),
        Case("json-truncated", JOBFAIR, "file", "cut at 60 %", ("json-truncated.json",),
             (f"row:{_json_truncated_line()}",), build=_json_truncated),
        Case("json-nested-100k-levels", JOBFAIR, "file", "data.items nested 100,000 arrays deep",
             ("json-nested-100k-levels.json",), build=_json_nested),
        Case("json-items-object", JOBFAIR, "file", "data.items is an object keyed by id, not a list",
             ("json-items-object.json",), ("text:data.items",),
             build=_json_doc("json-items-object.json", _json_items_object)),
        Case("json-error-envelope", JOBFAIR, "file", "an API error answer: no 'data' key",
             ("json-error-envelope.json",), ("text:'data'",),
             build=_write("json-error-envelope.json", '{"status": "error", "message": "token kedaluwarsa"}\n')),
        Case("json-top-level-array", JOBFAIR, "file", "the records as a bare list (no data.items)",
             ("json-top-level-array.json",), ("text:'data'",),
             build=_json_doc("json-top-level-array.json", lambda d: d["data"]["items"])),
        Case("json-items-scalars", JOBFAIR, "file", "data.items is a list of strings", ("json-items-scalars.json",),
             ("text:data.items",), build=_json_doc("json-items-scalars.json", _json_scalars)),
        Case("json-html-named-json", JOBFAIR, "file", "the API's login page saved as .json",
             ("json-html-named-json.json",), build=_write("json-html-named-json.json", HTML_PAGE)),
        Case("json-ndjson", JOBFAIR, "file", "JSON lines instead of one document", ("json-ndjson.json",),
             ("row:2",), build=_json_ndjson),
        Case("json-nan-infinity", JOBFAIR, "file", "NaN and Infinity (not JSON) in record 5",
             ("json-nan-infinity.json",), ("row:6", "column:gaji_min"),
             build=_json_doc("json-nan-infinity.json", _json_nan)),
        Case("json-utf16le-no-bom", JOBFAIR, "file", "UTF-16 LE without a BOM, declared utf-8",
             ("json-utf16le-no-bom.json",), build=_json_utf16),
        Case("json-50mb-string", JOBFAIR, "file", "a 50 MB company name in record 3", ("json-50mb-string.json",),
             ("row:4", "column:perusahaan"), big=True, build=_json_doc("json-50mb-string.json", _json_50mb)),
        Case("json-duplicate-keys", JOBFAIR, "file", "record 7 has 'position' twice", ("json-duplicate-keys.json",),
             ("row:8", "column:posisi"), build=_json_duplicate_keys),
        Case("json-100k-keys", JOBFAIR, "file", "record 1 has 100,000 extra keys", ("json-100k-keys.json",),
             build=_json_100k_keys),
        # ---- SQL (realisasi-apbd on SQLite)
        Case("sql-missing-table", APBD, "sql", "the query reads a table that does not exist",
             ("sql-missing-table.sqlite",), ("text:realisasi_belanja_2026",),
             source={"url": _sqlite_url("sql-missing-table.sqlite"),
                     "query": APBD_QUERY.replace("FROM realisasi_belanja", "FROM realisasi_belanja_2026")},
             build=_sqlite_copy("sql-missing-table.sqlite")),
        Case("sql-syntax-error", APBD, "sql", "SELEC instead of SELECT", ("sql-syntax-error.sqlite",),
             ("text:SELEC",), source={"url": _sqlite_url("sql-syntax-error.sqlite"),
                                      "query": APBD_QUERY.replace("SELECT", "SELEC", 1)},
             build=_sqlite_copy("sql-syntax-error.sqlite")),
        Case("sql-missing-column", APBD, "sql", "the query names a column that does not exist",
             ("sql-missing-column.sqlite",), ("text:realisasi_total",),
             source={"url": _sqlite_url("sql-missing-column.sqlite"),
                     "query": APBD_QUERY.replace("r.realisasi_kumulatif AS", "r.realisasi_total AS")},
             build=_sqlite_copy("sql-missing-column.sqlite")),
        Case("sql-db-missing", APBD, "sql", "the SQLite file does not exist", (), (),
             source={"url": _sqlite_url("sipd_hilang.sqlite"), "query": APBD_QUERY}),
        Case("sql-not-a-database", APBD, "sql", "the SQLite URL points at a CSV file", ("sql-not-a-database.sqlite",),
             source={"url": _sqlite_url("sql-not-a-database.sqlite"), "query": APBD_QUERY},
             build=lambda folder, rng: (folder / "sql-not-a-database.sqlite").write_bytes(_lines(ANTREAN)[0] * 100)),
        Case("sql-corrupt-db", APBD, "sql", "two pages of the SQLite file overwritten with noise",
             ("sql-corrupt-db.sqlite",), source={"url": _sqlite_url("sql-corrupt-db.sqlite"), "query": APBD_QUERY},
             build=_sqlite_truncated),
        Case("sql-runs-forever", APBD, "sql", "a recursive CTE that never ends (no statement timeout)",
             ("sql-runs-forever.sqlite",), ("text:timeout",),
             source={"url": _sqlite_url("sql-runs-forever.sqlite"),
                     "query": "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) "
                              "SELECT n AS tahun FROM c WHERE n < 0"},
             build=_sqlite_copy("sql-runs-forever.sqlite")),
        Case("sql-wrong-columns", APBD, "sql", "the query returns another table's columns",
             ("sql-wrong-columns.sqlite",), ("column:tahun",),
             source={"url": _sqlite_url("sql-wrong-columns.sqlite"), "query": "SELECT * FROM ref_unit"},
             build=_sqlite_copy("sql-wrong-columns.sqlite")),
        Case("sql-empty-result", APBD, "sql", "the query returns no row", ("sql-empty-result.sqlite",),
             source={"url": _sqlite_url("sql-empty-result.sqlite"),
                     "query": APBD_QUERY.replace("ORDER BY", "WHERE r.tahun = 1999 ORDER BY")},
             build=_sqlite_copy("sql-empty-result.sqlite")),
        Case("sql-50mb-value", APBD, "sql", "one extra row whose nama_opd is 50 MB", ("sql-50mb-value.sqlite",),
             (f"row:{_apbd_rows() + 2}", "column:nama_opd"),
             source={"url": _sqlite_url("sql-50mb-value.sqlite"),
                     "query": f"SELECT * FROM ({APBD_QUERY}) UNION ALL SELECT 2025, 3, '1.01.2.19.0.00.01.0000', "
                              "hex(zeroblob(26214400)), 1500000000, 750000000, 50.0"},
             big=True, build=_sqlite_copy("sql-50mb-value.sqlite")),
        Case("sql-unknown-driver", APBD, "sql", "a mysql:// URL whose driver is not installed", (),
             source={"url": "mysql://satudata@127.0.0.1:1/sipd", "query": APBD_QUERY}),
        # ---- HTTP (antrean pulled from a loopback server)
        Case("http-404", ANTREAN, "http", "the server answers 404", names=(r"re:(?<![\d.:])404(?!\d)",),
             source=_http("/antrean_404.csv")),
        Case("http-500", ANTREAN, "http", "the server answers 500", names=(r"re:(?<![\d.:])500(?!\d)",),
             source=_http("/antrean_500.csv")),
        Case("http-html-200", ANTREAN, "http", "200 with a login page (text/html)", source=_http("/antrean_login.csv")),
        Case("http-empty-200", ANTREAN, "http", "200 with an empty body", source=_http("/antrean_empty.csv")),
        Case("http-endless", ANTREAN, "http", "200 with a body that never ends (~6 MB/s of rows)",
             source=_http("/antrean_endless.csv"), big=True),
        Case("http-stall", ANTREAN, "http", "200 and headers, then silence", source=_http("/antrean_stall.csv")),
        Case("http-truncated", ANTREAN, "http", "Content-Length promises more than is sent",
             source=_http("/antrean_truncated.csv")),
        Case("http-redirect-loop", ANTREAN, "http", "302 to itself, forever", source=_http("/antrean_loop.csv")),
        Case("http-refused", ANTREAN, "http", "nothing listens on the port",
             source={"kind": "http", "url": "http://{refused}/antrean_refused.csv"}),
        Case("http-gzip-bomb", ANTREAN, "http", "Content-Encoding gzip: 1 MB on the wire, 1 GiB of NULs unpacked",
             source=_http("/antrean_gzip_bomb.csv"), big=True),
    ]
    ids = [c.id for c in cases]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    return cases


CASES: list[Case] = _cases()


def case(case_id: str) -> Case:
    return next(c for c in CASES if c.id == case_id)


def write_case(item: Case, folder: Path, seed: int = SEED) -> list[Path]:
    """Write one case's files into folder (seeded by the case id); returns them."""
    folder.mkdir(parents=True, exist_ok=True)
    if item.build is not None:
        item.build(folder, random.Random(f"{seed}:{item.id}"))
    written = [folder / name for name in item.files]
    missing = [p.name for p in written if not p.is_file()]
    assert not missing, f"{item.id} did not write {missing}"
    return written


def write_corpus(folder: Path, *, seed: int = SEED, big: bool = True,
                 only: list[str] | None = None) -> list[Case]:
    """Write every case's files into folder; returns the cases written."""
    chosen = [c for c in CASES if (big or not c.big) and (only is None or c.id in only)]
    for item in chosen:
        write_case(item, folder, seed)
    return chosen


GZIP_BOMB_BYTES = 1 << 30


def gzip_bomb(folder: Path) -> Path:
    """The HTTP gzip bomb's body (1 GiB of NUL bytes, gzip-compressed, ~1 MB), made once per folder."""
    target = folder / "http-gzip-bomb.gz"
    if not target.is_file():
        with gzip.GzipFile(target, "wb", compresslevel=9, mtime=0) as handle:
            block = bytes(MB)
            for _ in range(GZIP_BOMB_BYTES // MB):
                handle.write(block)
    return target


if __name__ == "__main__":   # python -m tests.faults.corpus FOLDER: write the corpus and list it
    import sys

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "faults-corpus")
    for item in write_corpus(out):
        sizes = ", ".join(f"{name} {(out / name).stat().st_size:,} B" for name in item.files)
        print(f"{item.id:32} {item.dataset:32} {item.kind:5} {sizes}")
