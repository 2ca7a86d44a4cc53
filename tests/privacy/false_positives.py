"""False-positive figures of the privacy scan on the real public files of the demo catalogue.

Two views per file: the gate's own (the typed table of the dataset, public columns, exactly what a run scans) and
a raw one (every cell of every sheet or record of the file, headers, notes and unselected columns included, with no
column context). For each: cells scanned, cells the RE2 pre-filter passes to the exact checks, cells flagged.

    .venv/bin/python -m tests.privacy.false_positives      # prints the table recorded in docs/privacy.md
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from satudata.core.catalog import Catalog, load_catalog
from satudata.sources.rows import iter_rows
from satudata.validators.privacy import _as_strings, scan_column
from satudata.validators.privacy_gate import declared
from satudata.validators.privacy_patterns import PREFILTER_RE2
from tests.privacy.pipeline import typed_table

REPO = Path(__file__).resolve().parents[2]
# The datasets of the demo catalogue that read real public files (copied byte for byte into exports/).
REAL_FILE_DATASETS = ("kode-wilayah", "sekolah-kota-malang", "garis-kemiskinan-jatim",
                      "cuaca-harian-geofisika-malang", "tenaga-kerja-koperasi", "modal-usaha-kecil")


@dataclass
class Figures:
    cells: int = 0
    candidates: int = 0
    flagged: int = 0

    def add(self, column: str, values: pa.Array, rows: pa.Array) -> None:
        strings = _as_strings(values)
        if strings is None:
            return
        self.cells += len(strings) - strings.null_count
        self.candidates += pc.sum(pc.match_substring_regex(strings, PREFILTER_RE2)).as_py() or 0
        self.flagged += sum(f.count for f in scan_column(column, values, rows))


def typed_figures(catalog: Catalog, dataset_id: str, work: Path) -> tuple[Figures, int, int]:
    """(figures, rows, public columns) of the gate's scan of one dataset's typed table."""
    typed, schema = typed_table(catalog, dataset_id, work)
    public = [name for name, treatment in declared(schema).items() if treatment == "public"]
    table = pq.read_table(typed)
    figures = Figures()
    for name in public:
        figures.add(name, table.column(name), table.column("_row"))
    return figures, table.num_rows, len(public)


def raw_figures(catalog: Catalog, dataset_id: str) -> Figures:
    """Every cell of the export file, read with no schema (every sheet of a workbook)."""
    import openpyxl

    source = catalog.dataset(dataset_id).source
    path = catalog.root / source.path
    options = source.options
    sheets: list[str | None] = [None]
    if source.format == "xlsx":
        book = openpyxl.load_workbook(path, read_only=True)
        sheets = list(book.sheetnames)
        book.close()
    cells: list[str] = []
    for sheet in sheets:
        rows = iter_rows(path, source.format, encoding=options.encoding, delimiter=options.delimiter,
                         quotechar=options.quotechar, sheet=sheet, json_path=options.json_path)
        cells += [cell for _, row in rows for cell in row if cell not in (None, "")]
    figures = Figures()
    figures.add("sel", pa.array(cells, pa.string()), pa.array(range(len(cells)), pa.int64()))
    return figures


def main() -> None:
    catalog = load_catalog(REPO / "catalog.yaml")
    print("| dataset (file) | rows | public columns | cells scanned | pre-filter candidates | flagged "
          "| raw cells (all sheets, no schema) | raw candidates | raw flagged |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for dataset_id in REAL_FILE_DATASETS:
            typed, rows, columns = typed_figures(catalog, dataset_id, Path(tmp) / dataset_id)
            raw = raw_figures(catalog, dataset_id)
            file = Path(catalog.dataset(dataset_id).source.path).name
            print(f"| {dataset_id} (`{file}`) | {rows:,} | {columns} | {typed.cells:,} | {typed.candidates:,} "
                  f"| {typed.flagged} | {raw.cells:,} | {raw.candidates:,} | {raw.flagged} |")


if __name__ == "__main__":
    main()
