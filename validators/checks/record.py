"""One check as data: its ``type`` string, engine, default severity and bilingual texts (no code).

A record says what the check is for a steward (``title``, ``about``: what it checks, ``fix``: how to fix it) and
how the report words one failure (``message``: a template filled with ``{field}``, ``{value}``, ``{detail}`` and,
for expectations, their arguments; see ``validators.messages``). Like frictionless' error classes, a record is
named by its type and holds a title and a message template; unlike them it holds no behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass

from satudata.core.problems import ERROR, WARNING

STRUCTURE, TABLE_SCHEMA, GREAT_EXPECTATIONS, PRIVACY = "structure", "table-schema", "great-expectations", "privacy"
ENGINES = (STRUCTURE, TABLE_SCHEMA, GREAT_EXPECTATIONS, PRIVACY)
SEVERITIES = (ERROR, WARNING)
# Whose definition a check follows: the Frictionless Table Schema, Great Expectations 1.x, or satudata's own.
ORIGINS = ("frictionless", "great-expectations", "satudata")


@dataclass(frozen=True, slots=True)
class Text:
    """The same text in Bahasa Indonesia and in English."""

    id: str
    en: str

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "en": self.en}


@dataclass(frozen=True, slots=True)
class Check:
    type: str                  # as in the report: "minimum", "blank-row", "gx:expect_column_values_to_be_between"
    engine: str                # structure | table-schema | great-expectations | privacy
    severity: str              # default severity (a schema or suite may declare another)
    title: Text
    about: Text                # what it checks
    fix: Text                  # how a steward fixes a failure
    message: Text              # the report's message for one failure (a template)
    origin: str = "satudata"   # frictionless | great-expectations | satudata
    frictionless: str | None = None   # the error type frictionless reports for it, where there is one
    declared: str = ""         # how a steward asks for it ("" : always run)
    fast: bool = True          # run in DuckDB/pyarrow; False: only by Great Expectations on pandas
    variants: tuple[tuple[str, Text], ...] = ()   # other message templates, by name (see validators.messages)

    def variant(self, name: str) -> Text:
        return dict(self.variants).get(name, self.message)

    def as_dict(self) -> dict:
        return {"type": self.type, "engine": self.engine, "severity": self.severity, "origin": self.origin,
                "frictionless": self.frictionless, "declared": self.declared, "fast": self.fast,
                "title": self.title.as_dict(), "about": self.about.as_dict(), "fix": self.fix.as_dict(),
                "message": self.message.as_dict(),
                **({"variants": {name: text.as_dict() for name, text in self.variants}} if self.variants else {})}


def check(type: str, engine: str, title: tuple[str, str], about: tuple[str, str], fix: tuple[str, str],
          message: tuple[str, str], severity: str = ERROR, **rest: object) -> Check:
    """A record from (id, en) pairs: the data modules stay readable."""
    return Check(type, engine, severity, Text(*title), Text(*about), Text(*fix), Text(*message), **rest)
