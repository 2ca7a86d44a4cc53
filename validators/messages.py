"""The report's words for one failure: the check's message template from the registry, filled in.

``explain`` turns a check (a Table Schema check, a structure problem, a privacy finding or an expectation
``gx:expect_...``), its column, its detail, an offending value and, for expectations, their arguments into
``{"id": ..., "en": ...}``. The texts are data (validators.checks); only the filling-in is here.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

from satudata.validators.checks.index import GENERIC, GX_PREFIX, SUITE, lookup
from satudata.validators.checks.record import Text
from satudata.validators.checks.table_schema import FORMATTED, TYPE_HINTS

REGION_CODES = "kode-wilayah"   # a foreign key to the Kemendagri table gets that variant of the message


class _Lenient(dict):
    """Format arguments where a missing one reads "-"."""

    def __missing__(self, key: str) -> str:
        return "-"


def _fill(template: Text, values: Mapping[str, object]) -> dict[str, str]:
    formatter = string.Formatter()
    return {"id": formatter.vformat(template.id, (), _Lenient(values)),
            "en": formatter.vformat(template.en, (), _Lenient(values))}


def _type_hint(detail: str | None) -> Text:
    kind, _, fmt = (detail or "string/default").partition("/")
    if f"{kind}/{fmt}" in TYPE_HINTS:
        return TYPE_HINTS[f"{kind}/{fmt}"]
    if kind in FORMATTED and fmt not in ("", "default", "any"):
        return Text(f"{FORMATTED[kind].id} dengan format {fmt}", f"{FORMATTED[kind].en} in the format {fmt}")
    return TYPE_HINTS.get(kind, Text(f"bertipe {kind}/{fmt}", f"of type {kind}/{fmt}"))


def _gx_values(arguments: Mapping[str, object]) -> dict[str, object]:
    values = dict(arguments)
    mostly = values.get("mostly")
    if isinstance(mostly, int | float) and mostly < 1:
        values["mostly_id"] = f" (setidaknya {mostly:.0%} baris)"
        values["mostly_en"] = f" (at least {mostly:.0%} of rows)"
    else:
        values["mostly_id"] = values["mostly_en"] = ""
    equal = bool(values.get("or_equal"))
    values["or_equal_id"] = " atau sama dengan" if equal else ""
    values["or_equal_en"] = " or equal to it" if equal else ""
    for key in ("min_value", "max_value"):
        if values.get(key) is None:
            values[key] = "−∞" if key == "min_value" else "∞"
    return values


def explain(check: str, field: str | None, detail: str | None, value: str | None,
            arguments: Mapping[str, object] | None = None) -> dict[str, str]:
    """The bilingual message of one check (and one offending value, when there is one)."""
    values: dict[str, object] = {"field": field or "-", "detail": detail or "-", "check": check,
                                 "value": "…" if value is None else value}
    record = lookup(check) or lookup(GENERIC)
    assert record is not None
    if check.startswith(GX_PREFIX):
        values.update(_gx_values(arguments or {}), expectation=check[len(GX_PREFIX):])
        values.setdefault("column", field or "-")
        # An engine that does not pass an expectation's arguments gets the message that quotes the detail.
        if arguments is None and check != SUITE:
            record = lookup(GENERIC)
            assert record is not None
        return _fill(record.message, values)
    if check == "type":
        hint = _type_hint(detail)
        values["hint_id"], values["hint_en"] = hint.id, hint.en
    regional = check == "foreign-key" and (detail or "").startswith(f"{REGION_CODES}.")
    values.setdefault("expectation", check)
    return _fill(record.variant(REGION_CODES) if regional else record.message, values)


SOFTENED_CHECKS = ("required", "unique", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength",
                   "maxLength", "pattern", "enum", "primary-key", "foreign-key")


def advisory_note(check: str, count: int) -> dict[str, str] | None:
    """What a warning of a Table Schema rule means for the published schema (see satudata.package.soften)."""
    if check not in SOFTENED_CHECKS:
        return None
    return {"id": f"Karena hanya peringatan, {count} baris ini tetap diterbitkan dan aturan ini tidak dicantumkan "
                  f"sebagai batasan wajib di datapackage.json; aturannya dicatat sebagai satudata:advisory beserta "
                  f"jumlah baris yang melanggarnya.",
            "en": f"As a warning only, these {count} rows are published and the rule is not declared as a hard "
                  f"constraint in datapackage.json; it is recorded as satudata:advisory with the number of rows that "
                  f"break it."}
