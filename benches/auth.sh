# Sourced by the benchmarks: the service needs sign-in, so each run issues itself an administrator's
# API token (through the CLI, on the benchmark's own data directory) and points curl at a config that
# sends it. wrk and Python callers read $TOKEN.
bench_token() { # $1: the data directory
  TOKEN=$(GREENICT_LOG=warn ./target/release/greenict token create --name bench --role admin --days 1 \
    --data-dir "$1" 2>/dev/null)
  export TOKEN
  export CURL_HOME="$1"
  printf 'header = "Authorization: Bearer %s"\n' "$TOKEN" > "$1/.curlrc"
  chmod 600 "$1/.curlrc"
}
