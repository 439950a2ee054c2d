# Shared by bench/server_bench.sh and bench/dashboard_bench.sh (sourced, after
# `cargo build --release`): a scratch folder removed on exit, one release
# server at a time on loopback, and a synthetic fleet posted to it.
BIN=target/release/acsready
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

# start_server NAME: a new database $WORK/NAME.db with an ingest and a read
# token ($INGEST, $READ), the server on a free port ($URL, $SERVER_PID).
start_server() {
  DB="$WORK/$1.db"
  INGEST=$($BIN token create --db "$DB" --scope ingest --name bench 2>/dev/null)
  READ=$($BIN token create --db "$DB" --scope read --name bench 2>/dev/null)
  ACSREADY_LOG=warn $BIN serve --db "$DB" --listen 127.0.0.1:0 2>"$WORK/$1.log" &
  SERVER_PID=$!
  for _ in $(seq 100); do grep -q '^listening on' "$WORK/$1.log" && break; sleep 0.1; done
  URL=$(sed -n 's/^listening on //p' "$WORK/$1.log")
  [ -n "$URL" ] || { cat "$WORK/$1.log" >&2; exit 1; }
}

stop_server() {
  kill "$SERVER_PID" && wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

machine() {
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
}

# post_fleet HOSTS: acsready-fleetgen's HOSTS hosts, as NDJSON batches of 5,000.
post_fleet() {
  target/release/acsready-fleetgen "$1" 7 > "$WORK/fleet.ndjson"
  split -l 5000 "$WORK/fleet.ndjson" "$WORK/part-"
  for part in "$WORK"/part-*; do
    curl -sf -o /dev/null -H "Authorization: Bearer $INGEST" -H 'Content-Type: application/x-ndjson' \
      --data-binary @"$part" "$URL/api/v1/facts"
  done
}
