// web/src/receipt.js in Node: the history chain as the core checks it
// (kelisim-consent-receipt.wasm's kel_verify_history, through core.js verifyHistory: truncated
// histories, broken links, edited and malformed entries), and the report queue with a fake window (batches, ordering,
// deduplication, failures kept, a refused event dropped, persistence across page loads,
// `online`); the v2 events of web/src/report-events.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createReporter, buildReceipt, makeReceipt } from '../../web/src/receipt.js';
import { eventOf } from '../../web/src/report-events.js';
import { loadCore, verifyHistory } from '../../web/src/engine/core.js';
import { loadWasm } from '../../web/src/engine/loader.js';

const MANIFEST = JSON.parse(readFileSync(new URL('../fixtures/manifests/demo-v1.json', import.meta.url), 'utf8'));
const WASM = new URL('../../dist/kelisim-consent.wasm', import.meta.url);
const RECEIPT_WASM = new URL('../../dist/kelisim-consent-receipt.wasm', import.meta.url);

/** n history entries as the core writes them (apply, each linked to the one before). */
async function chain(n) {
  const core = await loadCore({ consentWasm: WASM });
  const out = [];
  let record = null;
  for (let i = 0; i < n; i++) {
    const r = core.apply({
      manifest: MANIFEST, record, now: Date.parse(MANIFEST.publishedAt) + 60000 + i * 1000, op: i ? 'set' : 'accept-all',
      choices: i ? { marketing: i % 2 === 0 } : undefined, newId: 'Rec0rdId_1', prevHash: out.length ? out.at(-1).hash : '',
    });
    record = r.record;
    out.push(r.entry);
  }
  return { core, h: out };
}

// Entries the core wrote, for the report queue's tests below.
const WRITTEN = (await chain(120)).h;
const entries = (n) => structuredClone(WRITTEN.slice(0, n));

test('verifyHistory (kelisim-consent-receipt.wasm): valid, truncated (first entry points at a dropped one), edited, relinked, reordered, malformed', async () => {
  const { h } = await chain(5);
  const wasm = await loadWasm(RECEIPT_WASM);
  const core = { verifyHistory: (x) => verifyHistory(wasm, x) };
  assert.deepEqual(core.verifyHistory([]), { valid: true, length: 0, head: null, brokenAt: -1 });
  assert.deepEqual(core.verifyHistory(h), { valid: true, length: 5, head: h[4].hash, brokenAt: -1 });
  assert.equal(core.verifyHistory(h.slice(2)).valid, true, 'the storage keeps only the newest entries');
  const edited = structuredClone(h);
  edited[3].choices.marketing = !edited[3].choices.marketing;
  assert.equal(core.verifyHistory(edited).brokenAt, 3);
  const relinked = structuredClone(h);
  relinked[2].prevHash = h[0].hash;
  assert.equal(core.verifyHistory(relinked).brokenAt, 2);
  assert.equal(core.verifyHistory([h[0], h[2], h[1]]).brokenAt, 1);
  assert.equal(core.verifyHistory([...h, { ...h[4], hash: 'f'.repeat(64), prevHash: h[4].hash }]).brokenAt, 5);
  // Tampered storage: wrong types, a missing entry or field, a line break or '~' smuggled in.
  for (const [i, bad] of [[1, { ...h[1], at: 'soon' }], [1, null], [1, { ...h[1], hash: undefined }], [1, { ...h[1], version: '1\n' + h[1].version }],
    [1, { ...h[1], method: 'explicit~x' }], [1, { ...h[1], op: 'eat-all' }]]) {
    const t = structuredClone(h);
    t[i] = bad;
    assert.equal(core.verifyHistory(t).brokenAt, i, JSON.stringify(bad));
  }
});

test('makeReceipt: the chain is checked by the core; without its module the chain is not reported valid', async () => {
  const { core, h } = await chain(3);
  const record = core.decodeRecord(core.apply({ manifest: MANIFEST, record: null, now: Date.parse(MANIFEST.publishedAt) + 1, op: 'accept-all', newId: 'Rec0rdId_1' }).record).record;
  const args = { record: { ...record, historyHead: h[2].hash }, manifest: MANIFEST, history: h, lang: 'ru', now: Date.now() };
  const ok = await makeReceipt({ ...args, receiptWasm: RECEIPT_WASM });
  assert.deepEqual(ok.chain, { valid: true, length: 3, head: h[2].hash, brokenAt: -1, matchesRecord: true });
  const bad = await makeReceipt({ ...args, history: [h[0], h[2]], receiptWasm: RECEIPT_WASM });
  assert.equal(bad.chain.brokenAt, 1);
  // A module without kel_verify_history (the banner's build): not valid, and why.
  const lite = await makeReceipt({ ...args, receiptWasm: new URL('../../dist/kelisim-consent-banner.wasm', import.meta.url) });
  assert.equal(lite.chain.valid, false);
  assert.equal(lite.chain.unchecked, 'wasm-missing-export');
  // Loaded again after a failure: a good module next time checks it.
  assert.equal((await makeReceipt({ ...args, receiptWasm: RECEIPT_WASM })).chain.valid, true);
});

/**
 * A window with localStorage and a fetch that records each POST. `win.up`: true (202), false
 * (503), 'throw' (network error), or a function (batch) => { status, body } for other answers.
 */
function fakeWin(shared = new Map()) {
  const ls = {
    getItem: (k) => (shared.has(k) ? shared.get(k) : null),
    setItem: (k, v) => { shared.set(k, String(v)); },
    removeItem: (k) => { shared.delete(k); },
  };
  const listeners = {};
  const win = {
    localStorage: ls,
    navigator: {},
    location: { href: 'https://site.example/page', origin: 'https://site.example' },
    up: true,
    posts: [],        // every POST: { ids, init }
    received: [],     // ids of events in accepted POSTs, in order
    accepted: [],     // the accepted POSTs' ids, one array per POST
    addEventListener: (t, f) => { (listeners[t] ||= []).push(f); },
    removeEventListener: (t, f) => { listeners[t] = (listeners[t] || []).filter((x) => x !== f); },
    fire: (t) => { for (const f of listeners[t] || []) f(); },
    async fetch(url, init) {
      const batch = JSON.parse(init.body);
      assert.ok(Array.isArray(batch), 'a batch is a JSON array');
      win.posts.push({ url, ids: batch.map((e) => e.id), init });
      if (win.up === 'throw') throw new TypeError('Failed to fetch');
      if (typeof win.up === 'function') {
        const a = win.up(batch);
        if (a.status >= 200 && a.status < 300) { win.received.push(...batch.map((e) => e.id)); win.accepted.push(batch.map((e) => e.id)); }
        return { ok: a.status >= 200 && a.status < 300, status: a.status, json: async () => a.body };
      }
      if (!win.up) return { ok: false, status: 503, json: async () => ({}) };
      win.received.push(...batch.map((e) => e.id));
      win.accepted.push(batch.map((e) => e.id));
      return { ok: true, status: 202, json: async () => ({ stored: batch.length }) };
    },
  };
  return win;
}
const tick = () => new Promise((r) => setTimeout(r, 5));
const manifest = { id: 'p', version: '2', bodyHash: 'a'.repeat(64), controller: 'C' };
const events = entries(4).map((entry) => eventOf({ entry, record: 'k1~r1~…', recordId: 'r1', manifest, lang: 'kk', display: null }));
const drained = async (rep) => { for (let i = 0; i < 100 && rep.pending(); i++) await tick(); };

test('reporter: sends in order, deduplicates by id, keeps failures queued, persists, drains on online', async () => {
  const store = new Map();
  const win = fakeWin(store);
  const rep = createReporter({ url: 'https://site.example/collect', win });
  rep.report(events[0]);
  rep.report(events[0]);          // duplicate while queued
  await tick();
  assert.deepEqual(win.received, [events[0].id]);
  rep.report(events[0]);          // duplicate after delivery
  await tick();
  assert.deepEqual(win.received, [events[0].id]);

  win.up = false;
  rep.report(events[1]);
  await tick();
  win.up = 'throw';
  rep.report(events[2]);
  await tick();
  assert.equal(rep.pending(), 2);
  assert.equal(JSON.parse(store.get('kelisim:outbox')).length, 2);
  rep.destroy();

  // The next page load (a new reporter on the same storage) picks the queue up.
  const win2 = fakeWin(store);
  win2.up = false;
  const rep2 = createReporter({ url: 'https://site.example/collect', win: win2 });
  rep2.report(events[3]);
  await tick();
  assert.equal(rep2.pending(), 3);
  win2.up = true;
  win2.fire('online');
  await drained(rep2);
  assert.deepEqual(win2.received, [events[1].id, events[2].id, events[3].id]);
  assert.deepEqual(win2.accepted, [[events[1].id, events[2].id, events[3].id]], 'the three waiting events went as one batch');
  assert.equal(rep2.pending(), 0);
  assert.deepEqual([...win.received, ...win2.received], events.map((e) => e.id), 'each event exactly once, in order');
  rep2.destroy();
});

test('reporter: an event queued while a flush ends (its drain done, its Web Lock not yet released) is still sent on this page', async () => {
  const win = fakeWin();
  // Like the browser's: the request settles only after the lock is released, a round trip later.
  win.navigator.locks = { async request(name, opts, cb) { const r = await cb({ name }); await new Promise((res) => setTimeout(res, 60)); return r; } };
  const rep = createReporter({ url: 'https://site.example/collect', win });
  rep.report(events[0]);
  await tick();
  assert.deepEqual(win.received, [events[0].id], 'the first event went; its flush now waits for the release');
  rep.report(events[1]);
  await drained(rep);
  assert.deepEqual(win.received, [events[0].id, events[1].id]);
  assert.equal(rep.pending(), 0);
  rep.destroy();
});

test('reporter: text/plain JSON arrays of at most 50 events, oldest first; credentials omitted cross-origin', async () => {
  const win = fakeWin();
  win.up = false;
  const cross = createReporter({ url: 'https://ledger.example/v1/events', win });
  const many = entries(120).map((entry) => eventOf({ entry, record: 'k1~r2~…', recordId: 'r2', manifest, lang: 'ru', display: null }));
  for (const e of many) cross.report(e);
  await tick();
  win.up = true;
  win.fire('online');
  await drained(cross);
  assert.deepEqual(win.accepted.map((ids) => ids.length), [50, 50, 20]);
  assert.deepEqual(win.received, many.map((e) => e.id), 'in order, each once');
  for (const p of win.posts) {
    assert.equal(p.init.method, 'POST');
    assert.equal(p.init.headers['Content-Type'], 'text/plain;charset=UTF-8', 'a CORS-safelisted type: no preflight');
    assert.equal(p.init.credentials, 'omit');
  }
  cross.destroy();

  const win2 = fakeWin();
  const same = createReporter({ url: '/collect', win: win2 });
  same.report(events[0]);
  await drained(same);
  assert.equal(win2.posts[0].init.credentials, 'same-origin');
  same.destroy();
});

test('reporter: a 400 naming an event drops it (report-failed with the message) and sends the rest; 429 keeps the batch', async () => {
  const win = fakeWin();
  const errors = [];
  win.up = false;
  const rep = createReporter({ url: 'https://ledger.example/v1/events', win, onError: (e) => errors.push(e.message) });
  for (const e of events) rep.report(e);
  await tick();
  // The endpoint refuses events[2] (nothing of that batch stored), then rate-limits once.
  let limited = false;
  win.up = (batch) => {
    const i = batch.findIndex((e) => e.id === events[2].id);
    if (i >= 0) return { status: 400, body: { error: { code: 'bad-event', message: 'event.hash is not the entry hash', index: i } } };
    if (!limited) { limited = true; return { status: 429, body: {} }; }
    return { status: 202, body: {} };
  };
  win.fire('online');
  for (let i = 0; i < 400 && rep.pending(); i++) await tick();
  assert.equal(rep.pending(), 0);
  assert.deepEqual(win.received, [events[0].id, events[1].id, events[3].id], 'the rest, in order, once');
  assert.ok(errors.some((m) => m.includes(events[2].id) && m.includes('event.hash is not the entry hash')), errors.join('\n'));
  assert.ok(errors.includes('HTTP 429'));
  rep.destroy();
});

test('reporter: a 400 naming no event narrows the batch down to single events and drops only the refused one', async () => {
  const win = fakeWin();
  win.up = false;
  const errors = [];
  const rep = createReporter({ url: 'https://ledger.example/v1/events', win, onError: (e) => errors.push(e.message) });
  for (const e of events) rep.report(e);
  await tick();
  win.up = (batch) => (batch.some((e) => e.id === events[1].id) ? { status: 400, body: 'not json' } : { status: 202, body: {} });
  win.fire('online');
  await drained(rep);
  assert.deepEqual(win.received, [events[0].id, events[2].id, events[3].id]);
  const refused = errors.filter((m) => m.includes('refused'));
  assert.equal(refused.length, 1);
  assert.match(refused[0], new RegExp(events[1].id));
  assert.ok(win.posts.some((p) => p.ids.length === 3) && win.posts.filter((p) => p.ids.length === 1).length >= 3, 'narrowed to single events');
  rep.destroy();
});

test('outbox: the same event id under two record ids is two events (the ledger keys by record id + event id)', async () => {
  const win = fakeWin();
  const rep = createReporter({ url: 'https://ledger.example/v1/events', win });
  const [entry] = entries(1);
  rep.report(eventOf({ entry, record: 'k1~a~', recordId: 'recordAA', manifest, lang: 'ru', display: null }));
  rep.report(eventOf({ entry, record: 'k1~b~', recordId: 'recordBB', manifest, lang: 'ru', display: null }));
  rep.report(eventOf({ entry, record: 'k1~b~', recordId: 'recordBB', manifest, lang: 'ru', display: null }));
  await drained(rep);
  assert.deepEqual(win.received, [entry.hash, entry.hash]);
  rep.destroy();
});

test('eventOf: v2, the event id is the history hash; the payload names policy, record (string and id), language, display and the entry', () => {
  const entry = entries(2)[1];
  const e = eventOf({ entry, record: 'k1~r1~x', recordId: 'r1', manifest, lang: 'kk', display: 'd-abcdefghijklmnop' });
  assert.equal(e.type, 'kelisim:consent-event');
  assert.equal(e.v, 2);
  assert.equal(e.id, e.event.hash);
  assert.deepEqual(e.policy, { id: 'p', version: '2', bodyHash: 'a'.repeat(64) });
  assert.equal(e.recordId, 'r1');
  assert.equal(e.record, 'k1~r1~x');
  assert.equal(e.controller, 'C');
  assert.equal(e.language, 'kk');
  assert.equal(e.display, 'd-abcdefghijklmnop');
  assert.equal(e.event.op, 'set');
  assert.equal(e.event.atMs, entry.at);
  assert.equal(e.event.at, new Date(entry.at).toISOString());
  assert.deepEqual(Object.keys(e.event.choices), MANIFEST.categories.map((c) => c.id), 'the manifest order the hash covers');
  assert.equal(eventOf({ entry: entries(1)[0], record: 'k', recordId: 'r1', manifest, lang: 'kk' }).display, null);
});

test('buildReceipt: policy.language is the text language (the visitor\'s when the version has it, else the primary); null for an older version', () => {
  const manifest = { id: 'service', version: '2', lang: 'ru', langs: ['ru', 'kk'], bodyHash: 'b'.repeat(64), categories: [] };
  const record = { id: 'r1', policyId: 'service', version: '2', bodyHash16: 'b'.repeat(16), method: 'explicit', givenAt: 0, noticeAt: 0, choices: {}, historyHead: null };
  const r = (lang, m = manifest, rec = record) => buildReceipt({ record: rec, manifest: m, history: [], lang, now: 0 });
  assert.deepEqual([r('kk').language, r('kk').policy.language, r('kk').policy.languages], ['kk', 'kk', ['ru', 'kk']]);
  assert.deepEqual([r('en').language, r('en').policy.language], ['en', 'ru']);
  assert.deepEqual([r('ru').policy.language, r('kk', { ...manifest, langs: undefined }).policy.language], ['ru', 'ru']);
  assert.deepEqual(r('kk', { ...manifest, langs: undefined, lang: 'kk' }).policy.languages, ['kk']);
  const old = r('kk', manifest, { ...record, version: '1' });
  assert.deepEqual([old.policy.language, old.policy.languages], [null, null]);
});
