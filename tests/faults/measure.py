"""Run one corpus case through the installed CLI and measure it against the issue's criteria.

``measure`` runs a command as a subprocess in its own session, samples the resident size of its whole process tree
(every process it started, Prefect's server included) from /proc every 50 ms, and kills the tree at the time limit
or when it passes the memory cap. (The kernel's ``ru_maxrss`` of the child is not used: after fork and exec it
still holds the parent's peak, here pytest's, so it reads high for every case. Its CPU time is kept, with the load
average at the start, because wall seconds on a shared two-core machine depend on what else runs.)

``run_case`` prepares a copied project for one case (the good demo exports already published into its portal),
points the dataset's source at the bad export (``validate DATASET FILE`` for files; the declared source, changed
in the copied catalogue, for SQL and HTTP and for every ``run``), runs the CLI and judges:

- exit code not zero;
- no Python traceback on stdout or stderr (``Traceback (most recent call last)`` or a bare ``SomeError: ...`` line);
- peak RSS of the tree at most 1 GiB and wall time at most 60 s (never killed);
- the export named on the console or in the steward's report the console points to (file name, SQLite file or
  URL), and the row/column/text the case says a good message names;
- every byte of the portal, symlinks included, the same before and after.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from tests.faults.corpus import REPO, TARGETS, Case

SATUDATA = REPO / ".venv" / "bin" / "satudata"
TIME_LIMIT = 60.0                 # seconds, the criterion and the kill deadline
RSS_LIMIT_MB = 1024.0             # the criterion
RSS_KILL_MB = float(os.environ.get("SATUDATA_FAULTS_RSS_KILL_MB", 4096))   # protects the machine
SAMPLE_SECONDS = 0.05
KEEP_OUTPUT = 20_000              # characters of stdout/stderr kept in a result (head and tail)
PAGE = os.sysconf("SC_PAGE_SIZE")

TRACEBACK = re.compile(
    r"Traceback \(most recent call last\)"
    r"|^\s*(?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Exception|Exit|Interrupt|BadZipFile)(?::\s|\s*$)",
    re.MULTILINE)


# ------------------------------------------------------------------------------------------------ measuring

@dataclass
class Measurement:
    argv: list[str]
    exit_code: int | None         # None when killed
    seconds: float
    peak_rss_mb: float            # the largest sampled total of the tree
    killed: str | None            # None | "timeout" | "memory"
    stdout: str
    stderr: str
    leftover: int = 0             # processes of the tree still alive after the CLI exited (then killed)
    cpu_seconds: float = 0.0      # user + system time of the CLI and the children it waited for
    load: float = 0.0             # the machine's 1-minute load average when the command started


def _stat(pid: int | str) -> tuple[int, int] | None:
    """(parent pid, start time in clock ticks) of a process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
    except OSError:
        return None
    fields = stat[stat.rindex(b")") + 2:].split()
    return int(fields[1]), int(fields[19])


def process_tree(root: int) -> dict[int, int]:
    """pid -> start time of root and every process below it."""
    stats = {int(e.name): _stat(e.name) for e in os.scandir("/proc") if e.name.isdigit()}
    children: dict[int, list[int]] = {}
    for pid, stat in stats.items():
        if stat is not None:
            children.setdefault(stat[0], []).append(pid)
    found, todo = {}, [root]
    while todo:
        pid = todo.pop()
        if stats.get(pid) is not None:
            found[pid] = stats[pid][1]
        todo.extend(children.get(pid, []))
    return found


def tree_rss_bytes(pids) -> int:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


def _kill(started: dict[int, int], group: int) -> None:
    """SIGKILL the process group, then any process of the tree that left it: only a pid whose start time is the one
    recorded while sampling, so a recycled pid is never touched."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signal.SIGKILL)
    for pid, start in started.items():
        stat = _stat(pid)
        if stat is not None and stat[1] == start:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


def _clip(text: str) -> str:
    if len(text) <= 2 * KEEP_OUTPUT:
        return text
    return text[:KEEP_OUTPUT] + f"\n[... {len(text) - 2 * KEEP_OUTPUT} characters left out ...]\n" + text[-KEEP_OUTPUT:]


def measure(argv: list[str], *, cwd: Path, env: dict[str, str], timeout: float = TIME_LIMIT,
            rss_kill_mb: float = RSS_KILL_MB) -> Measurement:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        load = os.getloadavg()[0]
        started = time.monotonic()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                start_new_session=True)
        peak, killed, status, usage = 0, None, None, None
        seen: dict[int, int] = {}
        try:
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid == proc.pid:
                    break
                pids = process_tree(proc.pid)
                seen.update(pids)
                peak = max(peak, tree_rss_bytes(pids))
                elapsed = time.monotonic() - started
                if elapsed > timeout or peak > rss_kill_mb * 2**20:
                    killed = "timeout" if elapsed > timeout else "memory"
                    _kill(seen, proc.pid)
                    _, status, usage = os.wait4(proc.pid, 0)
                    break
                time.sleep(SAMPLE_SECONDS)
        except BaseException:   # interrupted (Ctrl+C, SIGTERM via conftest): never leave the CLI running
            _kill(seen, proc.pid)
            with contextlib.suppress(ChildProcessError):
                os.wait4(proc.pid, 0)
            raise
        seconds = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)   # reaped here: Popen must not wait again
        alive = {pid: start for pid, start in seen.items() if (_stat(pid) or (0, None))[1] == start}
        _kill(alive, proc.pid)   # a server or worker the CLI left behind
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    return Measurement([str(a) for a in argv], None if killed else proc.returncode, round(seconds, 2),
                       round(peak / 2**20, 1), killed, _clip(stdout), _clip(stderr),
                       0 if killed else len(alive), round(usage.ru_utime + usage.ru_stime, 1), round(load, 1))


def traceback_lines(text: str) -> list[str]:
    """The lines that show a Python traceback or a bare exception line."""
    return [m.group(0).strip() for m in TRACEBACK.finditer(text)]


def exception_head(text: str) -> str | None:
    """The exception a traceback ends with (``module.SomeError: message``), else the first bare exception line."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if "Traceback (most recent call last)" not in line:
            continue
        for following in lines[index + 1:]:
            stripped = following.strip(" │┃")
            if stripped and not following.startswith((" ", "\t", "│", "┃", "╭", "╰", "─", "^")):
                return stripped[:300]
    hits = [h for h in traceback_lines(text) if "Traceback" not in h]
    return hits[0][:300] if hits else None


def traceback_kind(text: str) -> str | None:
    """'logged' when the first traceback is one Prefect's logger printed for a failed task or flow run (the CLI
    went on), 'ignored' when Python printed and swallowed it (an exception in a callback), 'uncaught' when it is
    the CLI's own death, None when there is none."""
    index = text.find("Traceback (most recent call last)")
    if index < 0:
        return None
    before = text[:index].rstrip().rsplit("\n", 1)[-1]
    if before.startswith("Exception ignored in"):
        return "ignored"          # sys.unraisablehook: an exception inside a callback, printed and swallowed
    return "logged" if re.search(r"\|\s*(?:ERROR|WARNING|CRITICAL)\s*\|", before) else "uncaught"


FRAME = re.compile(r'File "([^"]+)", line (\d+), in (\S+)|(/\S+?\.py):(\d+) in (\S+)')   # plain | rich


def traceback_where(text: str) -> str | None:
    """The innermost frame of the project's own code in the first traceback (path:line function)."""
    start = text.find("Traceback (most recent call last)")
    if start < 0:
        return None
    end = text.find("Traceback (most recent call last)", start + 1)
    frames = [(m.group(1) or m.group(4), m.group(2) or m.group(5), m.group(3) or m.group(6))
              for m in FRAME.finditer(text[start:end if end > 0 else None])]
    own = [(path, line, fn) for path, line, fn in frames if path.startswith(str(REPO)) and "/.venv/" not in path]
    if not own:
        return None
    path, line, fn = own[-1]
    return f"{Path(path).relative_to(REPO)}:{line} {fn}"


# ------------------------------------------------------------------------------------------------ projects

def faults_env(state: Path) -> dict[str, str]:
    """The CLI's environment: Prefect state in the suite's folder, loopback only, no CKAN, lineage or webhook."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SATUDATA_CKAN", "OPENLINEAGE"))}
    for name in ("SATUDATA_PORTAL_DIR", "SATUDATA_WEBHOOK_URL", "PREFECT_API_URL"):
        env.pop(name, None)
    env.update({"PREFECT_HOME": str(state / "prefect"), "SATUDATA_PRIVACY_SALT": "faults-salt-not-secret",
                "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost", "COLUMNS": "200",
                "NO_COLOR": "1", "TERM": "dumb", "PYTHONDONTWRITEBYTECODE": "1"})
    (state / "prefect").mkdir(parents=True, exist_ok=True)
    return env


def copy_project(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO / "catalog.yaml", dest / "catalog.yaml")
    shutil.copytree(REPO / "datasets", dest / "datasets")
    shutil.copytree(REPO / "exports", dest / "exports")
    return dest


def publish_golden(dest: Path, env: dict[str, str]) -> Path:
    """A copied project whose portal holds version 1.0.0 of every dataset the corpus targets."""
    copy_project(dest)
    result = measure([str(SATUDATA), "run", *TARGETS, "-c", str(dest / "catalog.yaml"), "--portal",
                      str(dest / "portal")], cwd=dest, env=env, timeout=600, rss_kill_mb=8192)
    if result.exit_code != 0:
        raise RuntimeError(f"the good demo exports did not publish:\n{result.stdout}\n{result.stderr}")
    return dest


def portal_digest(portal: Path) -> dict[str, str]:
    """Every path under the portal: sha256 of each file, the target of each symlink, 'dir' for directories."""
    digest: dict[str, str] = {}
    for path in sorted(portal.rglob("*")):
        key = str(path.relative_to(portal))
        if path.is_symlink():
            digest[key] = "-> " + os.readlink(path)
        elif path.is_dir():
            digest[key] = "dir"
        else:
            sha = hashlib.sha256()
            with path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    sha.update(chunk)
            digest[key] = sha.hexdigest()
    return digest


def _fill(value: str, places: dict[str, str]) -> str:
    for name, address in places.items():
        value = value.replace("{" + name + "}", address)
    return value


def point_source(project: Path, item: Case, places: dict[str, str], *, declared_file: bool) -> None:
    """Change the dataset's source in the project's catalogue to reach the case's export."""
    path = project / "catalog.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    source = next(d for d in raw["datasets"] if d["id"] == item.dataset)["source"]
    if item.kind == "file":
        if not declared_file:
            return
        source["path"] = f"exports/faults/{item.files[0]}"
    elif item.kind == "http":
        source.pop("path", None)
    for key, value in item.source.items():
        source[key] = _fill(value, places) if isinstance(value, str) else value
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")


def command(project: Path, item: Case, mode: str) -> list[str]:
    catalog = str(project / "catalog.yaml")
    if mode == "run":
        return [str(SATUDATA), "run", item.dataset, "-c", catalog, "--portal", str(project / "portal")]
    if item.kind == "file":
        return [str(SATUDATA), "validate", item.dataset, str(project / "exports" / "faults" / item.files[0]),
                "-c", catalog]
    return [str(SATUDATA), "validate", item.dataset, "-c", catalog]


def latest_report(project: Path, item: Case, mode: str) -> Path | None:
    base = project / ("quarantine" if mode == "run" else ".satudata/reports") / item.dataset
    found = sorted(base.glob("*/validation.json")) if base.is_dir() else []
    return found[-1] if found else None


# ------------------------------------------------------------------------------------------------ judging

@dataclass
class Result:
    case: str
    mode: str                           # validate | run
    dataset: str
    kind: str
    what: str
    exit_code: int | None
    seconds: float
    peak_rss_mb: float
    killed: str | None
    traceback: bool
    traceback_head: str | None
    traceback_where: str | None         # innermost frame of the project's code in the first traceback
    traceback_kind: str | None          # logged (by Prefect, the run went on) | uncaught (the CLI died)
    file_named: str | None              # "console" | "report" | None
    missing_names: list[str]
    portal_changed: list[str]
    status: str | None                  # run: the dataset's status in the summary (quarantined, failed, ...)
    headline: str                       # the message the steward sees, in one line
    report: str | None
    leftover: int = 0                   # processes the CLI left running (killed by measure; reported, not judged)
    cpu_seconds: float = 0.0
    load: float = 0.0
    stdout: str = field(repr=False, default="")
    stderr: str = field(repr=False, default="")

    @property
    def failures(self) -> list[str]:
        why = []
        if self.killed == "timeout":
            why.append(f"still running at {self.seconds:.0f} s (killed)")
        elif self.killed == "memory":
            why.append(f"killed at {self.peak_rss_mb:.0f} MB RSS")
        elif self.seconds > TIME_LIMIT:
            why.append(f"{self.seconds:.0f} s > {TIME_LIMIT:.0f} s")
        if self.exit_code == 0:
            why.append("exit code 0")
        if self.traceback:
            why.append(f"traceback ({self.traceback_head})")
        if self.peak_rss_mb > RSS_LIMIT_MB and self.killed != "memory":
            why.append(f"peak RSS {self.peak_rss_mb:.0f} MB > {RSS_LIMIT_MB:.0f} MB")
        if not self.file_named:
            why.append("export not named")
        if self.missing_names:
            why.append("does not name " + ", ".join(self.missing_names))
        if self.portal_changed:
            why.append(f"portal changed ({len(self.portal_changed)} paths, e.g. {self.portal_changed[0]})")
        return why

    @property
    def passed(self) -> bool:
        return not self.failures

    def as_dict(self) -> dict:
        return {**asdict(self), "failures": self.failures, "passed": self.passed}


def _flat(text: str) -> str:
    return re.sub(r"[\s│┃|]+", "", text)


def _status(stdout: str, dataset: str) -> str | None:
    for line in stdout.splitlines():
        cells = [c.strip() for c in re.split(r"[│┃]", line)]
        if dataset in cells:
            index = cells.index(dataset)
            if index + 1 < len(cells) and cells[index + 1]:
                return cells[index + 1]
    return None


def _rows_named(report: dict | None, text: str, row: int) -> bool:
    if report:
        for result in report.get("results", []):
            if result.get("count") and any(e.get("row") == row for e in result.get("examples", [])):
                return True
    return re.search(rf"(?:row|rows|line|baris|baris ke-|record)\D{{0,12}}\b{row}\b", text, re.IGNORECASE) is not None


def _column_named(report: dict | None, text: str, column: str) -> bool:
    if report:
        for result in report.get("results", []):
            if result.get("count") and (result.get("field") == column
                                        or any(e.get("field") == column for e in result.get("examples", []))):
                return True
    return column in text


def _failing(report: dict | None) -> list[dict]:
    return [r for r in (report or {}).get("results", []) if r.get("count")]


def judge_names(item: Case, console: str, report: dict | None) -> tuple[str | None, list[str]]:
    """Where the export is named (on the console; else in the steward's report of the failure: its fatal message,
    its failing examples or the export it lists) and which of the case's row/column/text names no message gives
    (the console, the fatal message and the failing checks of the report are read, never the passing ones)."""
    fatal = (report or {}).get("fatal") or {}
    fatal_text = json.dumps(fatal, ensure_ascii=False)
    failing = _failing(report)
    token = item.token
    listed = {e.get("name") for e in (report or {}).get("exports", [])} | \
        {e.get("uri", "").rsplit("/", 1)[-1] for e in (report or {}).get("exports", [])}
    reported = bool(fatal) or bool(failing)
    if token in console or _flat(token) in _flat(console):
        where = "console"
    elif reported and (token in fatal_text or token in listed
                       or token in {e.get("file") for r in failing for e in r.get("examples", [])}):
        where = "report"
    else:
        where = None
    text = "\n".join([console, fatal_text, json.dumps(failing, ensure_ascii=False)[:2_000_000]])
    # the export's own name (or URL) says nothing about rows, columns or keys: leave it out of the search
    console, fatal_text, text = (t.replace(token, "<export>") for t in (console, fatal_text, text))
    missing = []
    for name in item.names:
        kind, _, value = name.partition(":")
        if kind == "row":
            ok = _rows_named(report, console + "\n" + fatal_text, int(value))
        elif kind == "column":
            ok = _column_named(report, console + "\n" + fatal_text, value)
        elif kind == "re":
            ok = re.search(value, text) is not None
        else:
            ok = value in text
        if not ok:
            missing.append(name)
    return where, missing


def _headline(m: Measurement, report: dict | None, status: str | None) -> str:
    console = m.stdout + "\n" + m.stderr
    head = exception_head(console)
    if m.killed:
        return f"killed ({m.killed}) after {m.seconds:.0f} s; last output: " + \
            (" ".join(console.split())[-200:] or "(none)")
    if traceback_lines(console) and head:
        return (f"[{status}] " if status else "") + head
    if report and report.get("fatal"):
        fatal = report["fatal"]
        return f"{fatal.get('file')}: {fatal.get('message', {}).get('en')}"[:300]
    if report and report.get("results"):
        failing = [f"{r['check']}@{r.get('field') or '-'}×{r['count']}" for r in report["results"]
                   if r.get("count") and r.get("severity") == "error"]
        return (f"{report.get('status')}: {report['summary']['errors']} errors: " + ", ".join(failing[:6]))[:300]
    lines = [line.strip() for line in console.splitlines() if line.strip()]
    return (f"status {status}: " if status else "") + (lines[-1][:300] if lines else "(no output)")


def run_case(item: Case, mode: str, *, golden: Path, corpus_dir: Path, places: dict[str, str],
             workdir: Path, env: dict[str, str], timeout: float = TIME_LIMIT) -> Result:
    """One case, one mode, in a fresh copy of the golden project (removed afterwards)."""
    project = workdir / f"{item.id}-{mode}"
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(golden, project, symlinks=True)
    try:
        faults = project / "exports" / "faults"
        faults.mkdir(parents=True, exist_ok=True)
        for name in item.files:
            shutil.copyfile(corpus_dir / name, faults / name)
        point_source(project, item, places, declared_file=(mode == "run"))
        before = portal_digest(project / "portal")
        m = measure(command(project, item, mode), cwd=project, env=env, timeout=timeout)
        after = portal_digest(project / "portal")
        changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        report_path = latest_report(project, item, mode)
        report = None
        if report_path is not None:
            with contextlib.suppress(ValueError, OSError):
                report = json.loads(report_path.read_text(encoding="utf-8"))
        console = m.stdout + "\n" + m.stderr
        status = _status(m.stdout, item.dataset) if mode == "run" else None
        where, missing = judge_names(item, console, report)
        hits = traceback_lines(console)
        return Result(item.id, mode, item.dataset, item.kind, item.what, m.exit_code, m.seconds, m.peak_rss_mb,
                      m.killed, bool(hits), exception_head(console) if hits else None,
                      traceback_where(console) if hits else None, traceback_kind(console) if hits else None,
                      where, missing, changed,
                      status, _headline(m, report, status),
                      str(report_path.relative_to(project)) if report_path else None, m.leftover,
                      m.cpu_seconds, m.load, m.stdout, m.stderr)
    finally:
        shutil.rmtree(project, ignore_errors=True)


def append_result(result: Result, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(result.as_dict(), ensure_ascii=False) + "\n")
