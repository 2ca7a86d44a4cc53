"""A rejected export, from each stage its part: the report files (validators), the quarantine folder that keeps them
with the raw export (publish), and the run's lineage record, START then FAIL (lineage)."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from satudata.core.publishing import LINEAGE_FILE, VALIDATION_FILE
from satudata.core.records import RawExport
from satudata.lineage.record import LineageInput, build_events, current_run_ids, emit, write_jsonl
from satudata.publish.quarantine import store_rejected
from satudata.validators.report import ValidationReport
from satudata.validators.report_html import write_html

log = logging.getLogger(__name__)


def quarantine(root: Path, dataset_id: str, raws: list[RawExport], report: ValidationReport, *,
               run_id: str | None = None, parent_run_id: str | None = None, started: str | None = None,
               code_root: str | None = None, target: str = "local") -> Path:
    """Keep the rejected export and its report in quarantine with the run's FAIL lineage record; returns the folder.
    Run ids default to the Prefect flow run we are in."""
    with tempfile.TemporaryDirectory() as tmp:
        files = [report.write_json(Path(tmp) / VALIDATION_FILE), write_html(report, Path(tmp) / "validation.html")]
        folder, kept = store_rejected(root, dataset_id, raws, files)
    if run_id is None:
        run_id, found_parent = current_run_ids()
        parent_run_id = parent_run_id or found_parent
    info = LineageInput(dataset_id, None, run_id, started or _started(raws, report), [r.as_dict() for r in raws],
                        [], [r.as_dict() for r in report.results], outputs=kept, parent_run_id=parent_run_id,
                        code_root=code_root or str(root), target=target, error=rejection_message(report),
                        reading=report.reading)
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
