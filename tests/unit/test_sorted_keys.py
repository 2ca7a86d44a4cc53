"""The primary-key check from sorted keys (validators.sorted_keys) gives exactly the full SQL check's results.

``check_and_cast`` with a typed table takes the sorted-keys path whenever it can; ``check_table`` always runs the
full window comparison. Both must report the same rows, counts, examples and severities — on hand-made cases with
duplicates, empty keys, type errors, blank rows and composite keys, and on random tables.
"""

from __future__ import annotations

import random
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from satudata.core.catalog import ReadOptions
from satudata.core.files import sha256_file
from satudata.core.records import RawExport
from satudata.sources.stage import stage_exports
from satudata.validators.sorted_keys import scan_sorted_keys
from satudata.validators.table_schema import check_and_cast, check_table
from satudata.validators.table_schema import engine as schema_engine
from satudata.validators.table_schema import keys as schema_keys

SINGLE = {"fields": [{"name": "id", "type": "integer"}, {"name": "nama", "type": "string"}], "primaryKey": ["id"]}
COMPOSITE = {"fields": [{"name": "kode", "type": "string"}, {"name": "tanggal", "type": "date"},
                        {"name": "nilai", "type": "integer"}], "primaryKey": ["kode", "tanggal"]}


def _typed(path: Path, keys: dict[str, list], rows: list[int] | None = None) -> Path:
    count = len(next(iter(keys.values())))
    pq.write_table(pa.table({**keys, "_file": ["a.csv"] * count,
                             "_row": pa.array(rows or range(2, count + 2), pa.int64())}), path)
    return path


def test_repeated_and_empty_keys_across_batches(tmp_path: Path) -> None:
    path = _typed(tmp_path / "t.parquet", {"id": pa.array([1, 2, 2, None, 2, 3, 3, 3, None, 4], pa.int64())})
    for batch_rows in (1, 2, 3, 100):
        found = scan_sorted_keys(path, ["id"], batch_rows=batch_rows)
        assert found is not None
        assert found.repeated == [("a.csv", 4), ("a.csv", 6), ("a.csv", 8), ("a.csv", 9)]
        assert found.empty == [("a.csv", 5), ("a.csv", 10)]


def test_composite_keys_compare_column_by_column(tmp_path: Path) -> None:
    keys = {"k": pa.array(["A", "A", "A", "B", "B"]), "t": pa.array([1, 2, 2, 1, 1], pa.int64())}
    found = scan_sorted_keys(_typed(tmp_path / "t.parquet", keys), ["k", "t"], batch_rows=2)
    assert found is not None and found.repeated == [("a.csv", 4), ("a.csv", 6)] and found.empty == []


@pytest.mark.parametrize(("keys", "why"), [
    ({"id": pa.array([1, 3, 2], pa.int64())}, "a key decreases"),
    ({"id": pa.array([1.0, 2.0], pa.float64())}, "floating point"),
    ({"k": pa.array(["A", None]), "t": pa.array([1, 1], pa.int64())}, "a composite key partly empty"),
])
def test_gives_up_when_only_the_full_check_is_exact(tmp_path: Path, keys: dict, why: str) -> None:
    assert scan_sorted_keys(_typed(tmp_path / "t.parquet", keys), list(keys)) is None, why


def test_gives_up_beyond_the_failing_rows_it_holds(tmp_path: Path) -> None:
    path = _typed(tmp_path / "t.parquet", {"id": pa.array([1, 1, 1, 1], pa.int64())})
    assert scan_sorted_keys(path, ["id"], max_failing=2) is None
    assert scan_sorted_keys(path, ["id"], max_failing=3) is not None


def _stage(tmp_path: Path, text: str, schema: dict):
    path = tmp_path / "data.csv"
    path.write_text(text, encoding="utf-8")
    raw = RawExport(path, path.as_uri(), "csv", sha256_file(path), path.stat().st_size, "2025-07-01T00:00:00Z")
    return stage_exports([raw], ReadOptions(), schema["fields"], tmp_path / "staged.parquet")


def _both(tmp_path: Path, text: str, schema: dict, cap: int | None, monkeypatch) -> tuple[list, list, list]:
    staged = _stage(tmp_path, text, schema)
    scans: list = []

    def recording(*args, **kwargs):
        scans.append(scan_sorted_keys(*args, **kwargs))
        return scans[-1]

    monkeypatch.setattr(schema_engine, "scan_sorted_keys", recording)
    full = check_table(staged.path, staged.fields, schema, {}, cap)
    fast = check_and_cast(staged.path, staged.fields, schema, {}, cap, typed_out=tmp_path / "typed.parquet")
    return full, fast, scans


CASES = {
    "duplicates, empty and bad keys, blank rows": (SINGLE, "id,nama\n1,a\n2,b\n2,c\n,d\n3,e\nx,f\n,\n3,g\n4,h\n4,i\n"),
    "leading zeros equal": (SINGLE, "id,nama\n1,a\n01,b\n2,c\n"),
    "composite": (COMPOSITE, "kode,tanggal,nilai\nA,2024-01-01,1\nA,2024-01-02,2\nA,2024-01-02,3\nB,2024-01-01,4\n"
                             ",,5\nB,2024-01-01,6\n,,\n"),
    "no failures": (SINGLE, "id,nama\n1,a\n2,b\n3,c\n"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
@pytest.mark.parametrize("cap", [None, 1])
@pytest.mark.parametrize("listed", [5_000, 0], ids=["rows-listed", "rows-joined"])
def test_the_pipeline_path_equals_the_full_check(tmp_path: Path, monkeypatch, case: str, cap: int | None,
                                                 listed: int) -> None:
    monkeypatch.setattr(schema_keys, "IN_LIST_ROWS", listed)
    schema, text = CASES[case]
    full, fast, scans = _both(tmp_path, text, schema, cap, monkeypatch)
    assert scans and scans[0] is not None, "the sorted-keys path was not taken"
    assert fast == full
    assert any(r.check == "primary-key" for r in fast)


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_the_typed_table_is_in_published_order(tmp_path: Path, monkeypatch, case: str) -> None:
    schema, text = CASES[case]
    _both(tmp_path, text, schema, None, monkeypatch)
    typed = tmp_path / "typed.parquet"
    order = ", ".join([*schema["primaryKey"], "_file", "_row"])
    rows = duckdb.sql(f"SELECT * FROM read_parquet('{typed}')").fetchall()
    assert rows == duckdb.sql(f"SELECT * FROM read_parquet('{typed}') ORDER BY {order}").fetchall()


def test_the_scan_knows_the_order_only_when_it_is_sure(tmp_path: Path) -> None:
    sorted_ = _typed(tmp_path / "a.parquet", {"id": pa.array([1, 2, 2, 3], pa.int64())})
    assert scan_sorted_keys(sorted_, ["id"]).in_published_order is True
    empty = _typed(tmp_path / "b.parquet", {"id": pa.array([1, None, 3], pa.int64())})
    assert scan_sorted_keys(empty, ["id"]).in_published_order is None      # NULL keys sort last
    two_files = tmp_path / "c.parquet"
    pq.write_table(pa.table({"id": pa.array([1, 1], pa.int64()), "_file": ["b.csv", "a.csv"],
                             "_row": pa.array([2, 2], pa.int64())}), two_files)
    assert scan_sorted_keys(two_files, ["id"]).in_published_order is None  # a tie across files: by file name


def test_an_unsorted_export_takes_the_full_check(tmp_path: Path, monkeypatch) -> None:
    full, fast, scans = _both(tmp_path, "id,nama\n2,a\n1,b\n2,c\n", SINGLE, None, monkeypatch)
    assert scans == [None] and fast == full
    assert [p.row for r in fast if r.check == "primary-key" for p in r.examples] == [4]


def test_a_key_beyond_64_bits_takes_the_full_check(tmp_path: Path, monkeypatch) -> None:
    full, fast, scans = _both(tmp_path, "id,nama\n1,a\n99999999999999999999,b\n", SINGLE, None, monkeypatch)
    assert scans == [] and fast == full


@pytest.mark.parametrize("seed", range(12))
def test_random_sorted_exports(tmp_path: Path, monkeypatch, seed: int) -> None:
    rng = random.Random(seed)
    lines, key = ["id,nama"], 0
    for i in range(rng.randint(1, 60)):
        key += rng.choice([0, 0, 1, 1, 2])
        lines.append(rng.choice([f"{key},n{i}"] * 6 + [f",n{i}", f"bad,n{i}", ",", f"0{key},n{i}"]))
    full, fast, scans = _both(tmp_path, "\n".join(lines) + "\n", SINGLE, rng.choice([None, 1, 3]), monkeypatch)
    assert fast == full


@pytest.mark.parametrize("listed", [5_000, 0], ids=["rows-listed", "rows-joined"])
def test_two_export_files_with_a_key_repeated_across_them(tmp_path: Path, monkeypatch, listed: int) -> None:
    monkeypatch.setattr(schema_keys, "IN_LIST_ROWS", listed)
    raws = []
    for name, text in [("b.csv", "id,nama\n1,a\n2,b\n2,c\n3,d\n"), ("a.csv", "id,nama\n3,e\n4,f\n,g\n")]:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        raws.append(RawExport(path, path.as_uri(), "csv", sha256_file(path), path.stat().st_size,
                              "2025-07-01T00:00:00Z"))
    staged = stage_exports(raws, ReadOptions(), SINGLE["fields"], tmp_path / "staged.parquet")
    full = check_table(staged.path, staged.fields, SINGLE, {}, None)
    fast = check_and_cast(staged.path, staged.fields, SINGLE, {}, None, typed_out=tmp_path / "typed.parquet")
    assert fast == full
    failing = [(p.file, p.row) for r in fast if r.check == "primary-key" for p in r.examples]
    assert failing == [("b.csv", 4), ("a.csv", 2), ("a.csv", 4)]
    rows = duckdb.sql(f"SELECT id, _file, _row FROM read_parquet('{tmp_path / 'typed.parquet'}')").fetchall()
    assert rows == sorted(rows, key=lambda r: (r[0] is None, r[0] or 0, r[1], r[2]))
