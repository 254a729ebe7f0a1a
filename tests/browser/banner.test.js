// The banner's consent flows, for both embeds (script tag and ESM import): first visit,
// accept / reject / custom, reload, withdrawal, fail-closed start-up, Consent Mode.
// Every test ends with assertProbeSound: no gated script ran before its category was allowed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, startServer, REPO } from './helpers.js';
import { addRoutes, newPage, probe, assertProbeSound, ready, banner, prefs, nodeCore, manifestJson, watchErrors, acceptAllRunsAll, ALL_RAN, holdRoute } from './banner-fixture.js';

let browser;
let srv;
before(async () => {
  browser = await launchBrowser();
  srv = await startServer(REPO);
  addRoutes(srv, {
    '/script.html': { embed: 'script' },
    '/esm.html': { embed: 'esm' },
    '/script-cm.html': { embed: 'script', attrs: 'data-consent-mode="true"' },
    '/esm-cm.html': { embed: 'esm', options: { consentMode: true } },
    '/script-badwasm.html': { embed: 'script', attrs: 'data-policy-url="/policy.html"', head: '' },
    '/script-invalid.html': { embed: 'script', manifest: 'invalid-hash' },
    '/esm-invalid.html': { embed: 'esm', manifest: 'invalid-hash' },
    '/esm-badwasm.html': { embed: 'esm', options: { consentWasm: '/nope/kelisim-consent.wasm', policyUrl: '/policy.html' } },
    '/script-missing.html': { embed: 'script', manifest: 'does-not-exist' },
    '/script-sync.html': { embed: 'script', defer: false },
    '/script-sync-missing.html': { embed: 'script', defer: false, manifest: 'does-not-exist', attrs: 'data-policy-url="/policy.html"' },
    '/script-linked.html': { embed: 'script', head: '<link rel="stylesheet" href="/dist/kelisim.css">' },
    '/script-report.html': { embed: 'script', head: '<script>window.kelisimConfig = { reportUrl: "/collect" };</script>' },
    '/esm-report.html': { embed: 'esm', options: { reportUrl: '/collect' } },
    // A site naming the full consent module (a superset of the banner build) instead.
    '/script-fullwasm.html': { embed: 'script', head: '<script>window.kelisimConfig = { consentWasm: "/dist/kelisim-consent.wasm" };</script>' },
    '/esm-fullwasm.html': { embed: 'esm', options: { consentWasm: '/dist/kelisim-consent.wasm' } },
  });
});
after(async () => { await browser?.close(); await srv?.close(); });

const EMBEDS = ['script', 'esm'];
const stored = async (page) => {
  const core = await nodeCore();
  const ls = await page.evaluate(() => localStorage.getItem('kelisim'));
  const d = core.decodeRecord(ls);
  return d.ok ? d.record : null;
};
const settle = (page) => page.evaluate(() => new Promise((r) => setTimeout(r, 50)));

for (const embed of EMBEDS) {
  const url = () => `${srv.url}/${embed}.html`;

  test(`${embed}: first visit shows the banner, runs no gated script, stores nothing`, async () => {
    const { context, page } = await newPage(browser);
    await page.goto(url());
    await ready(page);
    await banner(page).waitFor();
    assert.equal(await banner(page).getAttribute('role'), 'dialog');
    assert.match(await banner(page).innerText(), /Принять все[\s\S]*Отклонить все[\s\S]*Настроить/);
    const st = await page.evaluate(() => window.kelisim.state());
    assert.equal(st.status, 'ready');
    assert.equal(st.action, 'banner');
    assert.equal(st.decided, false);
    assert.deepEqual(st.choices, { necessary: true, analytics: false, marketing: false });
    assert.equal(await page.evaluate(() => window.kelisim.allowed('analytics')), false);
    assert.equal(await page.evaluate(() => window.kelisim.allowed('necessary')), true);
    await settle(page);
    assert.deepEqual(await probe(page), []);
    assert.equal(await page.evaluate(() => localStorage.getItem('kelisim')), null);
    assert.deepEqual((await context.cookies()).filter((c) => c.name === 'kelisim'), []);
    // The gated scripts are still inert in the DOM.
    assert.equal(await page.locator('script[type="text/plain"][data-kelisim-category]').count(), 4);
    assert.deepEqual(page.__errors, []);
    await context.close();
  });

  test(`${embed}: Accept all runs every gated script once, in document order; reload shows no banner`, async () => {
    const { context, page } = await newPage(browser);
    const events = [];
    await page.exposeFunction('__event', (e) => events.push(e));
    await page.addInitScript(() => {
      for (const n of ['consent', 'change', 'update', 'error']) {
        document.addEventListener('kelisim:' + n, (e) => window.__event({ type: n, op: e.detail && e.detail.op, changed: e.detail && e.detail.changed }));
      }
    });
    await page.goto(url());
    await banner(page).waitFor();
    await page.click('[data-kelisim-banner] [data-kelisim-action="accept-all"]');
    await banner(page).waitFor({ state: 'detached' });
    await page.waitForFunction(() => window.__probe.length === 4);
    await settle(page);
    assert.deepEqual(await probe(page), ['analytics1', 'analytics2', 'marketing1', 'analytics3']);
    assert.ok(events.some((e) => e.type === 'change' && e.op === 'accept-all' && e.changed.analytics === true && e.changed.marketing === true));
    assert.ok(events.some((e) => e.type === 'consent'));
    // Stored in both places; cookie attributes as documented.
    const rec = await stored(page);
    assert.equal(rec.policyId, 'kelisim-demo');
    assert.deepEqual(rec.choices, { necessary: true, analytics: true, marketing: true });
    const [cookie] = (await context.cookies()).filter((c) => c.name === 'kelisim');
    assert.equal(cookie.sameSite, 'Lax');
    assert.equal(cookie.path, '/');
    assert.equal(cookie.secure, false); // http test server; Secure is set on https
    const days = (cookie.expires * 1000 - Date.now()) / 86400000;
    assert.ok(days > 399 && days <= 400, `cookie lifetime ${days} days`);
    assert.equal(decodeURIComponent(cookie.value), await page.evaluate(() => localStorage.getItem('kelisim')));
    // The hash-chained history got one entry.
    const hist = await page.evaluate(() => JSON.parse(localStorage.getItem('kelisim:history')));
    assert.equal(hist.length, 1);
    assert.equal(hist[0].op, 'accept-all');
    assert.equal(hist[0].prevHash, '');
    await assertProbeSound(page);

    await page.reload();
    await ready(page);
    await page.waitForFunction(() => window.__probe.length === 4);
    await settle(page);
    assert.equal(await banner(page).count(), 0);
    assert.deepEqual(await probe(page), ['analytics1', 'analytics2', 'marketing1', 'analytics3']);
    assert.equal(await page.evaluate(() => window.kelisim.state().reason), 'current');
    await assertProbeSound(page);
    assert.deepEqual(page.__errors, []);
    await context.close();
  });

  test(`${embed}: Reject all runs nothing, now or after reload`, async () => {
    const { context, page } = await newPage(browser);
    await page.goto(url());
    await banner(page).waitFor();
    await page.click('[data-kelisim-banner] [data-kelisim-action="reject-all"]');
    await banner(page).waitFor({ state: 'detached' });
    await settle(page);
    assert.deepEqual(await probe(page), []);
    assert.deepEqual((await stored(page)).choices, { necessary: true, analytics: false, marketing: false });
    await page.reload();
    await ready(page);
    await settle(page);
    assert.equal(await banner(page).count(), 0);
    assert.deepEqual(await probe(page), []);
    assert.equal(await page.evaluate(() => window.kelisim.state().decided), true);
    await context.close();
  });

  test(`${embed}: a custom choice in the preferences runs only the chosen category`, async () => {
    const { context, page } = await newPage(browser);
    await page.goto(url());
    await banner(page).waitFor();
    await page.click('[data-kelisim-banner] [data-kelisim-action="settings"]');
    await prefs(page).waitFor();
    // The required category is locked on.
    const nec = prefs(page).locator('input[data-kelisim-category="necessary"]');
    assert.equal(await nec.isChecked(), true);
    assert.equal(await nec.isDisabled(), true);
    await prefs(page).getByLabel('Аналитика').check();
    await settle(page);
    assert.deepEqual(await probe(page), [], 'toggling alone must not run anything');
    await prefs(page).locator('[data-kelisim-action="save"]').click();
    await prefs(page).waitFor({ state: 'detached' });
    assert.equal(await banner(page).count(), 0);
    await page.waitForFunction(() => window.__probe.length === 3);
    await settle(page);
    assert.deepEqual(await probe(page), ['analytics1', 'analytics2', 'analytics3']);
    await assertProbeSound(page);
    await page.reload();
    await ready(page);
    await page.waitForFunction(() => window.__probe.length === 3);
    await settle(page);
    assert.deepEqual(await probe(page), ['analytics1', 'analytics2', 'analytics3']);
    assert.equal(await page.evaluate(() => window.kelisim.allowed('marketing')), false);
    // Later adding marketing through the API runs just the marketing script.
    await page.evaluate(() => window.kelisim.set({ marketing: true }));
    await page.waitForFunction(() => window.__probe.length === 4);
    assert.deepEqual(await probe(page), ['analytics1', 'analytics2', 'analytics3', 'marketing1']);
    await assertProbeSound(page);
    // Unknown or required categories are refused with a coded error and nothing changes.
    const err = await page.evaluate(() => window.kelisim.set({ nosuch: true }).then(() => null, (e) => e.code));
    assert.equal(err, 'unknown-category');
    const err2 = await page.evaluate(() => window.kelisim.set({ necessary: false }).then(() => null, (e) => e.code));
    assert.equal(err2, 'required-category');
    assert.equal(await page.evaluate(() => window.kelisim.allowed('marketing')), true);
    await context.close();
  });

  test(`${embed}: withdrawal turns optional categories off, clears their cookies, offers a reload`, async () => {
    const { context, page } = await newPage(browser);
    await page.goto(url());
    await banner(page).waitFor();
    await page.click('[data-kelisim-banner] [data-kelisim-action="accept-all"]');
    await page.waitForFunction(() => window.__probe.length === 4);
    await assertProbeSound(page);
    // The fake analytics sets its cookies; the manifest lists `_ka`, `_ka_*` for analytics.
    await page.evaluate(() => { document.cookie = '_ka=1; path=/'; document.cookie = '_ka_x=2; path=/'; document.cookie = 'site=keep; path=/'; });
    const changes = [];
    await page.exposeFunction('__change', (c) => changes.push(c));
    await page.evaluate(() => window.kelisim.on('change', (d) => window.__change(d.changed)));
    await page.click('#open-prefs');
    await prefs(page).waitFor();
    await prefs(page).locator('[data-kelisim-action="withdraw"]').click();
    await prefs(page).waitFor({ state: 'detached' });
    const notice = page.locator('[data-kelisim-notice="reload"]');
    await notice.waitFor();
    assert.match(await notice.innerText(), /Перезагрузите страницу/);
    const names = (await context.cookies()).map((c) => c.name).sort();
    assert.deepEqual(names, ['kelisim', 'site']);
    assert.deepEqual(changes, [{ analytics: false, marketing: false }]);
    assert.deepEqual((await stored(page)).choices, { necessary: true, analytics: false, marketing: false });
    const hist = await page.evaluate(() => JSON.parse(localStorage.getItem('kelisim:history')));
    assert.deepEqual(hist.map((h) => h.op), ['accept-all', 'withdraw']);
    assert.equal(hist[1].prevHash, hist[0].hash, 'history is hash-chained');
    await Promise.all([page.waitForNavigation(), notice.locator('[data-kelisim-action="reload"]').click()]);
    await ready(page);
    await settle(page);
    assert.deepEqual(await probe(page), []);
    assert.equal(await banner(page).count(), 0, 'a withdrawal is a choice: no banner after reload');
    await context.close();
  });

  test(`${embed}: fail closed when the wasm cannot load`, async () => {
    const { context, page } = await newPage(browser);
    // The script tag loads the consent module next to itself (the banner build); the ESM page
    // names one that does not exist (consentWasm).
    if (embed === 'script') await page.route('**/kelisim-consent-banner.wasm', (r) => r.fulfill({ status: 404, body: 'no' }));
    const errors = [];
    await page.exposeFunction('__err', (e) => errors.push(e));
    await page.addInitScript(() => document.addEventListener('kelisim:error', (e) => window.__err(e.detail.code)));
    await page.goto(`${srv.url}/${embed}-badwasm.html`);
    await ready(page);
    const notice = page.locator('[data-kelisim-notice="error"]');
    await notice.waitFor();
    assert.match(await notice.innerText(), /Не удалось загрузить/);
    assert.equal(await notice.locator('a').getAttribute('href'), `${srv.url}/policy.html`);
    assert.deepEqual(errors, ['wasm-load']);
    assert.equal(await page.evaluate(() => window.kelisim.state().status), 'error');
    assert.equal(await page.evaluate(() => window.kelisim.allowed('necessary')), false);
    const code = await page.evaluate(() => window.kelisim.acceptAll().then(() => null, (e) => e.code));
    assert.equal(code, 'wasm-load');
    await settle(page);
    assert.deepEqual(await probe(page), []);
    assert.equal(await banner(page).count(), 0);
    await context.close();
  });

  test(`${embed}: fail closed on an invalid manifest, keeping what was stored`, async () => {
    const { context, page } = await newPage(browser);
    await page.goto(url());
    await banner(page).waitFor();
    await page.click('[data-kelisim-banner] [data-kelisim-action="accept-all"]');
    await page.waitForFunction(() => window.__probe.length === 4);
    const before = await page.evaluate(() => localStorage.getItem('kelisim'));
    await page.goto(`${srv.url}/${embed}-invalid.html`);
    await ready(page);
    await page.locator('[data-kelisim-notice="error"]').waitFor();
    assert.equal((await page.evaluate(() => window.kelisim.state().error)).code, 'manifest-invalid');
    await settle(page);
    assert.deepEqual(await probe(page), [], 'gated scripts never run after a failed start');
    assert.equal(await page.evaluate(() => localStorage.getItem('kelisim')), before);
    await context.close();
  });

  test(`${embed}: Google Consent Mode v2 gets denied defaults first, then updates on each choice`, async () => {
    const { context, page } = await newPage(browser);
    await page.goto(`${srv.url}/${embed}-cm.html`);
    await banner(page).waitFor();
    const dl = () => page.evaluate(() => window.dataLayer.map((a) => Array.from(a)));
    const first = (await dl())[0];
    assert.deepEqual(first.slice(0, 2), ['consent', 'default']);
    assert.equal(first[2].analytics_storage, 'denied');
    assert.equal(first[2].ad_storage, 'denied');
    assert.equal(first[2].ad_user_data, 'denied');
    assert.equal(first[2].ad_personalization, 'denied');
    await page.evaluate(() => window.kelisim.set({ analytics: true }));
    const last = (await dl()).at(-1);
    assert.deepEqual(last.slice(0, 2), ['consent', 'update']);
    assert.equal(last[2].analytics_storage, 'granted');
    assert.equal(last[2].ad_storage, 'denied');
    await page.evaluate(() => window.kelisim.acceptAll());
    assert.equal((await dl()).at(-1)[2].ad_personalization, 'granted');
    await assertProbeSound(page);
    await context.close();
  });
}

// The consent module each page requested (pathnames of *.wasm requests).
const wasmRequests = (page) => {
  const urls = [];
  page.on('request', (r) => { const u = new URL(r.url()).pathname; if (u.endsWith('.wasm')) urls.push(u); });
  return urls;
};

for (const embed of EMBEDS) {
  test(`${embed}: the first visit loads the banner build of the consent module, not the full one`, async () => {
    const { context, page } = await newPage(browser);
    const wasm = wasmRequests(page);
    await page.goto(`${srv.url}/${embed}.html`);
    await banner(page).waitFor();
    await page.click('[data-kelisim-banner] [data-kelisim-action="reject-all"]');
    await page.waitForFunction(() => window.kelisim.state().decided);
    await page.reload();
    await ready(page);
    await settle(page);
    assert.equal(await banner(page).count(), 0);
    assert.deepEqual(wasm, ['/dist/kelisim-consent-banner.wasm', '/dist/kelisim-consent-banner.wasm']);
    assert.deepEqual(await probe(page), []);
    await context.close();
  });

  test(`${embed}: a site passing consentWasm = the full module: banner, choices, reload and withdrawal work`, async () => {
    const { context, page } = await newPage(browser);
    const wasm = wasmRequests(page);
    await page.goto(`${srv.url}/${embed}-fullwasm.html`);
    await acceptAllRunsAll(page);
    assert.deepEqual((await stored(page)).choices, { necessary: true, analytics: true, marketing: true });
    await assertProbeSound(page);
    await page.reload();
    await ready(page);
    await page.waitForFunction(() => window.__probe.length === 4);
    assert.equal(await banner(page).count(), 0);
    assert.equal(await page.evaluate(() => window.kelisim.state().reason), 'current');
    await page.evaluate(() => window.kelisim.withdraw());
    assert.deepEqual((await stored(page)).choices, { necessary: true, analytics: false, marketing: false });
    const hist = await page.evaluate(() => JSON.parse(localStorage.getItem('kelisim:history')));
    assert.deepEqual(hist.map((h) => h.op), ['accept-all', 'withdraw']);
    await assertProbeSound(page);
    assert.deepEqual(wasm, ['/dist/kelisim-consent.wasm', '/dist/kelisim-consent.wasm'], 'only the module the site named');
    await context.close();
  });
}

test('script: a missing manifest fails closed without a policy link', async () => {
  const { context, page } = await newPage(browser);
  await page.goto(`${srv.url}/script-missing.html`);
  await ready(page);
  await page.locator('[data-kelisim-notice="error"]').waitFor();
  assert.equal((await page.evaluate(() => window.kelisim.state().error)).code, 'manifest-load');
  await settle(page);
  assert.deepEqual(await probe(page), []);
  await context.close();
});

test('a first visit: the banner is up before the consent module arrives; a click waits for the core, nothing is stored or run before it decided', async () => {
  const { context, page } = await newPage(browser);
  const release = await holdRoute(page, '**/kelisim-consent-banner.wasm');
  await page.goto(`${srv.url}/script.html`);
  await banner(page).waitFor();
  assert.equal(await page.evaluate(() => window.kelisim.state().status), 'loading', 'the core has not decided yet');
  assert.equal(await page.locator('[data-kelisim-root]').getAttribute('data-kelisim-state'), 'banner', 'the state hook says what is seen');
  assert.equal(await page.evaluate(() => document.activeElement.closest('[data-kelisim-banner]') !== null), true, 'focus is in the banner');
  await page.click('[data-kelisim-banner] [data-kelisim-action="accept-all"]');
  await settle(page);
  assert.deepEqual(await probe(page), [], 'nothing ran');
  assert.deepEqual((await context.cookies()).filter((c) => c.name === 'kelisim'), [], 'nothing stored');
  assert.equal(await page.evaluate(() => localStorage.getItem('kelisim')), null);
  release();
  await page.waitForFunction(() => window.__probe.length === 4);
  assert.deepEqual(await probe(page), ALL_RAN, 'the choice made on the early banner, applied by the core');
  assert.equal(await banner(page).count(), 0, 'and the banner is gone (not drawn again by the core\'s start decision)');
  assert.equal(await page.evaluate(() => window.kelisim.state().method), 'explicit');
  assert.equal(await page.locator('[data-kelisim-root]').getAttribute('data-kelisim-state'), 'hidden');
  await context.close();
});

test('a first visit whose consent module cannot load: the early banner gives way to the error notice, nothing runs', async () => {
  const { context, page } = await newPage(browser);
  const release = await holdRoute(page, '**/kelisim-consent-banner.wasm', (route) => route.fulfill({ status: 404, body: 'gone' }));
  await page.goto(`${srv.url}/script.html`);
  await banner(page).waitFor();
  release();
  await page.waitForFunction(() => window.kelisim.state().status === 'error');
  assert.equal(await page.evaluate(() => window.kelisim.state().error.code), 'wasm-load');
  assert.equal(await banner(page).count(), 0);
  await page.locator('[data-kelisim-notice]').waitFor();
  await settle(page);
  assert.deepEqual(await probe(page), []);
  await context.close();
});

test('the first-visit banner path requests only the script, banner css and manifest, the wasm once the manifest is in; the second layer (module, css, category texts) comes after the banner', async () => {
  const { context, page } = await newPage(browser);
  // When the banner entered the DOM, by the page's own clock.
  await page.addInitScript(() => {
    new MutationObserver((_, mo) => {
      if (document.querySelector('[data-kelisim-banner]')) { window.__bannerAt = performance.now(); mo.disconnect(); }
    }).observe(document, { childList: true, subtree: true });
  });
  const urls = [];
  page.on('request', (r) => urls.push(new URL(r.url()).pathname));
  await page.goto(`${srv.url}/script.html`);
  await banner(page).waitFor();
  // The preferences dialog's part is fetched at idle time once the banner is up.
  // So is the policy's texts file (category titles and descriptions), which the manifest names.
  await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('/demo-v1.texts.json')));
  await settle(page);
  assert.deepEqual(urls.filter((u) => u !== '/favicon.ico').sort(),
    ['/dist/kelisim-banner.css', '/dist/kelisim-consent-banner.wasm', '/dist/kelisim-more.mjs', '/dist/kelisim-prefs.css', '/dist/kelisim.js', '/script.html',
      '/tests/fixtures/manifests/demo-v1.json', '/tests/fixtures/manifests/demo-v1.texts.json']);
  const t = await page.evaluate(() => {
    const at = (f) => performance.getEntriesByType('resource').find((e) => e.name.endsWith(f));
    return {
      banner: window.__bannerAt, more: at('/kelisim-more.mjs').startTime, prefsCss: at('/kelisim-prefs.css').startTime,
      texts: at('/demo-v1.texts.json').startTime,
      css: at('/kelisim-banner.css').responseEnd, manifest: at('/demo-v1.json').responseEnd, wasm: at('/kelisim-consent-banner.wasm').startTime,
      // The second layer's stylesheet sits right after the banner's, as in kelisim.css.
      links: [...document.querySelectorAll('link[rel="stylesheet"]')].map((l) => new URL(l.href).pathname),
    };
  });
  assert.ok(t.banner > 0 && t.more > t.banner, `kelisim-more.mjs requested at ${t.more} ms, after the banner (${t.banner} ms)`);
  assert.ok(t.prefsCss > t.banner, `kelisim-prefs.css requested at ${t.prefsCss} ms, after the banner (${t.banner} ms)`);
  assert.ok(t.texts > t.banner, `demo-v1.texts.json requested at ${t.texts} ms, after the banner (${t.banner} ms)`);
  assert.ok(t.css < t.banner && t.manifest < t.banner, JSON.stringify(t));
  // A first visit: the manifest decides which consent build (issue 12's services need the full one).
  assert.ok(t.wasm >= t.manifest, `the wasm requested at ${t.wasm} ms, once the manifest was in (${t.manifest} ms)`);
  assert.deepEqual(t.links, ['/dist/kelisim-banner.css', '/dist/kelisim-prefs.css']);
  // The preferences dialog is styled by it (a flex column in the top layer, drawn switches).
  await page.click('[data-kelisim-banner] [data-kelisim-action="settings"]');
  await prefs(page).waitFor();
  assert.equal(await prefs(page).evaluate((el) => getComputedStyle(el).flexDirection), 'column');
  assert.equal(await prefs(page).locator('input[type="checkbox"]').first().evaluate((el) => getComputedStyle(el).appearance), 'none');
  // The category texts come from that file (the manifest itself has none).
  assert.equal(manifestJson('demo-v1').categories[1].description, undefined);
  assert.match(await prefs(page).innerText(), /Аналитика[\s\S]*Обезличенная статистика посещений/);
  await context.close();
});

test('script without defer in <head>: fetches start during parsing; banner, gating and fail-closed still work', async () => {
  const { context, page } = await newPage(browser);
  await page.goto(`${srv.url}/script-sync.html`);
  await banner(page).waitFor();
  await page.click('[data-kelisim-banner] [data-kelisim-action="accept-all"]');
  await page.waitForFunction(() => window.__probe.length === 4);
  assert.deepEqual(await probe(page), ['analytics1', 'analytics2', 'marketing1', 'analytics3']);
  await assertProbeSound(page);
  await page.goto(`${srv.url}/script-sync-missing.html`);
  await ready(page);
  const notice = page.locator('[data-kelisim-notice="error"]');
  await notice.waitFor();
  assert.equal(await notice.locator('a').getAttribute('href'), `${srv.url}/policy.html`);
  assert.deepEqual(page.__errors, []);
  await context.close();
});

test('script: when kelisim-more.mjs cannot load, the banner still works, Settings reports ui-load, nothing runs early', async () => {
  const { context, page } = await newPage(browser);
  let asked = 0;
  await page.route('**/kelisim-more.mjs*', (r) => { asked++; return r.fulfill({ status: 503, body: 'down' }); });
  await watchErrors(page);
  await page.goto(`${srv.url}/script.html`);
  await banner(page).waitFor();
  await page.click('[data-kelisim-banner] [data-kelisim-action="settings"]');
  await page.waitForFunction(() => window.__kerr.includes('ui-load'));
  assert.equal(await prefs(page).count(), 0);
  // The first layer is untouched and still decides; a second try asks the server again.
  assert.ok(await banner(page).isVisible());
  await page.click('[data-kelisim-banner] [data-kelisim-action="settings"]');
  await page.waitForFunction(() => window.__kerr.filter((c) => c === 'ui-load').length >= 2);
  assert.ok(asked >= 2, `kelisim-more.mjs asked for ${asked} times`);
  await settle(page);
  assert.deepEqual(await probe(page), []);
  await page.click('[data-kelisim-banner] [data-kelisim-action="reject-all"]');
  await banner(page).waitFor({ state: 'detached' });
  assert.equal((await page.evaluate(() => window.kelisim.state())).decided, true);
  await settle(page);
  assert.deepEqual(await probe(page), []);
  // Once it is back, the settings open.
  await page.unroute('**/kelisim-more.mjs*');
  await page.evaluate(() => window.kelisim.showPreferences());
  await prefs(page).waitFor();
  assert.equal(await prefs(page).locator('[data-kelisim-category="analytics"]').isChecked(), false);
  await assertProbeSound(page);
  await context.close();
});

test('script: with reportUrl, when kelisim-report.mjs cannot load, report-failed is raised and the banner, the choice and the gated scripts still work', async () => {
  const { context, page } = await newPage(browser);
  let asked = 0;
  await page.route('**/kelisim-report.mjs*', (r) => { asked++; return r.fulfill({ status: 503, body: 'down' }); });
  await watchErrors(page);
  await page.goto(`${srv.url}/script-report.html`);
  await ready(page);
  await page.waitForFunction(() => window.__kerr.includes('report-failed'));
  assert.equal(asked, 1);
  assert.equal((await page.evaluate(() => window.kelisim.state())).status, 'ready');
  await acceptAllRunsAll(page);
  await banner(page).waitFor({ state: 'detached' });
  assert.equal((await page.evaluate(() => window.kelisim.state())).decided, true);
  await assertProbeSound(page);
  await context.close();
});

test('script: when the policy texts file cannot load, the dialog opens with the default titles, texts-load is reported, and a later open retries', async () => {
  const { context, page } = await newPage(browser);
  let asked = 0;
  await page.route('**/demo-v1.texts.json', (r) => { asked++; return r.fulfill({ status: 503, body: 'down' }); });
  await watchErrors(page);
  await page.goto(`${srv.url}/script.html`);
  await banner(page).waitFor();
  await page.click('[data-kelisim-banner] [data-kelisim-action="settings"]');
  await prefs(page).waitFor();
  await page.waitForFunction(() => window.__kerr.includes('texts-load'));
  // The built-in Russian titles, no descriptions: the choice can still be made.
  const text = await prefs(page).innerText();
  assert.match(text, /Необходимые[\s\S]*Аналитика[\s\S]*Маркетинг/);
  assert.doesNotMatch(text, /Обезличенная статистика/);
  await prefs(page).locator('[data-kelisim-category="analytics"]').check();
  await prefs(page).locator('[data-kelisim-action="save"]').click();
  await prefs(page).waitFor({ state: 'detached' });
  assert.deepEqual((await page.evaluate(() => window.kelisim.state())).choices, { necessary: true, analytics: true, marketing: false });
  // The receipt is still made; its titles are what is known without the file (none).
  const r1 = await page.evaluate(() => window.kelisim.receipt());
  assert.deepEqual(r1.categories.map((c) => c.title), [null, null, null]);
  // Once the file is back, the next opening asks again and shows the policy's texts.
  await page.unroute('**/demo-v1.texts.json');
  await page.evaluate(() => window.kelisim.showPreferences());
  await prefs(page).waitFor();
  await page.waitForFunction(() => /Обезличенная статистика/.test(document.querySelector('[data-kelisim-preferences]')?.innerText || ''));
  assert.ok(asked >= 1);
  const r2 = await page.evaluate(() => window.kelisim.receipt());
  assert.deepEqual(r2.categories.map((c) => c.title), ['Необходимые', 'Аналитика', 'Маркетинг']);
  await assertProbeSound(page);
  await context.close();
});

test('script: the policy texts file is fetched once per page, however many of the lazily loaded parts read it', async () => {
  const { context, page } = await newPage(browser);
  let asked = 0;
  page.on('request', (r) => { if (new URL(r.url()).pathname.endsWith('/demo-v1.texts.json')) asked++; });
  await page.goto(`${srv.url}/script.html`);
  await banner(page).waitFor();
  // The second layer (kelisim-more.mjs) fetches it at idle time after the banner...
  await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('/demo-v1.texts.json')));
  await page.click('[data-kelisim-banner] [data-kelisim-action="accept-all"]');
  await banner(page).waitFor({ state: 'detached' });
  // ...and receipts (kelisim-receipt.mjs, a module of its own) read the same file: the test
  // server sends it no-store, so a second fetch would reach the network.
  const r = await page.evaluate(() => window.kelisim.receipt());
  assert.deepEqual(r.categories.map((c) => c.title), ['Необходимые', 'Аналитика', 'Маркетинг']);
  await page.evaluate(() => window.kelisim.showPreferences());
  await prefs(page).waitFor();
  assert.match(await prefs(page).innerText(), /Обезличенная статистика посещений/);
  await settle(page);
  assert.equal(asked, 1);
  await context.close();
});

test('script: a page that links kelisim.css itself gets no second copy of the styles', async () => {
  const { context, page } = await newPage(browser);
  const urls = [];
  page.on('request', (r) => urls.push(new URL(r.url()).pathname));
  await page.goto(`${srv.url}/script-linked.html`);
  await banner(page).waitFor();
  await page.click('[data-kelisim-banner] [data-kelisim-action="settings"]');
  await prefs(page).waitFor();
  assert.equal(await prefs(page).evaluate((el) => getComputedStyle(el).flexDirection), 'column');
  assert.deepEqual(urls.filter((u) => u.endsWith('.css')), ['/dist/kelisim.css']);
  assert.equal(await page.locator('link[rel="stylesheet"]').count(), 1);
  await assertProbeSound(page);
  await context.close();
});

test('script: on a return visit the second layer is fetched when the site\'s settings control is pointed at or focused, not before', async () => {
  const { context, page } = await newPage(browser);
  await page.goto(`${srv.url}/script.html`);
  await banner(page).waitFor();
  await page.click('[data-kelisim-banner] [data-kelisim-action="reject-all"]');
  await banner(page).waitFor({ state: 'detached' });
  for (const how of ['hover', 'focus']) {
    const urls = [];
    const onReq = (r) => urls.push(new URL(r.url()).pathname);
    page.on('request', onReq);
    await page.reload();
    await ready(page);
    await settle(page);
    assert.equal(await banner(page).count(), 0);
    assert.ok(!urls.includes('/dist/kelisim-more.mjs'), `${how}: no second layer on a return visit before any intent`);
    const seen = page.waitForRequest((r) => r.url().endsWith('/kelisim-more.mjs'));
    if (how === 'hover') await page.hover('#open-prefs');
    else await page.focus('#open-prefs');
    await seen;
    await page.click('#open-prefs');
    await prefs(page).waitFor();
    await page.keyboard.press('Escape');
    await prefs(page).waitFor({ state: 'detached' });
    page.off('request', onReq);
  }
  assert.deepEqual(await probe(page), []);
  await assertProbeSound(page);
  await context.close();
});

for (const embed of EMBEDS) {
  test(`${embed}: with reportUrl the outbox (kelisim-report.mjs) comes at start, but the second layer and its stylesheet wait until the UI needs them`, async () => {
    const { context, page } = await newPage(browser);
    await page.goto(`${srv.url}/${embed}-report.html`);
    await banner(page).waitFor();
    await page.click('[data-kelisim-banner] [data-kelisim-action="reject-all"]');
    await banner(page).waitFor({ state: 'detached' });
    const urls = [];
    page.on('request', (r) => urls.push(new URL(r.url()).pathname));
    await page.reload();
    await ready(page);
    await settle(page);
    assert.ok(urls.includes('/dist/kelisim-report.mjs'), 'the outbox is loaded at start, next to the entry point');
    assert.ok(!urls.includes('/dist/kelisim-more.mjs'), 'no second layer on a return visit before any intent');
    assert.ok(!urls.includes('/dist/kelisim-prefs.css'), 'no dialog stylesheet on a visit without the dialog');
    await page.click('#open-prefs');
    await prefs(page).waitFor();
    assert.ok(urls.includes('/dist/kelisim-more.mjs'));
    // The script tag loads the dialog's stylesheet with it; the ESM page links kelisim.css itself.
    assert.equal(urls.includes('/dist/kelisim-prefs.css'), embed === 'script');
    assert.equal(await prefs(page).evaluate((el) => getComputedStyle(el).flexDirection), 'column');
    await assertProbeSound(page);
    await context.close();
  });
}
