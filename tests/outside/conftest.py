"""The demo catalogue published by the real command (``satudata run``) into a copied project, once for the outside
tests: then one export changes, so that two versions of a dataset are on the portal."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO, copy_project, serving


def run_satudata(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PREFECT_HOME": str(project / ".satudata" / "prefect")}
    return subprocess.run([str(REPO / ".venv" / "bin" / "satudata"), *args], cwd=project, env=env,
                          capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="package")
def portal(tmp_path_factory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("outside") / "project")
    first = run_satudata(project, "run")
    assert first.returncode == 0, first.stdout + first.stderr
    export = project / "exports" / "bappeda" / "jatim_bps_garis_kemiskinan_kabkota_2022.csv"
    export.write_bytes(export.read_bytes().replace(b"Kota Malang,609612", b"Kota Malang,609613", 1))   # one cell
    second = run_satudata(project, "run", "garis-kemiskinan-jatim")
    assert second.returncode == 0 and "1.1.0" in second.stdout, second.stdout + second.stderr
    return project / "portal"


@pytest.fixture(scope="package")
def served(portal: Path) -> Iterator[str]:
    """`satudata serve` of that portal on a free loopback port, stopped by its PID at the end."""
    with serving(portal) as url:
        yield url
