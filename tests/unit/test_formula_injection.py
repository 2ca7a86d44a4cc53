"""Text cells a spreadsheet would run as formulas are a warning naming the cell; numbers written as text are not."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from satudata.validators.formulas import scan_formulas

SCHEMA = {"fields": [{"name": "keterangan", "type": "string"}, {"name": "telepon_kantor", "type": "string"},
                     {"name": "nik", "type": "string", "privacy": "drop"}, {"name": "jumlah", "type": "integer"}]}


def _typed(tmp_path: Path, rows: dict) -> Path:
    path = tmp_path / "typed.parquet"
    count = len(next(iter(rows.values())))
    pq.write_table(pa.table({"_file": ["x.csv"] * count, "_row": list(range(2, count + 2)), **rows}), path)
    return path


def test_formula_signs_in_text_cells_are_warnings_with_row_and_value(tmp_path: Path):
    typed = _typed(tmp_path, {
        "keterangan": ["=HYPERLINK(\"http://x\",\"klik\")", "aman", "@SUM(A1)", "-5", "+62 341", "\t=1+1", None],
        "telepon_kantor": ["0341-123", "+62341123", "-", "ok", "x", "y", "z"],
        "nik": ["=1", "=2", "=3", "=4", "=5", "=6", "=7"],
        "jumlah": [1, -2, 3, 4, 5, 6, 7]})
    results = {r.field: r for r in scan_formulas(typed, SCHEMA)}
    assert set(results) == {"keterangan", "telepon_kantor"}          # dropped and numeric columns are not scanned
    ket = results["keterangan"]
    assert (ket.check, ket.severity, ket.count) == ("formula-injection", "warning", 4)
    assert [(p.row, p.value) for p in ket.examples] == [(2, "=HYPERLINK(\"http://x\",\"klik\")"), (4, "@SUM(A1)"),
                                                         (6, "+62 341"), (7, "\t=1+1")]   # "+62 341": a formula
    assert results["telepon_kantor"].count == 0                      # "+62341123" and "-" are not formulas
    message = ket.message()
    assert "keterangan" in message["id"] and "spreadsheet" in message["en"]


def test_the_examples_are_capped_but_the_count_is_complete(tmp_path: Path):
    typed = _typed(tmp_path, {"keterangan": [f"=A{i}" for i in range(50)], "telepon_kantor": ["a"] * 50,
                              "nik": ["x"] * 50, "jumlah": list(range(50))})
    [result] = [r for r in scan_formulas(typed, SCHEMA, cap=20) if r.field == "keterangan"]
    assert result.count == 50 and len(result.examples) == 20


def test_an_example_holding_a_phone_number_is_masked_like_every_report(tmp_path: Path):
    phone = "+62 812-3456-7890"   # starts with "+" and is not a plain number: a formula to a spreadsheet
    typed = _typed(tmp_path, {"keterangan": [phone, "aman"], "telepon_kantor": ["a", "b"], "nik": ["x", "y"],
                              "jumlah": [1, 2]})
    [result] = [r for r in scan_formulas(typed, SCHEMA) if r.field == "keterangan"]
    assert result.count == 1 and result.examples[0].row == 2
    shown = result.examples[0].value
    assert "3456" not in shown and "7890" not in shown and shown.startswith("+")
