#!/usr/bin/env node
// kelisim against the consent banners sites use today (reported, never asserted):
// vanilla-cookieconsent 3.1.0, klaro 0.7.22, tarteaucitron.js 1.34.0, cookieconsent (Osano)
// 3.1.1 — devDependencies, served from node_modules on 127.0.0.1 with equivalent pages
// (bench/pages/<name>/: three categories where the anchor has categories, Russian texts, a
// policy link, two gated scripts) — and the core operations against the JS a site would use
// instead.
//
// Page metrics, one interleaved run per profile (A B C D E A B C D E …), headless Chromium,
// a fresh context per run, HTTP cache off:
//   bytes      gzip -9 of every response the page loads before its banner is visible, except
//              the HTML document (JS, CSS, wasm, manifest, configuration, language files);
//   visible    performance.now() at the first animation frame with a visible banner;
//   stored     click on "accept all" (the click event's timeStamp) → the last write of the
//              consent cookie / localStorage key (setter instrumented before page scripts);
//   ran        click → both gated scripts (analytics, marketing) executed;
//   TBT        sum of (long task − 50 ms) over 'longtask' entries that start before `visible`;
//   CLS        sum of 'layout-shift' values (without recent input) over the whole run;
//   heap       JS heap used after a forced GC, once the gated scripts ran (CDP
//              Runtime.getHeapUsage), and the same on a blank page for reference.
// Profiles: desktop (1280×800), cpu4x (1280×800, CDP Emulation.setCPUThrottlingRate 4),
// phone-slow4g (390×844 @3x, touch, CDP Network.emulateNetworkConditions 150 ms RTT,
// 1.6 Mbit/s down, 750 kbit/s up; CPU not throttled).
// Core operations (Node, same V8): the consent wasm (decide/apply/encode/decode) vs plain JS
// cookie + JSON handling; the policy wasm (render/search/diff) vs marked, a JS substring
// search and jsdiff diffWords.
//
// Usage: node bench/anchors.mjs [--runs 7] [--profiles desktop,cpu4x,phone-slow4g]
//                               [--only kelisim,vcc,...] [--no-core] [--no-pages]
// Writes bench/results/<YYYY-MM-DD>-anchors.json and bench/results/latest.md.
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { launchBrowser, startServer, REPO } from '../tests/browser/helpers.js';

const args = process.argv.slice(2);
const opt = (n, d) => { const i = args.indexOf(n); return i >= 0 ? args[i + 1] : d; };
const has = (n) => args.includes(n);
const RUNS = Number(opt('--runs', 7));
const pkgVersion = (p) => JSON.parse(readFileSync(join(REPO, 'node_modules', p, 'package.json'), 'utf8')).version;
const ownVersion = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version;

// ---- contenders ------------------------------------------------------------------------------
const CONTENDERS = {
  kelisim: {
    label: `kelisim ${ownVersion}`, page: '/bench/pages/kelisim/',
    banner: '[data-kelisim-banner]', accept: '[data-kelisim-banner] [data-kelisim-action="accept-all"]', key: 'kelisim',
    equivalence: 'three categories from the manifest (tests/fixtures/manifests/demo-v1.json), built-in Russian UI strings, bar layout, policy link from the manifest; consent in cookie + localStorage',
  },
  vcc: {
    label: `vanilla-cookieconsent ${pkgVersion('vanilla-cookieconsent')}`, page: '/bench/pages/vcc/',
    banner: '#cc-main .cm', showClass: 'show--consent', accept: '#cc-main .cm [data-role="all"]', key: 'cc_cookie',
    equivalence: 'same three categories and Russian texts (configuration in config.js), bar layout, policy link in the description; scripts gated by data-category',
  },
  klaro: {
    label: `klaro ${pkgVersion('klaro')}`, page: '/bench/pages/klaro/',
    banner: '.klaro .cookie-notice:not(.cookie-notice-hidden)', accept: '.klaro .cookie-notice .cm-btn-success', key: 'klaro',
    equivalence: 'klaro.js (CSS and translations built in), three services = categories (necessary required), its Russian translation plus our category texts; non-modal notice with Accept / Decline / Настроить; scripts gated by data-name',
  },
  tarteaucitron: {
    label: `tarteaucitron.js ${pkgVersion('tarteaucitronjs')}`, page: '/bench/pages/tarteaucitron/',
    banner: '#tarteaucitronAlertBig', accept: '#tarteaucitronPersonalize2', key: 'tarteaucitron',
    equivalence: 'its own Russian language file; analytics and ads services + its built-in mandatory group; bottom bar with accept all / deny all / personalize; it starts on window load and fetches its language file, services file and CSS; gated scripts loaded by service callbacks',
  },
  osano: {
    label: `cookieconsent (Osano) ${pkgVersion('cookieconsent')}`, page: '/bench/pages/osano/',
    banner: '.cc-window', accept: '.cc-window .cc-allow', key: 'cookieconsent_status',
    equivalence: 'NO categories (one opt-in consent for everything: not equivalent on features), Russian texts written in the config (it ships none), Allow / Deny + policy link; the site callback loads both gated scripts',
  },
};
const ONLY = opt('--only', null);
const NAMES = Object.keys(CONTENDERS).filter((n) => !ONLY || ONLY.split(',').includes(n));

const PROFILES = {
  desktop: { label: 'desktop 1280×800', context: { viewport: { width: 1280, height: 800 } }, cpu: 1, net: null },
  cpu4x: { label: '4× CPU throttle, 1280×800', context: { viewport: { width: 1280, height: 800 } }, cpu: 4, net: null },
  'phone-slow4g': {
    label: 'phone 390×844 on slow 4G (150 ms RTT, 1.6 Mbit/s)',
    context: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true },
    cpu: 1, net: { latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 },
  },
};
const PROFILE_NAMES = opt('--profiles', Object.keys(PROFILES).join(',')).split(',');

// ---- in-page instrumentation (installed before any page script) ------------------------------
const WATCH = (cfg) => {
  const b = { visible: null, click: null, stored: [], ran: {}, lt: [], ls: [], loaf: [] };
  window.__bench = b;
  try {
    // Long animation frames name the scripts that ran in them (attribution for long tasks).
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) {
        b.loaf.push([e.startTime, e.duration, e.scripts.map((x) => `${x.invokerType} ${(x.sourceURL || '').split('/').pop() || '(inline)'} ${Math.round(x.duration)}`)]);
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch { /* unsupported */ }
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) b.lt.push([e.startTime, e.duration]); })
      .observe({ type: 'longtask', buffered: true });
  } catch { /* unsupported */ }
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) if (!e.hadRecentInput) b.ls.push([e.startTime, e.value]); })
      .observe({ type: 'layout-shift', buffered: true });
  } catch { /* unsupported */ }
  const cd = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  Object.defineProperty(Document.prototype, 'cookie', {
    configurable: true, enumerable: cd.enumerable,
    get() { return cd.get.call(this); },
    set(v) { cd.set.call(this, v); if (String(v).trimStart().startsWith(cfg.key + '=')) b.stored.push(performance.now()); },
  });
  const setItem = Storage.prototype.setItem;
  Storage.prototype.setItem = function (k, v) { const r = setItem.call(this, k, v); if (k === cfg.key) b.stored.push(performance.now()); return r; };
  window.__ran = (cat) => {
    if (b.ran[cat] == null) b.ran[cat] = performance.now();
    if (b.ran.analytics != null && b.ran.marketing != null) window.__benchDone();
  };
  addEventListener('click', (e) => { if (b.click == null) b.click = e.timeStamp; }, true);
  const visible = (el) => {
    if (!el) return false;
    if (cfg.showClass && !document.documentElement.classList.contains(cfg.showClass)) return false;
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none' && Number(s.opacity) > 0;
  };
  const tick = () => {
    if (visible(document.querySelector(cfg.banner))) { b.visible = performance.now(); window.__benchVisible(b.visible); } else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
};

const CLICK_DELAY = 600;
const within = (p, ms, what) => Promise.race([p, new Promise((_, rej) => setTimeout(() => rej(new Error(`timeout (${ms} ms): ${what}`)), ms))]);

async function setupPage(browser, prof, cfg) {
  const context = await browser.newContext({ ...prof.context, locale: 'ru-RU' });
  let visible;
  let done;
  const seen = new Promise((r) => { visible = r; });
  const ran = new Promise((r) => { done = r; });
  // Bindings, not page.waitForFunction: no injected helper runs in the window being measured.
  await context.exposeBinding('__benchVisible', (_s, t) => visible(t));
  await context.exposeBinding('__benchDone', () => done());
  if (cfg) await context.addInitScript(WATCH, cfg);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  if (prof.cpu > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: prof.cpu });
  if (prof.net) await cdp.send('Network.emulateNetworkConditions', { offline: false, connectionType: 'cellular4g', ...prof.net });
  return { context, page, cdp, seen, ran };
}

async function heapAfterGc(cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  return (await cdp.send('Runtime.getHeapUsage')).usedSize;
}

async function runOnce(browser, srv, name, prof) {
  const c = CONTENDERS[name];
  const { context, page, cdp, seen, ran } = await setupPage(browser, prof, { banner: c.banner, showClass: c.showClass || null, key: c.key });
  try {
    await page.goto(srv.url + c.page, { waitUntil: 'commit' });
    const visible = await within(seen, 30000, `${name}: banner`);
    // A visitor reads first: the click comes CLICK_DELAY ms after the banner is visible, for
    // every contender (tarteaucitron attaches its button handlers 500 ms after showing its bar).
    await page.waitForTimeout(CLICK_DELAY);
    await page.click(c.accept, { timeout: 30000 });
    await within(ran, 30000, `${name}: gated scripts after accept`);
    await page.waitForTimeout(250);   // late layout shifts after the banner closes
    const b = await page.evaluate(() => window.__bench);
    const heap = await heapAfterGc(cdp);
    const res = name === 'kelisim' ? await page.evaluate((v) => performance.getEntriesByType('resource').filter((r) => r.startTime < v)
      .map((r) => [new URL(r.name).pathname.split('/').pop(), +r.responseEnd.toFixed(1)]), visible) : null;
    const after = b.stored.filter((t) => t >= b.click);
    return {
      visible,
      tbt: b.lt.filter(([s]) => s < visible).reduce((a, [, d]) => a + Math.max(0, d - 50), 0),
      longTasks: b.lt.filter(([s]) => s < visible).length,
      longTaskMs: b.lt.filter(([s]) => s < visible).map(([, d]) => Math.round(d)),
      longFrameScripts: b.loaf.filter(([s, d]) => s < visible && d > 50).map(([, , sc]) => sc.join(' + ') || '(no script: parsing, style, layout)'),
      cls: b.ls.reduce((a, [, v]) => a + v, 0),
      clickToStored: after.length ? Math.max(...after) - b.click : null,
      clickToRan: Math.max(b.ran.analytics, b.ran.marketing) - b.click,
      heap,
      resources: res,
    };
  } finally {
    await context.close();
  }
}

async function blankHeap(browser, srv, prof) {
  const { context, page, cdp } = await setupPage(browser, prof, null);
  try {
    await page.goto(srv.url + '/bench/pages/blank/', { waitUntil: 'load' });
    await page.waitForTimeout(250);
    return await heapAfterGc(cdp);
  } finally { await context.close(); }
}

/** gzip -9 bytes of every response before the banner is visible (not the document). */
async function bannerPathBytes(browser, srv, name) {
  const c = CONTENDERS[name];
  const { context, page, seen } = await setupPage(browser, PROFILES.desktop, { banner: c.banner, showClass: c.showClass || null, key: c.key });
  const bodies = [];
  let open = true;
  page.on('response', (r) => {
    if (!open) return;
    const u = new URL(r.url());
    if (u.origin !== srv.url || r.request().resourceType() === 'document' || u.pathname === '/favicon.ico') return;
    bodies.push(r.body().then((body) => ({ path: u.pathname, raw: body.length, gzip: gzipSync(body, { level: 9 }).length })).catch(() => null));
  });
  try {
    await page.goto(srv.url + c.page, { waitUntil: 'commit' });
    await within(seen, 30000, `${name}: banner`);
    open = false;
    const files = (await Promise.all(bodies)).filter(Boolean);
    return { total: files.reduce((a, f) => a + f.gzip, 0), raw: files.reduce((a, f) => a + f.raw, 0), files };
  } finally { await context.close(); }
}

// ---- statistics --------------------------------------------------------------------------------
const stats = (xs) => {
  const s = xs.filter((x) => x != null && Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  const q = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  const r = (x) => +x.toFixed(x < 1 ? 4 : 1);
  return { n: s.length, median: r(q(0.5)), p90: r(q(0.9)), min: r(s[0]), max: r(s.at(-1)) };
};

// ---- core operations ---------------------------------------------------------------------------
async function coreBench() {
  const { loadCore } = await import('../web/src/engine/core.js');
  const { loadPolicyModule } = await import('../web/src/engine/policy.js');
  const { marked } = await import('marked');
  const { diffWords } = await import('diff');
  const core = await loadCore({ consentWasm: readFileSync(join(REPO, 'dist/kelisim-consent.wasm')) });
  const pm = await loadPolicyModule(readFileSync(join(REPO, 'dist/kelisim-policy.wasm')));
  const manifest = JSON.parse(readFileSync(join(REPO, 'tests/fixtures/manifests/demo-v1.json'), 'utf8'));
  const now = Date.parse('2026-11-22T12:00:00Z');
  const signals = { gpc: false };
  const record = core.apply({ manifest, record: '', now: now - 86400000, signals, op: 'accept-all', newId: 'bench0000000', prevHash: '' }).record;
  const decoded = core.decodeRecord(record).record;

  // What a site without kelisim does (js-cookie-style cookie parsing, the record as JSON in
  // the cookie, like vanilla-cookieconsent's cc_cookie): same inputs, plain JS.
  const jsRecord = { id: 'bench0000000', policyId: manifest.id, version: manifest.version, givenAt: now - 86400000, method: 'accept-all', choices: { necessary: true, analytics: true, marketing: true } };
  const cookieHeader = `_ga=GA1.1.123456789.1700000000; theme=dark; cart=%7B%22n%22%3A2%7D; consent=${encodeURIComponent(JSON.stringify(jsRecord))}; _ym_uid=1700000000123456789`;
  const readCookie = (header, name) => {
    for (const part of header.split('; ')) {
      const i = part.indexOf('=');
      if (part.slice(0, i) === name) return decodeURIComponent(part.slice(i + 1));
    }
    return null;
  };
  const jsDecode = (s) => { try { const r = JSON.parse(s); return r && typeof r === 'object' ? r : null; } catch { return null; } };
  const jsDecide = (header) => {
    const r = jsDecode(readCookie(header, 'consent'));
    const valid = r && r.policyId === manifest.id && r.version === manifest.version && now - r.givenAt < manifest.maxAgeDays.accepted * 86400000;
    const effective = {};
    for (const c of manifest.categories) effective[c.id] = c.required ? true : !!(valid && r.choices[c.id] === true);
    return { action: valid ? 'none' : 'banner', effective };
  };
  const jsApply = (header, choices) => {
    const prev = jsDecode(readCookie(header, 'consent'));
    const next = { id: prev ? prev.id : 'new000000000', policyId: manifest.id, version: manifest.version, givenAt: now, method: 'set', choices: {} };
    for (const c of manifest.categories) next.choices[c.id] = c.required ? true : !!choices[c.id];
    return 'consent=' + encodeURIComponent(JSON.stringify(next));
  };

  const md1 = readFileSync(join(REPO, 'policies/smartaqkol/1.md'), 'utf8');
  const md2 = readFileSync(join(REPO, 'policies/smartaqkol/2.md'), 'utf8');
  const body1 = readFileSync(join(REPO, 'policies/smartaqkol/1/body.json'), 'utf8');
  const body2 = readFileSync(join(REPO, 'policies/smartaqkol/2/body.json'), 'utf8');
  // A JS search a site would write: clause texts flattened once, then lower-case substring match.
  const flat = [];
  const inline = (xs) => (xs || []).map((x) => (typeof x === 'string' ? x : inline(x.em || x.strong || x.a || x.c))).join('');
  const stack = [...JSON.parse(body2).children];
  while (stack.length) {
    const n = stack.shift();
    if (!n || n.k !== 'clause') continue;
    let t = inline(n.title);
    for (const ch of n.children || []) {
      if (ch.k === 'p' || ch.k === 'h') t += ' ' + inline(ch.c);
      else if (ch.k === 'ul') t += ' ' + ch.items.map(inline).join(' ');
      else if (ch.k === 'clause') stack.push(ch);
    }
    flat.push({ id: n.id, lower: t.toLowerCase().replace(/ё/g, 'е'), text: t });
  }
  const jsSearch = (q) => {
    const w = q.toLowerCase().replace(/ё/g, 'е');
    const out = [];
    for (const c of flat) {
      const i = c.lower.indexOf(w);
      if (i >= 0) out.push({ id: c.id, snippet: c.text.slice(Math.max(0, i - 40), i + w.length + 40) });
    }
    return out;
  };

  const OPS = [
    ['decide: stored record → what to show', () => core.decide({ manifest, record, now, signals }), () => jsDecide(cookieHeader),
      'kelisim validates the whole manifest and checks the record\'s integrity hash on every call; the JS version trusts the cookie JSON'],
    ['apply: a choice → the new record', () => core.apply({ manifest, record, now, signals, op: 'set', choices: { analytics: true, marketing: false }, newId: 'bench0000001', prevHash: '' }), () => jsApply(cookieHeader, { analytics: true, marketing: false }),
      'kelisim also produces the hash-chained history entry'],
    ['encode a record', () => core.encodeRecord(decoded), () => 'consent=' + encodeURIComponent(JSON.stringify(jsRecord)), 'kelisim: compact format + integrity hash; JS: JSON + encodeURIComponent'],
    ['decode a record', () => core.decodeRecord(record), () => jsDecode(readCookie(cookieHeader, 'consent')), 'kelisim verifies the integrity hash; JS: cookie split + JSON.parse'],
    ['render the policy (SmartAqkol v2)', () => pm.render(body2), () => marked.parse(md2), 'kelisim: escaped, allow-listed HTML with clause anchors and contents; marked: unsanitised HTML (a site would add a sanitiser)'],
    ['search "данных"', () => pm.search(body2, 'данных'), () => jsSearch('данных'), 'kelisim: word forms (ru/kk/en folding), clause hits with marked snippets; JS: lower-case substring over pre-flattened clauses'],
    ['diff v1 → v2', () => pm.diff(body1, body2), () => diffWords(md1, md2), 'kelisim: clause alignment (moved/renumbered) + word diff per clause; jsdiff: diffWords over the whole text'],
  ];
  const timeOp = (fn) => {
    for (let i = 0; i < 20; i++) fn();
    let iters = 1;
    for (;;) {
      const t0 = performance.now();
      for (let i = 0; i < iters; i++) fn();
      if (performance.now() - t0 > 40 || iters > 1e6) break;
      iters *= 2;
    }
    const samples = [];
    for (let s = 0; s < 7; s++) {
      const t0 = performance.now();
      for (let i = 0; i < iters; i++) fn();
      samples.push(((performance.now() - t0) / iters) * 1000);   // µs per op
    }
    return stats(samples);
  };
  const out = [];
  for (const [op, k, js, note] of OPS) {
    const kel = timeOp(k);
    const alt = timeOp(js);
    out.push({ op, kelisimUs: kel, jsUs: alt, ratio: +(kel.median / alt.median).toFixed(2), note });
    process.stderr.write(`core: ${op}: kelisim ${kel.median} µs, JS ${alt.median} µs\n`);
  }
  return {
    ops: out,
    jsAlternatives: { decideApplyEncodeDecode: 'plain JS: js-cookie-style cookie parsing + JSON record', render: `marked ${pkgVersion('marked')}`, search: 'JS lower-case substring search over clause texts', diff: `diff (jsdiff) ${pkgVersion('diff')} diffWords` },
    wasmMemoryBytes: { consent: core.wasm.memoryBytes, policy: pm.wasm.memoryBytes },
  };
}

// ---- main ----------------------------------------------------------------------------------------
const started = new Date();
const load0 = os.loadavg();
const result = {
  date: started.toISOString(),
  conditions: {
    host: `${os.cpus().length} × ${os.cpus()[0] && os.cpus()[0].model}`, node: process.version,
    commit: (() => { try { return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim(); } catch { return null; } })(),
    // Uncommitted changes in what the bench measures (dist/ is built from the working tree).
    uncommitted: (() => { try { return execFileSync('git', ['status', '--short', '--', 'web/src', 'wasm', 'bench/pages'], { cwd: REPO, encoding: 'utf8' }).split('\n').filter(Boolean).map((l) => l.slice(3)); } catch { return []; } })(),
    loadavgAtStart: load0.map((x) => +x.toFixed(2)),
    server: '127.0.0.1 (scripts/serve.mjs, no compression, no-store)', runsPerContenderPerProfile: RUNS,
  },
  contenders: Object.fromEntries(NAMES.map((n) => [n, { label: CONTENDERS[n].label, equivalence: CONTENDERS[n].equivalence }])),
  profiles: {},
  bytes: {},
};

if (!has('--no-pages')) {
  const srv = await startServer(REPO, {
    mounts: {
      '/anchors/vcc': join(REPO, 'node_modules/vanilla-cookieconsent/dist'),
      '/anchors/klaro': join(REPO, 'node_modules/klaro/dist'),
      '/anchors/tarteaucitron': join(REPO, 'node_modules/tarteaucitronjs'),
      '/anchors/osano': join(REPO, 'node_modules/cookieconsent/build'),
    },
    routes: { '/policy.html': '<!doctype html><title>Политика</title><p>Политика конфиденциальности' },
  });
  const browser = await launchBrowser();
  result.conditions.browser = `Debian chromium ${browser.version()} (headless), playwright-core`;
  try {
    for (const n of NAMES) {
      result.bytes[n] = await bannerPathBytes(browser, srv, n);
      process.stderr.write(`bytes: ${n} ${result.bytes[n].total} B gzip (${result.bytes[n].files.map((f) => f.path.split('/').pop()).join(', ')})\n`);
    }
    for (const pn of PROFILE_NAMES) {
      const prof = PROFILES[pn];
      const raw = Object.fromEntries(NAMES.map((n) => [n, []]));
      const errors = [];
      for (const n of NAMES) await runOnce(browser, srv, n, prof).catch((e) => errors.push(`warm-up ${n}: ${e.message}`));   // warm-up, not counted
      const blank = [];
      for (let i = 0; i < RUNS; i++) {
        for (const n of NAMES) {
          try { raw[n].push(await runOnce(browser, srv, n, prof)); } catch (e) { errors.push(`run ${i} ${n}: ${e.message.split('\n')[0]}`); }
        }
        if (i < 3) blank.push(await blankHeap(browser, srv, prof));
        process.stderr.write(`${pn}: round ${i + 1}/${RUNS}\n`);
      }
      const metric = (n, k) => stats(raw[n].map((r) => r[k]));
      const summary = {};
      for (const n of NAMES) {
        summary[n] = {
          visibleMs: metric(n, 'visible'), tbtMs: metric(n, 'tbt'), longTasks: metric(n, 'longTasks'), cls: metric(n, 'cls'),
          clickToStoredMs: metric(n, 'clickToStored'), clickToRanMs: metric(n, 'clickToRan'), heapBytes: metric(n, 'heap'),
        };
      }
      // Where kelisim's time to banner goes: median responseEnd per resource.
      const resEnd = {};
      for (const r of raw.kelisim || []) for (const [f, t] of r.resources || []) (resEnd[f] ||= []).push(t);
      result.profiles[pn] = {
        label: prof.label, summary, blankPageHeapBytes: stats(blank), errors,
        kelisimResponseEndMs: Object.fromEntries(Object.entries(resEnd).map(([f, ts]) => [f, stats(ts).median])),
        raw: Object.fromEntries(Object.entries(raw).map(([n, rs]) => [n, rs.map(({ resources, ...r }) => r)])),
      };
    }
  } finally {
    await browser.close();
    await srv.close();
  }
}
if (!has('--no-core')) result.core = await coreBench();
result.conditions.loadavgAtEnd = os.loadavg().map((x) => +x.toFixed(2));
result.conditions.durationS = Math.round((Date.now() - started) / 1000);

// ---- goals (reported, never asserted) --------------------------------------------------------
const goals = [];
const KB = 1024;
if (result.bytes.kelisim) {
  const b = result.bytes.kelisim;
  const parts = b.files.map((f) => `${f.path.split('/').pop()} ${f.gzip} B`).join(', ');
  goals.push({
    goal: 'banner-path bytes ≤ 16 KB gzip', value: `${(b.total / KB).toFixed(1)} KB`, met: b.total <= 16 * KB,
    note: b.total <= 16 * KB ? parts : `over by ${((b.total - 16 * KB) / KB).toFixed(1)} KB (${Math.round((b.total / (16 * KB) - 1) * 100)} %): ${parts}`,
  });
}
const ratioOf = (pn, k) => {
  const s = result.profiles[pn] && result.profiles[pn].summary;
  if (!s || !s.kelisim || !s.vcc || !s.kelisim[k] || !s.vcc[k]) return null;
  return s.kelisim[k].median / s.vcc[k].median;
};
for (const pn of ['cpu4x', 'phone-slow4g']) {
  const r = ratioOf(pn, 'visibleMs');
  if (r == null) continue;
  const p = result.profiles[pn];
  goals.push({
    goal: `time to visible banner ≤ 0.8× vanilla-cookieconsent (${p.label})`,
    value: `${r.toFixed(2)}× (${p.summary.kelisim.visibleMs.median} vs ${p.summary.vcc.visibleMs.median} ms)`, met: r <= 0.8,
    note: `${r <= 0.8 ? '' : `needs ${(p.summary.kelisim.visibleMs.median - 0.8 * p.summary.vcc.visibleMs.median).toFixed(0)} ms less; `}kelisim median responseEnd: ${Object.entries(p.kelisimResponseEndMs).map(([f, t]) => `${f} ${t} ms`).join(', ')}` +
      (PROFILES[pn].net && result.bytes.kelisim ? `; ${result.bytes.kelisim.total} B take ≈ ${Math.round(result.bytes.kelisim.total * 8 / 1.6e3)} ms at 1.6 Mbit/s (vanilla-cookieconsent ${result.bytes.vcc ? Math.round(result.bytes.vcc.total * 8 / 1.6e3) : '?'} ms), and kelisim-banner.css, the manifest and the wasm are requested only once kelisim.js runs (one more 150 ms round trip than a page that links its CSS)` : ''),
  });
}
if (result.profiles.cpu4x && result.profiles.cpu4x.summary.kelisim) {
  const t = result.profiles.cpu4x.summary.kelisim.tbtMs;
  const runs = result.profiles.cpu4x.raw.kelisim;
  const lts = runs.map((r) => r.longTaskMs.join('+') || '0');
  // Which scripts the long frames before the banner ran, with their median duration.
  const by = {};
  for (const r of runs) for (const f of r.longFrameScripts) for (const x of f.split(' + ')) {
    const m = /^(.*) (\d+)$/.exec(x);
    if (m) (by[m[1]] ||= []).push(Number(m[2]));
  }
  const attrib = Object.entries(by).map(([k, v]) => `${k} ${stats(v).median} ms (${v.length}/${runs.length} runs)`).join('; ');
  goals.push({ goal: 'TBT to banner ≤ 20 ms at 4× CPU', value: `${t.median} ms (p90 ${t.p90})`, met: t.median <= 20,
    note: `long tasks before the banner per run, ms: ${lts.join(', ')}; scripts in long animation frames (median): ${attrib || 'none'}` });
}
for (const pn of Object.keys(result.profiles)) {
  const c = result.profiles[pn].summary.kelisim && result.profiles[pn].summary.kelisim.cls;
  if (c) goals.push({ goal: `CLS 0 (${pn})`, value: `${c.max}`, met: c.max === 0, note: 'max over the runs' });
}
result.goals = goals;

// ---- write ---------------------------------------------------------------------------------------
const dir = join(REPO, 'bench/results');
mkdirSync(dir, { recursive: true });
const day = result.date.slice(0, 10);
writeFileSync(join(dir, `${day}-anchors.json`), JSON.stringify(result, null, 2) + '\n');

const fmt = (s, unit = '') => (s ? `${s.median}${unit} (${s.p90})` : '—');
const rat = (pn, n, k) => {
  const s = result.profiles[pn].summary;
  if (!s[n] || !s.vcc || !s[n][k] || !s.vcc[k] || !s.vcc[k].median) return '';
  return ` ×${(s[n][k].median / s.vcc[k].median).toFixed(2)}`;
};
let md = `# kelisim vs the anchors (${result.date})

Generated by \`npm run bench\` (bench/anchors.mjs). Medians (p90 in brackets) over ${RUNS} interleaved runs per contender and profile; ×N = ratio to vanilla-cookieconsent. Reported, never asserted.
Conditions: commit ${result.conditions.commit}${result.conditions.uncommitted.length ? ` (+ uncommitted changes in ${result.conditions.uncommitted.join(', ')})` : ''}, ${result.conditions.host}, ${result.conditions.browser || ''}, Node ${result.conditions.node}; load average ${result.conditions.loadavgAtStart.join(' / ')} at start, ${result.conditions.loadavgAtEnd.join(' / ')} at the end; ${result.conditions.server}; fresh browser context per run, HTTP cache off; took ${result.conditions.durationS} s.

`;
// The summary the README shows: one line per contender.
const sum = (pn, n, k) => result.profiles[pn] && result.profiles[pn].summary[n] && result.profiles[pn].summary[n][k];
if (Object.keys(result.profiles).length || Object.keys(result.bytes).length) {
  const cell = (pn, n, k) => { const v = sum(pn, n, k); return v ? `${Math.round(v.median)}${rat(pn, n, k)}` : '—'; };
  const clsMax = (n) => { const xs = Object.keys(result.profiles).map((pn) => sum(pn, n, 'cls')).filter(Boolean).map((c) => c.max); return xs.length ? +Math.max(...xs).toFixed(4) : '—'; };
  md += `## Summary

| | banner path, KB gzip | visible banner, ms: desktop | 4× CPU | phone, slow 4G | TBT to banner at 4× CPU, ms | CLS (max) | click → gated scripts ran, ms (desktop) |
|---|---:|---:|---:|---:|---:|---:|---:|
${NAMES.map((n) => `| ${CONTENDERS[n].label} | ${result.bytes[n] ? (result.bytes[n].total / 1024).toFixed(1) : '—'} | ${cell('desktop', n, 'visibleMs')} | ${cell('cpu4x', n, 'visibleMs')} | ${cell('phone-slow4g', n, 'visibleMs')} | ${sum('cpu4x', n, 'tbtMs') ? Math.round(sum('cpu4x', n, 'tbtMs').median) : '—'} | ${clsMax(n)} | ${sum('desktop', n, 'clickToRanMs') ? Math.round(sum('desktop', n, 'clickToRanMs').median) : '—'} |`).join('\n')}

`;
}
if (Object.keys(result.bytes).length) {
  md += `## Banner path, gzip -9 (everything loaded before the banner is visible, except the HTML page)

| | bytes gzip | files |
|---|---:|---|
${NAMES.map((n) => `| ${CONTENDERS[n].label} | ${result.bytes[n].total}${n !== 'vcc' && result.bytes.vcc ? ` ×${(result.bytes[n].total / result.bytes.vcc.total).toFixed(2)}` : ''} | ${result.bytes[n].files.map((f) => `${f.path.split('/').pop()} ${f.gzip}`).join(', ')} |`).join('\n')}

`;
}
for (const [pn, p] of Object.entries(result.profiles)) {
  md += `## ${p.label}

| | visible banner, ms | TBT to banner, ms | CLS | click → stored, ms | click → gated scripts ran, ms | JS heap, MB |
|---|---:|---:|---:|---:|---:|---:|
${NAMES.map((n) => {
    const s = p.summary[n];
    const heap = s.heapBytes ? `${(s.heapBytes.median / 1048576).toFixed(2)}` : '—';
    return `| ${CONTENDERS[n].label} | ${fmt(s.visibleMs)}${rat(pn, n, 'visibleMs')} | ${fmt(s.tbtMs)} | ${s.cls ? s.cls.max : '—'} | ${fmt(s.clickToStoredMs)} | ${fmt(s.clickToRanMs)} | ${heap}${rat(pn, n, 'heapBytes')} |`;
  }).join('\n')}

Blank page heap: ${p.blankPageHeapBytes ? (p.blankPageHeapBytes.median / 1048576).toFixed(2) : '—'} MB. CLS column: the largest over the runs.${p.errors.length ? ` Failed runs: ${p.errors.join('; ')}.` : ''}

`;
}
if (result.core) {
  md += `## Core operations (Node ${process.version}, µs per operation, median (p90); ratio = kelisim / JS)

| operation | kelisim (wasm) | JS alternative | ratio | what differs |
|---|---:|---:|---:|---|
${result.core.ops.map((o) => `| ${o.op} | ${fmt(o.kelisimUs)} | ${fmt(o.jsUs)} | ${o.ratio} | ${o.note} |`).join('\n')}

JS alternatives: ${Object.entries(result.core.jsAlternatives).map(([k, v]) => `${k}: ${v}`).join('; ')}.

`;
}
if (goals.length) {
  md += `## Goals (issue 6)

| goal | kelisim | met | notes |
|---|---|---|---|
${goals.map((g) => `| ${g.goal} | ${g.value} | ${g.met ? 'yes' : '**no**'} | ${g.note} |`).join('\n')}

`;
}
md += `## What the pages are
${NAMES.map((n) => `- **${CONTENDERS[n].label}** — ${CONTENDERS[n].equivalence}.`).join('\n')}
- Pages: \`bench/pages/<name>/\`; the two gated scripts (\`bench/pages/g/\`) call a probe; "stored" is the last write of the consent cookie / localStorage key after the click (kelisim writes both).
- The "accept all" click comes ${CLICK_DELAY} ms after the banner is visible, for every contender (tarteaucitron attaches its button handlers 500 ms after it shows its bar; a click before that is lost).
- Time to banner counts from navigation start; it includes fetching and compiling everything on the banner path. TBT counts long tasks that start before the banner is visible.
`;
writeFileSync(join(dir, 'latest.md'), md);
console.log(md);
