#!/usr/bin/env bash
# `npm run demo`: sets up, builds everything, builds the seed policies, starts the consent
# ledger (kelisim-server) and serves the examples at http://127.0.0.1:8080 (PORT=… to change)
# with a strict Content-Security-Policy.
#   /            examples/site (script tag; ru bar, kk box, en dark + Consent Mode)
#   /bundler/    examples/bundler (ESM import bundled by esbuild)
#   /dist/       the built distributables;  /policies/  the seed policies, built
#   /update-demo/  SmartAqkol v1 → v2 under the 7-day rule;  /viewer/  the policy viewer inline [issue 5]
#   /embeds/     embed placeholders (YouTube, Yandex Maps, 2GIS; real URLs, loaded only after
#                consent: their origins are in the CSP's frame-src) and a gated chat widget [issue 12]
#   (/viewer/service.html: the ru + kk demo policy in Kazakh, with the text-language switch)
# Every page reports its consent events to the ledger at http://127.0.0.1:8787 (LEDGER_PORT=…):
# SQLite under build/demo/ledger/, the demo's built policies, the demo origin, a generated
# signing key and admin token (printed below; its admin page is /admin there). The ledger
# stops when the demo does.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh

CLI=build/native/kelisim
SERVER=build/native/server/kelisim-server
POL=build/demo/policies
PORT=${PORT:-8080}
LEDGER_PORT=${LEDGER_PORT:-8787}
rm -rf "$POL" && mkdir -p "$POL"
"$CLI" build policies -o "$POL"
# The policy link points at the source text until the viewer (issue 5) exists.
for d in "$POL"/*/; do id=$(basename "$d"); cp policies/"$id"/*.md "$d"; done
node examples/bundler/build.mjs build/demo/bundler

# The ledger's state (kept between runs: the database, the key, the token) and, apart from it,
# the one file the pages load to learn where to report (/ledger/ledger.js).
LEDGER=build/demo/ledger
PAGE=build/demo/ledger-page
mkdir -p "$LEDGER" "$PAGE"
chmod 700 "$LEDGER"
[ -f "$LEDGER/ledger.key" ] || "$SERVER" keygen --key "$LEDGER/ledger.key" >/dev/null
[ -s "$LEDGER/admin-token" ] || (umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$LEDGER/admin-token")
LEDGER_URL="http://127.0.0.1:$LEDGER_PORT"
cat > "$PAGE/ledger.js" <<JS
// Written by scripts/demo.sh: the demo pages report to its kelisim-server.
window.kelisimConfig = Object.assign(window.kelisimConfig || {}, { reportUrl: '$LEDGER_URL/v1/events' });
window.kelisimLedger = { origin: '$LEDGER_URL' };
JS

"$SERVER" serve --listen "127.0.0.1:$LEDGER_PORT" --db "sqlite:$LEDGER/ledger.db" --policies "$POL" --policies-url "http://127.0.0.1:$PORT/policies/" \
  --origin "http://127.0.0.1:$PORT" --origin "http://localhost:$PORT" \
  --admin-token-file "$LEDGER/admin-token" --key "$LEDGER/ledger.key" &
LEDGER_PID=$!
stop_ledger() { kill -TERM "$LEDGER_PID" 2>/dev/null && wait "$LEDGER_PID" 2>/dev/null || true; }
trap stop_ledger EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
for _ in $(seq 50); do
  kill -0 "$LEDGER_PID" 2>/dev/null || { echo "demo: kelisim-server did not start" >&2; exit 1; }
  (exec 3<>/dev/tcp/127.0.0.1/"$LEDGER_PORT") 2>/dev/null && break
  sleep 0.1
done
echo "demo: consent ledger at $LEDGER_URL (admin page $LEDGER_URL/admin, admin token: $(cat "$LEDGER/admin-token"))"

# `--csp demo` = demoCsp() in scripts/serve.mjs: script-src 'self' 'wasm-unsafe-eval', style-src 'self',
# connect-src 'self' and the ledger, frame-src 'self' and the embeds demo's three embed origins. The example pages have no inline code, so nothing needs 'unsafe-inline'.
node scripts/serve.mjs examples/site --port "$PORT" \
  --mount /dist=dist --mount /policies="$POL" --mount /bundler=build/demo/bundler \
  --mount /update-demo=examples/update-demo --mount /viewer=examples/viewer --mount /ledger="$PAGE" \
  --mount /embeds=examples/embeds \
  --csp demo --connect "$LEDGER_URL" \
  --frame https://www.youtube-nocookie.com --frame https://yandex.ru --frame https://widgets.2gis.com
