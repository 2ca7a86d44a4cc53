"""The privacy corpus through the real flow (`satudata run`): personal data planted in every form is blocked when no
treatment is declared, and published only treated when one is — with no planted value in any published file, in
the quarantine's reports, in the command's output or in the logs."""

from __future__ import annotations

import csv
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from satudata.cli import app
from satudata.core.catalog import load_catalog
from satudata.core.settings import RunSettings
from satudata.flows.publish import with_concurrency
from satudata.publish.local import LocalPortal
from satudata.validators.privacy import hash_value, mask_value
from tests.privacy.corpus import (
    BLOCKED,
    INSTITUTION_EMAILS,
    NIK_1,
    NIK_4,
    TREATED,
    CorpusDataset,
    Pii,
    corpus,
    write_project,
)
from tests.privacy.leaks import Needles, detector_findings, leaks, published_files

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]
DATASETS = corpus()
SECRETS = Needles.of(set().union(*(d.secrets() for d in DATASETS)))


@contextmanager
def captured_logs() -> Iterator[list[str]]:
    """Every log record of the run (Prefect's at INFO too), formatted with its traceback."""
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = Keep(logging.DEBUG)
    loggers = [logging.getLogger(), logging.getLogger("prefect")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
    loggers[1].setLevel(logging.INFO)
    try:
        yield records
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)


@pytest.fixture(scope="module")
def corpus_run(prefect_harness, tmp_path_factory) -> tuple[Path, str, list[str], int]:
    root = tmp_path_factory.mktemp("privacy-corpus")
    catalog = write_project(root)
    with captured_logs() as logs:
        result = CliRunner().invoke(app, ["run", "--catalog", str(catalog), "--portal", str(root / "portal")])
    return root, result.output, logs, result.exit_code


def _portal(root: Path) -> LocalPortal:
    return LocalPortal(load_catalog(root / "catalog.yaml"), root / "portal")


def _quarantined_report(root: Path, dataset: CorpusDataset) -> Path:
    (folder,) = sorted((root / "quarantine" / dataset.variant(BLOCKED)).iterdir())
    return folder


def _published(root: Path, dataset: CorpusDataset) -> Path:
    name = dataset.variant(TREATED)
    return _portal(root).version_dir(load_catalog(root / "catalog.yaml").dataset(name), "1.0.0")


def _csv(folder: Path) -> tuple[list[str], list[dict[str, str]]]:
    with (folder / "data.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def test_untreated_exports_are_quarantined_and_nothing_of_them_is_published(corpus_run) -> None:
    root, output, _, exit_code = corpus_run
    assert exit_code == 1   # a quarantined dataset makes the run fail
    portal = _portal(root)
    catalog = load_catalog(root / "catalog.yaml")
    for dataset in DATASETS:
        blocked = catalog.dataset(dataset.variant(BLOCKED))
        assert portal.versions(blocked) == [] and not portal.dataset_dir(blocked).exists()
        report = json.loads((_quarantined_report(root, dataset) / "validation.json").read_text(encoding="utf-8"))
        assert report["status"] == "failed"
        assert portal.versions(catalog.dataset(dataset.variant(TREATED))) == ["1.0.0"]
    lines = {line.split("│")[1].strip(): line for line in output.splitlines() if line.count("│") > 3}
    for dataset in DATASETS:
        assert "quarantined" in lines[dataset.variant(BLOCKED)] and "published" in lines[dataset.variant(TREATED)]


def test_quarantine_report_names_each_column_and_its_row_count(corpus_run) -> None:
    root, _, _, _ = corpus_run
    for dataset in DATASETS:
        report = json.loads((_quarantined_report(root, dataset) / "validation.json").read_text(encoding="utf-8"))
        pii = {(r["field"], r["detail"]): r for r in report["results"] if r["check"] == "pii" and r["count"]}
        assert {key: r["count"] for key, r in pii.items()} == dataset.expected_findings(), dataset.id
        for result in pii.values():
            assert result["severity"] == "error" and result["field"] in result["message"]["en"]
            assert result["examples"] and all("*" in x["value"] and x["row"] for x in result["examples"])


def test_no_planted_value_in_quarantine_reports_cli_output_or_logs(corpus_run) -> None:
    root, output, logs, _ = corpus_run
    for dataset in DATASETS:
        folder = _quarantined_report(root, dataset)
        for name in ("validation.json", "validation.html"):
            assert leaks(folder / name, SECRETS) == [], (dataset.id, name)
            assert detector_findings(folder / name, INSTITUTION_EMAILS) == [], (dataset.id, name)
    assert "quarantined" in output and SECRETS.in_text(output) == set()
    assert logs and SECRETS.in_text("\n".join(logs)) == set()


def test_validate_command_names_the_columns_and_shows_no_value(corpus_run) -> None:
    root, _, _, _ = corpus_run
    dataset = DATASETS[0]
    result = CliRunner().invoke(app, ["validate", dataset.variant(BLOCKED), "--catalog", str(root / "catalog.yaml")])
    assert result.exit_code == 1
    shown = {(line.split("│")[1].strip(), line.split("│")[2].strip()) for line in result.output.splitlines()
             if line.count("│") > 4}
    assert {(column, "pii") for column, _ in dataset.expected_findings()} <= shown
    assert SECRETS.in_text(result.output) == set()


def test_treated_variants_publish_no_planted_value_in_any_file(corpus_run) -> None:
    root, _, _, _ = corpus_run
    files = published_files(root / "portal")
    assert {f.name for f in files} >= {"data.csv", "data.parquet", "datapackage.json", "validation.json",
                                       "validation.html", "lineage.jsonl", "index.json"}
    for path in files:
        assert leaks(path, SECRETS) == [], path
        assert detector_findings(path, INSTITUTION_EMAILS) == [], path


def _text_of(cell: object) -> str | None:
    """The typed text of a cell, as the treatment sees it (a float NIK reads as its digits)."""
    value = cell.written if isinstance(cell, Pii) else cell
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and "e+" in value.lower():
        return str(int(float(value)))
    return value.removesuffix(".0") if isinstance(value, str) and value.endswith(".0") else str(value)


def test_published_files_carry_exactly_the_declared_treatment(corpus_run) -> None:
    root, _, _, _ = corpus_run
    salt = os.environ["SATUDATA_PRIVACY_SALT"]
    for dataset in DATASETS:
        folder = _published(root, dataset)
        header, rows = _csv(folder)
        removed = {name for name, treatment in dataset.treatments.items() if treatment in ("drop", "aggregate-only")}
        kept = [f["name"] for f in dataset.fields if f["name"] not in removed]
        assert header == kept == pq.read_schema(folder / "data.parquet").names, dataset.id
        parquet = pq.read_table(folder / "data.parquet").to_pylist()
        for name, treatment in dataset.treatments.items():
            if name not in kept:
                continue
            expected = []
            for cell in dataset.column(name):
                text = _text_of(cell)
                expected.append(None if text is None else
                                mask_value(text) if treatment == "mask" else hash_value(text, salt))
            assert [row[name] or None for row in rows] == expected, (dataset.id, name)
            assert [row[name] for row in parquet] == expected, (dataset.id, name)
            if treatment == "mask":
                for cell, masked in zip(dataset.column(name), expected, strict=True):
                    if isinstance(cell, Pii) and "@" not in masked:
                        digits = "".join(ch for ch in _text_of(cell) if ch.isdigit())
                        shown = "".join(ch for ch in masked if ch.isdigit())
                        assert shown == digits[:2] + digits[-2:] and masked.count("*") == len(digits) - 4


def test_one_person_hashes_alike_in_every_layout_and_dataset(corpus_run) -> None:
    root, _, _, _ = corpus_run
    by_dataset = {d.id: _csv(_published(root, d))[1] for d in DATASETS}
    text_rows, number_rows = by_dataset["bansos-csv-teks"], by_dataset["bansos-csv-angka"]
    assert text_rows[0]["nik"] == text_rows[1]["nik"]          # 3573014509870002 and "3573 0145 0987 0002"
    assert text_rows[0]["nik"] == number_rows[0]["nomor_induk"]  # … and the integer 3573014509870002
    assert text_rows[4]["nik"] == hash_value(NIK_4, os.environ["SATUDATA_PRIVACY_SALT"])   # "'3578…" (Excel)
    assert text_rows[0]["nik"] == hash_value(NIK_1, os.environ["SATUDATA_PRIVACY_SALT"])


def test_hashes_are_stable_for_one_salt_and_change_with_another(corpus_run, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    root, _, _, _ = corpus_run
    dataset = DATASETS[0]
    first = [row["nik"] for row in _csv(_published(root, dataset))[1]]

    def publish_again(salt: str, where: Path) -> list[str]:
        monkeypatch.setenv("SATUDATA_PRIVACY_SALT", salt)
        catalog = write_project(where, [dataset], (TREATED,))
        settings = RunSettings.from_environment(catalog, portal_dir=where / "portal")
        (outcome,) = with_concurrency(1)([dataset.variant(TREATED)], settings.to_dict())
        assert outcome["status"] == "published", outcome
        folder = LocalPortal(load_catalog(catalog), where / "portal").version_dir(
            load_catalog(catalog).dataset(dataset.variant(TREATED)), "1.0.0")
        return [row["nik"] for row in _csv(folder)[1]]

    assert publish_again(os.environ["SATUDATA_PRIVACY_SALT"], tmp_path / "same") == first
    other = publish_again("another-secret-salt", tmp_path / "other")
    assert all(a != b for a, b in zip(first, other, strict=True) if a)
    assert [bool(a) for a in first] == [bool(b) for b in other]


def test_privacy_figures_for_make_faults(corpus_run) -> None:
    """The corpus proof's figures (tests/faults/figures.py): planted values, and leaks of any of them found in every
    published file, every quarantine report, the command's output and the logs (digits-only forms included)."""
    from tests.faults.figures import Figure, assert_met, write_proof

    root, output, logs, _ = corpus_run
    published = published_files(root / "portal")
    reports = [p for p in published_files(root / "quarantine") if p.name in ("validation.json", "validation.html")]
    leaked_files = sum(1 for path in published + reports if leaks(path, SECRETS))
    leaked_values = set().union(*(set(leaks(path, SECRETS)) for path in published + reports)) | \
        SECRETS.in_text(output) | SECRETS.in_text("\n".join(logs))
    document = write_proof(
        "privacy", "Planted personal data (NIK, KK, phone, e-mail in every form) through the gate, untreated, treated",
        [Figure("planted values (distinct)", len(SECRETS.by_needle), ">= 20"),
         Figure("corpus datasets (csv, xlsx, json), each untreated and treated", len(DATASETS), ">= 4"),
         Figure("files grepped (published and quarantine reports)", len(published) + len(reports), ">= 20"),
         Figure("files holding a planted value", leaked_files, "= 0"),
         Figure("planted values found anywhere (files, CLI output, logs)", len(leaked_values), "= 0")])
    assert_met(document)
