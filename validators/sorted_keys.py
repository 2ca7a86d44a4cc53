"""Primary-key failures from one streaming pass over the typed key columns, when the keys arrive sorted.

Exports nearly always list their rows in key order. Then equal keys sit next to each other, and the rows that
repeat a key — every occurrence after the first in row order, which is what frictionless reports — are exactly the
rows whose key equals that of the previous row with a key. One pyarrow pass over the key columns of the typed table
(written in the staged order) finds them and the rows whose key is empty, in constant memory, instead of a window
over every row. When the keys decrease somewhere, are of types compared otherwise (floating point with its NaN,
nested values), a composite key is partly empty, or the failing rows are too many to hold, the scan gives up
(None) and the full SQL comparison runs.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from satudata.validators.typed import comparable

BATCH_ROWS = 1 << 17
MAX_FAILING = 200_000   # beyond this many failing rows, the SQL check is the better tool


@dataclass
class SortedKeys:
    """Rows (file, row) of the typed table whose key repeats the previous key, or is empty."""

    repeated: list[tuple[str, int]] = field(default_factory=list)
    empty: list[tuple[str, int]] = field(default_factory=list)
    files: set[str] = field(default_factory=set)

    @property
    def in_published_order(self) -> bool | None:
        """True when the rows are already in ORDER BY key, file, row order (keys never decrease, none empty, and
        ties, if any, within one file); None when only a full comparison can tell."""
        return True if not self.empty and (not self.repeated or len(self.files) <= 1) else None


def _pairs(table: pa.Table) -> list[tuple[str, int]]:
    return list(zip(table.column("_file").to_pylist(), table.column("_row").to_pylist(), strict=True))


def scan_sorted_keys(typed: Path, keys: list[str], batch_rows: int = BATCH_ROWS,
                     max_failing: int = MAX_FAILING) -> SortedKeys | None:
    """The rows of ``typed`` (in file order) whose key repeats the previous non-empty key or is empty, when the
    non-empty keys never decrease; None when the scan cannot tell exactly (see the module's docstring)."""
    parquet = pq.ParquetFile(typed, read_dictionary=["_file"])   # the file name repeats on every row
    if not all(comparable(parquet.schema_arrow.field(name).type) for name in keys):
        return None
    found = SortedKeys()
    previous: pa.Table | None = None   # the last row with a key, carried into the next batch
    for batch in parquet.iter_batches(batch_size=batch_rows, columns=[*keys, "_file", "_row"]):
        table = pa.Table.from_batches([batch])
        found.files.update(table.column("_file").combine_chunks().dictionary.to_pylist())
        nulls = [pc.is_null(table.column(name)) for name in keys]
        some, every = functools.reduce(pc.or_, nulls), functools.reduce(pc.and_, nulls)
        if pc.any(some).as_py():
            if not pc.all(pc.equal(some, every)).as_py():
                return None            # a partly empty composite key: NULLs compare as equal in SQL partitions
            found.empty += _pairs(table.filter(every))
            table = table.filter(pc.invert(some))
        if previous is not None:
            table = pa.concat_tables([previous, table])
        table = table.unify_dictionaries().combine_chunks()
        count = table.num_rows
        if count > 1:
            not_after = pa.repeat(True, count - 1)   # each row's key <= the next row's key
            same = pa.repeat(True, count - 1)        # each row's key == the next row's key
            for name in reversed(keys):
                values = table.column(name).chunk(0)
                before, after = values.slice(0, count - 1), values.slice(1)
                equal = pc.equal(before, after)
                not_after = pc.or_(pc.less(before, after), pc.and_(equal, not_after))
                same = pc.and_(same, equal)
            if not pc.all(not_after).as_py():
                return None            # keys decrease: equal keys may lie apart, only the full check can tell
            found.repeated += _pairs(table.slice(1).filter(same))
        if len(found.repeated) + len(found.empty) > max_failing:
            return None
        if count:
            previous = table.slice(count - 1)
    return found
