// The banner build of the consent module (dist/kelisim-consent-banner.wasm, what the page
// loads) against the full one (dist/kelisim-consent.wasm, the headless core's): the same
// bridge and library with a shorter export list (wasm/bridge/consent-banner.exports). Every
// golden decide/apply/decode case (tests/fixtures/consent/cases.json) gives the same result,
// or the same error, through both; the three exports the banner never calls are really gone,
// and calling them through the facade is a clear 'wasm-missing-export'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createCore, createConsentCore, loadConsentCore, loadCore } from '../../web/src/engine/core.js';
import { loadWasm } from '../../web/src/engine/loader.js';
import { KelisimError } from '../../web/src/engine/errors.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const FULL = new URL('../../dist/kelisim-consent.wasm', import.meta.url);
const BANNER = new URL('../../dist/kelisim-consent-banner.wasm', import.meta.url);
const doc = JSON.parse(readFileSync(root + 'tests/fixtures/consent/cases.json', 'utf8'));

const full = createCore(await loadWasm(FULL));
const banner = createConsentCore(await loadWasm(BANNER));
// Times and stored records are prepared with the full core (parseInstant, encodeRecord).
const t = (iso) => full.parseInstant(iso).ms;

function storedOf(r) {
  if (r === null) return null;
  if ('raw' in r) return r.raw;
  if ('encode' in r) return full.encodeRecord({ ...r.encode, givenAt: t(r.encode.givenAt), noticeAt: t(r.encode.noticeAt) });
  let s = storedOf(r.mutate);
  if (r.replace) s = s.replace(r.replace[0], r.replace[1]);
  if (r.truncate) s = s.slice(0, -r.truncate);
  if (r.append) s += r.append;
  if (r.flipLast) s = s.slice(0, -1) + (s.endsWith('0') ? '1' : '0');
  return s;
}

/** The result of `fn`, or the error it threw (its class, code and message), as plain data. */
function outcome(fn) {
  try {
    return { ok: fn() };
  } catch (e) {
    return { error: { kelisim: e instanceof KelisimError, code: e.code, message: e.message } };
  }
}

/** One golden case through a core; null for cases outside the banner's part. */
function run(core, c) {
  if (c.fn === 'decode') return outcome(() => core.decodeRecord(storedOf(c.record)));
  if (c.fn !== 'decide' && c.fn !== 'apply') return null;
  const manifest = typeof c.manifest === 'string' ? doc.manifests[c.manifest] : c.manifest;
  const args = { manifest, record: storedOf(c.record), now: t(c.now), signals: { gpc: !!c.gpc } };
  if (c.fn === 'decide') return outcome(() => core.decide(args));
  return outcome(() => core.apply({ ...args, op: c.op, choices: c.choices, newId: c.newId, prevHash: c.prevHash }));
}

const seen = { decide: 0, apply: 0, decode: 0, errors: 0 };
for (const c of doc.cases) {
  if (!['decide', 'apply', 'decode'].includes(c.fn)) continue;
  test(`golden, banner build = full build: ${c.name}`, () => {
    const want = run(full, c);
    const got = run(banner, c);
    assert.deepEqual(got, want);
    // The case is answered as the corpus expects, so the comparison is not of two failures.
    if (c.expect.error) assert.equal((got.error?.code) ?? got.ok.error, c.expect.error);
    else if (c.fn === 'decide') assert.equal(got.ok.action, c.expect.action);
    else if (c.fn === 'apply') assert.equal(got.ok.entry.op, c.op);
    else assert.equal(got.ok.ok, true);
    seen[c.fn]++;
    if (got.error || got.ok.ok === false) seen.errors++;
  });
}

test('the comparison covered every decide, apply and decode case, errors among them', () => {
  const n = (fn) => doc.cases.filter((c) => c.fn === fn).length;
  assert.deepEqual([seen.decide, seen.apply, seen.decode], [n('decide'), n('apply'), n('decode')]);
  assert.ok(seen.decide >= 40 && seen.apply >= 10 && seen.decode >= 1, JSON.stringify(seen));
  assert.ok(seen.errors > 0, 'some cases end in an error, and the errors agree too');
});

test('mutated records decode the same through both builds', () => {
  const base = storedOf(doc.cases.find((c) => c.record && 'encode' in c.record).record);
  let seed = 7;
  const rnd = (n) => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
  let decoded = 0;
  for (let i = 0; i < 2000; i++) {
    let s = base;
    for (let k = 1 + rnd(3); k > 0; k--) {
      const at = rnd(s.length + 1);
      const op = rnd(3);
      const ch = String.fromCharCode(33 + rnd(94));
      s = op === 0 ? s.slice(0, at) + ch + s.slice(at + 1) : op === 1 ? s.slice(0, at) + s.slice(at + 1) : s.slice(0, at) + ch + s.slice(at);
    }
    const want = outcome(() => full.decodeRecord(s));
    assert.deepEqual(outcome(() => banner.decodeRecord(s)), want, s);
    if (want.ok?.ok) decoded++;
  }
  assert.ok(decoded < 2000, 'mutations are refused by both');
});

test('the banner build exports only what the banner calls; the full build keeps all', () => {
  const names = (u) => WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(u))).map((e) => e.name).sort();
  const gone = ['kel_deadline', 'kel_encode_record', 'kel_parse_instant'];
  const fullNames = names(FULL);
  const bannerNames = names(BANNER);
  for (const n of gone) {
    assert.ok(fullNames.includes(n), `full build exports ${n}`);
    assert.ok(!bannerNames.includes(n), `banner build does not export ${n}`);
  }
  assert.deepEqual(bannerNames, fullNames.filter((n) => !gone.includes(n)));
  for (const n of ['kel_decide', 'kel_apply', 'kel_decode_record', 'kel_alloc', 'kel_free', 'kel_result_ptr', 'kel_result_len', 'memory']) {
    assert.ok(bannerNames.includes(n), n);
  }
});

test('the full API over the banner build: the missing three are a clear wasm-missing-export', async () => {
  const core = await loadCore({ consentWasm: BANNER });
  const missing = (name) => (e) => e instanceof KelisimError && e.code === 'wasm-missing-export' && e.message.includes(name);
  assert.throws(() => core.deadline(Date.UTC(2025, 0, 1), 300, 7), missing('kel_deadline'));
  assert.throws(() => core.parseInstant('2025-06-10T12:00:00+05:00'), missing('kel_parse_instant'));
  assert.throws(() => core.encodeRecord({
    id: 'abcdefgh', policyId: 'p', version: '1', bodyHash16: '1'.repeat(16), givenAt: 0, method: 'explicit', choices: {},
  }), missing('kel_encode_record'));
  // ...while what it does export still works, and the instance was not restarted.
  const wasm = core.wasm._x;
  const manifest = doc.manifests[Object.keys(doc.manifests)[0]];
  assert.equal(core.decide({ manifest, now: Date.UTC(2025, 6, 1) }).action, 'banner');
  assert.equal(core.wasm._x, wasm);
});

test('loadConsentCore takes the module it is given (the page entries pass one), full or banner', async () => {
  const manifest = doc.manifests[Object.keys(doc.manifests)[0]];
  for (const consentWasm of [BANNER, FULL, readFileSync(BANNER)]) {
    const core = await loadConsentCore({ consentWasm });
    assert.deepEqual(Object.keys(core).sort(), ['apply', 'decide', 'decodeRecord', 'wasm']);
    assert.equal(core.decide({ manifest, now: Date.UTC(2025, 6, 1) }).action, 'banner');
  }
  // Without one it fails closed as a load error, not with a default URL into dist/.
  await assert.rejects(loadConsentCore({}), (e) => e instanceof KelisimError && e.code === 'wasm-load');
});

test('the page bundles load the banner build; the full module only for a policy with services', () => {
  // Issue 12: per-service consent is left out of the banner build, so a manifest that declares
  // services, or a stored k2 record (only ever written for such a policy), makes the page load
  // kelisim-consent.wasm instead (controller.js loadConsent; tests/browser/services.test.js
  // checks that each page requests exactly one of the two).
  for (const f of ['dist/kelisim.js', 'dist/kelisim.mjs']) {
    const code = readFileSync(root + f, 'utf8');
    assert.ok(code.includes('kelisim-consent-banner.wasm'), `${f} loads kelisim-consent-banner.wasm`);
    assert.equal(code.split('kelisim-consent.wasm').length, 2, `${f} names kelisim-consent.wasm once (the services case)`);
    assert.match(code, /kelisim-consent\.wasm[^;]{0,200}\.services\b/, `${f}: the full module is tied to manifest.services`);
    assert.match(code, /startsWith\("k2~"\)/, `${f}: and to a stored k2 record`);
  }
});

test('the package exports the three builds (npm users copy the banner build, and for receipt() the receipt build, next to their bundle)', () => {
  const pkg = JSON.parse(readFileSync(root + 'package.json', 'utf8'));
  for (const f of ['kelisim-consent-banner.wasm', 'kelisim-consent.wasm', 'kelisim-consent-receipt.wasm']) {
    assert.equal(pkg.exports['./' + f], './dist/' + f);
    assert.ok(readFileSync(root + 'dist/' + f).length > 0, f);
  }
  assert.ok(pkg.files.includes('dist/'));
});
