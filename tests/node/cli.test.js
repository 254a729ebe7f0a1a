// The Node CLI (web/src/cli/kelisim.js over dist/kelisim-policy-tools.wasm) against the native CLI
// (build/native/kelisim or build/native-<name>/kelisim): same stdout bytes, same exit codes; plus the shared lint fixtures.
// Run: node --test tests/node/cli.test.js (after `npm run build`; KELISIM_NATIVE_DIR=build/native-x
// to use another native build).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NODE_CLI = path.join(ROOT, 'web/src/cli/kelisim.js');
const WASM = path.join(ROOT, 'dist/kelisim-policy-tools.wasm');

/** The native CLI: $KELISIM_NATIVE_CLI, else <$KELISIM_NATIVE_DIR or build/native>/kelisim (the
 *  same directory convention as policy-golden.test.js). */
function nativeCli() {
  const cli = process.env.KELISIM_NATIVE_CLI ||
    path.join(process.env.KELISIM_NATIVE_DIR || path.join(ROOT, 'build/native'), 'kelisim');
  assert.ok(existsSync(cli), `${cli} not found: run scripts/build.sh, or set KELISIM_NATIVE_DIR to your native build directory`);
  return cli;
}
const NATIVE = nativeCli();
assert.ok(existsSync(WASM), 'dist/kelisim-policy-tools.wasm not found: run scripts/build.sh');

function run(which, args, cwd = ROOT) {
  const [cmd, argv] = which === 'native' ? [NATIVE, args] : [process.execPath, [NODE_CLI, ...args]];
  const r = spawnSync(cmd, argv, { cwd, encoding: 'buffer', maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}
/** Runs both CLIs; asserts identical stdout bytes and exit codes; returns the result. */
function both(args, cwd) {
  const n = run('native', args, cwd);
  const w = run('wasm', args, cwd);
  assert.equal(w.code, n.code, `exit code of \`kelisim ${args.join(' ')}\`: wasm ${w.code} (${w.stderr}), native ${n.code} (${n.stderr})`);
  assert.ok(Buffer.compare(w.stdout, n.stdout) === 0, `stdout of \`kelisim ${args.join(' ')}\` differs:\n--- native\n${n.stdout}\n--- wasm\n${w.stdout}`);
  return n;
}

const rel = (p) => path.relative(ROOT, p);
const SOURCES = readdirSync(path.join(ROOT, 'policies'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(path.join(ROOT, 'policies', d.name)).filter((f) => f.endsWith('.md')).map((f) => `policies/${d.name}/${f}`))
  .sort();
const FIXTURES = readdirSync(path.join(ROOT, 'tests/fixtures/policy/lint')).filter((f) => f.endsWith('.md')).sort()
  .map((f) => `tests/fixtures/policy/lint/${f}`);

test('there is something to compare', () => {
  assert.ok(SOURCES.length >= 7, SOURCES.join(' '));
  assert.ok(FIXTURES.length >= 7);
});

test('lint: wasm and native print the same bytes (text, Russian, JSON) on every seed and fixture', () => {
  const files = [...SOURCES, ...FIXTURES];
  for (const flags of [[], ['--lang', 'ru'], ['--json']]) {
    const r = both(['lint', ...flags, ...files]);
    assert.equal(r.code, 1);  // the fixtures include error-level findings
    assert.ok(r.stdout.length > 1000);
  }
  for (const f of SOURCES) assert.equal(both(['lint', f]).code, 0, f);  // seeds: warnings, no errors
});

test('lint through wasm: the shared fixture expectations hold', () => {
  const cases = JSON.parse(readFileSync(path.join(ROOT, 'tests/fixtures/policy/lint-cases.json'), 'utf8')).cases;
  for (const c of cases) {
    const r = run('wasm', ['lint', '--json', `tests/fixtures/policy/lint/${c.file}`]);
    const got = JSON.parse(r.stdout.toString()).map((f) => [f.severity, f.code, f.clause, f.line, f.col]);
    assert.deepEqual(got, c.findings, c.file);
    assert.equal(r.code, c.findings.some((f) => f[0] === 'error') ? 1 : 0, c.file);
  }
});

test('lint through wasm: the seed findings the issue asks for', () => {
  const lint = (f) => JSON.parse(run('wasm', ['lint', '--json', f]).stdout.toString());
  const gap = lint('policies/smartaqkol/1.md').filter((f) => f.code === 'numbering-gap');
  assert.deepEqual(gap.map((f) => [f.clause, f.message.en]), [['2.6', 'clause 2.5 is missing between 2.4 and 2.6']]);
  const mixed = lint('policies/toolpars/1.md').filter((f) => f.code === 'mixed-jurisdiction');
  assert.deepEqual(mixed.map((f) => f.clause), ['7.1']);
  for (const f of ['policies/toolpars/1.md', 'policies/mobile-app/1.md', 'policies/neupusti/1.md']) {
    assert.equal(lint(f).filter((x) => x.code === 'consent-by-use').length, 1, f);
  }
  assert.deepEqual(lint('policies/neupusti/1.md').filter((f) => f.code === 'broken-reference'), []);
});

test('lint: invalid UTF-8 bytes reach the core unchanged in both CLIs', () => {
  const r = both(['lint', '--json', 'tests/fixtures/policy/lint/invalid-utf8.md']);
  assert.ok(r.stdout.toString().includes('"code":"invalid-utf8"'));
  both(['import', 'tests/fixtures/policy/lint/invalid-utf8.md']);
});

test('import, hash and diff agree byte for byte', () => {
  for (const f of [...SOURCES, ...FIXTURES]) {
    both(['import', f]);
    both(['import', '--body', f]);
  }
  // <v>.md and the primary <v>.<lang>.md build to <v>/body.json (the manifest's bodyHash); a
  // further language to <v>/body.<lang>.json (its hash in texts.json's langs).
  const built = SOURCES.map((s) => {
    const [, dir, v, lang] = /^(.*)\/(.+?)(?:\.(ru|kk|en))?\.md$/.exec(s);
    const manifest = JSON.parse(readFileSync(path.join(ROOT, dir, v, 'manifest.json'), 'utf8'));
    const primary = !lang || manifest.lang === lang;
    const texts = JSON.parse(readFileSync(path.join(ROOT, dir, v, 'texts.json'), 'utf8'));
    return { body: `${dir}/${v}/body${primary ? '' : '.' + lang}.json`, hash: primary ? manifest.bodyHash : texts.langs[lang].bodyHash };
  });
  const h = both(['hash', ...SOURCES, ...built.map((b) => b.body)]).stdout.toString().trim().split('\n');
  // A source and its built body hash the same; and that is the hash the build lists for it.
  for (let i = 0; i < SOURCES.length; i++) {
    const [hs] = h[i].split('  ');
    const [hb] = h[SOURCES.length + i].split('  ');
    assert.equal(hs, hb, SOURCES[i]);
    assert.equal(built[i].hash, hs, SOURCES[i]);
  }
  assert.ok(built.some((b) => b.body.endsWith('/body.kk.json')));
  for (const id of ['smartaqkol', 'toolpars']) {
    const d = both(['diff', `policies/${id}/1.md`, `policies/${id}/2.md`]).stdout.toString();
    assert.match(d, /^added: .*\nremoved: .*\nchanged: .*\nmoved: .*\n/);
    both(['diff', '--json', `policies/${id}/1/body.json`, `policies/${id}/2.md`]);
  }
  const d = both(['diff', 'policies/smartaqkol/1.md', 'policies/smartaqkol/2.md']).stdout.toString();
  assert.ok(d.includes('TLS v1.[-2-]{+3+}.'), d);
});

test('build: both CLIs write the same files, equal to the committed policies/ output', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'kelisim-cli-'));
  try {
    const n = run('native', ['build', 'policies/', '-o', path.join(tmp, 'n')]);
    const w = run('wasm', ['build', 'policies/', '-o', path.join(tmp, 'w')]);
    assert.equal(n.code, 0, n.stderr);
    assert.equal(w.code, 0, w.stderr);
    assert.equal(w.stdout.toString().replaceAll(path.join(tmp, 'w'), 'OUT'), n.stdout.toString().replaceAll(path.join(tmp, 'n'), 'OUT'));
    const walk = (dir) => readdirSync(dir, { recursive: true }).filter((f) => statSync(path.join(dir, f)).isFile()).sort();
    const files = walk(path.join(tmp, 'n'));
    assert.deepEqual(walk(path.join(tmp, 'w')), files);
    assert.ok(files.includes(path.join('smartaqkol', '2', 'manifest.json')));
    for (const f of files) {
      const nb = readFileSync(path.join(tmp, 'n', f));
      assert.ok(Buffer.compare(readFileSync(path.join(tmp, 'w', f)), nb) === 0, f);
      assert.ok(Buffer.compare(readFileSync(path.join(ROOT, 'policies', f)), nb) === 0, `policies/${f} is stale: run kelisim build policies/`);
    }
    // A single policy folder builds next to itself; error-level findings refuse the build.
    const one = both(['build', 'policies/neupusti', '-o', path.join(tmp, 'one')]);
    assert.match(one.stdout.toString(), /^built neupusti: 1 version\(s\) -> /);
    const bad = run('wasm', ['build', 'tests/fixtures/policy/lint', '-o', path.join(tmp, 'bad')]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /error\[duplicate-number\]/);
    assert.equal(run('native', ['build', 'tests/fixtures/policy/lint', '-o', path.join(tmp, 'bad')]).code, 1);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('build --kelisim-url --policies-url: both CLIs write the same preload.html and inline.html, whose tags name files in dist/ and the build output', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'kelisim-cli-'));
  try {
    // The URLs as a site would give them (with and without the trailing slash, an & to escape).
    const args = (o) => ['build', 'policies/', '-o', path.join(tmp, o), '--kelisim-url', 'https://cdn.example/kelisim', '--policies-url', '/p/?a&b=/'];
    const n = run('native', args('n'));
    const w = run('wasm', args('w'));
    assert.equal(n.code, 0, n.stderr);
    assert.equal(w.code, 0, w.stderr);
    assert.equal(w.stdout.toString().replaceAll(path.join(tmp, 'w'), 'OUT'), n.stdout.toString().replaceAll(path.join(tmp, 'n'), 'OUT'));
    const ids = readdirSync(path.join(ROOT, 'policies'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    for (const id of ids) {
      assert.match(n.stdout.toString(), new RegExp(`preload tags for ${id}'s pages -> ${path.join(tmp, 'n', id, 'preload.html')}\n`));
      const tags = readFileSync(path.join(tmp, 'n', id, 'preload.html'), 'utf8');
      assert.equal(readFileSync(path.join(tmp, 'w', id, 'preload.html'), 'utf8'), tags, id);
      const urls = [...tags.matchAll(/(?:href|src|data-policy)="([^"]+)"/g)].map((m) => m[1].replaceAll('&amp;', '&'));
      assert.equal(urls.length, 4, tags);
      for (const u of urls) {
        const file = u.startsWith('https://cdn.example/kelisim/') ? path.join(ROOT, 'dist', u.slice('https://cdn.example/kelisim/'.length))
          : u.startsWith('/p/?a&b=/') ? path.join(tmp, 'n', u.slice('/p/?a&b=/'.length)) : null;
        assert.ok(file && existsSync(file), `${id}: ${u} names a file that exists (${file})`);
      }
      assert.match(tags, new RegExp(`<link rel="preload" href="/p/\\?a&amp;b=/${id}/manifest\\.json" as="fetch" crossorigin>`));
      assert.match(tags, /<link rel="preload" href="https:\/\/cdn\.example\/kelisim\/kelisim-banner\.css" as="style">/);
      assert.doesNotMatch(tags, /\.wasm/, 'the consent wasm is not preloaded (a first visit\'s banner does not wait for it)');
      // inline.html: the built manifest itself in a JSON data block, `<` escaped, its address in data-url.
      const inline = readFileSync(path.join(tmp, 'n', id, 'inline.html'), 'utf8');
      assert.equal(readFileSync(path.join(tmp, 'w', id, 'inline.html'), 'utf8'), inline, id);
      const block = /<script type="application\/json" id="kelisim-policy" data-url="\/p\/\?a&amp;b=\/([^"]+)">([^<]*)<\/script>\n/.exec(inline);
      assert.ok(block, inline.slice(0, 300));
      assert.equal(block[1], `${id}/manifest.json`);
      assert.deepEqual(JSON.parse(block[2]), JSON.parse(readFileSync(path.join(tmp, 'n', id, 'manifest.json'), 'utf8')));
      assert.match(inline, /<link rel="preload" href="https:\/\/cdn\.example\/kelisim\/kelisim-banner\.css" as="style">\n<script src="https:\/\/cdn\.example\/kelisim\/kelisim\.js" data-policy="#kelisim-policy" defer><\/script>\n$/);
    }
    // A `<` in the manifest cannot end the data block: written as \u003c (the controller's name, here).
    const lt = run('native', ['build', 'tests/fixtures/policy/inline-lt', '-o', path.join(tmp, 'lt'), '--kelisim-url', '/k', '--policies-url', '/p']);
    const ltw = run('wasm', ['build', 'tests/fixtures/policy/inline-lt', '-o', path.join(tmp, 'ltw'), '--kelisim-url', '/k', '--policies-url', '/p']);
    assert.equal(lt.code, 0, lt.stderr);
    assert.equal(ltw.code, 0, ltw.stderr);
    const ltTags = readFileSync(path.join(tmp, 'lt', 'inline-lt', 'inline.html'), 'utf8');
    assert.equal(readFileSync(path.join(tmp, 'ltw', 'inline-lt', 'inline.html'), 'utf8'), ltTags);
    const json = /data-url="[^"]*">([^<]*)<\/script>/.exec(ltTags)[1];
    assert.match(json, /\\u003c\/script>/);
    assert.equal(JSON.parse(json).controller, 'ТОО «Пример</script><script>alert(1)</script>»');
    // Without the options nothing more is written (the committed policies/ output stays as it is).
    const plain = run('wasm', ['build', 'policies/neupusti', '-o', path.join(tmp, 'plain')]);
    assert.equal(existsSync(path.join(tmp, 'plain', 'neupusti', 'preload.html')), false);
    assert.equal(existsSync(path.join(tmp, 'plain', 'neupusti', 'inline.html')), false);
    assert.doesNotMatch(plain.stdout.toString(), /preload/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('build --bundle <dist-dir>: both CLIs write the same kelisim-bundle.js (kelisim-bundled.js with the manifest and the banner stylesheet after its first line) and bundle.html', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'kelisim-cli-'));
  try {
    const args = (o, ...more) => ['build', 'policies/', '-o', path.join(tmp, o), '--kelisim-url', 'https://cdn.example/kelisim', '--policies-url', '/p/?a&b=/', ...more];
    const n = run('native', args('n', '--bundle', 'dist'));
    const w = run('wasm', args('w', '--bundle', 'dist/'));
    assert.equal(n.code, 0, n.stderr);
    assert.equal(w.code, 0, w.stderr);
    assert.equal(w.stdout.toString().replaceAll(path.join(tmp, 'w'), 'OUT'), n.stdout.toString().replaceAll(path.join(tmp, 'n'), 'OUT'));
    const template = readFileSync(path.join(ROOT, 'dist/kelisim-bundled.js'), 'utf8');
    const css = readFileSync(path.join(ROOT, 'dist/kelisim-banner.css'), 'utf8');
    const first = '\uFEFF//# allFunctionsCalledOnLoad\n';
    assert.ok(template.startsWith(first));
    const ids = readdirSync(path.join(ROOT, 'policies'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    for (const id of ids) {
      assert.match(n.stdout.toString(), new RegExp(`one file with the manifest and the stylesheet -> ${path.join(tmp, 'n', id, 'kelisim-bundle.js')}, its tag -> ${path.join(tmp, 'n', id, 'bundle.html')}\n`));
      const js = readFileSync(path.join(tmp, 'n', id, 'kelisim-bundle.js'), 'utf8');
      assert.equal(readFileSync(path.join(tmp, 'w', id, 'kelisim-bundle.js'), 'utf8'), js, id);
      const tag = readFileSync(path.join(tmp, 'n', id, 'bundle.html'), 'utf8');
      assert.equal(readFileSync(path.join(tmp, 'w', id, 'bundle.html'), 'utf8'), tag, id);
      // The compile hint stays the first line; then one line of data; then the template as it is.
      assert.ok(js.startsWith(first), id);
      const nl = js.indexOf('\n', first.length);
      assert.equal(js.slice(nl + 1), template.slice(first.length), `${id}: the rest is kelisim-bundled.js`);
      const line = js.slice(first.length, nl);
      const m = /^self\.kelisimBundle=(.*);$/.exec(line);
      assert.ok(m, line.slice(0, 200));
      const data = JSON.parse(m[1]);
      assert.deepEqual(Object.keys(data), ['base', 'url', 'css', 'policy']);
      assert.equal(data.base, 'https://cdn.example/kelisim/');
      assert.equal(data.url, `/p/?a&b=/${id}/manifest.json`);
      assert.equal(data.css, css);
      assert.deepEqual(data.policy, JSON.parse(readFileSync(path.join(tmp, 'n', id, 'manifest.json'), 'utf8')));
      // The tag, and the hash a strict CSP needs: the same as prerenderBanner()'s for this stylesheet.
      const hash = "'sha256-" + createHash('sha256').update(css).digest('base64') + "'";
      assert.ok(tag.includes(`add ${hash} to style-src`), tag);
      assert.match(tag, new RegExp(`\n<script src="/p/\\?a&amp;b=/${id}/kelisim-bundle\\.js" defer></script>\n$`));
    }
    // Bytes that are not UTF-8 (and a control character) in the stylesheet: both CLIs read it
    // as a browser would (each invalid sequence U+FFFD) and write the same file and hash.
    const bad = (o) => ['build', 'policies/neupusti', '-o', path.join(tmp, o), '--kelisim-url', '/k', '--policies-url', '/p', '--bundle', 'tests/fixtures/bundle-bad-utf8'];
    const bn = run('native', bad('bn'));
    const bw = run('wasm', bad('bw'));
    assert.equal(bn.code, 0, bn.stderr);
    assert.equal(bw.code, 0, bw.stderr);
    for (const f of ['kelisim-bundle.js', 'bundle.html']) {
      assert.ok(Buffer.compare(readFileSync(path.join(tmp, 'bn', 'neupusti', f)), readFileSync(path.join(tmp, 'bw', 'neupusti', f))) === 0, f);
    }
    const badJs = readFileSync(path.join(tmp, 'bn', 'neupusti', 'kelisim-bundle.js'), 'utf8');
    const badCss = JSON.parse(/^self\.kelisimBundle=(.*);$/m.exec(badJs)[1]).css;
    assert.equal(badCss, new TextDecoder().decode(readFileSync('tests/fixtures/bundle-bad-utf8/kelisim-banner.css')));
    assert.match(badCss, /\(\uFFFD\).*\(\uFFFD\).*\(\u0001\)/);
    assert.ok(badJs.includes('\\u0001'), 'the control character escaped as JSON.stringify does');
    // Bad input, the same from both: --bundle without the URLs, a folder without the template,
    // a file that is not the template.
    assert.equal(both(['build', 'policies/neupusti', '-o', path.join(tmp, 'x'), '--bundle', 'dist']).code, 2);
    assert.equal(both(args('y', '--bundle', 'web')).code, 2);
    for (const which of ['native', 'wasm']) {
      const r = run(which, args('y', '--bundle', 'web'));
      assert.match(r.stderr.toString(), /web\/kelisim-bundled\.js: cannot read file/, which);
      const t = run(which, args('z', '--bundle', 'tests/fixtures/bundle-not-template'));
      assert.equal(t.code, 2, which);
      assert.match(t.stderr.toString(), /kelisim-bundled\.js: not kelisim's bundle template/, which);
    }
    assert.equal(existsSync(path.join(tmp, 'z')), false, 'nothing written when the template is not one');
    // Without --bundle, neither file is written.
    run('wasm', args('plain'));
    assert.equal(existsSync(path.join(tmp, 'plain', 'neupusti', 'kelisim-bundle.js')), false);
    assert.equal(existsSync(path.join(tmp, 'plain', 'neupusti', 'bundle.html')), false);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('exit codes and messages: 0 clean, 1 error findings, 2 bad usage or input', () => {
  assert.equal(both(['lint', 'tests/fixtures/policy/lint/clean.md']).code, 0);
  assert.equal(both(['lint', 'tests/fixtures/policy/lint/clean.md']).stdout.length, 0);
  assert.equal(both(['lint', 'tests/fixtures/policy/lint/numbering.md']).code, 1);
  assert.equal(both(['lint', 'tests/fixtures/policy/lint/references.md']).code, 1);
  assert.equal(both(['lint', 'tests/fixtures/policy/lint/consent.md']).code, 0);  // warnings only
  const help = both(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout.toString(), /kelisim import \| lint|Usage:/);
  assert.equal(both(['lint', '--help']).code, 0);
  const bad = [
    [[], /missing command/],
    [['frobnicate'], /unknown command `frobnicate`/],
    [['lint'], /lint needs at least one <file>/],
    [['lint', '--xml', 'policies/toolpars/1.md'], /unknown option --xml/],
    [['lint', '--lang', 'de', 'policies/toolpars/1.md'], /--lang must be en or ru/],
    [['lint', 'no/such/file.md'], /no\/such\/file\.md: cannot read file/],
    // A folder is linted as a policy folder (its <version>.md sources); policies/ holds none itself.
    [['lint', 'policies'], /policies: no policy sources \(<version>\.md\) in this folder/],
    [['import'], /import needs exactly one <file>/],
    [['import', 'a', 'b'], /import needs exactly one <file>/],
    [['build'], /build needs exactly one <policies-dir>/],
    [['build', 'policies/toolpars/1.md'], /not a directory/],
    [['build', 'tests/fixtures'], /no policy sources/],
    [['build', 'policies/', '--kelisim-url', '/kelisim/'], /--kelisim-url and --policies-url go together/],
    [['build', 'policies/', '--policies-url', '/p/'], /--kelisim-url and --policies-url go together/],
    [['build', 'policies/', '--kelisim-url'], /--kelisim-url needs a value/],
    [['diff', 'policies/toolpars/1.md'], /diff needs <old> and <new>/],
    [['diff', 'policies/toolpars/1.md', 'tests/fixtures/policy/lint-cases.json'], /lint-cases\.json: body: /],
    [['hash'], /hash needs at least one <file>/],
    [['hash', 'tests/fixtures/policy/lint-cases.json'], /lint-cases\.json: body: /],
    [['lint', '-o'], /-o needs a value/],
    [['history', 'policies/service'], /history needs --at <ISO instant>/],
    [['history', 'policies/service', '--at', '2026-11-25'], /--at must be an ISO 8601 instant with an offset/],
    [['history', '--at', '2026-11-25T00:00Z'], /history needs exactly one <built-policy-dir>/],
    [['history', 'policies/service/1.md', '--at', '2026-11-25T00:00Z'], /policies\/service\/1\.md: invalid JSON/],
  ];
  for (const [args, re] of bad) {
    for (const which of ['native', 'wasm']) {
      const r = run(which, args);
      assert.equal(r.code, 2, `${which} kelisim ${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re, `${which} kelisim ${args.join(' ')}`);
      assert.match(r.stderr, /^kelisim: /);
      assert.equal(r.stdout.length, 0);
    }
  }
});
