#!/usr/bin/env bash
# Fleet dashboard benchmark: a server on loopback holding HOSTS hosts
# (default 100,000: acsready-fleetgen, posted as NDJSON batches of 5,000),
# and the dashboard opened in headless Chromium (chromium + chromium-driver,
# as scripts/test installs them):
#
#   bench/dashboard_bench.sh [HOSTS]
#
# Prints the time from signing in until the summary and the first page of
# hosts are shown, a verdict filter, a sort, a search (including typing and
# the debounce), opening a host, and the JavaScript heap. The page never
# holds more than one page of hosts, so these should not grow with HOSTS.
set -euo pipefail
cd "$(dirname "$0")/.."
HOSTS=${1:-100000}
cargo build --release -q -p acsready -p acsready-fleetgen --example dashboard_bench
BIN=target/release/acsready
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
DB="$WORK/fleet.db"
INGEST=$($BIN token create --db "$DB" --scope ingest --name bench 2>/dev/null)
READ=$($BIN token create --db "$DB" --scope read --name bench 2>/dev/null)
: > "$WORK/server.log"
ACSREADY_LOG=warn $BIN serve --db "$DB" --listen 127.0.0.1:0 2>"$WORK/server.log" &
SERVER_PID=$!
for _ in $(seq 100); do grep -q '^listening on' "$WORK/server.log" && break; sleep 0.1; done
URL=$(sed -n 's/^listening on //p' "$WORK/server.log")
[ -n "$URL" ] || { cat "$WORK/server.log" >&2; exit 1; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
target/release/acsready-fleetgen "$HOSTS" 7 > "$WORK/fleet.ndjson"
split -l 5000 "$WORK/fleet.ndjson" "$WORK/part-"
started=$(date +%s)
for part in "$WORK"/part-*; do
  curl -sf -o /dev/null -H "Authorization: Bearer $INGEST" -H 'Content-Type: application/x-ndjson' \
    --data-binary @"$part" "$URL/api/v1/facts"
done
echo "ingested $HOSTS hosts in $(( $(date +%s) - started )) s"
target/release/examples/dashboard_bench "$URL" "$READ" host-00012
