#!/usr/bin/env bash
# Power scheduling benchmarks for issue 5 (loopback only; run as root: the wake listener binds port 9).
# - tick: 100,000-asset demo estate, one policy covering it; the scheduler tick that plans a day's actions
#   (first tick inserts them; the second, at the same moment, finds them all there). Target < 200 ms.
# - wol: 10,000 Wake-on-LAN packets through wol-rs to 127.0.0.200:9. Target < 1 s.
# SQLite by default; set GREENICT_BENCH_DATABASE_URL=postgres://... (an empty database) for PostgreSQL.
# Usage: bash benches/power.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
cargo build --release --example power_bench
for run in $(seq "$RUNS"); do
  echo "== run $run"
  ./target/release/examples/power_bench wol
  ./target/release/examples/power_bench tick
done
