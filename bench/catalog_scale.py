"""`make bench-catalog`: a catalogue of 1,000 datasets (one datasets/<id>/dataset.yaml each, included from its
catalog.yaml), published once, re-run unchanged, then re-run with 1% of the exports changed.

Prints the figures beside the targets (docs/scale.md) and writes bench/results-catalog.json:

- first run, no-op re-run and 1%-changed re-run wall times, each through bench/measure.py (wall time and the peak
  RSS of the process tree of `satudata run`);
- the per-dataset overhead: of the no-op re-run ((no-op - empty flow) / datasets) and of a published dataset
  (its own seconds minus the seconds of its stages, from `satudata run --json`);
- an empty Prefect flow (bench/empty_flow.py), timed alternately with the no-op re-runs on the same Prefect home;
- the same no-op figures at 100 datasets, to show memory and time do not grow with the catalogue.

    python bench/catalog_scale.py [--sizes 100,1000] [--repeat 3] [--keep] [--reuse]

The projects are generated into .satudata/bench-catalog/ (ignored by git) and removed afterwards unless --keep.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import yaml

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PY = sys.executable
SATUDATA = str(Path(PY).parent / "satudata")
WORK = REPO / ".satudata" / "bench-catalog"
CONCURRENCY = 2   # `satudata run`'s default

DEPARTMENTS = [
    ("diskominfo", "Dinas Komunikasi dan Informatika", "Communication and Informatics Office"),
    ("dispendukcapil", "Dinas Kependudukan dan Pencatatan Sipil", "Population and Civil Registration Office"),
    ("dinkes", "Dinas Kesehatan", "Health Office"),
    ("disdik", "Dinas Pendidikan dan Kebudayaan", "Education and Culture Office"),
    ("bappeda", "Badan Perencanaan Pembangunan Daerah", "Regional Planning Agency"),
    ("bkad", "Badan Keuangan dan Aset Daerah", "Regional Finance and Assets Agency"),
    ("dishub", "Dinas Perhubungan", "Transport Office"),
    ("dlh", "Dinas Lingkungan Hidup", "Environment Office"),
    ("disnaker", "Dinas Tenaga Kerja", "Manpower Office"),
    ("dinsos", "Dinas Sosial", "Social Affairs Office"),
]
SERVICES = ["KTP-el", "KK", "Akta Kelahiran", "Akta Kematian", "Pindah Datang", "KIA"]
JENIS = ["Puskesmas", "Klinik", "Rumah Sakit", "Apotek", "Posyandu"]


def _list(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


# The demo's kinds of tables: a queue log, a list of facilities, a budget, a daily weather series. Each kind: its
# Table Schema, its GX suite, the export as a DuckDB query over range(rows) (``{s}``: a shift that changes values).
KINDS: dict[str, dict] = {
    "antrean": {
        "dimension": "governance", "frequency": "daily",
        "schema": {"fields": [
            {"name": "id", "type": "integer", "constraints": {"required": True}},
            {"name": "tanggal", "type": "date", "constraints": {"required": True, "minimum": "2024-01-01"}},
            {"name": "kecamatan", "type": "string", "constraints": {"required": True, "pattern": r"35\.73\.0[1-5]"}},
            {"name": "layanan", "type": "string", "constraints": {"required": True, "enum": SERVICES}},
            {"name": "menit_tunggu", "type": "number", "constraints": {"minimum": 0, "maximum": 600}},
            {"name": "rating", "type": "integer", "constraints": {"minimum": 1, "maximum": 5}},
        ], "primaryKey": ["id"]},
        "suite": [
            {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
            {"type": "expect_column_values_to_be_between",
             "kwargs": {"column": "menit_tunggu", "min_value": 0, "max_value": 240, "mostly": 0.95}},
        ],
        "query": f"""SELECT i + 1 AS id, strftime(DATE '2024-01-01' + CAST(i % 366 AS INTEGER), '%Y-%m-%d') AS tanggal,
                    '35.73.0' || CAST(1 + i % 5 AS VARCHAR) AS kecamatan,
                    {_list(SERVICES)}[1 + CAST(i % 6 AS INTEGER)] AS layanan,
                    round(((i + {{s}}) * 7919 % 1800) / 10.0, 1) AS menit_tunggu,
                    CASE WHEN i % 9 = 0 THEN NULL ELSE 1 + ((i + {{s}}) * 31 % 5) END AS rating
                    FROM range({{rows}}) t(i)""",
    },
    "fasilitas": {
        "dimension": "living", "frequency": "yearly",
        "schema": {"fields": [
            {"name": "kode", "type": "string", "constraints": {"required": True, "unique": True,
                                                              "pattern": r"FK-\d{5}"}},
            {"name": "nama", "type": "string", "constraints": {"required": True, "maxLength": 80}},
            {"name": "jenis", "type": "string", "constraints": {"required": True, "enum": JENIS}},
            {"name": "kecamatan", "type": "string"},
            {"name": "kapasitas", "type": "integer", "constraints": {"minimum": 0}},
        ], "primaryKey": ["kode"]},
        "suite": [
            {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "nama"}},
        ],
        "query": f"""SELECT 'FK-' || lpad(CAST(i AS VARCHAR), 5, '0') AS kode,
                    {_list(JENIS)}[1 + CAST(i % 5 AS INTEGER)] || ' Kota Malang ' || CAST(i AS VARCHAR) AS nama,
                    {_list(JENIS)}[1 + CAST(i % 5 AS INTEGER)] AS jenis,
                    {_list(['Blimbing', 'Klojen', 'Kedungkandang', 'Sukun', 'Lowokwaru'])}[1 + CAST(i % 5 AS INTEGER)]
                      AS kecamatan,
                    (i + {{s}}) * 37 % 500 AS kapasitas
                    FROM range({{rows}}) t(i)""",
    },
    "anggaran": {
        "dimension": "economy", "frequency": "quarterly",
        "schema": {"fields": [
            {"name": "id", "type": "integer", "constraints": {"required": True}},
            {"name": "tahun", "type": "integer", "constraints": {"required": True, "minimum": 2019, "maximum": 2026}},
            {"name": "kode_rekening", "type": "string", "constraints": {"required": True,
                                                                       "pattern": r"\d\.\d{2}\.\d{2}"}},
            {"name": "uraian", "type": "string"},
            {"name": "pagu", "type": "number", "constraints": {"minimum": 0}},
            {"name": "realisasi", "type": "number", "constraints": {"minimum": 0}},
        ], "primaryKey": ["id"]},
        "suite": [
            {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
            {"type": "expect_column_values_to_be_between", "kwargs": {"column": "tahun", "min_value": 2019}},
        ],
        "query": """SELECT i + 1 AS id, 2019 + i % 8 AS tahun,
                    CAST(1 + i % 9 AS VARCHAR) || '.' || lpad(CAST(i % 100 AS VARCHAR), 2, '0') || '.'
                      || lpad(CAST(i * 7 % 100 AS VARCHAR), 2, '0') AS kode_rekening,
                    'Belanja kegiatan ' || CAST(i AS VARCHAR) AS uraian,
                    CAST((i + {s}) * 104729 % 9000000 AS DOUBLE) * 1000 AS pagu,
                    CAST((i + {s}) * 7919 % 8000000 AS DOUBLE) * 1000 AS realisasi
                    FROM range({rows}) t(i)""",
    },
    "cuaca": {
        "dimension": "environment", "frequency": "daily",
        "schema": {"fields": [
            {"name": "tanggal", "type": "date", "constraints": {"required": True, "unique": True}},
            {"name": "suhu_min", "type": "number", "constraints": {"minimum": -5, "maximum": 45}},
            {"name": "suhu_max", "type": "number", "constraints": {"minimum": -5, "maximum": 45}},
            {"name": "curah_hujan_mm", "type": "number", "constraints": {"minimum": 0}},
            {"name": "kelembapan", "type": "integer", "constraints": {"minimum": 0, "maximum": 100}},
        ], "primaryKey": ["tanggal"]},
        "suite": [
            {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "suhu_max"}},
        ],
        "query": """SELECT strftime(DATE '2019-01-01' + CAST(i AS INTEGER), '%Y-%m-%d') AS tanggal,
                    18 + ((i + {s}) * 13 % 50) / 10.0 AS suhu_min, 26 + ((i + {s}) * 17 % 60) / 10.0 AS suhu_max,
                    ((i + {s}) * 29 % 400) / 10.0 AS curah_hujan_mm, 60 + (i * 7 % 40) AS kelembapan
                    FROM range({rows}) t(i)""",
        "max_rows": 2_500,   # one row a day from 2019
    },
}
SMALL_KINDS = list(KINDS)


def plan(count: int, seed: int = 18, big: bool = True) -> list[dict]:
    """``count`` datasets: ~1% big (100k-1M rows, queue logs and budgets), the rest 50-2,000 rows (``big``
    False: none big, for tests)."""
    rng = random.Random(seed)
    big = max(1, round(count / 100)) if big else 0
    big_rows = [int(100_000 + (900_000 * k) / max(big - 1, 1)) for k in range(big)]
    big_at = {7 + k * (count // big) for k in range(big)} if big else set()
    entries = []
    for n in range(count):
        department = DEPARTMENTS[n % len(DEPARTMENTS)][0]
        if n in big_at:
            kind, rows = ("antrean", "anggaran")[len(big_rows) % 2], big_rows.pop(0)
        else:
            kind = SMALL_KINDS[n % len(SMALL_KINDS)]
            rows = min(rng.randint(50, 2_000), KINDS[kind].get("max_rows", 10 ** 9))
        entries.append({"id": f"{kind}-{department}-{n:04d}", "kind": kind, "department": department,
                        "rows": rows, "big": rows >= 100_000, "size": count})
    return entries


def _dataset_entry(entry: dict) -> dict:
    kind, department = KINDS[entry["kind"]], entry["department"]
    return {
        "id": entry["id"], "department": department,
        "title": {"id": f"{entry['kind'].title()} {entry['id'][-4:]}", "en": f"{entry['kind'].title()} "
                                                                             f"{entry['id'][-4:]} (benchmark)"},
        "description": {"id": f"Data sintetis {entry['kind']} untuk benchmark katalog.",
                        "en": f"Synthetic {entry['kind']} data for the catalogue benchmark."},
        "license": "CC-BY-4.0", "frequency": kind["frequency"], "dimension": kind["dimension"],
        "tags": [entry["kind"], "benchmark", department],
        "contact": {"name": "Walidata", "email": f"{department}@malangkota.go.id"},
        "source": {"kind": "file", "path": f"exports/{department}/{entry['id']}.csv", "format": "csv"},
    }


def write_export(con: duckdb.DuckDBPyConnection, project: Path, entry: dict, shift: int = 0) -> Path:
    path = project / "exports" / entry["department"] / f"{entry['id']}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    query = KINDS[entry["kind"]]["query"].format(rows=entry["rows"], s=shift)
    con.execute(f"COPY ({query}) TO '{path}' (HEADER, DELIMITER ',')")
    return path


def generate(project: Path, count: int, big: bool = True) -> list[dict]:
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    entries = plan(count, big=big)
    catalog = {
        "portal": {"title": {"id": f"Satu Data (benchmark, {count} dataset)", "en": f"One Data ({count} datasets)"},
                   "local_dir": "portal", "region_code": "35.73",
                   "publisher": {"name": "Walidata (benchmark)", "url": "https://malangkota.go.id",
                                 "email": "satudata@malangkota.go.id"}},
        "departments": [{"id": d, "name": name, "name_en": en, "description": {"id": name, "en": en},
                         "email": f"{d}@malangkota.go.id"} for d, name, en in DEPARTMENTS],
        "include": ["datasets/*/dataset.yaml"],
    }
    (project / "catalog.yaml").write_text(yaml.safe_dump(catalog, allow_unicode=True, sort_keys=False),
                                          encoding="utf-8")
    con = duckdb.connect()
    for entry in entries:
        folder = project / "datasets" / entry["id"]
        folder.mkdir(parents=True)
        kind = KINDS[entry["kind"]]
        (folder / "dataset.yaml").write_text(yaml.safe_dump(_dataset_entry(entry), allow_unicode=True,
                                                            sort_keys=False), encoding="utf-8")
        (folder / "schema.yaml").write_text(yaml.safe_dump(kind["schema"], allow_unicode=True, sort_keys=False),
                                            encoding="utf-8")
        (folder / "expectations.json").write_text(json.dumps({"name": entry["id"], "expectations": kind["suite"]},
                                                             indent=1), encoding="utf-8")
        write_export(con, project, entry)
    con.close()
    return entries


def measure(argv: list[str], env: dict) -> dict:
    out = subprocess.run([PY, str(BENCH / "measure.py"), *argv], capture_output=True, text=True, env=env,
                         cwd=REPO, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(project: Path, env: dict) -> dict:
    """`satudata run --json` of the project, measured; its summary JSON read back."""
    summary = project / "run.json"
    result = measure(["sh", "-c", f"exec {SATUDATA} run --catalog {project / 'catalog.yaml'} --json > {summary}"],
                     env)
    try:   # exit 1 with a summary: some datasets failed, and the summary says which and why
        result["summary"] = json.loads(summary.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise SystemExit(f"satudata run failed ({result['returncode']}) without a summary:\n"
                         f"{result['stderr_tail']}") from None
    if result["returncode"] != 0:
        failed = [d for d in result["summary"]["datasets"] if d["status"] != "published" and d["status"] !=
                  "unchanged"]
        print(f"satudata run exited {result['returncode']}: {len(failed)} not published, e.g. "
              + "; ".join(f"{d['dataset']}: {d['message'][:300]}" for d in failed[:3]), flush=True)
    return result


def _own_seconds(summary: dict) -> float:
    """The seconds the published datasets spent in their own runs (pull to lineage), summed."""
    return round(sum(d["seconds"] for d in summary["datasets"] if d["status"] == "published"), 2)


def _overhead(wall: float, empty: float, own: float, datasets: int) -> float:
    """Per published dataset: the run's wall time beyond the Prefect floor and the datasets' own work (which runs
    CONCURRENCY at once): starting each dataset's subflow and tasks, the catalogue-wide steps, the site."""
    return round((wall - empty - own / CONCURRENCY) / max(datasets, 1), 3)


def first_publish(count: int, env: dict, reuse: bool) -> tuple[list[dict], dict]:
    """Generate the project and publish it once; with ``reuse``, a project kept from an earlier --keep run (its
    first-run figures are read back, the portal is kept as published)."""
    project = WORK / f"n{count}"
    saved = project / "bench-first.json"
    if reuse and saved.is_file():
        kept = json.loads(saved.read_text(encoding="utf-8"))
        print(f"[{count}] reusing the published project (first run measured {kept['first']['date']})", flush=True)
        return kept["entries"], kept["first"]
    started = time.perf_counter()
    entries = generate(project, count)
    generated = round(time.perf_counter() - started, 1)
    rows = sum(e["rows"] for e in entries)
    print(f"[{count}] generated {count} datasets, {rows:,} rows, in {generated} s", flush=True)
    first = run(project, env)
    counts = first["summary"]["counts"]
    print(f"[{count}] first run: {first['seconds']} s, peak RSS {first['peak_rss_mb']} MB, {counts}", flush=True)
    completion = None
    if counts.get("published") != count:   # e.g. the temporary Prefect server answered 503 under load
        bad = [d for d in first["summary"]["datasets"] if d["status"] != "published"]
        print(f"[{count}] not published in the first run: {len(bad)}, e.g. {bad[0]['message'][:200]}; "
              "running again to complete them", flush=True)
        again = run(project, env)
        completion = {"failed_in_first_run": len(bad), "messages": sorted({d["message"][:160] for d in bad})[:5],
                      "completion_seconds": again["seconds"], "counts": again["summary"]["counts"]}
        if again["summary"]["counts"].get("failed") or again["summary"]["counts"].get("quarantined"):
            raise SystemExit(f"the catalogue does not publish: {again['summary']['counts']}")
    figures = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "load_average": os.getloadavg(),
               "generate_seconds": generated, "rows": rows,
               "seconds": first["seconds"], "peak_rss_mb": first["peak_rss_mb"],
               "per_dataset_seconds": round(first["seconds"] / count, 3),
               "own_seconds": _own_seconds(first["summary"]), "completion": completion}
    saved.write_text(json.dumps({"entries": entries, "first": figures}), encoding="utf-8")
    return entries, figures


def bench_size(count: int, repeat: int, change: bool, reuse: bool = False) -> dict:
    project = WORK / f"n{count}"
    # one Prefect home a size: two benches at once never share one SQLite database
    env = {**os.environ, "PREFECT_HOME": str(WORK / f"prefect-home-{count}")}
    entries, first = first_publish(count, env, reuse)
    measure([PY, str(BENCH / "empty_flow.py")], env)   # warm
    noops, empties, noop_rss = [], [], []
    for _ in range(repeat):   # alternated: both see the same machine; the medians count
        noop = run(project, env)
        assert noop["summary"]["counts"] == {"unchanged": count}, noop["summary"]["counts"]
        noops.append(noop["seconds"])
        noop_rss.append(noop["peak_rss_mb"])
        empties.append(measure([PY, str(BENCH / "empty_flow.py")], env)["seconds"])
    result = {"measured": datetime.now(UTC).isoformat(timespec="seconds"), "load_average": os.getloadavg(),
              "datasets": count, "rows": first["rows"], "big_datasets": sum(e["big"] for e in entries),
              "departments": len({e["department"] for e in entries}), "kinds": sorted({e["kind"] for e in entries}),
              "first_run": first,
              "noop": {"seconds": _median(noops), "runs": noops, "peak_rss_mb": max(noop_rss)},
              "empty_flow": {"seconds": _median(empties), "runs": empties}}
    if first.get("own_seconds") is not None:
        first["per_dataset_overhead_seconds"] = _overhead(first["seconds"], result["empty_flow"]["seconds"],
                                                          first["own_seconds"], count)
    result["noop"]["per_dataset_overhead_ms"] = round(
        1000 * (result["noop"]["seconds"] - result["empty_flow"]["seconds"]) / count, 2)
    print(f"[{count}] no-op re-run: {result['noop']['seconds']} s (runs {noops}), empty flow "
          f"{result['empty_flow']['seconds']} s (runs {empties}), peak RSS {max(noop_rss)} MB", flush=True)
    if change:
        small = [e for e in entries if not e["big"]]
        changed = small[:: max(1, len(small) // max(1, count // 100))][: max(1, count // 100)]
        marker = project / "bench-changes.json"   # each changed run changes the exports again
        shift = json.loads(marker.read_text(encoding="utf-8"))["shift"] + 1 if marker.is_file() else 1
        marker.write_text(json.dumps({"shift": shift}), encoding="utf-8")
        con = duckdb.connect()
        for entry in changed:
            write_export(con, project, entry, shift=shift)
        con.close()
        after = run(project, env)
        statuses = {d["dataset"]: d for d in after["summary"]["datasets"]}
        ids = {e["id"] for e in changed}
        assert all(statuses[i]["status"] == "published" for i in ids), [statuses[i] for i in ids]
        assert after["summary"]["counts"] == {"published": len(ids), "unchanged": count - len(ids)}
        alone, alone_empty = changed_alone(changed, env)
        result["changed"] = {"datasets": len(ids), "seconds": after["seconds"], "peak_rss_mb": after["peak_rss_mb"],
                             "changed_datasets_own_seconds": round(sum(statuses[i]["seconds"] for i in ids), 2),
                             "alone_run_seconds": alone, "alone_empty_flow_seconds": alone_empty,
                             "changed_datasets_cost": round(max(alone - alone_empty, 0.0), 2),
                             "own_seconds": _own_seconds(after["summary"])}
        print(f"[{count}] 1%-changed re-run ({len(ids)} datasets): {after['seconds']} s; the same change in a "
              f"catalogue of those {len(ids)} alone: {alone} s (an empty flow beside it: {alone_empty} s)", flush=True)
    return result


def changed_alone(changed: list[dict], env: dict) -> tuple[float, float]:
    """The cost of the changed datasets themselves: the same datasets, alone in a catalogue, published and then
    changed the same way; the wall time of that changed run (its Prefect floor is the empty flow's)."""
    project = WORK / f"alone{len(changed)}"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    con = duckdb.connect()
    catalog_text = (WORK / f"n{_size_of(changed)}" / "catalog.yaml").read_text(encoding="utf-8")
    (project / "catalog.yaml").write_text(catalog_text, encoding="utf-8")
    for entry in changed:
        shutil.copytree(WORK / f"n{_size_of(changed)}" / "datasets" / entry["id"], project / "datasets" / entry["id"])
        write_export(con, project, entry)
    run(project, env)
    for entry in changed:
        write_export(con, project, entry, shift=1)
    con.close()
    after = run(project, env)
    assert after["summary"]["counts"] == {"published": len(changed)}, after["summary"]["counts"]
    empty = measure([PY, str(BENCH / "empty_flow.py")], env)["seconds"]   # its Prefect floor, measured beside it
    shutil.rmtree(project, ignore_errors=True)
    return after["seconds"], empty


def _size_of(entries: list[dict]) -> int:
    return entries[0]["size"]


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def targets(results: dict[int, dict]) -> list[tuple[str, str, bool]]:
    rows = []
    largest = results[max(results)]
    noop, empty = largest["noop"]["seconds"], largest["empty_flow"]["seconds"]
    rows.append((f"no-op re-run of {largest['datasets']} ≤ empty flow + 10 s",
                 f"{noop} s vs {empty} s + 10 s ({noop - empty:+.1f} s)", noop <= empty + 10))
    if "changed" in largest:
        ch = largest["changed"]
        # The issue: "the 1%-changed re-run costs no more than the changed datasets plus that" (that: the no-op's
        # allowance, an empty flow + 10 s); and the stricter reading, against the no-op as measured.
        allowance = round(ch["changed_datasets_cost"] + empty + 10, 2)
        rows.append((f"1%-changed ({ch['datasets']}) ≤ changed datasets + (empty flow + 10 s)",
                     f"{ch['seconds']} s vs {ch['changed_datasets_cost']} + {empty} + 10 = {allowance} s",
                     ch["seconds"] <= allowance))
        bound = round(ch["changed_datasets_cost"] + noop, 2)
        rows.append((f"stricter: 1%-changed ({ch['datasets']}) ≤ changed datasets + the measured no-op",
                     f"{ch['seconds']} s vs {ch['changed_datasets_cost']} + {noop} = {bound} s "
                     f"({ch['seconds'] - bound:+.1f} s)", ch["seconds"] <= bound))
    if len(results) > 1:
        smallest = results[min(results)]
        a, b = smallest["noop"]["peak_rss_mb"], largest["noop"]["peak_rss_mb"]
        rows.append((f"no-op peak RSS does not grow: {smallest['datasets']} → {largest['datasets']} datasets",
                     f"{a} MB → {b} MB ({(b - a) / max(a, 1):+.0%})", b <= a * 1.15))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the published projects (for --reuse)")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse projects published by an earlier --keep run: no new first run")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    WORK.mkdir(parents=True, exist_ok=True)
    results: dict[int, dict] = {}
    try:
        for count in sizes:
            results[count] = bench_size(count, args.repeat, change=True, reuse=args.reuse)
            if not args.keep:
                shutil.rmtree(WORK / f"n{count}", ignore_errors=True)
    finally:
        if not args.keep:
            shutil.rmtree(WORK, ignore_errors=True)
    out = BENCH / "results-catalog.json"
    earlier = json.loads(out.read_text(encoding="utf-8")).get("sizes", {}) if out.is_file() else {}
    for size, figures in earlier.items():   # sizes measured by an earlier run (e.g. --sizes 100) are kept
        results.setdefault(int(size), figures)
    checked = targets(results)
    print("\n| target | measured | met |\n|---|---|---|")
    for name, measured, met in checked:
        print(f"| {name} | {measured} | {'yes' if met else 'NO'} |")
    machine = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": platform.platform(),
               "python": platform.python_version(), "cpus": os.cpu_count(), "load_average": os.getloadavg()}
    document = {"machine": machine, "sizes": {str(k): v for k, v in results.items()},
                "targets": {name: {"measured": m, "met": ok} for name, m, ok in checked}}
    out.write_text(json.dumps(document, indent=2), encoding="utf-8")
    print(f"written: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
