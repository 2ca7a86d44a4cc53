"""expectations_sql.pandas_column gives exactly the Series ``to_pandas()`` gives, so GX's mean and sum agree bit
for bit, while holding the column once."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from satudata.validators.expectations_sql import pandas_column

rng = random.Random(3)
COLUMNS = {
    "float with NaN and nulls": pa.array([rng.random() * 1e6 if i % 7 else (None if i % 2 else math.nan)
                                          for i in range(50_000)], pa.float64()),
    "int64": pa.array([rng.randrange(-2**62, 2**62) for _ in range(50_000)], pa.int64()),
    "int64 with nulls": pa.array([None if i % 11 == 0 else rng.randrange(-2**60, 2**60) for i in range(50_000)],
                                 pa.int64()),
    "int32": pa.array([rng.randrange(-2**31, 2**31) for _ in range(50_000)], pa.int32()),
    "nulls only in a late row group": pa.array([1] * 40_000 + [None] + [2] * 9_999, pa.int64()),
}


@pytest.mark.parametrize("name", COLUMNS)
def test_the_same_series_as_to_pandas(tmp_path: Path, name: str) -> None:
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"_row": pa.array(range(50_000), pa.int64()), "v": COLUMNS[name]}), path,
                   row_group_size=7_000)
    expected = pq.read_table(path, columns=["v"]).column(0).to_pandas()
    got = pandas_column(path, "v")
    assert got.dtype == expected.dtype
    assert got.equals(expected)
    for func in ("mean", "sum"):
        a, b = getattr(got, func)(), getattr(expected, func)()
        assert (a == b) or (math.isnan(a) and math.isnan(b)), func
