#!/usr/bin/env bash
# Joins to one show's waiting room over HTTP, two server builds side by side:
# `boxoffice bench queue --polls-per-fan 0` against a fresh `boxoffice serve`
# of build A, then of build B, alternately, ROUNDS times each (the machine's
# noise hits both alike). Per run it prints joins/s (the bench's report) and
# the server's CPU per join: utime+stime from /proc/PID/stat across the bench,
# divided by the joins. Ends with the medians and the ratio B/A.
#
#   bench/queue_join_ab.sh OLD_BOXOFFICE NEW_BOXOFFICE [FANS] [ROUNDS] [CONNECTIONS]
#
# The bench client is build B's. Everything lives in a temporary directory,
# removed at exit.
set -euo pipefail

if [[ $# -lt 2 ]]; then
  sed -n '2,12p' "$0" >&2
  exit 2
fi
bin_a=$(realpath "$1")
bin_b=$(realpath "$2")
fans=${3:-300000}
rounds=${4:-3}
connections=${5:-200}
tmp=$(mktemp -d)
server_pid=""

stop_server() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
trap 'stop_server; rm -rf "$tmp"' EXIT

# CPU ticks (utime + stime) of a process.
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }

# run LABEL BINARY: one bench against a fresh server; appends a line to rows.
run() {
  local label=$1 bin=$2 dir="$tmp/$1-$RANDOM"
  mkdir -p "$dir/data"
  "$bin" serve --data "$dir/data" --port 0 --log-level warn >"$dir/out" 2>"$dir/err" &
  server_pid=$!
  local port=""
  for _ in $(seq 300); do
    port=$(sed -n 's#^listening on http://127\.0\.0\.1:\([0-9]*\).*#\1#p' "$dir/out")
    [[ -n "$port" ]] && break
    sleep 0.1
  done
  [[ -n "$port" ]] || { cat "$dir/err" >&2; echo "queue_join_ab.sh: no server" >&2; exit 2; }
  local t0 t1
  t0=$(cpu_ticks "$server_pid")
  "$bin_b" bench queue --url "http://127.0.0.1:$port" --data "$dir/data" --fans "$fans" \
    --connections "$connections" --polls-per-fan 0 --quiet --json "$dir/report.json" \
    >"$dir/bench.out" 2>&1
  t1=$(cpu_ticks "$server_pid")
  stop_server
  python3 - "$dir/report.json" "$label" "$((t1 - t0))" "$(getconf CLK_TCK)" <<'EOF' |
import json, sys
r = json.load(open(sys.argv[1]))
joins = r["joins"]
ok = joins["answered_ok"] if "answered_ok" in joins else joins["requests"]
us = int(sys.argv[3]) / int(sys.argv[4]) * 1e6 / max(ok, 1)
print(f'{sys.argv[2]} {joins["joins_per_s"]:.0f} {us:.2f} {ok}')
EOF
    tee -a "$tmp/rows"
}

echo "label joins_per_s server_cpu_us_per_join joins_ok"
for _ in $(seq "$rounds"); do
  run A "$bin_a"
  run B "$bin_b"
done
python3 - "$tmp/rows" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
med = {}
for label in ("A", "B"):
    rate = statistics.median(float(r[1]) for r in rows if r[0] == label)
    cpu = statistics.median(float(r[2]) for r in rows if r[0] == label)
    med[label] = (rate, cpu)
    print(f"median {label}: {rate:.0f} joins/s, {cpu:.2f} server CPU us/join")
print(f"B/A: joins/s x{med['B'][0] / med['A'][0]:.2f}, CPU per join x{med['B'][1] / med['A'][1]:.2f}")
EOF
