"""Declared reading options applied to cell text: missing markers, separators, dates, recodings."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from satudata.core.catalog import ReadOptions

# Indonesian month names and abbreviations → English, so strptime's %B / %b understand them.
_MONTHS_ID = {
    "januari": "January", "februari": "February", "pebruari": "February", "maret": "March",
    "april": "April", "mei": "May", "juni": "June", "juli": "July", "agustus": "August",
    "september": "September", "oktober": "October", "nopember": "November", "november": "November",
    "desember": "December",
    "jan": "Jan", "feb": "Feb", "peb": "Feb", "mar": "Mar", "apr": "Apr", "jun": "Jun", "jul": "Jul",
    "agu": "Aug", "agt": "Aug", "ags": "Aug", "agus": "Aug", "sep": "Sep", "sept": "Sep", "okt": "Oct",
    "nov": "Nov", "nop": "Nov", "des": "Dec",
}
_MONTH_WORD = re.compile(r"[A-Za-z]+")
_DATE_OUT = {"date": "%Y-%m-%d", "datetime": "%Y-%m-%dT%H:%M:%S", "time": "%H:%M:%S"}

Normaliser = Callable[[str], str | None]


def english_months(text: str) -> str:
    return _MONTH_WORD.sub(lambda m: _MONTHS_ID.get(m.group(0).lower(), m.group(0)), text)


def _number_normaliser(options: ReadOptions) -> Normaliser | None:
    thousands, decimal = options.thousands, options.decimal
    if not thousands and decimal == ".":
        return None

    def normalise(text: str) -> str:
        if thousands:
            text = text.replace(thousands, "")
        if decimal != ".":
            text = text.replace(decimal, ".")
        return text

    return normalise


def _date_normaliser(fmt: str, field_type: str) -> Normaliser:
    out = _DATE_OUT.get(field_type, "%Y-%m-%d")

    def normalise(text: str) -> str:
        try:
            parsed = datetime.strptime(english_months(text), fmt)
        except ValueError:
            return text  # left as it was: the Table Schema check reports it with the original value
        return parsed.strftime(out)

    return normalise


def _replace_normaliser(pattern: str, replacement: str) -> Normaliser:
    compiled = re.compile(pattern)
    return lambda text: compiled.sub(replacement, text)


def _date_format_for(options: ReadOptions, field: str) -> str | None:
    if isinstance(options.date_formats, str):
        return options.date_formats
    return options.date_formats.get(field)


def build_normalisers(options: ReadOptions, fields: list[dict]) -> dict[str, list[Normaliser]]:
    """For each schema field, the chain of normalisers the declared options ask for (may be empty)."""
    number = _number_normaliser(options)
    chains: dict[str, list[Normaliser]] = {}
    for field in fields:
        name, field_type = field["name"], field.get("type", "string")
        chain: list[Normaliser] = []
        if name in options.replace:
            rule = options.replace[name]
            chain.append(_replace_normaliser(rule.pattern, rule.with_))
        if number and field_type in ("number", "integer"):
            chain.append(number)
        fmt = _date_format_for(options, name)
        if fmt and field_type in ("date", "datetime", "time"):
            chain.append(_date_normaliser(fmt, field_type))
        chains[name] = chain
    return chains


def cell_cleaner(options: ReadOptions) -> Callable[[str | None], str | None]:
    """Strip (when declared) and map missing-value markers to None."""
    missing = set(options.missing_values)
    strip = options.strip

    def clean(cell: str | None) -> str | None:
        if cell is None:
            return None
        if strip:
            cell = cell.strip()
        return None if cell in missing else cell

    return clean
