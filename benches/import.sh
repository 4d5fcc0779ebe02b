#!/usr/bin/env bash
# Import/export benchmark for issue 3: a 100,000-row asset CSV into a fresh SQLite register with
# `greenict import assets --create-missing` (end to end: process start, migrations, parse, checks,
# batched write with one audit event per asset), beside the baseline `examples/bare_insert.rs` (the
# same rows by raw multi-row INSERTs, no checks, no audit), and `greenict export assets` of the result.
# Each is run RUNS times in a fresh directory; prints wall seconds, CPU seconds and peak RSS per run.
# Usage: bash benches/import.sh [rows]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-100000}
RUNS=${RUNS:-5}
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
cargo build --release --bin greenict --examples
WORK=$(mktemp -d /tmp/greenict-import-bench.XXXX)
trap 'rm -rf "$WORK"' EXIT
python3 benches/make_asset_csv.py "$ROWS" "$WORK/assets.csv"
echo "file: $ROWS rows, $(du -h "$WORK/assets.csv" | cut -f1)"
measure() { # name, command...
  local name=$1; shift
  # Each run starts with the last one's files written out, so none pays for another's disk writeback.
  sync
  /usr/bin/time -f "%e %M %U %S" -o "$WORK/time" "$@" >/dev/null 2>"$WORK/err" || { cat "$WORK/err"; exit 1; }
  read -r secs kb user sys <"$WORK/time"
  echo "$name run=$run secs=$secs peak_rss_mb=$((kb / 1024)) user=$user sys=$sys"
}
for run in $(seq "$RUNS"); do
  rm -rf "$WORK/bare" "$WORK/imp"
  measure bare_insert ./target/release/examples/bare_insert "$WORK/assets.csv" "$WORK/bare"
  measure import env GREENICT_LOG=warn ./target/release/greenict import assets "$WORK/assets.csv" \
    --create-missing --data-dir "$WORK/imp"
  measure export env GREENICT_LOG=warn ./target/release/greenict export assets --data-dir "$WORK/imp" \
    --out "$WORK/out.csv"
done
echo "export rows: $(($(wc -l <"$WORK/out.csv") - 1))"
