// examples/update-demo and examples/viewer run in the suite so they cannot rot, served the
// way `npm run demo` serves them (examples/site at /, /dist, /policies, the demo CSP).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, startServer, REPO, axe, formatViolations } from './helpers.js';
import { DEMO_CSP } from '../../scripts/serve.mjs';
import { newContext, ready, updateNotice, viewerDialog, P, DAY, DEADLINE } from './viewer-fixture.js';

let browser;
let srv;
before(async () => {
  browser = await launchBrowser();
  srv = await startServer(join(REPO, 'examples/site'), {
    mounts: {
      '/dist': join(REPO, 'dist'), '/policies': join(REPO, 'policies'),
      '/update-demo': join(REPO, 'examples/update-demo'), '/viewer': join(REPO, 'examples/viewer'),
    },
    headers: { 'Content-Security-Policy': DEMO_CSP },
  });
});
after(async () => { await browser?.close(); await srv?.close(); });

function cspWatch(page) {
  const v = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to/.test(m.text())) v.push(m.text()); });
  return v;
}

test('the demo v1 manifest is the built v1 (same body hash), only dated, and labelled as a demo assumption', () => {
  const demo = JSON.parse(readFileSync(join(REPO, 'examples/update-demo/smartaqkol-v1.json'), 'utf8'));
  const built = JSON.parse(readFileSync(join(REPO, 'policies/smartaqkol/1/manifest.json'), 'utf8'));
  assert.equal(built.publishedAt, null, 'the seed states no date');
  assert.equal(demo.bodyHash, built.bodyHash);
  assert.deepEqual(demo.categories, built.categories);
  assert.equal(demo.version, '1');
  assert.equal(demo.demo, true);
  assert.match(demo.dateSource, /DEMO ASSUMPTION/);
});

test('examples/update-demo: v1 accepted → v2 notice with 28.11.2026 → diff → implicit acceptance at the deadline, under the demo CSP', async () => {
  const { context, page } = await newContext(browser);
  const csp = cspWatch(page);
  await page.clock.install({ time: P - 5 * DAY });
  await page.goto(`${srv.url}/update-demo/v1.html`);
  await ready(page);
  await page.click('[data-kelisim-banner] [data-kelisim-action="accept-all"]');
  await page.waitForFunction(() => /"version": "1"/.test(document.getElementById('receipt').textContent));

  await page.clock.setFixedTime(P + 2 * DAY);
  await page.goto(`${srv.url}/update-demo/v2.html`);
  await updateNotice(page, 'pending').waitFor();
  assert.match(await updateNotice(page, 'pending').innerText(), /Изменения вступят в силу для вас 28\.11\.2026, если вы продолжите пользоваться сайтом\./);
  assert.match(await page.locator('#state').innerText(), /"action": "update-notice"/);
  await updateNotice(page, 'pending').locator('[data-kelisim-action="show-changes"]').click();
  await viewerDialog(page).locator('[data-kelisim-diff] [data-num="3.3"] del').waitFor();
  assert.equal(await viewerDialog(page).locator('[data-kelisim-diff] [data-num="3.3"] ins').innerText(), '3');
  await page.keyboard.press('Escape');

  await page.clock.setFixedTime(DEADLINE);
  await page.reload();
  await updateNotice(page, 'implicit').waitFor();
  await page.waitForFunction(() => /"method": "implicit"/.test(document.getElementById('receipt').textContent));
  const receipt = JSON.parse(await page.locator('#receipt').innerText());
  assert.equal(receipt.policy.version, '2');
  assert.equal(receipt.chain.valid, true);
  assert.deepEqual(csp, []);
  assert.deepEqual(page.__errors, []);
  await context.close();
});

test('examples/viewer: the inline viewer follows #p-1.2, the button opens 3.3 in the modal; axe clean; demo CSP', async () => {
  const { context, page } = await newContext(browser);
  const csp = cspWatch(page);
  await page.goto(`${srv.url}/viewer/#p-1.2`);
  const target = page.locator('[data-kelisim-policy] .kelisim-viewer-target');
  await target.waitFor();
  assert.equal(await target.getAttribute('id'), 'p-1.2');
  assert.match(await target.innerText(), /7 \(семи\) календарных дней/);
  await page.locator('[data-kelisim-banner] [data-kelisim-action="reject-all"]').click();
  await page.getByRole('button', { name: 'Открыть п. 3.3 в окне' }).click();
  await viewerDialog(page).locator('.kelisim-viewer-target').waitFor();
  assert.match(await viewerDialog(page).locator('.kelisim-viewer-target').getAttribute('id'), /p-3\.3$/);
  await page.keyboard.press('Escape');
  await viewerDialog(page).waitFor({ state: 'detached' });
  assert.deepEqual(csp, []);
  await context.close();

  // axe-core is injected as an inline script, which the demo CSP (rightly) refuses.
  const a = await newContext(browser, { bypassCSP: true });
  await a.page.goto(`${srv.url}/viewer/`);
  await a.page.locator('[data-kelisim-policy] [data-kelisim-text] .kelisim-clause').first().waitFor();
  await a.page.locator('[data-kelisim-banner] [data-kelisim-action="reject-all"]').click();
  const v = await axe(a.page);
  assert.equal(v.length, 0, formatViolations(v));
  await a.context.close();
});

test('examples/viewer/service.html: the ru + kk demo policy opens inline in Kazakh; the switch keeps #p-4.1 and the search; axe clean; demo CSP', async () => {
  const { context, page } = await newContext(browser);
  const csp = cspWatch(page);
  await page.goto(`${srv.url}/viewer/service.html#p-4.1`);
  const inline = page.locator('[data-kelisim-policy]');
  const target = inline.locator('.kelisim-viewer-target');
  await target.waitFor();
  assert.equal(await target.getAttribute('id'), 'p-4.1');
  assert.equal(await inline.locator('[data-kelisim-text]').getAttribute('lang'), 'kk');
  assert.match(await target.innerText(), /Құқық иеленуші/);
  assert.equal(await inline.locator('[data-kelisim-text-lang="kk"]').getAttribute('aria-pressed'), 'true');
  await inline.locator('[data-kelisim-search]').fill('Сервис');
  await inline.locator('[data-kelisim-hit]').first().waitFor();
  const kkSnippet = await inline.locator('[data-kelisim-hit] .kelisim-viewer-snippet').first().innerText();
  await inline.locator('[data-kelisim-text-lang="ru"]').click();
  await page.waitForFunction(() => document.querySelector('[data-kelisim-policy] [data-kelisim-text]')?.getAttribute('lang') === 'ru');
  assert.equal(await target.getAttribute('id'), 'p-4.1');
  assert.match(await target.innerText(), /Правообладатель/);
  assert.equal(await page.evaluate(() => location.hash), '#p-4.1');
  assert.equal(await inline.locator('[data-kelisim-search]').inputValue(), 'Сервис');
  assert.notEqual(await inline.locator('[data-kelisim-hit] .kelisim-viewer-snippet').first().innerText(), kkSnippet, 'results from the Russian text');
  assert.deepEqual(csp, []);
  assert.deepEqual(page.__errors, []);
  await context.close();

  const a = await newContext(browser, { bypassCSP: true });
  await a.page.goto(`${srv.url}/viewer/service.html`);
  await a.page.locator('[data-kelisim-policy] [data-kelisim-text] .kelisim-clause').first().waitFor();
  await a.page.locator('[data-kelisim-banner] [data-kelisim-action="reject-all"]').click();
  const v = await axe(a.page);
  assert.equal(v.length, 0, formatViolations(v));
  await a.context.close();
});
