"""`satudata describe FILE`: draft a catalogue entry, a Table Schema and a starter Great Expectations suite from a
raw export, inferring the reading options a steward would otherwise find by hand: format and dialect, title rows
and the header (or none), a notes footer, missing-value markers, decimal comma and thousands separator, dates
(Indonesian month names too), codes with leading zeros, total rows, and region-code columns with their foreign
key to ``kode-wilayah``. The drafts are read through the same staging as a run, so what they declare reads the file.
"""

from __future__ import annotations

import json
import math
import re
import tempfile
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq
import yaml

from satudata.core.catalog import CatalogError, ReadOptions, load_catalog
from satudata.core.problems import ExportUnreadable
from satudata.sources import describe_columns as cols
from satudata.sources.export import open_export
from satudata.sources.formats import Row, detect
from satudata.sources.formats.csv import dialect
from satudata.sources.header import read_header
from satudata.sources.pull import _record, declared_name, pull
from satudata.sources.stage import stage_exports

REFERENCE = "kode-wilayah"
NOTE = re.compile(r"(?i)^(keterangan|sumber|catatan|notes?|ket\.)")
NUMBER_LIKE = re.compile(r"[+-]?[\d.,]*\d[%]?|\d{4}-\d{2}-\d{2}.*|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")


@dataclass
class Draft:
    dataset_id: str
    entry: dict                       # a `datasets:` item of catalog.yaml
    schema: dict                      # datasets/<id>/schema.yaml
    suite: dict                       # datasets/<id>/expectations.json
    notes: list[str] = field(default_factory=list)   # what was inferred and should be checked by the steward

    @property
    def entry_yaml(self) -> str:
        return yaml.safe_dump([self.entry], allow_unicode=True, sort_keys=False, width=110)

    @property
    def schema_yaml(self) -> str:
        return yaml.safe_dump(self.schema, allow_unicode=True, sort_keys=False, width=110)

    @property
    def suite_json(self) -> str:
        return json.dumps(self.suite, ensure_ascii=False, indent=2) + "\n"


def draft(path: Path, catalog_root: Path) -> Draft:
    """The three drafts for one raw export; ExportUnreadable when the file cannot be read at all."""
    fmt, head = detect(path, None)
    options: dict = _dialect(path, fmt.name, head)
    rows = list(fmt.rows(path, ReadOptions(**options)))
    if not rows:
        raise ExportUnreadable(path.name, "tidak ada baris", "no rows")
    if not fmt.records:
        options.update(_header(rows))
        if stop := _notes_footer(rows, options):
            options["stop_at"] = stop
    raw = _record(path, declared_name(path, catalog_root), fmt.name)
    labels = _labels(raw, options)
    names = _names(labels)
    rename = {label: name for label, name in zip(labels, names, strict=True) if label != name}
    if options.get("header_row") == 0:
        options["columns"], rename = names, {}
    elif rename:
        options["rename"] = rename
    columns = _stage(raw, options, names, labels)
    codes, provinces = _regions(catalog_root)
    notes = _infer(columns, options, codes, provinces)
    dataset_id = _slug(path.stem).replace("_", "-")[:100] or "dataset"
    schema = _schema(columns, bool(codes))
    entry = _entry(dataset_id, raw.uri, fmt.name, options)
    return Draft(dataset_id, entry, schema, _suite(dataset_id, columns), notes)


def _dialect(path: Path, name: str, head: bytes) -> dict:
    if name == "json":
        json_path = _json_path(path)
        return {"encoding": "utf-8", **({"json_path": json_path} if json_path else {})}
    if name in ("xlsx", "xls", "ods"):
        sheets = _sheets(path, name)
        return {"sheet": sheets[0]} if sheets else {}
    if name != "csv":
        return {}
    encoding = dialect.sniff_encoding(head, len(head) == path.stat().st_size)
    delimiter = _consistent_delimiter(head, encoding)
    return {"encoding": encoding if encoding != "iso8859-1" else "latin-1", "delimiter": delimiter,
            "quotechar": dialect.sniff_quotechar(head, encoding, delimiter)}


def _consistent_delimiter(head: bytes, encoding: str) -> str:
    """The candidate that splits the most sample records into the same number (two or more) of cells."""
    best, score = ",", 0
    for candidate in dialect.DELIMITER_CANDIDATES:
        counts = Counter(len(r) for r in dialect._records(head, encoding, candidate, '"') if len(r) > 1)
        width, hits = counts.most_common(1)[0] if counts else (0, 0)
        if width > 1 and hits > score:
            best, score = candidate, hits
    return best


def _json_path(path: Path) -> str | None:
    document = json.loads(path.read_text(encoding="utf-8-sig"))
    queue: list[tuple[list[str], object]] = [([], document)]
    while queue:
        keys, node = queue.pop(0)
        if isinstance(node, list) and node and all(isinstance(r, dict) for r in node):
            return ".".join(keys) or None
        if isinstance(node, dict):
            queue += [([*keys, str(k)], v) for k, v in node.items()]
    return None


def _sheets(path: Path, name: str) -> list[str]:
    if name == "xlsx":
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True)
        try:
            return list(book.sheetnames)
        finally:
            book.close()
    import python_calamine

    return list(python_calamine.CalamineWorkbook.from_path(str(path)).sheet_names)


def _filled(cells: list[str | None]) -> list[str]:
    return [c.strip() for c in cells if c is not None and c.strip()]


def _header(rows: list[Row]) -> dict:
    """header_row of the first row as wide as the table whose cells are mostly labels; when that row is data,
    no header (header_row 0) with the rows above it skipped."""
    counts = [len(_filled(cells)) for _, cells in rows]
    wide = Counter(c for c in counts if c >= 2)
    width = wide.most_common(1)[0][0] if wide else max(counts)
    need = max(2, math.ceil(0.8 * width)) if width >= 2 else 1
    for (number, cells), count in zip(rows, counts, strict=True):
        if count >= need:
            texts = _filled(cells)
            labels = sum(not NUMBER_LIKE.fullmatch(t) for t in texts)
            if labels == len(texts) and len(set(texts)) == len(texts):
                return {"header_row": number}
            return {"header_row": 0, "skip_rows": number - 1} if number > 1 else {"header_row": 0}
    return {"header_row": 1}


def _notes_footer(rows: list[Row], options: dict) -> str | None:
    start = options.get("header_row") or options.get("skip_rows", 0)
    seen_data = False
    for number, cells in rows:
        if number <= start:
            continue
        texts = _filled(cells)
        if len(texts) == 1 and seen_data and (match := NOTE.match(texts[0])):
            return "^" + re.escape(match.group(0))
        seen_data = seen_data or len(texts) > 1
    return None


def _labels(raw, options: dict) -> list[str]:
    export = open_export(raw, ReadOptions(**options))
    rows = export.rows()
    try:
        labels, _ = read_header(export, rows, [])
    finally:
        getattr(rows, "close", lambda: None)()
    if options.get("header_row") == 0:
        width = max((len(cells) for _, cells in export.rows()), default=0)
        labels = [f"kolom_{i}" for i in range(1, width + 1)]
    return labels


def _slug(label: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^0-9a-z]+", "_", ascii_text).strip("_")


def _names(labels: list[str]) -> list[str]:
    names: list[str] = []
    for number, label in enumerate(labels, start=1):
        base = _slug(label) or f"kolom_{number}"
        base = base if base[0].isalpha() else f"kolom_{base}"
        name, suffix = base, 2
        while name in names:
            name, suffix = f"{base}_{suffix}", suffix + 1
        names.append(name)
    return names


def _stage(raw, options: dict, names: list[str], labels: list[str]) -> list[cols.Column]:
    with tempfile.TemporaryDirectory() as tmp:
        staged = stage_exports([raw], ReadOptions(**options), [{"name": n} for n in names], Path(tmp) / "s.parquet")
        table = pq.read_table(staged.path)
    return [cols.Column(name, label, table.column(name).to_pylist() if name in table.column_names else [])
            for name, label in zip(names, labels, strict=True)]


def _regions(catalog_root: Path) -> tuple[set[str], set[str]]:
    """Kemendagri codes and province names, from the catalogue's kode-wilayah dataset (none without one)."""
    try:
        catalog = load_catalog(catalog_root / "catalog.yaml")
        dataset = catalog.dataset(REFERENCE)
        fields = (yaml.safe_load(catalog.schema_path(REFERENCE).read_text(encoding="utf-8")) or {})["fields"]
        with tempfile.TemporaryDirectory() as tmp:
            raws = pull(dataset.source, catalog.root, Path(tmp) / "raw")
            staged = stage_exports(raws, dataset.source.options, fields, Path(tmp) / "ref.parquet")
            table = pq.read_table(staged.path)
    except (CatalogError, ExportUnreadable, KeyError, OSError):
        return set(), set()
    codes, names = table.column(fields[0]["name"]).to_pylist(), table.column(fields[1]["name"]).to_pylist()
    return ({c for c in codes if c}, {str(n).upper() for c, n in zip(codes, names, strict=True) if c and len(c) == 2})


def _infer(columns: list[cols.Column], options: dict, codes: set[str], provinces: set[str]) -> list[str]:
    notes: list[str] = []
    markers = cols.missing_markers([c.values for c in columns])
    if markers != [""]:
        options["missing_values"] = markers
        notes.append(f"missing-value markers {markers[1:]}: check they mean 'no value'")
    for column in columns:
        column.values = [None if v in markers else v for v in column.values]
    decimal, thousands = cols.separators([c.present() for c in columns], options.get("delimiter", ","))
    if decimal != ".":
        options["decimal"] = decimal
    if thousands:
        options["thousands"] = thousands
    dates: dict[str, str] = {}
    replace: dict[str, dict] = {}
    for column in columns:
        cols.infer(column, decimal, thousands, codes)
        if column.date_format:
            dates[column.name] = column.date_format
        if column.replace:
            replace[column.name] = {"pattern": column.replace[0], "with": column.replace[1]}
        notes += [f"{column.name}: {note}" for note in column.notes]
    if dates:
        options["date_formats"] = dates
    if replace:
        options["replace"] = replace
    if drops := cols.total_rows(columns, provinces):
        options["drop_rows"] = drops
        notes.append(f"total rows dropped by drop_rows: {', '.join(drops)}")
    return notes


def _schema(columns: list[cols.Column], with_references: bool) -> dict:
    fields, keys = [], []
    for column in columns:
        spec: dict = {"name": column.name, "type": column.type, "title": column.label or column.name}
        constraints: dict = {}
        if column.values and all(v is not None for v in column.values):
            constraints["required"] = True
        if column.pattern and column.type == "string":
            constraints["pattern"] = column.pattern
        if constraints:
            spec["constraints"] = constraints
        fields.append(spec)
        if column.region and with_references:
            keys.append({"fields": column.name, "reference": {"resource": REFERENCE, "fields": "kode"}})
    schema: dict = {"fields": fields}
    unique = next((c.name for c in columns if cols.CODE_NAME.search(c.name) and c.values
                   and all(v is not None for v in c.values) and len(set(c.values)) == len(c.values)), None)
    if unique:
        schema["primaryKey"] = [unique]
    if keys:
        schema["foreignKeys"] = keys
    return schema


def _suite(dataset_id: str, columns: list[cols.Column]) -> dict:
    rows = max((len(c.values) for c in columns), default=0)
    expectations: list[dict] = [{"type": "expect_table_row_count_to_be_between",
                                 "kwargs": {"min_value": 1}, "meta": {"notes": f"the draft's export had {rows} rows"}}]
    for column in columns:
        present = column.present()
        if present and len(present) == len(column.values):
            expectations.append({"type": "expect_column_values_to_not_be_null", "kwargs": {"column": column.name},
                                 "meta": {"severity": "warning"}})
        distinct = sorted(set(present))
        if column.type == "string" and not column.region and rows >= 20 and 1 < len(distinct) <= 12:
            expectations.append({"type": "expect_column_values_to_be_in_set",
                                 "kwargs": {"column": column.name, "value_set": distinct},
                                 "meta": {"severity": "warning"}})
    return {"name": dataset_id, "expectations": expectations}


def _entry(dataset_id: str, uri: str, fmt: str, options: dict) -> dict:
    order = list(ReadOptions.model_fields)
    return {
        "id": dataset_id, "department": "TODO", "title": {"id": "TODO", "en": "TODO"},
        "description": {"id": "TODO", "en": "TODO"}, "license": "CC-BY-4.0", "frequency": "irregular",
        "dimension": "governance", "tags": [], "contact": {"name": "TODO", "email": "TODO"},
        "source": {"kind": "file", "path": uri, "format": fmt,
                   "options": {key: options[key] for key in order if key in options}},
    }
