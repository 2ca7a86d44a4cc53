"""Every malformed export of the corpus through `satudata validate DATASET FILE` and through a full `satudata run`
(the dataset's source pointed at it in a copied project whose portal already holds the good version).

Each must: exit non-zero, print no Python traceback, stay within 1 GiB of resident memory and 60 s, name the export
(and the row, column or key the case says), and leave every byte of the portal as it was. Many cases fail today:
that is what this suite measures (see tests/faults/baseline.txt and `python -m tests.faults.report`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults import bad_input_figures
from tests.faults.corpus import CASES, Case
from tests.faults.measure import Result, append_result, run_case

pytestmark = [pytest.mark.faults, pytest.mark.slow]


def _explain(result: Result) -> str:
    return (f"{result.case} ({result.mode}): " + "; ".join(result.failures) + f"\n  message: {result.headline}"
            f"\n  exit {result.exit_code}, {result.seconds:.1f} s, {result.peak_rss_mb:.0f} MB")


def _check(item: Case, mode: str, golden: Path, corpus_dir: Path, http_places: dict[str, str],
           cli_env: dict[str, str], results_file: Path, tmp_path: Path) -> None:
    result = run_case(item, mode, golden=golden, corpus_dir=corpus_dir, places=http_places, workdir=tmp_path,
                      env=cli_env)
    append_result(result, results_file)
    assert result.passed, _explain(result)


@pytest.mark.parametrize("item", CASES, ids=[c.id for c in CASES])
def test_validate_rejects_the_bad_export_clearly(item: Case, golden: Path, corpus_dir: Path,
                                                 http_places: dict[str, str], cli_env: dict[str, str],
                                                 results_file: Path, tmp_path: Path) -> None:
    _check(item, "validate", golden, corpus_dir, http_places, cli_env, results_file, tmp_path)


@pytest.mark.parametrize("item", CASES, ids=[c.id for c in CASES])
def test_run_quarantines_the_bad_export_and_keeps_the_portal(item: Case, golden: Path, corpus_dir: Path,
                                                             http_places: dict[str, str], cli_env: dict[str, str],
                                                             results_file: Path, tmp_path: Path) -> None:
    _check(item, "run", golden, corpus_dir, http_places, cli_env, results_file, tmp_path)


def test_figures_of_the_full_corpus(results_file: Path) -> None:
    """Runs last: the "bad-inputs" figures of every case and mode above (make faults prints them)."""
    import json

    results = [json.loads(line) for line in results_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    cases = len({r["case"] for r in results})
    data = bad_input_figures.figures(results, "full", cases)
    bad_input_figures.write(data)
    assert results, "no case ran"
    assert {r["mode"] for r in results} == {"validate", "run"} and cases == len(CASES), data["notes"]
    assert all(f["met"] for f in data["figures"]), data
