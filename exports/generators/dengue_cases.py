"""Write the synthetic Dinkes export of monthly dengue (DBD) cases per kelurahan, 2024, for the demo catalogue.

Deterministic (seeded): running it again rewrites a byte-identical file, which is committed next to the other
demo exports. The 57 kelurahan of Kota Malang (codes and names) are read from the real Kemendagri table, never
typed here; the counts are invented: a seasonal Poisson model (peak in the rainy months) with a fixed risk per
kelurahan, children under 15 about 45 % of cases, a case fatality rate of about 0.8 %.

    .venv/bin/python exports/generators/dengue_cases.py
"""

from __future__ import annotations

import csv
import math
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KEMENDAGRI = ROOT / "exports" / "bappeda" / "kemendagri_kode_wilayah_permendagri72_2019.csv"
OUT = ROOT / "exports" / "dinkes" / "rekap_kasus_dbd_kelurahan_2024.csv"
KOTA = "35.73"
SEED = 357324
YEAR = 2024
YEARLY_CASES = 1150
# Share of the year's cases per month: the rainy season (December–April) carries most of them.
MONTH_SHARE = [0.13, 0.17, 0.18, 0.15, 0.10, 0.06, 0.04, 0.03, 0.025, 0.025, 0.03, 0.06]
BULAN = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
         "November", "Desember"]
CHILD_SHARE, FATALITY = 0.45, 0.008


def kelurahan() -> list[tuple[str, str]]:
    with KEMENDAGRI.open(encoding="utf-8", newline="") as handle:
        rows = [(code, name) for code, name in csv.reader(handle)
                if code.startswith(KOTA + ".") and code.count(".") == 3]
    assert len(rows) == 57, len(rows)
    return rows


def poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: fine for the small means here."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def binomial(rng: random.Random, n: int, p: float) -> int:
    return sum(rng.random() < p for _ in range(n))


def main() -> None:
    rng = random.Random(SEED)
    regions = kelurahan()
    risk = [rng.lognormvariate(0.0, 0.6) for _ in regions]
    scale = YEARLY_CASES / sum(risk)
    lines = []
    for month, share in enumerate(MONTH_SHARE):
        for (code, name), weight in zip(regions, risk, strict=True):
            cases = poisson(rng, scale * weight * share)
            children = binomial(rng, cases, CHILD_SHARE)
            deaths = binomial(rng, cases, FATALITY)
            # The surveillance recap writes kelurahan codes without dots (BPS style) and months in Indonesian.
            lines.append([f"{BULAN[month]} {YEAR}", code.replace(".", ""), name, cases, children, deaths])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(["REKAP KASUS DEMAM BERDARAH DENGUE (DBD) PER KELURAHAN KOTA MALANG TAHUN 2024"])
        writer.writerow(["Bulan", "Kode Kelurahan", "Kelurahan", "Kasus DBD", "Kasus Usia <15 Th", "Meninggal"])
        writer.writerows(lines)


if __name__ == "__main__":
    main()
