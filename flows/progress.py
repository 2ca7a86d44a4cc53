"""Where each dataset of a run is: its stage, and how far the reader has got into its export.

The flows tell it (``report`` at each stage, ``advance`` after every batch the reader stages); whoever runs the
flows in this process listens (the CLI's live board or its plain log) and asks for the seconds each stage took.
Thread-safe: datasets run in a thread pool.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

STAGES = ("pull", "validate", "convert", "version", "publish", "lineage")
OUTCOMES = ("published", "unchanged", "quarantined", "failed")


@dataclass(frozen=True)
class Update:
    """One dataset's state when something changed: its stage (or outcome), and its reading so far."""

    dataset: str
    stage: str                  # one of STAGES, or an outcome (OUTCOMES)
    note: str = ""
    rows: int | None = None     # rows staged so far (None: the reader has not reported yet)
    bytes_read: int | None = None
    bytes_total: int | None = None
    at: float = 0.0             # time.monotonic() of the change

    @property
    def finished(self) -> bool:
        return self.stage in OUTCOMES


Listener = Callable[[Update], None]
_lock = threading.Lock()
_current: dict[str, Update] = {}
_stages: dict[str, list[tuple[str, float]]] = {}   # dataset → (stage or outcome, when it began), in order
_listeners: list[Listener] = []


def _publish(update: Update) -> None:
    with _lock:
        _current[update.dataset] = update
        listeners = list(_listeners)
    for listener in listeners:
        listener(update)


def report(dataset_id: str, stage: str, note: str = "") -> None:
    """A dataset entered a stage (or ended with an outcome)."""
    now = time.monotonic()
    with _lock:
        _stages.setdefault(dataset_id, []).append((stage, now))
        before = _current.get(dataset_id)
    rows = (before.rows, before.bytes_read, before.bytes_total) if before else (None, None, None)
    _publish(Update(dataset_id, stage, note, *rows, at=now))


def advance(dataset_id: str, rows: int, bytes_read: int, bytes_total: int) -> None:
    """Rows staged and bytes of the export read so far, while a dataset's export is read."""
    with _lock:
        before = _current.get(dataset_id)
    stage, note = (before.stage, before.note) if before else ("validate", "")
    _publish(Update(dataset_id, stage, note, rows, bytes_read, bytes_total, time.monotonic()))


def timings(dataset_id: str) -> dict[str, float]:
    """Seconds spent in each stage the dataset went through (a stage ends when the next one or the outcome
    begins; one still running is not counted), in the order of STAGES."""
    with _lock:
        entered = list(_stages.get(dataset_id, []))
    spent: dict[str, float] = {}
    for (stage, began), (_, ended) in zip(entered, entered[1:], strict=False):
        if stage in STAGES:
            spent[stage] = spent.get(stage, 0.0) + ended - began
    return {stage: round(spent[stage], 2) for stage in STAGES if stage in spent}


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Tell ``listener`` every update while the block runs."""
    with _lock:
        _listeners.append(listener)
    try:
        yield
    finally:
        with _lock:
            _listeners.remove(listener)


def reset() -> None:
    """Forget every dataset (the start of a run)."""
    with _lock:
        _current.clear()
        _stages.clear()
