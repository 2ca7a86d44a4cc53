"""The corpus itself: at least 40 cases over csv, xlsx, json, sql and http, written the same way every time."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.faults.corpus import CASES, TARGETS, write_corpus

pytestmark = pytest.mark.faults


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_the_corpus_is_big_enough_and_covers_every_source():
    assert len(CASES) >= 40
    assert {c.kind for c in CASES} == {"file", "sql", "http"}
    assert {c.files[0].rsplit(".", 1)[-1] for c in CASES if c.kind == "file"} >= {"csv", "xlsx", "xls", "json"}
    assert {c.dataset for c in CASES} <= set(TARGETS)


def test_the_corpus_is_deterministic(tmp_path: Path):
    first = write_corpus(tmp_path / "a", big=False)
    write_corpus(tmp_path / "b", big=False)
    assert first and _digest(tmp_path / "a") == _digest(tmp_path / "b")
