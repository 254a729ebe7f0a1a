#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 machine: the apt packages the build and the
# browser tests need, then the npm dev tools from package-lock.json. Safe to run again:
# it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(cmake g++ make clang-14 lld-14 libclang-rt-14-dev emscripten nlohmann-json3-dev
              libgtest-dev googletest chromium gzip ca-certificates
              # xmllint: tests/node/policy-i18n.test.js validates the policies' Atom feeds
              libxml2-utils
              # kelisim scan's first/third party: the Public Suffix List, /usr/share/publicsuffix/
              publicsuffix
              # the consent ledger (server/): HTTP, storage, signatures, a PostgreSQL for its tests, load
              pkg-config libcpp-httplib-dev libsqlite3-dev libpq-dev libsodium-dev postgresql-15 wrk)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing apt packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm dev tools (esbuild, binaryen's wasm-opt, playwright-core, axe-core, bench anchors).
# `npm ci` runs only when package-lock.json changed since the last install (stamp file).
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.kelisim-lock 2>/dev/null)" != "$lock_sum" ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
  echo "$lock_sum" > node_modules/.kelisim-lock
fi
