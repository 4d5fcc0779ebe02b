#!/usr/bin/env bash
# HTTP benchmark for issue 2: 100,000 assets in SQLite; GET /api/v1/assets/{tag} and a filtered,
# paginated list, each driven by wrk (32 connections, 2 threads) from a separate process, beside a bare
# Rocket route measured in the same run. Loopback only. Usage: bash benches/http.sh [seconds-per-run]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-15}
RUNS=${RUNS:-3}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release --bin greenict --examples
DATA=$(mktemp -d /tmp/greenict-bench.XXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$DATA"' EXIT
start=$(date +%s.%N)
source benches/demo_estate.sh
demo_estate "$DATA"
source benches/auth.sh
bench_token "$DATA"
echo "demo load (or copy, with GREENICT_BENCH_DEMO) of 100,000 assets: $(echo "$(date +%s.%N) - $start" | bc) s"
GREENICT_LOG=warn ./target/release/greenict serve --data-dir "$DATA" --port 8010 &
SERVER=$!
PORT=8011 ./target/release/examples/ceiling >/dev/null 2>&1 &
for _ in $(seq 50); do curl -sf http://127.0.0.1:8010/readyz >/dev/null && curl -sf http://127.0.0.1:8011/ceiling >/dev/null && break; sleep 0.2; done
SITE=$(curl -s http://127.0.0.1:8010/api/v1/sites | python3 -c 'import json,sys; print(json.load(sys.stdin)[1]["id"])')
CURSOR=$(curl -s "http://127.0.0.1:8010/api/v1/assets?site_id=$SITE&category=desktop&limit=50" | python3 -c 'import json,sys; print(json.load(sys.stdin)["next_cursor"])')
declare -A URLS=(
  [ceiling]="http://127.0.0.1:8011/ceiling"
  [asset_by_tag]="http://127.0.0.1:8010/api/v1/assets/WCC-050000"
  [list_filtered_page2]="http://127.0.0.1:8010/api/v1/assets?site_id=$SITE&category=desktop&limit=50&cursor=$CURSOR"
)
for name in ceiling asset_by_tag list_filtered_page2; do
  for run in $(seq "$RUNS"); do
    out=$(wrk -t2 -c32 -d"${SECS}s" --latency -H "Authorization: Bearer $TOKEN" "${URLS[$name]}")
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '/^ +50%/ {print $2}')
    p99=$(echo "$out" | awk '/^ +99%/ {print $2}')
    non2xx=$(echo "$out" | awk '/Non-2xx/ {print $4}')
    echo "$name run=$run rps=$rps p50=$p50 p99=$p99 non2xx=${non2xx:-0}"
  done
done
echo "server RSS after runs: $(ps -o rss= -p $SERVER | awk '{printf "%.1f MiB", $1/1024}')"
