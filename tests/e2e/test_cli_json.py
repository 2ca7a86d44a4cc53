"""Every command's --json parses and holds the documented keys, on a portal published by a real run; the run's text
summary has the seconds per stage and what was wrong with the quarantined dataset."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from satudata.cli import app
from satudata.core.files import sha256_file
from tests.unit.test_cli import _plant
from tests.unit.test_cli_docs import JSON_COMMANDS

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

GOOD, BAD = "garis-kemiskinan-jatim", "antrean-nunggu-transparan"
STAGES = ["pull", "validate", "convert", "version", "publish", "lineage"]


def _cli(project: Path, *args: str):
    return CliRunner().invoke(app, [*args, "--catalog", str(project / "catalog.yaml")])


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Path, dict]:
    from tests.conftest import copy_project

    project = copy_project(tmp_path_factory.mktemp("cli-json") / "project")
    bad = _plant(project, [(5, "KODE_KEC", "35.73.09"), (8, "WAKTU_TUNGGU_MNT", "dua puluh")])
    bad.replace(project / "exports/dispendukcapil/antrean_nunggu_transparan_2025-06.csv")
    result = _cli(project, "run", GOOD, BAD, "--portal", str(project / "portal"), "--json")
    assert result.exit_code == 1, result.output
    return project, {"stdout": result.stdout, "stderr": result.stderr}


def _json(project: Path, command: str) -> dict:
    portal = ["--portal", str(project / "portal")]
    args = {"validate": [BAD], "list": portal, "versions": [GOOD, *portal], "lineage": [GOOD, *portal],
            "verify": [GOOD, *portal], "deploy": []}[command]
    result = _cli(project, command, *args, "--json")
    assert result.exit_code == (1 if command == "validate" else 0), result.output
    return json.loads(result.stdout)


def test_run_json_has_every_dataset_with_its_stage_seconds(published):
    project, run = published
    data = json.loads(run["stdout"])
    assert set(data) == {"target", "portal", "ok", "counts", "stages", "datasets"}
    assert data["ok"] is False and data["counts"] == {"published": 1, "quarantined": 1} and data["stages"] == STAGES
    good, bad = data["datasets"]
    assert (good["dataset"], good["status"], good["version"], good["change"]) == (GOOD, "published", "1.0.0",
                                                                                 "initial")
    assert list(good["stages"]) == STAGES and all(s >= 0 for s in good["stages"].values())
    # each figure is rounded to 0.01 s: the stages add up to the whole within their rounding
    assert sum(good["stages"].values()) <= good["seconds"] + 0.005 * (len(good["stages"]) + 1)
    assert bad["status"] == "quarantined" and list(bad["stages"]) == ["pull", "validate"]
    assert Path(bad["report"]).is_file() and Path(bad["report_json"]).name == "validation.json"
    assert re.search(rf"{BAD}: periksa/validate", run["stderr"]), "the progress goes to stderr with --json"


@pytest.mark.parametrize("command", [c for c in JSON_COMMANDS if c != "run"])
def test_every_commands_json_parses(published, command: str):
    project, _ = published
    data = _json(project, command)
    if command == "validate":
        assert data["status"] == "failed" and {(p["field"], p["check"]) for p in data["problems"]} >= {
            ("kode_kecamatan", "foreign-key"), ("waktu_tunggu_menit", "type")}
    elif command == "list":
        latest = {d["id"]: d["latest"] for d in data["datasets"]}
        assert latest[GOOD] == "1.0.0" and latest[BAD] is None
    elif command == "versions":
        (version,) = data["versions"]
        folder = project / "portal" / "bappeda" / GOOD / "1.0.0"
        assert version["version"] == "1.0.0" and version["change"] == {"kind": "initial", "reasons": ["first version"]}
        assert version["lineage_sha256"] == sha256_file(folder / "lineage.jsonl")
    elif command == "lineage":
        assert [v["version"] for v in data["timeline"]] == ["1.0.0"] and data["lineage_head"]
    elif command == "verify":
        assert data["ok"] is True and data["counts"] == {"OK": len(data["findings"])}
    elif command == "deploy":
        assert len(data["deployments"]) == 13


def test_run_summary_shows_seconds_per_stage_and_what_was_wrong(published):
    project, _ = published
    result = _cli(project, "run", GOOD, BAD, "--portal", str(project / "portal"))
    assert result.exit_code == 1
    out = result.stdout
    assert "detik per tahap / seconds per stage" in out
    assert re.search(rf"│ {BAD}\s+│\s+[\d.]+ │\s+[\d.]+ │\s+- │", out), out   # pull and validate ran, no more
    assert re.search(rf"│ {GOOD}\s+│\s+- │\s+- │", out), out                 # unchanged: no stage ran
    region = r"│ kode_kecamatan\s+│ foreign-key\s+│ kode-wilayah\S*\s+│\s+1 │ baris/row 5: '35\.73\.09'"
    assert re.search(region, out), out
    assert "Use the official dotted Permendagri 72/2019" in " ".join(out.split())
    assert "1 quarantined, 1 unchanged" in out
