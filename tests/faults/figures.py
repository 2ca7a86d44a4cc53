"""The figures of a fault proof, as `make faults` prints them (the convention shared by every proof).

Each proof test writes ``$SATUDATA_FAULTS_DIR/<proof>.json`` (default ``<repo>/.satudata/faults/``)::

    {"proof": "<proof id>", "title": "<one line>", "seed": <int or null>,
     "figures": [{"name": "<what is counted>", "value": <number>, "target": "<op> <number>", "met": <bool>}],
     "notes": "<optional>"}

and asserts its targets too (``assert_met``). ``python -m tests.faults.report --figures`` prints every proof's
figures beside their targets and exits non-zero when one is unmet or an expected proof's file is missing.
"""

from __future__ import annotations

import json
import operator
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from tests.conftest import REPO

OPERATORS = {"=": operator.eq, "==": operator.eq, ">=": operator.ge, "<=": operator.le, ">": operator.gt,
             "<": operator.lt}


def faults_dir() -> Path:
    return Path(os.environ.get("SATUDATA_FAULTS_DIR", REPO / ".satudata" / "faults"))


def met(value: float, target: str) -> bool:
    op, _, number = target.strip().partition(" ")
    if op not in OPERATORS:
        raise ValueError(f"target {target!r}: expected '<op> <number>' with op one of {sorted(OPERATORS)}")
    return bool(OPERATORS[op](value, float(number)))


@dataclass
class Figure:
    name: str
    value: float
    target: str

    @property
    def met(self) -> bool:
        return met(self.value, self.target)

    def as_dict(self) -> dict:
        return {**asdict(self), "met": self.met}


def write_proof(proof: str, title: str, figures: list[Figure] | list[dict], seed: int | None = None, notes: str = "",
                folder: Path | None = None, **extra: object) -> dict:
    """Write ``<proof>.json``; ``extra`` keys (e.g. per-round details) are kept beside the convention's."""
    document = {"proof": proof, "title": title, "seed": seed,
                "figures": [f.as_dict() if isinstance(f, Figure) else f for f in figures],
                "notes": notes, **extra}
    path = (folder or faults_dir()) / f"{proof}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
    return document


def unmet(document: dict) -> list[dict]:
    return [f for f in document["figures"] if not f["met"]]


def assert_met(document: dict) -> None:
    missed = unmet(document)
    assert not missed, f"{document['proof']}: targets not met: {missed}"
