"""HTML tables, as web applications and Excel's "save as web page" write them (often named .xls): claimed by their
first bytes, read by lxml. The ``sheet`` option names a table by its id, its caption or its number (1, 2...); a page
with no table of at least two rows (a login page, an error page) is not a data file."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path

from satudata.core.catalog import ReadOptions
from satudata.core.problems import ExportUnreadable
from satudata.sources.formats.base import BaseFormat, Row, sheet_missing
from satudata.sources.formats.csv.dialect import sniff_encoding

_SPACES = re.compile(r"\s+")
_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)


def looks_like_html(head: bytes) -> bool:
    """Whether the file is an HTML page or table, by its first 512 bytes."""
    start = head[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html", b"<table"))


def _not_a_table(file: str) -> ExportUnreadable:
    return ExportUnreadable(
        file, "ini halaman HTML, bukan berkas data; unduh ulang sebagai CSV/XLSX asli dari aplikasi",
        "this is an HTML page, not a data file; download it again as a real CSV/XLSX")


class HtmlFormat(BaseFormat):
    name = "html"
    options = frozenset({"encoding", "sheet"})
    spreadsheet = True

    def claims(self, head: bytes) -> bool:
        return looks_like_html(head)

    def sniff(self, path: Path, head: bytes, options: ReadOptions) -> dict[str, str]:
        """The charset the page declares (<meta charset>), else UTF-8 when it decodes as UTF-8, else cp1252."""
        if options.declared("encoding"):
            return {}
        if match := _CHARSET.search(head[:4096]):
            try:
                return {"encoding": codecs.lookup(match.group(1).decode("ascii")).name}
            except LookupError:
                pass
        return {"encoding": sniff_encoding(head, len(head) == path.stat().st_size)}

    def rows(self, path: Path, options: ReadOptions) -> Iterator[Row]:
        import lxml.html

        try:   # libxml2 knows an encoding by its canonical names ("iso8859-1"), not by every alias ("latin-1")
            parser = lxml.html.HTMLParser(encoding=codecs.lookup(options.encoding).name)
        except LookupError:
            raise ExportUnreadable(path.name, f"pengodean {options.encoding!r} tidak dikenal: perbaiki "
                                   "options.encoding", f"unknown encoding {options.encoding!r}: fix "
                                   "options.encoding") from None
        try:
            document = lxml.html.fromstring(path.read_bytes(), parser=parser)
        except (ValueError, lxml.etree.ParserError):
            raise _not_a_table(path.name) from None
        tables = [t for t in document.iter("table") if len(_rows_of(t)) >= 2]
        table = _choose(path.name, tables, options.sheet)
        yield from enumerate(_grid(_rows_of(table)), start=1)


def _name(table, number: int) -> list[str]:
    caption = table.find("caption")
    names = [str(number)]
    if table.get("id"):
        names.append(table.get("id"))
    if caption is not None and caption.text_content().strip():
        names.append(_SPACES.sub(" ", caption.text_content()).strip())
    return names


def _choose(file: str, tables: list, sheet: str | None):
    if not tables:
        raise _not_a_table(file)
    if sheet is None:
        return tables[0]
    for number, table in enumerate(tables, start=1):
        if sheet in _name(table, number):
            return table
    raise sheet_missing(file, "HTML", sheet, [_name(t, n)[-1] for n, t in enumerate(tables, start=1)])


def _rows_of(table) -> list:
    """The table's own rows (thead, tbody, tfoot or bare), not those of a table nested in a cell."""
    return [tr for tr in table.iter("tr") if next(tr.iterancestors("table")) is table]


def _grid(rows: list) -> Iterator[list[str | None]]:
    """Cell text row by row; a cell spanning columns or rows leaves None in the places it covers, as a merged cell
    of a workbook does."""
    covered: set[tuple[int, int]] = set()   # (row, column) places a rowspan from above covers
    for number, tr in enumerate(rows):
        cells: list[str | None] = []
        for td in (c for c in tr if c.tag in ("td", "th")):
            while (number, len(cells)) in covered:
                cells.append(None)
            column = len(cells)
            cells.append(_SPACES.sub(" ", td.text_content()).strip())
            across, down = _span(td.get("colspan")), _span(td.get("rowspan"))
            cells += [None] * (across - 1)
            covered.update((number + r, column + c) for r in range(1, down) for c in range(across))
        while (number, len(cells)) in covered:
            cells.append(None)
        covered = {(r, c) for r, c in covered if r > number}
        yield cells


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 1000))
    except ValueError:
        return 1
