#!/usr/bin/env bash
# `npm run demo`: sets up, builds everything, builds the seed policies, and serves the
# examples at http://127.0.0.1:8080 (PORT=… to change) with a strict Content-Security-Policy.
#   /            examples/site (script tag; ru bar, kk box, en dark + Consent Mode)
#   /bundler/    examples/bundler (ESM import bundled by esbuild)
#   /dist/       the built distributables;  /policies/  the seed policies, built
#   /update-demo/  SmartAqkol v1 → v2 under the 7-day rule;  /viewer/  the policy viewer inline [issue 5]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh

CLI=build/native/kelisim
POL=build/demo/policies
rm -rf "$POL" && mkdir -p "$POL"
"$CLI" build policies -o "$POL"
# The policy link points at the source text until the viewer (issue 5) exists.
for d in "$POL"/*/; do id=$(basename "$d"); cp policies/"$id"/*.md "$d"; done
node examples/bundler/build.mjs build/demo/bundler

# `--csp demo` = DEMO_CSP in scripts/serve.mjs: script-src 'self' 'wasm-unsafe-eval', style-src 'self'.
# The example pages have no inline code, so nothing needs 'unsafe-inline'.
exec node scripts/serve.mjs examples/site --port "${PORT:-8080}" \
  --mount /dist=dist --mount /policies="$POL" --mount /bundler=build/demo/bundler \
  --mount /update-demo=examples/update-demo --mount /viewer=examples/viewer \
  --csp demo
