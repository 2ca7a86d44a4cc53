"""Map expectations in SQL: each row is expected or not; failing rows are counted and the first ones shown.

GX's rules: nulls are skipped (pandas NaN: SQL NULL, and NaN in DOUBLE columns) and ``mostly`` is over the
non-null rows, vacuously true with none; ``not_be_null`` counts all rows; uniqueness flags every row of a
repeated value (or tuple; compound columns group nulls together); regexes run through pandas' own
``str.contains`` (an unanchored search) on Arrow batches of the column.
"""

from __future__ import annotations

import warnings

import numpy as np

from satudata.core.duck import literal, quote
from satudata.core.problems import Problem
from satudata.validators.expectations_sql.kwargs import Unsupported, is_number
from satudata.validators.expectations_sql.table import NUMERIC, ORDERED, Expectation, Finisher, Outcome, Table
from satudata.validators.gx_suite import ROW

REGEX_BATCH = 262_144


def _map_outcome(table: Table, exp: Expectation, columns: list[str], domain: str, unexpected: str,
                 total_based: bool = False) -> Finisher:
    """Unexpected rows = ``domain AND unexpected``; mostly over the rows of the domain (or over all rows)."""
    considered = f"count(*) FILTER (WHERE {domain})"
    flagged = f"count(*) FILTER (WHERE ({domain}) AND ({unexpected}))"
    table.count(considered)
    table.count(flagged)

    def finish(cap: int | None) -> Outcome:
        bad = int(table.value(flagged))
        base = table.rows if total_based else int(table.value(considered))
        success = mostly_holds(base, bad, exp.kwargs.get("mostly", 1.0), total_based)
        examples = [] if success else table.examples(exp.check, exp.severity, columns,
                                                     f"({domain}) AND ({unexpected})", cap)
        return success, {"unexpected_count": bad}, examples

    return finish


def mostly_holds(considered: int, unexpected: int, mostly: float, total_based: bool = False) -> bool:
    if considered == 0:
        return True   # vacuously true, as GX says
    if total_based:
        return (considered - unexpected) / considered >= mostly
    return (float(considered) - float(unexpected)) / float(considered) >= mostly


def _duplicates(table: Table, exp: Expectation, columns: list[str], domain: str) -> Finisher:
    """Rows whose value (tuple) occurs more than once among the rows of the domain."""
    considered = f"count(*) FILTER (WHERE {domain})"
    table.count(considered)
    cols = ", ".join(quote(c) for c in columns)
    match = " AND ".join(f"t.{quote(c)} IS NOT DISTINCT FROM d.{quote(c)}" for c in columns)

    def finish(cap: int | None) -> Outcome:
        repeated = f"repeated_{id(exp)}"   # the repeated values (usually few), computed once
        table.con.execute(f"CREATE TEMP TABLE {repeated} AS SELECT {cols}, count(*) AS _repeats FROM t "
                          f"WHERE {domain} GROUP BY ALL HAVING count(*) > 1")
        row = table.con.execute(f"SELECT coalesce(sum(_repeats), 0) FROM {repeated}").fetchone()
        bad = int(row[0]) if row else 0
        success = mostly_holds(int(table.value(considered)), bad, exp.kwargs.get("mostly", 1.0))
        examples: list[Problem] = []
        if not success:
            where = f"({domain}) AND EXISTS (SELECT 1 FROM {repeated} AS d WHERE {match})"
            examples = table.examples(exp.check, exp.severity, columns, where, cap)
        table.con.execute(f"DROP TABLE {repeated}")
        return success, {"unexpected_count": bad}, examples

    return finish


def _regex_outcome(table: Table, exp: Expectation, column: str, patterns: list[str], negate: bool) -> Finisher:
    """pandas ``str.contains`` on each non-null value; unexpected = no match (or, when ``negate``, any match)."""
    table.kind(column, ("VARCHAR",))

    def finish(cap: int | None) -> Outcome:
        import pyarrow.parquet as pq

        bad, considered, examples = 0, 0, []
        source = pq.ParquetFile(table.path)
        for batch in source.iter_batches(batch_size=REGEX_BATCH, columns=[ROW, column]):
            series = batch.column(1).to_pandas()
            keep = series.notna().to_numpy()
            texts = series[keep].astype(str)
            hits = np.zeros(len(texts), dtype=bool)
            with warnings.catch_warnings():   # pandas warns (on stderr) when a pattern has groups, as GX's do
                warnings.simplefilter("ignore", UserWarning)
                for pattern in patterns:
                    hits |= texts.str.contains(pattern).to_numpy(dtype=bool)
            flagged = hits if negate else ~hits
            considered += len(texts)
            bad += int(flagged.sum())
            room = None if cap is None else cap - len(examples)
            if room is None or room > 0:
                rows = batch.column(0).to_numpy()[keep][flagged][:room]
                values = texts.to_numpy()[flagged][:room]
                examples += [Problem(exp.check, exp.severity, column, int(r), str(v) or None)
                             for r, v in zip(rows, values, strict=True)]
        success = mostly_holds(considered, bad, exp.kwargs.get("mostly", 1.0))
        return success, {"unexpected_count": bad}, [] if success else examples

    return finish


def in_set_sql(kind: str, value_set: list) -> str | None:
    """The members of ``value_set`` pandas could find equal to a value of the column, as an SQL list."""
    if kind in NUMERIC:
        items = [f"CAST({v!r} AS DOUBLE)" for v in value_set if is_number(v)]
    elif kind == "VARCHAR":
        items = [literal(v) for v in value_set if isinstance(v, str)]
    else:
        raise Unsupported(f"value_set on {kind}")
    return ", ".join(items) if items else None


def map_finisher(table: Table, exp: Expectation) -> Finisher:  # noqa: C901 - one branch per map expectation
    kw, kind = exp.kwargs, exp.kind
    if kind == "expect_compound_columns_to_be_unique":
        columns = kw["column_list"]
        for column in columns:
            table.kind(column)
        nulls = [f"{quote(c)} IS NULL" for c in columns]
        rule = kw.get("ignore_row_if", "all_values_are_missing")
        domain = {"all_values_are_missing": f"NOT ({' AND '.join(nulls)})",
                  "any_value_is_missing": f"NOT ({' OR '.join(nulls)})", "never": "TRUE"}[rule]
        return _duplicates(table, exp, columns, domain)
    if kind == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = kw["column_A"], kw["column_B"]
        kinds = {table.kind(a, ORDERED), table.kind(b, ORDERED)}
        if not (kinds <= set(NUMERIC) or len(kinds) == 1):
            raise Unsupported(f"comparing {kinds}")
        rule = kw.get("ignore_row_if", "both_values_are_missing")
        domain = {"both_values_are_missing": f"NOT ({quote(a)} IS NULL AND {quote(b)} IS NULL)",
                  "either_value_is_missing": f"{quote(a)} IS NOT NULL AND {quote(b)} IS NOT NULL",
                  "neither": "TRUE"}[rule]
        op = ">=" if kw.get("or_equal") else ">"
        return _map_outcome(table, exp, [a, b], domain, f"NOT coalesce({quote(a)} {op} {quote(b)}, FALSE)")
    column = kw["column"]
    col = quote(column)
    present = f"{col} IS NOT NULL"
    if kind == "expect_column_values_to_not_be_null":
        table.kind(column)
        return _map_outcome(table, exp, [column], "TRUE", f"{col} IS NULL", total_based=True)
    if kind == "expect_column_values_to_be_unique":
        table.kind(column)
        return _duplicates(table, exp, [column], present)
    if kind == "expect_column_values_to_be_between":
        table.kind(column, NUMERIC)
        return _map_outcome(table, exp, [column], present, f"NOT ({_between_sql(col, kw)})")
    if kind == "expect_column_value_lengths_to_be_between":
        table.kind(column, ("VARCHAR",))
        return _map_outcome(table, exp, [column], present, f"NOT ({_between_sql(f'length({col})', kw)})")
    if kind == "expect_column_values_to_be_in_set":
        members = in_set_sql(table.kind(column), kw["value_set"])
        unexpected = "TRUE" if members is None else f"{col} NOT IN ({members})"
        return _map_outcome(table, exp, [column], present, unexpected)
    if kind == "expect_column_values_to_match_regex":
        return _regex_outcome(table, exp, column, [kw.get("regex", "(?s).*")], negate=False)
    if kind == "expect_column_values_to_not_match_regex":
        return _regex_outcome(table, exp, column, [kw["regex"]], negate=True)
    return _regex_outcome(table, exp, column, kw["regex_list"], negate=True)


def _between_sql(value: str, kw: dict) -> str:
    low, high = kw.get("min_value"), kw.get("max_value")
    if low is None and high is None or (low is not None and high is not None and low > high):
        raise Unsupported("GX raises on these bounds")
    parts = []
    if low is not None:
        parts.append(f"{value} {'>' if kw.get('strict_min') else '>='} {low!r}")
    if high is not None:
        parts.append(f"{value} {'<' if kw.get('strict_max') else '<='} {high!r}")
    return " AND ".join(parts)


