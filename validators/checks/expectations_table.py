"""The Great Expectations expectations that judge a whole column or the table (aggregate expectations).

They report what GX measured (``observed``), not example rows. ``gx:suite`` is the suite file itself, and
``gx:*`` stands for any other GX 1.x expectation: GX on pandas runs it and the report quotes its arguments.
"""

from __future__ import annotations

from satudata.validators.checks.expectations_rows import gx
from satudata.validators.checks.record import GREAT_EXPECTATIONS, check

_BETWEEN = ("harus antara {min_value} dan {max_value}; ditemukan {observed}",
            "must be between {min_value} and {max_value}; found {observed}")
BOUNDS = "min_value, max_value, strict_min, strict_max"
COLUMN_BOUNDS = f"column, {BOUNDS}"


def _between(name: str, title: tuple[str, str], of: tuple[str, str], fix: tuple[str, str], fast: bool = True):
    """An expectation bounding a statistic (``of``: "Rata-rata kolom {column}", "The mean of column {column}")."""
    return gx(name, title,
              (of[0].replace(" {column}", "") + " berada di antara min_value dan max_value.",
               of[1].replace(" of column {column}", "").replace(" in column {column}", "")
               + " lies between min_value and max_value."),
              fix,
              (f"{of[0]} {_BETWEEN[0]}. {fix[0]}", f"{of[1]} {_BETWEEN[1]}. {fix[1]}"),
              COLUMN_BOUNDS, fast)


CHECKS = (
    gx("expect_table_row_count_to_be_between",
       ("Jumlah baris dalam rentang", "Row count in a range"),
       ("Banyaknya baris tabel berada di antara min_value dan max_value.",
        "The table's number of rows lies between min_value and max_value."),
       ("Periksa apakah ekspor terpotong, ganda atau untuk periode yang salah.",
        "Check whether the export is cut short, duplicated or for the wrong period."),
       ("Jumlah baris " + _BETWEEN[0] + ". Periksa apakah ekspor terpotong, ganda atau untuk periode yang salah.",
        "The number of rows " + _BETWEEN[1] + ". Check whether the export is cut short, duplicated or for the "
        "wrong period."),
       BOUNDS),
    gx("expect_table_row_count_to_equal",
       ("Jumlah baris tepat", "Exact row count"),
       ("Tabel punya tepat value baris.", "The table has exactly value rows."),
       ("Periksa apakah ada baris yang hilang atau ganda.", "Check for missing or duplicated rows."),
       ("Jumlah baris harus tepat {value}; ditemukan {observed}. Periksa apakah ada baris yang hilang atau ganda.",
        "The table must have exactly {value} rows; found {observed}. Check for missing or duplicated rows."),
       "value"),
    _between("expect_column_mean_to_be_between", ("Rata-rata dalam rentang", "Mean in a range"),
             ("Rata-rata kolom {column}", "The mean of column {column}"),
             ("Periksa nilai ekstrem, satuan yang berubah atau data yang belum lengkap.",
              "Check for extreme values, a changed unit or incomplete data.")),
    _between("expect_column_median_to_be_between", ("Median dalam rentang", "Median in a range"),
             ("Median kolom {column}", "The median of column {column}"),
             ("Periksa satuan dan kelengkapan data.", "Check the unit and the completeness of the data.")),
    _between("expect_column_max_to_be_between", ("Nilai terbesar dalam rentang", "Maximum in a range"),
             ("Nilai terbesar kolom {column}", "The largest value of column {column}"),
             ("Periksa nilai yang salah ketik atau satuan.", "Check for a mistyped value or unit.")),
    _between("expect_column_min_to_be_between", ("Nilai terkecil dalam rentang", "Minimum in a range"),
             ("Nilai terkecil kolom {column}", "The smallest value of column {column}"),
             ("Periksa nilai yang salah ketik atau satuan.", "Check for a mistyped value or unit.")),
    _between("expect_column_sum_to_be_between", ("Jumlah total dalam rentang", "Total in a range"),
             ("Jumlah total kolom {column}", "The total of column {column}"),
             ("Periksa baris yang hilang, ganda atau salah satuan.", "Check for missing, duplicated or mis-scaled "
              "rows.")),
    _between("expect_column_stdev_to_be_between", ("Simpangan baku dalam rentang", "Standard deviation in a range"),
             ("Simpangan baku kolom {column}", "The standard deviation of column {column}"),
             ("Periksa nilai ekstrem.", "Check for extreme values."), fast=False),
    gx("expect_column_quantile_values_to_be_between",
       ("Kuantil dalam rentang", "Quantiles in ranges"),
       ("Setiap kuantil kolom (mis. median, persentil ke-90) berada di rentangnya.",
        "Each quantile of the column (e.g. the median, the 90th percentile) lies in its range."),
       ("Periksa sebaran nilai dan satuannya.", "Check the spread of values and their unit."),
       ("Kuantil kolom {column} di luar rentang yang diharapkan ({quantile_ranges}); ditemukan {observed}. "
        "Periksa sebaran nilai dan satuannya.",
        "Quantiles of column {column} are outside the expected ranges ({quantile_ranges}); found {observed}. "
        "Check the spread of values and their unit."),
       "column, quantile_ranges"),
    _between("expect_column_proportion_of_non_null_values_to_be_between",
             ("Bagian sel terisi", "Share of filled-in cells"),
             ("Bagian sel yang terisi di kolom {column}", "The share of filled-in cells in column {column}"),
             ("Terlalu banyak sel kosong: periksa apakah kolom ini terisi dari aplikasi sumber.",
              "Too many empty cells: check that the source application fills this column.")),
    _between("expect_column_proportion_of_unique_values_to_be_between",
             ("Bagian nilai berbeda", "Share of distinct values"),
             ("Bagian nilai yang berbeda di kolom {column}", "The share of distinct values in column {column}"),
             ("Periksa nilai yang berulang atau kategori yang salah ketik.",
              "Check for repeated values or mistyped categories.")),
    _between("expect_column_unique_value_count_to_be_between",
             ("Banyaknya nilai berbeda", "Number of distinct values"),
             ("Banyaknya nilai berbeda di kolom {column}", "The number of distinct values in column {column}"),
             ("Periksa kode atau kategori baru yang salah ketik, atau yang hilang dari ekspor.",
              "Check for new, mistyped or missing codes or categories.")),
    gx("expect_column_most_common_value_to_be_in_set",
       ("Nilai tersering dari daftar", "Most common value from a set"),
       ("Nilai yang paling sering muncul adalah salah satu dari value_set.",
        "The most common value is one of value_set."),
       ("Periksa apakah data tercampur dengan periode atau layanan lain.",
        "Check whether the data is mixed with another period or service."),
       ("Nilai yang paling sering di kolom {column} seharusnya salah satu dari {value_set}; ditemukan {observed}. "
        "Periksa apakah data tercampur dengan periode atau layanan lain.",
        "The most common value of column {column} should be one of {value_set}; found {observed}. Check whether "
        "the data is mixed with another period or service."),
       "column, value_set, ties_okay"),
    gx("expect_column_distinct_values_to_contain_set",
       ("Memuat setiap kategori", "Contains every category"),
       ("Setiap nilai value_set muncul di kolom.", "Every value of value_set appears in the column."),
       ("Ada kategori yang hilang dari ekspor: periksa kelengkapannya.",
        "A category is missing from the export: check that it is complete."),
       ("Kolom {column} harus memuat setiap nilai {value_set}; ditemukan {observed}. Ada kategori yang hilang dari "
        "ekspor.",
        "Column {column} must contain every value of {value_set}; found {observed}. A category is missing from the "
        "export."),
       "column, value_set"),
    gx("expect_column_distinct_values_to_equal_set",
       ("Kategori tepat", "Exactly these categories"),
       ("Nilai-nilai berbeda kolom tepat value_set: tidak kurang, tidak lebih.",
        "The column's distinct values are exactly value_set: none missing, none more."),
       ("Periksa kategori yang hilang atau baru.", "Check for missing or new categories."),
       ("Nilai-nilai berbeda di kolom {column} harus tepat {value_set}; ditemukan {observed}. Periksa kategori yang "
        "hilang atau baru.",
        "The distinct values of column {column} must be exactly {value_set}; found {observed}. Check for missing "
        "or new categories."),
       "column, value_set"),
    gx("expect_column_distinct_values_to_be_in_set",
       ("Kategori dari daftar", "Categories from a set"),
       ("Setiap nilai berbeda kolom adalah salah satu dari value_set.",
        "Every distinct value of the column is one of value_set."),
       ("Ganti kategori yang tidak dikenal.", "Replace the unknown categories."),
       ("Setiap nilai di kolom {column} harus salah satu dari {value_set}; ditemukan {observed}.",
        "Every value of column {column} must be one of {value_set}; found {observed}."),
       "column, value_set", fast=False),
    gx("expect_column_to_exist",
       ("Kolom ada", "Column exists"),
       ("Tabel punya kolom itu.", "The table has the column."),
       ("Tambahkan kolom ke ekspor, atau perbaiki nama kolom di suite.",
        "Add the column to the export, or correct its name in the suite."),
       ("Kolom {column} harus ada di tabel.", "Column {column} must exist in the table."),
       "column", fast=False),
    gx("expect_table_columns_to_match_ordered_list",
       ("Urutan kolom", "Column order"),
       ("Kolom tabel tepat column_list, berurutan.", "The table's columns are exactly column_list, in order."),
       ("Samakan kolom ekspor dengan daftar di suite.", "Make the export's columns match the suite's list."),
       ("Kolom tabel harus tepat {column_list}, berurutan; ditemukan {observed}.",
        "The table's columns must be exactly {column_list}, in order; found {observed}."),
       "column_list", fast=False),
    check("gx:suite", GREAT_EXPECTATIONS,
          ("Berkas suite", "Suite file"),
          ("expectations.json dapat dibaca dan setiap jenis harapannya dikenal (nama Great Expectations 1.x atau "
           "harapan satudata).",
           "expectations.json can be read and every expectation type in it is known (a Great Expectations 1.x "
           "name or one of satudata's own)."),
          ("Perbaiki ejaan jenis harapan di expectations.json (lihat satudata checks).",
           "Fix the spelling of the expectation type in expectations.json (see satudata checks)."),
          ("Suite harapan mutu data tidak dapat dipakai: {detail}",
           "The data-quality suite cannot be used: {detail}"),
          origin="satudata", declared="datasets/<id>/expectations.json"),
    check("gx:*", GREAT_EXPECTATIONS,
          ("Harapan GX lainnya", "Any other GX expectation"),
          ("Harapan Great Expectations 1.x lain mana pun: dijalankan oleh GX pada pandas (lebih lambat) dan "
           "dilaporkan dengan argumennya.",
           "Any other Great Expectations 1.x expectation: GX runs it on pandas (slower) and the report quotes its "
           "arguments."),
          ("Periksa baris contoh.", "Check the example rows."),
          ("Harapan mutu data {expectation} pada kolom {field} tidak terpenuhi ({detail}). Periksa baris contoh.",
           "Data-quality expectation {expectation} on column {field} failed ({detail}). Check the example rows."),
          origin="great-expectations", declared="expectations.json: expect_…", fast=False),
)
