"""Table Schema types as DuckDB SQL: when a text cell is valid for a field, and its typed value.

The same expressions serve validation (is it valid?) and conversion (what is the typed value?), so the published
Parquet holds exactly what passed. Semantics are frictionless-py v5's cell readers (Python's ``int``,
``Decimal``, ``strptime``, dateutil's ``isoparse``), written as SQL for the plain ASCII cells nearly every export
holds. What SQL cannot decide exactly — cells with non-ASCII characters (Unicode digits, non-breaking spaces),
uncommon shapes of times and datetimes, and types or formats with no SQL form — goes to frictionless' own value
reader through a Python UDF that returns the value as canonical text, or NULL for a type error.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

import duckdb

from satudata.core.duck import literal, quote

# The ASCII characters Python's str.strip() and int() take for whitespace (the others are non-ASCII: the UDF's).
PY_SPACE = r"[\t\n\x0b\x0c\r\x1c-\x1f ]"
INTEGER_RX = rf"^{PY_SPACE}*[+-]?\d+(_\d+)*{PY_SPACE}*$"
# Decimal(): after strip() every underscore is dropped; then sign, digits, point, exponent, Infinity or NaN.
NUMBER_RX = r"(?i)^[+-]?((\d+\.?\d*|\.\d+)(e[+-]?\d+)?|inf|infinity|s?nan\d*)$"
# strptime(cell, "%Y-%m-%d") is a full match of the regular expression Python's _strptime builds for it.
DATE_RX = r"^(\d{4})-(1[0-2]|0[1-9]|[1-9])-(3[01]|[12]\d|0[1-9]|[1-9]| [1-9])$"
# Shapes dateutil's isoparse surely reads as written; every other cell is decided by the UDF.
TIME_FAST_RX = r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$"
DATETIME_FAST_RX = r"^\d{4}-\d{2}-\d{2}[T ]([01]\d|2[0-3]):[0-5]\d:[0-5]\d$"
# The common shapes of dates and years as GLOB patterns: the same full match as \d{4}-\d\d-\d\d and \d{4}
# (RE2's \d is [0-9]), and cheaper: over a dictionary-encoded 10M-row column, 0.1 s of CPU instead of 0.6 s.
YEAR_SHAPE = "[0-9]" * 4
DATE_SHAPE = f"{YEAR_SHAPE}-[0-9][0-9]-[0-9][0-9]"
DEFAULT_TRUE = ["true", "True", "TRUE", "1"]
DEFAULT_FALSE = ["false", "False", "FALSE", "0"]
UDF_PREFIX = "fl_value_"
# Field properties that change how a cell is read (constraints, titles and the like do not).
READING_KEYS = ("type", "format", "trueValues", "falseValues", "bareNumber", "floatNumber", "decimalChar",
                "groupChar")
# Published column type of each Table Schema type (anything else is published as text).
DUCK_TYPES = {"integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN", "date": "DATE",
              "datetime": "TIMESTAMP", "time": "TIME", "year": "INTEGER"}


@dataclass(frozen=True)
class FieldSql:
    """SQL over a text column ``{c}``: ``valid`` is true for a non-null cell that reads as the field's type,
    ``typed`` is its value (meaningful where valid), ``duck_type`` the published column type. ``udf`` is the
    reading descriptor of the frictionless UDF the expressions call, if any (``register_udfs`` registers it)."""

    valid: str
    typed: str
    duck_type: str
    udf: dict | None = None
    shape: str | None = None    # the common tier's test (``shared`` computes it once for valid and typed)

    def shared(self, shape_column: str) -> tuple[str, str]:
        """(valid, typed) reading the common shape's test from the column ``shape_column`` (computed once a cell)
        instead of testing it in each."""
        test = f"WHEN {self.shape} THEN "
        assert self.shape and self.valid.count(test) == 1 and self.typed.count(test) == 1
        return (self.valid.replace(test, f"WHEN {shape_column} THEN "),
                self.typed.replace(test, f"WHEN {shape_column} THEN "))

    def typed_literal(self, value: object) -> str:
        """A constraint value (minimum, enum item) typed like the column."""
        if isinstance(value, bool) and self.duck_type == "BOOLEAN":
            return literal(value)   # frictionless takes a YAML/JSON true as True, whatever the trueValues
        return self.typed.replace("{c}", literal(str(value)))


def reading_descriptor(field: dict) -> dict:
    return {k: field[k] for k in READING_KEYS if k in field}


def udf_name(field: dict) -> str:
    digest = hashlib.sha1(json.dumps(reading_descriptor(field), sort_keys=True, default=str).encode()).hexdigest()
    return f"{UDF_PREFIX}{digest[:16]}"


def _hybrid(field: dict, unsure: str, fast_valid: str, fast_typed: str, cast: str, duck: str,
            common: tuple[str, str, str] | None = None) -> FieldSql:
    """SQL decides the cells it can; the frictionless UDF decides the ``unsure`` ones. ``common`` is an optional
    cheaper (shape, valid, typed) tier for the shape nearly every cell has, tried first: its shape must only match
    cells that are not ``unsure`` (plain ASCII: RE2's ``\\d`` is [0-9]), so the order of the tiers changes nothing
    but the cost."""
    udf = f"{udf_name(field)}({{c}})"
    valid_tiers = f"WHEN {unsure} THEN {udf} IS NOT NULL "
    typed_tiers = f"WHEN {unsure} THEN CAST({udf} AS {cast}) "
    if common is not None:
        shape, common_valid, common_typed = common
        valid_tiers = f"WHEN {shape} THEN {common_valid} " + valid_tiers
        typed_tiers = f"WHEN {shape} THEN {common_typed} " + typed_tiers
    return FieldSql(f"(CASE {valid_tiers}ELSE {fast_valid} END)", f"(CASE {typed_tiers}ELSE {fast_typed} END)", duck,
                    reading_descriptor(field), common[0] if common is not None else None)


def _exact(field: dict, duck: str) -> FieldSql:
    """Every cell through the frictionless UDF."""
    udf = f"{udf_name(field)}({{c}})"
    cast = "HUGEINT" if duck == "BIGINT" else duck
    typed = udf if duck == "VARCHAR" else f"CAST({udf} AS {cast})"
    return FieldSql(f"({udf} IS NOT NULL)", typed, duck, reading_descriptor(field))


_HAS_NON_ASCII = "strlen({c}) <> length({c})"   # more bytes than characters
_STRIPPED = f"regexp_replace({{c}}, '^{PY_SPACE}+|{PY_SPACE}+$', '', 'g')"
_NUMBER_TEXT = f"replace({_STRIPPED}, '_', '')"


def field_sql(field: dict) -> FieldSql:
    kind, fmt = field.get("type", "string"), field.get("format", "default") or "default"
    if kind == "any" or (kind == "string" and fmt == "default"):
        return FieldSql("TRUE", "{c}", "VARCHAR")
    if kind == "integer" and field.get("bareNumber", True):
        common = (r"regexp_full_match({c}, '[+-]?\d+')", "TRUE", "TRY_CAST({c} AS HUGEINT)")
        return _hybrid(field, _HAS_NON_ASCII, f"regexp_full_match({{c}}, '{INTEGER_RX}')",
                       f"TRY_CAST({_NUMBER_TEXT} AS HUGEINT)", "HUGEINT", "BIGINT", common)
    if kind == "number" and field.get("bareNumber", True) and not field.get("floatNumber") \
            and not {"decimalChar", "groupChar"} & field.keys():
        typed = (f"CASE WHEN regexp_matches({_NUMBER_TEXT}, '(?i)nan') THEN 'NaN'::DOUBLE "
                 f"ELSE TRY_CAST({_NUMBER_TEXT} AS DOUBLE) END")
        common = (r"regexp_full_match({c}, '[+-]?\d+(\.\d+)?')", "TRUE", "CAST({c} AS DOUBLE)")
        return _hybrid(field, _HAS_NON_ASCII, f"regexp_full_match({_NUMBER_TEXT}, '{NUMBER_RX}')", typed, "DOUBLE",
                       "DOUBLE", common)
    if kind == "boolean":
        t_list = ", ".join(literal(v) for v in field.get("trueValues", DEFAULT_TRUE))
        f_list = ", ".join(literal(v) for v in field.get("falseValues", DEFAULT_FALSE))
        typed = f"CASE WHEN {{c}} IN ({t_list}) THEN TRUE WHEN {{c}} IN ({f_list}) THEN FALSE END"
        return FieldSql(f"{{c}} IN ({t_list}, {f_list})", typed, "BOOLEAN")
    if kind == "date" and fmt == "default":
        year, month, day = (f"regexp_extract({{c}}, '{DATE_RX}', {i})" for i in (1, 2, 3))
        typed = f"TRY_CAST({year} || '-' || lpad({month}, 2, '0') || '-' || lpad(trim({day}), 2, '0') AS DATE)"
        valid = f"(regexp_full_match({{c}}, '{DATE_RX}') AND left({{c}}, 4) <> '0000' AND {typed} IS NOT NULL)"
        common = (f"{{c}} GLOB '{DATE_SHAPE}'",
                  "(left({c}, 4) <> '0000' AND TRY_CAST({c} AS DATE) IS NOT NULL)", "TRY_CAST({c} AS DATE)")
        return _hybrid(field, _HAS_NON_ASCII, valid, typed, "DATE", "DATE", common)
    if kind == "time" and fmt == "default":
        return _hybrid(field, f"NOT regexp_full_match({{c}}, '{TIME_FAST_RX}')", "TRUE", "CAST({c} AS TIME)",
                       "TIME", "TIME")
    if kind == "datetime" and fmt == "default":
        typed = "TRY_CAST(replace({c}, 'T', ' ') AS TIMESTAMP)"
        valid = f"(left({{c}}, 4) <> '0000' AND {typed} IS NOT NULL)"
        return _hybrid(field, f"NOT regexp_full_match({{c}}, '{DATETIME_FAST_RX}')", valid, typed, "TIMESTAMP",
                       "TIMESTAMP")
    if kind == "year":
        typed = f"TRY_CAST({_NUMBER_TEXT} AS INTEGER)"
        valid = f"(length({{c}}) = 4 AND regexp_full_match({{c}}, '{INTEGER_RX}') AND {typed} BETWEEN 0 AND 9999)"
        common = (f"{{c}} GLOB '{YEAR_SHAPE}'", "TRUE", "CAST({c} AS INTEGER)")
        return _hybrid(field, _HAS_NON_ASCII, valid, typed, "INTEGER", "INTEGER", common)
    # Formats and types with no exact SQL form: frictionless reads every cell.
    return _exact(field, DUCK_TYPES.get(kind, "VARCHAR"))


def render(template: str, column: str) -> str:
    return template.replace("{c}", quote(column))


# --- the frictionless UDF ----------------------------------------------------------------------------------
def canonical_text(value: object, cell: str) -> str:
    """A value frictionless read, as text DuckDB casts to the published type (``cell`` for text-like types)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return "NaN" if value.is_nan() else str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.replace(tzinfo=None).isoformat()
    if type(value).__name__ == "yearmonth":
        return f"{value.year:04d}-{value.month:02d}"  # type: ignore[attr-defined]
    return cell


def value_reader(descriptor: dict):
    """frictionless' reader of one cell as canonical text, or None when the cell is not of the type (frictionless is
    imported on the first cell that needs it)."""
    read = None

    def reader(cell: str | None) -> str | None:
        nonlocal read
        if cell is None:
            return None
        if read is None:
            from frictionless import Field

            read = Field.from_descriptor({"name": "cell", **descriptor}).create_value_reader()
        value = read(cell)
        return None if value is None else canonical_text(value, cell)

    return reader


def register_udfs(con: duckdb.DuckDBPyConnection, fields: list[dict]) -> None:
    """Register the frictionless UDF of every field whose SQL calls one (each reading descriptor once)."""
    done: set[str] = set()
    for field in fields:
        descriptor = field_sql(field).udf
        name = udf_name(field)
        if descriptor is None or name in done:
            continue
        con.create_function(name, value_reader(descriptor), ["VARCHAR"], "VARCHAR", null_handling="special",
                            side_effects=False)
        done.add(name)


# --- pattern constraints -----------------------------------------------------------------------------------
# frictionless checks a pattern with Python's re.compile(f"^{pattern}$").match(cell): Unicode \d \s \w, "$" also
# before a final newline, and a top-level "|" splitting the anchors. The same test as an RE2 regex where RE2 can
# say it exactly; otherwise Python decides, through a UDF.
PY_WS_CLASS = (r"\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}"
               r"\x{3000}")
_WORD_CLASS = r"\p{L}\p{N}_"
_ESCAPES = {"d": r"\p{Nd}", "D": r"\P{Nd}", "s": f"[{PY_WS_CLASS}]", "S": f"[^{PY_WS_CLASS}]",
            "w": f"[{_WORD_CLASS}]", "W": f"[^{_WORD_CLASS}]", "Z": r"\z", "A": r"\A"}
_CLASS_ESCAPES = {"d": r"\p{Nd}", "s": PY_WS_CLASS, "w": _WORD_CLASS}
_KEPT_ESCAPES = set("tnrfv") | {c for c in r"\.^$|?*+()[]{}-/ #&~,:;<=>!@%'\"`_"}
_HEX = set("0123456789abcdefABCDEF")


def python_pattern_re2(pattern: str) -> str | None:
    """frictionless' pattern test as an RE2 regex for ``regexp_matches`` (None: only Python reads it exactly)."""
    source, out, i, in_class, class_start = f"^{pattern}$", [], 0, False, False
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            nxt = source[i + 1] if i + 1 < len(source) else ""
            table = _CLASS_ESCAPES if in_class else _ESCAPES
            if nxt in table:
                out.append(table[nxt])
            elif nxt in ("u", "U", "x"):
                width = {"u": 4, "U": 8, "x": 2}[nxt]
                digits = source[i + 2: i + 2 + width]
                if len(digits) != width or not set(digits) <= _HEX:
                    return None
                out.append(f"\\x{{{digits}}}")
                i += width
            elif nxt in _KEPT_ESCAPES:
                out.append(ch + nxt)
            else:
                return None   # \b \B \1 \N{...} \S or \W inside a class, ...: Python decides
            i += 2
            continue
        if in_class:
            if ch == "[":
                return None   # nested sets and POSIX classes read differently
            if ch == "]" and not class_start:
                in_class = False
            class_start = False
            out.append(ch)
        elif ch == "[":
            in_class, class_start = True, True
            out.append(ch)
            if source[i + 1: i + 2] == "^":
                out.append("^")
                i += 1
        elif ch == "$":
            out.append(r"(?:\n?\z)")
        elif ch == "(" and source[i + 1: i + 2] == "?":
            if source[i + 2: i + 3] not in (":", "P") or source[i + 2: i + 4] == "P=":
                return None   # flags, lookarounds, comments, atomic groups
            out.append(ch)
        elif ch in "*+?}" and source[i + 1: i + 2] == "+":
            return None       # possessive quantifiers
        elif ch == "{" and source[i + 1: i + 2] == ",":
            out.append("{0")
        else:
            out.append(ch)
        i += 1
    return r"\A(?:" + "".join(out) + ")"


def pattern_condition(con: duckdb.DuckDBPyConnection, pattern: str, value_sql: str) -> str:
    """SQL that is true when ``value_sql`` matches the pattern the way frictionless checks it."""
    translated = python_pattern_re2(pattern)
    if translated is not None:
        try:
            con.execute(f"SELECT regexp_matches('', {literal(translated)})").fetchall()
            return f"regexp_matches({value_sql}, {literal(translated)})"
        except duckdb.Error:
            pass
    import re

    compiled = re.compile(f"^{pattern}$")
    name = "fl_pattern_" + hashlib.sha1(pattern.encode()).hexdigest()[:16]
    with contextlib.suppress(duckdb.Error):   # registered already for another column of this connection
        con.create_function(name, lambda cell: None if cell is None else compiled.match(cell) is not None,
                            ["VARCHAR"], "BOOLEAN", null_handling="special", side_effects=False)
    return f"{name}({value_sql})"
