#!/usr/bin/env bash
# The side-by-side with the seed design: our server, the Redis seat-lock
# design and the naive PostgreSQL design, each driven by the same
# `boxoffice bench onsale` (same fan model, same options, same seed, same
# audit), then each store killed with SIGKILL, restarted, and the confirmed
# bookings counted again through the API. Prints one table.
#
#   ours      `boxoffice serve` on a fresh data directory (the store is the
#             server process itself: SQLite, group commit, fsync before ack)
#   redis     boxoffice_baseline --store redis over a real redis-server
#             (Debian's persistence defaults)
#   postgres  boxoffice_baseline --store postgres over a real PostgreSQL
#             (fsync on, synchronous_commit on)
#
# Each system gets fresh stores and a fresh API process on free loopback
# ports, one after the other; everything lives in temporary directories,
# removed at exit. Exits 1 if our server's audit failed or it lost an
# acknowledged booking, 2 on a usage or set-up error.
#
#   bench/compare.sh [--fans N] [--seats N] [--connections N] [--hold-ttl-s S]
#                    [--seed N] [--workers N] [--only LIST] [--build DIR]
#                    [--bench-args "ARGS"] [--json FILE] [--keep] [--progress]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
# shellcheck source=bench/baselines/stores.sh
source "$here/baselines/stores.sh"

build="$repo/build/release"
fans=5000
seats=1000
connections=200
hold_ttl_s=2
seed=1
workers=16
extra_bench_args=""
only="ours,redis,postgres"
json_out=""
keep=0
progress=0

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
  cat <<USAGE
Options (defaults in brackets):
  --fans N          fans in the crowd [$fans]
  --seats N         seats of the venue [$seats]
  --connections N   the bench's keep-alive connections [$connections]
  --hold-ttl-s S    the show's hold TTL (abandoned holds come back after it) [$hold_ttl_s]
  --seed N          the bench's random seed, the same for every system [$seed]
  --workers N       store connections of each baseline's API process [$workers]
  --bench-args ARGS more \`boxoffice bench onsale\` options, the same for every system
                    (e.g. "--attempts 3 --abandon 0.5")
  --only LIST       systems to run, comma-separated: ours,redis,postgres [$only]
  --build DIR       where boxoffice and boxoffice_baseline are [$build]
  --json FILE       also write every system's figures as JSON lines
  --keep            keep the temporary directory (bench reports, logs, stores)
  --progress        show the bench's progress lines
A bigger run: bench/compare.sh --fans 50000 --seats 10000 --connections 500 (about 15 minutes)
USAGE
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --fans) fans=$2; shift 2 ;;
    --seats) seats=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --hold-ttl-s) hold_ttl_s=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --bench-args) extra_bench_args=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --json) json_out=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --progress) progress=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "compare.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

for s in ${only//,/ }; do
  case "$s" in ours | redis | postgres) ;; *) echo "compare.sh: unknown system $s" >&2; exit 2 ;; esac
done
wanted() { [[ ",$only," == *",$1,"* ]]; }
for tool in python3 curl; do
  command -v "$tool" >/dev/null || { echo "compare.sh: $tool is missing" >&2; exit 2; }
done
[[ -x "$build/boxoffice" ]] || { echo "compare.sh: no $build/boxoffice (build the release preset)" >&2; exit 2; }
if wanted redis || wanted postgres; then
  [[ -x "$build/boxoffice_baseline" ]] ||
    { echo "compare.sh: no $build/boxoffice_baseline (needs libhiredis-dev, libpq-dev)" >&2; exit 2; }
fi
if wanted redis && ! redis_available; then
  echo "compare.sh: redis-server is missing (scripts/install-deps.sh --bench)" >&2
  exit 2
fi
if wanted postgres && ! pg_available; then
  echo "compare.sh: PostgreSQL is missing (scripts/install-deps.sh --bench)" >&2
  exit 2
fi

tmp=$(mktemp -d /tmp/boxoffice-compare.XXXXXX)
pg_dirs=()
server_pid=""

stop_server() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "-${1:-TERM}" "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
  stop_server TERM
  redis_stop
  pg_stop
  if ((keep)); then
    echo "kept $tmp ${pg_dirs[*]}" >&2
  else
    rm -rf "$tmp" "${pg_dirs[@]}"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server LOG COMMAND...: starts an API process; sets server_pid and url.
start_server() {
  local log=$1
  shift
  "$@" >"$log.out" 2>"$log.err" &
  server_pid=$!
  local port=""
  for _ in $(seq 1 300); do
    port=$(sed -n 's#^listening on http://127\.0\.0\.1:\([0-9]*\).*#\1#p' "$log.out")
    [[ -n "$port" ]] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$log.err" >&2; echo "compare.sh: $1 exited" >&2; exit 2; }
    sleep 0.1
  done
  [[ -n "$port" ]] || { echo "compare.sh: $1 did not start within 30 s" >&2; exit 2; }
  url="http://127.0.0.1:$port"
}

# json_get FILE EXPR: a value of a JSON file (EXPR in Python, over `r`).
json_get() { python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1"; }

# bookings_now SHOW: the confirmed bookings the API lists, or "?" when it
# did not answer within 60 s (the store may still be recovering; each of the
# baseline's workers finds its connection broken once, answers 503 and
# connects again).
bookings_now() {
  local body
  for _ in $(seq 1 600); do
    if body=$(curl -sf --max-time 10 -H "X-Admin-Key: $(cat "$data/admin.key")" \
      "$url/v1/bookings?show=$1"); then
      python3 -c 'import json,sys; print(sum(1 for b in json.load(sys.stdin)["bookings"] if b["status"] == "confirmed"))' <<<"$body"
      return 0
    fi
    sleep 0.1
  done
  echo "?"
}

bench_args=(--fans "$fans" --seats "$seats" --connections "$connections" --hold-ttl-s "$hold_ttl_s"
  --seed "$seed")
# shellcheck disable=SC2206  # options split on spaces on purpose
if [[ -n "$extra_bench_args" ]]; then bench_args+=($extra_bench_args); fi
((progress)) || bench_args+=(--quiet)

# The figures of one system as a JSON line: bench report, name, acknowledged, survived.
row_json() {
  python3 - "$@" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
name, acknowledged, survived = sys.argv[2], int(sys.argv[3]), sys.argv[4]
phase = next(p for p in r["phases"] if p["name"] == "on sale")
lat = r["latency"]
print(json.dumps({
    "system": name,
    "sale_s": phase["seconds"],
    "requests_per_s": phase["requests_per_s"],
    "holds_per_s": phase["holds_per_s"],
    "bookings_per_s": phase["bookings_per_s"],
    "hold_p50_ms": lat["hold_created"]["p50_ms"], "hold_p99_ms": lat["hold_created"]["p99_ms"],
    "availability_p50_ms": lat["availability"]["p50_ms"],
    "availability_p99_ms": lat["availability"]["p99_ms"],
    "confirm_p50_ms": lat["confirm"]["p50_ms"], "confirm_p99_ms": lat["confirm"]["p99_ms"],
    "sold_out_after_s": r["outcomes"]["sold_out_after_s"],
    "double_bookings": sum(1 for v in r["audit"]["violations"] if "is booked twice" in v),
    "audit_pass": r["audit"]["pass"],
    "audit_violations": r["audit"]["violations_total"],
    "confirms": r["outcomes"]["bookings"] + r["outcomes"]["confirms_too_late"],
    "confirms_too_late": r["outcomes"]["confirms_too_late"],
    "unexpected": r["outcomes"]["unexpected"] + r["outcomes"]["transport_errors"],
    "acknowledged": acknowledged,
    "survived": None if survived == "?" else int(survived),
    "client_cpu_share": r["client"]["cpu_share_of_one_core"],
}))
PY
}

# run_system NAME: one system, from fresh stores to the count after kill -9.
run_system() {
  local name=$1
  data="$tmp/$name/api"
  mkdir -p "$data"
  stores_log "== $name"
  case "$name" in
    ours)
      start_server "$tmp/$name/server" "$build/boxoffice" serve --data "$data" --port 0 \
        --log-level warn
      ;;
    redis)
      redis_start "$tmp/$name/redis" || exit 2
      start_server "$tmp/$name/server" "$build/boxoffice_baseline" --store redis \
        --redis-port "$REDIS_PORT" --data "$data" --workers "$workers"
      ;;
    postgres)
      local pg_dir
      pg_dir=$(mktemp -d /tmp/boxoffice-compare-pg.XXXXXX)
      pg_dirs+=("$pg_dir")
      pg_start "$pg_dir" || exit 2
      start_server "$tmp/$name/server" "$build/boxoffice_baseline" --store postgres \
        --pg "$PG_CONNINFO" --data "$data" --workers "$workers"
      ;;
  esac
  local report="$tmp/$name/bench.json" rc=0
  stores_log "$name at $url: boxoffice bench onsale ${bench_args[*]}"
  "$build/boxoffice" bench onsale --url "$url" --data "$data" "${bench_args[@]}" --json "$report" \
    >"$tmp/$name/bench.txt" 2>"$tmp/$name/bench.err" || rc=$?
  if [[ ! -s "$report" ]]; then
    cat "$tmp/$name/bench.err" >&2
    echo "compare.sh: the bench against $name wrote no report (exit $rc)" >&2
    exit 2
  fi
  local show acknowledged survived
  show=$(json_get "$report" 'r["show_id"]')
  acknowledged=$(json_get "$report" 'r["outcomes"]["bookings"]')
  case "$name" in
    ours)
      stop_server KILL
      stores_log "boxoffice serve killed with SIGKILL"
      start_server "$tmp/$name/server2" "$build/boxoffice" serve --data "$data" --port 0 \
        --log-level warn
      ;;
    redis) redis_kill9 && redis_restart || exit 2 ;;
    postgres) pg_kill9 && pg_restart || exit 2 ;;
  esac
  survived=$(bookings_now "$show")
  stores_log "$name: $acknowledged bookings acknowledged, $survived there after kill -9 and restart"
  stop_server TERM
  redis_stop
  pg_stop
  row_json "$report" "$name" "$acknowledged" "$survived" >>"$tmp/rows.jsonl"
}

cpu_model=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)
memory=$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
stores_log "machine: $(nproc) cores ($cpu_model), $memory, kernel $(uname -r);" \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
for s in ours redis postgres; do
  if wanted "$s"; then run_system "$s"; fi
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

echo
echo "boxoffice bench onsale ${bench_args[*]}"
echo "$(nproc) cores ($cpu_model), $memory; load average after the runs: $load_after"
echo
python3 - "$tmp/rows.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
names = {"ours": "boxoffice", "redis": "Redis locks", "postgres": "PostgreSQL FOR UPDATE"}
ms = lambda v: "%.2f" % v
rate = lambda v: "%.0f" % v
def survived(r):
    if r["survived"] is None:
        return "? of %d" % r["acknowledged"]
    return "%d of %d" % (min(r["survived"], r["acknowledged"]), r["acknowledged"])
lines = [
    ("on sale for s", lambda r: "%.1f" % r["sale_s"]),
    ("requests/s (on sale)", lambda r: rate(r["requests_per_s"])),
    ("holds/s (on sale)", lambda r: rate(r["holds_per_s"])),
    ("bookings/s (on sale)", lambda r: rate(r["bookings_per_s"])),
    ("hold p50 ms", lambda r: ms(r["hold_p50_ms"])),
    ("hold p99 ms", lambda r: ms(r["hold_p99_ms"])),
    ("availability p50 / p99 ms", lambda r: ms(r["availability_p50_ms"]) + " / " + ms(r["availability_p99_ms"])),
    ("confirm p50 / p99 ms", lambda r: ms(r["confirm_p50_ms"]) + " / " + ms(r["confirm_p99_ms"])),
    ("confirms after the hold expired", lambda r: "%d of %d" % (r["confirms_too_late"], r["confirms"])),
    ("sold out after s", lambda r: "-" if r["sold_out_after_s"] is None else "%.1f" % r["sold_out_after_s"]),
    ("double bookings (audit)", lambda r: str(r["double_bookings"])),
    ("audit", lambda r: "PASS" if r["audit_pass"] else "FAIL (%d)" % r["audit_violations"]),
    ("bookings after kill -9", survived),
]
cells = [[f(r) for r in rows] for _, f in lines]
w0 = max(len(label) for label, _ in lines)
ws = [max([len(names[r["system"]])] + [len(c[i]) for c in cells]) for i, r in enumerate(rows)]
print("| " + "".ljust(w0) + " | " + " | ".join(names[r["system"]].rjust(w) for r, w in zip(rows, ws)) + " |")
print("|" + "-" * (w0 + 2) + "|" + "|".join("-" * (w + 1) + ":" for w in ws) + "|")
for (label, _), c in zip(lines, cells):
    print("| " + label.ljust(w0) + " | " + " | ".join(v.rjust(w) for v, w in zip(c, ws)) + " |")
PY
if [[ -n "$json_out" ]]; then cp "$tmp/rows.jsonl" "$json_out"; fi

failed=0
if wanted ours; then
  ours=$(grep '"system": "ours"' "$tmp/rows.jsonl")
  if ! python3 -c 'import json,sys; r=json.loads(sys.argv[1]); sys.exit(0 if r["audit_pass"] and r["double_bookings"] == 0 and r["survived"] is not None and r["survived"] >= r["acknowledged"] else 1)' "$ours"; then
    echo "compare.sh: our server failed its audit or lost acknowledged bookings" >&2
    failed=1
  fi
fi
exit "$failed"
