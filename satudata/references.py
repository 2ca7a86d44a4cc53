"""Reference tables for foreign keys (region codes): other catalogue datasets, staged from their own sources."""

from __future__ import annotations

import fcntl
import shutil
import tempfile
import uuid
from pathlib import Path

import yaml

from satudata.core.catalog import Catalog
from satudata.core.records import ReferenceRows, ReferenceTable
from satudata.sources.pull import pull
from satudata.sources.read import read_exports


def load_schema(catalog: Catalog, dataset_id: str) -> dict:
    return yaml.safe_load(catalog.schema_path(dataset_id).read_text(encoding="utf-8"))


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


def write_referenced_rows(catalog: Catalog, public_schema: dict, data: Path, tables: dict[str, ReferenceTable],
                          out_dir: Path) -> list[ReferenceRows]:
    """For each dataset the published schema's foreign keys name, ``<dataset>.csv``: the rows of that dataset which
    the published data (``data``, its data.parquet) refers to, so the keys resolve inside the version's package.

    Keys match as text (the published value as DuckDB prints it against the reference's cell); region codes, the
    foreign keys of this catalogue, are text on both sides."""
    from satudata.convert import CSV_TYPE
    from satudata.core.duck import connect, literal, quote
    from satudata.core.records import describe
    from satudata.package import published_schema, referenced_resources

    written = []
    out_dir.mkdir(parents=True, exist_ok=True)
    for resource in referenced_resources(public_schema):
        table = tables[resource]
        ref_schema = published_schema(table.schema, set(), set())
        ref_schema.pop("foreignKeys", None)          # the reference's own keys point outside this package
        columns = ", ".join(quote(f["name"]) for f in ref_schema["fields"])
        matches = []
        for fk in public_schema["foreignKeys"]:
            if fk["reference"].get("resource") != resource:
                continue
            keys = [fk["fields"]] if isinstance(fk["fields"], str) else fk["fields"]
            ref_keys = fk["reference"]["fields"]
            ref_keys = [ref_keys] if isinstance(ref_keys, str) else ref_keys
            same = " AND ".join(f"CAST(d.{quote(k)} AS VARCHAR) = r.{quote(ref)}"
                                for k, ref in zip(keys, ref_keys, strict=True))
            matches.append(f"EXISTS (SELECT 1 FROM read_parquet({literal(str(data))}) d WHERE {same})")
        path = out_dir / f"{resource}.csv"
        con = connect(out_dir)
        try:
            order = ", ".join(quote(k) for k in (ref_schema.get("primaryKey") or [ref_schema["fields"][0]["name"]]))
            query = (f"SELECT {columns} FROM read_parquet({literal(str(table.path))}) r "
                     f"WHERE {' OR '.join(matches)} ORDER BY {order}")
            rows = con.execute(f"SELECT count(*) FROM ({query})").fetchone()[0]
            con.execute(f"COPY ({query}) TO {literal(str(path))} (FORMAT csv, HEADER, DELIMITER ',')")
        finally:
            con.close()
        referenced = catalog.dataset(resource)
        written.append(ReferenceRows(resource, f"{referenced.title.id} / {referenced.title.en}",
                                     describe(path, CSV_TYPE), rows, ref_schema, list(table.exports)))
    return written
