"""Figures of the CKAN and two-run proofs, in the shape `make faults` prints (tests/faults/report.py --figures):
``{"proof", "title", "seed", "figures": [{"name", "value", "target", "met"}], "notes"}`` written to
``$SATUDATA_FAULTS_DIR/<proof>.json`` (default ``<repo>/.satudata/faults/``) through tests/faults/figures.py."""

from __future__ import annotations

import hashlib
from collections import Counter

import requests
from ckanapi import NotFound, RemoteCKAN

from satudata.publish.ckan_mapping import committed_entries
from tests.ckan.conftest import harness_env
from tests.faults import figures as figures_file
from tests.faults.figures import Figure


def figure(name: str, value: float, target: str) -> dict:
    """One counted thing beside its target, e.g. ``figure("duplicate resources", 0, "= 0")``."""
    return Figure(name, value, target).as_dict()


def write_proof(proof: str, title: str, seed: int | None, figures: list[dict], notes: str = "",
                details: list | None = None) -> dict:
    """Write the proof's figures (and, for reading, its per-round details); return the written object."""
    return figures_file.write_proof(proof, title, figures, seed=seed, notes=notes,
                                    **({"details": details} if details is not None else {}))


def ckan_connection() -> tuple[dict[str, str], RemoteCKAN]:
    """The real CKAN harness (URL and token from the environment, checked as tests/ckan/conftest.py does) and a
    sysadmin client for the proofs' own look at it. Each proof module makes it its session fixture ``ckan_site``."""
    env = harness_env()
    return env, RemoteCKAN(env["url"], apikey=env["token"])


def _sha256(url: str, token: str) -> str | None:
    answer = requests.get(url, headers={"Authorization": token}, timeout=60)
    return hashlib.sha256(answer.content).hexdigest() if answer.status_code == 200 else None


class Look:
    """What a reader of CKAN sees of the proof's datasets."""

    def __init__(self, client: RemoteCKAN, token: str, names: list[str]) -> None:
        self.client, self.token, self.names = client, token, names

    def packages(self) -> dict[str, dict | None]:
        found = {}
        for name in self.names:
            try:
                found[name] = self.client.action.package_show(id=name)
            except NotFound:
                found[name] = None
        return found

    def count(self) -> dict[str, int]:
        """Duplicate resources, missing resources, leftover (never committed) resources and a public dataset or a
        ``version`` field that does not match the committed versions."""
        counts = Counter(duplicate=0, missing=0, leftover=0, inconsistent=0)
        for package in self.packages().values():
            if package is None:
                continue
            resources = package.get("resources", [])
            pairs = Counter((r.get("satudata_version"), r.get("satudata_file")) for r in resources)
            counts["duplicate"] += sum(n - 1 for n in pairs.values()) + \
                sum(n - 1 for n in Counter(r["id"] for r in resources).values())
            entries = committed_entries(package)
            urls = {r["url"] for r in resources}
            counts["missing"] += sum(1 for e in entries for f in e["files"].values() if f["uri"] not in urls)
            committed = {(e["version"], name) for e in entries for name in e["files"]}
            counts["leftover"] += sum(1 for pair in pairs if pair not in committed)
            if entries:
                counts["inconsistent"] += int(package.get("version") != entries[-1]["version"] or package["private"])
            else:
                counts["inconsistent"] += int(not package["private"])
        return counts

    def committed(self) -> dict[str, list[str]]:
        return {name: [e["version"] for e in committed_entries(p)] if p else [] for name, p in self.packages().items()}

    def digests(self, known: dict[str, str] | None = None) -> dict[str, str | None]:
        """sha256 of every committed file (downloaded); with ``known``, only the files not in it."""
        found = {}
        for name, package in self.packages().items():
            for entry in committed_entries(package) if package else []:
                for file, meta in entry["files"].items():
                    key = f"{name}/{entry['version']}/{file}"
                    if known is None or key not in known:
                        found[key] = _sha256(meta["uri"], self.token)
        return found

    def recorded(self) -> dict[str, str]:
        return {f"{name}/{e['version']}/{file}": meta["sha256"] for name, p in self.packages().items() if p
                for e in committed_entries(p) for file, meta in e["files"].items()}
