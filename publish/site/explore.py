"""What the dataset page's explorer (assets/explore.js) needs to know: which file to load, its columns and types,
which columns can be charted (measures) and by what (groupings: a date, a year, a kecamatan, a category).

The script reads the published data.csv of the version the page shows (papaparse), pages and sorts it, and charts
a measure per period or per category (uPlot). The page holds a static table of the first rows and the server-side
SVG chart, which stay when JavaScript does not run.
"""

from __future__ import annotations

import re

from satudata.publish.site.chart import NOT_A_MEASURE
from satudata.publish.site.model import DatasetView

AUTO_LOAD_BYTES = 8 * 1024 * 1024      # a larger data.csv is loaded only when the reader asks for it
NUMERIC = ("integer", "number")
ORDINAL = re.compile(r"^(tahun|year|triwulan|quarter|semester|bulan|month)$")
REGION = re.compile(r"kecamatan|kelurahan|desa|wilayah|kabupaten|kota")


def _groups(fields: list[dict], key: list[str]) -> list[dict]:
    """Dates first, then region columns (kecamatan, kelurahan, ...), years and quarters, then other text columns
    that are not the key. The script keeps a text column only when it has few distinct values."""
    dates = [f["name"] for f in fields if f["type"] in ("date", "datetime")]
    ordinal = [f["name"] for f in fields if f["type"] in NUMERIC and ORDINAL.match(f["name"].lower())]
    text = [f["name"] for f in fields if f["type"] in ("string", "boolean", "year")]
    regions = [name for name in text if REGION.search(name.lower())]     # a region may be the key: one bar each
    text = [name for name in text if name not in key]
    return ([{"name": n, "kind": "date"} for n in dates] + [{"name": n, "kind": "category"} for n in regions]
            + [{"name": n, "kind": "category"} for n in ordinal]
            + [{"name": n, "kind": "category"} for n in text if n not in regions])


def explorer_config(view: DatasetView) -> dict | None:
    """The page's data-config for explore.js, or None when the version has no data.csv."""
    latest = view.latest
    data = latest.files.get("data.csv")
    if data is None:
        return None
    fields = [{"name": f["name"], "type": f.get("type", "string"), "title": f.get("title", "")}
              for f in latest.schema.get("fields", [])]
    key = view.primary_key
    measures = [f["name"] for f in fields if f["type"] in NUMERIC and f["name"] not in key
                and not NOT_A_MEASURE.match(f["name"].lower())]
    regions = "kode-wilayah.csv" if latest.has("kode-wilayah.csv") else None
    return {"csv": f"{latest.version}/data.csv", "bytes": data.bytes, "rows": latest.rows, "version": latest.version,
            "autoLoad": data.bytes <= AUTO_LOAD_BYTES, "fields": fields, "measures": measures,
            "groups": _groups(fields, key),
            "regions": f"{latest.version}/{regions}" if regions else None}
