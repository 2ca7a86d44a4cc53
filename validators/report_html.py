"""The steward's report as one self-contained HTML page (no scripts, no external files)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from satudata.validators.report import ValidationReport

_env = Environment(loader=PackageLoader("satudata.validators", "templates"),
                   autoescape=select_autoescape(["html", "j2"]),
                   trim_blocks=True, lstrip_blocks=True)


TABLE = "(tabel / table)"


def render_html(report: ValidationReport) -> str:
    """Summary first, then each column's failing checks with their capped example rows; size grows with the
    number of checks, never with the number of failing rows."""
    data = report.as_dict()
    failing = [r for r in data["results"] if r["count"]]
    by_field: dict[str, list[dict]] = defaultdict(list)
    for number, result in enumerate(sorted(failing, key=lambda r: (r["severity"] != "error", -r["count"])), 1):
        result["anchor"] = f"c{number}"
        by_field[result["field"] or TABLE].append(result)
    passed = [r for r in data["results"] if not r["count"]]
    return _env.get_template("report.html.j2").render(report=data, by_field=dict(by_field), passed=passed)


def write_html(report: ValidationReport, path: Path) -> Path:
    path.write_text(render_html(report), encoding="utf-8")
    return path
