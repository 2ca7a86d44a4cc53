"""What each check means and how a steward fixes it, in Bahasa Indonesia and English."""

from __future__ import annotations

# check → (Bahasa Indonesia, English); {field}, {detail} and {value} are filled in.
MESSAGES: dict[str, tuple[str, str]] = {
    "type": ("Nilai {value!r} di kolom {field} tidak sesuai tipe {detail}. Perbaiki isinya agar sesuai tipe "
             "(mis. angka tanpa huruf, tanggal TTTT-BB-HH) atau kosongkan jika memang tidak ada.",
             "Value {value!r} in column {field} is not of type {detail}. Correct it to that type (numbers without "
             "letters, dates as YYYY-MM-DD) or leave the cell empty if there is no value."),
    "required": ("Kolom {field} wajib diisi tetapi kosong. Isi nilainya di ekspor.",
                 "Column {field} is required but empty. Fill in the value in the export."),
    "minimum": ("Nilai {value!r} di kolom {field} lebih kecil dari batas minimum {detail}. Periksa salah ketik.",
                "Value {value!r} in column {field} is below the minimum {detail}. Check for a typing mistake."),
    "maximum": ("Nilai {value!r} di kolom {field} melebihi batas maksimum {detail}. Periksa salah ketik.",
                "Value {value!r} in column {field} is above the maximum {detail}. Check for a typing mistake."),
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
    "enum": ("Nilai {value!r} di kolom {field} tidak ada dalam daftar yang diizinkan: {detail}. Pilih salah satu.",
             "Value {value!r} in column {field} is not one of the allowed values: {detail}. Use one of them."),
    "unique": ("Nilai {value!r} di kolom {field} muncul lebih dari sekali; kolom ini harus unik. Hapus baris "
               "ganda atau perbaiki nilainya.",
               "Value {value!r} in column {field} appears more than once; the column must be unique. Remove the "
               "duplicate row or correct the value."),
    "primary-key": ("Kunci utama ({detail}) kosong atau sama dengan baris lain. Setiap baris perlu kunci unik.",
                    "The primary key ({detail}) is empty or repeats another row. Every row needs a unique key."),
    "foreign-key": ("Kode {value!r} di kolom {field} tidak ada di tabel rujukan {detail}. Gunakan kode resmi "
                    "Kemendagri (Permendagri 72/2019).",
                    "Code {value!r} in column {field} is not in the reference table {detail}. Use the official "
                    "Kemendagri code (Permendagri 72/2019)."),
    "blank-row": ("Baris kosong; baris ini dilewati. Hapus baris kosong dari ekspor.",
                  "Blank row; it is skipped. Remove blank rows from the export."),
    "extra-cell": ("Baris ini punya sel lebih banyak dari judul kolom (nilai {value!r}). Periksa pemisah kolom atau "
                   "tanda kutip.",
                   "This row has more cells than the header (value {value!r}). Check delimiters and quotes."),
    "missing-cell": ("Sel kolom {field} tidak ada di baris ini (baris terlalu pendek).",
                     "The cell for column {field} is missing in this row (the row is too short)."),
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
GX_MESSAGE = ("Harapan mutu data {check} pada kolom {field} tidak terpenuhi ({detail}). Periksa baris contoh.",
              "Data-quality expectation {check} on column {field} failed ({detail}). Check the example rows.")


def explain(check: str, field: str | None, detail: str | None, value: str | None) -> dict[str, str]:
    template = MESSAGES.get(check, GX_MESSAGE)
    values = {"field": field or "-", "detail": detail or "-", "value": "…" if value is None else value,
              "check": check}
    return {"id": template[0].format(**values), "en": template[1].format(**values)}
