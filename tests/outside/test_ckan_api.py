"""The portal's static CKAN read API, read by ckanapi (4.11, from the separate environment of the users' tools)
against `satudata serve`, as another portal or a harvester would read a CKAN: GET only, since a static site takes
no POST.

The demo catalogue is published by the real command into a copied project, then one export changes and that
dataset gets a second version. A small script run by the outside environment's Python calls package_list,
package_show, organization_list, organization_show, package_search and status_show through
``ckanapi.RemoteCKAN(url, get_only=True)``, then downloads every resource of every dataset it found (URLs are
relative to the portal) and compares each file's sha256 and size with what the API states.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow

CLIENT = r'''
import hashlib, json, sys
from urllib.parse import urljoin
import ckanapi, requests

portal = sys.argv[1]
ckan = ckanapi.RemoteCKAN(portal, get_only=True, user_agent="satudata-outside-test")
out = {"package_list": ckan.action.package_list(), "organization_list": ckan.action.organization_list(),
       "status_show": ckan.action.status_show()}
poverty = ckan.action.package_show(id="garis-kemiskinan-jatim")
out["package_show"] = poverty
out["package_show_by_id"] = ckan.action.package_show(id=poverty["id"])["name"]
out["organization_show"] = ckan.action.organization_show(id="bappeda")
search = ckan.action.package_search(q="kemiskinan")
out["search_word"] = [search["count"], [p["name"] for p in search["results"]]]
page = ckan.action.package_search(q="*:*", rows=5, start=10)
out["search_page"] = [page["count"], [p["name"] for p in page["results"]]]
try:
    ckan.action.package_show(id="tidak-ada")
    out["missing"] = "found?"
except ckanapi.NotFound:
    out["missing"] = "NotFound"

# A harvester: every dataset, every resource, downloaded and checked against the hash and size it states.
checked, wrong, session = [], [], requests.Session()
everything = ckan.action.package_search(q="*:*", rows=1000)
for name in [p["name"] for p in everything["results"]]:
    for resource in ckan.action.package_show(id=name)["resources"]:
        url = urljoin(portal + "/", resource["url"])
        digest, size = hashlib.sha256(), 0
        with session.get(url, stream=True, timeout=60) as response:
            response.raise_for_status()
            for chunk in response.iter_content(1 << 16):
                digest.update(chunk)
                size += len(chunk)
        checked.append(resource["url"])
        if (digest.hexdigest(), size) != (resource["hash"], resource["size"]):
            wrong.append([url, digest.hexdigest(), size, resource["hash"], resource["size"]])
out["harvest"] = {"datasets": everything["count"], "checked": checked, "wrong": wrong}
print(json.dumps(out))
'''


@pytest.fixture(scope="module")
def answers(served: str, outside_bin: Path, tmp_path_factory) -> dict:
    script = tmp_path_factory.mktemp("client") / "client.py"
    script.write_text(CLIENT, encoding="utf-8")
    out = subprocess.run([str(outside_bin / "python"), str(script), served], capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_ckanapi_lists_the_published_datasets_and_departments(answers: dict):
    from satudata.core.catalog import load_catalog

    catalog = load_catalog(REPO / "catalog.yaml")
    assert answers["package_list"] == sorted(d.id for d in catalog.datasets)
    assert sorted(answers["organization_list"]) == sorted({d.department for d in catalog.datasets})
    assert answers["organization_show"]["title"] == catalog.department("bappeda").name
    assert answers["organization_show"]["package_count"] == 2
    assert answers["status_show"]["ckan_version"].startswith("2.12")


def test_ckanapi_shows_a_dataset_with_the_resources_of_every_version(answers: dict, portal: Path):
    package = answers["package_show"]
    assert package["name"] == answers["package_show_by_id"] == "garis-kemiskinan-jatim"
    assert package["version"] == "1.1.0" and package["organization"]["name"] == "bappeda"
    versions = [r["satudata_version"] for r in package["resources"]]
    assert versions[0] == "1.1.0" and set(versions) == {"1.0.0", "1.1.0"}
    files = sorted(p.relative_to(portal).as_posix() for v in ("1.0.0", "1.1.0")
                   for p in (portal / "bappeda" / "garis-kemiskinan-jatim" / v).iterdir())
    assert sorted(r["url"] for r in package["resources"]) == files
    csv = next(r for r in package["resources"] if r["url"] == "bappeda/garis-kemiskinan-jatim/1.1.0/data.csv")
    assert (csv["format"], csv["mimetype"]) == ("CSV", "text/csv")
    assert answers["missing"] == "NotFound"


def test_ckanapi_searches_for_a_word_and_pages(answers: dict):
    assert answers["search_word"] == [1, ["garis-kemiskinan-jatim"]]
    count, names = answers["search_page"]
    assert count == 13 and len(names) == 3          # 13 datasets, page of five from the eleventh


def test_a_harvester_downloads_every_resource_with_the_sha256_it_states(answers: dict, portal: Path):
    harvest = answers["harvest"]
    on_disk = {p.relative_to(portal).as_posix() for p in portal.glob("*/*/*/*")
               if p.is_file() and not p.parent.is_symlink() and not p.parent.name.startswith(".")
               and p.parent.parent.parent.name != "api"}
    assert harvest["datasets"] == 13 and harvest["wrong"] == []
    assert sorted(harvest["checked"]) == sorted(on_disk) and len(on_disk) > 100
