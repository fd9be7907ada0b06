#!/usr/bin/env bash
# Runs bench/http/run.sh N times with the same options and prints, per
# scenario, the median of each figure over the runs (and every run's req/s).
#
#   bench/http/medians.sh N [run.sh options...]
#
# Each run's full output is kept in a temporary directory named at the end
# (as the logs of the figures); exits 1 if any run failed.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
runs=${1:?usage: medians.sh N [run.sh options...]}
shift
logs=$(mktemp -d /tmp/boxoffice-http-medians.XXXXXX)
failed=0
for i in $(seq 1 "$runs"); do
  echo "run $i of $runs (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  if ! "$here/run.sh" "$@" >"$logs/run.$i.out" 2>"$logs/run.$i.err"; then
    echo "run $i failed: see $logs/run.$i.out and .err" >&2
    failed=1
  fi
  grep -A1 '^== boxoffice' "$logs/run.$i.out" | tail -1 >&2 || true
done
python3 - "$logs" "$runs" <<'PY'
import glob, statistics, sys
logs, runs = sys.argv[1], int(sys.argv[2])
by = {}
order = []
for path in sorted(glob.glob(logs + "/run.*.out")):
    for line in open(path):
        if line.startswith("RESULT ") and " server_us=" in line:
            f = dict(kv.split("=", 1) for kv in line.split()[1:])
            if f["scenario"] not in by:
                order.append(f["scenario"])
            by.setdefault(f["scenario"], []).append(f)
cols = ["rps", "p50_ms", "p90_ms", "p99_ms", "p999_ms", "server_us", "wrk_us"]
print("medians of %d runs" % runs)
print("%-17s %5s %9s %8s %8s %8s %9s %7s %7s %11s  %s" % (
    "scenario", "runs", "req/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "srv us", "wrk us", "unexpected",
    "req/s of each run"))
for name in order:
    rs = by[name]
    med = {}
    for c in cols:
        vals = [float(r[c]) for r in rs if r[c] != "-"]
        med[c] = statistics.median(vals) if vals else float("nan")
    unexpected = sum(int(r["unexpected"]) + int(r["socket_errors"]) for r in rs)
    print("%-17s %5d %9.0f %8.3f %8.3f %8.3f %9.3f %7.0f %7.0f %11d  %s" % (
        name, len(rs), med["rps"], med["p50_ms"], med["p90_ms"], med["p99_ms"], med["p999_ms"],
        med["server_us"], med["wrk_us"], unexpected, " ".join(r["rps"] for r in rs)))
PY
echo "logs: $logs"
exit "$failed"
