"""Quarantine: a rejected export and its report, kept for the steward, never published.

Each quarantine folder also holds the run's lineage record (``lineage.jsonl``: START then FAIL), so auditors see
rejected runs too; it is sent to OPENLINEAGE_URL when that is set.
"""

from __future__ import annotations

import logging
import shutil
from datetime import UTC, datetime
from pathlib import Path

from satudata.core.files import sha256_file
from satudata.core.publishing import LINEAGE_FILE, VALIDATION_FILE
from satudata.core.records import RawExport
from satudata.lineage.record import LineageInput, build_events, current_run_ids, emit, write_jsonl
from satudata.sources.pull import declared_name
from satudata.validators.report import ValidationReport

log = logging.getLogger(__name__)


def quarantine(root: Path, dataset_id: str, raws: list[RawExport], report: ValidationReport, *,
               run_id: str | None = None, parent_run_id: str | None = None, started: str | None = None,
               code_root: str | None = None, target: str = "local") -> Path:
    """Copy the raw export(s) and the report (JSON and HTML) to quarantine/<dataset>/<UTC time>/, with the run's
    lineage record (START, FAIL). Run ids default to the Prefect flow run we are in."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder = root / dataset_id / stamp
    (folder / "raw").mkdir(parents=True, exist_ok=True)
    kept = []
    for raw in raws:
        if raw.path.is_file():
            shutil.copyfile(raw.path, folder / "raw" / raw.path.name)
            kept.append(folder / "raw" / raw.path.name)
    report.write_json(folder / VALIDATION_FILE)
    from satudata.validators.report_html import write_html

    write_html(report, folder / "validation.html")
    kept += [folder / VALIDATION_FILE, folder / "validation.html"]
    if run_id is None:
        run_id, found_parent = current_run_ids()
        parent_run_id = parent_run_id or found_parent
    info = LineageInput(dataset_id, None, run_id, started or _started(raws, report), [r.as_dict() for r in raws],
                        [], [r.as_dict() for r in report.results],
                        outputs=[{"name": p.name, "uri": declared_name(p, root.parent), "sha256": sha256_file(p),
                                  "bytes": p.stat().st_size} for p in kept],
                        parent_run_id=parent_run_id, code_root=code_root or str(root), target=target,
                        error=rejection_message(report))
    events = build_events(info, state="FAIL")
    write_jsonl(events, folder / LINEAGE_FILE)
    try:
        emit(events)
    except Exception as exc:  # the record is in the folder; a lineage server being down must not hide the report
        log.warning("could not send the FAIL lineage of %s to OPENLINEAGE_URL: %s", dataset_id, exc)
    return folder


def _started(raws: list[RawExport], report: ValidationReport) -> str:
    return min((r.pulled_at for r in raws), default=report.created)


def rejection_message(report: ValidationReport) -> str:
    """Why the export was rejected, in one line (English; the report has both languages)."""
    if report.fatal:
        return f"{report.fatal['file']}: {report.fatal['message']['en']}"
    failing = ", ".join(f"{r.check}({r.field or 'table'})" for r in report.errors[:10])
    return f"rejected: {sum(r.count for r in report.errors)} errors in {len(report.errors)} checks: {failing}"
