"""Run a command and print its wall time and peak RSS (of the command and its children) as JSON."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main(argv: list[str]) -> None:
    started = time.perf_counter()
    completed = subprocess.run(argv, capture_output=True, text=True)
    wall = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"seconds": round(wall, 2), "peak_rss_mb": peak_kb >> 10, "returncode": completed.returncode,
                      "stdout_tail": completed.stdout[-2000:], "stderr_tail": completed.stderr[-2000:]}))


if __name__ == "__main__":
    main(sys.argv[1:])
