"""`python -m tests.faults.report --figures`: every proof's figures beside their targets, exit 1 when a target is
unmet or an expected proof's file is missing (fast: no CLI run)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.faults.figures import Figure, met, write_proof
from tests.faults.killing import Round, write_figures


def _report(folder: Path, *expect: str) -> subprocess.CompletedProcess:
    args = [sys.executable, "-m", "tests.faults.report", "--figures", "--dir", str(folder)]
    for proof in expect:
        args += ["--expect", proof]
    return subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=60)


def test_targets_are_read_as_operator_and_number():
    assert met(0, "= 0") and not met(1, "= 0")
    assert met(20, ">= 20") and not met(19, ">= 20")
    assert met(60, "<= 60") and not met(61.5, "<= 60")
    with pytest.raises(ValueError):
        met(1, "about 1")


def test_figures_table_all_met_exits_zero(tmp_path: Path):
    write_proof("alpha", "first", [Figure("half-written versions", 0, "= 0"), Figure("rounds", 20, ">= 20")],
                seed=7, folder=tmp_path)
    document = json.loads((tmp_path / "alpha.json").read_text(encoding="utf-8"))
    assert document == {"proof": "alpha", "title": "first", "seed": 7, "notes": "",
                        "figures": [{"name": "half-written versions", "value": 0, "target": "= 0", "met": True},
                                    {"name": "rounds", "value": 20, "target": ">= 20", "met": True}]}
    out = _report(tmp_path, "alpha")
    assert out.returncode == 0, out.stdout + out.stderr
    row = next(line for line in out.stdout.splitlines() if "half-written" in line).split()
    assert row[0] == "alpha" and row[-3:] == ["=", "0", "yes"] and row[-4] == "0"
    assert "1 proofs, 2 figures, 0 unmet, 0 missing; seeds: alpha 7" in out.stdout


def test_an_unmet_target_or_a_missing_proof_exits_one(tmp_path: Path):
    write_proof("alpha", "first", [Figure("leaks", 2, "= 0")], folder=tmp_path)
    out = _report(tmp_path, "alpha")
    assert out.returncode == 1 and " NO" in out.stdout and "1 unmet" in out.stdout, out.stdout
    write_proof("alpha", "first", [Figure("leaks", 0, "= 0")], folder=tmp_path)
    out = _report(tmp_path, "alpha", "beta")
    assert out.returncode == 1 and "beta" in out.stdout and "1 missing" in out.stdout, out.stdout


def test_kill_figures_are_written_in_the_convention(tmp_path: Path):
    rounds = [Round(0, "random", 1.0, 1.0, rerun_exit=0, rerun_published=3),
              Round(1, "window", 0.1, 2.0, half_written=1, rerun_exit=0, rerun_published=3)]
    flat = write_figures(rounds, 42, "local", tmp_path / "kill-local.json")
    assert flat["half_written"] == 1 and flat["killed"] == 2 and flat["reruns_completed"] == 2
    document = json.loads((tmp_path / "kill-local.json").read_text(encoding="utf-8"))
    assert document["proof"] == "kill-local" and document["seed"] == 42 and len(document["details"]) == 2
    by_name = {f["name"]: f for f in document["figures"]}
    assert by_name["half-written versions visible to readers"] == {
        "name": "half-written versions visible to readers", "value": 1, "target": "= 0", "met": False}
    assert by_name["rounds (kill -9 of satudata run)"]["met"] is False   # 2 rounds, the full count is 20
