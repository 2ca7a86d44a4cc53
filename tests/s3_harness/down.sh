#!/usr/bin/env bash
# Stop what tests/s3_harness/up.sh started: the SeaweedFS server, by the PID in
# .satudata/s3/weed.pid (its whole process group).  Keeps the venv, the data
# and the keys so the next up.sh is fast.  Safe to call when nothing is
# running, and to call twice.
set -euo pipefail

# shellcheck source=common.sh
source "$(cd "$(dirname "$0")" && pwd)/common.sh"

say() { echo "s3-harness: $*" >&2; }

if [ -d "$STATE_DIR" ]; then take_lock; fi

# PIDs of this checkout's server, found by its command line.  Used only when
# the pid file is missing, e.g. after `make clean` removed .satudata/ while it ran.
pids_by_cmdline() {
    local f p
    for f in $(grep -laF -- "$DATA_DIR" /proc/[0-9]*/cmdline 2>/dev/null || true); do
        p="${f#/proc/}"; p="${p%/cmdline}"
        [ "$p" = "$$" ] && continue
        if pid_alive_matching "$p" "$WEED_CMD_PATTERN"; then echo "$p"; fi
    done
}

stop_pid() {
    local pid="$1"
    pid_alive_matching "$pid" "$WEED_CMD_PATTERN" || return 0
    say "stopping SeaweedFS (pid $pid)"
    # up.sh starts the server with setsid, so its PID is its group id
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do
        pid_running "$pid" || return 0
        sleep 0.1
    done
    say "SeaweedFS did not stop on SIGTERM within 15 s, sending SIGKILL"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
}

if [ -f "$PID_FILE" ]; then
    stop_pid "$(read_pid "$PID_FILE" || true)"
    rm -f "$PID_FILE"
else
    for pid in $(pids_by_cmdline); do
        stop_pid "$pid"
    done
fi
exit 0
