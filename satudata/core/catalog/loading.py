"""catalog.yaml (and the files it includes) → a checked Catalog. Every mistake fails before work starts, naming
file, key path and fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    ValidationError,
)

from satudata.core.catalog.base import FORMATS, CatalogError
from satudata.core.catalog.models import Catalog, Dataset

_FIXES = {
    "extra_forbidden": "remove the key or check its spelling against docs/catalog-format.md",
    "missing": "add the key (see docs/catalog-format.md)",
    "literal_error": "use one of the allowed values listed",
    "string_type": 'put the value in quotes: codes and ids are text, e.g. spatial: "35.73"',
    "string_pattern_mismatch": "use lowercase a-z, 0-9, '-' and '_' only (2–100 characters)",
}


def _key_path(raw: dict[str, Any], loc: tuple[Any, ...]) -> str:
    """Render a pydantic location as a key path, naming list items by their id when they have one."""
    parts: list[str] = []
    node: Any = raw
    for item in loc:
        if isinstance(item, int) and isinstance(node, list):
            entry = node[item] if item < len(node) else None
            label = entry.get("id") if isinstance(entry, dict) else None
            parts[-1] += f"[{label}]" if label else f"[{item}]"
            node = entry
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts)


def _first_error(path: Path, raw: dict[str, Any], error: ValidationError) -> CatalogError:
    detail = error.errors()[0]
    loc = tuple(x for x in detail["loc"] if not (isinstance(x, str) and x.startswith("function-")))
    fix = _FIXES.get(detail["type"], "correct the value (see docs/catalog-format.md)")
    return CatalogError(path, _key_path(raw, loc) or "(top)", detail["msg"], fix)


def _at(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _check_references(catalog: Catalog) -> None:
    path = catalog.path
    department_ids = {d.id for d in catalog.departments}
    seen: set[str] = set()
    for index, dept in enumerate(catalog.departments):
        if dept.id in seen:
            raise CatalogError(path, f"departments[{index}].id", f"duplicate department id {dept.id!r}",
                               "give every department its own id")
        seen.add(dept.id)
    declared: dict[str, Path] = {}
    for ds in catalog.datasets:
        file, key = catalog.where(ds.id)
        if ds.id in declared:
            also = "" if declared[ds.id] == file else f" (also declared in {declared[ds.id]})"
            raise CatalogError(file, _at(key, "id"), f"duplicate dataset id {ds.id!r}{also}",
                               "give every dataset its own id")
        declared[ds.id] = file
        if ds.department not in department_ids:
            raise CatalogError(file, _at(key, "department"), f"unknown department {ds.department!r}",
                               f"use one of: {', '.join(sorted(department_ids))}, or add it under departments "
                               f"in {path}")
        for label, schema_file in (("schema", catalog.schema_path(ds.id)), ("suite", catalog.suite_path(ds.id))):
            if not schema_file.is_file():
                raise CatalogError(file, key or "id",
                                   f"the {label} file {schema_file.relative_to(catalog.root)} is missing",
                                   f"create {schema_file.relative_to(catalog.root)}")
        _check_source(catalog, ds, file, key)
        if ds.small_cells:
            _check_small_cells(catalog, ds, file, key)


def _check_small_cells(catalog: Catalog, ds: Dataset, file: Path, key: str) -> None:
    schema = _read_yaml(catalog.schema_path(ds.id)) or {}
    fields = {f.get("name") for f in schema.get("fields", [])}
    for column in ds.small_cells.columns:
        if column not in fields:
            raise CatalogError(file, _at(key, "small_cells.columns"), f"{column!r} is not a field of the schema",
                               f"use one of: {', '.join(sorted(f for f in fields if f))}")


def _check_source(catalog: Catalog, ds: Dataset, path: Path, key: str) -> None:
    src = ds.source
    needs = {"file": "path", "glob": "path", "http": "url", "sql": "url"}[src.kind]
    if getattr(src, needs) is None:
        raise CatalogError(path, _at(key, f"source.{needs}"), f"a {src.kind} source needs '{needs}'",
                           f"add source.{needs}")
    if src.kind == "sql" and not src.query:
        raise CatalogError(path, _at(key, "source.query"), "an sql source needs 'query'", "add source.query")
    if src.kind != "sql" and src.format is None:
        raise CatalogError(path, _at(key, "source.format"), "the format is missing",
                           f"add source.format: one of {', '.join(FORMATS)}")
    if src.kind == "file" and not (catalog.root / src.path).is_file():
        raise CatalogError(path, _at(key, "source.path"), f"the export {src.path} does not exist",
                           "fix the path (relative to catalog.yaml) or use kind: glob")
    opts = src.options
    if opts.header_row == 0 and not opts.columns and src.format != "json":
        raise CatalogError(path, _at(key, "source.options.columns"), "header_row is 0 but no columns are named",
                           "list the column names under options.columns")


# libyaml when PyYAML has it: a catalogue of 1,000 dataset files reads several times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(yaml)"
        raise CatalogError(path, where, f"not valid YAML: {getattr(exc, 'problem', exc)}",
                           "fix the indentation or quoting on that line") from None


def _included_files(path: Path, root: Path, patterns: Any) -> list[Path]:
    """The files the catalogue's ``include`` globs name, in order, each once; a glob matching nothing is a mistake."""
    if isinstance(patterns, str):
        patterns = [patterns]
    if not isinstance(patterns, list) or not all(isinstance(p, str) and p.strip() for p in patterns):
        raise CatalogError(path, "include", "include must list file patterns",
                           "write e.g. include: [datasets/*/dataset.yaml] (relative to catalog.yaml)")
    found: dict[Path, None] = {}
    for index, pattern in enumerate(patterns):
        key = f"include[{index}]"
        if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
            raise CatalogError(path, key, f"{pattern!r} is not inside the catalogue's folder",
                               "write the pattern relative to catalog.yaml, e.g. datasets/*/dataset.yaml")
        matches = sorted(p for p in root.glob(pattern) if p.is_file())
        if not matches:
            raise CatalogError(path, key, f"the pattern {pattern!r} matches no file",
                               "fix the pattern (relative to catalog.yaml) or remove it")
        found.update(dict.fromkeys(matches))
    return list(found)


def _load_included(path: Path, root: Path, patterns: Any) -> tuple[list[Dataset], dict[str, Path]]:
    datasets, origins = [], {}
    for file in _included_files(path, root, patterns):
        shown = file.relative_to(root) if file.is_relative_to(root) else file
        named = path.parent / shown   # as the user would name it: beside the catalog.yaml they gave
        raw = _read_yaml(file)
        if not isinstance(raw, dict):
            raise CatalogError(named, "(top)", "a dataset file must hold one dataset as a mapping",
                               "write the keys of one dataset (id:, department:, title:, ...) at the top level")
        try:
            dataset = Dataset.model_validate(raw)
        except ValidationError as exc:
            raise _first_error(named, raw, exc) from None
        folder = file.parent
        if folder.parent == root / "datasets" and folder.name != dataset.id:
            raise CatalogError(named, "id", f"the id {dataset.id!r} is not the name of its folder {folder.name!r}",
                               f"rename the folder to datasets/{dataset.id}/ or set id: {folder.name}")
        if dataset.id in origins:
            raise CatalogError(named, "id", f"duplicate dataset id {dataset.id!r} (also declared in "
                                            f"{origins[dataset.id]})", "give every dataset its own id")
        datasets.append(dataset)
        origins[dataset.id] = named
    return datasets, origins


def load_catalog(path: Path | str = "catalog.yaml") -> Catalog:
    path = Path(path)
    if not path.is_file():
        raise CatalogError(path, "(file)", "the catalogue file does not exist", "run from the project folder")
    raw = _read_yaml(path) or {}
    if not isinstance(raw, dict):
        raise CatalogError(path, "(top)", "the catalogue must be a mapping", "start with portal:, departments:")
    for forbidden in ("root", "path", "origins"):
        if forbidden in raw:
            raise CatalogError(path, forbidden, "unknown key", "remove it")
    root = path.resolve().parent
    included: list[Dataset] = []
    origins: dict[str, Path] = {}
    if "include" in raw:
        included, origins = _load_included(path, root, raw["include"])
    inline = raw.get("datasets") or []   # not a list: the model names the mistake
    for entry in inline if isinstance(inline, list) else []:
        dataset_id = entry.get("id") if isinstance(entry, dict) else None
        if isinstance(dataset_id, str) and dataset_id in origins:
            raise CatalogError(origins[dataset_id], "id", f"duplicate dataset id {dataset_id!r} (also declared in "
                                                          f"{path} under datasets)", "give every dataset its own id")
    values = {**raw, "datasets": inline + included if isinstance(inline, list) else inline,
              "include": [raw["include"]] if isinstance(raw.get("include"), str) else raw.get("include", []),
              "root": root, "path": path, "origins": origins}
    try:
        catalog = Catalog.model_validate(values)
    except ValidationError as exc:
        raise _first_error(path, raw, exc) from None
    _check_references(catalog)
    return catalog


def load_schema(catalog: Catalog, dataset_id: str) -> dict:
    return yaml.load(catalog.schema_path(dataset_id).read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506


def load_suite(catalog: Catalog, dataset_id: str) -> dict:
    return json.loads(catalog.suite_path(dataset_id).read_text(encoding="utf-8"))
