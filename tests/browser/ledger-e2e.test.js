// The consent ledger end to end (docs/ledger.md): the real banner in Chromium reports to the
// real kelisim-server (build/native/server/kelisim-server, a temp SQLite file, the seed
// policies built by the kelisim CLI, a generated key and admin token), and what the ledger
// then holds is read back through its operator API (GET /v1/records/{id}, /v1/proof/{id}).
//   - accept, reject, custom and withdrawal, each with the display event it was made on;
//   - SmartAqkol v1 → v2 (seed 003, clause 1.2) accepted implicitly after the deadline (the
//     page clock is moved as in notice.test.js): the proof names the update notice and the deadline;
//   - the server down, then up: what was made meanwhile is redelivered by the outbox and
//     stored exactly once (and a replayed batch is answered as duplicates).
// Lean: one browser, one server (restarted once, on the same port and database).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, startServer, REPO } from './helpers.js';
import { addPolicyRoutes, pageHtml, newContext, ready, updateNotice, V2, P, DAY, DEADLINE } from './viewer-fixture.js';

const SERVER = process.env.KELISIM_SERVER || join(REPO, 'build/native/server/kelisim-server');
const CLI = process.env.KELISIM_CLI || join(REPO, 'build/native/kelisim');

let browser;
let srv;          // the static server of the test pages
let tmp;
let ledger;       // { url, port, proc, stop() }
const token = randomBytes(24).toString('hex');

/**
 * Starts kelisim-server on `listen` over the test's database; resolves once it listens
 * ({ url, port, proc, log, stop() → Promise }). Rejects with its output when it exits first.
 */
function startLedger(listen = '127.0.0.1:0') {
  const proc = spawn(SERVER, [
    'serve', '--listen', listen, '--db', 'sqlite:' + join(tmp, 'ledger.db'),
    '--policies', join(tmp, 'policies'), '--origin', srv.url,
    '--admin-token-file', join(tmp, 'token'), '--key', join(tmp, 'ledger.key'),
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  return new Promise((resolve, reject) => {
    const onData = (b) => {
      log += b;
      const m = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(log);
      if (m) {
        proc.stdout.off('data', onData);
        const exited = new Promise((r) => proc.once('exit', r));
        resolve({
          url: m[1], port: Number(m[2]), proc, log: () => log,
          stop: () => { proc.kill('SIGTERM'); return exited; },
        });
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', (b) => { log += b; });
    proc.once('exit', (code) => reject(new Error(`kelisim-server exited (${code}) before listening:\n${log}`)));
  });
}

/** GET on the operator API with the admin token; the parsed JSON (asserting `status`). */
async function api(path, status = 200) {
  const r = await fetch(ledger.url + path, { headers: { Authorization: 'Bearer ' + token } });
  const body = await r.text();
  assert.equal(r.status, status, `${path}: ${body.slice(0, 300)}`);
  return JSON.parse(body);
}

before(async () => {
  assert.ok(existsSync(SERVER), `${SERVER} is needed (cmake --build build/native --target kelisim-server)`);
  assert.ok(existsSync(CLI), `${CLI} is needed to build the seed policies`);
  tmp = mkdtempSync(join(tmpdir(), 'kelisim-ledger-e2e-'));
  execFileSync(CLI, ['build', join(REPO, 'policies'), '-o', join(tmp, 'policies')], { stdio: 'pipe' });
  writeFileSync(join(tmp, 'token'), token + '\n', { mode: 0o600 });
  execFileSync(SERVER, ['keygen', '--key', join(tmp, 'ledger.key')], { stdio: 'pipe' });
  browser = await launchBrowser();
  srv = await startServer(REPO);
  await addPolicyRoutes(srv);
  ledger = await startLedger();
  const cfg = `<script>window.kelisimConfig = ${JSON.stringify({ reportUrl: ledger.url + '/v1/events' })};</script>`;
  srv.route('/e2e/v1.html', pageHtml({ manifest: '/fx/smart/1/manifest.json', head: cfg }));
  srv.route('/e2e/v2.html', pageHtml({ manifest: '/fx/smart/manifest.json', head: cfg }));
});
after(async () => {
  await browser?.close();
  await ledger?.stop();
  await srv?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function waitFor(cond, what, ms = 20000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const outbox = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('kelisim:outbox') || '[]'));
const history = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('kelisim:history') || '[]'));
const delivered = (page) => waitFor(async () => (await outbox(page)).length === 0, 'the outbox to drain');
const recordId = (page) => page.evaluate(() => window.kelisim.state().recordId);

/** A fresh visitor (errors collected in window.__errors; page.__posts: every body POSTed to the ledger). */
async function visitor() {
  const { context, page } = await newContext(browser);
  await context.addInitScript(() => {
    window.__errors = [];
    document.addEventListener('kelisim:error', (e) => window.__errors.push(e.detail.code + ': ' + e.detail.message));
  });
  page.__posts = [];
  page.on('request', (r) => { if (r.method() === 'POST' && r.url().startsWith(ledger.url)) page.__posts.push(r.postData()); });
  return { context, page };
}

/**
 * Checks a record read back from the ledger against the page: the ops in order, every change
 * naming the display it was made on (by kind; null for none), the hashes the page's history
 * has, a sound verification. Returns the events.
 */
async function assertRecord(page, id, expected) {
  assert.deepEqual(await page.evaluate(() => window.__errors), [], 'the page reported no error (none of its events was refused)');
  const rec = await api('/v1/records/' + id);
  const ev = rec.events;
  assert.deepEqual(ev.map((e) => [e.kind, e.op]), expected.map(([kind, op]) => [kind, op]), JSON.stringify(ev, null, 1));
  const byId = new Map(ev.map((e) => [e.eventId, e]));
  expected.forEach(([kind, , on], i) => {
    if (kind !== 'change') return;
    if (!on) assert.equal(ev[i].display, null, `${ev[i].op}: made on no display`);
    else assert.equal(byId.get(ev[i].display)?.op, on, `${ev[i].op}: made on the ${on} display`);
  });
  assert.deepEqual(ev.filter((e) => e.kind === 'change').map((e) => e.hash), (await history(page)).map((h) => h.hash));
  assert.equal(new Set(ev.map((e) => e.eventId)).size, ev.length, 'each event stored once');
  assert.equal(rec.verification.chain.ok, true);
  assert.equal(rec.verification.seals.ok, true);
  assert.deepEqual(rec.verification.unknownPolicies, []);
  for (const e of ev) assert.deepEqual(e.flags, [], `${e.kind} ${e.op}: no flags`);
  return rec;
}

test('accept, reject, custom and withdrawal reach the ledger, each with the display it was made on', async () => {
  const runs = [];
  // accept-all and reject-all on the banner
  for (const action of ['accept-all', 'reject-all']) {
    const { context, page } = await visitor();
    await page.goto(`${srv.url}/e2e/v2.html`);
    await ready(page);
    await page.click(`[data-kelisim-banner] [data-kelisim-action="${action}"]`);
    runs.push({ context, page, expected: [['display', 'banner'], ['change', action, 'banner']] });
  }
  // custom in the preferences dialog, then withdrawal in it, reopened
  {
    const { context, page } = await visitor();
    await page.goto(`${srv.url}/e2e/v2.html`);
    await ready(page);
    await page.click('[data-kelisim-banner] [data-kelisim-action="settings"]');
    const dialog = page.locator('dialog[data-kelisim-preferences]');
    await dialog.waitFor();
    await dialog.locator('[data-kelisim-category="marketing"]').check();
    await dialog.locator('[data-kelisim-action="save"]').click();
    await dialog.waitFor({ state: 'detached' });
    await page.evaluate(() => window.kelisim.showPreferences());
    await dialog.waitFor();
    await dialog.locator('[data-kelisim-action="withdraw"]').click();
    await page.waitForFunction(() => window.kelisim.state().choices.marketing === false);
    runs.push({ context, page, expected: [['display', 'banner'], ['display', 'preferences'], ['change', 'set', 'preferences'],
      ['display', 'preferences'], ['change', 'withdraw', 'preferences']] });
  }
  const recs = [];
  for (const { context, page, expected } of runs) {
    await delivered(page);
    const rec = await assertRecord(page, await recordId(page), expected);
    const banner = rec.events[0];
    assert.equal(banner.display.reason, 'no-record');
    assert.equal(banner.display.layout, 'bar');
    assert.match(banner.display.contentHash, /^[0-9a-f]{64}$/);
    assert.deepEqual(banner.policy, { id: 'smartaqkol', version: '2', bodyHash: V2.bodyHash });
    recs.push(rec);
    await context.close();
  }
  assert.equal(recs[0].events[0].display.contentHash, recs[1].events[0].display.contentHash, 'the same banner, the same words');
  const choices = (rec, op) => rec.events.find((e) => e.op === op).choices;
  assert.deepEqual(choices(recs[0], 'accept-all'), { necessary: true, marketing: true });
  assert.deepEqual(choices(recs[1], 'reject-all'), { necessary: true, marketing: false });
  assert.deepEqual(choices(recs[2], 'set'), { necessary: true, marketing: true });
  assert.deepEqual(choices(recs[2], 'withdraw'), { necessary: true, marketing: false });
  assert.equal(recs[2].events[1].display.layout, 'dialog');
});

test('v1 → v2 accepted implicitly after the deadline: the record and its proof name the update notice and the deadline', async () => {
  const { context, page } = await visitor();
  await page.clock.install({ time: P - 5 * DAY });
  await page.goto(`${srv.url}/e2e/v1.html`);
  await ready(page);
  await page.click('[data-kelisim-banner] [data-kelisim-action="accept-all"]');
  await delivered(page);
  // v2 is published; a visit inside the 7 days shows the update notice...
  await page.clock.setFixedTime(P + DAY);
  await page.goto(`${srv.url}/e2e/v2.html`);
  await updateNotice(page, 'pending').waitFor();
  await delivered(page);
  // ...and a visit after the deadline accepts it on the visitor's continued use.
  await page.clock.setFixedTime(DEADLINE + 60000);
  await page.goto(`${srv.url}/e2e/v2.html`);
  await updateNotice(page, 'implicit').waitFor();
  await page.waitForFunction(() => window.kelisim.state().reason === 'current');
  await delivered(page);

  const id = await recordId(page);
  const rec = await assertRecord(page, id, [
    ['display', 'banner'], ['change', 'accept-all', 'banner'],
    ['display', 'update-notice'],
    ['change', 'accept-update', null],
    ['display', 'implicit-notice'], ['change', 'notice-shown', 'implicit-notice'],
  ]);
  const notice = rec.events[2];
  assert.equal(notice.display.deadline, new Date(DEADLINE).toISOString());
  assert.equal(notice.clientAt, P + DAY);
  assert.equal(rec.events[3].method, 'implicit');
  assert.equal(rec.verification.valid, true);
  const [imp] = rec.verification.implicitAcceptances;
  assert.equal(rec.verification.implicitAcceptances.length, 1);
  assert.equal(imp.notice.seq, notice.seq, 'the implicit acceptance rests on the update notice shown');
  assert.equal(imp.deadline, DEADLINE);
  assert.equal(imp.afterDeadline, true);
  assert.deepEqual(imp.flags, []);

  // The signed proof names the same notice display and the deadline.
  const proof = await api('/v1/proof/' + id);
  assert.equal(proof.recordId, id);
  const shown = proof.displays.find((d) => d.kind === 'update-notice');
  assert.equal(shown.seq, notice.seq);
  assert.equal(shown.deadline, new Date(DEADLINE).toISOString());
  assert.ok(shown.strings && shown.strings.title, 'the proof shows the words of the notice');
  const accepted = proof.decisions.find((d) => d.op === 'accept-update');
  assert.equal(accepted.method, 'implicit');
  assert.equal(accepted.implicit.notice.seq, notice.seq);
  assert.equal(accepted.implicit.deadline, DEADLINE);
  assert.equal(accepted.implicit.afterDeadline, true);
  assert.match(proof.signature, /^[0-9a-f]{128}$/);
  // A regulator checks the document offline with the operator's public key; any edit breaks it.
  const file = join(tmp, 'proof.json');
  writeFileSync(file, JSON.stringify(proof));
  const verifyProof = (f) => spawnSync(SERVER, ['verify', '--proof', f, '--key', join(tmp, 'ledger.key')], { encoding: 'utf8' });
  const ok = verifyProof(file);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /^valid proof/);
  writeFileSync(file, JSON.stringify({ ...proof, decisions: proof.decisions.map((d) => (d.op === 'accept-update' ? { ...d, method: 'explicit' } : d)) }));
  const bad = verifyProof(file);
  assert.equal(bad.status, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, /^INVALID proof/);
  await context.close();
});

test('server down, then up: the outbox redelivers what was made meanwhile, each event stored exactly once', async () => {
  const { context, page } = await visitor();
  await page.goto(`${srv.url}/e2e/v2.html`);
  await ready(page);
  await page.click('[data-kelisim-banner] [data-kelisim-action="accept-all"]');
  await delivered(page);
  const id = await recordId(page);
  const before = (await api('/v1/records/' + id)).events.length;

  const port = ledger.port;
  await ledger.stop();
  await page.evaluate(() => window.kelisim.showPreferences());
  const dialog = page.locator('dialog[data-kelisim-preferences]');
  await dialog.waitFor();
  await dialog.locator('[data-kelisim-category="marketing"]').uncheck();
  await dialog.locator('[data-kelisim-action="save"]').click();
  await page.evaluate(() => window.kelisim.withdraw());
  await waitFor(() => page.evaluate(() => window.__errors.some((e) => e.startsWith('report-failed'))), 'a failed delivery');
  assert.equal((await outbox(page)).length, 3, 'the dialog display and two changes wait in the outbox');

  ledger = await startLedger('127.0.0.1:' + port);
  await delivered(page);   // on its own: the backoff timer retries
  await page.evaluate(() => { window.__errors = []; });
  await assertRecord(page, id, [
    ['display', 'banner'], ['change', 'accept-all', 'banner'],
    ['display', 'preferences'], ['change', 'set', 'preferences'], ['change', 'withdraw', null],
  ]);
  assert.equal(before, 2);

  // A replay of everything the page sent (a browser may resend a batch whose answer it
  // lost): the ledger answers 202 with every event a duplicate and stores nothing new.
  const count = (await api('/v1/records/' + id)).events.length;
  for (const body of page.__posts) {
    const r = await fetch(ledger.url + '/v1/events', { method: 'POST', headers: { 'Content-Type': 'text/plain;charset=UTF-8', Origin: srv.url }, body });
    assert.equal(r.status, 202);
    const a = await r.json();
    assert.equal(a.stored, 0);
    assert.equal(a.duplicates, JSON.parse(body).length);
  }
  assert.ok(page.__posts.length >= 2);
  assert.equal((await api('/v1/records/' + id)).events.length, count);
  await context.close();
});
