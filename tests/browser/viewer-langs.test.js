// The viewer's text-language switch (issue 15 item 3) in Chromium, on the demo policy in
// Russian and Kazakh (policies/service version 2): the switch keeps the open clause and the
// search (which runs again in the shown language, checked against an independent scan of each
// language's body); the viewer opens in the visitor's language when the version has it, else
// in the primary one; a Kazakh visitor's update notice and "what changed"; receipts name the
// text's language; axe-core in ru/kk/en.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, startServer, REPO, axe, formatViolations } from './helpers.js';
import {
  addPolicyRoutes, addServiceRoutes, addServiceKk3Routes, pageHtml, newContext, ready, viewerDialog, updateNotice,
  clauseTexts, SERVICE, SERVICE_P, DAY,
} from './viewer-fixture.js';

const body = (p) => JSON.parse(readFileSync(join(REPO, p), 'utf8'));
const RU = body('policies/service/2/body.json');
const KK = body('policies/service/2/body.kk.json');
const TITLE = { ru: 'Политика конфиденциальности сервиса', kk: 'Сервистің құпиялылық саясаты' };

let browser;
let srv;
before(async () => {
  browser = await launchBrowser();
  srv = await startServer(REPO);
  await addPolicyRoutes(srv);
  addServiceRoutes(srv);
  for (const lang of ['ru', 'kk', 'en']) {
    srv.route(`/l/service-${lang}.html`, pageHtml({ manifest: '/policies/service/manifest.json', lang }));
    srv.route(`/l/upd-v2-${lang}.html`, pageHtml({ manifest: '/fx/service-implicit/manifest.json', lang }));
  }
  srv.route('/l/upd-v1.html', pageHtml({ manifest: '/fx/service-implicit/1/manifest.json', lang: 'kk' }));
  addServiceKk3Routes(srv);
  srv.route('/l/kk3-kk.html', pageHtml({ manifest: '/fx/service-kk3/manifest.json', lang: 'kk' }));
  srv.route('/l/smart.html', pageHtml({ manifest: '/fx/smart/manifest.json' }));
});
after(async () => { await browser?.close(); await srv?.close(); });

const dlg = (page) => viewerDialog(page);
const textOf = (b, id) => clauseTexts(b).find((c) => c.id === id).text;
async function openViewer(page) {
  await page.click('#policy-link');
  await dlg(page).locator('[data-kelisim-text] .kelisim-clause').first().waitFor();
}
/** The text's language, the pressed switch button and the switch's label. */
const langState = (page) => dlg(page).evaluate((d) => ({
  text: d.querySelector('[data-kelisim-text]').getAttribute('lang'),
  pressed: [...d.querySelectorAll('[data-kelisim-text-lang][aria-pressed="true"]')].map((b) => b.getAttribute('data-kelisim-text-lang')),
  buttons: [...d.querySelectorAll('[data-kelisim-text-lang]')].map((b) => `${b.getAttribute('lang')}:${b.textContent}`),
  label: d.querySelector('[data-kelisim-langs]').getAttribute('aria-label'),
  hidden: d.querySelector('[data-kelisim-langs]').hidden,
  title: d.querySelector('.kelisim-viewer-title').textContent,
}));
const waitLang = (page, l) => page.waitForFunction((x) => document.querySelector('[data-kelisim-viewer-dialog] [data-kelisim-text]')?.getAttribute('lang') === x
  && !document.querySelector('[data-kelisim-viewer-dialog] [aria-busy]'), l);
/** Clause ids whose own text contains `q` (the search's rule: a substring, case-folded; wasm/policy/search.h). */
const expectedHits = (b, q) => clauseTexts(b).filter((c) => c.text.toLowerCase().includes(q.toLowerCase())).map((c) => c.id);
const norm = (x) => x.replace(/\s+/g, ' ').trim();
/** Whether every shown piece of each hit's snippet is text of that clause in body `b`. */
async function snippetsFrom(page, b) {
  const shown = await dlg(page).locator('[data-kelisim-hit]').evaluateAll((els) => els.map((e) => ({
    id: e.getAttribute('data-kelisim-hit'), text: e.querySelector('.kelisim-viewer-snippet').textContent })));
  return shown.every((x) => x.text.split('…').map(norm).filter(Boolean).every((piece) => norm(textOf(b, x.id)).includes(piece)));
}
const hits = (page) => dlg(page).locator('[data-kelisim-hit]').evaluateAll((els) => els.map((e) => e.getAttribute('data-kelisim-hit')));

test('the switch (ru → kk → ru, keyboard) keeps the open clause and the search, which runs again in the shown language', async () => {
  const { context, page } = await newContext(browser);
  await page.goto(`${srv.url}/l/service-ru.html#p-4.1`);
  const target = dlg(page).locator('.kelisim-viewer-target');
  await target.waitFor();
  let s = await langState(page);
  assert.deepEqual(s, { text: 'ru', pressed: ['ru'], buttons: ['ru:Русский', 'kk:Қазақша'], label: 'Язык текста', hidden: false, title: TITLE.ru });
  assert.match(await target.getAttribute('id'), /(^|-)p-4\.1$/);
  assert.ok((await target.innerText()).includes(textOf(RU, 'p-4.1').trim().slice(0, 40)));

  // A search in Russian: the hits are the Russian body's.
  const word = 'Сервис';
  await dlg(page).locator('[data-kelisim-search]').fill(word);
  await dlg(page).locator('[data-kelisim-hit]').first().waitFor();
  const ruHits = expectedHits(RU, word);
  const kkHits = expectedHits(KK, word);
  assert.ok(ruHits.length > 0 && kkHits.length > 0);
  assert.deepEqual(await hits(page), ruHits);
  assert.equal(await snippetsFrom(page, RU), true, 'Russian snippets');
  assert.equal(await snippetsFrom(page, KK), false);
  await dlg(page).locator('[data-kelisim-hit] a').first().focus();   // the results are not the target
  await target.waitFor();

  // Keyboard: Enter on "Қазақша".
  await dlg(page).locator('[data-kelisim-text-lang="kk"]').focus();
  await page.keyboard.press('Enter');
  await waitLang(page, 'kk');
  s = await langState(page);
  assert.deepEqual({ ...s, buttons: undefined }, { text: 'kk', pressed: ['kk'], buttons: undefined, label: 'Язык текста', hidden: false, title: TITLE.kk });
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('data-kelisim-text-lang')), 'kk', 'focus stays on the switch');
  // The same clause is open, in Kazakh, in view; the address is unchanged.
  assert.match(await target.getAttribute('id'), /(^|-)p-4\.1$/);
  assert.ok((await target.innerText()).includes(textOf(KK, 'p-4.1').trim().slice(0, 40)));
  assert.ok(await target.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const box = el.closest('.kelisim-viewer-scroll').getBoundingClientRect();
    return r.top >= box.top - 1 && r.top < box.bottom;
  }), 'the clause is scrolled into view');
  assert.equal(await page.evaluate(() => location.hash), '#p-4.1');
  // The search is kept and its results are now the Kazakh body's.
  assert.equal(await dlg(page).locator('[data-kelisim-search]').inputValue(), word);
  assert.deepEqual(await hits(page), kkHits);
  assert.equal(await snippetsFrom(page, KK), true, 'Kazakh snippets: the search ran again over the Kazakh text');
  assert.equal(await snippetsFrom(page, RU), false);
  assert.equal(await dlg(page).locator('.kelisim-viewer-status').innerText(), `Найдено пунктов: ${kkHits.length}`);
  assert.equal(await dlg(page).locator('[data-kelisim-hit] .kelisim-viewer-snippet').first().getAttribute('lang'), 'kk');

  // Space on "Русский" goes back.
  await dlg(page).locator('[data-kelisim-text-lang="ru"]').focus();
  await page.keyboard.press('Space');
  await waitLang(page, 'ru');
  assert.deepEqual(await hits(page), ruHits);
  assert.equal(await snippetsFrom(page, RU), true);
  assert.match(await target.getAttribute('id'), /(^|-)p-4\.1$/);
  assert.equal((await langState(page)).title, TITLE.ru);
  assert.deepEqual(page.__errors, []);
  await context.close();
});

test('without a target the switch keeps the reading position (the clause at the top of the text)', async () => {
  const { context, page } = await newContext(browser);
  await page.goto(`${srv.url}/l/service-ru.html`);
  await ready(page);
  await openViewer(page);
  const top = () => dlg(page).evaluate((d) => {
    const box = d.querySelector('.kelisim-viewer-scroll').getBoundingClientRect();
    const at = [...d.querySelectorAll('[data-kelisim-text] [id*="p-"]')].filter((c) => {
      const r = c.getBoundingClientRect();
      return r.top <= box.top + 20 && r.bottom > box.top + 20;   // clauses scroll to 1rem below the edge
    });
    return at.length ? at[at.length - 1].id.replace(/^.*p-/, '') : null;
  });
  await dlg(page).locator('[data-kelisim-text] [id$="p-2.4"]').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  assert.equal(await top(), '2.4');
  await dlg(page).locator('[data-kelisim-text-lang="kk"]').click();
  await waitLang(page, 'kk');
  assert.equal(await top(), '2.4');
  assert.equal(await dlg(page).locator('.kelisim-viewer-target').count(), 0, 'nothing became a target');
  await context.close();
});

test("a kk visitor reads the Kazakh text; an en visitor the primary (Russian) with English controls; a one-language policy has no switch", async () => {
  const from = srv.requests.length;
  let { context, page } = await newContext(browser);
  await page.goto(`${srv.url}/l/service-kk.html`);
  await ready(page);
  await openViewer(page);
  let s = await langState(page);
  assert.deepEqual({ text: s.text, pressed: s.pressed, label: s.label, title: s.title }, { text: 'kk', pressed: ['kk'], label: 'Мәтін тілі', title: TITLE.kk });
  assert.equal(await dlg(page).locator('[data-kelisim-tab="text"]').innerText(), 'Мәтін');
  assert.match(await dlg(page).locator('[data-kelisim-text] [id$="p-1.3"]').innerText(), /Қазақстан Республикасының заңнамасына бағынады/);
  // The Russian body was never fetched: the Kazakh one came from texts.json's `langs`.
  const urls = srv.requests.slice(from);
  assert.ok(urls.some((u) => u.includes('/policies/service/2/body.kk.json')), 'kk body fetched');
  assert.ok(!urls.some((u) => /\/policies\/service\/2\/body\.json/.test(u)), 'ru body not fetched');
  await context.close();

  ({ context, page } = await newContext(browser));
  await page.goto(`${srv.url}/l/service-en.html`);
  await ready(page);
  await openViewer(page);
  s = await langState(page);
  assert.deepEqual({ text: s.text, pressed: s.pressed, label: s.label, title: s.title }, { text: 'ru', pressed: ['ru'], label: 'Text language', title: TITLE.ru });
  assert.equal(await dlg(page).locator('[data-kelisim-tab="text"]').innerText(), 'Text');
  await context.close();

  ({ context, page } = await newContext(browser));
  await page.goto(`${srv.url}/l/smart.html`);
  await ready(page);
  await openViewer(page);
  assert.equal(await dlg(page).locator('[data-kelisim-langs]').isHidden(), true);
  assert.equal(await dlg(page).locator('[data-kelisim-text-lang]').count(), 0);
  await context.close();
});

test('a kk visitor with an update pending: the notice in Kazakh names the new translation; "what changed" says which language it compares in', async () => {
  const { context, page } = await newContext(browser);
  await page.clock.install({ time: SERVICE_P - 5 * DAY });
  await page.goto(`${srv.url}/l/upd-v1.html`);
  await ready(page);
  await page.click('[data-kelisim-banner] [data-kelisim-action="accept-all"]');
  await page.waitForFunction(() => window.kelisim.state().decided);
  await page.clock.setFixedTime(SERVICE_P + DAY);
  await page.goto(`${srv.url}/l/upd-v2-kk.html`);
  await ready(page);
  const notice = updateNotice(page, 'pending');
  await notice.waitFor();
  assert.equal(await notice.getAttribute('lang'), 'kk');
  assert.equal(await notice.locator('h2').innerText(), 'Құпиялылық саясатын жаңарттық');
  assert.equal(await notice.locator('.kelisim-update-summary').innerText(), 'Не өзгерді: аударма қосылды: қазақ тілі.');
  assert.match(await notice.innerText(), /Жаңа 2 редакциясы 25\.11\.2026 жарияланды\./);
  await notice.locator('[data-kelisim-action="show-changes"]').click();
  const panel = dlg(page).locator('[data-kelisim-panel="changes"]');
  await panel.locator('[data-kelisim-summary]').waitFor();
  assert.equal(await panel.locator('[data-kelisim-translations]').innerText(), 'Аудармалар: Қосылды: қазақ тілі.');
  // Version 1 has no Kazakh text: the comparison is of the Russian texts, and says so.
  assert.equal(await panel.locator('[data-kelisim-diff-lang]').getAttribute('data-kelisim-diff-lang'), 'ru');
  assert.match(await panel.locator('[data-kelisim-diff-lang]').innerText(), /орыс тілі.*1 редакциясы/);
  assert.match(await panel.innerText(), /Бұл редакциялардың мәтіні бірдей\./);
  // The text tab is the Kazakh one.
  await dlg(page).locator('[data-kelisim-tab="text"]').click();
  assert.equal((await langState(page)).text, 'kk');
  assert.deepEqual(page.__errors, []);
  await context.close();
});

test('"what changed" compares in the shown language when both versions have it: a corrected Kazakh translation shows in kk, not in ru', async () => {
  const { context, page } = await newContext(browser);
  await page.goto(`${srv.url}/l/kk3-kk.html`);
  await ready(page);
  await page.evaluate(() => window.kelisim.showPolicy({ view: 'changes', from: '2', to: '3' }));
  const panel = dlg(page).locator('[data-kelisim-panel="changes"]');
  const diff = panel.locator('[data-kelisim-diff]');
  await diff.locator('[data-num="1.3"]').waitFor();
  assert.equal(await diff.getAttribute('lang'), 'kk');
  assert.deepEqual(await diff.locator('[data-num]').evaluateAll((els) => els.map((e) => e.getAttribute('data-num'))), ['1.3']);
  assert.deepEqual((await diff.locator('[data-num="1.3"] ins').allInnerTexts()).map((x) => x.trim()), ['қолданыстағы']);
  assert.equal(await panel.locator('[data-kelisim-translations]').innerText(), 'Аудармалар: Өзгертілді: қазақ тілі.');
  assert.equal(await panel.locator('[data-kelisim-diff-lang]').count(), 0, 'both versions have Kazakh: no note');
  // Switched to Russian, the same two versions have the same text.
  await dlg(page).locator('[data-kelisim-text-lang="ru"]').click();
  await page.waitForFunction(() => document.querySelector('[data-kelisim-viewer-dialog] [data-kelisim-text-lang="ru"]')?.getAttribute('aria-pressed') === 'true'
    && !document.querySelector('[data-kelisim-viewer-dialog] [data-kelisim-diff]'));
  assert.match(await panel.innerText(), /Бұл редакциялардың мәтіні бірдей\./);
  assert.equal((await langState(page)).text, 'ru');
  assert.deepEqual(page.__errors, []);
  await context.close();
});

test('receipts name the policy text language: kk for a kk visitor, the primary (ru) for an en visitor', async () => {
  for (const [ui, text] of [['kk', 'kk'], ['en', 'ru'], ['ru', 'ru']]) {
    const { context, page } = await newContext(browser);
    await page.goto(`${srv.url}/l/service-${ui}.html`);
    await ready(page);
    await page.click('[data-kelisim-banner] [data-kelisim-action="accept-all"]');
    await page.waitForFunction(() => window.kelisim.state().decided);
    const r = await page.evaluate(() => window.kelisim.receipt());
    assert.equal(r.language, ui, ui);
    assert.equal(r.policy.language, text, ui);
    assert.deepEqual(r.policy.languages, SERVICE.langs, ui);
    await context.close();
  }
});

for (const [colorScheme, lang] of [['light', 'ru'], ['dark', 'kk'], ['light', 'en']]) {
  test(`axe-core: 0 violations in the viewer of the ru + kk policy (${colorScheme}, ${lang}), before and after switching`, async () => {
    const { context, page } = await newContext(browser, { colorScheme });
    await page.goto(`${srv.url}/l/service-${lang}.html`);
    await ready(page);
    await openViewer(page);
    await dlg(page).locator('[data-kelisim-search]').fill('Сервис');
    await dlg(page).locator('[data-kelisim-hit]').first().waitFor();
    let v = await axe(page, { include: ['[data-kelisim-viewer-dialog]'] });
    assert.equal(v.length, 0, 'text: ' + formatViolations(v));
    const other = (await langState(page)).text === 'kk' ? 'ru' : 'kk';
    await dlg(page).locator(`[data-kelisim-text-lang="${other}"]`).click();
    await waitLang(page, other);
    v = await axe(page, { include: ['[data-kelisim-viewer-dialog]'] });
    assert.equal(v.length, 0, `text (${other}): ${formatViolations(v)}`);
    for (const tab of ['changes', 'versions']) {
      await dlg(page).locator(`[data-kelisim-tab="${tab}"]`).click();
      await dlg(page).locator(`[data-kelisim-panel="${tab}"] > *`).first().waitFor();
      v = await axe(page, { include: ['[data-kelisim-viewer-dialog]'] });
      assert.equal(v.length, 0, `${tab}: ${formatViolations(v)}`);
    }
    await context.close();
  });
}
