#!/usr/bin/env bash
# Installs the Debian 12 packages Boxoffice needs, only those that are missing.
# Idempotent; runs as root or through sudo. Downloads nothing but Debian packages.
#
#   scripts/install-deps.sh          what building and running the server needs
#   scripts/install-deps.sh --test   also what the test suite needs: PostgreSQL
#                                    (the PostgreSQL store's tests start their
#                                    own), Redis for the seed-design baselines,
#                                    Chromium and its fonts for the web pages'
#                                    browser tests (node and npm come with the
#                                    machine: the suite checks they are there)
#   scripts/install-deps.sh --bench  also the HTTP load generator (wrk)
set -euo pipefail

PACKAGES=(
  g++ cmake ninja-build make pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev sqlite3 libpq-dev libssl-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libfmt-dev libspdlog-dev libcli11-dev libtomlplusplus-dev
  curl python3
)
case "${1:-}" in
  "") ;;
  --test) PACKAGES+=(redis-server postgresql libhiredis-dev chromium fonts-liberation libyaml-cpp-dev) ;;
  --bench) PACKAGES+=(redis-server postgresql libhiredis-dev wrk) ;;
  *) echo "usage: $0 [--test | --bench]" >&2; exit 2 ;;
esac

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
