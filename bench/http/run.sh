#!/usr/bin/env bash
# HTTP benchmarks of `boxoffice serve` with wrk, over loopback.
#
# Starts the server on a fresh temporary data directory and a free port,
# creates a venue made for load (a general-admission area of 1,000,000 places
# and a seated section S of ROWS x 100 seats) and a show on sale now, mints fan
# tokens, then runs these wrk scenarios, each for a fixed duration:
#
#   holds             POST /v1/shows/s1/holds, GA quantity 1, rotating fans; 201
#   availability      GET /v1/shows/s1/availability (body cached per version); 200
#   availability_304  the same with If-None-Match: <current ETag>; 304
#   seat_holds        set-up of the next one: best-available holds of 1 seat in
#                     S until it is sold out, ids kept; 201 (409 once sold out)
#   confirm           POST /v1/holds/{id}/confirm (admin), each held seat once;
#                     every 201 is a booking fsync'd before the answer
#
# Then it checks the show with the invariant auditor, kills the server with
# SIGKILL, restarts it on the same data and checks that every acknowledged
# booking survived. Prints a summary table and the exact commands; exits 1 if
# any scenario saw an unexpected status or a socket error, or a check failed.
#
#   bench/http/run.sh [--duration S] [--threads T] [--connections C]
#                     [--confirm-connections C] [--io-threads N] [--fans N]
#                     [--seated-rows N] [--pin] [--server PATH] [--keep]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

server_bin="$repo/build/release/boxoffice"
duration_s=10
wrk_threads=1
connections=64
confirm_connections=64
io_threads=0
fans=1000
seated_rows=700
seats_per_row=100
pin=0
keep=0
readonly ga_capacity=1000000
readonly fan_seats_max=1000  # the show's seats_per_fan_max (the API's upper bound)

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
  cat <<EOF
Options (defaults in brackets):
  --duration S             seconds per scenario [$duration_s]
  --threads T              wrk threads [$wrk_threads]
  --connections C          wrk connections of holds and availability [$connections]
  --confirm-connections C  wrk connections of seat_holds and confirm [$confirm_connections]
  --io-threads N           the server's --io-threads, 0 = one per core [$io_threads]
  --fans N                 fan tokens to mint (each may hold $fan_seats_max places) [$fans]
  --seated-rows N          rows of 100 seats in section S, 1..1000 [$seated_rows]
  --pin                    run the server on CPU 0 and wrk on CPU 1 (taskset)
  --server PATH            the boxoffice binary [$server_bin]
  --keep                   keep the temporary directory (data, ids, logs)
EOF
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) duration_s=$2; shift 2 ;;
    --threads) wrk_threads=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --confirm-connections) confirm_connections=$2; shift 2 ;;
    --io-threads) io_threads=$2; shift 2 ;;
    --fans) fans=$2; shift 2 ;;
    --seated-rows) seated_rows=$2; shift 2 ;;
    --pin) pin=1; shift ;;
    --server) server_bin=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

for tool in wrk curl python3 timeout; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing (scripts/install-deps.sh --bench)" >&2; exit 2; }
done
[[ -x "$server_bin" ]] || { echo "run.sh: no server binary at $server_bin (build the release preset)" >&2; exit 2; }
if ((seated_rows < 1 || seated_rows > 1000)); then echo "run.sh: --seated-rows must be 1..1000" >&2; exit 2; fi

server_cpu=()
wrk_cpu=()
if ((pin)); then
  server_cpu=(taskset -c 0)
  wrk_cpu=(taskset -c 1)
fi

tmp=$(mktemp -d /tmp/boxoffice-http-bench.XXXXXX)
data="$tmp/data"
server_pid=""
wrk_pid=""

stop_server() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "-${1:-TERM}" "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}

cleanup() {
  if [[ -n "$wrk_pid" ]] && kill -0 "$wrk_pid" 2>/dev/null; then
    kill "$wrk_pid" 2>/dev/null || true
    wait "$wrk_pid" 2>/dev/null || true
  fi
  stop_server TERM
  if ((keep)); then
    echo "kept $tmp"
  else
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Starts the server on $data; sets server_pid and base.
start_server() {
  local out="$tmp/server.$1.out"
  "${server_cpu[@]}" "$server_bin" serve --data "$data" --port 0 --io-threads "$io_threads" \
    --log-level warn >"$out" 2>"$tmp/server.$1.err" &
  server_pid=$!
  local port=""
  for _ in $(seq 1 300); do
    port=$(sed -n 's#^listening on http://127\.0\.0\.1:\([0-9]*\).*#\1#p' "$out")
    [[ -n "$port" ]] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.$1.err" >&2; echo "run.sh: the server exited" >&2; exit 1; }
    sleep 0.1
  done
  [[ -n "$port" ]] || { echo "run.sh: the server did not start within 30 s" >&2; exit 1; }
  base="http://127.0.0.1:$port"
}

# curl with a status check: api EXPECTED_STATUS METHOD PATH [curl args...];
# the body goes to stdout.
api() {
  local want=$1 method=$2 path=$3
  shift 3
  local body status
  body=$(curl -sS --max-time 30 -X "$method" -w '\n%{http_code}' "$@" "$base$path")
  status=${body##*$'\n'}
  body=${body%$'\n'*}
  if [[ "$status" != "$want" ]]; then
    echo "run.sh: $method $path answered $status, expected $want: ${body:0:400}" >&2
    exit 1
  fi
  printf '%s' "$body"
}

json_field() { python3 -c 'import json,sys; v=json.load(sys.stdin)
for k in sys.argv[1:]: v=v[int(k)] if isinstance(v,list) else v[k]
print(v)' "$@"; }

commands=()
results=()

# run_wrk NAME MARKER_PREFIX WRK_ARGS... -- SCRIPT_ARGS: runs wrk in the
# background; with a marker prefix, interrupts it once every thread left its
# marker (the thread stopped early). Keeps wrk's output and the RESULT line.
run_wrk() {
  local name=$1 marker=$2
  shift 2
  local cmd=(wrk "$@")
  commands+=("BENCH_SCENARIO=$name ${cmd[*]}")
  log "scenario $name: ${cmd[*]}"
  BENCH_SCENARIO=$name timeout --signal=INT $((duration_s + 60)) "${wrk_cpu[@]}" "${cmd[@]}" \
    >"$tmp/wrk.$name.out" 2>"$tmp/wrk.$name.err" &
  wrk_pid=$!
  if [[ -n "$marker" ]]; then
    while kill -0 "$wrk_pid" 2>/dev/null; do
      local done_threads
      done_threads=$(find "$tmp" -maxdepth 1 -name "$(basename "$marker").*" | wc -l)
      if ((done_threads >= wrk_threads)); then
        kill -INT "$wrk_pid" 2>/dev/null || true
        break
      fi
      sleep 0.05
    done
  fi
  local rc=0
  wait "$wrk_pid" || rc=$?
  wrk_pid=""
  cat "$tmp/wrk.$name.out"
  if [[ -s "$tmp/wrk.$name.err" ]]; then sed 's/^/  wrk stderr: /' "$tmp/wrk.$name.err" | head -5; fi
  local line
  line=$(grep '^RESULT ' "$tmp/wrk.$name.out" | tail -1 || true)
  if [[ -z "$line" ]]; then
    echo "run.sh: wrk ($name) printed no result (exit $rc)" >&2
    line="RESULT scenario=$name requests=0 duration_s=0 rps=0 p50_ms=0 p90_ms=0 p99_ms=0 p999_ms=0 max_ms=0 ok=0 unexpected=1 socket_errors=0"
  fi
  results+=("$line")
}

field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }

# ---- Set-up -----------------------------------------------------------------------------

seats=$((seated_rows * seats_per_row))
log "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), kernel $(uname -r)"
log "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
start_server first
log "server $server_bin (io-threads $io_threads) at $base, data in $data"
admin_key=$(cat "$data/admin.key")

python3 - "$ga_capacity" "$seated_rows" "$seats_per_row" >"$tmp/venue.json" <<'EOF'
import json, sys
ga, rows, per_row = (int(a) for a in sys.argv[1:])
print(json.dumps({
    "name": "Load Arena",
    "categories": [{"id": "STD", "name": "Standard"}],
    "sections": [
        {"id": "GA", "name": "Floor", "general_admission": True, "capacity": ga, "category": "STD"},
        {"id": "S", "name": "Seated", "rows": [
            {"label": "R%d" % r, "category": "STD", "seats": per_row} for r in range(1, rows + 1)]},
    ]}))
EOF
venue_id=$(api 201 POST /v1/venues -H "X-Admin-Key: $admin_key" -H 'Content-Type: application/json' \
  --data-binary "@$tmp/venue.json" | json_field id)
show_json=$(printf '{"venue_id":"%s","name":"Load Test","starts_at":"2030-01-01T20:00:00.000Z",%s}' "$venue_id" \
  '"currency":"EUR","prices":{"STD":5000},"hold_ttl_s":1800,"seats_per_order_max":10,"seats_per_fan_max":1000')
show_id=$(api 201 POST /v1/shows -H "X-Admin-Key: $admin_key" -H 'Content-Type: application/json' \
  -d "$show_json" | json_field id)
log "venue $venue_id ($ga_capacity GA places + $seats seats), show $show_id on sale now"

log "minting $fans fan tokens"
seq 1 "$fans" | sed 's/^/fan/' |
  timeout 300 xargs -P2 -I{} "$server_bin" token --data "$data" --user {} >"$tmp/tokens.txt"
[[ $(wc -l <"$tmp/tokens.txt") -eq $fans ]] || { echo "run.sh: token minting failed" >&2; exit 1; }

common=(-t "$wrk_threads" -d "${duration_s}s" --latency --timeout 5s)

# ---- Scenarios ------------------------------------------------------------------------------

run_wrk holds "" "${common[@]}" -c "$connections" -s "$here/holds.lua" "$base" \
  -- "$show_id" "$tmp/tokens.txt" ga

run_wrk availability "" "${common[@]}" -c "$connections" -s "$here/availability.lua" "$base" \
  -- "$show_id"

etag=$(curl -sS --max-time 10 -D - -o /dev/null "$base/v1/shows/$show_id/availability" |
  sed -n 's/^[Ee][Tt][Aa][Gg]: *//p' | tr -d '\r')
api 304 GET "/v1/shows/$show_id/availability" -H "If-None-Match: $etag" >/dev/null
run_wrk availability_304 "" "${common[@]}" -c "$connections" -s "$here/availability.lua" "$base" \
  -- "$show_id" "$etag"

quota=$(((seats + wrk_threads - 1) / wrk_threads))
run_wrk seat_holds "$tmp/seat_holds.done" "${common[@]}" -c "$confirm_connections" \
  -s "$here/holds.lua" "$base" -- "$show_id" "$tmp/tokens.txt" seat "$tmp/ids" "$quota"
cat "$tmp"/ids.[0-9]* >"$tmp/ids.txt"
log "$(wc -l <"$tmp/ids.txt") seat holds to confirm"

run_wrk confirm "$tmp/confirm.done" "${common[@]}" -c "$confirm_connections" -s "$here/confirm.lua" "$base" \
  -- "$tmp/ids.txt" "$admin_key" "$wrk_threads" "$tmp/confirm.done"

log "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- Checks -----------------------------------------------------------------------------------

failed=0
confirmed=$(field "${results[-1]}" ok)
audit=$(api 200 GET "/v1/shows/$show_id/audit" -H "X-Admin-Key: $admin_key")
if [[ $(json_field ok <<<"$audit") != "True" ]]; then
  echo "CHECK FAILED: the auditor found violations: ${audit:0:400}" >&2
  failed=1
fi
booked_before=$(api 200 GET "/v1/shows/$show_id/availability" | json_field sections 1 booked)
log "auditor ok; $booked_before seats booked; $confirmed confirmations acknowledged"
log "kill -9 and restart on the same data"
stop_server KILL
start_server second
booked_after=$(api 200 GET "/v1/shows/$show_id/availability" | json_field sections 1 booked)
if ((booked_after < confirmed)); then
  echo "CHECK FAILED: $confirmed bookings acknowledged, $booked_after found after a restart" >&2
  failed=1
fi
audit=$(api 200 GET "/v1/shows/$show_id/audit" -H "X-Admin-Key: $admin_key")
if [[ $(json_field ok <<<"$audit") != "True" ]]; then
  echo "CHECK FAILED: the auditor found violations after the restart: ${audit:0:400}" >&2
  failed=1
fi
stop_server TERM

# ---- Summary ----------------------------------------------------------------------------------

echo
echo "== boxoffice HTTP benchmark: $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), kernel $(uname -r)"
echo "   server --io-threads $io_threads; wrk -t$wrk_threads, ${duration_s} s per scenario;" \
  "$connections connections (holds, availability), $confirm_connections (seat_holds, confirm);" \
  "pinned: $([[ $pin == 1 ]] && echo 'server CPU 0, wrk CPU 1' || echo no)"
echo "   venue: $ga_capacity GA places + $seats seats; $fans fans; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-17s %9s %8s %10s %9s %9s %9s %9s %9s %10s %7s\n' scenario requests seconds "req/s" "p50 ms" \
  "p90 ms" "p99 ms" "p99.9 ms" "max ms" unexpected sockerr
for r in "${results[@]}"; do
  printf '%-17s %9s %8s %10s %9s %9s %9s %9s %9s %10s %7s\n' "$(field "$r" scenario)" "$(field "$r" requests)" \
    "$(field "$r" duration_s)" "$(field "$r" rps)" "$(field "$r" p50_ms)" "$(field "$r" p90_ms)" \
    "$(field "$r" p99_ms)" "$(field "$r" p999_ms)" "$(field "$r" max_ms)" "$(field "$r" unexpected)" \
    "$(field "$r" socket_errors)"
  if [[ $(field "$r" unexpected) != 0 || $(field "$r" socket_errors) != 0 ]]; then
    echo "  ^ UNEXPECTED responses or socket errors (see $tmp/wrk.$(field "$r" scenario).err; --keep keeps it)"
    failed=1
  fi
done
echo "checks: auditor ok before and after kill -9; bookings $booked_before before, $booked_after after" \
  "restart, $confirmed acknowledged"
echo
echo "commands (URL and temp paths as in this run):"
echo "  $server_bin serve --data $data --port 0 --io-threads $io_threads --log-level warn"
for c in "${commands[@]}"; do echo "  $c"; done
exit "$failed"
