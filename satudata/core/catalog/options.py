"""A source's reading options (`options:` in catalog.yaml): how the rows of a messy export are read."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    field_validator,
    model_serializer,
    model_validator,
)

from satudata.core.catalog.base import _Strict


def _regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"{pattern!r} is not a regular expression: {exc}") from None
    return pattern


class ReplaceRule(_Strict):
    pattern: str
    with_: str = Field(alias="with")

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        return _regex(value)


class Unpivot(_Strict):
    """A wide table (one column per year, quarter...) read in long form: each matching column becomes a row."""

    columns: str | list[str]     # a regular expression full-matching the header labels (after rename), or the labels
    key: str | None = None       # the field that takes the label, or the expression's first group
    value: str                   # the field that takes the cell

    @model_validator(mode="after")
    def _keys(self) -> Unpivot:
        if isinstance(self.columns, str):
            groups = re.compile(_regex(self.columns)).groupindex
            if self.key is None and not groups:
                raise ValueError("unpivot needs `key` (or named groups in `columns`) for the column labels")
        elif self.key is None:
            raise ValueError("unpivot needs `key`: the field that takes the column labels")
        return self

    def key_fields(self) -> list[str]:
        groups = list(re.compile(self.columns).groupindex) if isinstance(self.columns, str) else []
        return groups or [self.key]


CASES = ("title", "upper", "lower")
# The options added after the first catalogues: left out of a dump while not declared, so the options of an existing
# catalogue dump (and hash: bundle.inputs_sha256) exactly as before.
_LATER_OPTIONS = ("header_rows", "header_join", "units", "codes", "case", "unpivot")


class ReadOptions(_Strict):
    # encoding, delimiter and quotechar: when not declared (see declared()), the CSV reader sniffs them, keeping
    # these defaults wherever they read the file; the detected values are reported (StagedTable.dialects).
    encoding: str = "utf-8"
    delimiter: str = ","
    quotechar: str = '"'
    skip_rows: int = Field(0, ge=0)
    header_row: int = Field(1, ge=0)
    header_rows: list[Annotated[int, Field(ge=1)]] | None = None   # a header over several rows, joined per column
    header_join: str = " "
    columns: list[str] | None = None
    skip_rows_after_header: int = Field(0, ge=0)
    skip_footer_rows: int = Field(0, ge=0)
    stop_at: str | None = None
    drop_rows: dict[str, str | list[str]] = {}   # per column: a regex, or the exact values of total rows
    sheet: str | None = None
    json_path: str | None = None
    rename: dict[str, str] = {}
    select: list[str] | None = None
    missing_values: list[str] = [""]
    decimal: str = "."
    thousands: str | None = None
    date_formats: dict[str, str] | str = {}
    replace: dict[str, ReplaceRule] = {}
    strip: bool | list[str] = True
    units: dict[str, str] = {}                   # per field: a unit written in the cells ("%", "Rp", "orang")
    codes: list[str] | dict[str, int | None] = []   # fields holding codes (Excel floats undone), optional width
    case: dict[str, Literal["title", "upper", "lower"]] = {}
    unpivot: Unpivot | None = None

    @field_validator("header_rows")
    @classmethod
    def _ascending(cls, rows: list[int] | None) -> list[int] | None:
        if rows is not None and (not rows or rows != sorted(set(rows))):
            raise ValueError("header_rows must list row numbers in ascending order, e.g. [3, 4]")
        return rows

    @field_validator("drop_rows", "stop_at")
    @classmethod
    def _patterns(cls, value: Any) -> Any:
        for pattern in ([value] if isinstance(value, str) else value.values() if isinstance(value, dict) else []):
            if isinstance(pattern, str):
                _regex(pattern)
        return value

    @model_validator(mode="after")
    def _one_header(self) -> ReadOptions:
        if self.header_rows is not None and "header_row" in self.model_fields_set:
            raise ValueError("declare header_row (one header row) or header_rows (several), not both")
        return self

    @model_serializer(mode="wrap")
    def _dump(self, handler: Any) -> dict[str, Any]:
        dumped = handler(self)
        for key in _LATER_OPTIONS:
            if key not in self.model_fields_set and key in dumped:
                del dumped[key]
        return dumped

    def declared(self, key: str) -> bool:
        """Whether the catalogue declares this option (else a reader may sniff it)."""
        return key in self.model_fields_set

    def header_end(self) -> int:
        """The last row of the header (0: no header)."""
        return self.header_rows[-1] if self.header_rows else self.header_row

    def records_before_data(self) -> int:
        """How many rows come before the first data row (title rows, the header, unit rows)."""
        return self.skip_rows_after_header + (self.header_end() or self.skip_rows)

    def drop_patterns(self) -> dict[str, str]:
        """drop_rows as one regular expression per column (a list of values matches them exactly, in any case)."""
        return {column: rule if isinstance(rule, str)
                else "(?i)^(?:" + "|".join(re.escape(v) for v in rule) + ")$"
                for column, rule in self.drop_rows.items()}

    def code_widths(self) -> dict[str, int | None]:
        return dict.fromkeys(self.codes) if isinstance(self.codes, list) else dict(self.codes)

    def stripped(self, field: str) -> bool:
        return self.strip if isinstance(self.strip, bool) else field in self.strip


