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
. bench/server_lib.sh
start_server fleet
machine
started=$(date +%s)
post_fleet "$HOSTS"
echo "ingested $HOSTS hosts in $(( $(date +%s) - started )) s"
target/release/examples/dashboard_bench "$URL" "$READ" host-00012
