// Storage under pressure, for both embeds: localStorage throwing, cookies disabled, both gone
// (memory), bad stored values, and two tabs staying in sync.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, startServer, REPO } from './helpers.js';
import { addRoutes, newPage, probe, assertProbeSound, ready, banner, prefs, nodeCore, manifestJson } from './banner-fixture.js';

let browser;
let srv;
before(async () => {
  browser = await launchBrowser();
  srv = await startServer(REPO);
  addRoutes(srv, {
    '/script.html': { embed: 'script' },
    '/esm.html': { embed: 'esm' },
    '/script-cookie.html': { embed: 'script', attrs: 'data-storage="cookie"' },
    '/esm-cookie.html': { embed: 'esm', options: { storage: 'cookie' } },
  });
});
after(async () => { await browser?.close(); await srv?.close(); });

const settle = (page) => page.evaluate(() => new Promise((r) => setTimeout(r, 50)));

// Safari private mode / sandboxed frames: touching localStorage throws.
const LS_THROWS = () => {
  Object.defineProperty(window, 'localStorage', { configurable: true, get() { throw new DOMException('The operation is insecure.', 'SecurityError'); } });
};
// Cookies blocked by the browser: writes vanish, reads are empty.
const COOKIES_OFF = () => {
  Object.defineProperty(Document.prototype, 'cookie', { configurable: true, get() { return ''; }, set() {} });
  Object.defineProperty(Navigator.prototype, 'cookieEnabled', { configurable: true, get() { return false; } });
};

for (const embed of ['script', 'esm']) {
  const url = () => `${srv.url}/${embed}.html`;

  test(`${embed}: localStorage throwing → the cookie takes over`, async () => {
    const { context, page } = await newPage(browser, { init: [LS_THROWS] });
    await page.goto(url());
    await banner(page).waitFor();
    assert.deepEqual(await page.evaluate(() => window.kelisim.state().storage), ['cookie']);
    await page.click('[data-kelisim-banner] [data-kelisim-action="accept-all"]');
    await page.waitForFunction(() => window.__probe.length === 4);
    assert.equal((await context.cookies()).filter((c) => c.name === 'kelisim').length, 1);
    await assertProbeSound(page);
    await page.reload();
    await ready(page);
    await page.waitForFunction(() => window.__probe.length === 4);
    assert.equal(await banner(page).count(), 0);
    assert.deepEqual(page.__errors, []);
    await context.close();
  });

  test(`${embed}: cookies disabled → localStorage takes over`, async () => {
    const { context, page } = await newPage(browser, { init: [COOKIES_OFF] });
    await page.goto(url());
    await banner(page).waitFor();
    assert.deepEqual(await page.evaluate(() => window.kelisim.state().storage), ['localStorage']);
    await page.click('[data-kelisim-banner] [data-kelisim-action="reject-all"]');
    await banner(page).waitFor({ state: 'detached' });
    assert.ok(await page.evaluate(() => localStorage.getItem('kelisim')));
    await page.reload();
    await ready(page);
    await settle(page);
    assert.equal(await banner(page).count(), 0);
    assert.deepEqual(await probe(page), []);
    await context.close();
  });

  test(`${embed}: no cookies and no localStorage → memory; the banner still works`, async () => {
    const { context, page } = await newPage(browser, { init: [COOKIES_OFF, LS_THROWS] });
    await page.goto(url());
    await banner(page).waitFor();
    assert.deepEqual(await page.evaluate(() => window.kelisim.state().storage), ['memory']);
    await settle(page);
    assert.deepEqual(await probe(page), []);
    await page.evaluate(() => { window.__allowed = ['analytics']; });
    await page.click('[data-kelisim-banner] [data-kelisim-action="settings"]');
    await prefs(page).locator('input[data-kelisim-category="analytics"]').check();
    await prefs(page).locator('[data-kelisim-action="save"]').click();
    await page.waitForFunction(() => window.__probe.length === 3);
    assert.deepEqual(await probe(page), ['analytics1', 'analytics2', 'analytics3']);
    await assertProbeSound(page);
    assert.equal(await page.evaluate(() => window.kelisim.state().decided), true);
    // Nothing persisted: the next page load asks again and runs nothing.
    await page.reload();
    await banner(page).waitFor();
    await settle(page);
    assert.deepEqual(await probe(page), []);
    await context.close();
  });

  test(`${embed}: a garbage or foreign stored value means the banner, and a valid copy wins`, async () => {
    const { context, page } = await newPage(browser);
    await page.goto(url());
    await banner(page).waitFor();
    await page.click('[data-kelisim-banner] [data-kelisim-action="accept-all"]');
    await page.waitForFunction(() => window.__probe.length === 4);
    const good = await page.evaluate(() => localStorage.getItem('kelisim'));
    // Cookie edited by hand (truncated): the valid localStorage copy is used and the cookie repaired.
    await page.evaluate((v) => { document.cookie = 'kelisim=' + v.slice(0, -3) + '; path=/'; }, good);
    await page.reload();
    await ready(page);
    await page.waitForFunction(() => window.__probe.length === 4);
    assert.equal(await banner(page).count(), 0);
    const cookie = (await context.cookies()).find((c) => c.name === 'kelisim');
    assert.equal(cookie.value, good, 'the truncated cookie was repaired from localStorage');
    // Both stores garbage: banner, nothing runs, and the state says why.
    await page.evaluate(() => { localStorage.setItem('kelisim', 'k1~garbage'); document.cookie = 'kelisim=k1~garbage; path=/'; });
    await page.reload();
    await banner(page).waitFor();
    await settle(page);
    assert.deepEqual(await probe(page), []);
    assert.equal(await page.evaluate(() => window.kelisim.state().reason), 'invalid-record');
    await context.close();
  });

  test(`${embed}: two tabs stay in sync (choice, then withdrawal)`, async () => {
    const { context, page: a } = await newPage(browser);
    const b = await context.newPage();
    await a.goto(url());
    await b.goto(url());
    await banner(a).waitFor();
    await banner(b).waitFor();
    await a.click('[data-kelisim-banner] [data-kelisim-action="accept-all"]');
    // Tab B closes its banner and runs the now-allowed scripts without a reload.
    await banner(b).waitFor({ state: 'detached' });
    await b.waitForFunction(() => window.__probe.length === 4);
    assert.deepEqual(await probe(b), ['analytics1', 'analytics2', 'marketing1', 'analytics3']);
    await assertProbeSound(b);
    await a.waitForFunction(() => window.__probe.length === 4);
    await assertProbeSound(a);
    // Withdrawal in B reaches A: A's scripts already ran, so A offers a reload.
    await b.evaluate(() => window.kelisim.withdraw());
    await a.waitForFunction(() => window.kelisim.allowed('analytics') === false);
    await a.locator('[data-kelisim-notice="reload"]').waitFor();
    assert.equal(await a.evaluate(() => window.kelisim.allowed('marketing')), false);
    await context.close();
  });

  test(`${embed}: two tabs stay in sync with cookie-only storage (BroadcastChannel)`, async () => {
    const { context, page: a } = await newPage(browser);
    const b = await context.newPage();
    await a.goto(`${srv.url}/${embed}-cookie.html`);
    await b.goto(`${srv.url}/${embed}-cookie.html`);
    await banner(a).waitFor();
    await banner(b).waitFor();
    await a.evaluate(() => window.kelisim.set({ marketing: true }));
    await banner(b).waitFor({ state: 'detached' });
    await b.waitForFunction(() => window.__probe.length === 1);
    assert.deepEqual(await probe(b), ['marketing1']);
    assert.equal(await a.evaluate(() => localStorage.getItem('kelisim')), null, 'cookie mode leaves localStorage alone');
    await assertProbeSound(b);
    await context.close();
  });
}

test('a bad value from another tab never replaces a good one', async () => {
  const { context, page } = await newPage(browser);
  await page.goto(`${srv.url}/script.html`);
  await banner(page).waitFor();
  await page.evaluate(() => window.kelisim.set({ analytics: true }));
  const good = await page.evaluate(() => localStorage.getItem('kelisim'));
  // Another tab (simulated) posts garbage on the channel and into localStorage.
  const other = await context.newPage();
  await other.goto(`${srv.url}/gated/analytics.js`);
  await other.evaluate(() => {
    new BroadcastChannel('kelisim:kelisim').postMessage({ value: 'k1~forged' });
    localStorage.setItem('kelisim', 'k1~forged');
  });
  await settle(page);
  await page.waitForTimeout(100);
  assert.equal(await page.evaluate(() => window.kelisim.allowed('analytics')), true);
  assert.equal(await page.evaluate(() => window.kelisim.state().decided), true);
  // Its own record is intact in the cookie, so the next load still knows the choice.
  const cookie = (await context.cookies()).find((c) => c.name === 'kelisim');
  assert.equal(cookie.value, good);
  await page.reload();
  await ready(page);
  assert.equal(await banner(page).count(), 0);
  assert.equal(await page.evaluate(() => window.kelisim.allowed('analytics')), true);
  await context.close();
});

test('a record of another policy on the same site is not this policy’s consent', async () => {
  const core = await nodeCore();
  const other = core.apply({ manifest: manifestJson('other-v1'), record: null, now: Date.now(), op: 'accept-all', newId: 'otherid123' });
  const { context, page } = await newPage(browser);
  await context.addCookies([{ name: 'kelisim', value: other.record, url: srv.url }]);
  await page.goto(`${srv.url}/script.html`);
  await banner(page).waitFor();
  await settle(page);
  assert.deepEqual(await probe(page), []);
  assert.equal(await page.evaluate(() => window.kelisim.state().reason), 'other-policy');
  assert.equal(await page.evaluate(() => window.kelisim.state().decided), false);
  await context.close();
});
