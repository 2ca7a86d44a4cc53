"""``expect_column_level_to_stay_within_factor_of_previous_period``: a series that switches units between periods.

A budget series that arrives in rupiah one year and in thousands (or billions) of rupiah the next jumps by about
1000× for every department at once, or for one. Per entity (``entity``: columns naming the series, e.g. kode_opd;
none: the whole table is one series) the column's level is its sum over the rows of each period (``period``:
columns ordering the periods, e.g. tahun, triwulan); each period is compared with the entity's previous period that
has a level. A change by ``factor`` or more either way (default 100) is flagged, once per pair, on the first row of
the later period. Empty cells, rows with an empty period and periods whose level is zero (it has no unit) are left
out of the series.
"""

from __future__ import annotations

import math

from satudata.core.duck import quote
from satudata.core.problems import WARNING, Problem
from satudata.validators.checks.record import GREAT_EXPECTATIONS, check
from satudata.validators.expectations_sql.table import NUMERIC, Table

TYPE = "expect_column_level_to_stay_within_factor_of_previous_period"
DEFAULT_FACTOR = 100
INTERNAL = ("_file", "_row", "_ord")

CHECK = check(
    f"gx:{TYPE}", GREAT_EXPECTATIONS,
    ("Satuan berubah antarperiode", "Unit change between periods"),
    ("Tingkat kolom angka (jumlahnya per entitas dan periode) tidak berubah factor kali atau lebih dari satu periode "
     "ke periode berikutnya untuk entitas yang sama: tanda satuan yang berganti (rupiah, ribuan, miliar).",
     "A numeric column's level (its sum per entity and period) does not change by factor times or more from one "
     "period to the next for the same entity: the sign of a series switching units (rupiah, thousands, billions)."),
    ("Periksa satuan periode itu (rupiah/ribuan/juta/miliar) dan tulis semuanya dalam satuan yang sama; bila "
     "perubahannya memang benar, naikkan factor.",
     "Check the unit of that period (rupiah/thousands/millions/billions) and write every period in the same unit; if "
     "the change is real, raise factor."),
    ("Kolom {column} berubah {factor}× atau lebih antara dua periode berurutan untuk entitas yang sama ({count} "
     "kali), mis. {value}. Periksa satuan (rupiah/ribuan/juta/miliar): mungkin ada periode yang ditulis dalam ribuan "
     "atau miliar.",
     "Column {column} changes by {factor}× or more between two consecutive periods of the same entity ({count} "
     "times), e.g. {value}. Check the unit (rupiah/thousands/millions/billions): a period may be written in "
     "thousands or billions."),
    severity=WARNING, declared=f"expectations.json: {TYPE}(column, entity, period, factor={DEFAULT_FACTOR})")


def _columns(kwargs: dict, name: str, types: dict[str, str], required: bool) -> list[str]:
    value = kwargs.get(name, [])
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names) or (required and not names):
        raise ValueError(f"{name} must be a column name or a list of column names, e.g. [\"tahun\"]")
    unknown = [n for n in names if n not in types or n in INTERNAL]
    if unknown:
        raise ValueError(f"{name}: no column {', '.join(map(repr, unknown))} in the table")
    return list(names)


def arguments(kwargs: dict, types: dict[str, str]) -> dict:
    """The suite's kwargs, checked against the typed table's columns (name → DuckDB type)."""
    unknown = set(kwargs) - {"column", "entity", "period", "factor"}
    if unknown:
        raise ValueError(f"unknown argument(s) {', '.join(sorted(unknown))}: use column, entity, period, factor")
    column = kwargs.get("column")
    if not isinstance(column, str) or types.get(column) not in NUMERIC:
        raise ValueError(f"column {column!r} is not a numeric column of the table")
    factor = kwargs.get("factor", DEFAULT_FACTOR)
    if isinstance(factor, bool) or not isinstance(factor, int | float) or not math.isfinite(factor) or factor <= 1:
        raise ValueError(f"factor must be a number greater than 1, not {factor!r}")
    entity, period = _columns(kwargs, "entity", types, False), _columns(kwargs, "period", types, True)
    if column in entity + period or set(entity) & set(period):
        raise ValueError("column, entity and period must name different columns")
    return {"column": column, "entity": entity, "period": period, "factor": factor}


def _number(value: object) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _ratio(before: float, after: float) -> str:
    """×1000 for a rise, ÷1000 for a fall (rounded: whole numbers from 10 up)."""
    ratio = abs(after / before)
    size = ratio if ratio >= 1 else 1 / ratio
    return f"{'×' if ratio >= 1 else '÷'}{size:.0f}" if size >= 10 else f"{'×' if ratio >= 1 else '÷'}{size:.1f}"


def _describe(names: list[str], values: list) -> str:
    return ", ".join(f"{name}={value}" for name, value in zip(names, values, strict=True))


def run(table: Table, kwargs: dict, severity: str, cap: int | None) -> tuple[int, list[Problem]]:
    """(count of flagged pairs, the first ``cap`` of them in row order) in one grouped scan of the typed table."""
    column, entity, period = kwargs["column"], kwargs["entity"], kwargs["period"]
    keys = ", ".join(quote(c) for c in entity + period)
    filled = " AND ".join(f"{quote(c)} IS NOT NULL" for c in [column, *period])
    by_entity = f"PARTITION BY {', '.join(quote(c) for c in entity)} " if entity else ""
    window = f"{by_entity}ORDER BY {', '.join(quote(c) for c in period)}"
    previous = ", ".join(f"lag({quote(c)}) OVER w AS __before_{i}" for i, c in enumerate(period))
    shown = [*(quote(c) for c in entity), *(f"__before_{i}" for i in range(len(period))), *(quote(c) for c in period)]
    ratio = "abs(level::DOUBLE / before::DOUBLE)"
    limit = "" if cap is None else f"LIMIT {int(cap)}"
    levels = (f"SELECT {keys}, sum({quote(column)}) AS level, min(_ord) AS first, arg_min(_row, _ord) AS row, "
              f"arg_min(_file, _ord) AS file FROM t WHERE {filled} GROUP BY {keys}")
    pairs = (f"SELECT *, lag(level) OVER w AS before, {previous} FROM ({levels}) WHERE level <> 0 "
             f"WINDOW w AS ({window})")
    rows = table.con.execute(
        f"SELECT count(*) OVER (), row, file, before, level, {', '.join(shown)} FROM ({pairs}) "
        f"WHERE before IS NOT NULL AND greatest({ratio}, 1 / {ratio}) >= {float(kwargs['factor'])!r} "
        f"ORDER BY first {limit}").fetchall()
    examples = []
    for _, row, file, before, level, *values in rows:
        who, earlier, later = (values[:len(entity)], values[len(entity):len(entity) + len(period)],
                               values[len(entity) + len(period):])
        text = (f"{_describe(entity, who)}; " if entity else "") + (
            f"{_describe(period, earlier)}: {_number(before)} → {_describe(period, later)}: {_number(level)} "
            f"({_ratio(float(before), float(level))})")
        examples.append(Problem(CHECK.type, severity, column, int(row), text, file))
    return (rows[0][0] if rows else 0), examples
