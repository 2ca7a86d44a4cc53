"""The CLI without a flow run: --version, validate's summary and JSON, list/versions JSON, exit codes."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from satudata.cli import app
from satudata.cli.common import ExitCode
from satudata.cli.problems import SCREEN_LINES, fix_of, print_summary
from satudata.validators.messages import explain
from tests.conftest import REPO

DATASET = "antrean-nunggu-transparan"
EXPORT = "exports/dispendukcapil/antrean_nunggu_transparan_2025-06.csv"


def cli(*args: str, env: dict | None = None):
    return CliRunner().invoke(app, list(args), env=env)


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True, check=True).stdout.strip()


def test_version_names_the_package_version_and_the_git_commit_of_the_code():
    result = cli("--version")
    assert result.exit_code == 0
    match = re.fullmatch(r"satudata (\S+) \(git ([0-9a-f]{40})(, uncommitted changes)?\)\n", result.output)
    assert match, result.output
    assert match.group(1) == "0.1.0" and match.group(2) == _git("rev-parse", "HEAD")
    assert bool(match.group(3)) == bool(_git("status", "--porcelain", "--untracked-files=no"))


def test_version_outside_a_git_checkout(tmp_path: Path):
    """The same code copied out of the repository (as a wheel installs it) says it is not a git checkout."""
    package = tmp_path / "src" / "satudata"
    shutil.copytree(REPO / "satudata", package, ignore=shutil.ignore_patterns("__pycache__"))
    for folder in ("flows", "validators", "publish"):   # the package-dir mapping of pyproject.toml
        shutil.copytree(REPO / folder, package / folder, ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "src")}
    out = subprocess.run([sys.executable, "-m", "satudata.cli", "--version"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "satudata 0.1.0 (not a git checkout)\n"


def _plant(project: Path, cells: list[tuple[int, str, str]]) -> Path:
    """A copy of the queue log with (row, column, value) changed; row numbers count the header as row 1."""
    lines = (project / EXPORT).read_text(encoding="latin-1").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(";")
    for row, column, value in cells:
        cells_of_row = lines[row - 1].rstrip("\n").split(";")
        cells_of_row[header.index(column)] = value
        lines[row - 1] = ";".join(cells_of_row) + "\n"
    bad = project / "antrean_rusak.csv"
    bad.write_text("".join(lines), encoding="latin-1")
    return bad


MANY = [(5, "KODE_KEC", "35.73.09"), (8, "WAKTU_TUNGGU_MNT", "dua puluh"), (9, "WAKTU_TUNGGU_MNT", "-5"),
        (12, "JENIS_LAYANAN", "Paspor"), (14, "TGL_AMBIL", "31/02/2025"), (15, "JAM_AMBIL", "25:61:00"),
        (16, "RATING", "9"), (17, "ID_ANTREAN", "ANT-1"), (18, "PETUGAS", ""), (19, "NIK", "1234")]


def test_validate_json_has_every_problem_with_its_first_example_and_fix(project: Path):
    bad = _plant(project, MANY)
    result = cli("validate", DATASET, str(bad), "--catalog", str(project / "catalog.yaml"), "--json")
    assert result.exit_code == ExitCode.PROBLEM, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"dataset", "status", "row_count", "errors", "warnings", "fatal", "problems", "report"}
    assert data["dataset"] == DATASET and data["status"] == "failed" and data["fatal"] is None
    assert Path(data["report"]["html"]).is_file() and Path(data["report"]["json"]).is_file()
    report = json.loads(Path(data["report"]["json"]).read_text(encoding="utf-8"))
    assert len(data["problems"]) == sum(1 for r in report["results"] if r["count"])
    found = {(p["field"], p["check"]): p for p in data["problems"]}
    region = found[("kode_kecamatan", "foreign-key")]
    assert region["first"] == {"file": bad.name, "row": 5, "value": "35.73.09"} and region["severity"] == "error"
    assert region["fix"]["id"].startswith("Gunakan kode resmi") and region["fix"]["en"].startswith("Use the official")
    wait = found[("waktu_tunggu_menit", "type")]
    assert wait["first"]["row"] == 8 and wait["first"]["value"] == "dua puluh" and wait["rule"].startswith("number")
    for problem in data["problems"]:
        assert problem["fix"]["id"] in problem["message"]["id"] and problem["fix"]["en"] in problem["message"]["en"]
    assert [p["severity"] for p in data["problems"]] == sorted(p["severity"] for p in data["problems"])


def test_validate_summary_shows_row_column_value_and_fix_and_fits_one_screen(project: Path):
    bad = _plant(project, MANY)
    result = cli("validate", DATASET, str(bad), "--catalog", str(project / "catalog.yaml"))
    assert result.exit_code == ExitCode.PROBLEM
    lines = result.output.splitlines()
    more = next(i for i, line in enumerate(lines) if line.startswith("… "))
    table = lines[1:more]                    # after the title line, up to "… N lagi / more"
    assert 4 <= len(table) <= SCREEN_LINES, "\n".join(table)
    assert re.fullmatch(r"… (\d+) lagi / more: lihat / see (\S+validation\.html)", lines[more])
    hidden, path = re.fullmatch(r"… (\d+) lagi / more: lihat / see (\S+)", lines[more]).groups()
    report = json.loads(Path(path).with_name("validation.json").read_text(encoding="utf-8"))
    shown = [line for line in table if line.startswith("│ ") and line.split("│")[1].strip()]
    assert len(shown) + int(hidden) == sum(1 for r in report["results"] if r["count"])
    first = shown[0]   # errors first: the structure and the Table Schema's checks before the suite's
    assert all(word in " ".join(table) for word in ("kolom/column", "contoh/example", "perbaiki / fix"))
    assert "baris/row" in first and "'" in first


def test_narrow_terminal_lists_the_problems_one_under_another(project: Path):
    bad = _plant(project, MANY)
    result = cli("validate", DATASET, str(bad), "--catalog", str(project / "catalog.yaml"), "--json")
    report = json.loads(Path(json.loads(result.stdout)["report"]["json"]).read_text(encoding="utf-8"))
    out = io.StringIO()
    print_summary(report, "/r/validation.html", Console(file=out, width=80))
    lines = out.getvalue().splitlines()
    assert "│" not in out.getvalue() and all(len(line) <= 80 for line in lines)
    assert len(lines) <= SCREEN_LINES + 1 and lines[-1].startswith("… ") and lines[-1].endswith("/r/validation.html")
    first = next(line for line in lines if line.startswith("✗ "))
    assert first.startswith("✗ layanan · enum (KTP-el, KK") and first.endswith("· 1 · baris/row 12: 'Paspor'")


def test_fix_is_the_message_after_its_first_sentence_even_with_dots_in_the_value():
    message = explain("type", "alamat", "number", "Jl. Ahmad Yani. No 5")
    assert fix_of(message["id"], "Jl. Ahmad Yani. No 5", "alamat", "number") == \
        "Perbaiki isinya, atau kosongkan bila memang tidak ada nilainya."
    assert fix_of(message["en"], "Jl. Ahmad Yani. No 5", "alamat", "number") == \
        "Correct it, or leave the cell empty if there is no value."
    one_sentence = explain("gx:expect_column_to_exist", "x", None, None, {"column": "x"})["en"]
    assert fix_of(one_sentence, None, "x", None) == one_sentence


def test_an_unreadable_export_gets_one_message_naming_the_file(project: Path):
    empty = project / "kosong.csv"
    empty.write_bytes(b"")
    result = cli("validate", DATASET, str(empty), "--catalog", str(project / "catalog.yaml"), "--json")
    assert result.exit_code == ExitCode.PROBLEM
    data = json.loads(result.stdout)
    assert data["fatal"]["file"] == "kosong.csv" and data["fatal"]["message"]["en"] and data["problems"] == []


def test_list_and_versions_json_with_nothing_published(project: Path):
    common = ["--catalog", str(project / "catalog.yaml"), "--portal", str(project / "portal"), "--json"]
    listed = json.loads(cli("list", *common).stdout)
    assert set(listed) == {"title", "portal", "datasets"} and listed["portal"] == str(project / "portal")
    assert [d["id"] for d in listed["datasets"]][:2] == ["kode-wilayah", "sekolah-kota-malang"]
    assert all(d["versions"] == [] and d["latest"] is None for d in listed["datasets"])
    assert {"kind", "format"} == set(listed["datasets"][0]["source"])
    assert json.loads(cli("versions", DATASET, *common).stdout) == {"dataset": DATASET, "versions": []}


def test_deploy_json_names_every_deployment(tmp_path: Path):
    result = cli("deploy", "--catalog", str(REPO / "catalog.yaml"), "--json", "--write", str(tmp_path / "p.yaml"))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["written"] == str(tmp_path / "p.yaml") and data["applied"] is None and data["timezone"]
    assert {d["dataset"] for d in data["deployments"]} >= {DATASET, "kode-wilayah"}
    assert all(d["name"] == f"publish_dataset/{d['dataset']}" and d["cron"] for d in data["deployments"])


@pytest.mark.parametrize("args", [
    ["validate", "no-such-dataset"], ["versions", "no-such-dataset"], ["lineage", "no-such-dataset"],
    ["verify", "no-such-dataset"], ["run", "no-such-dataset"], ["run", "--target", "ftp"],
    ["verify", "--format", "xml"], ["lineage", DATASET, "--json", "--format", "html"], ["no-such-command"],
    ["run", "--concurrency", "0"],
], ids=lambda a: " ".join(a))
def test_bad_usage_exits_2(project: Path, args: list[str]):
    result = cli(*args, "--catalog", str(project / "catalog.yaml"))
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "Traceback" not in result.output


def test_deploy_apply_without_a_prefect_server_exits_2(project: Path):
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    result = CliRunner().invoke(app, ["deploy", "--apply", "--catalog", str(project / "catalog.yaml")], env=env)
    assert result.exit_code == ExitCode.USAGE and "PREFECT_API_URL" in result.output


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]   # closed again when the block ends: nothing listens there


@pytest.mark.parametrize("command", ["verify", "lineage"])
def test_an_unreachable_target_exits_3(project: Path, command: str):
    env = {"SATUDATA_CKAN_URL": f"http://127.0.0.1:{_closed_port()}", "SATUDATA_CKAN_TOKEN": "token-not-secret"}
    result = cli(command, DATASET, "--target", "ckan", "--catalog", str(project / "catalog.yaml"), env=env)
    assert result.exit_code == ExitCode.UNREACHABLE, result.output
    assert "cannot reach CKAN" in " ".join(result.output.split())


def test_a_target_with_no_token_exits_2(project: Path):
    env = {"SATUDATA_CKAN_URL": "http://127.0.0.1:9", "SATUDATA_CKAN_TOKEN": ""}
    result = cli("verify", "--target", "ckan", "--catalog", str(project / "catalog.yaml"), env=env)
    assert result.exit_code == ExitCode.USAGE and "SATUDATA_CKAN_TOKEN" in result.output
