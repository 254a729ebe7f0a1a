// Per-service consent on the page (issue 12): allowed()/set()/state().services, scripts gated
// by data-kelisim-service, the preferences dialog's per-service switches (keyboard, axe in
// ru/kk/en, light and dark), withdrawal clearing a service's cookies, and policy updates that
// add a service (implicit acceptance keeps it off; a new recipient in an accepted category
// asks again). Manifests: tests/fixtures/manifests/services-*.json (services and texts copied
// from services/catalogue.json). One browser for the file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, startServer, REPO, axe, formatViolations } from './helpers.js';
import { newPage, ready, banner, prefs, probe, nodeCore } from './banner-fixture.js';

let browser;
let srv;

function html({ manifest = 'services-v1', lang = 'ru', theme = '' } = {}) {
  const opts = theme ? ` data-theme="${theme}"` : '';
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>services</title>
<script src="/dist/kelisim.js" data-policy="/tests/fixtures/manifests/${manifest}.json"${opts} defer></script>
</head><body><main><h1>Сервисы</h1>
<p><button type="button" id="open-prefs" data-kelisim-open="preferences">Настройки</button></p></main>
<script type="text/plain" data-kelisim-service="yandex-metrica">__ran('ym', 1)</script>
<script type="text/plain" data-kelisim-service="hotjar">__ran('hotjar', 1)</script>
<script type="text/plain" data-kelisim-category="analytics">__ran('analytics', 1)</script>
<script type="text/plain" data-kelisim-service="youtube">__ran('youtube', 1)</script>
</body></html>`;
}

before(async () => {
  browser = await launchBrowser();
  srv = await startServer(REPO);
  for (const m of ['services-v1', 'services-v2-media', 'services-v2-analytics']) srv.route(`/${m}.html`, html({ manifest: m }), 'text/html; charset=utf-8');
  for (const lang of ['ru', 'kk', 'en']) {
    for (const theme of ['light', 'dark']) srv.route(`/a11y-${lang}-${theme}.html`, html({ lang, theme }), 'text/html; charset=utf-8');
  }
  srv.route('/plain.html', html({ manifest: 'demo-v1' }), 'text/html; charset=utf-8');
  srv.route('/policy.html', '<!doctype html><html lang="en"><title>Policy</title><h1>Policy</h1></html>');
});
after(async () => { await browser?.close(); await srv?.close(); });

const settle = (page) => page.evaluate(() => new Promise((r) => setTimeout(r, 80)));

test('allowed(), set() and state().services; scripts gated by service; change events name services', async () => {
  const { context, page } = await newPage(browser);
  await page.goto(`${srv.url}/services-v1.html`);
  await ready(page);
  await banner(page).waitFor();
  const st = await page.evaluate(() => window.kelisim.state());
  assert.deepEqual(st.services, { 'yandex-metrica': false, hotjar: false, 'vk-pixel': false, youtube: false });
  assert.deepEqual(st.choices, { necessary: true, analytics: false, marketing: false, media: false });
  assert.equal(await page.evaluate(() => window.kelisim.allowed('yandex-metrica')), false);
  await settle(page);
  assert.deepEqual(await probe(page), [], 'nothing runs before consent');

  const changed = await page.evaluate(async () => {
    const got = [];
    window.kelisim.on('change', (d) => got.push(Object.keys(d.changed).sort().join(',')));
    await window.kelisim.set({ 'yandex-metrica': true });
    return got;
  });
  assert.deepEqual(changed, ['analytics,yandex-metrica'], 'one service on turns its category on, not its sibling');
  await page.waitForFunction(() => window.__probe.length === 2);
  await settle(page);
  assert.deepEqual((await probe(page)).sort(), ['analytics1', 'ym1'], 'the service\'s script and the category\'s ran; hotjar did not');
  const after = await page.evaluate(() => ({
    s: window.kelisim.state().services, ym: window.kelisim.allowed('yandex-metrica'), hj: window.kelisim.allowed('hotjar'),
    an: window.kelisim.allowed('analytics'),
  }));
  assert.deepEqual(after, { s: { 'yandex-metrica': true, hotjar: false, 'vk-pixel': false, youtube: false }, ym: true, hj: false, an: true });

  // An undeclared id is refused by the core.
  const err = await page.evaluate(() => window.kelisim.set({ 'tiktok-pixel': true }).then(() => null, (e) => e.code));
  assert.equal(err, 'unknown-service');

  // The stored record is a k2 record the real core decodes (Node, independently of the page).
  const core = await nodeCore();
  const cookie = (await context.cookies()).find((c) => c.name === 'kelisim');
  const d = core.decodeRecord(decodeURIComponent(cookie.value));
  assert.ok(d.ok && cookie.value.startsWith('k2~'), cookie.value);
  assert.equal(d.record.serviceMarks.length, 4 * 6);

  // Withdrawing the service clears its cookies (catalogue patterns: _ym_*) and offers the reload.
  await page.evaluate(() => { document.cookie = '_ym_uid=1; path=/'; document.cookie = '_ym_d=2; path=/'; document.cookie = '_hjSession_1=x; path=/'; });
  await page.evaluate(() => window.kelisim.set({ 'yandex-metrica': false }));
  const jar = await page.evaluate(() => document.cookie);
  assert.ok(!/_ym_/.test(jar), jar);
  assert.ok(/_hjSession_1=x/.test(jar), 'another service\'s cookie stays: ' + jar);
  await page.locator('[data-kelisim-action="reload"]').waitFor();
  assert.equal(await page.evaluate(() => window.kelisim.allowed('analytics')), true, 'the category stays on');
  await context.close();
});

test('preferences dialog: per-service switches; the category switch sets them; keyboard; saved through the core', async () => {
  const { context, page } = await newPage(browser);
  await page.goto(`${srv.url}/services-v1.html`);
  await banner(page).waitFor();
  await page.click('[data-kelisim-banner] [data-kelisim-action="settings"]');
  await prefs(page).waitFor();
  const dlg = prefs(page);
  const ym = dlg.locator('input[data-kelisim-service="yandex-metrica"]');
  const hj = dlg.locator('input[data-kelisim-service="hotjar"]');
  const yt = dlg.locator('input[data-kelisim-service="youtube"]');
  assert.equal(await dlg.locator('input[data-kelisim-service]').count(), 4);
  // Name, country, privacy-policy link (from texts.json, built from the catalogue).
  const row = dlg.locator('li.kelisim-svc', { has: page.locator('input[data-kelisim-service="yandex-metrica"]') });
  assert.match(await row.textContent(), /Яндекс Метрика/);
  assert.match(await row.textContent(), /Россия/);
  assert.equal(await row.locator('a').getAttribute('href'), 'https://yandex.ru/legal/confidential/');
  // The switch is labelled and described (screen readers).
  const described = await ym.evaluate((el) => document.getElementById(el.getAttribute('aria-describedby')).textContent);
  assert.match(described, /Россия/);
  assert.equal(await ym.evaluate((el) => el.labels[0].textContent), 'Яндекс Метрика');

  // Category switch sets all its services; then one service off by keyboard.
  await dlg.locator('input[data-kelisim-category="analytics"]').check();
  assert.equal(await ym.isChecked(), true);
  assert.equal(await hj.isChecked(), true);
  await hj.focus();
  await page.keyboard.press('Space');
  assert.equal(await hj.isChecked(), false);
  // A service on switches its category on.
  await page.keyboard.press('Tab');   // the hotjar policy link
  await yt.focus();
  await page.keyboard.press('Space');
  assert.equal(await dlg.locator('input[data-kelisim-category="media"]').isChecked(), true);
  await dlg.locator('[data-kelisim-action="save"]').click();
  await page.waitForFunction(() => window.kelisim.state().decided);
  const s = await page.evaluate(() => window.kelisim.state());
  assert.deepEqual(s.services, { 'yandex-metrica': true, hotjar: false, 'vk-pixel': false, youtube: true });
  assert.deepEqual(s.choices, { necessary: true, analytics: true, marketing: false, media: true });
  await page.waitForFunction(() => window.__probe.length === 3);
  assert.deepEqual((await probe(page)).sort(), ['analytics1', 'ym1', 'youtube1']);
  // The receipt names the services; its history chain (entries with services) verifies.
  const r = await page.evaluate(() => window.kelisim.receipt());
  assert.deepEqual(r.services.map((x) => `${x.id}:${x.name}:${x.state}`),
    ['yandex-metrica:Яндекс Метрика:on', 'hotjar:Hotjar:off', 'vk-pixel:Пиксель VK:off', 'youtube:YouTube:on']);
  assert.equal(r.chain.valid, true);
  assert.equal(r.chain.matchesRecord, true);
  assert.deepEqual(r.history.at(-1).services, { 'yandex-metrica': true, hotjar: false, 'vk-pixel': false, youtube: true });
  // Reopened, the dialog shows what is in force.
  await page.click('#open-prefs');
  await prefs(page).waitFor();
  assert.equal(await hj.isChecked(), false);
  assert.equal(await ym.isChecked(), true);
  await context.close();
});

test('policy updates: a new service in a refused category is implicitly accepted off; in an accepted one, asked again', async () => {
  const { context, page } = await newPage(browser);
  await page.goto(`${srv.url}/services-v1.html`);
  await ready(page);
  await page.evaluate(() => window.kelisim.set({ analytics: true }));
  // v2 adds rutube to media (refused): continued use past the deadline accepts the update,
  // and rutube stays off.
  await page.goto(`${srv.url}/services-v2-media.html`);
  await ready(page);
  const s2 = await page.evaluate(() => window.kelisim.state());
  assert.ok(['implicit-accept', 'none'].includes(s2.action), s2.action);   // 'none' once re-decided from the stored record
  assert.equal(s2.method, 'implicit');
  assert.deepEqual(s2.services, { 'yandex-metrica': true, hotjar: true, 'vk-pixel': false, youtube: false, rutube: false });
  assert.equal(await banner(page).count(), 0);
  // v3 adds google-analytics to analytics (accepted): a new recipient, so the banner asks
  // again and nothing optional runs meanwhile.
  await page.goto(`${srv.url}/services-v2-analytics.html`);
  await banner(page).waitFor();
  const s3 = await page.evaluate(() => ({ st: window.kelisim.state(), ym: window.kelisim.allowed('yandex-metrica') }));
  assert.equal(s3.st.action, 'reprompt');
  assert.equal(s3.st.reason, 'update-material');
  assert.equal(s3.ym, false);
  await settle(page);
  assert.deepEqual(await probe(page), []);
  await context.close();
});

test('the consent module: a page without services loads only the banner build; one with services only the full module', async () => {
  const wasm = () => srv.requests.filter((r) => /kelisim-consent[^/]*\.wasm$/.test(r)).map((r) => r.replace(/^.*\//, ''));
  {
    const { context, page } = await newPage(browser);
    srv.requests.length = 0;
    await page.goto(`${srv.url}/plain.html`);
    await ready(page);
    await page.evaluate(() => window.kelisim.acceptAll());
    assert.deepEqual(wasm(), ['kelisim-consent-banner.wasm']);
    assert.deepEqual(await page.evaluate(() => window.kelisim.state().services), {});
    srv.requests.length = 0;
    await page.reload();
    await ready(page);
    assert.deepEqual(wasm(), ['kelisim-consent-banner.wasm'], 'returning visit');
    await context.close();
  }
  // The full module only, never the banner build as well: on a first visit the manifest says
  // which (the banner is up without it), on a return visit the k2 record does.
  const { context, page } = await newPage(browser);
  srv.requests.length = 0;
  await page.goto(`${srv.url}/services-v1.html`);
  await ready(page);
  assert.deepEqual(wasm(), ['kelisim-consent.wasm'], 'first visit');
  assert.equal(await page.evaluate(() => window.kelisim.state().status), 'ready');
  await page.evaluate(() => window.kelisim.set({ hotjar: true }));
  srv.requests.length = 0;
  await page.reload();
  await ready(page);
  assert.deepEqual(wasm(), ['kelisim-consent.wasm'], 'returning visit');
  assert.equal(await page.evaluate(() => window.kelisim.allowed('hotjar')), true);
  await context.close();
});

for (const theme of ['light', 'dark']) {
  test(`axe: 0 violations on the per-service dialog in ru, kk, en (${theme})`, async () => {
    const { context, page } = await newPage(browser, { colorScheme: theme });
    for (const lang of ['ru', 'kk', 'en']) {
      await page.goto(`${srv.url}/a11y-${lang}-${theme}.html`);
      await banner(page).waitFor();
      await page.click('[data-kelisim-banner] [data-kelisim-action="settings"]');
      await prefs(page).waitFor();
      assert.equal(await prefs(page).locator('input[data-kelisim-service]').count(), 4);
      const v = await axe(page, { include: '[data-kelisim-preferences]' });
      assert.equal(v.length, 0, `${lang}/${theme}:\n${formatViolations(v)}`);
    }
    await context.close();
  });
}
