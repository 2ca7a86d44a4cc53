"""Reference tables for foreign keys (region codes): other catalogue datasets, staged from their own sources."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from satudata.catalog import Catalog
from satudata.sources.pull import pull
from satudata.sources.stage import stage_exports
from satudata.validators.table_schema import ReferenceTable


def load_schema(catalog: Catalog, dataset_id: str) -> dict:
    return yaml.safe_load(catalog.schema_path(dataset_id).read_text(encoding="utf-8"))


def referenced_datasets(schema: dict) -> list[str]:
    return sorted({fk["reference"]["resource"] for fk in schema.get("foreignKeys", [])
                   if fk["reference"].get("resource")})


def reference_tables(catalog: Catalog, schema: dict, cache_dir: Path) -> dict[str, ReferenceTable]:
    """Stage every dataset this schema's foreign keys point at; cached by the hash of its export(s)."""
    tables: dict[str, ReferenceTable] = {}
    for name in referenced_datasets(schema):
        dataset = catalog.dataset(name)
        ref_schema = load_schema(catalog, name)
        pulled_dir = cache_dir / f"{name}-pull"
        raws = pull(dataset.source, catalog.root, pulled_dir)
        key = "-".join(r.sha256[:16] for r in raws)
        staged = cache_dir / f"{name}-{key}.parquet"
        if not staged.is_file():
            tmp = staged.with_suffix(".tmp")
            stage_exports(raws, dataset.source.options, ref_schema["fields"], tmp)
            tmp.replace(staged)
        shutil.rmtree(pulled_dir, ignore_errors=True)
        tables[name] = ReferenceTable(staged, ref_schema)
    return tables
