"""One small dataset on the real CKAN: a new version, a run killed mid-publish, CKAN answering 503, a wrong token."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests
from ckanapi import NotFound, RemoteCKAN
from typer.testing import CliRunner

from satudata.cli import app
from satudata.core.catalog import load_catalog
from satudata.core.files import sha256_file
from satudata.core.publishing import DatasetLocked
from satudata.core.settings import RunSettings
from satudata.publish.ckan import CkanPublisher
from satudata.publish.ckan_mapping import committed_entries, organization_fields, package_id_for
from tests.ckan.conftest import ensure_organization, package, run_flow, sha256_of
from tests.ckan.proxy import CkanProxy

pytestmark = [pytest.mark.ckan, pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]


def _change_a_row(project: Path, dataset_id: str) -> None:
    export = project / load_catalog(project / "catalog.yaml").dataset(dataset_id).source.path
    text = export.read_text(encoding="utf-8-sig")
    changed = text.replace("Kabupaten Pacitan,327758", "Kabupaten Pacitan,327759")
    assert changed != text
    export.write_text(changed, encoding="utf-8-sig")


def _live_processes_in_group(pgid: int) -> list[int]:
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(stat.parent.name))
    return alive


def test_new_version_adds_resources_and_keeps_the_old_ones_downloadable(small_dataset, ckan, tmp_path):
    project, name = small_dataset
    assert run_flow(project, [name])[name]["version"] == "1.0.0"
    old = {r["satudata_file"]: (r["id"], sha256_of(r["url"])) for r in package(ckan, name)["resources"]}

    _change_a_row(project, name)
    outcome = run_flow(project, [name])[name]
    assert (outcome["status"], outcome["version"], outcome["change"]) == ("published", "1.1.0", "minor")

    pkg = package(ckan, name)
    assert pkg["version"] == "1.1.0"
    versions = [r["satudata_version"] for r in pkg["resources"]]
    assert versions == ["1.1.0"] * (len(versions) - len(old)) + ["1.0.0"] * len(old), "newest version first"
    assert pkg["resources"][0]["satudata_file"] == "data.csv"
    for resource in pkg["resources"]:
        if resource["satudata_version"] == "1.0.0":   # untouched: same resource, same bytes
            assert (resource["id"], sha256_of(resource["url"])) == old[resource["satudata_file"]]
    new_csv = next(r for r in pkg["resources"] if r["satudata_version"] == "1.1.0" and r["satudata_file"] == "data.csv")
    assert new_csv["hash"] != old["data.csv"][1]

    catalog = load_catalog(project / "catalog.yaml")
    publisher = CkanPublisher.from_settings(catalog, RunSettings.from_environment(project / "catalog.yaml",
                                                                                  target="ckan"))
    dataset = catalog.dataset(name)
    history = publisher.history(dataset)
    assert [v.version for v in history] == ["1.0.0", "1.1.0"]
    fetched = publisher.fetch(dataset, "1.0.0", "data.csv", tmp_path / "old" / "data.csv")
    assert sha256_file(fetched) == old["data.csv"][1]
    lineage = requests.get(history[1].files["lineage.jsonl"]["uri"], timeout=60).text
    chain = json.loads(lineage.splitlines()[-1])["run"]["facets"]["satudata_chain"]
    assert (chain["previousVersion"], chain["previousLineageSha256"]) == ("1.0.0", history[0].lineage_sha256)


def test_run_killed_mid_publish_is_completed_by_the_next_run(small_dataset, ckan, ckan_env, tmp_path):
    project, name = small_dataset
    started, running = threading.Event(), {}

    def kill_after_third_upload(action: str, n: int) -> bool:
        if action == "resource_create" and n == 3:   # CKAN has made the resource; its caller dies unanswered
            started.wait(60)
            os.killpg(running["cli"].pid, signal.SIGKILL)
            return False
        return True

    log = tmp_path / "cli.log"
    with CkanProxy(ckan_env["url"], after=kill_after_third_upload) as proxy, log.open("w") as out:
        env = {**os.environ, "SATUDATA_CKAN_URL": proxy.url, "PREFECT_HOME": str(tmp_path / "prefect")}
        command = [str(Path(sys.executable).parent / "satudata"), "run", name, "--target", "ckan",
                   "--catalog", str(project / "catalog.yaml")]
        running["cli"] = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT,
                                          start_new_session=True)
        started.set()
        code = running["cli"].wait(timeout=600)
    assert code == -signal.SIGKILL, log.read_text()[-3000:]
    deadline = time.monotonic() + 30   # the killed run's children (Prefect's server) go with it
    while _live_processes_in_group(running["cli"].pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _live_processes_in_group(running["cli"].pid) == []

    half = package(ckan, name)
    assert half["private"] and committed_entries(half) == [] and len(half["resources"]) == 3
    early = {r["satudata_file"]: r for r in half["resources"]}

    rerun = CliRunner().invoke(app, ["run", name, "--target", "ckan", "--catalog", str(project / "catalog.yaml")])
    assert rerun.exit_code == 0 and "1 published" in rerun.output, rerun.output
    pkg = package(ckan, name)
    [entry] = committed_entries(pkg)
    assert entry["version"] == "1.0.0"
    ids = [r["id"] for r in pkg["resources"]]
    assert len(ids) == len(set(ids)) == len(entry["files"]), "no duplicate resources"
    assert sorted(r["satudata_file"] for r in pkg["resources"]) == sorted(entry["files"])
    final = {r["satudata_file"]: r for r in pkg["resources"]}
    for file, resource in early.items():
        assert final[file]["id"] == resource["id"]
    for file in ("data.csv", "data.parquet"):   # same bytes as the killed run's: reused, not uploaded again
        assert final[file]["last_modified"] == early[file]["last_modified"]
    for file, resource in final.items():
        assert sha256_of(resource["url"]) == entry["files"][file]["sha256"] == resource["hash"]

    again = run_flow(project, [name])[name]
    assert again["status"] == "unchanged"
    assert [(r["id"], r["last_modified"]) for r in package(ckan, name)["resources"]] == \
        [(r["id"], r["last_modified"]) for r in pkg["resources"]]


def test_ckan_answering_503_twice_per_action_is_retried(small_dataset, ckan, ckan_env):
    project, name = small_dataset
    with CkanProxy(ckan_env["url"], decide=lambda action, n: 503 if n <= 2 else None) as proxy:
        outcome = run_flow(project, [name], ckan_url=proxy.url)[name]
    assert (outcome["status"], outcome["version"]) == ("published", "1.0.0"), outcome
    assert {"package_show", "package_create", "resource_create", "package_update"} <= set(proxy.counts)
    for action in proxy.counts:
        statuses = proxy.statuses(action)
        assert statuses[:2] == [503, 503] and statuses[2] != 503, (action, statuses)
    pkg = package(ckan, name)
    [entry] = committed_entries(pkg)
    assert len(pkg["resources"]) == len(entry["files"]) == proxy.counts["resource_create"] - 2


def test_wrong_token_is_a_clear_error_that_never_shows_the_token(small_dataset, ckan: RemoteCKAN, monkeypatch,
                                                                  caplog, capfd):
    project, name = small_dataset
    wrong = f"satudata-wrong-token-{uuid.uuid4().hex}"
    monkeypatch.setenv("SATUDATA_CKAN_TOKEN", wrong)
    caplog.set_level(logging.DEBUG)

    unknown = run_flow(project, [name])[name]
    assert unknown["status"] == "failed"
    assert "did not accept SATUDATA_CKAN_TOKEN" in unknown["message"], unknown
    with pytest.raises(NotFound):
        ckan.action.package_show(id=name)

    ensure_organization(ckan, "bappeda")
    ckan.action.package_create(name=name, owner_org="bappeda", private=True)   # one the caller may not read
    refused = run_flow(project, [name])[name]
    assert refused["status"] == "failed"
    assert "not authorised" in refused["message"] and f"dataset {name}" in refused["message"], refused

    out, err = capfd.readouterr()
    for text in (json.dumps([unknown, refused]), caplog.text, out, err):
        assert wrong not in text


def test_an_organisation_editor_publishes_without_choosing_the_dataset_id(small_dataset, ckan, ckan_env,
                                                                          monkeypatch):
    project, name = small_dataset
    catalog = load_catalog(project / "catalog.yaml")
    department = catalog.department(catalog.dataset(name).department)
    fields = organization_fields(department)
    try:   # the organisation as satudata wants it, made by a sysadmin (an editor may not change it)
        ckan.action.organization_patch(id=fields["name"], **fields)
    except NotFound:
        ckan.action.organization_create(**fields)
    user = f"editor-{uuid.uuid4().hex[:10]}"
    ckan.action.user_create(name=user, email=f"{user}@example.invalid", password=uuid.uuid4().hex)
    try:
        ckan.action.organization_member_create(id=fields["name"], username=user, role="editor")
        monkeypatch.setenv("SATUDATA_CKAN_TOKEN", ckan.action.api_token_create(user=user, name="satudata")["token"])

        outcome = run_flow(project, [name])[name]
        assert (outcome["status"], outcome["version"]) == ("published", "1.0.0"), outcome
        pkg = package(ckan, name)
        assert pkg["id"] != package_id_for(ckan_env["url"], name), "CKAN chose the id, not satudata"
        [entry] = committed_entries(pkg)
        lineage = requests.get(entry["files"]["lineage.jsonl"]["uri"], timeout=60).text
        outputs = json.loads(lineage.splitlines()[-1])["outputs"]
        urls = {r["url"] for r in pkg["resources"]}
        assert outputs and {o["namespace"] + o["name"] for o in outputs} <= urls
    finally:
        ckan.action.user_delete(id=user)


def test_one_run_at_a_time_per_dataset_on_this_machine(small_dataset, ckan_env):
    project, name = small_dataset
    catalog = load_catalog(project / "catalog.yaml")
    settings = RunSettings.from_environment(project / "catalog.yaml", target="ckan")
    first, second = (CkanPublisher.from_settings(catalog, settings) for _ in range(2))
    second.lock_wait_seconds = 0.5           # it waits for the holder that long, then says so
    dataset = catalog.dataset(name)
    with first.lock(dataset), pytest.raises(DatasetLocked, match="another run"), second.lock(dataset):
        pass
    with second.lock(dataset):   # free again
        pass
