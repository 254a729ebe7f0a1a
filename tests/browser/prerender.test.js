// [issue 14] The banner in the page (web/src/prerender.js, `kelisim/prerender`): a first visit's
// banner is painted by the page's first paint, before kelisim.js has arrived; kelisim.js puts
// its own in its place with no frame between them; a click made before it ran is carried out;
// a returning visitor never sees it; without kelisim.js it goes; a strict CSP with the two
// hashes it returns allows it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, startServer, REPO, CSP_WATCH, watchErrors, axe, formatViolations } from './helpers.js';
import { prerenderBanner } from '../../web/src/prerender.js';
import { renderPage } from '../../examples/prerender/build.mjs';

const MANIFEST = '/tests/fixtures/manifests/demo-v1.json';
const manifest = JSON.parse(readFileSync(join(REPO, MANIFEST), 'utf8'));
let browser;
let srv;
let site;   // the page examples/prerender/build.mjs renders: { html, csp, pre }

before(async () => {
  browser = await launchBrowser();
  srv = await startServer(REPO, { mounts: { '/kelisim': join(REPO, 'dist') } });
  srv.route('/js/marketing.js', "window.__ran && window.__ran('marketing');", 'text/javascript');
  const main = '<main><h1>Страница</h1><p>Текст страницы.</p><input id="q"></main>';
  // The manifest's address as a site gives it (root-relative): the policy link is resolved
  // against it, as kelisim.js resolves it, or the banner could not be taken over.
  site = renderPage(manifest, MANIFEST, { lang: 'ru', main });
  srv.route('/pre.html', site.html, 'text/html; charset=utf-8');
  // kelisim with storage: localStorage, and the check that looks there.
  srv.route('/pre-ls.html', renderPage(manifest, MANIFEST, { lang: 'ru', main, storage: 'localStorage' }).html, 'text/html; charset=utf-8');
  // A page rendered for the policy's previous version (its strings differ too): kelisim.js
  // replaces that banner instead of taking it over.
  const stale = prerenderBanner({ ...manifest, version: '0' }, { lang: 'ru', manifestUrl: MANIFEST, strings: { ru: { acceptAll: 'Согласен' } } });
  srv.route('/pre-stale.html', site.html.replace(site.pre.body, stale.body), 'text/html; charset=utf-8');
  // A manifest the core refuses (its policy link kept, so the banner could be taken over).
  srv.route('/pre-bad.html', site.html.replace('"updateRule":{"type":"implicit","days":7}', '"updateRule":{"type":"implicit","days":-7}'), 'text/html; charset=utf-8');
  // One that cannot even be read (kelisim fails before it would draw its banner).
  srv.route('/pre-broken.html', site.html.replace('"id":"kelisim-demo",', '"id":,'), 'text/html; charset=utf-8');
  // Without kelisim.js the prerendered banner goes (here after 300 ms, not 10 s).
  srv.route('/pre-timeout.html', renderPage(manifest, MANIFEST, { lang: 'ru', main, head: '<style>html { --kelisim-prerendered-timeout: 300ms }</style>' }).html, 'text/html; charset=utf-8');
});
after(async () => { await browser?.close(); await srv?.close(); });

/**
 * Init script: in every frame, what of kelisim's banner the visitor sees — [prerendered
 * banners shown, kelisim's own shown, the shown one's opacity] — from the first frame on.
 */
const FRAMES = () => {
  window.__frames = [];
  const shown = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el); return r.width > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const tick = () => {
    const all = [...document.querySelectorAll('[data-kelisim-banner]')].filter(shown);
    const preN = all.filter((el) => el.closest('[data-kelisim-prerendered]')).length;
    window.__frames.push([preN, all.length - preN, all.length ? Number(getComputedStyle(all[0]).opacity) : null, typeof window.kelisim]);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
};

/** A fresh context; the gated script (/js/marketing.js) sets window.__marketing. */
async function fresh() {
  const context = await browser.newContext({ locale: 'ru-RU' });
  await context.addInitScript(() => { window.__ran = (c) => { window['__' + c] = true; }; });
  return context;
}

/** A page whose kelisim.js is held until release() (the prerendered banner shows meanwhile). */
async function held(context) {
  let release;
  const gate = new Promise((r) => { release = r; });
  await context.route('**/kelisim/kelisim.js', async (route) => { await gate; await route.continue(); });
  return release;
}

/** Every frame from the first that showed a banner: exactly one, opaque after its first-frame fade. */
function oneBannerEachFrame(frames) {
  const first = frames.findIndex(([p, k]) => p + k > 0);
  assert.ok(first >= 0, 'a banner was seen');
  assert.equal(frames[first][0], 1, 'the first banner seen is the prerendered one');
  assert.equal(frames[first][3], 'undefined', 'seen before kelisim.js ran');
  for (const [i, [p, k, op]] of frames.slice(first + 1).entries()) {
    assert.equal(p + k, 1, `frame ${first + 1 + i}: one banner shown (${JSON.stringify(frames.slice(first, first + 2 + i))})`);
    assert.equal(op, 1, `frame ${first + 1 + i}: opaque (${JSON.stringify(frames.slice(first, first + 2 + i))})`);
  }
}

test('first visit: the prerendered banner is painted before kelisim.js runs, which takes it over (the same element, the focus kept, every frame one banner)', async () => {
  const context = await fresh();
  await context.addInitScript(FRAMES);
  const release = await held(context);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(srv.url + '/pre.html', { waitUntil: 'commit' });
  const preBanner = page.locator('[data-kelisim-prerendered] [data-kelisim-banner]');
  await preBanner.waitFor({ state: 'visible' });
  assert.equal(await page.evaluate(() => typeof window.kelisim), 'undefined', 'kelisim.js has not run');
  assert.equal(await page.evaluate(() => document.documentElement.hasAttribute('data-kelisim-first')), true);
  // As accessible as kelisim's own (the same markup): axe-core on it, before kelisim.js.
  const v = await axe(page, { include: ['[data-kelisim-prerendered]'] });
  assert.deepEqual(v, [], formatViolations(v));
  await preBanner.evaluate((el) => { el.__mark = 'prerendered'; });
  // Keyboard focus on its "reject all" before kelisim.js runs.
  await page.focus('[data-kelisim-prerendered] [data-kelisim-action="reject-all"]');
  release();
  await page.waitForFunction(() => window.kelisim && document.querySelector('[data-kelisim-root] [data-kelisim-banner]'));
  await page.waitForTimeout(300);
  assert.equal(await page.locator('[data-kelisim-prerendered]').count(), 0, 'no longer marked prerendered');
  assert.equal(await page.locator('[data-kelisim-root] [data-kelisim-banner]').evaluate((el) => el.__mark), 'prerendered', 'the same element, taken over');
  assert.equal(await page.locator('[data-kelisim-root]').count(), 1);
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('data-kelisim-action')), 'reject-all', 'focus stayed');
  assert.equal(await page.evaluate(() => window.kelisim.state().status), 'ready');
  oneBannerEachFrame(await page.evaluate(() => window.__frames));
  // Taken over: no longer under the prerendered banner's timeout (banner.css).
  assert.equal(await page.locator('[data-kelisim-root]').evaluate((el) => getComputedStyle(el).animationName), 'none');
  assert.equal(await page.evaluate(() => window.__marketing === true), false, 'nothing gated ran before consent');
  await page.keyboard.press('Enter');   // "reject all", from the focus it kept
  await page.locator('[data-kelisim-banner]').waitFor({ state: 'detached' });
  assert.equal((await page.evaluate(() => window.kelisim.state())).choices.marketing, false);
  // Its policy link is kelisim's: with no viewer, it navigates to the manifest's policyUrl.
  assert.deepEqual(errors, []);
  await context.close();
});

test('first visit: a prerendered banner of another policy version is replaced by kelisim\'s own in one task, the focus on the same button', async () => {
  const context = await fresh();
  await context.addInitScript(FRAMES);
  const release = await held(context);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(srv.url + '/pre-stale.html', { waitUntil: 'commit' });
  await page.locator('[data-kelisim-prerendered="kelisim-demo@0"] [data-kelisim-banner]').waitFor({ state: 'visible' });
  await page.focus('[data-kelisim-prerendered] [data-kelisim-action="accept-all"]');
  release();
  await page.waitForFunction(() => window.kelisim && document.querySelector('[data-kelisim-root] [data-kelisim-banner]'));
  await page.waitForTimeout(300);
  assert.equal(await page.locator('[data-kelisim-prerendered]').count(), 0, 'the prerendered banner is gone');
  assert.equal(await page.locator('[data-kelisim-banner]').count(), 1);
  assert.match(await page.locator('[data-kelisim-banner] [data-kelisim-action="accept-all"]').textContent(), /Принять все/);
  assert.equal(await page.evaluate(() => document.activeElement.closest('[data-kelisim-root]') && document.activeElement.getAttribute('data-kelisim-action')), 'accept-all', 'focus moved to the same button');
  oneBannerEachFrame(await page.evaluate(() => window.__frames));
  assert.deepEqual(errors, []);
  await context.close();
});

test('first visit: a click on the prerendered banner before kelisim.js has run is carried out once it has', async () => {
  const context = await fresh();
  const release = await held(context);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(srv.url + '/pre.html', { waitUntil: 'commit' });
  await page.click('[data-kelisim-prerendered] [data-kelisim-action="accept-all"]');
  assert.equal(await page.evaluate(() => document.documentElement.getAttribute('data-kelisim-early')), 'accept-all');
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => window.__marketing === true || !!document.cookie), false, 'nothing ran or was stored before kelisim.js');
  release();
  await page.waitForFunction(() => window.__marketing === true);
  const state = await page.evaluate(() => window.kelisim.state());
  assert.equal(state.decided, true);
  assert.deepEqual(state.choices, { necessary: true, analytics: true, marketing: true }, 'accept all');
  assert.match(await page.evaluate(() => document.cookie), /(^|; )kelisim=/);
  assert.equal(await page.locator('[data-kelisim-banner]').count(), 0);
  assert.equal(await page.evaluate(() => document.documentElement.hasAttribute('data-kelisim-early')), false);
  assert.deepEqual(errors, []);
  await context.close();
});

test('return visit: a stored choice, and the prerendered banner is never shown, in any frame (the cookie; localStorage with storage: localStorage)', async () => {
  for (const [path, cookie] of [['/pre.html', true], ['/pre-ls.html', false]]) {
    const context = await fresh();
    const page = await context.newPage();
    await page.goto(srv.url + path);
    await page.click('[data-kelisim-root] [data-kelisim-action="reject-all"]');
    await page.waitForFunction(() => window.kelisim.state().decided);
    assert.equal(/(^|; )kelisim=/.test(await page.evaluate(() => document.cookie)), cookie, `${path}: a cookie stored`);
    await context.addInitScript(FRAMES);
    await page.reload();
    await page.waitForFunction(() => window.kelisim && window.kelisim.state().status === 'ready');
    await page.waitForTimeout(300);
    const frames = await page.evaluate(() => window.__frames);
    assert.ok(frames.length > 3, 'frames were seen');
    assert.deepEqual(frames.filter(([p, k]) => p + k > 0), [], `${path}: no banner in any frame`);
    assert.equal(await page.evaluate(() => document.documentElement.hasAttribute('data-kelisim-first')), false);
    assert.equal(await page.locator('[data-kelisim-prerendered]').count(), 0, 'kelisim.js took it away');
    assert.equal(await page.evaluate(() => window.kelisim.state().decided), true);
    await context.close();
  }
});

test('a manifest the core refuses, or one that cannot be read: the prerendered banner goes, the error notice comes, nothing gated runs (fail closed)', async () => {
  for (const path of ['/pre-bad.html', '/pre-broken.html']) {
    assert.notEqual(await (await fetch(srv.url + path)).text(), site.html, `${path} differs`);
    const context = await fresh();
    const release = await held(context);
    const page = await context.newPage();
    await page.goto(srv.url + path, { waitUntil: 'commit' });
    await page.locator('[data-kelisim-prerendered] [data-kelisim-banner]').waitFor({ state: 'visible' });
    await page.click('[data-kelisim-prerendered] [data-kelisim-action="accept-all"]');   // kept, then refused
    release();
    await page.locator('[data-kelisim-notice="error"]').waitFor({ state: 'visible' });
    await page.waitForTimeout(300);
    assert.equal(await page.locator('[data-kelisim-banner]').count(), 0, `${path}: no banner, prerendered or drawn`);
    assert.equal(await page.evaluate(() => window.kelisim.state().status), 'error');
    assert.equal(await page.evaluate(() => window.__marketing === true || /(^|; )kelisim=/.test(document.cookie)), false, 'nothing ran or was stored');
    await context.close();
  }
});

test('kelisim.js never arrives: the prerendered banner goes after --kelisim-prerendered-timeout, and nothing gated runs', async () => {
  const context = await fresh();
  await context.addInitScript(FRAMES);
  await context.route('**/kelisim/kelisim.js', (route) => route.abort());
  const page = await context.newPage();
  await page.goto(srv.url + '/pre-timeout.html', { waitUntil: 'commit' });
  // Shown in some frame, then gone in a later one (the frames are recorded in the page: a
  // poll from here could miss the 300 ms it is shown on a loaded machine).
  await page.waitForFunction(() => {
    const f = window.__frames || [];
    const i = f.findIndex(([p]) => p === 1);
    return i >= 0 && f.slice(i).some(([p]) => p === 0);
  }, null, { timeout: 10000 });
  await page.waitForTimeout(200);
  assert.equal(await page.locator('[data-kelisim-prerendered] [data-kelisim-banner]').isVisible(), false);
  assert.equal(await page.evaluate(() => window.__marketing === true), false);
  await context.close();
});

test('a strict CSP that allows the two hashes prerenderBanner() returns: no violation, the banner before kelisim.js, consent works', async () => {
  // The policy examples/prerender/build.mjs prints for the page it renders.
  assert.match(site.csp, /script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/]+=*'; style-src 'self' 'sha256-/);
  const strict = await startServer(REPO, { mounts: { '/kelisim': join(REPO, 'dist') }, headers: { 'Content-Security-Policy': site.csp } });
  strict.route('/pre.html', site.html, 'text/html; charset=utf-8');
  strict.route('/js/marketing.js', "window.__ran && window.__ran('marketing');", 'text/javascript');
  const context = await fresh();
  await context.addInitScript(CSP_WATCH);
  const release = await held(context);
  const page = await context.newPage();
  const errors = watchErrors(page);
  try {
    await page.goto(strict.url + '/pre.html', { waitUntil: 'commit' });
    await page.locator('[data-kelisim-prerendered] [data-kelisim-banner]').waitFor({ state: 'visible' });
    // Styled by the inline stylesheet: fixed to the viewport.
    assert.equal(await page.locator('[data-kelisim-prerendered] [data-kelisim-banner]').evaluate((el) => getComputedStyle(el).position), 'fixed');
    release();
    await page.click('[data-kelisim-root] [data-kelisim-action="accept-all"]');
    await page.waitForFunction(() => window.__marketing === true);
    assert.deepEqual(await page.evaluate(() => window.__csp), []);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await strict.close();
  }
});
