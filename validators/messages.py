"""What each check means and how a steward fixes it, in Bahasa Indonesia and English.

``explain`` turns a check (a Table Schema check, a structure problem, a privacy finding or a Great Expectations
expectation ``gx:expect_...``), its column, its detail, an offending value and, for expectations, their arguments
into ``{"id": ..., "en": ...}``.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

# check → (Bahasa Indonesia, English); {field}, {detail}, {value} and {hint} are filled in.
MESSAGES: dict[str, tuple[str, str]] = {
    "type": ("Nilai {value!r} di kolom {field} bukan {hint_id}. Perbaiki isinya, atau kosongkan bila memang tidak "
             "ada nilainya.",
             "Value {value!r} in column {field} is not {hint_en}. Correct it, or leave the cell empty if there is no "
             "value."),
    "integer-range": ("Nilai {value!r} di kolom {field} terlalu besar untuk kolom bilangan bulat 64-bit (batas "
                      "±9.223.372.036.854.775.807), jadi tidak bisa diterbitkan. Bila ini kode atau nomor, jadikan "
                      "kolomnya type: string di skema.",
                      "Value {value!r} in column {field} is too large for a 64-bit integer column (limit "
                      "±9,223,372,036,854,775,807), so it cannot be published. If it is a code or a number, make the "
                      "column type: string in the schema."),
    "required": ("Kolom {field} wajib diisi tetapi kosong. Isi nilainya di ekspor.",
                 "Column {field} is required but empty. Fill in the value in the export."),
    "minimum": ("Nilai {value!r} di kolom {field} lebih kecil dari batas minimum {detail}. Periksa salah ketik atau "
                "satuan.",
                "Value {value!r} in column {field} is below the minimum {detail}. Check for a typing mistake or a "
                "wrong unit."),
    "maximum": ("Nilai {value!r} di kolom {field} melebihi batas maksimum {detail}. Periksa salah ketik atau satuan.",
                "Value {value!r} in column {field} is above the maximum {detail}. Check for a typing mistake or a "
                "wrong unit."),
    "exclusiveMinimum": ("Nilai {value!r} di kolom {field} harus lebih besar dari {detail}.",
                         "Value {value!r} in column {field} must be greater than {detail}."),
    "exclusiveMaximum": ("Nilai {value!r} di kolom {field} harus lebih kecil dari {detail}.",
                         "Value {value!r} in column {field} must be less than {detail}."),
    "minLength": ("Isi kolom {field} ({value!r}) terlalu pendek: minimal {detail} karakter.",
                  "Column {field} ({value!r}) is too short: at least {detail} characters."),
    "maxLength": ("Isi kolom {field} ({value!r}) terlalu panjang: maksimal {detail} karakter.",
                  "Column {field} ({value!r}) is too long: at most {detail} characters."),
    "pattern": ("Nilai {value!r} di kolom {field} tidak sesuai format {detail}. Tulis sesuai format baku.",
                "Value {value!r} in column {field} does not match the format {detail}. Write it in the standard "
                "format."),
    "enum": ("Nilai {value!r} di kolom {field} tidak ada dalam daftar yang diizinkan: {detail}. Pilih salah satu, "
             "persis sama (huruf besar-kecil dan spasi dihitung).",
             "Value {value!r} in column {field} is not one of the allowed values: {detail}. Use one of them exactly "
             "(case and spaces count)."),
    "unique": ("Nilai {value!r} di kolom {field} muncul lebih dari sekali; kolom ini harus unik. Hapus baris "
               "ganda atau perbaiki nilainya.",
               "Value {value!r} in column {field} appears more than once; the column must be unique. Remove the "
               "duplicate row or correct the value."),
    "primary-key": ("Kunci utama ({detail}) kosong atau sama dengan baris sebelumnya ({value!r}). Setiap baris perlu "
                    "kunci yang terisi dan unik: hapus baris ganda atau lengkapi kuncinya.",
                    "The primary key ({detail}) is empty or repeats an earlier row ({value!r}). Every row needs a "
                    "filled-in, unique key: remove the duplicate row or complete the key."),
    "foreign-key": ("Nilai {value!r} di kolom {field} tidak ada di tabel rujukan {detail}. Gunakan nilai yang ada di "
                    "tabel rujukan.",
                    "Value {value!r} in column {field} is not in the reference table {detail}. Use a value that is "
                    "in the reference table."),
    "foreign-key:kode-wilayah": (
        "Kode {value!r} di kolom {field} tidak ada di tabel kode wilayah Kemendagri ({detail}). Gunakan kode resmi "
        "Permendagri 72/2019 yang bertitik, mis. 35.73.05 untuk kecamatan atau 35.73.05.1003 untuk kelurahan.",
        "Code {value!r} in column {field} is not in the Kemendagri region code table ({detail}). Use the official "
        "dotted Permendagri 72/2019 code, e.g. 35.73.05 for a district or 35.73.05.1003 for a kelurahan."),
    "blank-row": ("Baris kosong; baris ini dilewati. Hapus baris kosong dari ekspor.",
                  "Blank row; it is skipped. Remove blank rows from the export."),
    "extra-cell": ("Baris ini punya sel lebih banyak dari judul kolom (nilai {value!r}). Periksa pemisah kolom atau "
                   "tanda kutip.",
                   "This row has more cells than the header (value {value!r}). Check delimiters and quotes."),
    "missing-cell": ("Sel kolom {field} tidak ada di baris ini (baris terlalu pendek). Periksa pemisah kolom.",
                     "The cell for column {field} is missing in this row (the row is too short). Check the "
                     "delimiters."),
    "missing-label": ("Kolom {field} tidak ada di ekspor. Tambahkan kolom itu atau perbarui skema.",
                      "Column {field} is missing from the export. Add the column or update the schema."),
    "extra-label": ("Ekspor punya kolom tambahan {value!r} yang tidak ada di skema. Hapus atau tambahkan ke skema.",
                    "The export has an extra column {value!r} not in the schema. Remove it or add it to the schema."),
    "duplicate-label": ("Judul kolom {value!r} muncul dua kali (posisi kolom {field}). Ganti nama salah satunya.",
                        "Column header {value!r} appears twice (at the position of {field}). Rename one of them."),
    "incorrect-label": ("Judul kolom {value!r} seharusnya {field}. Ganti judulnya atau nyatakan options.rename.",
                        "Column header {value!r} should be {field}. Rename it or declare options.rename."),
    "blank-label": ("Judul kolom untuk {field} kosong. Isi judul kolom.",
                    "The header for {field} is empty. Fill in the column header."),
    "unreadable": ("Berkas tidak dapat dibaca: {detail}", "The file cannot be read: {detail}"),
    "pii": ("Data pribadi ({detail}) ditemukan di kolom {field} tanpa perlakuan privasi. Hapus kolom itu dari "
            "ekspor atau nyatakan privacy: drop/mask/hash di skema.",
            "Personal data ({detail}) found in column {field} with no privacy treatment. Remove the column from "
            "the export or declare privacy: drop/mask/hash in the schema."),
    "pii-column-name": ("Nama kolom {field} menunjukkan data pribadi. Pastikan tidak ada data pribadi warga.",
                        "Column name {field} suggests personal data. Make sure it holds no citizen's personal data."),
}

# Table Schema type (or type/format) → what a valid cell looks like.
TYPE_HINTS: dict[str, tuple[str, str]] = {
    "integer": ("bilangan bulat tanpa desimal, huruf atau pemisah ribuan (mis. 1250)",
                "a whole number without decimals, letters or thousands separators (e.g. 1250)"),
    "number": ("angka dengan titik desimal, tanpa huruf, satuan atau pemisah ribuan (mis. 12.5)",
               "a number with a decimal point and no letters, units or thousands separators (e.g. 12.5)"),
    "date": ("tanggal yang ada di kalender, ditulis TTTT-BB-HH (mis. 2025-06-30)",
             "a calendar date written YYYY-MM-DD (e.g. 2025-06-30)"),
    "datetime": ("tanggal dan jam TTTT-BB-HHTjj:mm:dd (mis. 2025-06-30T07:30:00)",
                 "a date and time YYYY-MM-DDThh:mm:ss (e.g. 2025-06-30T07:30:00)"),
    "time": ("jam jj:mm:dd (mis. 07:30:00)", "a time hh:mm:ss (e.g. 07:30:00)"),
    "year": ("tahun empat angka (mis. 2025)", "a four-digit year (e.g. 2025)"),
    "yearmonth": ("tahun-bulan TTTT-BB (mis. 2025-06)", "a year-month YYYY-MM (e.g. 2025-06)"),
    "boolean": ("nilai ya/tidak yang dinyatakan di skema (trueValues/falseValues, bawaan true/false)",
                "a yes/no value declared in the schema (trueValues/falseValues, by default true/false)"),
    "string/email": ("alamat email (mis. nama@malangkota.go.id)", "an e-mail address (e.g. name@malangkota.go.id)"),
    "string/uri": ("alamat web lengkap dengan skema (mis. https://malangkota.go.id)",
                   "a full web address with its scheme (e.g. https://malangkota.go.id)"),
    "string/uuid": ("UUID (mis. 0f8fad5b-d9cb-469f-a165-70867728950e)",
                    "a UUID (e.g. 0f8fad5b-d9cb-469f-a165-70867728950e)"),
}

# Great Expectations expectation type → what it asks of the data, and what to do. Arguments are the expectation's
# kwargs plus ``observed`` (what GX measured), ``count`` (failing rows) and ``mostly_id``/``mostly_en``.
_GX_BETWEEN = ("harus antara {min_value} dan {max_value}; ditemukan {observed}",
               "must be between {min_value} and {max_value}; found {observed}")
GX_MESSAGES: dict[str, tuple[str, str]] = {
    "expect_table_row_count_to_be_between": (
        "Jumlah baris " + _GX_BETWEEN[0] + ". Periksa apakah ekspor terpotong, ganda atau untuk periode yang salah.",
        "The number of rows " + _GX_BETWEEN[1] + ". Check whether the export is cut short, duplicated or for the "
        "wrong period."),
    "expect_table_row_count_to_equal": (
        "Jumlah baris harus tepat {value}; ditemukan {observed}. Periksa apakah ada baris yang hilang atau ganda.",
        "The table must have exactly {value} rows; found {observed}. Check for missing or duplicated rows."),
    "expect_column_values_to_be_between": (
        "Nilai kolom {column} harus antara {min_value} dan {max_value}{mostly_id}; {count} baris di luar rentang. "
        "Periksa baris contoh untuk salah ketik atau satuan yang keliru.",
        "Values of column {column} must be between {min_value} and {max_value}{mostly_en}; {count} rows are "
        "outside. Check the example rows for typing mistakes or wrong units."),
    "expect_column_mean_to_be_between": (
        "Rata-rata kolom {column} " + _GX_BETWEEN[0] + ". Periksa nilai ekstrem, satuan yang berubah atau data yang "
        "belum lengkap.",
        "The mean of column {column} " + _GX_BETWEEN[1] + ". Check for extreme values, a changed unit or "
        "incomplete data."),
    "expect_column_median_to_be_between": (
        "Median kolom {column} " + _GX_BETWEEN[0] + ". Periksa satuan dan kelengkapan data.",
        "The median of column {column} " + _GX_BETWEEN[1] + ". Check the unit and the completeness of the data."),
    "expect_column_max_to_be_between": (
        "Nilai terbesar kolom {column} " + _GX_BETWEEN[0] + ". Periksa nilai yang salah ketik atau satuan.",
        "The largest value of column {column} " + _GX_BETWEEN[1] + ". Check for a mistyped value or unit."),
    "expect_column_min_to_be_between": (
        "Nilai terkecil kolom {column} " + _GX_BETWEEN[0] + ". Periksa nilai yang salah ketik atau satuan.",
        "The smallest value of column {column} " + _GX_BETWEEN[1] + ". Check for a mistyped value or unit."),
    "expect_column_sum_to_be_between": (
        "Jumlah total kolom {column} " + _GX_BETWEEN[0] + ". Periksa baris yang hilang, ganda atau salah satuan.",
        "The total of column {column} " + _GX_BETWEEN[1] + ". Check for missing, duplicated or mis-scaled rows."),
    "expect_column_stdev_to_be_between": (
        "Simpangan baku kolom {column} " + _GX_BETWEEN[0] + ". Periksa nilai ekstrem.",
        "The standard deviation of column {column} " + _GX_BETWEEN[1] + ". Check for extreme values."),
    "expect_column_quantile_values_to_be_between": (
        "Kuantil kolom {column} di luar rentang yang diharapkan ({quantile_ranges}); ditemukan {observed}. "
        "Periksa sebaran nilai dan satuannya.",
        "Quantiles of column {column} are outside the expected ranges ({quantile_ranges}); found {observed}. "
        "Check the spread of values and their unit."),
    "expect_column_proportion_of_non_null_values_to_be_between": (
        "Bagian sel yang terisi di kolom {column} " + _GX_BETWEEN[0] + ". Terlalu banyak sel kosong: periksa "
        "apakah kolom ini terisi dari aplikasi sumber.",
        "The share of filled-in cells in column {column} " + _GX_BETWEEN[1] + ". Too many empty cells: check that "
        "the source application fills this column."),
    "expect_column_proportion_of_unique_values_to_be_between": (
        "Bagian nilai yang berbeda di kolom {column} " + _GX_BETWEEN[0] + ". Periksa nilai yang berulang atau "
        "kategori yang salah ketik.",
        "The share of distinct values in column {column} " + _GX_BETWEEN[1] + ". Check for repeated values or "
        "mistyped categories."),
    "expect_column_unique_value_count_to_be_between": (
        "Banyaknya nilai berbeda di kolom {column} " + _GX_BETWEEN[0] + ". Periksa kode atau kategori baru yang "
        "salah ketik, atau yang hilang dari ekspor.",
        "The number of distinct values in column {column} " + _GX_BETWEEN[1] + ". Check for new, mistyped or "
        "missing codes or categories."),
    "expect_column_most_common_value_to_be_in_set": (
        "Nilai yang paling sering di kolom {column} seharusnya salah satu dari {value_set}; ditemukan {observed}. "
        "Periksa apakah data tercampur dengan periode atau layanan lain.",
        "The most common value of column {column} should be one of {value_set}; found {observed}. Check whether "
        "the data is mixed with another period or service."),
    "expect_column_distinct_values_to_contain_set": (
        "Kolom {column} harus memuat setiap nilai {value_set}; ditemukan {observed}. Ada kategori yang hilang dari "
        "ekspor.",
        "Column {column} must contain every value of {value_set}; found {observed}. A category is missing from "
        "the export."),
    "expect_column_distinct_values_to_equal_set": (
        "Nilai-nilai berbeda di kolom {column} harus tepat {value_set}; ditemukan {observed}. Periksa kategori yang "
        "hilang atau baru.",
        "The distinct values of column {column} must be exactly {value_set}; found {observed}. Check for missing "
        "or new categories."),
    "expect_column_distinct_values_to_be_in_set": (
        "Setiap nilai di kolom {column} harus salah satu dari {value_set}; ditemukan {observed}.",
        "Every value of column {column} must be one of {value_set}; found {observed}."),
    "expect_column_values_to_be_in_set": (
        "Nilai kolom {column} harus salah satu dari {value_set}{mostly_id}; {count} baris tidak.",
        "Values of column {column} must be one of {value_set}{mostly_en}; {count} rows are not."),
    "expect_column_values_to_not_be_in_set": (
        "Nilai kolom {column} tidak boleh salah satu dari {value_set}; {count} baris memakainya.",
        "Values of column {column} must not be any of {value_set}; {count} rows are."),
    "expect_column_values_to_not_be_null": (
        "Kolom {column} tidak boleh kosong{mostly_id}; {count} baris kosong. Isi nilainya di ekspor.",
        "Column {column} must not be empty{mostly_en}; {count} rows are empty. Fill in the values in the export."),
    "expect_column_values_to_be_unique": (
        "Nilai kolom {column} harus unik; {count} baris memakai nilai yang berulang. Hapus baris ganda.",
        "Values of column {column} must be unique; {count} rows repeat a value. Remove duplicate rows."),
    "expect_compound_columns_to_be_unique": (
        "Gabungan kolom {column_list} harus unik; {count} baris berulang. Hapus baris ganda.",
        "The combination of columns {column_list} must be unique; {count} rows repeat it. Remove duplicate rows."),
    "expect_column_pair_values_a_to_be_greater_than_b": (
        "Di setiap baris, {column_A} harus lebih besar dari {column_B}{or_equal_id}; {count} baris tidak. Periksa "
        "apakah kedua kolom tertukar.",
        "In every row {column_A} must be greater than {column_B}{or_equal_en}; {count} rows are not. Check whether "
        "the two columns are swapped."),
    "expect_column_value_lengths_to_be_between": (
        "Panjang isi kolom {column} harus antara {min_value} dan {max_value} karakter{mostly_id}; {count} baris "
        "tidak.",
        "Values of column {column} must be {min_value} to {max_value} characters long{mostly_en}; {count} rows "
        "are not."),
    "expect_column_values_to_match_regex": (
        "Nilai kolom {column} harus sesuai pola {regex}{mostly_id}; {count} baris tidak. Tulis sesuai format baku.",
        "Values of column {column} must match the pattern {regex}{mostly_en}; {count} rows do not. Write them in "
        "the standard format."),
    "expect_column_values_to_not_match_regex": (
        "Nilai kolom {column} tidak boleh sesuai pola {regex}; {count} baris sesuai. Periksa baris contoh.",
        "Values of column {column} must not match the pattern {regex}; {count} rows do. Check the example rows."),
    "expect_column_values_to_not_match_regex_list": (
        "Nilai kolom {column} tidak boleh sesuai pola mana pun dari {regex_list}; {count} baris sesuai. Periksa "
        "baris contoh (sering kali data pribadi atau teks pengganti).",
        "Values of column {column} must match none of {regex_list}; {count} rows do. Check the example rows "
        "(often personal data or placeholder text)."),
    "expect_column_to_exist": ("Kolom {column} harus ada di tabel.", "Column {column} must exist in the table."),
    "expect_table_columns_to_match_ordered_list": (
        "Kolom tabel harus tepat {column_list}, berurutan; ditemukan {observed}.",
        "The table's columns must be exactly {column_list}, in order; found {observed}."),
}
GX_GENERIC = ("Harapan mutu data {expectation} pada kolom {field} tidak terpenuhi ({detail}). Periksa baris contoh.",
              "Data-quality expectation {expectation} on column {field} failed ({detail}). Check the example rows.")


class _Lenient(dict):
    """Format arguments where a missing one reads "-"."""

    def __missing__(self, key: str) -> str:
        return "-"


def _fill(template: str, values: Mapping[str, object]) -> str:
    return string.Formatter().vformat(template, (), _Lenient(values))


_FORMATTED = {"date": ("tanggal", "a date"), "datetime": ("tanggal dan jam", "a date and time"),
              "time": ("jam", "a time")}


def _type_hint(detail: str | None) -> tuple[str, str]:
    kind, _, fmt = (detail or "string/default").partition("/")
    if f"{kind}/{fmt}" in TYPE_HINTS:
        return TYPE_HINTS[f"{kind}/{fmt}"]
    if kind in _FORMATTED and fmt not in ("", "default", "any"):
        return f"{_FORMATTED[kind][0]} dengan format {fmt}", f"{_FORMATTED[kind][1]} in the format {fmt}"
    return TYPE_HINTS.get(kind, (f"bertipe {kind}/{fmt}", f"of type {kind}/{fmt}"))


def _gx_values(arguments: Mapping[str, object]) -> dict[str, object]:
    values = dict(arguments)
    mostly = values.get("mostly")
    if isinstance(mostly, int | float) and mostly < 1:
        values["mostly_id"] = f" (setidaknya {mostly:.0%} baris)"
        values["mostly_en"] = f" (at least {mostly:.0%} of rows)"
    else:
        values["mostly_id"] = values["mostly_en"] = ""
    equal = bool(values.get("or_equal"))
    values["or_equal_id"] = " atau sama dengan" if equal else ""
    values["or_equal_en"] = " or equal to it" if equal else ""
    for key in ("min_value", "max_value"):
        if values.get(key) is None:
            values[key] = "−∞" if key == "min_value" else "∞"
    return values


def explain(check: str, field: str | None, detail: str | None, value: str | None,
            arguments: Mapping[str, object] | None = None) -> dict[str, str]:
    """The bilingual message of one check (and one offending value, when there is one)."""
    values: dict[str, object] = {"field": field or "-", "detail": detail or "-", "check": check,
                                 "value": "…" if value is None else value}
    if check.startswith("gx:"):
        expectation = check[3:]
        values.update(_gx_values(arguments or {}), expectation=expectation)
        values.setdefault("column", field or "-")
        template = GX_MESSAGES.get(expectation, GX_GENERIC) if arguments is not None else GX_GENERIC
        return {"id": _fill(template[0], values), "en": _fill(template[1], values)}
    if check == "type":
        values["hint_id"], values["hint_en"] = _type_hint(detail)
    key = "foreign-key:kode-wilayah" if check == "foreign-key" and (detail or "").startswith("kode-wilayah.") \
        else check
    template = MESSAGES.get(key, GX_GENERIC)
    values.setdefault("expectation", check)
    return {"id": _fill(template[0], values), "en": _fill(template[1], values)}


SOFTENED_CHECKS = ("required", "unique", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength",
                   "maxLength", "pattern", "enum", "primary-key", "foreign-key")


def advisory_note(check: str, count: int) -> dict[str, str] | None:
    """What a warning of a Table Schema rule means for the published schema (see satudata.package.soften)."""
    if check not in SOFTENED_CHECKS:
        return None
    return {"id": f"Karena hanya peringatan, {count} baris ini tetap diterbitkan dan aturan ini tidak dicantumkan "
                  f"sebagai batasan wajib di datapackage.json; aturannya dicatat sebagai satudata:advisory beserta "
                  f"jumlah baris yang melanggarnya.",
            "en": f"As a warning only, these {count} rows are published and the rule is not declared as a hard "
                  f"constraint in datapackage.json; it is recorded as satudata:advisory with the number of rows that "
                  f"break it."}
