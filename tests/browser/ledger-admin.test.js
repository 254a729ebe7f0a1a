// The ledger's admin page (server/admin/, served by kelisim-server at /admin) in headless
// Chromium: the real server binary on a temp SQLite ledger, fed real events that the core
// (kelisim/core over dist/kelisim-consent.wasm) made valid; the operator signs in with the
// token, reads the chart and its table, looks a record up, opens its printable proof and
// verifies the ledger — by keyboard, in ru/kk/en, with no axe-core violations and no CSP
// violation under the page's strict policy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadCore } from '../../web/src/engine/headless.js';
import { launchBrowser, REPO, AXE_PATH, watchErrors, formatViolations } from './helpers.js';

const SERVER = join(REPO, 'build/native/server/kelisim-server');
const manifest = (v) => JSON.parse(readFileSync(join(REPO, `policies/smartaqkol/${v}/manifest.json`), 'utf8'));

let browser;
let server;
let dir;
let url;
const token = randomBytes(24).toString('base64url');
const records = {};

/** Starts kelisim-server on a free port; resolves with its base URL once it prints it. */
function startLedger() {
  return new Promise((resolve, reject) => {
    const args = ['serve', '--listen', '127.0.0.1:0', '--db', `sqlite:${join(dir, 'ledger.db')}`,
      '--policies', join(REPO, 'policies'), '--admin-token-file', join(dir, 'token'), '--checkpoint-seconds', '1'];
    server = spawn(SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    const timer = setTimeout(() => reject(new Error('kelisim-server did not start in 10 s:\n' + out + err)), 10000);
    server.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    server.stderr.on('data', (d) => { err += d; });
    server.on('exit', (code) => { clearTimeout(timer); reject(new Error(`kelisim-server exited ${code}:\n${out}${err}`)); });
  });
}

// ---------------------------------------------------------------------------
// Real events, made by the core as the page makes them (docs/ledger.md §1)
// ---------------------------------------------------------------------------

const policyRef = (m) => ({ id: m.id, version: m.version, bodyHash: m.bodyHash });
const newRecordId = () => randomBytes(9).toString('base64url');

function displayEvent(visitor, m, kind, at, strings = { title: 'Cookies', text: 'We use cookies.' }) {
  visitor.display = 'd-' + randomBytes(12).toString('base64url');
  return {
    type: 'kelisim:display', v: 2, id: visitor.display, recordId: visitor.id, policy: policyRef(m), language: 'ru',
    display: { kind, reason: kind === 'update-notice' ? 'update-pending' : 'no-record', layout: 'bar',
      at: new Date(at).toISOString(), atMs: at, deadline: null, categories: m.categories.map((c) => c.id), strings },
  };
}

function changeEvent(visitor, m, record, entry, onDisplay = true) {
  visitor.record = record;
  return {
    type: 'kelisim:consent-event', v: 2, id: entry.hash, recordId: visitor.id, record, policy: policyRef(m),
    controller: m.controller, language: 'ru', display: onDisplay ? visitor.display ?? null : null,
    event: { op: entry.op, at: new Date(entry.at).toISOString(), atMs: entry.at, version: entry.version,
      method: entry.method, choices: entry.choices, prevHash: entry.prevHash, hash: entry.hash },
  };
}

async function post(events) {
  const res = await fetch(url + '/v1/events', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(events) });
  const body = await res.json();
  assert.equal(res.status, 202, JSON.stringify(body));
  assert.equal(body.stored, events.length);
}

async function feedLedger() {
  const core = await loadCore({ consentWasm: readFileSync(join(REPO, 'dist/kelisim-consent.wasm')) });
  const v2 = manifest('2');
  // v1 was never published with a date; the core needs one to decide: give it one before v2.
  const v1 = { ...manifest('1'), publishedAt: '2026-10-01T10:00:00+05:00' };
  const now = Date.now();
  const press = (vis, m, op, at, choices) => {
    const r = core.apply({ manifest: m, record: vis.record, now: at, op, choices, newId: vis.id });
    return changeEvent(vis, m, r.record, r.entry);
  };
  const events = [];
  for (const [name, op, choices] of [['accepted', 'accept-all'], ['rejected', 'reject-all'], ['custom', 'set', { marketing: true }]]) {
    const vis = (records[name] = { id: newRecordId() });
    events.push(displayEvent(vis, v2, 'banner', now - 5000), press(vis, v2, op, now - 4000, choices));
  }
  const w = records.withdrawn = { id: newRecordId() };
  events.push(displayEvent(w, v2, 'banner', now - 5000), press(w, v2, 'accept-all', now - 4500), press(w, v2, 'withdraw', now - 3000));
  // An update accepted implicitly: v1 accepted, v2's notice shown, the page loads after the deadline.
  const u = records.implicit = { id: newRecordId() };
  const t1 = Date.parse('2026-11-21T12:00:00+05:00'), t2 = Date.parse('2026-11-29T08:00:00+05:00');
  events.push(displayEvent(u, v1, 'banner', Date.parse('2026-11-10T09:00:00+05:00')),
    press(u, v1, 'accept-all', Date.parse('2026-11-10T09:00:04+05:00')),
    displayEvent(u, v2, 'update-notice', t1, { title: '<script>alert(1)</script>', text: 'Политика обновлена' }));
  const d = core.decide({ manifest: v2, record: u.record, now: t2 });
  assert.equal(d.action, 'implicit-accept');
  events.push(changeEvent(u, v2, d.record, d.entry, false));
  await post(events);
}

before(async () => {
  assert.ok(existsSync(SERVER), `${SERVER} is missing: build it (cmake --build build/native --target kelisim-server)`);
  dir = mkdtempSync(join(tmpdir(), 'kelisim-admin-'));
  writeFileSync(join(dir, 'token'), token + '\n', { mode: 0o600 });
  url = await startLedger();
  await feedLedger();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------
// Page helpers
// ---------------------------------------------------------------------------

/** axe-core, evaluated through the DevTools protocol (an injected <script> would be refused by
 *  the page's CSP, which is the point of the page). */
async function axeViolations(page) {
  await page.evaluate(readFileSync(AXE_PATH, 'utf8'));
  return page.evaluate(async () => {
    const r = await globalThis.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ') + ' :: ' + n.failureSummary) }));
  });
}

/** Presses Tab until the element with `id` has focus (at most `max` times). */
async function tabTo(page, id, max = 40) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate(() => document.activeElement?.id) === id) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`#${id} was not reached by Tab`);
}

async function openAdmin(context) {
  const page = await context.newPage();
  const errors = watchErrors(page);
  const csp = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) csp.push(m.text()); });
  await page.goto(url + '/admin');
  return { page, errors, csp };
}

async function signInByKeyboard(page) {
  await tabTo(page, 'token');
  await page.keyboard.type(token);
  await page.keyboard.press('Enter');
  await page.locator('#workspace').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'stats-h', 'focus moves to the workspace');
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

test("the days are the operator's: the page sends the browser's UTC offset and labels the chart with it", async () => {
  // UTC+05:00 (Kazakhstan's offset). 'Etc/GMT-5' is that offset in the tz database's
  // inverted POSIX sign, with no daylight-saving rules.
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'Etc/GMT-5' });
  const { page, errors } = await openAdmin(context);
  const asked = page.waitForRequest((r) => r.url().includes('/v1/stats?'));
  await page.fill('#token', token);
  await page.press('#token', 'Enter');
  const query = new URL((await asked).url()).searchParams;
  assert.equal(query.get('tz'), '+05:00');
  const here = new Date(Date.now() + 5 * 3600000).toISOString().slice(0, 10);  // today at UTC+05:00
  assert.equal(query.get('to'), new Date(Date.parse(here) + 86400000).toISOString().slice(0, 10), 'to: the day after the last one shown');
  await page.locator('#chart svg rect').first().waitFor();
  assert.match(await page.textContent('#chart-caption'), /\(UTC\+05:00\)/);
  const row = page.locator('#stats-body tr', { has: page.locator(`th:text-is("${here}")`) });
  assert.deepEqual((await row.locator('td').allInnerTexts()).at(-1), '7', 'every event of today falls on the operator\'s today');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a wrong token is refused on the page and the workspace stays hidden', async () => {
  const context = await browser.newContext({ locale: 'en-US' });
  const { page, errors } = await openAdmin(context);
  await page.fill('#token', 'not-the-token');
  await page.press('#token', 'Enter');
  await page.locator('#login-status', { hasText: 'The server refused this token.' }).waitFor();
  assert.equal(await page.locator('#workspace').isHidden(), true);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('kelisim-admin-token')), null);
  // The 401 itself is logged by Chromium as a failed resource; nothing else may be.
  assert.deepEqual(errors.filter((e) => !/401/.test(e)), []);
  await context.close();
});

test('by keyboard: sign in, chart and table, look a record up, printable proof, verify; axe finds nothing', async () => {
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'UTC' });
  const { page, errors, csp } = await openAdmin(context);
  // (acceptDownloads is on by default in new contexts)
  assert.deepEqual(await axeViolations(page), [], 'login screen');
  await signInByKeyboard(page);

  // Chart: one stacked bar segment per method and day with events; the table holds the numbers.
  await page.locator('#chart svg rect').first().waitFor();
  const methods = await page.$$eval('#chart svg rect', (rs) => [...new Set(rs.map((r) => r.dataset.method))].sort());
  assert.deepEqual(methods, ['accept-all', 'custom', 'implicit', 'reject-all', 'withdrawn']);
  assert.equal(await page.getAttribute('#chart svg', 'role'), 'img');
  assert.match(await page.getAttribute('#chart svg', 'aria-label'), /7 in all/);
  const today = new Date().toISOString().slice(0, 10);
  const row = page.locator('#stats-body tr', { has: page.locator(`th:text-is("${today}")`) });
  const cells = await row.locator('td').allInnerTexts();
  // Every event was stored today (server clock), the v1 acceptance of the implicit record too.
  // accept-all, reject-all, custom, accept-update, implicit, withdrawn, total
  assert.deepEqual(cells, ['3', '1', '1', '0', '1', '1', '7']);
  assert.equal(await page.locator('#stats-body tr').count(), 30);
  const rates = await page.locator('#rates-body tr').allInnerTexts();
  assert.equal(rates.length, 2);
  assert.match(rates[0], /necessary\s+7\s+7\s+100%/);
  // on: accept-all ×3, custom, implicit (carried over); off: reject-all, withdraw
  assert.match(rates[1], /marketing\s+5\s+7\s+71\.4%/);

  // Look-up of the implicitly accepted record.
  await tabTo(page, 'record-id');
  await page.keyboard.type(records.implicit.id);
  await page.keyboard.press('Enter');
  await page.locator('#record').waitFor();
  assert.equal(await page.locator('#events-body tr').count(), 4);
  const checks = await page.locator('#checks li').allInnerTexts();
  assert.ok(checks.some((c) => /Implicit acceptance \(seq \d+\) of version 2: update notice shown 2026-11-21 07:00:00Z; deadline 2026-11-27 19:00:00Z; accepted 2026-11-29 03:00:00Z, after the deadline\./.test(c)), checks.join('\n'));
  assert.equal(await page.locator('#checks li[data-ok="false"]').count(), 0);
  assert.deepEqual(await axeViolations(page), [], 'workspace with a record');
  mkdirSync(join(REPO, 'test-results/screenshots'), { recursive: true });
  await page.screenshot({ path: join(REPO, 'test-results/screenshots/ledger-admin-en.png'), fullPage: true });

  // The printable proof opens in a new tab, styled by its one hashed <style> (no CSP refusal),
  // and shows the notice's words as text.
  await tabTo(page, 'proof-html');
  const [proof] = await Promise.all([context.waitForEvent('page'), page.keyboard.press('Enter')]);
  await proof.waitForURL(/^blob:/);
  await proof.locator('h1').waitFor();
  assert.equal(await proof.locator('h1').innerText(), 'Proof of consent');
  assert.match(await proof.evaluate(() => getComputedStyle(document.body).fontFamily), /Georgia/);
  assert.equal(await proof.locator('script').count(), 0);
  assert.match(await proof.locator('body').innerText(), /<script>alert\(1\)<\/script>/);
  assert.match(await proof.locator('body').innerText(), /2026-11-27T19:00:00\.000Z/);
  await proof.setViewportSize({ width: 900, height: 1200 });
  await proof.screenshot({ path: join(REPO, 'test-results/screenshots/ledger-proof-en.png'), fullPage: true });
  await proof.close();

  // The JSON proof downloads as a file: the signed document itself.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#proof-json')]);
  assert.equal(download.suggestedFilename(), `kelisim-proof-${records.implicit.id}.json`);
  const doc = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(doc.format, 'kelisim-proof/1');
  assert.equal(doc.recordId, records.implicit.id);
  assert.match(doc.signature, /^[0-9a-f]{128}$/);
  assert.equal(doc.decisions.at(-1).implicit.deadlineIso, '2026-11-27T19:00:00.000Z');

  // Verify the whole ledger.
  await tabTo(page, 'verify-button');
  await page.keyboard.press('Enter');
  await page.locator('#verify-status[data-kind="ok"]').waitFor();
  assert.match(await page.locator('#verify-status').innerText(), /^Valid: 13 rows and \d+ checkpoints check out\.$/);

  // Check a proof someone shows: the one just downloaded, then the same with one word changed.
  await page.setInputFiles('#proof-file', await download.path());
  await tabTo(page, 'proof-file');
  await page.keyboard.press('Tab');  // the Check button
  await page.keyboard.press('Enter');
  await page.locator('#check-proof-status[data-kind="ok"]').waitFor();
  assert.match(await page.locator('#check-proof-status').innerText(),
    new RegExp(`^Valid: the proof of record ${records.implicit.id} is signed by this ledger, and its checkpoint \\(seq \\d+\\) is the one stored here\\.$`));
  const edited = JSON.stringify(doc).replace('"implicit"', '"explicit"');
  assert.notEqual(edited, JSON.stringify(doc));
  await page.setInputFiles('#proof-file', { name: 'edited.json', mimeType: 'application/json', buffer: Buffer.from(edited) });
  await page.click('#check-proof-form button[type=submit]');
  await page.locator('#check-proof-status[data-kind="error"]').waitFor();
  assert.match(await page.locator('#check-proof-status').innerText(), /^NOT valid: .*signature/);
  assert.deepEqual(await axeViolations(page), [], 'workspace with the checks done');
  assert.deepEqual(errors, []);
  assert.deepEqual(csp, []);

  // Sign out: the token leaves the tab's storage and the data leaves the page.
  await page.click('#logout');
  assert.equal(await page.locator('#workspace').isHidden(), true);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('kelisim-admin-token')), null);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'token');
  assert.equal(await page.locator('#events-body tr, #stats-body tr, #chart svg').count(), 0);
  assert.doesNotMatch(await page.content(), new RegExp(records.implicit.id));
  await context.close();
});

test('a link to /admin#record=<id> (the update demo links so) shows that record once the operator signs in', async () => {
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(url + '/admin#record=' + records.withdrawn.id);
  await page.fill('#token', token);
  await page.press('#token', 'Enter');
  await page.locator('#record').waitFor();
  assert.equal(await page.inputValue('#record-id'), records.withdrawn.id);
  assert.equal(await page.locator('#events-body tr').count(), 3);
  await context.close();
});

for (const [lang, button, title, lookUp, valid] of [
  ['ru', 'Русский', 'Журнал согласий', 'Найти', /^Верно: 13 строк/],
  ['kk', 'Қазақша', 'Келісімдер журналы', 'Іздеу', /^Дұрыс: 13 жол/],
  ['en', 'English', 'Consent ledger', 'Look up', /^Valid: 13 rows/],
]) {
  test(`${lang}: the language switch translates the page, its tables and its messages; axe finds nothing`, async () => {
    const context = await browser.newContext({ locale: lang === 'en' ? 'ru-RU' : 'en-US' });
    const { page, errors } = await openAdmin(context);
    await page.getByRole('button', { name: button }).click();
    assert.equal(await page.locator('h1').innerText(), title);
    assert.equal(await page.getAttribute('html', 'lang'), lang);
    assert.equal(await page.getAttribute(`[data-lang="${lang}"]`, 'aria-pressed'), 'true');
    await signInByKeyboard(page);
    assert.equal(await page.locator('#lookup-form button').innerText(), lookUp);
    await page.fill('#record-id', records.withdrawn.id);
    await page.press('#record-id', 'Enter');
    await page.locator('#record').waitFor();
    assert.equal(await page.locator('#events-body tr').count(), 3);
    await page.click('#verify-button');
    await page.locator('#verify-status[data-kind="ok"]').waitFor();
    assert.match(await page.locator('#verify-status').innerText(), valid);
    if (lang === 'kk') assert.match(await page.locator('body').innerText(), /[әғқңөұүі]/);
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], formatViolations(violations));
    assert.deepEqual(errors, []);
    await context.close();
  });
}

// Last: it adds a row to the ledger, which the tests above count.
test('a consistency proof from a checkpoint an auditor kept to now: downloaded by keyboard, checked, an edited one refused; axe finds nothing', async () => {
  const auth = { Authorization: 'Bearer ' + token };
  // The checkpoint an auditor kept: the one in a proof handed out earlier.
  const proof = await (await fetch(`${url}/v1/proof/${records.accepted.id}`, { headers: auth })).json();
  const kept = proof.checkpoint.seq;
  assert.ok(kept >= 1, JSON.stringify(proof.checkpoint));
  // The ledger grows after it: one more banner display, not yet under any checkpoint.
  const res = await fetch(url + '/v1/events', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify([displayEvent({ id: newRecordId() }, manifest('2'), 'banner', Date.now())]) });
  assert.equal(res.status, 202);

  const context = await browser.newContext({ locale: 'en-US' });
  const { page, errors, csp } = await openAdmin(context);
  await signInByKeyboard(page);
  // Not a number: said, marked and focused; nothing requested.
  await tabTo(page, 'consistency-from');
  await page.keyboard.type('twelve');
  await page.keyboard.press('Enter');
  await page.locator('#consistency-status[data-kind="error"]').waitFor();
  assert.equal(await page.locator('#consistency-status').innerText(), 'A checkpoint number is a whole number from 1.');
  assert.equal(await page.getAttribute('#consistency-from', 'aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'consistency-from');
  // A seq where no checkpoint is: the server's reason.
  await page.fill('#consistency-from', '999999');
  await page.keyboard.press('Enter');
  await page.locator('#consistency-status[data-kind="error"]').filter({ hasText: 'no checkpoint at seq 999999' }).waitFor();
  // The kept checkpoint to now ("to" left empty): the server signs the new head first.
  await page.fill('#consistency-from', String(kept));
  const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  await page.locator('#consistency-status[data-kind="ok"]').waitFor();
  assert.equal(await page.getAttribute('#consistency-from', 'aria-invalid'), null);
  const doc = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(doc.format, 'kelisim-ledger-consistency/1');
  assert.equal(doc.from.seq, kept);
  assert.equal(doc.to.seq, kept + 1, 'up to the row added after the kept checkpoint');
  assert.equal(download.suggestedFilename(), `kelisim-consistency-${kept}-${kept + 1}.json`);
  assert.equal(await page.locator('#consistency-status').innerText(), `Downloaded: checkpoint ${kept + 1} extends checkpoint ${kept}.`);

  // The same document checked as one someone shows the operator, then with one path hash changed.
  await page.setInputFiles('#proof-file', await download.path());
  await page.click('#check-proof-form button[type=submit]');
  await page.locator('#check-proof-status[data-kind="ok"]').waitFor();
  assert.equal(await page.locator('#check-proof-status').innerText(),
    `Valid: the ledger signed at checkpoint ${kept + 1} extends the one signed at checkpoint ${kept}, and both checkpoints are stored here.`);
  assert.ok(doc.path.length > 0);
  doc.path[0] = (doc.path[0][0] === '0' ? '1' : '0') + doc.path[0].slice(1);
  await page.setInputFiles('#proof-file', { name: 'edited.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(doc)) });
  await page.click('#check-proof-form button[type=submit]');
  await page.locator('#check-proof-status[data-kind="error"]').waitFor();
  assert.match(await page.locator('#check-proof-status').innerText(), /^NOT valid: /);
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], formatViolations(violations));
  // The one failed request is the 404 asked for above.
  assert.deepEqual(errors, ['console: Failed to load resource: the server responded with a status of 404 (Not Found)']);
  assert.deepEqual(csp, []);
  await context.close();
});
