#!/usr/bin/env bash
# Fleet server benchmark, on loopback only, bounded in time:
#
#   bench/server_bench.sh [SECONDS] [CONNECTIONS] [HOSTS]
#
# For each store, SQLite, then PostgreSQL (a throwaway cluster started by
# scripts/pg-cluster; BENCH_PG=0 leaves it out, BENCH_SQLITE=0 SQLite):
# 1. ingest: wrk (Debian package wrk) POSTs one new host per request to
#    /api/v1/facts for SECONDS (default 20) over CONNECTIONS (default 32)
#    connections; prints requests/s and the p50/p99 latency. PostgreSQL
#    also with two replicas on one database, CONNECTIONS/2 to each (the two
#    wrk results summed: rate, and the higher p99).
#    Target: >= 10,000 ingests/s with p99 <= 50 ms on 2 cores (SQLite).
# 2. reads: a new database filled with HOSTS hosts (default 1,000,000;
#    acsready-fleetgen, posted as NDJSON batches of 5,000), then times GET
#    /api/v1/summary and pages of GET /api/v1/hosts 20 times each; then
#    adds 730 synthetic days of changes before the fill's day (+1/-1 on
#    alternate days, adding up to nothing, so the counts still hold) and
#    times GET /api/v1/trend?days=730, the longest trend there is.
#    Target: summary <= 50 ms, a page filtered by verdict <= 100 ms, the
#    trend <= 50 ms.
#
# The servers, PostgreSQL and wrk share the machine's cores, as they would
# on one box.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_RUN=${1:-20}
CONNECTIONS=${2:-32}
HOSTS=${3:-1000000}
command -v wrk >/dev/null || { echo "server_bench: install wrk (apt-get install wrk)" >&2; exit 2; }
cargo build --release -q -p acsready -p acsready-fleetgen
. bench/server_lib.sh
machine

ingest() {
  echo "== $DB_KIND ingest: $SECONDS_RUN s, $CONNECTIONS connections, 2 wrk threads"
  ACSREADY_TOKEN=$INGEST wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_RUN}s" --latency -s bench/ingest.lua "$URL/api/v1/facts" \
    | grep '^RESULT'
}

ingest_two_replicas() {
  echo "== $DB_KIND ingest, two replicas: $SECONDS_RUN s, $((CONNECTIONS / 2)) connections to each"
  ACSREADY_TOKEN=$INGEST BENCH_PREFIX=one wrk -t1 -c"$((CONNECTIONS / 2))" -d"${SECONDS_RUN}s" --latency \
    -s bench/ingest.lua "$URL/api/v1/facts" > "$WORK/wrk1" &
  local one=$!
  ACSREADY_TOKEN=$INGEST BENCH_PREFIX=two wrk -t1 -c"$((CONNECTIONS / 2))" -d"${SECONDS_RUN}s" --latency \
    -s bench/ingest.lua "$URL2/api/v1/facts" > "$WORK/wrk2"
  wait "$one"
  grep -h '^RESULT' "$WORK/wrk1" "$WORK/wrk2" | sed 's/^RESULT/RESULT replica:/'
  grep -h '^RESULT' "$WORK/wrk1" "$WORK/wrk2" | tr ' =' '\n\n' | awk '
    /^rate$/ {getline v; rate += v} /^p99_ms$/ {getline v; if (v > p99) p99 = v}
    /^non200$/ {getline v; bad += v} /^errors$/ {getline v; bad += v}
    END {printf "RESULT two replicas: rate=%.0f p99_ms=%.2f non200+errors=%d\n", rate, p99, bad}'
}

time_it() {
  local path=$1
  for _ in $(seq 20); do
    curl -sf -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $READ" "$URL$path"
  done | sort -n | awk -v p="$path" '{t[NR]=$1} END {printf "RESULT GET %s: median %.1f ms, max %.1f ms (20 runs)\n", p, t[int((NR+1)/2)]*1000, t[NR]*1000}'
}

reads() {
  echo "== $DB_KIND reads of $HOSTS hosts"
  start_server "summary_$DB_KIND"
  local t0=$SECONDS
  post_fleet "$HOSTS" || true
  echo "filled in $((SECONDS - t0)) s"
  curl -sf -H "Authorization: Bearer $READ" "$URL/api/v1/summary" \
    | python3 -c 'import json,sys; s=json.load(sys.stdin); print("stored hosts:", s["hosts"])'
  time_it /api/v1/summary
  time_it "/api/v1/hosts?limit=100&verdict=not_ready&sort=assessed_at&order=desc"
  time_it "/api/v1/hosts?limit=100&release=win10-1809&offset=1000"
  time_it "/api/v1/hosts?q=ACS001&limit=100"
  history_days
  time_it "/api/v1/trend?days=730"
  curl -sf -H "Authorization: Bearer $READ" "$URL/api/v1/trend?days=730" \
    | python3 -c 'import json,sys; t=json.load(sys.stdin); d=t["days"]; print("trend days:", len(d), "first:", d[0]["day"], "last:", d[-1]["day"], "hosts today:", d[-1]["hosts"])'
  stop_server
}

# 730 days of synthetic changes before today (+1/-1 ready and not ready on
# alternate days: they add up to nothing, so the trend still matches the
# counts), for the longest trend the API serves.
history_days() {
  if [ "$DB_KIND" = postgres ]; then
    psql "$DB" -qc "INSERT INTO trend (day, ready, not_ready, unknown, unsupported)
      SELECT to_char(current_date - d, 'YYYY-MM-DD'), CASE WHEN d % 2 = 1 THEN 1 ELSE -1 END,
             CASE WHEN d % 2 = 1 THEN -1 ELSE 1 END, 0, 0 FROM generate_series(1, 730) AS d"
  else
    python3 - "$DB" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=30)
c.execute("""INSERT INTO trend (day, ready, not_ready)
  WITH RECURSIVE n(d) AS (SELECT 1 UNION ALL SELECT d + 1 FROM n WHERE d < 730)
  SELECT date('now', '-' || d || ' days'), CASE d % 2 WHEN 1 THEN 1 ELSE -1 END,
         CASE d % 2 WHEN 1 THEN -1 ELSE 1 END FROM n""")
c.commit()
PY
  fi
}

if [ "${BENCH_SQLITE:-1}" != 0 ]; then
  DB_KIND=sqlite
  start_server ingest_sqlite
  echo "server: $URL"
  ingest
  stop_server
  reads
fi

if [ "${BENCH_PG:-1}" != 0 ]; then
  DB_KIND=postgres
  start_pg
  start_server ingest_one
  ingest
  stop_server
  start_server ingest_two
  start_replica
  ingest_two_replicas
  stop_server
  reads
fi
