"""What changed between two consecutive versions of a dataset, computed by DuckDB over their data.parquet files.

Columns added, removed or retyped; rows added, removed or changed, matched by the primary key (or, with no usable
primary key, as a whole-row multiset difference over the columns both versions share). Every count is exact and
computed in SQL (no rows are loaded into Python); each kind keeps a small sample, changed rows with old and new
values. Version 1.0.0 gets a changelog that says "first version" with its row count.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from satudata.core.duck import NUMERIC, literal, quote, type_name
from satudata.core.publishing import CHANGELOG_FILE

SAMPLE_SIZE = 10
PRIMARY_KEY, MULTISET, FIRST_VERSION = "primary-key", "multiset", "first-version"
def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


class _Versions:
    """The two data.parquet files, as views ``old`` and ``new`` of one DuckDB connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection, old: Path, new: Path) -> None:
        self.con = con
        con.execute(f"CREATE VIEW old AS SELECT * FROM read_parquet({literal(str(old))})")
        con.execute(f"CREATE VIEW new AS SELECT * FROM read_parquet({literal(str(new))})")
        self.old_types = self._types("old")
        self.new_types = self._types("new")

    def _types(self, view: str) -> dict[str, str]:
        return {row[0]: type_name(row[1]) for row in self.con.execute(f"DESCRIBE {view}").fetchall()}

    def scalar(self, sql: str) -> int:
        return int(self.con.execute(sql).fetchone()[0])

    def records(self, sql: str) -> list[dict]:
        cursor = self.con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [{n: _jsonable(v) for n, v in zip(names, row, strict=True)} for row in cursor.fetchall()]

    def comparable(self, column: str, side: str) -> str:
        """The column of one side as an expression both versions can compare, whatever its type in each."""
        old, new = self.old_types[column], self.new_types[column]
        expr = f"{side}.{quote(column)}"
        if old == new:
            return expr
        if old in NUMERIC and new in NUMERIC:
            return f"CAST({expr} AS DOUBLE)"
        return f"CAST({expr} AS VARCHAR)"


def _columns_diff(versions: _Versions) -> dict:
    old, new = versions.old_types, versions.new_types
    return {
        "added": [{"name": n, "type": t} for n, t in new.items() if n not in old],
        "removed": [{"name": n, "type": t} for n, t in old.items() if n not in new],
        "retyped": [{"name": n, "old": old[n], "new": new[n]} for n in new if n in old and old[n] != new[n]],
    }


def _usable_key(versions: _Versions, primary_key: Sequence[str]) -> tuple[list[str], str | None]:
    """The primary key when both versions have its columns and it is unique in both; else why not."""
    key = list(primary_key)
    if not key:
        return [], "no primary key in the schema"
    missing = [k for k in key if k not in versions.old_types or k not in versions.new_types]
    if missing:
        return [], f"primary key column(s) {', '.join(missing)} not in both versions"
    for view in ("old", "new"):
        keys = ", ".join(quote(k) for k in key)
        duplicates = versions.scalar(f"SELECT count(*) FROM (SELECT {keys} FROM {view} GROUP BY ALL "
                                     "HAVING count(*) > 1)")
        if duplicates:
            return [], f"primary key not unique in the {'previous' if view == 'old' else 'new'} version"
    return key, None


def _by_key(versions: _Versions, key: list[str], sample: int) -> dict:
    common = [c for c in versions.new_types if c in versions.old_types and c not in key]
    join = " AND ".join(f"{versions.comparable(k, 'o')} = {versions.comparable(k, 'n')}" for k in key)
    order = ", ".join(quote(k) for k in key)
    added_from = f"new n ANTI JOIN old o ON {join}"
    removed_from = f"old o ANTI JOIN new n ON {join}"
    differs = " OR ".join(f"{versions.comparable(c, 'o')} IS DISTINCT FROM {versions.comparable(c, 'n')}"
                          for c in common) or "FALSE"
    changed_from = f"old o JOIN new n ON {join} WHERE {differs}"
    picks = ", ".join([f"n.{quote(k)} AS {quote(k)}" for k in key]
                      + [f"o.{quote(c)} AS {quote('old:' + c)}, n.{quote(c)} AS {quote('new:' + c)}, "
                         f"({versions.comparable(c, 'o')} IS DISTINCT FROM {versions.comparable(c, 'n')}) "
                         f"AS {quote('differs:' + c)}" for c in common])
    changed_sample = []
    for record in versions.records(f"SELECT {picks} FROM {changed_from} ORDER BY {order} LIMIT {sample}"):
        changes = {c: {"old": record[f"old:{c}"], "new": record[f"new:{c}"]} for c in common
                   if record[f"differs:{c}"]}
        changed_sample.append({"key": {k: record[k] for k in key}, "changes": changes})
    return {
        "rows_added": {"count": versions.scalar(f"SELECT count(*) FROM {added_from}"),
                       "sample": versions.records(f"SELECT n.* FROM {added_from} ORDER BY {order} LIMIT {sample}")},
        "rows_removed": {"count": versions.scalar(f"SELECT count(*) FROM {removed_from}"),
                         "sample": versions.records(f"SELECT o.* FROM {removed_from} ORDER BY {order} "
                                                    f"LIMIT {sample}")},
        "rows_changed": {"count": versions.scalar(f"SELECT count(*) FROM {changed_from}"), "sample": changed_sample},
    }


def _multiset(versions: _Versions, sample: int) -> dict:
    common = [c for c in versions.new_types if c in versions.old_types]
    if not common:   # nothing to compare on: every old row went, every new row came
        return {"rows_added": {"count": versions.scalar("SELECT count(*) FROM new"), "sample": []},
                "rows_removed": {"count": versions.scalar("SELECT count(*) FROM old"), "sample": []},
                "rows_changed": {"count": None, "sample": []}}

    def project(side: str) -> str:
        return ", ".join(f"{versions.comparable(c, side)} AS {quote(c)}" for c in common)

    order = ", ".join(quote(c) for c in common)
    added = f"(SELECT {project('n')} FROM new n EXCEPT ALL SELECT {project('o')} FROM old o)"
    removed = f"(SELECT {project('o')} FROM old o EXCEPT ALL SELECT {project('n')} FROM new n)"
    return {
        "rows_added": {"count": versions.scalar(f"SELECT count(*) FROM {added}"),
                       "sample": versions.records(f"SELECT * FROM {added} ORDER BY {order} LIMIT {sample}")},
        "rows_removed": {"count": versions.scalar(f"SELECT count(*) FROM {removed}"),
                         "sample": versions.records(f"SELECT * FROM {removed} ORDER BY {order} LIMIT {sample}")},
        # A changed row is one removed plus one added: without a key, changes cannot be told from those.
        "rows_changed": {"count": None, "sample": []},
    }


def _names(items: list[dict]) -> str:
    return ", ".join(i["name"] for i in items)


def _rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"


def summary(changelog: dict) -> dict[str, str]:
    """One line in Bahasa Indonesia and in English."""
    if changelog["method"] == FIRST_VERSION:
        rows = changelog["rows"]["after"]
        return {"id": f"Versi pertama: {rows} baris.", "en": f"First version: {rows} rows."}
    added, removed = changelog["rows_added"]["count"], changelog["rows_removed"]["count"]
    changed = changelog["rows_changed"]["count"]
    ids = [f"{added} baris ditambah", f"{removed} baris dihapus"]
    ens = [f"{_rows(added)} added", f"{_rows(removed)} removed"]
    if changed is not None:
        ids.append(f"{changed} baris diubah")
        ens.append(f"{_rows(changed)} changed")
    columns = changelog["columns"]
    for kind, label_id, label_en in (("added", "kolom ditambah", "columns added"),
                                     ("removed", "kolom dihapus", "columns removed"),
                                     ("retyped", "tipe kolom diubah", "columns retyped")):
        if columns[kind]:
            ids.append(f"{label_id}: {_names(columns[kind])}")
            ens.append(f"{label_en}: {_names(columns[kind])}")
    return {"id": "; ".join(ids) + ".", "en": "; ".join(ens) + "."}


def first_version(current: Path, version: str, dataset_id: str) -> dict:
    con = duckdb.connect()
    try:
        rows = int(con.execute(f"SELECT count(*) FROM read_parquet({literal(str(current))})").fetchone()[0])
    finally:
        con.close()
    changelog = {"dataset": dataset_id, "version": version, "previous_version": None, "method": FIRST_VERSION,
                 "rows": {"before": None, "after": rows}}
    changelog["summary"] = summary(changelog)
    return changelog


def build_changelog(previous: Path | None, current: Path, *, dataset_id: str, version: str,
                    previous_version: str | None = None, primary_key: Sequence[str] | str | None = None,
                    sample: int = SAMPLE_SIZE) -> dict:
    """The changelog of ``current`` against ``previous`` (both data.parquet); the first version when no previous."""
    if previous is None:
        return first_version(current, version, dataset_id)
    key_fields = [primary_key] if isinstance(primary_key, str) else list(primary_key or [])
    con = duckdb.connect()
    try:
        versions = _Versions(con, previous, current)
        key, why_not = _usable_key(versions, key_fields)
        rows = _by_key(versions, key, sample) if key else _multiset(versions, sample)
        changelog = {
            "dataset": dataset_id, "version": version, "previous_version": previous_version,
            "method": PRIMARY_KEY if key else MULTISET, "primary_key": key,
            "rows": {"before": versions.scalar("SELECT count(*) FROM old"),
                     "after": versions.scalar("SELECT count(*) FROM new")},
            "columns": _columns_diff(versions), **rows, "sample_size": sample,
        }
        if why_not and key_fields:
            changelog["note"] = f"rows compared as a multiset: {why_not}"
    finally:
        con.close()
    changelog["summary"] = summary(changelog)
    return changelog


def write_version_changelog(previous: Path | None, current: Path, out_dir: Path, *, dataset_id: str, version: str,
                            previous_version: str | None, primary_key: Sequence[str] | str | None) -> Path:
    """``changelog.json`` of a version in ``out_dir``, from the previous version's data.parquet (None: the first)."""
    changelog = build_changelog(previous, current, dataset_id=dataset_id, version=version,
                                previous_version=previous_version, primary_key=primary_key)
    return write_changelog(changelog, out_dir / CHANGELOG_FILE)


def write_changelog(changelog: dict, path: Path) -> Path:
    path.write_text(json.dumps(changelog, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
