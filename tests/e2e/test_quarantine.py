"""End to end: a bad export is quarantined with its report and never replaces the published version, while the rest
of the catalogue publishes; an export that cannot be read at all is quarantined with a message naming the file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from satudata.cli import app
from satudata.core.catalog import load_catalog
from satudata.core.settings import RunSettings
from satudata.flows.publish import with_concurrency
from satudata.publish.local import LocalPortal

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

BAD = "antrean-nunggu-transparan"


def _run_cli(project: Path, *datasets: str):
    return CliRunner().invoke(app, ["run", *datasets, "--catalog", str(project / "catalog.yaml"),
                                    "--portal", str(project / "portal")])


def _plant_errors(export: Path) -> list[str]:
    """A wrong kecamatan code (row 5), a text in a number column (row 8), a repeated queue number (row 11);
    returns the repeated number."""
    lines = export.read_text(encoding="latin-1").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(";")

    def put(row: int, column: str, value: str) -> None:
        cells = lines[row - 1].rstrip("\n").split(";")
        cells[header.index(column)] = value
        lines[row - 1] = ";".join(cells) + "\n"

    put(5, "KODE_KEC", "35.73.09")
    put(8, "WAKTU_TUNGGU_MNT", "dua puluh")
    repeated = lines[9].split(";")[0]
    put(11, "ID_ANTREAN", repeated)
    export.write_text("".join(lines), encoding="latin-1")
    return [repeated]


def test_a_bad_export_is_quarantined_and_the_rest_of_the_catalogue_publishes(project: Path):
    first = _run_cli(project, BAD)
    assert first.exit_code == 0, first.output
    catalog = load_catalog(project / "catalog.yaml")
    portal = LocalPortal(catalog, project / "portal")
    dataset = catalog.dataset(BAD)
    assert portal.versions(dataset) == ["1.0.0"]
    export = project / dataset.source.path
    (repeated,) = _plant_errors(export)

    second = _run_cli(project)
    assert second.exit_code == 1, second.output
    others = [d for d in catalog.datasets if d.id != BAD]
    assert f"{len(others)} published, 1 quarantined" in second.output, second.output

    # The other eleven are published; the bad one keeps its previous version as latest, on disk and in the index.
    for other in others:
        assert portal.versions(other) == ["1.0.0"], other.id
    assert portal.versions(dataset) == ["1.0.0"]
    assert os.readlink(portal.dataset_dir(dataset) / "latest") == "1.0.0"
    index = json.loads((project / "portal" / "index.json").read_text(encoding="utf-8"))
    assert index["datasets"][BAD]["latest"] == "1.0.0" and len(index["datasets"]) == len(catalog.datasets)

    # The raw export and the report (JSON and HTML) are in quarantine/<dataset>/<UTC time>/.
    (folder,) = (project / "quarantine" / BAD).iterdir()
    assert (folder / "raw" / export.name).read_bytes() == export.read_bytes()
    report = json.loads((folder / "validation.json").read_text(encoding="utf-8"))
    assert report["status"] == "failed"
    found = {(e["check"], e["field"], e["row"], e["value"]) for r in report["results"] for e in r["examples"]
             if e["severity"] == "error"}
    assert {("foreign-key", "kode_kecamatan", 5, "35.73.09"), ("type", "waktu_tunggu_menit", 8, "dua puluh"),
            ("primary-key", None, 11, repeated), ("unique", "id_antrean", 11, repeated)} <= found
    html = folder / "validation.html"
    assert "35.73.09" in html.read_text(encoding="utf-8")

    # The summary says where the steward's report is: the whole path, on one line, ready to open.
    assert any(str(html) in line for line in second.output.splitlines()), \
        f"the path of the report ({html}) is not printed whole:\n{second.output}"


def _unreadable(project: Path) -> dict[str, str]:
    """Five exports that cannot be read; dataset → the file name the message must name."""
    exports = project / "exports"
    (exports / "bappeda/jatim_bps_garis_kemiskinan_kabkota_2022.csv").write_bytes(b"")
    ncc = exports / "diskominfo/ncc_pengaduan_2025-01_2025-08.csv"
    header, row = ncc.read_text(encoding="utf-8").splitlines()[:2]
    ncc.write_bytes(f"{header}\n{row.replace('Jl.', 'Jl. Café Ölé')}\n".encode("cp1252"))
    faskes = exports / "dinkes/daftar_fasilitas_kesehatan_kota_malang_2025-06.xlsx"
    faskes.write_bytes(faskes.read_bytes()[:5000])
    pagu = exports / "bkad/pagu_anggaran_opd_2024_2025.csv"
    pagu.write_text(pagu.read_text(encoding="cp1252").replace(";", ","), encoding="cp1252")
    # An HTML table saved by a browser as .xls, declared in the catalogue as the weather export.
    html = exports / "dlh/cuaca_harian.xls"
    html.write_text("<html><body><table><tr><td>TANGGAL</td><td>TAVG</td></tr></table></body></html>",
                    encoding="utf-8")
    raw = yaml.safe_load((project / "catalog.yaml").read_text(encoding="utf-8"))
    weather = next(d for d in raw["datasets"] if d["id"] == "cuaca-harian-geofisika-malang")
    weather["source"]["path"] = "exports/dlh/cuaca_harian.xls"
    (project / "catalog.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return {"garis-kemiskinan-jatim": "jatim_bps_garis_kemiskinan_kabkota_2022.csv",
            "pengaduan-ngalam-command-center": "ncc_pengaduan_2025-01_2025-08.csv",
            "fasilitas-kesehatan": "daftar_fasilitas_kesehatan_kota_malang_2025-06.xlsx",
            "pagu-anggaran-opd": "pagu_anggaran_opd_2024_2025.csv",
            "cuaca-harian-geofisika-malang": "cuaca_harian.xls"}


def test_unreadable_exports_are_quarantined_with_a_message_naming_the_file(project: Path):
    files = _unreadable(project)
    settings = RunSettings.from_environment(project / "catalog.yaml", portal_dir=project / "portal")
    outcomes = {o["dataset"]: o for o in with_concurrency(2)(list(files), settings.to_dict())}
    catalog = load_catalog(project / "catalog.yaml")
    portal = LocalPortal(catalog, project / "portal")
    for dataset_id, name in files.items():
        outcome = outcomes[dataset_id]
        assert outcome["status"] == "quarantined", outcome
        assert name in outcome["message"] and "Traceback" not in outcome["message"], outcome
        folder = Path(outcome["report"]).parent
        assert Path(outcome["report"]).is_file() and folder.parent == project / "quarantine" / dataset_id
        report = json.loads((folder / "validation.json").read_text(encoding="utf-8"))
        assert report["fatal"]["file"] == name and report["fatal"]["message"]["id"]
        assert (folder / "raw" / name).is_file()
        assert portal.versions(catalog.dataset(dataset_id)) == []
