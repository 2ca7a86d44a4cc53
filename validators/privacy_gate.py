"""The privacy gate of the pipeline (UU PDP, Law 27/2022): scan before publishing, apply declared treatments.

A column with no declared treatment in which personal data is found blocks the dataset. Values are masked in the
report. Declared treatments (drop, mask, hash, aggregate-only) are applied during conversion.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from satudata.validators.privacy import apply_treatment, column_name_warning, scan_column
from satudata.validators.problems import ERROR, WARNING, Problem
from satudata.validators.report import CheckResult

SALT_ENV = "SATUDATA_PRIVACY_SALT"
SCANNED_TYPES = ("string", "integer", "number", "any", "year")


def declared(schema: dict) -> dict[str, str]:
    """Column → declared treatment (public when nothing is declared)."""
    return {f["name"]: f.get("privacy", "public") for f in schema.get("fields", [])}


def scan_typed(typed: Path, schema: dict, batch_rows: int = 262_144) -> list[CheckResult]:
    treatments = declared(schema)
    types = {f["name"]: f.get("type", "string") for f in schema.get("fields", [])}
    parquet = pq.ParquetFile(typed)
    columns = [n for n in parquet.schema_arrow.names
               if n in treatments and treatments[n] == "public" and types.get(n) in SCANNED_TYPES]
    found: dict[tuple[str, str], CheckResult] = {}
    if columns:
        for batch in parquet.iter_batches(batch_size=batch_rows, columns=["_row", *columns]):
            rows = batch.column("_row")
            for name in columns:
                values = batch.column(name)
                if not pa.types.is_string(values.type):
                    values = values.cast(pa.string())
                for finding in scan_column(name, values, rows):
                    key = (name, finding.kind)
                    result = found.setdefault(key, CheckResult("pii", "privacy", ERROR, name, 0, [], finding.kind))
                    result.count += finding.count
                    for row, masked in zip(finding.example_rows, finding.masked_examples, strict=False):
                        if len(result.examples) < 5:
                            result.examples.append(Problem("pii", ERROR, name, row, masked, None, finding.kind))
    results = list(found.values())
    results.append(CheckResult("pii", "privacy", ERROR, None, 0, [], "nik, kk, phone, email, npwp"))
    for name, treatment in treatments.items():
        if treatment == "public" and column_name_warning(name):
            results.append(CheckResult("pii-column-name", "privacy", WARNING, name, 1, [], None))
    return results


def privacy_salt(state_dir: Path) -> str:
    """The salt for hashed columns: SATUDATA_PRIVACY_SALT, else a random one kept (never published) in state_dir."""
    if os.environ.get(SALT_ENV):
        return os.environ[SALT_ENV]
    path = state_dir / "privacy_salt"
    if not path.is_file():
        state_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def column_treatments(schema: dict, salt: str | None) -> dict[str, Callable[[pa.Array], pa.Array | None]]:
    treatments: dict[str, Callable[[pa.Array], pa.Array | None]] = {}
    for name, treatment in declared(schema).items():
        if treatment != "public":
            treatments[name] = lambda values, t=treatment: apply_treatment(_as_text(values), t, salt=salt)
    return treatments


def _as_text(values: pa.Array) -> pa.Array:
    return values if pa.types.is_string(values.type) else values.cast(pa.string())


def redact_examples(results: list[CheckResult], schema: dict) -> None:
    """Example values of columns with a privacy treatment never appear in a report (or the logs) unmasked."""
    from satudata.validators.privacy import mask_text

    private = {name for name, treatment in declared(schema).items() if treatment != "public"}
    for result in results:
        if result.engine == "privacy":
            continue
        touched = result.field and any(part.strip() in private for part in result.field.split(","))
        for index, example in enumerate(result.examples):
            if example.value is None:
                continue
            value = "*" * min(len(example.value), 8) if touched else mask_text(example.value)
            if value != example.value:
                result.examples[index] = replace(example, value=value)
