"""catalog.yaml → typed, checked objects. Every mistake fails before work starts, naming file, key path and fix."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)

FREQUENCIES = ("daily", "weekly", "monthly", "quarterly", "yearly", "irregular")
DIMENSIONS = ("governance", "living", "economy", "branding", "society", "environment")
ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{1,99}$"
SOURCE_KINDS = ("file", "glob", "http", "sql")
FORMATS = ("csv", "xlsx", "xls", "ods", "html", "json")
# A portal store beyond the folder: s3://<bucket>[/<prefix>] (publish/store_s3.py, docs/storage.md).
STORE_PATTERN = r"s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:/([^\s?#]*))?"


class CatalogError(Exception):
    """A catalogue mistake: where it is and how to fix it."""

    def __init__(self, file: Path | str, key: str, problem: str, fix: str) -> None:
        self.file, self.key, self.problem, self.fix = str(file), key, problem, fix
        super().__init__(f"{file}: {key}: {problem} — fix: {fix}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bilingual(_Strict):
    id: str
    en: str


class Contact(_Strict):
    name: str
    email: str


class Publisher(_Strict):
    name: str
    url: str
    email: str


class Portal(_Strict):
    title: Bilingual
    local_dir: str = "portal"
    store: str | None = None            # s3://<bucket>/<prefix>: the portal in an S3-compatible store, not local_dir
    base_url: str | None = None         # the public URL the portal is served at; None: links relative to it
    ckan_url: str | None = None
    region_code: str = "35.73"
    publisher: Publisher
    webhook_url: str | None = None      # failure notifications; SATUDATA_WEBHOOK_URL overrides

    @field_validator("base_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not re.fullmatch(r"https?://[^/\s?#]+(/[^\s?#]*)?", value):
            raise ValueError("must be the portal's public http(s) URL, e.g. https://satudata.malangkota.go.id")
        return value.rstrip("/")

    @field_validator("store")
    @classmethod
    def _store(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(STORE_PATTERN, value):
            raise ValueError("must be an S3 portal store s3://<bucket>/<prefix>, e.g. s3://satudata-portal/portal "
                             "(the bucket in lowercase a-z, 0-9, '.', '-'); leave it out for the local_dir folder")
        return value

    def url(self, path: str) -> str:
        """The public URL of a path inside the portal, or the path itself (relative to the portal's root) when
        no public base URL is configured."""
        return f"{self.base_url}/{path}" if self.base_url else path


class Department(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: str
    name_en: str
    description: Bilingual
    email: str


def _regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"{pattern!r} is not a regular expression: {exc}") from None
    return pattern


class ReplaceRule(_Strict):
    pattern: str
    with_: str = Field(alias="with")

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        return _regex(value)


class Unpivot(_Strict):
    """A wide table (one column per year, quarter...) read in long form: each matching column becomes a row."""

    columns: str | list[str]     # a regular expression full-matching the header labels (after rename), or the labels
    key: str | None = None       # the field that takes the label, or the expression's first group
    value: str                   # the field that takes the cell

    @model_validator(mode="after")
    def _keys(self) -> Unpivot:
        if isinstance(self.columns, str):
            groups = re.compile(_regex(self.columns)).groupindex
            if self.key is None and not groups:
                raise ValueError("unpivot needs `key` (or named groups in `columns`) for the column labels")
        elif self.key is None:
            raise ValueError("unpivot needs `key`: the field that takes the column labels")
        return self

    def key_fields(self) -> list[str]:
        groups = list(re.compile(self.columns).groupindex) if isinstance(self.columns, str) else []
        return groups or [self.key]


CASES = ("title", "upper", "lower")
# The options added after the first catalogues: left out of a dump while not declared, so the options of an existing
# catalogue dump (and hash: bundle.inputs_sha256) exactly as before.
_LATER_OPTIONS = ("header_rows", "header_join", "units", "codes", "case", "unpivot")


class ReadOptions(_Strict):
    # encoding, delimiter and quotechar: when not declared (see declared()), the CSV reader sniffs them, keeping
    # these defaults wherever they read the file; the detected values are reported (StagedTable.dialects).
    encoding: str = "utf-8"
    delimiter: str = ","
    quotechar: str = '"'
    skip_rows: int = Field(0, ge=0)
    header_row: int = Field(1, ge=0)
    header_rows: list[Annotated[int, Field(ge=1)]] | None = None   # a header over several rows, joined per column
    header_join: str = " "
    columns: list[str] | None = None
    skip_rows_after_header: int = Field(0, ge=0)
    skip_footer_rows: int = Field(0, ge=0)
    stop_at: str | None = None
    drop_rows: dict[str, str | list[str]] = {}   # per column: a regex, or the exact values of total rows
    sheet: str | None = None
    json_path: str | None = None
    rename: dict[str, str] = {}
    select: list[str] | None = None
    missing_values: list[str] = [""]
    decimal: str = "."
    thousands: str | None = None
    date_formats: dict[str, str] | str = {}
    replace: dict[str, ReplaceRule] = {}
    strip: bool | list[str] = True
    units: dict[str, str] = {}                   # per field: a unit written in the cells ("%", "Rp", "orang")
    codes: list[str] | dict[str, int | None] = []   # fields holding codes (Excel floats undone), optional width
    case: dict[str, Literal["title", "upper", "lower"]] = {}
    unpivot: Unpivot | None = None

    @field_validator("header_rows")
    @classmethod
    def _ascending(cls, rows: list[int] | None) -> list[int] | None:
        if rows is not None and (not rows or rows != sorted(set(rows))):
            raise ValueError("header_rows must list row numbers in ascending order, e.g. [3, 4]")
        return rows

    @field_validator("drop_rows", "stop_at")
    @classmethod
    def _patterns(cls, value: Any) -> Any:
        for pattern in ([value] if isinstance(value, str) else value.values() if isinstance(value, dict) else []):
            if isinstance(pattern, str):
                _regex(pattern)
        return value

    @model_validator(mode="after")
    def _one_header(self) -> ReadOptions:
        if self.header_rows is not None and "header_row" in self.model_fields_set:
            raise ValueError("declare header_row (one header row) or header_rows (several), not both")
        return self

    @model_serializer(mode="wrap")
    def _dump(self, handler: Any) -> dict[str, Any]:
        dumped = handler(self)
        for key in _LATER_OPTIONS:
            if key not in self.model_fields_set and key in dumped:
                del dumped[key]
        return dumped

    def declared(self, key: str) -> bool:
        """Whether the catalogue declares this option (else a reader may sniff it)."""
        return key in self.model_fields_set

    def header_end(self) -> int:
        """The last row of the header (0: no header)."""
        return self.header_rows[-1] if self.header_rows else self.header_row

    def records_before_data(self) -> int:
        """How many rows come before the first data row (title rows, the header, unit rows)."""
        return self.skip_rows_after_header + (self.header_end() or self.skip_rows)

    def drop_patterns(self) -> dict[str, str]:
        """drop_rows as one regular expression per column (a list of values matches them exactly, in any case)."""
        return {column: rule if isinstance(rule, str)
                else "(?i)^(?:" + "|".join(re.escape(v) for v in rule) + ")$"
                for column, rule in self.drop_rows.items()}

    def code_widths(self) -> dict[str, int | None]:
        return dict.fromkeys(self.codes) if isinstance(self.codes, list) else dict(self.codes)

    def stripped(self, field: str) -> bool:
        return self.strip if isinstance(self.strip, bool) else field in self.strip


ENV_REFERENCE = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)\}")


class Source(_Strict):
    kind: Literal["file", "glob", "http", "sql"]
    path: str | None = None
    url: str | None = None
    query: str | None = None
    format: Literal["csv", "xlsx", "xls", "ods", "html", "json"] | None = None
    options: ReadOptions = ReadOptions()
    # HTTP request headers; a secret is named, never written: {Authorization: "Bearer ${JOBFAIR_TOKEN}"} takes the
    # token from the environment when the export is pulled, and it is never recorded anywhere.
    headers: dict[str, str] = {}
    timeout: float = Field(600.0, gt=0)          # seconds for the whole pull (an HTTP download, a SQL query)
    max_bytes: int = Field(20 * 1024 ** 3, gt=0)  # an export (file, HTTP body) beyond this is refused (endless body)

    @field_validator("headers")
    @classmethod
    def _secrets_by_reference(cls, value: dict[str, str]) -> dict[str, str]:
        for name, text in value.items():
            if name.lower() in ("authorization", "proxy-authorization", "x-api-key", "api-key", "cookie") \
                    and not ENV_REFERENCE.search(text):
                raise ValueError(f"header {name} holds a secret written in the catalogue: name an environment "
                                 f"variable instead, e.g. {name}: \"Bearer ${{MY_TOKEN}}\"")
        return value

    @model_serializer(mode="wrap")
    def _dump(self, handler: Any) -> dict[str, Any]:
        """Settings a catalogue does not declare stay out of its hash, so adding them changed no version."""
        dumped = handler(self)
        for key in ("headers", "timeout", "max_bytes"):
            if key not in self.model_fields_set:
                dumped.pop(key, None)
        return dumped


class Temporal(_Strict):
    start: date | None = None
    end: date | None = None


class SmallCells(_Strict):
    columns: list[str]
    k: int = Field(5, ge=2)


class Dataset(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    department: str
    title: Bilingual
    description: Bilingual
    license: str
    frequency: Literal["daily", "weekly", "monthly", "quarterly", "yearly", "irregular"]
    dimension: Literal["governance", "living", "economy", "branding", "society", "environment"]
    tags: list[str]
    contact: Contact
    spatial: str | None = "35.73"
    temporal: Temporal | None = None
    language: list[str] = ["id"]
    source: Source
    small_cells: SmallCells | None = None

    @field_validator("tags")
    @classmethod
    def _tags(cls, tags: list[str]) -> list[str]:
        for tag in tags:
            if not re.fullmatch(r"[a-z0-9][a-z0-9 _.-]*", tag):
                raise ValueError(f"tag {tag!r} may hold only lowercase a-z, 0-9, space, '-', '_' and '.'")
        return tags


class Catalog(_Strict):
    portal: Portal
    departments: list[Department]
    datasets: list[Dataset] = []
    # Globs (relative to catalog.yaml) of files holding one dataset each, e.g. datasets/*/dataset.yaml.
    include: list[str] = []
    # Set by load_catalog, not read from YAML.
    root: Path = Path(".")
    path: Path = Path("catalog.yaml")
    origins: dict[str, Path] = {}      # dataset id → the included file it was read from (inline ones: absent)
    _ids: tuple[list[Dataset], dict[str, Dataset]] | None = PrivateAttr(default=None)

    def dataset(self, dataset_id: str) -> Dataset:
        found = self._by_id().get(dataset_id)
        if found is not None:
            return found
        known = ", ".join(d.id for d in self.datasets)
        raise CatalogError(self.path, "datasets", f"no dataset {dataset_id!r}", f"use one of: {known}")

    def _by_id(self) -> dict[str, Dataset]:
        # Built once per list of datasets (a 1,000-dataset catalogue: no linear search per look-up); a model_copy
        # with other datasets builds its own.
        if self._ids is None or self._ids[0] is not self.datasets:
            self._ids = (self.datasets, {d.id: d for d in self.datasets})
        return self._ids[1]

    def where(self, dataset_id: str) -> tuple[Path, str]:
        """The file that declares a dataset and the key path of the dataset inside it (for messages)."""
        origin = self.origins.get(dataset_id)
        return (origin, "") if origin is not None else (self.path, f"datasets[{dataset_id}]")

    def department(self, department_id: str) -> Department:
        return next(d for d in self.departments if d.id == department_id)

    def dataset_dir(self, dataset_id: str) -> Path:
        return self.root / "datasets" / dataset_id

    def schema_path(self, dataset_id: str) -> Path:
        return self.dataset_dir(dataset_id) / "schema.yaml"

    def suite_path(self, dataset_id: str) -> Path:
        return self.dataset_dir(dataset_id) / "expectations.json"

    def portal_dir(self) -> Path:
        return (self.root / self.portal.local_dir).resolve()


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
