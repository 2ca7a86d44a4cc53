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
from satudata.sources.export import Export, open_export
from satudata.sources.formats import Row
from satudata.sources.header import Layout, label_problems, layout, read_header
from satudata.sources.limits import cell_limits
from satudata.sources.normalise import build_chains, cell_cleaner
from satudata.sources.staged import Tally, staged_table
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
    chains = build_chains(options, schema_fields)
    tally = Tally(options, chains)
    opened: list[tuple[Export, Layout, list[str], Iterator[Row]]] = []
    problems: list[Problem] = []
    header_rows: dict[str, int] = {}
    for raw in raws:
        export = open_export(raw, options)
        rows = export.rows()
        labels, header_row = read_header(export, rows, names)
        header_rows[export.file] = header_row
        lay = layout(labels, names, options)
        problems += export.warnings() + label_problems(labels, names, options, lay, export.file, header_row or None)
        opened.append((export, lay, labels, rows))
    present = [n for n in names if all(n in lay.fields() for _, lay, _, _ in opened)]
    missing = [n for n in names if n not in present]
    writer = RowWriter(out_path, present)
    done_bytes = 0
    try:
        for export, lay, labels, rows in opened:
            reader = _RowReader(export, lay, labels, chains, tally, names)
            for number, cells in data_rows(rows, options):
                staged, found = reader.read(number, cells)
                problems += found
                for blank, values in staged:
                    writer.add(export.file, number, blank, values)
                    if progress and writer.count % PROGRESS_EVERY == 0:
                        progress(writer.count, done_bytes)
            done_bytes += export.raw.bytes
            if progress:
                progress(writer.count, done_bytes)
    finally:
        writer.close()
    wide = {export.file: [labels[i] for i, _ in lay.wide] for export, lay, labels, _ in opened if lay.wide}
    return staged_table(out_path, present, missing, writer.count, problems, header_rows,
                        [export for export, _, _, _ in opened], tally, wide)


class _RowReader:
    """One export's data rows into staged rows: drop, clean, normalise, mark blanks, count cells."""

    def __init__(self, export: Export, lay: Layout, labels: list[str], chains: dict, tally: Tally,
                 names: list[str]) -> None:
        options = export.options
        self.file, self.lay, self.chains, self.tally, self.labels = export.file, lay, chains, tally, labels
        self.spreadsheet = export.format.spreadsheet
        self.order = {name: i for i, name in enumerate(names)}
        label_pos = {label: i for i, label in enumerate(labels)}
        self.drop = [(column, label_pos.get(column), re.compile(rx))
                     for column, rx in options.drop_patterns().items()]
        strip = [options.stripped(lay.name_at(i)) for i in range(lay.width)]
        cleaners = {True: cell_cleaner(options, True), False: cell_cleaner(options, False)}
        self.cleaners = [cleaners[s] for s in strip]
        self.clean_beyond = cleaners[bool(options.strip is True)]

    def _clean(self, cells: list[str | None], index: int) -> str | None:
        if index >= len(cells):
            return None
        clean = self.cleaners[index] if index < len(self.cleaners) else self.clean_beyond
        return clean(cells[index])

    def _value(self, name: str, text: str | None, number: int, found: list[Problem]) -> str | None:
        if text is None or not self.chains[name]:
            return text
        value, changed, problem = self.chains[name].apply(text)
        self.tally.changed(name, changed)
        if problem is not None:
            found.append(Problem(problem.check, ERROR, name, number, text, self.file, detail=problem.detail))
        return value

    def read(self, number: int, cells: list[str | None]) -> tuple[list[tuple[bool, dict]], list[Problem]]:
        """The staged rows of one data row (none when dropped, one per wide column when unpivoted) and its problems."""
        for column, index, rx in self.drop:
            if index is not None and index < len(cells) and cells[index] is not None \
                    and rx.search(str(cells[index]).strip()):
                self.tally.dropped(column)
                return [], []
        lay = self.lay
        found = cell_limits(cells, self.labels, lay, number, self.file)
        values = {name: self._value(name, self._clean(cells, i), number, found) for name, i in lay.positions.items()}
        blank = all(v is None for v in values.values()) and all(
            self._clean(cells, i) is None for i in range(min(len(cells), lay.width)))
        if blank:
            return [(True, values)], [Problem("blank-row", WARNING, None, number, None, self.file)]
        staged = [(False, values)]
        if lay.wide:
            staged = []
            for index, keys in lay.wide:
                row = dict(values)
                row.update({key: self._value(key, text, number, found) for key, text in keys.items()})
                row[lay.value_field] = self._value(lay.value_field, self._clean(cells, index), number, found)
                staged.append((False, row))
        found.sort(key=lambda p: self.order.get(p.field, 0))
        width = len(cells) if not self.spreadsheet else _spreadsheet_width(cells, lay.width)
        return staged, found + _cell_count_problems(width, lay, number, self.file, cells)


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
