#!/usr/bin/env bash
# Lints docs/openapi.yaml with Redocly CLI, the version pinned by
# package-lock.json beside this script, installed with `npm ci` into WORK_DIR
# (ctest gives a directory in the build tree; again only when the lock changes).
#
#   docs/lint/lint.sh WORK_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${1:?usage: $0 WORK_DIR}

for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "openapi lint: '$tool' is not installed; Redocly CLI needs Node.js 20.19+ and npm" >&2
    exit 1
  fi
done

mkdir -p "$work"
stamp="$work/node_modules/.installed-from-package-lock.json"
if ! cmp -s "$here/package-lock.json" "$stamp"; then
  cp "$here/package.json" "$here/package-lock.json" "$work/"
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$here/package-lock.json" "$stamp"
fi

# No usage reports or update checks: the lint talks to nothing.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1
exec "$work/node_modules/.bin/redocly" lint --config "$here/redocly.yaml" \
  --format stylish "$here/../openapi.yaml"
