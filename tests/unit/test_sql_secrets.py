"""An SQL source whose URL holds a password and whose driver is not installed: a clear message naming the source
without the password (satudata.sources.pull)."""

from __future__ import annotations

from pathlib import Path

import pytest

from satudata.core.problems import ExportUnreadable
from satudata.sources.pull import _sql

PASSWORD = "s3cretPassw0rdX"


def test_a_missing_driver_is_a_clear_message_naming_the_source_without_its_password(tmp_path: Path):
    with pytest.raises(ExportUnreadable) as caught:
        _sql(f"postgresql://satudata:{PASSWORD}@127.0.0.1:9/sipd", "SELECT 1", tmp_path, tmp_path, 5)
    error = caught.value
    assert error.file == "postgresql://satudata@127.0.0.1:9/sipd"
    assert "psycopg" in error.message_en and "not installed" in error.message_en and "pip install" in error.message_en
    assert "tidak terpasang" in error.message_id
    assert PASSWORD not in f"{error.file} {error.message_id} {error.message_en}"
