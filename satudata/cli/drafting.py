"""`satudata checks` (every check the pipeline runs) and `satudata describe` (a first catalogue entry, Table Schema
and suite drafted from a raw export): the steward's references for writing a dataset's folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from satudata.cli.common import CatalogOption, ExitCode, JsonOption, consoles, fail, print_json

Engine = Annotated[str | None, typer.Option("--engine", help="Only the checks of one engine: structure, "
                                                             "table-schema, great-expectations or privacy.")]
Write = Annotated[bool, typer.Option("--write", help="Write datasets/<id>/schema.yaml, expectations.json and "
                                                     "catalog-entry.yaml into the project (never over existing "
                                                     "files).")]


def checks(engine: Engine = None, as_json: JsonOption = False) -> None:
    """Every check the pipeline can report: its type, engine, default severity, what it checks and how to fix it, in
    Bahasa Indonesia and English."""
    from satudata.validators.checks.record import ENGINES
    from satudata.validators.checks.render import listing, table

    out, err = consoles()
    if engine is not None and engine not in ENGINES:
        fail(err, f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
    if as_json:
        print_json(listing(engine))
        return
    out.print(table(listing(engine)))


def describe(file: Annotated[Path, typer.Argument(metavar="FILE", help="The raw export to draft from.")],
             catalog: CatalogOption = Path("catalog.yaml"), write: Write = False,
             as_json: JsonOption = False) -> None:
    """Draft a catalogue entry, a schema.yaml and a starter suite from a raw export: the delimiter, decimal comma,
    thousands separator, header rows, Indonesian month names, codes with leading zeros and region-code columns
    (with their foreign key to kode-wilayah) are inferred. Edit the drafts; nothing is published."""
    from satudata.core.problems import ExportUnreadable
    from satudata.sources.describe import draft

    out, err = consoles()
    if not file.is_file():
        fail(err, f"{file}: no such file")
    root = catalog.resolve().parent   # the project: exports named relative to it, its kode-wilayah read
    try:
        drafted = draft(file.resolve(), root)
    except ExportUnreadable as exc:
        fail(err, f"{exc.file}: {exc.message_id} / {exc.message_en}", ExitCode.FAILED)
    written = _write(drafted, root) if write else []
    if as_json:
        print_json({"dataset": drafted.dataset_id, "entry": drafted.entry, "schema": drafted.schema,
                    "suite": drafted.suite, "notes": drafted.notes, "written": [str(p) for p in written]})
        return
    out.print(f"[bold]# catalog.yaml → datasets:[/bold]\n{drafted.entry_yaml}", markup=True, highlight=False)
    out.print(f"[bold]# datasets/{drafted.dataset_id}/schema.yaml[/bold]\n{drafted.schema_yaml}", highlight=False)
    out.print(f"[bold]# datasets/{drafted.dataset_id}/expectations.json[/bold]\n{drafted.suite_json}", highlight=False)
    for note in drafted.notes:
        out.print(f"[yellow]periksa / check:[/yellow] {note}", highlight=False)
    for path in written:
        out.print(f"ditulis / written: {path}")


def _write(drafted: object, root: Path) -> list[Path]:
    folder = root / "datasets" / drafted.dataset_id
    files = {folder / "schema.yaml": drafted.schema_yaml, folder / "expectations.json": drafted.suite_json,
             folder / "catalog-entry.yaml": drafted.entry_yaml}
    _, err = consoles()
    existing = [p for p in files if p.exists()]
    if existing:
        fail(err, f"{existing[0]} exists already: the draft never overwrites a file")
    folder.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    return list(files)
