"""The Great Expectations expectations that judge rows (map expectations): each failing row is an example.

Declared in ``datasets/<id>/expectations.json`` (GX 1.x names and arguments); errors unless ``meta.severity`` (or
GX's own ``severity``) says warning. ``fast``: run in DuckDB SQL (validators.expectations_sql), with GX's results.
"""

from __future__ import annotations

from satudata.validators.checks.record import GREAT_EXPECTATIONS, check

MOSTLY = "mostly"


def gx(name: str, title: tuple[str, str], about: tuple[str, str], fix: tuple[str, str], message: tuple[str, str],
       kwargs: str, fast: bool = True):
    return check(f"gx:{name}", GREAT_EXPECTATIONS, title, about, fix, message, origin="great-expectations",
                 declared=f"expectations.json: {name}({kwargs})", fast=fast)


_DUPLICATES = ("Hapus baris ganda.", "Remove duplicate rows.")

CHECKS = (
    gx("expect_column_values_to_not_be_null",
       ("Tidak boleh kosong", "Not empty"),
       ("Sel kolom tidak kosong (atau paling sedikit bagian mostly dari baris).",
        "The column's cells are not empty (or at least the share mostly of rows)."),
       ("Isi nilainya di ekspor.", "Fill in the values in the export."),
       ("Kolom {column} tidak boleh kosong{mostly_id}; {count} baris kosong. Isi nilainya di ekspor.",
        "Column {column} must not be empty{mostly_en}; {count} rows are empty. Fill in the values in the export."),
       f"column, {MOSTLY}"),
    gx("expect_column_values_to_be_between",
       ("Nilai dalam rentang", "Values in a range"),
       ("Setiap nilai terisi berada di antara min_value dan max_value.",
        "Every filled-in value lies between min_value and max_value."),
       ("Periksa baris contoh untuk salah ketik atau satuan yang keliru.",
        "Check the example rows for typing mistakes or wrong units."),
       ("Nilai kolom {column} harus antara {min_value} dan {max_value}{mostly_id}; {count} baris di luar rentang. "
        "Periksa baris contoh untuk salah ketik atau satuan yang keliru.",
        "Values of column {column} must be between {min_value} and {max_value}{mostly_en}; {count} rows are "
        "outside. Check the example rows for typing mistakes or wrong units."),
       f"column, min_value, max_value, strict_min, strict_max, {MOSTLY}"),
    gx("expect_column_values_to_be_in_set",
       ("Nilai dari daftar", "Values from a set"),
       ("Setiap nilai terisi adalah salah satu dari value_set.", "Every filled-in value is one of value_set."),
       ("Ganti nilai yang tidak ada di daftar, atau tambahkan ke daftar bila memang benar.",
        "Replace the values not in the set, or add them to the set if they are right."),
       ("Nilai kolom {column} harus salah satu dari {value_set}{mostly_id}; {count} baris tidak.",
        "Values of column {column} must be one of {value_set}{mostly_en}; {count} rows are not."),
       f"column, value_set, {MOSTLY}"),
    gx("expect_column_values_to_not_be_in_set",
       ("Nilai terlarang", "Forbidden values"),
       ("Tidak ada nilai yang termasuk value_set.", "No value is one of value_set."),
       ("Ganti nilai terlarang (sering kali teks pengganti seperti '-' atau 'N/A').",
        "Replace the forbidden values (often placeholders such as '-' or 'N/A')."),
       ("Nilai kolom {column} tidak boleh salah satu dari {value_set}; {count} baris memakainya.",
        "Values of column {column} must not be any of {value_set}; {count} rows are."),
       f"column, value_set, {MOSTLY}", fast=False),
    gx("expect_column_values_to_be_unique",
       ("Nilai unik", "Unique values"),
       ("Tidak ada nilai terisi yang muncul lebih dari sekali (setiap baris nilai berulang dihitung).",
        "No filled-in value appears more than once (every row of a repeated value counts)."),
       _DUPLICATES,
       ("Nilai kolom {column} harus unik; {count} baris memakai nilai yang berulang. Hapus baris ganda.",
        "Values of column {column} must be unique; {count} rows repeat a value. Remove duplicate rows."),
       f"column, {MOSTLY}"),
    gx("expect_compound_columns_to_be_unique",
       ("Gabungan kolom unik", "Unique combination of columns"),
       ("Tidak ada dua baris dengan gabungan nilai yang sama di column_list.",
        "No two rows have the same combination of values in column_list."),
       _DUPLICATES,
       ("Gabungan kolom {column_list} harus unik; {count} baris berulang. Hapus baris ganda.",
        "The combination of columns {column_list} must be unique; {count} rows repeat it. Remove duplicate rows."),
       f"column_list, ignore_row_if, {MOSTLY}"),
    gx("expect_column_pair_values_a_to_be_greater_than_b",
       ("Kolom A lebih besar dari kolom B", "Column A greater than column B"),
       ("Di setiap baris, column_A lebih besar dari column_B (atau sama, dengan or_equal).",
        "In every row column_A is greater than column_B (or equal, with or_equal)."),
       ("Periksa apakah kedua kolom tertukar.", "Check whether the two columns are swapped."),
       ("Di setiap baris, {column_A} harus lebih besar dari {column_B}{or_equal_id}; {count} baris tidak. Periksa "
        "apakah kedua kolom tertukar.",
        "In every row {column_A} must be greater than {column_B}{or_equal_en}; {count} rows are not. Check whether "
        "the two columns are swapped."),
       f"column_A, column_B, or_equal, ignore_row_if, {MOSTLY}"),
    gx("expect_column_value_lengths_to_be_between",
       ("Panjang teks dalam rentang", "Text length in a range"),
       ("Panjang setiap teks terisi (karakter) berada di antara min_value dan max_value.",
        "The length of every filled-in text (in characters) lies between min_value and max_value."),
       ("Periksa teks yang terpotong atau tergabung.", "Look for cut-off or merged texts."),
       ("Panjang isi kolom {column} harus antara {min_value} dan {max_value} karakter{mostly_id}; {count} baris "
        "tidak.",
        "Values of column {column} must be {min_value} to {max_value} characters long{mostly_en}; {count} rows "
        "are not."),
       f"column, min_value, max_value, strict_min, strict_max, {MOSTLY}"),
    gx("expect_column_values_to_match_regex",
       ("Sesuai pola", "Matches a pattern"),
       ("Setiap teks terisi memuat pola regex (pencarian: tulis ^…$ untuk seluruh nilai).",
        "Every filled-in text contains the pattern regex (a search: write ^…$ for the whole value)."),
       ("Tulis sesuai format baku.", "Write the values in the standard format."),
       ("Nilai kolom {column} harus sesuai pola {regex}{mostly_id}; {count} baris tidak. Tulis sesuai format baku.",
        "Values of column {column} must match the pattern {regex}{mostly_en}; {count} rows do not. Write them in "
        "the standard format."),
       f"column, regex, {MOSTLY}"),
    gx("expect_column_values_to_not_match_regex",
       ("Tidak sesuai pola", "Does not match a pattern"),
       ("Tidak ada teks terisi yang memuat pola regex.", "No filled-in text contains the pattern regex."),
       ("Periksa dan perbaiki baris contoh.", "Check and correct the example rows."),
       ("Nilai kolom {column} tidak boleh sesuai pola {regex}; {count} baris sesuai. Periksa baris contoh.",
        "Values of column {column} must not match the pattern {regex}; {count} rows do. Check the example rows."),
       f"column, regex, {MOSTLY}"),
    gx("expect_column_values_to_not_match_regex_list",
       ("Tidak sesuai daftar pola", "Matches none of the patterns"),
       ("Tidak ada teks terisi yang memuat salah satu pola regex_list.",
        "No filled-in text contains any of the patterns of regex_list."),
       ("Periksa baris contoh: sering kali data pribadi atau teks pengganti.",
        "Check the example rows: often personal data or placeholder text."),
       ("Nilai kolom {column} tidak boleh sesuai pola mana pun dari {regex_list}; {count} baris sesuai. Periksa "
        "baris contoh (sering kali data pribadi atau teks pengganti).",
        "Values of column {column} must match none of {regex_list}; {count} rows do. Check the example rows "
        "(often personal data or placeholder text)."),
       f"column, regex_list, {MOSTLY}"),
)
