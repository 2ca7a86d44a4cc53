"""What every part of the catalogue shares: its allowed values, the catalogue error, the strict model."""

from __future__ import annotations

from pathlib import Path

from pydantic import (
    BaseModel,
    ConfigDict,
)

FREQUENCIES = ("daily", "weekly", "monthly", "quarterly", "yearly", "irregular")
DIMENSIONS = ("governance", "living", "economy", "branding", "society", "environment")
ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{1,99}$"
SOURCE_KINDS = ("file", "glob", "http", "sql")
FORMATS = ("csv", "xlsx", "xls", "ods", "html", "json")
# A portal store beyond the folder: s3://<bucket>[/<prefix>] (publish/store_s3.py, docs/storage.md).
STORE_PATTERN = r"s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:/([^\s?#]*))?"



class CatalogError(Exception):
    """A catalogue mistake: where it is and how to fix it."""

    def __init__(self, file: Path | str, key: str, problem: str, fix: str) -> None:
        self.file, self.key, self.problem, self.fix = str(file), key, problem, fix
        super().__init__(f"{file}: {key}: {problem} — fix: {fix}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


