"""Spreadsheet formula injection: a text cell that begins with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage
return) is run as a formula when a journalist opens data.csv in Excel or LibreOffice by double-clicking it.

The published CSV keeps the text as it is (it is the data); the steward gets a warning naming each such cell, and
the portal page says how to open the file safely. Numbers written as text (``-5``, ``+62``) are not formulas; an
example that holds personal data (a phone +62 …) is masked.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from satudata.core.duck import connect, literal, quote
from satudata.core.problems import Problem
from satudata.validators.checks import default_severity
from satudata.validators.privacy import mask_text
from satudata.validators.privacy_gate import declared
from satudata.validators.report import EXAMPLE_CAP, CheckResult

CHECK, ENGINE = "formula-injection", "privacy"
# What spreadsheets read as the start of a formula (OWASP CSV injection), unless the cell is a plain number.
STARTS = r"^([=@\t\r]|[+-].)"   # a lone "-" or "+" stays text
PLAIN_NUMBER = r"^[+-]?[0-9]+([.,][0-9]+)*$"


def scan_formulas(typed: Path, schema: dict, cap: int | None = EXAMPLE_CAP) -> list[CheckResult]:
    """One result a published text column: how many of its cells a spreadsheet would run as a formula."""
    treatments = declared(schema)
    arrow = pq.read_schema(typed)
    text = [f["name"] for f in schema.get("fields", []) if f.get("type", "string") == "string"
            and treatments.get(f["name"]) == "public" and f["name"] in arrow.names]
    if not text:
        return []
    severity = default_severity(CHECK)
    results = []
    con = connect(typed.parent)
    try:
        source = f"read_parquet({literal(str(typed))})"
        for name in text:
            column = quote(name)
            where = (f"regexp_matches({column}, {literal(STARTS)}) AND NOT regexp_matches(trim({column}), "
                     f"{literal(PLAIN_NUMBER)})")
            count = con.execute(f"SELECT count(*) FROM {source} WHERE {where}").fetchone()[0]
            limit = "" if cap is None else f"LIMIT {int(cap)}"
            rows = con.execute(f"SELECT _file, _row, {column} FROM {source} WHERE {where} ORDER BY _file, _row "
                               f"{limit}").fetchall() if count else []
            # a phone written +62 … starts like a formula: the example is masked as every report masks personal data
            examples = [Problem(CHECK, severity, name, int(row), mask_text(value, name), file, None)
                        for file, row, value in rows]
            results.append(CheckResult(CHECK, ENGINE, severity, name, count, examples, "= + - @"))
    finally:
        con.close()
    return results
