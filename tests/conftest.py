"""Test set-up: Prefect and GX quiet, Prefect state in a temporary folder, never the developer's."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
_STATE = Path(tempfile.mkdtemp(prefix="satudata-tests-"))
os.environ["PREFECT_HOME"] = str(_STATE / "prefect")
os.environ.setdefault("SATUDATA_PRIVACY_SALT", "test-salt-not-secret")

from satudata.core.settings import quiet_environment  # noqa: E402

quiet_environment(_STATE)


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server for the whole session (the documented test fixture)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture(scope="session")
def outside_bin() -> Path:
    """bin/ of a separate environment with the users' own tools (frictionless, ckanapi, rdflib), built by
    tests/outside/tools.sh: ``make test`` runs it first (SATUDATA_OUTSIDE_BIN), or it runs here for a test alone."""
    if os.environ.get("SATUDATA_OUTSIDE_BIN"):
        return Path(os.environ["SATUDATA_OUTSIDE_BIN"])
    import subprocess

    out = subprocess.run(["bash", str(REPO / "tests" / "outside" / "tools.sh")], capture_output=True, text=True,
                         check=True)
    return Path(out.stdout.strip().splitlines()[-1])


def machine_paths(*folders: Path) -> set[bytes]:
    """What no published byte may hold: the folders a run worked in, the repository and the home folder."""
    found = {str(REPO), os.path.expanduser("~"), *(str(f.resolve()) for f in folders),
             *(f.resolve().as_uri() for f in folders)}
    return {n.encode() for n in found if n not in ("", "/")}


@contextmanager
def serving(portal: Path) -> Iterator[str]:
    """`satudata serve` of a portal folder on a free loopback port; yields its URL; stopped by its PID at the end."""
    import selectors
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-m", "satudata.cli", "serve", "--portal", str(portal),
                                "--port", "0", "--host", "127.0.0.1", "--quiet"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            assert selector.select(timeout=60), "satudata serve printed nothing within 60 s"
        line = process.stdout.readline()
        assert line.startswith("Portal: http://127.0.0.1:"), (line, process.stderr.read() if
                                                               process.poll() is not None else "")
        yield line.split()[1].rstrip("/")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


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
