#!/usr/bin/env bash
# A throwaway PostgreSQL (Debian's, in /usr/lib/postgresql/*/bin) kept in one
# directory and listening on 127.0.0.1 only, for trying Boxoffice's
# PostgreSQL mode, and for its tests and benchmarks:
#
#   scripts/pg-local.sh start DIR   creates the cluster on first use (user and
#                                   database "boxoffice", trusted on loopback),
#                                   starts it on a free port (the same port on
#                                   later starts) and prints its URL
#   scripts/pg-local.sh url DIR     prints postgres://boxoffice@127.0.0.1:PORT/boxoffice
#   scripts/pg-local.sh stop DIR    stops it (fast shutdown); DIR stays
#   scripts/pg-local.sh kill DIR    SIGKILL to the postmaster and its backends,
#                                   for crash tests; `start` recovers it
#
# Durable like a production server: fsync and synchronous_commit on. The log
# is DIR/postgres.log. PostgreSQL refuses to run as root: as root, DIR is
# given to the `postgres` user (or `nobody`), which runs initdb and postgres,
# so DIR's parent directories must let that user in (e.g. DIR in /tmp).
# PG_BIN overrides where the binaries are.
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[[ $# -eq 2 ]] || usage
command=$1
dir=$2

log() { printf 'pg-local: %s\n' "$*" >&2; }

find_bin() {
  if [[ -n "${PG_BIN:-}" ]]; then
    echo "$PG_BIN"
    return
  fi
  local newest=""
  for d in /usr/lib/postgresql/*/bin; do
    [[ -x "$d/postgres" && -x "$d/initdb" ]] && newest=$d
  done
  if [[ -z "$newest" ]]; then
    log "PostgreSQL is not installed (scripts/install-deps.sh --test installs it)"
    exit 1
  fi
  echo "$newest"
}

bin=$(find_bin)
as=()
if [[ $(id -u) -eq 0 ]]; then
  owner=postgres
  id -u postgres >/dev/null 2>&1 || owner=nobody
  as=(runuser -u "$owner" --)
fi

port_of() { cat "$dir/port"; }
url() { echo "postgres://boxoffice@127.0.0.1:$(port_of)/boxoffice"; }

# A free TCP port on loopback (the kernel's choice).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

running() {
  [[ -f "$dir/data/postmaster.pid" ]] && "${as[@]}" "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

create_cluster() {
  mkdir -p "$dir"
  [[ ${#as[@]} -gt 0 ]] && chown "${as[2]}" "$dir"
  if ! "${as[@]}" "$bin/initdb" -D "$dir/data" -U boxoffice -A trust -E UTF8 --locale=C \
    --no-sync >"$dir/initdb.log" 2>&1; then
    tail -20 "$dir/initdb.log" >&2
    exit 1
  fi
  free_port >"$dir/port"
  cat >>"$dir/data/postgresql.conf" <<CONF

# scripts/pg-local.sh
listen_addresses = '127.0.0.1'
port = $(port_of)
unix_socket_directories = ''
fsync = on
synchronous_commit = on
max_connections = 200
CONF
}

start() {
  [[ -f "$dir/data/PG_VERSION" ]] || create_cluster
  if ! running; then
    # A cluster killed with SIGKILL leaves its pid file; postgres checks it.
    if ! "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 120 start \
      >/dev/null; then
      tail -20 "$dir/postgres.log" >&2 || true
      exit 1
    fi
  fi
  local psql=("$bin/psql" -X -q -A -t -h 127.0.0.1 -p "$(port_of)" -U boxoffice)
  if [[ -z $("${psql[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'boxoffice'") ]]; then
    "${psql[@]}" -d postgres -c "CREATE DATABASE boxoffice" >/dev/null
  fi
  url
}

stop() {
  running || return 0
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
}

kill9() {
  [[ -f "$dir/data/postmaster.pid" ]] || return 0
  local postmaster
  postmaster=$(head -1 "$dir/data/postmaster.pid")
  local pids=("$postmaster")
  mapfile -t -O 1 pids < <(pgrep -P "$postmaster" || true)
  kill -KILL "${pids[@]}" 2>/dev/null || true
  for pid in "${pids[@]}"; do
    for _ in $(seq 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
  done
}

case "$command" in
  start) start ;;
  url)
    [[ -f "$dir/port" ]] || { log "no cluster in $dir (run: $0 start $dir)"; exit 1; }
    url
    ;;
  stop) stop ;;
  kill) kill9 ;;
  *) usage ;;
esac
