#!/usr/bin/env bash
# Members' carbon report benchmark for issue 7: 100,000 assets in SQLite.
# 1. The CLI, cold (a new process: every estimate worked out): `greenict report members --fy 2025`,
#    writing the HTML and the PDF; wall-clock seconds from `date +%s.%N`, RUNS times.
# 2. Through HTTP: `GET /reports/members.html?fy=2025` and `.pdf`, signed in with an API-less session
#    (a one-time sign-in link from `greenict user link`), the first request cold, then RUNS warm ones
#    (the estimates come from the estimate cache until the register changes). Baseline: `GET /healthz`.
# Target (issue 7): the members' report under 5 s with 100,000 assets.
# Loopback only. Usage: bash benches/reports.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
cargo build --release --bin greenict --examples
BIN=./target/release/greenict
DATA=$(mktemp -d /tmp/greenict-reports-bench.XXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$DATA"' EXIT
source benches/demo_estate.sh
demo_estate "$DATA"

echo "== CLI, cold, 100,000 assets (s)"
for run in $(seq "$RUNS"); do
  start=$(date +%s.%N)
  GREENICT_LOG=warn $BIN report members --fy 2025 --data-dir "$DATA" --out "$DATA/out" >/dev/null
  end=$(date +%s.%N)
  echo "cli run=$run secs=$(echo "$end - $start" | bc)"
done
ls -l "$DATA/out"

echo "== HTTP, 100,000 assets (s)"
printf 'kettle lantern orchard\nkettle lantern orchard\n' | GREENICT_LOG=warn $BIN user create bench.viewer --role viewer --data-dir "$DATA" >/dev/null
GREENICT_LOG=warn $BIN serve --data-dir "$DATA" --port 8014 &
SERVER=$!
BASE=http://127.0.0.1:8014
for _ in $(seq 100); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.2; done
JAR="$DATA/cookies"
curl -sf -c "$JAR" -o /dev/null -d 'username=bench.viewer&password=kettle+lantern+orchard' "$BASE/sign-in"
echo "members.html cold secs=$(curl -sf -b "$JAR" -o /dev/null -w '%{time_total}' "$BASE/reports/members.html?fy=2025")"
for run in $(seq "$RUNS"); do
  echo "healthz run=$run secs=$(curl -sf -o /dev/null -w '%{time_total}' "$BASE/healthz")"
  for ext in html pdf; do
    echo "members.$ext run=$run secs=$(curl -sf -b "$JAR" -o /dev/null -w '%{time_total}' "$BASE/reports/members.$ext?fy=2025")"
  done
  for ext in html pdf; do
    echo "energy-audit.$ext run=$run secs=$(curl -sf -b "$JAR" -o /dev/null -w '%{time_total}' "$BASE/reports/energy-audit.$ext?fy=2025&site=Civic%20Offices")"
  done
done
echo "server peak RSS: $(awk '/VmHWM/ {printf "%.1f MiB", $2/1024}' /proc/$SERVER/status)"
