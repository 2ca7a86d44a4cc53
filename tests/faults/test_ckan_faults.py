"""CKAN faults through a loopback proxy in front of the real CKAN harness (tests/ckan/proxy.py): bursts of 5xx, a
commit that keeps failing, timeouts after CKAN applied an action, connection resets mid-upload, a 413 for a large
file and a slow server. One small dataset goes through them in turn, each with a data change, so every scenario
should end in exactly one new version: at once where retrying is safe (reads, and writes whose landing the client
can check), or, where it is not, after a clear bilingual error naming the dataset, the file and the URL and one
more run without faults. After each, CKAN is read with ckanapi: no duplicate resource, no missing one, no lost or
extra version, earlier versions' bytes unchanged (sha256 of the downloads), and the token in no message, log or
quarantine report. Figures: ckan-faults.json."""

from __future__ import annotations

import json
import logging
import time
import uuid
from pathlib import Path

import pytest

from satudata.core.catalog import load_catalog
from satudata.core.settings import RunSettings
from satudata.flows.context import make_publisher
from satudata.lineage.verify import problems, verify
from satudata.publish.ckan_mapping import ckan_name, committed_entries
from tests.ckan.conftest import SMALL_DATASET, purge, rename_dataset, run_flow
from tests.ckan.proxy import CkanProxy
from tests.faults.ckan_figures import Look, ckan_connection, figure, write_proof
from tests.faults.figures import unmet
from tests.faults.killing import change_exports

pytestmark = [pytest.mark.faults, pytest.mark.slow, pytest.mark.ckan, pytest.mark.usefixtures("prefect_harness")]
NGINX_413 = (b"<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n<center><h1>413 "
             b"Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
UPLOADS = ("resource_create", "resource_update")



@pytest.fixture(scope="module")
def ckan_site():
    return ckan_connection()

def _uploads(name: str):
    return lambda action, n, body: (413, NGINX_413) if action in UPLOADS and \
        f'filename="{name}"'.encode() in body else None


# name, what the proxy does, the client's read timeout, whether the faulty run itself publishes
SCENARIOS = [
    ("5xx bursts (502, 503, 504, 500: the first two calls of every action)",
     {"decide": lambda action, n: (502, 503, 504, 500)[(len(action) + n) % 4] if n <= 2 else None}, 300, True),
    ("a commit (package_update) answered 503 every time",
     {"decide": lambda action, n: 503 if action == "package_update" else None}, 300, False),
    ("timeouts after CKAN applied resource_create, package_show and package_update",
     {"delay": lambda action, n: 6.0 if (action, n) in {("resource_create", 2), ("package_show", 2),
                                                         ("package_update", 1)} else 0.0}, 3, True),
    ("connection resets mid-upload (resource_create 1 and 3) and mid-commit",
     {"reset": lambda action, n: (action, n) in {("resource_create", 1), ("resource_create", 3),
                                                 ("package_update", 1)}}, 300, True),
    ("413 Request Entity Too Large for data.parquet (a web server's upload limit)",
     {"decide": _uploads("data.parquet")}, 300, False),
    ("a slow server (every answer 0.4 s late)", {"delay": lambda action, n: 0.4}, 300, True),
]


def _leaks(token: str, texts: list[str], folders: list[Path]) -> int:
    found = sum(text.count(token) for text in texts)
    for folder in folders:
        for path in folder.rglob("*") if folder.is_dir() else []:
            if path.is_file():
                found += path.read_bytes().count(token.encode())
    return found


def test_ckan_faults_through_a_proxy_are_retried_or_fail_clearly_and_lose_nothing(project, ckan_site, caplog,
                                                                                  capfd):
    ckan_env, ckan = ckan_site
    caplog.set_level(logging.DEBUG)
    token = ckan_env["token"]
    name = f"f{SMALL_DATASET[:12]}-{uuid.uuid4().hex[:8]}"
    rename_dataset(project, SMALL_DATASET, name)
    look = Look(ckan, token, [name])
    expected: list[str] = []
    known: dict[str, str] = {}
    rows: list[dict] = []
    try:
        for number, (title, faults, timeout, publishes) in enumerate(SCENARIOS):
            if number:
                change_exports(project, (SMALL_DATASET,), 1)
            row: dict = {"scenario": title}
            clock = time.monotonic()
            with CkanProxy(ckan_env["url"], **faults) as proxy:
                outcome = run_flow(project, [name], ckan_url=proxy.url, ckan_timeout=timeout)[name]
            row.update(seconds=round(time.monotonic() - clock, 1), status=outcome["status"],
                       version=outcome["version"], message=outcome["message"][:600],
                       faults_served=sum(1 for _, _, status in proxy.log if status != 200),
                       answers_past_timeout=sum(1 for _, _, wait in proxy.late if wait > timeout),
                       requests=dict(proxy.counts))
            messages = [json.dumps(outcome)]
            if not publishes:
                message = outcome["message"]
                row["clear_error"] = int(outcome["status"] == "failed" and name in message and proxy.url in message
                                         and " / " in message)
                if "413" in title:
                    row["clear_error"] &= int("413" in message and "data.parquet" in message and "bytes)" in message
                                              and "client_max_body_size" in message)
                row["counts_after_failure"] = dict(look.count())
                row["committed_after_failure"] = look.committed()[name]
                clean = run_flow(project, [name])[name]      # the next run, with no faults: completes
                messages.append(json.dumps(clean))
                row["next_run"] = clean["status"]
                outcome = clean
            expected.append({0: "1.0.0"}.get(number, f"1.{number}.0"))
            committed = look.committed()[name]
            counts = look.count()
            row.update(published=int(outcome["status"] == "published" and outcome["version"] == expected[-1]),
                       committed=committed, lost_or_extra=int(committed != expected), **dict(counts))
            now = look.digests()
            row["earlier_changed"] = sum(1 for key, sha in known.items() if now.get(key) != sha)
            row["half_written"] = sum(1 for key, sha in now.items() if sha != look.recorded()[key])
            if "413" in title:   # the size the error named is the size of the file finally published
                [entry] = [e for e in committed_entries(look.packages()[name]) if e["version"] == expected[-1]]
                row["size_named"] = int(f"{entry['files']['data.parquet']['bytes']:,} bytes)" in row["message"])
            known = now
            out, err = capfd.readouterr()
            row["token_leaks"] = _leaks(token, [*messages, caplog.text, out, err],
                                        [project / "quarantine", project / ".satudata"])
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False))
        catalog = load_catalog(project / "catalog.yaml")
        publisher = make_publisher(catalog, RunSettings.from_environment(project / "catalog.yaml", target="ckan"))
        findings = problems(verify(publisher, [catalog.dataset(name)]))
    finally:
        purge(ckan, [ckan_name(name)])

    def total(key: str) -> int:
        return sum(r.get(key, 0) for r in rows)

    failing = [r for r in rows if "clear_error" in r]
    figures = [
        figure("scenarios", len(rows), f">= {len(SCENARIOS)}"),
        figure("faults the proxy served (5xx, 413, connection resets)", total("faults_served"), ">= 10"),
        figure("answers held back past the client's timeout", total("answers_past_timeout"), ">= 3"),
        figure("scenarios retried to a published version in the faulty run itself",
               sum(r["published"] for r in rows if "clear_error" not in r), f">= {len(rows) - len(failing)}"),
        figure("unsafe failures with a clear bilingual error naming dataset, file and URL (413: size and limit)",
               total("clear_error"), f">= {len(failing)}"),
        figure("failed runs completed by the next run without faults",
               sum(1 for r in failing if r["next_run"] == "published" and r["published"]), f">= {len(failing)}"),
        figure("duplicate resources", total("duplicate"), "= 0"),
        figure("missing resources", total("missing"), "= 0"),
        figure("lost or extra versions", total("lost_or_extra"), "= 0"),
        figure("leftover resources after a completed run", total("leftover"), "= 0"),
        figure("earlier versions changed (sha256 of the downloads)", total("earlier_changed"), "= 0"),
        figure("committed files whose bytes differ", total("half_written"), "= 0"),
        figure("token occurrences in messages, logs and reports", total("token_leaks"), "= 0"),
        figure("satudata verify findings at the end", len(findings), "= 0"),
    ]
    written = write_proof("ckan-faults", "CKAN faults through a loopback proxy (real CKAN): retried where safe, a "
                          "clear error where not, nothing duplicated or lost", None, figures,
                          notes="; ".join(f"{r['scenario']}: {r['seconds']} s" for r in rows), details=rows)
    assert not unmet(written), json.dumps(unmet(written), indent=2) + json.dumps(rows, indent=2)
