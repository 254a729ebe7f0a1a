// Proof of consent: receipt() (fields after ISO/IEC TS 27560, the hash chain verified and
// re-checked here with node:crypto), and reportUrl: with the endpoint failing (503), the
// browser offline, a reload in between, and then back, every consent event arrives exactly once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { launchBrowser, startServer, REPO } from './helpers.js';
import { nodeCore } from './banner-fixture.js';
import { addPolicyRoutes, pageHtml, newContext, ready, updateNotice, V2, P, DAY, DEADLINE } from './viewer-fixture.js';

let browser;
let srv;
const inbox = [];          // every event the endpoint accepted, in arrival order
const attempts = [];       // every POST, accepted or not
let endpointUp = true;

before(async () => {
  browser = await launchBrowser();
  srv = await startServer(REPO, {
    handle(req, res) {
      if (!req.url.startsWith('/collect')) return false;
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        attempts.push({ up: endpointUp, body });
        if (!endpointUp) { res.writeHead(503, { 'Content-Type': 'text/plain' }); res.end('down'); return; }
        inbox.push(JSON.parse(body));
        res.writeHead(204);
        res.end();
      });
      return true;
    },
  });
  await addPolicyRoutes(srv);
  const cfg = (extra) => `<script>window.kelisimConfig = ${JSON.stringify({ reportUrl: '/collect', ...extra })};</script>`;
  srv.route('/r/v2.html', pageHtml({ manifest: '/fx/smart/manifest.json', head: cfg() }));
  srv.route('/r/v1.html', pageHtml({ manifest: '/fx/smart/1/manifest.json', head: cfg() }));
});
after(async () => { await browser?.close(); await srv?.close(); });

const sha = (s) => createHash('sha256').update(s).digest('hex');
const canonical = (e) => `${e.op}~${e.at}~${e.version}~${e.method}~${Object.entries(e.choices).map(([k, v]) => `${k}:${v ? 1 : 0}`).join('.')}`;
const history = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('kelisim:history') || '[]'));
const settle = (page, ms = 150) => page.evaluate((t) => new Promise((r) => setTimeout(r, t)), ms);

test('receipt(): record, policy, language, categories, method, timestamps, controller and a verified hash chain', async () => {
  const { context, page } = await newContext(browser);
  await page.goto(`${srv.url}/r/v2.html`);
  await ready(page);
  assert.equal(await page.evaluate(() => window.kelisim.receipt()), null, 'no consent, no receipt');
  await page.click('[data-kelisim-banner] [data-kelisim-action="accept-all"]');
  await page.evaluate(() => window.kelisim.set({ marketing: false }));
  const r = await page.evaluate(() => window.kelisim.receipt());
  const core = await nodeCore();
  const rec = core.decodeRecord(await page.evaluate(() => localStorage.getItem('kelisim'))).record;
  assert.equal(r.schema, 'kelisim-receipt/1');
  assert.equal(r.recordId, rec.id);
  assert.deepEqual(r.policy, { id: 'smartaqkol', version: '2', bodyHash: V2.bodyHash, publishedAt: V2.publishedAt, url: V2.policyUrl });
  assert.equal(r.controller, 'ТОО «BTS Digital»');
  assert.equal(r.contact, 'privacy@example.com');
  assert.equal(r.jurisdiction, 'KZ');
  assert.equal(r.language, 'ru');
  assert.equal(r.method, 'explicit');
  assert.equal(r.givenAt, new Date(rec.givenAt).toISOString());
  assert.ok(Date.parse(r.generatedAt) >= rec.givenAt);
  assert.deepEqual(r.categories.map((c) => [c.id, c.required, c.state, c.title]), [
    ['necessary', true, 'on', 'Необходимые'], ['marketing', false, 'off', 'Реклама']]);
  assert.equal(r.inForce, true);
  assert.deepEqual(r.history.map((e) => e.op), ['accept-all', 'set']);
  // The chain, checked here independently of the page's code.
  let prev = '';
  for (const e of r.history) {
    assert.equal(e.prevHash, prev);
    assert.equal(e.hash, sha(e.prevHash + '\n' + canonical(e)));
    prev = e.hash;
  }
  assert.deepEqual(r.chain, { valid: true, length: 2, head: prev, brokenAt: -1, matchesRecord: true });
  assert.equal(rec.historyHead, prev);

  // Tampering with a stored entry is detected.
  await page.evaluate(() => {
    const h = JSON.parse(localStorage.getItem('kelisim:history'));
    h[0].choices.marketing = false;
    localStorage.setItem('kelisim:history', JSON.stringify(h));
  });
  const t = await page.evaluate(() => window.kelisim.receipt());
  assert.equal(t.chain.valid, false);
  assert.equal(t.chain.brokenAt, 0);
  await context.close();
});

test('receipt() after an implicit acceptance: method implicit, notice shown time, v2 policy', async () => {
  const { context, page } = await newContext(browser);
  await page.clock.install({ time: P - 5 * DAY });
  await page.goto(`${srv.url}/r/v1.html`);
  await ready(page);
  await page.click('[data-kelisim-banner] [data-kelisim-action="reject-all"]');
  await page.clock.setFixedTime(DEADLINE + 1000);
  await page.goto(`${srv.url}/r/v2.html`);
  await updateNotice(page, 'implicit').waitFor();
  await page.waitForFunction(() => window.kelisim.state().reason === 'current');
  const r = await page.evaluate(() => window.kelisim.receipt());
  assert.equal(r.method, 'implicit');
  assert.equal(r.policy.version, '2');
  assert.equal(r.givenAt, new Date(DEADLINE + 1000).toISOString());
  assert.equal(r.noticeShownAt, new Date(DEADLINE + 1000).toISOString());
  assert.deepEqual(r.history.map((e) => [e.op, e.method]), [['reject-all', 'explicit'], ['accept-update', 'implicit'], ['notice-shown', 'implicit']]);
  assert.equal(r.chain.valid, true);
  assert.equal(r.chain.matchesRecord, true);
  await context.close();
});

test('reportUrl: endpoint down (503), then the browser offline, a reload, then back: every event arrives exactly once', async () => {
  inbox.length = 0;
  attempts.length = 0;
  endpointUp = true;
  const { context, page } = await newContext(browser);
  await page.goto(`${srv.url}/r/v2.html`);
  await ready(page);
  await page.click('[data-kelisim-banner] [data-kelisim-action="accept-all"]');
  await page.waitForFunction(() => window.kelisim.state().decided);
  await waitFor(() => inbox.length === 1);

  // Endpoint failing: two more events are queued, not lost.
  endpointUp = false;
  await page.evaluate(() => window.kelisim.set({ marketing: false }));
  await page.evaluate(() => window.kelisim.set({ marketing: true }));
  await waitFor(() => attempts.filter((a) => !a.up).length >= 1);
  assert.equal(inbox.length, 1);
  assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('kelisim:outbox')).length), 2);

  // A reload while it is still down: the queue survives in localStorage.
  await page.reload();
  await ready(page);
  await settle(page, 300);
  assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('kelisim:outbox')).length), 2);

  // The browser goes offline (requests fail at the network level) and one more event happens.
  endpointUp = true;
  await context.setOffline(true);
  await page.evaluate(() => window.kelisim.withdraw());
  await settle(page, 300);
  assert.equal(inbox.length, 1, 'nothing gets through while offline');
  assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('kelisim:outbox')).length), 3);

  // Back online: the browser fires `online`, the queue drains in order.
  await context.setOffline(false);
  await waitFor(() => inbox.length === 4);
  await settle(page, 500);
  await page.reload();   // nothing is sent twice on the next page either
  await ready(page);
  await settle(page, 500);

  const hist = await history(page);
  assert.equal(hist.length, 4);
  assert.deepEqual(inbox.map((e) => e.id), hist.map((e) => e.hash), 'each event once, in order, id = history hash');
  assert.equal(new Set(inbox.map((e) => e.id)).size, inbox.length);
  assert.deepEqual(inbox.map((e) => e.event.op), ['accept-all', 'set', 'set', 'withdraw']);
  for (const e of inbox) {
    assert.equal(e.policy.id, 'smartaqkol');
    assert.equal(e.policy.bodyHash, V2.bodyHash);
    assert.equal(typeof e.recordId, 'string');
    assert.equal(e.event.hash, e.id);
  }
  assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('kelisim:outbox')).length), 0);
  assert.ok(attempts.some((a) => !a.up), 'the endpoint really refused some attempts');
  await context.close();
});

async function waitFor(cond, ms = 15000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for ' + cond);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('reportUrl: the lazily loaded sender (kelisim-receipt.mjs) cannot load: the event is queued at once, an error is reported, and it is sent once the sender loads', async () => {
  inbox.length = 0;
  endpointUp = true;
  const { context, page } = await newContext(browser);
  const requested = [];
  page.on('request', (r) => requested.push(new URL(r.url()).pathname));
  let senderUp = false;
  // A regex, so the retry under another URL (?retry=1) goes through this route too.
  await page.route(/\/kelisim-receipt\.mjs/, (r) => (senderUp ? r.continue() : r.fulfill({ status: 503, body: 'down' })));
  await page.goto(`${srv.url}/r/v2.html`);
  await ready(page);
  assert.ok(!requested.some((p) => p.endsWith('/kelisim-receipt.mjs')), 'the first visit does not load the sender');
  await page.evaluate(() => {
    window.__errors = [];
    document.addEventListener('kelisim:error', (e) => window.__errors.push(e.detail.code));
  });
  await page.click('[data-kelisim-banner] [data-kelisim-action="accept-all"]');
  // Queued synchronously with the choice, before any module is loaded.
  const queued = await page.evaluate(() => JSON.parse(localStorage.getItem('kelisim:outbox') || '[]').map((e) => e.id));
  const hist = await history(page);
  assert.deepEqual(queued, hist.map((e) => e.hash));
  await page.waitForFunction(() => window.__errors.includes('report-failed'));
  assert.equal(inbox.length, 0);

  // The sender becomes reachable; the browser's `online` retries the load.
  senderUp = true;
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await waitFor(() => inbox.length === 1);
  assert.equal(inbox[0].id, hist[0].hash);
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('kelisim:outbox')).length === 0);
  await context.close();
});
