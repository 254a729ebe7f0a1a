// kelisim/testing (web/src/testing/index.js) and the CLIs' consent-cookie / decode-cookie:
// the values come from the consent core (wasm), the native CLI (C++ core) makes the same
// bytes from the same inputs and decodes the helper's values to the same choices.
// Run: node --test tests/node/testing.test.js (after the native and wasm builds).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { consentState, presetConsent } from 'kelisim/testing';
import { loadCore } from 'kelisim/core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NODE_CLI = path.join(ROOT, 'web/src/cli/kelisim.js');
const NATIVE = process.env.KELISIM_NATIVE_CLI || path.join(process.env.KELISIM_NATIVE_DIR || path.join(ROOT, 'build/native'), 'kelisim');
const MANIFEST_FILE = path.join(ROOT, 'tests/fixtures/manifests/demo-v1.json');
const manifest = JSON.parse(readFileSync(MANIFEST_FILE, 'utf8'));
const AT = '2026-03-01T10:00:00+05:00';

function run(which, args) {
  const [cmd, argv] = which === 'native' ? [NATIVE, args] : [process.execPath, [NODE_CLI, ...args]];
  const r = spawnSync(cmd, argv, { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('the native CLI exists (npm test builds it)', () => {
  assert.ok(existsSync(NATIVE), `${NATIVE} not found: build the native CLI (cmake --build build/native --target kelisim)`);
});

const CASES = [
  ['all', ['--all'], { necessary: true, analytics: true, marketing: true }],
  ['none', ['--none'], { necessary: true, analytics: false, marketing: false }],
  [{ analytics: true }, ['--accept', 'analytics'], { necessary: true, analytics: true, marketing: false }],
  [{ marketing: true, analytics: false }, ['--accept', 'marketing', '--reject', 'analytics'], { necessary: true, analytics: false, marketing: true }],
];

for (const [choices, flags, expected] of CASES) {
  test(`choices ${JSON.stringify(choices)}: helper == JS CLI == native CLI, and the C++ core decodes it`, async () => {
    const s = await consentState({ manifest, choices, at: AT, id: 'testRecord01' });
    assert.deepEqual(s.decoded.choices, expected);
    assert.equal(s.decoded.givenAt, Date.parse(AT));
    assert.equal(s.decoded.method, 'explicit');
    const args = ['consent-cookie', '--manifest', MANIFEST_FILE, ...flags, '--at', AT, '--id', 'testRecord01'];
    const n = run('native', args);
    const w = run('wasm', args);
    assert.equal(n.code, 0, n.stderr);
    assert.equal(w.code, 0, w.stderr);
    assert.equal(n.stdout, s.record + '\n', 'native consent-cookie makes the helper\'s bytes');
    assert.equal(w.stdout, s.record + '\n', 'node consent-cookie makes the helper\'s bytes');
    // A random id (the default) still decodes natively to the chosen categories.
    const fresh = await consentState({ manifest, choices });
    for (const value of [s.record, fresh.record]) {
      const dn = run('native', ['decode-cookie', value]);
      const dw = run('wasm', ['decode-cookie', value]);
      assert.equal(dn.code, 0, dn.stderr);
      assert.equal(dn.stdout, dw.stdout, 'both CLIs print the same JSON');
      const rec = JSON.parse(dn.stdout);
      assert.deepEqual(rec.choices, expected);
      assert.equal(rec.policyId, manifest.id);
      assert.equal(rec.version, manifest.version);
    }
  });
}

test('consentState: the cookie and localStorage values are the page storage\'s, for every storage mode', async () => {
  const both = await consentState({ manifest, choices: 'all', at: AT });
  assert.equal(both.cookie.name, 'kelisim');
  assert.equal(both.cookie.value, both.record);
  assert.equal(both.cookie.string, `kelisim=${both.record}; Path=/; SameSite=Lax; Max-Age=${400 * 86400}`);
  assert.deepEqual(Object.keys(both.localStorage), ['kelisim', 'kelisim:history']);
  assert.equal(both.localStorage.kelisim, both.record);
  const hist = JSON.parse(both.localStorage['kelisim:history']);
  assert.equal(hist.length, 1);
  assert.equal(hist[0].hash, both.decoded.historyHead, 'the record points at its history entry');
  assert.equal(hist[0].prevHash, '');

  const cookieOnly = await consentState({ manifest, choices: 'all', storage: 'cookie', cookie: { name: 'cc', domain: '.shop.kz', sameSite: 'Strict', maxAgeDays: 30 }, url: 'https://shop.kz/' });
  assert.deepEqual(cookieOnly.localStorage, {}, 'cookie mode keeps the history in memory only');
  assert.equal(cookieOnly.cookie.string, `cc=${cookieOnly.record}; Path=/; Domain=.shop.kz; SameSite=Strict; Secure; Max-Age=${30 * 86400}`);
  assert.equal(cookieOnly.cookie.domain, '.shop.kz');
  assert.equal(cookieOnly.cookie.secure, true);

  const lsOnly = await consentState({ manifest, choices: 'none', storage: 'localStorage', cookie: { name: 'cc' } });
  assert.equal(lsOnly.cookie, null);
  assert.deepEqual(Object.keys(lsOnly.localStorage), ['cc', 'cc:history']);

  await assert.rejects(consentState({ manifest, choices: 'all', storage: 'memory' }), (e) => e.code === 'bad-argument' && /memory/.test(e.message));
});

test('consentState refuses what the core refuses, with its code', async () => {
  await assert.rejects(consentState({ manifest, choices: { bogus: true } }), (e) => e.code === 'unknown-category');
  await assert.rejects(consentState({ manifest, choices: { necessary: false } }), (e) => e.code === 'required-category');
  await assert.rejects(consentState({ manifest, choices: 'some' }), (e) => e.code === 'bad-argument');
  await assert.rejects(consentState({ manifest, choices: 'all', at: 'yesterday' }), (e) => e.code === 'bad-argument');
  await assert.rejects(consentState({ manifest: { ...manifest, bodyHash: 'x' }, choices: 'all' }), (e) => e.code === 'manifest-invalid');
  await assert.rejects(consentState({ manifest: '/nonexistent/manifest.json', choices: 'all' }), (e) => e.code === 'manifest-load' && /nonexistent/.test(e.message));
});

test('the page\'s core decides "no banner, these choices" for the helper\'s record', async () => {
  const core = await loadCore();
  const s = await consentState({ manifest: MANIFEST_FILE, choices: { analytics: true } });
  const d = core.decide({ manifest, record: s.record, now: Date.now() });
  assert.equal(d.action, 'none');
  assert.deepEqual(d.effective, { necessary: true, analytics: true, marketing: false });
});

test('presetConsent hands the values to a BrowserContext (cookie + an origin-bound init script)', async () => {
  const calls = { cookies: null, init: null };
  const ctx = {
    addCookies: async (c) => { calls.cookies = c; },
    addInitScript: async (fn, arg) => { calls.init = { fn, arg }; },
  };
  const s = await presetConsent(ctx, { manifest, choices: 'all', url: 'http://127.0.0.1:8080/shop/' });
  assert.equal(calls.cookies.length, 1);
  assert.deepEqual({ ...calls.cookies[0], expires: 0 }, { name: 'kelisim', value: s.record, path: '/', sameSite: 'Lax', secure: false, domain: '127.0.0.1', expires: 0 });
  assert.ok(calls.cookies[0].expires > Date.now() / 1000 + 399 * 86400);
  assert.deepEqual(calls.init.arg, { origin: 'http://127.0.0.1:8080', items: s.localStorage });
  await assert.rejects(presetConsent({}, { manifest, choices: 'all', url: 'http://x/' }), (e) => e.code === 'bad-argument');
  await assert.rejects(presetConsent(ctx, { manifest, choices: 'all' }), (e) => e.code === 'bad-argument');
});

test('CLI usage errors: exit 2 with a message, same in both CLIs', () => {
  for (const args of [
    ['consent-cookie', '--manifest', MANIFEST_FILE],
    ['consent-cookie', '--all'],
    ['consent-cookie', '--manifest', MANIFEST_FILE, '--all', '--none'],
    ['consent-cookie', '--manifest', MANIFEST_FILE, '--all', '--at', '2026-01-01'],
    ['consent-cookie', '--manifest', MANIFEST_FILE, '--reject', 'necessary'],
    ['consent-cookie', '--manifest', MANIFEST_FILE, '--accept', 'nope'],
    ['consent-cookie', '--manifest', '/nonexistent.json', '--all'],
    ['decode-cookie'],
  ]) {
    const n = run('native', args);
    const w = run('wasm', args);
    assert.equal(n.code, 2, `native ${args.join(' ')}: ${n.stderr}`);
    assert.equal(w.code, 2, `node ${args.join(' ')}: ${w.stderr}`);
    assert.match(n.stderr, /^kelisim: /);
    assert.match(w.stderr, /^kelisim: /);
    assert.equal(n.stdout + w.stdout, '');
  }
  const bad = run('native', ['decode-cookie', 'k1~junk']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /not a valid record: record-/);
  assert.equal(run('wasm', ['decode-cookie', 'k1~junk']).stderr, bad.stderr);
});
