"""One export opened for reading: its format found by content, its undeclared dialect sniffed, and what the steward
should know about both (the values found, and a warning where they differ from what the catalogue implies)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from satudata.core.catalog import ReadOptions
from satudata.core.problems import WARNING, Problem
from satudata.core.records import RawExport
from satudata.sources.formats import Format, Row, detect

DIALECT_KEYS = ("encoding", "delimiter", "quotechar")


@dataclass
class Export:
    raw: RawExport
    format: Format
    options: ReadOptions                     # the declared options, with the sniffed values filled in
    sniffed: dict[str, str] = field(default_factory=dict)

    @property
    def file(self) -> str:
        return self.raw.path.name

    def rows(self) -> Iterator[Row]:
        return self.format.rows(self.raw.path, self.options)

    def dialect(self) -> dict:
        """What was read and how, for the report: the format and the dialect options it uses, which were sniffed."""
        used = [k for k in DIALECT_KEYS if k in self.format.options]
        return {"format": self.format.name, **{k: getattr(self.options, k) for k in used},
                "sniffed": sorted(self.sniffed)}

    def warnings(self) -> list[Problem]:
        """A warning for each value the catalogue should declare: a format other than the declared one, and each
        sniffed option that differs from its default (the reading the catalogue implies)."""
        problems = []
        if self.raw.format != self.format.name:
            problems.append(Problem("format-detected", WARNING, None, None, self.format.name, self.file,
                                    detail=f"declared {self.raw.format}, the content is {self.format.name}: "
                                           f"declare format: {self.format.name}"))
        defaults = ReadOptions()
        for key, value in self.sniffed.items():
            if value != getattr(defaults, key):
                problems.append(Problem("dialect-sniffed", WARNING, None, None, value, self.file,
                                        detail=f"{key} {value!r} found in the file, not declared: declare "
                                               f"options.{key}"))
        return problems


def open_export(raw: RawExport, options: ReadOptions) -> Export:
    fmt, head = detect(raw.path, raw.format)
    sniffed = fmt.sniff(raw.path, head, options)
    return Export(raw, fmt, options.model_copy(update=sniffed) if sniffed else options, sniffed)
