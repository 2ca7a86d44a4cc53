"""A throwaway catalogue of exports with personal data planted in every form the privacy gate must see through.

One department (Dinas Sosial, social assistance recipients: a classic home of NIKs and phone numbers) and four
exports — a `;` CSV of text, a CSV of numbers, an XLSX with numeric cells under title rows, and a JSON API
document with numbers — each published twice from the same file: `<id>-mentah` declares no treatment (the gate
must block it), `<id>-terlindungi` declares drop, mask, hash or aggregate-only on every personal column (it must
publish, with none of the planted values in any published file).
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

DEPARTMENT = "dinsos"
BLOCKED, TREATED = "mentah", "terlindungi"
INSTITUTION_EMAILS = ("satudata@malangkota.go.id", "dinsos@malangkota.go.id")

# Planted values: structurally valid, invented. NIK = province, kab/kota, kecamatan, birth date (women +40), serial.
NIK_1 = "3573014509870002"   # Kota Malang, woman born 05-09-1987
NIK_2 = "3507115203910004"   # Kab. Malang, woman born 12-03-1991
NIK_3 = "3273012708850001"   # Kota Bandung, man born 27-08-1985
NIK_4 = "3578105612990003"   # Kota Surabaya, woman born 16-12-1999
NIK_5 = "3573041107800005"
NIK_6 = "3573056001020006"
NIK_7 = "3515084404950007"
NIK_8 = "3573022212750008"
KK_1 = "3573011203150004"    # family card issued 12-03-2015
KK_2 = "3573052807090011"
PHONE_1 = "081234567890"
PHONE_2 = "0813-3344-5566"
PHONE_3 = "+62 857-1234-5678"
PHONE_4 = "6282145678901"
PHONE_5 = "(0341) 551234"
PHONE_6 = "0856.4321.0987"
PHONE_7 = "081398765432"     # stored as the number 81398765432 in a phone column
PHONE_8 = "+6281122334455"
EMAIL_1 = "budi.santoso@gmail.com"
EMAIL_2 = "Siti.Rahayu+ncc@yahoo.co.id"
EMAIL_3 = "dewi_lestari87@outlook.com"
EMAIL_4 = "agus.w@mail.ugm.ac.id"
NPWP_1 = "01.234.567.8-623.000"
NPWP_2 = "09.876.543.2-652.000"


def spaced(digits: str) -> str:
    return " ".join(digits[i:i + 4] for i in range(0, 16, 4))


def dotted(digits: str) -> str:
    return ".".join(digits[i:i + 4] for i in range(0, 16, 4))


@dataclass(frozen=True)
class Pii:
    """A cell holding personal data: exactly as the export writes it, the raw values inside, their kinds."""

    written: str | int | float
    secrets: tuple[str, ...]
    kinds: tuple[str, ...]


def nik(written: str | int | float, value: str, kind: str = "nik") -> Pii:
    return Pii(written, (value,), (kind,))


def phone(written: str | int, value: str | None = None) -> Pii:
    return Pii(written, (value or str(written),), ("phone",))


def email(value: str) -> Pii:
    return Pii(value, (value,), ("email",))


def text(written: str, *parts: tuple[str, str]) -> Pii:
    """Free text with personal data inside: parts are (kind, raw value)."""
    return Pii(written, tuple(value for _, value in parts), tuple(dict.fromkeys(kind for kind, _ in parts)))


@dataclass
class CorpusDataset:
    id: str
    format: str                        # csv | xlsx | json
    file: str
    fields: list[dict]                 # the schema fields, no privacy declared
    treatments: dict[str, str]         # the -terlindungi variant's declarations
    rows: list[dict[str, object]]      # field → cell (a Pii, a plain value or None)
    options: dict = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)   # field → label in the export (renamed on reading)
    expectations: list[dict] = field(default_factory=list)
    private_severity: dict[str, dict] = field(default_factory=dict)   # severity overrides in the treated variant

    def variant(self, kind: str) -> str:
        return f"{self.id}-{kind}"

    def expected_findings(self) -> dict[tuple[str, str], int]:
        """(column, kind) → cells the gate must count when nothing is declared."""
        counts: Counter[tuple[str, str]] = Counter()
        for row in self.rows:
            for name, cell in row.items():
                if isinstance(cell, Pii):
                    counts.update((name, kind) for kind in cell.kinds)
        return dict(counts)

    def secrets(self) -> set[str]:
        return {s for row in self.rows for cell in row.values() if isinstance(cell, Pii) for s in cell.secrets}

    def column(self, name: str) -> list[object]:
        return [row.get(name) for row in self.rows]


def _written(cell: object) -> object:
    return cell.written if isinstance(cell, Pii) else cell


def _field(name: str, kind: str = "string", **extra: object) -> dict:
    return {"name": name, "type": kind, "title": name.replace("_", " ").capitalize(), **extra}


ID_FIELD = _field("id_penerima", constraints={"required": True, "unique": True, "pattern": r"^BNS-\d{4}$"})


def _ids(count: int) -> list[str]:
    return [f"BNS-{n:04d}" for n in range(1, count + 1)]


# --------------------------------------------------------------------------------------------- the four exports
def csv_text() -> CorpusDataset:
    """`;` CSV, everything text: NIK and KK in every layout, phones, e-mails, NPWP, personal data in free text."""
    niks = [nik(NIK_1, NIK_1), nik(spaced(NIK_1), NIK_1), nik(dotted(NIK_2), NIK_2),
            nik("3273-0127-0885-0001", NIK_3), nik(f"'{NIK_4}", NIK_4), nik("357305 600102 0006", NIK_6), None]
    kks = [nik(KK_1, KK_1, "kk"), nik(spaced(KK_2), KK_2, "kk"), None, None, nik(KK_1, KK_1, "kk"), None, None]
    phones = [phone(PHONE_1), phone(PHONE_2), phone(PHONE_3), phone(PHONE_4), phone(PHONE_5), phone(PHONE_6), None]
    emails = [email(EMAIL_1), email(EMAIL_2), None, email(EMAIL_3), None, None, email(EMAIL_4)]
    npwps = [Pii(NPWP_1, (NPWP_1,), ("npwp",)), None, None, Pii(NPWP_2, (NPWP_2,), ("npwp",)), None, None, None]
    notes = [
        text("Penerima pindah alamat, minta dihubungi di 0812 3456 7890 atau budi.santoso@gmail.com",
             ("phone", PHONE_1), ("email", EMAIL_1)),
        text(f"NIK pelapor {dotted(NIK_5)} sudah diverifikasi petugas", ("nik", NIK_5)),
        "Bantuan diterima lengkap pada 12-05-2025 pukul 10.30",
        text("WA +62 813-3344-5566, NPWP 01.234.567.8-623.000", ("phone", PHONE_2), ("npwp", NPWP_1)),
        text(f"Email: dewi_lestari87@outlook.com; KK {KK_2}", ("email", EMAIL_3), ("nik", KK_2)),
        "Rp 1.250.000 untuk 0,5 tahun; kode wilayah 35.73.05.1012",
        None,
    ]
    kecamatan = ["Klojen", "Blimbing", "Kedungkandang", "Sukun", "Lowokwaru", "Klojen", "Sukun"]
    amounts = [600000, 600000, 300000, 900000, 600000, 1250000, 300000]
    rows = [dict(zip(("id_penerima", "nik", "no_kk", "telepon", "email", "npwp", "catatan", "kecamatan",
                      "jumlah_bantuan"), values, strict=True))
            for values in zip(_ids(7), niks, kks, phones, emails, npwps, notes, kecamatan, amounts, strict=True)]
    fields = [ID_FIELD, _field("nik", constraints={"pattern": r"^\d{16}$"}), _field("no_kk"), _field("telepon"),
              _field("email"), _field("npwp"), _field("catatan"), _field("kecamatan"),
              _field("jumlah_bantuan", "integer", constraints={"minimum": 0})]
    expectations = [{"type": "expect_column_values_to_match_regex",
                     "kwargs": {"column": "telepon", "regex": r"^08\d+$"}, "meta": {"severity": "warning"}}]
    return CorpusDataset(
        "bansos-csv-teks", "csv", "penerima_bansos_teks.csv", fields,
        {"nik": "hash", "no_kk": "drop", "telepon": "mask", "email": "mask", "npwp": "aggregate-only",
         "catatan": "drop"},
        rows, {"delimiter": ";"}, expectations=expectations,
        private_severity={"nik": {"pattern": "warning"}})


def csv_numbers() -> CorpusDataset:
    """`,` CSV where the NIK column is an integer, a number column holds NIKs as floats (3573014509870002.0,
    3.573014509870002e+15) and the phone column lost its leading 0 (81398765432)."""
    ids = _ids(5)
    as_integer = [nik(NIK_1, NIK_1), nik(NIK_5, NIK_5), nik(NIK_7, NIK_7), None, nik(NIK_8, NIK_8)]
    as_float = [nik(f"{NIK_1}.0", NIK_1), nik("3.573041107800005e+15", NIK_5), nik(f"{NIK_3}.0", NIK_3),
                nik("3.573022212750008E+15", NIK_8), 12.5]
    phones = [phone(81398765432, PHONE_7), phone(81234567890, PHONE_1), None, phone(6285712345678, PHONE_3), 0]
    rows = [{"id_penerima": i, "nomor_induk": a, "kode_referensi": f, "no_hp": p, "jumlah_bantuan": 600000}
            for i, a, f, p in zip(ids, as_integer, as_float, phones, strict=True)]
    fields = [ID_FIELD, _field("nomor_induk", "integer"), _field("kode_referensi", "number"),
              _field("no_hp", "integer"), _field("jumlah_bantuan", "integer")]
    expectations = [{"type": "expect_column_min_to_be_between",
                     "kwargs": {"column": "nomor_induk", "min_value": 0}}]
    return CorpusDataset("bansos-csv-angka", "csv", "penerima_bansos_angka.csv", fields,
                         {"nomor_induk": "hash", "kode_referensi": "mask", "no_hp": "drop"}, rows,
                         expectations=expectations)


def xlsx_cells() -> CorpusDataset:
    """XLSX with two title rows: NIKs as numeric cells (integer and float), phones as text and as numbers."""
    niks = [nik(int(NIK_2), NIK_2), nik(float(NIK_4), NIK_4), nik(spaced(NIK_6), NIK_6), None, nik(int(NIK_7), NIK_7)]
    phones = [phone(PHONE_8), phone(6282145678901, PHONE_4), phone("0812 3456 7890", PHONE_1), None,
              phone("0341-551234", PHONE_5)]
    emails = [email(EMAIL_2), None, email(EMAIL_4), email(EMAIL_1), None]
    notes = [text(f"Ahli waris NIK {NIK_3}", ("nik", NIK_3)), "Survei ulang 2025", None,
             text("hubungi 0856.4321.0987", ("phone", PHONE_6)), "Tidak ada catatan"]
    rows = [{"id_penerima": i, "nik": n, "telepon": p, "email": e, "keterangan": k, "jumlah_bantuan": 300000}
            for i, n, p, e, k in zip(_ids(5), niks, phones, emails, notes, strict=True)]
    fields = [ID_FIELD, _field("nik"), _field("telepon"), _field("email"), _field("keterangan"),
              _field("jumlah_bantuan", "integer")]
    return CorpusDataset("bansos-xlsx", "xlsx", "penerima_bansos.xlsx", fields,
                         {"nik": "hash", "telepon": "mask", "email": "drop", "keterangan": "drop"}, rows,
                         {"sheet": "Penerima", "header_row": 3})


def json_numbers() -> CorpusDataset:
    """A JSON API document: NIKs as JSON integers and floats, phones as strings and numbers, e-mails, free text."""
    niks = [nik(int(NIK_8), NIK_8), nik(int(NIK_1), NIK_1), nik(NIK_3, NIK_3), None]
    floats = [nik(float(NIK_5), NIK_5), None, nik(float(NIK_2), NIK_2), 1.5]
    phones = [phone(PHONE_3), phone(6281122334455, PHONE_8), None, phone(PHONE_2)]
    emails = [email(EMAIL_3), email(EMAIL_1.upper()), None, email(EMAIL_2)]
    notes = [text("Telp (0341) 551234 kantor RT", ("phone", PHONE_5)), "Data lengkap", None,
             text(f"dobel dengan {spaced(NIK_4)}", ("nik", NIK_4))]
    rows = [{"id_penerima": i, "nik": n, "nik_lama": f, "kontak": p, "email": e, "catatan": c,
             "jumlah_bantuan": 900000}
            for i, n, f, p, e, c in zip(_ids(4), niks, floats, phones, emails, notes, strict=True)]
    fields = [ID_FIELD, _field("nik", "integer"), _field("nik_lama", "number"), _field("kontak"), _field("email"),
              _field("catatan"), _field("jumlah_bantuan", "integer")]
    labels = {"id_penerima": "id", "nik": "nik", "nik_lama": "legacy_nik", "kontak": "contact",
              "email": "mail", "catatan": "note", "jumlah_bantuan": "amount"}
    return CorpusDataset("bansos-json", "json", "penerima_bansos.json", fields,
                         {"nik": "mask", "nik_lama": "hash", "kontak": "drop", "email": "hash", "catatan": "drop"},
                         rows, {"json_path": "data.records"}, labels)


def corpus() -> list[CorpusDataset]:
    return [csv_text(), csv_numbers(), xlsx_cells(), json_numbers()]


# --------------------------------------------------------------------------------------------- writing files
def _write_csv(path: Path, dataset: CorpusDataset) -> None:
    delimiter = dataset.options.get("delimiter", ",")
    names = [f["name"] for f in dataset.fields]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow([dataset.labels.get(n, n) for n in names])
        for row in dataset.rows:
            writer.writerow(["" if _written(row.get(n)) is None else _written(row.get(n)) for n in names])


def _write_xlsx(path: Path, dataset: CorpusDataset) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = dataset.options["sheet"]
    sheet.append(["DAFTAR PENERIMA BANTUAN SOSIAL KOTA MALANG"])
    sheet.append(["Keadaan Juni 2025"])
    names = [f["name"] for f in dataset.fields]
    sheet.append([dataset.labels.get(n, n) for n in names])
    for row in dataset.rows:
        sheet.append([_written(row.get(n)) for n in names])
    for cells in sheet.iter_rows(min_row=4):
        for cell in cells:
            if isinstance(cell.value, int | float):
                cell.number_format = "0"   # how NIK columns are formatted in Excel
    book.save(path)


def _write_json(path: Path, dataset: CorpusDataset) -> None:
    records, scientific = [], {}
    for row in dataset.rows:
        record = {}
        for name, cell in row.items():
            value = _written(cell)
            if isinstance(value, float) and value > 1e15:   # exporters write big floats in scientific notation
                marker = f"@@{len(scientific)}@@"
                scientific[marker] = repr(value)
                value = marker
            record[dataset.labels.get(name, name)] = value
        records.append(record)
    document = json.dumps({"status": "ok", "data": {"records": records}, "meta": {"total": len(records)}},
                          ensure_ascii=False, indent=1)
    for marker, number in scientific.items():
        document = document.replace(f'"{marker}"', number)
    path.write_text(document, encoding="utf-8")


WRITERS = {"csv": _write_csv, "xlsx": _write_xlsx, "json": _write_json}


def _schema(dataset: CorpusDataset, treated: bool) -> dict:
    fields = []
    for base in dataset.fields:
        entry = dict(base)
        if treated and base["name"] in dataset.treatments:
            entry["privacy"] = dataset.treatments[base["name"]]
        if treated and base["name"] in dataset.private_severity:
            entry["severity"] = dataset.private_severity[base["name"]]
        fields.append(entry)
    return {"fields": fields, "primaryKey": ["id_penerima"]}


def _suite(name: str, dataset: CorpusDataset) -> dict:
    rows = len(dataset.rows)
    return {"name": name, "expectations": [
        {"type": "expect_table_row_count_to_equal", "kwargs": {"value": rows}}, *dataset.expectations]}


def _entry(name: str, dataset: CorpusDataset, treated: bool) -> dict:
    options = dict(dataset.options)
    if dataset.labels:
        options["rename"] = {label: name for name, label in dataset.labels.items() if label != name}
    if dataset.format == "csv":
        options.setdefault("delimiter", ",")
    state = "dengan perlakuan privasi" if treated else "tanpa perlakuan privasi"
    return {
        "id": name, "department": DEPARTMENT,
        "title": {"id": f"Penerima bantuan sosial ({dataset.format}, {state})",
                  "en": f"Social assistance recipients ({dataset.format}, {'treated' if treated else 'untreated'})"},
        "description": {"id": "Korpus uji gerbang privasi: data pribadi ditanam dalam berbagai bentuk.",
                        "en": "Privacy gate test corpus: personal data planted in many forms."},
        "license": "CC-BY-4.0", "frequency": "irregular", "dimension": "society", "tags": ["uji", "privasi"],
        "contact": {"name": "Bidang Perlindungan dan Jaminan Sosial", "email": INSTITUTION_EMAILS[1]},
        "source": {"kind": "file", "path": f"exports/{DEPARTMENT}/{dataset.file}", "format": dataset.format,
                   "options": options},
    }


def write_project(root: Path, datasets: list[CorpusDataset] | None = None,
                  variants: tuple[str, ...] = (BLOCKED, TREATED)) -> Path:
    """A catalogue with each corpus dataset in the given variants; returns the path of catalog.yaml."""
    datasets = corpus() if datasets is None else datasets
    (root / "exports" / DEPARTMENT).mkdir(parents=True, exist_ok=True)
    entries = []
    for dataset in datasets:
        WRITERS[dataset.format](root / "exports" / DEPARTMENT / dataset.file, dataset)
        for kind in variants:
            name = dataset.variant(kind)
            folder = root / "datasets" / name
            folder.mkdir(parents=True, exist_ok=True)
            schema = _schema(dataset, treated=kind == TREATED)
            (folder / "schema.yaml").write_text(yaml.safe_dump(schema, allow_unicode=True, sort_keys=False),
                                                encoding="utf-8")
            (folder / "expectations.json").write_text(json.dumps(_suite(name, dataset), indent=1),
                                                      encoding="utf-8")
            entries.append(_entry(name, dataset, treated=kind == TREATED))
    catalog = {
        "portal": {"title": {"id": "Korpus privasi", "en": "Privacy corpus"}, "local_dir": "portal",
                   "publisher": {"name": "Walidata uji", "url": "https://malangkota.go.id",
                                 "email": INSTITUTION_EMAILS[0]}},
        "departments": [{"id": DEPARTMENT, "name": "Dinas Sosial", "name_en": "Social Affairs Office",
                         "description": {"id": "Bantuan dan jaminan sosial.", "en": "Social assistance."},
                         "email": INSTITUTION_EMAILS[1]}],
        "datasets": entries,
    }
    path = root / "catalog.yaml"
    path.write_text(yaml.safe_dump(catalog, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path

