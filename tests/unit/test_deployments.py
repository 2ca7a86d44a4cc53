"""Deployments from catalog.yaml: one per dataset, a cron schedule from its frequency, department tags."""

from __future__ import annotations

from pathlib import Path

import yaml
from prefect.client.schemas.schedules import CronSchedule

from satudata.core.catalog import load_catalog
from satudata.flows.deployments import TIMEZONE, cron_for, deployment_specs, write_prefect_yaml
from tests.conftest import REPO


def test_every_dataset_gets_a_scheduled_deployment_with_department_tags():
    catalog = load_catalog(REPO / "catalog.yaml")
    specs = deployment_specs(catalog, target="ckan")
    assert [s.dataset_id for s in specs] == [d.id for d in catalog.datasets]
    for spec, dataset in zip(specs, catalog.datasets, strict=True):
        assert CronSchedule(cron=spec.cron, timezone=TIMEZONE).cron == spec.cron   # valid, or it raises
        assert f"department:{dataset.department}" in spec.tags
        assert spec.parameters == {"dataset_id": dataset.id, "settings": {
            "catalog_path": "catalog.yaml", "target": "ckan", "global_limits": True}}


def test_cron_follows_the_frequency():
    fields = {f: cron_for(f, "x").split() for f in ("daily", "weekly", "monthly", "quarterly", "yearly")}
    assert fields["daily"][2:] == ["*", "*", "*"]
    assert fields["weekly"][4] == "1"
    assert fields["monthly"][2:4] == ["1", "*"]
    assert fields["quarterly"][3] == "1,4,7,10"
    assert fields["yearly"][3] == "1"
    assert cron_for("daily", "a") == cron_for("daily", "a")   # stable per dataset


def test_prefect_yaml_holds_every_deployment(tmp_path: Path):
    catalog = load_catalog(REPO / "catalog.yaml")
    path = write_prefect_yaml(deployment_specs(catalog), tmp_path / "prefect.yaml")
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert len(document["deployments"]) == len(catalog.datasets)
    for deployment in document["deployments"]:
        assert deployment["entrypoint"] == "flows/publish.py:publish_dataset"
        assert (REPO / deployment["entrypoint"].split(":")[0]).is_file()
        assert deployment["schedules"][0]["timezone"] == TIMEZONE
        assert deployment["work_pool"]["name"] == "satudata"


def test_deploy_command_prints_a_schedule_for_every_dataset(tmp_path: Path):
    from typer.testing import CliRunner

    from satudata.cli import app

    result = CliRunner().invoke(app, ["deploy", "--catalog", str(REPO / "catalog.yaml"),
                                      "--write", str(tmp_path / "prefect.yaml")])
    assert result.exit_code == 0, result.output
    for dataset in load_catalog(REPO / "catalog.yaml").datasets:
        assert dataset.id[:20] in result.output
    assert (tmp_path / "prefect.yaml").is_file()
