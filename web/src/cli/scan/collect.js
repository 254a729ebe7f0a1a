// `kelisim scan`, the browser part: one pass over the site in a fresh browser context per
// consent state ('none', 'reject', 'accept'), recording cookies (the jar at the end, with who
// set each one), storage (localStorage/sessionStorage keys, IndexedDB databases, Cache Storage
// caches, service workers) and every request. Classification is
// classify.js's job; this file only observes.
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { ScanError } from './browser.js';

const BINDING = '__kelisimScanRecord';
/** Request header marking the scan's own fetches (not recorded). */
const SCAN_HEADER = 'x-kelisim-scan';

/**
 * Runs in every frame before the page's own scripts (Playwright init script, not subject to
 * the page's CSP): wraps the document.cookie setter, cookieStore.set, Storage#setItem,
 * indexedDB.open, caches.open and navigator.serviceWorker.register so
 * each write reports its name and the URL of the calling script, read from the call stack
 * (best effort: a write from an inline script names the page; a write from a callback may name
 * whoever scheduled it, or nothing). Values are never reported.
 */
function initScript(binding) {
  const send = (rec) => {
    try {
      const f = globalThis[binding];
      if (typeof f === 'function') f(rec);
    } catch { /* the page removed the binding: nothing to record */ }
  };
  const caller = () => {
    const lines = String(new Error().stack || '').split('\n');
    for (const l of lines) {
      const m = /(https?:\/\/[^\s()]+?):\d+:\d+\)?\s*$/.exec(l);
      if (m) return m[1];
    }
    return '';
  };
  const d = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  if (d && d.set && d.configurable) {
    Object.defineProperty(Document.prototype, 'cookie', {
      configurable: true,
      enumerable: d.enumerable,
      get() { return d.get.call(this); },
      set(v) {
        const name = String(v).split(';')[0].split('=')[0].trim();
        send({ kind: 'cookie', name, script: caller(), page: location.href });
        d.set.call(this, v);
      },
    });
  }
  const setItem = Storage.prototype.setItem;
  Storage.prototype.setItem = function (k, v) {
    let area = '';
    try { area = this === localStorage ? 'local' : this === sessionStorage ? 'session' : ''; } catch { /* storage blocked */ }
    send({ kind: 'storage', area, name: String(k), script: caller(), page: location.href });
    return setItem.call(this, k, v);
  };
  // Storage that is not a key/value area: the name a write creates (a database, a cache, a
  // service worker's script URL) is its key.
  const wrap = (proto, fn, area, keyOf) => {
    const f = proto && proto[fn];
    if (typeof f !== 'function') return;
    proto[fn] = function (...a) {
      let name = '';
      try { name = keyOf(a); } catch { /* let the call itself throw */ }
      send({ kind: 'storage', area, name, script: caller(), page: location.href });
      return f.apply(this, a);
    };
  };
  wrap(globalThis.IDBFactory && IDBFactory.prototype, 'open', 'indexeddb', (a) => String(a[0]));
  wrap(globalThis.CacheStorage && CacheStorage.prototype, 'open', 'cache', (a) => String(a[0]));
  wrap(globalThis.ServiceWorkerContainer && ServiceWorkerContainer.prototype, 'register', 'service-worker', (a) => new URL(String(a[0]), location.href).href);
  if (globalThis.CookieStore && CookieStore.prototype.set) {
    const set = CookieStore.prototype.set;
    CookieStore.prototype.set = function (a, b) {
      const name = typeof a === 'string' ? a : a && a.name;
      send({ kind: 'cookie', name: String(name), script: caller(), page: location.href });
      return set.apply(this, arguments);
    };
  }
}

/** Button labels the "no kelisim" heuristic clicks (ru, kk, en), matched on the whole trimmed text. */
export const HEURISTIC_WORDS = {
  reject: [
    'reject', 'reject all', 'reject all cookies', 'decline', 'decline all', 'deny', 'deny all', 'refuse', 'refuse all',
    'necessary only', 'only necessary', 'only necessary cookies', 'use necessary cookies only', 'essential only', 'only essential cookies',
    'отклонить', 'отклонить все', 'отклонить всё', 'отказаться', 'отказаться от всех', 'запретить', 'запретить все',
    'только необходимые', 'только обязательные', 'разрешить только необходимые',
    'бас тарту', 'барлығынан бас тарту', 'қабылдамау', 'тек қажеттілері', 'тек қажетті',
  ],
  accept: [
    'accept', 'accept all', 'accept all cookies', 'accept cookies', 'allow all', 'allow all cookies', 'agree', 'i agree', 'ok', 'got it',
    'принять', 'принять все', 'принять всё', 'принять все cookie', 'разрешить все', 'согласен', 'согласна', 'я согласен', 'ок', 'хорошо', 'понятно',
    'қабылдау', 'барлығын қабылдау', 'келісемін', 'жарайды',
  ],
};

const CLICKABLE = 'button, [role="button"], a, input[type="button"], input[type="submit"]';
const KELISIM_PRESENT = () => !!(globalThis.kelisim || document.querySelector('[data-kelisim-root], script[data-policy]'));
/** Button text as the heuristic compares it: lower case, spaces collapsed, edge punctuation dropped. */
export const normText = (s) => s.toLowerCase().replace(/[\s\u00a0]+/g, ' ').replace(/^[\s.!,:;«»"'–—-]+|[\s.!,:;«»"'–—-]+$/g, '');

/**
 * In the page, on a kelisim site: the cookies the site itself declares per category — the
 * `cookies` option (`window.kelisimConfig.cookies`) and the policy manifest's
 * `categories[].cookies` and `services[].cookies` (fetched from `script[data-policy]`, as kelisim
 * does). Returns [{ pattern, category, required, from }]; [] when nothing can be read.
 */
async function readDeclared(marker) {
  const out = [];
  const add = (list, category, required, from) => {
    if (!Array.isArray(list) || typeof category !== 'string') return;
    for (const pattern of list) if (typeof pattern === 'string' && pattern) out.push({ pattern, category, required: !!required, from });
  };
  const cfg = globalThis.kelisimConfig;
  const required = new Set();
  const script = document.querySelector('script[data-policy]');
  if (script) {
    try {
      const url = new URL(script.getAttribute('data-policy'), document.baseURI);
      // Marked (same origin only: a custom header would need CORS) so the scan does not list
      // its own request among the site's.
      const r = await fetch(url, url.origin === location.origin ? { headers: { [marker]: 'declarations' } } : {});
      const m = r.ok ? await r.json() : null;
      for (const c of (m && Array.isArray(m.categories) ? m.categories : [])) {
        if (c && c.required) required.add(c.id);
        if (c) add(c.cookies, c.id, c.required, 'manifest');
      }
      for (const sv of (m && Array.isArray(m.services) ? m.services : [])) {
        if (sv) add(sv.cookies, sv.category, required.has(sv.category), 'manifest');
      }
    } catch { /* no manifest: the option alone */ }
  }
  if (cfg && cfg.cookies && typeof cfg.cookies === 'object') {
    for (const [category, list] of Object.entries(cfg.cookies)) add(list, category, required.has(category), 'kelisimConfig');
  }
  return out;
}

/** Cookie name and Domain attribute (or '') of one Set-Cookie header value. */
export function parseSetCookie(v) {
  const parts = v.split(';');
  const name = parts[0].split('=')[0].trim();
  const dom = parts.slice(1).map((p) => p.trim()).find((p) => /^domain=/i.test(p));
  return { name, domain: dom ? dom.slice(7).trim().toLowerCase() : '' };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.json': 'application/json', '.png': 'image/png', '.gif': 'image/gif', '.svg': 'image/svg+xml', '.wasm': 'application/wasm' };

/**
 * Test mode (--offline / --offline-map): requests to loopback hosts go through, requests to a
 * mapped host are answered from its folder (404 when absent), every other request is aborted
 * (and still recorded as attempted).
 */
async function routeOffline(context, map) {
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (!/^https?:$/.test(url.protocol) || LOOPBACK.has(url.hostname)) return route.continue();
    const dir = map[url.hostname];
    if (!dir) return route.abort('blockedbyclient');
    const file = normalize(join(dir, decodeURIComponent(url.pathname)));
    let body = null;
    if (file.startsWith(normalize(dir + sep))) body = await readFile(file).catch(() => null);
    if (!body) return route.fulfill({ status: 404, body: 'not found', contentType: 'text/plain' });
    return route.fulfill({ status: 200, body, contentType: TYPES[extname(file)] || 'application/octet-stream' });
  });
}

const DEBUG = !!process.env.KELISIM_SCAN_DEBUG;
let lapAt = Date.now();
/** With KELISIM_SCAN_DEBUG set: time since the previous step, on stderr. */
const lap = (what) => {
  if (!DEBUG) return;
  const now = Date.now();
  process.stderr.write(`scan: ${now - lapAt} ms ${what}\n`);
  lapAt = now;
};

/**
 * Waits until the network is quiet (at most `cap` ms), scrolls down a screen at a time (at most
 * 8) so lazily loaded content (loading="lazy" frames, trackers on scroll) loads, back to the top,
 * waits for quiet again, then `waitMs` more for timers.
 */
async function settle(page, { waitMs, idleCap = 5000 }) {
  lap('load ' + page.url());
  await page.waitForLoadState('networkidle', { timeout: idleCap }).catch(() => lap('network not idle'));
  const scrolled = await page.evaluate(async () => {
    const step = innerHeight;
    let n = 0;
    while (n < 8 && scrollY + innerHeight < document.documentElement.scrollHeight) {
      scrollBy(0, step);
      n++;
      await new Promise((r) => setTimeout(r, 100));
    }
    scrollTo(0, 0);
    return n;
  }).catch(() => 0);
  if (scrolled) await page.waitForLoadState('networkidle', { timeout: idleCap }).catch(() => lap('network not idle after scrolling'));
  lap('idle');
  await page.waitForTimeout(waitMs);
}

/** Same-origin page links of the current page (http/https, no fragment, no obvious non-pages). */
async function pageLinks(page, origin) {
  const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.href)).catch(() => []);
  const out = [];
  for (const h of hrefs) {
    let u;
    try { u = new URL(h); } catch { continue; }
    if (u.origin !== origin) continue;
    u.hash = '';
    if (/\.(md|txt|pdf|png|jpe?g|gif|svg|zip|gz|json|xml|css|js|mjs|wasm|ico|mp4|webm)$/i.test(u.pathname)) continue;
    out.push(u.href);
  }
  return out;
}

/** The storage areas the scan reads (a storage entry's `area`), in report order. */
export const STORAGE_AREAS = ['local', 'session', 'indexeddb', 'cache', 'service-worker'];

/**
 * What every frame of `page` that allows reading it keeps: localStorage and sessionStorage
 * keys, IndexedDB database names, Cache Storage cache names and the script URLs of its
 * origin's service workers, as [{ area, origin, key }].
 */
async function storageKeys(page) {
  const out = [];
  for (const f of page.frames()) {
    const r = await f.evaluate(async () => {
      const keys = (s) => { try { return Object.keys(s); } catch { return []; } };
      const names = async (get) => { try { return (await get()).filter((x) => typeof x === 'string'); } catch { return []; } };
      return {
        origin: location.origin,
        local: keys(globalThis.localStorage),
        session: keys(globalThis.sessionStorage),
        indexeddb: await names(async () => (await indexedDB.databases()).map((d) => d.name)),
        cache: await names(() => caches.keys()),
        'service-worker': await names(async () => (await navigator.serviceWorker.getRegistrations())
          .map((w) => (w.active || w.waiting || w.installing || {}).scriptURL)),
      };
    }).catch(() => null);
    if (!r || r.origin === 'null') continue;
    for (const area of STORAGE_AREAS) for (const key of r[area]) out.push({ area, origin: r.origin, key });
  }
  return out;
}

/**
 * Finds the control that makes the choice `action` ('reject' | 'accept'): kelisim's stable hook
 * `[data-kelisim-action="reject-all"|"accept-all"]` on a kelisim site, else (heuristic) a
 * visible button whose whole text is one of HEURISTIC_WORDS, in any frame. Returns
 * `{ locator, how: 'kelisim' | 'heuristic', label }` or null.
 */
async function findChoice(page, action, { kelisim, bannerTimeout }) {
  if (kelisim) {
    const loc = page.locator(`[data-kelisim-banner] [data-kelisim-action="${action}-all"]`).first();
    const shown = await loc.waitFor({ state: 'visible', timeout: bannerTimeout }).then(() => true, () => false);
    if (shown) return { locator: loc, how: 'kelisim', label: `[data-kelisim-action="${action}-all"]` };
  }
  const words = new Set(HEURISTIC_WORDS[action]);
  for (const f of page.frames()) {
    // Every candidate's text in one round trip; visibility only for the ones whose text matches.
    const texts = await f.$$eval(CLICKABLE, (els) => els.map((el) => (el.tagName === 'INPUT' ? el.value : el.innerText || el.textContent) || '')).catch(() => []);
    for (let i = 0; i < texts.length; i++) {
      if (!words.has(normText(texts[i]))) continue;
      const c = f.locator(CLICKABLE).nth(i);
      if (await c.isVisible().catch(() => false)) return { locator: c, how: 'heuristic', label: texts[i].trim().slice(0, 80) };
    }
  }
  return null;
}

/**
 * One pass in a fresh context. `o` = { state, startUrl, pages (list to visit; null = crawl
 * up to o.maxPages from startUrl), outDir, offlineMap (or null), waitMs, bannerTimeout }.
 * Returns { state, how, clicked, skipped, kelisim, consentName, declared (the 'none' pass on a
 * kelisim site: readDeclared), pages, screenshot, notes,
 * observed: { cookies, storage, requests } } — for 'reject'/'accept' only what happens after
 * the choice; the cookie jar is the one at the end. Throws ScanError when the start page
 * cannot be loaded.
 */
export async function runPass(browser, o) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const rec = await record(context, o.state === 'none');
    if (o.offlineMap) await routeOffline(context, o.offlineMap);
    const page = await context.newPage();
    lap(`${o.state}: new page`);
    await openStart(page, o);
    const kelisim = await page.evaluate(KELISIM_PRESENT).catch(() => false);
    const consentName = await page.evaluate(() => {
      const s = document.querySelector('script[data-policy][data-cookie-name]');
      return s ? s.getAttribute('data-cookie-name') : '';
    }).catch(() => '') || 'kelisim';
    const result = { state: o.state, kelisim, consentName, declared: [], kelisimChoices: null, how: 'none', clicked: null, skipped: null, pages: [], screenshot: null, notes: [] };
    const storage = [];
    const pass = {
      page, o, result,
      /** Screenshot of the page now as <state>.png (a failure is a note). */
      shot: () => page.screenshot({ path: join(o.outDir, `${o.state}.png`) })
        .then(() => { result.screenshot = `${o.state}.png`; }, (e) => result.notes.push(`screenshot failed: ${e.message}`)),
      /** Storage keys of the page now, when they count for this pass. */
      keepStorage: async () => { if (rec.after) storage.push(...(await storageKeys(page))); },
      /** Loads `url` and waits for it to settle; false (and a note) when it does not load. */
      visit: async (url) => {
        const ok = await page.goto(url, { waitUntil: 'load', timeout: 30000 }).then((r) => !r || r.status() < 400, () => false);
        if (!ok) { result.notes.push(`skipped ${url}: did not load`); return false; }
        await settle(page, o);
        await pass.keepStorage();
        return true;
      },
    };
    if (o.state === 'none') {
      result.pages = await crawl(pass, kelisim);
    } else {
      if (!(await choose(pass, kelisim, rec))) return result;
      // Every page again with the choice stored, the start page first (a reload).
      for (const p of o.pages) await pass.visit(p);
      result.pages = o.pages;
    }
    lap('pages done');
    const jar = await context.cookies();
    result.observed = {
      cookies: jar.map((c) => ({ name: c.name, domain: c.domain, path: c.path, expires: c.expires, setBy: settersOf(rec.writes, c) })),
      storage: dedupe(storage, (x) => `${x.area}|${x.origin}|${x.key}`).map((x) => ({ ...x, setBy: storageSetters(rec.writes, x) })),
      requests: rec.requests.filter((r) => r.after).map(({ url, type }) => ({ url, type })),
    };
    return result;
  } finally {
    await context.close().catch(() => {});
  }
}

/**
 * Starts recording in `context`: cookie and storage writes (init script + binding, Set-Cookie
 * headers) and requests, each stamped with `after` (whether the choice was made yet).
 * Returns { writes, requests, after } — set `after = true` at the click.
 */
async function record(context, after) {
  const rec = { writes: [], requests: [], after };
  await context.exposeBinding(BINDING, (_src, w) => {
    if (w && typeof w === 'object') rec.writes.push({ ...w, after: rec.after });
  });
  await context.addInitScript(`(${initScript})(${JSON.stringify(BINDING)})`);
  context.on('request', (r) => {
    const url = r.url();
    if (/^https?:/.test(url) && !r.headers()[SCAN_HEADER]) rec.requests.push({ url, type: r.resourceType(), after: rec.after });
  });
  context.on('response', async (r) => {
    const a = rec.after;
    const headers = await r.headersArray().catch(() => []);
    for (const h of headers) {
      if (h.name.toLowerCase() !== 'set-cookie') continue;
      for (const line of h.value.split('\n')) {
        const c = parseSetCookie(line);
        if (c.name) rec.writes.push({ kind: 'cookie', name: c.name, domain: c.domain, response: r.url(), after: a });
      }
    }
  });
  return rec;
}

/** Loads the start page and lets it settle; throws ScanError when it does not load. */
async function openStart(page, o) {
  const resp = await page.goto(o.startUrl, { waitUntil: 'load', timeout: 30000 }).catch((e) => {
    throw new ScanError(`cannot load ${o.startUrl}: ${String(e.message).split('\n')[0]}`);
  });
  if (resp && resp.status() >= 400) throw new ScanError(`cannot load ${o.startUrl}: HTTP ${resp.status()}`);
  await settle(page, o);
}

/**
 * The "no choice" pass after the start page loaded: the screenshot (with kelisim's banner
 * shown), the site's cookie declarations, then same-origin pages breadth first up to
 * o.maxPages. Returns the list of pages visited (reused by the other passes).
 */
async function crawl(pass, kelisim) {
  const { page, o, result } = pass;
  if (kelisim) {
    await page.locator('[data-kelisim-banner]').first().waitFor({ state: 'visible', timeout: o.bannerTimeout }).catch(() => {});
    result.declared = await page.evaluate(readDeclared).catch(() => []);
  }
  await pass.shot();
  await pass.keepStorage();
  const origin = new URL(o.startUrl).origin;
  const pages = [page.url()];
  const queue = await pageLinks(page, origin);
  while (pages.length < o.maxPages && queue.length) {
    const next = queue.shift();
    if (pages.includes(next) || !(await pass.visit(next))) continue;
    pages.push(next);
    for (const l of await pageLinks(page, origin)) if (!pages.includes(l) && !queue.includes(l)) queue.push(l);
  }
  return pages;
}

/**
 * Makes the pass's choice on the start page: finds the button (findChoice), clicks it, waits
 * for kelisim's banner to go, settles, takes the screenshot. Returns false (result.skipped
 * set) when there is no button or the click fails.
 */
async function choose(pass, kelisim, rec) {
  const { page, o, result } = pass;
  const choice = await findChoice(page, o.state, { kelisim, bannerTimeout: o.bannerTimeout });
  if (!choice) {
    result.skipped = kelisim ? 'no-kelisim-banner' : 'no-button-found';
    return false;
  }
  result.how = choice.how;
  result.clicked = choice.label;
  lap('found ' + choice.label);
  rec.after = true;
  try {
    await choice.locator.click({ timeout: 5000 });
  } catch (e) {
    result.skipped = 'click-failed';
    result.notes.push(`clicking ${choice.label} failed: ${String(e.message).split('\n')[0]}`);
    return false;
  }
  if (choice.how === 'kelisim') {
    await page.locator('[data-kelisim-banner]').waitFor({ state: 'detached', timeout: o.bannerTimeout })
      .catch(() => result.notes.push('the banner stayed after the click'));
  }
  await settle(page, o);
  if (choice.how === 'kelisim') {
    // kelisim's own account of the choice (state().choices), as evidence in the report.
    result.kelisimChoices = await page.evaluate(() => {
      const st = globalThis.kelisim && typeof globalThis.kelisim.state === 'function' ? globalThis.kelisim.state() : null;
      return st && st.choices && typeof st.choices === 'object' ? { ...st.choices } : null;
    }).catch(() => null);
  }
  await pass.shot();
  await pass.keepStorage();
  return true;
}

const dedupe = (list, key) => {
  const seen = new Set();
  return list.filter((x) => { const k = key(x); if (seen.has(k)) return false; seen.add(k); return true; });
};
const hostOf = (u) => { try { return new URL(u).hostname; } catch { return ''; } };
/** True when cookie domain `cd` (maybe with a leading dot) covers host `h`. */
const covers = (cd, h) => { const d = cd.replace(/^\./, ''); return h === d || h.endsWith('.' + d); };

/**
 * Who set jar cookie `c`: Set-Cookie responses (`via: 'set-cookie'`, the response URL) and
 * document.cookie/cookieStore writes (`via: 'script'`, the calling script's URL, or the page's
 * when the stack named none), restricted to writers whose host the cookie's domain covers.
 */
function settersOf(writes, c) {
  const out = [];
  for (const w of writes) {
    if (w.kind !== 'cookie' || w.name !== c.name) continue;
    if (w.response) {
      if (covers(c.domain, hostOf(w.response))) out.push({ via: 'set-cookie', url: w.response });
    } else if (covers(c.domain, hostOf(w.page))) {
      out.push(w.script ? { via: 'script', url: w.script } : { via: 'page', url: w.page });
    }
  }
  return dedupe(out, (s) => s.via + s.url).slice(0, 5);
}

/** Which scripts wrote storage key `s` (same origin and area), as for cookies. */
function storageSetters(writes, s) {
  const out = [];
  for (const w of writes) {
    if (w.kind !== 'storage' || w.name !== s.key || (w.area && w.area !== s.area)) continue;
    let origin = '';
    try { origin = new URL(w.page).origin; } catch { continue; }
    if (origin !== s.origin) continue;
    out.push(w.script ? { via: 'script', url: w.script } : { via: 'page', url: w.page });
  }
  return dedupe(out, (x) => x.via + x.url).slice(0, 5);
}
