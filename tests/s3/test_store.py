"""The portal's two stores keep the same promises (the folder and the S3 harness), then what only S3 needs proved:
multipart uploads, the lease between processes and machines, the fence, optimistic pointer updates.

Versions are built from the real pieces (bundle.assemble) without Prefect; tests/s3/test_portal_flow.py runs the
flow itself. Run `bash tests/s3_harness/up.sh` first.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from satudata.core.files import sha256_file
from satudata.core.publishing import Bundle, DatasetLocked, PublishError
from satudata.lineage.verify import Status, verify
from satudata.publish.local import LocalPortal
from satudata.publish.store_lease import LeaseLost
from satudata.publish.store_s3 import MARKER
from tests.s3.portals import DATASET, ROWS_1, ROWS_2, build_bundle, s3_portal, store_url

pytestmark = [pytest.mark.s3, pytest.mark.slow]
MiB = 1024 * 1024
REPO = Path(__file__).resolve().parents[2]


def _keys(s3, bucket: str, prefix: str) -> dict[str, dict]:
    found = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        found.update({o["Key"][len(prefix):]: o for o in page.get("Contents", [])})
    return found


@pytest.fixture(params=["folder", "s3"])
def portal(request, project: Path) -> LocalPortal:
    if request.param == "folder":
        return LocalPortal(_catalog(project), project / "portal", lock_wait_seconds=60)
    bucket, prefix = request.getfixturevalue("bucket"), request.getfixturevalue("prefix")
    return s3_portal(project, store_url(bucket, prefix))


def _catalog(project: Path):
    from satudata.core.catalog import load_catalog

    return load_catalog(project / "catalog.yaml")


def _publish(project: Path, portal: LocalPortal, rows, run_id: str, **extra) -> Bundle:
    dataset, bundle = build_bundle(project, rows, run_id, portal, **extra)
    with portal.lock(dataset):
        portal.publish(dataset, bundle)
    return bundle


def _pointer(portal: LocalPortal, s3, bucket: str | None) -> str:
    if portal.root is not None:
        return os.readlink(portal.root / "bappeda" / DATASET / "latest")
    key = f"{portal.store.prefix}bappeda/{DATASET}/latest"
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()


def test_two_versions_read_back_whole_from_either_store(portal, project, s3_env, s3, tmp_path):
    bundles = [_publish(project, portal, ROWS_1, "run-1"), _publish(project, portal, ROWS_2, "run-2")]
    dataset = portal.catalog.dataset(DATASET)
    history = portal.history(dataset)
    assert [v.version for v in history] == ["1.0.0", "1.1.0"]
    assert portal.latest(dataset).version == "1.1.0"
    for version, bundle in zip(history, bundles, strict=True):
        assert set(version.files) == {p.name for p in bundle.files()}
        for name, entry in version.files.items():
            fetched = portal.fetch(dataset, version.version, name, tmp_path / version.version / name)
            assert fetched.read_bytes() == (bundle.dir / name).read_bytes()
            assert sha256_file(fetched) == entry["sha256"] and fetched.stat().st_size == entry["bytes"]
            assert entry["uri"] == f"bappeda/{DATASET}/{version.version}/{name}"
    index = portal.catalog_index()[DATASET]
    assert index["latest"] == "1.1.0" and index["lineage_head"] == history[-1].lineage_sha256
    assert [v["version"] for v in index["versions"]] == ["1.0.0", "1.1.0"]
    assert _pointer(portal, s3, s3_env["bucket"]) == "1.1.0"
    findings = verify(portal, [dataset])
    assert findings and {f.status for f in findings} == {Status.OK}, [f for f in findings if f.status != Status.OK]


def test_a_published_version_is_never_written_again(portal, project, tmp_path):
    first = _publish(project, portal, ROWS_1, "run-1")
    dataset, other = build_bundle(project, ROWS_2, "run-2", LocalPortal(portal.catalog, tmp_path / "elsewhere"))
    again = Bundle(other.dataset_id, other.department, "1.0.0", other.dir)     # same version, other bytes
    with portal.lock(dataset), pytest.raises(PublishError, match=r"1\.0\.0 already exists at .*versions are immutable"):
        portal.publish(dataset, again)
    assert portal.versions(dataset) == ["1.0.0"]
    for path in first.files():
        assert portal.fetch(dataset, "1.0.0", path.name, tmp_path / "back" / path.name).read_bytes() == \
            path.read_bytes()


def _leave_half_a_version(portal: LocalPortal, bundle: Bundle, s3, bucket: str | None) -> None:
    """What a run killed mid-publish leaves: some files of the version, and (on S3) an unfinished upload."""
    names = [p.name for p in bundle.files()][:3]
    if portal.root is not None:
        half = portal.root / "bappeda" / DATASET / f".tmp-{bundle.version}-dead"
        half.mkdir(parents=True)
        for name in names:
            (half / name).write_bytes((bundle.dir / name).read_bytes())
        return
    base = f"{portal.store.prefix}bappeda/{DATASET}/{bundle.version}/"
    for name in names:
        s3.put_object(Bucket=bucket, Key=base + name, Body=(bundle.dir / name).read_bytes(), IfNoneMatch="*")
    upload = s3.create_multipart_upload(Bucket=bucket, Key=base + "lineage.jsonl")["UploadId"]
    s3.upload_part(Bucket=bucket, Key=base + "lineage.jsonl", UploadId=upload, PartNumber=1, Body=b"x" * (5 * MiB))


def test_half_a_version_is_invisible_and_the_next_lock_holder_removes_it(portal, project, s3_env, s3, tmp_path):
    bucket = s3_env["bucket"]
    _publish(project, portal, ROWS_1, "run-1")
    dataset, bundle = build_bundle(project, ROWS_2, "run-2", portal)
    _leave_half_a_version(portal, bundle, s3, bucket)

    assert portal.versions(dataset) == ["1.0.0"] and portal.latest(dataset).version == "1.0.0"
    with pytest.raises(FileNotFoundError):
        portal.fetch(dataset, "1.1.0", "data.csv", tmp_path / "x.csv")
    assert [v["version"] for v in portal.catalog_index()[DATASET]["versions"]] == ["1.0.0"]

    with portal.lock(dataset):
        if portal.root is not None:
            assert not list((portal.root / "bappeda" / DATASET).glob(".tmp-*"))
        else:
            base = f"{portal.store.prefix}bappeda/{DATASET}/"
            assert not [k for k in _keys(s3, bucket, base) if k.startswith("1.1.0/")]
            assert s3.list_multipart_uploads(Bucket=bucket, Prefix=base).get("Uploads", []) == []
        portal.publish(dataset, bundle)
    assert portal.versions(dataset) == ["1.0.0", "1.1.0"]
    assert {f.status for f in verify(portal, [dataset])} == {Status.OK}


# --- S3 only ------------------------------------------------------------------------------------------------


def test_s3_layout_one_marker_per_version_written_last(project, s3, bucket, prefix):
    portal = s3_portal(project, store_url(bucket, prefix))
    bundle = _publish(project, portal, ROWS_1, "run-1")
    keys = _keys(s3, bucket, prefix)
    names = [p.name for p in bundle.files()]
    assert set(keys) == {"index.json", f".locks/bappeda/{DATASET}", f"bappeda/{DATASET}/latest",
                         f"bappeda/{DATASET}/1.0.0/{MARKER}", *(f"bappeda/{DATASET}/1.0.0/{n}" for n in names)}
    marker = keys[f"bappeda/{DATASET}/1.0.0/{MARKER}"]
    assert all(keys[f"bappeda/{DATASET}/1.0.0/{n}"]["LastModified"] <= marker["LastModified"] for n in names)
    import json

    manifest = json.loads(s3.get_object(Bucket=bucket, Key=prefix + f"bappeda/{DATASET}/1.0.0/{MARKER}")["Body"].read())
    assert manifest["files"] == {n: {"sha256": sha256_file(bundle.dir / n), "bytes": (bundle.dir / n).stat().st_size}
                                 for n in names}
    head = s3.head_object(Bucket=bucket, Key=prefix + f"bappeda/{DATASET}/1.0.0/data.csv", ChecksumMode="ENABLED")
    assert head["ContentType"].startswith("text/csv") and head["Metadata"]["sha256"] == manifest["files"]["data.csv"][
        "sha256"] and head["ChecksumSHA256"]


def test_s3_large_file_goes_up_in_parts_and_reads_back_whole(project, s3, bucket, prefix, tmp_path):
    portal = s3_portal(project, store_url(bucket, prefix), multipart_threshold=5 * MiB, part_size=5 * MiB)
    big = os.urandom(12 * MiB)
    _publish(project, portal, ROWS_1, "run-1", extra={"big.bin": big})
    dataset = portal.catalog.dataset(DATASET)
    head = s3.head_object(Bucket=bucket, Key=prefix + f"bappeda/{DATASET}/1.0.0/big.bin")
    assert head["ETag"].endswith('-3"')   # three parts of 5, 5 and 2 MiB
    fetched = portal.fetch(dataset, "1.0.0", "big.bin", tmp_path / "big.bin")
    assert hashlib.sha256(fetched.read_bytes()).digest() == hashlib.sha256(big).digest()
    assert portal.latest(dataset).files["big.bin"]["sha256"] == hashlib.sha256(big).hexdigest()


def _race(project: Path, url: str, bundles: list[Bundle], use_lock: bool) -> list[str]:
    """Each bundle published by a process of its own, all let go at the same moment."""
    command = [sys.executable, "-m", "tests.s3.writer", str(project), url]
    writers = [subprocess.Popen([*command, str(b.dir), b.version, "lock" if use_lock else "nolock"], cwd=REPO,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for b in bundles]
    for writer in writers:
        assert writer.stdout.readline().strip() == "ready"
    for writer in writers:
        writer.stdin.write("go\n")
        writer.stdin.flush()
    outcomes = [w.communicate(timeout=120)[0].strip().splitlines()[-1] for w in writers]
    assert [w.returncode for w in writers] == [0] * len(writers)
    return outcomes


def _committed_bytes_are_one_writers(portal: LocalPortal, bundles: list[Bundle], tmp_path: Path) -> None:
    dataset = portal.catalog.dataset(DATASET)
    stored = {n: sha256_file(portal.fetch(dataset, "1.0.0", n, tmp_path / "got" / n))
              for n in portal.store.files(portal.dataset_key(dataset), "1.0.0")}
    written = [{p.name: sha256_file(p) for p in b.files()} for b in bundles]
    assert stored in written and written[0] != written[1]


def test_s3_two_processes_publishing_one_dataset_publish_it_once(project, bucket, prefix, tmp_path):
    url = store_url(bucket, prefix)
    portal = s3_portal(project, url)
    bundles = [build_bundle(project, ROWS_1, f"writer-{i}", portal)[1] for i in (1, 2)]   # both decide 1.0.0
    outcomes = _race(project, url, bundles, use_lock=True)
    assert sorted(outcomes) == ["published", "unchanged"], outcomes
    assert portal.versions(portal.catalog.dataset(DATASET)) == ["1.0.0"]
    _committed_bytes_are_one_writers(portal, bundles, tmp_path)


def test_s3_without_the_lease_the_conditional_creates_refuse_the_loser(project, bucket, prefix, tmp_path):
    url = store_url(bucket, prefix)
    portal = s3_portal(project, url)
    bundles = [build_bundle(project, ROWS_1, f"writer-{i}", portal)[1] for i in (1, 2)]
    outcomes = sorted(_race(project, url, bundles, use_lock=False))
    assert outcomes[0] == "published" and outcomes[1].startswith("refused: "), outcomes
    assert "exists" in outcomes[1]
    dataset = portal.catalog.dataset(DATASET)
    assert portal.versions(dataset) == ["1.0.0"]
    _committed_bytes_are_one_writers(portal, bundles, tmp_path)
    assert {f.status for f in verify(portal, [dataset])} == {Status.OK}


HOLDER = """
import sys, time
from pathlib import Path
from tests.s3.portals import s3_portal
portal = s3_portal(Path(sys.argv[1]), sys.argv[2], lease_seconds=3)
with portal.lock(portal.catalog.dataset(sys.argv[3])):
    print("held", flush=True)
    time.sleep(600)
"""


def test_s3_lease_is_renewed_while_its_holder_lives_and_taken_over_once_it_is_killed(project, bucket, prefix):
    url = store_url(bucket, prefix)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(project), url, DATASET], stdout=subprocess.PIPE,
                              text=True, cwd=REPO, start_new_session=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        portal = s3_portal(project, url)
        portal.lock_wait_seconds = 7.0                       # more than twice the holder's 3 s time to live
        dataset = portal.catalog.dataset(DATASET)
        with pytest.raises(DatasetLocked, match=rf"pid {holder.pid}\b"), portal.lock(dataset):
            pass
    finally:
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait(10)
    killed = time.monotonic()
    portal.lock_wait_seconds = 30.0
    with portal.lock(dataset):
        waited = time.monotonic() - killed
    assert 1.0 < waited < 8.0, waited                        # its lease ran out (3 s + clock granularity)


def test_s3_a_run_that_lost_its_lease_never_commits(project, s3, bucket, prefix):
    portal = s3_portal(project, store_url(bucket, prefix))
    dataset, bundle = build_bundle(project, ROWS_1, "run-1", portal)
    lock_key = f"{prefix}.locks/bappeda/{DATASET}"
    with portal.lock(dataset):
        etag = s3.head_object(Bucket=bucket, Key=lock_key)["ETag"]
        s3.put_object(Bucket=bucket, Key=lock_key, Body=b'{"owner": "another run", "ttl": 60}', IfMatch=etag)
        with pytest.raises(LeaseLost, match="lost"):
            portal.publish(dataset, bundle)
    assert portal.versions(dataset) == []
    assert not [k for k in _keys(s3, bucket, prefix) if k.endswith(MARKER)]
    assert s3.get_object(Bucket=bucket, Key=lock_key)["Body"].read() == b'{"owner": "another run", "ttl": 60}'


def test_s3_index_and_pointer_are_replaced_only_over_what_was_read(project, s3, bucket, prefix):
    store = s3_portal(project, store_url(bucket, prefix)).store
    calls = []

    def make() -> str:
        calls.append(1)
        if len(calls) == 1:   # another writer replaces the index between our read and our write
            s3.put_object(Bucket=bucket, Key=prefix + "index.json", Body=b'{"by": "other"}')
        return f'{{"by": "us", "attempt": {len(calls)}}}'

    store.write_index(make)
    assert len(calls) == 2
    assert s3.get_object(Bucket=bucket, Key=prefix + "index.json")["Body"].read() == b'{"by": "us", "attempt": 2}'
    store.point_latest("bappeda/x", "1.0.0")
    store.point_latest("bappeda/x", "1.1.0")
    assert s3.get_object(Bucket=bucket, Key=prefix + "bappeda/x/latest")["Body"].read() == b"1.1.0"
