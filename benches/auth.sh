# Sourced by the benchmarks: the service needs sign-in, so each run issues itself an administrator's
# API token (through the CLI, on the benchmark's own data directory) and points curl at a config that
# sends it. wrk and Python callers read $TOKEN.
bench_token() { # $1: the data directory
  # The build that serves makes the token: making it migrates the database, and an older build refuses a
  # database migrated by a newer one (GREENICT_BENCH_BIN, benches/tco.sh).
  TOKEN=$(GREENICT_LOG=warn "${GREENICT_BENCH_BIN:-./target/release/greenict}" token create --name bench \
    --role admin --days 1 --data-dir "$1" 2>/dev/null)
  export TOKEN
  export CURL_HOME="$1"
  printf 'header = "Authorization: Bearer %s"\n' "$TOKEN" > "$1/.curlrc"
  chmod 600 "$1/.curlrc"
}
