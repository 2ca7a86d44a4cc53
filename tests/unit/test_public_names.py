"""Sources and outputs are named as the catalogue and the portal name them: never a path of this machine, no
secret, and by the OpenLineage naming spec in lineage records."""

from __future__ import annotations

from pathlib import Path

from satudata.lineage.naming import export_names, file_name, job_name
from satudata.sources.pull import declared_name, public_sql_url, public_url


def test_a_local_export_is_named_relative_to_the_catalogue_folder(tmp_path: Path):
    export = tmp_path / "exports" / "dinkes" / "faskes.xlsx"
    export.parent.mkdir(parents=True)
    export.touch()
    assert declared_name(export, tmp_path) == "exports/dinkes/faskes.xlsx"
    assert declared_name(tmp_path / "exports" / ".." / "exports" / "dinkes" / "faskes.xlsx", tmp_path) == \
        "exports/dinkes/faskes.xlsx"
    outside = tmp_path.parent / "elsewhere.csv"
    assert declared_name(outside, tmp_path) == "elsewhere.csv"          # only its name: no machine path


def test_urls_lose_user_password_and_credential_parameters():
    assert public_url("https://user:s3cret@data.example.go.id:8443/api/v1/export.csv?tahun=2025&token=abc") == \
        "https://data.example.go.id:8443/api/v1/export.csv?tahun=2025"
    assert public_url("https://opendata.example/x.json?api_key=k&Access-Token=t&format=json") == \
        "https://opendata.example/x.json?format=json"
    assert public_sql_url("postgresql://sipd:hunter2@db.bkad.local:5432/sipd") == \
        "postgresql://sipd@db.bkad.local:5432/sipd"
    assert public_sql_url("sqlite:///exports/bkad/sipd_export.sqlite") == "sqlite:///exports/bkad/sipd_export.sqlite"


def test_lineage_names_follow_the_openlineage_naming_spec():
    assert export_names({"uri": "exports/dinkes/faskes.xlsx"}) == [("file", "exports/dinkes/faskes.xlsx")]
    assert export_names({"uri": "https://api.jobfair.example:8443/v1/lowongan?tahun=2025"}) == \
        [("https://api.jobfair.example:8443", "/v1/lowongan?tahun=2025")]
    assert file_name("s3://satudata-portal/bappeda/kode-wilayah/1.0.0/data.csv") == \
        ("s3://satudata-portal", "bappeda/kode-wilayah/1.0.0/data.csv")
    assert file_name("https://satudata.malangkota.go.id/bkad/realisasi-apbd/1.0.0/data.csv") == \
        ("https://satudata.malangkota.go.id", "/bkad/realisasi-apbd/1.0.0/data.csv")
    query = "SELECT r.a, u.b FROM realisasi_belanja r JOIN keuangan.ref_unit u ON u.k = r.k"
    assert export_names({"uri": "postgresql://sipd@db.bkad.local/sipd", "query": query}) == [
        ("postgres://db.bkad.local:5432", "sipd.public.realisasi_belanja"),
        ("postgres://db.bkad.local:5432", "sipd.keuangan.ref_unit")]
    assert export_names({"uri": "sqlite:///exports/bkad/sipd_export.sqlite", "query": "SELECT * FROM ref_unit"}) == \
        [("sqlite", "exports/bkad/sipd_export.sqlite.ref_unit")]
    assert job_name("realisasi-apbd") == "publish_dataset.realisasi-apbd"
