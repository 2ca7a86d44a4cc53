"""Figures of the CKAN and two-run proofs, in the shape `make faults` prints (tests/faults/report.py --figures):
``{"proof", "title", "seed", "figures": [{"name", "value", "target", "met"}], "notes"}`` written to
``$SATUDATA_FAULTS_DIR/<proof>.json`` (default ``<repo>/.satudata/faults/``)."""

from __future__ import annotations

import json
import operator
import os
from pathlib import Path

import pytest
from ckanapi import RemoteCKAN

from tests.ckan.conftest import ckan_env
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


@pytest.fixture(scope="session")
def ckan_site(ckan_env: dict[str, str]) -> tuple[dict[str, str], RemoteCKAN]:
    """The real CKAN harness (URL and token from the environment, as tests/ckan/conftest.py checks them) and a
    sysadmin client for the proofs' own look at it. Import it with ``ckan_env`` into a proof module."""
    return ckan_env, RemoteCKAN(ckan_env["url"], apikey=ckan_env["token"])


__all__ = ["ckan_env", "ckan_site", "faults_dir", "figure", "unmet", "write_proof"]
