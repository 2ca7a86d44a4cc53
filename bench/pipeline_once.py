"""One pass of the pipeline's validate + convert over one export, timed stage by stage with peak RSS.

python bench/pipeline_once.py CATALOG DATASET OUT_DIR [current|fast]  → prints one JSON line with the figures.
Runs the same stage functions as the flow (no Prefect: its overhead is measured apart). ``fast`` stages with
``fast_csv.stage_csv_fast`` and runs the suite with ``expectations_sql.run_suite_sql``, each falling back to the
exact slow function when it declines (None), as the pipeline will once switched over; ``fallbacks`` names them.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path


class RssSampler:
    """Peak resident set size per stage, sampled from /proc every 20 ms."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @staticmethod
    def rss() -> int:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _run(self) -> None:
        while not self._stop:
            self.peak = max(self.peak, self.rss())
            time.sleep(0.02)

    def reset(self) -> int:
        peak, self.peak = max(self.peak, self.rss()), self.rss()
        return peak

    def stop(self) -> None:
        self._stop = True


def main(catalog_path: str, dataset_id: str, out_dir: str, mode: str = "current") -> dict:
    from satudata.core.settings import quiet_environment

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    quiet_environment(out)
    from satudata.convert import write_outputs
    from satudata.core.catalog import load_catalog, load_schema
    from satudata.sources.fast_csv import stage_csv_fast
    from satudata.sources.pull import _record
    from satudata.sources.references import reference_tables
    from satudata.sources.stage import stage_exports
    from satudata.validators.expectations_sql import run_suite_sql
    from satudata.validators.gx_suite import run_suite
    from satudata.validators.privacy_gate import column_treatments, scan_typed
    from satudata.validators.table_schema import check_and_cast

    catalog = load_catalog(catalog_path)
    dataset = catalog.dataset(dataset_id)
    schema = load_schema(catalog, dataset_id)
    raw = _record(catalog.root / dataset.source.path, "bench", "csv")
    sampler = RssSampler()
    stages: dict[str, dict] = {}
    results: list = []
    clock = time.perf_counter()

    def stage(name: str, started: float) -> None:
        stages[name] = {"seconds": round(time.perf_counter() - started, 2), "peak_rss_mb": sampler.reset() >> 20}

    fallbacks: list[str] = []
    t = time.perf_counter()
    staged = None
    if mode == "fast":
        staged = stage_csv_fast([raw], dataset.source.options, schema["fields"], out / "staged.parquet")
        fallbacks += ["read"] if staged is None else []
    if staged is None:
        staged = stage_exports([raw], dataset.source.options, schema["fields"], out / "staged.parquet")
    results += staged.problems
    stage("read", t)
    t = time.perf_counter()
    typed = out / "typed.parquet"   # written by the cell checks' own scan, as in validate_staged
    references = reference_tables(catalog, schema, out / "references")   # the foreign keys' tables, staged
    checks = check_and_cast(staged.path, staged.fields, schema, references, typed_out=typed)
    stage("table-schema+typed", t)
    t = time.perf_counter()
    gx = run_suite_sql(typed, catalog.suite_path(dataset_id)) if mode == "fast" else None
    fallbacks += ["great-expectations"] if mode == "fast" and gx is None else []
    if gx is None:
        gx = run_suite(typed, catalog.suite_path(dataset_id))
    stage("great-expectations", t)
    t = time.perf_counter()
    privacy = scan_typed(typed, schema)
    stage("privacy", t)
    t = time.perf_counter()
    outputs = write_outputs(typed, out / "out", column_treatments(schema, "bench-salt"))
    stage("parquet+csv+hashes", t)
    total = round(time.perf_counter() - clock, 2)
    sampler.stop()
    errors = sum(r.count for r in checks) + len(staged.problems)
    return {"mode": mode, "fallbacks": fallbacks, "rows": staged.row_count, "seconds": total, "stages": stages,
            "peak_rss_mb": max(s["peak_rss_mb"] for s in stages.values()),
            "table_schema_errors": errors, "gx_failed": sum(1 for r in gx if r.count),
            "privacy_findings": sum(r.count for r in privacy if r.check == "pii"),
            "outputs": {o.name: o.bytes for o in outputs}}


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:5])))
