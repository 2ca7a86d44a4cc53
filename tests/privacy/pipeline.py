"""The pipeline's own stages up to the typed table (pull → stage → cast), without a flow and without GX."""

from __future__ import annotations

from pathlib import Path

from satudata.core.catalog import Catalog, load_schema
from satudata.sources.pull import pull
from satudata.sources.stage import stage_exports
from satudata.validators.typed import cast_to_typed


def typed_table(catalog: Catalog, dataset_id: str, work: Path) -> tuple[Path, dict]:
    """The typed Parquet the privacy gate scans in a run, and the dataset's schema."""
    dataset = catalog.dataset(dataset_id)
    schema = load_schema(catalog, dataset_id)
    work.mkdir(parents=True, exist_ok=True)
    raws = pull(dataset.source, catalog.root, work / "raw")
    staged = stage_exports(raws, dataset.source.options, schema["fields"], work / "staged.parquet")
    assert not staged.missing_fields, (dataset_id, staged.missing_fields)
    return cast_to_typed(staged.path, schema, staged.fields, work / "typed.parquet"), schema
