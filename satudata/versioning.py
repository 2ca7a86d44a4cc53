"""Semantic versions per dataset, decided by hashes of the normalised content, the schema and the metadata.

major: a column removed or renamed, or a type narrowed (old readers break);
minor: the data changed, or a column was added or widened;
patch: only metadata changed (titles, descriptions, licence, constraints, the suite);
none:  nothing changed, so nothing is published.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from satudata.core.catalog import Catalog, Dataset
from satudata.core.records import Fingerprint, OutputFile

# A type change old → new that every old value survives.
WIDENINGS = {
    ("integer", "number"), ("year", "integer"), ("year", "number"), ("date", "datetime"),
    ("boolean", "string"),
}


def canonical_sha256(document: Any) -> str:
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class VersionDecision:
    version: str | None          # None: nothing to publish
    change: str                  # initial | major | minor | patch | none
    reasons: list[str] = field(default_factory=list)


def _widens(old: str, new: str) -> bool:
    return old == new or new in ("string", "any") or (old, new) in WIDENINGS


def bump(version: str, change: str) -> str:
    major, minor, patch = (int(part) for part in version.split("."))
    if change == "major":
        return f"{major + 1}.0.0"
    if change == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def decide(previous_version: str | None, previous: Fingerprint | None, current: Fingerprint) -> VersionDecision:
    if previous_version is None or previous is None:
        return VersionDecision("1.0.0", "initial", ["first version"])
    old, new = dict(previous.columns), dict(current.columns)
    reasons: list[str] = []
    removed = [name for name in old if name not in new]
    narrowed = [f"{n} {old[n]}→{new[n]}" for n in old if n in new and not _widens(old[n], new[n])]
    if removed:
        reasons.append("columns removed or renamed: " + ", ".join(removed))
    if narrowed:
        reasons.append("types narrowed: " + ", ".join(narrowed))
    if reasons:
        return VersionDecision(bump(previous_version, "major"), "major", reasons)
    added = [name for name in new if name not in old]
    widened = [f"{n} {old[n]}→{new[n]}" for n in old if n in new and old[n] != new[n]]
    if added:
        reasons.append("columns added: " + ", ".join(added))
    if widened:
        reasons.append("types widened: " + ", ".join(widened))
    if previous.content_sha256 != current.content_sha256:
        reasons.append("data changed")
    if reasons:
        return VersionDecision(bump(previous_version, "minor"), "minor", reasons)
    if previous.metadata_sha256 != current.metadata_sha256:
        return VersionDecision(bump(previous_version, "patch"), "patch", ["metadata changed"])
    return VersionDecision(None, "none", ["unchanged"])


def metadata_sha256(catalog: Catalog, dataset: Dataset, schema: dict, suite: dict) -> str:
    department = catalog.department(dataset.department)
    return canonical_sha256({
        "dataset": dataset.model_dump(mode="json", exclude={"source"}),
        "department": department.model_dump(mode="json"),
        "schema": schema, "suite": suite,
    })


def inputs_sha256(raws: list[dict], dataset: Dataset, schema: dict, suite: dict) -> str:
    """Everything a version is made from; equal to the latest version's means nothing can have changed."""
    import satudata

    return canonical_sha256({
        "exports": sorted(r["sha256"] for r in raws), "dataset": dataset.model_dump(mode="json"),
        "schema": schema, "suite": suite, "code": satudata.__version__,
    })


def fingerprint(outputs: list[OutputFile], published_schema: dict, meta_sha: str) -> Fingerprint:
    csv = next(o for o in outputs if o.name == "data.csv")
    columns = tuple((f["name"], f.get("type", "string")) for f in published_schema["fields"])
    return Fingerprint(csv.sha256, meta_sha, columns)
