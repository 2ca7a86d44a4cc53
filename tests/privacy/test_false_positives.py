"""No false alarm on real data: the privacy scan over every real public file of the demo catalogue, through the
pipeline's typed table (what a run scans) and over every raw cell of the file, finds no personal data — though
region codes such as 62.10.01.1001 and long decimals pass its pre-filter and must be ruled out by structure.
The figures are recorded in docs/privacy.md (False positives on real files)
(`python -m tests.privacy.false_positives`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from satudata.core.catalog import load_catalog
from tests.privacy.false_positives import REAL_FILE_DATASETS, REPO, raw_figures, typed_figures

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(REPO / "catalog.yaml")


def test_real_file_datasets_are_in_the_catalogue(catalog) -> None:
    ids = {d.id for d in catalog.datasets}
    assert set(REAL_FILE_DATASETS) <= ids
    assert "Synthetic" not in " ".join(catalog.dataset(i).description.en for i in REAL_FILE_DATASETS)


@pytest.mark.parametrize("dataset_id", REAL_FILE_DATASETS)
def test_scan_of_the_typed_table_flags_nothing(dataset_id: str, catalog, tmp_path: Path) -> None:
    figures, rows, columns = typed_figures(catalog, dataset_id, tmp_path)
    assert rows > 0 and columns > 0 and figures.cells > rows   # the scan saw the data
    assert figures.flagged == 0


@pytest.mark.parametrize("dataset_id", REAL_FILE_DATASETS)
def test_scan_of_every_raw_cell_flags_nothing(dataset_id: str, catalog) -> None:
    figures = raw_figures(catalog, dataset_id)
    assert figures.cells > 0
    assert figures.flagged == 0


def test_prefilter_candidates_are_ruled_out_by_structure(catalog, tmp_path: Path) -> None:
    """Kemendagri codes of Kalimantan Tengah (62.10.01.1001) look like a +62 phone to the pre-filter."""
    figures, _, _ = typed_figures(catalog, "kode-wilayah", tmp_path)
    assert figures.candidates > 100 and figures.flagged == 0
