// The golden consent cases (tests/fixtures/consent/cases.json; documents.json: consent
// documents; services.json: per-service consent, issue 12) against the shipped consent wasm
// (dist/kelisim-consent.wasm) through the public `kelisim/core` facade, and the same canonical
// lines as the native GoogleTest run (native and wasm must agree on every case).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadCore } from '../../web/src/engine/core.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const core = await loadCore();
let doc = null;   // the fixture being run
const t = (iso) => core.parseInstant(iso).ms;
const choicesText = (m, docs = {}) => Object.entries(m).map(([k, v]) => `${k}:${v ? 1 : 0}${docs[k] ? ':' + docs[k] : ''}`).join('.');

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
    assert.deepEqual(d.pending, ex.pending || []);
    assert.deepEqual(d.services, ex.services ?? {});
    assert.deepEqual(d.servicesPrefill, ex.servicesPrefill ?? {});
    assert.equal('record' in d, 'newRecord' in ex);
    if (d.record) {
      const back = core.decodeRecord(d.record);
      assert.ok(back.ok);
      expectRecord(ex.newRecord, back.record);
      assert.equal(back.record.historyHead, d.entry.hash);
    }
    // effective/prefill as the core writes them: an "on" choice with the document it was given
    // under (the stored record's, or the new one's).
    const docs = d.record ? core.decodeRecord(d.record).record.docs : storedDocs(c.record);
    const on = (m) => Object.fromEntries(Object.keys(docs).filter((k) => m[k]).map((k) => [k, docs[k]]));
    return [d.action, d.reason, d.recordError, d.deadline ?? '-', choicesText(d.effective, on(d.effective)),
      choicesText(d.prefill, on(d.prefill)), choicesText(d.services), choicesText(d.servicesPrefill),
      d.record ?? '-', d.entry?.hash ?? '-'].join('|') +
      (d.pending.length ? `|pending:${d.pending.join('.')}` : '');
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
  const e = r.entry;
  const canonical = [e.op, e.at, e.version, e.method, choicesText(e.choices, e.docs)];
  if (Object.keys(e.services).length) canonical.push(choicesText(e.services));   // HistoryEntry::canonical
  return `${r.record}|${canonical.join('~')}|${e.hash}`;
}

// The docs of the record a case stores ({} when none or undecodable).
function storedDocs(r) {
  const d = core.decodeRecord(storedOf(r) || '');
  return d.ok ? d.record.docs : {};
}

/** Runs every case of tests/fixtures/consent/<fixture> and compares the lines with the native
 *  run's <build>/<nativeName>. */
function runFixture(fixture, nativeName, minCases) {
  const fdoc = JSON.parse(readFileSync(root + 'tests/fixtures/consent/' + fixture, 'utf8'));
  const lines = [];
  test(`${fixture}: at least ${minCases} golden cases`, () => assert.ok(fdoc.cases.length >= minCases));
  for (const c of fdoc.cases) {
    test(`golden: ${c.name}`, () => { doc = fdoc; lines.push(`${c.name}\t${runCase(c)}`); });
  }
  test(`${fixture}: wasm agrees with the native build on every golden case`, () => {
    const path = (process.env.KELISIM_NATIVE_GOLDEN_DIR || root + 'build/native') + '/' + nativeName;
    let native;
    try { native = readFileSync(path, 'utf8').trimEnd().split('\n'); } catch {
      assert.fail(`${path} is missing: build and run the native suite first (npm test does both)`);
    }
    assert.equal(lines.length, fdoc.cases.length);
    assert.deepEqual(lines, native);
  });
}

runFixture('cases.json', 'consent-golden.txt', 40);
runFixture('documents.json', 'consent-documents-golden.txt', 20);
runFixture('services.json', 'consent-services-golden.txt', 20);
