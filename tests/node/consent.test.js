// The golden consent cases (tests/fixtures/consent/cases.json, and services.json: per-service
// consent, issue 12) against the shipped consent wasm (dist/kelisim-consent.wasm) through the
// public `kelisim/core` facade, and the same canonical lines as the native GoogleTest run
// (native and wasm must agree on every case).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadCore } from '../../web/src/engine/core.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const files = [['cases.json', 'consent-golden.txt', 40], ['services.json', 'consent-services-golden.txt', 20]];
let doc;   // the fixture file being run
const core = await loadCore();
const t = (iso) => core.parseInstant(iso).ms;
const choicesText = (m) => Object.entries(m).map(([k, v]) => `${k}:${v ? 1 : 0}`).join('.');

function storedOf(r) {
  if (r === null) return null;
  if ('raw' in r) return r.raw;
  if ('encode' in r) return core.encodeRecord({ ...r.encode, givenAt: t(r.encode.givenAt), noticeAt: t(r.encode.noticeAt) });
  if ('applied' in r) {   // the record apply() makes (services.json)
    const a = r.applied;
    return core.apply({ manifest: doc.manifests[a.manifest], record: storedOf(a.record ?? null), now: t(a.now), signals: {},
      op: a.op, choices: a.choices, newId: 'r3cordId01', prevHash: '' }).record;
  }
  let s = storedOf(r.mutate);
  if (r.replace) { assert.ok(s.includes(r.replace[0])); s = s.replace(r.replace[0], r.replace[1]); }
  if (r.truncate) s = s.slice(0, -r.truncate);
  if (r.append) s += r.append;
  if (r.flipLast) s = s.slice(0, -1) + (s.endsWith('0') ? '1' : '0');
  return s;
}

function expectRecord(want, got) {
  for (const [k, v] of Object.entries(want)) {
    assert.deepEqual(got[k], k === 'givenAt' || k === 'noticeAt' ? t(v) : v, k);
  }
}

function encodeDecoded(r) { return core.encodeRecord(r); }

function runCase(c) {
  const ex = c.expect;
  if (c.fn === 'deadline') {
    const { ms, offsetMinutes } = core.parseInstant(c.publishedAt);
    const d = core.deadline(ms, offsetMinutes, c.days);
    assert.equal(d, t(ex));
    return String(d);
  }
  if (c.fn === 'instant') {
    try {
      const r = core.parseInstant(c.text);
      assert.deepEqual(r, ex);
      return `${r.ms}|${r.offsetMinutes}`;
    } catch (e) {
      assert.equal(ex.error, 'bad-input', e.message);
      assert.equal(e.code, 'manifest-invalid');
      return 'error:bad-input';
    }
  }
  if (c.fn === 'decode') {
    const d = core.decodeRecord(storedOf(c.record));
    if (!d.ok) { assert.equal(d.error, ex.error); return `error:${d.error}`; }
    assert.equal(ex.error, undefined);
    expectRecord(ex.record, d.record);
    return `ok:${encodeDecoded(d.record)}`;
  }
  const manifest = typeof c.manifest === 'string' ? doc.manifests[c.manifest] : c.manifest;
  const common = { manifest, record: storedOf(c.record), now: t(c.now), signals: { gpc: !!c.gpc } };
  if (c.fn === 'decide') {
    let d;
    try { d = core.decide(common); } catch (e) { assert.equal(ex.error, e.code, e.message); return `error:${e.code}`; }
    assert.equal(ex.error, undefined);
    assert.equal(d.action, ex.action);
    assert.equal(d.reason, ex.reason);
    assert.equal(d.recordError, ex.recordError);
    assert.equal(d.deadline, ex.deadline === null ? null : t(ex.deadline));
    assert.deepEqual(d.effective, ex.effective);
    assert.deepEqual(d.prefill, ex.prefill);
    assert.deepEqual(d.services, ex.services ?? {});
    assert.deepEqual(d.servicesPrefill, ex.servicesPrefill ?? {});
    assert.equal('record' in d, 'newRecord' in ex);
    if (d.record) {
      const back = core.decodeRecord(d.record);
      assert.ok(back.ok);
      expectRecord(ex.newRecord, back.record);
      assert.equal(back.record.historyHead, d.entry.hash);
    }
    return [d.action, d.reason, d.recordError, d.deadline ?? '-', choicesText(d.effective), choicesText(d.prefill),
      choicesText(d.services), choicesText(d.servicesPrefill), d.record ?? '-', d.entry?.hash ?? '-'].join('|');
  }
  assert.equal(c.fn, 'apply');
  let r;
  try {
    r = core.apply({ ...common, op: c.op, choices: c.choices, newId: c.newId, prevHash: c.prevHash });
  } catch (e) {
    assert.equal(ex.error, e.code, e.message);
    return `error:${e.code}`;
  }
  assert.equal(ex.error, undefined);
  if (ex.record) expectRecord(ex.record, r.decoded);
  if (ex.entry) for (const [k, v] of Object.entries(ex.entry)) assert.deepEqual(r.entry[k], v, k);
  assert.equal(r.decoded.historyHead, r.entry.hash);
  if (ex.maxLength) assert.ok(r.record.length <= ex.maxLength, `${r.record.length} > ${ex.maxLength}`);
  assert.equal(core.encodeRecord(r.decoded), r.record);
  const e = r.entry;
  const canonical = [e.op, e.at, e.version, e.method, choicesText(e.choices)];
  if (Object.keys(e.services).length) canonical.push(choicesText(e.services));   // HistoryEntry::canonical
  return `${r.record}|${canonical.join('~')}|${e.hash}`;
}

for (const [file, out, atLeast] of files) {
  const fileDoc = JSON.parse(readFileSync(root + 'tests/fixtures/consent/' + file, 'utf8'));
  const lines = [];
  test(`${file}: at least ${atLeast} golden cases`, () => assert.ok(fileDoc.cases.length >= atLeast));
  for (const c of fileDoc.cases) {
    test(`golden ${file}: ${c.name}`, () => { doc = fileDoc; lines.push(`${c.name}\t${runCase(c)}`); });
  }

  test(`${file}: wasm agrees with the native build on every golden case`, () => {
    // KELISIM_NATIVE_GOLDEN names the native lines of cases.json; services.json's sit beside it.
    const dir = process.env.KELISIM_NATIVE_GOLDEN ? process.env.KELISIM_NATIVE_GOLDEN.replace(/[^/]*$/, '') : root + 'build/native/';
    const path = dir + out;
    let native;
    try { native = readFileSync(path, 'utf8').trimEnd().split('\n'); } catch {
      assert.fail(`${path} is missing: build and run the native suite first (npm test does both)`);
    }
    assert.equal(lines.length, fileDoc.cases.length);
    assert.deepEqual(lines, native);
  });
}
