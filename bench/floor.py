"""Lower bounds: what leaner designs of validate + convert cost on the same file, on the same machine.

python bench/floor.py CATALOG DATASET CSV WORK → one JSON line of seconds (timed inside this process).

Each design reads the CSV with DuckDB itself, in one scan (no staging), and uses the pipeline's own SQL
(``TableSchemaEngine.write_typed``) for the typed values and the cell checks; then writes data.csv from the typed
Parquet and hashes it, as the pipeline does. What every design leaves out, and the pipeline does: the exact reading
(frictionless' row numbers and cell semantics: whitespace, missing values, blank rows), the key checks, GX and the
privacy scan. So each figure is below what a pipeline built that way would take.
- ``reference``: the bare DuckDB COPY of run.py, timed again here so that ratios compare like with like;
- ``outputs``: typed values only, no checks, then data.csv and its hash;
- ``checks``: typed values and every cell check in one scan (as check_and_cast), then data.csv and its hash;
- ``checks_numbered``: the same with rows numbered, by the one way DuckDB can: its CSV reader has no row numbers
  ("file_row_number option is not supported by this reader"), so ``row_number() OVER ()``, which is serial.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

CHUNK = 1 << 20


def _seconds(work) -> float:
    started = time.perf_counter()
    work()
    return round(time.perf_counter() - started, 2)


def reference_copy_sql(csv: Path, out: Path) -> str:
    """The benchmark's bare DuckDB COPY of the queue log to Parquet (run.py times it in a process of its own)."""
    types = {"id": "BIGINT", **{n: "VARCHAR" for n in ("date", "kecamatan", "service", "wait_minutes", "rating",
                                                         "officer_code", "note")}}
    return (f"COPY (SELECT * FROM read_csv('{csv}', header = true, columns = {types}, store_rejects = true)) "
            f"TO '{out}' (FORMAT parquet)")


def reference_copy(csv: Path, out: Path) -> None:
    con = duckdb.connect()
    try:
        con.execute(reference_copy_sql(csv, out))
    finally:
        con.close()


def csv_and_hash(typed: Path, out: Path) -> str:
    """data.csv from the typed table as convert writes it (internal columns left out), then its sha256."""
    from satudata.core.records import INTERNAL_COLUMNS

    con = duckdb.connect()
    try:
        con.execute("SET preserve_insertion_order = true")
        con.execute(f"COPY (SELECT * EXCLUDE ({', '.join(INTERNAL_COLUMNS)}) FROM read_parquet('{typed}')) TO '{out}' "
                    "(FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"')")
    finally:
        con.close()
    digest = hashlib.sha256()
    with out.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def one_scan(csv: Path, schema: dict, work: Path, checks: bool, numbered: bool) -> None:
    """The typed table (and the cell checks' failures) straight from the CSV, in one DuckDB scan."""
    from satudata.validators.table_schema import TableSchemaEngine

    present = [f["name"] for f in schema["fields"]]
    empty = work / "no-rows.parquet"   # the engine opens a staged table; the view below replaces it
    pq.write_table(pa.table({"_file": pa.array([], pa.string()), "_row": pa.array([], pa.int64()),
                             "_blank": pa.array([], pa.bool_()), **{n: pa.array([], pa.string()) for n in present}}),
                   empty)
    engine = TableSchemaEngine(empty, present, schema)
    try:
        row = "row_number() OVER () + 1" if numbered else "0::BIGINT"
        engine.con.execute(f"CREATE OR REPLACE VIEW t AS SELECT '{csv.name}' AS _file, {row} AS _row, "
                           f"FALSE AS _blank, *, 0::BIGINT AS _ord "
                           f"FROM read_csv('{csv}', header = true, all_varchar = true)")
        engine.write_typed(work / "typed.parquet", None if checks else [])
        engine.finish_typed(work / "typed.parquet")
    finally:
        engine.close()


def main(catalog_path: str, dataset_id: str, csv_path: str, work_dir: str) -> dict:
    from satudata.core.settings import quiet_environment

    work, csv = Path(work_dir), Path(csv_path).resolve()
    work.mkdir(parents=True, exist_ok=True)
    quiet_environment(work)
    from satudata.core.catalog import load_catalog, load_schema

    schema = load_schema(load_catalog(catalog_path), dataset_id)
    figures: dict[str, float] = {"reference": _seconds(lambda: reference_copy(csv, work / "duck.parquet"))}
    hashes = set()
    for name, checks, numbered in (("outputs", False, False), ("checks", True, False),
                                   ("checks_numbered", True, True)):
        scan = _seconds(lambda checks=checks, numbered=numbered: one_scan(csv, schema, work, checks, numbered))
        started = time.perf_counter()
        hashes.add(csv_and_hash(work / "typed.parquet", work / "data.csv"))
        figures[name] = round(scan + time.perf_counter() - started, 2)
        figures[f"{name}_scan"] = scan
    figures["same_csv"] = len(hashes) == 1   # the three designs publish the same bytes
    return figures


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:5])))
