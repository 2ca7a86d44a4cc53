"""The header of an export, written once for every format and both staging paths: title rows skipped, the header
row(s) read into labels (a header over several rows joined per column), labels paired with schema fields, and the
label problems Frictionless would report (fields paired with labels by position)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from satudata.core.catalog import ReadOptions
from satudata.core.problems import ERROR, ExportUnreadable, Problem
from satudata.sources.export import Export
from satudata.sources.formats import Row

MAX_COLUMNS = 16_384   # columns of a header (Excel's own limit, XFD): a wider one is refused before it is read


@dataclass
class Layout:
    """How the cells of one export map onto schema fields."""

    positions: dict[str, int]   # field name → cell index
    width: int                  # number of expected cells (labels), Frictionless' "expected fields"
    expected: list[str] = field(default_factory=list)   # name of each expected cell, as Frictionless names them
    # unpivot: each wide column (cell index) and the key field values its label gives
    wide: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    value_field: str | None = None

    def fields(self) -> set[str]:
        provided = set(self.positions)
        if self.wide and self.value_field:
            provided |= {self.value_field, *self.wide[0][1]}
        return provided

    def name_at(self, index: int) -> str:
        for name, position in self.positions.items():
            if position == index:
                return name
        return self.expected[index] if index < len(self.expected) else ""


def read_header(export: Export, rows: Iterator[Row], names: list[str]) -> tuple[list[str], int]:
    """Skip title rows, return (labels after rename, number of the header's last row)."""
    options, fmt = export.options, export.format
    if options.header_row == 0 and not options.header_rows and not fmt.records:
        for _ in range(options.skip_rows):
            next(rows, None)
        return list(options.columns or []), 0
    targets = [1] if fmt.records else (options.header_rows or [options.header_row])
    block: list[list[str | None]] = []
    for number, cells in rows:
        if number not in targets:
            continue
        block.append(cells)
        if number == targets[-1]:
            _refuse_too_wide(export.file, number, cells)
            fmt.check_header(export.file, cells, options, len(names))
            labels = _joined(block, options.header_join) if len(block) > 1 else [(c or "").strip() for c in cells]
            while labels and labels[-1] == "" and fmt.spreadsheet:
                labels.pop()  # Excel's used range often runs past the last real column
            return [options.rename.get(label, label) for label in labels], number
    target = targets[-1]
    raise ExportUnreadable(export.file, f"baris judul (baris {target}) tidak ditemukan: berkas terlalu pendek",
                           f"header row {target} not found: the file is too short")


def _refuse_too_wide(file: str, number: int, cells: list[str | None]) -> None:
    """More columns than a spreadsheet can hold is no department's table (a broken export, or a bomb)."""
    width = len(cells)
    while width > MAX_COLUMNS and cells[width - 1] in (None, ""):
        width -= 1   # a used range padded past the last label is not a column
    if width > MAX_COLUMNS:
        raise ExportUnreadable(
            file, f"baris judul (baris {number}) punya {width:_} kolom, lebih dari batas {MAX_COLUMNS:_} (batas "
            "Excel): ekspor rusak atau bukan tabel; minta ekspor ulang".replace("_", "."),
            f"the header (row {number}) has {width:,} columns, more than the limit of {MAX_COLUMNS:,} (Excel's): "
            "a broken export or not a table; ask for a new export")


def _joined(block: list[list[str | None]], join: str) -> list[str]:
    """One label per column from a header over several rows. A label left empty in an upper row takes the one to
    its left (a merged cell, or a CSV group title written once above its columns), within the same group of the
    rows above, and only over columns that have a label below; the parts are joined with ``join``."""
    width = max(len(cells) for cells in block)
    grid = [[" ".join((c or "").split()) for c in cells] + [""] * (width - len(cells)) for cells in block]
    for level in range(len(grid) - 1):
        row = grid[level]
        for column in range(1, width):
            if row[column] or not row[column - 1]:
                continue
            same_group = all(grid[above][column] == grid[above][column - 1] for above in range(level))
            labelled_below = any(grid[below][column] for below in range(level + 1, len(grid)))
            if same_group and labelled_below:
                row[column] = row[column - 1]
    return [join.join(part for part in parts if part) for parts in zip(*grid, strict=True)]


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


def layout(labels: list[str], names: list[str], options: ReadOptions) -> Layout:
    if options.unpivot:
        return _wide_layout(labels, names, options)
    if options.select:
        positions = {n: labels.index(n) for n in options.select if n in labels and n in names}
        return Layout(positions, len(labels), [""] * len(labels))
    positions = {name: i for i, name in enumerate(names) if i < len(labels)}
    return Layout(positions, len(labels), _expected_names(labels, names))


def _wide_layout(labels: list[str], names: list[str], options: ReadOptions) -> Layout:
    unpivot = options.unpivot
    assert unpivot is not None
    keys = unpivot.key_fields()
    ids = [n for n in names if n not in keys and n != unpivot.value]
    positions = {n: labels.index(n) for n in ids if n in labels}
    wide: list[tuple[int, dict[str, str]]] = []
    for index, label in enumerate(labels):
        if index in positions.values():
            continue
        if isinstance(unpivot.columns, list):
            if label in unpivot.columns:
                wide.append((index, {keys[0]: label}))
        elif match := re.fullmatch(unpivot.columns, label):
            groups = match.groupdict()
            wide.append((index, groups or {keys[0]: match.group(1) if match.re.groups else label}))
    return Layout(positions, len(labels), [""] * len(labels), wide, unpivot.value)


def label_problems(labels: list[str], names: list[str], options: ReadOptions, lay: Layout, file: str,
                   row: int | None) -> list[Problem]:
    if options.unpivot:
        wanted = [n for n in names if n not in lay.fields()]
        return [Problem("missing-label", ERROR, n, row, None, file,
                        detail="no column matches unpivot.columns" if n == lay.value_field else None)
                for n in wanted]
    if options.select:
        problems = [Problem("missing-label", ERROR, n, row, None, file) for n in options.select if n not in labels]
        as_exported = {renamed: label for label, renamed in options.rename.items()}
        for name in options.select:   # the first of two columns would be taken silently: which one is meant?
            if labels.count(name) > 1:
                columns = [i + 1 for i, label in enumerate(labels) if label == name]
                problems.append(Problem("duplicate-label", ERROR, name, row, as_exported.get(name, name), file,
                                        detail=f"columns {', '.join(map(str, columns))}"))
        return problems
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
