"""What a failed run says, and how quietly: the steward's message for an exception, Prefect's log lines of the
failures the run reports in full anyway, and the outcomes of a run whose portal site could not be updated."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from satudata.core.files import storage_errno, storage_fault
from satudata.core.publishing import PublishError

PREFECT_RUN_LOGGERS = ("prefect.task_runs", "prefect.flow_runs")


def failure_message(exc: BaseException, folders: list[Path]) -> str:
    """What the steward reads when a run fails: a disk that refused a write names its folder in both languages (one
    of ``folders``: the portal, the work folder or the quarantine); a publishing error says it whole; anything else
    with its type."""
    storage = storage_fault(exc, folders)
    if storage is not None:
        return storage
    if isinstance(exc, PublishError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


class ExpectedFailure(logging.Filter):
    """Prefect logs every failed task and flow with its traceback; a publishing error (CKAN unreachable, the dataset
    locked, a disk that refused a write) is told to the steward in full in the run's summary, naming what failed, so
    its log line keeps the message and drops the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is None and record.exc_info is True:   # exc_info=True: the exception being handled
            exc = sys.exc_info()[1]
        if isinstance(exc, PublishError) or (exc is not None and storage_errno(exc) is not None):
            record.exc_info, record.exc_text = None, None
        return True


def quiet_expected_failures(names: tuple[str, ...] = PREFECT_RUN_LOGGERS) -> None:
    """Put ExpectedFailure on Prefect's task-run and flow-run loggers (once)."""
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, ExpectedFailure) for f in logger.filters):
            logger.addFilter(ExpectedFailure())


def site_not_updated(outcomes: list[dict], message: str) -> list[dict]:
    """The outcomes of a run whose versions are whole but whose site the disk refused to re-render: each dataset
    failed, saying so and which version it published (the next run with space renders the site again)."""
    for outcome in outcomes:
        outcome["status"] = "failed"
        outcome["message"] = (f"situs portal tidak diperbarui / the portal site was not updated: {message}"
                              + (f" ({outcome['version']} terbit / published)" if outcome.get("version") else ""))
    return outcomes
