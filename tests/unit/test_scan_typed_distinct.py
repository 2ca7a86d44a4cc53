"""scan_typed scans each column's distinct values, then expands the flagged ones to cells: its results must be
exactly those of scanning every cell batch by batch in file order (the reference below, the gate's earlier code)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from satudata.core.problems import ERROR, WARNING, Problem
from satudata.validators.privacy import column_name_warning, scan_column
from satudata.validators.privacy_gate import (
    ENGINE,
    MAX_EXAMPLES,
    NAME_CHECK,
    PII_CHECK,
    declared,
    scan_typed,
)
from satudata.validators.report import CheckResult

NIK, NIK_2, KK = "3573014509870002", "3573015208910004", "3573010101190001"
PHONE, EMAIL = "0812-3456-7890", "warga.malang@gmail.com"


def _scan_cell_by_cell(typed: Path, schema: dict, batch_rows: int) -> list[CheckResult]:
    treatments = declared(schema)
    parquet = pq.ParquetFile(typed)
    columns = [n for n in parquet.schema_arrow.names if treatments.get(n) == "public"]
    found: dict[tuple[str, str], CheckResult] = {}
    filled = dict.fromkeys((n for n in columns if column_name_warning(n)), 0)
    for batch in parquet.iter_batches(batch_size=batch_rows, columns=["_row", *columns]):
        rows = batch.column("_row")
        for name in columns:
            values = batch.column(name)
            if name in filled:
                filled[name] += len(values) - values.null_count
            for finding in scan_column(name, values, rows, max_examples=MAX_EXAMPLES):
                result = found.setdefault((name, finding.kind),
                                          CheckResult(PII_CHECK, ENGINE, ERROR, name, 0, [], finding.kind))
                result.count += finding.count
                for row, masked in zip(finding.example_rows, finding.masked_examples, strict=True):
                    if len(result.examples) < MAX_EXAMPLES:
                        result.examples.append(Problem(PII_CHECK, ERROR, name, row, masked, None, finding.kind))
    results = list(found.values())
    results.append(CheckResult(PII_CHECK, ENGINE, ERROR, None, 0, [], "nik, kk, phone, email, npwp"))
    results += [CheckResult(NAME_CHECK, ENGINE, WARNING, name, count, [], None) for name, count in filled.items()]
    return results


def _table(rows: int) -> pa.Table:
    """Columns whose personal data first appears in different batches, repeated values, several kinds in one
    column, numbers holding a NIK, nulls, and columns with nothing to find."""
    notes = [None if i % 11 == 0 else f"antrean {i % 4}" for i in range(rows)]
    for i, text in ((37, f"hubungi {PHONE}"), (38, f"email {EMAIL} atau {PHONE}"), (90, f"hubungi {PHONE}"),
                    (5, f"NIK {NIK}, KK {KK}")):
        notes[i] = text
    numbers = [float(i % 7) for i in range(rows)]
    numbers[61], numbers[3], numbers[99] = float(NIK_2), 2.5, float(NIK)
    codes = [i % 5 for i in range(rows)]
    codes[70] = int(NIK)
    contact = [None] * rows
    contact[12] = EMAIL
    serial = list(range(rows))   # every value different: scanned cell by cell once a batch is large
    serial[rows - 50], serial[50] = int(NIK_2), int(NIK)
    return pa.table({
        "_file": pa.array(["a.csv"] * rows),
        "_row": pa.array(range(2, rows + 2), pa.int64()),
        "nomor": pa.array(codes, pa.int64()),
        "urut": pa.array(serial, pa.int64()),
        "catatan": pa.array(notes),
        "nilai": pa.array(numbers),
        "email_pemohon": pa.array(contact),
        "kecamatan": pa.array(["Klojen", "Sukun"] * (rows // 2)),
    })


SCHEMA = {"fields": [{"name": "nomor", "type": "integer"}, {"name": "urut", "type": "integer"}, {"name": "catatan"},
                     {"name": "nilai", "type": "number"}, {"name": "email_pemohon"}, {"name": "kecamatan"}]}


@pytest.mark.parametrize("batch_rows", [7, 40, 1500, 5000])
def test_distinct_scan_gives_the_cell_by_cell_results(tmp_path: Path, batch_rows: int) -> None:
    typed = tmp_path / "typed.parquet"
    pq.write_table(_table(3000), typed)
    expected = _scan_cell_by_cell(typed, SCHEMA, batch_rows)
    assert scan_typed(typed, SCHEMA, batch_rows=batch_rows) == expected
    assert {(r.field, r.detail) for r in expected if r.count and r.check == PII_CHECK} == {
        ("nomor", "nik"), ("catatan", "phone"), ("catatan", "email"), ("catatan", "nik"),
        ("nilai", "nik"), ("email_pemohon", "email"), ("urut", "nik")}


def test_repeated_values_count_every_cell_and_show_the_first_rows(tmp_path: Path) -> None:
    typed = tmp_path / "typed.parquet"
    phones = [PHONE if i % 3 == 0 else "aman" for i in range(30)]
    pq.write_table(pa.table({"_file": pa.array(["a.csv"] * 30), "_row": pa.array(range(100, 130), pa.int64()),
                             "catatan": pa.array(phones)}), typed)
    schema = {"fields": [{"name": "catatan"}]}
    [phone, *_] = scan_typed(typed, schema, batch_rows=4)
    assert (phone.field, phone.detail, phone.count) == ("catatan", "phone", 10)
    assert [p.row for p in phone.examples] == [100, 103, 106, 109, 112]
    assert scan_typed(typed, schema, batch_rows=4) == _scan_cell_by_cell(typed, schema, 4)
