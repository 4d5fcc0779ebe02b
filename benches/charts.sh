#!/usr/bin/env bash
# Charts and dashboard benchmark for issue 7.
# 1. Drawing alone: each chart kind as SVG and PNG from plain series (examples/chart_render.rs), median
#    and slowest of RUNS draws. Target: each chart under 100 ms.
# 2. Through HTTP on the 100,000-asset demo estate in SQLite: the dashboard (`GET /?fy=2025`) and each
#    chart's SVG and PNG, timed with curl's time_total. The first dashboard request works the estimates
#    out (cold, printed once); the timed ones find them in the estimate cache (warm), as every request
#    after the first does until the register changes. Baseline in the same run: `GET /healthz`.
#    Target: the dashboard under 300 ms with 100,000 assets.
# Loopback only. Usage: [PORT=8013] bash benches/charts.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-10}
cargo build --release --bin greenict --examples
echo "== drawing alone (ms)"
./target/release/examples/chart_render "$RUNS"
DATA=$(mktemp -d /tmp/greenict-charts-bench.XXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$DATA"' EXIT
source benches/demo_estate.sh
demo_estate "$DATA"
source benches/auth.sh
bench_token "$DATA"
GREENICT_LOG=warn ./target/release/greenict serve --data-dir "$DATA" --port "${PORT:-8013}" &
SERVER=$!
for _ in $(seq 100); do curl -sf http://127.0.0.1:${PORT:-8013}/readyz >/dev/null && break; sleep 0.2; done
BASE=http://127.0.0.1:${PORT:-8013}
echo "== HTTP, 100,000 assets (s)"
echo "dashboard cold secs=$(curl -sf -o /dev/null -w '%{time_total}' "$BASE/?fy=2025")"
for run in $(seq "$RUNS"); do
  echo "healthz run=$run secs=$(curl -sf -o /dev/null -w '%{time_total}' "$BASE/healthz")"
  echo "dashboard run=$run secs=$(curl -sf -o /dev/null -w '%{time_total}' "$BASE/?fy=2025")"
  for chart in energy-by-month carbon-by-year cost-by-category refresh-forecast metered-vs-estimated \
      policy-savings tco-by-model ewaste-by-route; do
    for ext in svg png; do
      echo "$chart.$ext run=$run secs=$(curl -sf -o /dev/null -w '%{time_total}' "$BASE/charts/$chart.$ext?fy=2025")"
    done
  done
done
ETAG=$(curl -sfI "$BASE/charts/energy-by-month.svg?fy=2025" | awk -F': ' 'tolower($1)=="etag" {print $2}' | tr -d '\r')
echo "energy-by-month.svg 304 secs=$(curl -s -o /dev/null -H "If-None-Match: $ETAG" -w '%{http_code} %{time_total}' "$BASE/charts/energy-by-month.svg?fy=2025")"
echo "server peak RSS: $(awk '/VmHWM/ {printf "%.1f MiB", $2/1024}' /proc/$SERVER/status)"
