"""Fixtures for the tests against the real CKAN harness (tests/ckan_harness: `make ckan-up`, or `make test`).

The CKAN tests are never skipped: without SATUDATA_CKAN_URL / SATUDATA_CKAN_TOKEN they fail, saying how to start
CKAN. Each test works on datasets of its own (unique names, or the demo catalogue purged first) and purges them
afterwards, so the tests are independent and can run again on the same CKAN.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml
from ckanapi import NotFound, RemoteCKAN

from satudata.core.catalog import load_catalog
from satudata.core.settings import RunSettings
from satudata.flows.publish import with_concurrency

SMALL_DATASET = "garis-kemiskinan-jatim"     # a 1 KB CSV export, no foreign keys: quick to run again and again


@pytest.fixture(scope="session")
def ckan_env() -> dict[str, str]:
    return harness_env()


def harness_env() -> dict[str, str]:
    """The real CKAN harness's URL and token from the environment, checked to answer (the fault proofs too)."""
    url, token = os.environ.get("SATUDATA_CKAN_URL"), os.environ.get("SATUDATA_CKAN_TOKEN")
    if not url or not token:
        pytest.fail("SATUDATA_CKAN_URL / SATUDATA_CKAN_TOKEN are not set: the CKAN tests need the real CKAN harness. "
                    "Run `make test` (starts it), or `make ckan-up` then `set -a; . .satudata/ckan/env; set +a`.",
                    pytrace=False)
    try:
        requests.get(f"{url}/api/3/action/status_show", timeout=10).raise_for_status()
    except requests.RequestException as exc:
        pytest.fail(f"CKAN at {url} does not answer ({type(exc).__name__}): run `make ckan-up`.", pytrace=False)
    return {"url": url.rstrip("/"), "token": token}


@pytest.fixture(scope="session")
def ckan(ckan_env) -> RemoteCKAN:
    """A sysadmin client, for the tests' own look at CKAN."""
    return RemoteCKAN(ckan_env["url"], apikey=ckan_env["token"])


def purge(ckan: RemoteCKAN, names: list[str]) -> None:
    for name in names:
        with contextlib.suppress(NotFound):
            ckan.action.dataset_purge(id=name)


def ensure_organization(ckan: RemoteCKAN, name: str) -> None:
    try:
        ckan.action.organization_show(id=name)
    except NotFound:
        ckan.action.organization_create(name=name, title=name)


def package(ckan: RemoteCKAN, name: str) -> dict:
    return ckan.action.package_show(id=name)


def run_flow(project: Path, ids: list[str], **overrides: object) -> dict[str, dict]:
    """The real flow with target ckan (URL and token from the environment unless overridden)."""
    settings = RunSettings.from_environment(project / "catalog.yaml", target="ckan", **overrides)
    outcomes = with_concurrency(2)(ids, settings.to_dict())
    return {o["dataset"]: o for o in outcomes}


def sha256_of(url: str, token: str | None = None) -> str:
    answer = requests.get(url, headers={"Authorization": token} if token else {}, timeout=60)
    answer.raise_for_status()
    return hashlib.sha256(answer.content).hexdigest()


def rename_dataset(project: Path, old: str, new: str) -> None:
    """Give a dataset of a project copy another id (its catalogue entry and its folder)."""
    path = project / "catalog.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    next(d for d in raw["datasets"] if d["id"] == old)["id"] = new
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    shutil.move(project / "datasets" / old, project / "datasets" / new)


@pytest.fixture
def small_dataset(project: Path, ckan: RemoteCKAN) -> Iterator[tuple[Path, str]]:
    """A project copy whose small dataset has a name of its own on CKAN; purged afterwards."""
    name = f"{SMALL_DATASET[:12]}-{uuid.uuid4().hex[:10]}"
    rename_dataset(project, SMALL_DATASET, name)
    load_catalog(project / "catalog.yaml")   # still a valid catalogue
    yield project, name
    purge(ckan, [name])
