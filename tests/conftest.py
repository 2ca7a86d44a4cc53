"""Test set-up: Prefect and GX quiet, Prefect state in a temporary folder, never the developer's."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
_STATE = Path(tempfile.mkdtemp(prefix="satudata-tests-"))
os.environ["PREFECT_HOME"] = str(_STATE / "prefect")
os.environ.setdefault("SATUDATA_PRIVACY_SALT", "test-salt-not-secret")

from satudata.settings import quiet_environment  # noqa: E402

quiet_environment(_STATE)


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server for the whole session (the documented test fixture)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


def copy_project(dest: Path) -> Path:
    """A copy of the catalogue, dataset folders and exports: a project the test may change freely."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO / "catalog.yaml", dest / "catalog.yaml")
    shutil.copytree(REPO / "datasets", dest / "datasets")
    shutil.copytree(REPO / "exports", dest / "exports")
    return dest


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_STATE, ignore_errors=True)
