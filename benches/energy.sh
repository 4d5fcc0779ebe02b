#!/usr/bin/env bash
# Energy benchmark for issue 4: a full financial year (2025/26) for the 100,000-asset demo estate,
# grouped by site and month, through `GET /api/v1/energy` on SQLite, warm (one untimed request first).
# Baseline in the same run: `GET /healthz` (the request path without the work). Prints each timed
# request's seconds (curl's time_total) and the server's peak RSS (VmHWM). Loopback only.
# Usage: bash benches/energy.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
cargo build --release --bin greenict --examples
DATA=$(mktemp -d /tmp/greenict-energy-bench.XXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$DATA"' EXIT
source benches/demo_estate.sh
demo_estate "$DATA"
source benches/auth.sh
bench_token "$DATA"
GREENICT_LOG=warn ./target/release/greenict serve --data-dir "$DATA" --port 8012 &
SERVER=$!
for _ in $(seq 100); do curl -sf http://127.0.0.1:8012/readyz >/dev/null && break; sleep 0.2; done
URL="http://127.0.0.1:8012/api/v1/energy?group_by=site,month&fy=2025"
curl -sf -o "$DATA/warm.json" "$URL"
echo "rows: $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["rows"]))' "$DATA/warm.json")"
for run in $(seq "$RUNS"); do
  echo "healthz run=$run secs=$(curl -sf -o /dev/null -w '%{time_total}' http://127.0.0.1:8012/healthz)"
  echo "energy_site_month run=$run secs=$(curl -sf -o /dev/null -w '%{time_total}' "$URL")"
done
echo "server peak RSS: $(awk '/VmHWM/ {printf "%.1f MiB", $2/1024}' /proc/$SERVER/status)"
