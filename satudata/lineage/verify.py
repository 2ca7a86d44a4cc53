"""Verification for auditors: re-read every published file of every version from the target, recompute its sha256
and size, and walk the lineage chain.

Rules (each finding names a dataset, a version and a file; OK when none of these holds):
- *missing file*: an output listed in a version's COMPLETE event, or a resource of its datapackage.json, or its
  lineage.jsonl, is not on the target; or the catalogue index lists a version the target does not have;
- *altered file*: a file's sha256 or size differs from what the COMPLETE event or datapackage.json records, or the
  target holds a file the record does not list, or will not hand a file back as published (CKAN's own hash check),
  or lineage.jsonl does not read as OpenLineage events;
- *broken chain*: a version's record does not end with COMPLETE for this dataset and version; its
  ``previousVersion`` is not the version before it on the target (the first names none); its
  ``previousLineageSha256`` differs from the sha256 of the previous version's lineage.jsonl; the latest
  lineage.jsonl's sha256 differs from the catalogue index's ``lineage_head`` (local portal; on a target with no
  index, from the sha256 the target recorded for it); or a version on the target is not in the index.
Reading goes through the Publisher protocol (``history()`` and ``fetch()``), so CKAN is verified by the same code.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

from satudata.core.catalog import Dataset
from satudata.core.files import sha256_file
from satudata.core.publishing import (
    LINEAGE_FILE,
    PACKAGE_FILE,
    PARQUET_BYTES,
    PublishedVersion,
    Publisher,
    resource_file,
)
from satudata.lineage.audit import LineageRecordError, RunRecord, catalog_index, fetch, read_record

CHAIN = "(rantai/chain)"
WHOLE_VERSION = "(seluruh versi/whole version)"


class Status(StrEnum):
    OK = "OK"
    ALTERED = "altered file"
    MISSING = "missing file"
    BROKEN = "broken chain"


@dataclass(frozen=True)
class Finding:
    dataset: str
    version: str | None
    file: str
    status: Status
    detail: str

    def as_dict(self) -> dict:
        return {**asdict(self), "status": str(self.status)}


@dataclass
class _Version:
    published: PublishedVersion
    lineage_sha256: str | None = None
    record: RunRecord | None = None
    unreadable: str | None = None


def _short(sha: str | None) -> str:
    return f"{sha[:12]}…" if sha else "none"


def _package_resources(path: Path | None) -> dict[str, tuple[str | None, int | None]]:
    """path → (sha256, bytes) of each resource of datapackage.json."""
    if path is None:
        return {}
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        return {resource_file(r["path"]): ((r.get("hash") or "").removeprefix("sha256:") or None,
                                           r.get("bytes", r.get(PARQUET_BYTES)))
                for r in descriptor.get("resources", [])}
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, AttributeError):
        return {}


def _check_file(dataset: Dataset, version: str, name: str, fetched: tuple[Path | None, str],
                expected: dict[str, tuple[str | None, int | None]]) -> Finding:
    """One file against what the lineage record and datapackage.json say about it."""
    path, why = fetched
    if path is None and why == "missing":
        where = " and ".join(expected) or "the target's file list"
        return Finding(dataset.id, version, name, Status.MISSING, f"listed in {where} but not on the target")
    if path is None:
        return Finding(dataset.id, version, name, Status.ALTERED, f"the target does not hand back the file as "
                       f"published: {why}")
    sha, size = sha256_file(path), path.stat().st_size
    if not expected:
        return Finding(dataset.id, version, name, Status.ALTERED,
                       f"not listed in the version's lineage record (sha256 {_short(sha)}): added after publishing")
    wrong = [f"{source} records sha256 {_short(rec_sha)} / {rec_bytes} bytes"
             for source, (rec_sha, rec_bytes) in expected.items()
             if rec_sha != sha or (rec_bytes is not None and rec_bytes != size)]
    if wrong:
        return Finding(dataset.id, version, name, Status.ALTERED,
                       f"file has sha256 {_short(sha)} / {size} bytes; " + "; ".join(wrong))
    return Finding(dataset.id, version, name, Status.OK, f"sha256 {_short(sha)}, {size} bytes")


def _verify_files(publisher: Publisher, dataset: Dataset, entry: _Version, work: Path) -> list[Finding]:
    version = entry.published.version
    recorded = {o.name: (o.sha256, o.bytes) for o in entry.record.outputs} if entry.record else {}
    package = fetch(publisher, dataset, version, PACKAGE_FILE, work)
    resources = _package_resources(package[0])
    names = list(dict.fromkeys([*recorded, *resources, *entry.published.files]))
    findings = []
    for name in names:
        if name == LINEAGE_FILE:
            continue
        expected: dict[str, tuple[str | None, int | None]] = {}
        if name in recorded:
            expected[LINEAGE_FILE] = recorded[name]
        if name in resources:
            expected[PACKAGE_FILE] = resources[name]
        if not recorded and entry.record is None and name not in resources:
            expected["the target's file list"] = (entry.published.files[name].get("sha256"),
                                                  entry.published.files[name].get("bytes"))
        fetched = package if name == PACKAGE_FILE else fetch(publisher, dataset, version, name, work)
        findings.append(_check_file(dataset, version, name, fetched, expected))
    return findings


def _chain(dataset: Dataset, entry: _Version, previous: _Version | None, is_latest: bool,
           index: dict[str, dict] | None) -> Finding:
    version = entry.published.version
    record = entry.record
    if record is None:
        return Finding(dataset.id, version, CHAIN, Status.BROKEN,
                       f"no readable lineage record ({entry.unreadable}): the chain cannot be followed")
    problems = []
    if record.state != "COMPLETE":
        problems.append(f"the record ends with {record.state}, not COMPLETE")
    if record.dataset != dataset.id or record.version != version:
        problems.append(f"the record is of {record.dataset} {record.version}, not {dataset.id} {version}")
    if previous is None:
        if record.previous_version or record.previous_lineage_sha256:
            problems.append(f"links to an earlier version {record.previous_version} that is not on the target")
    else:
        if record.previous_version != previous.published.version:
            problems.append(f"links to version {record.previous_version}, but the previous version on the target "
                            f"is {previous.published.version}")
        if record.previous_lineage_sha256 != previous.lineage_sha256:
            problems.append(f"previousLineageSha256 {_short(record.previous_lineage_sha256)} ≠ sha256 "
                            f"{_short(previous.lineage_sha256)} of {previous.published.version}'s {LINEAGE_FILE} "
                            "(that record was changed or replaced after publishing)")
    head_note = ""
    if is_latest and index is not None:
        head = index.get(dataset.id, {}).get("lineage_head")
        if dataset.id not in index:
            problems.append("the dataset is missing from the catalogue index")
        elif head != entry.lineage_sha256:
            problems.append(f"the catalogue index's lineage_head {_short(head)} ≠ sha256 "
                            f"{_short(entry.lineage_sha256)} of the latest {LINEAGE_FILE}")
        else:
            head_note = "; index lineage_head matches"
    elif is_latest and entry.published.lineage_sha256:   # no catalogue index: the target's own record of it
        if entry.published.lineage_sha256 != entry.lineage_sha256:
            problems.append(f"the target records sha256 {_short(entry.published.lineage_sha256)} for the latest "
                            f"{LINEAGE_FILE}, it has {_short(entry.lineage_sha256)}")
        else:
            head_note = f"; matches the {entry.published.version} lineage sha256 the target records"
    elif is_latest:
        head_note = "; this target keeps no chain head"
    if problems:
        return Finding(dataset.id, version, CHAIN, Status.BROKEN, "; ".join(problems))
    link = (f"linked to {previous.published.version} ({_short(previous.lineage_sha256)})" if previous
            else "first version")
    return Finding(dataset.id, version, CHAIN, Status.OK, link + head_note)


def _index_versions(dataset: Dataset, history: list[PublishedVersion], index: dict[str, dict] | None) -> list[Finding]:
    if index is None or dataset.id not in index:
        return []
    listed = [v["version"] for v in index[dataset.id].get("versions", [])]
    present = [v.version for v in history]
    findings = [Finding(dataset.id, v, WHOLE_VERSION, Status.MISSING, "listed in the catalogue index but not on "
                        "the target") for v in listed if v not in present]
    findings += [Finding(dataset.id, v, CHAIN, Status.BROKEN, "on the target but not in the catalogue index")
                 for v in present if v not in listed]
    return findings


def _read_lineage(publisher: Publisher, dataset: Dataset, entry: _Version, work: Path) -> Finding:
    version = entry.published.version
    path, why = fetch(publisher, dataset, version, LINEAGE_FILE, work)
    if path is None:
        entry.unreadable = f"{LINEAGE_FILE} is {why}" if why == "missing" else why
        if why == "missing":
            return Finding(dataset.id, version, LINEAGE_FILE, Status.MISSING, "the version's lineage record is not "
                           "on the target")
        return Finding(dataset.id, version, LINEAGE_FILE, Status.ALTERED, f"the target does not hand back the "
                       f"record as published: {why}")
    entry.lineage_sha256 = sha256_file(path)
    try:
        entry.record = read_record(path)
    except LineageRecordError as exc:
        entry.unreadable = str(exc)
        return Finding(dataset.id, version, LINEAGE_FILE, Status.ALTERED, f"not a readable lineage record: {exc}")
    return Finding(dataset.id, version, LINEAGE_FILE, Status.OK,
                   f"sha256 {_short(entry.lineage_sha256)} (its integrity is checked by the chain)")


def verify_dataset(publisher: Publisher, dataset: Dataset, index: dict[str, dict] | None) -> list[Finding]:
    """Every file of every version of one dataset, and its chain."""
    history = publisher.history(dataset)
    if not history:
        if index is not None and dataset.id in index:
            return [Finding(dataset.id, None, WHOLE_VERSION, Status.MISSING,
                            "the catalogue index lists versions, but none is on the target")]
        return []
    findings: list[Finding] = []
    previous: _Version | None = None
    with tempfile.TemporaryDirectory(prefix="satudata-verify-") as tmp:
        work = Path(tmp)
        for position, published in enumerate(history):
            entry = _Version(published)
            findings.append(_read_lineage(publisher, dataset, entry, work))
            findings += _verify_files(publisher, dataset, entry, work)
            findings.append(_chain(dataset, entry, previous, position == len(history) - 1, index))
            previous = entry
    findings += _index_versions(dataset, history, index)
    return findings


def verify(publisher: Publisher, datasets: list[Dataset]) -> list[Finding]:
    index = catalog_index(publisher)
    findings: list[Finding] = []
    for dataset in datasets:
        findings += verify_dataset(publisher, dataset, index)
    return findings


def problems(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.status is not Status.OK]
