"""Declared reading options applied to cell text: missing markers, separators, dates, recodings, units, codes, case.

Each field gets a ``Chain`` of steps. Both staging paths apply the same chain to the same text, so they agree on
values, on the cells each reported transformation changed, and on cell problems (a code whose float lost digits).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
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
_FLOAT_CODE = re.compile(r"\+?(\d+)[.,]0+")
_SCIENTIFIC = re.compile(r"\+?(\d)(?:[.,](\d+))?[eE]\+?(\d{1,2})")
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
DATE_TYPES = ("date", "datetime", "time")

Normaliser = Callable[[str], str | None]


class CellProblem(Exception):
    """A cell the declared options cannot read exactly: reported with its file, row and field, its text kept."""

    def __init__(self, check: str, detail: str) -> None:
        self.check, self.detail = check, detail
        super().__init__(detail)


@dataclass(frozen=True)
class Step:
    run: Normaliser
    transform: str | None = None   # reported as a transformation of the field (StagedTable.transformations)
    how: str | None = None


@dataclass
class Chain:
    steps: list[Step] = field(default_factory=list)
    numbers_only: bool = False     # the one step is the thousands/decimal separator (vectorised by the fast path)

    def __bool__(self) -> bool:
        return bool(self.steps)

    def apply(self, text: str) -> tuple[str | None, tuple[int, ...], CellProblem | None]:
        """The normalised text, the reported steps that changed it, and its problem (then the text is kept)."""
        value: str | None = text
        changed: list[int] = []
        for index, step in enumerate(self.steps):
            if value is None:
                break
            try:
                result = step.run(value)
            except CellProblem as problem:
                return text, (), problem
            if step.transform and result != value:
                changed.append(index)
            value = result
        return value, tuple(changed), None


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


def _unit_normaliser(unit: str) -> Normaliser:
    """Remove the unit written before or after the value ("94,23 %", "Rp 1.500", "3 orang"), in any case."""
    u = re.escape(unit.strip())
    written = re.compile(rf"^(?:{u}\s*)?(.*?)(?:\s*{u})?$", re.IGNORECASE | re.DOTALL)
    return lambda text: written.sub(r"\1", text, count=1)


def _code_normaliser(width: int | None) -> Normaliser:
    """A code Excel turned into a number back into its digits: 3201190006.0 and 3.201190006E+9 give 3201190006;
    3.57301E+9 has lost digits (a problem, never a guess); with a width, leading zeros Excel dropped come back."""

    def normalise(text: str) -> str:
        if match := _FLOAT_CODE.fullmatch(text):
            text = match.group(1)
        elif match := _SCIENTIFIC.fullmatch(text):
            lead, fraction, exponent = match.group(1), (match.group(2) or "").rstrip("0"), int(match.group(3))
            if len(fraction) > exponent:
                raise CellProblem("code-float", f"{text} is not a whole number: not a code")
            digits = exponent + 1
            if len(lead + fraction) < digits:
                raise CellProblem("code-lost-digits",
                                  f"{text} keeps {len(lead + fraction)} of the {digits} digits of the code: export "
                                  "the column as text")
            text = (lead + fraction).ljust(digits, "0")
        if width and text.isdigit() and len(text) < width:
            text = text.zfill(width)
        return text

    return normalise


def _case_normaliser(case: str) -> Normaliser:
    if case == "upper":
        return str.upper
    if case == "lower":
        return str.lower
    return lambda text: _WORD.sub(lambda m: m.group(0)[:1].upper() + m.group(0)[1:].lower(), text)


def _date_format_for(options: ReadOptions, field_name: str) -> str | None:
    if isinstance(options.date_formats, str):
        return options.date_formats
    return options.date_formats.get(field_name)


def build_chains(options: ReadOptions, fields: list[dict]) -> dict[str, Chain]:
    """For each schema field, the chain of steps the declared options ask for (may be empty)."""
    number = _number_normaliser(options)
    widths = options.code_widths()
    chains: dict[str, Chain] = {}
    for spec in fields:
        name, field_type = spec["name"], spec.get("type", "string")
        steps: list[Step] = []
        if name in options.replace:
            rule = options.replace[name]
            steps.append(Step(_replace_normaliser(rule.pattern, rule.with_)))
        if name in options.units:
            steps.append(Step(_unit_normaliser(options.units[name]), "units", options.units[name]))
        if number and field_type in ("number", "integer"):
            steps.append(Step(number))
        fmt = _date_format_for(options, name)
        if fmt and field_type in DATE_TYPES:
            steps.append(Step(_date_normaliser(fmt, field_type)))
        if name in widths:
            width = widths[name]
            steps.append(Step(_code_normaliser(width), "codes", f"width {width}" if width else "digits"))
        if name in options.case:
            steps.append(Step(_case_normaliser(options.case[name]), "case", options.case[name]))
        chains[name] = Chain(steps, numbers_only=len(steps) == 1 and steps[0].run is number)
    return chains


def cell_cleaner(options: ReadOptions, strip: bool | None = None) -> Callable[[str | None], str | None]:
    """Strip (when declared) and map missing-value markers to None."""
    missing = set(options.missing_values)
    strip = bool(options.strip) if strip is None else strip

    def clean(cell: str | None) -> str | None:
        if cell is None:
            return None
        if strip:
            cell = cell.strip()
        return None if cell in missing else cell

    return clean
