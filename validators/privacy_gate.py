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
import pyarrow.compute as pc
import pyarrow.parquet as pq

from satudata.core.memory import gives_back_memory
from satudata.core.problems import Problem
from satudata.validators.checks import default_severity
from satudata.validators.privacy import (
    PII_KINDS,
    TREATMENTS,
    _as_strings,
    apply_treatment,
    column_name_warning,
    mask_text,
    scan_column,
)
from satudata.validators.report import OBSERVED, CheckResult

SALT_ENV = "SATUDATA_PRIVACY_SALT"
PII_CHECK, NAME_CHECK, ENGINE = "pii", "pii-column-name", "privacy"
EMITS = (PII_CHECK, NAME_CHECK, "formula-injection")   # the last: validators.formulas
# Expectation arguments naming the columns a result quotes values of, beyond its field (satudata's own expectations).
COLUMN_ARGUMENTS = ("entity", "period")
MAX_EXAMPLES = 5
HIDDEN = "(disembunyikan/hidden)"   # replaces what GX observed in a private column (min, max, values …)


def _pii() -> str:
    return default_severity(PII_CHECK)


def _name() -> str:
    return default_severity(NAME_CHECK)


def declared(schema: dict) -> dict[str, str]:
    """Column → declared treatment (public when nothing is declared). An unknown treatment is a schema mistake
    and stops the dataset before anything is published."""
    treatments = {f["name"]: f.get("privacy", "public") for f in schema.get("fields", [])}
    for name, treatment in treatments.items():
        if treatment not in TREATMENTS:
            raise ValueError(f"schema field {name!r}: privacy {treatment!r} is not a treatment — fix: use one of "
                             f"{', '.join(TREATMENTS)}")
    return treatments


@gives_back_memory
def scan_typed(typed: Path, schema: dict, batch_rows: int = 262_144) -> list[CheckResult]:
    """Scan every public column of the typed table (text, codes, integers and numbers alike: a NIK often arrives
    as a number) for personal data; one blocking result per (column, kind), examples masked. Public columns whose
    name suggests personal data get a warning that counts their non-empty cells.

    Each column's distinct values are scanned (most columns repeat a few values); the cells holding a flagged
    value are then counted and their first rows taken in a second pass, so the results are those of scanning every
    cell in file order: results in the order their first cell appears, counts of cells, examples the first rows."""
    treatments = declared(schema)
    schema_arrow = pq.read_schema(typed)
    columns = [n for n in schema_arrow.names if treatments.get(n) == "public"]
    # Text columns are read as dictionaries (DuckDB wrote most of them so): distinct values come from the codes.
    parquet = pq.ParquetFile(typed, read_dictionary=[n for n in columns
                                                     if pa.types.is_string(schema_arrow.field(n).type)])
    order = {name: index for index, name in enumerate(columns)}
    filled = dict.fromkeys((n for n in columns if column_name_warning(n)), 0)
    distinct: dict[str, list[pa.Array]] = {}
    cell_by_cell: set[str] = set()   # columns of mostly different values (ids): scanned cell by cell
    found: dict[tuple[str, str], tuple[tuple[int, int, int], CheckResult]] = {}
    if columns:
        for number, batch in enumerate(parquet.iter_batches(batch_size=batch_rows, columns=["_row", *columns])):
            for name in columns:
                values = batch.column(name)
                if name in filled:
                    filled[name] += len(values) - values.null_count
                if name in cell_by_cell:
                    _scan_cells(name, values, batch.column("_row"), (number, order[name]), found)
                    continue
                unique = pc.unique(values)
                if number == 0 and 2 * len(unique) > len(values) > 1000:
                    cell_by_cell.add(name)
                    _scan_cells(name, values, batch.column("_row"), (number, order[name]), found)
                else:
                    distinct.setdefault(name, []).append(unique)
    flagged: dict[tuple[str, str], dict[str, str]] = {}   # (column, kind) → flagged value → its masked match
    for name, parts in distinct.items():
        values = _as_strings(pc.unique(pa.concat_arrays(parts)))
        if values is None:
            continue
        values = pc.unique(values)
        for finding in scan_column(name, values, pa.array(range(len(values)), pa.int64()), max_examples=len(values)):
            flagged[(name, finding.kind)] = {values[i].as_py(): masked for i, masked
                                             in zip(finding.example_rows, finding.masked_examples, strict=True)}
    keyed = list(found.values()) + (_expand(parquet, flagged, order, batch_rows) if flagged else [])
    results = [result for _, result in sorted(keyed, key=lambda item: item[0])]
    results.append(CheckResult(PII_CHECK, ENGINE, _pii(), None, 0, [], "nik, kk, phone, email, npwp"))
    results += [CheckResult(NAME_CHECK, ENGINE, _name(), name, count, [], None) for name, count in filled.items()]
    return results


def _scan_cells(name: str, values: pa.Array, rows: pa.Array, where: tuple[int, int],
                found: dict[tuple[str, str], tuple[tuple[int, int, int], CheckResult]]) -> None:
    """One batch of a column scanned cell by cell into ``found``, keyed by (batch, column, kind) of its first cell."""
    for finding in scan_column(name, values, rows, max_examples=MAX_EXAMPLES):
        key = (*where, PII_KINDS.index(finding.kind))
        _, result = found.setdefault((name, finding.kind),
                                     (key, CheckResult(PII_CHECK, ENGINE, _pii(), name, 0, [], finding.kind)))
        result.count += finding.count
        for row, masked in zip(finding.example_rows, finding.masked_examples, strict=True):
            if len(result.examples) < MAX_EXAMPLES:
                result.examples.append(Problem(PII_CHECK, _pii(), name, row, masked, None, finding.kind))


def _expand(parquet: pq.ParquetFile, flagged: dict[tuple[str, str], dict[str, str]], order: dict[str, int],
            batch_rows: int) -> list[tuple[tuple[int, int, int], CheckResult]]:
    """The cells of each flagged (column, kind): their count and first examples, each result keyed by where a
    cell-by-cell scan would have made it (batch of its first cell, column order, kind order)."""
    names = list(dict.fromkeys(name for name, _ in flagged))
    results: dict[tuple[str, str], CheckResult] = {}
    first_batch: dict[tuple[str, str], int] = {}
    for number, batch in enumerate(parquet.iter_batches(batch_size=batch_rows, columns=["_row", *names])):
        rows = batch.column("_row")
        for (name, kind), masked_by_value in flagged.items():
            strings = _as_strings(batch.column(name))
            hit = pc.fill_null(pc.is_in(strings, value_set=pa.array(list(masked_by_value), strings.type)), False)
            count = pc.sum(hit).as_py() or 0
            if not count:
                continue
            result = results.get((name, kind))
            if result is None:
                result = results[(name, kind)] = CheckResult(PII_CHECK, ENGINE, _pii(), name, 0, [], kind)
                first_batch[(name, kind)] = number
            result.count += count
            wanted = MAX_EXAMPLES - len(result.examples)
            if wanted > 0:
                cells = pc.filter(strings, hit).slice(0, wanted).to_pylist()
                for row, value in zip(pc.filter(rows, hit).slice(0, wanted).to_pylist(), cells, strict=True):
                    result.examples.append(Problem(PII_CHECK, _pii(), name, row, masked_by_value[value], None, kind))
    return [((first_batch[key], order[key[0]], PII_KINDS.index(key[1])), result) for key, result in results.items()]


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
    """Column → function applying its declared treatment (public columns are left out)."""
    treatments: dict[str, Callable[[pa.Array], pa.Array | None]] = {}
    for name, treatment in declared(schema).items():
        if treatment != "public":
            treatments[name] = lambda values, t=treatment: apply_treatment(values, t, salt=salt)
    return treatments


def _fields_of(result: CheckResult) -> list[str]:
    """The columns a result is about (a primary key names its columns in the detail)."""
    names = result.field or (result.detail if result.check == "primary-key" else None) or ""
    fields = [part.strip() for part in names.split(",") if part.strip()]
    for argument in COLUMN_ARGUMENTS:
        named = (result.arguments or {}).get(argument) or []
        fields += [named] if isinstance(named, str) else [n for n in named if isinstance(n, str)]
    return fields


def redact_examples(results: list[CheckResult], schema: dict) -> None:
    """No raw personal value reaches a report (or the logs, the lineage, a published version): example values and
    quoted data in details are masked. Columns with a privacy treatment, and public columns in which personal
    data was found, are hidden whole: their examples become stars and GX's observed values are left out."""
    private = {name for name, treatment in declared(schema).items() if treatment != "public"}
    private |= {r.field for r in results if r.engine == ENGINE and r.check == PII_CHECK and r.count and r.field}
    for result in results:
        if result.engine == ENGINE:
            continue   # the gate's own examples are masked when made
        fields = _fields_of(result)
        hidden = any(name in private for name in fields)
        column = fields[0] if len(fields) == 1 else None
        for index, example in enumerate(result.examples):
            if example.value is None:
                continue
            value = "*" * min(len(example.value), 8) if hidden else mask_text(example.value, column)
            if value != example.value:
                result.examples[index] = replace(example, value=value)
        if result.detail:
            detail = result.detail
            if hidden and OBSERVED in detail:
                detail = detail.split(OBSERVED, 1)[0] + OBSERVED + HIDDEN
            result.detail = mask_text(detail, column)
