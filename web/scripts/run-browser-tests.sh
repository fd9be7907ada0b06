#!/usr/bin/env bash
# The browser suite (ctest label "browser"): installs the test tools from the
# lock file (npm ci), checks the vendored libraries against their packages,
# then runs web/test/ with node's test runner, one file at a time, against
# the given `boxoffice` binary and Debian's Chromium.
#
#   web/scripts/run-browser-tests.sh build/release/boxoffice [test files...]
set -euo pipefail
binary="$(realpath "${1:?usage: $0 BOXOFFICE_BINARY [test files...]}")"
shift
cd "$(dirname "$0")/.."
if ! command -v node >/dev/null 2>&1; then
  echo "browser tests: node is not installed (node 20 or later, with npm, is expected on the machine)" >&2
  exit 1
fi
major="$(node -p 'process.versions.node.split(".")[0]')"
if (( major < 20 )); then
  echo "browser tests: node $(node --version) is too old: 20 or later is needed" >&2
  exit 1
fi
if [[ ! -x "${BOXOFFICE_CHROMIUM:-/usr/bin/chromium}" ]]; then
  echo "browser tests: no Chromium at ${BOXOFFICE_CHROMIUM:-/usr/bin/chromium}: run scripts/install-deps.sh --test" >&2
  exit 1
fi
npm ci --no-audit --no-fund --loglevel=error
node scripts/check-vendor.mjs
export BOXOFFICE_BIN="$binary"
if (( $# == 0 )); then set -- test/*.test.mjs; fi
exec node --test --test-concurrency=1 "$@"
