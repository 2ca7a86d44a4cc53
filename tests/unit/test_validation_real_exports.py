"""Messy but valid input is read, not rejected: every real public file in the catalogue passes through its declared
reading options alone (title rows, footers, total rows, BPS codes, decimal commas, 8888 markers, JSON paths)."""

from __future__ import annotations

from pathlib import Path

import pytest

from satudata.core.catalog import load_catalog
from satudata.core.settings import RunSettings
from satudata.flows.check import check_export

pytestmark = pytest.mark.slow

REAL_FILES = ["kode-wilayah", "sekolah-kota-malang", "garis-kemiskinan-jatim", "cuaca-harian-geofisika-malang",
              "tenaga-kerja-koperasi", "modal-usaha-kecil"]


@pytest.mark.parametrize("dataset_id", REAL_FILES)
def test_real_export_is_not_blocked(project: Path, dataset_id: str):
    catalog = load_catalog(project / "catalog.yaml")
    source = catalog.dataset(dataset_id).source
    assert source.kind == "file" and (project / source.path).is_file()
    report, folder = check_export(catalog, RunSettings.from_environment(project / "catalog.yaml"), dataset_id)
    errors = [(r.check, r.field, r.count, [(e.row, e.value) for e in r.examples[:3]]) for r in report.errors]
    assert report.fatal is None and not errors, errors
    assert report.status in ("passed", "passed-with-warnings")
    assert report.row_count > 0 and not report.blocked
    assert (folder / "validation.html").is_file() and (folder / "validation.json").is_file()
