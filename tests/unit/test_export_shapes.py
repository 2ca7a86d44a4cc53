"""Real department export shapes read through declared options alone (tests/fixtures/exports, made by its
make_exports.py): every staged table is read by the fast path and the row path alike, and both must agree."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from pydantic import ValidationError

from satudata.core.catalog import CatalogError, ReadOptions, load_catalog
from satudata.core.problems import ExportUnreadable
from satudata.core.records import StagedTable
from satudata.sources.columnar import stage_fast
from satudata.sources.pull import _record
from satudata.sources.read import read_exports
from satudata.sources.stage import stage_exports

EXPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "exports"


def _fields(*names: str, types: dict[str, str] | None = None) -> list[dict]:
    return [{"name": n, "type": (types or {}).get(n, "string")} for n in names]


def _read(name: str, fields: list[dict], tmp_path: Path, fmt: str = "csv", **options) -> tuple[StagedTable, list]:
    """Stage with the exact row path; when the fast path also reads it, it must give the same table and record."""
    path = EXPORTS / name
    raws = [_record(path, path.as_uri(), fmt)]
    opts = ReadOptions(**options)
    slow = stage_exports(raws, opts, fields, tmp_path / "slow.parquet")
    fast = stage_fast(raws, opts, fields, tmp_path / "fast.parquet")
    if fmt == "csv" and opts.unpivot is None:
        assert fast is not None, "the fast path declined a regular CSV"
    if fast is not None:
        assert pq.read_table(fast.path).equals(pq.read_table(slow.path))
        assert (fast.problems, fast.dialects, fast.units, fast.transformations, fast.dropped_rows) == (
            slow.problems, slow.dialects, slow.units, slow.transformations, slow.dropped_rows)
    rows = pq.read_table(slow.path).to_pylist()
    return slow, [{k: v for k, v in r.items() if k not in ("_file", "_blank")} for r in rows]


# 1. a header over several rows -------------------------------------------------------------------------------------
PDRB = _fields("wilayah", "kode", "pdrb_2023_q1", "pdrb_2023_q2", "pdrb_2024_q1", "pdrb_2024_q2")
PDRB_RENAME = {"Wilayah": "wilayah", "Kode": "kode", "PDRB 2023 Q1": "pdrb_2023_q1", "PDRB 2023 Q2": "pdrb_2023_q2",
               "PDRB 2024 Q1": "pdrb_2024_q1", "PDRB 2024 Q2": "pdrb_2024_q2"}


def test_csv_header_block_over_three_rows_is_joined_per_column(tmp_path: Path):
    staged, rows = _read("pdrb_triwulan_header_bertingkat.csv", PDRB, tmp_path, header_rows=[2, 3, 4],
                         rename=PDRB_RENAME, decimal=",", thousands=".")
    assert staged.problems == [] and staged.header_rows == {"pdrb_triwulan_header_bertingkat.csv": 4}
    assert rows[0] == {"_row": 5, "wilayah": "Kota Malang", "kode": "35.73", "pdrb_2023_q1": "21.402,5",
                       "pdrb_2023_q2": "21.893,1", "pdrb_2024_q1": "22.510,7", "pdrb_2024_q2": "23.004,2"}
    assert staged.transformations[0]["transform"] == "header_rows"


def test_xlsx_merged_header_cells_give_the_same_labels(tmp_path: Path):
    staged, rows = _read("pdrb_triwulan_merged.xlsx", PDRB, tmp_path, "xlsx", header_rows=[2, 3, 4],
                         rename=PDRB_RENAME)
    assert staged.problems == []
    assert [(r["_row"], r["wilayah"], r["pdrb_2024_q2"]) for r in rows] == [(5, "Kota Malang", "23004.2"),
                                                                              (6, "Kota Batu", "4501.6")]


def test_header_rows_and_header_row_together_are_a_catalogue_error():
    with pytest.raises(ValueError, match="not both"):
        ReadOptions(header_row=2, header_rows=[2, 3])


# 2. percent strings --------------------------------------------------------------------------------------------------
def test_percent_strings_read_as_numbers_and_the_unit_is_kept(tmp_path: Path):
    fields = _fields("kode_kelurahan", "kelurahan", "capaian", types={"capaian": "number"})
    staged, rows = _read("capaian_imunisasi_persen.csv", fields, tmp_path, units={"capaian": "%"})
    assert [r["capaian"] for r in rows] == ["94.23", "100", "87.5", None]
    assert staged.units == {"capaian": "%"}
    assert staged.transformations == [{"field": "capaian", "transform": "units", "how": "%", "cells": 3}]


def test_percent_with_a_decimal_comma_and_a_space(tmp_path: Path):
    fields = _fields("kode_kelurahan", "kelurahan", "capaian", types={"capaian": "number"})
    staged, rows = _read("capaian_imunisasi_persen_koma.csv", fields, tmp_path, delimiter=";", decimal=",",
                         units={"capaian": "%"})
    assert [r["capaian"] for r in rows] == ["94.23", "100"] and staged.problems == []


# 3. HTML as .xls, BIFF .xls, .ods: by content ---------------------------------------------------------------------
def test_html_table_saved_as_xls_is_read_with_its_spanning_header(tmp_path: Path):
    fields = _fields("kode_faskes", "nama_faskes", "tt_umum", "tt_icu")
    staged, rows = _read("faskes_dari_aplikasi.xls", fields, tmp_path, "xlsx", header_rows=[1, 2],
                         rename={"Kode Faskes": "kode_faskes", "Nama Faskes": "nama_faskes",
                                 "Tempat Tidur Umum": "tt_umum", "Tempat Tidur ICU": "tt_icu"})
    assert [p.check for p in staged.problems] == ["format-detected"]   # declared xlsx: the steward is told
    assert staged.dialects["faskes_dari_aplikasi.xls"] == {"format": "html", "encoding": "utf-8",
                                                           "sniffed": ["encoding"]}   # from <meta charset>
    assert rows == [{"_row": 3, "kode_faskes": "P3573010201", "nama_faskes": "Puskesmas Arjuno", "tt_umum": "10",
                     "tt_icu": "0"},
                    {"_row": 4, "kode_faskes": "R3573010001", "nama_faskes": "RSUD Kota Malang", "tt_umum": "120",
                     "tt_icu": "12"}]


def test_old_binary_xls_is_read_from_the_declared_sheet(tmp_path: Path):
    fields = _fields("kode_kecamatan", "kecamatan", "penduduk")
    staged, rows = _read("penduduk_kecamatan_lama.xls", fields, tmp_path, "xls", sheet="Penduduk", header_row=3,
                         rename={"Kode Kecamatan": "kode_kecamatan", "Kecamatan": "kecamatan",
                                 "Penduduk": "penduduk"})
    assert staged.problems == []
    assert [(r["_row"], r["kode_kecamatan"], r["penduduk"]) for r in rows] == [
        (4, "35.73.01", "198342"), (5, "35.73.02", "201883"), (6, "35.73.03", "96453")]


def test_ods_is_read(tmp_path: Path):
    staged, rows = _read("sekolah_libreoffice.ods", _fields("npsn", "sekolah", "siswa"), tmp_path, "ods")
    assert rows == [{"_row": 2, "npsn": "20533700", "sekolah": "SD Negeri Kauman 1", "siswa": "412"},
                    {"_row": 3, "npsn": "20533711", "sekolah": "SMP Negeri 1 Malang", "siswa": "960"}]


@pytest.mark.parametrize(("name", "fmt", "have"), [("penduduk_kecamatan_lama.xls", "xls", "'Catatan', 'Penduduk'"),
                                                    ("sekolah_libreoffice.ods", "ods", "'Sekolah'"),
                                                    ("pdrb_triwulan_merged.xlsx", "xlsx", "'PDRB'"),
                                                    ("faskes_dari_aplikasi.xls", "html", "'Daftar Faskes'")])
def test_a_missing_sheet_names_the_sheets_the_workbook_has(tmp_path: Path, name: str, fmt: str, have: str):
    with pytest.raises(ExportUnreadable) as caught:
        _read(name, _fields("a"), tmp_path, fmt, sheet="Data 2025")
    assert caught.value.file == name
    assert "'Data 2025' not found" in caught.value.message_en and have in caught.value.message_en
    assert have in caught.value.message_id


# 4. whitespace and case ---------------------------------------------------------------------------------------------
def test_nbsp_trimmed_and_case_normalised_and_reported(tmp_path: Path):
    staged, rows = _read("kelurahan_spasi_huruf.csv", _fields("kode", "kecamatan", "kelurahan"), tmp_path,
                         case={"kecamatan": "title", "kelurahan": "title"})
    assert [(r["kecamatan"], r["kelurahan"]) for r in rows] == [
        ("Klojen", "Kidul Dalem"), ("Klojen", "Samaan"), ("Klojen", "Rampal Celaket")]
    assert staged.transformations == [
        {"field": "kecamatan", "transform": "case", "how": "title", "cells": 2},
        {"field": "kelurahan", "transform": "case", "how": "title", "cells": 2}]


def test_strip_only_the_declared_columns(tmp_path: Path):
    _, rows = _read("kelurahan_spasi_huruf.csv", _fields("kode", "kecamatan", "kelurahan"), tmp_path,
                    strip=["kecamatan"])
    assert [(r["kecamatan"], r["kelurahan"]) for r in rows][:2] == [("KLOJEN", "  kidul dalem"), ("klojen", "SAMAAN")]


# 5. total and subtotal rows -----------------------------------------------------------------------------------------
def test_total_rows_dropped_by_value_and_by_pattern_are_counted(tmp_path: Path):
    staged, rows = _read("kasus_dbd_kabkota_total.csv", _fields("wilayah", "kasus"), tmp_path,
                         drop_rows={"wilayah": ["Jumlah", "Total", "Jawa Timur", "Jawa Tengah"]})
    assert [r["wilayah"] for r in rows] == ["Kota Malang", "Kabupaten Malang", "Kota Batu", "Kota Semarang"]
    assert staged.dropped_rows == {"wilayah": 4}


# 6. codes written as floats -----------------------------------------------------------------------------------------
def test_float_codes_read_exactly_or_named_where_digits_were_lost(tmp_path: Path):
    staged, rows = _read("desa_kode_float.csv", _fields("kode_desa", "desa", "penduduk"), tmp_path,
                         codes=["kode_desa"])
    assert [r["kode_desa"] for r in rows] == ["3573010001", "3573010002", "35.73.01.1003", "3.57301E+9"]
    [lost] = staged.problems
    assert (lost.check, lost.file, lost.row, lost.field, lost.value) == (
        "code-lost-digits", "desa_kode_float.csv", 5, "kode_desa", "3.57301E+9")
    assert "6 of the 10 digits" in lost.detail
    assert staged.transformations == [{"field": "kode_desa", "transform": "codes", "how": "digits", "cells": 2}]


def test_code_width_restores_leading_zeros(tmp_path: Path):
    path = tmp_path / "npsn.csv"
    path.write_text("npsn\n20533700.0\n533701\n", encoding="utf-8")
    raws = [_record(path, path.as_uri(), "csv")]
    staged = read_exports(raws, ReadOptions(codes={"npsn": 8}), _fields("npsn"), tmp_path / "s.parquet")
    assert pq.read_table(staged.path).column("npsn").to_pylist() == ["20533700", "00533701"]


# 7. dialect sniffed when not declared, and reported ---------------------------------------------------------------
@pytest.mark.parametrize(("name", "found", "layanan"), [
    ("antrean_tab.csv", {"delimiter": "\t"}, "KK, baru"),
    ("antrean_pipa.csv", {"delimiter": "|"}, "Akta Kelahiran"),
    ("antrean_cp1252.csv", {"encoding": "cp1252", "delimiter": ";"}, "Café layanan"),
    ("antrean_kutip_tunggal.csv", {"quotechar": "'"}, "KK"),
])
def test_undeclared_dialect_is_sniffed_and_reported(tmp_path: Path, name: str, found: dict, layanan: str):
    staged, rows = _read(name, _fields("tanggal", "layanan", "jumlah"), tmp_path)
    assert [r["layanan"] for r in rows][-1] == layanan
    dialect = staged.dialects[name]
    assert {k: dialect[k] for k in found} == found and set(found) <= set(dialect["sniffed"])
    assert sorted(p.detail.split()[0] for p in staged.problems) == sorted(found)
    assert {p.check for p in staged.problems} == {"dialect-sniffed"}


def test_declared_dialect_is_not_sniffed(tmp_path: Path):
    staged, rows = _read("antrean_tab.csv", _fields("tanggal", "layanan", "jumlah"), tmp_path, delimiter="\t",
                         encoding="utf-8", quotechar='"')
    assert staged.dialects["antrean_tab.csv"]["sniffed"] == [] and staged.problems == []


def test_a_file_that_reads_with_the_defaults_is_read_as_today(tmp_path: Path):
    staged, _ = _read("kasus_dbd_kabkota_total.csv", _fields("wilayah", "kasus"), tmp_path)
    assert staged.dialects["kasus_dbd_kabkota_total.csv"] == {
        "format": "csv", "encoding": "utf-8", "delimiter": ",", "quotechar": '"',
        "sniffed": ["delimiter", "encoding", "quotechar"]}
    assert staged.problems == []


# 9. wide tables ------------------------------------------------------------------------------------------------------
def test_wide_years_unpivoted_to_long_rows(tmp_path: Path):
    fields = _fields("wilayah", "tahun", "garis_kemiskinan", types={"tahun": "year", "garis_kemiskinan": "integer"})
    staged, rows = _read("garis_kemiskinan_lebar.csv", fields, tmp_path, rename={"Kabupaten/Kota": "wilayah"},
                         thousands=".", unpivot={"columns": r"\d{4}", "key": "tahun", "value": "garis_kemiskinan"})
    assert staged.problems == [] and staged.row_count == 6
    assert rows[:3] == [{"_row": 2, "wilayah": "Kota Malang", "tahun": "2020", "garis_kemiskinan": "526345"},
                        {"_row": 2, "wilayah": "Kota Malang", "tahun": "2021", "garis_kemiskinan": "538981"},
                        {"_row": 2, "wilayah": "Kota Malang", "tahun": "2022", "garis_kemiskinan": "566283"}]
    assert staged.transformations[-1]["transform"] == "unpivot"


def test_real_jabar_wide_file_with_bom_semicolons_and_a_line_of_delimiters(tmp_path: Path):
    fields = _fields("wilayah", "tahun", "garis_kemiskinan")
    staged, rows = _read("jabar_bps_garis_kemiskinan_provinsi_semicolon_bom.csv", fields, tmp_path, header_row=2,
                         rename={"Nama Wilayah": "wilayah"},
                         unpivot={"columns": r"(?P<tahun>\d{4})", "value": "garis_kemiskinan"})
    assert [(r["_row"], r["wilayah"], r["tahun"], r["garis_kemiskinan"]) for r in rows] == [
        (3, "JAWA BARAT", "2020", "410988"), (3, "JAWA BARAT", "2019", "386198"), (3, "JAWA BARAT", "2018", "367755")]
    assert staged.dialects[next(iter(staged.dialects))]["delimiter"] == ";"


def test_a_wide_table_with_no_matching_column_is_a_missing_label(tmp_path: Path):
    staged, _ = _read("garis_kemiskinan_lebar.csv", _fields("wilayah", "tahun", "nilai"), tmp_path,
                      rename={"Kabupaten/Kota": "wilayah"}, unpivot={"columns": r"Q\d", "key": "tahun",
                                                                     "value": "nilai"})
    assert [(p.check, p.field) for p in staged.problems] == [("missing-label", "tahun"), ("missing-label", "nilai")]


# 10. bad files: a clear message, never a traceback ----------------------------------------------------------------
def test_random_bytes_are_not_a_text_file(tmp_path: Path):
    path = tmp_path / "acak.csv"
    path.write_bytes(random.Random(16).randbytes(8192))
    with pytest.raises(ExportUnreadable) as caught:
        _stage_file(path, tmp_path)
    assert caught.value.file == "acak.csv" and "not a text file" in caught.value.message_en
    assert "bukan berkas teks" in caught.value.message_id


def test_json_nested_too_deeply_is_refused(tmp_path: Path):
    path = tmp_path / "bersarang.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(ExportUnreadable) as caught:
        _stage_file(path, tmp_path, "json")
    assert caught.value.file == "bersarang.json" and "nested too deeply" in caught.value.message_en


def test_a_ragged_row_that_is_not_utf8_prints_no_traceback(tmp_path: Path, capfd):
    path = tmp_path / "rusak.csv"
    path.write_bytes(b"a,b\n1,2\n\xff\xfe,3,4\n")
    assert stage_fast([_record(path, path.as_uri(), "csv")], ReadOptions(encoding="utf-8"), _fields("a", "b"),
                      tmp_path / "f.parquet") is None
    assert capfd.readouterr().err == ""


def _stage_file(path: Path, tmp_path: Path, fmt: str = "csv") -> StagedTable:
    return read_exports([_record(path, path.as_uri(), fmt)], ReadOptions(), _fields("a"), tmp_path / "s.parquet")


# declared options: mistakes fail before work starts, naming file, key path and fix --------------------------------
@pytest.mark.parametrize("options", [{"drop_rows": {"wilayah": "("}}, {"stop_at": "["}, {"header_rows": [4, 3]},
                                     {"unpivot": {"columns": "(", "key": "tahun", "value": "nilai"}},
                                     {"unpivot": {"columns": r"\d{4}", "value": "nilai"}},
                                     {"case": {"kecamatan": "sentence"}}])
def test_option_mistakes_are_refused(options: dict):
    with pytest.raises(ValidationError):
        ReadOptions(**options)


def test_an_option_mistake_in_the_catalogue_names_the_key_and_the_fix(tmp_path: Path):
    repo = Path(__file__).resolve().parents[2]
    for name in ("datasets", "exports"):
        shutil.copytree(repo / name, tmp_path / name)
    text = (repo / "catalog.yaml").read_text(encoding="utf-8").replace(
        "        header_row: 2\n        rename:\n          Bulan: periode",
        "        header_row: 2\n        header_rows: [1, 2]\n        rename:\n          Bulan: periode")
    (tmp_path / "catalog.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path / "catalog.yaml")
    assert caught.value.key == "datasets[kasus-dbd-kelurahan].source.options"
    assert "not both" in caught.value.problem and "docs/catalog-format.md" in caught.value.fix
