// The JS engine shell: loader behaviour, error values, generated constants.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createCore, loadCore } from '../../web/src/engine/core.js';
import { loadWasm } from '../../web/src/engine/loader.js';
import { KelisimError } from '../../web/src/engine/errors.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const wasmUrl = new URL('../../dist/kelisim-consent.wasm', import.meta.url);
const manifest = {
  id: 'demo', version: '1', bodyHash: 'c'.repeat(64), publishedAt: '2025-06-10T12:00:00+05:00',
  categories: [{ id: 'necessary', required: true }, { id: 'analytics' }],
};

test('generated constants are up to date with constants.json', () => {
  execFileSync(process.execPath, [root + 'scripts/gen-constants.mjs', '--check'], { stdio: 'pipe' });
});

test('loads from a URL, from bytes and from a compiled module', async () => {
  const bytes = readFileSync(wasmUrl);
  for (const consentWasm of [wasmUrl, bytes, new WebAssembly.Module(bytes)]) {
    const core = await loadCore({ consentWasm });
    assert.equal(core.decide({ manifest, now: Date.UTC(2025, 6, 1) }).action, 'banner');
  }
});

test('a missing or corrupt module is a KelisimError wasm-load', async () => {
  await assert.rejects(loadCore({ consentWasm: new URL('file:///nonexistent/kelisim-consent.wasm') }),
    (e) => e instanceof KelisimError && e.code === 'wasm-load');
  await assert.rejects(loadCore({ consentWasm: new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9]) }),
    (e) => e instanceof KelisimError && e.code === 'wasm-load');
});

test('the module is rebuilt after a trap and keeps working', async () => {
  const wasm = await loadWasm(wasmUrl);
  const core = createCore(wasm);
  const now = Date.UTC(2025, 6, 1);
  const before = wasm._x;
  // Numbers pass straight through: a pointer far outside linear memory makes the module trap.
  assert.throws(() => wasm.call('kel_decode_record', 0x7ffffff0, 100),
    (e) => e instanceof KelisimError && e.code === 'wasm-trap');
  assert.notEqual(wasm._x, before, 'a fresh instance replaced the trapped one');
  assert.equal(core.decide({ manifest, now }).action, 'banner');
});

test('errors are KelisimError values with codes and messages naming the field', async () => {
  const core = await loadCore();
  const now = Date.UTC(2025, 6, 1);
  assert.throws(() => core.decide({ manifest: { ...manifest, bodyHash: 'nope' }, now }),
    (e) => e instanceof KelisimError && e.code === 'manifest-invalid' && /bodyHash/.test(e.message));
  assert.throws(() => core.decide({ manifest: { ...manifest, publishedAt: '10.06.2025' }, now }),
    (e) => e.code === 'manifest-invalid' && /publishedAt/.test(e.message));
  assert.throws(() => core.decide({ manifest, now: 'tomorrow' }), (e) => e.code === 'bad-argument');
  assert.throws(() => core.decide({ manifest: { ...manifest, id: 'a\nr=e' }, now }), (e) => e.code === 'manifest-invalid');
  assert.throws(() => core.apply({ manifest, now, op: 'accept-everything', newId: 'abcdefgh' }),
    (e) => e.code === 'bad-argument' && /accept-everything/.test(e.message));
  assert.throws(() => core.apply({ manifest, now, op: 'set', choices: { analytics: 'yes' }, newId: 'abcdefgh' }),
    (e) => e.code === 'bad-argument');
});

test('deadline(): days and offset that would wrap around as int32 are refused, not wrapped', async () => {
  const core = await loadCore();
  const pub = Date.parse('2025-06-10T12:00:00+05:00');
  const seven = Date.parse('2025-06-17T19:00:00Z');
  assert.equal(core.deadline(pub, 300, 7), seven);
  for (const [off, days] of [[300, 2 ** 32 + 7], [2 ** 32 + 300, 7], [300, '7'], [300, NaN], [300, -1], [300, 367], [841, 7], [null, 7]]) {
    assert.throws(() => core.deadline(pub, off, days), (e) => e.code === 'bad-argument', `${off}, ${days}`);
  }
});

test('10,000 consent changes do not grow wasm memory without bound', async () => {
  const core = await loadCore();
  let record = null;
  const now = Date.UTC(2025, 6, 1);
  const ops = ['accept-all', 'reject-all', 'withdraw', 'set'];
  let startBytes = 0;
  for (let i = 0; i < 10000; i++) {
    const r = core.apply({ manifest, record, now: now + i, op: ops[i % 4], choices: { analytics: i % 3 === 0 }, newId: 'abcdefgh' });
    record = r.record;
    core.decide({ manifest, record, now: now + i });
    if (i === 100) startBytes = core.wasm.memoryBytes;
  }
  assert.equal(core.wasm.memoryBytes, startBytes);
});
