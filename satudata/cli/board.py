"""A run's progress, one line per dataset: live (rich) on a terminal, plain log lines when output is not a terminal.

Fed by ``satudata.flows.progress``: the flows ``report`` each stage, the reader ``advance``s after every batch
(rows staged, bytes of the export read, bytes in all). From that come the rows per second and, from the bytes,
the time left (ETA).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime

from rich.console import Console, Group
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from satudata.core.settings import RunSettings
from satudata.flows import progress
from satudata.flows.progress import Update

STAGE_NAMES = {"waiting": "menunggu/waiting", "pull": "ambil/pull", "validate": "periksa/validate",
               "convert": "konversi/convert", "version": "versi/version", "publish": "terbit/publish",
               "lineage": "asal-usul/lineage", "published": "terbit/published", "unchanged": "tetap/unchanged",
               "quarantined": "karantina/quarantined", "failed": "gagal/failed"}
STAGE_STYLE = {"published": "green", "unchanged": "cyan", "quarantined": "red", "failed": "red bold"}
PLAIN_EVERY = 1.0      # seconds between two plain progress lines of one dataset
MB = 1_000_000


@dataclass(frozen=True)
class Reading:
    """How far the reader has got into a dataset's export."""

    rows: int
    bytes_read: int
    bytes_total: int
    seconds: float          # since reading began
    done: bool

    @property
    def rows_per_second(self) -> float | None:
        return self.rows / self.seconds if self.seconds >= 0.2 else None

    @property
    def eta(self) -> float | None:
        """Seconds left at the average speed so far (None: done, or too early to tell)."""
        if self.done or not self.bytes_total or self.bytes_read <= 0 or self.seconds < 0.5:
            return None
        return (self.bytes_total - self.bytes_read) * self.seconds / self.bytes_read

    def text(self) -> str:
        parts = [f"{self.rows:,} baris/rows"]
        if self.bytes_total:
            parts.append(f"{self.bytes_read / MB:,.1f}/{self.bytes_total / MB:,.1f} MB")
        if self.rows_per_second is not None:
            parts.append(f"{self.rows_per_second:,.0f}/s")
        if self.eta is not None:
            parts.append(f"ETA {_duration(self.eta)}")
        return " · ".join(parts)


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else f"{seconds} s"


class Tracker:
    """Each dataset's latest update, and when its stages and its reading began and ended."""

    def __init__(self, ids: list[str]) -> None:
        self.ids = ids
        self.latest: dict[str, Update] = {}
        self.began: dict[str, float] = {}        # the dataset's first stage
        self.ended: dict[str, float] = {}        # its outcome
        self.read_began: dict[str, float] = {}
        self.read_ended: dict[str, float] = {}
        self.last_read: dict[str, Update] = {}   # the dataset's latest update that counted rows
        self.lock = threading.Lock()

    def note(self, update: Update) -> Update | None:
        """Record an update; returns the dataset's previous one."""
        with self.lock:
            before = self.latest.get(update.dataset)
            self.latest[update.dataset] = update
            self.began.setdefault(update.dataset, update.at)
            if update.stage == "validate" or update.rows is not None:
                self.read_began.setdefault(update.dataset, update.at)
            if update.rows is not None and (before is None or (before.rows, before.bytes_read) != (update.rows,
                                                                                                  update.bytes_read)):
                self.last_read[update.dataset] = update   # an advance (a stage report repeats the rows so far)
            if update.rows is not None and update.bytes_total and update.bytes_read >= update.bytes_total:
                self.read_ended.setdefault(update.dataset, update.at)
            if update.finished:
                self.ended.setdefault(update.dataset, update.at)
            return before

    def reading(self, dataset: str, now: float) -> Reading | None:
        update = self.latest.get(dataset)
        if update is None or update.rows is None:
            return None
        began = self.read_began.get(dataset, update.at)
        ended = self.read_ended.get(dataset)
        return Reading(update.rows, update.bytes_read or 0, update.bytes_total or 0,
                       (ended if ended is not None else now) - began, ended is not None)

    def finished_reading(self, dataset: str) -> Reading | None:
        """The whole reading once its bytes are all parsed, with the rows of its last batch (the reader parses bytes
        ahead of the batches it hands on, so the rows are counted to the end only once the next stage is reported)."""
        ended, last = self.read_ended.get(dataset), self.last_read.get(dataset)
        if ended is None or last is None:
            return None
        began = self.read_began.get(dataset, last.at)
        return Reading(last.rows or 0, last.bytes_read or 0, last.bytes_total or 0, max(ended, last.at) - began, True)

    def elapsed(self, dataset: str, now: float) -> float | None:
        if dataset not in self.began:
            return None
        return self.ended.get(dataset, now) - self.began[dataset]


class LiveBoard:
    """One live line per dataset (rich): stage, a bar and the reading's rows, MB, rows/s and ETA, elapsed time."""

    def __init__(self, console: Console, ids: list[str]) -> None:
        self.tracker = Tracker(ids)
        self.live = Live(console=console, get_renderable=self.render, refresh_per_second=8, transient=True,
                         redirect_stdout=True, redirect_stderr=True)

    def __enter__(self) -> LiveBoard:
        self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.__exit__(*exc)

    def __call__(self, update: Update) -> None:
        self.tracker.note(update)

    def render(self) -> Group:
        now = time.monotonic()
        grid = Table.grid(padding=(0, 2))
        for column in ("dataset", "stage", "bar", "reading", "elapsed"):
            grid.add_column(column, no_wrap=column != "reading", overflow="ellipsis")
        with self.tracker.lock:
            for dataset in self.tracker.ids:
                update = self.tracker.latest.get(dataset)
                stage = update.stage if update else "waiting"
                label = STAGE_NAMES.get(stage, stage) + (f" {update.note}" if update and update.note else "")
                reading = self.tracker.reading(dataset, now)
                bar = (ProgressBar(total=reading.bytes_total, completed=reading.bytes_read, width=16)
                       if reading and reading.bytes_total and not update.finished else Text(""))
                elapsed = self.tracker.elapsed(dataset, now)
                grid.add_row(Text(dataset, style="bold"), Text(label, style=STAGE_STYLE.get(stage, "")), bar,
                             reading.text() if reading else "", _duration(elapsed) if elapsed is not None else "")
        return Group(Text("satudata run: tahap / stage", style="dim"), grid)


class PlainLog:
    """Line by line, for logs (CI, Prefect workers): each stage as it begins, the reading every PLAIN_EVERY
    seconds and when it ends, the outcome."""

    def __init__(self, console: Console, ids: list[str], every: float = PLAIN_EVERY) -> None:
        self.console, self.every = console, every
        self.tracker = Tracker(ids)
        self.last_line: dict[str, float] = {}
        self.read_reported: set[str] = set()

    def __enter__(self) -> PlainLog:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def __call__(self, update: Update) -> None:
        before = self.tracker.note(update)
        dataset = update.dataset
        reading = self.tracker.reading(dataset, update.at)
        changed = before is None or before.stage != update.stage or before.note != update.note
        finished = self.tracker.finished_reading(dataset) if changed else None
        if finished is not None and dataset not in self.read_reported:
            self.read_reported.add(dataset)
            reading = finished
            # the whole reading is timed, so its speed is known however short it was (rows_per_second waits
            # 0.2 s for a steady estimate while the reading goes on)
            rate = f" ({reading.rows / reading.seconds:,.0f} baris/rows/s)" if reading.seconds > 0 else ""
            self._line(dataset, f"{reading.rows:,} baris/rows dibaca/read, {reading.bytes_total / MB:,.1f} MB in "
                                f"{reading.seconds:.1f} s{rate}")
        if changed:
            elapsed = self.tracker.elapsed(dataset, update.at) if update.finished else None
            self._line(dataset, STAGE_NAMES.get(update.stage, update.stage)
                       + (f" {update.note}" if update.note else "")
                       + (f" ({elapsed:.1f} s)" if elapsed is not None else ""))
        elif reading is not None and not reading.done and update.at - self.last_line.get(dataset, 0) >= self.every:
            self._line(dataset, f"{STAGE_NAMES.get(update.stage, update.stage)} {reading.text()}")

    def _line(self, dataset: str, text: str) -> None:
        with self.tracker.lock:
            self.last_line[dataset] = time.monotonic()
            self.console.print(f"{datetime.now():%H:%M:%S} {dataset}: {text}", markup=False, highlight=False,
                               soft_wrap=True)


def run_catalog(ids: list[str], settings: RunSettings, console: Console, log_every: float = PLAIN_EVERY) -> list[dict]:
    """Run the catalogue flow for ``ids`` with the board on ``console`` (plain lines at most every ``log_every``
    seconds a dataset when it is not a terminal); each outcome gains ``stages``, the seconds its dataset spent in
    each stage."""
    from satudata.cli.interrupt import stop_at_once
    from satudata.flows.publish import with_concurrency

    live = console.is_terminal and not console.is_dumb_terminal
    board = LiveBoard(console, ids) if live else PlainLog(console, ids, log_every)
    progress.reset()
    with stop_at_once(settings.work(), live), board, progress.listening(board):
        outcomes = with_concurrency(settings.concurrency)(ids, settings.to_dict())
    return [dict(o, stages=progress.timings(o["dataset"])) for o in outcomes]
