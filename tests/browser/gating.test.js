// Gated scripts allowed together (web/src/gating.js): the external ones are fetched in
// parallel (inserted together with async = false) and still run in document order, with the
// inline ones in their place; nothing is requested before consent. The server holds back the
// first script's response, so a second request that arrives before that response is sent
// proves the fetches overlap; order is what the page's probe recorded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, startServer, REPO } from './helpers.js';
import { newPage, probe, assertProbeSound, banner, ready } from './banner-fixture.js';

const HOLD_MS = 700;   // how long /slow/a.js is held before its response is sent
let browser;
let srv;
let log = [];          // { name, start, end } per /slow/ request, server clock

before(async () => {
  browser = await launchBrowser();
  srv = await startServer(REPO, {
    handle(req, res) {
      const m = /^\/slow\/(\w+)\.js$/.exec(new URL(req.url, 'http://x').pathname);
      if (!m) return false;
      const [name, status] = m[1].split('_');   // a_404: held, then answered 404
      const e = { name, start: Date.now(), end: null };
      log.push(e);
      const cat = name === 'd' ? 'marketing' : 'analytics';
      setTimeout(() => {
        e.end = Date.now();
        res.writeHead(Number(status) || 200, { 'Content-Type': 'text/javascript', 'Cache-Control': 'no-store' });
        res.end(status ? '' : `__ran('${cat}', '${name.toUpperCase()}')`);
      }, name === 'a' ? HOLD_MS : 0);
      return true;
    },
  });
  const page = (scripts) => `<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>gating</title>
<script src="/dist/kelisim.js" data-policy="/tests/fixtures/manifests/demo-v1.json" defer></script>
</head><body><main><h1>Тестовая страница</h1></main>
${scripts}
</body></html>`;
  const ext = (cat, src) => `<script type="text/plain" data-kelisim-category="${cat}" src="${src}"></script>`;
  const inline = (cat, label) => `<script type="text/plain" data-kelisim-category="${cat}">__ran('${cat}', '${label}')</script>`;
  srv.route('/order.html', page([
    ext('analytics', '/slow/a.js'), ext('analytics', '/slow/b.js'), inline('analytics', 'C'),
    ext('marketing', '/slow/d.js'), inline('marketing', 'E'),
  ].join('\n')), 'text/html; charset=utf-8');
  srv.route('/failing.html', page([
    ext('analytics', '/slow/a_404.js'), ext('analytics', '/slow/b.js'), inline('analytics', 'C'),
  ].join('\n')), 'text/html; charset=utf-8');
});
after(async () => { await browser?.close(); await srv?.close(); });

const slowRequests = () => srv.requests.filter((p) => p.startsWith('/slow/'));

test('gated scripts allowed together: fetched in parallel, run in document order, inline ones in their place, nothing before consent', async () => {
  log = [];
  const { context, page } = await newPage(browser);
  await page.goto(`${srv.url}/order.html`);
  await ready(page);
  await banner(page).waitFor();
  await page.waitForTimeout(100);
  assert.deepEqual(slowRequests(), [], 'no gated script is requested before consent');
  assert.deepEqual(await probe(page), []);
  await page.click('[data-kelisim-banner] [data-kelisim-action="accept-all"]');
  await page.waitForFunction(() => window.__probe.length === 5, null, { timeout: 10000 });
  assert.deepEqual(await probe(page), ['analyticsA', 'analyticsB', 'analyticsC', 'marketingD', 'marketingE']);
  const a = log.find((e) => e.name === 'a');
  const b = log.find((e) => e.name === 'b');
  assert.ok(a && b, `requests: ${JSON.stringify(log)}`);
  assert.ok(b.start < a.end, `b.js was requested (${b.start - a.start} ms after a.js) before a.js's held response was sent (${a.end - a.start} ms): the fetches overlap`);
  // d.js comes after the inline script C, which waits for a.js and b.js to have run.
  assert.ok(log.find((e) => e.name === 'd').start >= a.end, 'an external script after an inline one is inserted once the inline one ran');
  await assertProbeSound(page);
  assert.deepEqual(page.__errors, []);
  await context.close();
});

test('a gated script that fails to load does not stop the ones after it, which still run in order', async () => {
  log = [];
  const { context, page } = await newPage(browser);
  await page.goto(`${srv.url}/failing.html`);
  await ready(page);
  await banner(page).waitFor();
  await page.click('[data-kelisim-banner] [data-kelisim-action="accept-all"]');
  await page.waitForFunction(() => window.__probe.length === 2, null, { timeout: 10000 });
  assert.deepEqual(await probe(page), ['analyticsB', 'analyticsC']);
  const a = log.find((e) => e.name === 'a');
  const b = log.find((e) => e.name === 'b');
  assert.ok(b.start < a.end, 'b.js was requested while a.js was still held');
  await assertProbeSound(page);
  await context.close();
});
