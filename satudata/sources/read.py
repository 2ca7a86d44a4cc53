"""The one entry point for reading exports: the fast reading in Arrow batches when the format has one and the export
is regular, else the exact row-by-row reading. Both give the same staged table (tests/unit/test_fast_csv.py holds
them to it)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from satudata.core.catalog import ReadOptions
from satudata.core.records import RawExport, StagedTable
from satudata.sources.columnar import stage_fast
from satudata.sources.stage import stage_exports


def read_exports(raws: list[RawExport], options: ReadOptions, fields: list[dict], out_path: Path,
                 progress: Callable[[int, int], None] | None = None) -> StagedTable:
    """The staged table of the exports; ``progress(rows, bytes)`` is told the rows staged and the bytes of the exports
    read so far, after every batch (at least every few thousand rows)."""
    staged = stage_fast(list(raws), options, fields, out_path, progress)
    if staged is None:
        staged = stage_exports(raws, options, fields, out_path, progress)
    return staged
