"""The suite's mean and sum of a long float column, summed as the column streams (expectations_sql.table), give
the same bits as pandas on the whole column loaded at once, which is what GX computes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from satudata.validators.expectations_sql.table import pairwise_sum_streamed, pandas_column, streamed_reduction


@pytest.mark.parametrize("seed", range(6))
def test_pairwise_sum_streamed_is_numpys_sum_bit_for_bit(seed: int):
    rng = np.random.default_rng(seed)
    for _ in range(20):
        n = int(rng.integers(1, 200_000))
        values = rng.standard_normal(n) * 10.0 ** int(rng.integers(-3, 9)) + 1e6 * rng.random()
        position = 0

        def take(k: int, values=values) -> np.ndarray:
            nonlocal position
            part, position = values[position:position + k], position + k
            return part

        assert pairwise_sum_streamed(take, n, leaf=int(rng.integers(128, 5000))) == np.add.reduce(values)
        assert position == n   # every value taken once, in order


def _table(path: Path, values: np.ndarray, nulls: np.ndarray, kind: pa.DataType, row_group: int) -> Path:
    pq.write_table(pa.table({"x": pa.array(values, type=kind, mask=nulls)}), path, row_group_size=row_group)
    return path


@pytest.mark.parametrize("kind", [pa.float64(), pa.int64()])
def test_mean_and_sum_streamed_equal_pandas_on_the_loaded_column(tmp_path: Path, kind: pa.DataType):
    rng = np.random.default_rng(7)
    n = 123_457
    values = rng.random(n) * 1800 / 10 if kind == pa.float64() else rng.integers(0, 10**12, n)
    nulls = rng.random(n) < 0.01
    path = _table(tmp_path / "t.parquet", values, nulls, kind, row_group=10_007)
    loaded = pandas_column(path, "x")
    for func in ("mean", "sum"):
        streamed = streamed_reduction(path, "x", func, leaf=1_000, min_rows=0)
        expected = loaded.mean() if func == "mean" else loaded.sum()
        assert streamed == expected and type(streamed) is type(expected), (func, streamed, expected)


def test_short_columns_and_integers_without_nulls_are_left_to_pandas(tmp_path: Path):
    path = _table(tmp_path / "i.parquet", np.arange(100), np.zeros(100, bool), pa.int64(), row_group=10)
    assert streamed_reduction(path, "x", "mean", min_rows=0) is None     # pandas casts in numpy's buffered order
    path = _table(tmp_path / "f.parquet", np.arange(100.0), np.zeros(100, bool), pa.float64(), row_group=10)
    assert streamed_reduction(path, "x", "mean") is None                 # short: loaded, as before
    assert streamed_reduction(path, "x", "mean", min_rows=0) == pandas_column(path, "x").mean()


def test_a_column_of_nulls_has_no_mean(tmp_path: Path):
    path = _table(tmp_path / "n.parquet", np.zeros(500), np.ones(500, bool), pa.float64(), row_group=7)
    assert np.isnan(streamed_reduction(path, "x", "mean", leaf=128, min_rows=0))
    assert np.isnan(pandas_column(path, "x").mean())
    assert streamed_reduction(path, "x", "sum", leaf=128, min_rows=0) == pandas_column(path, "x").sum() == 0.0
