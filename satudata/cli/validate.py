"""`satudata validate`: check an export, print what is wrong and how to fix it; publishes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from satudata.cli.common import CatalogOption, DatasetArgument, ExitCode, Invocation, JsonOption, print_json
from satudata.cli.problems import print_summary, problem_rows


def validate(dataset: DatasetArgument,
             file: Annotated[Path | None, typer.Argument(help="Check this export instead of the declared source.",
                                                         metavar="FILE", show_default=False)] = None,
             catalog: CatalogOption = Path("catalog.yaml"), as_json: JsonOption = False) -> None:
    """Check an export against the dataset's schema, suite and privacy rules; publishes nothing.

    Prints each problem with its first example row, column and value and the fix (Bahasa Indonesia and English),
    as many as fit on a screen; the whole report is written to .satudata/reports/. Exits 1 when the export would be
    quarantined.
    """
    inv = Invocation.open(catalog, prefect=True)
    inv.dataset_ids([dataset])
    from satudata.flows.check import check_export

    report, folder = check_export(inv.catalog, inv.settings, dataset, file)
    data = report.as_dict()
    html, json_path = folder / "validation.html", folder / "validation.json"
    if as_json:
        print_json(validation_json(data, html, json_path))
    else:
        print_summary(data, str(html), inv.out)
        inv.out.print(f"Laporan / report: [bold]{escape(str(html))}[/] (JSON: {escape(str(json_path))})",
                      soft_wrap=True)
    if report.blocked:
        raise typer.Exit(int(ExitCode.PROBLEM))


def validation_json(data: dict, html: Path, json_path: Path) -> dict:
    summary = data["summary"]
    problems = []
    for result, fix_id, fix_en in problem_rows(data):
        first = (result.get("examples") or [None])[0]
        problems.append({
            "field": result["field"], "check": result["check"], "engine": result["engine"],
            "severity": result["severity"], "rule": result["detail"], "count": result["count"],
            "first": {"file": first["file"], "row": first["row"], "value": first["value"]} if first else None,
            "message": result["message"], "fix": {"id": fix_id, "en": fix_en}})
    return {"dataset": data["dataset"], "status": data["status"], "row_count": data["row_count"],
            "errors": summary["errors"], "warnings": summary["warnings"], "fatal": data["fatal"],
            "problems": problems, "report": {"html": str(html), "json": str(json_path)}}
