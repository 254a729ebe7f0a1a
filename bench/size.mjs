#!/usr/bin/env node
// Size report (reported, never asserted; exits 0): raw and gzip -9 bytes of what a page loads,
// against the goals of issue 2 (consent module <= 8 KB gzip, loader <= 1.5 KB gzip) and the
// policy module's (<= 60 KB gzip).
//   - dist/kelisim-consent.wasm (the full consent module: kelisim/core), its banner build
//     dist/kelisim-consent-banner.wasm (what the page loads), dist/kelisim-policy.wasm (if built; the viewer's) and
//     dist/kelisim-policy-tools.wasm (the authors' build: import, lint, build)
//   - the loader (web/src/engine/loader.js + errors/constants it imports) and, beside it, the
//     loader + core facade (entry core.js), each bundled by esbuild into one minified ESM module
//   - dist/kelisim.js and dist/kelisim-banner.css (if built); the second layer and the embed
//     placeholders (dist/kelisim-embeds.mjs/.css) apart
// gzip -9 is the `gzip -9 -n` command (GNU gzip; no file name in the header); without it,
// Node's zlib at level 9, which compresses wasm ~1% worse (the JSON says which was used).
// Usage: node bench/size.mjs        Writes bench/results/size-<date>.json and prints a table.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleScript } from '../web/src/cli/head-tags.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const KB = 1024;
const gzipCli = spawnSync('gzip', ['--version']).status === 0;
const gzip = (buf) => {
  if (gzipCli) {
    const r = spawnSync('gzip', ['-9', '-n', '-c'], { input: buf, maxBuffer: 1 << 28 });
    if (r.status === 0) return r.stdout.length;
  }
  return gzipSync(buf, { level: 9 }).length;
};

const rows = [];
function report(name, what, buf, goalGzip) {
  if (!buf) {
    rows.push({ name, what, missing: true, goalGzip: goalGzip ?? null });
    return;
  }
  const g = gzip(buf);
  rows.push({ name, what, raw: buf.length, gzip: g, goalGzip: goalGzip ?? null, withinGoal: goalGzip ? g <= goalGzip : null });
}
const file = (rel) => (existsSync(join(REPO, rel)) ? readFileSync(join(REPO, rel)) : null);

report('consent module', 'dist/kelisim-consent.wasm', file('dist/kelisim-consent.wasm'), 8 * KB);
// The same bridge and library with only the exports the banner calls (decide, apply,
// decodeRecord; wasm/bridge/consent-banner.exports): the module the page entries load.
report('consent module, banner build', 'dist/kelisim-consent-banner.wasm', file('dist/kelisim-consent-banner.wasm'), 8 * KB);
// ...and with only the history check (kel_verify_history), which receipt() loads.
report('consent module, receipt build (receipt() only)', 'dist/kelisim-consent-receipt.wasm', file('dist/kelisim-consent-receipt.wasm'));

// The loader (web/src/engine/loader.js: compiles, instantiates and calls the wasm, restarts it
// after a trap) is the "loader <= 1.5 KB" line; the facade around it (core.js: plain objects
// <-> the bridge's positional fields) is reported beside it, without a goal.
async function bundle(entry) {
  try {
    const { build } = await import('esbuild');
    const out = await build({
      entryPoints: [join(REPO, entry)],
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2020',
      external: ['node:*'],  // loader.js reads file: URLs with node:fs only in Node
      write: false,
      logLevel: 'silent',
    });
    return { buf: Buffer.from(out.outputFiles[0].contents), note: `${entry} + its imports, esbuild --bundle --minify (ESM)` };
  } catch (e) {
    return { buf: null, note: `esbuild failed: ${e.message.split('\n')[0]}` };
  }
}
const loader = await bundle('web/src/engine/loader.js');
report('loader', loader.note, loader.buf, 1.5 * KB);
const facade = await bundle('web/src/engine/core.js');
report('loader + core facade', facade.note, facade.buf);

// What the viewer loads (policy.exports: parse, render, search, diff, history) against the
// 60 KB goal, and beside it the authors' build (policy-tools.exports: plus import, lint, build,
// hash), which only the CLI and authors load: reported, no goal.
report('policy module (viewer)', 'dist/kelisim-policy.wasm', file('dist/kelisim-policy.wasm'), 60 * KB);
report('policy module, authors\' tools build', 'dist/kelisim-policy-tools.wasm', file('dist/kelisim-policy-tools.wasm'));
report('banner script', 'dist/kelisim.js', file('dist/kelisim.js'));
report('banner styles', 'dist/kelisim-banner.css', file('dist/kelisim-banner.css'));
// [issue 14] `kelisim build --bundle`'s one file for a site (here the bench's demo manifest):
// kelisim-bundled.js with the manifest and the banner's styles, the whole first-visit banner path.
{
  const t = file('dist/kelisim-bundled.js');
  const c = file('dist/kelisim-banner.css');
  const m = readFileSync(join(REPO, 'tests/fixtures/manifests/demo-v1.json'), 'utf8');
  report('one-file bundle (demo manifest)', 'kelisim build --bundle: dist/kelisim-bundled.js + kelisim-banner.css + tests/fixtures/manifests/demo-v1.json',
    t && c ? Buffer.from(bundleScript(t.toString('utf8'), c.toString('utf8'), m, '/kelisim/', '/policies/', 'demo')) : null);
}
// Not on the banner path: fetched at idle once the banner is visible (or on the first
// settings click), so it is reported on its own and left out of the total below.
report('second layer (after the banner)', 'dist/kelisim-more.mjs', file('dist/kelisim-more.mjs'));
report('second layer styles (after the banner)', 'dist/kelisim-prefs.css', file('dist/kelisim-prefs.css'));
// Only on pages with reportUrl: the report outbox, loaded at start (not on the banner path:
// the banner never waits for it).
report('report outbox (pages with reportUrl only)', 'dist/kelisim-report.mjs', file('dist/kelisim-report.mjs'));
// [issue 12] Only on pages with an element with data-kelisim-src (bench/embeds.mjs measures
// that a page without embeds never requests them, and the time to the placeholders).
report('embed placeholders (pages with embeds only)', 'dist/kelisim-embeds.mjs', file('dist/kelisim-embeds.mjs'));
report('embed placeholder styles (pages with embeds only)', 'dist/kelisim-embeds.css', file('dist/kelisim-embeds.css'));

// The banner path a page pays for. A first visit draws its banner from the script and its
// styles (and the site's manifest, measured by bench/anchors.mjs): the consent module follows
// the banner (web/src/controller.js, loadConsent). A returning visitor's page needs the module
// before its gated scripts run, and shows no banner unless the core asks.
const sum = (name, names) => {
  const parts = rows.filter((r) => !r.missing && names.includes(r.name));
  if (parts.length === names.length) {
    rows.push({
      name, what: parts.map((r) => r.what).join(' + '),
      raw: parts.reduce((a, r) => a + r.raw, 0), gzip: parts.reduce((a, r) => a + r.gzip, 0), goalGzip: null, withinGoal: null,
    });
  }
};
sum('banner path, first visit (before the banner)', ['banner script', 'banner styles']);
sum('consent path, return visit (before gated scripts run)', ['consent module, banner build', 'banner script', 'banner styles']);

const date = new Date().toISOString().slice(0, 10);
const result = { date, generatedAt: new Date().toISOString(), gzip: gzipCli ? 'gzip -9 -n' : 'node zlib level 9', rows };
try {
  mkdirSync(join(REPO, 'bench/results'), { recursive: true });
  writeFileSync(join(REPO, `bench/results/size-${date}.json`), JSON.stringify(result, null, 2) + '\n');
} catch (e) {
  console.error(`size: cannot write bench/results/size-${date}.json: ${e.message}`);
}

const kb = (n) => (n / KB).toFixed(2) + ' KB';
console.log(`# Sizes (${date})\n`);
console.log('| what | file(s) | raw | gzip -9 | goal (gzip) | |');
console.log('|---|---|---:|---:|---:|---|');
for (const r of rows) {
  const goal = r.goalGzip ? `≤ ${kb(r.goalGzip)}` : '';
  if (r.missing) {
    console.log(`| ${r.name} | ${r.what} | – | – | ${goal} | not built |`);
    continue;
  }
  const verdict = r.withinGoal === null ? '' : r.withinGoal ? 'within goal' : `over by ${kb(r.gzip - r.goalGzip)}`;
  console.log(`| ${r.name} | ${r.what} | ${r.raw} B | ${r.gzip} B (${kb(r.gzip)}) | ${goal} | ${verdict} |`);
}
