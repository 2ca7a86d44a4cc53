"""A thread-safe board of each dataset's current stage, which the CLI shows live (rich)."""

from __future__ import annotations

import threading
from collections.abc import Callable

STAGES = ("pull", "validate", "convert", "version", "publish", "lineage")
_lock = threading.Lock()
_board: dict[str, tuple[str, str]] = {}
_counters: dict[str, dict[str, int]] = {}
_listeners: list[Callable[[str, str, str], None]] = []


def report(dataset_id: str, stage: str, note: str = "") -> None:
    with _lock:
        _board[dataset_id] = (stage, note)
        listeners = list(_listeners)
    for listener in listeners:
        listener(dataset_id, stage, note)


def advance(dataset_id: str, rows: int, bytes_read: int, bytes_total: int) -> None:
    """Rows staged and bytes of the export read so far, while a dataset's export is read."""
    with _lock:
        _counters[dataset_id] = {"rows": rows, "bytes": bytes_read, "total": bytes_total}
        stage, note = _board.get(dataset_id, ("validate", ""))
        listeners = list(_listeners)
    for listener in listeners:
        listener(dataset_id, stage, note)


def counters(dataset_id: str) -> dict[str, int]:
    with _lock:
        return dict(_counters.get(dataset_id, {}))


def board() -> dict[str, tuple[str, str]]:
    with _lock:
        return dict(_board)


def listen(callback: Callable[[str, str, str], None]) -> None:
    with _lock:
        _listeners.append(callback)


def reset() -> None:
    with _lock:
        _board.clear()
        _counters.clear()
        _listeners.clear()
