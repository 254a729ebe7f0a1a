#!/usr/bin/env bash
# The one test command (`npm test`): installs what is missing, builds native and wasm,
# runs GoogleTest (ctest; once more under ASan + UBSan), the node:test suite against the built
# wasm (ctest), the browser suite in headless Chromium, and a short fuzz replay.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh

ctest --test-dir build/native --output-on-failure -j"$(nproc 2>/dev/null || echo 2)"

# The same GoogleTest suite once more under AddressSanitizer + UBSan: a read past a buffer or
# undefined behaviour fails the test that caused it instead of passing by luck.
if [ ! -f build/native-asan/CMakeCache.txt ]; then
  cmake -S . -B build/native-asan -DKELISIM_SANITIZE=ON -DKELISIM_SERVER=OFF >/dev/null
fi
if ! cmake --build build/native-asan --target kelisim_tests -j2 >build/native-asan/build.log 2>&1; then
  cat build/native-asan/build.log
  exit 1
fi
ctest --test-dir build/native-asan --output-on-failure -j"$(nproc 2>/dev/null || echo 2)"
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
