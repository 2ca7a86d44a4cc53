"""Semantic version rules: major for removed/renamed columns or narrowed types, minor for data, patch for metadata."""

from __future__ import annotations

from satudata.core.records import Fingerprint
from satudata.versioning import bump, decide

BASE = Fingerprint("c1", "m1", (("id", "integer"), ("nama", "string"), ("nilai", "number")))


def _fp(content="c1", meta="m1", columns=BASE.columns) -> Fingerprint:
    return Fingerprint(content, meta, tuple(columns))


def test_first_version_is_1_0_0():
    assert decide(None, None, BASE).version == "1.0.0"


def test_nothing_changed_publishes_nothing():
    decision = decide("1.2.3", BASE, _fp())
    assert (decision.version, decision.change) == (None, "none")


def test_changed_data_is_minor():
    assert decide("1.2.3", BASE, _fp(content="c2")).version == "1.3.0"


def test_metadata_only_is_patch():
    assert decide("1.2.3", BASE, _fp(meta="m2")).version == "1.2.4"


def test_removed_or_renamed_column_is_major():
    removed = _fp(content="c2", columns=BASE.columns[:2])
    renamed = _fp(content="c2", columns=(("id", "integer"), ("nama_lengkap", "string"), ("nilai", "number")))
    assert decide("1.2.3", BASE, removed).version == "2.0.0"
    decision = decide("1.2.3", BASE, renamed)
    assert decision.version == "2.0.0" and "nama" in decision.reasons[0]


def test_narrowed_type_is_major_and_widened_is_minor():
    narrowed = _fp(columns=(("id", "integer"), ("nama", "string"), ("nilai", "integer")))
    widened = _fp(columns=(("id", "number"), ("nama", "string"), ("nilai", "number")))
    assert decide("1.0.0", BASE, narrowed).change == "major"
    assert decide("1.0.0", BASE, widened).change == "minor"


def test_added_column_is_minor():
    added = _fp(content="c2", columns=(*BASE.columns, ("catatan", "string")))
    assert decide("1.0.0", BASE, added).version == "1.1.0"


def test_bump():
    assert [bump("1.2.3", c) for c in ("major", "minor", "patch")] == ["2.0.0", "1.3.0", "1.2.4"]
