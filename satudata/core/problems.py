"""Problems are data: one frozen record per failing cell, row or label, whichever engine found it."""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One failure. ``check`` is the satudata check name (``type``, ``minimum``, ``blank-row``, ``gx:...``)."""

    check: str
    severity: str
    field: str | None
    row: int | None
    value: str | None = None
    file: str | None = None
    detail: str | None = None


# satudata check name → the error type frictionless reports for it.
FRICTIONLESS_TYPE = {
    "type": "type-error",
    "required": "constraint-error",
    "minimum": "constraint-error",
    "maximum": "constraint-error",
    "exclusiveMinimum": "constraint-error",
    "exclusiveMaximum": "constraint-error",
    "minLength": "constraint-error",
    "maxLength": "constraint-error",
    "pattern": "constraint-error",
    "enum": "constraint-error",
    "unique": "unique-error",
    "primary-key": "primary-key",
    "foreign-key": "foreign-key",
    "blank-row": "blank-row",
    "extra-cell": "extra-cell",
    "missing-cell": "missing-cell",
    "missing-label": "missing-label",
    "extra-label": "extra-label",
    "duplicate-label": "duplicate-label",
    "incorrect-label": "incorrect-label",
    "blank-label": "blank-label",
}


class ExportUnreadable(Exception):
    """The export cannot be read at all: wrong encoding, empty, truncated, not the declared format."""

    def __init__(self, file: str, message_id: str, message_en: str) -> None:
        self.file, self.message_id, self.message_en = file, message_id, message_en
        super().__init__(f"{file}: {message_en} / {message_id}")
