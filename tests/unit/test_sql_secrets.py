"""An SQL source whose URL holds a password: when it fails (no driver, a refused port, a bad URL) the message names the
source without the password, and no traceback escapes (satudata.sources.pull)."""

from __future__ import annotations

from pathlib import Path

import pytest

from satudata.core.problems import ExportUnreadable
from satudata.sources.pull import _sql, _without_password

PASSWORD = "s3cretPassw0rdX"


def test_a_missing_driver_is_a_clear_message_naming_the_source_without_its_password(tmp_path: Path):
    with pytest.raises(ExportUnreadable) as caught:
        _sql(f"postgresql://satudata:{PASSWORD}@127.0.0.1:9/sipd", "SELECT 1", tmp_path, tmp_path, 5)
    error = caught.value
    assert error.file == "postgresql://satudata@127.0.0.1:9/sipd"
    assert "psycopg" in error.message_en and "not installed" in error.message_en and "pip install" in error.message_en
    assert "tidak terpasang" in error.message_id
    assert PASSWORD not in f"{error.file} {error.message_id} {error.message_en}"


def test_an_error_quoting_the_url_loses_its_password():
    url = f"mysql://u:{PASSWORD}@db/x"
    assert _without_password(f"Could not parse URL from string '{url}'", url) == \
        "Could not parse URL from string 'mysql://u:***@db/x'"
    assert _without_password("password p@ss is wrong: x://a:p@ss@h", "x://a:p@ss@h") == \
        "password *** is wrong: x://a:***@h"
