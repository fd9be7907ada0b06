# shellcheck shell=bash
# Starts, kills and stops the stores of the seed design's baselines: a real
# redis-server and a real PostgreSQL from Debian's packages, each in its own
# temporary directory, listening on 127.0.0.1 only, on a free port.
# Sourced by bench/compare.sh; every function logs to stderr.
#
#   redis_start DIR      sets REDIS_PORT, REDIS_PID; Debian's /etc/redis/redis.conf
#                        (when readable) with port, bind, dir and logging overridden
#   redis_kill9          SIGKILL, nothing else
#   redis_restart        the same command on the same directory
#   redis_stop
#   pg_start DIR         scripts/pg-local.sh start DIR; sets PG_CONNINFO (its URL)
#   pg_kill9             SIGKILL to the postmaster and every backend
#   pg_restart           postgres again on the same directory (crash recovery)
#   pg_stop

STORES_LOOPBACK=127.0.0.1

stores_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# A free TCP port on loopback (the kernel's choice).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds.
wait_for() {
  local tries=$(($1 * 10))
  shift
  for ((i = 0; i < tries; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

# ---- Redis ------------------------------------------------------------------------------

REDIS_DIR=""
REDIS_PORT=""
REDIS_PID=""

redis_available() { command -v redis-server >/dev/null && command -v redis-cli >/dev/null; }

redis_launch() {
  local conf=()
  [[ -r /etc/redis/redis.conf ]] && conf=(/etc/redis/redis.conf)
  redis-server "${conf[@]}" --port "$REDIS_PORT" --bind "$STORES_LOOPBACK" --dir "$REDIS_DIR" \
    --daemonize no --supervised no --pidfile "$REDIS_DIR/redis.pid" \
    --logfile "$REDIS_DIR/redis.log" --unixsocket "" >>"$REDIS_DIR/redis.out" 2>&1 &
  REDIS_PID=$!
  if ! wait_for 20 redis-cli -h "$STORES_LOOPBACK" -p "$REDIS_PORT" ping; then
    tail -20 "$REDIS_DIR/redis.log" "$REDIS_DIR/redis.out" >&2 || true
    stores_log "redis-server did not start"
    return 1
  fi
}

redis_start() {
  REDIS_DIR=$1
  mkdir -p "$REDIS_DIR"
  REDIS_PORT=$(free_port)
  redis_launch || return 1
  stores_log "redis-server $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') on" \
    "$STORES_LOOPBACK:$REDIS_PORT (pid $REDIS_PID), persistence: $(redis_persistence)"
}

# The persistence settings the server runs with.
redis_persistence() {
  local cli=(redis-cli -h "$STORES_LOOPBACK" -p "$REDIS_PORT" --raw)
  printf 'save "%s", appendonly %s, appendfsync %s' \
    "$("${cli[@]}" CONFIG GET save | sed -n 2p)" \
    "$("${cli[@]}" CONFIG GET appendonly | sed -n 2p)" \
    "$("${cli[@]}" CONFIG GET appendfsync | sed -n 2p)"
}

redis_kill9() {
  kill -KILL "$REDIS_PID" 2>/dev/null || true
  wait "$REDIS_PID" 2>/dev/null || true
  stores_log "redis-server killed with SIGKILL"
}

redis_restart() {
  redis_launch || return 1
  stores_log "redis-server restarted on the same directory (pid $REDIS_PID)"
}

redis_stop() {
  [[ -n "$REDIS_PID" ]] || return 0
  kill -TERM "$REDIS_PID" 2>/dev/null || true
  wait "$REDIS_PID" 2>/dev/null || true
  REDIS_PID=""
}

# ---- PostgreSQL (scripts/pg-local.sh) -------------------------------------------------------

PG_LOCAL="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/pg-local.sh"
PG_DIR=""
PG_CONNINFO=""

pg_available() { compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null; }

pg_start() {
  PG_DIR=$1
  PG_CONNINFO=$("$PG_LOCAL" start "$PG_DIR") || return 1
  local settings
  settings=$(psql -X -A -t "$PG_CONNINFO" -c \
    "SELECT version() || ': ' || string_agg(name || '=' || setting, ', ' ORDER BY name) \
     FROM pg_settings WHERE name IN \
     ('fsync', 'synchronous_commit', 'wal_sync_method', 'full_page_writes', 'shared_buffers')")
  stores_log "$PG_CONNINFO, $settings"
}

pg_kill9() {
  "$PG_LOCAL" kill "$PG_DIR"
  stores_log "postgres killed with SIGKILL (postmaster and backends)"
}

pg_restart() {
  "$PG_LOCAL" start "$PG_DIR" >/dev/null || return 1
  stores_log "postgres restarted on the same directory (crash recovery)"
}

pg_stop() {
  [[ -n "$PG_DIR" ]] || return 0
  "$PG_LOCAL" stop "$PG_DIR"
  PG_DIR=""
}
