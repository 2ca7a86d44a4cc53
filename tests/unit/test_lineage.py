"""OpenLineage events of a version (START, COMPLETE/FAIL), their facets, JSON lines, and sending them over HTTP."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata
from pathlib import Path

import pytest
import requests

import satudata
from satudata.core.files import read_jsonl, sha256_file
from satudata.core.records import RawExport
from satudata.flows.reject import quarantine
from satudata.lineage.audit import read_record
from satudata.lineage.record import LineageInput, build_events, emit, event_dicts, git_commit, write_jsonl
from satudata.validators.report import CheckResult, ValidationReport
from satudata.validators.validate import unreadable_report

REPO = Path(__file__).resolve().parents[2]
RUN_ID = "0b0c6f0e-1111-4222-8333-444455556666"
PARENT_ID = "9a9b9c9d-aaaa-4bbb-8ccc-dddddddddddd"


class LineageReceiver:
    """A loopback OpenLineage endpoint: records each POST (path, headers, JSON body); answers ``status``."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.received: list[tuple[str, dict, dict]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.received.append((self.path, dict(self.headers), json.loads(body)))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> LineageReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def events(self) -> list[dict]:
        return [body for _, _, body in self.received]


@pytest.fixture
def receiver(monkeypatch) -> Iterator[LineageReceiver]:
    with LineageReceiver() as running:
        monkeypatch.setenv("OPENLINEAGE_URL", running.url)
        monkeypatch.delenv("OPENLINEAGE_API_KEY", raising=False)
        yield running


def _checks() -> list[dict]:
    return [CheckResult("type", "table-schema", "error", "garis_kemiskinan", 0).as_dict(),
            CheckResult("gx:expect_column_mean_to_be_between", "great-expectations", "warning", "garis_kemiskinan", 3,
                        detail="min_value=350000").as_dict(),
            CheckResult("unique", "table-schema", "error", "wilayah", 2).as_dict()]


def _info(**changes) -> LineageInput:
    info = LineageInput(
        "garis-kemiskinan-jatim", "1.1.0", RUN_ID, "2025-07-01T02:00:00+00:00",
        [{"name": "gk.csv", "uri": "file:///srv/exports/gk.csv", "format": "csv", "sha256": "a" * 64, "bytes": 1061,
          "pulled_at": "2025-07-01T02:00:01+00:00"}],
        [("wilayah", "string"), ("garis_kemiskinan", "integer")], _checks(),
        outputs=[{"name": n, "uri": f"http://127.0.0.1:8000/bappeda/garis-kemiskinan-jatim/1.1.0/{n}",
                  "sha256": c * 64, "bytes": 100 + i}
                 for i, (n, c) in enumerate((("data.csv", "c"), ("data.parquet", "d"), ("datapackage.json", "e")))],
        schema_sha256="f" * 64, suite_sha256="1" * 64, previous_version="1.0.0", previous_lineage_sha256="2" * 64,
        parent_run_id=PARENT_ID, code_root=str(REPO))
    for key, value in changes.items():
        setattr(info, key, value)
    return info


def _repo_head() -> str | None:
    out = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True)
    return out.stdout.strip() if out.returncode == 0 else None


def test_start_then_complete_of_one_run_of_the_dataset_job():
    start, end = event_dicts(build_events(_info()))
    assert (start["eventType"], end["eventType"]) == ("START", "COMPLETE")
    assert start["run"]["runId"] == end["run"]["runId"] == RUN_ID
    assert start["job"]["namespace"] == end["job"]["namespace"] == "satudata"
    assert end["job"]["name"] == "publish_dataset.garis-kemiskinan-jatim"     # {flow}.{dataset}: a job a dataset
    assert start["eventTime"] == "2025-07-01T02:00:00+00:00"
    assert start["outputs"] == [] and len(end["outputs"]) == 3


def test_inputs_carry_uri_sha256_bytes_time_pulled_and_every_check_with_its_result():
    _, end = event_dicts(build_events(_info()))
    (source,) = end["inputs"]
    assert (source["namespace"], source["name"]) == ("file", "/srv/exports/gk.csv")
    checksum = source["facets"]["checksum"]
    assert (checksum["uri"], checksum["sha256"], checksum["bytes"], checksum["at"]) == \
           ("file:///srv/exports/gk.csv", "a" * 64, 1061, "2025-07-01T02:00:01+00:00")
    assertions = source["inputFacets"]["dataQualityAssertions"]["assertions"]
    by_name = {a["name"]: a for a in assertions}
    assert by_name["type"]["success"] is True and by_name["type"]["params"]["outcome"] == "passed"
    warned = by_name["gx:expect_column_mean_to_be_between"]
    assert (warned["success"], warned["severity"], warned["column"]) == (False, "warning", "garis_kemiskinan")
    assert (warned["params"]["outcome"], warned["params"]["failedRows"], warned["actual"]) == ("warned", 3, "3")
    assert by_name["unique"]["params"]["outcome"] == "failed"


def test_outputs_carry_portal_uri_sha256_bytes_and_data_files_the_schema():
    _, end = event_dicts(build_events(_info()))
    by_file = {o["facets"]["checksum"]["fileName"]: o for o in end["outputs"]}
    csv = by_file["data.csv"]
    assert (csv["namespace"], csv["name"]) == ("http://127.0.0.1:8000",
                                               "/bappeda/garis-kemiskinan-jatim/1.1.0/data.csv")
    assert (csv["facets"]["checksum"]["sha256"], csv["facets"]["checksum"]["bytes"]) == ("c" * 64, 100)
    fields = [(f["name"], f["type"]) for f in csv["facets"]["schema"]["fields"]]
    assert fields == [("wilayah", "string"), ("garis_kemiskinan", "integer")]
    assert "schema" in by_file["data.parquet"]["facets"] and "schema" not in by_file["datapackage.json"]["facets"]


def test_run_facets_hold_chain_code_version_engine_and_parent_run():
    _, end = event_dicts(build_events(_info()))
    facets = end["run"]["facets"]
    chain = facets["satudata_chain"]
    assert (chain["version"], chain["previousVersion"], chain["previousLineageSha256"]) == ("1.1.0", "1.0.0", "2" * 64)
    assert chain["packageVersion"] == satudata.__version__
    assert chain.get("gitCommit") == _repo_head()      # the code's checkout (None when not a git checkout)
    assert facets["processing_engine"]["name"] == "prefect"
    assert facets["processing_engine"]["version"] == metadata.version("prefect")
    assert facets["parent"]["run"]["runId"] == PARENT_ID and facets["parent"]["job"]["name"] == "publish_catalog"
    if _repo_head():
        assert end["job"]["facets"]["sourceCodeLocation"]["version"] == _repo_head()


def test_fail_event_carries_the_error_and_no_version():
    start, fail = event_dicts(build_events(_info(version=None, outputs=[], error="1 errors in 1 checks"), "FAIL"))
    assert (start["eventType"], fail["eventType"]) == ("START", "FAIL")
    assert fail["run"]["facets"]["errorMessage"]["message"] == "1 errors in 1 checks"
    assert "version" not in fail["run"]["facets"]["satudata_chain"]
    with pytest.raises(ValueError, match="COMPLETE or FAIL"):
        build_events(_info(), "RUNNING")


def test_jsonl_round_trip_reads_back_as_one_record(tmp_path: Path):
    path = write_jsonl(build_events(_info()), tmp_path / "lineage.jsonl")
    assert [e["eventType"] for e in read_jsonl(path)] == ["START", "COMPLETE"]
    record = read_record(path)
    assert (record.state, record.run_id, record.version, record.parent_run_id) == ("COMPLETE", RUN_ID, "1.1.0",
                                                                                    PARENT_ID)
    assert [(s.name, s.sha256, s.bytes) for s in record.sources] == [("gk.csv", "a" * 64, 1061)]
    assert [o.name for o in record.outputs] == ["data.csv", "data.parquet", "datapackage.json"]
    assert record.check_counts() == {"passed": 1, "warned": 1, "failed": 1}
    assert record.columns == [("wilayah", "string"), ("garis_kemiskinan", "integer")]


def test_git_commit_is_head_of_a_checkout_and_none_elsewhere(tmp_path: Path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.email=t@example.org", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    (repo / "catalog.yaml").write_text("x: 1\n")
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "first"], check=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    assert git_commit(str(repo)) == head
    (tmp_path / "plain").mkdir()
    assert git_commit(str(tmp_path / "plain")) is None


def test_emit_posts_start_and_complete_to_the_lineage_endpoint(receiver: LineageReceiver, monkeypatch):
    monkeypatch.setenv("OPENLINEAGE_API_KEY", "key-for-test")
    assert emit(build_events(_info())) is True
    assert [path for path, _, _ in receiver.received] == ["/api/v1/lineage", "/api/v1/lineage"]
    assert [(e["eventType"], e["run"]["runId"]) for e in receiver.events()] == [("START", RUN_ID),
                                                                                 ("COMPLETE", RUN_ID)]
    assert receiver.received[0][1]["Authorization"] == "Bearer key-for-test"
    assert receiver.events()[1]["outputs"][0]["facets"]["checksum"]["sha256"] == "c" * 64


def test_emit_without_openlineage_url_sends_nothing(monkeypatch):
    monkeypatch.delenv("OPENLINEAGE_URL", raising=False)
    assert emit(build_events(_info())) is False


def test_emit_raises_when_the_server_refuses(monkeypatch):
    with LineageReceiver(status=400) as refusing:
        monkeypatch.setenv("OPENLINEAGE_URL", refusing.url)
        with pytest.raises(requests.HTTPError):
            emit(build_events(_info()))
        assert len(refusing.received) == 1


def _raw(tmp_path: Path, text: str) -> RawExport:
    path = tmp_path / "run" / "gk.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return RawExport(path, "file:///srv/exports/gk.csv", "csv", sha256_file(path), path.stat().st_size,
                     datetime.now(UTC).isoformat(timespec="seconds"))


def test_quarantine_writes_a_fail_record_and_sends_it(tmp_path: Path, receiver: LineageReceiver):
    raw = _raw(tmp_path, "wilayah,garis_kemiskinan\nKota Malang,abc\n")
    failed = CheckResult("type", "table-schema", "error", "garis_kemiskinan", 1)
    report = ValidationReport("garis-kemiskinan-jatim", [raw.as_dict()], 1, [failed])
    folder = quarantine(tmp_path / "quarantine", "garis-kemiskinan-jatim", [raw], report, run_id=RUN_ID,
                        parent_run_id=PARENT_ID)
    record = read_record(folder / "lineage.jsonl")
    assert (record.state, record.run_id, record.parent_run_id, record.version) == ("FAIL", RUN_ID, PARENT_ID, None)
    assert "1 errors in 1 checks" in record.error and "type(garis_kemiskinan)" in record.error
    assert [(s.sha256, s.bytes) for s in record.sources] == [(raw.sha256, raw.bytes)]
    assert record.check_counts() == {"passed": 0, "warned": 0, "failed": 1}
    kept = {o.name: o.sha256 for o in record.outputs}
    assert kept == {name: sha256_file(path) for name, path in
                    (("gk.csv", folder / "raw" / "gk.csv"), ("validation.json", folder / "validation.json"),
                     ("validation.html", folder / "validation.html"))}
    assert [(e["eventType"], e["run"]["runId"]) for e in receiver.events()] == [("START", RUN_ID), ("FAIL", RUN_ID)]


def test_quarantine_of_an_unreadable_export_outside_a_flow_gets_a_fresh_run_id(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("OPENLINEAGE_URL", raising=False)
    report = unreadable_report("garis-kemiskinan-jatim", [], "gk.csv", "tidak terbaca", "cannot be read")
    folder = quarantine(tmp_path / "quarantine", "garis-kemiskinan-jatim", [], report)
    record = read_record(folder / "lineage.jsonl")
    assert record.state == "FAIL" and record.error == "gk.csv: cannot be read"
    assert len(record.run_id) == 36 and record.run_id != RUN_ID and record.sources == []
