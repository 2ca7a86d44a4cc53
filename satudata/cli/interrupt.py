"""Ctrl+C during `satudata run`: stop at once, exit 130.

Left to itself, Ctrl+C in a terminal also reaches Prefect's temporary server (it is in the same process group)
and the flows' threads then wait minutes on a server that is gone. A run stopped at any moment publishes nothing
half-made (a local version is renamed into place whole, a CKAN version is committed last; docs/production.md),
so it is safe to stop the process: this removes the run's work folders, stops the temporary server
and exits.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from satudata.cli.common import ExitCode

MESSAGE = ("\ndihentikan / interrupted: tidak ada yang terbit setengah jadi / nothing is half-published; "
           "jalankan lagi / run again to finish\n")


@contextmanager
def stop_at_once(work: Path, terminal: bool) -> Iterator[None]:
    """While the block runs, Ctrl+C (SIGINT) stops the process; ``work`` holds the run's work folders.
    ``terminal``: the live board hid the cursor, show it again."""
    if threading.current_thread() is not threading.main_thread():   # signals reach the main thread only
        yield
        return
    before = set(work.iterdir()) if work.is_dir() else set()

    def stop(signum: int, frame: object) -> None:
        if terminal:
            os.write(sys.stdout.fileno(), b"\x1b[?25h")   # not through rich: its refresh thread may hold its lock
        os.write(sys.stderr.fileno(), MESSAGE.encode())
        for folder in (set(work.iterdir()) if work.is_dir() else set()) - before:
            shutil.rmtree(folder, ignore_errors=True)
        from prefect.server.api.server import SubprocessASGIServer

        SubprocessASGIServer().stop()   # the temporary server of this process, if it started one
        os._exit(int(ExitCode.INTERRUPTED))

    previous = signal.signal(signal.SIGINT, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
