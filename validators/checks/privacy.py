"""The privacy gate's checks (UU PDP, Law 27/2022): personal data in a public column, names that suggest it."""

from __future__ import annotations

from satudata.core.problems import WARNING
from satudata.validators.checks.record import PRIVACY, check

CHECKS = (
    check("pii", PRIVACY,
          ("Data pribadi", "Personal data"),
          ("NIK, nomor KK, nomor telepon, email atau NPWP di kolom tanpa perlakuan privasi (dicari di setiap sel, "
           "juga di dalam teks bebas).",
           "A NIK, family card number, phone number, e-mail or NPWP in a column with no privacy treatment (searched "
           "in every cell, free text included)."),
          ("Hapus kolom itu dari ekspor atau nyatakan privacy: drop/mask/hash di skema.",
           "Remove the column from the export or declare privacy: drop/mask/hash in the schema."),
          ("Data pribadi ({detail}) ditemukan di kolom {field} tanpa perlakuan privasi. Hapus kolom itu dari ekspor "
           "atau nyatakan privacy: drop/mask/hash di skema.",
           "Personal data ({detail}) found in column {field} with no privacy treatment. Remove the column from the "
           "export or declare privacy: drop/mask/hash in the schema."),
          declared="selalu, kecuali kolom dengan privacy: … / always, except columns with privacy: …"),
    check("pii-column-name", PRIVACY,
          ("Nama kolom data pribadi", "Personal-data column name"),
          ("Kolom publik yang namanya menunjukkan data pribadi (nama, nik, alamat, telepon, email …).",
           "A public column whose name suggests personal data (nama, nik, alamat, telepon, email …)."),
          ("Pastikan kolom itu tidak memuat data pribadi warga, atau nyatakan perlakuan privasinya.",
           "Make sure the column holds no citizen's personal data, or declare its privacy treatment."),
          ("Nama kolom {field} menunjukkan data pribadi. Pastikan tidak ada data pribadi warga.",
           "Column name {field} suggests personal data. Make sure it holds no citizen's personal data."),
          severity=WARNING, declared="selalu / always"),
    check("formula-injection", PRIVACY,
          ("Sel yang dibaca sebagai rumus", "Cell read as a spreadsheet formula"),
          ("Sel teks yang diawali =, +, - atau @: Excel dan LibreOffice menjalankannya sebagai rumus bila data.csv "
           "dibuka dengan klik ganda (injeksi rumus CSV).",
           "A text cell beginning with =, +, - or @: Excel and LibreOffice run it as a formula when data.csv is "
           "opened by double-clicking it (CSV formula injection)."),
          ("Periksa sel itu di sistem asal: hapus tanda di depannya bila bukan bagian dari data.",
           "Check the cell in the source system: remove the leading sign if it is not part of the data."),
          ("Sel {value!r} di kolom {field} diawali tanda rumus ({detail}); spreadsheet akan menjalankannya. Periksa "
           "sel itu di sistem asal.",
           "Cell {value!r} in column {field} begins with a formula sign ({detail}); a spreadsheet would run it. "
           "Check the cell in the source system."),
          severity=WARNING, declared="selalu, kolom teks publik / always, public text columns"),
)
