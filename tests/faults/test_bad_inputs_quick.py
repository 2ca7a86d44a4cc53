"""The bad-input corpus in a few minutes, for `make test`: EVERY case through `satudata validate` (two at a time,
each in its own process, judged on every criterion of tests/faults/measure.py), and one case of each source kind
(file, sql, http) through a full `satudata run` against a portal holding the good versions.

The full form (every case through both, ~45 min) is tests/faults/test_bad_inputs.py, run by `make faults`
(``pytest -m faults tests/faults``). Both write the "bad-inputs" figures (tests/faults/bad_input_figures.py).
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.faults import bad_input_figures
from tests.faults.corpus import CASES, REPO, Case, case
from tests.faults.measure import Result, append_result, faults_env, run_case

pytestmark = [pytest.mark.faults, pytest.mark.slow]

STARTED = time.time()   # collection time: a full form that writes its figures after this wins (make faults)
WORKERS = max(1, int(os.environ.get("SATUDATA_FAULTS_QUICK_WORKERS", "2")))
# One per source kind, each through the whole flow: a cell error (file), a failing query (sql), a 5xx the pull
# retries (http). SATUDATA_FAULTS_QUICK_RUN=id,id,... names others (e.g. xlsx-corrupt-sheet-xml,json-duplicate-keys).
RUN_CASES = tuple(os.environ.get("SATUDATA_FAULTS_QUICK_RUN", "csv-nul-in-cell,sql-syntax-error,http-500").split(","))
RESULTS = Path(os.environ.get("SATUDATA_FAULTS_QUICK_RESULTS", REPO / ".satudata" / "faults" / "quick-results.jsonl"))


def _explain(results: list[Result]) -> str:
    return "\n".join(f"{r.case} ({r.mode}): " + "; ".join(r.failures) + f"\n  message: {r.headline}"
                     f"\n  exit {r.exit_code}, {r.seconds:.1f} s, {r.peak_rss_mb:.0f} MB" for r in results)


def _validate_all(cases: list[Case], golden: Path, corpus_dir: Path, places: dict[str, str],
                  root: Path) -> list[Result]:
    """Every case through validate, WORKERS at a time; each worker has its own Prefect home and work folder."""
    shares = [cases[i::WORKERS] for i in range(WORKERS)]

    def work(index: int) -> list[Result]:
        env = faults_env(root / f"state-{index}")
        folder = root / f"work-{index}"
        folder.mkdir(parents=True, exist_ok=True)
        return [run_case(item, "validate", golden=golden, corpus_dir=corpus_dir, places=places, workdir=folder,
                         env=env) for item in shares[index]]

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        done = [r for share in pool.map(work, range(WORKERS)) for r in share]
    order = {c.id: i for i, c in enumerate(cases)}
    return sorted(done, key=lambda r: order[r.case])


def test_every_bad_export_through_validate_and_each_source_kind_through_run(
        golden: Path, corpus_dir: Path, http_places: dict[str, str], cli_env: dict[str, str],
        faults_root: Path) -> None:
    assert {case(i).kind for i in RUN_CASES} == {"file", "sql", "http"}
    root = faults_root / "quick"
    results = _validate_all(list(CASES), golden, corpus_dir, http_places, root)
    for case_id in RUN_CASES:
        results.append(run_case(case(case_id), "run", golden=golden, corpus_dir=corpus_dir, places=http_places,
                                workdir=root, env=cli_env))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("", encoding="utf-8")
    for result in results:
        append_result(result, RESULTS)

    data = bad_input_figures.figures([r.as_dict() for r in results], "quick", len(CASES))
    if not bad_input_figures.full_form_written_since(STARTED):
        bad_input_figures.write(data)
    assert len([r for r in results if r.mode == "validate"]) == len(CASES) >= 40
    failing = [r for r in results if not r.passed]
    assert not failing, f"{len(failing)} of {len(results)} case runs fail:\n" + _explain(failing)
    assert all(f["met"] for f in data["figures"]), data
