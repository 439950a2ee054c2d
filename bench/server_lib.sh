# Shared by bench/server_bench.sh and bench/dashboard_bench.sh (sourced, after
# `cargo build --release`): a scratch folder removed on exit, one release
# server at a time on loopback, and a synthetic fleet posted to it.
BIN=target/release/acsready
WORK=$(mktemp -d)
SERVER_PID=""
REPLICA_PID=""
PG_DIR=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  [ -n "$REPLICA_PID" ] && kill "$REPLICA_PID" 2>/dev/null && wait "$REPLICA_PID" 2>/dev/null
  [ -n "$PG_DIR" ] && { scripts/pg-cluster stop "$PG_DIR" || true; rm -rf "$PG_DIR"; }
  rm -rf "$WORK"
}
trap cleanup EXIT

# start_pg: a throwaway PostgreSQL cluster (scripts/pg-cluster) for
# start_server with DB_KIND=postgres.
start_pg() {
  PG_DIR=$(mktemp -d /tmp/acsready-bench-pg.XXXXXX)
  scripts/pg-cluster start "$PG_DIR"
  . "$PG_DIR/env"
}

# serve_on DB NAME: one more server on DB ($LAST_URL, $LAST_PID).
serve_on() {
  ACSREADY_LOG=warn $BIN serve --db "$1" --listen 127.0.0.1:0 --uploads "$WORK/uploads-$2" \
    >/dev/null 2>"$WORK/$2.log" &
  LAST_PID=$!
  for _ in $(seq 100); do grep -q '^listening on' "$WORK/$2.log" && break; sleep 0.1; done
  LAST_URL=$(sed -n 's/^listening on //p' "$WORK/$2.log")
}

# start_server NAME: a new database $WORK/NAME.db with an ingest and a read
# token ($INGEST, $READ), the server on a free port ($URL, $SERVER_PID).
# With DB_KIND=postgres (after start_pg) the database is a new PostgreSQL
# database NAME on the cluster instead.
start_server() {
  if [ "${DB_KIND:-sqlite}" = postgres ]; then
    psql "$ACSREADY_TEST_PG" -qc "CREATE DATABASE $1"
    DB="${ACSREADY_TEST_PG%/*}/$1"
  else
    DB="$WORK/$1.db"
  fi
  INGEST=$($BIN token create --db "$DB" --scope ingest --name bench 2>/dev/null)
  READ=$($BIN token create --db "$DB" --scope read --name bench 2>/dev/null)
  serve_on "$DB" "$1"
  URL=$LAST_URL
  SERVER_PID=$LAST_PID
  [ -n "$URL" ] || { cat "$WORK/$1.log" >&2; exit 1; }
}

# start_replica: a second server on the database of start_server ($URL2).
start_replica() {
  serve_on "$DB" "replica"
  URL2=$LAST_URL
  REPLICA_PID=$LAST_PID
  [ -n "$URL2" ] || { cat "$WORK/replica.log" >&2; exit 1; }
}

stop_server() {
  kill "$SERVER_PID" && wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
  if [ -n "$REPLICA_PID" ]; then
    kill "$REPLICA_PID" && wait "$REPLICA_PID" 2>/dev/null || true
    REPLICA_PID=""
  fi
}

machine() {
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
}

# post_fleet HOSTS: acsready-fleetgen's HOSTS hosts, as NDJSON batches of 5,000.
post_fleet() {
  target/release/acsready-fleetgen "$1" 7 > "$WORK/fleet.ndjson"
  rm -f "$WORK"/part-*
  split -l 5000 "$WORK/fleet.ndjson" "$WORK/part-"
  for part in "$WORK"/part-*; do
    curl -sf -o /dev/null -H "Authorization: Bearer $INGEST" -H 'Content-Type: application/x-ndjson' \
      --data-binary @"$part" "$URL/api/v1/facts"
  done
}
