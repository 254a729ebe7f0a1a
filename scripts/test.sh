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

# Brief fuzz run (issue 6): every libFuzzer target for 5 s under ASan/UBSan, fails on any crash
# or broken invariant (`bash scripts/fuzz.sh 600` is the long run; docs/fuzzing.md). Skipped
# only where clang-14's libFuzzer runtime is absent (scripts/setup.sh installs libclang-rt-14-dev).
if command -v clang++-14 >/dev/null 2>&1 &&
  [ -f "$(clang++-14 -print-resource-dir)/lib/linux/libclang_rt.fuzzer-$(uname -m).a" ]; then
  bash scripts/fuzz.sh 5
else
  echo "fuzz: skipped: clang-14's libFuzzer runtime (libclang-rt-14-dev) is not installed"
fi
