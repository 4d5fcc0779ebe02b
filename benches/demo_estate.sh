# Sourced by the benchmarks: the 100,000-asset demo estate in a data directory. Loading it takes about a
# minute (release), so a run of several benchmarks can load it once and have each copy it:
#   bash benches/demo_estate.sh prepare /tmp/greenict-demo-100k
#   GREENICT_BENCH_DEMO=/tmp/greenict-demo-100k bash benches/tco.sh
# A prepared copy made by an older build is migrated when the service starts; demo data a newer build
# adds is then missing, so prepare again after such a change.
demo_estate() { # $1: the benchmark's (empty) data directory
  if [ -n "${GREENICT_BENCH_DEMO:-}" ] && [ -f "$GREENICT_BENCH_DEMO/greenict.sqlite" ]; then
    cp -a "$GREENICT_BENCH_DEMO/." "$1/"
    rm -f "$1/.curlrc"
  else
    GREENICT_LOG=warn ./target/release/greenict demo --data-dir "$1" --assets 100000 >/dev/null
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  cd "$(dirname "$0")/.."
  [ "${1:-}" = prepare ] && [ -n "${2:-}" ] || { echo "usage: bash benches/demo_estate.sh prepare DIR" >&2; exit 2; }
  cargo build --release --bin greenict --examples
  mkdir -p "$2"
  [ -z "$(ls -A "$2")" ] || { echo "$2 is not empty" >&2; exit 2; }
  start=$(date +%s.%N)
  GREENICT_LOG=warn ./target/release/greenict demo --data-dir "$2" --assets 100000 >/dev/null
  echo "demo load of 100,000 assets into $2: $(echo "$(date +%s.%N) - $start" | bc) s"
fi
