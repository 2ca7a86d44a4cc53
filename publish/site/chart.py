"""A small chart of a dataset's shape, computed by DuckDB and drawn on the server as plain, accessible SVG.

Records per month of the first date column (per day when it spans two months at most, per year when it spans
more than ten years); else a histogram of the main numeric column (the first integer or number column that is not
a key, a code, a coordinate or a year).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import duckdb

from satudata.core.duck import NUMERIC, literal, quote, type_name

MAX_DAYS_MONTHS = 2      # a span of up to two calendar months is drawn per day
MAX_MONTHS = 120
HISTOGRAM_BINS = 12
NOT_A_MEASURE = re.compile(r"^(id|kode|no|nomor|npsn|nik)(_.*)?$|.*_(id|kode)$|^(lintang|bujur|lat|lon|lng|latitude|"
                           r"longitude|tahun|year|triwulan|quarter|bulan|month|semester|periode)$")
WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 14, 40


@dataclass(frozen=True)
class Bar:
    label: str
    value: int


@dataclass(frozen=True)
class Chart:
    kind: str              # days | months | years | histogram
    column: str
    bars: list[Bar]

    @property
    def total(self) -> int:
        return sum(b.value for b in self.bars)

    @property
    def peak(self) -> Bar:
        return max(self.bars, key=lambda b: b.value)

    def title(self) -> tuple[str, str]:
        if self.kind == "histogram":
            return (f"Sebaran nilai kolom {self.column}", f"Distribution of the values of {self.column}")
        unit_id, unit_en = {"days": ("hari", "day"), "months": ("bulan", "month")}.get(self.kind, ("tahun", "year"))
        return (f"Jumlah baris per {unit_id} menurut kolom {self.column}",
                f"Records per {unit_en} by the column {self.column}")

    def description(self) -> tuple[str, str]:
        first, last, peak = self.bars[0].label, self.bars[-1].label, self.peak
        if self.kind == "histogram":
            return (f"{self.total} nilai dalam {len(self.bars)} kelas dari {first} sampai {last}; "
                    f"terbanyak {peak.value} pada kelas {peak.label}.",
                    f"{self.total} values in {len(self.bars)} bins from {first} to {last}; "
                    f"the largest bin, {peak.label}, holds {peak.value}.")
        return (f"{self.total} baris dari {first} sampai {last}; terbanyak {peak.value} pada {peak.label}.",
                f"{self.total} records from {first} to {last}; the most, {peak.value}, in {peak.label}.")


def _columns(con: duckdb.DuckDBPyConnection, source: str) -> list[tuple[str, str]]:
    return [(row[0], type_name(row[1])) for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]


def _per_period(con: duckdb.DuckDBPyConnection, source: str, column: str) -> Chart | None:
    col = quote(column)
    span = con.execute(f"SELECT min({col}), max({col}) FROM {source}").fetchone()
    if span[0] is None:
        return None
    months = (span[1].year - span[0].year) * 12 + span[1].month - span[0].month + 1
    if months <= MAX_DAYS_MONTHS:
        unit, kind, fmt = "day", "days", "%Y-%m-%d"
    elif months <= MAX_MONTHS:
        unit, kind, fmt = "month", "months", "%Y-%m"
    else:
        unit, kind, fmt = "year", "years", "%Y"
    rows = con.execute(f"""
        WITH counted AS (SELECT CAST(date_trunc('{unit}', {col}) AS DATE) AS period, count(*) AS n
                         FROM {source} WHERE {col} IS NOT NULL GROUP BY 1),
             periods AS (SELECT CAST(unnest(generate_series(min(period), max(period), INTERVAL 1 {unit}))
                                     AS DATE) AS period FROM counted)
        SELECT strftime(p.period, '{fmt}'), coalesce(c.n, 0) FROM periods p LEFT JOIN counted c USING (period)
        ORDER BY p.period""").fetchall()
    return Chart(kind, column, [Bar(label, int(n)) for label, n in rows])


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


def _histogram(con: duckdb.DuckDBPyConnection, source: str, column: str, kind: str) -> Chart | None:
    col = quote(column)
    low, high = con.execute(f"SELECT min({col}), max({col}) FROM {source} WHERE isfinite({col})").fetchone()
    if low is None:
        return None
    low, high = float(low), float(high)
    bins = int(high - low) + 1 if kind == "integer" and high - low < HISTOGRAM_BINS else HISTOGRAM_BINS
    width = (high - low) / bins or 1.0
    counts = dict(con.execute(f"""
        SELECT least(CAST(floor(({col} - {low!r}) / {width!r}) AS BIGINT), {bins - 1}) AS bin, count(*)
        FROM {source} WHERE isfinite({col}) GROUP BY 1""").fetchall())
    bars = []
    for index in range(bins):
        start = low + index * width
        label = _number(start) if kind == "integer" and width == 1 else f"{_number(start)}–{_number(start + width)}"
        bars.append(Bar(label, int(counts.get(index, 0))))
    return Chart("histogram", column, bars)


def shape_of(parquet: Path, primary_key: Sequence[str] = ()) -> Chart | None:
    """The chart to draw for this file, or None when it has neither a date nor a numeric measure."""
    source = f"read_parquet({literal(str(parquet))})"
    con = duckdb.connect()
    try:
        columns = _columns(con, source)
        dated = next((name for name, kind in columns if kind in ("date", "datetime")), None)
        if dated:
            return _per_period(con, source, dated)
        measure = next(((name, kind) for name, kind in columns if kind in NUMERIC and name not in primary_key
                        and not NOT_A_MEASURE.match(name.lower())), None)
        return _histogram(con, source, *measure) if measure else None
    finally:
        con.close()


def _tick_labels(bars: list[Bar]) -> list[int]:
    if len(bars) <= 6:
        return list(range(len(bars)))
    return sorted({0, len(bars) // 2, len(bars) - 1})


def render_svg(chart: Chart, id_prefix: str = "chart") -> str:
    """Plain SVG: bars, the zero line, the largest value, a few period labels; title and desc for screen readers."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = max(chart.peak.value, 1)
    step = plot_w / len(chart.bars)
    gap = 1 if step > 3 else 0
    title_id, title_en = chart.title()
    desc_id, desc_en = chart.description()
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{id_prefix}-title {id_prefix}-desc">',
        f'<title id="{id_prefix}-title">{escape(title_id)} / {escape(title_en)}</title>',
        f'<desc id="{id_prefix}-desc">{escape(desc_id)} / {escape(desc_en)}</desc>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{WIDTH - RIGHT}" y2="{TOP}" class="grid"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" class="axis">{escape(_number(top))}</text>',
        f'<text x="{LEFT - 6}" y="{TOP + plot_h + 4}" text-anchor="end" class="axis">0</text>',
    ]
    for index, bar in enumerate(chart.bars):
        height = plot_h * bar.value / top
        x, y = LEFT + index * step, TOP + plot_h - height
        parts.append(f'<rect x="{x:.2f}" y="{y:.2f}" width="{max(step - gap, 0.5):.2f}" height="{height:.2f}" '
                     f'class="bar"><title>{escape(bar.label)}: {bar.value}</title></rect>')
    parts.append(f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" class="axis-line"/>')
    for index in _tick_labels(chart.bars):
        x = LEFT + index * step + step / 2
        anchor = "start" if index == 0 and len(chart.bars) > 6 else "end" if index == len(chart.bars) - 1 \
            and len(chart.bars) > 6 else "middle"
        parts.append(f'<text x="{x:.2f}" y="{HEIGHT - BOTTOM + 18}" text-anchor={quoteattr(anchor)} '
                     f'class="axis">{escape(chart.bars[index].label)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
