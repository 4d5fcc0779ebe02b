#!/usr/bin/env bash
# Agent check-in benchmark for issue 5: 100,000 assets (the demo estate), DEVICES of them enrolled (default
# 2,000), then wrk from a separate process posting check-ins, each with a random device's own token
# (benches/agent_checkin.lua), for SQLite and then PostgreSQL. Target: 2,000 requests/s with p99 under
# 50 ms. Plain wrk drives as fast as it can (the figure is the ceiling); with wrk2 installed the run is
# also repeated at a fixed 2,000 requests/s, which is the fair p99. Loopback only.
# Usage: bash benches/agent_checkin.sh [seconds-per-run]
# PostgreSQL: PG_URL (default postgres://postgres@127.0.0.1:5432); a database greenict_bench_agent is
# created and dropped. Set SKIP_PG=1 to measure SQLite only.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-30}
RUNS=${RUNS:-3}
DEVICES=${DEVICES:-2000}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
PORT=8020
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release --bin greenict
WORK=$(mktemp -d /tmp/greenict-agent-bench.XXXX)
SERVER=""
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
  rm -rf "$WORK"
  if [ -z "${SKIP_PG:-}" ]; then psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS greenict_bench_agent" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

# Enrols $DEVICES demo assets by tag with one enrolment token; writes "TAG TOKEN" lines to $WORK/tokens.txt.
enrol() {
  python3 - "$PORT" "$DEVICES" "$WORK/tokens.txt" <<'PY'
import http.client, json, os, sys
port, n, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
c = http.client.HTTPConnection("127.0.0.1", port)
def post(path, body, headers):
    c.request("POST", path, json.dumps(body), {"Content-Type": "application/json", **headers})
    r = c.getresponse(); data = r.read()
    if r.status >= 300: sys.exit(f"{path}: {r.status} {data[:200]!r}")
    return json.loads(data)
token = post("/api/v1/agent-enrolment-tokens", {"label": "benchmark", "valid_days": 1}, {"Authorization": "Bearer " + os.environ["TOKEN"]})["token"]
with open(out, "w") as f:
    for i in range(1, n + 1):
        tag = f"WCC-{i:06d}"
        got = post("/api/v1/agent/enrol", {"hostname": tag, "asset_tag": tag}, {"Authorization": f"Bearer {token}"})
        f.write(f"{tag} {got['device_token']}\n")
print(f"enrolled {n} devices")
PY
}

measure() { # $1 = label
  for run in $(seq "$RUNS"); do
    out=$(TOKENS="$WORK/tokens.txt" wrk -t2 -c64 -d"${SECS}s" --latency -s benches/agent_checkin.lua "http://127.0.0.1:$PORT")
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '/^ +50%/ {print $2}')
    p99=$(echo "$out" | awk '/^ +99%/ {print $2}')
    non2xx=$(echo "$out" | awk '/Non-2xx/ {print $4}')
    echo "$1 checkin run=$run rps=$rps p50=$p50 p99=$p99 non2xx=${non2xx:-0}"
  done
  if command -v wrk2 >/dev/null; then
    for run in $(seq "$RUNS"); do
      out=$(TOKENS="$WORK/tokens.txt" wrk2 -t2 -c64 -d"${SECS}s" -R2000 --latency -s benches/agent_checkin.lua "http://127.0.0.1:$PORT")
      p99=$(echo "$out" | awk '/^ +99.000%/ {print $2}')
      rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
      echo "$1 checkin_at_2000rps run=$run rps=$rps p99=$p99"
    done
  fi
  echo "$1 roll-up of the check-ins after the runs: $(curl -s -X POST "http://127.0.0.1:$PORT/api/v1/agents/rollup")"
  echo "$1 server RSS after runs: $(ps -o rss= -p "$SERVER" | awk '{printf "%.1f MiB", $1/1024}')"
}

serve() { # environment for the database is set by the caller
  GREENICT_LOG=warn ./target/release/greenict serve --data-dir "$WORK/data" --port "$PORT" &
  SERVER=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && return; sleep 0.2; done
  echo "server did not start" >&2; exit 1
}

# SQLite.
mkdir -p "$WORK/data"
./target/release/greenict demo --data-dir "$WORK/data" --assets 100000 >/dev/null
source benches/auth.sh
bench_token "$WORK/data"
serve
enrol
measure sqlite
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""

# PostgreSQL.
if [ -z "${SKIP_PG:-}" ]; then
  psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS greenict_bench_agent" >/dev/null
  psql "$PG_URL/postgres" -qc "CREATE DATABASE greenict_bench_agent" >/dev/null
  export GREENICT_DATABASE_URL="$PG_URL/greenict_bench_agent"
  ./target/release/greenict demo --data-dir "$WORK/data" --assets 100000 >/dev/null
  bench_token "$WORK/data"
  serve
  enrol
  measure postgres
fi
