"""The Table Schema checks: types, constraints, primary and foreign keys, run in DuckDB SQL (validators.table_schema).

Each is the frictionless error its type names (``FRICTIONLESS``), with one exception: ``integer-range`` is
satudata's own. Every one is an error unless the schema declares it a warning (``severity:`` per field or table).
"""

from __future__ import annotations

from satudata.validators.checks.record import TABLE_SCHEMA, Text, check

FRICTIONLESS = "frictionless"


def _constraint(name: str, title: tuple[str, str], about: tuple[str, str], fix: tuple[str, str],
                message: tuple[str, str], **rest: object):
    return check(name, TABLE_SCHEMA, title, about, fix, message, origin=FRICTIONLESS, frictionless="constraint-error",
                 declared=f"schema.yaml: constraints: {{{name}: …}}", **rest)


_BOUND_FIX = ("Periksa salah ketik atau satuan.", "Check for a typing mistake or a wrong unit.")

CHECKS = (
    check("type", TABLE_SCHEMA,
          ("Tipe nilai", "Value type"),
          ("Setiap sel terisi harus bertipe kolomnya (bilangan bulat, angka, tanggal, …) dalam format skema.",
           "Every filled-in cell must be of its column's type (integer, number, date, …) in the schema's format."),
          ("Perbaiki isinya, atau kosongkan bila memang tidak ada nilainya.",
           "Correct the value, or leave the cell empty if there is no value."),
          ("Nilai {value!r} di kolom {field} bukan {hint_id}. Perbaiki isinya, atau kosongkan bila memang tidak ada "
           "nilainya.",
           "Value {value!r} in column {field} is not {hint_en}. Correct it, or leave the cell empty if there is no "
           "value."),
          origin=FRICTIONLESS, frictionless="type-error", declared="schema.yaml: type, format"),
    check("integer-range", TABLE_SCHEMA,
          ("Bilangan bulat 64-bit", "64-bit integer"),
          ("Bilangan bulat yang diterima Frictionless tetapi terlalu besar untuk kolom bilangan bulat 64-bit yang "
           "diterbitkan.",
           "An integer Frictionless accepts but too large for the published 64-bit integer column."),
          ("Bila ini kode atau nomor, jadikan kolomnya type: string di skema.",
           "If it is a code or a number, make the column type: string in the schema."),
          ("Nilai {value!r} di kolom {field} terlalu besar untuk kolom bilangan bulat 64-bit (batas "
           "±9.223.372.036.854.775.807), jadi tidak bisa diterbitkan. Bila ini kode atau nomor, jadikan kolomnya "
           "type: string di skema.",
           "Value {value!r} in column {field} is too large for a 64-bit integer column (limit "
           "±9,223,372,036,854,775,807), so it cannot be published. If it is a code or a number, make the column "
           "type: string in the schema."),
          declared="schema.yaml: type: integer"),
    _constraint("required",
                ("Wajib diisi", "Required"),
                ("Sel kolom ini tidak boleh kosong.", "The column's cells must not be empty."),
                ("Isi nilainya di ekspor.", "Fill in the value in the export."),
                ("Kolom {field} wajib diisi tetapi kosong. Isi nilainya di ekspor.",
                 "Column {field} is required but empty. Fill in the value in the export.")),
    _constraint("minimum",
                ("Batas minimum", "Minimum"),
                ("Nilai tidak boleh lebih kecil dari batas minimum.", "A value must not be below the minimum."),
                _BOUND_FIX,
                ("Nilai {value!r} di kolom {field} lebih kecil dari batas minimum {detail}. Periksa salah ketik atau "
                 "satuan.",
                 "Value {value!r} in column {field} is below the minimum {detail}. Check for a typing mistake or a "
                 "wrong unit.")),
    _constraint("maximum",
                ("Batas maksimum", "Maximum"),
                ("Nilai tidak boleh melebihi batas maksimum.", "A value must not be above the maximum."),
                _BOUND_FIX,
                ("Nilai {value!r} di kolom {field} melebihi batas maksimum {detail}. Periksa salah ketik atau satuan.",
                 "Value {value!r} in column {field} is above the maximum {detail}. Check for a typing mistake or a "
                 "wrong unit.")),
    _constraint("exclusiveMinimum",
                ("Harus lebih besar dari", "Exclusive minimum"),
                ("Nilai harus lebih besar dari batasnya.", "A value must be greater than the bound."), _BOUND_FIX,
                ("Nilai {value!r} di kolom {field} harus lebih besar dari {detail}.",
                 "Value {value!r} in column {field} must be greater than {detail}.")),
    _constraint("exclusiveMaximum",
                ("Harus lebih kecil dari", "Exclusive maximum"),
                ("Nilai harus lebih kecil dari batasnya.", "A value must be less than the bound."), _BOUND_FIX,
                ("Nilai {value!r} di kolom {field} harus lebih kecil dari {detail}.",
                 "Value {value!r} in column {field} must be less than {detail}.")),
    _constraint("minLength",
                ("Panjang minimum", "Minimum length"),
                ("Isi sel minimal sepanjang batasnya (karakter).", "A cell must be at least that many characters."),
                ("Lengkapi isinya.", "Complete the value."),
                ("Isi kolom {field} ({value!r}) terlalu pendek: minimal {detail} karakter.",
                 "Column {field} ({value!r}) is too short: at least {detail} characters.")),
    _constraint("maxLength",
                ("Panjang maksimum", "Maximum length"),
                ("Isi sel paling panjang sebatas itu (karakter).", "A cell must be at most that many characters."),
                ("Persingkat isinya atau periksa sel yang tergabung.", "Shorten the value or look for merged cells."),
                ("Isi kolom {field} ({value!r}) terlalu panjang: maksimal {detail} karakter.",
                 "Column {field} ({value!r}) is too long: at most {detail} characters.")),
    _constraint("pattern",
                ("Format (pola)", "Pattern"),
                ("Isi sel harus sesuai pola (ekspresi reguler) skema, seluruhnya.",
                 "A cell must match the schema's pattern (a regular expression), as a whole."),
                ("Tulis sesuai format baku.", "Write it in the standard format."),
                ("Nilai {value!r} di kolom {field} tidak sesuai format {detail}. Tulis sesuai format baku.",
                 "Value {value!r} in column {field} does not match the format {detail}. Write it in the standard "
                 "format.")),
    _constraint("enum",
                ("Daftar nilai", "Allowed values"),
                ("Nilai harus salah satu dari daftar yang diizinkan.", "A value must be one of the allowed values."),
                ("Pilih salah satu, persis sama (huruf besar-kecil dan spasi dihitung).",
                 "Use one of them exactly (case and spaces count)."),
                ("Nilai {value!r} di kolom {field} tidak ada dalam daftar yang diizinkan: {detail}. Pilih salah satu, "
                 "persis sama (huruf besar-kecil dan spasi dihitung).",
                 "Value {value!r} in column {field} is not one of the allowed values: {detail}. Use one of them "
                 "exactly (case and spaces count).")),
    check("unique", TABLE_SCHEMA,
          ("Unik", "Unique"),
          ("Tidak ada dua baris dengan nilai yang sama di kolom ini (kemunculan berikutnya dilaporkan).",
           "No two rows have the same value in the column (the later occurrences are reported)."),
          ("Hapus baris ganda atau perbaiki nilainya.", "Remove the duplicate row or correct the value."),
          ("Nilai {value!r} di kolom {field} muncul lebih dari sekali; kolom ini harus unik. Hapus baris ganda atau "
           "perbaiki nilainya.",
           "Value {value!r} in column {field} appears more than once; the column must be unique. Remove the "
           "duplicate row or correct the value."),
          origin=FRICTIONLESS, frictionless="unique-error", declared="schema.yaml: constraints: {unique: true}"),
    check("primary-key", TABLE_SCHEMA,
          ("Kunci utama", "Primary key"),
          ("Setiap baris punya kunci utama yang terisi dan tidak sama dengan baris sebelumnya.",
           "Every row has a filled-in primary key that no earlier row has."),
          ("Hapus baris ganda atau lengkapi kuncinya.", "Remove the duplicate row or complete the key."),
          ("Kunci utama ({detail}) kosong atau sama dengan baris sebelumnya ({value!r}). Setiap baris perlu kunci "
           "yang terisi dan unik: hapus baris ganda atau lengkapi kuncinya.",
           "The primary key ({detail}) is empty or repeats an earlier row ({value!r}). Every row needs a filled-in, "
           "unique key: remove the duplicate row or complete the key."),
          origin=FRICTIONLESS, frictionless="primary-key", declared="schema.yaml: primaryKey"),
    check("foreign-key", TABLE_SCHEMA,
          ("Kunci rujukan", "Foreign key"),
          ("Nilai (atau gabungan nilai) harus ada di tabel rujukan, mis. tabel kode wilayah Kemendagri.",
           "A value (or combination of values) must exist in the reference table, e.g. the Kemendagri region codes."),
          ("Gunakan nilai yang ada di tabel rujukan.", "Use a value that is in the reference table."),
          ("Nilai {value!r} di kolom {field} tidak ada di tabel rujukan {detail}. Gunakan nilai yang ada di tabel "
           "rujukan.",
           "Value {value!r} in column {field} is not in the reference table {detail}. Use a value that is in the "
           "reference table."),
          origin=FRICTIONLESS, frictionless="foreign-key", declared="schema.yaml: foreignKeys",
          variants=(("kode-wilayah", Text(
              "Kode {value!r} di kolom {field} tidak ada di tabel kode wilayah Kemendagri ({detail}). Gunakan kode "
              "resmi Permendagri 72/2019 yang bertitik, mis. 35.73.05 untuk kecamatan atau 35.73.05.1003 untuk "
              "kelurahan.",
              "Code {value!r} in column {field} is not in the Kemendagri region code table ({detail}). Use the "
              "official dotted Permendagri 72/2019 code, e.g. 35.73.05 for a district or 35.73.05.1003 for a "
              "kelurahan.")),)),
)

# Table Schema type (or type/format) → what a valid cell looks like, for the ``type`` message.
TYPE_HINTS: dict[str, Text] = {
    "integer": Text("bilangan bulat tanpa desimal, huruf atau pemisah ribuan (mis. 1250)",
                    "a whole number without decimals, letters or thousands separators (e.g. 1250)"),
    "number": Text("angka dengan titik desimal, tanpa huruf, satuan atau pemisah ribuan (mis. 12.5)",
                   "a number with a decimal point and no letters, units or thousands separators (e.g. 12.5)"),
    "date": Text("tanggal yang ada di kalender, ditulis TTTT-BB-HH (mis. 2025-06-30)",
                 "a calendar date written YYYY-MM-DD (e.g. 2025-06-30)"),
    "datetime": Text("tanggal dan jam TTTT-BB-HHTjj:mm:dd (mis. 2025-06-30T07:30:00)",
                     "a date and time YYYY-MM-DDThh:mm:ss (e.g. 2025-06-30T07:30:00)"),
    "time": Text("jam jj:mm:dd (mis. 07:30:00)", "a time hh:mm:ss (e.g. 07:30:00)"),
    "year": Text("tahun empat angka (mis. 2025)", "a four-digit year (e.g. 2025)"),
    "yearmonth": Text("tahun-bulan TTTT-BB (mis. 2025-06)", "a year-month YYYY-MM (e.g. 2025-06)"),
    "boolean": Text("nilai ya/tidak yang dinyatakan di skema (trueValues/falseValues, bawaan true/false)",
                    "a yes/no value declared in the schema (trueValues/falseValues, by default true/false)"),
    "string/email": Text("alamat email (mis. nama@malangkota.go.id)", "an e-mail address (e.g. name@malangkota.go.id)"),
    "string/uri": Text("alamat web lengkap dengan skema (mis. https://malangkota.go.id)",
                       "a full web address with its scheme (e.g. https://malangkota.go.id)"),
    "string/uuid": Text("UUID (mis. 0f8fad5b-d9cb-469f-a165-70867728950e)",
                        "a UUID (e.g. 0f8fad5b-d9cb-469f-a165-70867728950e)"),
}
# A formatted date, date-and-time or time: "<kind> in the format <format>".
FORMATTED = {"date": Text("tanggal", "a date"), "datetime": Text("tanggal dan jam", "a date and time"),
             "time": Text("jam", "a time")}
