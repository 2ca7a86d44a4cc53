"""Read raw exports through the declared options into a staged Parquet file of normalised text cells.

The staged table has one string column per schema field found in the export, plus ``_file`` (export file
name), ``_row`` (row number in that file, title rows counted) and ``_blank`` (the row was blank). Label and
cell-count problems are found here, the way Frictionless finds them (fields paired with labels by position).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from satudata.core.catalog import ReadOptions
from satudata.core.problems import ERROR, WARNING, ExportUnreadable, Problem
from satudata.core.records import RawExport, StagedTable
from satudata.sources.normalise import build_normalisers, cell_cleaner
from satudata.sources.rows import Row, iter_rows, sniff_other_delimiter

BATCH_ROWS = 65_536
META_COLUMNS = ("_file", "_row", "_blank")


@dataclass
class _Layout:
    """How the cells of one export map onto schema fields."""

    positions: dict[str, int]   # field name → cell index
    width: int                  # number of expected cells (labels), Frictionless' "expected fields"
    expected: list[str] = field(default_factory=list)   # name of each expected cell, as Frictionless names them


def _header_problems(labels: list[str], names: list[str], file: str, row: int) -> list[Problem]:
    problems: list[Problem] = []
    for number, label in enumerate(labels, start=1):
        if number > len(names):
            problems.append(Problem("extra-label", ERROR, None, row, label, file))
    for name in names[len(labels):]:
        problems.append(Problem("missing-label", ERROR, name, row, None, file))
    for number, (name, label) in enumerate(zip(names, labels, strict=False), start=1):
        if not label:
            problems.append(Problem("blank-label", ERROR, name, row, label, file))
        elif label in labels[: number - 1]:
            problems.append(Problem("duplicate-label", ERROR, name, row, label, file))
        elif label != name:
            problems.append(Problem("incorrect-label", ERROR, name, row, label, file,
                                    detail=f"expected {name!r}"))
    return problems


def _expected_names(labels: list[str], names: list[str]) -> list[str]:
    """The field at each label position: the schema field there, else the label itself, made unique the way
    Frictionless names the extra columns it adds (``name``, ``name2``, ``name3``...)."""
    used: set[str] = set()
    expected: list[str] = []
    for i, label in enumerate(labels):
        base = names[i] if i < len(names) else label
        name, suffix = base, 2
        while name in used:
            name, suffix = f"{base}{suffix}", suffix + 1
        used.add(name)
        expected.append(name)
    return expected


def _layout(labels: list[str], names: list[str], options: ReadOptions) -> _Layout:
    if options.select:
        positions = {n: labels.index(n) for n in options.select if n in labels and n in names}
        return _Layout(positions, len(labels), [""] * len(labels))
    positions = {name: i for i, name in enumerate(names) if i < len(labels)}
    return _Layout(positions, len(labels), _expected_names(labels, names))


def _data_rows(rows: Iterator[Row], options: ReadOptions) -> Iterator[Row]:
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


class _Writer:
    def __init__(self, path: Path, fields: list[str]) -> None:
        self.schema = pa.schema([("_file", pa.string()), ("_row", pa.int64()), ("_blank", pa.bool_())]
                                + [(name, pa.string()) for name in fields])
        self.fields = fields
        self.writer = pq.ParquetWriter(path, self.schema, compression="zstd")
        self.buffer: dict[str, list] = {name: [] for name in self.schema.names}
        self.count = 0

    def add(self, file: str, row: int, blank: bool, values: dict[str, str | None]) -> None:
        buffer = self.buffer
        buffer["_file"].append(file)
        buffer["_row"].append(row)
        buffer["_blank"].append(blank)
        for name in self.fields:
            buffer[name].append(values.get(name))
        self.count += 1
        if len(buffer["_row"]) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.buffer["_row"]:
            self.writer.write_table(pa.Table.from_pydict(self.buffer, schema=self.schema))
            self.buffer = {name: [] for name in self.schema.names}

    def close(self) -> None:
        self.flush()
        self.writer.close()


def _rows_of(raw: RawExport, options: ReadOptions) -> Iterator[Row]:
    return iter_rows(raw.path, raw.format, encoding=options.encoding, delimiter=options.delimiter,
                     quotechar=options.quotechar, sheet=options.sheet, json_path=options.json_path)


def _read_header(raw: RawExport, rows: Iterator[Row], options: ReadOptions,
                 names: list[str]) -> tuple[list[str], int]:
    """Skip title rows, return (labels after rename, header row number)."""
    if options.header_row == 0 and raw.format != "json":
        for _ in range(options.skip_rows):
            next(rows, None)
        return list(options.columns or []), 0
    target = 1 if raw.format == "json" else options.header_row
    for number, cells in rows:
        if number == target:
            if raw.format == "csv" and len(names) > 1:
                other = sniff_other_delimiter(cells, options.delimiter)
                if other is not None:
                    raise ExportUnreadable(
                        raw.path.name,
                        f"baris judul hanya satu kolom; berkas tampaknya dipisah {other!r}, bukan "
                        f"{options.delimiter!r}: perbaiki options.delimiter",
                        f"the header has one column; the file looks delimited by {other!r}, not "
                        f"{options.delimiter!r}: fix options.delimiter",
                    )
            labels = [(c or "").strip() for c in cells]
            while labels and labels[-1] == "" and raw.format == "xlsx":
                labels.pop()  # Excel's used range often runs past the last real column
            return [options.rename.get(label, label) for label in labels], number
    raise ExportUnreadable(raw.path.name, f"baris judul (baris {target}) tidak ditemukan: berkas terlalu pendek",
                           f"header row {target} not found: the file is too short")


PROGRESS_EVERY = 5_000   # rows between two progress reports of the row-by-row reader


def stage_exports(raws: Iterable[RawExport], options: ReadOptions, schema_fields: list[dict],
                  out_path: Path, progress: Callable[[int, int], None] | None = None) -> StagedTable:
    names = [f["name"] for f in schema_fields]
    clean = cell_cleaner(options)
    chains = build_normalisers(options, schema_fields)
    drop = {col: re.compile(rx) for col, rx in options.drop_rows.items()}
    layouts: list[tuple[RawExport, _Layout, list[str], int]] = []
    problems: list[Problem] = []
    header_rows: dict[str, int] = {}
    iterators: dict[str, Iterator[Row]] = {}
    for raw in raws:
        rows = _rows_of(raw, options)
        labels, header_row = _read_header(raw, rows, options, names)
        header_rows[raw.path.name] = header_row
        if not options.select:
            problems += _header_problems(labels, names, raw.path.name, header_row or None)
        else:
            problems += [Problem("missing-label", ERROR, n, header_row or None, None, raw.path.name)
                         for n in options.select if n not in labels]
        layouts.append((raw, _layout(labels, names, options), labels, header_row))
        iterators[raw.path.name] = rows
    present = [n for n in names if all(n in lay.positions for _, lay, _, _ in layouts)]
    missing = [n for n in names if n not in present]
    writer = _Writer(out_path, present)
    done_bytes = 0
    try:
        for raw, layout, labels, _ in layouts:
            file = raw.path.name
            label_pos = {label: i for i, label in enumerate(labels)}
            for number, cells in _data_rows(iterators[file], options):
                if drop and any(
                    (i := label_pos.get(col)) is not None and i < len(cells) and cells[i] is not None
                    and rx.search(str(cells[i]).strip()) for col, rx in drop.items()
                ):
                    continue
                width = len(cells) if raw.format != "xlsx" else _xlsx_width(cells, layout.width)
                values: dict[str, str | None] = {}
                for name, i in layout.positions.items():
                    value = clean(cells[i]) if i < len(cells) else None
                    if value is not None:
                        for normalise in chains[name]:
                            value = normalise(value)
                    values[name] = value
                blank = all(v is None for v in values.values()) and all(
                    clean(c) is None for c in cells[: layout.width])
                if blank:
                    problems.append(Problem("blank-row", WARNING, None, number, None, file))
                else:
                    problems += _cell_count_problems(width, layout, names, number, file, cells)
                writer.add(file, number, blank, values)
                if progress and writer.count % PROGRESS_EVERY == 0:
                    progress(writer.count, done_bytes)
            done_bytes += raw.bytes
            if progress:
                progress(writer.count, done_bytes)
    finally:
        writer.close()
    return StagedTable(out_path, present, missing, writer.count, problems, header_rows)


def _xlsx_width(cells: list[str | None], expected: int) -> int:
    """Excel rows are padded to the sheet's used range: count only up to the last non-empty cell."""
    width = len(cells)
    while width > expected and cells[width - 1] in (None, ""):
        width -= 1
    return max(width, expected) if width <= expected else width


def _cell_count_problems(width: int, layout: _Layout, names: list[str], number: int, file: str,
                         cells: list[str | None]) -> list[Problem]:
    problems: list[Problem] = []
    for extra in range(layout.width, width):
        problems.append(Problem("extra-cell", ERROR, None, number, cells[extra], file,
                                detail=f"cell {extra + 1}"))
    if not layout.positions or width >= layout.width:
        return problems
    by_position = {i: n for n, i in layout.positions.items()}
    for i in range(width, layout.width):
        name = by_position.get(i) or layout.expected[i]
        if name:   # with options.select, cells outside the selection are not the schema's concern
            problems.append(Problem("missing-cell", ERROR, name, number, None, file))
    return problems
