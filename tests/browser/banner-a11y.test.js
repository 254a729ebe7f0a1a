// Languages, keyboard-only use, axe-core, and the screenshots (docs/screenshots/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, startServer, REPO, axe, formatViolations } from './helpers.js';
import { addRoutes, newPage, probe, assertProbeSound, ready, banner, prefs } from './banner-fixture.js';
import { STRINGS } from '../../web/src/ui/i18n.js';

let browser;
let srv;
before(async () => {
  browser = await launchBrowser();
  srv = await startServer(REPO);
  addRoutes(srv, {
    '/ru.html': { embed: 'script', lang: 'ru' },
    '/kk.html': { embed: 'script', lang: 'kk' },
    '/en.html': { embed: 'script', lang: 'en' },
    '/nolang.html': { embed: 'script', lang: '' },
    '/esm-kk.html': { embed: 'esm', lang: 'kk' },
    '/esm-en.html': { embed: 'esm', lang: 'en' },
    '/forced.html': { embed: 'esm', lang: 'ru', options: { lang: 'en', strings: { en: { acceptAll: 'Allow everything' }, title: 'Ignored for en? no: flat override' } } },
    '/box.html': { embed: 'script', lang: 'en', attrs: 'data-layout="box"' },
  });
});
after(async () => { await browser?.close(); await srv?.close(); });

const LANGS = ['ru', 'kk', 'en'];
const SCHEMES = ['light', 'dark'];
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };
// Committed to the repository (README shows them); the rest go to test-results/.
const DOCS = new Set(['banner-ru-light-desktop', 'banner-kk-dark-phone', 'banner-en-light-phone', 'preferences-kk-light-desktop', 'preferences-ru-dark-phone']);
const SHOTS_DIR = join(REPO, 'test-results/screenshots');
const DOCS_DIR = join(REPO, 'docs/screenshots');
mkdirSync(SHOTS_DIR, { recursive: true });
mkdirSync(DOCS_DIR, { recursive: true });

async function shot(page, name) {
  const path = join(DOCS.has(name) ? DOCS_DIR : SHOTS_DIR, name + '.png');
  await page.screenshot({ path, animations: 'disabled' });
}

for (const lang of LANGS) {
  test(`${lang}: strings come from <html lang>; Kazakh uses its own letters`, async () => {
    const { context, page } = await newPage(browser);
    await page.goto(`${srv.url}/${lang}.html`);
    await banner(page).waitFor();
    const s = STRINGS[lang];
    assert.equal(await banner(page).locator('h2').innerText(), s.title);
    for (const k of ['acceptAll', 'rejectAll', 'settings']) {
      assert.equal(await banner(page).locator(`[data-kelisim-action="${k === 'acceptAll' ? 'accept-all' : k === 'rejectAll' ? 'reject-all' : 'settings'}"]`).innerText(), s[k]);
    }
    assert.equal(await page.locator('[data-kelisim-root]').getAttribute('lang'), lang);
    if (lang === 'kk') {
      const all = Object.values(s).join(' ');
      for (const ch of 'әғқңөұүі') assert.ok(all.includes(ch), `Kazakh strings use ${ch}`);
      assert.match(await banner(page).innerText(), /[әғқңөұүі]/);
    }
    await page.click('[data-kelisim-action="settings"]');
    await prefs(page).waitFor();
    // Category texts come from the policy's texts file (demo-v1.texts.json) in the visitor's language.
    const analytics = { ru: 'Аналитика', kk: 'Аналитика', en: 'Analytics' }[lang];
    assert.ok(await prefs(page).getByLabel(analytics).isVisible());
    const desc = { ru: /Обезличенная статистика/, kk: /келушілердің анонимді статистикасы/, en: /Anonymised visit statistics/ }[lang];
    assert.match(await prefs(page).innerText(), desc);
    await context.close();
  });
}

test('no <html lang>: navigator.languages picks Kazakh', async () => {
  const { context, page } = await newPage(browser, { contextOptions: { locale: 'kk-KZ' } });
  await page.goto(`${srv.url}/nolang.html`);
  await banner(page).waitFor();
  assert.equal(await banner(page).locator('h2').innerText(), STRINGS.kk.title);
  await context.close();
});

test('the site can force a language and override any string', async () => {
  const { context, page } = await newPage(browser);
  await page.goto(`${srv.url}/forced.html`);
  await banner(page).waitFor();
  assert.equal(await banner(page).locator('[data-kelisim-action="accept-all"]').innerText(), 'Allow everything');
  assert.equal(await banner(page).locator('h2').innerText(), 'Ignored for en? no: flat override');
  assert.equal(await banner(page).locator('[data-kelisim-action="reject-all"]').innerText(), STRINGS.en.rejectAll);
  await context.close();
});

test('ESM embed picks Kazakh from <html lang>', async () => {
  const { context, page } = await newPage(browser);
  await page.goto(`${srv.url}/esm-kk.html`);
  await banner(page).waitFor();
  assert.equal(await banner(page).locator('h2').innerText(), STRINGS.kk.title);
  await context.close();
});

for (const embed of ['script', 'esm']) test(`${embed}: keyboard only: focus enters the banner, preferences trap focus, Escape closes, a choice is saved`, async () => {
  const { context, page } = await newPage(browser);
  await page.goto(`${srv.url}/${embed === 'esm' ? 'esm-en' : 'en'}.html`);
  await banner(page).waitFor();
  const active = () => page.evaluate(() => {
    const a = document.activeElement;
    return a.getAttribute('data-kelisim-action') || a.getAttribute('data-kelisim-category') || (a.hasAttribute('data-kelisim-banner') ? 'banner' : a.id || a.tagName);
  });
  assert.equal(await active(), 'banner', 'focus moved into the banner');
  await page.keyboard.press('Tab'); // policy link
  assert.equal(await page.evaluate(() => document.activeElement.hasAttribute('data-kelisim-policy-link')), true);
  // Visible focus: an outline is drawn on the focused control.
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.equal(outline, 'solid');
  await page.keyboard.press('Tab');
  assert.equal(await active(), 'accept-all');
  await page.keyboard.press('Tab');
  assert.equal(await active(), 'reject-all');
  await page.keyboard.press('Tab');
  assert.equal(await active(), 'settings');
  await page.keyboard.press('Enter');
  await prefs(page).waitFor();
  assert.equal(await active(), 'analytics', 'focus moved to the first switch');
  // Escape closes and returns focus to Settings.
  await page.keyboard.press('Escape');
  await prefs(page).waitFor({ state: 'detached' });
  assert.equal(await active(), 'settings');
  await page.keyboard.press('Enter');
  await prefs(page).waitFor();
  // Tab never leaves the dialog (12 presses go round more than once).
  const seen = new Set();
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => !!document.activeElement.closest('[data-kelisim-preferences]')), true, 'focus stays in the dialog');
    seen.add(await active());
  }
  for (const k of ['close', 'analytics', 'marketing', 'accept-all', 'reject-all', 'save']) assert.ok(seen.has(k), `Tab reaches ${k}`);
  await page.keyboard.press('Shift+Tab');
  assert.equal(await page.evaluate(() => !!document.activeElement.closest('[data-kelisim-preferences]')), true);
  // Go to the marketing switch, turn it on with Space, save with Enter.
  while (await active() !== 'marketing') await page.keyboard.press('Tab');
  await page.keyboard.press('Space');
  while (await active() !== 'save') await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await prefs(page).waitFor({ state: 'detached' });
  await banner(page).waitFor({ state: 'detached' });
  await page.waitForFunction(() => window.__probe.length === 1);
  assert.deepEqual(await probe(page), ['marketing1']);
  await assertProbeSound(page);
  // Focus is not left on a removed node.
  assert.equal(await page.evaluate(() => document.activeElement === document.body || document.activeElement.isConnected), true);
  // The page's own "Cookie settings" button reopens the preferences by keyboard, and focus returns to it.
  await page.focus('#open-prefs');
  await page.keyboard.press('Enter');
  await prefs(page).waitFor();
  assert.equal(await prefs(page).locator('input[data-kelisim-category="marketing"]').isChecked(), true);
  await page.keyboard.press('Escape');
  await prefs(page).waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement.id), 'open-prefs');
  await context.close();
});

for (const lang of LANGS) {
  for (const colorScheme of SCHEMES) {
    test(`axe: 0 violations on banner and preferences, ${lang} ${colorScheme}; screenshots`, async () => {
      const { context, page } = await newPage(browser, { colorScheme, contextOptions: { viewport: VIEWPORTS.desktop } });
      await page.goto(`${srv.url}/${lang}.html`);
      await banner(page).waitFor();
      // The dark theme really is dark (and light really light).
      const bg = await banner(page).evaluate((el) => getComputedStyle(el).backgroundColor);
      const lum = bg.match(/\d+/g).slice(0, 3).map(Number).reduce((a, b) => a + b, 0) / 3;
      assert.ok(colorScheme === 'dark' ? lum < 80 : lum > 200, `${colorScheme} background ${bg}`);
      let v = await axe(page, { include: ['[data-kelisim-root]'] });
      assert.equal(v.length, 0, formatViolations(v));
      v = await axe(page);
      assert.equal(v.length, 0, 'whole page: ' + formatViolations(v));
      await shot(page, `banner-${lang}-${colorScheme}-desktop`);
      await page.setViewportSize(VIEWPORTS.phone);
      await shot(page, `banner-${lang}-${colorScheme}-phone`);
      await page.setViewportSize(VIEWPORTS.desktop);
      await page.click('[data-kelisim-action="settings"]');
      await prefs(page).waitFor();
      v = await axe(page, { include: ['[data-kelisim-preferences]'] });
      assert.equal(v.length, 0, formatViolations(v));
      // The switches take the scheme's colours (prefs.css), ≥ 3:1 against the dialog: off is
      // #6b7280 on white, #8a94a3 on #1d2127.
      const off = await prefs(page).locator('[data-kelisim-category="analytics"]').evaluate((el) => getComputedStyle(el).borderTopColor);
      assert.equal(off, colorScheme === 'dark' ? 'rgb(138, 148, 163)' : 'rgb(107, 114, 128)');
      await shot(page, `preferences-${lang}-${colorScheme}-desktop`);
      await page.setViewportSize(VIEWPORTS.phone);
      await shot(page, `preferences-${lang}-${colorScheme}-phone`);
      await context.close();
    });
  }
}

test('box layout, axe and no layout shift', async () => {
  const { context, page } = await newPage(browser, { contextOptions: { viewport: VIEWPORTS.desktop } });
  await page.addInitScript(() => {
    window.__cls = 0;
    new PerformanceObserver((l) => { for (const e of l.getEntries()) if (!e.hadRecentInput) window.__cls += e.value; })
      .observe({ type: 'layout-shift', buffered: true });
  });
  await page.goto(`${srv.url}/box.html`);
  await banner(page).waitFor();
  assert.match(await banner(page).getAttribute('class'), /kelisim-box/);
  assert.equal(await banner(page).evaluate((el) => getComputedStyle(el).position), 'fixed');
  const before = await page.evaluate(() => document.querySelector('h1').getBoundingClientRect().top);
  await page.waitForTimeout(100);
  assert.equal(await page.evaluate(() => window.__cls), 0);
  assert.equal(await page.evaluate(() => document.querySelector('h1').getBoundingClientRect().top), before);
  const v = await axe(page, { include: ['[data-kelisim-root]'] });
  assert.equal(v.length, 0, formatViolations(v));
  await shot(page, 'banner-en-light-box');
  // The three first-layer buttons have equal visual weight: same colours, font, height.
  const looks = await banner(page).locator('.kelisim-btn').evaluateAll((els) => els.map((el) => {
    const s = getComputedStyle(el);
    return [s.backgroundColor, s.color, s.fontWeight, s.fontSize, s.borderColor, el.getBoundingClientRect().height].join('|');
  }));
  assert.equal(looks.length, 3);
  assert.equal(new Set(looks).size, 1, looks.join('\n'));
  await context.close();
});

test('forced colors (Windows high contrast): the switches fall back to native checkboxes', async () => {
  const { context, page } = await newPage(browser);
  await page.emulateMedia({ forcedColors: 'active' });
  await page.goto(`${srv.url}/en.html`);
  await banner(page).waitFor();
  await page.click('[data-kelisim-action="settings"]');
  await prefs(page).waitFor();
  const appearance = await prefs(page).locator('input[data-kelisim-category="analytics"]').evaluate((el) => getComputedStyle(el).appearance);
  assert.equal(appearance, 'auto');
  await context.close();
});
