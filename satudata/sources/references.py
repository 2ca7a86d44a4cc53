"""Reference tables for foreign keys (region codes): other catalogue datasets, staged from their own sources."""

from __future__ import annotations

import fcntl
import shutil
import tempfile
import uuid
from pathlib import Path

from satudata.core.catalog import Catalog, load_schema
from satudata.core.records import ReferenceTable
from satudata.sources.pull import pull
from satudata.sources.read import read_exports


def referenced_datasets(schema: dict) -> list[str]:
    return sorted({fk["reference"]["resource"] for fk in schema.get("foreignKeys", [])
                   if fk["reference"].get("resource")})


def reference_tables(catalog: Catalog, schema: dict, cache_dir: Path) -> dict[str, ReferenceTable]:
    """Stage every dataset this schema's foreign keys point at; cached by the hash of its export(s).

    Datasets validate concurrently (threads, and processes on one machine), so staging a reference is done once,
    under a file lock, into a temporary name that is renamed into place.
    """
    tables: dict[str, ReferenceTable] = {}
    cache_dir.mkdir(parents=True, exist_ok=True)
    for name in referenced_datasets(schema):
        dataset = catalog.dataset(name)
        ref_schema = load_schema(catalog, name)
        with (cache_dir / f".{name}.lock").open("a") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                pulled_dir = Path(tempfile.mkdtemp(prefix=f"{name}-pull-", dir=cache_dir))
                try:
                    raws = pull(dataset.source, catalog.root, pulled_dir)
                    exports = tuple(r.as_dict() for r in raws)
                    key = "-".join(r.sha256[:16] for r in raws)
                    staged = cache_dir / f"{name}-{key}.parquet"
                    if not staged.is_file():
                        tmp = staged.with_name(f".{staged.name}.{uuid.uuid4().hex}.tmp")
                        read_exports(raws, dataset.source.options, ref_schema["fields"], tmp)
                        tmp.replace(staged)
                finally:
                    shutil.rmtree(pulled_dir, ignore_errors=True)
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
        tables[name] = ReferenceTable(staged, ref_schema, exports)
    return tables


