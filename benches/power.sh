#!/usr/bin/env bash
# Power scheduling benchmarks for issue 5 (loopback only; run as root: the wake listener binds port 9).
# - wol: 10,000 Wake-on-LAN packets to 127.0.0.200:9: a bare UDP loop (baseline), wol-rs, and the
#   scheduler's sender. Target < 1 s.
# - tick: 100,000-asset demo estate, one policy covering it; per round, the first tick that plans a day's
#   actions, a steady tick a minute later, a restarted instance's first tick, and a bare insert of the
#   same rows (baseline). Target < 200 ms. On SQLite, then on PostgreSQL.
# Run it at normal priority: only the build is niced (the machine is shared).
# Usage: bash benches/power.sh [rounds]
# PostgreSQL: PG_URL (default postgres://postgres@127.0.0.1:5432); the database greenict_bench_power is
# created afresh and dropped afterwards. SKIP_PG=1 measures SQLite only.
set -euo pipefail
cd "$(dirname "$0")/.."
export ROUNDS=${1:-3}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
PG_DB=greenict_bench_power
nice -n 19 cargo build --release --bin greenict --examples
BIN=./target/release/examples/power_bench
echo "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== wol"
$BIN wol
echo "== tick, SQLite"
/usr/bin/time -f "process peak RSS %M KiB, %e s" $BIN tick
if [ -z "${SKIP_PG:-}" ]; then
  trap 'psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1 || true' EXIT
  psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $PG_DB" >/dev/null
  psql "$PG_URL/postgres" -qc "CREATE DATABASE $PG_DB" >/dev/null
  echo "== tick, PostgreSQL"
  GREENICT_BENCH_DATABASE_URL="$PG_URL/$PG_DB" /usr/bin/time -f "process peak RSS %M KiB, %e s" $BIN tick
fi
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
