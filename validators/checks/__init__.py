"""The registry of checks: what each check is, its engine, default severity and bilingual texts (as data)."""

from satudata.validators.checks.index import default_severity, frictionless_type, lookup, registry
from satudata.validators.checks.record import ENGINES, Check, Text

__all__ = ["ENGINES", "Check", "Text", "default_severity", "frictionless_type", "lookup", "registry"]
