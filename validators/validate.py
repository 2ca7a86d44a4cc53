"""One report for one export: structure, Table Schema, the typed cast, the GX suite and the privacy scan."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from satudata.core.records import RawExport, ReferenceTable, StagedTable
from satudata.validators.expectations_sql import run_expectations
from satudata.validators.formulas import scan_formulas
from satudata.validators.privacy_gate import redact_examples, scan_typed
from satudata.validators.report import EXAMPLE_CAP, ValidationReport, aggregate
from satudata.validators.table_schema import check_and_cast


@dataclass
class CheckedTable:
    report: ValidationReport
    typed: Path | None          # the typed table, when every schema field was found
    references: dict[str, ReferenceTable] = field(default_factory=dict)   # what the foreign keys were checked on


def validate_staged(dataset_id: str, raws: list[RawExport], staged: StagedTable, schema: dict, suite_path: Path,
                    references: dict[str, ReferenceTable], work_dir: Path,
                    cap: int | None = EXAMPLE_CAP) -> CheckedTable:
    results = aggregate(staged.problems, "structure", cap)
    # The typed table is written by the same scan as the cell checks, when every schema field was found.
    typed = None if staged.missing_fields else work_dir / "typed.parquet"
    results += check_and_cast(staged.path, staged.fields, schema, references, cap, typed_out=typed)
    if typed is not None:
        results += run_expectations(typed, suite_path, cap)   # DuckDB, or GX on pandas for a type only GX knows
        results += scan_typed(typed, schema)
        results += scan_formulas(typed, schema, cap)
    redact_examples(results, schema)
    report = ValidationReport(dataset_id, [r.as_dict() for r in raws], staged.row_count, results,
                              reading=reading_of(staged))
    return CheckedTable(report, typed, references)


def reading_of(staged: StagedTable) -> dict:
    """How the exports were read, for the steward's report and the lineage record: each file's dialect (and which
    values were sniffed), units taken out of cells, the declared transformations with the cells each changed, and
    the rows each drop rule removed (totals, subtotals)."""
    return {"dialects": staged.dialects, "units": staged.units, "transformations": staged.transformations,
            "dropped_rows": staged.dropped_rows}


def unreadable_report(dataset_id: str, raws: list[RawExport], file: str, message_id: str,
                      message_en: str) -> ValidationReport:
    return ValidationReport(dataset_id, [r.as_dict() for r in raws], 0, [],
                            fatal={"file": file, "message": {"id": message_id, "en": message_en}})
