"""The registry for people and for machines: what ``satudata checks`` prints (a rich table, or ``--json``).

The command itself belongs to the CLI; it calls ``render(engine=..., as_json=...)`` and prints what it gets.
"""

from __future__ import annotations

import json

from rich.markup import escape
from rich.table import Table

from satudata.validators.checks.index import registry

SEVERITY = {"error": "kesalahan / error", "warning": "peringatan / warning"}


def listing(engine: str | None = None) -> list[dict]:
    """Every check (of one engine) as data: type, engine, default severity, origin, the frictionless error type,
    how it is declared, whether it runs fast, and the titles, what it checks, how to fix and the message (id/en)."""
    return [check.as_dict() for check in registry() if engine in (None, check.engine)]


def _both(text: dict[str, str]) -> str:
    return f"{escape(text['id'])}\n[dim]{escape(text['en'])}[/dim]"


def table(checks: list[dict]) -> Table:
    """One row a check: type and engine, default severity, title, what it checks and how to fix it (id, then en)."""
    grid = Table(title="Pemeriksaan / checks", show_lines=True, expand=True)
    grid.add_column("pemeriksaan / check", overflow="fold", ratio=2)
    grid.add_column("tingkat / severity", ratio=1)
    grid.add_column("judul / title", ratio=2)
    grid.add_column("yang diperiksa / what it checks", ratio=4)
    grid.add_column("perbaikan / how to fix", ratio=3)
    for check in checks:
        where = check["engine"] + ("" if check["fast"] else ", GX/pandas")
        frictionless = f"\nfrictionless: {check['frictionless']}" if check["frictionless"] else ""
        grid.add_row(f"[bold]{escape(check['type'])}[/bold]\n[dim]{escape(where)}{escape(frictionless)}[/dim]",
                     SEVERITY.get(check["severity"], check["severity"]), _both(check["title"]),
                     _both(check["about"]) + (f"\n[italic]{escape(check['declared'])}[/italic]"
                                              if check["declared"] else ""),
                     _both(check["fix"]))
    return grid


def render(engine: str | None = None, as_json: bool = False) -> str | Table:
    """``--json``: the listing as JSON text; otherwise a rich table to print."""
    checks = listing(engine)
    if as_json:
        return json.dumps(checks, ensure_ascii=False, indent=2)
    return table(checks)
