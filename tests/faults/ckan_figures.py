"""Figures of the CKAN and two-run proofs, in the shape `make faults` prints (tests/faults/report.py --figures):
``{"proof", "title", "seed", "figures": [{"name", "value", "target", "met"}], "notes"}`` written to
``$SATUDATA_FAULTS_DIR/<proof>.json`` (default ``<repo>/.satudata/faults/``)."""

from __future__ import annotations

import json
import operator
import os
from pathlib import Path

from tests.conftest import REPO

OPERATORS = {"=": operator.eq, ">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}


def faults_dir() -> Path:
    return Path(os.environ.get("SATUDATA_FAULTS_DIR", REPO / ".satudata" / "faults"))


def figure(name: str, value: float, target: str) -> dict:
    """One counted thing beside its target, e.g. ``figure("duplicate resources", 0, "= 0")``."""
    op, number = target.split()
    return {"name": name, "value": value, "target": target, "met": bool(OPERATORS[op](value, float(number)))}


def write_proof(proof: str, title: str, seed: int | None, figures: list[dict], notes: str = "",
                details: list | None = None) -> dict:
    """Write the proof's figures (and, for reading, its per-round details); return the written object."""
    written = {"proof": proof, "title": title, "seed": seed, "figures": figures, "notes": notes}
    if details is not None:
        written["details"] = details
    path = faults_dir() / f"{proof}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(written, indent=2, ensure_ascii=False), encoding="utf-8")
    return written


def unmet(written: dict) -> list[dict]:
    return [f for f in written["figures"] if not f["met"]]
