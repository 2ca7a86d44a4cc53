"""One line per case and mode: the seed of a future `make faults` report.

    python -m tests.faults.report                      # print .satudata/faults/results.jsonl (the last pytest run)
    python -m tests.faults.report --results FILE       # another results file
    python -m tests.faults.report --run [--mode validate|run|both] [--case ID ...] [--no-big] [--timeout S]
                                                       # run the cases here, without pytest, and print them
    --why                                              # add each failure's reasons and message
    python -m tests.faults.report --figures [--dir D]  # every proof's figures (<proof>.json) beside its targets;
                                                       # exit 1 if a target is unmet or an expected proof is missing

Columns: case, mode, exit code ("kill": killed at 60 s or at the memory cap), wall seconds, CPU seconds of the CLI
and its children, the machine's load average at the start, peak RSS of the process tree in MB, traceback yes/no,
names the export (con[sole]/rep[ort]/no), portal same/CHANGED, PASS/FAIL.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from tests.faults.corpus import CASES, REPO, write_corpus
from tests.faults.http_server import serving
from tests.faults.measure import TIME_LIMIT, append_result, faults_env, publish_golden, run_case

DEFAULT_RESULTS = REPO / ".satudata" / "faults" / "results.jsonl"
HEADER = (f"{'case':32} {'mode':8} {'exit':>4} {'sec':>6} {'cpu':>6} {'load':>4} {'MB':>6} {'tb':3} {'file':4} "
          f"{'portal':6} verdict")


def line(result: dict, why: bool = False) -> str:
    exit_code = "kill" if result["killed"] else str(result["exit_code"])
    named = {"console": "con", "report": "rep"}.get(result["file_named"] or "", "no")
    text = (f"{result['case']:32} {result['mode']:8} {exit_code:>4} {result['seconds']:6.1f} "
            f"{result.get('cpu_seconds', 0):6.1f} {result.get('load', 0):4.1f} {result['peak_rss_mb']:6.0f} "
            f"{'yes' if result['traceback'] else 'no':3} {named:4} "
            f"{'same' if not result['portal_changed'] else 'CHANGED':6} {'PASS' if result['passed'] else 'FAIL'}")
    if why and not result["passed"]:
        text += "\n    why: " + "; ".join(result["failures"]) + "\n    msg: " + result["headline"]
        if result.get("traceback_where"):
            text += f"\n    at:  {result['traceback_where']} ({result.get('traceback_kind')})"
    return text


def summary(results: list[dict]) -> str:
    passed = sum(r["passed"] for r in results)
    by_mode = {}
    for r in results:
        by_mode.setdefault(r["mode"], [0, 0])
        by_mode[r["mode"]][0 if r["passed"] else 1] += 1
    modes = ", ".join(f"{m}: {p} pass / {f} fail" for m, (p, f) in by_mode.items())
    return f"{len(results)} results, {passed} pass, {len(results) - passed} fail ({modes})"


def print_results(results: list[dict], why: bool) -> None:
    print(HEADER)
    for result in results:
        print(line(result, why))
    print(summary(results))


def _load(path: Path) -> list[dict]:
    return [json.loads(text) for text in path.read_text(encoding="utf-8").splitlines() if text.strip()]


def run_here(ids: list[str] | None, modes: list[str], big: bool, results: Path, why: bool,
             timeout: float = TIME_LIMIT) -> list[dict]:
    chosen = [c for c in CASES if (ids is None or c.id in ids) and (big or not c.big)]
    out: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="satudata-faults-") as tmp:
        root = Path(tmp)
        write_corpus(root / "corpus", only=[c.id for c in chosen])
        env = faults_env(root / "state")
        golden = publish_golden(root / "golden", env)
        results.parent.mkdir(parents=True, exist_ok=True)
        results.write_text("", encoding="utf-8")
        print(HEADER, flush=True)
        with serving(root / "http") as places:
            for mode in modes:
                for item in chosen:
                    result = run_case(item, mode, golden=golden, corpus_dir=root / "corpus", places=places,
                                      workdir=root, env=env, timeout=timeout)
                    append_result(result, results)
                    out.append(result.as_dict())
                    print(line(out[-1], why), flush=True)
    print(summary(out))
    return out


# Every proof of issue 19 `make faults` runs (19.1 kill -9 local and CKAN, 19.2 disk, 19.3 CKAN faults, 19.4 two runs,
# 19.5 bad inputs, 19.6 hostile content, 19.7 secrets, 19.8 personal data); a missing one is reported and fails.
EXPECTED_PROOFS = ("kill-local", "kill-ckan", "disk", "ckan-faults", "two-runs-local", "two-runs-ckan", "two-workers",
                   "bad-inputs", "hostile", "secrets", "privacy")


def print_figures(folder: Path, expected: tuple[str, ...] = EXPECTED_PROOFS) -> int:
    """Every ``<proof>.json`` of ``folder`` as a table: proof, figure, value, target, met. Returns the exit code."""
    documents = {}
    for path in sorted(folder.glob("*.json")):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            print(f"{path.name}: not JSON", file=sys.stderr)
            return 1
        if isinstance(document, dict) and "figures" in document and "proof" in document:
            documents[document["proof"]] = document
    missing = [p for p in expected if p not in documents]
    width = max([len(f["name"]) for d in documents.values() for f in d["figures"]] + [6])
    print(f"{'proof':18} {'figure':{width}} {'value':>10} {'target':>8}  met")
    unmet = 0
    for proof, document in sorted(documents.items()):
        for figure in document["figures"]:
            value = figure["value"]
            shown = f"{value:g}" if isinstance(value, int | float) else str(value)
            print(f"{proof:18} {figure['name']:{width}} {shown:>10} {figure['target']:>8}  "
                  f"{'yes' if figure['met'] else 'NO'}")
            unmet += 0 if figure["met"] else 1
    for proof in missing:
        print(f"{proof:18} {'(no figures: the proof did not run or did not finish)':{width}} {'-':>10} {'-':>8}  NO")
    seeds = ", ".join(f"{p} {d['seed']}" for p, d in sorted(documents.items()) if d.get("seed") is not None)
    print(f"{len(documents)} proofs, {sum(len(d['figures']) for d in documents.values())} figures, {unmet} unmet, "
          f"{len(missing)} missing" + (f"; seeds: {seeds}" if seeds else ""))
    return 1 if unmet or missing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", type=Path, default=None)
    parser.add_argument("--run", action="store_true", help="run the cases now instead of reading results")
    parser.add_argument("--mode", choices=("validate", "run", "both"), default="both")
    parser.add_argument("--case", action="append", dest="cases")
    parser.add_argument("--no-big", action="store_true", help="leave out the 50 MB, 100k-column and bomb cases")
    parser.add_argument("--why", action="store_true", help="print each failure's reasons and message")
    parser.add_argument("--timeout", type=float, default=TIME_LIMIT,
                        help="kill deadline in seconds (the verdict still fails anything over 60 s): a longer one "
                             "shows how long a slow case really takes")
    parser.add_argument("--figures", action="store_true", help="print every proof's figures beside its targets")
    parser.add_argument("--dir", type=Path, default=None, help="the proofs' folder (default $SATUDATA_FAULTS_DIR or "
                                                               ".satudata/faults)")
    parser.add_argument("--expect", action="append", default=None,
                        help="a proof whose figures must be there (default: " + ", ".join(EXPECTED_PROOFS) + ")")
    args = parser.parse_args(argv)
    if args.figures:
        from tests.faults.figures import faults_dir

        return print_figures(args.dir or faults_dir(), tuple(args.expect) if args.expect else EXPECTED_PROOFS)
    if args.run:
        started = time.monotonic()
        modes = ["validate", "run"] if args.mode == "both" else [args.mode]
        results = run_here(args.cases, modes, not args.no_big, args.results or REPO / ".satudata" / "faults" /
                           "report-run.jsonl", args.why, args.timeout)
        print(f"total {time.monotonic() - started:.0f} s")
    else:
        path = args.results or DEFAULT_RESULTS
        if not path.is_file():
            print(f"no results at {path}: run `pytest -m faults tests/faults` or use --run", file=sys.stderr)
            return 2
        results = _load(path)
        if args.cases:
            results = [r for r in results if r["case"] in args.cases]
        print_results(results, args.why)
    return 0 if all(r["passed"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
