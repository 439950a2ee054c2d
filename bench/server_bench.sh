#!/usr/bin/env bash
# Fleet server benchmark, on loopback only, bounded in time:
#
#   bench/server_bench.sh [SECONDS] [CONNECTIONS]
#
# 1. ingest: wrk (Debian package wrk) POSTs one new host per request to
#    /api/v1/facts for SECONDS (default 20) over CONNECTIONS (default 32)
#    connections; prints requests/s and the p50/p99 latency.
#    Target: >= 3,000 ingests/s with p99 <= 50 ms on 2 cores.
# 2. summary: a new database filled with 100,000 hosts (acsready-fleetgen,
#    posted as NDJSON batches of 5,000), then times GET /api/v1/summary and a page of
#    GET /api/v1/hosts 20 times each. Target: summary <= 200 ms.
#
# The server and wrk share the machine's cores, as they would on one box.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_RUN=${1:-20}
CONNECTIONS=${2:-32}
command -v wrk >/dev/null || { echo "server_bench: install wrk (apt-get install wrk)" >&2; exit 2; }
cargo build --release -q -p acsready -p acsready-fleetgen
. bench/server_lib.sh
start_server ingest
machine
echo "server: $URL"

echo "== ingest: $SECONDS_RUN s, $CONNECTIONS connections, 2 wrk threads"
ACSREADY_TOKEN=$INGEST wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_RUN}s" --latency -s bench/ingest.lua "$URL/api/v1/facts" \
  | grep '^RESULT'

stop_server
echo "== summary of 100,000 hosts"
start_server summary
post_fleet 100000 || true
curl -sf -H "Authorization: Bearer $READ" "$URL/api/v1/summary" \
  | python3 -c 'import json,sys; s=json.load(sys.stdin); print("stored hosts:", s["hosts"])'
time_it() {
  local path=$1
  for _ in $(seq 20); do
    curl -sf -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $READ" "$URL$path"
  done | sort -n | awk -v p="$path" '{t[NR]=$1} END {printf "RESULT GET %s: median %.1f ms, max %.1f ms (20 runs)\n", p, t[int((NR+1)/2)]*1000, t[NR]*1000}'
}
time_it /api/v1/summary
time_it "/api/v1/hosts?limit=100&verdict=not_ready&sort=assessed_at&order=desc"
time_it "/api/v1/hosts?q=ACS001&limit=100"
