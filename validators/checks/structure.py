"""The structure checks: the export's header labels, blank rows and row lengths (found while it is read).

They are found by the readers (``satudata.sources``) as the file is staged; each is the frictionless error of the
same name. Blank rows are warnings (they are skipped); the others are errors.
"""

from __future__ import annotations

from satudata.core.problems import WARNING
from satudata.validators.checks.record import STRUCTURE, check

ALWAYS = "selalu / always"

CHECKS = (
    check("blank-row", STRUCTURE,
          ("Baris kosong", "Blank row"),
          ("Baris yang semua selnya kosong. Baris itu dilewati.", "A row whose cells are all empty. It is skipped."),
          ("Hapus baris kosong dari ekspor.", "Remove blank rows from the export."),
          ("Baris kosong; baris ini dilewati. Hapus baris kosong dari ekspor.",
           "Blank row; it is skipped. Remove blank rows from the export."),
          severity=WARNING, origin="frictionless", frictionless="blank-row", declared=ALWAYS),
    check("extra-cell", STRUCTURE,
          ("Sel berlebih", "Extra cell"),
          ("Baris yang punya sel lebih banyak dari judul kolom.", "A row with more cells than the header."),
          ("Periksa pemisah kolom dan tanda kutip di baris itu.", "Check the delimiters and quotes of that row."),
          ("Baris ini punya sel lebih banyak dari judul kolom (nilai {value!r}). Periksa pemisah kolom atau "
           "tanda kutip.",
           "This row has more cells than the header (value {value!r}). Check delimiters and quotes."),
          origin="frictionless", frictionless="extra-cell", declared=ALWAYS),
    check("missing-cell", STRUCTURE,
          ("Sel kurang", "Missing cell"),
          ("Baris yang lebih pendek dari judul kolom: sel sebuah kolom tidak ada.",
           "A row shorter than the header: the cell of a column is missing."),
          ("Periksa pemisah kolom di baris itu.", "Check the delimiters of that row."),
          ("Sel kolom {field} tidak ada di baris ini (baris terlalu pendek). Periksa pemisah kolom.",
           "The cell for column {field} is missing in this row (the row is too short). Check the delimiters."),
          origin="frictionless", frictionless="missing-cell", declared=ALWAYS),
    check("missing-label", STRUCTURE,
          ("Kolom tidak ada", "Missing column"),
          ("Kolom skema yang tidak ada di ekspor.", "A schema column that is not in the export."),
          ("Tambahkan kolom itu ke ekspor, atau perbarui skema.", "Add the column to the export, or update the "
           "schema."),
          ("Kolom {field} tidak ada di ekspor. Tambahkan kolom itu atau perbarui skema.",
           "Column {field} is missing from the export. Add the column or update the schema."),
          origin="frictionless", frictionless="missing-label", declared=ALWAYS),
    check("extra-label", STRUCTURE,
          ("Kolom tambahan", "Extra column"),
          ("Kolom ekspor yang tidak ada di skema.", "A column of the export that is not in the schema."),
          ("Hapus kolom itu dari ekspor atau tambahkan ke skema.", "Remove the column from the export or add it "
           "to the schema."),
          ("Ekspor punya kolom tambahan {value!r} yang tidak ada di skema. Hapus atau tambahkan ke skema.",
           "The export has an extra column {value!r} not in the schema. Remove it or add it to the schema."),
          origin="frictionless", frictionless="extra-label", declared=ALWAYS),
    check("duplicate-label", STRUCTURE,
          ("Judul kolom ganda", "Duplicate column header"),
          ("Judul kolom yang muncul dua kali.", "A column header that appears twice."),
          ("Ganti nama salah satu kolom.", "Rename one of the columns."),
          ("Judul kolom {value!r} muncul dua kali (posisi kolom {field}). Ganti nama salah satunya.",
           "Column header {value!r} appears twice (at the position of {field}). Rename one of them."),
          origin="frictionless", frictionless="duplicate-label", declared=ALWAYS),
    check("incorrect-label", STRUCTURE,
          ("Judul kolom salah", "Incorrect column header"),
          ("Judul kolom yang berbeda dari nama kolom skema di posisi itu.",
           "A column header that differs from the schema's column name at that position."),
          ("Ganti judul kolom, atau nyatakan options.rename di catalog.yaml.",
           "Rename the header, or declare options.rename in catalog.yaml."),
          ("Judul kolom {value!r} seharusnya {field}. Ganti judulnya atau nyatakan options.rename.",
           "Column header {value!r} should be {field}. Rename it or declare options.rename."),
          origin="frictionless", frictionless="incorrect-label", declared=ALWAYS),
    check("blank-label", STRUCTURE,
          ("Judul kolom kosong", "Blank column header"),
          ("Kolom yang judulnya kosong.", "A column whose header is empty."),
          ("Isi judul kolom.", "Fill in the column header."),
          ("Judul kolom untuk {field} kosong. Isi judul kolom.",
           "The header for {field} is empty. Fill in the column header."),
          origin="frictionless", frictionless="blank-label", declared=ALWAYS),
)
