"""A thread-safe board of each dataset's current stage, which the CLI shows live (rich)."""

from __future__ import annotations

import threading
from collections.abc import Callable

STAGES = ("pull", "validate", "convert", "version", "publish", "lineage")
_lock = threading.Lock()
_board: dict[str, tuple[str, str]] = {}
_listeners: list[Callable[[str, str, str], None]] = []


def report(dataset_id: str, stage: str, note: str = "") -> None:
    with _lock:
        _board[dataset_id] = (stage, note)
        listeners = list(_listeners)
    for listener in listeners:
        listener(dataset_id, stage, note)


def board() -> dict[str, tuple[str, str]]:
    with _lock:
        return dict(_board)


def listen(callback: Callable[[str, str, str], None]) -> None:
    with _lock:
        _listeners.append(callback)


def reset() -> None:
    with _lock:
        _board.clear()
        _listeners.clear()
