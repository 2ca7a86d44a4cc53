"""The header of an export, written once for every format and both staging paths: title rows skipped, the header
row read into labels, labels paired with schema fields, and the label problems Frictionless would report (fields
paired with labels by position)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from satudata.core.catalog import ReadOptions
from satudata.core.problems import ERROR, ExportUnreadable, Problem
from satudata.sources.export import Export
from satudata.sources.formats import Row


@dataclass
class Layout:
    """How the cells of one export map onto schema fields."""

    positions: dict[str, int]   # field name → cell index
    width: int                  # number of expected cells (labels), Frictionless' "expected fields"
    expected: list[str] = field(default_factory=list)   # name of each expected cell, as Frictionless names them

    def fields(self) -> set[str]:
        return set(self.positions)


def read_header(export: Export, rows: Iterator[Row], names: list[str]) -> tuple[list[str], int]:
    """Skip title rows, return (labels after rename, header row number)."""
    options, fmt = export.options, export.format
    if options.header_row == 0 and not fmt.records:
        for _ in range(options.skip_rows):
            next(rows, None)
        return list(options.columns or []), 0
    target = 1 if fmt.records else options.header_row
    for number, cells in rows:
        if number == target:
            fmt.check_header(export.file, cells, options, len(names))
            labels = [(c or "").strip() for c in cells]
            while labels and labels[-1] == "" and fmt.spreadsheet:
                labels.pop()  # Excel's used range often runs past the last real column
            return [options.rename.get(label, label) for label in labels], number
    raise ExportUnreadable(export.file, f"baris judul (baris {target}) tidak ditemukan: berkas terlalu pendek",
                           f"header row {target} not found: the file is too short")


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
    if options.select:
        positions = {n: labels.index(n) for n in options.select if n in labels and n in names}
        return Layout(positions, len(labels), [""] * len(labels))
    positions = {name: i for i, name in enumerate(names) if i < len(labels)}
    return Layout(positions, len(labels), _expected_names(labels, names))


def label_problems(labels: list[str], names: list[str], options: ReadOptions, lay: Layout, file: str,
                   row: int | None) -> list[Problem]:
    if options.select:
        return [Problem("missing-label", ERROR, n, row, None, file) for n in options.select if n not in labels]
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
