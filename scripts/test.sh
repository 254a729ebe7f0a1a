#!/usr/bin/env bash
# The one test command (`npm test`): installs what is missing, builds native and wasm,
# runs GoogleTest (ctest), the node:test suite against the built wasm (ctest), and the
# browser suite in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh

ctest --test-dir build/native --output-on-failure -j"$(nproc 2>/dev/null || echo 2)"
ctest --test-dir build/wasm --output-on-failure

if compgen -G "tests/browser/*.test.js" >/dev/null; then
  node --test --test-concurrency=1 tests/browser/
fi
