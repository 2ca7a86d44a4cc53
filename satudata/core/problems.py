"""Problems are data: one frozen record per failing cell, row or label, whichever engine found it."""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One failure. ``check`` is the check's type in the registry (``type``, ``minimum``, ``blank-row``,
    ``gx:...``; satudata.validators.checks, which also names the frictionless error type of each)."""

    check: str
    severity: str
    field: str | None
    row: int | None
    value: str | None = None
    file: str | None = None
    detail: str | None = None


class ExportUnreadable(Exception):
    """The export cannot be read at all: wrong encoding, empty, truncated, not the declared format."""

    def __init__(self, file: str, message_id: str, message_en: str, *, transient: bool = False) -> None:
        self.file, self.message_id, self.message_en = file, message_id, message_en
        self.transient = transient   # worth pulling again (a refused connection, a 5xx): the pull task retries it
        super().__init__(f"{file}: {message_en} / {message_id}")

    def __reduce__(self):   # pickled by Prefect's result store and thread hand-offs: keep every field
        return (_unreadable, (self.file, self.message_id, self.message_en, self.transient))


def _unreadable(file: str, message_id: str, message_en: str, transient: bool) -> ExportUnreadable:
    return ExportUnreadable(file, message_id, message_en, transient=transient)
