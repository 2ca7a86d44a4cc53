"""The one entry point for reading exports: the streaming DuckDB reader when a CSV is regular, else the exact
row-by-row reader. Both give the same staged table (tests/unit/test_fast_csv.py holds them to it)."""

from __future__ import annotations

from pathlib import Path

from satudata.catalog import ReadOptions
from satudata.sources.fast_csv import stage_csv_fast
from satudata.sources.pull import RawExport
from satudata.sources.stage import StagedTable, stage_exports


def read_exports(raws: list[RawExport], options: ReadOptions, fields: list[dict], out_path: Path) -> StagedTable:
    staged = stage_csv_fast(list(raws), options, fields, out_path)
    if staged is None:
        staged = stage_exports(raws, options, fields, out_path)
    return staged
