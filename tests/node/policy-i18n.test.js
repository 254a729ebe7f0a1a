// Issue 15 (part 1) through the shipped wasm: translation lint, multi-language build, history
// and the Atom feed. The Node CLI (kelisim-policy-tools.wasm) against the native CLI byte for
// byte on the new fixtures; the viewer's kelisim-policy.wasm offers history but not the
// authors' tools; every feed.xml validated by a real XML parser (libxml2's xmllint, RELAX NG
// of RFC 4287: tests/fixtures/atom/atom-subset.rng), not by string matching.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPolicyModule } from '../../web/src/engine/policy.js';
import { loadCore } from '../../web/src/engine/headless.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NODE_CLI = path.join(ROOT, 'web/src/cli/kelisim.js');
const NATIVE = process.env.KELISIM_NATIVE_CLI ||
  path.join(process.env.KELISIM_NATIVE_DIR || path.join(ROOT, 'build/native'), 'kelisim');
assert.ok(existsSync(NATIVE), `${NATIVE} not found: run scripts/build.sh`);
const TR = 'tests/fixtures/policy/translations';
const CASES = readdirSync(path.join(ROOT, TR)).sort();
const RNG = path.join(ROOT, 'tests/fixtures/atom/atom-subset.rng');

function run(which, args) {
  const [cmd, argv] = which === 'native' ? [NATIVE, args] : [process.execPath, [NODE_CLI, ...args]];
  const r = spawnSync(cmd, argv, { cwd: ROOT, encoding: 'buffer', maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}
function both(args) {
  const n = run('native', args);
  const w = run('wasm', args);
  assert.equal(w.code, n.code, `exit code of \`kelisim ${args.join(' ')}\`: wasm ${w.code} (${w.stderr}), native ${n.code} (${n.stderr})`);
  assert.ok(Buffer.compare(w.stdout, n.stdout) === 0, `stdout of \`kelisim ${args.join(' ')}\` differs:\n--- native\n${n.stdout}\n--- wasm\n${w.stdout}`);
  assert.equal(w.stderr, n.stderr, `stderr of \`kelisim ${args.join(' ')}\``);
  return n;
}
function xmllint(args) {
  const r = spawnSync('xmllint', args, { encoding: 'utf8' });
  assert.notEqual(r.error?.code, 'ENOENT', 'xmllint not found: run scripts/setup.sh (Debian libxml2-utils)');
  return r;
}
const xpath = (file, expr) => xmllint(['--xpath', expr, file]).stdout.trim();
const atom = (name) => `*[local-name()='${name}' and namespace-uri()='http://www.w3.org/2005/Atom']`;

test('translation lint: both CLIs print the same bytes on every fixture, and find each defect', () => {
  assert.ok(CASES.length >= 13 && CASES.includes('clean'), CASES.join(' '));
  const want = {
    clean: [], 'missing-clause': ['translation-missing-clause'], numbering: ['translation-numbering'],
    reference: ['translation-reference'], email: ['translation-fact'], url: ['translation-fact'],
    phone: ['translation-fact'], date: ['translation-fact'], amount: ['translation-fact'], law: ['translation-fact'],
    article: ['translation-fact'], controller: ['translation-controller', 'translation-controller'],
    jurisdiction: ['translation-jurisdiction', 'translation-jurisdiction'],
  };
  for (const c of CASES) {
    const dir = `${TR}/${c}`;
    for (const flags of [[], ['--lang', 'ru']]) both(['lint', ...flags, dir]);
    // The two files named one by one (the Kazakh first): the same as the folder.
    const files = both(['lint', `${dir}/1.kk.md`, `${dir}/1.ru.md`]);
    const r = both(['lint', '--json', dir]);
    const lines = r.stdout.toString().trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 3, c);  // ru, kk, then the pair
    assert.deepEqual(lines[2].map((f) => f.code), want[c], c);
    for (const f of lines[2]) assert.equal(f.file, `${dir}/1.kk.md`, c);
    assert.equal(r.code, lines[2].some((f) => f.severity === 'error') ? 1 : 0, c);
    assert.equal(files.code, r.code, c);
  }
  // The demo translation in policies/ is clean as a translation.
  const demo = both(['lint', '--json', 'policies/service/2.ru.md', 'policies/service/2.kk.md']);
  assert.equal(demo.stdout.toString().trim().split('\n')[2], '[]');
});

test('build: a version in several languages, the same files from both CLIs', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'kelisim-i18n-'));
  // A policy folder is named after its id: the fixture pairs' id is `fixture`.
  const copy = (c) => {
    const dir = path.join(tmp, c, 'fixture');
    mkdirSync(dir, { recursive: true });
    for (const l of ['ru', 'kk']) copyFileSync(path.join(ROOT, TR, c, `1.${l}.md`), path.join(dir, `1.${l}.md`));
    return dir;
  };
  try {
    const src = copy('clean');
    const n = run('native', ['build', src, '-o', path.join(tmp, 'n')]);
    const w = run('wasm', ['build', src, '-o', path.join(tmp, 'w')]);
    assert.equal(n.code, 0, n.stderr);
    assert.equal(w.code, 0, w.stderr);
    assert.equal(w.stdout.toString().replace(path.join(tmp, 'w'), 'OUT'), n.stdout.toString().replace(path.join(tmp, 'n'), 'OUT'));
    assert.match(n.stdout.toString(), /^built fixture: 1 version\(s\)/);
    const files = readdirSync(path.join(tmp, 'n/fixture'), { recursive: true }).sort();
    assert.deepEqual(files, ['1', '1/body.json', '1/body.kk.json', '1/manifest.json', '1/texts.json', 'feed.xml', 'index.json', 'manifest.json']);
    for (const f of files.filter((x) => x.includes('.'))) {
      assert.ok(Buffer.compare(readFileSync(path.join(tmp, 'n/fixture', f)), readFileSync(path.join(tmp, 'w/fixture', f))) === 0, f);
    }
    const m = JSON.parse(readFileSync(path.join(tmp, 'n/fixture/1/manifest.json'), 'utf8'));
    assert.deepEqual(m.langs, ['ru', 'kk']);
    // A misaligned pair is refused by both, with the same message.
    const bad = both(['build', copy('numbering'), '-o', path.join(tmp, 'bad')]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /1\.kk\.md:23:1: clause 2\.4 is numbered 2\.3 .*\[translation-numbering\]/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('history: the version in force around a publication, the same from both CLIs and the core', async () => {
  const policy = await loadPolicyModule();
  const viewer = await loadPolicyModule(readFileSync(path.join(ROOT, 'dist/kelisim-policy.wasm')));
  // service: version 1 (seed, no date), version 2 (demo, ru+kk) published 2026-11-25T10:00+05:00.
  const cases = [
    ['2026-11-25T09:59:59.999+05:00', '1', false],
    ['2026-11-25T04:59:59Z', '1', false],
    ['2026-11-25T10:00:00+05:00', '2', true],
    ['2026-11-25T05:00:00Z', '2', true],
    ['2030-01-01T00:00:00+05:00', '2', true],
  ];
  const index = readFileSync(path.join(ROOT, 'policies/service/index.json'));
  const core = await loadCore();  // the headless core (\`kelisim/core\`) offers the same
  for (const [at, version, certain] of cases) {
    const text = both(['history', 'policies/service', '--at', at]);
    assert.equal(text.code, 0);
    assert.match(text.stdout.toString(), new RegExp(`^service at ${at.replace(/[+.]/g, '\\$&')}: version ${version} in force`));
    const j = both(['history', 'policies/service/index.json', '--at', at, '--json']);
    const got = JSON.parse(j.stdout.toString());
    assert.equal(got.version, version, at);
    assert.equal(got.certain, certain, at);
    assert.deepEqual(policy.history(index, at), got);
    assert.deepEqual(viewer.history(JSON.parse(index.toString()), at), got);
    assert.equal(policy.history(index, at, { format: 'text' }), text.stdout.toString());
    assert.deepEqual(await core.history(index, at), got);
  }
  // toolpars: before the demo version 2 (2026-11-10T09:00+05:00) and after it.
  assert.equal(JSON.parse(both(['history', 'policies/toolpars', '--at', '2026-11-10T03:59:59Z', '--json']).stdout).version, '1');
  assert.equal(JSON.parse(both(['history', 'policies/toolpars', '--at', '2026-11-10T04:00:00Z', '--json']).stdout).version, '2');
  // Usage and input errors, the same in both.
  assert.equal(both(['history', 'policies/service']).code, 2);
  assert.match(both(['history', 'policies/service', '--at', '2026-11-25']).stderr, /--at must be an ISO 8601 instant with an offset/);
  assert.match(both(['history', 'policies/nope', '--at', '2026-11-25T00:00Z']).stderr, /policies\/nope: cannot read file/);
  // The viewer's module has no authoring tools (a smaller download).
  assert.throws(() => viewer.lint('1. x'), /kel_lint/);
});

test('feed.xml: valid Atom (RELAX NG of RFC 4287 via libxml2), one entry per dated version', () => {
  const feeds = readdirSync(path.join(ROOT, 'policies')).filter((d) => existsSync(path.join(ROOT, 'policies', d, 'feed.xml')));
  assert.deepEqual(feeds, ['neupusti', 'service', 'smartaqkol', 'toolpars']);  // mobile-app states no date at all
  for (const id of feeds) {
    const file = path.join(ROOT, 'policies', id, 'feed.xml');
    const v = xmllint(['--noout', '--relaxng', RNG, file]);
    assert.equal(v.status, 0, `${id}/feed.xml: ${v.stderr}`);
    const index = JSON.parse(readFileSync(path.join(ROOT, 'policies', id, 'index.json'), 'utf8'));
    const dated = index.versions.filter((x) => x.publishedAt).reverse();  // newest first
    assert.equal(xpath(file, `count(/${atom('feed')}/${atom('entry')})`), String(dated.length), id);
    dated.forEach((ver, k) => {
      const e = `/${atom('feed')}/${atom('entry')}[${k + 1}]`;
      assert.equal(xpath(file, `string(${e}/${atom('id')})`), `urn:kelisim:policy:${id}:${ver.version}`);
      const updated = xpath(file, `string(${e}/${atom('updated')})`);
      assert.equal(Date.parse(updated), Date.parse(ver.publishedAt), `${id} ${ver.version}`);
      // RFC 4287 4.1.1: an entry without content has an alternate link; ours is the version's body.
      assert.equal(xpath(file, `string(${e}/${atom('link')}[@rel='alternate']/@href)`), ver.body);
      const prev = index.versions[index.versions.findIndex((x) => x.version === ver.version) - 1];
      if (prev) assert.equal(xpath(file, `string(${e}/${atom('link')}[@rel='related']/@href)`), `${ver.version}/diff.json`);
      assert.ok(xpath(file, `string(${e}/${atom('summary')})`).length > 5);
    });
  }
  // The demo translation is announced as such.
  const service = path.join(ROOT, 'policies/service/feed.xml');
  assert.match(xpath(service, `string(//${atom('entry')}[1]/${atom('summary')})`), /^Изменились только переводы\. Добавлены переводы: kk\./);
  // The grammar rejects what Atom forbids: a date without seconds, an entry without an id.
  const tmp = mkdtempSync(path.join(tmpdir(), 'kelisim-atom-'));
  try {
    const src = readFileSync(path.join(ROOT, 'policies/toolpars/feed.xml'), 'utf8');
    for (const [name, bad] of [['no-seconds', src.replace(/(<updated>\d{4}-\d\d-\d\dT\d\d:\d\d):00/, '$1')],
      ['no-id', src.replace(/<id>urn:kelisim:policy:toolpars:2<\/id>/, '')], ['not-xml', src.replace('</feed>', '')]]) {
      const f = path.join(tmp, `${name}.xml`);
      writeFileSync(f, bad);
      assert.notEqual(xmllint(['--noout', '--relaxng', RNG, f]).status, 0, name);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
