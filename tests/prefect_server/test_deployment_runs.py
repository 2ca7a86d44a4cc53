"""A real Prefect server (SQLite) and a process worker on loopback: deployments created from catalog.yaml, runs
triggered through the API, datasets published; two runs of one dataset at once publish it once; a failing scheduled
run writes the steward report and posts to the webhook. Everything started here is stopped by PID."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import requests

from satudata.core.catalog import load_catalog
from satudata.flows.deployments import apply, deployment_specs
from satudata.publish.local import LocalPortal
from tests.conftest import REPO, copy_project
from tests.loopback import serving

pytestmark = [pytest.mark.prefect_server, pytest.mark.slow]
BIN = Path(os.environ.get("VIRTUAL_ENV", REPO / ".venv")) / "bin"
POOL = "satudata-test"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    """Stop a process we started, and its children, by PID (its own process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory):
    home = tmp_path_factory.mktemp("prefect-server")
    url = f"http://127.0.0.1:{_free_port()}/api"
    env = {**os.environ, "PREFECT_HOME": str(home / "home"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_UI_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING",
           "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{home}/prefect.db"}
    env.pop("PREFECT_API_URL", None)
    log = (home / "server.log").open("w")
    port = url.split(":")[2].split("/")[0]
    server = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", port],
                              env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert server.poll() is None, (home / "server.log").read_text()
            time.sleep(1)
        else:
            raise AssertionError("prefect server did not start: " + (home / "server.log").read_text()[-2000:])
        yield url, {**env, "PREFECT_API_URL": url}, home
    finally:
        _stop(server)
        log.close()


class _Receiver(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Receiver.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def webhook():
    with serving(_Receiver) as url:
        yield f"{url}/hook", _Receiver.received


def _wait_for(flow_run_ids, env, timeout=600) -> dict:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    deadline = time.monotonic() + timeout
    with temporary_settings({PREFECT_API_URL: env["PREFECT_API_URL"]}), get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            states = {i: client.read_flow_run(i).state for i in flow_run_ids}
            if all(s is not None and s.is_final() for s in states.values()):
                return {i: s.type.value for i, s in states.items()}
            time.sleep(2)
    raise AssertionError(f"flow runs did not finish: {states}")


def test_deployments_run_on_a_worker_publish_once_and_notify(prefect_server, webhook, tmp_path: Path):
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    url, env, home = prefect_server
    hook_url, received = webhook
    project = copy_project(tmp_path / "project")
    good, bad = "garis-kemiskinan-jatim", "modal-usaha-kecil"
    (project / load_catalog(project / "catalog.yaml").dataset(bad).source.path).write_text("", encoding="utf-8")
    settings = {"catalog_path": str(project / "catalog.yaml"), "portal_dir": str(project / "portal"),
                "quarantine_dir": str(project / "quarantine"), "target": "local", "global_limits": True}
    specs = [replace(s, parameters={"dataset_id": s.dataset_id, "settings": settings})
             for s in deployment_specs(load_catalog(project / "catalog.yaml")) if s.dataset_id in (good, bad)]
    with temporary_settings({PREFECT_API_URL: url}):
        assert len(apply(specs, REPO, pool=POOL)) == 2
    worker_env = {**env, "SATUDATA_WEBHOOK_URL": hook_url}
    worker_log = (home / "worker.log").open("w")
    worker = subprocess.Popen([str(BIN / "prefect"), "worker", "start", "--pool", POOL, "--type", "process",
                               "--limit", "3"], env=worker_env, cwd=REPO, stdout=worker_log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    try:
        with temporary_settings({PREFECT_API_URL: url}):
            runs = [run_deployment(f"publish_dataset/{good}", timeout=0),
                    run_deployment(f"publish_dataset/{good}", timeout=0),
                    run_deployment(f"publish_dataset/{bad}", timeout=0)]
        states = _wait_for([r.id for r in runs], env)
    finally:
        _stop(worker)
        worker_log.close()
    log = (home / "worker.log").read_text()
    assert list(states.values()) == ["COMPLETED", "COMPLETED", "COMPLETED"], log[-3000:]
    portal = LocalPortal(load_catalog(project / "catalog.yaml"), project / "portal")
    catalog = load_catalog(project / "catalog.yaml")
    assert portal.versions(catalog.dataset(good)) == ["1.0.0"]       # two runs at once, one version
    assert portal.versions(catalog.dataset(bad)) == []
    reports = list((project / "quarantine" / bad).glob("*/validation.html"))
    assert len(reports) == 1
    messages = [m for m in received if m["dataset"] == bad]
    assert len(messages) == 1 and messages[0]["status"] == "quarantined"
    assert messages[0]["report"] == str(reports[0])
    assert "empty" in messages[0]["message"]
