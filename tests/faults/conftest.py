"""Fixtures of the bad-input suite: the corpus written once, the loopback HTTP server, a project whose portal holds the
good demo versions (published once per session), and the results file.

The full bad-input corpus (tests/faults/test_bad_inputs.py, every case through validate and run) takes ~45
minutes, so it runs only when asked: ``pytest -m faults tests/faults`` (or SATUDATA_FAULTS=1); every other test here
runs in `make test`. Results are appended, one JSON object per case and mode, to .satudata/faults/results.jsonl
(SATUDATA_FAULTS_RESULTS overrides); ``python -m tests.faults.report`` prints them.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from tests.faults.corpus import REPO, write_corpus
from tests.faults.http_server import serving
from tests.faults.measure import SATUDATA, faults_env, publish_golden

RESULTS = Path(os.environ.get("SATUDATA_FAULTS_RESULTS", REPO / ".satudata" / "faults" / "results.jsonl"))


def _asked(config: pytest.Config) -> bool:
    return os.environ.get("SATUDATA_FAULTS") == "1" or "faults" in (config.getoption("markexpr") or "")


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _asked(config):
        # SIGTERM ends the session like Ctrl+C, so measure() kills the CLI it is running instead of orphaning it
        signal.signal(signal.SIGTERM, _interrupt)
        return
    full_corpus = Path(__file__).parent / "test_bad_inputs.py"
    kept = [item for item in items if Path(str(item.fspath)) != full_corpus]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


@pytest.fixture(scope="session")
def faults_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("faults")


@pytest.fixture(scope="session")
def corpus_dir(faults_root: Path) -> Path:
    folder = faults_root / "corpus"
    write_corpus(folder)
    return folder


@pytest.fixture(scope="session")
def http_places(faults_root: Path):
    with serving(faults_root / "http") as places:
        yield places


@pytest.fixture(scope="session")
def cli_env(faults_root: Path) -> dict[str, str]:
    assert SATUDATA.is_file(), "run `make install` first: the suite runs the installed .venv/bin/satudata"
    return faults_env(faults_root / "state")


@pytest.fixture(scope="session")
def golden(faults_root: Path, cli_env: dict[str, str]) -> Path:
    return publish_golden(faults_root / "golden", cli_env)


@pytest.fixture(scope="session")
def results_file() -> Path:
    """Emptied once per session, then one line per case and mode."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("", encoding="utf-8")
    return RESULTS
