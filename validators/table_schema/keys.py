"""The Table Schema checks that compare rows: ``unique``, the primary key and foreign keys.

frictionless' semantics: a cell with a type error counts as empty in keys; NaN equals nothing; unique and
primary-key errors fall on the later occurrences; a primary key whose cells are all empty is an error; a foreign
key whose cells are all empty is not checked, and keys compare like Python values (a text never equals a number,
empty equals empty); blank rows are only checked for their primary key.
"""

from __future__ import annotations

import pyarrow as pa

from satudata.core.duck import literal, quote
from satudata.validators.report import CheckResult
from satudata.validators.sorted_keys import SortedKeys
from satudata.validators.sqltypes import field_sql, render
from satudata.validators.table_schema.base import TableBase, as_list

IN_LIST_ROWS = 5_000   # failing primary-key rows looked up by a literal list; more: by a join
# Table Schema types whose Python values can be equal across types (True == 1 == 1.0 == Decimal("1")).
FAMILY = {"integer": "number", "number": "number", "year": "number", "boolean": "number", "string": "text",
          "any": "text"}


class KeyChecks(TableBase):
    """The key checks of ``TableSchemaEngine``."""

    def _key(self, name: str, alias: str) -> str:
        """A key cell as frictionless compares it: typed, NULL when empty or invalid."""
        return f"{self.typed(name)} AS {alias}"

    def _nan(self, names: list[str], aliases: list[str]) -> str:
        tests = [f"coalesce(isnan({a}), FALSE)" for n, a in zip(names, aliases, strict=True) if self.is_number(n)]
        return " OR ".join(tests) or "FALSE"

    def check_unique(self, name: str) -> CheckResult:
        nan = self._nan([name], ["v"])
        source = (f"(SELECT _file, _row, _ord, raw, v FROM (SELECT _file, _row, _ord, {quote(name)} AS raw, "
                  f"{self._key(name, 'v')} FROM t) WHERE v IS NOT NULL AND NOT ({nan}) "
                  f"QUALIFY row_number() OVER (PARTITION BY v ORDER BY _ord) > 1)")
        return self._collect("unique", name, "TRUE", "raw", self.severity(name, "unique"), "unique", source)

    def check_primary_key(self, keys: list[str], scan: SortedKeys | None = None) -> list[CheckResult]:
        """Rows whose key is empty or repeats an earlier row's. With ``scan`` (keys found sorted in the typed table,
        see validators.sorted_keys) only those rows and the blank ones are looked up; otherwise one window over
        every row compares the keys."""
        raw = " || '|' || ".join(f"coalesce({quote(k)}, '')" for k in keys)
        if scan is not None:
            failing = self._rows_of(scan.repeated + scan.empty, f"_file, _row, _ord, _blank, {raw} AS raw")
        else:
            aliases = [f"k{i}" for i in range(len(keys))]
            typed = ", ".join(self._key(k, a) for k, a in zip(keys, aliases, strict=True))
            all_null = " AND ".join(f"{a} IS NULL" for a in aliases)
            # A key holding NaN equals no other key (NaN != NaN), so it gets a partition of its own.
            part = ", ".join(aliases) + f", CASE WHEN {self._nan(keys, aliases)} THEN _ord END"
            base = (f"(SELECT *, ({all_null}) AS all_null, row_number() OVER (PARTITION BY {part} ORDER BY _ord) "
                    f"AS seen FROM (SELECT _file, _row, _ord, _blank, {raw} AS raw, {typed} FROM t))")
            failing = f"SELECT _file, _row, _ord, _blank, raw FROM {base} WHERE all_null OR seen > 1"
        # One scan: the failing rows (few, as a rule) are kept, then split into blank rows and the others.
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE primary_key_failures AS {failing}")
        detail = ", ".join(keys)
        severity = self.severity(None, "primary-key")
        failures = "primary_key_failures"
        results = [self._collect("primary-key", None, "NOT _blank", "raw", severity, detail, failures)]
        blank = self._collect("primary-key", None, "_blank", "raw", self.blank_severity, detail, failures)
        if blank.count:
            results.append(blank)
        return results

    def _rows_of(self, rows: list[tuple[str, int]], columns: str) -> str:
        """SQL selecting ``columns`` of the blank rows and of ``rows`` (file, row). A short list is written into the
        query, where the Parquet reader skips every row group whose ``_row`` range holds none of them."""
        blank = f"SELECT {columns} FROM t WHERE _blank"
        if not rows:
            return blank
        if len(rows) > IN_LIST_ROWS:
            self.con.register("listed_rows", pa.table({"_file": [f for f, _ in rows], "_row": [r for _, r in rows]}))
            return (f"{blank} UNION ALL SELECT {columns} FROM t SEMI JOIN listed_rows USING (_file, _row) "
                    f"WHERE NOT _blank")
        by_file: dict[str, list[int]] = {}
        for file, row in rows:
            by_file.setdefault(file, []).append(row)
        files = " OR ".join(f"(_file = {literal(file)} AND _row IN ({', '.join(map(str, numbers))}))"
                            for file, numbers in by_file.items())
        every = ", ".join(str(row) for _, row in rows)
        return f"{blank} UNION ALL SELECT {columns} FROM t WHERE NOT _blank AND _row IN ({every}) AND ({files})"

    def _reference(self, resource: str | None) -> tuple[str, dict]:
        if resource in ("", None):
            return "t", self.schema
        if resource in self.references:
            table = self.references[resource]
            return f"read_parquet({literal(str(table.path))})", table.schema
        raise KeyError(f"foreign key to unknown resource {resource!r}")

    def check_foreign_key(self, fk: dict) -> CheckResult | None:
        keys = as_list(fk["fields"])
        ref = fk["reference"]
        ref_fields = as_list(ref["fields"])
        ref_source, ref_schema = self._reference(ref.get("resource"))
        ref_types = {f["name"]: f for f in ref_schema.get("fields", [])}
        data_cols, ref_cols, nan_tests, comparable = [], [], [], True
        for i, (key, ref_name) in enumerate(zip(keys, ref_fields, strict=True)):
            kind, ref_kind = self.fields[key].get("type", "string"), ref_types[ref_name].get("type", "string")
            family, ref_family = FAMILY.get(kind, kind), FAMILY.get(ref_kind, ref_kind)
            comparable &= family == ref_family
            cast = "" if kind == ref_kind else ("::DOUBLE" if family == ref_family == "number" else "::VARCHAR")
            ref_sql = field_sql(ref_types[ref_name])
            ref_valid = f"({quote(ref_name)} IS NULL OR {render(ref_sql.valid, ref_name)})"
            data_cols.append(f"({self.typed(key)}){cast} AS k{i}")
            ref_cols.append(f"(CASE WHEN {ref_valid} THEN {render(ref_sql.typed, ref_name)} END){cast} AS r{i}")
            if "number" in (kind, ref_kind):
                nan_tests.append(f"coalesce(isnan(r{i}), FALSE)")
        aliases = list(range(len(keys)))
        raw = " || '|' || ".join(f"coalesce({quote(k)}, '')" for k in keys)
        join = " AND ".join(f"x.k{i} IS NOT DISTINCT FROM r.r{i}" for i in aliases)
        # Reference rows whose cells are all empty are not in the lookup, nor those with NaN (equal to nothing);
        # keys of types that never compare equal in Python (text and number) find nothing.
        lookup = (f"(SELECT * FROM (SELECT {', '.join(ref_cols)} FROM {ref_source}) "
                  f"WHERE NOT ({' AND '.join(f'r{i} IS NULL' for i in aliases)}) "
                  f"AND NOT ({' OR '.join(nan_tests) or 'FALSE'}) AND {literal(comparable)})")
        source = (f"(SELECT x.* FROM (SELECT _file, _row, _ord, {raw} AS raw, {', '.join(data_cols)} FROM t) x "
                  f"ANTI JOIN {lookup} r ON {join} WHERE {' OR '.join(f'x.k{i} IS NOT NULL' for i in aliases)})")
        name = ", ".join(keys)
        severity = fk.get("severity") or self.severity(keys[0] if len(keys) == 1 else None, "foreign-key")
        detail = f"{ref.get('resource') or '(self)'}.{', '.join(ref_fields)}"
        return self._collect("foreign-key", name, "TRUE", "raw", severity, detail, source)

