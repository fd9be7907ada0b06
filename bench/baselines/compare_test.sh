#!/usr/bin/env bash
# ctest baselines_compare_tiny: bench/compare.sh in a tiny configuration, so
# that the baselines' scripts keep working. Passes when the table appears
# and our server's audit found no double booking (compare.sh itself fails
# when our server loses an acknowledged booking). Skips (exit 77) when
# redis-server, PostgreSQL or the baseline binary is missing.
#
#   bench/baselines/compare_test.sh BUILD_DIR
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${1:?usage: compare_test.sh BUILD_DIR}
# shellcheck source=bench/baselines/stores.sh
source "$here/stores.sh"

skip() {
  echo "SKIPPED: $1 (scripts/install-deps.sh --bench installs it)"
  exit 77
}
redis_available || skip "redis-server is not installed"
pg_available || skip "PostgreSQL is not installed"
[[ -x "$build/boxoffice_baseline" ]] || skip "boxoffice_baseline is not built (libhiredis-dev, libpq-dev)"

out=$("$here/../compare.sh" --build "$build" --fans 200 --seats 100 --connections 20 \
  --hold-ttl-s 1 --workers 4 --bench-args "--attempts 2" 2>&1) || {
  echo "$out"
  echo "FAILED: compare.sh exited non-zero"
  exit 1
}
echo "$out"
header=$(grep -E '^\| +\| +boxoffice \| +Redis locks \| +PostgreSQL FOR UPDATE \|$' <<<"$out") ||
  { echo "FAILED: no table with the three systems"; exit 1; }
for row in "holds/s" "hold p99 ms" "double bookings (audit)" "bookings after kill -9"; do
  grep -qF "| $row " <<<"$out" || { echo "FAILED: the table has no row \"$row\""; exit 1; }
done
ours=$(grep -F "| double bookings (audit) " <<<"$out" | awk -F'|' '{gsub(/ /, "", $3); print $3}')
[[ "$ours" == "0" ]] || { echo "FAILED: our server's audit found $ours double bookings"; exit 1; }
echo "PASSED: $header"
