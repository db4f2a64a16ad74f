#!/usr/bin/env bash
# Provisions the test database: FerretDB 1.24.2 (MongoDB wire protocol) on the SQLite backend,
# listening on loopback only, with its data in a temporary folder and telemetry disabled.
#
#   scripts/test-db.sh build            build the FerretDB binary into the cache if it is not there
#   scripts/test-db.sh run -- CMD ...   start FerretDB, run CMD with MONGODB_URI exported, stop FerretDB
#   scripts/test-db.sh start            start FerretDB in the background and print `export MONGODB_URI=...`
#   scripts/test-db.sh stop             stop the server started by `start`
#
# Environment: FERRETDB_BIN (use this binary instead of building), GRIOT_TEST_DB_PORT (default: a free port),
# GRIOT_CACHE_DIR (default: ~/.cache/griot-registry). On the SQLite backend `run` and `start` also export
# GRIOT_FERRETDB_SQLITE_DIR, FerretDB's SQLite folder (for scripts/ferretdb-sqlite-indexes.ts).
#
#   scripts/test-db.sh --postgresql run -- CMD ...   the same on FerretDB's PostgreSQL backend: a throwaway
#                                                    PostgreSQL cluster (Debian's postgresql package) in a temporary
#                                                    folder, on loopback, run as a non-root user (GRIOT_PG_USER,
#                                                    default `nobody`, when started as root). The cluster gets
#                                                    scripts/ferretdb-pg-indexes.sql (GIN companions of FerretDB's
#                                                    indexes, so that `_id` and other equalities are index reads)
#                                                    and plan_cache_mode=force_custom_plan, as README recommends;
#                                                    GRIOT_PG_COMPANION_INDEXES=0 leaves both out (stock FerretDB:
#                                                    every find is a sequential scan)
set -euo pipefail

FERRETDB_VERSION=v1.24.2
CACHE_DIR=${GRIOT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/griot-registry}
BIN=${FERRETDB_BIN:-$CACHE_DIR/ferretdb-$FERRETDB_VERSION}
STATE_FILE=${GRIOT_TEST_DB_STATE:-$CACHE_DIR/test-db.state}

log() { echo "test-db: $*" >&2; }
die() { log "error: $*"; exit 1; }

# --- PostgreSQL backend (--postgresql): a throwaway cluster for FerretDB's `postgresql` handler -------------------
BACKEND=sqlite
if [[ "${1:-}" == "--postgresql" ]]; then BACKEND=postgresql; shift; fi
PG_DIR=""
PG_URL=""

pg_bindir() {
  if command -v pg_config >/dev/null && [[ -x "$(pg_config --bindir)/initdb" ]]; then pg_config --bindir; return; fi
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [[ -n "$dir" && -x "$dir/initdb" ]] || die "PostgreSQL is not installed (apt-get install postgresql)"
  echo "$dir"
}

# Runs a PostgreSQL tool as the cluster's owner: PostgreSQL refuses to run as root.
as_pg_user() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u "${GRIOT_PG_USER:-nobody}" -- "$@"; else "$@"; fi
}

# Starts the cluster; sets PG_DIR and PG_URL (trust authentication, loopback only, no durability: a test cluster).
start_postgres() {
  local bin port
  bin=$(pg_bindir)
  port=$(free_port)
  PG_DIR=$(mktemp -d -t griot-pg.XXXXXX)
  [[ $(id -u) -eq 0 ]] && chown "${GRIOT_PG_USER:-nobody}" "$PG_DIR"
  as_pg_user "$bin/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
  local companions=${GRIOT_PG_COMPANION_INDEXES:-1} plan_cache=""
  [[ "$companions" == 1 ]] && plan_cache="-c plan_cache_mode=force_custom_plan"
  as_pg_user "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off $plan_cache" \
    start >/dev/null || { cat "$PG_DIR/postgres.log" >&2; die "PostgreSQL did not start"; }
  as_pg_user "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres ferretdb || die "createdb failed"
  if [[ "$companions" == 1 ]]; then
    as_pg_user "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d ferretdb -X -q -v ON_ERROR_STOP=1 \
      <scripts/ferretdb-pg-indexes.sql >/dev/null 2>"$PG_DIR/companions.log" \
      || { cat "$PG_DIR/companions.log" >&2; die "the companion indexes (scripts/ferretdb-pg-indexes.sql) could not be installed"; }
  fi
  PG_URL="postgres://postgres@127.0.0.1:$port/ferretdb"
  log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') is up on 127.0.0.1:$port$([[ "$companions" == 1 ]] && echo ' (with the companion indexes)' || echo ' (stock: no companion indexes)')"
}

stop_postgres() {
  [[ -n "$PG_DIR" && -d "$PG_DIR" ]] || return 0
  as_pg_user "$(pg_bindir)/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
# -------------------------------------------------------------------------------------------------------------------

build() {
  if [[ -x "$BIN" ]]; then return 0; fi
  # The build (Go module download, version.txt fix-up, go build) lives in src/embedded/ferretdb.ts.
  FERRETDB_BIN=${FERRETDB_BIN:-} GRIOT_CACHE_DIR="$CACHE_DIR" node --import tsx scripts/ferretdb.ts build >/dev/null || die "FerretDB $FERRETDB_VERSION could not be built"
  [[ -x "$BIN" ]] || die "no FerretDB binary at $BIN after the build"
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# Starts the server; sets PID, DATA_DIR, MONGODB_URI.
start_server() {
  build
  local port=${GRIOT_TEST_DB_PORT:-$(free_port)}
  DATA_DIR=$(mktemp -d -t griot-ferretdb.XXXXXX)
  mkdir -p "$DATA_DIR/sqlite" "$DATA_DIR/state"
  local handler=(--handler=sqlite --sqlite-url="file:$DATA_DIR/sqlite/")
  if [[ "$BACKEND" == postgresql ]]; then start_postgres; handler=(--handler=postgresql --postgresql-url="$PG_URL"); fi
  "$BIN" \
    --listen-addr="127.0.0.1:$port" \
    "${handler[@]}" \
    --state-dir="$DATA_DIR/state" \
    --telemetry=disable \
    --debug-addr=- \
    --log-level=warn \
    >"$DATA_DIR/ferretdb.log" 2>&1 &
  PID=$!
  MONGODB_URI="mongodb://127.0.0.1:$port/"
  # Wait until it answers a ping through the MongoDB driver (at most ~30 s).
  local i
  for i in $(seq 1 150); do
    if ! kill -0 "$PID" 2>/dev/null; then
      cat "$DATA_DIR/ferretdb.log" >&2 || true
      die "FerretDB exited during start-up"
    fi
    if MONGODB_URI="$MONGODB_URI" node --input-type=module -e '
      import { MongoClient } from "mongodb";
      const c = new MongoClient(process.env.MONGODB_URI, { serverSelectionTimeoutMS: 500 });
      try { await c.db("admin").command({ ping: 1 }); process.exit(0) } catch { process.exit(1) } finally { await c.close() }
    ' 2>/dev/null; then
      log "FerretDB $FERRETDB_VERSION ($BACKEND) is up at $MONGODB_URI (pid $PID)"
      return 0
    fi
    sleep 0.2
  done
  kill "$PID" 2>/dev/null || true
  cat "$DATA_DIR/ferretdb.log" >&2 || true
  die "FerretDB did not answer within 30 s"
}

stop_server() {
  local pid=$1 dir=$2
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  [[ -n "$dir" && -d "$dir" ]] && rm -rf "$dir"
  stop_postgres
  return 0
}

cd "$(dirname "$0")/.."
cmd=${1:-run}; shift || true
case "$cmd" in
  build) build ;;
  start)
    start_server
    mkdir -p "$(dirname "$STATE_FILE")"
    echo "$PID $DATA_DIR $PG_DIR" > "$STATE_FILE"
    echo "export MONGODB_URI=$MONGODB_URI"
    [[ "$BACKEND" == sqlite ]] && echo "export GRIOT_FERRETDB_SQLITE_DIR=$DATA_DIR/sqlite"
    ;;
  stop)
    [[ -f "$STATE_FILE" ]] || die "no test database was started (no $STATE_FILE)"
    read -r pid dir PG_DIR < "$STATE_FILE"
    stop_server "$pid" "$dir"
    rm -f "$STATE_FILE"
    log "stopped"
    ;;
  run)
    [[ "${1:-}" == "--" ]] && shift
    [[ $# -gt 0 ]] || set -- npm test
    PID="" DATA_DIR=""
    trap 'stop_server "$PID" "$DATA_DIR"' EXIT
    start_server
    export MONGODB_URI
    # SQLite backend: where FerretDB keeps its files, for what gives them companion indexes (bench:compare, README
    # "FerretDB on SQLite"); unset on PostgreSQL.
    if [[ "$BACKEND" == sqlite ]]; then export GRIOT_FERRETDB_SQLITE_DIR="$DATA_DIR/sqlite"; else unset GRIOT_FERRETDB_SQLITE_DIR; fi
    set +e
    "$@"
    status=$?
    set -e
    exit $status
    ;;
  *) die "unknown command '$cmd' (build | run -- CMD | start | stop)" ;;
esac
