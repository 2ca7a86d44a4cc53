"""Integer columns skip the text conversion for values too short to be personal data, with the same findings."""

from __future__ import annotations

import random
import re

import pyarrow as pa
import pytest

from satudata.validators.privacy import scan_column
from satudata.validators.privacy_patterns import PREFILTER_RE2, PREFILTER_RE2_PHONE_COLUMN, SHORTEST_NUMBER_MATCH


@pytest.mark.parametrize("pattern", [PREFILTER_RE2, PREFILTER_RE2_PHONE_COLUMN])
def test_no_integer_shorter_than_the_bound_passes_the_prefilter(pattern: str) -> None:
    rng = random.Random(7)
    bound = 10 ** (SHORTEST_NUMBER_MATCH - 1)
    values = [0, 1, -1, bound - 1, -(bound - 1), 62_812_345, 81_234_567] + [rng.randrange(-bound + 1, bound)
                                                                           for _ in range(20_000)]
    compiled = re.compile(pattern)
    assert not [v for v in values if compiled.search(str(v))]
    assert compiled.search(str(bound * 8 + 12_345_678)) or pattern == PREFILTER_RE2   # 9 digits: a phone column's


@pytest.mark.parametrize("column", ["telepon", "nomor", "nik"])
@pytest.mark.parametrize("kind", [pa.int64(), pa.int32(), pa.uint64()])
def test_integer_findings_equal_the_findings_on_their_text(column: str, kind: pa.DataType) -> None:
    rng = random.Random(column)
    values = [rng.choice([rng.randrange(0, 10**8), 3573014509870002, 81234567890, 6281234567890, 812345678,
                          None, 2_147_483_647]) for _ in range(2_000)]
    if kind == pa.int32():
        values = [v if v is None or v < 2**31 else v % 2**31 for v in values]
    if kind == pa.int64():
        values += [-(2**63), -3573014509870002]
    rows = pa.array(range(2, len(values) + 2), pa.int64())
    as_numbers = scan_column(column, pa.array(values, kind), rows, max_examples=50)
    as_text = scan_column(column, pa.array([None if v is None else str(v) for v in values]), rows, max_examples=50)
    assert as_numbers == as_text
    assert kind == pa.int32() or as_numbers   # the long values are found
