#!/usr/bin/env bash
# TCO and refresh-planning benchmark for issue 6, on the 100,000-asset demo estate in SQLite, warm (one
# untimed request of each first), through the HTTP API:
# - tco_department: `GET /api/v1/tco?group_by=department` — every asset's TCO (purchase, electricity to
#   date and forecast to its refresh date, cost item shares, disposal) rolled up by department. Target < 1 s.
# - refresh_forecast: `GET /api/v1/refresh/forecast?years=5` — replacements and budget for five financial
#   years. Target < 300 ms.
# Baseline in the same run: `GET /healthz`. Before timing it adds cost items so their sharing is measured
# too: a yearly support contract per department (ongoing), a yearly licence per model (ongoing), and 1,000
# one-off repairs on single assets. Prints each timed request's seconds (curl's time_total) and the
# server's peak RSS (VmHWM). Loopback only.
# The API keeps both answers until the data changes (services::tco::TcoCache), so the warm runs are answered
# from that cache; the first (cold) request of each is printed too, and `*_uncached` runs ask `as_of` a
# different past day each run (a new cache key, so worked out in full each time: what a request costs
# after any change to the register).
# Usage: bash benches/tco.sh [runs]
# GREENICT_BENCH_BIN=path serves that build instead of this tree's (e.g. an older one for a before figure)
# and makes the token with it; this tree's binary still makes the demo unless GREENICT_BENCH_DEMO is given
# (prepare that with the older build when this tree adds a migration).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
cargo build --release --bin greenict --examples
DATA=$(mktemp -d /tmp/greenict-tco-bench.XXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$DATA"' EXIT
source benches/demo_estate.sh
demo_estate "$DATA"
source benches/auth.sh
bench_token "$DATA"
# Its own port: benches/charts.sh serves on 8013, and two benchmarks run side by side on one port time
# each other's server.
PORT=${GREENICT_BENCH_PORT:-8015}
if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then echo "port $PORT is in use" >&2; exit 1; fi
GREENICT_LOG=warn "${GREENICT_BENCH_BIN:-./target/release/greenict}" serve --data-dir "$DATA" --port "$PORT" &
SERVER=$!
BASE=http://127.0.0.1:$PORT
for _ in $(seq 100); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.2; done
kill -0 "$SERVER" 2>/dev/null || { echo "the server did not start" >&2; exit 1; }

python3 - "$BASE" <<'PY'
import json, os, sys, urllib.request
AUTH = {"Authorization": "Bearer " + os.environ["TOKEN"]}
base = sys.argv[1]
def get(path):
    return json.load(urllib.request.urlopen(urllib.request.Request(base + path, headers=AUTH)))
def post(body):
    req = urllib.request.Request(base + "/api/v1/cost-items", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json", **AUTH})
    urllib.request.urlopen(req).read()
for d in get("/api/v1/departments"):
    post({"kind": "support", "description": "Desktop support", "scope": "department", "scope_id": d["id"],
          "timing": "annual", "amount": "12000.00", "starts_on": "2019-04-01"})
for m in get("/api/v1/models"):
    post({"kind": "licence", "description": "Management agent", "scope": "model", "scope_id": m["id"],
          "timing": "annual", "amount": "2400.00", "starts_on": "2020-04-01"})
for i in range(1, 1001):
    post({"kind": "repair", "description": "Repair", "scope": "asset", "asset_tag": "WCC-%06d" % (i * 97),
          "timing": "one_off", "amount": "85.50", "starts_on": "2024-06-01"})
print("cost items:", len(get("/api/v1/cost-items")))
PY

TCO="$BASE/api/v1/tco?group_by=department"
FORECAST="$BASE/api/v1/refresh/forecast?years=5"
echo "tco_department cold secs=$(curl -sf -o "$DATA/tco.json" -w '%{time_total}' "$TCO")"
echo "refresh_forecast cold secs=$(curl -sf -o "$DATA/forecast.json" -w '%{time_total}' "$FORECAST")"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("tco assets:", r["assets_counted"], "rows:", len(r["rows"]), "total:", r["total"]["total_gbp"])' "$DATA/tco.json"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("forecast:", [(y["financial_year"], y["replacements"], y["budget_gbp"]) for y in r["years"]])' "$DATA/forecast.json"
for run in $(seq "$RUNS"); do
  echo "healthz run=$run secs=$(curl -sf -o /dev/null -w '%{time_total}' "$BASE/healthz")"
  echo "tco_department run=$run secs=$(curl -sf -o /dev/null -w '%{time_total}' "$TCO")"
  echo "refresh_forecast run=$run secs=$(curl -sf -o /dev/null -w '%{time_total}' "$FORECAST")"
done
for run in $(seq "$RUNS"); do
  day=$(date -u -d "-$run days" +%F)
  echo "tco_department_uncached run=$run secs=$(curl -sf -o /dev/null -w '%{time_total}' "$TCO&as_of=$day")"
  echo "refresh_forecast_uncached run=$run secs=$(curl -sf -o /dev/null -w '%{time_total}' "$FORECAST&as_of=$day")"
done
echo "server peak RSS: $(awk '/VmHWM/ {printf "%.1f MiB", $2/1024}' /proc/$SERVER/status)"
