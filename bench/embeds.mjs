#!/usr/bin/env node
// Embed placeholders benchmark (issue 12; reported, never asserted):
//  1. bytes, gzip -9: the embed part (dist/kelisim-embeds.mjs + kelisim-embeds.css), and what a
//     page WITHOUT embeds requests (it must not request the part), all of it and what had
//     arrived when its banner was visible (its banner path: kelisim.js + kelisim-banner.css +
//     the manifest since issue 14; the consent module follows the banner on a first visit),
//     beside that path before issue 12 (bench/results/size-2026-11-23.json + the manifest);
//  2. time from navigation start to the placeholders of a page with three embeds (YouTube,
//     Yandex map, 2GIS) being drawn and styled, at 4× CPU throttle, HTTP cache off, fresh
//     context per run; the visible banner on the same page beside it. Third-party hosts are
//     answered locally (none is requested before consent anyway).
//  3. with --against <dist-dir> (another build of dist/, say the last commit's): the same embeds
//     page with that build's kelisim.js, interleaved in the same run, as an A/B of a change.
// --net slow4g adds the anchors' phone network (150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up;
// bench/anchors.mjs) to the CPU throttle.
// Usage: node bench/embeds.mjs [--runs 10] [--rate 4] [--net slow4g] [--against <dist-dir>]
// Results: bench/results/embeds-<timestamp>.json and .md (and the table on stdout).
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { loadavg, cpus } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, startServer } from '../tests/browser/helpers.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (n, d) => { const i = args.indexOf(n); return i >= 0 ? args[i + 1] : d; };
const RUNS = Number(opt('--runs', 10));
const RATE = Number(opt('--rate', 4));
const AGAINST = opt('--against', null);
const NET = opt('--net', null) === 'slow4g' ? { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 } : null;

const gzipCli = spawnSync('gzip', ['--version']).status === 0;
const gz = (buf) => {
  if (gzipCli) {
    const r = spawnSync('gzip', ['-9', '-n', '-c'], { input: buf, maxBuffer: 1 << 26 });
    if (r.status === 0) return r.stdout.length;
  }
  return gzipSync(buf, { level: 9 }).length;
};
const file = (p) => readFileSync(join(REPO, p));

// The embeds page's policy declares its services (tests/fixtures/manifests/embeds-v1.json); the
// page without embeds uses bench/banner.mjs's demo manifest (no services), so that its bytes are
// the banner path every kelisim page pays.
const head = (m, dist = '/dist') => `<meta charset="utf-8"><script src="${dist}/kelisim.js" data-policy="/tests/fixtures/manifests/${m}.json" defer></script>`;
const embedsPage = (dist) => `<!doctype html><html lang="ru"><head>${head('embeds-v1', dist)}<title>embeds</title></head><body><main><h1>Встроенные материалы</h1>
<iframe data-kelisim-service="youtube" data-kelisim-src="https://www.youtube.com/embed/M7lc1UVf-VE" width="560" height="315" title="Видео"></iframe>
<iframe data-kelisim-service="yandex-maps" data-kelisim-src="https://yandex.ru/map-widget/v1/?ll=76.945%2C43.238&amp;z=12" width="560" height="400" title="Карта"></iframe>
<iframe data-kelisim-service="twogis" data-kelisim-src="https://widgets.2gis.com/widget?type=firmsonmap" width="560" height="400" title="2ГИС"></iframe>
</main></body></html>`;
const pages = {
  '/embeds.html': embedsPage('/dist'),
  ...(AGAINST ? { '/embeds-against.html': embedsPage('/against') } : {}),
  '/none.html': `<!doctype html><html lang="ru"><head>${head('demo-v1')}<title>no embeds</title></head><body><main><h1>Без встроенных</h1><p>Текст.</p></main></body></html>`,
};

// In the page (top frame only) from the start: performance.now() at the first animation frame
// in which every placeholder is drawn and styled (its frame's body is no longer hidden), and
// the first in which the banner is visible.
const WATCH = () => {
  if (window.top !== window) return;
  let placeholders = false;
  let banner = false;
  const drawn = () => {
    const fs = [...document.querySelectorAll('iframe[data-kelisim-src]')];
    return fs.length > 0 && fs.every((f) => {
      const d = f.contentDocument;
      return d && d.body && !d.body.hidden && d.querySelector('[data-kelisim-embed]') && getComputedStyle(d.body).backgroundColor !== 'rgba(0, 0, 0, 0)';
    });
  };
  const tick = () => {
    const now = performance.now();
    if (!placeholders && location.pathname.includes('embeds') && drawn()) { placeholders = true; window.__benchMark('placeholders', now); }
    const b = document.querySelector('[data-kelisim-banner]');
    if (!banner && b && b.getBoundingClientRect().height > 0) {
      banner = true;
      // and what had arrived by then: the banner path
      window.__benchMark('banner', now, performance.getEntriesByType('resource').filter((e) => e.responseEnd <= now).map((e) => new URL(e.name).pathname));
    }
    if (!(banner && (placeholders || !location.pathname.includes('embeds')))) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
};

async function runOnce(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1400 } });
  const marks = {};
  let before = [];
  let done;
  const finished = new Promise((r) => { done = r; });
  const want = url.includes('embeds') ? 2 : 1;
  await context.exposeBinding('__benchMark', (_src, name, t, arrived) => { marks[name] = t; if (arrived) before = arrived; if (Object.keys(marks).length === want) done(); });
  await context.addInitScript(WATCH);
  const requested = [];
  const third = [];
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.hostname === '127.0.0.1') { requested.push(u.pathname); return route.continue(); }
    third.push(u.href);
    return route.fulfill({ status: 200, contentType: 'text/html', body: 'stub' });
  });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: RATE });
  if (NET) await cdp.send('Network.emulateNetworkConditions', NET);
  await page.goto(url, { waitUntil: 'commit' });
  await Promise.race([finished, new Promise((_, rej) => setTimeout(() => rej(new Error('timed out: ' + url)), 20000))]);
  // Settle, so that "everything requested" includes what follows the banner (the consent module).
  await page.waitForTimeout(1000);
  await context.close();
  return { marks, requested, third, before };
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { n: s.length, median: +q(0.5).toFixed(1), p90: +q(0.9).toFixed(1), min: +s[0].toFixed(1), max: +s.at(-1).toFixed(1) };
};

const LOAD_BEFORE = loadavg().map((x) => +x.toFixed(2));
const srv = await startServer(REPO, { routes: pages, mounts: AGAINST ? { '/against': AGAINST } : {} });
const browser = await launchBrowser();
const t = { placeholders: [], bannerWithEmbeds: [], bannerWithout: [], ...(AGAINST ? { placeholdersAgainst: [], bannerAgainst: [] } : {}) };
let withoutRequests = [];
let withoutBefore = [];
let withRequests = [];
const thirdParty = new Set();
try {
  await runOnce(browser, srv.url + '/embeds.html');   // warm-up, not counted
  for (let i = 0; i < RUNS; i++) {
    const a = await runOnce(browser, srv.url + '/embeds.html');
    t.placeholders.push(a.marks.placeholders);
    t.bannerWithEmbeds.push(a.marks.banner);
    withRequests = a.requested;
    a.third.forEach((u) => thirdParty.add(u));
    const b = await runOnce(browser, srv.url + '/none.html');
    t.bannerWithout.push(b.marks.banner);
    withoutRequests = b.requested;
    withoutBefore = b.before;
    b.third.forEach((u) => thirdParty.add(u));
    if (AGAINST) {
      const c = await runOnce(browser, srv.url + '/embeds-against.html');
      t.placeholdersAgainst.push(c.marks.placeholders);
      t.bannerAgainst.push(c.marks.banner);
      c.third.forEach((u) => thirdParty.add(u));
    }
  }
} finally {
  await browser.close();
  await srv.close();
}

const sized = (paths) => paths.filter((p) => !p.endsWith('.html')).map((p) => ({ path: p, gzip: gz(file(p.slice(1))) }));
const sum = (xs) => xs.reduce((a, x) => a + x.gzip, 0);
const noEmbeds = sized([...new Set(withoutRequests)]);
const noEmbedsBefore = sized([...new Set(withoutBefore)]);
// Before issue 12: bench/size.mjs's banner path of 2026-11-23 (banner wasm + kelisim.js +
// kelisim-banner.css, all needed before the banner then) plus the same manifest.
const baseline = (() => {
  try {
    const r = JSON.parse(readFileSync(join(REPO, 'bench/results/size-2026-11-23.json'), 'utf8')).rows.find((x) => x.name === 'banner path total');
    const m = noEmbedsBefore.find((x) => x.path.endsWith('.json'));
    return r && { gzip: r.gzip + (m ? m.gzip : 0), what: `${r.what} (${r.gzip}) + the manifest` };
  } catch { return null; }
})();
const withEmbeds = sized([...new Set(withRequests)]);
const part = { js: gz(file('dist/kelisim-embeds.mjs')), css: gz(file('dist/kelisim-embeds.css')) };
const result = {
  date: new Date().toISOString(),
  browser: 'Debian chromium (headless), playwright-core',
  gzip: gzipCli ? 'gzip -9 -n' : 'node zlib level 9',
  cpuThrottle: RATE,
  network: NET,
  against: AGAINST,
  machine: { cpus: cpus().length, loadavgBefore: LOAD_BEFORE, loadavgAfter: loadavg().map((x) => +x.toFixed(2)) },
  runs: RUNS,
  embedPartGzip: { ...part, total: part.js + part.css },
  pageWithoutEmbeds: { requests: noEmbeds, totalGzip: sum(noEmbeds), loadsEmbedPart: noEmbeds.some((r) => r.path.includes('kelisim-embeds')),
    beforeBanner: { requests: noEmbedsBefore, totalGzip: sum(noEmbedsBefore) }, beforeIssue12: baseline },
  pageWithThreeEmbeds: { requests: withEmbeds, totalGzip: sum(withEmbeds) },
  thirdPartyRequests: [...thirdParty],
  timeMs: {
    placeholders: stats(t.placeholders), bannerWithEmbeds: stats(t.bannerWithEmbeds), bannerWithoutEmbeds: stats(t.bannerWithout),
    ...(AGAINST ? { placeholdersAgainst: stats(t.placeholdersAgainst), bannerAgainst: stats(t.bannerAgainst) } : {}),
  },
  raw: t,
  notes: [
    'time = performance.now() at the first animation frame in which the condition holds (navigation start = 0)',
    'placeholders = all three frames show the styled placeholder; on a first visit the part loads with the early banner, before the consent module (issue 14); on a return visit after the controller is ready',
    'bytes are the files the pages requested from the server, each gzip -9 (the manifest and texts files included)',
  ],
};
const dir = join(REPO, 'bench/results');
mkdirSync(dir, { recursive: true });
const stamp = result.date.replace(/[:.]/g, '-');
writeFileSync(join(dir, `embeds-${stamp}.json`), JSON.stringify(result, null, 2) + '\n');
const list = (rs) => rs.map((r) => `${r.path.replace(/^.*\//, '')} ${r.gzip}`).join(', ');
const md = `# Embed placeholders (${result.date})

| | gzip -9 bytes / ms |
|---|---:|
| embed part: kelisim-embeds.mjs + kelisim-embeds.css | ${result.embedPartGzip.total} (${part.js} + ${part.css}) |
| page without embeds, before its banner is visible (its banner path) | ${result.pageWithoutEmbeds.beforeBanner.totalGzip} (${list(noEmbedsBefore)}) |
| the same before issue 12 | ${baseline ? `${baseline.gzip} (${baseline.what}); now ${result.pageWithoutEmbeds.beforeBanner.totalGzip - baseline.gzip >= 0 ? '+' : ''}${result.pageWithoutEmbeds.beforeBanner.totalGzip - baseline.gzip} B` : '–'} |
| page without embeds, everything requested | ${result.pageWithoutEmbeds.totalGzip} (${list(noEmbeds)}); embed part requested: ${result.pageWithoutEmbeds.loadsEmbedPart ? 'YES' : 'no'} |
| page with three embeds, everything requested | ${result.pageWithThreeEmbeds.totalGzip} (${list(withEmbeds)}) |
| placeholders drawn, ${RATE}× CPU${NET ? ', slow 4G' : ''}, median / p90 ms | ${result.timeMs.placeholders.median} / ${result.timeMs.placeholders.p90} |
| banner visible on that page, median / p90 ms | ${result.timeMs.bannerWithEmbeds.median} / ${result.timeMs.bannerWithEmbeds.p90} |${AGAINST ? `
| the same page with ${AGAINST}'s kelisim.js: placeholders drawn, median / p90 ms | ${result.timeMs.placeholdersAgainst.median} / ${result.timeMs.placeholdersAgainst.p90} |
| ... and its banner visible, median / p90 ms | ${result.timeMs.bannerAgainst.median} / ${result.timeMs.bannerAgainst.p90} |` : ''}
| banner visible without embeds, median / p90 ms | ${result.timeMs.bannerWithoutEmbeds.median} / ${result.timeMs.bannerWithoutEmbeds.p90} |

${RUNS} runs each (interleaved), fresh context, HTTP cache off, loopback${NET ? ' throttled to slow 4G (150 ms RTT, 1.6 Mbit/s)' : ''}; third-party requests seen: ${result.thirdPartyRequests.length}.
Machine: ${result.machine.cpus} CPUs, load average ${result.machine.loadavgBefore[0]} before, ${result.machine.loadavgAfter[0]} after.
${result.notes.map((n) => '- ' + n).join('\n')}
`;
writeFileSync(join(dir, `embeds-${stamp}.md`), md);
console.log(md);
