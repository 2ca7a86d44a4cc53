"""Everything a run needs, built once at the entry point from the settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from satudata.core.catalog import Catalog, load_catalog
from satudata.core.publishing import Publisher
from satudata.core.settings import RunSettings
from satudata.validators.privacy_gate import privacy_salt


def make_publisher(catalog: Catalog, settings: RunSettings) -> Publisher:
    if settings.target == "ckan":
        from satudata.publish.ckan import CkanPublisher

        return CkanPublisher.from_settings(catalog, settings)
    from satudata.publish.local import LocalPortal

    return LocalPortal(catalog, settings.portal_dir)


@dataclass
class RunContext:
    settings: RunSettings
    catalog: Catalog
    publisher: Publisher
    salt: str

    @classmethod
    def open(cls, settings: RunSettings) -> RunContext:
        catalog = load_catalog(settings.catalog_path)
        return cls(settings, catalog, make_publisher(catalog, settings), privacy_salt(settings.state_dir()))

    def work_dir(self, dataset_id: str, run_id: str) -> Path:
        folder = self.settings.work() / f"{dataset_id}-{run_id}"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
