"""What the cells of a raw export say about its columns, for `satudata describe`: missing-value markers, the
number separators, dates (Indonesian month names included), codes, region codes and total rows."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from satudata.sources.normalise import english_months

DATE_FORMATS = ("%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y", "%B %Y", "%b %Y", "%Y/%m/%d",
                "%d-%m-%y", "%d/%m/%y")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?")
TIME = re.compile(r"\d{1,2}:\d{2}(:\d{2})?")
SENTINEL = re.compile(r"(\d)\1{3,}")                 # 8888, 9999, 99999: "not measured" markers
TOTAL = re.compile(r"(?i)^(jumlah|total|sub ?total|grand total|nasional)(\s+\d{4})?\s*:?$")
CODE_NAME = re.compile(r"(?i)(^|_)(kode|kd|code|id|npsn|nik|nip|no)(_|$)")
REGION_DIGITS = {4: r"^(\d{2})(\d{2})$", 6: r"^(\d{2})(\d{2})(\d{2})$", 10: r"^(\d{2})(\d{2})(\d{2})(\d{4})$"}
REGION_DOTS = {4: r"\1.\2", 6: r"\1.\2.\3", 10: r"\1.\2.\3.\4"}
SAMPLE = 5_000


@dataclass
class Column:
    name: str
    label: str
    values: list[str | None]                 # staged text, missing markers already None
    type: str = "string"
    date_format: str | None = None
    region: str | None = None                # "code": Kemendagri codes as written; "digits": written without dots
    replace: tuple[str, str] | None = None
    pattern: str | None = None
    notes: list[str] = field(default_factory=list)

    def present(self) -> list[str]:
        return [v for v in self.values if v is not None]


def missing_markers(columns: list[list[str | None]]) -> list[str]:
    """"-" where a cell is only a dash; a repeated digit (8888) far above the other numbers of its column."""
    markers = [""]
    if any(v == "-" for values in columns for v in values):
        markers.append("-")
    for values in columns:
        plain = [v for v in values if v and _plain_number(v)]
        others = sorted(float(v) for v in plain if not SENTINEL.fullmatch(v))
        if not others:
            continue
        high = others[int(0.95 * (len(others) - 1))]
        for v in sorted({v for v in plain if SENTINEL.fullmatch(v)}):
            if float(v) > 10 * max(abs(high), 1) and v not in markers:
                markers.append(v)
    return markers


def _plain_number(text: str) -> bool:
    return re.fullmatch(r"[+-]?\d+(\.\d+)?", text) is not None


def separators(columns: list[list[str]], delimiter: str) -> tuple[str, str | None]:
    """The (decimal, thousands) separators the number-like columns agree on."""
    cells = [v for values in columns for v in values[:SAMPLE] if re.fullmatch(r"[+-]?[\d.,]*\d", v)]
    comma_decimal = any(re.fullmatch(r"[+-]?\d+,\d{1,2}|[+-]?\d+,\d{4,}|[+-]?0,\d+", v) for v in cells)
    dot_decimal = any(re.fullmatch(r"[+-]?\d+\.\d{1,2}|[+-]?\d+\.\d{4,}|[+-]?0\.\d+", v) for v in cells)
    dot_thousands = any(re.fullmatch(r"[+-]?\d{1,3}(\.\d{3}){2,}(,\d+)?|[+-]?\d{1,3}(\.\d{3})+,\d+", v)
                        for v in cells)
    comma_thousands = any(re.fullmatch(r"[+-]?\d{1,3}(,\d{3}){2,}(\.\d+)?|[+-]?\d{1,3}(,\d{3})+\.\d+", v)
                          for v in cells)
    if (comma_decimal or dot_thousands) and not (dot_decimal or comma_thousands):
        grouped = any(re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?", v) for v in cells)
        return ",", "." if grouped else None
    return ".", "," if comma_thousands and not comma_decimal else None


def infer(column: Column, decimal: str, thousands: str | None, regions: set[str]) -> None:
    values = column.present()[:SAMPLE]
    if not values:
        return
    if _region(column, values, regions) or _code(column, values):
        return
    if all(v in ("true", "false") for v in values):
        column.type = "boolean"
    elif all(ISO_DATE.fullmatch(v) for v in values):
        column.type = "date"
    elif all(ISO_DATETIME.fullmatch(v) for v in values):
        column.type = "datetime"
    elif all(TIME.fullmatch(v) for v in values):
        column.type = "time"
    elif (fmt := _date_format(values)) is not None:
        column.type, column.date_format = "date", fmt
        if english_months(values[0]) != values[0]:
            column.notes.append("Indonesian month names")
    else:
        numbers = [_number(v, decimal, thousands) for v in values]
        if all(n is not None for n in numbers):
            column.type = "integer" if all(re.fullmatch(r"[+-]?\d+", n or "") for n in numbers) else "number"


def _number(text: str, decimal: str, thousands: str | None) -> str | None:
    if thousands:
        text = text.replace(thousands, "")
    if decimal != ".":
        text = text.replace(decimal, ".")
    return text if re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text) else None


def _date_format(values: list[str]) -> str | None:
    for fmt in DATE_FORMATS:
        try:
            for v in values:
                datetime.strptime(english_months(v), fmt)
        except ValueError:
            continue
        return fmt
    return None


def _shape(values: list[str]) -> str | None:
    """The pattern every value shares, digits counted: ``^\\d{2}\\.\\d{2}$``; None when they differ."""
    shapes = {re.sub(r"\d+", lambda m: f"\\d{{{len(m.group(0))}}}", re.escape(v)) for v in values}
    return f"^{shapes.pop()}$" if len(shapes) == 1 else None


def _region(column: Column, values: list[str], regions: set[str]) -> bool:
    if not regions:
        return False
    if sum(v in regions for v in values) >= 0.95 * len(values):
        column.region, column.pattern = "code", _shape(values)
        return True
    lengths = {len(v) for v in values}
    if len(lengths) == 1 and (width := lengths.pop()) in REGION_DIGITS and all(v.isdigit() for v in values):
        dotted = [re.sub(REGION_DIGITS[width], REGION_DOTS[width], v) for v in values]
        if sum(v in regions for v in dotted) >= 0.95 * len(values):
            column.region, column.replace = "digits", (REGION_DIGITS[width], REGION_DOTS[width])
            column.pattern = _shape(dotted)
            column.notes.append("Kemendagri codes written without dots: dotted by replace")
            return True
    return False


def _code(column: Column, values: list[str]) -> bool:
    """Identifiers and codes stay text: by their name, or digits with leading zeros, or long digit strings."""
    digits = all(v.isdigit() for v in values)
    if CODE_NAME.search(column.name) or (digits and any(v.startswith("0") and len(v) > 1 for v in values)) \
            or (digits and min(len(v) for v in values) >= 8):
        column.pattern = _shape(values)
        if digits and any(v.startswith("0") for v in values):
            column.notes.append("codes with leading zeros: kept as text")
        return True
    return False


def total_rows(columns: list[Column], provinces: set[str]) -> dict[str, str]:
    """drop_rows rules for total and subtotal rows: Jumlah/Total/Nasional, or a province's name in a column of
    kabupaten/kota names."""
    rules: dict[str, str] = {}
    for column in columns:
        if column.type != "string":
            continue
        values = column.present()
        totals = [v for v in values if TOTAL.search(v)]
        totals = totals if len(totals) <= max(1, len(values) // 20) else []   # a category, not a total
        regencies = sum(v.lower().startswith(("kota ", "kabupaten ", "kab. ")) for v in values)
        named = sorted({v for v in values if v.upper() in provinces}) if regencies >= len(values) / 2 else []
        if totals or named:
            parts = ([TOTAL.pattern.removeprefix("(?i)")] if totals else []) + \
                    [f"^{re.escape(v)}$" for v in named]
            rules[column.name] = "(?i)" + "|".join(parts)
    return rules
