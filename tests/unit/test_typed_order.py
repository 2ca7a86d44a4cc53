"""cast_to_typed writes the staged order when it is already the published order (primary key, file, row) and
sorts otherwise: either way the typed table equals DuckDB's ORDER BY of the same rows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from satudata.validators.typed import cast_to_typed, is_ordered

SCHEMA = {"fields": [{"name": "kode", "type": "string"}, {"name": "tahun", "type": "integer"},
                     {"name": "nilai", "type": "number"}], "primaryKey": ["kode", "tahun"]}


def _staged(path: Path, rows: list[tuple[str | None, str | None, str | None]], files: list[str] | None = None) -> Path:
    files = files or ["a.csv"] * len(rows)
    pq.write_table(pa.table({
        "_file": pa.array(files), "_row": pa.array(range(2, len(rows) + 2), pa.int64()),
        "_blank": pa.array([False] * len(rows)),
        "kode": pa.array([r[0] for r in rows], pa.string()), "tahun": pa.array([r[1] for r in rows], pa.string()),
        "nilai": pa.array([r[2] for r in rows], pa.string()),
    }), path)
    return path


def _sorted_by_duckdb(typed: Path) -> list[tuple]:
    return duckdb.sql(f"SELECT * FROM read_parquet('{typed}') ORDER BY kode, tahun, _file, _row").fetchall()


ORDERED = [("A", "2020", "1.5"), ("A", "2021", "x"), ("A", "2021", "2"), ("B", None, "3"), ("B", "bad", "4"),
           (None, "2020", "5")]
SHUFFLED = [("B", "2021", "1"), ("A", "2022", "2"), (None, "2020", "3"), ("A", "2020", "4"), ("B", None, "5"),
            ("A", "2020", "6")]


@pytest.mark.parametrize("rows", [ORDERED, SHUFFLED], ids=["ordered", "shuffled"])
def test_typed_rows_follow_the_primary_key_then_file_and_row(tmp_path: Path, rows) -> None:
    staged = _staged(tmp_path / "staged.parquet", rows)
    typed = cast_to_typed(staged, SCHEMA, ["kode", "tahun", "nilai"], tmp_path / "typed.parquet")
    table = duckdb.sql(f"SELECT * FROM read_parquet('{typed}')").fetchall()
    assert table == _sorted_by_duckdb(typed)
    assert [row[1] for row in table] == ([2, 3, 4, 5, 6, 7] if rows is ORDERED else [5, 7, 3, 2, 6, 4])
    assert not list(tmp_path.glob("*.unsorted"))


def test_is_ordered_mirrors_order_by_with_nulls_last_and_ties(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"

    def ordered(keys: list, files: list[str], rows: list[int]) -> bool:
        pq.write_table(pa.table({"k": pa.array(keys, pa.int64()), "_file": files, "_row": pa.array(rows)}), path)
        return is_ordered(path, ["k", "_file", "_row"])

    assert ordered([1, 1, 2, None, None], ["a", "b", "a", "a", "a"], [9, 1, 1, 1, 2])
    assert not ordered([1, None, 2], ["a", "a", "a"], [1, 2, 3])        # NULL sorts last
    assert not ordered([1, 1], ["b", "a"], [1, 2])                      # a tie is ordered by file
    assert not ordered([None, None], ["a", "a"], [3, 2])                # NULL keys tie too
    assert not ordered([2, 1], ["a", "a"], [1, 2])
    pq.write_table(pa.table({"k": pa.array([1.0, 2.0]), "_file": ["a", "a"], "_row": [1, 2]}), path)
    assert not is_ordered(path, ["k", "_file", "_row"])                 # floating point: always sorted by DuckDB
