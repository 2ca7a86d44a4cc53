"""Privacy gate: structural PII detection, column scan, treatments, small-cell suppression, name warnings."""

from __future__ import annotations

import re

import pyarrow as pa
import pytest

from satudata.validators.privacy import (
    PiiFinding,
    apply_treatment,
    column_name_warning,
    find_pii_in_text,
    mask_text,
    scan_column,
    suppress_small_cells,
)

NIK = "3573014509870002"  # Kota Malang (35 73), kecamatan 01, born 05-09-1987 (female: 45), serial 0002

NIK_LAYOUTS = [
    NIK,
    "3573 0145 0987 0002",
    "3573.0145.0987.0002",
    "3573-0145-0987-0002",
    "3573014509870002.0",
    "3.573014509870002e+15",
    f"'{NIK}",  # Excel text prefix
    "3573011508870002",  # male: day 15
    "9101011201990001",  # Papua, province 91
]
PHONE_LAYOUTS = [
    "081234567890",
    "0812-3456-7890",
    "+62 812-3456-7890",
    "62812 3456 7890",
    "+6281234567890",
    "(0341) 551234",
    "0341-551234",
    "0812.3456.789",
    "6.28123456789e+12",
    "+62 21 5551234",
    "021-5551234",
]
EMAILS = ["budi@gmail.com", "Siti.Rahayu+ncc@yahoo.co.id", "hrd@sejahteraelektronik.co.id", "a_b-c@x.org"]


def kinds(text: str) -> list[str]:
    return [kind for kind, _ in find_pii_in_text(text)]


@pytest.mark.parametrize("text", NIK_LAYOUTS)
def test_nik_in_every_layout(text: str) -> None:
    assert kinds(text) == ["nik"]


def test_female_nik_day_plus_forty_and_impossible_day() -> None:
    assert kinds("3573017108870002") == ["nik"]  # day 71 = 31 + 40
    assert kinds("3573013508870002") == []  # day 35: neither a man's nor a woman's birth day
    assert kinds("3573017208870002") == []  # day 72


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "hubungi saya di 0812-3456-7890 atau budi@gmail.com, NIK 3573014509870002",
            ["phone", "email", "nik"],
        ),
        ("Pelapor (NIK: 3573 0145 0987 0002) minta dihubungi.", ["nik"]),
        ("kirim ke siti.rahayu_87@yahoo.co.id.", ["email"]),
        ("NPWP 12.345.678.9-012.345 terdaftar", ["npwp"]),
        ("WA +62 812-3456-7890, kantor (0341) 551234", ["phone", "phone"]),
    ],
)
def test_pii_inside_free_text(text: str, expected: list[str]) -> None:
    assert kinds(text) == expected


@pytest.mark.parametrize("phone", PHONE_LAYOUTS)
def test_phone_layouts(phone: str) -> None:
    assert kinds(phone) == ["phone"]


@pytest.mark.parametrize("email", EMAILS)
def test_email(email: str) -> None:
    assert find_pii_in_text(email) == [("email", email)]


def test_column_scan_finds_every_layout_the_text_check_finds() -> None:
    """The vectorised RE2 pre-filter must never drop a cell that the exact Python checks would flag."""
    layouts = {"nik": NIK_LAYOUTS, "phone": PHONE_LAYOUTS, "email": EMAILS}
    for kind, texts in layouts.items():
        findings = scan_column("catatan", pa.array([*texts, "Kota Malang"]), pa.array(range(len(texts) + 1)))
        assert [(f.kind, f.count) for f in findings] == [(kind, len(texts))]


def test_phone_column_reads_mobiles_that_lost_their_leading_zero() -> None:
    values, rows = pa.array([81234567890, None, 341551234]), pa.array([1, 2, 3])
    assert [(f.kind, f.count, f.example_rows) for f in scan_column("no_hp", values, rows)] == [
        ("phone", 1, (1,))
    ]
    assert scan_column("jumlah", values, rows) == []  # only a phone column is read that way


def test_npwp_formatted_and_bare_only_in_npwp_column() -> None:
    assert kinds("12.345.678.9-012.345") == ["npwp"]
    assert kinds("123456789012345") == []  # a bare 15-digit id is not assumed to be an NPWP
    rows = pa.array([1, 2])
    findings = scan_column("npwp_wp", pa.array(["123456789012345", None]), rows)
    assert [(f.kind, f.count) for f in findings] == [("npwp", 1)]


@pytest.mark.parametrize(
    "text",
    [
        "1234567890123456",  # budget figures: province 12, kab 34, kecamatan 56, day 78 → impossible
        "5000000000000000",  # province 50 does not exist
        "3573000509870002",  # kecamatan 00
        "3573014513870002",  # month 13
        "3573014509870000",  # serial 0000
        "35.73.05.1012",  # Kemendagri kelurahan code
        "35.73.01.1006",
        "2025-01-12",
        "12/01/2025",
        "08-12-2025 10:30",
        "2025-01-12T08:30:00+07:00",
        "12:30:45",
        "1.234.567.890",
        "386.804.993.000",  # budget with thousands dots
        "628.123.456.789",  # an amount that starts with 62
        "0,29",
        "-7.9900000",
        "112.6322000",
        "9.311111111111112",  # a float average: one dot is a decimal point, not a separator
        "20533837",  # NPSN
        "056105  ",  # Kemendikbud region code
        "NCC-202501-0001",
        "1.01.0.00.0.00.01.0000",  # SIPD organisation code
        "40C27D7D-8D18-E111-913E-695C781480DC",  # UUID
        "3.57 ORANG",
        "harga Rp 1.250.000 per 0,5 kg",
    ],
)
def test_not_personal_data(text: str) -> None:
    assert find_pii_in_text(text) == []


def test_scan_column_counts_rows_and_masks_examples() -> None:
    values = pa.array(
        [
            "Jl. Ijen 12",
            NIK,
            None,
            "hubungi 0812-3456-7890 atau budi@gmail.com",
            "3573 0145 0987 0002 dan 3573011508870003",  # two NIKs in one cell: one cell counted
            "35.73.05.1012",
        ]
    )
    rows = pa.array([101, 102, 103, 104, 105, 106])
    findings = {f.kind: f for f in scan_column("keterangan", values, rows)}
    assert set(findings) == {"nik", "phone", "email"}
    assert findings["nik"] == PiiFinding(
        "keterangan", "nik", 2, (102, 105), ("35************02", "35** **** **** **02")
    )
    assert findings["phone"].example_rows == (104,) and findings["phone"].masked_examples == (
        "08**-****-**90",
    )
    assert findings["email"].masked_examples == ("b***@gmail.com",)
    for finding in findings.values():
        for example in finding.masked_examples:
            assert NIK not in example and "0812-3456-7890" not in example and "budi@" not in example


def test_scan_column_limits_examples_and_reads_numbers_and_chunks() -> None:
    values = pa.chunked_array([[int(NIK)] * 4, [int(NIK), 7, None]])
    findings = scan_column("kolom_x", values, pa.array(range(1, 8)), max_examples=3)
    assert findings == [PiiFinding("kolom_x", "nik", 5, (1, 2, 3), ("35************02",) * 3)]
    floats = scan_column("kolom_y", pa.array([3573014509870002.0, 1.5]), pa.array([9, 10]))
    assert [(f.kind, f.example_rows) for f in floats] == [("nik", (9,))]


def test_scan_column_kk_by_column_name() -> None:
    kk = "3573011203150004"  # issued 12-03-2015: plausible as KK and as NIK
    rows = pa.array([1, 2])
    assert [(f.kind, f.count) for f in scan_column("no_kk", pa.array([kk, None]), rows)] == [("kk", 1)]
    assert [f.kind for f in scan_column("nomor", pa.array([kk, None]), rows)] == ["nik"]


def test_scan_column_name_warning_only_on_request_and_masked() -> None:
    values, rows = pa.array(["Budi Santoso", None, "Siti"]), pa.array([7, 8, 9])
    assert scan_column("nama", values, rows) == []
    warned = scan_column("nama", values, rows, include_name_warning=True)
    assert warned == [PiiFinding("nama", "suspicious-name", 2, (7, 9), ("Bu** *****so", "S**i"))]
    assert scan_column("nama_opd", values, rows, include_name_warning=True) == []


def test_scan_column_clean_column_has_no_findings() -> None:
    values = pa.array(
        ["Klojen", "35.73.01", "2025-06-02", "07:30:44", "26,5", None, "1.234.567.890", "26.614814814814817"]
    )
    assert scan_column("kecamatan", values, pa.array(range(8))) == []
    assert scan_column("tanggal", pa.array([True, None]), pa.array([1, 2])) == []


def test_mask_keeps_first_and_last_characters() -> None:
    masked = apply_treatment(
        pa.array([NIK, None, "budi@gmail.com", "081234567890", "Budi"]), "mask", salt=None
    )
    assert masked.to_pylist() == ["35************02", None, "b***@gmail.com", "08********90", "B**i"]


def test_hash_is_salted_stable_and_keeps_nulls() -> None:
    values = pa.array([NIK, None, "081234567890"])
    first = apply_treatment(values, "hash", salt="rahasia").to_pylist()
    assert first == apply_treatment(values, "hash", salt="rahasia").to_pylist()
    assert first[1] is None
    assert all(re.fullmatch(r"[a-z2-7]{16}", h) for h in (first[0], first[2]))  # base32: never all digits
    assert first[0] != apply_treatment(values, "hash", salt="lain").to_pylist()[0]
    assert NIK not in first
    same_phone = apply_treatment(pa.array(["+62 812-3456-7890"]), "hash", salt="rahasia").to_pylist()
    assert same_phone == [first[2]]  # normalised before hashing


@pytest.mark.parametrize("salt", [None, ""])
def test_hash_without_salt_names_the_env_var(salt: str | None) -> None:
    with pytest.raises(ValueError, match="SATUDATA_PRIVACY_SALT"):
        apply_treatment(pa.array([NIK]), "hash", salt=salt)


def test_public_drop_aggregate_and_unknown_treatment() -> None:
    values = pa.array([NIK])
    assert apply_treatment(values, "public", salt=None) is values
    assert apply_treatment(values, "drop", salt=None) is None
    assert apply_treatment(values, "aggregate-only", salt=None) is None
    with pytest.raises(ValueError, match="unknown privacy treatment"):
        apply_treatment(values, "encrypt", salt="x")


def test_suppress_small_cells_default_k() -> None:
    table = pa.table({"kec": ["a", "b", "c", "d", "e"], "jumlah": [0, 1, 4, 5, None], "l": [3, 9, 2, 7, 6]})
    suppressed, count = suppress_small_cells(table, ["jumlah", "l"])
    assert count == 4
    assert suppressed.column("jumlah").to_pylist() == [0, None, None, 5, None]
    assert suppressed.column("l").to_pylist() == [None, 9, None, 7, 6]
    assert suppressed.column("kec").to_pylist() == table.column("kec").to_pylist()


def test_suppress_small_cells_custom_k_and_text_counts() -> None:
    table = pa.table({"n": pa.array(["9", "10", "11", None, "0"])})
    suppressed, count = suppress_small_cells(table, ["n"], k=11)
    assert count == 2 and suppressed.column("n").to_pylist() == [None, None, "11", None, "0"]
    with pytest.raises(KeyError):
        suppress_small_cells(table, ["missing"])


@pytest.mark.parametrize(
    "name",
    [
        "nama",
        "nik",
        "NIK",
        "no_kk",
        "kk",
        "alamat",
        "telepon",
        "telp",
        "hp",
        "no_hp",
        "noHP",
        "whatsapp",
        "wa",
        "email",
        "e-mail",
        "Email Pelapor",
        "surel",
        "npwp",
        "tanggal_lahir",
        "tgl_lahir",
        "ttl",
        "ibu_kandung",
        "namaLengkap",
        "nama lengkap",
        "kartu_keluarga",
        "email_kontak",
        "nama_kepala_sekolah",
        "NO_HP",
    ],
)
def test_column_name_warns(name: str) -> None:
    assert column_name_warning(name)


@pytest.mark.parametrize(
    "name",
    [
        "kode_kecamatan",
        "hari",
        "nama_faskes",
        "nama_opd",
        "nama_perusahaan",
        "alamat_kantor",
        "nama_provinsi",
        "nama_kabupaten_kota",
        "Nama Wilayah",
        "tahun",
        "jumlah",
        "kategori",
        "periode",
        "company_name",
        "Kode Kelurahan",
        "hashtag",
        "satuan",
        "kkn",
    ],
)
def test_column_name_does_not_warn(name: str) -> None:
    assert not column_name_warning(name)


def test_mask_text_hides_every_match_and_keeps_the_rest() -> None:
    text = "hubungi saya di 0812-3456-7890 atau budi@gmail.com, NIK 3573014509870002."
    assert mask_text(text) == "hubungi saya di 08**-****-**90 atau b***@gmail.com, NIK 35************02."
    assert mask_text("3.573014509870002e+15") != "3.573014509870002e+15"
    assert mask_text("Kelurahan 35.73.05.1012") == "Kelurahan 35.73.05.1012"


def test_scan_column_reads_each_integral_float_as_its_digits() -> None:
    """One decimal in the column (1.5) must not turn the other cells into 8.1234567890e+10."""
    values, rows = pa.array([81234567890.0, 1.5, float(NIK)]), pa.array([1, 2, 3])
    findings = {f.kind: f for f in scan_column("no_hp", values, rows)}
    assert findings["phone"].masked_examples == ("81*******90",)
    assert findings["nik"].masked_examples == ("35************02",)
    masked = apply_treatment(values, "mask", salt=None).to_pylist()
    assert masked == ["81*******90", "*.*", "35************02"]


def test_mask_text_uses_what_the_column_name_tells() -> None:
    assert mask_text("81234567890", "no_hp") == "81*******90"  # a mobile that lost its 0
    assert mask_text("81234567890") == "81234567890"  # elsewhere, just a number
    assert mask_text("123456789012345", "npwp") == "12***********45"


def test_hashes_never_read_as_numbers() -> None:
    """A 16-digit hex hash would look like a NIK now and then; base32 hashes always hold letters."""
    hashes = {apply_treatment(pa.array([f"3573{n:012d}"]), "hash", salt="s").to_pylist()[0] for n in range(3000)}
    assert len(hashes) == 3000 and all(re.fullmatch(r"[a-z2-7]{16}", h) and not h.isdigit() for h in hashes)
