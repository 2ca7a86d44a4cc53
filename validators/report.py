"""The one validation report: every check of every engine, with a full count and capped example rows."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from satudata.core.problems import ERROR, WARNING, Problem
from satudata.validators.messages import advisory_note, explain

EXAMPLE_CAP = 20
OBSERVED = "; observed "   # where a check's detail starts quoting what was measured (see gx_suite)


@dataclass
class CheckResult:
    """One check on one column (or on the table): how many rows failed, and a few of them."""

    check: str
    engine: str                 # structure | table-schema | great-expectations | privacy
    severity: str
    field: str | None
    count: int
    examples: list[Problem] = field(default_factory=list)
    detail: str | None = None   # the constraint or expectation arguments, as text
    arguments: dict | None = None   # an expectation's kwargs (from the suite, never from the data)

    @property
    def passed(self) -> bool:
        return self.count == 0

    def _arguments(self) -> dict | None:
        """The expectation's arguments for its message (None: unknown, the message quotes the detail instead)."""
        if self.arguments is None:
            return None
        arguments = dict(self.arguments, count=self.count)
        if self.detail and OBSERVED in self.detail:   # what GX measured, as the privacy gate left it
            arguments["observed"] = self.detail.split(OBSERVED, 1)[1]
        return arguments

    def message(self) -> dict[str, str]:
        """What failed and how to fix it, in Bahasa Indonesia and English (quoting the first example)."""
        value = self.examples[0].value if self.examples else None
        return explain(self.check, self.field, self.detail, value, self._arguments())

    def as_dict(self) -> dict:
        arguments = self._arguments()
        published = (advisory_note(self.check, self.count)
                     if self.count and self.severity == WARNING and self.engine == "table-schema" else None)
        return {
            "check": self.check, "engine": self.engine, "severity": self.severity, "field": self.field,
            "count": self.count, "passed": self.passed, "detail": self.detail,
            "message": self.message(), **({"published": published} if published else {}),
            "examples": [{"check": self.check, "severity": p.severity, "field": p.field, "file": p.file,
                          "row": p.row, "value": p.value, "detail": p.detail,
                          "message": explain(self.check, p.field, self.detail, p.value, arguments)}
                         for p in self.examples],
        }


def aggregate(problems: Iterable[Problem], engine: str, cap: int | None = EXAMPLE_CAP) -> list[CheckResult]:
    """Group single problems into check results, keeping a full count and at most ``cap`` examples."""
    grouped: dict[tuple[str, str | None, str], CheckResult] = {}
    for problem in problems:
        key = (problem.check, problem.field, problem.severity)
        result = grouped.get(key)
        if result is None:
            result = grouped[key] = CheckResult(problem.check, engine, problem.severity, problem.field, 0)
        result.count += 1
        if cap is None or len(result.examples) < cap:
            result.examples.append(problem)
    return list(grouped.values())


@dataclass
class ValidationReport:
    dataset: str
    exports: list[dict]
    row_count: int
    results: list[CheckResult]
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    fatal: dict | None = None   # the export could not be read at all
    # How the export(s) were read (StagedTable): {"dialects", "units", "transformations", "dropped_rows"}
    reading: dict = field(default_factory=dict)

    @property
    def errors(self) -> list[CheckResult]:
        return [r for r in self.results if r.count and r.severity == ERROR]

    @property
    def warnings(self) -> list[CheckResult]:
        return [r for r in self.results if r.count and r.severity == WARNING]

    @property
    def blocked(self) -> bool:
        return bool(self.errors) or self.fatal is not None

    @property
    def status(self) -> str:
        if self.blocked:
            return "failed"
        return "passed-with-warnings" if self.warnings else "passed"

    def as_dict(self) -> dict:
        by_field: dict[str, int] = defaultdict(int)
        for result in self.results:
            if result.count:
                by_field[result.field or "(tabel)"] += result.count
        return {
            "dataset": self.dataset, "created": self.created, "status": self.status,
            "row_count": self.row_count, "exports": self.exports, "fatal": self.fatal, "reading": self.reading,
            "summary": {
                "checks": len(self.results),
                "checks_failed": sum(1 for r in self.results if r.count),
                "errors": sum(r.count for r in self.errors),
                "warnings": sum(r.count for r in self.warnings),
                "problems_by_field": dict(by_field),
            },
            "results": [r.as_dict() for r in self.results],
        }

    def write_json(self, path: Path) -> Path:
        path.write_text(json.dumps(self.as_dict(), ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        return path
