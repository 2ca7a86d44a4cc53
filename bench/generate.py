"""Generate a queue log in the Antrean Nunggu Transparan shape, with about 100 planted errors, using DuckDB.

python bench/generate.py ROWS OUT.csv   (10,000,000 rows ≈ 1 GB; about 5 s; 100,000,000 rows about a minute)

Rows come out in id order with no ORDER BY: ``preserve_insertion_order`` keeps range()'s order through a parallel,
streaming COPY, so 100M rows (bench/big.py) take little memory; a sort over them held about 6 GB.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

SERVICES = ["KTP-el", "KK", "Akta Kelahiran", "Akta Kematian", "Pindah Datang", "KIA"]
NOTES = ["Antrean lancar, petugas ramah dan sigap melayani", "Menunggu lama, AC ruang tunggu mati",
         "Berkas kurang lengkap, pemohon diminta kembali besok pagi", "Selesai cepat, langsung cetak",
         "Sistem sempat gangguan, \"offline\" 10 menit di loket 2", "",
         "Pelayanan baik, terima kasih kepada petugas loket"]
PLANTED_KINDS = 8   # each kind planted ~12 times, whatever the row count


def generate(rows: int, out: Path) -> Path:
    step = max(rows // 12, 1)   # about 12 of each kind → about 100 planted errors
    services = "[" + ", ".join("'" + s.replace("'", "''") + "'" for s in SERVICES) + "]"
    notes = "[" + ", ".join("'" + s.replace("'", "''") + "'" for s in NOTES) + "]"
    query = f"""
    COPY (
      SELECT
        CASE WHEN i % {step} = 3 THEN i - 1 ELSE i END AS id,
        CASE WHEN i % {step} = 11 THEN '2024-02-30'
             WHEN i % {step} = 12 THEN 'kemarin'
             ELSE strftime(DATE '2024-01-01' + CAST(i % 366 AS INTEGER), '%Y-%m-%d') END AS date,
        CASE WHEN i % {step} = 21 THEN '35.73.09' ELSE '35.73.0' || CAST(1 + i % 5 AS VARCHAR) END AS kecamatan,
        CASE WHEN i % {step} = 31 THEN 'Paspor' ELSE {services}[1 + CAST(i % 6 AS INTEGER)] END AS service,
        CASE WHEN i % {step} = 41 THEN '-5' WHEN i % {step} = 42 THEN 'lama'
             ELSE CAST(round((i * 7919 % 1800) / 10.0, 1) AS VARCHAR) END AS wait_minutes,
        CASE WHEN i % {step} = 51 THEN '7' WHEN i % 9 = 0 THEN NULL
             ELSE CAST(1 + (i * 31 % 5) AS VARCHAR) END AS rating,
        CASE WHEN i % {step} = 61 THEN 'PTG-12A' WHEN i % {step} = 62 THEN NULL
             ELSE 'PTG-' || lpad(CAST(i * 13 % 400 AS VARCHAR), 4, '0') END AS officer_code,
        {notes}[1 + CAST(i % 7 AS INTEGER)] AS note
      FROM range(1, {rows} + 1) AS t(i)
    ) TO '{out}' (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '"')
    """
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    con.execute(query)
    con.close()
    return out


if __name__ == "__main__":
    generate(int(sys.argv[1]), Path(sys.argv[2]))
