"""Stage exports row by row (the exact reading, for every format): read each export through the declared options into
a staged Parquet file of normalised text cells.

The staged table has one string column per schema field found in the export, plus ``_file`` (export file
name), ``_row`` (row number in that file, title rows and header counted) and ``_blank`` (the row was blank). Label
and cell-count problems are found here, the way Frictionless finds them (fields paired with labels by position).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from satudata.core.catalog import ReadOptions
from satudata.core.problems import ERROR, WARNING, Problem
from satudata.core.records import RawExport, StagedTable
from satudata.sources.export import open_export
from satudata.sources.formats import Row
from satudata.sources.header import Layout, label_problems, layout, read_header
from satudata.sources.normalise import build_normalisers, cell_cleaner
from satudata.sources.writer import RowWriter

PROGRESS_EVERY = 5_000   # rows between two progress reports of the row-by-row reader


def data_rows(rows: Iterator[Row], options: ReadOptions) -> Iterator[Row]:
    """Rows after the header, minus declared footers, notes and total rows."""
    skipped = 0
    stop = re.compile(options.stop_at) if options.stop_at else None
    footer: deque[Row] = deque()
    blanks: list[Row] = []   # blank rows right above a stop_at match belong to the notes footer
    for number, cells in rows:
        if skipped < options.skip_rows_after_header:
            skipped += 1
            continue
        first = next((c for c in cells if c is not None and c.strip()), None)
        if stop and first is not None and stop.search(first.strip()):
            return
        if stop and first is None:
            blanks.append((number, cells))
            continue
        for row in [*blanks, (number, cells)]:
            footer.append(row)
            if len(footer) > options.skip_footer_rows:
                yield footer.popleft()
        blanks = []
    for row in blanks:   # no notes footer after all: these are ordinary blank rows
        footer.append(row)
        if len(footer) > options.skip_footer_rows:
            yield footer.popleft()


def stage_exports(raws: Iterable[RawExport], options: ReadOptions, schema_fields: list[dict],
                  out_path: Path, progress: Callable[[int, int], None] | None = None) -> StagedTable:
    names = [f["name"] for f in schema_fields]
    clean = cell_cleaner(options)
    chains = build_normalisers(options, schema_fields)
    drop = {col: re.compile(rx) for col, rx in options.drop_patterns().items()}
    opened = []
    problems: list[Problem] = []
    header_rows: dict[str, int] = {}
    for raw in raws:
        export = open_export(raw, options)
        rows = export.rows()
        labels, header_row = read_header(export, rows, names)
        header_rows[export.file] = header_row
        lay = layout(labels, names, options)
        problems += label_problems(labels, names, options, lay, export.file, header_row or None)
        opened.append((export, lay, labels, rows))
    present = [n for n in names if all(n in lay.fields() for _, lay, _, _ in opened)]
    missing = [n for n in names if n not in present]
    writer = RowWriter(out_path, present)
    done_bytes = 0
    try:
        for export, lay, labels, rows in opened:
            file = export.file
            label_pos = {label: i for i, label in enumerate(labels)}
            for number, cells in data_rows(rows, options):
                if drop and any(
                    (i := label_pos.get(col)) is not None and i < len(cells) and cells[i] is not None
                    and rx.search(str(cells[i]).strip()) for col, rx in drop.items()
                ):
                    continue
                width = len(cells) if not export.format.spreadsheet else _spreadsheet_width(cells, lay.width)
                values: dict[str, str | None] = {}
                for name, i in lay.positions.items():
                    value = clean(cells[i]) if i < len(cells) else None
                    if value is not None:
                        for normalise in chains[name]:
                            value = normalise(value)
                    values[name] = value
                blank = all(v is None for v in values.values()) and all(clean(c) is None for c in cells[: lay.width])
                if blank:
                    problems.append(Problem("blank-row", WARNING, None, number, None, file))
                else:
                    problems += _cell_count_problems(width, lay, number, file, cells)
                writer.add(file, number, blank, values)
                if progress and writer.count % PROGRESS_EVERY == 0:
                    progress(writer.count, done_bytes)
            done_bytes += export.raw.bytes
            if progress:
                progress(writer.count, done_bytes)
    finally:
        writer.close()
    return StagedTable(out_path, present, missing, writer.count, problems, header_rows)


def _spreadsheet_width(cells: list[str | None], expected: int) -> int:
    """Spreadsheet rows are padded to the sheet's used range: count only up to the last non-empty cell."""
    width = len(cells)
    while width > expected and cells[width - 1] in (None, ""):
        width -= 1
    return max(width, expected) if width <= expected else width


def _cell_count_problems(width: int, lay: Layout, number: int, file: str,
                         cells: list[str | None]) -> list[Problem]:
    problems: list[Problem] = []
    for extra in range(lay.width, width):
        problems.append(Problem("extra-cell", ERROR, None, number, cells[extra], file,
                                detail=f"cell {extra + 1}"))
    if not lay.positions or width >= lay.width:
        return problems
    by_position = {i: n for n, i in lay.positions.items()}
    for i in range(width, lay.width):
        name = by_position.get(i) or lay.expected[i]
        if name:   # with options.select, cells outside the selection are not the schema's concern
            problems.append(Problem("missing-cell", ERROR, name, number, None, file))
    return problems
