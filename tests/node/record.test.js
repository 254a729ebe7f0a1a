// Record codec through the shipped wasm: 10,000 mutated and random strings never crash the
// module and never decode to a record that was not encoded; records stay small and cookie-safe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCore } from '../../web/src/engine/core.js';

const core = await loadCore();

function rng(seed) {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

const cats = ['necessary', 'analytics', 'marketing', 'personalization', 'functional', 'social_media',
  'ab_testing', 'support_chat', 'video_embeds', 'newsletter'];

// A record of n categories; with `docs`, every "on" choice carries a consent document's hash
// prefix (policies/README.md "Consent documents").
function sample(n, r, docs = false) {
  const choices = Object.fromEntries(cats.slice(0, n).map((c) => [c, docs || r() < 0.5]));
  return {
    id: 'Vx9_k2-Lq8ZtR4mN0pW7yS3e', policyId: 'neupusti-kz', version: '2022.08.04', bodyHash16: 'fedcba9876543210',
    givenAt: 1659600000000 + Math.floor(r() * 1e9), method: r() < 0.5 ? 'implicit' : 'explicit',
    choices,
    docs: docs ? Object.fromEntries(Object.keys(choices).map((c, i) => [c, '3f9a2c1' + i])) : {},
    noticeVersion: '', noticeAt: 0, historyHead: 'ab'.repeat(32), serviceMarks: '',
  };
}

test('10 categories encode to ≤ 600 cookie-safe bytes and round-trip, with consent documents on all 10 too', () => {
  const r = rng(1);
  for (let i = 0; i < 40; i++) {
    const rec = sample(10, r, i % 2 === 1);
    const s = core.encodeRecord(rec);
    assert.ok(s.length <= 600, `${s.length} bytes`);
    assert.match(s, /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]+$/);
    assert.deepEqual(core.decodeRecord(s), { ok: true, record: rec });
  }
});

test('10 categories and 30 service marks (k2) encode to ≤ 600 cookie-safe bytes and round-trip', () => {
  const r = rng(2);
  const digits = '0123456789abcdefghijklmnopqrstuv';
  for (let i = 0; i < 20; i++) {
    const marks = new Set();
    while (marks.size < 30) marks.add(Array.from({ length: 5 }, () => digits[Math.floor(r() * 32)]).join(''));
    const rec = { ...sample(10, r), serviceMarks: [...marks].map((h) => h + (r() < 0.5 ? '1' : '0')).join('') };
    const s = core.encodeRecord(rec);
    assert.ok(s.startsWith('k2~') && s.length <= 600, `${s.length} bytes`);
    assert.match(s, /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]+$/);
    assert.deepEqual(core.decodeRecord(s), { ok: true, record: rec });
  }
});

test('a category called "constructor" (a valid id that every JS object has) round-trips, with and without documents', () => {
  // core.js withDocs looked its document up as docs[id], which found Object's constructor: the
  // record then carried a function's text and the core refused it.
  for (const docs of [{}, { necessary: '3f9a2c10' }, { constructor: '3f9a2c11' }]) {
    const rec = { ...sample(1, rng(3)), choices: { necessary: true, constructor: true, analytics: false }, docs };
    assert.deepEqual(core.decodeRecord(core.encodeRecord(rec)), { ok: true, record: rec }, JSON.stringify(docs));
  }
});

test('10,000 mutated and random strings: no crash, none decodes to a record not encoded', () => {
  const r = rng(20261122);
  const originals = Array.from({ length: 20 }, (_, i) => core.encodeRecord(sample(1 + (i % 10), r)));
  const alphabet = 'k1~:.0123456789abcdefxyzABC_-!%;= \u0000ÿК€😀';
  const pick = () => alphabet[Math.floor(r() * alphabet.length)];
  let ok = 0;
  for (let i = 0; i < 10000; i++) {
    let s;
    if (i % 4 === 3) {
      s = i % 8 === 3 ? 'k1~' : '';
      const n = Math.floor(r() * 700);
      for (let j = 0; j < n; j++) s += pick();
    } else {
      s = originals[Math.floor(r() * originals.length)];
      for (let e = 1 + Math.floor(r() * 4); e > 0 && s.length; e--) {
        const at = Math.floor(r() * s.length);
        switch (Math.floor(r() * 5)) {
          case 0: s = s.slice(0, at) + pick() + s.slice(at + 1); break;
          case 1: s = s.slice(0, at) + pick() + s.slice(at); break;
          case 2: s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 3)); break;
          case 3: s = s.slice(0, at); break;
          default: s += s.slice(at);
        }
      }
    }
    const d = core.decodeRecord(s);
    if (d.ok) {
      ok++;
      assert.ok(originals.includes(s), `decoded a string that was never encoded: ${s}`);
      assert.equal(core.encodeRecord(d.record), s);
    } else {
      assert.match(d.error, /^record-/);
    }
  }
  assert.ok(ok < 100);
});

test('decodeRecord takes anything without throwing', () => {
  for (const v of [undefined, null, 42, {}, [], 'k1~~~~~~~~~~~', '\ud800', 'x'.repeat(100000)]) {
    assert.equal(core.decodeRecord(v).ok, false);
  }
});

test('encodeRecord refuses fields of the wrong form', () => {
  const good = sample(3, rng(2));
  for (const bad of [{ id: 'short' }, { policyId: 'Has Space' }, { version: '' }, { choices: { 'Bad-Id': true } },
    { historyHead: 'xyz' }, { method: 'sometimes' }, { id: 'a\nb=c' }, { givenAt: -1 }, { noticeAt: -86400000 },
    { givenAt: 36 ** 11 }, { noticeAt: 1e18 }, { givenAt: NaN }, { givenAt: '1750000000000' }, { version: 'v~2' }]) {
    assert.throws(() => core.encodeRecord({ ...good, ...bad }), (e) => ['bad-argument', 'unknown-category'].includes(e.code));
  }
});

test('record times lie before 10000-01-01: exact as JS numbers, and what decodes re-encodes verbatim', async () => {
  const { createHash } = await import('node:crypto');
  const withCheck = (body) => body + '~' + createHash('sha256').update('kelisim/record/k1\n' + body).digest('hex').slice(0, 16);
  const MAX = 253402300800000;
  const good = { ...sample(3, rng(9)), givenAt: MAX - 1, noticeVersion: '2', noticeAt: MAX - 1 };
  const s = core.encodeRecord(good);
  const d = core.decodeRecord(s);
  assert.ok(d.ok);
  assert.equal(d.record.givenAt, MAX - 1);
  assert.equal(core.encodeRecord(d.record), s);
  for (const t of [MAX, 2 ** 53]) {
    assert.throws(() => core.encodeRecord({ ...good, givenAt: t }), (e) => e.code === 'bad-argument');
    assert.throws(() => core.encodeRecord({ ...good, noticeAt: t }), (e) => e.code === 'bad-argument');
  }
  // fuzz_record's find: an 11-digit base-36 time (> 2^53) with a valid check used to decode.
  const body = 'k1~Fz0RecordId_01~smartaqkokl~2~2222222222222222~mbq689sn0ye~e~analytics:1~marketing~0~' + 'a'.repeat(64);
  const far = core.decodeRecord(withCheck(body));
  assert.equal(far.ok, false);
  assert.match(far.error, /^record-/);
  // The same record with a real time decodes (so the refusal above is about the time alone).
  assert.equal(core.decodeRecord(withCheck(body.replace('mbq689sn0ye', 'mbq689sn'))).ok, true);
});
