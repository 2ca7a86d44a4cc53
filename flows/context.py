"""Everything a run needs, built once at the entry point from the settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from satudata.core.catalog import Catalog, load_catalog
from satudata.core.publishing import Publisher
from satudata.core.settings import RunSettings


def make_publisher(catalog: Catalog, settings: RunSettings) -> Publisher:
    if settings.target == "ckan":
        from satudata.publish.ckan import CkanPublisher

        return CkanPublisher.from_settings(catalog, settings)
    from satudata.publish.local import LocalPortal

    # The portal's store, picked here once: a folder given explicitly wins, then an S3 store from the environment,
    # then the catalogue's portal.store, then the catalogue's local_dir folder.
    url, setting = settings.portal_store, "SATUDATA_PORTAL_STORE"
    if url is None:
        url, setting = catalog.portal.store, f"{catalog.path}: portal.store"
    if url is not None and settings.portal_dir is None:
        from satudata.publish.store_s3 import S3Store

        store = S3Store.from_url(url, setting, settings.s3_endpoint, settings.portal_lease_seconds)
        return LocalPortal(catalog, store=store)
    return LocalPortal(catalog, settings.portal_dir)


# A catalogue already read in this process, for the flows it calls: by the run id of a catalogue flow (its dataset
# runs), or by the catalogue's path (the command that read it at its start and then calls the flow). A catalogue of
# 1,000 dataset files is read once a run, not once a dataset; a run elsewhere (another worker) reads its own.
_SHARED: dict[str, Catalog] = {}


@contextmanager
def sharing(key: str, catalog: Catalog) -> Iterator[None]:
    """Within the block, flows of this process opening ``key`` (a run id or a catalogue path) reuse ``catalog``."""
    _SHARED[key] = catalog
    try:
        yield
    finally:
        _SHARED.pop(key, None)


class RunContext:
    """Not a dataclass on purpose: Prefect walks the dataclasses and models a task is given (to find futures in
    them), and a context holding a catalogue of 1,000 datasets made every task call walk 1,000 datasets."""

    __slots__ = ("settings", "catalog", "publisher", "_salt")

    def __init__(self, settings: RunSettings, catalog: Catalog, publisher: Publisher, salt: str | None = None) -> None:
        self.settings, self.catalog, self.publisher, self._salt = settings, catalog, publisher, salt

    @property
    def salt(self) -> str:
        """The privacy salt, read when a dataset is first converted (the module that owns it loads pyarrow)."""
        if self._salt is None:
            from satudata.validators.privacy_gate import privacy_salt

            self._salt = privacy_salt(self.settings.state_dir())
        return self._salt

    @classmethod
    def open(cls, settings: RunSettings, parent_run_id: str | None = None) -> RunContext:
        catalog = (_SHARED.get(parent_run_id) if parent_run_id else None) or _SHARED.get(str(settings.catalog_path))
        if catalog is None:
            catalog = load_catalog(settings.catalog_path)
        return cls(settings, catalog, make_publisher(catalog, settings))

    def storage_folders(self) -> list[Path]:
        """Where a run writes: the portal's folder (when it is one), the work folder and the quarantine."""
        root = getattr(self.publisher, "root", None)
        return ([Path(root)] if root is not None else []) + [self.settings.work(), self.settings.quarantine()]

    def work_dir(self, dataset_id: str, run_id: str) -> Path:
        folder = self.settings.work() / f"{dataset_id}-{run_id}"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
