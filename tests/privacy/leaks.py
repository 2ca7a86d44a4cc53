"""Look for personal data in published files: the detectors over every value, and known raw values in every form.

`detector_findings` runs the library's own detectors over each value of a file (CSV cells and Parquet values per
column, with the column's name as context; JSON and JSON-lines scalars; HTML text and attributes; plain text).
`leaks` looks for given raw values (NIK, phone, e-mail, NPWP) in every layout they could take: digits only,
grouped with spaces, dots or dashes, as a float or in scientific notation, a phone with 0, 62, +62 or no prefix.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from satudata.validators.privacy import column_context, scan_column
from satudata.validators.privacy_patterns import find_pii_in_value

_NON_DIGIT = re.compile(r"\D")


@dataclass(frozen=True)
class Finding:
    file: Path
    where: str      # column, JSON key path or "text"
    kind: str
    masked: str     # a masked example, safe to print in an assertion message


# ------------------------------------------------------------------------------------------------ values of a file
def _json_scalars(node: object, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _json_scalars(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for item in node:
            yield from _json_scalars(item, path)
    elif node is not None and not isinstance(node, bool):
        yield path, str(node)


class _HtmlValues(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: list[str] = []

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.values.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.values += [value for _, value in attrs if value]


def _csv_columns(path: Path) -> dict[str, list[str | None]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        columns: dict[str, list[str | None]] = {name: [] for name in header}
        for row in reader:
            for name, cell in zip(header, row, strict=True):
                columns[name].append(cell or None)
    return columns


def keyed_values(path: Path) -> Iterator[tuple[str, str]]:
    """(where, value as text) for every value of a published file, whatever its format."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        table = pq.read_table(path)
        for name in table.column_names:
            for value in table.column(name).to_pylist():
                if value is not None:
                    yield name, str(value)
    elif suffix == ".csv":
        for name, cells in _csv_columns(path).items():
            yield from ((name, cell) for cell in cells if cell is not None)
    elif suffix == ".json":
        yield from _json_scalars(json.loads(path.read_text(encoding="utf-8")))
    elif suffix == ".jsonl":
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield from _json_scalars(json.loads(line))
    elif suffix in (".html", ".htm"):
        parser = _HtmlValues()
        parser.feed(path.read_text(encoding="utf-8"))
        yield from (("text", value) for value in parser.values)
    elif path.stat().st_size:
        yield "text", path.read_text(encoding="utf-8", errors="replace")   # any other file: its text


# ------------------------------------------------------------------------------------------------ detectors
def _table_findings(path: Path, table: pa.Table) -> list[Finding]:
    rows = pa.array(range(1, table.num_rows + 1), pa.int64())
    return [Finding(path, name, f.kind, f.masked_examples[0])
            for name in table.column_names for f in scan_column(name, table.column(name), rows)]


def detector_findings(path: Path, allowed_emails: Iterable[str] = ()) -> list[Finding]:
    """PII the detectors find in one file. Tables are scanned column by column (the column name is context, as in
    the gate); every other value on its own. ``allowed_emails``: institutional addresses published on purpose
    (the catalogue's department and contact addresses)."""
    allowed = {email.casefold() for email in allowed_emails}
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        findings = _table_findings(path, pq.read_table(path))
    elif suffix == ".csv":
        columns = _csv_columns(path)
        findings = _table_findings(path, pa.table({n: pa.array(v, pa.string()) for n, v in columns.items()}))
    else:
        findings = []
        for where, value in keyed_values(path):
            context = column_context(where.rsplit(".", 1)[-1])
            findings += [Finding(path, where, kind, matched[:2] + "…")
                         for kind, matched in find_pii_in_value(value, context)
                         if not (kind == "email" and matched.casefold() in allowed)]
    return findings


# ------------------------------------------------------------------------------------------------ known values
# Digits glued back together across the separators a layout may put between them: 3573 0145 0987 0002,
# 3573.0145.0987.0002, +62 812-3456-7890, (0341) 551234, 3.573014509870002e+15 (the decimal point).
_SEPARATOR_BETWEEN_DIGITS = re.compile(r"(?<=\d)[ .()\-]{1,2}(?=\d)")
_DIGIT_RUN = re.compile(r"\d{9,}")
_EMAIL_TOKEN = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")
MIN_NEEDLE_DIGITS = 9


def needle(secret: str) -> str:
    """What every layout of a raw value contains once its separators are gone: an e-mail case-folded; the digits of
    a NIK, KK or NPWP; a phone's national number (no 0, 62 or +62 in front)."""
    if "@" in secret:
        return secret.strip().casefold()
    digits = _NON_DIGIT.sub("", secret)
    if len(digits) < 15:   # a phone
        digits = digits[2:] if digits.startswith("62") else digits.lstrip("0")
    if len(digits) < MIN_NEEDLE_DIGITS:
        raise ValueError(f"{secret!r} is too short to look for without false alarms")
    return digits


@dataclass(frozen=True)
class Needles:
    """The secrets to look for, by needle, with the digit lengths to try."""

    by_needle: dict[str, str]
    lengths: tuple[int, ...]

    @classmethod
    def of(cls, secrets: Iterable[str]) -> Needles:
        by_needle = {needle(secret): secret for secret in secrets}
        return cls(by_needle, tuple(sorted({len(n) for n in by_needle if "@" not in n})))

    def in_text(self, text: str) -> set[str]:
        """The secrets that occur in the text, in any layout."""
        by_needle = self.by_needle
        found = {by_needle[t] for t in _EMAIL_TOKEN.findall(text.casefold()) if t in by_needle}
        for run in _DIGIT_RUN.findall(_SEPARATOR_BETWEEN_DIGITS.sub("", text)):
            for size in self.lengths:
                found |= {by_needle[run[i:i + size]] for i in range(len(run) - size + 1)
                          if run[i:i + size] in by_needle}
        return found


def leaks(path: Path, secrets: Iterable[str] | Needles) -> list[str]:
    """Masked names of the secrets found in one file: in its raw text (not for Parquet) or in any of its values
    (Parquet read back, JSON decoded), in any layout."""
    needles = secrets if isinstance(secrets, Needles) else Needles.of(secrets)
    texts = [value for _, value in keyed_values(path)]
    if path.suffix.lower() != ".parquet" and path.stat().st_size:
        texts.append(path.read_text(encoding="utf-8", errors="replace"))
    found: set[str] = set()
    for text in texts:
        found |= needles.in_text(text)
    return sorted(f"{secret[:2]}…{secret[-2:]}" for secret in found)


def published_files(root: Path) -> list[Path]:
    """Every regular file under a portal (or quarantine) folder, symlinks not followed twice."""
    return sorted(path for path in root.rglob("*") if path.is_file() and not path.is_symlink())
