"""The published schema: rules the published rows break are advisory, Parquet nulls read as missing."""

from __future__ import annotations

from satudata.core.publishing import resource_file
from satudata.publish.package import ADVISORY, parquet_schema, soften

SCHEMA = {
    "fields": [
        {"name": "tanggal", "type": "date", "constraints": {"required": True, "unique": True}},
        {"name": "curah_hujan", "type": "number", "constraints": {"minimum": 0, "maximum": 300}},
        {"name": "kode_kecamatan", "type": "string"},
        {"name": "jumlah", "type": "integer"},
        {"name": "waktu", "type": "datetime"},
    ],
    "primaryKey": ["tanggal"],
    "foreignKeys": [{"fields": "kode_kecamatan", "reference": {"resource": "kode-wilayah", "fields": "kode"}}],
}


def _warning(check: str, field: str | None, count: int) -> dict:
    return {"check": check, "field": field, "count": count}


def test_a_broken_warning_rule_leaves_the_constraints_and_is_recorded_as_advisory():
    soft = soften(SCHEMA, [_warning("maximum", "curah_hujan", 3), _warning("unique", "tanggal", 2)])
    rain = soft["fields"][1]
    assert rain["constraints"] == {"minimum": 0}
    assert [(a["constraint"], a["value"], a["rows"]) for a in rain[ADVISORY]] == [("maximum", 300, 3)]
    assert soft["fields"][0]["constraints"] == {"required": True}
    assert soft["fields"][0][ADVISORY][0]["constraint"] == "unique"
    assert SCHEMA["fields"][1]["constraints"] == {"minimum": 0, "maximum": 300}      # the input is not changed


def test_a_broken_key_leaves_primary_or_foreign_keys_and_an_empty_constraints_object_goes():
    soft = soften(SCHEMA, [_warning("primary-key", "tanggal", 2), _warning("foreign-key", "kode_kecamatan", 5),
                           _warning("maximum", "curah_hujan", 1), _warning("minimum", "curah_hujan", 1)])
    assert "primaryKey" not in soft and "foreignKeys" not in soft
    assert [(a["constraint"], a["rows"]) for a in soft[ADVISORY]] == [("primaryKey", 2), ("foreignKey", 5)]
    assert "constraints" not in soft["fields"][1]


def test_warnings_of_checks_that_are_not_rules_of_the_schema_change_nothing():
    assert soften(SCHEMA, [_warning("gx:expect_column_mean_to_be_between", "jumlah", 4),
                           _warning("blank-row", None, 2), _warning("maximum", "jumlah", 1)]) == SCHEMA


def test_parquet_numbers_and_datetimes_also_read_pandas_nan_and_nat_as_missing():
    fields = {f["name"]: f for f in parquet_schema(SCHEMA)["fields"]}
    assert fields["curah_hujan"]["missingValues"] == ["", "nan"]
    assert fields["jumlah"]["missingValues"] == ["", "nan"]
    assert fields["waktu"]["missingValues"] == ["", "NaT"]
    assert "missingValues" not in fields["kode_kecamatan"] and "missingValues" not in fields["tanggal"]


def test_a_resource_path_names_its_file_whether_beside_the_descriptor_or_a_url():
    assert resource_file("data.csv") == "data.csv"
    assert resource_file("http://127.0.0.1:5055/dataset/abc/resource/def/download/data.parquet") == "data.parquet"
