"""Run one corpus case through the satudata engine and through frictionless-py, as comparable error multisets.

A case is ``corpus/<id>.yaml`` (description, data file, satudata read options, Table Schema, referenced
resources, planted errors) beside its data file. Both sides read the same bytes with the same schema:

- satudata: ``stage_exports`` (read options plus ``strip: false``, so the staged text is the file's text) and
  ``check_table(..., cap=None)`` — every failing row.
- frictionless: ``Resource.validate`` (in a ``Package`` with the referenced resources when the schema has foreign
  keys), with the same dialect, encoding and missing values, and ``limit_errors`` far above any case's errors.

Each error becomes ``(row, field, frictionless error type)``: label errors take the header row, errors with no
field (extra-label, extra-cell, blank-row, primary-key) take "" (frictionless' own name for none), a foreign key
names its fields joined by ", ". The two sides must give the same multiset: same errors, same number of times.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from satudata.core.catalog import ReadOptions
from satudata.core.files import sha256_file
from satudata.core.records import RawExport, ReferenceTable
from satudata.sources.stage import stage_exports
from satudata.validators.checks import frictionless_type
from satudata.validators.table_schema import check_and_cast, check_table

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "corpus"
REFERENCES = CORPUS / "ref"
NO_LIMIT = 10**9
# exclusiveMinimum/exclusiveMaximum are Data Package v2: a schema using them declares this profile.
PACKAGE_V2 = "https://datapackage.org/profiles/2.0/datapackage.json"
# Keys satudata adds to a Table Schema (docs/catalog-format.md); frictionless would refuse them.
SATUDATA_KEYS = ("severity", "privacy", "description_en")

Error = tuple[int, str, str]   # (row, field, frictionless error type)


@dataclass(frozen=True)
class Case:
    id: str
    description: str
    data: Path
    schema: dict
    options: dict = field(default_factory=dict)
    references: tuple[str, ...] = ()
    planted: tuple[Error, ...] = ()

    @property
    def read_options(self) -> ReadOptions:
        return ReadOptions(**{"strip": False, **self.options})


def load_case(path: Path) -> Case:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Case(path.stem, spec["description"], path.parent / spec["data"], spec["schema"], spec.get("options") or {},
                tuple(spec.get("references") or ()), tuple(tuple(p) for p in spec.get("planted") or ()))


def all_cases() -> list[Case]:
    return [load_case(p) for p in sorted(CORPUS.glob("*.yaml"))]


def reference_spec(name: str) -> tuple[Path, dict, dict]:
    """A referenced resource: its data file, its schema and its read options."""
    spec = yaml.safe_load((REFERENCES / f"{name}.yaml").read_text(encoding="utf-8"))
    return REFERENCES / spec["data"], spec["schema"], spec.get("options") or {}


def _raw(path: Path) -> RawExport:
    return RawExport(path, path.as_uri(), "csv", sha256_file(path), path.stat().st_size, "2025-01-01T00:00:00+00:00")


# --- satudata -----------------------------------------------------------------------------------------------
@dataclass
class PipelineRun:
    errors: Counter
    counts_match_examples: bool   # every check's full count equals the number of rows it returned


def pipeline_errors(case: Case, work: Path) -> PipelineRun:
    staged = stage_exports([_raw(case.data)], case.read_options, case.schema["fields"], work / "staged.parquet")
    references: dict[str, ReferenceTable] = {}
    for name in case.references:
        data, schema, options = reference_spec(name)
        ref = stage_exports([_raw(data)], ReadOptions(**{"strip": False, **options}), schema["fields"],
                            work / f"ref-{name}.parquet")
        references[name] = ReferenceTable(ref.path, schema)
    results = check_table(staged.path, staged.fields, case.schema, references, cap=None)
    if not staged.missing_fields:
        # The pipeline's own path: the typed table written by the cell checks' scan, primary keys from its sorted
        # keys when they are sorted. It must give the very same results as the separate scans.
        piped = check_and_cast(staged.path, staged.fields, case.schema, references, cap=None,
                               typed_out=work / "typed.parquet")
        assert piped == results, f"{case.id}: check_and_cast differs from check_table"
    found: Counter = Counter()
    header_row = staged.header_rows.get(case.data.name) or None
    for problem in staged.problems:
        row = problem.row if problem.row is not None else header_row
        found[(row, problem.field or "", frictionless_type(problem.check))] += 1
    for result in results:
        if frictionless_type(result.check) is None:   # satudata's own (integer-range): not compared
            continue
        for problem in result.examples:
            found[(problem.row, problem.field or "", frictionless_type(problem.check))] += 1
    return PipelineRun(found, all(r.count == len(r.examples) for r in results))


# --- frictionless -------------------------------------------------------------------------------------------
def frictionless_schema(schema: dict, options: dict) -> dict:
    """The case's schema as frictionless takes it: satudata's own keys out, the read options' missing values in."""
    fields = [{k: v for k, v in f.items() if k not in SATUDATA_KEYS} for f in schema["fields"]]
    descriptor = {k: v for k, v in schema.items() if k not in SATUDATA_KEYS}
    descriptor["fields"] = fields
    descriptor["missingValues"] = list(options.get("missing_values", [""]))
    return descriptor


def frictionless_dialect(options: dict) -> dict:
    header_row = options.get("header_row", 1)
    dialect: dict = {"csv": {"delimiter": options.get("delimiter", ","), "quoteChar": options.get("quotechar", '"'),
                             "skipInitialSpace": False}}
    if header_row == 0:
        dialect["header"] = False
    else:
        dialect["headerRows"] = [header_row]
    return dialect


def _resource_descriptor(name: str, data: Path, schema: dict, options: dict) -> dict:
    return {"name": name, "path": data.name if data.parent == CORPUS else f"ref/{data.name}", "format": "csv",
            "encoding": options.get("encoding", "utf-8"), "schema": frictionless_schema(schema, options),
            "dialect": frictionless_dialect(options)}


def package_descriptor(case: Case) -> dict:
    resources = [_resource_descriptor("data", case.data, case.schema, case.options)]
    for name in case.references:
        data, schema, options = reference_spec(name)
        resources.append(_resource_descriptor(name, data, schema, options))
    descriptor = {"name": f"agreement-{case.id}", "resources": resources}
    if any("$schema" in r["schema"] for r in resources):
        descriptor["$schema"] = PACKAGE_V2
    return descriptor


def use_pypi_validators() -> None:
    """frictionless checks the email and uuid formats with the PyPI package ``validators``. Under pytest the
    repository root is on sys.path, where ``validators/`` (the source of satudata.validators) would be imported in
    its place; import the real one first so both engines use it."""
    import importlib

    loaded = sys.modules.get("validators")
    if loaded is not None and hasattr(loaded, "email"):
        return
    saved = list(sys.path)
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO]
    sys.modules.pop("validators", None)
    try:
        importlib.import_module("validators")
    finally:
        sys.path[:] = saved


def frictionless_errors(case: Case) -> Counter:
    from frictionless import Package

    package = Package.from_descriptor(package_descriptor(case), basepath=str(CORPUS))
    report = package.get_resource("data").validate(limit_errors=NO_LIMIT)
    assert not report.warnings, report.warnings   # no error limit reached, nothing skipped
    return Counter(normalise(error.to_descriptor()) for error in report.tasks[0].errors)


def normalise(error: dict) -> Error:
    """A frictionless error descriptor (API or CLI JSON) as (row, field, type)."""
    row = error.get("rowNumber") or max(error.get("rowNumbers") or [0])
    foreign_key = error["type"] == "foreign-key"
    name = ", ".join(error.get("fieldNames") or []) if foreign_key else error.get("fieldName") or ""
    return (row, name, error["type"])


def frictionless_cli_errors(case: Case, work: Path) -> Counter:
    """The same validation through the `frictionless validate --json` command line, on a package descriptor written
    to ``work`` (resource paths absolute, hence ``--trusted``)."""
    package = package_descriptor(case)
    for resource in package["resources"]:
        resource["path"] = str(CORPUS / resource["path"])
    descriptor = work / "datapackage.json"
    descriptor.write_text(json.dumps(package), encoding="utf-8")
    command = [str(Path(sys.executable).parent / "frictionless"), "validate", "--json", "--trusted",
               "--limit-errors", str(NO_LIMIT), "--resource-name", "data", str(descriptor)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    report = json.loads(done.stdout)
    tasks = [t for t in report["tasks"] if t["name"] == "data"]
    assert len(tasks) == 1 and not tasks[0]["warnings"], report
    return Counter(normalise(error) for error in tasks[0]["errors"])


# --- typed values: what conversion publishes is what frictionless reads ---------------------------------------
def comparable(value: object) -> object:
    """A typed value from either side in one form: decimals as float (NaN as a marker), aware datetimes in UTC,
    times without their offset, year-months as YYYY-MM."""
    from datetime import UTC, datetime, time
    from decimal import Decimal

    if isinstance(value, bool | int) or value is None:
        return value
    if isinstance(value, Decimal | float):
        number = float(value)
        return "NaN" if number != number else number
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, time):
        return value.replace(tzinfo=None)
    if type(value).__name__ == "yearmonth":
        return f"{value.year:04d}-{value.month:02d}"  # type: ignore[attr-defined]
    return value


def typed_values(case: Case, work: Path) -> dict[tuple[int, str], object]:
    """(row, field) → value in the typed table conversion publishes from, for cells without a type error."""
    import pyarrow.parquet as pq

    from satudata.validators.typed import cast_to_typed

    staged = stage_exports([_raw(case.data)], case.read_options, case.schema["fields"], work / "staged.parquet")
    typed = cast_to_typed(staged.path, case.schema, staged.fields, work / "typed.parquet")
    values = {}
    for record in pq.read_table(typed).to_pylist():
        for name in staged.fields:
            values[(record["_row"], name)] = comparable(record[name])
    return values


def frictionless_values(case: Case) -> dict[tuple[int, str], object]:
    """(row, field) → the value frictionless reads, for the same cells (blank rows and type errors left out)."""
    from frictionless import Package

    package = Package.from_descriptor(package_descriptor(case), basepath=str(CORPUS))
    resource = package.get_resource("data")
    resource.schema.foreign_keys = []   # values only: no lookup needed
    names = {f["name"] for f in case.schema["fields"]}
    values = {}
    with resource:
        for row in resource.row_stream:
            if any(error.type == "blank-row" for error in row.errors):
                continue
            for name in row.field_names:
                if name in names and name not in row.error_cells:
                    values[(row.row_number, name)] = comparable(row[name])
    return values
