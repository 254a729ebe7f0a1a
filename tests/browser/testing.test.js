// Issue 13, items 1–3, on the demo site (examples/site, served like banner-examples.test.js):
// - a site owner's Playwright test (examples/testing/playwright.mjs, quoted by docs/testing.md)
//   presets consent with kelisim/testing and sees no banner, the right gated scripts and the
//   right state(), for accept, reject and a custom choice; the cookie the helper sets is the one
//   the page writes itself; the Cypress recipe's value (the CLI's) works the same;
// - test overrides: ignored without the opt-in (and navigator.webdriver never hides the banner),
//   deciding one page view with it (script tag and npm option), storing and reporting nothing;
// - the stable hooks: data-kelisim-action on every button, data-kelisim-category on every switch,
//   data-kelisim-state on the root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, startServer, REPO } from './helpers.js';
import { DEMO_CSP } from '../../scripts/serve.mjs';
import { openWithConsent } from '../../examples/testing/playwright.mjs';
import { nodeCore } from './banner-fixture.js';

let browser;
let srv;
let tmp;
let cli;
const ALL_OPTIONAL = ['newsletter', 'marketing', 'analytics'];

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'kelisim-testing-'));
  cli = process.env.KELISIM_NATIVE_CLI || join(REPO, 'build/native/kelisim');
  execFileSync(cli, ['build', join(REPO, 'policies'), '-o', join(tmp, 'policies')], { stdio: 'pipe' });
  const index = readFileSync(join(REPO, 'examples/site/index.html'), 'utf8');
  const tag = '<script src="/dist/kelisim.js" ';
  assert.ok(index.includes(tag));
  browser = await launchBrowser();
  srv = await startServer(join(REPO, 'examples/site'), {
    mounts: { '/dist': join(REPO, 'dist'), '/policies': join(tmp, 'policies') },
    headers: { 'Content-Security-Policy': DEMO_CSP },
    routes: {
      // The demo page with the opt-in, and one that would report to a ledger.
      '/opt-in.html': index.replace(tag, tag + 'data-test-overrides="true" data-report-url="/report" '),
      '/half-opt-in.html': index.replace(tag, tag + 'data-test-overrides="yes" '),
      '/broken.html': index.replace(tag, tag + 'data-test-overrides="true" ').replace('data-policy="/policies/toolpars/manifest.json"', 'data-policy="/policies/none/manifest.json"'),
      // npm users: createKelisim({ testOverrides: true }).
      '/esm.html': `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ESM</title>
<link rel="stylesheet" href="/dist/kelisim.css"><script src="demo-log.js"></script><script type="module" src="/esm.js"></script></head>
<body><main><h1>ESM</h1><ol id="log"></ol></main><script type="text/plain" data-kelisim-category="analytics" src="fake-analytics.js"></script></body></html>`,
      '/esm.js': { body: `import { createKelisim } from '/dist/kelisim.mjs';
window.kelisim = createKelisim({ policy: '/policies/toolpars/manifest.json', testOverrides: true });`, type: 'text/javascript' },
    },
  });
});
after(async () => {
  await browser?.close();
  await srv?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const settle = (page) => page.evaluate(() => new Promise((r) => setTimeout(r, 100)));
/** Categories of the demo's fake third-party scripts that ran, in order. */
const ran = (page) => page.locator('#log li[data-cat]').evaluateAll((li) => li.map((x) => x.dataset.cat));
const uiState = (page) => page.getAttribute('[data-kelisim-root]', 'data-kelisim-state');

/** What the page holds: its cookie and localStorage record, decoded by the core in Node. */
async function stored(page) {
  const { cookie, ls } = await page.evaluate(() => ({
    cookie: (document.cookie.split('; ').find((c) => c.startsWith('kelisim=')) || '').slice(8),
    ls: localStorage.getItem('kelisim'),
  }));
  return { cookie, ls };
}

// ---- kelisim/testing on the demo, as a site owner's test uses it ------------------------------

const CHOICES = [
  ['all', { necessary: true, newsletter: true, marketing: true, analytics: true }, ['analytics', 'marketing', 'newsletter']],
  ['none', { necessary: true, newsletter: false, marketing: false, analytics: false }, []],
  [{ analytics: true }, { necessary: true, newsletter: false, marketing: false, analytics: true }, ['analytics']],
];
for (const [choices, expected, scripts] of CHOICES) {
  test(`presetConsent(${JSON.stringify(choices)}) on the demo: no banner, the right gated scripts and state()`, async () => {
    const { context, page } = await openWithConsent(browser, srv.url + '/', choices);
    await settle(page);
    assert.equal(await page.locator('[data-kelisim-banner]').count(), 0, 'no banner');
    assert.equal(await uiState(page), 'hidden');
    assert.deepEqual(await ran(page), scripts);
    const st = await page.evaluate(() => window.kelisim.state());
    assert.equal(st.status, 'ready');
    assert.equal(st.action, 'none');
    assert.equal(st.decided, true);
    assert.equal(st.method, 'explicit');
    assert.deepEqual(st.choices, expected);
    assert.equal(st.override, null);
    for (const c of ALL_OPTIONAL) assert.equal(await page.evaluate((c) => window.kelisim.allowed(c), c), expected[c]);
    // The page keeps the preset record (not a new one) and its receipt verifies the history chain.
    const s = await stored(page);
    assert.equal(s.cookie, s.ls);
    const rec = (await nodeCore()).decodeRecord(s.cookie);
    assert.ok(rec.ok);
    assert.equal(rec.record.id, st.recordId);
    const receipt = await page.evaluate(() => window.kelisim.receipt());
    assert.equal(receipt.history.length, 1);
    assert.equal(receipt.chain.valid, true);
    assert.equal(receipt.chain.matchesRecord, true, 'the preset history entry is the record\'s head');
    // The same value decodes in the native C++ core to the same choices.
    const native = JSON.parse(execFileSync(cli, ['decode-cookie', s.cookie], { encoding: 'utf8' }));
    assert.deepEqual(native.choices, expected);
    await context.close();
  });
}

test('the preset cookie has the attributes the page gives its own cookie', async () => {
  const real = await browser.newContext();
  const page = await real.newPage();
  await page.goto(srv.url + '/');
  await page.click('[data-kelisim-banner] [data-kelisim-action="accept-all"]');
  await page.waitForFunction(() => window.kelisim.state().decided);
  const written = (await real.cookies()).find((c) => c.name === 'kelisim');
  const { context: preset } = await openWithConsent(browser, srv.url + '/', 'all');
  const set = (await preset.cookies()).find((c) => c.name === 'kelisim');
  const shape = (c) => ({ name: c.name, domain: c.domain, path: c.path, httpOnly: c.httpOnly, secure: c.secure, sameSite: c.sameSite });
  assert.deepEqual(shape(set), shape(written));
  assert.ok(Math.abs(set.expires - written.expires) < 120, `expiry ${set.expires} vs ${written.expires}`);
  await real.close();
  await preset.close();
});

test('the Cypress recipe: the CLI value set as a plain cookie (what cy.setCookie does) starts past the banner', async () => {
  const manifest = join(tmp, 'policies/toolpars/manifest.json');
  const value = execFileSync(process.execPath, [join(REPO, 'web/src/cli/kelisim.js'), 'consent-cookie', '--manifest', manifest, '--accept', 'analytics'], { encoding: 'utf8' }).trim();
  const context = await browser.newContext();
  await context.addCookies([{ name: 'kelisim', value, domain: '127.0.0.1', path: '/', sameSite: 'Lax' }]);
  const page = await context.newPage();
  await page.goto(srv.url + '/');
  await page.evaluate(() => window.kelisim.ready);
  await settle(page);
  assert.equal(await page.locator('[data-kelisim-banner]').count(), 0);
  assert.deepEqual(await ran(page), ['analytics']);
  assert.deepEqual((await page.evaluate(() => window.kelisim.state())).choices, { necessary: true, newsletter: false, marketing: false, analytics: true });
  await context.close();
});

test('docs/testing.md quotes examples/testing/playwright.mjs as it is', () => {
  const doc = readFileSync(join(REPO, 'docs/testing.md'), 'utf8');
  const example = readFileSync(join(REPO, 'examples/testing/playwright.mjs'), 'utf8');
  assert.ok(doc.includes(example.trim()), 'the Playwright snippet in docs/testing.md must be examples/testing/playwright.mjs');
});

// ---- test overrides --------------------------------------------------------------------------

test('overrides are off by default: ?kelisim=accept-all changes nothing, and navigator.webdriver does not hide the banner', async () => {
  for (const path of ['/?kelisim=accept-all', '/half-opt-in.html?kelisim=accept-all']) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(srv.url + path);
    assert.equal(await page.evaluate(() => navigator.webdriver), true, 'an automated browser');
    await page.locator('[data-kelisim-banner]').waitFor();
    assert.equal(await uiState(page), 'banner');
    await page.evaluate(() => window.kelisim.ready);   // (a first visit's banner is up before the core)
    await settle(page);
    assert.deepEqual(await ran(page), [], path);
    const st = await page.evaluate(() => window.kelisim.state());
    assert.equal(st.override, null);
    assert.equal(st.choices.analytics, false);
    assert.deepEqual(await stored(page), { cookie: '', ls: null });
    await context.close();
  }
});

test('with data-test-overrides="true": each override decides the page view, stores and reports nothing', async () => {
  const cases = [
    ['accept-all', ['analytics', 'marketing', 'newsletter'], true],
    ['reject-all', [], false],
    ['none', [], false],
  ];
  for (const [ov, scripts, on] of cases) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const consents = [];
    await page.exposeFunction('__consent', (d) => consents.push(d));
    await page.addInitScript(() => document.addEventListener('kelisim:consent', (e) => window.__consent(e.detail.state.override)));
    const before = srv.requests.length;
    await page.goto(`${srv.url}/opt-in.html?kelisim=${ov}`);
    await page.evaluate(() => window.kelisim.ready);
    await settle(page);
    assert.equal(await page.locator('[data-kelisim-banner]').count(), 0, ov);
    assert.equal(await uiState(page), 'hidden');
    assert.deepEqual(await ran(page), scripts, ov);
    const st = await page.evaluate(() => window.kelisim.state());
    assert.equal(st.override, ov);
    assert.equal(st.decided, false, 'nothing stored is in force');
    assert.equal(st.recordId, null);
    for (const c of ALL_OPTIONAL) assert.equal(st.choices[c], on, `${ov}: ${c}`);
    assert.equal(st.choices.necessary, true);
    assert.deepEqual(consents, ov === 'none' ? [] : [ov], 'kelisim:consent names the override');
    assert.equal(await page.evaluate(() => window.kelisim.receipt()), null);
    assert.deepEqual(await stored(page), { cookie: '', ls: null }, `${ov} stores nothing`);
    assert.equal(await page.evaluate(() => localStorage.length), 0, 'no history, no outbox');
    if (ov === 'none') {
      // A choice made on that page view applies to it only: still nothing stored or reported.
      await page.click('button[data-kelisim-open="preferences"]');
      await page.click('[data-kelisim-preferences] [data-kelisim-action="accept-all"]');
      await page.waitForFunction(() => document.querySelectorAll('#log li[data-cat]').length === 3);
      assert.equal((await page.evaluate(() => window.kelisim.state())).choices.analytics, true);
      assert.deepEqual(await stored(page), { cookie: '', ls: null }, 'a choice under an override is not stored');
      assert.equal(await page.evaluate(() => localStorage.length), 0);
    }
    assert.ok(!srv.requests.slice(before).includes('/report'), 'nothing reported');
    // The next page view without the parameter: nothing was kept, the banner is back.
    const plain = srv.requests.length;
    await page.goto(`${srv.url}/opt-in.html`);
    await page.locator('[data-kelisim-banner]').waitFor();
    assert.equal((await page.evaluate(() => window.kelisim.state())).override, null);
    // …and that page view does report (its banner display), so "nothing reported" above is real.
    for (let i = 0; i < 100 && !srv.requests.slice(plain).includes('/report'); i++) await settle(page);
    assert.ok(srv.requests.slice(plain).includes('/report'), 'a normal page view reports its banner display');
    await context.close();
  }
});

test('an unknown ?kelisim= value is ignored even with the opt-in; the npm option works too', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${srv.url}/opt-in.html?kelisim=grant`);
  await page.locator('[data-kelisim-banner]').waitFor();
  assert.equal((await page.evaluate(() => window.kelisim.state())).override, null);
  await page.goto(`${srv.url}/esm.html?kelisim=accept-all`);
  await page.evaluate(() => window.kelisim.ready);
  await settle(page);
  assert.equal(await page.locator('[data-kelisim-banner]').count(), 0);
  assert.deepEqual(await ran(page), ['analytics']);
  assert.equal((await page.evaluate(() => window.kelisim.state())).override, 'accept-all');
  assert.deepEqual(await stored(page), { cookie: '', ls: null });
  await context.close();
});

// ---- stable hooks ----------------------------------------------------------------------------

test('hooks: data-kelisim-state follows the UI; every button has data-kelisim-action, every switch data-kelisim-category', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(srv.url + '/');
  await page.locator('[data-kelisim-banner]').waitFor();
  assert.equal(await uiState(page), 'banner');
  const bannerActions = await page.locator('[data-kelisim-banner] button').evaluateAll((b) => b.map((x) => x.getAttribute('data-kelisim-action')));
  assert.deepEqual(bannerActions, ['accept-all', 'reject-all', 'settings']);
  await page.click('[data-kelisim-action="settings"]');
  await page.locator('[data-kelisim-preferences]').waitFor();
  assert.equal(await uiState(page), 'preferences');
  const prefActions = await page.locator('[data-kelisim-preferences] button').evaluateAll((b) => b.map((x) => x.getAttribute('data-kelisim-action')));
  assert.deepEqual(prefActions, ['close', 'accept-all', 'reject-all', 'save']);
  const switches = await page.locator('[data-kelisim-preferences] input').evaluateAll((i) => i.map((x) => x.getAttribute('data-kelisim-category')));
  assert.deepEqual(switches, ['necessary', 'newsletter', 'marketing', 'analytics']);
  await page.click('[data-kelisim-preferences] [data-kelisim-action="close"]');
  // The dialog's close event, which the controller follows, is queued as a task (HTML's
  // dialog.close()): the hook changes with it, not necessarily before click() returns.
  await page.waitForFunction(() => document.querySelector('[data-kelisim-root]').getAttribute('data-kelisim-state') !== 'preferences');
  assert.equal(await uiState(page), 'banner');
  await page.click('[data-kelisim-banner] [data-kelisim-action="reject-all"]');
  await page.waitForFunction(() => document.querySelector('[data-kelisim-root]').getAttribute('data-kelisim-state') === 'hidden');
  // Once a choice exists the dialog offers withdrawal, also marked.
  await page.click('button[data-kelisim-open="preferences"]');
  await page.locator('[data-kelisim-preferences]').waitFor();
  const later = await page.locator('[data-kelisim-preferences] button').evaluateAll((b) => b.map((x) => x.getAttribute('data-kelisim-action')));
  assert.deepEqual(later, ['close', 'withdraw', 'accept-all', 'reject-all', 'save']);
  await page.click('[data-kelisim-preferences] [data-kelisim-action="withdraw"]');
  await page.waitForFunction(() => document.querySelector('[data-kelisim-root]').getAttribute('data-kelisim-state') === 'hidden');
  await context.close();
});

test('hooks: a failed start (manifest missing) shows data-kelisim-state="error"; an override cannot lift fail-closed', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(srv.url + '/broken.html?kelisim=accept-all');
  await page.waitForFunction(() => document.querySelector('[data-kelisim-root]')?.getAttribute('data-kelisim-state') === 'error');
  assert.equal(await page.locator('[data-kelisim-notice="error"]').count(), 1);
  await settle(page);
  assert.deepEqual(await ran(page), []);
  await context.close();
});
