"""The figures of the bad-input corpus (proof id "bad-inputs"), in the shape `make faults` prints: how many cases
and modes ran, how many met every criterion, and how many broke each one (a traceback, over 60 s, over 1 GiB, the
portal changed). Written by the quick form (tests/faults/test_bad_inputs_quick.py) and by the full form
(tests/faults/test_bad_inputs.py, its last test) to ``$SATUDATA_FAULTS_DIR/bad-inputs.json``."""

from __future__ import annotations

import json
import time
from pathlib import Path

from tests.faults.corpus import SEED
from tests.faults.figures import faults_dir, met, write_proof
from tests.faults.measure import RSS_LIMIT_MB, TIME_LIMIT

PROOF = "bad-inputs"


def figures(results: list[dict], form: str, cases: int) -> dict:
    """results: Result.as_dict() of every case and mode that ran; cases: how many corpus cases they cover."""
    over_time = sum(1 for r in results if r["killed"] == "timeout" or r["seconds"] > TIME_LIMIT)
    over_memory = sum(1 for r in results if r["killed"] == "memory" or r["peak_rss_mb"] > RSS_LIMIT_MB)
    passed = sum(1 for r in results if r["passed"])
    rows = [
        ("cases", cases, f">= {cases}"),
        ("case runs (validate and run)", len(results), f">= {cases}"),
        ("passed", passed, f">= {len(results)}"),
        ("failed", len(results) - passed, "= 0"),
        ("with traceback", sum(1 for r in results if r["traceback"]), "= 0"),
        ("over time (60 s)", over_time, "= 0"),
        ("over memory (1 GiB)", over_memory, "= 0"),
        ("portal changed", sum(1 for r in results if r["portal_changed"]), "= 0"),
        ("exit code 0", sum(1 for r in results if r["exit_code"] == 0), "= 0"),
        ("export or row/column/key not named", sum(1 for r in results if not r["file_named"] or r["missing_names"]),
         "= 0"),
    ]
    modes = sorted({r["mode"] for r in results})
    failing = sorted({f"{r['case']} ({r['mode']})" for r in results if not r["passed"]})
    return {
        "proof": PROOF,
        "title": "Bad-input corpus: every malformed export refused clearly, no traceback, <= 60 s, <= 1 GiB, "
                 "portal unchanged",
        "seed": SEED,
        "figures": [{"name": name, "value": value, "target": target, "met": met(value, target)}
                    for name, value, target in rows],
        "notes": f"{form} form, modes: {', '.join(modes)}; written {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}"
                 + (f"; failing: {', '.join(failing)}" if failing else ""),
    }


def write(data: dict) -> dict:
    """``bad-inputs.json`` in the figures convention (tests/faults/figures.py)."""
    return write_proof(data["proof"], data["title"], data["figures"], data["seed"], data["notes"])


def full_form_written_since(started: float, path: Path | None = None) -> bool:
    """Whether the full form wrote the figures after ``started`` (then the quick form, run later in the same
    `make faults`, leaves them: the full counts are the ones to print)."""
    path = path or faults_dir() / f"{PROOF}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return path.stat().st_mtime >= started and str(data.get("notes", "")).startswith("full form")
