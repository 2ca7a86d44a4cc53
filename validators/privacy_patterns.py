"""Structural detectors for Indonesian personal data (NIK, KK, phone, e-mail, NPWP) in one string.

Pure Python, no pyarrow: `validators.privacy` runs these only on the cells its vectorised pre-filter keeps.
A match is reported only when its structure can be real (region code, date, serial, phone prefix), so
budget figures, region codes, dates and amounts with thousands dots do not count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Province codes of Dukcapil / Kemendagri, incl. the Papua provinces created in 2022 (92–97 kept wide:
# NIKs issued under the old numbering stay valid).
PROVINCE_CODES = frozenset(
    {*range(11, 20), 21, *range(31, 37), *range(51, 54), *range(61, 66), *range(71, 77), 81, 82}
    | set(range(91, 98))
)


def _two_digit(numbers: range | set[int] | frozenset[int]) -> frozenset[str]:
    return frozenset(f"{number:02d}" for number in numbers)


# Two-digit fields of a NIK / KK as strings: string look-ups, no int() per candidate.
_PROVINCES = _two_digit(PROVINCE_CODES)
_KAB_KOTA = _two_digit(range(1, 80))  # kabupaten 01–69, kota 71–79
_DAYS = _two_digit(range(1, 32))
_BIRTH_DAYS = _DAYS | _two_digit(range(41, 72))  # women: day + 40
_MONTHS = _two_digit(range(1, 13))


def _ascii_re(pattern: str) -> re.Pattern[str]:
    """ASCII \\d and \\w, as in RE2, so the pre-filter and the exact checks agree on what a digit is."""
    return re.compile(pattern, re.ASCII)


# RE2 pattern (pyarrow.compute.match_substring_regex) that every detectable cell matches; much broader than
# the Python checks below, but it rejects ordinary text, codes, dates and amounts in one vectorised pass.
PREFILTER_RE2 = "|".join(
    (
        r"[\w.%+-]@[\w.-]+\.[A-Za-z]",  # e-mail
        r"\d(?:[ .\-]?\d){14}",  # 15+ digits with single separators: NIK, KK, NPWP, float NIK
        r"(?:\+62|\b62)[ .\-]?[1-9](?:[ .\-]?\d){7}",  # +62 / 62 phone
        r"\b0[1-9]\d(?:[ .\-]?\d){6}",  # 0-prefixed phone, first group of 3+ digits (not 08-12-2025)
        r"\(0[1-9]\d{1,2}\)[ .\-]?\d(?:[ .\-]?\d){4}",  # (0341) 551234
        r"\d[eE]\+?1\d",  # scientific notation of a 11+ digit number
    )
)
# Second vectorised pass over the pre-filter's candidates: a plain decimal (26.614814814814817, an average)
# is never PII; integral floats (3573014509870002.0) and 0-led numbers (0812.3456789) stay candidates.
PLAIN_DECIMAL_RE2 = r"^\s*[-+]?(?:[1-9]\d*|0)\.\d*[1-9]\d*\s*$"
# In a phone column a mobile stored as a number has lost its leading 0: 81234567890, 812-3456-7890.
PREFILTER_RE2_PHONE_COLUMN = PREFILTER_RE2 + r"|8[ .\-]?[1-9](?:[ .\-]?\d){7}"
# The fewest digits an integer's text (an optional minus, then digits) needs to match either pre-filter: 9, the
# phone-column "8…" number (15 for NIK/KK/NPWP, 10 for "62…"; the others need "0", "(", "+" or "@" before digits).
SHORTEST_NUMBER_MATCH = 9

_BEFORE = r"(?<!\w)(?<!\d[.,/:-])"  # not glued to a word, nor continuing a number such as 1.234 or 12-05
_AFTER = r"(?!\w)(?![.,/:-]\d)"
EMAIL_RE = _ascii_re(
    r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}(?![\w-])"
)
NIK_RE = _ascii_re(
    _BEFORE
    + r"(?P<number>\d{16}|\d{4}(?P<a>[ .-])\d{4}(?P=a)\d{4}(?P=a)\d{4}|\d{6}(?P<b>[ .-])\d{6}(?P=b)\d{4}"
    r"|\d{2}(?P<c>[ .-])\d{2}(?P=c)\d{2}(?P=c)\d{6}(?P=c)\d{4})(?:\.0+)?" + _AFTER
)
NPWP_RE = _ascii_re(_BEFORE + r"\d{2}\.\d{3}\.\d{3}\.\d[.-]\d{3}\.\d{3}" + _AFTER)
NPWP_BARE_RE = _ascii_re(_BEFORE + r"\d{15}" + _AFTER)
PHONE_RE = _ascii_re(
    r"(?<![\w+])(?<!\d[.,/:-])(?:\+62[ .-]?|62[ .-]?|\(0\d{2,3}\)[ .-]?|0)"
    r"\d(?:[ .-]?\d){4,12}(?!\w)(?![.,/:-]?\d)"
)
_NON_DIGIT_RE = _ascii_re(r"\D")
_PHONE_CHARS_RE = _ascii_re(r"[+(]?\d[\d ().-]*")
_THOUSANDS_RE = _ascii_re(r"\d{1,3}(?:[.,]\d{3})+")
# Digit groups with one kind of separator, used at least twice: 1 separator would read 9.311111111111112
# (a decimal) as 16 digits.
_SEPARATED_DIGITS_RE = _ascii_re(r"\d+(?:(?P<sep>[ .-])\d+(?:(?P=sep)\d+)+)?")
_FLOAT_INTEGRAL_RE = _ascii_re(r"(\d+)\.0+")
_SCIENTIFIC_RE = _ascii_re(r"\d\.\d+[eE]\+?\d{1,2}")
_MAX_PHONE_DIGITS = 14  # +62 and 12 national digits
_MOBILE_WITHOUT_ZERO_RE = _ascii_re(r"8[1-9]\d{7,10}")


@dataclass(frozen=True)
class ColumnContext:
    """What a column name tells about its values (decides kk vs nik, bare NPWP, phone without its 0)."""

    kk: bool = False
    npwp: bool = False
    phone: bool = False


def is_plausible_nik(digits: str) -> bool:
    """16 digits: province, kab/kota 01–79, kecamatan, birth day (women +40), month, year, serial ≠ 0000."""
    return (
        len(digits) == 16
        and digits.isdigit()
        and digits[0:2] in _PROVINCES
        and digits[2:4] in _KAB_KOTA
        and digits[4:6] != "00"
        and digits[6:8] in _BIRTH_DAYS
        and digits[8:10] in _MONTHS
        and digits[12:] != "0000"
    )


def is_plausible_kk(digits: str) -> bool:
    """16 digits: region prefix, issue date DDMMYY (no +40), serial ≠ 0000."""
    return is_plausible_nik(digits) and digits[6:8] in _DAYS


def classify_id_number(digits: str, context: ColumnContext) -> str | None:
    """Kind of a bare 15/16-digit number ("nik", "kk", "npwp"), or None when its structure cannot be PII."""
    if len(digits) == 16 and is_plausible_nik(digits):
        return "kk" if context.kk and is_plausible_kk(digits) else "nik"
    if context.npwp and len(digits) in (15, 16):
        return "npwp"
    return None


def _phone_groups_ok(candidate: str) -> bool:
    """Digit groups of 3+ (2+ for the area code right after a separate +62): rules out dates such as
    08-12-2025 10:30 while keeping 0812-3456-7890, (0341) 551234 and +62 21 5551234."""
    groups = [group for group in re.split(r"[ .()-]+", candidate.lstrip("+")) if group]
    if len(groups) > 1 and groups[0] == "62":
        return len(groups[1]) >= 2 and all(len(group) >= 3 for group in groups[2:])
    return all(len(group) >= 3 for group in groups)


def is_phone(candidate: str) -> bool:
    """Indonesian mobile (08xx…, +628…, 628…) or landline (0341 551234, +62 341 …) in any usual layout."""
    if not _PHONE_CHARS_RE.fullmatch(candidate) or _THOUSANDS_RE.fullmatch(candidate):
        return False
    if not _phone_groups_ok(candidate):
        return False
    digits = _NON_DIGIT_RE.sub("", candidate)
    bare_62 = not candidate.startswith(("+", "0", "(")) and digits.startswith("62")
    national = digits[2:] if candidate.startswith("+") or bare_62 else digits[1:]
    if national.startswith("8"):
        return 9 <= len(national) <= 12 and national[1] != "0"
    return not bare_62 and 8 <= len(national) <= 11 and national[0] in "2345679"


def _longest_phone(candidate: str) -> str | None:
    """The candidate, or its longest valid prefix cut at a space (``0812 3456 7890 12`` → first three)."""
    while candidate:
        if is_phone(candidate):
            return candidate
        candidate = candidate.rsplit(" ", 1)[0] if " " in candidate else ""
    return None


def whole_value_digits(text: str) -> str | None:
    """Digits of a cell holding only a number: grouped (``3573 0145 0987 0002``, one separator kind),
    float-formatted (``3573014509870002.0``) or scientific (``3.573014509870002e+15``); else None."""
    value = text.strip().lstrip("'")
    if _SEPARATED_DIGITS_RE.fullmatch(value):
        return _NON_DIGIT_RE.sub("", value)
    if match := _FLOAT_INTEGRAL_RE.fullmatch(value):
        return match.group(1)
    if _SCIENTIFIC_RE.fullmatch(value):
        try:
            number = Decimal(value)
        except InvalidOperation:
            return None
        return str(int(number)) if number == number.to_integral_value() else None
    return None


Span = tuple[int, int, str, str]  # start, end, kind, matched text
NO_CONTEXT = ColumnContext()


def _id_spans(text: str, context: ColumnContext) -> list[Span]:
    spans: list[Span] = []
    for match in NIK_RE.finditer(text):
        kind = classify_id_number(_NON_DIGIT_RE.sub("", match.group("number")), context)
        if kind:
            spans.append((match.start(), match.end(), kind, match.group()))
    npwp_patterns = (NPWP_RE, NPWP_BARE_RE) if context.npwp else (NPWP_RE,)
    for pattern in npwp_patterns:
        spans += [(m.start(), m.end(), "npwp", m.group()) for m in pattern.finditer(text)]
    return spans


def _phone_spans(text: str) -> list[Span]:
    spans: list[Span] = []
    for match in PHONE_RE.finditer(text):
        if phone := _longest_phone(match.group()):
            spans.append((match.start(), match.start() + len(phone), "phone", phone))
    return spans


def find_spans(text: str, context: ColumnContext = NO_CONTEXT) -> list[Span]:
    """Every PII match in free text, in reading order; overlaps go to e-mail, then ids, then phones."""
    candidates = [(m.start(), m.end(), "email", m.group()) for m in EMAIL_RE.finditer(text)]
    candidates += _id_spans(text, context) + _phone_spans(text)
    accepted: list[Span] = []
    for span in candidates:
        if all(span[1] <= kept[0] or span[0] >= kept[1] for kept in accepted):
            accepted.append(span)
    return sorted(accepted)


def find_pii_in_value(text: str, context: ColumnContext = NO_CONTEXT) -> list[tuple[str, str]]:
    """(kind, matched text) in one cell: whole-number forms first (NIK as int/float), then free text."""
    digits = whole_value_digits(text)
    separated = bool(_SEPARATED_DIGITS_RE.fullmatch(text.strip().lstrip("'")))
    if digits and (kind := classify_id_number(digits, context)):
        return [(kind, text.strip() if separated else digits)]  # 3.573014509870002e+15 → its digits
    if digits and len(digits) > _MAX_PHONE_DIGITS and digits == text.strip():
        return []  # a long bare number that is no NIK/KK/NPWP cannot hold a phone either (fast path)
    found = [(kind, matched) for _, _, kind, matched in find_spans(text, context)]
    if not found and digits and not separated:
        # a phone stored as a float: 6.28123456789e+12
        found = [(kind, matched) for _, _, kind, matched in find_spans(digits, context)]
    if not found and digits and context.phone and _MOBILE_WITHOUT_ZERO_RE.fullmatch(digits):
        found = [("phone", text.strip())]  # a mobile stored as a number lost its 0: 81234567890
    return found


def mask_value(text: str) -> str:
    """Masked form: e-mail → ``b***@domain``; else keep the first 2 and last 2 letters/digits (1 and 1 when
    there are fewer than 8, none when there are 2 or fewer), '*' for the others, separators kept."""
    if EMAIL_RE.fullmatch(text.strip()):
        local, domain = text.strip().rsplit("@", 1)
        return f"{local[0]}***@{domain}"
    positions = [index for index, char in enumerate(text) if char.isalnum()]
    keep = 2 if len(positions) >= 8 else 1 if len(positions) > 2 else 0
    hidden = set(positions[keep : len(positions) - keep])
    return "".join("*" if index in hidden else char for index, char in enumerate(text))


def normalise_value(text: str) -> str:
    """Canonical form before hashing, so one person's value hashes alike in every layout:
    phones → 0-prefixed digits, number-like values → digits, everything else case-folded and trimmed."""
    value = " ".join(text.split())
    if is_phone(value):
        digits = _NON_DIGIT_RE.sub("", value)
        return "0" + digits[2:] if digits.startswith("62") else digits
    digits = whole_value_digits(value)
    return digits if digits is not None else value.casefold()
