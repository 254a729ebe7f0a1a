// Consent documents (issue 15 item 4, policies/README.md "Consent documents") in the shipped
// page: the choice records the version of the category's consent document it was given under;
// publishing a new version of that document asks about that category only (the others stay in
// force); the preferences and the banner link the document, the viewer opens it; the receipt
// shows it. The policy is the demo `toolpars` (its analytics category has a demo consent
// document, ru + kk); "version 2 of the document" is built here by the native CLI from a copy
// of the sources, as a site would publish it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { launchBrowser, startServer, REPO, axe, formatViolations } from './helpers.js';
import { nodeCore, newPage, banner, prefs, ready } from './banner-fixture.js';

const OUT = join(REPO, 'build/test-consent-docs');
let browser;
let srv;

const DOC_V2 = readFileSync(join(REPO, 'policies/toolpars/consent/analytics/1.ru.md'), 'utf8')
  .replace('version: 1\n', 'version: 2\n')
  .replace('publishedAt: 2026-11-10T09:00:00+05:00', 'publishedAt: 2026-12-01T09:00:00+05:00')
  .replace('один год со дня его предоставления', 'шесть месяцев со дня его предоставления');

const page = (manifest, lang = 'ru') => `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>consent documents</title>
<script src="/dist/kelisim.js" data-policy="${manifest}" defer></script>
</head><body><main><h1>Страница</h1>
<p><button type="button" data-kelisim-open="preferences">Настройки cookie</button></p></main></body></html>`;

before(async () => {
  // Version 2 of the analytics consent document, built next to a copy of the policy.
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(join(OUT, 'src'), { recursive: true });
  cpSync(join(REPO, 'policies/toolpars'), join(OUT, 'src/toolpars'), { recursive: true });
  writeFileSync(join(OUT, 'src/toolpars/consent/analytics/2.ru.md'), DOC_V2);
  execFileSync(join(REPO, 'build/native/kelisim'), ['build', join(OUT, 'src/toolpars'), '-o', join(OUT, 'pub')]);
  browser = await launchBrowser();
  srv = await startServer(REPO);
  srv.route('/cd/v1.html', page('/policies/toolpars/manifest.json'), 'text/html; charset=utf-8');
  srv.route('/cd/v2.html', page('/build/test-consent-docs/pub/toolpars/manifest.json'), 'text/html; charset=utf-8');
  srv.route('/cd/v2-kk.html', page('/build/test-consent-docs/pub/toolpars/manifest.json', 'kk'), 'text/html; charset=utf-8');
});
after(async () => { await browser?.close(); await srv?.close(); rmSync(OUT, { recursive: true, force: true }); });

const json = (p) => JSON.parse(readFileSync(join(REPO, p), 'utf8'));
const stored = (p) => p.evaluate(() => localStorage.getItem('kelisim'));

test('the choice records the consent document version; a new version re-asks only that category; the receipt shows it', async () => {
  const core = await nodeCore();
  const v1 = json('policies/toolpars/manifest.json').categories.find((c) => c.id === 'analytics').consent;
  const v2 = JSON.parse(readFileSync(join(OUT, 'pub/toolpars/manifest.json'), 'utf8')).categories.find((c) => c.id === 'analytics').consent;
  assert.equal(v1.version, '1');
  assert.equal(v2.version, '2');
  assert.notEqual(v1.hash, v2.hash);

  const { context, page: p } = await newPage(browser);
  await p.goto(`${srv.url}/cd/v1.html`);
  await ready(p);
  await banner(p).waitFor();
  // The preferences link the category's consent document (version 1).
  await p.click('[data-kelisim-banner] [data-kelisim-action="settings"]');
  await prefs(p).waitFor();
  const link = prefs(p).locator('[data-kelisim-document="analytics"]');
  assert.match(await link.textContent(), /ред\. 1/);
  assert.equal(await prefs(p).locator('[data-kelisim-document]').count(), 1, 'only analytics has a document');
  await prefs(p).locator('[data-kelisim-action="accept-all"]').click();
  await p.waitForFunction(() => window.kelisim.state().action === 'none');

  // The record: analytics under document 1's hash prefix, the others without a document.
  let rec = core.decodeRecord(await stored(p)).record;
  assert.deepEqual(rec.docs, { analytics: v1.hash.slice(0, 8) });
  assert.deepEqual(rec.choices, { necessary: true, newsletter: true, marketing: true, analytics: true });
  let receipt = await p.evaluate(() => window.kelisim.receipt());
  const doc = (r) => r.categories.find((c) => c.id === 'analytics').document;
  assert.deepEqual(doc(receipt), { id: 'analytics', version: '1', hash: v1.hash, hashPrefix: v1.hash.slice(0, 8), current: true });
  assert.equal(receipt.categories.find((c) => c.id === 'marketing').document, null);
  assert.ok(receipt.chain.valid, 'the history chain (with the document in its entries) verifies');

  // Version 2 of the document is published: only analytics is asked about; the rest stays on.
  await p.goto(`${srv.url}/cd/v2.html`);
  await ready(p);
  const st = await p.evaluate(() => window.kelisim.state());
  assert.equal(st.action, 'reprompt');
  assert.equal(st.reason, 'document-changed');
  assert.deepEqual(st.choices, { necessary: true, newsletter: true, marketing: true, analytics: false });
  await banner(p).waitFor();
  assert.match(await banner(p).textContent(), /Изменился документ согласия/);
  const bannerLink = banner(p).locator('[data-kelisim-document="analytics"]');
  assert.match(await bannerLink.textContent(), /ред\. 2/);
  const v = await axe(p, { include: '[data-kelisim-root]' });
  assert.deepEqual(v, [], formatViolations(v));
  const before = await stored(p);

  // The link opens the document itself in the viewer.
  await bannerLink.click();
  const viewer = p.locator('[data-kelisim-viewer-dialog]');
  await viewer.waitFor();
  await p.waitForFunction(() => /шесть месяцев/.test(document.querySelector('[data-kelisim-viewer-dialog] [data-kelisim-text]')?.textContent || ''));
  assert.match(await viewer.locator('.kelisim-viewer-meta').textContent(), /2/);
  await p.keyboard.press('Escape');
  await viewer.waitFor({ state: 'detached' });

  // "I agree" answers for analytics only, under version 2.
  await banner(p).locator('[data-kelisim-action="accept-all"]').click();
  await p.waitForFunction(() => window.kelisim.state().action === 'none');
  rec = core.decodeRecord(await stored(p)).record;
  assert.deepEqual(rec.docs, { analytics: v2.hash.slice(0, 8) });
  assert.deepEqual(rec.choices, { necessary: true, newsletter: true, marketing: true, analytics: true });
  receipt = await p.evaluate(() => window.kelisim.receipt());
  assert.equal(doc(receipt).version, '2');
  assert.equal(doc(receipt).hash, v2.hash);
  await context.close();

  // Kazakh: the same re-ask in kk, without axe violations.
  const kk = await newPage(browser);
  await kk.page.addInitScript((r) => { if (!localStorage.getItem('kelisim')) localStorage.setItem('kelisim', r); }, before);
  await kk.page.goto(`${srv.url}/cd/v2-kk.html`);
  await ready(kk.page);
  await banner(kk.page).waitFor();
  assert.match(await banner(kk.page).textContent(), /Келісім құжаты өзгерді/);
  const vk = await axe(kk.page, { include: '[data-kelisim-root]' });
  assert.deepEqual(vk, [], formatViolations(vk));
  await kk.context.close();
});
