// Issue 14, the banner path; its times are the bench's (bench/anchors.mjs), never asserted
// here. The banner is not the page's Largest Contentful Paint on a phone: on the bench's
// kelisim page at 390 px its text block is larger than any of the page's own, yet the LCP
// entry names the page's element, because the banner's first frame is painted at opacity 0
// (web/src/ui/banner.css). The script's own task reads no store; the banner's stylesheet
// counts as loaded once it applies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, startServer, REPO } from './helpers.js';

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true, locale: 'ru-RU' };
let browser;
let srv;
before(async () => {
  browser = await launchBrowser();
  srv = await startServer(REPO, { routes: { '/policy.html': '<!doctype html><title>p</title>' } });
});
after(async () => { await browser?.close(); await srv?.close(); });

const LCP = () => {
  window.__lcp = [];
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) {
      window.__lcp.push({ size: e.size, tag: e.element && e.element.tagName, banner: !!(e.element && e.element.closest('[data-kelisim-banner]')) });
    }
  }).observe({ type: 'largest-contentful-paint', buffered: true });
};

for (const reducedMotion of ['no-preference', 'reduce']) {
  test(`phone, 390 px (prefers-reduced-motion: ${reducedMotion}): the banner is shown, opaque, and not the LCP element`, async () => {
    const context = await browser.newContext({ ...PHONE, reducedMotion });
    await context.addInitScript(LCP);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${srv.url}/bench/pages/kelisim/`);
    const text = page.locator('[data-kelisim-banner] .kelisim-text');
    await text.waitFor();
    await page.waitForTimeout(300);
    // The premise: the banner's text block outsizes every block of the page's own.
    const [bannerArea, pageArea] = await page.evaluate(() => {
      const area = (el) => { const r = el.getBoundingClientRect(); return r.width * r.height; };
      return [area(document.querySelector('[data-kelisim-banner] .kelisim-text')), Math.max(...[...document.querySelectorAll('main > *')].map(area))];
    });
    assert.ok(bannerArea > pageArea, `banner text ${bannerArea} px² > the page's largest block ${pageArea} px²`);
    assert.equal(await page.locator('[data-kelisim-banner]').evaluate((el) => getComputedStyle(el).opacity), '1');
    const lcp = await page.evaluate(() => window.__lcp);
    assert.ok(lcp.length > 0, 'an LCP entry was reported');
    const last = lcp.at(-1);
    assert.equal(last.banner, false, `LCP entries: ${JSON.stringify(lcp)}`);
    assert.ok(lcp.every((e) => !e.banner), `no LCP candidate inside the banner: ${JSON.stringify(lcp)}`);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

// The script's own task stays short (issue 14, TBT at 4× CPU): kelisim.js's evaluation issues
// the banner's requests and sets the controller up, but reads no store and listens for no
// storage event: the first reads of the cookie and localStorage, and the storage listener,
// cost the main thread ~25 ms there (bench/anchors.mjs, session 8). They come in a later task,
// and the banner is still drawn from what they found.
const WATCH_STORES = () => {
  window.__touches = [];
  const during = () => { const s = document.currentScript; return !!(s && /\/kelisim\.js$/.test(s.src)); };
  const note = (what) => window.__touches.push([what, during()]);
  const cd = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  Object.defineProperty(Document.prototype, 'cookie', { configurable: true, get() { note('cookie'); return cd.get.call(this); }, set(v) { cd.set.call(this, v); } });
  const owner = Object.getOwnPropertyDescriptor(window, 'localStorage') ? window : Window.prototype;
  const ld = Object.getOwnPropertyDescriptor(owner, 'localStorage');
  Object.defineProperty(owner, 'localStorage', { configurable: true, get() { note('localStorage'); return ld.get.call(this); } });
  const add = EventTarget.prototype.addEventListener;
  EventTarget.prototype.addEventListener = function (type, ...rest) { if (type === 'storage') note('listen:storage'); return add.call(this, type, ...rest); };
};

test('kelisim.js reads no store while it evaluates: the stores are read in a later task, and a first visit still gets its banner, focused', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ru-RU' });
  await context.addInitScript(WATCH_STORES);
  const page = await context.newPage();
  await page.goto(`${srv.url}/bench/pages/kelisim/`);
  await page.locator('[data-kelisim-banner]').waitFor();
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r))));
  const touches = await page.evaluate(() => window.__touches);
  assert.ok(touches.some(([w]) => w === 'cookie') && touches.some(([w]) => w === 'localStorage'), `both stores were read: ${JSON.stringify(touches)}`);
  assert.deepEqual(touches.filter(([, during]) => during), [], 'nothing touched during the evaluation');
  assert.equal(await page.evaluate(() => document.activeElement.hasAttribute('data-kelisim-banner')), true, 'focus moved into the banner');
  await context.close();
});

// The banner's stylesheet counts as loaded once it applies (link.sheet is set), not only at its
// load event, which Chromium fires after the page's next rendering (issue 14, phone time to
// banner). Shown with the load and error events withheld from the page, and the 3 s fallback
// timer too: only the sheet itself can let the banner be drawn.
const NO_LINK_EVENTS = () => {
  const add = EventTarget.prototype.addEventListener;
  EventTarget.prototype.addEventListener = function (type, ...rest) {
    if (this instanceof HTMLLinkElement && (type === 'load' || type === 'error')) return undefined;
    return add.call(this, type, ...rest);
  };
  const st = window.setTimeout;
  window.setTimeout = (fn, ms, ...a) => (ms === 3000 ? 0 : st(fn, ms, ...a));
};

for (const page of ['kelisim', 'kelisim-preload']) {
  test(`${page}: the banner is drawn once its stylesheet applies, without its load event; it is styled`, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ru-RU' });
    await context.addInitScript(NO_LINK_EVENTS);
    const p = await context.newPage();
    await p.goto(`${srv.url}/bench/pages/${page}/`);
    await p.locator('[data-kelisim-banner]').waitFor({ timeout: 10000 });
    assert.equal(await p.evaluate(() => getComputedStyle(document.querySelector('[data-kelisim-banner]')).position), 'fixed', 'the stylesheet applies');
    await context.close();
  });
}
