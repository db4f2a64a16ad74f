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
# GRIOT_CACHE_DIR (default: ~/.cache/griot-registry).
set -euo pipefail

FERRETDB_VERSION=v1.24.2
FERRETDB_MODULE=github.com/FerretDB/FerretDB
CACHE_DIR=${GRIOT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/griot-registry}
BIN=${FERRETDB_BIN:-$CACHE_DIR/ferretdb-$FERRETDB_VERSION}
STATE_FILE=${GRIOT_TEST_DB_STATE:-$CACHE_DIR/test-db.state}

log() { echo "test-db: $*" >&2; }
die() { log "error: $*"; exit 1; }

build() {
  if [[ -x "$BIN" ]]; then return 0; fi
  command -v go >/dev/null || die "Go is required to build FerretDB $FERRETDB_VERSION (no 'go' on PATH)"
  mkdir -p "$CACHE_DIR"
  log "building FerretDB $FERRETDB_VERSION from the Go module proxy (first run only, ~3 min)"
  # `go install $FERRETDB_MODULE/cmd/ferretdb@$FERRETDB_VERSION` fetches the right source, but the published
  # module ships an empty build/version/version.txt and the binary panics at start-up. So: download the
  # module, copy it, fill in version.txt, and build it from there.
  local dir src work
  dir=$(go mod download -json "$FERRETDB_MODULE@$FERRETDB_VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",\?$/\1/p')
  [[ -n "$dir" && -d "$dir" ]] || die "could not download $FERRETDB_MODULE@$FERRETDB_VERSION"
  work=$(mktemp -d)
  src="$work/ferretdb"
  cp -r "$dir" "$src"
  chmod -R u+w "$src"
  echo "$FERRETDB_VERSION" > "$src/build/version/version.txt"
  (cd "$src" && GOFLAGS=-buildvcs=false go build -trimpath -o "$BIN.tmp" ./cmd/ferretdb) || die "go build of FerretDB failed"
  mv "$BIN.tmp" "$BIN"
  rm -rf "$work"
  log "built $BIN"
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
  "$BIN" \
    --listen-addr="127.0.0.1:$port" \
    --handler=sqlite \
    --sqlite-url="file:$DATA_DIR/sqlite/" \
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
      log "FerretDB $FERRETDB_VERSION is up at $MONGODB_URI (pid $PID)"
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
  return 0
}

cd "$(dirname "$0")/.."
cmd=${1:-run}; shift || true
case "$cmd" in
  build) build ;;
  start)
    start_server
    mkdir -p "$(dirname "$STATE_FILE")"
    echo "$PID $DATA_DIR" > "$STATE_FILE"
    echo "export MONGODB_URI=$MONGODB_URI"
    ;;
  stop)
    [[ -f "$STATE_FILE" ]] || die "no test database was started (no $STATE_FILE)"
    read -r pid dir < "$STATE_FILE"
    stop_server "$pid" "$dir"
    rm -f "$STATE_FILE"
    log "stopped"
    ;;
  run)
    [[ "${1:-}" == "--" ]] && shift
    [[ $# -gt 0 ]] || set -- npm test
    start_server
    trap 'stop_server "$PID" "$DATA_DIR"' EXIT
    export MONGODB_URI
    set +e
    "$@"
    status=$?
    set -e
    exit $status
    ;;
  *) die "unknown command '$cmd' (build | run -- CMD | start | stop)" ;;
esac
