"""What no cell of an export may hold, checked by both staging paths (row by row and in Arrow batches): a cell
larger than MAX_CELL_CHARS (the export is refused, naming the row and the column, before the cell travels on), and
NUL bytes or other control characters (an error of the cell: ``control-character``)."""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

from satudata.core.problems import ERROR, ExportUnreadable, Problem
from satudata.sources.header import Layout

MAX_CELL_CHARS = 1_000_000     # Excel holds 32,767 characters a cell; a free-text cell of a million is no data
CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f"   # C0 controls and DEL; tab, line feed and carriage return are text
_CONTROL = re.compile(f"[{CONTROL}]")
_CONTROL_RE2 = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
SHOWN = 60                     # characters of a bad cell shown in the report


def _label(labels: list[str], lay: Layout, index: int) -> str:
    name = lay.name_at(index)
    label = labels[index] if index < len(labels) else ""
    return name or label or f"cell {index + 1}"


def too_large(file: str, row: int, column: str, size: int) -> ExportUnreadable:
    return ExportUnreadable(
        file, f"sel kolom {column} di baris {row} berisi {size:_} karakter, lebih dari batas {MAX_CELL_CHARS:_} "
        "karakter: ekspor rusak atau kolom tanpa batas panjang; perbaiki datanya".replace("_", "."),
        f"the cell of column {column} in row {row} holds {size:,} characters, more than the limit of "
        f"{MAX_CELL_CHARS:,}: a broken export or a column with no length limit; fix the data")


def shown(text: str) -> str:
    """A bad cell as the report shows it: its control characters written out (\\x00), cut at SHOWN characters."""
    cut = text[:SHOWN] + ("…" if len(text) > SHOWN else "")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", cut)


def control_problem(text: str, field: str, row: int, file: str) -> Problem:
    found = sorted({f"\\x{ord(c):02x}" for c in _CONTROL.findall(text)})
    return Problem("control-character", ERROR, field, row, shown(text), file, detail=", ".join(found))


def cell_limits(cells: list[str | None], labels: list[str], lay: Layout, number: int, file: str) -> list[Problem]:
    """The row path: raise for a cell over the size limit, and a problem for each field's cell with a control
    character."""
    for index, cell in enumerate(cells):
        if cell is not None and len(cell) > MAX_CELL_CHARS:
            raise too_large(file, number, _label(labels, lay, index), len(cell))
    problems = []
    for name, index in lay.positions.items():
        cell = cells[index] if index < len(cells) else None
        if cell and _CONTROL.search(cell):
            problems.append(control_problem(cell, name, number, file))
    return problems


def batch_limits(columns: list[pa.Array], rows: pa.Array, labels: list[str], lay: Layout,
                 file: str) -> list[Problem]:
    """The fast path: the same for a batch of raw cells (one string column per header cell)."""
    for index, column in enumerate(columns):
        lengths = pc.utf8_length(column)
        longest = pc.max(lengths).as_py()
        if longest is not None and longest > MAX_CELL_CHARS:
            at = pc.index(pc.greater(lengths, MAX_CELL_CHARS), True).as_py()
            raise too_large(file, rows[at].as_py(), _label(labels, lay, index), longest)
    problems = []
    for name, index in lay.positions.items():
        if index >= len(columns):
            continue
        hits = pc.match_substring_regex(columns[index], _CONTROL_RE2)
        if pc.any(hits).as_py():
            mask = pc.fill_null(hits, False)
            for row, text in zip(rows.filter(mask).to_pylist(), columns[index].filter(mask).to_pylist(),
                                 strict=True):
                problems.append(control_problem(text, name, row, file))
    return problems
