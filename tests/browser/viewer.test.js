// The policy viewer in Chromium: deep links, search (Russian and Kazakh word forms, checked
// against an independent scan of body.json), the v1→v2 diff, versions, keyboard-only use,
// inline mode, layout (contents beside the text / folded on phones), strict CSP, axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, startServer, REPO, axe, formatViolations } from './helpers.js';
import { addPolicyRoutes, pageHtml, newContext, ready, viewerDialog, V2, expectedHits } from './viewer-fixture.js';

let browser;
let srv;
let cspSrv;
let kkBody;
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'";
const addPages = (s) => {
  s.route('/v/smart.html', pageHtml({ manifest: '/fx/smart/manifest.json' }));
  s.route('/v/smart-en.html', pageHtml({ manifest: '/fx/smart/manifest.json', lang: 'en' }));
  s.route('/v/kk.html', pageHtml({ manifest: '/fx/kk/manifest.json', lang: 'kk' }));
  s.route('/v/inline.html', pageHtml({ manifest: '/fx/smart/manifest.json', body: '<section aria-label="Политика"><div id="inline" data-kelisim-policy></div></section>' }));
};
before(async () => {
  browser = await launchBrowser();
  srv = await startServer(REPO);
  ({ kkBody } = await addPolicyRoutes(srv));
  addPages(srv);
  cspSrv = await startServer(REPO, { headers: { 'Content-Security-Policy': CSP } });
  await addPolicyRoutes(cspSrv);
  addPages(cspSrv);
});
after(async () => { await browser?.close(); await srv?.close(); await cspSrv?.close(); });

const smartV2 = JSON.parse(readFileSync(join(REPO, 'policies/smartaqkol/2/body.json'), 'utf8'));

async function openViewer(page) {
  await page.click('#policy-link');
  await viewerDialog(page).locator('[data-kelisim-text] .kelisim-clause').first().waitFor();
}
async function searchFor(page, q) {
  const box = viewerDialog(page).locator('[data-kelisim-search]');
  await box.fill(q);
  await page.waitForFunction(() => {
    const s = document.querySelector('[data-kelisim-viewer-dialog] .kelisim-viewer-status');
    return s && s.textContent && !/Загрузка|Жүктелуде|Loading/.test(s.textContent);
  });
  return viewerDialog(page).locator('[data-kelisim-hit]').evaluateAll((els) => els.map((e) => ({
    id: e.getAttribute('data-kelisim-hit'), marks: [...e.querySelectorAll('mark')].map((m) => m.textContent),
  })));
}

test('deep link #p-2.5 opens the viewer at that clause; clause numbers and hash changes navigate, the URL stays shareable', async () => {
  const { context, page } = await newContext(browser);
  await page.goto(`${srv.url}/v/smart.html#p-2.5`);
  const target = viewerDialog(page).locator('.kelisim-viewer-target');
  await target.waitFor();
  assert.match(await target.getAttribute('id'), /(^|-)p-2\.5$/);
  assert.ok((await target.innerText()).includes('privacy@example.com'), 'v2 clause 2.5 is the one with the e-mail');
  assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.classList.contains('kelisim-viewer-target')), true);
  assert.ok(await target.isVisible());
  const inView = await target.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.top >= 0 && r.top < window.innerHeight;
  });
  assert.ok(inView, 'scrolled into view');
  assert.equal(await page.evaluate(() => location.hash), '#p-2.5');
  // The heading is the policy's title, from its texts file (the format-2 manifest has none).
  assert.equal(V2.title, undefined);
  assert.equal(await viewerDialog(page).locator('.kelisim-viewer-title').innerText(), 'Политика конфиденциальности приложения SmartAqkol');

  // Clause-number links are the shareable form itself ("copy link address" works).
  assert.equal(await viewerDialog(page).locator('a.kelisim-num').first().getAttribute('href'), '#p-1');
  assert.equal(await viewerDialog(page).locator('a[href^="#kelisim-"]').count(), 0);
  // Clicking another clause number moves there and rewrites the hash (shareable).
  await viewerDialog(page).locator('a.kelisim-num[href="#p-3.3"]').click();
  await page.waitForFunction(() => location.hash === '#p-3.3');
  assert.match(await viewerDialog(page).locator('.kelisim-viewer-target').getAttribute('id'), /p-3\.3$/);
  // A hash change from the page (a link elsewhere, the back button) follows too.
  await page.evaluate(() => { location.hash = '#p-4'; });
  await page.waitForFunction(() => /p-4$/.test(document.querySelector('.kelisim-viewer-target')?.id || ''));
  assert.equal(await viewerDialog(page).count(), 1, 'one dialog, reused');
  assert.deepEqual(page.__errors, []);
  await context.close();
});

test('search (ru): a word form finds every clause that contains it, highlighted, in any letter case', async () => {
  const { context, page } = await newContext(browser);
  await page.goto(`${srv.url}/v/smart.html`);
  await ready(page);
  await openViewer(page);
  for (const q of ['данных', 'ДАННЫХ', 'Пользователя', 'согласие']) {
    const hits = await searchFor(page, q);
    const expected = expectedHits(smartV2, q);
    assert.ok(expected.length > 0, q);
    assert.deepEqual(hits.map((x) => x.id), expected, q);
    for (const hit of hits) assert.ok(hit.marks.some((m) => m.toLowerCase() === q.toLowerCase()), `${q}: ${hit.id} highlights ${hit.marks}`);
    const status = await viewerDialog(page).locator('.kelisim-viewer-status').innerText();
    assert.equal(status, `Найдено пунктов: ${expected.length}`);
  }
  const none = await searchFor(page, 'несуществующееслово');
  assert.deepEqual(none, []);
  assert.equal(await viewerDialog(page).locator('.kelisim-viewer-status').innerText(), 'Ничего не найдено');
  // A result link goes to its clause.
  await searchFor(page, 'согласие');
  await viewerDialog(page).locator('[data-kelisim-hit] a').first().click();
  assert.match(await viewerDialog(page).locator('.kelisim-viewer-target').getAttribute('id'), /p-2\.5$/);
  await context.close();
});

test('search (kk): Kazakh word forms with ә/ғ/қ/ң/ө/ұ/ү/һ/і found case-insensitively in the Kazakh fixture policy', async () => {
  const { context, page } = await newContext(browser);
  await page.goto(`${srv.url}/v/kk.html`);
  await ready(page);
  await openViewer(page);
  assert.equal(await viewerDialog(page).locator('[data-kelisim-tab="changes"]').innerText(), 'Не өзгерді');
  const body = JSON.parse(kkBody);
  for (const q of ['ДЕРЕКТЕРДІ', 'деректерін', 'Пайдаланушыға', 'ҚОЛДАНЫЛАДЫ']) {
    const hits = await searchFor(page, q);
    const expected = expectedHits(body, q);
    assert.ok(expected.length > 0, q);
    assert.deepEqual(hits.map((x) => x.id), expected, q);
    for (const hit of hits) assert.ok(hit.marks.some((m) => m.toLowerCase() === q.toLowerCase()), `${q}: ${hit.id}`);
  }
  // The two forms are different words: one never finds the other's clauses.
  assert.deepEqual((await searchFor(page, 'деректерді')).map((x) => x.id), ['p-1.2', 'p-2', 'p-2.1']);
  assert.equal(await viewerDialog(page).locator('.kelisim-viewer-status').innerText(), 'Табылған тармақтар: 3');
  await context.close();
});

test('what changed: demo v1→v2 shows inserted and deleted words, added clauses and the summary; any two versions', async () => {
  const { context, page } = await newContext(browser);
  await page.goto(`${srv.url}/v/smart.html`);
  await ready(page);
  await openViewer(page);
  await viewerDialog(page).locator('[data-kelisim-tab="changes"]').click();
  const diff = viewerDialog(page).locator('[data-kelisim-diff]');
  await diff.waitFor();
  const panel = viewerDialog(page).locator('[data-kelisim-panel="changes"]');
  assert.equal(await panel.locator('select').first().inputValue(), '1');
  assert.equal(await panel.locator('select').nth(1).inputValue(), '2');
  assert.equal(await panel.locator('[data-kelisim-summary]').innerText(), 'Добавлено пунктов: 1, удалено: 0, изменено: 2.');
  // 3.3: "TLS v1.2" → "TLS v1.3": the deleted and the inserted text, nothing else marked.
  const c33 = diff.locator('[data-num="3.3"]');
  assert.equal(await c33.getAttribute('data-status'), 'changed');
  assert.deepEqual(await c33.locator('del').allInnerTexts(), ['2']);
  assert.deepEqual(await c33.locator('ins').allInnerTexts(), ['3']);
  // 2.5 (was 2.6): the e-mail route was inserted.
  const c25 = diff.locator('[data-num="2.5"]');
  assert.match(await c25.innerText(), /было: п\. 2\.6/);
  assert.match((await c25.locator('ins').allInnerTexts()).join(' '), /или направить его на адрес электронной почты privacy@example\.com/);
  assert.equal(await c25.locator('del').count(), 0);
  // 2.6: a new clause, all inserted.
  assert.equal(await diff.locator('[data-num="2.6"]').getAttribute('data-status'), 'added');
  assert.match(await diff.locator('[data-num="2.6"] ins').innerText(), /маркетинговых активностей/);
  // Unchanged clauses are not listed.
  assert.equal(await diff.locator('[data-num="1.1"]').count(), 0);

  // Reverse direction: 2 → 1 turns the insertions into deletions.
  await panel.locator('select').first().selectOption('2');
  await panel.locator('select').nth(1).selectOption('1');
  await diff.locator('[data-status="removed"][data-num="2.6"]').waitFor();
  assert.match(await diff.locator('[data-status="removed"][data-num="2.6"] del').innerText(), /маркетинговых активностей/);
  assert.deepEqual(await diff.locator('[data-num="3.3"] del').allInnerTexts(), ['3']);
  assert.deepEqual(await diff.locator('[data-num="3.3"] ins').allInnerTexts(), ['2']);
  await context.close();
});

test('versions list with dates; reading an older version and comparing it with the current one', async () => {
  const { context, page } = await newContext(browser);
  await page.goto(`${srv.url}/v/smart.html`);
  await ready(page);
  await openViewer(page);
  await viewerDialog(page).locator('[data-kelisim-tab="versions"]').click();
  const items = viewerDialog(page).locator('[data-kelisim-versions] li');
  assert.deepEqual(await items.evaluateAll((li) => li.map((x) => x.getAttribute('data-version'))), ['2', '1']);
  assert.match(await items.nth(0).innerText(), /Редакция 2 — 20\.11\.2026 \(действующая\)/);
  assert.match(await items.nth(1).innerText(), /Редакция 1 — 01\.11\.2026/);
  // v2 is demo material and says so; v1 (the seed text) does not.
  assert.equal(await viewerDialog(page).locator('[data-kelisim-demo-note]').innerText(), V2.note);
  await items.nth(1).getByRole('button', { name: /^Читать/ }).click();
  await page.waitForFunction(() => /Вы читаете редакцию 1/.test(document.querySelector('.kelisim-viewer-note')?.textContent || ''));
  assert.equal(await viewerDialog(page).locator('[data-kelisim-demo-note]').isHidden(), true);
  // v1's clause 2.6 is the withdrawal clause (v2 renumbered it to 2.5).
  assert.match(await viewerDialog(page).locator('[data-kelisim-text] [id$="p-2.6"]').innerText(), /отозвать свое согласие/);
  await viewerDialog(page).locator('[data-kelisim-tab="versions"]').click();
  await items.nth(1).getByRole('button', { name: /^Сравнить/ }).click();
  await viewerDialog(page).locator('[data-kelisim-diff] [data-num="3.3"]').waitFor();
  await context.close();
});

test('keyboard only: open from the link, search, follow a result, Tab stays inside, Escape closes and returns focus', async () => {
  const { context, page } = await newContext(browser);
  await page.goto(`${srv.url}/v/smart.html`);
  await ready(page);
  await page.locator('[data-kelisim-banner]').waitFor();
  await page.keyboard.press('Escape');   // leave the banner alone; it is non-modal
  const focusedId = () => page.evaluate(() => {
    const a = document.activeElement;
    return !a ? null : a.hasAttribute('data-kelisim-search') ? 'search' : a.id || a.tagName;
  });
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  for (let i = 0; i < 20 && (await focusedId()) !== 'policy-link'; i++) await page.keyboard.press('Tab');
  assert.equal(await focusedId(), 'policy-link');
  await page.keyboard.press('Enter');
  await viewerDialog(page).locator('[data-kelisim-text] .kelisim-clause').first().waitFor();
  assert.ok(await page.evaluate(() => document.querySelector('[data-kelisim-viewer-dialog]').contains(document.activeElement)));
  for (let i = 0; i < 15 && (await focusedId()) !== 'search'; i++) await page.keyboard.press('Tab');
  assert.equal(await focusedId(), 'search');
  await page.keyboard.type('согласие');
  await viewerDialog(page).locator('[data-kelisim-hit]').first().waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.closest('[data-kelisim-hit]')?.getAttribute('data-kelisim-hit')), 'p-2.5');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.classList.contains('kelisim-viewer-target') && /p-2\.5$/.test(document.activeElement.id)), true);
  // Tab through everything (contents, links, tabs…) and around: focus never leaves the dialog.
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    if (i % 10 === 9) assert.ok(await page.evaluate(() => document.querySelector('[data-kelisim-viewer-dialog]').contains(document.activeElement)), `tab ${i}`);
  }
  await page.keyboard.press('Shift+Tab');
  assert.ok(await page.evaluate(() => document.querySelector('[data-kelisim-viewer-dialog]').contains(document.activeElement)));
  // Tabs work with Enter/Space.
  for (let i = 0; i < 120 && !(await page.evaluate(() => document.activeElement.getAttribute('data-kelisim-tab') === 'changes')); i++) await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await viewerDialog(page).locator('[data-kelisim-diff]').waitFor();
  // Escape in a non-empty search box clears it first; the next Escape closes the viewer.
  await viewerDialog(page).locator('[data-kelisim-search]').focus();
  await page.keyboard.press('Escape');
  assert.equal(await viewerDialog(page).locator('[data-kelisim-search]').inputValue(), '');
  assert.equal(await viewerDialog(page).count(), 1);
  await page.keyboard.press('Escape');
  await viewerDialog(page).waitFor({ state: 'detached' });
  assert.equal(await focusedId(), 'policy-link');
  await context.close();
});

test('inline viewer: [data-kelisim-policy] renders in the page; a deep link scrolls there without a modal; contents fold on phones', async () => {
  const { context, page } = await newContext(browser);
  await page.goto(`${srv.url}/v/inline.html#p-2.1`);
  const target = page.locator('#inline .kelisim-viewer-target');
  await target.waitFor();
  assert.equal(await target.getAttribute('id'), 'p-2.1', 'inline ids are the plain #p-… anchors');
  assert.equal(await viewerDialog(page).count(), 0);
  // Wide screen: contents open and sticky beside the text.
  assert.equal(await page.locator('#inline details[data-kelisim-toc]').evaluate((d) => d.open), true);
  assert.equal(await page.locator('#inline .kelisim-viewer-aside').evaluate((el) => getComputedStyle(el).position), 'sticky');
  const [aside, main] = await Promise.all([page.locator('#inline .kelisim-viewer-aside').boundingBox(), page.locator('#inline .kelisim-viewer-main').boundingBox()]);
  assert.ok(aside.x + aside.width <= main.x, 'contents beside the text');
  await context.close();

  const phone = await newContext(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await phone.page.goto(`${srv.url}/v/inline.html`);
  await phone.page.locator('#inline [data-kelisim-text] .kelisim-clause').first().waitFor();
  const toc = phone.page.locator('#inline details[data-kelisim-toc]');
  assert.equal(await toc.evaluate((d) => d.open), false, 'folded on phones');
  await toc.locator('summary').click();
  assert.equal(await toc.evaluate((d) => d.open), true);
  await toc.locator('a[href="#p-3"]').click();
  await phone.page.waitForFunction(() => location.hash === '#p-3');
  assert.equal(await toc.evaluate((d) => d.open), false, 'folds again after a jump');
  await phone.context.close();
});

test('the consent settings are one click away in the viewer (withdrawal as easy as giving), then back to the text', async () => {
  const { context, page } = await newContext(browser);
  await page.goto(`${srv.url}/v/smart.html`);
  await ready(page);
  await page.click('[data-kelisim-banner] [data-kelisim-action="accept-all"]');
  await openViewer(page);
  await viewerDialog(page).locator('[data-kelisim-action="viewer-preferences"]').click();
  const prefs = page.locator('[data-kelisim-preferences]');
  await prefs.waitFor();
  await prefs.locator('[data-kelisim-action="withdraw"]').click();
  await page.waitForFunction(() => window.kelisim.allowed('marketing') === false && window.kelisim.state().decided);
  await prefs.waitFor({ state: 'detached' }).catch(() => {});
  if (await prefs.count()) await page.keyboard.press('Escape');
  assert.equal(await viewerDialog(page).count(), 1, 'the viewer stays open under the preferences');
  assert.equal(await viewerDialog(page).evaluate((d) => d.open), true);
  await context.close();
});

test('print stylesheet: only the policy text is printed, in full, without tools, contents or the page behind', async () => {
  const { context, page } = await newContext(browser);
  await page.goto(`${srv.url}/v/smart.html#p-3.1`);
  await viewerDialog(page).locator('.kelisim-viewer-target').waitFor();
  await page.emulateMedia({ media: 'print' });
  const d = await page.evaluate(() => {
    const cs = (sel) => { const el = document.querySelector(sel); return el ? getComputedStyle(el) : null; };
    return {
      main: cs('body > main').display,
      tools: cs('.kelisim-viewer-tools').display,
      aside: cs('.kelisim-viewer-aside').display,
      text: cs('[data-kelisim-text]').display,
      scroll: cs('.kelisim-viewer-scroll').overflowY,
      dialog: cs('dialog[data-kelisim-viewer-dialog]').overflowY + ' ' + cs('dialog[data-kelisim-viewer-dialog]').height,
      color: cs('.kelisim-viewer').color,
    };
  });
  const textHeight = await page.evaluate(() => document.querySelector('[data-kelisim-text]').getBoundingClientRect().height);
  assert.ok(textHeight > 1000, 'the whole text is laid out, not a scrolling window');
  assert.equal(d.dialog.split(' ')[0], 'visible');
  delete d.dialog;
  assert.deepEqual(d, { main: 'none', tools: 'none', aside: 'none', text: 'block', scroll: 'visible', color: 'rgb(0, 0, 0)' });
  // A PDF of the page has several pages of policy text.
  const pdf = await page.pdf({ format: 'A4' });
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
  assert.ok(pages >= 2, `pages: ${pages}`);
  await page.emulateMedia({ media: 'screen' });
  assert.notEqual(await page.evaluate(() => getComputedStyle(document.querySelector('.kelisim-viewer-tools')).display), 'none');
  await context.close();
});

test("strict CSP (style-src 'self', no inline scripts): viewer, styles and diff work with no violation", async () => {
  const { context, page } = await newContext(browser);
  const violations = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused/.test(m.text())) violations.push(m.text()); });
  await page.goto(`${cspSrv.url}/v/smart.html`);
  await ready(page);
  await openViewer(page);
  assert.equal(await viewerDialog(page).locator('.kelisim-viewer-tab').first().evaluate((el) => getComputedStyle(el).borderTopLeftRadius), '999px', 'kelisim-viewer.css applied');
  await viewerDialog(page).locator('[data-kelisim-tab="changes"]').click();
  await viewerDialog(page).locator('[data-kelisim-diff] ins').first().waitFor();
  await searchFor(page, 'данных');
  assert.deepEqual(violations, []);
  assert.deepEqual(page.__errors, []);
  await context.close();
});

for (const [colorScheme, lang] of [['light', 'ru'], ['dark', 'ru'], ['light', 'kk'], ['dark', 'en']]) {
  test(`axe-core: 0 violations in the viewer (${colorScheme}, ${lang}): text with search results, changes, versions`, async () => {
    const { context, page } = await newContext(browser, { colorScheme });
    await page.goto(`${srv.url}/v/${lang === 'kk' ? 'kk' : lang === 'en' ? 'smart-en' : 'smart'}.html`);
    await ready(page);
    await openViewer(page);
    await searchFor(page, lang === 'kk' ? 'деректерді' : 'данных');
    let v = await axe(page, { include: ['[data-kelisim-viewer-dialog]'] });
    assert.equal(v.length, 0, 'text: ' + formatViolations(v));
    for (const tab of ['changes', 'versions']) {
      await viewerDialog(page).locator(`[data-kelisim-tab="${tab}"]`).click();
      await viewerDialog(page).locator(`[data-kelisim-panel="${tab}"] > *`).first().waitFor();
      v = await axe(page, { include: ['[data-kelisim-viewer-dialog]'] });
      assert.equal(v.length, 0, `${tab}: ${formatViolations(v)}`);
    }
    await context.close();
  });
}
