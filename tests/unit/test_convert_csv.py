"""data.csv: written by DuckDB and hashed while it is written; dates printed as ISO text for every valid year."""

from __future__ import annotations

import hashlib
import threading
import time
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from satudata.convert import _follow_and_hash, write_outputs


def _typed(path: Path, rows: int) -> Path:
    pq.write_table(pa.table({
        "_file": ["a.csv"] * rows, "_row": pa.array(range(2, rows + 2), pa.int64()),
        "tanggal": pa.array([date(1 + i % 9999, 1 + i % 12, 1 + i % 28) for i in range(rows)], pa.date32()),
        "nilai": pa.array([i / 7 for i in range(rows)], pa.float64()),
        "catatan": pa.array([f'catatan "{i}", baris' if i % 3 else None for i in range(rows)]),
        "_fails": pa.nulls(rows, pa.list_(pa.struct([("k", pa.int32()), ("v", pa.string())]))),
    }), path)
    return path


def test_the_recorded_hash_and_size_are_those_of_the_written_file(tmp_path: Path) -> None:
    typed = _typed(tmp_path / "typed.parquet", 300_000)
    outputs = {o.name: o for o in write_outputs(typed, tmp_path / "out", {})}
    for name, output in outputs.items():
        data = output.path.read_bytes()
        assert output.sha256 == hashlib.sha256(data).hexdigest(), name
        assert output.bytes == len(data)
    assert outputs["data.csv"].path.read_text(encoding="utf-8").splitlines()[0] == "tanggal,nilai,catatan"


def test_dates_print_as_iso_text_for_years_1_to_9999() -> None:
    days = ["0001-01-01", "0009-12-31", "0099-02-28", "0999-06-15", "1000-01-01", "2024-02-29", "9999-12-31"]
    rows = duckdb.sql("SELECT CAST(d AS VARCHAR), strftime(d, '%Y-%m-%d') FROM (SELECT unnest("
                      f"[{', '.join(f'DATE {d!r}' for d in days)}]) AS d)").fetchall()
    assert [a for a, _ in rows] == days and all(a == b for a, b in rows)


def test_following_a_growing_file_gives_its_hash(tmp_path: Path) -> None:
    path, done = tmp_path / "grow.bin", threading.Event()
    result: list = []
    reader = threading.Thread(target=lambda: result.append(_follow_and_hash(path, done)))
    reader.start()
    written = b""
    with path.open("wb") as handle:
        for i in range(50):
            chunk = bytes([i]) * (7_000 + i)
            handle.write(chunk)
            handle.flush()
            written += chunk
            time.sleep(0.001)
    done.set()
    reader.join()
    assert result == [(hashlib.sha256(written).hexdigest(), len(written))]


def test_a_replaced_file_is_not_trusted(tmp_path: Path) -> None:
    path, done = tmp_path / "x.bin", threading.Event()
    path.write_bytes(b"first")
    result: list = []
    reader = threading.Thread(target=lambda: result.append(_follow_and_hash(path, done)))
    reader.start()
    time.sleep(0.05)
    replacement = tmp_path / "y.bin"
    replacement.write_bytes(b"second, longer")
    replacement.replace(path)
    done.set()
    reader.join()
    assert result == [(None, 0)]


def test_an_older_file_in_the_way_is_not_mixed_into_the_hash(tmp_path: Path) -> None:
    typed = _typed(tmp_path / "typed.parquet", 20_000)
    out = tmp_path / "out"
    out.mkdir()
    (out / "data.csv").write_bytes(b"x" * 5_000_000)   # longer than the new file, from an earlier attempt
    csv = next(o for o in write_outputs(typed, out, {}) if o.name == "data.csv")
    assert csv.sha256 == hashlib.sha256(csv.path.read_bytes()).hexdigest()
