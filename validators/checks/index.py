"""The one registry of checks: every check any engine can report, by its ``type`` string.

The records live in this package's data modules (one per engine) and, for satudata's own expectations, in the
module that implements each one (``validators/expectations_sql/own/<name>.py``: one file a check, found here by
itself). ``registry()`` lists them for ``satudata checks``; the engines take their default severity from it and
the report its messages (validators.messages).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import import_module

from satudata.validators.checks.record import ENGINES, ORIGINS, SEVERITIES, Check

DATA_MODULES = ("structure", "table_schema", "expectations_rows", "expectations_table", "privacy")
SUITE, GENERIC = "gx:suite", "gx:*"   # the suite file itself; any GX expectation without a record of its own
GX_PREFIX = "gx:"


class RegistryError(ValueError):
    """Two records of one type, or a record with an unknown engine, severity or origin."""


def _last(check: Check) -> tuple[int, bool]:
    return ENGINES.index(check.engine), check.type in (SUITE, GENERIC)


@lru_cache(maxsize=1)
def _checks() -> tuple[Check, ...]:
    from satudata.validators.expectations_sql.own import own_expectations

    records = [record for name in DATA_MODULES for record in import_module(f"{__package__}.{name}").CHECKS]
    records += [expectation.CHECK for expectation in own_expectations().values()]
    seen: set[str] = set()
    for record in records:
        if record.type in seen:
            raise RegistryError(f"check {record.type!r} is registered twice")
        if record.engine not in ENGINES or record.severity not in SEVERITIES or record.origin not in ORIGINS:
            raise RegistryError(f"check {record.type!r}: engine, severity or origin unknown")
        seen.add(record.type)
    return tuple(sorted(records, key=_last))   # by engine, each in its declared order


def registry() -> list[Check]:
    """Every check, engine by engine (structure, table-schema, great-expectations, privacy)."""
    return list(_checks())


@lru_cache(maxsize=256)
def lookup(type: str) -> Check | None:
    """The record of a check type; an expectation with no record of its own gets the generic one (``gx:*``)."""
    by_type = {record.type: record for record in _checks()}
    if type in by_type:
        return by_type[type]
    return by_type[GENERIC] if type.startswith(GX_PREFIX) else None


def default_severity(type: str) -> str:
    record = lookup(type)
    if record is None:
        raise KeyError(f"no check {type!r} in the registry")
    return record.severity


def frictionless_type(type: str) -> str | None:
    """The frictionless error type a check corresponds to (None: satudata's or GX's own)."""
    record = lookup(type)
    return record.frictionless if record is not None else None
