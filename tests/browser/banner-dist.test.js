// What the banner's dist files are made of. dist/kelisim.js ships its Russian and Kazakh
// strings as UTF-8 (not \uXXXX escapes) with a byte order mark, so they must reach the visitor
// intact on a windows-1251 page served without a `charset` on the script's Content-Type
// (legacy Russian and Kazakh sites). Neither entry names a `node:` module (webpack refuses
// them in web builds).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, startServer, REPO } from './helpers.js';
import { MANIFEST, ready, banner } from './banner-fixture.js';
import { STRINGS } from '../../web/src/ui/i18n.js';

let browser;
let srv;

before(async () => {
  browser = await launchBrowser();
  srv = await startServer(REPO);
  for (const lang of ['ru', 'kk']) {
    // ASCII-only page declared windows-1251; the script inherits that encoding unless its bytes say otherwise.
    srv.route(`/cp1251-${lang}.html`, Buffer.from(`<!doctype html><html lang="${lang}"><head><meta charset="windows-1251">
<script src="/dist/kelisim.js" data-policy="${MANIFEST()}" defer></script></head><body><p>page</p></body></html>`, 'latin1'),
    'text/html; charset=windows-1251');
  }
});
after(async () => { await browser?.close(); await srv?.close(); });

test('dist/kelisim.js starts with a UTF-8 byte order mark', () => {
  const b = readFileSync(join(REPO, 'dist/kelisim.js'));
  assert.deepEqual([...b.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
});

test('dist/kelisim.js and dist/kelisim.mjs import no node: module', () => {
  for (const f of ['kelisim.js', 'kelisim.mjs']) {
    const code = readFileSync(join(REPO, 'dist', f), 'utf8');
    assert.doesNotMatch(code, /["'`]node:/, f);
    assert.doesNotMatch(code, /\brequire\b/, f + ': no require shim');
  }
});

for (const lang of ['ru', 'kk']) {
  test(`${lang}: a windows-1251 page, script served without charset: the banner text is intact`, async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.route('**/dist/kelisim.js', async (route) => {
      const res = await route.fetch();
      await route.fulfill({ status: 200, body: await res.body(), headers: { 'content-type': 'text/javascript' } });
    });
    await page.goto(`${srv.url}/cp1251-${lang}.html`);
    assert.equal(await page.evaluate(() => document.characterSet), 'windows-1251');
    await ready(page);
    const b = banner(page);
    await b.waitFor();
    assert.equal(await b.locator('h2').innerText(), STRINGS[lang].title);
    assert.equal(await b.locator('[data-kelisim-action="accept-all"]').innerText(), STRINGS[lang].acceptAll);
    await context.close();
  });
}
