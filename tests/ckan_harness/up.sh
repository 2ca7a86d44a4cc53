#!/usr/bin/env bash
# Bring up a real CKAN 2.12 (+ ckanext-dcat) on 127.0.0.1 for satudata's
# integration tests.  Idempotent:
#   - already up            -> fast no-op
#   - after down.sh         -> restarts in a few seconds (venv + DB reused)
#   - nothing there (CI)    -> installs everything (about a minute)
#
# Starts, all bound to 127.0.0.1:
#   PostgreSQL (own cluster, port 54329, run as the `postgres` user)
#   the Solr stand-in tests/ckan_harness/solr_standin.py (port 18983)
#   CKAN (`ckan run`, port 5055)
# State lives in <repo>/.satudata/ckan/ (git-ignored).  Writes
# <repo>/.satudata/ckan/env with SATUDATA_CKAN_URL and SATUDATA_CKAN_TOKEN.
# Stop everything with tests/ckan_harness/down.sh.
set -euo pipefail
umask 022

# shellcheck source=common.sh
source "$(cd "$(dirname "$0")" && pwd)/common.sh"

say() { echo "ckan-harness: $*" >&2; }
die() { echo "ckan-harness: ERROR: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (PostgreSQL is run as the postgres user via runuser)"
command -v curl >/dev/null || die "curl is needed"

status_ok() {
    curl -fsS -m 5 -o /dev/null "$CKAN_URL/api/3/action/status_show" 2>/dev/null
}

# A sysadmin-only action: answers 200 for a valid sysadmin token and 403 for
# anonymous (CKAN treats an unknown token as anonymous).
token_ok() {
    local tok="$1"
    [ -n "$tok" ] || return 1
    curl -fsS -m 10 -o /dev/null -H "Authorization: $tok" \
        "$CKAN_URL/api/3/action/config_option_show?key=ckan.site_title" 2>/dev/null \
    && curl -fsS -m 10 -o /dev/null -H "Authorization: $tok" \
        "$CKAN_URL/api/3/action/organization_list_for_user" 2>/dev/null
}

stored_token() {
    if [ -f "$ENV_FILE" ]; then
        sed -n 's/^SATUDATA_CKAN_TOKEN=//p' "$ENV_FILE" | tail -n 1 | tr -d "'\""
    fi
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pg_running() {
    local base="$1" bindir
    bindir="$(pg_bindir)" || return 1
    [ -f "$base/data/PG_VERSION" ] || return 1
    as_postgres "$bindir/pg_ctl" -D "$base/data" status >/dev/null 2>&1
}

# ---------------------------------------------------------------- fast path
if pid_alive_matching "$(read_pid "$CKAN_PID_FILE")" "$CKAN_CMD_PATTERN" \
   && pid_alive_matching "$(read_pid "$SOLR_PID_FILE")" "$SOLR_CMD_PATTERN" \
   && [ -n "$(pg_base_recorded)" ] && pg_running "$(pg_base_recorded)" \
   && status_ok && token_ok "$(stored_token)"; then
    echo "CKAN up at $CKAN_URL"
    exit 0
fi

take_lock
mkdir -p "$STATE_DIR" "$STORAGE_DIR" "$LOG_DIR" "$PID_DIR"
install -d -m 700 "$SECRETS_DIR"

# ------------------------------------------------------ system dependencies
apt_updated=0
apt_install() {
    if [ "$apt_updated" = 0 ]; then
        say "apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
        apt_updated=1
    fi
    say "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}
if ! pg_bindir >/dev/null; then
    apt_install postgresql
    pg_bindir >/dev/null || die "PostgreSQL binaries not found after install"
fi
if ! id postgres >/dev/null 2>&1; then
    die "no 'postgres' user (expected from the postgresql package)"
fi
if ! ldconfig -p 2>/dev/null | grep -q 'libmagic\.so\.1'; then
    apt_install libmagic1   # python-magic (a CKAN dependency) needs it
fi
PG_BIN="$(pg_bindir)"

# --------------------------------------------------------------- CKAN venv
WANT_MARKER="ckan==$CKAN_VERSION ckanext-dcat==$DCAT_VERSION"
if [ ! -x "$VENV/bin/ckan" ] || [ ! -f "$INSTALL_MARKER" ] \
   || [ "$(cat "$INSTALL_MARKER")" != "$WANT_MARKER" ]; then
    PY="${SATUDATA_CKAN_PYTHON:-python3}"
    say "installing CKAN $CKAN_VERSION + ckanext-dcat $DCAT_VERSION into $VENV (log: $LOG_DIR/pip.log)"
    rm -rf "$VENV"
    "$PY" -m venv "$VENV"
    if ! "$VENV/bin/pip" install --disable-pip-version-check \
            "ckan[requirements]==$CKAN_VERSION" "ckanext-dcat==$DCAT_VERSION" \
            "setuptools" >"$LOG_DIR/pip.log" 2>&1; then
        tail -n 40 "$LOG_DIR/pip.log" >&2
        die "pip install failed"
    fi
    echo "$WANT_MARKER" >"$INSTALL_MARKER"
fi
CKAN="$VENV/bin/ckan"

# -------------------------------------------------------------- PostgreSQL
PG_BASE="$(pg_base_recorded)"
if [ -z "$PG_BASE" ] || [ ! -f "$PG_BASE/data/PG_VERSION" ]; then
    # first time (or the cluster went away, e.g. /tmp was cleaned)
    if as_postgres test -x "$STATE_DIR" 2>/dev/null \
       && as_postgres test -r "$STATE_DIR" 2>/dev/null; then
        PG_BASE="$STATE_DIR/pg"
    else
        PG_BASE="$(pg_base_default)"
    fi
fi
PGDATA="$PG_BASE/data"
PG_SUPERPASS_FILE="$SECRETS_DIR/pg-superuser.pass"
CKAN_DBPASS_FILE="$SECRETS_DIR/pg-ckan.pass"

fresh_db=0
if [ ! -f "$PGDATA/PG_VERSION" ]; then
    say "initdb $PGDATA"
    rm -rf "$PG_BASE"
    install -d -o postgres -g postgres -m 700 "$PG_BASE"
    head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$PG_SUPERPASS_FILE"
    chmod 600 "$PG_SUPERPASS_FILE"
    # pwfile must be readable by postgres: copy it into PG_BASE briefly
    install -o postgres -g postgres -m 600 "$PG_SUPERPASS_FILE" "$PG_BASE/.pw"
    if ! as_postgres "$PG_BIN/initdb" -D "$PGDATA" -U postgres \
            --pwfile="$PG_BASE/.pw" --auth-local=peer --auth-host=scram-sha-256 \
            -E UTF8 --locale=C.UTF-8 >"$LOG_DIR/initdb.log" 2>&1; then
        rm -f "$PG_BASE/.pw"
        cat "$LOG_DIR/initdb.log" >&2
        die "initdb failed"
    fi
    rm -f "$PG_BASE/.pw"
    cat >>"$PGDATA/postgresql.conf" <<EOF

# --- satudata CKAN test harness ---
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = ''
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
EOF
    fresh_db=1
fi
echo "$PG_BASE" >"$PGDATA_POINTER"
# keep the configured port in sync if SATUDATA_PG_PORT changed
if ! grep -q "^port = $PG_PORT\$" "$PGDATA/postgresql.conf"; then
    as_postgres sed -i "s/^port = .*/port = $PG_PORT/" "$PGDATA/postgresql.conf"
fi

if ! pg_running "$PG_BASE"; then
    if port_in_use "$PG_PORT"; then
        die "port $PG_PORT is taken by another process (not this harness's PostgreSQL)"
    fi
    say "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    if ! as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PG_BASE/postgres.log" \
            -w -t 60 start >/dev/null; then
        tail -n 30 "$PG_BASE/postgres.log" >&2 || true
        die "PostgreSQL did not start"
    fi
fi
head -n 1 "$PGDATA/postmaster.pid" >"$PG_PID_FILE" 2>/dev/null || true

psql_super() {
    PGPASSWORD="$(cat "$PG_SUPERPASS_FILE")" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"
}
[ -s "$PG_SUPERPASS_FILE" ] || die "missing $PG_SUPERPASS_FILE (delete $PG_BASE and re-run)"

if [ ! -s "$CKAN_DBPASS_FILE" ]; then
    head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$CKAN_DBPASS_FILE"
    chmod 600 "$CKAN_DBPASS_FILE"
fi
CKAN_DBPASS="$(cat "$CKAN_DBPASS_FILE")"

# (statements with the password go through stdin, not the command line)
if [ "$(psql_super -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname='$CKAN_DB_USER'")" != 1 ]; then
    psql_super -d postgres <<<"CREATE ROLE $CKAN_DB_USER LOGIN PASSWORD '$CKAN_DBPASS';"
else
    psql_super -d postgres <<<"ALTER ROLE $CKAN_DB_USER PASSWORD '$CKAN_DBPASS';"
fi
if [ "$(psql_super -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$CKAN_DB'")" != 1 ]; then
    psql_super -d postgres -c "CREATE DATABASE $CKAN_DB OWNER $CKAN_DB_USER ENCODING 'UTF8' TEMPLATE template0"
    fresh_db=1
fi

# -------------------------------------------------------------- ckan.ini
SETTINGS=(
    "sqlalchemy.url = postgresql://$CKAN_DB_USER:$CKAN_DBPASS@127.0.0.1:$PG_PORT/$CKAN_DB"
    "ckan.site_url = $CKAN_URL"
    "ckan.site_id = satudata-test"
    "ckan.storage_path = $STORAGE_DIR"
    "ckan.max_resource_size = 200"
    "ckan.plugins = activity dcat"
    "ckanext.dcat.rdf.profiles = euro_dcat_ap_3"
    "solr_url = $SOLR_URL"
    "ckan.redis.url = redis://127.0.0.1:1/0"
    "ckan.devserver.host = $CKAN_HOST"
    "ckan.devserver.port = $CKAN_PORT"
    "ckan.devserver.threaded = true"
)
if [ ! -f "$INI" ]; then
    say "generating $INI"
    (cd "$STATE_DIR" && "$CKAN" generate config "$INI" >"$LOG_DIR/config.log" 2>&1) \
        || { cat "$LOG_DIR/config.log" >&2; die "ckan generate config failed"; }
    rm -f "$SETTINGS_STAMP"
fi
settings_sum="$(printf '%s\n' "${SETTINGS[@]}" | sha1sum | cut -c1-40)"
if [ ! -f "$SETTINGS_STAMP" ] || [ "$(cat "$SETTINGS_STAMP")" != "$settings_sum" ]; then
    (cd "$STATE_DIR" && "$CKAN" config-tool "$INI" "${SETTINGS[@]}" >"$LOG_DIR/config.log" 2>&1) \
        || { cat "$LOG_DIR/config.log" >&2; die "ckan config-tool failed"; }
    echo "$settings_sum" >"$SETTINGS_STAMP"
fi
chmod 600 "$INI"

# ---------------------------------------------------------- Solr stand-in
if [ "$fresh_db" = 1 ]; then
    rm -f "$SOLR_DATA"   # a new database must not see an old index
fi
start_solr() {
    if port_in_use "$SOLR_PORT"; then
        die "port $SOLR_PORT is taken by another process (not this harness's Solr stand-in)"
    fi
    say "starting Solr stand-in on 127.0.0.1:$SOLR_PORT"
    (cd "$STATE_DIR" && exec nohup setsid "$VENV/bin/python" \
        "$HARNESS_DIR/solr_standin.py" --host 127.0.0.1 --port "$SOLR_PORT" \
        --data-file "$SOLR_DATA" >"$LOG_DIR/solr.log" 2>&1 </dev/null 9>&-) &
    echo $! >"$SOLR_PID_FILE"
    for _ in $(seq 1 100); do
        if curl -fsS -m 2 -o /dev/null "$SOLR_URL/admin/ping" 2>/dev/null; then
            return 0
        fi
        pid_alive_matching "$(read_pid "$SOLR_PID_FILE")" "$SOLR_CMD_PATTERN" || break
        sleep 0.1
    done
    tail -n 30 "$LOG_DIR/solr.log" >&2 || true
    die "Solr stand-in did not start"
}
if pid_alive_matching "$(read_pid "$SOLR_PID_FILE")" "$SOLR_CMD_PATTERN" \
   && curl -fsS -m 2 -o /dev/null "$SOLR_URL/admin/ping" 2>/dev/null; then
    :
else
    rm -f "$SOLR_PID_FILE"
    start_solr
fi

# ------------------------------------------------------ database content
db_ready() {
    [ "$(psql_super -d "$CKAN_DB" -tAc "SELECT count(*) FROM information_schema.tables WHERE table_schema='public' AND table_name IN ('package','activity','api_token')" 2>/dev/null)" = 3 ] \
    && [ "$(psql_super -d "$CKAN_DB" -tAc "SELECT 1 FROM \"user\" WHERE name='$CKAN_ADMIN' AND sysadmin AND state='active'" 2>/dev/null)" = 1 ]
}
if ! db_ready; then
    say "initialising the CKAN database (log: $LOG_DIR/db.log)"
    {
        "$CKAN" -c "$INI" db init
        "$CKAN" -c "$INI" db upgrade -p activity
        # web-UI password, kept only in secrets/ (the tests use the API token)
        if [ ! -s "$SECRETS_DIR/ckan-admin.pass" ]; then
            head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$SECRETS_DIR/ckan-admin.pass"
            chmod 600 "$SECRETS_DIR/ckan-admin.pass"
        fi
        # creates the user if missing, then makes it a sysadmin
        "$CKAN" -c "$INI" sysadmin add "$CKAN_ADMIN" --create \
            "email=$CKAN_ADMIN_EMAIL" "password=$(cat "$SECRETS_DIR/ckan-admin.pass")"
    } >"$LOG_DIR/db.log" 2>&1 || { tail -n 40 "$LOG_DIR/db.log" >&2; die "CKAN database initialisation failed"; }
    db_ready || die "CKAN database still not ready (see $LOG_DIR/db.log)"
    rm -f "$ENV_FILE"  # any old token belongs to another database
fi

# -------------------------------------------------------------------- CKAN
if pid_alive_matching "$(read_pid "$CKAN_PID_FILE")" "$CKAN_CMD_PATTERN" && status_ok; then
    :
else
    old="$(read_pid "$CKAN_PID_FILE" || true)"
    if pid_alive_matching "$old" "$CKAN_CMD_PATTERN"; then   # alive but not answering
        kill -TERM -- "-$old" 2>/dev/null || kill -TERM "$old" 2>/dev/null || true
        sleep 2
        kill -KILL -- "-$old" 2>/dev/null || true
    fi
    rm -f "$CKAN_PID_FILE"
    if port_in_use "$CKAN_PORT"; then
        die "port $CKAN_PORT is taken by another process (not this harness's CKAN)"
    fi
    say "starting CKAN on $CKAN_URL (log: $LOG_DIR/ckan.log)"
    # the subshell execs nohup -> setsid -> ckan, so $! is CKAN's own PID
    (cd "$STATE_DIR" && exec nohup setsid "$CKAN" -c "$INI" run \
        --host "$CKAN_HOST" --port "$CKAN_PORT" --disable-reloader \
        >"$LOG_DIR/ckan.log" 2>&1 </dev/null 9>&-) &
    echo $! >"$CKAN_PID_FILE"
    deadline=$((SECONDS + ${SATUDATA_CKAN_START_TIMEOUT:-120}))
    until status_ok; do
        if ! pid_alive_matching "$(read_pid "$CKAN_PID_FILE")" "$CKAN_CMD_PATTERN"; then
            tail -n 60 "$LOG_DIR/ckan.log" >&2 || true
            die "CKAN exited during start-up"
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            tail -n 60 "$LOG_DIR/ckan.log" >&2 || true
            die "CKAN did not answer status_show within the timeout"
        fi
        sleep 0.3
    done
fi

# ------------------------------------------------------------------- token
TOKEN="$(stored_token)"
if ! token_ok "$TOKEN"; then
    say "creating an API token for $CKAN_ADMIN"
    TOKEN="$("$CKAN" -c "$INI" user token add "$CKAN_ADMIN" "satudata-tests-$(date +%s)" -q 2>>"$LOG_DIR/db.log" | tail -n 1 | tr -d '[:space:]')"
    token_ok "$TOKEN" || die "new API token does not work (see $LOG_DIR/ckan.log)"
fi
tmp_env="$(mktemp "$STATE_DIR/.env.XXXXXX")"
chmod 600 "$tmp_env"
cat >"$tmp_env" <<EOF
SATUDATA_CKAN_URL=$CKAN_URL
SATUDATA_CKAN_TOKEN=$TOKEN
EOF
mv -f "$tmp_env" "$ENV_FILE"

echo "CKAN up at $CKAN_URL"
