"""The progress a run shows: fed by the reader's advance() and the flows' report(), drawn as plain lines or live,
with the seconds per stage (the real run in a terminal and through a pipe is tests/e2e/test_cli_progress.py)."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest
from rich.console import Console

from satudata.cli.board import LiveBoard, PlainLog, Reading
from satudata.core.catalog import load_catalog, load_schema
from satudata.flows import progress
from satudata.sources.pull import pull
from satudata.sources.read import read_exports
from tests.bench_project import DATASET, bench_project

ROWS = 300_000


@pytest.fixture(scope="module")
def queue_log(tmp_path_factory) -> tuple:
    catalog = load_catalog(bench_project(tmp_path_factory.mktemp("bench"), ROWS))
    dataset = catalog.dataset(DATASET)
    work = catalog.root / "work"
    raws = pull(dataset.source, catalog.root, work / "raw")
    return catalog, dataset, raws, work


def _read(queue_log, listener) -> list[progress.Update]:
    """Read the generated export as a run does: the stage reported, then the reader advancing after every batch."""
    catalog, dataset, raws, work = queue_log
    total = sum(r.bytes for r in raws)
    seen: list[progress.Update] = []
    progress.reset()
    with progress.listening(lambda u: (seen.append(u), listener(u))):
        progress.report(DATASET, "validate")
        read_exports(raws, dataset.source.options, load_schema(catalog, DATASET)["fields"],
                     work / "staged.parquet", lambda rows, done: progress.advance(DATASET, rows, done, total))
        progress.report(DATASET, "quarantined")
    return seen


def test_the_reader_reports_rows_and_the_bytes_it_has_parsed_after_every_batch(queue_log):
    seen = [u for u in _read(queue_log, lambda u: None) if u.rows is not None and u.stage == "validate"]
    total = queue_log[2][0].bytes
    assert len(seen) >= 10 and seen[-1].rows == ROWS and seen[-1].bytes_read == seen[-1].bytes_total == total
    assert [u.rows for u in seen] == sorted(u.rows for u in seen)
    assert [u.bytes_read for u in seen] == sorted(u.bytes_read for u in seen)
    for update in seen:   # bytes follow the rows (within 5% of the file): the ETA can trust them
        assert abs(update.bytes_read / total - update.rows / ROWS) < 0.05, update


def test_plain_log_prints_the_stage_the_reading_and_the_outcome_line_by_line(queue_log):
    out = io.StringIO()
    log = PlainLog(Console(file=out, width=200), [DATASET], every=0.0)
    _read(queue_log, log)
    lines = out.getvalue().splitlines()
    assert "\x1b" not in out.getvalue() and "\r" not in out.getvalue()
    assert all(re.match(rf"\d\d:\d\d:\d\d {DATASET}: ", line) for line in lines)
    assert lines[0].endswith(": periksa/validate")
    reading = [line for line in lines if " periksa/validate " in line]
    rows = [int(re.search(r"([\d,]+) baris/rows", line).group(1).replace(",", "")) for line in reading]
    assert len(rows) >= 5 and rows == sorted(rows) and rows[-1] <= ROWS
    done = re.search(rf": {ROWS:,} baris/rows dibaca/read, [\d.]+ MB in ([\d.]+) s \([\d,]+ baris/rows/s\)$",
                     lines[-2])
    assert done and all(" MB" in line for line in reading)
    if float(done.group(1)) >= 1.0:   # an ETA once half a second of reading tells the speed
        assert any("ETA" in line for line in reading)
    assert re.search(r": karantina/quarantined \([\d.]+ s\)$", lines[-1])


def test_plain_log_waits_between_two_reading_lines(queue_log):
    out = io.StringIO()
    _read(queue_log, PlainLog(Console(file=out, width=200), [DATASET], every=3600))
    assert len(out.getvalue().splitlines()) == 3   # the stage, the end of the reading, the outcome


def test_live_board_draws_one_line_per_dataset_with_rows_mb_rate_and_eta():
    board = LiveBoard(Console(file=io.StringIO(), width=140), [DATASET, "kode-wilayah"])
    progress.reset()
    with progress.listening(board):
        progress.report(DATASET, "validate")
        time.sleep(0.6)
        progress.advance(DATASET, 250_000, 25_000_000, 100_000_000)
    out = io.StringIO()
    Console(file=out, width=140).print(board.render())
    text = out.getvalue()
    line = next(line for line in text.splitlines() if line.startswith(DATASET))
    assert "periksa/validate" in line and "250,000 baris/rows" in line and "25.0/100.0 MB" in line
    assert re.search(r" [\d,]+/s · ETA \d+ s", line), line
    assert re.search(r"^kode-wilayah\s+menunggu/waiting", text, re.MULTILINE)


def test_eta_and_rate_come_from_the_average_speed_so_far():
    reading = Reading(rows=100_000, bytes_read=25_000_000, bytes_total=100_000_000, seconds=2.0, done=False)
    assert reading.rows_per_second == 50_000 and reading.eta == pytest.approx(6.0)
    assert Reading(100_000, 100_000_000, 100_000_000, 8.0, True).eta is None
    assert Reading(10, 1_000, 100_000_000, 0.1, False).eta is None   # too early to tell


def test_timings_are_the_seconds_between_one_stage_and_the_next():
    progress.reset()
    for stage, pause in (("pull", 0.05), ("validate", 0.2), ("convert", 0.1)):
        progress.report("d", stage)
        time.sleep(pause)
    progress.report("d", "published", "1.0.0")
    spent = progress.timings("d")
    assert list(spent) == ["pull", "validate", "convert"]
    assert spent["validate"] == pytest.approx(0.2, abs=0.08) and spent["pull"] < spent["validate"]
    progress.report("e", "pull")
    assert progress.timings("e") == {}   # still running: not counted


def test_listeners_hear_nothing_after_their_block(tmp_path: Path):
    heard: list[progress.Update] = []
    with progress.listening(heard.append):
        progress.report("d", "pull")
    progress.report("d", "validate")
    assert [u.stage for u in heard] == ["pull"]


def test_the_reading_line_counts_the_rows_handed_on_after_the_bytes_were_all_parsed():
    """The reader parses bytes ahead of the batches it hands on: the last bytes can arrive with rows still to come
    (a loaded machine, CI). The line that ends the reading counts every row."""
    out = io.StringIO()
    log = PlainLog(Console(file=out, width=200), ["d"], every=3600)
    for update in (progress.Update("d", "validate", at=10.0),
                   progress.Update("d", "validate", rows=800, bytes_read=100, bytes_total=100, at=11.0),
                   progress.Update("d", "validate", rows=1000, bytes_read=100, bytes_total=100, at=12.0),
                   progress.Update("d", "quarantined", at=12.5)):
        log(update)
    lines = out.getvalue().splitlines()
    assert lines[-2].endswith("d: 1,000 baris/rows dibaca/read, 0.0 MB in 2.0 s (500 baris/rows/s)"), lines
    assert lines[-1].endswith("d: karantina/quarantined (2.5 s)") and len(lines) == 3


def test_a_reading_shorter_than_the_estimate_window_still_shows_its_speed():
    """A small export on a fast machine is read in under 0.2 s: the end-of-reading line still gives rows/s."""
    out = io.StringIO()
    log = PlainLog(Console(file=out, width=200), ["d"], every=3600)
    for update in (progress.Update("d", "validate", at=10.0),
                   progress.Update("d", "validate", rows=5000, bytes_read=100, bytes_total=100, at=10.1),
                   progress.Update("d", "convert", at=10.12)):
        log(update)
    assert out.getvalue().splitlines()[-2].endswith("d: 5,000 baris/rows dibaca/read, 0.0 MB in 0.1 s "
                                                    "(50,000 baris/rows/s)"), out.getvalue()
