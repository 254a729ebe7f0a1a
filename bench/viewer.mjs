#!/usr/bin/env node
// Viewer benchmarks (reported, never asserted), headless Chromium from loopback:
//  1. click on the policy link → viewer rendered (first clause in the dialog, after the next
//     frame), on a COLD cache: fresh context per run, HTTP cache disabled, so the viewer
//     module, its CSS, kelisim-policy.wasm, index.json and body.json are all fetched. Goal ≤ 150 ms.
//  2. one search keystroke → results shown (input handler + the next frame), warm. Goal ≤ 16 ms.
//  Also: the lazy path's bytes (gzip) — what opening the viewer costs over the banner path.
// Usage: node bench/viewer.mjs [--runs 15] [--policy smartaqkol|toolpars|neupusti|…]
// Writes bench/results/viewer-<policy>.json. Absolute times drift between runs: compare within one run.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { loadavg, cpus } from 'node:os';
import { launchBrowser, startServer, REPO } from '../tests/browser/helpers.js';

const args = process.argv.slice(2);
const opt = (n, d) => { const i = args.indexOf(n); return i >= 0 ? args[i + 1] : d; };
const RUNS = Number(opt('--runs', 15));
const POLICY = opt('--policy', 'smartaqkol');

const page = (manifest) => `<!doctype html><html lang="ru"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>viewer bench</title>
<script src="/dist/kelisim.js" data-policy="${manifest}" data-auto-show="false" defer></script></head>
<body><main><h1>bench</h1><p><a id="open" href="/policy" data-kelisim-open="policy">Политика</a></p></main></body></html>`;

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };
const p90 = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.ceil(s.length * 0.9) - 1)] : NaN; };
const r1 = (x) => Math.round(x * 10) / 10;

const manifestPath = `/policies/${POLICY}/manifest.json`;
const manifest = JSON.parse(readFileSync(join(REPO, 'policies', POLICY, 'manifest.json'), 'utf8'));
const bodyFile = join(REPO, 'policies', POLICY, manifest.body);
const gz = (f) => (existsSync(f) ? gzipSync(readFileSync(f), { level: 9 }).length : 0);
const bytes = {
  'kelisim-viewer.mjs': gz(join(REPO, 'dist/kelisim-viewer.mjs')),
  'kelisim-viewer.css': gz(join(REPO, 'dist/kelisim-viewer.css')),
  'kelisim-policy.wasm': gz(join(REPO, 'dist/kelisim-policy.wasm')),
  'index.json': gz(join(REPO, 'policies', POLICY, 'index.json')),
  'body.json': gz(bodyFile),
};
bytes.total = Object.values(bytes).reduce((a, b) => a + b, 0);

const browser = await launchBrowser();
const srv = await startServer(REPO);
srv.route('/bench.html', page(manifestPath));
srv.route('/policy', 'policy page');

const open = [];
const openParts = [];
const keys = [];
const keysFrame = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const p = await context.newPage();
    const cdp = await context.newCDPSession(p);
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await p.goto(`${srv.url}/bench.html`);
    await p.waitForFunction(() => window.kelisim && window.kelisim.state().status === 'ready');
    const t = await p.evaluate(() => new Promise((resolve) => {
      const t0 = performance.now();
      document.getElementById('open').click();
      const poll = () => {
        if (document.querySelector('[data-kelisim-viewer-dialog] [data-kelisim-text] .kelisim-clause')) {
          const t1 = performance.now();
          requestAnimationFrame(() => setTimeout(() => {
            const res = performance.getEntriesByType('resource').filter((r) => r.startTime >= t0 - 1)
              .map((r) => ({ name: r.name.split('/').pop(), ms: r.responseEnd - r.startTime }));
            resolve({ dom: t1 - t0, frame: performance.now() - t0, res });
          }, 0));
        } else requestAnimationFrame(poll);
      };
      poll();
    }));
    open.push(t.frame);
    openParts.push(t.res);

    // Search keystrokes, warm (the module and body are loaded now).
    const words = ['д', 'да', 'дан', 'данн', 'данны', 'данных', 'Пользовател', 'согласие', 'HTTPS', 'сроки'];
    const k = await p.evaluate((qs) => Promise.all([]).then(async () => {
      const box = document.querySelector('[data-kelisim-viewer-dialog] [data-kelisim-search]');
      const out = [];
      for (const q of qs) {
        const t0 = performance.now();
        box.value = q;
        box.dispatchEvent(new Event('input', { bubbles: true }));
        void box.closest('[data-kelisim-viewer]').offsetHeight;   // results laid out, not just in the DOM
        const t1 = performance.now();
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        out.push({ q, sync: t1 - t0, frame: performance.now() - t0, hits: document.querySelectorAll('[data-kelisim-hit]').length });
      }
      return out;
    }), words);
    keys.push(...k.map((x) => x.sync));
    keysFrame.push(...k.map((x) => x.frame));
    await context.close();
  }
} finally {
  await browser.close();
  await srv.close();
}

const result = {
  date: new Date().toISOString(),
  chromium: 'Debian /usr/bin/chromium, headless, 1× CPU, loopback',
  // Other work on the machine skews absolute times: the 1-minute load average at the end.
  machine: { cpus: cpus().length, loadAverage1m: Math.round(loadavg()[0] * 100) / 100 },
  policy: POLICY,
  runs: RUNS,
  clickToViewerMs: { median: r1(median(open)), p90: r1(p90(open)), goal: 150 },
  searchKeystrokeMs: { // handler = input event → results in the DOM and laid out; toNextFrame includes the wait for vsync
    handlerMedian: r1(median(keys)), handlerP90: r1(p90(keys)), toNextFrameMedian: r1(median(keysFrame)), goal: 16 },
  lazyPathGzipBytes: bytes,
  sampleResources: openParts[openParts.length - 1],
};
mkdirSync(join(REPO, 'bench/results'), { recursive: true });
writeFileSync(join(REPO, `bench/results/viewer-${POLICY}.json`), JSON.stringify(result, null, 2) + '\n');
console.log(`viewer bench (${POLICY}, ${RUNS} cold runs, load average ${result.machine.loadAverage1m} on ${result.machine.cpus} CPUs):`);
console.log(`  click → viewer rendered: median ${result.clickToViewerMs.median} ms, p90 ${result.clickToViewerMs.p90} ms (goal ≤ 150 ms)`);
console.log(`  search keystroke: handler median ${result.searchKeystrokeMs.handlerMedian} ms, p90 ${result.searchKeystrokeMs.handlerP90} ms; to next frame ${result.searchKeystrokeMs.toNextFrameMedian} ms (goal ≤ 16 ms)`);
console.log(`  lazy path gzip: ${Object.entries(bytes).map(([k, v]) => `${k} ${v} B`).join(', ')}`);
