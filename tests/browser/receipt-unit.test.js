// web/src/receipt.js in Node: the synchronous SHA-256 against node:crypto, chain verification
// (truncated histories, broken links, edited entries), and the report queue with a fake window
// (ordering, deduplication, failures kept, persistence across page loads, `online`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { sha256Hex, verifyChain, canonicalEntry, createReporter, eventOf } from '../../web/src/receipt.js';

test('sha256Hex equals node:crypto on block boundaries, multi-byte text and random strings', () => {
  const samples = ['', 'abc', 'ә'.repeat(40), 'Қазақстан Республикасы', '\u{1F600}x'];
  for (let n = 50; n < 140; n++) samples.push('x'.repeat(n));
  for (let i = 0; i < 200; i++) samples.push(randomBytes(i * 3).toString('base64') + 'ёңү'.repeat(i % 5));
  for (const s of samples) assert.equal(sha256Hex(s), createHash('sha256').update(s, 'utf8').digest('hex'), JSON.stringify(s.slice(0, 20)));
});

function chain(n, startPrev = '') {
  const out = [];
  let prev = startPrev;
  for (let i = 0; i < n; i++) {
    const e = { op: i ? 'set' : 'accept-all', at: 1795000000000 + i * 1000, version: '2', method: 'explicit', choices: { necessary: true, marketing: i % 2 === 0 }, prevHash: prev };
    e.hash = createHash('sha256').update(prev + '\n' + canonicalEntry(e)).digest('hex');
    out.push(e);
    prev = e.hash;
  }
  return out;
}

test('verifyChain: valid, truncated (first entry points at a dropped one), edited, relinked, reordered', () => {
  assert.deepEqual(verifyChain([]), { valid: true, length: 0, head: null, brokenAt: -1 });
  const h = chain(5);
  assert.deepEqual(verifyChain(h), { valid: true, length: 5, head: h[4].hash, brokenAt: -1 });
  assert.equal(verifyChain(h.slice(2)).valid, true, 'the storage keeps only the newest entries');
  const edited = structuredClone(h);
  edited[3].choices.marketing = !edited[3].choices.marketing;
  assert.equal(verifyChain(edited).brokenAt, 3);
  const relinked = structuredClone(h);
  relinked[2].prevHash = h[0].hash;
  assert.equal(verifyChain(relinked).brokenAt, 2);
  assert.equal(verifyChain([h[0], h[2], h[1]]).brokenAt, 1);
  assert.equal(verifyChain([...h, { ...h[4], hash: 'f'.repeat(64), prevHash: h[4].hash }]).brokenAt, 5);
});

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
    up: true,
    posts: [],
    received: [],
    addEventListener: (t, f) => { (listeners[t] ||= []).push(f); },
    removeEventListener: (t, f) => { listeners[t] = (listeners[t] || []).filter((x) => x !== f); },
    fire: (t) => { for (const f of listeners[t] || []) f(); },
    async fetch(url, init) {
      win.posts.push(JSON.parse(init.body).id);
      if (win.up === 'throw') throw new TypeError('Failed to fetch');
      if (!win.up) return { ok: false, status: 503 };
      win.received.push(JSON.parse(init.body).id);
      return { ok: true, status: 204 };
    },
  };
  return win;
}
const tick = () => new Promise((r) => setTimeout(r, 5));
const manifest = { id: 'p', version: '2', bodyHash: 'a'.repeat(64), controller: 'C' };
const events = chain(4).map((entry) => eventOf({ entry, record: { id: 'r1' }, manifest, lang: 'kk' }));

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
  for (let i = 0; i < 50 && rep2.pending(); i++) await tick();
  assert.deepEqual(win2.received, [events[1].id, events[2].id, events[3].id]);
  assert.equal(rep2.pending(), 0);
  assert.deepEqual([...win.received, ...win2.received], events.map((e) => e.id), 'each event exactly once, in order');
  rep2.destroy();
});

test('eventOf: the event id is the history hash; the payload names policy, record, language and the entry', () => {
  const e = events[1];
  assert.equal(e.id, e.event.hash);
  assert.deepEqual(e.policy, { id: 'p', version: '2', bodyHash: 'a'.repeat(64) });
  assert.equal(e.recordId, 'r1');
  assert.equal(e.language, 'kk');
  assert.equal(e.event.op, 'set');
  assert.match(e.event.at, /^2026-/);
});
