"""`satudata validate`: the same source and validation stages as a run, with no flow and nothing published."""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from satudata.core.catalog import Catalog, load_schema
from satudata.core.problems import ExportUnreadable
from satudata.core.records import RawExport
from satudata.core.settings import RunSettings
from satudata.sources.pull import _record, declared_name, pull
from satudata.sources.read import read_exports
from satudata.sources.references import reference_tables
from satudata.validators.report import ValidationReport
from satudata.validators.report_html import write_html
from satudata.validators.validate import unreadable_report, validate_staged


def check_export(catalog: Catalog, settings: RunSettings, dataset_id: str,
                 file: Path | None = None) -> tuple[ValidationReport, Path]:
    dataset = catalog.dataset(dataset_id)
    schema = load_schema(catalog, dataset_id)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder = settings.state_dir() / "reports" / dataset_id / stamp
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.state_dir()) as tmp:
        work = Path(tmp)
        raws: list[RawExport] = []
        try:
            if file is not None:
                (work / "raw").mkdir()
                copy = work / "raw" / file.name
                shutil.copyfile(file, copy)
                raws = [_record(copy, declared_name(file, catalog.root), dataset.source.format or "csv")]
            else:
                raws = pull(dataset.source, catalog.root, work / "raw")
            staged = read_exports(raws, dataset.source.options, schema["fields"], work / "staged.parquet")
        except (ExportUnreadable, FileNotFoundError) as exc:
            name = getattr(exc, "file", str(file))
            report = unreadable_report(dataset_id, raws, name, getattr(exc, "message_id", str(exc)),
                                       getattr(exc, "message_en", str(exc)))
        else:
            references = reference_tables(catalog, schema, settings.state_dir() / "cache" / "references")
            report = validate_staged(dataset_id, raws, staged, schema, catalog.suite_path(dataset_id), references,
                                     work).report
    report.write_json(folder / "validation.json")
    write_html(report, folder / "validation.html")
    return report, folder
