// The examples run in the test suite so they cannot rot: examples/site (script tag) and
// examples/bundler (ESM, bundled by esbuild), served exactly like `npm run demo` — the seed
// policies built by the kelisim CLI, and the demo's strict Content-Security-Policy.
// Also: inline gated scripts under a nonce-based CSP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, startServer, REPO, CSP_WATCH } from './helpers.js';
import { DEMO_CSP } from '../../scripts/serve.mjs';
import { addRoutes, newPage, probe, assertProbeSound, ready, banner, prefs, acceptAllRunsAll } from './banner-fixture.js';
import { STRINGS } from '../../web/src/ui/i18n.js';

let browser;
let srv;
let nonceSrv;
let tmp;

function findCli() {
  const cands = [process.env.KELISIM_CLI, join(REPO, 'build/native/kelisim')];
  for (const d of existsSync(join(REPO, 'build')) ? readdirSync(join(REPO, 'build')) : []) {
    if (d.startsWith('native')) cands.push(join(REPO, 'build', d, 'kelisim'));
  }
  const cli = cands.find((c) => c && existsSync(c));
  assert.ok(cli, 'the kelisim CLI is needed to build the seed policies (npm test builds it: build/native/kelisim)');
  return cli;
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'kelisim-examples-'));
  const pol = join(tmp, 'policies');
  execFileSync(findCli(), ['build', join(REPO, 'policies'), '-o', pol], { stdio: 'pipe' });
  for (const id of readdirSync(pol)) {
    for (const f of readdirSync(join(REPO, 'policies', id))) if (f.endsWith('.md')) cpSync(join(REPO, 'policies', id, f), join(pol, id, f));
  }
  execFileSync(process.execPath, [join(REPO, 'examples/bundler/build.mjs'), join(tmp, 'bundler')], { stdio: 'pipe' });
  browser = await launchBrowser();
  srv = await startServer(join(REPO, 'examples/site'), {
    mounts: { '/dist': join(REPO, 'dist'), '/policies': pol, '/bundler': join(tmp, 'bundler') },
    headers: { 'Content-Security-Policy': DEMO_CSP },
  });
  // Inline gated scripts need a nonce under a strict CSP; kelisim copies it to the script it runs.
  nonceSrv = await startServer(REPO, {
    headers: { 'Content-Security-Policy': "default-src 'self'; script-src 'self' 'nonce-t3st' 'wasm-unsafe-eval'; style-src 'self'" },
  });
  addRoutes(nonceSrv, { '/nonce.html': { embed: 'script', nonce: 't3st' }, '/nonce-esm.html': { embed: 'esm', nonce: 't3st' } });
});
after(async () => {
  await browser?.close();
  await srv?.close();
  await nonceSrv?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const settle = (page) => page.evaluate(() => new Promise((r) => setTimeout(r, 50)));
const logItems = (page) => page.locator('#log li[data-cat]').allInnerTexts();

test('examples/site (ru, bar): accept, reload, withdraw — under the demo CSP', async () => {
  const { context, page } = await newPage(browser, { init: [CSP_WATCH] });
  await page.goto(srv.url + '/');
  await banner(page).waitFor();
  assert.equal(await banner(page).locator('h2').innerText(), STRINGS.ru.title);
  assert.equal(await banner(page).locator('a').getAttribute('href'), srv.url + '/policies/toolpars/2.md');
  await settle(page);
  assert.deepEqual(await logItems(page), []);
  await page.click('[data-kelisim-banner] [data-kelisim-action="accept-all"]');
  await page.waitForFunction(() => document.querySelectorAll('#log li[data-cat]').length === 3);
  const items = await logItems(page);
  assert.match(items[0], /\[analytics\] fake-analytics\.js loaded/);
  assert.match(items[1], /\[marketing\]/);
  assert.match(items[2], /\[newsletter\]/);
  await assertProbeSound(page, 'toolpars');
  assert.match(await page.locator('#state').innerText(), /"analytics": true/);
  await page.reload();
  await ready(page);
  await page.waitForFunction(() => document.querySelectorAll('#log li[data-cat]').length === 3);
  assert.equal(await banner(page).count(), 0);
  // Withdraw from the page's own "Настройки cookie" button.
  await page.click('button[data-kelisim-open="preferences"]');
  await prefs(page).waitFor();
  await prefs(page).locator('[data-kelisim-action="withdraw"]').click();
  await page.locator('[data-kelisim-notice="reload"]').waitFor();
  const names = (await context.cookies()).map((c) => c.name);
  assert.ok(!names.includes('_ka') && !names.includes('_ka_session') && !names.includes('_km'), names.join(','));
  assert.ok(names.includes('kelisim'));
  assert.deepEqual(await page.evaluate(() => window.__csp), [], 'no CSP violation');
  assert.deepEqual(page.__errors, []);
  await context.close();
});

test('examples/site kk.html (box) and en.html (dark, Consent Mode) under the demo CSP', async () => {
  const { context, page } = await newPage(browser, { init: [CSP_WATCH] });
  await page.goto(srv.url + '/kk.html');
  await banner(page).waitFor();
  assert.equal(await banner(page).locator('h2').innerText(), STRINGS.kk.title);
  assert.match(await banner(page).getAttribute('class'), /kelisim-box/);
  await page.click('[data-kelisim-banner] [data-kelisim-action="settings"]');
  await prefs(page).waitFor();
  // Category titles come from the built seed manifest (neupusti) in Kazakh.
  const labels = await prefs(page).locator('.kelisim-cat-title').allInnerTexts();
  assert.equal(labels.length, 3);
  await prefs(page).locator('input[data-kelisim-category="newsletter"]').check();
  await prefs(page).locator('[data-kelisim-action="save"]').click();
  await page.waitForFunction(() => document.querySelectorAll('#log li[data-cat]').length === 1);
  assert.match((await logItems(page))[0], /\[newsletter\]/);
  await assertProbeSound(page, 'neupusti');

  await page.goto(srv.url + '/en.html');
  await banner(page).waitFor();
  assert.equal(await banner(page).locator('h2').innerText(), STRINGS.en.title);
  const bg = await banner(page).evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(bg, 'rgb(29, 33, 39)', 'data-theme="dark" forces the dark theme');
  const dl = await page.evaluate(() => window.dataLayer.map((a) => Array.from(a)));
  assert.deepEqual(dl[0].slice(0, 2), ['consent', 'default']);
  assert.equal(dl[0][2].analytics_storage, 'denied');
  await page.click('[data-kelisim-banner] [data-kelisim-action="reject-all"]');
  await banner(page).waitFor({ state: 'detached' });
  await settle(page);
  assert.deepEqual(await logItems(page), []);
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  assert.deepEqual(page.__errors, []);
  await context.close();
});

test('examples/bundler: ESM bundle shows the banner, loads the analytics chunk only after consent', async () => {
  const { context, page } = await newPage(browser, { init: [CSP_WATCH] });
  const urls = [];
  page.on('request', (r) => urls.push(new URL(r.url()).pathname));
  await page.goto(srv.url + '/bundler/');
  await banner(page).waitFor();
  await settle(page);
  assert.ok(!urls.some((u) => /analytics/.test(u)), 'no analytics chunk before consent');
  assert.ok(urls.includes('/bundler/kelisim-consent-banner.wasm'), 'the wasm is found next to the bundle');
  assert.ok(!urls.some((u) => u.endsWith('/kelisim-consent.wasm')), 'the full consent module is not loaded');
  await page.click('[data-kelisim-banner] [data-kelisim-action="accept-all"]');
  await page.waitForFunction(() => document.querySelectorAll('#log li').length === 2);
  const items = (await page.locator('#log li').allInnerTexts()).sort();
  assert.match(items[0], /^\[analytics\] analytics chunk loaded after consent/);
  assert.match(items[1], /^\[marketing\]/);
  await assertProbeSound(page, 'toolpars');
  await page.click('#withdraw');
  await page.locator('[data-kelisim-notice="reload"]').waitFor();
  assert.ok(!(await context.cookies()).some((c) => c.name === '_ka'));
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  assert.deepEqual(page.__errors, []);
  await context.close();
});

for (const embed of ['script', 'esm']) {
  test(`${embed}: inline gated scripts run under a nonce CSP, and only after consent`, async () => {
    const { context, page } = await newPage(browser, { init: [CSP_WATCH] });
    await page.goto(`${nonceSrv.url}/nonce${embed === 'esm' ? '-esm' : ''}.html`);
    await acceptAllRunsAll(page);
    await assertProbeSound(page);
    assert.deepEqual(await page.evaluate(() => window.__csp), []);
    await context.close();
  });
}
