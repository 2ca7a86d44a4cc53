"""`satudata run` as a steward sees it: in a real pseudo-terminal the dataset's line is redrawn in place while its
export is read (rows, MB, rows/s, ETA); through a pipe the same comes as plain lines. The export is a generated
2M-row queue log (bench/generate.py), so reading it takes a few seconds."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from tests.bench_project import DATASET, bench_project

pytestmark = pytest.mark.slow

ROWS = 2_000_000
SATUDATA = str(Path(sys.executable).parent / "satudata")
SGR = re.compile(r"\x1b\[[0-9;]*m")                      # colours and styles
CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")           # any other escape: cursor moves, erase line, ...


@pytest.fixture(scope="module")
def bench(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("cli-progress")
    catalog = bench_project(root, ROWS)
    env = {**os.environ, "PREFECT_HOME": str(root / "prefect"), "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    return catalog, env


def _command(catalog: Path, portal: Path) -> list[str]:
    return [SATUDATA, "run", DATASET, "--catalog", str(catalog), "--portal", str(portal)]


def _controlling_terminal() -> None:
    """In the child: a session of its own with the pseudo-terminal as its controlling terminal, as a shell does,
    so Ctrl+C typed on it interrupts the child's process group."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _in_pty(command: list[str], env: dict, timeout: float = 600,
            ctrl_c_after: bytes | None = None) -> tuple[int, bytes, float | None, int]:
    """Run ``command`` on a 40x120 pseudo-terminal (stdin, stdout, stderr); (exit code, everything it wrote, seconds
    from Ctrl+C to the exit, its process group). ``ctrl_c_after``: type Ctrl+C once the output holds these bytes."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    process = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave, env=env,
                               preexec_fn=_controlling_terminal)
    os.close(slave)
    chunks, deadline, typed = [], time.monotonic() + timeout, None
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:   # EIO: the process closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
                if ctrl_c_after is not None and typed is None and ctrl_c_after in b"".join(chunks[-50:]):
                    os.write(master, b"\x03")
                    typed = time.monotonic()
            elif process.poll() is not None:
                break
        code = process.wait(timeout=60)
        return code, b"".join(chunks), (time.monotonic() - typed) if typed else None, process.pid
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)


def _reading_lines(screen: str) -> list[str]:
    """The dataset's board line each time it was drawn while its export was read."""
    drawn = CONTROL.split(SGR.sub("", screen).replace("\r\n", "\n").replace("\r", "\n"))
    lines = [line for part in drawn for line in part.split("\n")]
    return [line for line in lines if line.startswith(DATASET) and "periksa/validate" in line and "baris/rows" in line]


def _rows(line: str) -> int:
    return int(re.search(r"([\d,]+) baris/rows", line).group(1).replace(",", ""))


def test_the_live_line_updates_in_a_pseudo_terminal(bench, tmp_path: Path):
    catalog, env = bench
    code, raw, _, _ = _in_pty(_command(catalog, tmp_path / "portal"), env)
    screen = raw.decode("utf-8", errors="replace")
    assert code == 1, screen[-3000:]   # the generator plants errors: quarantined
    assert "\x1b[?25l" in screen and "\x1b[2K" in screen and "\x1b[1A" in screen   # redrawn in place
    lines = _reading_lines(screen)
    rows = [_rows(line) for line in lines]
    assert rows == sorted(rows) and rows[-1] == ROWS
    while_reading = sorted({r for r in rows if r < ROWS})
    assert len(while_reading) >= 3, lines   # the line changed at least three times before the end of the reading
    assert any(re.search(r"[\d.]+/[\d.]+ MB · [\d,]+/s · ETA \d+ s", line) for line in lines), lines
    text = CONTROL.sub("", SGR.sub("", screen))
    timing = re.search(rf"│ {DATASET} │\s+([\d.]+) │\s+([\d.]+) │\s+- │", text)   # seconds per stage
    assert timing and float(timing.group(2)) > 0, text[-4000:]
    assert re.search(r"… \d+ lagi / more: lihat / see \S+validation\.html", text)


def test_plain_lines_when_stdout_is_a_pipe(bench, tmp_path: Path):
    catalog, env = bench
    done = subprocess.run([*_command(catalog, tmp_path / "portal"), "--log-every", "0.25"], env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    assert "\x1b" not in done.stdout and "\r" not in done.stdout
    log = [line for line in done.stdout.splitlines() if re.match(rf"\d\d:\d\d:\d\d {DATASET}: ", line)]
    stages = [line.split(": ", 1)[1] for line in log]
    assert stages[0] == "ambil/pull" and stages[1] == "periksa/validate"
    reading = [line for line in log if "periksa/validate " in line and "baris/rows" in line]
    assert len(reading) >= 3, log   # one every quarter of a second
    assert [_rows(line) for line in reading] == sorted(_rows(line) for line in reading)
    assert any(re.search(rf": {ROWS:,} baris/rows dibaca/read, [\d.]+ MB in [\d.]+ s", line) for line in log)
    assert re.search(r": karantina/quarantined \([\d.]+ s\)$", log[-1])
    assert "1 quarantined" in done.stdout
    noise = [line for line in done.stdout.splitlines() + done.stderr.splitlines()
             if re.search(r"(?i:prefect)|Calculating Metrics|Traceback|\bWARNING\b|\bINFO\b", line)]
    assert noise == []


def test_ctrl_c_stops_the_run_at_once_with_exit_130_and_leaves_nothing_behind(bench, tmp_path: Path):
    catalog, env = bench
    work = catalog.parent / ".satudata" / "work"
    before = set(work.iterdir()) if work.is_dir() else set()
    command = _command(catalog, tmp_path / "portal")
    code, raw, seconds, group = _in_pty(command, env, ctrl_c_after=b"baris/rows")
    screen = raw.decode("utf-8", errors="replace")
    assert seconds is not None, "the reading never showed"
    assert code == 130 and seconds < 15, (code, seconds, screen[-2000:])
    assert "dihentikan / interrupted" in screen and "nothing is half-published" in screen
    assert screen.rfind("\x1b[?25h") > screen.rfind("\x1b[?25l")   # the cursor is shown again
    assert (set(work.iterdir()) if work.is_dir() else set()) == before   # the run's work folder is gone
    assert not (tmp_path / "portal" / "dispendukcapil" / DATASET).exists()
    assert _group_gone(group), "a process of the run (the temporary Prefect server) is still running"


def _group_gone(group: int, wait: float = 10) -> bool:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False
