#!/usr/bin/env node
// Banner-path benchmark (reported, never asserted), kelisim vs vanilla-cookieconsent 3.1.0:
//  1. first-visit banner-path bytes, gzip -9: JS + CSS + wasm + manifest (kelisim) vs
//     JS + CSS + the inline configuration (vanilla-cookieconsent);
//  2. time from navigation start to a visible banner, at 4× CPU throttle (CDP
//     Emulation.setCPUThrottlingRate), HTTP cache off, fresh context per run, the two
//     contenders interleaved run by run in one browser. Medians and p90, ratio kelisim/anchor.
// Usage: node bench/banner.mjs [--runs 15] [--rate 4]
// Results: bench/results/banner-<timestamp>.json and .md (and a line on stdout).
import { readFileSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { loadavg, cpus } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, startServer } from '../tests/browser/helpers.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const arg = (n, d) => { const i = args.indexOf(n); return i >= 0 ? Number(args[i + 1]) : d; };
const RUNS = arg('--runs', 15);
const RATE = arg('--rate', 4);

const VCC = join(REPO, 'node_modules/vanilla-cookieconsent/dist');
const vccVersion = JSON.parse(readFileSync(join(REPO, 'node_modules/vanilla-cookieconsent/package.json'), 'utf8')).version;
// The equivalent page: the demo manifest has the same three categories (ru/kk/en texts) as
// the anchor's configuration (bench/pages/vcc/config.js), as in `npm run bench`. A built seed
// manifest (toolpars: four categories) is reported beside it for reference.
const manifestPath = join(REPO, 'tests/fixtures/manifests/demo-v1.json');
const manifest = readFileSync(manifestPath);
// The category titles and descriptions are in the texts file the manifest names (format 2),
// fetched with the preferences dialog after the banner.
const textsName = JSON.parse(manifest).texts;
const texts = readFileSync(join(REPO, 'tests/fixtures/manifests', textsName));
const seedManifest = join(REPO, 'policies/toolpars/manifest.json');

// Equivalent configuration (three categories, one required; Russian text; a policy link; a
// bar with the same three first-layer buttons): the one npm run bench serves too.
const vccConfig = readFileSync(join(REPO, 'bench/pages/vcc/config.js'), 'utf8');

const body = '<main><h1>Тестовая страница</h1><p>Обычный текст страницы.</p></main>';
const pages = {
  '/kelisim.html': `<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>kelisim</title>
<script src="/dist/kelisim.js" data-policy="/bench/manifest.json" defer></script></head><body>${body}</body></html>`,
  '/vcc.html': `<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>vanilla-cookieconsent</title>
<link rel="stylesheet" href="/vcc/cookieconsent.css">
<script src="/vcc/cookieconsent.umd.js" defer></script>
<script type="module">${vccConfig}</script></head><body>${body}</body></html>`,
};

const gz = (b) => gzipSync(b, { level: 9 }).length;
const file = (p) => readFileSync(join(REPO, p));
// The consent module the page loads by default (kelisim.js resolves it next to itself): the
// banner build. The runs below record which .wasm the page really requested.
const KELISIM_WASM = 'dist/kelisim-consent-banner.wasm';
const wasmSeen = new Set();
const bytes = {
  kelisim: {
    js: gz(file('dist/kelisim.js')), css: gz(file('dist/kelisim-banner.css')),
    wasm: gz(file(KELISIM_WASM)), manifest: gz(manifest),
  },
  vcc: { js: gz(readFileSync(join(VCC, 'cookieconsent.umd.js'))), css: gz(readFileSync(join(VCC, 'cookieconsent.css'))), config: gz(vccConfig) },
};
for (const k of Object.keys(bytes)) bytes[k].total = Object.values(bytes[k]).reduce((a, b) => a + b, 0);
// kelisim's second layer (preferences dialog) is fetched at idle once the banner is visible:
// reported, not part of the banner path. vanilla-cookieconsent's preferences are in its one file.
const seedManifestGzip = existsSync(seedManifest) ? gz(readFileSync(seedManifest)) : null;
const afterBanner = { kelisim: { more: gz(file('dist/kelisim-more.mjs')), css: gz(file('dist/kelisim-prefs.css')), texts: gz(texts) } };

// In the page from the very start: report performance.now() at the first animation frame in
// which the banner has a box, is not hidden and not fully transparent.
const WATCH = () => {
  const sel = location.pathname.includes('vcc') ? '#cc-main .cm' : '[data-kelisim-banner]';
  const visible = (el) => {
    if (!el) return false;
    if (sel.startsWith('#cc') && !document.documentElement.classList.contains('show--consent')) return false;
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && Number(s.opacity) > 0;
  };
  const tick = () => {
    if (visible(document.querySelector(sel))) window.__benchVisible(performance.now());
    else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
};

async function runOnce(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // A binding, not page.waitForFunction: Playwright's injected helper script would otherwise be
  // evaluated in the page (tens of ms at 4x) right in the window being measured.
  let report;
  const seen = new Promise((r) => { report = r; });
  await context.exposeBinding('__benchVisible', (_src, t) => report(t));
  await context.addInitScript(WATCH);
  const page = await context.newPage();
  page.on('request', (r) => { const u = new URL(r.url()).pathname; if (u.endsWith('.wasm')) wasmSeen.add(u.slice(1)); });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: RATE });
  await page.goto(url, { waitUntil: 'commit' });
  const t = await Promise.race([seen, new Promise((_, rej) => setTimeout(() => rej(new Error('no banner in 20 s: ' + url)), 20000))]);
  await context.close();
  return t;
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { n: s.length, median: +q(0.5).toFixed(1), p90: +q(0.9).toFixed(1), min: +s[0].toFixed(1), max: +s.at(-1).toFixed(1) };
};

const LOAD_BEFORE = loadavg().map((x) => +x.toFixed(2));
const srv = await startServer(REPO, {
  mounts: { '/vcc': VCC },
  routes: { ...pages, '/bench/manifest.json': { body: manifest, type: 'application/json; charset=utf-8' },
    ['/bench/' + textsName]: { body: texts, type: 'application/json; charset=utf-8' } },
});
const browser = await launchBrowser();
const times = { kelisim: [], vcc: [] };
try {
  // One warm-up each (not counted): first browser start-up costs are not the banner's.
  await runOnce(browser, srv.url + '/kelisim.html');
  await runOnce(browser, srv.url + '/vcc.html');
  for (let i = 0; i < RUNS; i++) {
    times.kelisim.push(await runOnce(browser, srv.url + '/kelisim.html'));
    times.vcc.push(await runOnce(browser, srv.url + '/vcc.html'));
  }
} finally {
  await browser.close();
  await srv.close();
}

// Reported, not asserted: the bytes above must be those of the module the page loaded.
const wasmNote = wasmSeen.size === 1 && wasmSeen.has(KELISIM_WASM)
  ? `kelisim's wasm bytes are ${KELISIM_WASM}, the only wasm the page requested`
  : `WARNING: the page requested ${[...wasmSeen].join(', ') || 'no wasm'}, but the wasm bytes counted are ${KELISIM_WASM}`;
if (!wasmNote.startsWith('kelisim')) console.error(wasmNote);
const result = {
  date: new Date().toISOString(),
  browser: 'Debian chromium (headless), playwright-core',
  cpuThrottle: RATE,
  // Other work on the machine skews both contenders; the interleaving keeps the ratio fair-ish.
  machine: { cpus: cpus().length, loadavgBefore: LOAD_BEFORE, loadavgAfter: loadavg().map((x) => +x.toFixed(2)) },
  runs: RUNS,
  manifest: manifestPath.slice(REPO.length + 1),
  bytesGzip: bytes,
  bytesRatio: +(bytes.kelisim.total / bytes.vcc.total).toFixed(3),
  bytesAfterBannerGzip: afterBanner,
  timeToVisibleMs: { kelisim: stats(times.kelisim), vcc: stats(times.vcc) },
  timeRatio: +(stats(times.kelisim).median / stats(times.vcc).median).toFixed(3),
  raw: times,
  notes: [
    `anchor: vanilla-cookieconsent ${vccVersion}, hideFromBots: false, same three categories and Russian texts, bar layout`,
    'kelisim bytes include the consent wasm and the policy manifest; vanilla-cookieconsent bytes include its inline config',
    wasmNote,
    'time = performance.now() at the first animation frame with a visible banner (navigation start = 0)',
  ],
};
const dir = join(REPO, 'bench/results');
mkdirSync(dir, { recursive: true });
const stamp = result.date.replace(/[:.]/g, '-');
writeFileSync(join(dir, `banner-${stamp}.json`), JSON.stringify(result, null, 2) + '\n');
const md = `# Banner path: kelisim vs vanilla-cookieconsent ${vccVersion} (${result.date})

| | kelisim | vanilla-cookieconsent | ratio |
|---|---:|---:|---:|
| bytes, gzip -9 | ${bytes.kelisim.total} (js ${bytes.kelisim.js}, css ${bytes.kelisim.css}, wasm ${bytes.kelisim.wasm}, manifest ${bytes.kelisim.manifest}) | ${bytes.vcc.total} (js ${bytes.vcc.js}, css ${bytes.vcc.css}, config ${bytes.vcc.config}) | ${result.bytesRatio} |
| bytes after the banner is visible (idle), gzip -9 | ${afterBanner.kelisim.more + afterBanner.kelisim.css + afterBanner.kelisim.texts} (kelisim-more.mjs ${afterBanner.kelisim.more}, kelisim-prefs.css ${afterBanner.kelisim.css}: the preferences dialog; ${textsName} ${afterBanner.kelisim.texts}: its category texts) | 0 (in its one file and its config) | |
| visible banner, ${RATE}× CPU, median ms | ${result.timeToVisibleMs.kelisim.median} | ${result.timeToVisibleMs.vcc.median} | ${result.timeRatio} |
| visible banner, ${RATE}× CPU, p90 ms | ${result.timeToVisibleMs.kelisim.p90} | ${result.timeToVisibleMs.vcc.p90} | |

${RUNS} interleaved runs each, fresh context, HTTP cache off, loopback. Manifest: \`${result.manifest}\`${seedManifestGzip ? ` (the built toolpars seed manifest, four categories, would be ${seedManifestGzip} B instead of ${bytes.kelisim.manifest} B)` : ''}.
Machine: ${result.machine.cpus} CPUs, load average ${result.machine.loadavgBefore[0]} before, ${result.machine.loadavgAfter[0]} after.
${result.notes.map((n) => '- ' + n).join('\n')}
`;
writeFileSync(join(dir, `banner-${stamp}.md`), md);
console.log(md);
