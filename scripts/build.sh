#!/usr/bin/env bash
# Builds everything: native core + tests + CLI (build/native), both wasm modules
# (build/wasm, optimised copies in dist/), and the web distributables (dist/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

JOBS=$(nproc 2>/dev/null || echo 2)
node scripts/gen-constants.mjs --check

cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/native -j"$JOBS"

# Not `emcmake`: 3.1.6 sets a node emulator flag Node 20 rejects (TOOLCHAIN.md trip-up 3).
cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_TOOLCHAIN_FILE=/usr/share/emscripten/cmake/Modules/Platform/Emscripten.cmake \
  -DCMAKE_CROSSCOMPILING_EMULATOR=/usr/bin/node >/dev/null
cmake --build build/wasm -j"$JOBS"

if [ -f scripts/build-web.mjs ]; then
  node scripts/build-web.mjs
fi
