"""The fast CSV stage writes exactly what the slow stage writes, or declines (None) when it could differ."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from satudata.core.catalog import ReadOptions, load_catalog, load_schema
from satudata.core.records import RawExport, StagedTable
from satudata.sources.fast_csv import WHITESPACE, stage_csv_fast
from satudata.sources.pull import _record
from satudata.sources.rows import effective_encoding
from satudata.sources.stage import stage_exports
from tests.agreement.harness import Case, all_cases

REPO = Path(__file__).resolve().parents[2]
FIELDS = [{"name": "tanggal", "type": "date"}, {"name": "kode", "type": "string"},
          {"name": "nilai", "type": "number"}, {"name": "jumlah", "type": "integer"}]


def _raws(tmp_path: Path, files: dict[str, bytes]) -> list[RawExport]:
    raws = []
    for name, content in files.items():
        path = tmp_path / name
        path.write_bytes(content)
        raws.append(_record(path, path.as_uri(), "csv"))
    return raws


def _both(raws: list[RawExport], options: ReadOptions, fields: list[dict],
          tmp_path: Path) -> tuple[StagedTable | None, StagedTable]:
    fast = stage_csv_fast(raws, options, fields, tmp_path / "fast.parquet")
    slow = stage_exports(raws, options, fields, tmp_path / "slow.parquet")
    return fast, slow


def _assert_same(fast: StagedTable | None, slow: StagedTable) -> list[dict]:
    assert fast is not None, "the fast path declined a regular file"
    fast_table = pq.read_table(fast.path).sort_by([("_file", "ascending"), ("_row", "ascending")])
    slow_table = pq.read_table(slow.path).sort_by([("_file", "ascending"), ("_row", "ascending")])
    assert fast_table.schema == slow_table.schema
    assert fast_table.equals(slow_table), (fast_table.to_pylist(), slow_table.to_pylist())
    # Same physical order too: the Table Schema checks take their examples in file order.
    assert pq.read_table(fast.path).equals(pq.read_table(slow.path))
    assert (fast.fields, fast.missing_fields, fast.row_count, fast.header_rows) == (
        slow.fields, slow.missing_fields, slow.row_count, slow.header_rows)
    assert fast.problems == slow.problems
    return slow_table.to_pylist()


CASES = {
    "plain": (b"tanggal,kode,nilai,jumlah\n2025-01-01,35.73.01,1.5,3\n2025-01-02,35.73.02,,4\n", {}),
    "semicolon decimal comma thousands": (
        b"tanggal;kode;nilai;jumlah\n2025-01-01;35.73.01; 1.234,5 ;1.200\n2025-01-02;\"35;02\";-;7\n",
        {"delimiter": ";", "decimal": ",", "thousands": ".", "missing_values": ["", "-"]}),
    "BOM and title rows": (
        "\ufeffLAPORAN HARIAN;;;\nDinas X;;;\nTANGGAL;KODE;NILAI;JUMLAH\n12/01/2025;35.73.01;1,5;2\n".encode(),
        {"encoding": "utf-8-sig", "delimiter": ";", "header_row": 3, "decimal": ",",
         "rename": {"TANGGAL": "tanggal", "KODE": "kode", "NILAI": "nilai", "JUMLAH": "jumlah"},
         "date_formats": {"tanggal": "%d/%m/%Y"}}),
    "Indonesian month names": (
        b"tanggal,kode,nilai,jumlah\n12 Januari 2025,a,1,1\n3 Agt 2025,b,2,2\n31 Februari 2025,c,3,3\n"
        b"17 Agustus 2025,d,4,4\n", {"date_formats": {"tanggal": "%d %B %Y"}}),
    "quoted commas, doubled quotes, quoted newline, odd quoting": (
        b'tanggal,kode,nilai,jumlah\n2025-01-01,"a, b","1",2\n2025-01-02,"say ""hi""",3,4\n'
        b'2025-01-03,"two\nlines",5,6\n2025-01-04, "spaced",7,8\n2025-01-05,"x"y,9,10\n2025-01-06,a"b,1,1\n', {}),
    "missing values, whitespace and blank-looking rows": (
        "tanggal,kode,nilai,jumlah\n 2025-01-01 ,\u00a0a\u2003,8888,NA\n,,,\n\n 2025-01-02,\t, x ,\n".encode(),
        {"missing_values": ["", "8888", "NA"]}),
    "no strip keeps spaces": (b"tanggal,kode,nilai,jumlah\n 2025-01-01 , a ,1,2\n", {"strip": False}),
    "replace, select and rename": (
        b"id,KODE,extra,tanggal,nilai\n1,3573,x,2025-01-01,1\n2,3507,y,2025-01-02,2\n",
        {"select": ["tanggal", "kode", "nilai"], "rename": {"KODE": "kode"},
         "replace": {"kode": {"pattern": r"^(\d{2})(\d{2})$", "with": r"\1.\2"}}}),
    "label problems": (b"tanggal,KODE,,tanggal,extra\n2025-01-01,a,1,2,3\n", {}),
    "no header, skip rows, drop rows": (
        b"Judul,,,\n,2022,,\n2025-01-01,Kota Malang,1,2\n2025-01-01, Jawa Timur ,4,5\n2025-01-01,Kota Batu,7,8\n",
        {"header_row": 0, "skip_rows": 2, "columns": ["tanggal", "kode", "nilai", "jumlah"],
         "drop_rows": {"kode": "^Jawa Timur$"}}),
    "unit row after the header": (b"tanggal,kode,nilai,jumlah\n-,-,Rp,org\n2025-01-01,a,1,2\n",
                                  {"skip_rows_after_header": 1}),
    "CRLF and no final newline": (b"tanggal,kode,nilai,jumlah\r\n2025-01-01,a,1,2\r\n2025-01-02,b,3,4", {}),
    "header only": (b"tanggal,kode,nilai,jumlah\n", {}),
    "UTF-8 with a BOM, no header": (b"\xef\xbb\xbf2025-01-01,a,1,2\n",
                                    {"header_row": 0, "columns": ["tanggal", "kode", "nilai", "jumlah"]}),
    "latin-1": ("tanggal;kode;nilai;jumlah\n2025-01-01;Caf\xe9;1;2\n".encode("latin-1"),
                {"encoding": "latin-1", "delimiter": ";"}),
    "cp1252": ("tanggal;kode;nilai;jumlah\n2025-01-01;\u201cPagu\u201d \u20ac;1;2\n".encode("cp1252"),
               {"encoding": "cp1252", "delimiter": ";"}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_fast_stage_equals_slow_stage(tmp_path: Path, case: str):
    content, options = CASES[case]
    fast, slow = _both(_raws(tmp_path, {"export.csv": content}), ReadOptions(**options), FIELDS, tmp_path)
    _assert_same(fast, slow)


def test_values_rows_and_problems_are_the_declared_ones(tmp_path: Path):
    content, options = CASES["missing values, whitespace and blank-looking rows"]
    fast, slow = _both(_raws(tmp_path, {"export.csv": content}), ReadOptions(**options), FIELDS, tmp_path)
    rows = _assert_same(fast, slow)
    assert [(r["_row"], r["_blank"], r["tanggal"], r["kode"], r["nilai"], r["jumlah"]) for r in rows] == [
        (2, False, "2025-01-01", "a", None, None), (3, True, None, None, None, None),
        (4, True, None, None, None, None), (5, False, "2025-01-02", None, "x", None)]
    assert [(p.check, p.row) for p in fast.problems] == [("blank-row", 3), ("blank-row", 4)]


def test_quoted_newline_counts_as_one_record(tmp_path: Path):
    content, options = CASES["quoted commas, doubled quotes, quoted newline, odd quoting"]
    fast, slow = _both(_raws(tmp_path, {"export.csv": content}), ReadOptions(**options), FIELDS, tmp_path)
    rows = _assert_same(fast, slow)
    assert [(r["_row"], r["kode"]) for r in rows] == [
        (2, "a, b"), (3, 'say "hi"'), (4, "two\nlines"), (5, '"spaced"'), (6, "xy"), (7, 'a"b')]


def test_several_exports_with_a_glob(tmp_path: Path):
    raws = _raws(tmp_path, {"a.csv": b"tanggal,kode,nilai,jumlah\n2025-01-01,a,1,2\n",
                            "b.csv": b"tanggal,kode,nilai\n2025-02-01,b,3\n2025-02-02,c,4\n"})
    fast, slow = _both(raws, ReadOptions(), FIELDS, tmp_path)
    _assert_same(fast, slow)
    assert fast is not None and fast.missing_fields == ["jumlah"]


@pytest.mark.parametrize(("content", "options"), [
    (b"tanggal,kode,nilai,jumlah\n2025-01-01,a,1,2,EXTRA\n", {}),                 # extra cell
    (b"tanggal,kode,nilai,jumlah\n2025-01-01,a\n", {}),                           # missing cells
    (b"tanggal,kode,nilai,jumlah\n2025-01-01,a,1,2\nKETERANGAN,,,\n", {"stop_at": "^KETERANGAN"}),
    (b"tanggal,kode,nilai,jumlah\n2025-01-01,a,1,2\nSumber,,,\n", {"skip_footer_rows": 1}),
    (b"tanggal,kode,nilai,jumlah\n2025-01-01,a,1,2\n\n2025-01-02,b,3,4\n", {"missing_values": ["-"]}),  # blank line
    (b"tanggal,kode,nilai,jumlah\n,,,\n", {"drop_rows": {"kode": "^$"}}),   # empty row a drop pattern matches
    ("tanggal,kode,nilai,jumlah\n2025-01-01,a,1,2\n".encode("utf-16"), {"encoding": "utf-16"}),
    (b'"LAPORAN\nHARIAN",,,\ntanggal,kode,nilai,jumlah\n2025-01-01,a,1,2\n', {"header_row": 2}),  # title spans lines
    (b"Judul\rtanggal,kode,nilai,jumlah\r2025-01-01,a,1,2\r", {"header_row": 2}),   # lone CR line ends
    (b"tanggal,kode,nilai,jumlah\n\xef\xbb\xbf2025-01-01,a,1,2\n", {}),          # a BOM Python keeps as text
    (b"tanggal,kode,nilai,jumlah\n2025-01-01,caf\xe9,1,2\n", {"encoding": "utf-8"}),   # not the declared UTF-8
    (b"tanggal;kode;nilai;jumlah\n2025-01-01;\x81;1;2\n", {"encoding": "cp1252", "delimiter": ";"}),  # undefined
    (b"<!DOCTYPE html><html><body>login</body></html>\n", {}),
    (b"", {}),
])
def test_declines_what_only_the_slow_path_reads_exactly(tmp_path: Path, content: bytes, options: dict):
    raws = _raws(tmp_path, {"export.csv": content})
    assert stage_csv_fast(raws, ReadOptions(**options), FIELDS, tmp_path / "fast.parquet") is None
    assert not (tmp_path / "fast.parquet").exists()


def test_declines_other_formats(tmp_path: Path):
    path = tmp_path / "export.json"
    path.write_text('[{"tanggal": "2025-01-01"}]', encoding="utf-8")
    assert stage_csv_fast([_record(path, path.as_uri(), "json")], ReadOptions(), FIELDS, tmp_path / "f.parquet") \
        is None


def test_whitespace_is_what_str_strip_removes():
    assert "".join(chr(c) for c in range(0x110000) if chr(c).isspace()) == WHITESPACE


@pytest.mark.parametrize("case", all_cases(), ids=lambda case: case.id)
def test_agreement_corpus_stages_identically_or_is_declined(tmp_path: Path, case: Case):
    """The broken corpus is the contract with frictionless: staged the same, its verdicts cannot change."""
    raws = [_record(case.data, case.data.as_uri(), "csv")]
    fast, slow = _both(raws, case.read_options, case.schema["fields"], tmp_path)
    if fast is not None:
        _assert_same(fast, slow)
    else:   # declined only where a data record has another number of cells than the header
        assert _ragged(case), f"{case.id} declined"


def _ragged(case: Case) -> bool:
    options = case.read_options
    with case.data.open(encoding=effective_encoding(case.data, options.encoding), newline="") as handle:
        records = list(csv.reader(handle, delimiter=options.delimiter, quotechar=options.quotechar))
    if options.header_row:
        width, data = len(records[options.header_row - 1]), records[options.header_row:]
    else:
        width, data = len(options.columns or []), records[options.skip_rows:]
    return any(len(cells) not in (0, width) for cells in data)


@pytest.mark.slow
@pytest.mark.parametrize("dataset_id", ["kode-wilayah", "garis-kemiskinan-jatim", "tenaga-kerja-koperasi",
                                        "modal-usaha-kecil", "antrean-nunggu-transparan",
                                        "pengaduan-ngalam-command-center", "pagu-anggaran-opd"])
def test_demo_catalogue_csv_exports_stage_identically(tmp_path: Path, dataset_id: str):
    catalog = load_catalog(REPO / "catalog.yaml")
    dataset = catalog.dataset(dataset_id)
    schema = load_schema(catalog, dataset_id)
    path = catalog.root / dataset.source.path
    fast, slow = _both([_record(path, path.as_uri(), "csv")], dataset.source.options, schema["fields"], tmp_path)
    _assert_same(fast, slow)
