#!/usr/bin/env bash
# bench/report_csv_bench.sh [HOSTS] [BIN]: the server's peak memory (VmHWM,
# Linux) for GET /api/v1/report.csv of HOSTS synthetic hosts (default
# 200,000): after ingest, after one report, after 8 reports at once (the
# ones over the cap answer 503). BIN: another acsready build to compare
# (default target/release/acsready, after `cargo build --release`).
set -euo pipefail
cd "$(dirname "$0")/.."
HOSTS=${1:-200000}
source bench/server_lib.sh
BIN=${2:-$BIN}
[ -x target/release/acsready-fleetgen ] || cargo build --release -p acsready-fleetgen

peak() { sed -n 's/^VmHWM:\s*//p' "/proc/$SERVER_PID/status"; }

machine
start_server csv
post_fleet "$HOSTS"
echo "$HOSTS hosts stored; peak after ingest: $(peak)"
start=$(date +%s.%N)
curl -sf -H "Authorization: Bearer $READ" -o "$WORK/report.csv" "$URL/api/v1/report.csv"
end=$(date +%s.%N)
echo "one report: $(stat -c %s "$WORK/report.csv") bytes in $(echo "$end - $start" | bc) s; peak: $(peak)"
pids=()
for i in $(seq 8); do
  curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $READ" "$URL/api/v1/report.csv" > "$WORK/status-$i" &
  pids+=($!)
done
wait "${pids[@]}"
echo "8 at once: $(cat "$WORK"/status-* | sort | uniq -c | xargs); peak: $(peak)"
stop_server
