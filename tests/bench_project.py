"""A project with the benchmark's catalogue and a generated queue log (bench/generate.py), for tests that need an
export big enough for its reading to take a while."""

from __future__ import annotations

import shutil
from pathlib import Path

from bench.generate import generate
from tests.conftest import REPO

DATASET = "antrean-bench"
REFERENCE = "exports/bappeda/kemendagri_kode_wilayah_permendagri72_2019.csv"


def bench_project(dest: Path, rows: int) -> Path:
    """dest/bench/catalog.yaml, its datasets, the region codes it refers to and data/queue.csv of ``rows`` rows
    (with the generator's planted errors, so the run quarantines it); returns the catalogue's path."""
    (dest / "bench" / "data").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO / "bench" / "catalog.yaml", dest / "bench" / "catalog.yaml")
    shutil.copytree(REPO / "bench" / "datasets", dest / "bench" / "datasets")
    (dest / REFERENCE).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO / REFERENCE, dest / REFERENCE)
    generate(rows, dest / "bench" / "data" / "queue.csv")
    return dest / "bench" / "catalog.yaml"
