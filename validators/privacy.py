"""Privacy gate (UU PDP, Law 27/2022): find personal data in staged columns and treat it before publishing.

Detection is structural (see `validators.privacy_patterns`): a NIK must carry a real province, kab/kota,
kecamatan, birth date and serial; a phone a real Indonesian prefix and length. Columns are scanned with one
vectorised RE2 pre-filter (pyarrow.compute) and the exact Python checks run only on the few candidate cells.
Examples are always masked: no raw personal value leaves this module.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from satudata.validators.privacy_patterns import (
    NO_CONTEXT,
    PLAIN_DECIMAL_RE2,
    PREFILTER_RE2,
    PREFILTER_RE2_PHONE_COLUMN,
    SHORTEST_NUMBER_MATCH,
    ColumnContext,
    find_pii_in_value,
    find_spans,
    mask_value,
    normalise_value,
)

PII_KINDS = ("nik", "kk", "phone", "email", "npwp")
TREATMENTS = ("public", "drop", "mask", "hash", "aggregate-only")
SUSPICIOUS_NAME = "suspicious-name"
SALT_ENV_VAR = "SATUDATA_PRIVACY_SALT"
HASH_CHARS = 16  # base32 characters: 80 bits
_INT64_SAFE = 9.2e18
MISSING_SALT_MESSAGE = (
    f"privacy treatment 'hash' needs a secret salt: set the environment variable {SALT_ENV_VAR}"
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Column-name tokens. Identity tokens always warn; name/contact tokens warn unless the name also says the
# value belongs to an organisation or a place (nama_opd, alamat_kantor, nama_kecamatan), and a person-role
# token brings the warning back (nama_kepala_sekolah, email_kontak, telepon_pemilik_usaha).
IDENTITY_TOKENS = _words(
    "nik ktp kk nokk noktp nonik kartukeluarga ttl lahir tgllahir tanggallahir tempatlahir birth dob "
    "birthdate kandung ibukandung paspor passport"
)
CONTACT_TOKENS = _words(
    "nama name fullname namalengkap alamat address telepon telpon telfon telp tlp notelp notlp phone "
    "hp nohp handphone ponsel mobile whatsapp wa nowa email mail surel npwp nonpwp"
)
ORGANISATION_TOKENS = _words(
    "faskes opd perusahaan kantor instansi dinas badan lembaga sekolah puskesmas rs rumahsakit klinik "
    "apotek toko usaha umkm koperasi kecamatan kelurahan desa kabupaten kota kab prov provinsi wilayah "
    "daerah negara jalan stasiun lokasi bank pasar kampus universitas satker unit company organisation "
    "organization office school hospital agency institution business shop store station region province "
    "city district village street"
)
PERSON_ROLE_TOKENS = _words(
    "pemilik kepala pasien penduduk warga siswa murid mahasiswa guru pegawai karyawan asn penerima pemohon "
    "pelapor ketua ayah ibu wali orangtua petugas responden anggota pengurus pimpinan direktur kontak "
    "pic lengkap pribadi personal owner contact person penanggungjawab"
)
_CAMEL_BOUNDARY_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NAME_SEPARATOR_RE = re.compile(r"[\s_\-.:/()]+")


@dataclass(frozen=True)
class PiiFinding:
    column: str
    kind: str  # one of PII_KINDS, or "suspicious-name"
    count: int  # cells in which this kind was found
    example_rows: tuple[int, ...]  # up to max_examples row numbers (from the row_numbers argument)
    masked_examples: tuple[str, ...]  # up to max_examples matches, masked


@dataclass
class _KindTally:
    count: int = 0
    rows: list[int] = field(default_factory=list)
    masked: list[str] = field(default_factory=list)

    def add(self, row: int, matched: str, max_examples: int) -> None:
        self.count += 1
        if len(self.rows) < max_examples:
            self.rows.append(row)
            self.masked.append(mask_value(matched))


def find_pii_in_text(text: str) -> list[tuple[str, str]]:
    """Every (kind, matched_text) found in one string, including inside free text."""
    return find_pii_in_value(text)


def mask_text(text: str, column: str | None = None) -> str:
    """Replace every PII match inside free text with its masked form (for reports and logs). With the column
    name, what the name tells counts too (a bare NPWP, a mobile stored as a number without its 0)."""
    context = column_context(column) if column else NO_CONTEXT
    pieces: list[str] = []
    cursor = 0
    for start, end, _, matched in find_spans(text, context):
        pieces += [text[cursor:start], mask_value(matched)]
        cursor = end
    if not pieces and find_pii_in_value(text, context):  # a whole-number form, e.g. 3.573014509870002e+15
        return mask_value(text)
    return "".join(pieces) + text[cursor:]


def name_tokens(column: str) -> list[str]:
    """Lower-case tokens of a column name split on _ - . space and camelCase (``noHP`` → no, hp)."""
    spaced = _CAMEL_BOUNDARY_RE.sub(" ", column)
    return [token for token in _NAME_SEPARATOR_RE.split(spaced.casefold()) if token]


def _tokens_with_pairs(column: str) -> set[str]:
    tokens = name_tokens(column)
    return set(tokens) | {first + second for first, second in zip(tokens, tokens[1:], strict=False)}


def column_name_warning(column: str) -> bool:
    """True when the column name suggests personal data (a warning only: it never blocks)."""
    tokens = _tokens_with_pairs(column)
    if tokens & IDENTITY_TOKENS:
        return True
    if not tokens & CONTACT_TOKENS:
        return False
    return bool(tokens & PERSON_ROLE_TOKENS) or not tokens & ORGANISATION_TOKENS


def column_context(column: str) -> ColumnContext:
    """What the name says about 16/15-digit and phone values: kk vs nik, bare NPWP, phone without its 0."""
    tokens = _tokens_with_pairs(column)
    phone_tokens = {"telepon", "telpon", "telfon", "telp", "tlp", "phone", "hp", "handphone", "ponsel", "wa"}
    return ColumnContext(
        kk=bool(tokens & {"kk", "nokk", "kartukeluarga"}),
        npwp=any("npwp" in token for token in tokens),
        phone=bool(tokens & (phone_tokens | {"notelp", "notlp", "nohp", "mobile", "whatsapp", "nowa"})),
    )


def _single_array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _float_strings(values: pa.Array) -> pa.Array:
    """Floats as text, each integral value through int64 (3573014509870002.0 → "3573014509870002", not
    "3.573014509870002e+15"), so one non-integral cell (1.5) does not change how the others read."""
    integral = pc.and_(pc.is_finite(values), pc.equal(pc.floor(values), values))
    integral = pc.and_(integral, pc.less(pc.abs(values), _INT64_SAFE))
    whole = pc.cast(pc.cast(pc.if_else(integral, values, 0.0), pa.int64()), pa.string())
    return pc.if_else(integral, whole, pc.cast(values, pa.string()))


def _as_strings(values: pa.Array | pa.ChunkedArray) -> pa.Array | None:
    """The values as one string array (numbers converted; integral floats as whole numbers), or None for
    types that cannot hold the personal data we look for (bool, dates, times, binary, null)."""
    values = _single_array(values)
    if pa.types.is_dictionary(values.type):
        values = pc.cast(values, values.type.value_type)
    kind = values.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return values
    if pa.types.is_floating(kind):
        return _float_strings(pc.cast(values, pa.float64()))
    if pa.types.is_integer(kind) or pa.types.is_decimal(kind):
        return pc.cast(values, pa.string())
    return None


def _candidates(column: str, strings: pa.Array, rows: pa.Array) -> tuple[list[str], list[int]]:
    """Cells that pass the RE2 pre-filter, with their row numbers (the vectorised, million-cell part)."""
    pattern = PREFILTER_RE2_PHONE_COLUMN if column_context(column).phone else PREFILTER_RE2
    hit = pc.match_substring_regex(strings, pattern)
    if not pc.any(hit).as_py():
        return [], []
    strings, rows = pc.filter(strings, hit), pc.filter(rows, hit)
    keep = pc.invert(pc.match_substring_regex(strings, PLAIN_DECIMAL_RE2))
    return pc.filter(strings, keep).to_pylist(), pc.filter(rows, keep).to_pylist()


def _content_findings(column: str, strings: pa.Array, rows: pa.Array, max_examples: int) -> list[PiiFinding]:
    context = column_context(column)
    tallies = {kind: _KindTally() for kind in PII_KINDS}
    for value, row in zip(*_candidates(column, strings, rows), strict=True):
        first_match_by_kind: dict[str, str] = {}
        for kind, matched in find_pii_in_value(value, context):
            first_match_by_kind.setdefault(kind, matched)
        for kind, matched in first_match_by_kind.items():
            tallies[kind].add(row, matched, max_examples)
    return [
        PiiFinding(column, kind, tally.count, tuple(tally.rows), tuple(tally.masked))
        for kind, tally in tallies.items()
        if tally.count
    ]


def _name_finding(column: str, values: pa.Array, rows: pa.Array, max_examples: int) -> PiiFinding:
    """Suspicious column name: count = non-null cells, with a few masked values to help the reviewer."""
    present = pc.is_valid(values)
    sample = pc.filter(values, present).slice(0, max_examples).to_pylist()
    sample_rows = pc.filter(rows, present).slice(0, max_examples).to_pylist()
    masked = tuple(mask_value(str(value)) for value in sample)
    return PiiFinding(column, SUSPICIOUS_NAME, len(values) - values.null_count, tuple(sample_rows), masked)


def _long_integers_only(values: pa.Array, rows: pa.Array) -> tuple[pa.Array, pa.Array]:
    """An integer column keeps only the values of SHORTEST_NUMBER_MATCH digits or more: the text of a shorter
    integer matches no pattern of the pre-filter, so the (costly) conversion to text is skipped for it."""
    if not pa.types.is_integer(values.type):
        return values, rows
    if values.type.bit_width < 32:
        return values.slice(0, 0), rows.slice(0, 0)
    if values.type != pa.uint64():
        values = pc.cast(values, pa.int64())
    bound = 10 ** (SHORTEST_NUMBER_MATCH - 1)
    long = pc.greater_equal(values, bound)
    if pa.types.is_signed_integer(values.type):
        long = pc.or_(long, pc.less_equal(values, -bound))
    long = pc.fill_null(long, False)
    return pc.filter(values, long), pc.filter(rows, long)


def scan_column(
    column: str,
    values: pa.Array | pa.ChunkedArray,
    row_numbers: pa.Array | pa.ChunkedArray,
    *,
    max_examples: int = 5,
    include_name_warning: bool = False,
) -> list[PiiFinding]:
    """Findings of one column: one per PII kind found in the values (in PII_KINDS order). Nulls are skipped;
    numbers are converted to text first. With include_name_warning, a "suspicious-name" finding follows when
    column_name_warning(column) is true (off by default: callers treat findings as blocking, names only warn).
    """
    values, rows = _single_array(values), _single_array(row_numbers)
    if len(values) != len(rows):
        raise ValueError(f"column {column!r}: {len(values)} values but {len(rows)} row numbers")
    values_for_content, rows_for_content = _long_integers_only(values, rows)
    strings = _as_strings(values_for_content)
    findings = [] if strings is None else _content_findings(column, strings, rows_for_content, max_examples)
    if include_name_warning and column_name_warning(column):
        findings.append(_name_finding(column, values, rows, max_examples))
    return findings


def _text_values(values: pa.Array | pa.ChunkedArray) -> list[str | None]:
    strings = _as_strings(values)
    if strings is None:
        strings = pc.cast(_single_array(values), pa.string())
    return strings.to_pylist()


def hash_value(value: str, salt: str) -> str:
    """HMAC-SHA256(salt, normalised value) as 16 lower-case base32 characters (a–z, 2–7; 80 bits).

    Base32 rather than hex: a hex digest is all digits once in ~1,850 values and could then read as a NIK or
    a phone number in the published file; base32 has no 0, 1, 8 or 9 and is letters almost always."""
    digest = hmac.new(salt.encode("utf-8"), normalise_value(value).encode("utf-8"), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:HASH_CHARS]


def apply_treatment(
    values: pa.Array | pa.ChunkedArray, treatment: str, *, salt: str | None
) -> pa.Array | pa.ChunkedArray | None:
    """public → unchanged; drop / aggregate-only → None (caller removes the column); mask → masked strings;
    hash → salted 16-hex-char HMAC strings. Nulls stay null."""
    if treatment not in TREATMENTS:
        raise ValueError(f"unknown privacy treatment {treatment!r}; expected one of {', '.join(TREATMENTS)}")
    if treatment == "public":
        return values
    if treatment in ("drop", "aggregate-only"):
        return None
    if treatment == "mask":
        masked = [None if text is None else mask_value(text) for text in _text_values(values)]
        return pa.array(masked, pa.string())
    if not salt:
        raise ValueError(MISSING_SALT_MESSAGE)
    hashed = [None if text is None else hash_value(text, salt) for text in _text_values(values)]
    return pa.array(hashed, pa.string())


def _small_cells(column: pa.ChunkedArray, k: int) -> pa.ChunkedArray:
    numbers = column if pa.types.is_integer(column.type) or pa.types.is_floating(column.type) else None
    if numbers is None:
        numbers = pc.cast(column, pa.float64())
    return pc.and_(pc.greater(numbers, 0), pc.less(numbers, k))


def suppress_small_cells(table: pa.Table, count_columns: Iterable[str], k: int = 5) -> tuple[pa.Table, int]:
    """Statistics-office small-cell suppression: every value of a count column that is > 0 and < k becomes
    null. Returns the new table and the number of cells suppressed."""
    if k < 1:
        raise ValueError(f"small-cell threshold k must be at least 1, got {k}")
    suppressed = 0
    for name in count_columns:
        if name not in table.column_names:
            raise KeyError(f"count column {name!r} is not in the table ({', '.join(table.column_names)})")
        column = table.column(name)
        small = _small_cells(column, k)
        suppressed += pc.sum(small).as_py() or 0
        kept = pc.if_else(small, pa.scalar(None, column.type), column)
        table = table.set_column(table.column_names.index(name), name, kept)
    return table, suppressed
