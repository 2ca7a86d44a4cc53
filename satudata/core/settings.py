"""Run settings, read once at the entry point (CLI or flow), never at import time elsewhere."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

STATE_DIR = ".satudata"


def quiet_environment(project_root: Path) -> None:
    """Prefect with no server configured (state in a folder the project owns), and no analytics or noise."""
    state = project_root / STATE_DIR
    os.environ.setdefault("PREFECT_HOME", str(state / "prefect"))
    Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)   # Prefect's SQLite needs the folder
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_TASKS_REFRESH_CACHE", "false")
    os.environ.setdefault("PREFECT_RESULTS_PERSIST_BY_DEFAULT", "false")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")


@dataclass(frozen=True)
class RunSettings:
    catalog_path: Path
    target: str = "local"                 # local | ckan
    portal_dir: Path | None = None        # overrides catalog portal.local_dir (and portal.store)
    portal_store: str | None = None       # s3://bucket/prefix, overrides catalog portal.store (docs/storage.md)
    s3_endpoint: str | None = None        # the S3-compatible server's URL (none: AWS's own)
    portal_lease_seconds: float = 60.0    # how long an S3 portal's publishing lease outlives a run that died
    quarantine_dir: Path | None = None
    work_dir: Path | None = None
    privacy_salt: str | None = field(default=None, repr=False)
    ckan_url: str | None = None
    ckan_token: str | None = field(default=None, repr=False)
    ckan_timeout: float = 300.0           # seconds a CKAN call may take to answer (SATUDATA_CKAN_TIMEOUT)
    concurrency: int = 2
    global_limits: bool = False           # use the Prefect server's global concurrency limits (deployments)

    @property
    def root(self) -> Path:
        return self.catalog_path.resolve().parent

    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    def work(self) -> Path:
        return self.work_dir or self.state_dir() / "work"

    def quarantine(self) -> Path:
        return self.quarantine_dir or self.root / "quarantine"

    def to_dict(self) -> dict:
        """Plain JSON values, fit to be a flow parameter (the token is left out: it is read from the environment)."""
        values = {k: (str(v) if isinstance(v, Path) else v) for k, v in self.__dict__.items()}
        values.pop("ckan_token", None)
        values.pop("privacy_salt", None)
        return values

    @classmethod
    def from_dict(cls, values: dict) -> RunSettings:
        paths = ("catalog_path", "portal_dir", "quarantine_dir", "work_dir")
        converted = {k: (Path(v) if k in paths and v is not None else v) for k, v in values.items()}
        converted.setdefault("ckan_token", os.environ.get("SATUDATA_CKAN_TOKEN"))
        converted.setdefault("privacy_salt", os.environ.get("SATUDATA_PRIVACY_SALT"))
        for key, value in _store_from_environment().items():   # a deployment's run: the worker's environment
            converted.setdefault(key, value)
        return cls(**converted)

    @classmethod
    def from_environment(cls, catalog_path: Path, **overrides: object) -> RunSettings:
        values: dict = {
            "catalog_path": catalog_path,
            "privacy_salt": os.environ.get("SATUDATA_PRIVACY_SALT"),
            "ckan_url": os.environ.get("SATUDATA_CKAN_URL"),
            "ckan_token": os.environ.get("SATUDATA_CKAN_TOKEN"),
        }
        if os.environ.get("SATUDATA_PORTAL_DIR"):
            values["portal_dir"] = Path(os.environ["SATUDATA_PORTAL_DIR"])
        values.update(_store_from_environment())
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def _store_from_environment() -> dict:
    """The portal store's settings that are set in the environment (docs/storage.md)."""
    values: dict = {}
    for name, key in (("SATUDATA_PORTAL_STORE", "portal_store"), ("SATUDATA_S3_ENDPOINT", "s3_endpoint")):
        if os.environ.get(name):
            values[key] = os.environ[name]
    for name, key, fix in (("SATUDATA_CKAN_TIMEOUT", "ckan_timeout", "give the seconds a CKAN call may take, e.g. 300"),
                           ("SATUDATA_PORTAL_LEASE_SECONDS", "portal_lease_seconds",
                            "give the lease's time to live in seconds, e.g. 60")):
        if os.environ.get(name):
            try:
                values[key] = float(os.environ[name])
            except ValueError:
                raise ValueError(f"{name}={os.environ[name]!r} is not a number — fix: {fix}") from None
    return values
