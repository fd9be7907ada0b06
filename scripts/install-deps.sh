#!/usr/bin/env bash
# Installs the Debian 12 packages Boxoffice needs, only those that are missing.
# Idempotent; runs as root or through sudo. Downloads nothing but Debian packages.
#
#   scripts/install-deps.sh          build + test dependencies
#   scripts/install-deps.sh --bench  also the tools the comparison benchmarks use
set -euo pipefail

PACKAGES=(
  g++ cmake ninja-build make pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev sqlite3 libssl-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libfmt-dev libspdlog-dev libcli11-dev libtomlplusplus-dev
  curl python3
)
if [[ "${1:-}" == "--bench" ]]; then
  PACKAGES+=(redis-server postgresql libhiredis-dev libpq-dev wrk)
fi

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
