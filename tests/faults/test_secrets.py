"""Secrets never leave the process: the CKAN token, a SQL password in a URL and HTTP auth headers.

A copied project whose job-fair source becomes an HTTP source on a loopback server that answers only with the right
``Authorization`` and ``X-Api-Key`` headers (named environment variables in the catalogue), and whose budget source
becomes a PostgreSQL URL with a password (to a loopback port where nothing listens: it fails, and its failure is
recorded), is run with a CKAN token set: ``satudata run`` (local), ``satudata validate`` of the SQL dataset, and
``satudata run --target ckan`` against a refused loopback port. Then every byte is grepped for every secret value
(and its base64 and URL-encoded forms): the project's whole tree (state, work, quarantine, reports, lineage records,
the published portal, Prefect's home with its SQLite database and WAL), the Prefect artifacts and logs read back
through the Prefect API, and each command's stdout and stderr. Writes secrets.json (tests/faults/figures.py).
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, copy_project
from tests.faults.figures import Figure, assert_met, write_proof
from tests.faults.http_server import refused_address
from tests.faults.killing import env_for, run_cli
from tests.loopback import serving

pytestmark = [pytest.mark.faults, pytest.mark.slow]

SECRETS = {"ckan token": "ckanTokenQ7v2Lm9Xw4Rt8Zp1",
           "sql password": "sqlPassK3n8Vb5Hq2Wd6Yc0",
           "http bearer token": "httpBearerJ4f9Ts1Ug7Nk3Ma5",
           "http api key": "httpApiKeyP6e2Rx8Lz0Cv4Bo1"}
JOBFAIR = "lowongan-job-fair"
BUDGET = "realisasi-apbd"
LOCAL = ("pagu-anggaran-opd", JOBFAIR, BUDGET)


def forms(value: str) -> set[bytes]:
    """The value as it could be written: plain, URL-encoded, base64 (Basic auth, JSON bytes), JSON-escaped."""
    return {value.encode(), urllib.parse.quote(value).encode(), base64.b64encode(value.encode()).rstrip(b"="),
            base64.b64encode(f"x:{value}".encode())[4:-4], json.dumps(value).encode()[1:-1]}


class _Auth(BaseHTTPRequestHandler):
    body = b""
    seen: list[dict] = []

    def log_message(self, format: str, *args) -> None:
        return

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        headers = {k.lower(): v for k, v in self.headers.items()}
        type(self).seen.append(headers)
        good = headers.get("authorization") == f"Bearer {SECRETS['http bearer token']}" and \
            headers.get("x-api-key") == SECRETS["http api key"]
        body = self.body if good else b'{"error": "unauthorised"}'
        self.send_response(200 if good else 401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def prepare(project: Path, http: str, refused: str) -> None:
    path = project / "catalog.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    datasets = {d["id"]: d for d in raw["datasets"]}
    job = datasets[JOBFAIR]["source"]
    job.pop("path", None)
    job.update({"kind": "http", "url": f"http://{http}/api/lowongan.json",
                "headers": {"Authorization": "Bearer ${JOBFAIR_TOKEN}", "X-Api-Key": "${JOBFAIR_KEY}"},
                "timeout": 30})
    budget = datasets[BUDGET]["source"]
    budget["url"] = f"postgresql://satudata:{SECRETS['sql password']}@{refused}/sipd"
    budget["timeout"] = 10
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")


PREFECT_DUMP = r"""
import asyncio, json, sys
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import LogFilter

async def main():
    async with get_client() as client:
        artifacts = await client.read_artifacts(limit=200)
        runs = await client.read_flow_runs(limit=200)
        logs = await client.read_logs(limit=200)
        out = {"artifacts": [a.model_dump(mode="json") for a in artifacts],
               "flow_runs": [r.model_dump(mode="json") for r in runs],
               "logs": [entry.model_dump(mode="json") for entry in logs]}
    sys.stdout.write(json.dumps(out))

asyncio.run(main())
"""


def prefect_records(env: dict[str, str], cwd: Path) -> dict:
    """The artifacts, flow runs (their parameters) and logs of the project's Prefect home, through the API."""
    out = subprocess.run([sys.executable, "-c", PREFECT_DUMP], cwd=cwd, env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout)


def hits(data: bytes) -> dict[str, int]:
    return {name: sum(data.count(form) for form in forms(value)) for name, value in SECRETS.items()}


def test_no_secret_in_any_log_report_lineage_artifact_or_published_file(tmp_path: Path):
    project = copy_project(tmp_path / "project")
    _Auth.body = (REPO / "exports" / "disnaker" / "jobfair_lowongan_2025.json").read_bytes()
    _Auth.seen = []
    with serving(_Auth) as url:
        refused = refused_address()
        prepare(project, url.removeprefix("http://"), refused)
        env = env_for(project, {"SATUDATA_CKAN_TOKEN": SECRETS["ckan token"],
                                "SATUDATA_CKAN_URL": f"http://{refused_address()}",
                                "JOBFAIR_TOKEN": SECRETS["http bearer token"], "JOBFAIR_KEY": SECRETS["http api key"],
                                "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"})
        portal = project / "portal"
        local = run_cli(project, ["run", *LOCAL, "--portal", str(portal)], env)
        check = run_cli(project, ["validate", BUDGET], env)
        ckan = run_cli(project, ["run", "pagu-anggaran-opd", "--target", "ckan"], env, timeout=600)
        lineage = run_cli(project, ["lineage", JOBFAIR, "--portal", str(portal)], env)

    # the runs did what the proof needs: the header reached the server, the job fair published, the SQL failed
    assert _Auth.seen and all(h.get("x-api-key") == SECRETS["http api key"] for h in _Auth.seen), _Auth.seen
    assert local.returncode == 1, local.stdout + local.stderr          # the SQL source fails
    assert (portal / "disnaker" / JOBFAIR / "latest" / "lineage.jsonl").is_file(), local.stdout
    assert (portal / "bkad" / "pagu-anggaran-opd" / "latest").is_symlink()
    assert "postgresql" in local.stdout, local.stdout[-3000:]   # the failing source is named
    assert check.returncode != 0 and ckan.returncode != 0, (check.stdout, ckan.stdout + ckan.stderr)
    assert lineage.returncode == 0, lineage.stdout + lineage.stderr
    recorded = local.stdout + check.stdout + "".join(p.read_text(encoding="utf-8")
                                                     for p in (project / "quarantine").rglob("validation.json"))
    assert f"satudata@{refused}" in recorded, "the failing SQL URL is recorded, without its password"

    places: dict[str, dict[str, int]] = {}

    def count(where: str, data: bytes) -> None:
        found = {k: v for k, v in hits(data).items() if v}
        if found:
            places[where] = found

    files = 0
    for path in sorted(project.rglob("*")):   # state, work, quarantine, portal, Prefect's home (db and WAL)
        if path.is_file() and not path.is_symlink() and path.name != "catalog.yaml":
            files += 1
            count(str(path.relative_to(project)), path.read_bytes())
    for name, result in (("run", local), ("validate", check), ("run --target ckan", ckan), ("lineage", lineage)):
        count(f"{name} stdout", result.stdout.encode())
        count(f"{name} stderr", result.stderr.encode())
    records = prefect_records(env, project)
    assert records["artifacts"] and records["flow_runs"], "the runs left artifacts and flow runs to read"
    for kind in ("artifacts", "flow_runs", "logs"):
        count(f"Prefect API {kind}", json.dumps(records[kind]).encode())
    leaks = sum(sum(v.values()) for v in places.values())
    document = write_proof(
        "secrets", "The CKAN token, a SQL password and HTTP auth headers in no file, log, record or output",
        [Figure("secret values planted (4 secrets, 5 forms each)", len(SECRETS), ">= 4"),
         Figure("files grepped (state, Prefect db, reports, lineage, portal)", files, ">= 50"),
         Figure("Prefect artifacts, flow runs and logs read through the API",
                sum(len(records[k]) for k in ("artifacts", "flow_runs", "logs")), ">= 5"),
         Figure("hits of a secret anywhere", leaks, "= 0")],
        notes="commands: run (local, CKAN token set), validate (SQL with password), run --target ckan (refused)",
        leaks=places)
    assert not places, places
    assert_met(document)
