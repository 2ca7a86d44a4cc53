"""The records that cross from one stage to the next: what was pulled, what was written, what it amounts to."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from satudata.core.files import sha256_file
from satudata.core.problems import Problem


@dataclass(frozen=True)
class RawExport:
    path: Path          # the copy in the run folder
    uri: str            # where it came from, as the catalogue names it: never a path of this machine, no secret
    format: str
    sha256: str
    bytes: int
    pulled_at: str      # ISO 8601, UTC
    query: str | None = None   # the SQL query of a sql source

    def as_dict(self) -> dict:
        record = {"name": self.path.name, "uri": self.uri, "format": self.format, "sha256": self.sha256,
                  "bytes": self.bytes, "pulled_at": self.pulled_at}
        if self.query is not None:
            record["query"] = self.query
        return record


@dataclass(frozen=True)
class OutputFile:
    name: str
    path: Path
    sha256: str
    bytes: int
    media_type: str

    def as_dict(self) -> dict:
        return {"name": self.name, "sha256": self.sha256, "bytes": self.bytes, "mediatype": self.media_type}


def describe(path: Path, media_type: str) -> OutputFile:
    return OutputFile(path.name, path, sha256_file(path), path.stat().st_size, media_type)


@dataclass(frozen=True)
class Fingerprint:
    content_sha256: str
    metadata_sha256: str
    columns: tuple[tuple[str, str], ...]   # (name, type) of the published columns, in order


@dataclass(frozen=True)
class ReferenceTable:
    """A table that foreign keys point at: its staged text Parquet and its Table Schema."""

    path: Path
    schema: dict
    exports: tuple[dict, ...] = ()    # the export(s) it was read from (RawExport.as_dict()), for provenance


@dataclass(frozen=True)
class ReferenceRows:
    """The rows of a referenced dataset that a version's foreign keys point at, as a CSV file of the version."""

    resource: str        # the resource name the foreign keys use (a catalogue dataset id)
    title: str
    file: OutputFile
    rows: int
    schema: dict         # that dataset's published Table Schema
    exports: list[dict]  # the export(s) the rows were read from (RawExport.as_dict())


@dataclass
class StagedTable:
    path: Path
    fields: list[str]                      # schema fields present in every export, in schema order
    missing_fields: list[str]              # schema fields absent from an export (missing-label)
    row_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    header_rows: dict[str, int] = field(default_factory=dict)   # export file → header row number (its last row)
    # How each export was read: {file: {"format", "encoding", "delimiter", "quotechar", "sniffed": [keys]}} (the
    # dialect keys of its format only; "sniffed" names those found in the file because the catalogue left them out).
    dialects: dict[str, dict] = field(default_factory=dict)
    # The unit taken out of a field's cells by options.units ({"persentase": "%"}), for the data dictionary.
    units: dict[str, str] = field(default_factory=dict)
    # Each declared transformation, for the lineage: {"field", "transform" (case | units | codes | header_rows |
    # unpivot), "how" (e.g. "title", "%"), "cells": the number of cells it changed, or None}.
    transformations: list[dict] = field(default_factory=list)
    # Rows each options.drop_rows rule dropped (totals, subtotals): {column: rows}.
    dropped_rows: dict[str, int] = field(default_factory=dict)


FAILS = "_fails"
# Columns of the typed table that are not fields: dropped before anything is published or checked as data.
INTERNAL_COLUMNS = ("_file", "_row", FAILS)
