"""Portals on the S3 harness and versions built from the real pieces (bundle.assemble, as the flow does), for the
store tests."""

from __future__ import annotations

import csv
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

from satudata.core.catalog import Dataset, load_catalog
from satudata.core.publishing import Bundle
from satudata.publish.local import LocalPortal
from satudata.publish.store_s3 import S3Store

DATASET = "garis-kemiskinan-jatim"
SCHEMA = {"fields": [{"name": "wilayah", "type": "string"}, {"name": "garis_kemiskinan", "type": "integer"}]}
ROWS_1 = [("Kota Malang", 500000), ("Kota Batu", 420000), ("Kabupaten Malang", 390000)]
ROWS_2 = [("Kota Malang", 510000), ("Kota Batu", 420000), ("Kabupaten Malang", 390000)]


def store_url(bucket: str, prefix: str) -> str:
    return f"s3://{bucket}/{prefix.rstrip('/')}"


def s3_portal(project: Path, url: str, lease_seconds: float = 5.0, **options) -> LocalPortal:
    """The project's portal in the harness's bucket, as make_publisher builds it (keys from the environment)."""
    store = S3Store.from_url(url, "test", os.environ["SATUDATA_S3_ENDPOINT"], lease_seconds)
    for name, value in options.items():
        setattr(store, name, value)
    return LocalPortal(load_catalog(project / "catalog.yaml"), store=store, lock_wait_seconds=60)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def build_bundle(project: Path, rows: list[tuple[str, int]], run_id: str, portal: LocalPortal,
                 extra: dict[str, bytes] | None = None) -> tuple[Dataset, Bundle]:
    """The next version of the small dataset, assembled as the flow does (export, checks, outputs, lineage)."""
    import pyarrow as pa  # here, not at the top: the writer processes of the races import this module, quickly
    import pyarrow.parquet as pq

    from satudata.convert import write_outputs
    from satudata.core.files import sha256_file
    from satudata.core.records import RawExport
    from satudata.flows.bundle import assemble
    from satudata.lineage.record import LineageInput
    from satudata.validators.report import CheckResult, ValidationReport
    from satudata.versioning import decide, fingerprint

    catalog = load_catalog(project / "catalog.yaml")
    dataset = catalog.dataset(DATASET)
    work = project / ".work" / run_id
    work.mkdir(parents=True)
    export = work / "gk.csv"
    with export.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([("wilayah", "garis_kemiskinan"), *rows])
    raw = RawExport(export, "exports/gk.csv", "csv", sha256_file(export), export.stat().st_size, _now())
    pq.write_table(pa.table({"wilayah": [r[0] for r in rows],
                             "garis_kemiskinan": pa.array([r[1] for r in rows], pa.int64()),
                             "_file": ["gk.csv"] * len(rows), "_row": pa.array(range(2, len(rows) + 2), pa.int64())}),
                   work / "typed.parquet")
    outputs = write_outputs(work / "typed.parquet", work / "out", {})
    fp = fingerprint(outputs, SCHEMA, "metadata")
    results = [CheckResult("type", "table-schema", "error", "garis_kemiskinan", 0)]
    report = ValidationReport(dataset.id, [raw.as_dict()], len(rows), results)
    previous = portal.latest(dataset)
    decision = decide(previous.version if previous else None, previous.fingerprint if previous else None, fp)
    run_uuid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"satudata-tests/{run_id}"))   # a Prefect run id is a UUID
    lineage = LineageInput(dataset.id, decision.version, run_uuid, _now(), [raw.as_dict()],
                           [(f["name"], f["type"]) for f in SCHEMA["fields"]], [r.as_dict() for r in results],
                           code_root=str(project), target=portal.target)
    bundle, _ = assemble(catalog, dataset, portal, decision, outputs, SCHEMA, fp, report, lineage, previous, {},
                         work / "bundle", "inputs")
    for name, data in (extra or {}).items():
        (bundle.dir / name).write_bytes(data)
    return dataset, bundle

