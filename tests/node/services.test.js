// Build side of per-service consent (issue 12) through both CLIs: `kelisim build --services`
// over tests/fixtures/services/shop (version 2 adds a service to a category) with the fixture
// catalogue: the Node CLI (wasm) and the native CLI write the same files; the manifest lists
// the services with their cookies, texts.json their names, countries and policy links; the
// new service makes version 2 material. An unknown service fails both the same way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NATIVE = process.env.KELISIM_NATIVE_CLI ||
  path.join(process.env.KELISIM_NATIVE_DIR || path.join(ROOT, 'build/native'), 'kelisim');
const CATALOGUE = path.join(ROOT, 'tests/fixtures/services/catalogue.json');

function run(which, args) {
  const [cmd, argv] = which === 'native' ? [NATIVE, args] : [process.execPath, [path.join(ROOT, 'web/src/cli/kelisim.js'), ...args]];
  const r = spawnSync(cmd, argv, { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const files = (dir) => readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.json') || f.endsWith('.xml')).sort();

test('build --services: native and wasm write the same files; services in manifest and texts; a new service is material', () => {
  assert.ok(existsSync(NATIVE), `${NATIVE} not found`);
  const tmp = mkdtempSync(path.join(tmpdir(), 'kelisim-svc-'));
  try {
    const out = {};
    for (const which of ['native', 'wasm']) {
      out[which] = path.join(tmp, which);
      const r = run(which, ['build', 'tests/fixtures/services/shop', '-o', out[which], '--services', CATALOGUE]);
      assert.equal(r.code, 0, `${which}: ${r.stderr}`);
    }
    const names = files(path.join(out.native, 'shop'));
    assert.deepEqual(files(path.join(out.wasm, 'shop')), names);
    for (const f of names) {
      assert.equal(readFileSync(path.join(out.wasm, 'shop', f), 'utf8'), readFileSync(path.join(out.native, 'shop', f), 'utf8'), f);
    }
    const m2 = JSON.parse(readFileSync(path.join(out.native, 'shop/2/manifest.json'), 'utf8'));
    assert.deepEqual(m2.services, [
      { category: 'analytics', cookies: ['_ym_*'], id: 'yandex-metrica' },
      { category: 'analytics', cookies: ['_hjSessionUser_*', '_hjSession_*'], id: 'hotjar' },
      { category: 'media', cookies: [], id: 'youtube' },
      { category: 'media', cookies: ['chat_id', 'chat_*'], id: 'site-chat' },
    ]);
    assert.equal(m2.material, true);
    assert.deepEqual(m2.changes.servicesAdded, ['hotjar']);
    const m1 = JSON.parse(readFileSync(path.join(out.native, 'shop/1/manifest.json'), 'utf8'));
    assert.equal(m1.material, false);
    const t = JSON.parse(readFileSync(path.join(out.native, 'shop/2/texts.json'), 'utf8')).services;
    assert.equal(t['yandex-metrica'].country, 'RU');
    assert.equal(t.hotjar.privacyPolicy, 'https://www.hotjar.com/legal/');
    assert.deepEqual(t['site-chat'].name, { ru: 'Чат поддержки', kk: 'Чат поддержки', en: 'Support chat' });
    assert.match(readFileSync(path.join(out.native, 'shop/feed.xml'), 'utf8'), /Новые сервисы: hotjar/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('an unknown service fails both CLIs with the same message', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'kelisim-svc-'));
  try {
    mkdirSync(path.join(tmp, 'shop'));
    const src = readFileSync(path.join(ROOT, 'tests/fixtures/services/shop/1.md'), 'utf8').replace('yandex-metrica', 'tiktok-pixel');
    writeFileSync(path.join(tmp, 'shop/1.md'), src);
    const n = run('native', ['build', path.join(tmp, 'shop'), '-o', path.join(tmp, 'o1'), '--services', CATALOGUE]);
    const w = run('wasm', ['build', path.join(tmp, 'shop'), '-o', path.join(tmp, 'o2'), '--services', CATALOGUE]);
    assert.equal(n.code, 2);
    assert.equal(w.code, 2);
    assert.match(n.stderr, /category\.analytics\.services: unknown service `tiktok-pixel`/);
    assert.equal(w.stderr, n.stderr);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
