"""Pieces of the DuckDB engine the agreement corpus relies on: Python patterns as RE2, the integer-range check,
the typed table never failing on a value it cannot hold."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from satudata.core.catalog import ReadOptions
from satudata.core.duck import literal
from satudata.core.files import sha256_file
from satudata.core.records import FAILS, RawExport
from satudata.sources.stage import stage_exports
from satudata.validators.sqltypes import DATE_SHAPE, YEAR_SHAPE, pattern_condition, python_pattern_re2
from satudata.validators.table_schema import TableSchemaEngine, check_table
from satudata.validators.typed import cast_to_typed


@pytest.mark.parametrize(("pattern", "cells"), [
    (r"KTP|KK", ["KTP", "KTP-el", "KK", "XKK", "KKX", "KK\n", "kk"]),
    (r"ANT\d{3}", ["ANT001", "ANT\u0661\u0662\u0663", "ANT001\n", "ANT001\n\n", "ANT01", "ANT\uff10\uff10\uff11"]),
    (r"[^@\s]+@[^@\s]+\.[a-z]{2,}", ["a@b.id", "a @b.id", "a\u00a0@b.id", "a\u2003@b.id", "A@B.ID"]),
    (r"^35\.73\.\d{2}$", ["35.73.01", "35.73.01\n", "35.73.1", "x35.73.01"]),
    (r"\w+-\W", ["abc-!", "\u00e9t\u00e9-?", "a_1- ", "ab-c"]),
    (r"x{,2}y", ["y", "xy", "xxy", "xxxy"]),
    (r"(?P<kode>\d{2})\.(?P=kode)", ["35.35", "35.36"]),    # a back-reference: Python decides
    (r"(?i:bu|pak) \w+", ["Bu Ani", "PAK Budi", "Ibu Ani"]),   # scoped flags: Python decides
])
def test_patterns_match_as_frictionless_matches_them(pattern: str, cells: list[str]):
    """frictionless: re.compile(f"^{pattern}$").match(cell). The engine's SQL must say the same for every cell."""
    con = duckdb.connect()
    compiled = re.compile(f"^{pattern}$")
    for cell in cells:
        condition = pattern_condition(con, pattern, literal(cell))
        (matched,) = con.execute(f"SELECT {condition}").fetchone()
        assert matched == (compiled.match(cell) is not None), (pattern, cell)


def test_only_patterns_re2_reads_differently_go_to_python():
    assert python_pattern_re2(r"KTP|KK") == r"\A(?:^KTP|KK(?:\n?\z))"
    assert python_pattern_re2(r"\d{2}") == r"\A(?:^\p{Nd}{2}(?:\n?\z))"
    assert python_pattern_re2(r"x{,2}") == r"\A(?:^x{0,2}(?:\n?\z))"
    for python_only in (r"\bkata\b", r"(?i)x", r"(?=a)a", r"(a)\1", r"[\S]", r"[[:alpha:]]", r"a++", r"\N{BULLET}"):
        assert python_pattern_re2(python_only) is None, python_only


@pytest.mark.parametrize(("glob", "regex"), [(DATE_SHAPE, r"\d{4}-\d\d-\d\d"), (YEAR_SHAPE, r"\d{4}")])
def test_date_and_year_shapes_as_glob_match_what_the_regular_expressions_matched(glob: str, regex: str):
    """The common tier's shape is a GLOB now; it must select exactly the cells the RE2 full match selected."""
    cells = ["2024-01-02", "2024", "0000-00-00", "2024-1-02", "2024-01-02\n", " 2024-01-02", "2024-01-02 ",
             "2024/01/02", "20240-01-02", "\u0662\u0660\u0662\u0664-01-02", "\uff12\uff10\uff12\uff14",
             "2024-01-0x", "2024-01-0\u00e9", "202\u00e9-01-02", "", "*", "[0-9]", "2024\n", "12345", "１２３４"]
    con = duckdb.connect()
    for cell in cells:
        (by_glob, by_regex) = con.execute(f"SELECT {literal(cell)} GLOB '{glob}', "
                                          f"regexp_full_match({literal(cell)}, '{regex}')").fetchone()
        assert by_glob == by_regex, (glob, cell)
    assert con.execute(f"SELECT count(*) FILTER ('2024-01-02' GLOB '{DATE_SHAPE}'), "
                       f"count(*) FILTER ('2024' GLOB '{YEAR_SHAPE}')").fetchone() == (1, 1)


def _stage(tmp_path: Path, text: str, schema: dict):
    path = tmp_path / "data.csv"
    path.write_text(text, encoding="utf-8")
    raw = RawExport(path, path.as_uri(), "csv", sha256_file(path), path.stat().st_size, "2025-07-01T00:00:00Z")
    return stage_exports([raw], ReadOptions(), schema["fields"], tmp_path / "staged.parquet")


def test_an_integer_beyond_64_bits_is_valid_per_table_schema_but_flagged_as_unpublishable(tmp_path: Path):
    schema = {"fields": [{"name": "nomor", "type": "integer"}]}
    staged = _stage(tmp_path, "nomor\n12\n99999999999999999999\n-9223372036854775808\n", schema)
    results = {r.check: r for r in check_table(staged.path, staged.fields, schema, {})}
    assert results["type"].count == 0
    assert [(p.row, p.value) for p in results["integer-range"].examples] == [(3, "99999999999999999999")]
    assert results["integer-range"].severity == "error"
    typed = cast_to_typed(staged.path, schema, staged.fields, tmp_path / "typed.parquet")
    assert pq.read_table(typed).column("nomor").to_pylist() == [12, None, -9223372036854775808]


def test_the_typed_values_alone_are_the_same_as_with_every_check(tmp_path: Path):
    """write_typed with no checks (the benchmark's lower bound uses it) writes the same typed values, no failures."""
    schema = {"fields": [{"name": "id", "type": "integer"}, {"name": "tanggal", "type": "date"},
                         {"name": "kode", "type": "string", "constraints": {"pattern": "K\\d"}}]}
    staged = _stage(tmp_path, "id,tanggal,kode\n1,2024-01-05,K1\nx,2024-13-01,Z9\n3,,K3\n", schema)
    tables = {}
    for name, checks in (("all", None), ("none", [])):
        engine = TableSchemaEngine(staged.path, staged.fields, schema)
        try:
            results = engine.write_typed(tmp_path / f"{name}.parquet", checks)
            engine.finish_typed(tmp_path / f"{name}.parquet")
        finally:
            engine.close()
        tables[name] = pq.read_table(tmp_path / f"{name}.parquet")
        assert sum(r.count for r in results) == (3 if checks is None else 0)   # "x", month 13, "Z9": one row
    assert tables["none"].drop_columns([FAILS]).equals(tables["all"].drop_columns([FAILS]))
    assert tables["none"].column(FAILS).null_count == 3 and tables["all"].column(FAILS).null_count == 2
    assert tables["all"].column("id").to_pylist() == [1, None, 3]


def test_the_typed_table_holds_what_frictionless_reads(tmp_path: Path):
    schema = {"fields": [{"name": "jumlah", "type": "integer"}, {"name": "nilai", "type": "number"},
                         {"name": "tanggal", "type": "date"}, {"name": "jam", "type": "time"},
                         {"name": "waktu", "type": "datetime"}]}
    staged = _stage(tmp_path, "jumlah,nilai,tanggal,jam,waktu\n"
                              '" 1_000 ",1e3,2024-1-5,24:00:00,2024-01-05T10:30:00+07:00\n'
                              "\u0661\u0662,nan,2024-02-29,07:30:00,2024-01-05 10:30:00\n", schema)
    typed = cast_to_typed(staged.path, schema, staged.fields, tmp_path / "typed.parquet")
    rows = pq.read_table(typed).to_pylist()
    assert [r["jumlah"] for r in rows] == [1000, 12]
    assert rows[0]["nilai"] == 1000.0 and rows[1]["nilai"] != rows[1]["nilai"]   # NaN
    assert [str(r["tanggal"]) for r in rows] == ["2024-01-05", "2024-02-29"]
    assert [str(r["jam"]) for r in rows] == ["00:00:00", "07:30:00"]
    assert [str(r["waktu"]) for r in rows] == ["2024-01-05 03:30:00", "2024-01-05 10:30:00"]   # aware → UTC
