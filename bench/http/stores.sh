#!/usr/bin/env bash
# The store's share of the HTTP benchmark: the same `bench/http/run.sh`
# scenarios (holds, then seat holds and durable confirmations) against the
# server on SQLite and on PostgreSQL, and PostgreSQL's own pgbench doing one
# durable one-row INSERT per transaction, all in the same run, in rounds
# whose order alternates (so a machine that gets busier or quieter does not
# favour one), on one throwaway PostgreSQL (scripts/pg-local.sh: loopback,
# fsync on, synchronous_commit on) with a fresh database per run.
#
# Prints each round's figures, then the medians and the ratios the targets
# are about: PostgreSQL confirmations/s over pgbench's transactions/s, over
# SQLite's confirmations/s, and PostgreSQL's hold p99 over SQLite's.
# Exits 1 if a run.sh check failed (unexpected answers, audit, kill -9).
#
#   bench/http/stores.sh [--rounds N] [--duration S] [--connections C] [--keep]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

rounds=3
duration_s=8
connections=64
keep=0

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
  cat <<EOF
Options (defaults in brackets):
  --rounds N       rounds of the three runs [$rounds]
  --duration S     seconds per scenario and of pgbench [$duration_s]
  --connections C  wrk connections, and pgbench clients [$connections]
  --keep           keep the temporary directory (the cluster, the runs' output)
EOF
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --duration) duration_s=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "stores.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
command -v pgbench >/dev/null || { echo "stores.sh: pgbench is missing (scripts/install-deps.sh --bench)" >&2; exit 2; }

tmp=$(mktemp -d /tmp/boxoffice-stores-bench.XXXXXX)
pg_dir=$(mktemp -d /tmp/boxoffice-stores-pg.XXXXXX)  # its own: PostgreSQL's user must get in
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
  "$repo/scripts/pg-local.sh" stop "$pg_dir" || true
  if ((keep)); then echo "kept $tmp $pg_dir" >&2; else rm -rf "$tmp" "$pg_dir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

url=$("$repo/scripts/pg-local.sh" start "$pg_dir")
psql_cmd=(psql -X -q -A -t)
log "PostgreSQL $("${psql_cmd[@]}" "$url" -c "SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) \
  FROM pg_settings WHERE name IN ('server_version', 'fsync', 'synchronous_commit', 'wal_sync_method', \
  'full_page_writes', 'shared_buffers')") at $url"

# A fresh database; its URL.
new_database() {
  "${psql_cmd[@]}" "$url" -c "CREATE DATABASE $1" >/dev/null
  echo "${url%/*}/$1"
}

# result_field LINE NAME: a value of a RESULT line.
result_field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }

echo 'INSERT INTO onerow(v) VALUES (1);' >"$tmp/onerow.sql"
pgbench_tps() {
  local db
  db=$(new_database "pgbench_$1")
  "${psql_cmd[@]}" "$db" -c "CREATE TABLE onerow(id int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v int4 NOT NULL)"
  local cmd=(pgbench -n -M prepared -c "$connections" -j 2 -T "$duration_s" -f "$tmp/onerow.sql" "$db")
  log "pgbench: ${cmd[*]}"
  "${cmd[@]}" >"$tmp/pgbench.$1.out" 2>&1
  sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$tmp/pgbench.$1.out" | cut -d. -f1
}

failed=0
# run_server STORE_NAME ROUND: run.sh with holds and confirm; writes
# "holds_rps holds_p99 confirm_rps confirm_p99" to $tmp/figures.
run_server() {
  local store=sqlite
  [[ $1 == postgres ]] && store=$(new_database "server_$2")
  local out="$tmp/run.$1.$2.out"
  log "run.sh ($1): --only holds,confirm --duration $duration_s --connections $connections --confirm-connections $connections"
  if ! "$here/run.sh" --only holds,confirm --duration "$duration_s" --connections "$connections" \
    --confirm-connections "$connections" --store "$store" >"$out" 2>"$tmp/run.$1.$2.err"; then
    echo "stores.sh: run.sh ($1, round $2) failed; see $out" >&2
    failed=1
  fi
  local holds confirm
  holds=$(grep '^RESULT scenario=holds' "$out" | tail -1)
  confirm=$(grep '^RESULT scenario=confirm' "$out" | tail -1)
  echo "$(result_field "$holds" rps) $(result_field "$holds" p99_ms) $(result_field "$confirm" rps)" \
    "$(result_field "$confirm" p99_ms)" >"$tmp/figures"
}

declare -a pgb sq_h sq_hp sq_c sq_cp pg_h pg_hp pg_c pg_cp
for ((r = 1; r <= rounds; r++)); do
  log "round $r of $rounds; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  order=(pgbench sqlite postgres)
  ((r % 2 == 0)) && order=(postgres sqlite pgbench)
  for what in "${order[@]}"; do
    case "$what" in
      pgbench) pgb+=("$(pgbench_tps "$r")") ;;
      sqlite)
        run_server sqlite "$r"
        read -r h hp c cp <"$tmp/figures"
        sq_h+=("$h") sq_hp+=("$hp") sq_c+=("$c") sq_cp+=("$cp")
        ;;
      postgres)
        run_server postgres "$r"
        read -r h hp c cp <"$tmp/figures"
        pg_h+=("$h") pg_hp+=("$hp") pg_c+=("$c") pg_cp+=("$cp")
        ;;
    esac
  done
  log "round $r: pgbench ${pgb[-1]} tps; sqlite holds ${sq_h[-1]}/s p99 ${sq_hp[-1]} ms, confirm ${sq_c[-1]}/s p99 ${sq_cp[-1]} ms;" \
    "postgres holds ${pg_h[-1]}/s p99 ${pg_hp[-1]} ms, confirm ${pg_c[-1]}/s p99 ${pg_cp[-1]} ms"
done

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0) ? a / b : 0}'; }
# The median of the per-round ratios of two lists.
median_ratio() {
  local -n a=$1 b=$2
  local rs=()
  for ((i = 0; i < ${#a[@]}; i++)); do rs+=("$(ratio "${a[i]}" "${b[i]}")"); done
  median "${rs[@]}"
}

echo
echo "== stores: $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $rounds rounds," \
  "$duration_s s per run, $connections connections; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %10s   %s\n' "figure" "median" "rounds"
printf '%-34s %10s   %s\n' "pgbench one-row durable tps" "$(median "${pgb[@]}")" "${pgb[*]}"
printf '%-34s %10s   %s\n' "sqlite confirmations/s" "$(median "${sq_c[@]}")" "${sq_c[*]}"
printf '%-34s %10s   %s\n' "sqlite confirmation p99 ms" "$(median "${sq_cp[@]}")" "${sq_cp[*]}"
printf '%-34s %10s   %s\n' "postgres confirmations/s" "$(median "${pg_c[@]}")" "${pg_c[*]}"
printf '%-34s %10s   %s\n' "postgres confirmation p99 ms" "$(median "${pg_cp[@]}")" "${pg_cp[*]}"
printf '%-34s %10s   %s\n' "sqlite holds/s" "$(median "${sq_h[@]}")" "${sq_h[*]}"
printf '%-34s %10s   %s\n' "sqlite hold p99 ms" "$(median "${sq_hp[@]}")" "${sq_hp[*]}"
printf '%-34s %10s   %s\n' "postgres holds/s" "$(median "${pg_h[@]}")" "${pg_h[*]}"
printf '%-34s %10s   %s\n' "postgres hold p99 ms" "$(median "${pg_hp[@]}")" "${pg_hp[*]}"
echo "ratios (median of the rounds' ratios):"
echo "  postgres confirmations / pgbench tps:      $(median_ratio pg_c pgb)   (target >= 4)"
echo "  postgres confirmations / sqlite's:         $(median_ratio pg_c sq_c)"
echo "  postgres hold p99 / sqlite hold p99:       $(median_ratio pg_hp sq_hp)   (target: about 1)"
echo "commands: bench/http/run.sh --only holds,confirm --duration $duration_s --connections $connections" \
  "--confirm-connections $connections [--store postgres://...]; pgbench -n -M prepared -c $connections -j 2" \
  "-T $duration_s -f onerow.sql (INSERT INTO onerow(v) VALUES (1))"
exit "$failed"
