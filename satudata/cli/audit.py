"""`satudata lineage` (the lineage report) and `satudata verify` (hashes and chain): the auditors' commands.

The report and the checks are ``satudata.lineage.audit`` and ``satudata.lineage.verify``; this module reads the
options and prints them.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from satudata.cli.common import (
    CatalogOption,
    DatasetArgument,
    ExitCode,
    Invocation,
    JsonOption,
    PortalOption,
    fail,
    print_json,
)
from satudata.core.publishing import PublishError

if TYPE_CHECKING:   # imported where used: the lineage modules load OpenLineage, which every command would pay
    from satudata.lineage.audit import LineageReport, RunRecord, VersionLineage
    from satudata.lineage.verify import Finding

# by the value of satudata.lineage.verify.Status (a StrEnum: its members look their values up)
STATUS_STYLE = {"OK": "green", "altered file": "red bold", "missing file": "red bold", "broken chain": "magenta bold"}
OUTCOME_STYLE = {"passed": "green", "warned": "yellow", "failed": "red bold"}
TargetOption = Annotated[str, typer.Option("--target", help="Where the versions are published: local or ckan.")]


def _open(catalog: Path, target: str, portal: Path | None, ids: list[str]):
    """(invocation, publisher, dataset ids): catalogue mistakes, unknown ids and a target with no URL or token exit
    2 (reading the target later, its errors exit 3)."""
    from satudata.flows.context import make_publisher

    inv = Invocation.open(catalog, target=target, portal=portal)
    ids = inv.dataset_ids(ids)
    try:
        return inv, make_publisher(inv.catalog, inv.settings), ids
    except PublishError as exc:
        fail(inv.err, f"[red]Target belum diatur / target not configured[/] {target}: {escape(str(exc))}")


def _format(fmt: str, as_json: bool, allowed: tuple[str, ...]) -> str:
    if fmt not in allowed:
        typer.echo(f"--format must be {', '.join(allowed)}", err=True)
        raise typer.Exit(int(ExitCode.USAGE))
    if as_json and fmt not in ("text", "json"):
        typer.echo("--json and --format html exclude each other", err=True)
        raise typer.Exit(int(ExitCode.USAGE))
    return "json" if as_json else fmt


def lineage(dataset: DatasetArgument,
            version: Annotated[str | None, typer.Option("--version", "-v", help="Only this version in detail.")]
            = None,
            fmt: Annotated[str, typer.Option("--format", "-f", help="text (default), json or html.")] = "text",
            output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout.")]
            = None,
            catalog: CatalogOption = Path("catalog.yaml"), portal: PortalOption = None,
            target: TargetOption = "local", as_json: JsonOption = False) -> None:
    """The lineage report of a dataset: every version's sources and hashes, checks, outputs, run and code.

    --json is --format json.
    """
    from satudata.lineage.audit import build_report, render_html

    fmt = _format(fmt, as_json, ("text", "json", "html"))
    inv, publisher, _ = _open(catalog, target, portal, [dataset])
    try:
        report = build_report(publisher, inv.catalog.dataset(dataset), inv.settings.quarantine(), version)
    except PublishError as exc:
        fail(inv.err, f"[red]Target tidak dapat dibaca / cannot read the target[/] {publisher.target}: "
                      f"{escape(str(exc))}", ExitCode.UNREACHABLE)
    if version is not None and version not in [v.version for v in report.versions]:
        fail(inv.err, f"[red]Versi tidak ada / no such version[/] {escape(version)!r}; published: "
                      f"{', '.join(v.version for v in report.versions) or 'none'}")
    if fmt == "text" and output is None:
        print_report(report, inv.out)
        return
    if fmt == "json" and output is None:
        print_json(report.as_dict())
        return
    from satudata.lineage.audit import report_json

    text = report_json(report) if fmt == "json" else render_html(report) if fmt == "html" else _text(report)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text, encoding="utf-8")
        inv.err.print(f"Laporan / report: {escape(str(output))}")


def verify(datasets: Annotated[list[str] | None, typer.Argument(help="Dataset ids (default: all).", metavar="DATASET",
                                                                 show_default=False)] = None,
           catalog: CatalogOption = Path("catalog.yaml"), portal: PortalOption = None,
           target: TargetOption = "local",
           fmt: Annotated[str, typer.Option("--format", "-f", help="text (default, a table) or json.")] = "text",
           problems_only: Annotated[bool, typer.Option("--problems-only", help="Show only what is not OK.")]
           = False, as_json: JsonOption = False) -> None:
    """Re-read every published file of every version, recompute its hash and walk the lineage chain.

    Reports OK, altered file, missing file or broken chain per file and version; exits 1 on any finding.
    --json is --format json.
    """
    from satudata.lineage.verify import problems
    from satudata.lineage.verify import verify as run_verify

    fmt = _format(fmt, as_json, ("text", "json"))
    inv, publisher, ids = _open(catalog, target, portal, datasets or [])
    try:
        findings = run_verify(publisher, [inv.catalog.dataset(i) for i in ids])
    except PublishError as exc:
        fail(inv.err, f"[red]Target tidak dapat dibaca / cannot read the target[/] {publisher.target}: "
                      f"{escape(str(exc))}", ExitCode.UNREACHABLE)
    bad = problems(findings)
    shown = bad if problems_only else findings
    if fmt == "json":
        counts: dict[str, int] = {}
        for f in findings:
            counts[str(f.status)] = counts.get(str(f.status), 0) + 1
        print_json({"target": publisher.target, "ok": not bad, "counts": counts,
                    "findings": [f.as_dict() for f in shown]})
    else:
        print_findings(shown, findings, inv.out)
    if bad:
        raise typer.Exit(int(ExitCode.PROBLEM))


def print_findings(shown: list[Finding], findings: list[Finding], console: Console) -> None:
    table = Table(title="satudata verify")
    for column in ("dataset", "versi/version", "berkas/file", "hasil/result", "keterangan/detail"):
        table.add_column(column)
    for f in shown:
        table.add_row(f.dataset, f.version or "-", escape(f.file), f"[{STATUS_STYLE[f.status]}]{f.status}[/]",
                      escape(f.detail))
    console.print(table)
    counts: dict[str, int] = {}
    for f in findings:
        counts[str(f.status)] = counts.get(str(f.status), 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in counts.items()) or "nothing published / belum ada yang terbit"
    from satudata.lineage.verify import Status

    verdict = "[red bold]TIDAK UTUH / NOT INTACT[/]" if any(f.status is not Status.OK for f in findings) \
        else "[green bold]UTUH / INTACT[/]"
    console.print(f"{verdict}: {summary}")


def _text(report: LineageReport) -> str:
    console = Console(record=True, width=160, file=io.StringIO(), highlight=False)
    print_report(report, console)
    return console.export_text()


def print_report(report: LineageReport, console: Console) -> None:
    console.print(f"[bold]Asal-usul data / lineage: {report.dataset}[/] ({report.department}) — "
                  f"{escape(report.title.get('id', ''))} / {escape(report.title.get('en', ''))}")
    console.print(f"target {report.target} · chain head in the catalogue index: {report.lineage_head or '-'}")
    timeline = Table(title="Linimasa versi / timeline of versions")
    for column in ("version", "published", "change", "checks p·w·f", "chain", "lineage.jsonl sha256",
                   "Prefect flow run"):
        timeline.add_column(column)
    for v in report.versions:
        counts = v.record.check_counts() if v.record else None
        timeline.add_row(v.version, v.published or "-", (v.change or {}).get("kind", "-"),
                         f"{counts['passed']}·{counts['warned']}·{counts['failed']}" if counts else "-",
                         _chain_cell(v), (v.lineage_sha256 or "-")[:16], v.record.run_id if v.record else "-")
    console.print(timeline)
    if not report.versions:
        console.print("belum ada versi / no version published yet")
    for v in report.shown():
        _print_version(v, console)
    for rejected in report.shown_rejected():
        record = rejected.record
        console.rule(f"[red]ditolak / rejected {record.ended or record.started}[/]")
        console.print(f"Prefect flow run {record.run_id} (parent {record.parent_run_id or '-'}); kept in "
                      f"{escape(rejected.folder)}\n[red]{escape(record.error or '')}[/]")
        for source in record.sources:
            console.print(f"source {escape(source.name)} sha256 {source.sha256} ({source.bytes} bytes)")
        _print_checks(record, console)


def _column_style(column: str) -> dict:
    """Hashes whole on one line (auditors copy them); anything else folds."""
    return {"no_wrap": True, "min_width": 64} if column == "sha256" else {"overflow": "fold"}


def _chain_cell(v: VersionLineage) -> str:
    if v.problem:
        return f"[red]{escape(v.problem)}[/]"
    if v.chain_link_ok is None:
        return "first"
    return "[green]linked[/]" if v.chain_link_ok else "[red bold]BROKEN[/]"


def _print_version(v: VersionLineage, console: Console) -> None:
    console.rule(f"versi / version {v.version}")
    if v.change:
        console.print(f"perubahan / change: {v.change.get('kind')} — {escape('; '.join(v.change.get('reasons', [])))}")
    if v.record is None:
        console.print(f"[red]{escape(v.problem or '')}[/]")
        return
    r = v.record
    sources = Table(title="Sumber / sources", title_justify="left")
    for column in ("file", "sha256", "bytes", "pulled", "uri"):
        sources.add_column(column, **_column_style(column))
    for s in r.sources:
        sources.add_row(escape(s.name), s.sha256 or "-", str(s.bytes), s.at or "-", escape(s.uri))
    console.print(sources)
    _print_checks(r, console)
    outputs = Table(title="Berkas terbit / published files", title_justify="left")
    for column in ("file", "sha256", "bytes", "uri"):
        outputs.add_column(column, **_column_style(column))
    for o in r.outputs:
        outputs.add_row(escape(o.name), o.sha256 or "-", str(o.bytes), escape(o.uri))
    console.print(outputs)
    run = Table(title="Proses dan kode / run and code", title_justify="left", show_header=False)
    run.add_column("what")
    run.add_column("value", overflow="fold")
    for label, value in (
            ("Prefect flow run", r.run_id),
            ("parent run", f"{r.parent_job} {r.parent_run_id}" if r.parent_run_id else "-"),
            ("started / ended", f"{r.started or '-'} / {r.ended or '-'}"),
            ("code git commit", (r.git_commit or "- (not a git checkout)") + (" + uncommitted changes"
                                                                               if r.git_dirty else "")),
            ("catalogue git commit", r.catalog_git_commit or "-"),
            ("package version", f"satudata {r.package_version or '-'}"),
            ("orchestrator", r.engine or "-"),
            ("schema.yaml sha256", r.schema_sha256 or "-"),
            ("expectations.json sha256", r.suite_sha256 or "-"),
            ("previous version", f"{r.previous_version or '-'} (record sha256 {r.previous_lineage_sha256 or '-'})"),
            ("this record sha256", v.lineage_sha256 or "-")):
        run.add_row(label, escape(value))
    console.print(run)


def _print_checks(r: RunRecord, console: Console) -> None:
    """Warned and failed checks one per row (with the failing row count); passed checks grouped by column."""
    counts = r.check_counts()
    checks = Table(title=f"Pemeriksaan / checks: {counts['passed']} passed, {counts['warned']} warned, "
                         f"{counts['failed']} failed", title_justify="left")
    for column in ("result", "column", "check", "engine", "rows"):
        checks.add_column(column, overflow="fold")
    for c in sorted((c for c in r.checks if c.outcome != "passed"), key=lambda c: c.outcome != "failed"):
        checks.add_row(f"[{OUTCOME_STYLE[c.outcome]}]{c.outcome}[/]", escape(c.column or "(table)"), escape(c.check),
                       c.engine, "-" if c.failed_rows is None else str(c.failed_rows))
    passed: dict[str, list[str]] = {}
    for c in r.checks:
        if c.outcome == "passed":
            passed.setdefault(c.column or "(table)", []).append(c.check)
    for column, names in passed.items():
        checks.add_row("[green]passed[/]", escape(column), escape(", ".join(names)), "", "0")
    console.print(checks)
