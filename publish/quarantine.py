"""Quarantine: a rejected export and its report, kept for the steward, never published."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from satudata.sources.pull import RawExport
from satudata.validators.report import ValidationReport


def quarantine(root: Path, dataset_id: str, raws: list[RawExport], report: ValidationReport) -> Path:
    """Copy the raw export(s) and the report (JSON and HTML) to quarantine/<dataset>/<UTC time>/."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder = root / dataset_id / stamp
    (folder / "raw").mkdir(parents=True, exist_ok=True)
    for raw in raws:
        if raw.path.is_file():
            shutil.copyfile(raw.path, folder / "raw" / raw.path.name)
    report.write_json(folder / "validation.json")
    from satudata.validators.report_html import write_html

    write_html(report, folder / "validation.html")
    return folder
