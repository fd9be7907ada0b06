#!/usr/bin/env bash
# HTTP benchmarks of `boxoffice serve` with wrk, over loopback.
#
# Starts the server (a copy of the binary, so that a rebuild during the run
# changes nothing) on a fresh temporary data directory and a free port,
# creates a venue made for load (a general-admission area GA of 1,000,000
# places and a seated section S of ROWS x 100 seats) and a show on sale now,
# mints fan tokens, then runs these wrk scenarios, each for a fixed duration:
#
#   holds             POST /v1/shows/s1/holds, GA quantity 1, rotating fans; 201
#   availability      GET /v1/shows/s1/availability (body cached per version); 200
#   availability_gzip the same with Accept-Encoding: gzip (gzip body cached
#                     per version); 200
#   availability_304  the same with If-None-Match: <current ETag>; 304
#   seat_holds        set-up of confirm: best-available holds of 1 seat in S
#                     until S is sold out, ids kept; 201 (409 once sold out)
#   confirm           POST /v1/holds/{id}/confirm (admin), each held seat once;
#                     every 201 is a booking fsync'd before the answer
#
# seat_holds and confirm stop early when they run out of seats or ids; their
# rate is over the span they were busy (see common.lua). Afterwards the show
# is checked with the invariant auditor, the server is killed with SIGKILL and
# restarted on the same data, and every acknowledged booking must be there.
# Prints a summary table (with the CPU time the server and wrk spent per
# request) and the exact commands; exits 1 if a scenario saw an unexpected
# status or a socket error, or a check failed.
#
#   bench/http/run.sh [--duration S] [--threads T] [--connections C]
#                     [--confirm-connections C] [--io-threads N] [--fans N]
#                     [--seated-rows N] [--only LIST] [--pin] [--server PATH]
#                     [--store URL] [--keep]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

server_src="$repo/build/release/boxoffice"
duration_s=10
wrk_threads=2
connections=64
confirm_connections=64
io_threads=0
fans=1000
seated_rows=700
seats_per_row=100
only="holds,availability,availability_gzip,availability_304,confirm"
store=sqlite
pin=0
keep=0
readonly ga_capacity=1000000
readonly fan_places_max=1000  # the show's seats_per_fan_max (the API's upper bound)

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
  cat <<EOF
Options (defaults in brackets):
  --duration S             seconds per scenario [$duration_s]
  --threads T              wrk threads [$wrk_threads]
  --connections C          wrk connections of holds and availability [$connections]
  --confirm-connections C  wrk connections of seat_holds and confirm [$confirm_connections]
  --io-threads N           the server's --io-threads, 0 = one per core [$io_threads]
  --fans N                 fan tokens to mint (each may hold $fan_places_max places) [$fans]
  --seated-rows N          rows of $seats_per_row seats in section S, 1..1000 [$seated_rows]
  --only LIST              scenarios to run, comma-separated [$only]
  --pin                    run the server on CPU 0 and wrk on CPU 1 (taskset)
  --server PATH            the boxoffice binary [$server_src]
  --store URL              the server's --store: sqlite, or an empty PostgreSQL database's
                           URL (scripts/pg-local.sh; bench/http/stores.sh does it all) [$store]
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
    --only) only=$2; shift 2 ;;
    --pin) pin=1; shift ;;
    --server) server_src=$2; shift 2 ;;
    --store) store=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing (scripts/install-deps.sh --bench)" >&2; exit 2; }
done
[[ -x "$server_src" ]] || { echo "run.sh: no server binary at $server_src (build the release preset)" >&2; exit 2; }
if ((seated_rows < 1 || seated_rows > 1000)); then echo "run.sh: --seated-rows must be 1..1000" >&2; exit 2; fi
for s in ${only//,/ }; do
  case "$s" in
    holds | availability | availability_gzip | availability_304 | confirm) ;;
    *) echo "run.sh: unknown scenario $s in --only" >&2; exit 2 ;;
  esac
done
wanted() { [[ ",$only," == *",$1,"* ]]; }

server_cpu=()
wrk_cpu=()
if ((pin)); then
  server_cpu=(taskset -c 0)
  wrk_cpu=(taskset -c 1)
fi

tmp=$(mktemp -d /tmp/boxoffice-http-bench.XXXXXX)
data="$tmp/data"
server_bin="$tmp/boxoffice"
server_pid=""
wrk_pid=""

stop_server() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "-${1:-TERM}" "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
  if [[ -n "$wrk_pid" ]] && kill -0 "$wrk_pid" 2>/dev/null; then
    kill "$wrk_pid" 2>/dev/null || true
    wait "$wrk_pid" 2>/dev/null || true
  fi
  stop_server TERM
  if ((keep)); then
    echo "kept $tmp" >&2
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
    --store "$store" --log-level warn >"$out" 2>"$tmp/server.$1.err" &
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

# json_field KEY... < JSON: the value at that path (list indices as numbers).
json_field() {
  python3 -c '
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1:]:
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v)' "$@"
}

# result_field LINE NAME: a value of a RESULT line.
result_field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }

commands=()
results=()
clk_tck=$(getconf CLK_TCK)
readonly clk_tck
shopt -s nullglob
# A pipe nobody writes to: `read -t` on it sleeps without starting a process,
# so that waiting for wrk adds no load and no children of our own.
exec {tick_fd}<> <(:)

# run_wrk NAME MARKER_PREFIX WRK_ARGS...: runs wrk in the background and waits
# for it, at most the duration plus 60 s; with a marker prefix, interrupts it
# once every thread left its marker (it stopped early). Keeps wrk's output,
# its RESULT line, and the CPU time the server and wrk spent: the server's
# from /proc/PID/stat, wrk's as the growth of this shell's reaped children's
# time (the wait loop uses builtins only).
run_wrk() {
  local name=$1 marker=$2
  shift 2
  local cmd=("${wrk_cpu[@]}" wrk "$@")
  commands+=("BENCH_SCENARIO=$name ${cmd[*]}")
  log "scenario $name: ${cmd[*]}"
  local f deadline=$((SECONDS + duration_s + 60)) interrupted=0 marks
  read -r -a f <"/proc/$server_pid/stat"
  local server0=$((f[13] + f[14]))
  read -r -a f <"/proc/$$/stat"
  local children0=$((f[15] + f[16]))
  read -r -a f </proc/stat
  local busy0=$((f[1] + f[2] + f[3] + f[6] + f[7] + f[8])) wall0=$EPOCHREALTIME
  BENCH_SCENARIO=$name "${cmd[@]}" >"$tmp/wrk.$name.out" 2>"$tmp/wrk.$name.err" &
  wrk_pid=$!
  while read -r -a f 2>/dev/null <"/proc/$wrk_pid/stat" && [[ ${f[2]} != Z ]]; do
    if ((!interrupted)); then
      marks=()
      [[ -n "$marker" ]] && marks=("$marker".*)
      if ((${#marks[@]} >= wrk_threads)); then
        kill -INT "$wrk_pid" 2>/dev/null || true
        interrupted=1
      elif ((SECONDS > deadline)); then
        echo "run.sh: wrk ($name) overran its duration; interrupting it" >&2
        kill -INT "$wrk_pid" 2>/dev/null || true
        interrupted=1
      fi
    fi
    read -r -t 0.05 -u "$tick_fd" || true
  done
  local rc=0
  wait "$wrk_pid" || rc=$?
  wrk_pid=""
  read -r -a f <"/proc/$$/stat"
  local wrk_ticks=$((f[15] + f[16] - children0))
  read -r -a f <"/proc/$server_pid/stat"
  local server_ticks=$((f[13] + f[14] - server0))
  read -r -a f </proc/stat
  local busy_ticks=$((f[1] + f[2] + f[3] + f[6] + f[7] + f[8] - busy0))
  local wall_ms=$(((${EPOCHREALTIME/./} - ${wall0/./}) / 1000))
  # CPU the rest of the machine used meanwhile, in hundredths of a core.
  local others=$(((busy_ticks - server_ticks - wrk_ticks) * 100000 / clk_tck / (wall_ms > 0 ? wall_ms : 1)))
  cat "$tmp/wrk.$name.out"
  if [[ -s "$tmp/wrk.$name.err" ]]; then sed 's/^/  wrk stderr: /' "$tmp/wrk.$name.err" | head -5; fi
  local line
  line=$(grep '^RESULT ' "$tmp/wrk.$name.out" | tail -1 || true)
  if [[ -z "$line" ]]; then
    echo "run.sh: wrk ($name) printed no result (exit $rc)" >&2
    line="RESULT scenario=$name requests=0 duration_s=0 rps=0 p50_ms=0 p90_ms=0 p99_ms=0 p999_ms=0 max_ms=0 ok=0 unexpected=1 socket_errors=0"
  fi
  local requests
  requests=$(result_field "$line" requests)
  if ((requests > 0)); then
    line+=" server_us=$((server_ticks * 1000000 / clk_tck / requests)) wrk_us=$((wrk_ticks * 1000000 / clk_tck / requests))"
  else
    line+=" server_us=- wrk_us=-"
  fi
  line+=" others_cores=$((others < 0 ? 0 : others / 100)).$(printf '%02d' $(((others < 0 ? 0 : others) % 100)))"
  results+=("$line")
}

# ---- Set-up -----------------------------------------------------------------------------

cpu_model=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)
seats=$((seated_rows * seats_per_row))
cp "$server_src" "$server_bin"
log "machine: $(nproc) cores, $cpu_model, kernel $(uname -r)"
log "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
start_server first
log "server $server_src (copied; io-threads $io_threads; store ${store%%\?*}) at $base, data in $data"
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
  xargs -P2 -I{} timeout 30 "$server_bin" token --data "$data" --user {} >"$tmp/tokens.txt"
[[ $(wc -l <"$tmp/tokens.txt") -eq $fans ]] || { echo "run.sh: token minting failed" >&2; exit 1; }

common=(-t "$wrk_threads" -d "${duration_s}s" --latency --timeout 5s)

# ---- Scenarios ------------------------------------------------------------------------------

if wanted holds; then
  run_wrk holds "" "${common[@]}" -c "$connections" -s "$here/holds.lua" "$base" \
    -- "$show_id" "$tmp/tokens.txt" ga
fi

if wanted availability; then
  run_wrk availability "" "${common[@]}" -c "$connections" -s "$here/availability.lua" "$base" \
    -- "$show_id"
fi

if wanted availability_gzip; then
  encoding=$(curl -sS --max-time 10 -H 'Accept-Encoding: gzip' -D - -o "$tmp/availability.gz" \
    "$base/v1/shows/$show_id/availability" | sed -n 's/^[Cc]ontent-[Ee]ncoding: *//p' | tr -d '\r')
  [[ "$encoding" == gzip ]] || { echo "run.sh: availability is not served gzipped" >&2; exit 1; }
  identity_bytes=$(curl -sS --max-time 10 -o /dev/null -w '%{size_download}' "$base/v1/shows/$show_id/availability")
  log "availability body: $identity_bytes bytes, gzip $(wc -c <"$tmp/availability.gz") bytes"
  run_wrk availability_gzip "" "${common[@]}" -c "$connections" -s "$here/availability.lua" \
    "$base" -- "$show_id" "" gzip
fi

if wanted availability_304; then
  etag=$(curl -sS --max-time 10 -D - -o /dev/null "$base/v1/shows/$show_id/availability" |
    sed -n 's/^[Ee][Tt][Aa][Gg]: *//p' | tr -d '\r')
  api 304 GET "/v1/shows/$show_id/availability" -H "If-None-Match: $etag" >/dev/null
  run_wrk availability_304 "" "${common[@]}" -c "$connections" -s "$here/availability.lua" "$base" \
    -- "$show_id" "$etag"
fi

confirmed=0
if wanted confirm; then
  quota=$(((seats + wrk_threads - 1) / wrk_threads))
  run_wrk seat_holds "$tmp/seat_holds.done" "${common[@]}" -c "$confirm_connections" \
    -s "$here/holds.lua" "$base" -- "$show_id" "$tmp/tokens.txt" seat "$tmp/ids" "$quota"
  id_files=("$tmp"/ids.[0-9]*)
  ((${#id_files[@]} > 0)) || { echo "run.sh: seat_holds left no ids" >&2; exit 1; }
  cat "${id_files[@]}" >"$tmp/ids.txt"
  log "$(wc -l <"$tmp/ids.txt") seat holds to confirm"
  run_wrk confirm "$tmp/confirm.done" "${common[@]}" -c "$confirm_connections" -s "$here/confirm.lua" \
    "$base" -- "$tmp/ids.txt" "$admin_key" "$wrk_threads" "$tmp/confirm.done"
  confirmed=$(result_field "${results[-1]}" ok)
fi

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
log "load average after: $load_after"

# ---- Checks -----------------------------------------------------------------------------------

failed=0
audit_ok() {
  local audit
  audit=$(api 200 GET "/v1/shows/$show_id/audit" -H "X-Admin-Key: $admin_key")
  if [[ $(json_field ok <<<"$audit") != "True" ]]; then
    echo "CHECK FAILED: the auditor found violations ($1): ${audit:0:400}" >&2
    failed=1
  fi
}
audit_ok "after the scenarios"
booked_before=$(api 200 GET "/v1/shows/$show_id/availability" | json_field sections 1 booked)
log "auditor done; $booked_before seats booked; $confirmed confirmations acknowledged"
log "kill -9 and restart on the same data"
stop_server KILL
start_server second
booked_after=$(api 200 GET "/v1/shows/$show_id/availability" | json_field sections 1 booked)
if ((booked_after < confirmed)); then
  echo "CHECK FAILED: $confirmed bookings acknowledged, $booked_after found after kill -9 and restart" >&2
  failed=1
fi
audit_ok "after kill -9 and restart"
stop_server TERM

# ---- Summary ----------------------------------------------------------------------------------

echo
echo "== boxoffice HTTP benchmark: $(nproc) cores ($cpu_model), kernel $(uname -r)"
echo "   server --io-threads $io_threads; wrk -t$wrk_threads, ${duration_s} s per scenario;" \
  "$connections connections (holds, availability), $confirm_connections (seat_holds, confirm);" \
  "pinned: $([[ $pin == 1 ]] && echo 'server CPU 0, wrk CPU 1' || echo no)"
echo "   venue: $ga_capacity GA places + $seats seats; $fans fans; load average after the scenarios $load_after"
printf '%-17s %9s %8s %8s %8s %8s %8s %9s %8s %6s %6s %6s %7s %6s\n' scenario requests seconds "req/s" \
  "p50 ms" "p90 ms" "p99 ms" "p99.9 ms" "max ms" "srv us" "wrk us" others unexpct sockerr
for r in "${results[@]}"; do
  printf '%-17s %9s %8s %8s %8s %8s %8s %9s %8s %6s %6s %6s %7s %6s\n' "$(result_field "$r" scenario)" \
    "$(result_field "$r" requests)" "$(result_field "$r" duration_s)" "$(result_field "$r" rps)" \
    "$(result_field "$r" p50_ms)" "$(result_field "$r" p90_ms)" "$(result_field "$r" p99_ms)" \
    "$(result_field "$r" p999_ms)" "$(result_field "$r" max_ms)" "$(result_field "$r" server_us)" \
    "$(result_field "$r" wrk_us)" "$(result_field "$r" others_cores)" "$(result_field "$r" unexpected)" \
    "$(result_field "$r" socket_errors)"
  if [[ $(result_field "$r" unexpected) != 0 || $(result_field "$r" socket_errors) != 0 ]]; then
    echo "  ^ UNEXPECTED responses or socket errors (wrk.$(result_field "$r" scenario).err; --keep keeps it)"
    failed=1
  fi
done
echo "(srv us, wrk us: CPU microseconds the server and wrk spent per request, all threads;" \
  "others: cores the rest of the machine kept busy meanwhile, of $(nproc))"
echo "checks: auditor after the scenarios and after kill -9 + restart: $([[ $failed == 0 ]] && echo ok || echo FAILED);" \
  "seats booked $booked_before before, $booked_after after the restart; $confirmed confirmations acknowledged"
echo
echo "commands (TMP=$tmp, removed at exit unless --keep; URL as in this run):"
echo "  $server_src serve --data TMP/data --port 0 --io-threads $io_threads --store $store --log-level warn"
for c in "${commands[@]}"; do
  c=${c//$admin_key/\$(cat TMP/data/admin.key)}
  echo "  ${c//$tmp/TMP}"
done
for r in "${results[@]}"; do echo "$r"; done
exit "$failed"
