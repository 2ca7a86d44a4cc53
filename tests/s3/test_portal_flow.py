"""The real flow publishing the small dataset to the local portal kept in the S3 harness (SATUDATA_PORTAL_STORE).

One scenario, shared by the tests below: 1.0.0 is published; the export changes and `satudata run` (a process of
its own, talking to S3 through a loopback proxy) is SIGKILLed right after its third upload of 1.1.0; the next run
completes 1.1.0; a last run publishes nothing. Run `bash tests/s3_harness/up.sh` first.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from satudata.cli import app
from satudata.core.catalog import load_catalog
from satudata.core.files import sha256_file
from satudata.core.publishing import Bundle, PublishError
from satudata.core.settings import RunSettings
from satudata.flows.context import make_publisher
from satudata.flows.publish import with_concurrency
from satudata.lineage.verify import Status, verify
from satudata.publish.store_s3 import MARKER, S3Store
from tests.s3.portals import store_url
from tests.s3.proxy import S3Proxy

pytestmark = [pytest.mark.s3, pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

DATASET = "garis-kemiskinan-jatim"     # a 1 KB CSV export, no foreign keys
KILL_AFTER = 3


def _settings(project: Path, url: str, endpoint: str) -> RunSettings:
    return RunSettings.from_environment(project / "catalog.yaml", portal_store=url, s3_endpoint=endpoint,
                                        portal_lease_seconds=5)


def _run(project: Path, url: str, endpoint: str) -> dict:
    [outcome] = with_concurrency(1)([DATASET], _settings(project, url, endpoint).to_dict())
    return outcome


def _change_a_row(project: Path) -> None:
    export = project / load_catalog(project / "catalog.yaml").dataset(DATASET).source.path
    text = export.read_text(encoding="utf-8-sig")
    changed = text.replace("Kabupaten Pacitan,327758", "Kabupaten Pacitan,327759")
    assert changed != text
    export.write_text(changed, encoding="utf-8-sig")


def _objects(s3, bucket: str, prefix: str) -> dict[str, dict]:
    found = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        found.update({o["Key"][len(prefix):]: o for o in page.get("Contents", [])})
    return found


def _body(s3, bucket: str, key: str) -> bytes:
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def _killed_run(project: Path, url: str, env: dict, prefix: str, tmp: Path) -> int:
    """`satudata run` in its own process group, through the proxy, SIGKILLed after its KILL_AFTER-th upload."""
    import prefect.settings

    running, uploads = {}, []
    version_files = f"{prefix}bappeda/{DATASET}/1.1.0/"

    def kill_after_uploads(method: str, key: str, status: int) -> bool:
        if method == "PUT" and key.startswith(version_files) and status == 200:
            uploads.append(key)
            if len(uploads) == KILL_AFTER:   # the server has the object; its writer dies unanswered
                os.killpg(running["cli"].pid, signal.SIGKILL)
                return False
        return True

    log = tmp / "killed-run.log"
    with S3Proxy(env["endpoint"], env["bucket"], kill_after_uploads) as proxy, log.open("w") as out:
        child_env = {**os.environ, "SATUDATA_PORTAL_STORE": url, "SATUDATA_S3_ENDPOINT": proxy.url,
                     "SATUDATA_PORTAL_LEASE_SECONDS": "3",
                     "PREFECT_API_URL": prefect.settings.PREFECT_API_URL.value()}   # the tests' Prefect server
        command = [str(Path(sys.executable).parent / "satudata"), "run", DATASET,
                   "--catalog", str(project / "catalog.yaml")]
        running["cli"] = subprocess.Popen(command, env=child_env, stdout=out, stderr=subprocess.STDOUT,
                                          start_new_session=True)
        code = running["cli"].wait(timeout=300)
    assert code == -signal.SIGKILL, log.read_text()[-3000:]
    assert len(uploads) == KILL_AFTER
    return code


@pytest.fixture(scope="module")
def scenario(tmp_path_factory, s3_env, s3):
    from tests.conftest import copy_project

    tmp = tmp_path_factory.mktemp("s3-flow")
    project = copy_project(tmp / "project")
    prefix = f"s3-tests/{uuid.uuid4().hex}/"
    url, endpoint, bucket = store_url(s3_env["bucket"], prefix), s3_env["endpoint"], s3_env["bucket"]
    try:
        timings = {}
        started = time.monotonic()
        first = _run(project, url, endpoint)
        timings["first run"] = time.monotonic() - started
        _change_a_row(project)
        started = time.monotonic()
        _killed_run(project, url, s3_env, prefix, tmp)
        timings["killed run"] = time.monotonic() - started
        publisher = make_publisher(load_catalog(project / "catalog.yaml"), _settings(project, url, endpoint))
        dataset = publisher.catalog.dataset(DATASET)
        after_kill = {"objects": _objects(s3, bucket, prefix), "versions": publisher.versions(dataset),
                      "index": publisher.catalog_index(),
                      "latest": _body(s3, bucket, f"{prefix}bappeda/{DATASET}/latest").decode()}
        started = time.monotonic()
        completed = _run(project, url, endpoint)
        timings["next run"] = time.monotonic() - started
        again = _run(project, url, endpoint)
        print("\ns3 flow timings:", {name: round(seconds, 1) for name, seconds in timings.items()})
        yield {"project": project, "prefix": prefix, "url": url, "publisher": publisher, "dataset": dataset,
               "first": first, "after_kill": after_kill, "completed": completed, "again": again, "timings": timings}
    finally:   # also when the scenario itself failed half-way
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            objects = [{"Key": o["Key"]} for o in page.get("Contents", [])]
            if objects:
                s3.delete_objects(Bucket=bucket, Delete={"Objects": objects})


def test_the_flow_publishes_two_versions_to_s3_and_nothing_to_a_folder(scenario):
    assert isinstance(scenario["publisher"].store, S3Store)
    assert (scenario["first"]["status"], scenario["first"]["version"]) == ("published", "1.0.0")
    completed = scenario["completed"]
    assert (completed["status"], completed["version"], completed["change"]) == ("published", "1.1.0", "minor")
    assert (scenario["again"]["status"], scenario["again"]["version"]) == ("unchanged", "1.1.0")
    assert not (scenario["project"] / "portal").exists()   # the catalogue's local_dir stays untouched


def test_history_latest_and_fetch_read_every_file_back_from_s3(scenario, tmp_path):
    publisher, dataset = scenario["publisher"], scenario["dataset"]
    history = publisher.history(dataset)
    assert [v.version for v in history] == ["1.0.0", "1.1.0"] and publisher.latest(dataset).version == "1.1.0"
    for version in history:
        lineage = publisher.fetch(dataset, version.version, "lineage.jsonl", tmp_path / version.version / "l.jsonl")
        complete = json.loads(lineage.read_text(encoding="utf-8").splitlines()[-1])
        recorded = {o["facets"]["checksum"]["fileName"]: o["facets"]["checksum"] for o in complete["outputs"]}
        assert set(recorded) | {"lineage.jsonl"} == set(version.files)
        for name, entry in version.files.items():
            path = publisher.fetch(dataset, version.version, name, tmp_path / version.version / name)
            assert (sha256_file(path), path.stat().st_size) == (entry["sha256"], entry["bytes"])
            if name in recorded:
                assert (recorded[name]["sha256"], recorded[name]["bytes"]) == (entry["sha256"], entry["bytes"])
    chain = complete["run"]["facets"]["satudata_chain"]
    assert (chain["previousVersion"], chain["previousLineageSha256"]) == ("1.0.0", history[0].lineage_sha256)
    index = publisher.catalog_index()[DATASET]
    assert (index["latest"], index["lineage_head"]) == ("1.1.0", history[-1].lineage_sha256)


def test_a_run_killed_mid_upload_left_nothing_visible(scenario):
    seen = scenario["after_kill"]
    half = [k for k in seen["objects"] if k.startswith(f"bappeda/{DATASET}/1.1.0/")]
    assert len(half) == KILL_AFTER and not any(k.endswith(MARKER) for k in half)   # three files, no marker
    assert seen["versions"] == ["1.0.0"] and seen["latest"] == "1.0.0"
    assert seen["index"][DATASET]["latest"] == "1.0.0"
    assert [v["version"] for v in seen["index"][DATASET]["versions"]] == ["1.0.0"]


def test_the_next_run_completed_it_without_duplicates_or_leftovers(scenario, s3, bucket):
    prefix, publisher, dataset = scenario["prefix"], scenario["publisher"], scenario["dataset"]
    objects = _objects(s3, bucket, prefix)
    expected = {"index.json", f".locks/bappeda/{DATASET}", f"bappeda/{DATASET}/latest"}
    for version in publisher.history(dataset):
        expected |= {f"bappeda/{DATASET}/{version.version}/{n}" for n in [*version.files, MARKER]}
        manifest = json.loads(_body(s3, bucket, f"{prefix}bappeda/{DATASET}/{version.version}/{MARKER}"))
        assert {n: (e["sha256"], e["bytes"]) for n, e in manifest["files"].items()} == \
            {n: (e["sha256"], e["bytes"]) for n, e in version.files.items()}
    assert set(objects) == expected
    assert s3.list_multipart_uploads(Bucket=bucket, Prefix=prefix).get("Uploads", []) == []
    assert _body(s3, bucket, f"{prefix}bappeda/{DATASET}/latest") == b"1.1.0"


def test_verify_re_hashes_every_object_and_finds_it_all_ok(scenario, monkeypatch, s3_env):
    publisher, dataset = scenario["publisher"], scenario["dataset"]
    findings = verify(publisher, [dataset])
    assert {f.status for f in findings} == {Status.OK}, [f for f in findings if f.status != Status.OK]
    assert {(f.version, f.file) for f in findings} >= {(v, "data.csv") for v in ("1.0.0", "1.1.0")}
    monkeypatch.setenv("SATUDATA_PORTAL_STORE", scenario["url"])      # the command line, through the environment
    monkeypatch.setenv("SATUDATA_S3_ENDPOINT", s3_env["endpoint"])
    result = CliRunner().invoke(app, ["verify", DATASET, "--catalog", str(scenario["project"] / "catalog.yaml")])
    assert result.exit_code == 0, result.output
    assert "altered" not in result.output and "missing" not in result.output


def test_publishing_an_existing_version_again_is_refused(scenario, s3, bucket, tmp_path):
    prefix, publisher, dataset = scenario["prefix"], scenario["publisher"], scenario["dataset"]
    before = {k: o["ETag"] for k, o in _objects(s3, bucket, prefix).items() if "/1.1.0/" in k}
    folder = tmp_path / "again"
    for name in publisher.latest(dataset).files:
        publisher.fetch(dataset, "1.1.0", name, folder / name)
    (folder / "data.csv").write_bytes(b"wilayah,garis_kemiskinan\nKota Malang,1\n")
    with publisher.lock(dataset), pytest.raises(PublishError, match=r"1\.1\.0 already exists at s3://.*immutable"):
        publisher.publish(dataset, Bundle(dataset.id, dataset.department, "1.1.0", folder))
    assert {k: o["ETag"] for k, o in _objects(s3, bucket, prefix).items() if "/1.1.0/" in k} == before

