"""An export that cannot be read gives a clear, bilingual message naming the file — never a traceback — and
`satudata validate` exits 1 (the flow-level quarantine of such files is in tests/e2e/test_quarantine.py)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from satudata.cli import app


def _empty(project: Path, path: Path) -> None:
    path.write_bytes(b"")


def _cp1252(project: Path, path: Path) -> None:
    source = project / "exports/diskominfo/ncc_pengaduan_2025-01_2025-08.csv"
    header, first = source.read_text(encoding="utf-8").splitlines()[:2]
    path.write_bytes(f"{header}\n{first.replace('Jl.', 'Jl. Café Ölé')}\n".encode("cp1252"))


def _truncated_xlsx(project: Path, path: Path) -> None:
    source = project / "exports/dinkes/daftar_fasilitas_kesehatan_kota_malang_2025-06.xlsx"
    path.write_bytes(source.read_bytes()[:5000])


def _html_as_xls(project: Path, path: Path) -> None:
    path.write_text("<!DOCTYPE html>\n<html><body><table><tr><td>Kode Faskes</td></tr></table></body></html>\n",
                    encoding="utf-8")


def _comma_instead_of_semicolon(project: Path, path: Path) -> None:
    source = project / "exports/bkad/pagu_anggaran_opd_2024_2025.csv"
    path.write_text(source.read_text(encoding="cp1252").replace(";", ","), encoding="cp1252")


def _random_bytes(project: Path, path: Path) -> None:
    path.write_bytes(random.Random(8).randbytes(8192))


def _deep_json(project: Path, path: Path) -> None:
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")


CASES: list[tuple[str, str, Callable[[Path, Path], None], str]] = [
    ("pengaduan-ngalam-command-center", "pengaduan_kosong.csv", _empty, "empty"),
    ("pengaduan-ngalam-command-center", "pengaduan_cp1252.csv", _cp1252, "not utf-8 text"),
    ("fasilitas-kesehatan", "faskes_terpotong.xlsx", _truncated_xlsx, "not a complete XLSX"),
    ("fasilitas-kesehatan", "faskes_dari_web.xls", _html_as_xls, "HTML page"),
    ("pagu-anggaran-opd", "pagu_koma.csv", _comma_instead_of_semicolon, "delimited by ','"),
    ("kode-wilayah", "acak.csv", _random_bytes, "not a text file"),
    ("sekolah-kota-malang", "bersarang.json", _deep_json, "nested too deeply"),
]


@pytest.mark.parametrize(("dataset", "name", "make", "words"), CASES, ids=[c[1] for c in CASES])
def test_validate_names_the_unreadable_file_and_exits_1(project: Path, tmp_path: Path, dataset: str, name: str,
                                                         make: Callable[[Path, Path], None], words: str):
    bad = tmp_path / name
    make(project, bad)
    result = CliRunner().invoke(app, ["validate", dataset, str(bad), "--catalog", str(project / "catalog.yaml")])
    output = " ".join(result.output.split())
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)   # a clean exit, not an escaped exception
    assert "Traceback" not in result.output and "Exception ignored" not in result.output
    assert name in output and words in output
    reports = list((project / ".satudata" / "reports" / dataset).glob("*/validation.json"))
    assert len(reports) == 1 and (reports[0].parent / "validation.html").is_file()
    report = json.loads(reports[0].read_text(encoding="utf-8"))
    assert report["status"] == "failed" and report["fatal"]["file"] == name
    assert report["fatal"]["message"]["id"] and words in report["fatal"]["message"]["en"]
