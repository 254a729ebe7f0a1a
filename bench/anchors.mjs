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
//   bytes      gzip -9 of every response the page loads before its banner is visible (its
//              resource-timing responseEnd; one visit on the phone/slow-4G profile, where the
//              banner's critical path shows), except the HTML document (JS, CSS, wasm, manifest,
//              configuration, language files), and of every response of a first visit that
//              opens the second layer (preferences) once; the bench server does not compress,
//              so the bench gzips each body itself, as bench/size.mjs does with the files;
//   LCP        the last 'largest-contentful-paint' entry before the click, its element and
//              whether that is inside the banner; beside it the LCP of the same page without
//              a banner script (bench/pages/blank/, "page alone"), run in the same interleave;
//   visible    performance.now() at the first animation frame with a visible banner;
//   stored     click on "accept all" (the click event's timeStamp) → the last write of the
//              consent cookie / localStorage key (setter instrumented before page scripts);
//   ran        click → both gated scripts (analytics, marketing) executed;
//   TBT        sum of (long task − 50 ms) over 'longtask' entries that start before `visible`;
//              for the page alone, over those that start before its load event ends;
//   CLS        sum of 'layout-shift' values (without recent input) over the whole run;
//   heap       JS heap used after a forced GC, once the gated scripts ran (CDP
//              Runtime.getHeapUsage), and the same on a blank page for reference;
//   return     a return visit: after that, the same page again in the same context (the
//              choice stored, HTTP cache still off, so every file is fetched again): time from
//              navigation start to both gated scripts executed (the consented page's scripts
//              start), and whether a banner showed (it must not).
// Profiles: desktop (1280×800), cpu4x (1280×800, CDP Emulation.setCPUThrottlingRate 4),
// phone-slow4g (390×844 @3x, touch, CDP Network.emulateNetworkConditions 150 ms RTT,
// 1.6 Mbit/s down, 750 kbit/s up; CPU not throttled).
// Core operations (Node, same V8): the consent wasm (decide/apply/encode/decode) vs plain JS
// cookie + JSON handling; the policy wasm (render/search/diff) vs marked, a JS substring
// search and jsdiff diffWords.
//
// Usage: node bench/anchors.mjs [--runs 7] [--profiles desktop,cpu4x,phone-slow4g]
//                               [--only kelisim,vcc,...] [--no-page-alone] [--no-core] [--no-pages]
//                               [--against <dist-dir>]
// --against <dist-dir>: another build of kelisim's files (say, the last commit's, built in a
// git worktree) as four more contenders in the same interleaved run, "kelisim@against",
// "kelisim-preload@against", "kelisim-inline@against" and "kelisim-prerender@against", and
// "kelisim-bundle@against" when <dist-dir> has kelisim-bundled.js (with --only, name them there): the same
// pages, with /dist/ served from <dist-dir>. At 4× CPU this
// machine's run-to-run noise (±15–25 %, session 7) hides most changes; an A/B inside one run
// does not.
//                               [--tag loaded] [--page-image]
// --page-image: every page with an image at the top of its <main> (a probe; see withImage()).
// Writes bench/results/<YYYY-MM-DD>-anchors.json and bench/results/latest.md (with --tag T:
// <YYYY-MM-DD>-anchors-T.json and anchors-T.md, for runs that are not the results).
import { existsSync, readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { launchBrowser, startServer, REPO } from '../tests/browser/helpers.js';
import { prerenderBanner } from '../web/src/prerender.js';
import { bundleScript } from '../web/src/cli/head-tags.js';

const args = process.argv.slice(2);
const opt = (n, d) => { const i = args.indexOf(n); return i >= 0 ? args[i + 1] : d; };
const has = (n) => args.includes(n);
const RUNS = Number(opt('--runs', 7));
// --tag loaded: a run whose numbers are not "the" results (a loaded machine, a subset): written
// to <date>-anchors-<tag>.json and anchors-<tag>.md, latest.md left alone.
const TAG = opt('--tag', null);
const pkgVersion = (p) => JSON.parse(readFileSync(join(REPO, 'node_modules', p, 'package.json'), 'utf8')).version;
const ownVersion = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version;

// ---- contenders ------------------------------------------------------------------------------
const CONTENDERS = {
  kelisim: {
    label: `kelisim ${ownVersion}`, page: '/bench/pages/kelisim/',
    banner: '[data-kelisim-banner]', accept: '[data-kelisim-banner] [data-kelisim-action="accept-all"]', key: 'kelisim',
    settings: '[data-kelisim-banner] [data-kelisim-action="settings"]', prefs: '[data-kelisim-preferences]',
    equivalence: 'three categories from the manifest (tests/fixtures/manifests/demo-v1.json), built-in Russian UI strings, bar layout, policy link from the manifest; consent in cookie + localStorage',
  },
  // The same page with the <head> tags `kelisim build --kelisim-url … --policies-url …` writes
  // (preload.html): manifest and stylesheet requested with the page.
  'kelisim-preload': {
    label: `kelisim ${ownVersion} + preload tags`, page: '/bench/pages/kelisim-preload/',
    banner: '[data-kelisim-banner]', accept: '[data-kelisim-banner] [data-kelisim-action="accept-all"]', key: 'kelisim',
    settings: '[data-kelisim-banner] [data-kelisim-action="settings"]', prefs: '[data-kelisim-preferences]',
    equivalence: 'the kelisim page plus the preload tags of `kelisim build --kelisim-url --policies-url` (manifest as="fetch" crossorigin, kelisim-banner.css as="style") in <head>',
  },
  // The manifest in the page (a JSON data block, data-policy="#kelisim-policy"), the
  // stylesheet preloaded: the banner waits for no request but the stylesheet's. Its page is
  // made from the preload page and the manifest file (inlinePage()), not kept as a copy.
  'kelisim-inline': {
    label: `kelisim ${ownVersion} + manifest in the page`, page: '/bench/pages/kelisim-inline/',
    banner: '[data-kelisim-banner]', accept: '[data-kelisim-banner] [data-kelisim-action="accept-all"]', key: 'kelisim',
    settings: '[data-kelisim-banner] [data-kelisim-action="settings"]', prefs: '[data-kelisim-preferences]',
    equivalence: 'the kelisim page with the manifest in a <script type="application/json" id="kelisim-policy" data-url="…"> in <head> (data-policy="#kelisim-policy", 580 B more HTML, not counted in the bytes columns, which leave out the HTML page) and kelisim-banner.css preloaded',
  },
  // The banner in the page (issue 14, web/src/prerender.js): the kelisim-inline page plus what
  // prerenderBanner() writes: the banner's stylesheet and the inline check in <head>, the banner
  // itself right after <body> (prerenderPage()). Painted by the page's first paint on a first visit.
  'kelisim-prerender': {
    label: `kelisim ${ownVersion} + banner in the page`, page: '/bench/pages/kelisim-prerender/',
    banner: '[data-kelisim-banner]', accept: '[data-kelisim-banner] [data-kelisim-action="accept-all"]', key: 'kelisim',
    settings: '[data-kelisim-banner] [data-kelisim-action="settings"]', prefs: '[data-kelisim-preferences]',
    equivalence: 'the kelisim-inline page plus prerenderBanner()\'s <head> part (kelisim-banner.css inline in a <style>, the inline check) and the banner\'s HTML after <body> (PRERENDER_BYTES B gzip more HTML than the kelisim-inline page, not counted in the bytes columns); the banner\'s clicks before kelisim.js has run are carried out by it',
  },
  // One file per site (issue 14, `kelisim build --bundle`, web/src/cli/head-tags.js): the
  // kelisim page with its script tag naming kelisim-bundle.js, which carries the manifest and
  // the banner's stylesheet (bundlePage(), bundleJs()).
  'kelisim-bundle': {
    label: `kelisim ${ownVersion} one-file bundle`, page: '/bench/pages/kelisim-bundle/',
    banner: '[data-kelisim-banner]', accept: '[data-kelisim-banner] [data-kelisim-action="accept-all"]', key: 'kelisim',
    settings: '[data-kelisim-banner] [data-kelisim-action="settings"]', prefs: '[data-kelisim-preferences]',
    equivalence: 'the kelisim page with one script tag, <script src=".../kelisim-bundle.js" defer>: the file `kelisim build --bundle` writes (dist/kelisim-bundled.js with the manifest and kelisim-banner.css in front), the other parts from /dist/',
  },
  vcc: {
    label: `vanilla-cookieconsent ${pkgVersion('vanilla-cookieconsent')}`, page: '/bench/pages/vcc/',
    banner: '#cc-main .cm', showClass: 'show--consent', accept: '#cc-main .cm [data-role="all"]', key: 'cc_cookie',
    settings: '#cc-main .cm [data-role="show"]', prefs: '#cc-main .pm',
    equivalence: 'same three categories and Russian texts (configuration in config.js), bar layout, policy link in the description; scripts gated by data-category',
  },
  klaro: {
    label: `klaro ${pkgVersion('klaro')}`, page: '/bench/pages/klaro/',
    banner: '.klaro .cookie-notice:not(.cookie-notice-hidden)', accept: '.klaro .cookie-notice .cm-btn-success', key: 'klaro',
    settings: '.klaro .cookie-notice .cn-learn-more', prefs: '.klaro .cookie-modal',
    equivalence: 'klaro.js (CSS and translations built in), three services = categories (necessary required), its Russian translation plus our category texts; non-modal notice with Accept / Decline / Настроить; scripts gated by data-name',
  },
  tarteaucitron: {
    label: `tarteaucitron.js ${pkgVersion('tarteaucitronjs')}`, page: '/bench/pages/tarteaucitron/',
    banner: '#tarteaucitronAlertBig', accept: '#tarteaucitronPersonalize2', key: 'tarteaucitron',
    settings: '#tarteaucitronCloseAlert', prefs: '#tarteaucitron',
    equivalence: 'its own Russian language file; analytics and ads services + its built-in mandatory group; bottom bar with accept all / deny all / personalize; it starts on window load and fetches its language file, services file and CSS; gated scripts loaded by service callbacks',
  },
  osano: {
    label: `cookieconsent (Osano) ${pkgVersion('cookieconsent')}`, page: '/bench/pages/osano/',
    banner: '.cc-window', accept: '.cc-window .cc-allow', key: 'cookieconsent_status',
    settings: null,   // no second layer
    equivalence: 'NO categories (one opt-in consent for everything: not equivalent on features), Russian texts written in the config (it ships none), Allow / Deny + policy link; the site callback loads both gated scripts',
  },
  // The same page with no banner script (bench/pages/blank/: the same <main>): the LCP every
  // contender's page would have without its banner. Only its LCP is measured.
  page: {
    label: 'page alone (no banner)', page: '/bench/pages/blank/', alone: true,
    equivalence: 'the bench pages\' <main> with no banner script: the LCP baseline ("LCP − page alone")',
  },
};
/**
 * The kelisim-inline page: the kelisim-preload page with the manifest's preload line replaced
 * by the manifest itself, as `kelisim build` writes it to inline.html (a JSON data block, `<`
 * as \u003c), and the script naming it. Made from the files at each run, so the two pages and
 * the manifest never drift apart.
 */
function inlinePage() {
  const url = '/tests/fixtures/manifests/demo-v1.json';
  const json = readFileSync(join(REPO, url), 'utf8').replace(/\n+$/, '').replace(/</g, '\\u003c');
  const from = readFileSync(join(REPO, 'bench/pages/kelisim-preload/index.html'), 'utf8');
  const parts = [
    ['<title>kelisim + preload</title>', '<title>kelisim + manifest in the page</title>'],
    ['writes to preload.html', 'writes to inline.html'],
    [`<link rel="preload" href="${url}" as="fetch" crossorigin>`, `<script type="application/json" id="kelisim-policy" data-url="${url}">${json}</script>`],
    [`data-policy="${url}"`, 'data-policy="#kelisim-policy"'],
  ];
  return parts.reduce((html, [a, b]) => {
    if (!html.includes(a)) throw new Error(`bench: bench/pages/kelisim-preload/index.html has no ${a} to make the kelisim-inline page from`);
    return html.replace(a, b);
  }, from);
}
/**
 * The kelisim-prerender page: the kelisim-inline page with prerenderBanner()'s head before the
 * script tag and its body right after <body>, the banner's stylesheet no longer preloaded.
 */
function prerenderPage() {
  const manifest = JSON.parse(readFileSync(join(REPO, 'tests/fixtures/manifests/demo-v1.json'), 'utf8'));
  const pre = prerenderBanner(manifest, { lang: 'ru', manifestUrl: '/tests/fixtures/manifests/demo-v1.json' });
  const from = inlinePage();
  const parts = [
    ['<title>kelisim + manifest in the page</title>', '<title>kelisim + banner in the page</title>'],
    ['<link rel="preload" href="/dist/kelisim-banner.css" as="style">\n', pre.head],
    ['<body>\n', '<body>\n' + pre.body],
  ];
  const html = parts.reduce((h, [a, b]) => {
    if (!h.includes(a)) throw new Error(`bench: the kelisim-inline page has no ${JSON.stringify(a)} to make the kelisim-prerender page from`);
    return h.replace(a, b);
  }, from);
  CONTENDERS['kelisim-prerender'].equivalence = CONTENDERS['kelisim-prerender'].equivalence
    .replace('PRERENDER_BYTES', String(gzipSync(html, { level: 9 }).length - gzipSync(from, { level: 9 }).length));
  return html;
}
/** The kelisim-bundle page: the kelisim page with its script tag naming the bundle instead. */
function bundlePage() {
  const from = readFileSync(join(REPO, 'bench/pages/kelisim/index.html'), 'utf8');
  const tag = '<script src="/dist/kelisim.js" data-policy="/tests/fixtures/manifests/demo-v1.json" defer></script>';
  if (!from.includes(tag)) throw new Error(`bench: bench/pages/kelisim/index.html has no ${tag} to make the kelisim-bundle page from`);
  return from.replace('<title>kelisim</title>', '<title>kelisim one-file bundle</title>')
    .replace(tag, `<script src="${BUNDLE_JS}" defer></script>`);
}
/**
 * Its kelisim-bundle.js, as `kelisim build --bundle` writes it (the manifest's folder as the
 * policy's), from the dist/ folder `dir` served at `url` (--against: the other build's).
 */
const bundleJs = (dir = join(REPO, 'dist'), url = '/dist/') => bundleScript(readFileSync(join(dir, 'kelisim-bundled.js'), 'utf8'),
  readFileSync(join(dir, 'kelisim-banner.css'), 'utf8'), readFileSync(join(REPO, 'tests/fixtures/manifests/demo-v1.json'), 'utf8'), url, '/tests/fixtures/', 'manifests');
const BUNDLE_JS = '/bench/pages/kelisim-bundle/kelisim-bundle.js';
/** The contender pages made at each run (served as routes), the others' are files in bench/pages/. */
const MADE = { '/bench/pages/kelisim-inline/': inlinePage, '/bench/pages/kelisim-prerender/': prerenderPage, '/bench/pages/kelisim-bundle/': bundlePage };
/** A contender page's HTML. */
const pageHtml = (page) => withImage(MADE[page] ? MADE[page]() : readFileSync(join(REPO, page, 'index.html'), 'utf8'));
/**
 * --page-image: every page (the page alone's too) with an image at the top of its <main>, as
 * most real pages have: the page's load event then waits for it, so it no longer comes, with
 * the page's first layout, at the end of the parser's last task (see the README, session 12).
 * A probe of what the bench page's shape does to TBT, not the results.
 */
const PAGE_IMAGE = has('--page-image');
const IMAGE = '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="120"><rect width="320" height="120" fill="#cfd8e3"/></svg>';
function withImage(html) {
  if (!PAGE_IMAGE) return html;
  if (!html.includes('<main>\n')) throw new Error('bench: --page-image: a page has no <main>');
  return html.replace('<main>\n', '<main>\n<img src="/bench/image.svg" width="320" height="120" alt="">\n');
}

const AGAINST = opt('--against', null);
if (AGAINST) {
  // The bundle too when that build has its template (session 13 on).
  const bundled = existsSync(join(resolve(AGAINST), 'kelisim-bundled.js'));
  for (const n of ['kelisim', 'kelisim-preload', 'kelisim-inline', 'kelisim-prerender', ...(bundled ? ['kelisim-bundle'] : [])]) {
    const c = CONTENDERS[n];
    CONTENDERS[n + '@against'] = { ...c, label: `${c.label} @ ${AGAINST}`, page: '/against' + c.page, equivalence: `${c.equivalence}; kelisim's files from ${AGAINST}` };
  }
}
/** --against's pages: the kelisim pages with /dist/ served from <dist-dir> (mounted at /against/dist). */
const againstRoutes = () => Object.fromEntries(Object.values(CONTENDERS).filter((c) => c.page.startsWith('/against/'))
  .map((c) => [c.page, { type: 'text/html; charset=utf-8', body: pageHtml(c.page.slice('/against'.length)).replaceAll('"/dist/', '"/against/dist/').replace(`"${BUNDLE_JS}"`, `"/against${BUNDLE_JS}"`) }]));
const ONLY = opt('--only', null);
const NAMES = Object.keys(CONTENDERS).filter((n) => !ONLY || ONLY.split(',').includes(n) || (n === 'page' && !has('--no-page-alone')));
/** The contenders with a banner (every metric but LCP). */
const BANNERS = NAMES.filter((n) => !CONTENDERS[n].alone);

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
  const b = { visible: null, click: null, stored: [], ran: {}, lt: [], ls: [], loaf: [], lcp: [] };
  window.__bench = b;
  try {
    // Largest Contentful Paint candidates (Chromium stops reporting them at the first input):
    // [time, size, element, inside the banner?]. The banner test runs when the entry arrives,
    // while the banner is still in the document.
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) {
        const el = e.element;
        const what = el ? el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.classList.length ? '.' + [...el.classList].join('.') : '') : (e.url || '(removed)');
        b.lcp.push([e.startTime, e.size, what, !!(el && cfg.banner && el.closest(cfg.banner))]);
      }
    }).observe({ type: 'largest-contentful-paint', buffered: true });
  } catch { /* unsupported */ }
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
    if (!cfg.banner) return;
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
  /** A promise of the next "both gated scripts ran" (one per navigation). */
  const nextRan = () => new Promise((r) => { done = r; });
  const ran = nextRan();
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
  return { context, page, cdp, seen, ran, nextRan };
}

async function heapAfterGc(cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  return (await cdp.send('Runtime.getHeapUsage')).usedSize;
}

/** LCP of a run from the collected candidates: the last one (null when none was reported). */
const lcpOf = (b) => {
  const e = b.lcp.at(-1);
  return e ? { lcp: e[0], lcpSize: e[1], lcpElement: e[2], lcpIsBanner: e[3] } : { lcp: null, lcpSize: null, lcpElement: null, lcpIsBanner: null };
};

/** The long tasks of `b` that start before `t`: TBT (sum of each one's time over 50 ms), count, durations. */
const blocking = (b, t) => {
  const lt = b.lt.filter(([s]) => s < t);
  return { tbt: lt.reduce((a, [, d]) => a + Math.max(0, d - 50), 0), longTasks: lt.length, longTaskMs: lt.map(([, d]) => Math.round(d)) };
};

/**
 * The page alone: loaded, then left as long as a banner page is before its click; its LCP, and
 * the TBT of its own long tasks up to its load event (its parsing and first rendering: the part
 * of a banner page's "TBT to banner" that no banner script can take away).
 */
async function runAlone(browser, srv, name, prof) {
  const c = CONTENDERS[name];
  const { context, page } = await setupPage(browser, prof, { banner: null, showClass: null, key: '-' });
  try {
    await page.goto(srv.url + c.page, { waitUntil: 'load' });
    await page.waitForTimeout(CLICK_DELAY);
    const [b, load] = await page.evaluate(() => [window.__bench, performance.getEntriesByType('navigation')[0].loadEventEnd]);
    return { ...lcpOf(b), ...blocking(b, load) };
  } finally {
    await context.close();
  }
}

async function runOnce(browser, srv, name, prof) {
  const c = CONTENDERS[name];
  if (c.alone) return runAlone(browser, srv, name, prof);
  const { context, page, cdp, seen, ran, nextRan } = await setupPage(browser, prof, { banner: c.banner, showClass: c.showClass || null, key: c.key });
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
    const res = name.startsWith('kelisim') ? await page.evaluate((v) => performance.getEntriesByType('resource').filter((r) => r.startTime < v)
      .map((r) => [new URL(r.name).pathname.split('/').pop(), +r.responseEnd.toFixed(1)]), visible) : null;
    const after = b.stored.filter((t) => t >= b.click);
    // The return visit (see the header): the same page, the choice stored.
    const back = nextRan();
    await page.goto(srv.url + c.page, { waitUntil: 'commit' });
    await within(back, 30000, `${name}: gated scripts on the return visit`);
    await page.waitForTimeout(100);
    const b2 = await page.evaluate(() => window.__bench);
    return {
      visible,
      ...blocking(b, visible),
      longFrameScripts: b.loaf.filter(([s, d]) => s < visible && d > 50).map(([, , sc]) => sc.join(' + ') || '(no script: parsing, style, layout)'),
      cls: b.ls.reduce((a, [, v]) => a + v, 0),
      clickToStored: after.length ? Math.max(...after) - b.click : null,
      clickToRan: Math.max(b.ran.analytics, b.ran.marketing) - b.click,
      returnRan: Math.max(b2.ran.analytics, b2.ran.marketing),
      returnBanner: b2.visible != null,
      heap,
      ...lcpOf(b),
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

/**
 * A first visit's bytes: every response but the HTML document, gzip -9 of its body (the bench
 * server sends no Content-Encoding, so the size as served would be the raw size; the gzip size
 * is computed here from the body, as bench/size.mjs does from the files). `before`: the
 * responses whose resource-timing responseEnd is before the banner is visible; `all`: every
 * response of a visit that opens the second layer (preferences) once and waits until the
 * network is quiet — the banner path, what is fetched after it, and the preferences.
 */
async function firstVisitBytes(browser, srv, name) {
  const c = CONTENDERS[name];
  // On the phone profile: on the desktop one every file from 127.0.0.1 has arrived before the
  // banner's first frame, whether the banner waits for it or not.
  const { context, page, seen } = await setupPage(browser, PROFILES['phone-slow4g'], { banner: c.banner, showClass: c.showClass || null, key: c.key });
  const bodies = new Map();   // URL → [Promise<{raw, gzip}>] in response order
  let inflight = 0;
  let lastNet = Date.now();
  page.on('request', () => { inflight++; lastNet = Date.now(); });
  const done = () => { inflight--; lastNet = Date.now(); };
  page.on('requestfinished', done);
  page.on('requestfailed', done);
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (u.origin !== srv.url || r.request().resourceType() === 'document' || u.pathname === '/favicon.ico') return;
    const p = r.body().then((body) => ({ raw: body.length, gzip: gzipSync(body, { level: 9 }).length })).catch(() => null);
    if (!bodies.has(r.url())) bodies.set(r.url(), []);
    bodies.get(r.url()).push(p);
  });
  const quiet = async (ms, max) => {
    const t0 = Date.now();
    while (Date.now() - t0 < max && (inflight > 0 || Date.now() - lastNet < ms)) await page.waitForTimeout(50);
  };
  let secondLayer = c.settings ? 'not opened' : 'none (no second layer)';
  try {
    await page.goto(srv.url + c.page, { waitUntil: 'commit' });
    const visible = await within(seen, 30000, `${name}: banner`);
    if (c.settings) {
      try {
        await page.waitForTimeout(CLICK_DELAY);   // as in the timed runs (tarteaucitron's handlers come 500 ms late)
        await page.click(c.settings, { timeout: 10000 });
        await page.waitForSelector(c.prefs, { state: 'visible', timeout: 10000 });
        secondLayer = 'opened';
      } catch (e) { secondLayer = `not opened: ${e.message.split('\n')[0]}`; }
    }
    await quiet(1000, 15000);
    const entries = await page.evaluate(() => performance.getEntriesByType('resource').map((r) => [r.name, r.responseEnd, r.transferSize]));
    const before = [];
    const all = [];
    for (const [url, end, transfer] of entries) {
      const q = bodies.get(url);
      if (!q || !q.length) continue;   // another origin, or no body seen
      const sz = await q.shift();
      if (!sz) continue;
      const f = { path: new URL(url).pathname, raw: sz.raw, gzip: sz.gzip, transfer, end: +end.toFixed(1) };
      all.push(f);
      if (end <= visible) before.push(f);
    }
    const sum = (fs, k) => fs.reduce((a, f) => a + f[k], 0);
    return {
      total: sum(before, 'gzip'), raw: sum(before, 'raw'), files: before, visible: +visible.toFixed(1),
      all: { total: sum(all, 'gzip'), raw: sum(all, 'raw'), transfer: sum(all, 'transfer'), files: all, secondLayer },
    };
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
      ...(AGAINST ? { '/against/dist': resolve(AGAINST) } : {}),
    },
    routes: {
      '/policy.html': '<!doctype html><title>Политика</title><p>Политика конфиденциальности',
      // The made pages; with --page-image every contender's page (from pageHtml(), at its own path).
      ...Object.fromEntries(Object.values(CONTENDERS).filter((c) => MADE[c.page] || (PAGE_IMAGE && !c.page.startsWith('/against/')))
        .map((c) => [c.page, { type: 'text/html; charset=utf-8', body: pageHtml(c.page) }])),
      ...(PAGE_IMAGE ? { '/bench/image.svg': { type: 'image/svg+xml', body: IMAGE } } : {}),
      [BUNDLE_JS]: { type: 'text/javascript', body: bundleJs() },
      ...(CONTENDERS['kelisim-bundle@against'] ? { ['/against' + BUNDLE_JS]: { type: 'text/javascript', body: bundleJs(resolve(AGAINST), '/against/dist/') } } : {}),
      ...againstRoutes(),
    },
  });
  const browser = await launchBrowser();
  result.conditions.browser = `Debian chromium ${browser.version()} (headless), playwright-core`;
  try {
    for (const n of BANNERS) {
      result.bytes[n] = await firstVisitBytes(browser, srv, n);
      const b = result.bytes[n];
      process.stderr.write(`bytes: ${n} before the banner ${b.total} B gzip (${b.files.map((f) => f.path.split('/').pop()).join(', ')}); first visit ${b.all.total} B gzip, second layer ${b.all.secondLayer}\n`);
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
      const alone = NAMES.includes('page') ? metric('page', 'lcp') : null;
      for (const n of NAMES) {
        const lcp = metric(n, 'lcp');
        const elements = {};
        for (const r of raw[n]) if (r.lcpElement) elements[r.lcpElement] = (elements[r.lcpElement] || 0) + 1;
        summary[n] = {
          visibleMs: metric(n, 'visible'), tbtMs: metric(n, 'tbt'), longTasks: metric(n, 'longTasks'), cls: metric(n, 'cls'),
          clickToStoredMs: metric(n, 'clickToStored'), clickToRanMs: metric(n, 'clickToRan'), heapBytes: metric(n, 'heap'),
          returnRanMs: metric(n, 'returnRan'), returnBanner: raw[n].filter((r) => r.returnBanner).length,
          lcpMs: lcp,
          // LCP − the page-alone LCP (medians): what the banner adds to the page's LCP.
          lcpOverAloneMs: lcp && alone && n !== 'page' ? +(lcp.median - alone.median).toFixed(1) : null,
          lcpIsBanner: { k: raw[n].filter((r) => r.lcpIsBanner === true).length, n: raw[n].filter((r) => r.lcp != null).length },
          lcpElements: elements,
        };
      }
      // Where kelisim's time to banner goes: median responseEnd per resource.
      const resEndOf = (n) => {
        const resEnd = {};
        for (const r of raw[n] || []) for (const [f, t] of r.resources || []) (resEnd[f] ||= []).push(t);
        return Object.fromEntries(Object.entries(resEnd).map(([f, ts]) => [f, stats(ts).median]));
      };
      result.profiles[pn] = {
        label: prof.label, summary, blankPageHeapBytes: stats(blank), errors,
        kelisimResponseEndMs: resEndOf('kelisim'), kelisimPreloadResponseEndMs: resEndOf('kelisim-preload'),
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
    goal: 'bytes before the banner ≤ 16 KB gzip', value: `${(b.total / KB).toFixed(1)} KB`, met: b.total <= 16 * KB,
    note: b.total <= 16 * KB ? parts : `over by ${((b.total - 16 * KB) / KB).toFixed(1)} KB (${Math.round((b.total / (16 * KB) - 1) * 100)} %): ${parts}`,
  });
  const v = result.bytes.vcc;
  if (v) {
    goals.push({
      goal: 'all bytes of a first visit (second layer opened once) ≤ vanilla-cookieconsent\'s', value: `${b.all.total} B vs ${v.all.total} B (×${(b.all.total / v.all.total).toFixed(2)})`,
      met: b.all.total <= v.all.total,
      note: `kelisim: ${b.all.files.map((f) => `${f.path.split('/').pop()} ${f.gzip}`).join(', ')} (second layer ${b.all.secondLayer}); vanilla-cookieconsent: ${v.all.files.map((f) => `${f.path.split('/').pop()} ${f.gzip}`).join(', ')} (second layer ${v.all.secondLayer})`,
    });
  }
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
      (p.summary['kelisim-preload'] && p.summary['kelisim-preload'].visibleMs ? `; with the preload tags: ${(p.summary['kelisim-preload'].visibleMs.median / p.summary.vcc.visibleMs.median).toFixed(2)}× (${p.summary['kelisim-preload'].visibleMs.median} ms; responseEnd ${Object.entries(p.kelisimPreloadResponseEndMs).map(([f, t]) => `${f} ${t} ms`).join(', ')})` : '') +
      (p.summary['kelisim-inline'] && p.summary['kelisim-inline'].visibleMs ? `; with the manifest in the page: ${(p.summary['kelisim-inline'].visibleMs.median / p.summary.vcc.visibleMs.median).toFixed(2)}× (${p.summary['kelisim-inline'].visibleMs.median} ms)` : '') +
      (p.summary['kelisim-bundle'] && p.summary['kelisim-bundle'].visibleMs ? `; one-file bundle: ${(p.summary['kelisim-bundle'].visibleMs.median / p.summary.vcc.visibleMs.median).toFixed(2)}× (${p.summary['kelisim-bundle'].visibleMs.median} ms)` : '') +
      (p.summary['kelisim-prerender'] && p.summary['kelisim-prerender'].visibleMs ? `; with the banner in the page: ${(p.summary['kelisim-prerender'].visibleMs.median / p.summary.vcc.visibleMs.median).toFixed(2)}× (${p.summary['kelisim-prerender'].visibleMs.median} ms)` : '') +
      (PROFILES[pn].net && result.bytes.kelisim ? `; ${result.bytes.kelisim.total} B take ≈ ${Math.round(result.bytes.kelisim.total * 8 / 1.6e3)} ms at 1.6 Mbit/s (vanilla-cookieconsent ${result.bytes.vcc ? Math.round(result.bytes.vcc.total * 8 / 1.6e3) : '?'} ms), and without the preload tags kelisim-banner.css and the manifest are requested only once kelisim.js runs (one more 150 ms round trip than a page that links its CSS)` : ''),
  });
}
const sign = (x) => `${x >= 0 ? '+' : ''}${x}`;
{
  const p = result.profiles['phone-slow4g'];
  const k = p && p.summary.kelisim;
  const v = p && p.summary.vcc;
  if (k && k.lcpOverAloneMs != null) {
    goals.push({
      goal: 'phone LCP − page-alone LCP ≤ vanilla-cookieconsent\'s', value: `${sign(k.lcpOverAloneMs)} ms vs ${v ? sign(v.lcpOverAloneMs) : '?'} ms`,
      met: v ? k.lcpOverAloneMs <= v.lcpOverAloneMs : false,
      note: `kelisim's banner is the LCP element in ${k.lcpIsBanner.k}/${k.lcpIsBanner.n} runs (elements: ${Object.entries(k.lcpElements).map(([e, c]) => `${e} ×${c}`).join(', ')}); page alone ${p.summary.page.lcpMs.median} ms`,
    });
  }
  if (k && v && k.clickToRanMs && v.clickToRanMs) {
    const r = k.clickToRanMs.median / v.clickToRanMs.median;
    goals.push({ goal: 'click → gated scripts ran on the phone ≤ 0.6× vanilla-cookieconsent', value: `${r.toFixed(2)}× (${k.clickToRanMs.median} vs ${v.clickToRanMs.median} ms)`, met: r <= 0.6, note: 'document order and never before consent: tests/browser/banner*.test.js' });
  }
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
    note: `long tasks before the banner per run, ms: ${lts.join(', ')}; scripts in long animation frames (median): ${attrib || 'none'}` +
      (['kelisim-preload', 'kelisim-inline', 'kelisim-bundle', 'kelisim-prerender'].filter((n) => result.profiles.cpu4x.summary[n]).map((n) => `; ${n}: ${result.profiles.cpu4x.summary[n].tbtMs.median} ms (p90 ${result.profiles.cpu4x.summary[n].tbtMs.p90}), long tasks per run ${result.profiles.cpu4x.raw[n].map((r) => r.longTaskMs.join('+') || '0').join(', ')}`).join('')) +
      (result.profiles.cpu4x.summary.page ? `; the page alone, up to its load event: TBT ${result.profiles.cpu4x.summary.page.tbtMs.median} ms, long tasks per run ${result.profiles.cpu4x.raw.page.map((r) => r.longTaskMs.join('+') || '0').join(', ')}` : '') });
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
writeFileSync(join(dir, `${day}-anchors${TAG ? '-' + TAG : ''}.json`), JSON.stringify(result, null, 2) + '\n');

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
const xVcc = (n, a, b) => (n !== 'vcc' && b ? ` ×${(a / b).toFixed(2)}` : '');
const lcpCells = (pn, n) => {
  const s = sum(pn, n, 'lcpMs');
  const d = sum(pn, n, 'lcpOverAloneMs');
  const v = sum(pn, 'vcc', 'lcpOverAloneMs');
  const k = sum(pn, n, 'lcpIsBanner');
  return [s ? `${Math.round(s.median)}${rat(pn, n, 'lcpMs')}` : '—',
    d != null ? `${d >= 0 ? '+' : ''}${Math.round(d)}${n !== 'vcc' && v ? ` (vcc ${v >= 0 ? '+' : ''}${Math.round(v)})` : ''}` : '—',
    k && k.n ? `${k.k}/${k.n}` : '—'];
};
if (Object.keys(result.profiles).length || Object.keys(result.bytes).length) {
  const cell = (pn, n, k) => { const v = sum(pn, n, k); return v ? `${Math.round(v.median)}${rat(pn, n, k)}` : '—'; };
  const clsMax = (n) => { const xs = Object.keys(result.profiles).map((pn) => sum(pn, n, 'cls')).filter(Boolean).map((c) => c.max); return xs.length ? +Math.max(...xs).toFixed(4) : '—'; };
  const kb = (n, k) => { const b = result.bytes[n]; const v = result.bytes.vcc; if (!b) return '—'; const x = k === 'all' ? b.all.total : b.total; const y = v ? (k === 'all' ? v.all.total : v.total) : 0; return `${(x / 1024).toFixed(1)}${xVcc(n, x, y)}`; };
  const alone = sum('phone-slow4g', 'page', 'lcpMs');
  md += `## Summary

| | bytes before the banner, KB gzip | first visit, all bytes (second layer opened), KB gzip | visible banner, ms: desktop | 4× CPU | phone, slow 4G | phone LCP, ms | phone LCP − page alone, ms | banner is the phone LCP | TBT to banner at 4× CPU, ms | CLS (max) | click → gated scripts ran, ms: desktop | phone | return visit → gated scripts ran, ms: 4× CPU | phone |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${BANNERS.map((n) => `| ${CONTENDERS[n].label} | ${kb(n, 'before')} | ${kb(n, 'all')} | ${cell('desktop', n, 'visibleMs')} | ${cell('cpu4x', n, 'visibleMs')} | ${cell('phone-slow4g', n, 'visibleMs')} | ${lcpCells('phone-slow4g', n).join(' | ')} | ${sum('cpu4x', n, 'tbtMs') ? Math.round(sum('cpu4x', n, 'tbtMs').median) : '—'} | ${clsMax(n)} | ${cell('desktop', n, 'clickToRanMs')} | ${cell('phone-slow4g', n, 'clickToRanMs')} | ${cell('cpu4x', n, 'returnRanMs')} | ${cell('phone-slow4g', n, 'returnRanMs')} |`).join('\n')}

${alone ? `Page alone (the same page, no banner script) on the phone: LCP ${Math.round(alone.median)} ms. ` : ''}${sum('cpu4x', 'page', 'tbtMs') ? `Page alone at 4× CPU: TBT ${Math.round(sum('cpu4x', 'page', 'tbtMs').median)} ms (p90 ${Math.round(sum('cpu4x', 'page', 'tbtMs').p90)}) of its own long tasks up to its load event, part of every contender's TBT to banner. ` : ''}Bytes: the bench server (scripts/serve.mjs) sends every file uncompressed, so the sizes as served are raw sizes; the KB columns are gzip -9 of each response body computed by the bench (as bench/size.mjs does from the files), what a server that compresses would send.

`;
}
if (Object.keys(result.bytes).length) {
  md += `## Bytes, gzip -9 (every response but the HTML page)

"Before the banner": responses whose responseEnd (resource timing) is before the banner is visible, in one visit on the phone/slow-4G profile. "First visit": every response of a visit that opens the preferences (second layer) once and waits until the network is quiet.

| | before the banner | files | first visit, all | files after the banner | second layer |
|---|---:|---|---:|---|---|
${BANNERS.map((n) => { const b = result.bytes[n]; const v = result.bytes.vcc; return `| ${CONTENDERS[n].label} | ${b.total}${xVcc(n, b.total, v && v.total)} | ${b.files.map((f) => `${f.path.split('/').pop()} ${f.gzip}`).join(', ')} | ${b.all.total}${xVcc(n, b.all.total, v && v.all.total)} | ${b.all.files.filter((f) => !b.files.includes(f)).map((f) => `${f.path.split('/').pop()} ${f.gzip}`).join(', ') || '—'} | ${b.all.secondLayer} |`; }).join('\n')}

`;
}
for (const [pn, p] of Object.entries(result.profiles)) {
  md += `## ${p.label}

| | visible banner, ms | LCP, ms | LCP − page alone, ms | banner is the LCP | TBT to banner, ms | CLS | click → stored, ms | click → gated scripts ran, ms | JS heap, MB | return visit → gated scripts ran, ms | banner on the return visit |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${NAMES.map((n) => {
    const s = p.summary[n];
    if (CONTENDERS[n].alone) return `| ${CONTENDERS[n].label} | — | ${fmt(s.lcpMs)} | — | — | ${fmt(s.tbtMs)} until its load event | — | — | — | — | — | — |`;
    const heap = s.heapBytes ? `${(s.heapBytes.median / 1048576).toFixed(2)}` : '—';
    const lc = lcpCells(pn, n);
    return `| ${CONTENDERS[n].label} | ${fmt(s.visibleMs)}${rat(pn, n, 'visibleMs')} | ${fmt(s.lcpMs)}${rat(pn, n, 'lcpMs')} | ${lc[1]} | ${lc[2]} | ${fmt(s.tbtMs)} | ${s.cls ? s.cls.max : '—'} | ${fmt(s.clickToStoredMs)} | ${fmt(s.clickToRanMs)}${rat(pn, n, 'clickToRanMs')} | ${heap}${rat(pn, n, 'heapBytes')} | ${fmt(s.returnRanMs)}${rat(pn, n, 'returnRanMs')} | ${s.returnBanner}/${p.raw[n].length} |`;
  }).join('\n')}

LCP elements: ${NAMES.map((n) => `${n}: ${Object.entries(p.summary[n].lcpElements).map(([e, c]) => `${e} ×${c}`).join(', ') || '—'}`).join('; ')}.
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
  md += `## Goals (issues 6 and 14)

| goal | kelisim | met | notes |
|---|---|---|---|
${goals.map((g) => `| ${g.goal} | ${g.value} | ${g.met ? 'yes' : '**no**'} | ${g.note} |`).join('\n')}

`;
}
md += `## What the pages are
${NAMES.map((n) => `- **${CONTENDERS[n].label}** — ${CONTENDERS[n].equivalence}.`).join('\n')}
- Pages: \`bench/pages/<name>/\` (kelisim-inline's made from kelisim-preload's and the manifest by inlinePage()); the two gated scripts (\`bench/pages/g/\`) call a probe; "stored" is the last write of the consent cookie / localStorage key after the click (kelisim writes both).
- The "accept all" click comes ${CLICK_DELAY} ms after the banner is visible, for every contender (tarteaucitron attaches its button handlers 500 ms after it shows its bar; a click before that is lost).
- The return visit: once the gated scripts ran after the click, the same page is opened again in the same context (the choice stored; the HTTP cache is still off, so every file is fetched again, as on a visit after the cache expired); "return visit → gated scripts ran" counts from its navigation start to both gated scripts executed, the moment a consented site's analytics starts. No banner may show then.
- Time to banner counts from navigation start; it includes fetching and compiling everything on the banner path. TBT counts long tasks that start before the banner is visible.
- LCP: the last 'largest-contentful-paint' entry before the click (Chromium reports none after the first input); the page alone is left for ${CLICK_DELAY} ms after its load event. "Banner is the LCP": that entry's element is inside the banner.
`;
writeFileSync(join(dir, TAG ? `anchors-${TAG}.md` : 'latest.md'), md);
console.log(md);
