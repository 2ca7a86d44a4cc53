"""Stage exports fast, in Arrow batches (for formats with a fast reading: CSV today): the staging of stage.py done
with compute kernels instead of Python rows, writing exactly the staged Parquet and ``StagedTable`` that
``stage.stage_exports`` writes for the same exports (same columns, values, ``_row`` numbers, order, problems and
counts), in batches, never holding the file. The title rows and the header are still read row by row through the
format, so labels and label problems are the exact reading's own.

``stage_fast`` returns None, meaning "use the exact row-by-row path", whenever the two could differ: options it does
not stream (``stop_at``, ``skip_footer_rows``, ``unpivot``), a format with no fast reading, a header area the format
declines, a file the format declines while streaming, or an unreadable file (the row path raises the right error).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from satudata.core.catalog import ReadOptions
from satudata.core.memory import gives_back_memory
from satudata.core.problems import ERROR, WARNING, ExportUnreadable, Problem
from satudata.core.records import RawExport, StagedTable
from satudata.sources.export import Export, open_export
from satudata.sources.formats import Decline
from satudata.sources.header import Layout, label_problems, layout, read_header
from satudata.sources.limits import batch_limits
from satudata.sources.normalise import Chain, build_chains
from satudata.sources.staged import Tally, staged_table
from satudata.sources.writer import batch_writer, staged_schema

# What str.strip() removes: every character whose str.isspace() is true (a unit test re-derives it).
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
              "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
CACHE_LIMIT = 200_000         # distinct values remembered per Python-normalised column


@dataclass
class _Plan:
    """One export: its header, how its cells map onto fields, and its data records as raw-cell batches."""

    export: Export
    labels: list[str]
    layout: Layout
    header_row: int
    records_before: int
    batches: Iterator[tuple[pa.RecordBatch, int]]
    strip: list[bool]


@gives_back_memory
def stage_fast(raws: Iterable[RawExport], options: ReadOptions, schema_fields: list[dict],
               out_path: Path, progress: Callable[[int, int], None] | None = None) -> StagedTable | None:
    """The staged table of the exports, as ``stage_exports`` makes it, or None when only the row path is exact."""
    raws = list(raws)
    if not raws or not _streamable(options):
        return None
    names = [f["name"] for f in schema_fields]
    try:
        plans = [_plan(open_export(raw, options), options, names) for raw in raws]
    except (Decline, ExportUnreadable, UnicodeDecodeError, csv.Error, LookupError):
        return None
    problems: list[Problem] = []
    for plan in plans:
        problems += plan.export.warnings() + label_problems(plan.labels, names, options, plan.layout,
                                                            plan.export.file, plan.header_row or None)
    present = [n for n in names if all(n in plan.layout.fields() for plan in plans)]
    missing = [n for n in names if n not in present]
    chains = build_chains(options, schema_fields)
    tally = Tally(options, chains)
    batcher = _Batcher(options, chains, tally, present, names)
    writer: pq.ParquetWriter | None = None
    count, declined, done_bytes = 0, False, 0
    pending: Future | None = None
    try:
        with ThreadPoolExecutor(max_workers=1) as background:   # write one batch while the next is parsed
            for plan in plans:
                first_row = plan.records_before + 1
                for batch, position in plan.batches:
                    table, found = batcher.convert(batch, plan, first_row)
                    first_row += batch.num_rows
                    if pending is not None:
                        pending.result()
                    writer = writer or batch_writer(out_path, batcher.schema, table)
                    pending = background.submit(writer.write_table, table)
                    count += table.num_rows
                    problems += found
                    if progress:
                        progress(count, done_bytes + position)
                done_bytes += plan.export.raw.bytes
                if progress:
                    progress(count, done_bytes)
            if pending is not None:
                pending.result()
    except (Decline, pa.ArrowInvalid, UnicodeDecodeError):
        declined = True
    finally:
        (writer or batch_writer(out_path, batcher.schema, None)).close()
    if declined:
        out_path.unlink(missing_ok=True)
        return None
    return staged_table(out_path, present, missing, count, problems,
                        {plan.export.file: plan.header_row for plan in plans}, [p.export for p in plans], tally)


def _streamable(options: ReadOptions) -> bool:
    return (options.stop_at is None and options.skip_footer_rows == 0 and options.decimal != ""
            and options.unpivot is None)


def _plan(export: Export, options: ReadOptions, names: list[str]) -> _Plan:
    if not export.format.fast:
        raise Decline(f"{export.format.name} has no fast reading")
    before = options.records_before_data()
    rows = export.rows()
    try:
        records = list(islice(rows, before))
    finally:
        rows.close()
    labels, header_row = read_header(export, iter(records), names)
    if len(records) < before or not labels:
        raise Decline("no data rows, or no columns")
    batches = export.format.batches(export.raw.path, export.options, before, len(labels))
    if batches is None:
        raise Decline(f"{export.format.name} has no fast reading")
    lay = layout(labels, names, options)
    strip = [options.stripped(lay.name_at(i)) for i in range(len(labels))]
    return _Plan(export, labels, lay, header_row, before, batches, strip)


class _Batcher:
    """Turns one parsed batch of raw cells into staged rows: drop, clean, normalise, mark blanks."""

    def __init__(self, options: ReadOptions, chains: dict[str, Chain], tally: Tally, present: list[str],
                 names: list[str]) -> None:
        self.options, self.present, self.tally = options, present, tally
        self.order = {name: i for i, name in enumerate(names)}
        self.schema = staged_schema(present)
        self.missing = pa.array(options.missing_values, pa.string())
        self.only_empty_missing = options.missing_values == [""]   # found by length: a third of a set lookup
        self.drop = {col: re.compile(rx) for col, rx in options.drop_patterns().items()}
        self.number = {n for n in present if chains[n].numbers_only}
        self.python = {n: chains[n] for n in present if chains[n] and n not in self.number}
        self.caches: dict[str, dict[str, tuple]] = {n: {} for n in self.python}

    def _clean(self, column: pa.Array, strip: bool) -> pa.Array:
        if strip:
            column = pc.utf8_trim(column, WHITESPACE)
        if len(self.missing):
            missing = (pc.equal(pc.binary_length(column), 0) if self.only_empty_missing
                       else pc.is_in(column, value_set=self.missing))
            if pc.any(missing).as_py():
                column = pc.if_else(missing, pa.scalar(None, pa.string()), column)
        return column

    def _numbers(self, column: pa.Array) -> pa.Array:
        if self.options.thousands:
            column = pc.replace_substring(column, self.options.thousands, "")
        if self.options.decimal != ".":
            column = pc.replace_substring(column, self.options.decimal, ".")
        return column

    def _python(self, name: str, column: pa.Array, rows: pa.Array, file: str) -> tuple[pa.Array, list[Problem]]:
        """Apply the row path's own chain to each distinct value (dates and codes repeat a lot)."""
        encoded = column.dictionary_encode()
        cache, chain = self.caches[name], self.python[name]
        if len(cache) > CACHE_LIMIT:
            cache.clear()
        mapped, changed, failing = [], {}, {}
        for index, value in enumerate(encoded.dictionary.to_pylist()):
            if value not in cache:
                cache[value] = chain.apply(value)
            result, steps, problem = cache[value]
            mapped.append(result)
            if steps:
                changed[index] = steps
            if problem is not None:
                failing[index] = (value, problem)
        problems: list[Problem] = []
        if changed:
            occurrences = np.bincount(encoded.indices.drop_null().to_numpy(), minlength=len(mapped))
            for index, steps in changed.items():
                self.tally.changed(name, steps, int(occurrences[index]))
        for index, (value, problem) in failing.items():
            for row in rows.filter(pc.equal(encoded.indices, index)).to_pylist():
                problems.append(Problem(problem.check, ERROR, name, row, value, file, detail=problem.detail))
        return pc.take(pa.array(mapped, pa.string()), encoded.indices), problems

    def _kept(self, batch: pa.RecordBatch, labels: list[str]) -> pa.Array | None:
        """Rows not matched by ``drop_rows`` (regex on the stripped raw cell), or None when none is declared; each
        dropped row is counted for the first rule that matches it, as the row path does."""
        position = {label: i for i, label in enumerate(labels)}
        dropped = None
        for col, rx in self.drop.items():
            if col not in position:
                continue
            encoded = batch.column(position[col]).dictionary_encode()
            hits = pa.array([rx.search(v.strip()) is not None for v in encoded.dictionary.to_pylist()], pa.bool_())
            match = pc.take(hits, encoded.indices)
            new = match if dropped is None else pc.and_(match, pc.invert(dropped))
            self.tally.dropped(col, pc.sum(new).as_py() or 0)
            dropped = match if dropped is None else pc.or_(dropped, match)
        return None if dropped is None else pc.invert(dropped)

    def convert(self, batch: pa.RecordBatch, plan: _Plan, first_row: int) -> tuple[pa.Table, list[Problem]]:
        file = plan.export.file
        rows = pa.array(np.arange(first_row, first_row + batch.num_rows, dtype=np.int64))
        kept = self._kept(batch, plan.labels)
        if kept is not None:
            batch, rows = batch.filter(kept), rows.filter(kept)
        found = batch_limits(batch.columns, rows, plan.labels, plan.layout, file)
        cleaned = [self._clean(column, plan.strip[i]) for i, column in enumerate(batch.columns)]
        blank = _all(pc.is_null(column) for column in cleaned)
        values = []
        for name in self.present:
            column = cleaned[plan.layout.positions[name]]
            if name in self.number:
                column = self._numbers(column)
            elif name in self.python:
                column, problems = self._python(name, column, rows, file)
                found += problems
            values.append(column)
        count = batch.num_rows
        table = pa.Table.from_arrays([pa.repeat(file, count), rows, blank, *values], schema=self.schema)
        found += [Problem("blank-row", WARNING, None, row, None, file) for row in rows.filter(blank).to_pylist()]
        found.sort(key=lambda p: (p.row, self.order.get(p.field, -1) if p.field else -1))
        return table, found


def _all(masks: Iterable[pa.Array]) -> pa.Array:
    result = None
    for mask in masks:
        result = mask if result is None else pc.and_(result, mask)
    assert result is not None
    return result
