#!/usr/bin/env bash
# npm run bench [-- --runs N --profiles desktop,cpu4x,phone-slow4g --only kelisim,vcc --no-core]
# kelisim vs the anchors (vanilla-cookieconsent, klaro, tarteaucitronjs, cookieconsent — npm
# devDependencies) in headless Chromium; results: bench/results/<date>-anchors.json and
# bench/results/latest.md. Reported, never asserted. Run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
for p in vanilla-cookieconsent klaro tarteaucitronjs cookieconsent marked diff playwright-core; do
  if [ ! -f "node_modules/$p/package.json" ]; then
    echo "bench: node_modules/$p missing; installing the devDependencies (npm ci)" >&2
    npm ci --no-audit --no-fund
    break
  fi
done
if [ ! -f dist/kelisim.js ] || [ ! -f dist/kelisim-consent.wasm ] || [ ! -f dist/kelisim-consent-banner.wasm ] || [ ! -f dist/kelisim-policy.wasm ]; then
  echo "bench: dist/ incomplete; building (scripts/build.sh)" >&2
  bash scripts/build.sh
fi
exec node bench/anchors.mjs "$@"
