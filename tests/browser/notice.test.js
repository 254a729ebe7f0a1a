// The update rule of seed 003 (SmartAqkol, clause 1.2) end to end in Chromium, with
// Playwright's clock: v1 accepted; v2 published at P = 2026-11-20T10:00+05:00; the update
// notice until the deadline (start of 28.11.2026 in +05:00); implicit acceptance at it;
// explicit Accept inside the window; a material update or the explicit rule → banner again.
// Also: the first-visit banner path never requests the policy module, the viewer or a body.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, startServer, REPO, axe, formatViolations } from './helpers.js';
import { nodeCore, watchErrors } from './banner-fixture.js';
import {
  addPolicyRoutes, pageHtml, newContext, ready, updateNotice, viewerDialog,
  P, DAY, DEADLINE, DEADLINE_TEXT, V2,
} from './viewer-fixture.js';

let browser;
let srv;
const DIRS = ['smart', 'smart-newcat', 'smart-material', 'smart-explicit'];
before(async () => {
  browser = await launchBrowser();
  srv = await startServer(REPO);
  await addPolicyRoutes(srv);
  for (const d of DIRS) {
    srv.route(`/p/${d}/v1.html`, pageHtml({ manifest: `/fx/${d}/1/manifest.json` }));
    for (const lang of ['ru', 'kk', 'en']) srv.route(`/p/${d}/v2-${lang}.html`, pageHtml({ manifest: `/fx/${d}/manifest.json`, lang }));
  }
});
after(async () => { await browser?.close(); await srv?.close(); });

const stored = async (page) => {
  const core = await nodeCore();
  const d = core.decodeRecord(await page.evaluate(() => localStorage.getItem('kelisim')));
  return d.ok ? d.record : null;
};
const settle = (page) => page.evaluate(() => new Promise((r) => setTimeout(r, 100)));

/** v1 accepted (or rejected) on 15.11.2026, five days before v2 is published. */
async function decideV1(page, dir, action = 'accept-all') {
  await page.clock.install({ time: P - 5 * DAY });
  await page.goto(`${srv.url}/p/${dir}/v1.html`);
  await ready(page);
  await page.click(`[data-kelisim-banner] [data-kelisim-action="${action}"]`);
  await page.waitForFunction(() => window.kelisim.state().decided);
  const r = await stored(page);
  assert.equal(r.version, '1');
  return r;
}

async function visitV2(page, dir, at, lang = 'ru') {
  await page.clock.setFixedTime(at);
  await page.goto(`${srv.url}/p/${dir}/v2-${lang}.html`);
  await ready(page);
  // The decision made on arrival (a later act, e.g. 'notice-shown', changes state()).
  const [first] = await page.evaluate(() => window.__updates);
  return first || page.evaluate(() => window.kelisim.state());
}

test('P + 1 day: the update notice shows the deadline date in the policy offset (device in New York), ru/kk/en; nothing changes', async () => {
  // The device's zone is UTC−5: the deadline instant is 27.11 14:00 there, but the policy's
  // day is 28.11 in +05:00, and that is the date the visitor must see.
  const { context, page } = await newContext(browser, { timezoneId: 'America/New_York' });
  const v1 = await decideV1(page, 'smart', 'accept-all');
  for (const lang of ['ru', 'kk', 'en']) {
    const st = await visitV2(page, 'smart', P + DAY, lang);
    assert.equal(st.action, 'update-notice');
    assert.equal(st.reason, 'update-pending');
    assert.equal(st.deadline, DEADLINE);
    assert.equal((await page.evaluate(() => window.kelisim.state())).action, 'update-notice');
    await updateNotice(page, 'pending').waitFor();
    const text = await updateNotice(page, 'pending').innerText();
    const expected = {
      ru: `Изменения вступят в силу для вас ${DEADLINE_TEXT.ru}, если вы продолжите пользоваться сайтом.`,
      kk: `Егер сайтты пайдалануды жалғастырсаңыз, өзгерістер сіз үшін ${DEADLINE_TEXT.kk} бастап күшіне енеді.`,
      en: `The changes take effect for you on ${DEADLINE_TEXT.en} if you keep using the site.`,
    }[lang];
    assert.ok(text.includes(expected), `${lang}: ${text}`);
    assert.ok(!text.includes('27.11.2026') && !text.includes('27 November'), 'never the device-zone date');
    // The change summary comes from the v2 manifest.
    for (const num of [...V2.changes.added, ...V2.changes.changed]) assert.ok(text.includes(num), `summary names ${num}`);
    // Non-blocking: no banner, no modal, the page stays usable, old choices stay in force.
    assert.equal(await page.locator('[data-kelisim-banner]').count(), 0);
    assert.equal(await page.evaluate(() => window.kelisim.allowed('marketing')), true);
    await page.click('main h1');   // nothing intercepts the page
  }
  const r = await stored(page);
  assert.equal(r.version, '1', 'the notice alone accepts nothing');
  assert.equal(r.id, v1.id);
  assert.deepEqual(page.__errors, []);
  await context.close();
});

test('deadline − 1 ms: still the notice; at the deadline: implicit acceptance, method implicit, choices unchanged, told once', async () => {
  const { context, page } = await newContext(browser);
  const v1 = await decideV1(page, 'smart', 'reject-all');
  let st = await visitV2(page, 'smart', DEADLINE - 1);
  assert.equal(st.action, 'update-notice');
  await updateNotice(page, 'pending').waitFor();
  assert.equal((await stored(page)).version, '1');

  st = await visitV2(page, 'smart', DEADLINE);
  assert.equal(st.action, 'implicit-accept');
  assert.deepEqual(await page.evaluate(() => window.__updates), [{ action: 'implicit-accept', reason: 'update-due', deadline: DEADLINE }]);
  await updateNotice(page, 'implicit').waitFor();
  assert.equal(await updateNotice(page, 'pending').count(), 0);
  const text = await updateNotice(page, 'implicit').innerText();
  assert.ok(text.includes(`С ${DEADLINE_TEXT.ru} для вас действует редакция 2`), text);
  // The record: same id, v2, implicit, the same choices; the notice was marked as shown.
  await page.waitForFunction(() => window.kelisim.state().reason === 'current');
  const r = await stored(page);
  assert.equal(r.id, v1.id);
  assert.equal(r.version, '2');
  assert.equal(r.method, 'implicit');
  assert.deepEqual(r.choices, v1.choices);
  assert.equal(r.givenAt, DEADLINE);
  assert.equal(r.noticeVersion, '2');
  assert.equal(await page.evaluate(() => window.kelisim.allowed('marketing')), false);
  const hist = await page.evaluate(() => JSON.parse(localStorage.getItem('kelisim:history')));
  assert.deepEqual(hist.map((e) => [e.op, e.version, e.method]), [
    ['reject-all', '1', 'explicit'], ['accept-update', '2', 'implicit'], ['notice-shown', '2', 'implicit']]);

  // "Посмотреть изменения" opens the diff from the version accepted before (1) to 2.
  await updateNotice(page, 'implicit').locator('[data-kelisim-action="show-changes"]').click();
  await viewerDialog(page).locator('[data-kelisim-diff]').waitFor();
  assert.equal(await viewerDialog(page).locator('[data-kelisim-panel="changes"] select').first().inputValue(), '1');
  await page.keyboard.press('Escape');
  await viewerDialog(page).waitFor({ state: 'detached' });

  // One-time: the next visit shows nothing.
  await page.reload();
  await ready(page);
  await settle(page);
  assert.equal(await updateNotice(page).count(), 0);
  assert.equal((await page.evaluate(() => window.kelisim.state())).action, 'none');
  assert.deepEqual(page.__errors, []);
  await context.close();
});

test('a category new in v2 stays off after implicit acceptance', async () => {
  const { context, page } = await newContext(browser);
  const v1 = await decideV1(page, 'smart-newcat', 'accept-all');
  assert.deepEqual(v1.choices, { necessary: true, marketing: true });
  const st = await visitV2(page, 'smart-newcat', DEADLINE + 3 * DAY);
  assert.equal(st.action, 'implicit-accept');
  await updateNotice(page, 'implicit').waitFor();
  const r = await stored(page);
  assert.equal(r.method, 'implicit');
  assert.equal(r.version, '2');
  assert.equal(r.choices.marketing, true, 'accepted choices carry over');
  assert.notEqual(r.choices.analytics, true, 'the new category is never turned on implicitly');
  assert.equal(await page.evaluate(() => window.kelisim.allowed('analytics')), false);
  assert.equal(await page.evaluate(() => window.kelisim.allowed('marketing')), true);
  await context.close();
});

test('explicit Accept inside the window: record v2 explicit, the notice goes and does not come back', async () => {
  const { context, page } = await newContext(browser);
  const v1 = await decideV1(page, 'smart', 'accept-all');
  await visitV2(page, 'smart', P + 3 * DAY);
  await updateNotice(page, 'pending').waitFor();
  await updateNotice(page, 'pending').locator('[data-kelisim-action="accept-update"]').click();
  await updateNotice(page).waitFor({ state: 'detached' });
  const r = await stored(page);
  assert.equal(r.version, '2');
  assert.equal(r.method, 'explicit');
  assert.equal(r.id, v1.id);
  assert.deepEqual(r.choices, v1.choices);
  assert.equal(r.givenAt, P + 3 * DAY);
  // After the deadline nothing more happens: the update was accepted explicitly.
  await visitV2(page, 'smart', DEADLINE + DAY);
  await settle(page);
  assert.equal(await updateNotice(page).count(), 0);
  assert.equal((await stored(page)).method, 'explicit');
  await context.close();
});

for (const [dir, reason] of [['smart-material', 'update-material'], ['smart-explicit', 'update-explicit-rule']]) {
  test(`${dir}: the banner asks again (${reason}), no update notice, old consent not in force`, async () => {
    const { context, page } = await newContext(browser);
    await decideV1(page, dir, 'accept-all');
    const st = await visitV2(page, dir, P + DAY);
    assert.equal(st.action, 'reprompt');
    assert.equal(st.reason, reason);
    await page.locator('[data-kelisim-banner]').waitFor();
    await settle(page);
    assert.equal(await updateNotice(page).count(), 0);
    assert.equal(await page.evaluate(() => window.kelisim.allowed('marketing')), false);
    // Past the deadline too: the 7-day rule does not apply to these updates.
    const st2 = await visitV2(page, dir, DEADLINE + DAY);
    assert.equal(st2.action, 'reprompt');
    assert.equal((await stored(page)).version, '1');
    await context.close();
  });
}

test('network log: the first-visit banner path never requests the policy module, the viewer, the notice or a body', async () => {
  const { context, page } = await newContext(browser);
  const urls = [];
  page.on('request', (r) => urls.push(new URL(r.url()).pathname));
  await page.goto(`${srv.url}/p/smart/v2-ru.html`);
  await ready(page);
  await page.locator('[data-kelisim-banner]').waitFor();
  await page.click('[data-kelisim-banner] [data-kelisim-action="accept-all"]');
  await page.waitForFunction(() => window.kelisim.state().decided);
  await page.reload();
  await ready(page);
  await settle(page);
  const lazy = /kelisim-policy\.wasm|kelisim-viewer\.(mjs|css)|kelisim-notice\.mjs|body\.json|index\.json/;
  assert.deepEqual(urls.filter((u) => lazy.test(u)), [], urls.join('\n'));
  assert.ok(urls.includes('/dist/kelisim-consent-banner.wasm') && urls.includes('/fx/smart/manifest.json'), 'the banner path itself was observed');
  // Opening the policy is what loads them.
  await page.click('#policy-link');
  await viewerDialog(page).locator('[data-kelisim-text] .kelisim-clause').first().waitFor();
  assert.ok(urls.includes('/dist/kelisim-policy.wasm'));
  assert.ok(urls.includes('/fx/smart/2/body.json'));
  await context.close();
});

test('network log: the update notice itself fetches no body or policy module until the changes are opened', async () => {
  const { context, page } = await newContext(browser);
  await decideV1(page, 'smart', 'accept-all');
  const urls = [];
  page.on('request', (r) => urls.push(new URL(r.url()).pathname));
  await visitV2(page, 'smart', P + DAY);
  await updateNotice(page, 'pending').waitFor();
  await settle(page);
  assert.ok(urls.includes('/dist/kelisim-notice.mjs'));
  assert.deepEqual(urls.filter((u) => /kelisim-policy\.wasm|body\.json/.test(u)), []);
  await updateNotice(page, 'pending').locator('[data-kelisim-action="show-changes"]').click();
  await viewerDialog(page).locator('[data-kelisim-diff]').waitFor();
  assert.ok(urls.includes('/dist/kelisim-policy.wasm'));
  assert.ok(urls.includes('/fx/smart/1/body.json') && urls.includes('/fx/smart/2/body.json'));
  await context.close();
});

for (const colorScheme of ['light', 'dark']) {
  test(`axe-core: 0 violations on the update notice and the implicit notice (${colorScheme}, ru/kk/en)`, async () => {
    const { context, page } = await newContext(browser, { colorScheme });
    await decideV1(page, 'smart', 'accept-all');
    for (const lang of ['ru', 'kk', 'en']) {
      await visitV2(page, 'smart', P + DAY, lang);
      await updateNotice(page, 'pending').waitFor();
      const v = await axe(page, { include: ['[data-kelisim-update]'] });
      assert.equal(v.length, 0, `${lang}: ${formatViolations(v)}`);
    }
    await visitV2(page, 'smart', DEADLINE, 'kk');
    await updateNotice(page, 'implicit').waitFor();
    const v = await axe(page, { include: ['[data-kelisim-update]'] });
    assert.equal(v.length, 0, formatViolations(v));
    // And the whole page with the notice on it.
    const all = await axe(page);
    assert.equal(all.length, 0, formatViolations(all));
    await context.close();
  });
}

test('the notice module failing (503): notice-load is reported, no notice, the old choices stay in force; the next decision loads it again and shows the notice', async () => {
  const { context, page } = await newContext(browser);
  await decideV1(page, 'smart', 'accept-all');
  let asked = 0;
  await page.route('**/kelisim-notice.mjs*', (r) => { asked++; return r.fulfill({ status: 503, body: 'down' }); });
  await watchErrors(page);
  const st = await visitV2(page, 'smart', P + DAY);
  assert.equal(st.action, 'update-notice');
  await page.waitForFunction(() => window.__kerr.includes('notice-load'));
  await settle(page);
  assert.equal(await updateNotice(page, 'pending').count(), 0);
  const now = await page.evaluate(() => window.kelisim.state());
  assert.equal(now.action, 'update-notice');
  assert.equal(now.version, '2');
  assert.deepEqual(now.choices, { necessary: true, marketing: true }, 'v1 choices in force until the deadline');
  assert.equal((await stored(page)).version, '1', 'nothing was written');
  // Back again: the next decision asks for the module anew. Here it follows a choice made in
  // another tab that still shows v1 (marketing off there): a newer v1 record arrives.
  await page.unroute('**/kelisim-notice.mjs*');
  const core = await nodeCore();
  const v1 = await page.evaluate(() => fetch('/fx/smart/1/manifest.json').then((r) => r.json()));
  const raw = await page.evaluate(() => localStorage.getItem('kelisim'));
  const next = core.apply({ manifest: v1, record: raw, now: P + DAY + 60000, signals: {}, op: 'set', choices: { marketing: false }, newId: 'othertab0001', prevHash: '' });
  await page.evaluate((v) => {
    localStorage.setItem('kelisim', v);
    window.dispatchEvent(new StorageEvent('storage', { key: 'kelisim' }));
  }, next.record);
  await updateNotice(page, 'pending').waitFor();
  assert.ok(asked >= 1);
  assert.deepEqual((await page.evaluate(() => window.kelisim.state())).choices, { necessary: true, marketing: false });
  await context.close();
});
