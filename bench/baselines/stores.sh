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
#   pg_start DIR         initdb (once) and postgres; sets PG_PORT, PG_PID, PG_CONNINFO
#   pg_kill9             SIGKILL to the postmaster and every backend
#   pg_restart           postgres again on the same directory (crash recovery)
#   pg_stop
#
# PostgreSQL refuses to run as root: as root, DIR is given to `nobody` and
# initdb and postgres run as nobody (runuser).

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

# ---- PostgreSQL ---------------------------------------------------------------------------

PG_BIN=""
PG_DIR=""
PG_PORT=""
PG_PID=""
PG_CONNINFO=""
PG_AS=()

pg_available() {
  local dirs=(/usr/lib/postgresql/*/bin)
  local newest=""
  for d in "${dirs[@]}"; do [[ -x "$d/postgres" && -x "$d/initdb" ]] && newest=$d; done
  [[ -n "$newest" ]] || return 1
  PG_BIN=$newest
  if [[ $(id -u) -eq 0 ]]; then
    command -v runuser >/dev/null || return 1
    PG_AS=(runuser -u nobody --)
  fi
}

pg_launch() {
  "${PG_AS[@]}" "$PG_BIN/postgres" -D "$PG_DIR/data" -p "$PG_PORT" -k "$PG_DIR" \
    -c listen_addresses="$STORES_LOOPBACK" -c fsync=on -c synchronous_commit=on \
    -c max_connections=200 >>"$PG_DIR/postgres.log" 2>&1 &
  if ! wait_for 60 "$PG_BIN/pg_isready" -q -h "$STORES_LOOPBACK" -p "$PG_PORT"; then
    tail -20 "$PG_DIR/postgres.log" >&2 || true
    stores_log "postgres did not start"
    return 1
  fi
  PG_PID=$(head -1 "$PG_DIR/data/postmaster.pid")
}

pg_start() {
  PG_DIR=$1
  pg_available || { stores_log "PostgreSQL not found"; return 1; }
  mkdir -p "$PG_DIR"
  [[ $(id -u) -eq 0 ]] && chown nobody "$PG_DIR"
  if ! "${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U bench -A trust -E UTF8 \
    >"$PG_DIR/initdb.log" 2>&1; then
    tail -20 "$PG_DIR/initdb.log" >&2
    return 1
  fi
  PG_PORT=$(free_port)
  pg_launch || return 1
  # shellcheck disable=SC2034  # read by the scripts that source this one
  PG_CONNINFO="host=$STORES_LOOPBACK port=$PG_PORT dbname=postgres user=bench"
  local settings
  settings=$("$PG_BIN/psql" -X -A -t -h "$STORES_LOOPBACK" -p "$PG_PORT" -U bench -d postgres -c \
    "SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) FROM pg_settings WHERE name IN \
     ('fsync', 'synchronous_commit', 'wal_sync_method', 'full_page_writes', 'shared_buffers')")
  stores_log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on" \
    "$STORES_LOOPBACK:$PG_PORT (postmaster $PG_PID): $settings"
}

pg_kill9() {
  local pids
  pids="$PG_PID $(pgrep -P "$PG_PID" | tr '\n' ' ')"
  # shellcheck disable=SC2086  # a list of pids
  kill -KILL $pids 2>/dev/null || true
  for pid in $pids; do wait_for 10 bash -c "! kill -0 $pid" || true; done
  stores_log "postgres killed with SIGKILL (postmaster and backends: $pids)"
}

pg_restart() {
  pg_launch || return 1
  stores_log "postgres restarted on the same directory (postmaster $PG_PID, crash recovery)"
}

pg_stop() {
  [[ -n "$PG_PID" ]] || return 0
  kill -INT "$PG_PID" 2>/dev/null || true
  wait_for 30 bash -c "! kill -0 $PG_PID" || kill -KILL "$PG_PID" 2>/dev/null || true
  PG_PID=""
}
