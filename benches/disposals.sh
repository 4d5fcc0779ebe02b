#!/usr/bin/env bash
# Disposal figures for issue 6: `money_by_asset` (each disposed asset's share of its batch's cost and
# income, called by TCO for the whole estate) and the e-waste figures for one financial year, over
# 100,000 disposed assets in completed batches of 40, on a fresh SQLite file (PostgreSQL with
# GREENICT_BENCH_DATABASE_URL=postgres://.../empty_db). Prints each run's seconds and the medians.
# Usage: bash benches/disposals.sh [assets] [batch] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release --example disposals_bench -- "${1:-100000}" "${2:-40}" "${3:-5}"
