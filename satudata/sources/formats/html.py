"""HTML pages: what a portal serves for a broken download link. Claimed by their first bytes, before any declared
format, and refused: they are not data files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from satudata.core.catalog import ReadOptions
from satudata.core.problems import ExportUnreadable
from satudata.sources.formats.base import BaseFormat, Row


def looks_like_html(head: bytes) -> bool:
    """Whether the file is an HTML page, by its first 512 bytes."""
    start = head[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html", b"<table"))


class HtmlFormat(BaseFormat):
    name = "html"

    def claims(self, head: bytes) -> bool:
        return looks_like_html(head)

    def rows(self, path: Path, options: ReadOptions) -> Iterator[Row]:
        raise ExportUnreadable(
            path.name, "ini halaman HTML, bukan berkas data; unduh ulang sebagai CSV/XLSX asli dari aplikasi",
            "this is an HTML page, not a data file; download it again as a real CSV/XLSX")
