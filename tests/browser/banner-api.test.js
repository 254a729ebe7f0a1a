// The controller API beyond the banner buttons: re-prompt on a material update, receipt(),
// on()/unsubscribe, showPolicy() without a viewer, data-kelisim-open, destroy().
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, startServer, REPO } from './helpers.js';
import { addRoutes, newPage, probe, assertProbeSound, ready, banner, prefs, manifestJson } from './banner-fixture.js';

let browser;
let srv;
before(async () => {
  browser = await launchBrowser();
  srv = await startServer(REPO);
  addRoutes(srv, {
    '/v1.html': { embed: 'script' },
    '/v2.html': { embed: 'script', manifest: 'demo-v2-material' },
    '/esm-v1.html': { embed: 'esm' },
    '/esm-v2.html': { embed: 'esm', manifest: 'demo-v2-material' },
    '/noauto.html': { embed: 'esm', options: { autoShow: false, viewer: null } },
  });
  srv.route('/policy.html', '<!doctype html><html lang="en"><title>Policy</title><h1>Policy</h1></html>');
});
after(async () => { await browser?.close(); await srv?.close(); });

const settle = (page) => page.evaluate(() => new Promise((r) => setTimeout(r, 50)));

for (const embed of ['script', 'esm']) {
  const p = embed === 'esm' ? 'esm-' : '';
  test(`${embed}: a material update asks again, prefilled, with nothing running meanwhile`, async () => {
    const { context, page } = await newPage(browser);
    await page.goto(`${srv.url}/${p}v1.html`);
    await banner(page).waitFor();
    await page.evaluate(() => window.kelisim.set({ analytics: true }));
    await page.waitForFunction(() => window.__probe.length === 3);
    const updates = [];
    await page.exposeFunction('__upd', (d) => updates.push(d));
    await page.addInitScript(() => document.addEventListener('kelisim:update', (e) => window.__upd({ action: e.detail.action, reason: e.detail.reason })));
    await page.goto(`${srv.url}/${p}v2.html`);
    await banner(page).waitFor();
    await settle(page);
    assert.deepEqual(await probe(page), [], 'old consent is not in force for a material update');
    assert.deepEqual(updates, [{ action: 'reprompt', reason: 'update-material' }]);
    assert.equal(await page.evaluate(() => window.kelisim.allowed('analytics')), false);
    const r = await page.evaluate(() => window.kelisim.receipt());
    assert.equal(r.policy.version, '1');
    assert.equal(r.inForce, false);
    await page.click('[data-kelisim-banner] [data-kelisim-action="settings"]');
    await prefs(page).waitFor();
    assert.equal(await prefs(page).locator('input[data-kelisim-category="analytics"]').isChecked(), true, 'previous choice prefilled');
    assert.equal(await prefs(page).locator('input[data-kelisim-category="marketing"]').isChecked(), false);
    await prefs(page).locator('[data-kelisim-action="save"]').click();
    await page.waitForFunction(() => window.__probe.length === 3);
    await assertProbeSound(page);
    const r2 = await page.evaluate(() => window.kelisim.receipt());
    assert.equal(r2.policy.version, '2');
    assert.equal(r2.policy.bodyHash, manifestJson('demo-v2-material').bodyHash);
    assert.equal(r2.inForce, true);
    assert.deepEqual(r2.history.map((h) => h.op), ['set', 'set']);
    assert.equal(r2.history[1].prevHash, r2.history[0].hash);
    await context.close();
  });
}

test('receipt(), on() and unsubscribe, state() before and after', async () => {
  const { context, page } = await newPage(browser);
  await page.goto(`${srv.url}/v1.html`);
  await ready(page);
  assert.equal(await page.evaluate(() => window.kelisim.receipt()), null);
  const seen = await page.evaluate(async () => {
    const k = window.kelisim;
    const got = [];
    const off = k.on('change', (d) => got.push(Object.keys(d.changed).sort().join(',')));
    k.on('kelisim:consent', (d) => got.push('consent:' + d.op));
    await k.acceptAll();
    off();
    await k.rejectAll();
    return got;
  });
  assert.deepEqual(seen, ['analytics,marketing', 'consent:accept-all', 'consent:reject-all']);
  const r = await page.evaluate(() => window.kelisim.receipt());
  const m = manifestJson('demo-v1');
  assert.equal(r.policy.id, m.id);
  assert.equal(r.policy.bodyHash, m.bodyHash);
  assert.equal(r.controller, m.controller);
  assert.equal(r.method, 'explicit');
  assert.equal(r.language, 'ru');
  assert.match(r.recordId, /^[A-Za-z0-9_-]{8,32}$/);
  assert.deepEqual(r.categories.map((c) => c.state), ['on', 'off', 'off']);
  // Titles from the policy's texts file (demo-v1.texts.json): the manifest itself has none.
  assert.equal(m.categories[0].title, undefined);
  assert.deepEqual(r.categories.map((c) => c.title), ['Необходимые', 'Аналитика', 'Маркетинг']);
  assert.equal(r.history.length, 2);
  const code = await page.evaluate(() => { try { window.kelisim.on('nope', () => {}); } catch (e) { return e.code; } });
  assert.equal(code, 'bad-argument');
  await context.close();
});

test('showPolicy() with viewer: null opens the policy page at the clause; data-kelisim-open works', async () => {
  const { context, page } = await newPage(browser);
  await page.goto(`${srv.url}/noauto.html`);
  await ready(page);
  await settle(page);
  assert.equal(await banner(page).count(), 0, 'autoShow: false');
  // From a click (a user activation), as a site's "Privacy policy, clause 4.1.5" link would.
  await page.evaluate(() => {
    const b = document.createElement('button');
    b.id = 'pol';
    b.textContent = 'policy';
    b.onclick = () => window.kelisim.showPolicy({ clause: '4.1.5' });
    document.body.append(b);
  });
  const [popup] = await Promise.all([context.waitForEvent('page'), page.click('#pol')]);
  await popup.waitForLoadState();
  assert.equal(popup.url(), `${srv.url}/policy.html#p-4.1.5`);
  await popup.close();
  await page.evaluate(() => window.kelisim.showBanner());
  await banner(page).waitFor();
  await page.click('#open-prefs');
  await prefs(page).waitFor();
  await page.keyboard.press('Escape');
  await prefs(page).waitFor({ state: 'detached' });
  await context.close();
});

test('destroy() removes the UI and stops gating', async () => {
  const { context, page } = await newPage(browser);
  await page.goto(`${srv.url}/v1.html`);
  await banner(page).waitFor();
  await page.evaluate(() => window.kelisim.destroy());
  assert.equal(await page.locator('[data-kelisim-root]').count(), 0);
  await page.click('#open-prefs');
  await settle(page);
  assert.equal(await prefs(page).count(), 0);
  assert.deepEqual(await probe(page), []);
  await context.close();
});

test('Global Privacy Control reaches the core: a re-prompt prefills gpcOff categories off', async () => {
  const GPC = () => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { configurable: true, get: () => true });
  for (const [init, marketing] of [[[], true], [[GPC], false]]) {
    const { context, page } = await newPage(browser, { init });
    await page.goto(`${srv.url}/v1.html`);
    await ready(page);
    await page.evaluate(() => window.kelisim.acceptAll());
    await page.goto(`${srv.url}/v2.html`);
    await banner(page).waitFor();
    await page.click('[data-kelisim-banner] [data-kelisim-action="settings"]');
    await prefs(page).waitFor();
    assert.equal(await prefs(page).locator('input[data-kelisim-category="analytics"]').isChecked(), true);
    assert.equal(await prefs(page).locator('input[data-kelisim-category="marketing"]').isChecked(), marketing,
      `marketing (gpcOff) prefilled ${marketing ? 'on' : 'off'} with GPC ${init.length ? 'on' : 'off'}`);
    await context.close();
  }
});
