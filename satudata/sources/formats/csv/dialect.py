"""A CSV export's dialect: the encoding, delimiter and quote character, read past a byte-order mark, and found in
the file when the catalogue does not declare them.

Sniffing never changes how a file that reads today is read: an undeclared encoding stays UTF-8 whenever the first
64 KB are UTF-8, an undeclared delimiter stays "," whenever the header splits on it, an undeclared quote stays '"'
unless the file has none and quotes fields with "'" around a delimiter. Only files the defaults cannot read get
other values, and the staging warns about each, so the steward can declare them.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

from satudata.core.catalog import ReadOptions

DELIMITER_CANDIDATES = (",", ";", "\t", "|")
SAMPLE_LINES = 50
# Control bytes no text file holds (tab, LF, FF, CR and DOS's end-of-file mark SUB are text).
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 26)) + b"\x7f"
_BOMS_16_32 = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def effective_encoding(path: Path, encoding: str) -> str:
    """The declared encoding, reading past a byte-order mark the way Frictionless does (utf-8 → utf-8-sig)."""
    name = codecs.lookup(encoding).name
    with path.open("rb") as handle:
        head = handle.read(4)
    if name == "utf-8" and head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if (name, head[:2]) in (("utf-16-be", codecs.BOM_UTF16_BE), ("utf-16-le", codecs.BOM_UTF16_LE)):
        return "utf-16"
    return name


def looks_like_text(head: bytes) -> bool:
    """Text in some 8-bit or UTF encoding: few NUL bytes and almost no other control byte (random or binary data
    has one byte in ten), unless a UTF-16/32 byte-order mark says the NULs are half of each character."""
    if head.startswith(_BOMS_16_32):
        return True
    nuls = head.count(b"\x00")
    controls = sum(head.count(bytes([b])) for b in _CONTROL) - nuls
    # A few NULs in text is a damaged text file (a crash, a bad copy): read, and each cell holding them reported.
    # Half NULs is UTF-16 without its mark; NULs and other control bytes together are binary.
    return controls * 100 <= len(head) and nuls * 10 <= len(head)


def sniff_encoding(head: bytes, whole: bool) -> str:
    """UTF-8 when the head decodes as UTF-8 (a byte-order mark is read past later), UTF-16 by its mark, else the
    Windows code page most Indonesian office software writes (cp1252), else latin-1 (which decodes any byte)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "cp1252"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=whole)
            return encoding
        except UnicodeDecodeError:
            continue
    return "iso8859-1"


def _records(head: bytes, encoding: str, delimiter: str, quotechar: str) -> list[list[str]]:
    text = head.decode(codecs.lookup(encoding).name, errors="replace").lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar=quotechar)
    records = []
    try:
        for cells in reader:
            records.append(cells)
            if len(records) >= SAMPLE_LINES:
                break
    except csv.Error:
        pass
    return records


def _header_record(records: list[list[str]], options: ReadOptions) -> list[str] | None:
    index = (options.header_rows[-1] if options.header_rows else options.header_row or options.skip_rows + 1) - 1
    return records[index] if 0 <= index < len(records) else None


def sniff_delimiter(head: bytes, encoding: str, options: ReadOptions) -> str:
    """"," when the header row splits on it (or no candidate splits it better), else the candidate that splits the
    header row into the most cells."""
    quote = options.quotechar
    best, cells = ",", len(_header_record(_records(head, encoding, ",", quote), options) or [])
    if cells > 1:
        return ","
    for candidate in DELIMITER_CANDIDATES[1:]:
        count = len(_header_record(_records(head, encoding, candidate, quote), options) or [])
        if count > max(cells, 1):
            best, cells = candidate, count
    return best


def sniff_quotechar(head: bytes, encoding: str, delimiter: str) -> str:
    """'"' unless the file holds no '"' and quotes a field holding the delimiter with "'"."""
    text = head.decode(codecs.lookup(encoding).name, errors="replace")
    if '"' in text:
        return '"'
    d = re.escape(delimiter)
    single = re.compile(rf"(?:^|{d})'[^'\r\n]*{d}[^'\r\n]*'(?:{d}|$)", re.MULTILINE)
    return "'" if single.search(text) else '"'


def sniff_other_delimiter(first_line: list[str | None], declared: str) -> str | None:
    """When a header parsed into one cell that contains another common delimiter, name that delimiter."""
    if len(first_line) != 1 or first_line[0] is None:
        return None
    text = first_line[0]
    counts = {d: text.count(d) for d in DELIMITER_CANDIDATES if d != declared}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else None
