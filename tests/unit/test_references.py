"""Reference tables for foreign keys: staged once, safely, when datasets validate at the same time."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow.parquet as pq

from satudata.core.catalog import load_catalog, load_schema
from satudata.sources.references import reference_tables


def test_concurrent_validations_share_one_staged_reference(project: Path):
    catalog = load_catalog(project / "catalog.yaml")
    schema = load_schema(catalog, "antrean-nunggu-transparan")
    cache = project / ".satudata" / "cache" / "references"
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: reference_tables(catalog, schema, cache), range(4)))
    paths = {r["kode-wilayah"].path for r in results}
    assert len(paths) == 1
    table = pq.read_table(paths.pop(), columns=["kode"])
    assert table.num_rows == 91220
    assert sorted(p.name for p in cache.iterdir() if not p.name.startswith(".")) == [
        f"kode-wilayah-{r}.parquet" for r in [results[0]["kode-wilayah"].path.stem.split("-", 2)[2]]]
