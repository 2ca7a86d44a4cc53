"""The rows of other catalogue datasets that a version's foreign keys point at, shipped in its package."""

from __future__ import annotations

from pathlib import Path

from satudata.core.catalog import Catalog
from satudata.core.duck import connect, literal, quote
from satudata.core.records import ReferenceRows, ReferenceTable, describe
from satudata.publish.package import published_schema, referenced_resources


def write_referenced_rows(catalog: Catalog, public_schema: dict, data: Path, tables: dict[str, ReferenceTable],
                          out_dir: Path) -> list[ReferenceRows]:
    """For each dataset the published schema's foreign keys name, ``<dataset>.csv``: the rows of that dataset which
    the published data (``data``, its data.parquet) refers to, so the keys resolve inside the version's package.

    Keys match as text (the published value as DuckDB prints it against the reference's cell); region codes, the
    foreign keys of this catalogue, are text on both sides."""
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
                                     describe(path, "text/csv"), rows, ref_schema, list(table.exports)))
    return written
