#!/usr/bin/env bash
# Stop what tests/ckan_harness/up.sh started: CKAN and the Solr stand-in (by
# the PIDs in .satudata/ckan/pids/, whole process group) and PostgreSQL
# (pg_ctl stop).  Keeps the venv, database and files so the next up.sh is
# fast.  Safe to call when nothing is running.
set -uo pipefail

# shellcheck source=common.sh
source "$(cd "$(dirname "$0")" && pwd)/common.sh"

say() { echo "ckan-harness: $*" >&2; }

[ -d "$STATE_DIR" ] && take_lock

# PIDs of processes of THIS checkout whose command line contains $2 (the
# absolute path $1 pre-selects candidates).  Used only when a pid file is
# missing, e.g. after `make clean` removed .satudata/ while servers ran.
pids_by_exact_path() {
    local f p
    for f in $(grep -laF -- "$1" /proc/[0-9]*/cmdline 2>/dev/null); do
        p="${f#/proc/}"; p="${p%/cmdline}"
        [ "$p" = "$$" ] && continue
        pid_alive_matching "$p" "$2" && echo "$p"
    done
    return 0
}

stop_pid() {
    local pid="$1" pattern="$2" what="$3"
    if pid_alive_matching "$pid" "$pattern"; then
        say "stopping $what (pid $pid)"
        # up.sh starts each server with setsid, so its PID is its group id
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
        for _ in $(seq 1 100); do
            pid_running "$pid" || break
            sleep 0.1
        done
        if pid_running "$pid"; then
            say "$what did not stop on SIGTERM, sending SIGKILL"
            kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
            sleep 0.2
        fi
    fi
}

stop_pid_file() {
    local file="$1" pattern="$2" what="$3" path="$4" pid
    if [ -f "$file" ]; then
        stop_pid "$(read_pid "$file")" "$pattern" "$what"
        rm -f "$file"
    else
        for pid in $(pids_by_exact_path "$path" "$pattern"); do
            stop_pid "$pid" "$pattern" "$what"
        done
    fi
}

stop_pid_file "$CKAN_PID_FILE" "$CKAN_CMD_PATTERN" "CKAN" "$INI"
stop_pid_file "$SOLR_PID_FILE" "$SOLR_CMD_PATTERN" "Solr stand-in" "$HARNESS_DIR/solr_standin.py"

# PostgreSQL: pg_ctl stop on every data dir this checkout may have used
PG_BIN="$(pg_bindir)" || PG_BIN=""
PG_BASES="$(printf '%s\n' "$(pg_base_recorded)" "$STATE_DIR/pg" "$(pg_base_default)" | awk 'NF && !seen[$0]++')"
for base in $PG_BASES; do
    if [ -z "$PG_BIN" ] || [ ! -f "$base/data/PG_VERSION" ]; then
        continue
    fi
    as_postgres "$PG_BIN/pg_ctl" -D "$base/data" status >/dev/null 2>&1 || continue
    say "stopping PostgreSQL ($base/data)"
    as_postgres "$PG_BIN/pg_ctl" -D "$base/data" -m fast -w -t 60 stop >/dev/null \
        || say "pg_ctl stop failed for $base/data"
done
# a postmaster whose data dir was deleted under it (e.g. `make clean` while
# running) can't be reached by pg_ctl: stop it by PID (SIGINT = fast shutdown)
for base in $PG_BASES; do
    for pid in $(pids_by_exact_path "$base/data" "-D $base/data"); do
        say "stopping orphaned PostgreSQL postmaster (pid $pid)"
        kill -INT "$pid" 2>/dev/null
        for _ in $(seq 1 100); do
            pid_running "$pid" || break
            sleep 0.1
        done
        pid_running "$pid" && kill -QUIT "$pid" 2>/dev/null
    done
done
rm -f "$PG_PID_FILE"
exit 0
