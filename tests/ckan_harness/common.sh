# shellcheck shell=bash disable=SC2034
# Shared settings for tests/ckan_harness/{up,down}.sh.  Sourced, not run.
#
# Everything is derived from this file's location, never from a fixed path,
# so the harness works from any clone of the repository.

HARNESS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HARNESS_DIR/../.." && pwd)"

CKAN_VERSION="2.12.0"
DCAT_VERSION="2.4.4"

CKAN_HOST="127.0.0.1"
CKAN_PORT="${SATUDATA_CKAN_PORT:-5055}"
SOLR_PORT="${SATUDATA_SOLR_PORT:-18983}"
PG_PORT="${SATUDATA_PG_PORT:-54329}"
CKAN_URL="http://${CKAN_HOST}:${CKAN_PORT}"
SOLR_URL="http://${CKAN_HOST}:${SOLR_PORT}/solr/ckan"

CKAN_ADMIN="satudata-admin"
CKAN_ADMIN_EMAIL="satudata-admin@example.invalid"
CKAN_DB="ckan"
CKAN_DB_USER="ckan"

STATE_DIR="$REPO_ROOT/.satudata/ckan"
VENV="$STATE_DIR/venv"
INSTALL_MARKER="$VENV/.satudata-installed"
INI="$STATE_DIR/ckan.ini"
SETTINGS_STAMP="$STATE_DIR/ckan.ini.settings"
STORAGE_DIR="$STATE_DIR/storage"
LOG_DIR="$STATE_DIR/logs"
PID_DIR="$STATE_DIR/pids"
ENV_FILE="$STATE_DIR/env"
SECRETS_DIR="$STATE_DIR/secrets"        # mode 700: DB passwords
SOLR_DATA="$STATE_DIR/solr-index.json"
PGDATA_POINTER="$STATE_DIR/pgdata.path" # where the PG cluster lives

CKAN_PID_FILE="$PID_DIR/ckan.pid"
SOLR_PID_FILE="$PID_DIR/solr.pid"
PG_PID_FILE="$PID_DIR/postgres.pid"     # informational copy; pg_ctl stops it

# what the command lines of this checkout's servers contain (checked before
# any kill, so a reused PID is never hit)
CKAN_CMD_PATTERN="-c $INI run"
SOLR_CMD_PATTERN="$HARNESS_DIR/solr_standin.py --host"

# PostgreSQL binaries: prefer 15, else the newest installed major version.
pg_bindir() {
    if [ -x /usr/lib/postgresql/15/bin/pg_ctl ]; then
        echo /usr/lib/postgresql/15/bin
        return 0
    fi
    local d
    d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    if [ -n "$d" ] && [ -x "$d/pg_ctl" ]; then
        echo "$d"
        return 0
    fi
    return 1
}

# The PG data dir must be reachable by the `postgres` user (initdb refuses to
# run as root).  Under the repo when postgres can enter it, else under /tmp,
# named after a hash of the repo path so that clones don't collide.
pg_base_default() {
    local h
    h="$(printf '%s' "$REPO_ROOT" | sha1sum | cut -c1-12)"
    echo "/tmp/satudata-ckan-pg-$h"
}

# pg base dir in use (recorded by up.sh); empty if unknown
pg_base_recorded() {
    if [ -f "$PGDATA_POINTER" ]; then
        cat "$PGDATA_POINTER"
    fi
}

# run a command as the postgres user (from /, which it can always enter)
as_postgres() {
    # 9>&-: the PostgreSQL server must not inherit up.sh's lock descriptor
    (cd / && runuser -u postgres -- "$@" 9>&-)
}

# is PID running (a zombie waiting for its parent to reap it counts as gone)?
pid_running() {
    local pid="$1" state
    [ -n "$pid" ] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    state="$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$pid/status" 2>/dev/null)"
    [ "$state" != Z ] && [ -n "$state" ]
}

# is PID alive and is its command line what we expect (guards PID reuse)?
pid_alive_matching() {
    local pid="$1" pattern="$2"
    pid_running "$pid" || return 1
    [ -r "/proc/$pid/cmdline" ] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$pattern"
}

read_pid() {
    [ -f "$1" ] && tr -dc '0-9' <"$1"
}

# serialise concurrent up.sh/down.sh runs of the same checkout (fd 9; the
# long-running servers are started with 9>&- so they never hold the lock)
take_lock() {
    mkdir -p "$STATE_DIR"
    exec 9>"$STATE_DIR/.lock"
    flock -w 900 9 || { echo "ckan-harness: could not lock $STATE_DIR/.lock" >&2; exit 1; }
}
