// Proof of consent: receipt() (fields after ISO/IEC TS 27560, the hash chain verified and
// re-checked here with node:crypto), and reportUrl: with the endpoint failing (503), the
// browser offline, a reload in between, and then back, every consent event arrives exactly
// once, in batches (JSON arrays sent as text/plain), with the display events it was made on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { launchBrowser, startServer, REPO } from './helpers.js';
import { nodeCore, holdRoute } from './banner-fixture.js';
import { addPolicyRoutes, pageHtml, newContext, ready, updateNotice, V2, P, DAY, DEADLINE } from './viewer-fixture.js';
import { STRINGS } from '../../web/src/ui/i18n.js';

let browser;
let srv;
const inbox = [];          // every event the endpoint accepted, in arrival order
const attempts = [];       // every POST, accepted or not: { up, body, type }
const changes = () => inbox.filter((e) => e.type === 'kelisim:consent-event');
const displays = () => inbox.filter((e) => e.type === 'kelisim:display');
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
        attempts.push({ up: endpointUp, body, type: req.headers['content-type'] });
        if (!endpointUp) { res.writeHead(503, { 'Content-Type': 'text/plain' }); res.end('down'); return; }
        inbox.push(...JSON.parse(body));
        res.writeHead(202);
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
  assert.deepEqual(r.policy, { id: 'smartaqkol', version: '2', bodyHash: V2.bodyHash, publishedAt: V2.publishedAt, url: V2.policyUrl,
    language: 'ru', languages: ['ru'] });   // a one-language version: its text's language
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
  // The chain is checked by the core (kelisim-consent-receipt.wasm): when that module cannot
  // load, the receipt is still made, and its chain is not reported valid, saying why.
  await page.route('**/kelisim-consent-receipt.wasm', (route) => route.fulfill({ status: 503, body: 'down' }));
  await page.reload();
  await ready(page);
  const u = await page.evaluate(() => window.kelisim.receipt());
  assert.equal(u.recordId, r.recordId);
  assert.deepEqual([u.chain.valid, u.chain.brokenAt, u.chain.unchecked], [false, -1, 'wasm-load']);
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
  await waitFor(() => changes().length === 1);
  assert.equal(displays().length, 1, 'the banner reported that it was shown');

  // Endpoint failing: two more events are queued, not lost.
  endpointUp = false;
  await page.evaluate(() => window.kelisim.set({ marketing: false }));
  await page.evaluate(() => window.kelisim.set({ marketing: true }));
  await waitFor(() => attempts.filter((a) => !a.up).length >= 1);
  assert.equal(changes().length, 1);
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
  assert.equal(changes().length, 1, 'nothing gets through while offline');
  assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('kelisim:outbox')).length), 3);

  // Back online: the browser fires `online`, the queue drains in order.
  await context.setOffline(false);
  await waitFor(() => changes().length === 4);
  await settle(page, 500);
  await page.reload();   // nothing is sent twice on the next page either
  await ready(page);
  await settle(page, 500);

  const hist = await history(page);
  assert.equal(hist.length, 4);
  assert.deepEqual(changes().map((e) => e.id), hist.map((e) => e.hash), 'each event once, in order, id = history hash');
  assert.equal(new Set(inbox.map((e) => e.recordId + '/' + e.id)).size, inbox.length);
  assert.deepEqual(changes().map((e) => e.event.op), ['accept-all', 'set', 'set', 'withdraw']);
  const rec = (await nodeCore()).decodeRecord(await page.evaluate(() => localStorage.getItem('kelisim'))).record;
  for (const e of changes()) {
    assert.equal(e.v, 2);
    assert.equal(e.policy.id, 'smartaqkol');
    assert.equal(e.policy.bodyHash, V2.bodyHash);
    assert.equal(e.recordId, rec.id);
    assert.equal(e.event.hash, e.id);
    assert.equal(Date.parse(e.event.at), e.event.atMs);
    assert.equal((await nodeCore()).decodeRecord(e.record).record.historyHead, e.id, 'record: the record string stored after this change');
  }
  // The banner's display event came first and names the record the choice created (drawn
  // at start); the choice on it names it; the API calls were made on no display.
  const [d] = displays();
  assert.equal(inbox[0].id, d.id, 'the display before the choice');
  assert.match(d.id, /^d-[A-Za-z0-9_-]{16,}$/);
  assert.equal(d.v, 2);
  assert.equal(d.recordId, rec.id);
  assert.deepEqual(d.policy, { id: 'smartaqkol', version: '2', bodyHash: V2.bodyHash });
  assert.equal(d.language, 'ru');
  assert.equal(d.display.kind, 'banner');
  assert.equal(d.display.reason, 'no-record');
  assert.equal(d.display.layout, 'bar');
  assert.equal(d.display.deadline, null);
  assert.equal(Date.parse(d.display.at), d.display.atMs);
  assert.deepEqual(d.display.categories, V2.categories.map((c) => c.id));
  assert.deepEqual(d.display.strings, {
    title: STRINGS.ru.title, text: STRINGS.ru.text + ' ' + STRINGS.ru.policy, policy: STRINGS.ru.policy,
    accept: STRINGS.ru.acceptAll, reject: STRINGS.ru.rejectAll, settings: STRINGS.ru.settings,
  });
  assert.deepEqual(changes().map((e) => e.display), [d.id, null, null, null]);
  assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('kelisim:outbox')).length), 0);
  assert.ok(attempts.some((a) => !a.up), 'the endpoint really refused some attempts');
  assert.ok(attempts.every((a) => a.type === 'text/plain;charset=UTF-8'), 'sent as text/plain (no CORS preflight)');
  assert.ok(attempts.some((a) => JSON.parse(a.body).length > 1), 'events waiting together went as one batch');
  await context.close();
});

test('reportUrl: the preferences dialog reports its display (strings of every category) and the choices made in it name it', async () => {
  inbox.length = 0;
  endpointUp = true;
  const { context, page } = await newContext(browser);
  await page.goto(`${srv.url}/r/v2.html`);
  await ready(page);
  await page.click('[data-kelisim-banner] [data-kelisim-action="settings"]');
  await page.locator('dialog[data-kelisim-preferences]').waitFor();
  await page.click('dialog[data-kelisim-preferences] [data-kelisim-action="save"]');
  await page.waitForFunction(() => window.kelisim.state().decided);
  await waitFor(() => changes().length === 1);
  const [banner, prefs] = displays();
  assert.deepEqual(displays().map((x) => x.display.kind), ['banner', 'preferences']);
  assert.equal(prefs.recordId, banner.recordId, 'before any record: the id the choice will create');
  assert.equal(changes()[0].recordId, banner.recordId);
  assert.equal(changes()[0].display, prefs.id);
  assert.equal(changes()[0].event.op, 'set');
  assert.equal(prefs.display.layout, 'dialog');
  assert.equal(prefs.display.reason, 'no-record');
  const s = prefs.display.strings;
  assert.equal(s['category-necessary'], 'Необходимые');
  assert.equal(s['category-marketing'], 'Реклама');
  assert.ok(s['description-marketing'], 'the category description shown');
  for (const k of ['title', 'text', 'accept', 'reject', 'save', 'close']) assert.ok(s[k], k);

  // A return visit: nothing shown, nothing reported; the dialog opened again is reported with
  // the record's id and the decision's reason.
  await page.reload();
  await ready(page);
  await page.click('#policy-link');   // not a consent layer: no display event
  await page.evaluate(() => window.kelisim.showPreferences());
  await page.locator('dialog[data-kelisim-preferences]').waitFor();
  await waitFor(() => displays().length === 3);
  const again = displays()[2];
  assert.equal(again.display.kind, 'preferences');
  assert.equal(again.display.reason, 'current');
  assert.equal(again.recordId, banner.recordId);
  assert.ok(again.display.strings.withdraw, 'the withdrawal control is part of what was shown');
  await context.close();
});

test('reportUrl: a click on a first visit\'s early banner (the consent module still on its way) reports the banner\'s display, then the choice made on it', async () => {
  inbox.length = 0;
  endpointUp = true;
  const { context, page } = await newContext(browser);
  const release = await holdRoute(page, '**/kelisim-consent-banner.wasm');
  await page.goto(`${srv.url}/r/v2.html`);
  await page.locator('[data-kelisim-banner]').waitFor();
  await page.click('[data-kelisim-banner] [data-kelisim-action="reject-all"]');
  await settle(page);
  assert.deepEqual(inbox, [], 'nothing reported before the core decided');
  release();
  await page.waitForFunction(() => window.kelisim.state().decided);
  await waitFor(() => changes().length === 1);
  assert.deepEqual(displays().map((x) => x.display.kind), ['banner']);
  assert.equal(displays()[0].display.reason, 'no-record');
  assert.equal(changes()[0].display, displays()[0].id, 'the choice names the banner it was made on');
  assert.equal(changes()[0].event.op, 'reject-all');
  assert.equal(changes()[0].recordId, displays()[0].recordId);
  await context.close();
});

test('reportUrl: the update notice and the implicit-acceptance notice report their displays (deadline); notice-shown names the implicit notice', async () => {
  inbox.length = 0;
  endpointUp = true;
  const { context, page } = await newContext(browser);
  await page.clock.install({ time: P - 5 * DAY });
  await page.goto(`${srv.url}/r/v1.html`);
  await ready(page);
  await page.click('[data-kelisim-banner] [data-kelisim-action="reject-all"]');
  await page.clock.setFixedTime(P + DAY);
  await page.goto(`${srv.url}/r/v2.html`);
  await updateNotice(page, 'pending').waitFor();
  await waitFor(() => displays().some((d) => d.display.kind === 'update-notice'));
  await page.clock.setFixedTime(DEADLINE + 1000);
  await page.goto(`${srv.url}/r/v2.html`);
  await updateNotice(page, 'implicit').waitFor();
  await page.waitForFunction(() => window.kelisim.state().reason === 'current');
  await waitFor(() => changes().length === 3);
  const [banner, upd, imp] = displays();
  assert.deepEqual(displays().map((d) => [d.display.kind, d.display.reason, d.policy.version]), [
    ['banner', 'no-record', '1'], ['update-notice', 'update-pending', '2'], ['implicit-notice', 'update-due', '2']]);
  assert.equal(upd.display.deadline, new Date(DEADLINE).toISOString());
  assert.equal(imp.display.deadline, new Date(DEADLINE).toISOString());
  assert.equal(upd.display.atMs, P + DAY, 'the page clock');
  assert.equal(upd.display.layout, 'notice');
  assert.ok(upd.display.strings.title && upd.display.strings.text.includes('28.11.2026') && upd.display.strings['accept-update'], JSON.stringify(upd.display.strings));
  assert.deepEqual(changes().map((e) => [e.event.op, e.event.method, e.display]), [
    ['reject-all', 'explicit', banner.id], ['accept-update', 'implicit', null], ['notice-shown', 'implicit', imp.id]]);
  for (const e of inbox) assert.equal(e.recordId, banner.recordId, 'one record throughout');
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
  let senderUp = false;
  const bannerUpAtLoad = [];   // per request of the sender: was the banner already shown?
  // A regex, so the retry under another URL (?retry=1) goes through this route too.
  await page.route(/\/kelisim-receipt\.mjs/, async (r) => {
    bannerUpAtLoad.push(await page.evaluate(() => !!document.querySelector('[data-kelisim-banner]')).catch(() => null));
    return senderUp ? r.continue() : r.fulfill({ status: 503, body: 'down' });
  });
  await page.goto(`${srv.url}/r/v2.html`);
  await ready(page);
  // The first thing to send is the banner's display event: the sender is asked for only then.
  await waitFor(() => bannerUpAtLoad.length >= 1);
  assert.equal(bannerUpAtLoad[0], true, 'the sender is not loaded before the banner is shown');
  await page.evaluate(() => {
    window.__errors = [];
    document.addEventListener('kelisim:error', (e) => window.__errors.push(e.detail.code));
  });
  await page.click('[data-kelisim-banner] [data-kelisim-action="accept-all"]');
  // Queued synchronously with the choice, before any module is loaded.
  const queued = await page.evaluate(() => JSON.parse(localStorage.getItem('kelisim:outbox') || '[]').map((e) => e.id));
  const hist = await history(page);
  assert.deepEqual(queued.filter((id) => !id.startsWith('d-')), hist.map((e) => e.hash));
  assert.equal(queued.length, 2, 'the banner display and the choice');
  await page.waitForFunction(() => window.__errors.includes('report-failed'));
  assert.equal(inbox.length, 0);

  // The sender becomes reachable; the browser's `online` retries the load.
  senderUp = true;
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await waitFor(() => changes().length === 1);
  assert.equal(changes()[0].id, hist[0].hash);
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('kelisim:outbox')).length === 0);
  await context.close();
});
