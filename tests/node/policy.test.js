// The policy module facade (web/src/engine/policy.js) over the shipped
// dist/kelisim-policy.wasm: plain values in and out, KelisimError with codes on bad input,
// the parse cache never changing results, bounded memory, and the banner path never
// importing it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { loadPolicyModule } from '../../web/src/engine/policy.js';
import { KelisimError } from '../../web/src/engine/errors.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const policy = await loadPolicyModule();
const src = (key) => readFileSync(root + 'policies/' + key, 'utf8');
const bodyOf = (key) => policy.importText(src(key)).body;

const small = {
  format: 1,
  title: 'Политика',
  children: [
    { k: 'clause', num: '1', id: 'p-1', title: ['ОБЩИЕ ПОЛОЖЕНИЯ'], children: [
      { k: 'clause', num: '1.1', id: 'p-1.1', children: [{ k: 'p', c: ['Её объём: ', { em: ['Cookies'] }, ' и ', { a: ['сайт'], href: 'https://example.kz' }] }] },
      { k: 'clause', num: '1.2', id: 'p-1.2', children: [{ k: 'ul', items: [['Қазақстан Республикасы'], ['ӘҒҚҢӨҰҮҺІ']] }] },
    ] },
  ],
};

function codeOf(fn) {
  try { fn(); } catch (e) {
    assert.ok(e instanceof KelisimError, `not a KelisimError: ${e}`);
    return [e.code, e.message];
  }
  assert.fail('did not throw');
}

test('render: object or JSON text, options, safe links', () => {
  const html = policy.render(small);
  assert.equal(html, policy.render(JSON.stringify(small)));
  assert.match(html, /^<h2 class="kelisim-title">Политика<\/h2><nav class="kelisim-toc" aria-label="Содержание">/);
  assert.match(html, /<section class="kelisim-clause" id="p-1">/);
  assert.match(html, /<a href="https:\/\/example.kz" target="_blank" rel="noopener noreferrer">сайт<\/a>/);
  const bare = policy.render(small, { lang: 'en', idPrefix: 'kel-', toc: false, title: false });
  assert.doesNotMatch(bare, /<nav|kelisim-title/);
  assert.match(bare, /id="kel-p-1.1"/);
  assert.match(policy.render(small, { lang: 'kk' }), /aria-label="Мазмұны"/);
  const js = { ...small, children: [{ k: 'p', c: [{ a: ['x'], href: ' JaVa\tScRiPt:alert(1)' }] }] };
  assert.equal(policy.render(js, { toc: false }), '<h2 class="kelisim-title">Политика</h2><p>x</p>');
});

test('search: ru/kk/en case folding, ё = е, document order, limit', () => {
  const nums = (q, o) => policy.search(small, q, o).map((h) => h.num);
  assert.deepEqual(nums('ее ОБЪЕМ'), ['1.1']);
  assert.deepEqual(nums('cookies'), ['1.1']);
  assert.deepEqual(nums('қазақстан'), ['1.2']);
  assert.deepEqual(nums('әғқңөұүһі'), ['1.2']);
  assert.deepEqual(nums('общие'), ['1']);
  assert.deepEqual(nums('о'), ['1', '1.1']);
  assert.deepEqual(nums('о', { limit: 1 }), ['1']);
  assert.deepEqual(nums(''), []);
  const [hit] = policy.search(small, 'COOKIES');
  assert.deepEqual(hit, { id: 'p-1.1', num: '1.1', snippet: 'Её объём: <mark>Cookies</mark> и сайт' });
});

test('search over a real policy finds every clause with the word', () => {
  const body = bodyOf('neupusti/1.md');
  const hits = policy.search(body, 'ПЕРСОНАЛЬНЫХ', { limit: 1000 });
  assert.ok(hits.length > 10);
  const ids = new Set(policy.render(body).match(/id="p-[0-9.]+"/g).map((s) => s.slice(4, -1)));
  for (const h of hits) {
    assert.ok(ids.has(h.id), h.id);
    assert.match(h.snippet, /<mark>персональных<\/mark>/i);
  }
  // document order
  const order = [...ids];
  const positions = hits.map((h) => order.indexOf(h.id));
  assert.deepEqual(positions, [...positions].sort((a, b) => a - b));
});

test('diff of two published versions', () => {
  const d = policy.diff(bodyOf('smartaqkol/1.md'), bodyOf('smartaqkol/2.md'));
  const { added, removed, changed, moved } = d.summary;
  assert.ok(added.length + removed.length + changed.length + moved.length > 0);
  for (const c of d.clauses) {
    assert.ok(['same', 'added', 'removed', 'changed', 'moved'].includes(c.status), c.status);
    if (c.num) assert.equal(c.id, `p-${c.num}`);
    if (c.status === 'changed') assert.match(c.html, /<(ins|del)>/);
    if (c.status === 'added') assert.match(c.html, /^<ins>.*<\/ins>$/s);
    if (c.status === 'removed') assert.match(c.html, /^<del>.*<\/del>$/s);
  }
  for (const n of changed) assert.ok(d.clauses.some((c) => c.num === n && c.status === 'changed'));
  const same = policy.diff(bodyOf('smartaqkol/2.md'), bodyOf('smartaqkol/2.md'));
  assert.ok(same.clauses.every((c) => c.status === 'same'));
});

test('parse: hash is the canonical body hash, as bodyHash() and sha256 of the importer output', () => {
  const text = src('toolpars/1.md');
  const imported = policy.importText(text);
  const info = policy.parse(imported.body);
  assert.equal(info.format, 1);
  assert.ok(info.clauses > 10);
  assert.equal(info.hash, policy.bodyHash(text));
  // The canonical form is nlohmann's dump(): sorted keys, no spaces — JSON.stringify of the
  // parsed importer output reproduces it, so its SHA-256 is the same hash.
  assert.equal(info.hash, createHash('sha256').update(JSON.stringify(imported.body)).digest('hex'));
});

test('lint and importText pass through', () => {
  const findings = policy.lint(src('neupusti/1.md'));
  assert.ok(Array.isArray(findings) && findings.length > 0);
  for (const f of findings) assert.ok(f.code && f.severity && f.message.en && f.message.ru);
  const text = policy.lint(src('neupusti/1.md'), { file: 'neupusti/1.md', format: 'text' });
  assert.match(text, /^neupusti\/1\.md:\d+:\d+: (warning|error|info)\[/m);
  const imp = policy.importText('1. Раздел\n1.1. Текст пункта.\n');
  assert.equal(imp.body.format, 1);
  assert.equal(imp.body.children[0].num, '1');
});

test('bad input: KelisimError with a code and a message that says where', () => {
  let [code, msg] = codeOf(() => policy.render('{"format":1,"title":"",'));
  assert.equal(code, 'bad-input');
  assert.match(msg, /invalid JSON: parse error at line 1, column \d+/);
  [code, msg] = codeOf(() => policy.render({ format: 1, title: '', children: [{ k: 'clause', num: '4', children: [{ k: 'clause', num: '4.x' }] }] }));
  assert.equal(code, 'bad-input');
  assert.match(msg, /children\[0\]\.children\[0\] \(clause 4\): "num" must be a dotted number/);
  [code, msg] = codeOf(() => policy.diff(small, { format: 2 }));
  assert.match(msg, /^new body: .*"format" must be 1/);
  assert.equal(codeOf(() => policy.render(small, { idPrefix: 'a b' }))[0], 'bad-argument');
  assert.equal(codeOf(() => policy.search(small, 42))[0], 'bad-argument');
  assert.equal(codeOf(() => policy.render(null))[0], 'bad-argument');
  assert.equal(codeOf(() => policy.lint('x', { format: 'xml' }))[0], 'bad-argument');
  // Deep nesting: refused, no trap, the module keeps working.
  const deep = '['.repeat(100000) + ']'.repeat(100000);
  assert.equal(codeOf(() => policy.render(deep))[0], 'bad-input');
  const inl = '{"format":1,"title":"","children":[{"k":"p","c":[' + '{"em":['.repeat(50) + '"x"' + ']}'.repeat(50) + ']}]}';
  assert.match(codeOf(() => policy.render(inl))[1], /nested deeper than 16/);
  assert.match(policy.render(small), /kelisim-clause/);
});

test('the parse cache never changes a result', async () => {
  const a = bodyOf('smartaqkol/1.md');
  const b = bodyOf('smartaqkol/2.md');
  const fresh = await loadPolicyModule();
  const seq = () => [
    policy.render(a), policy.search(b, 'данные'), policy.diff(a, b), policy.render(b), policy.diff(b, a),
    policy.search(a, 'данные'), policy.render(small), policy.diff(small, a),
  ];
  const first = seq();
  const second = seq();
  assert.deepEqual(second, first);
  const expect = [
    fresh.render(a), fresh.search(b, 'данные'), fresh.diff(a, b), fresh.render(b), fresh.diff(b, a),
    fresh.search(a, 'данные'), fresh.render(small), fresh.diff(small, a),
  ];
  assert.deepEqual(first, expect);
  policy.forget();
  assert.equal(policy.render(a), expect[0]);
});

test('big inputs stay bounded and memory does not grow with use', () => {
  const children = [];
  for (let i = 1; i <= 3000; i++) {
    children.push({ k: 'clause', num: String(i), children: [{ k: 'p', c: [`Пункт ${i}: оператор обрабатывает данные ${i * 7} дней.`] }] });
  }
  const big = { format: 1, title: 'Big', children };
  const big2 = { ...big, children: children.map((c, i) => (i % 10 ? c : { ...c, children: [{ k: 'p', c: ['Переписано полностью.'] }] })) };
  assert.ok(policy.render(big).length > 200000);
  assert.equal(policy.search(big, 'дней', { limit: 100000 }).length, 3000);
  const d = policy.diff(big, big2);
  assert.equal(d.summary.changed.length, 300);
  const body = bodyOf('neupusti/1.md');
  const cycle = (k) => {
    policy.render(body);
    policy.search(body, `данн${k % 3}`);
    policy.diff(body, big);
    policy.render(big);
  };
  for (let i = 0; i < 20; i++) cycle(i);
  const before = policy.wasm.memoryBytes;
  for (let i = 0; i < 100; i++) cycle(i);
  assert.equal(policy.wasm.memoryBytes, before, 'linear memory kept growing');
});

test('the banner path never imports the policy module', () => {
  // Static imports only: dynamic import() is how the viewer loads it on demand.
  const seen = new Set();
  const walk = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    for (const m of code.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+['"](\.[^'"]+)['"]/gm)) walk(resolve(dirname(file), m[1]));
    for (const m of code.matchAll(/^\s*import\s+['"](\.[^'"]+)['"]/gm)) walk(resolve(dirname(file), m[1]));
  };
  const entries = ['web/src/engine/core.js', 'web/src/script.js', 'web/src/index.js'].filter((f) => existsSync(root + f));
  assert.ok(entries.includes('web/src/engine/core.js'));
  for (const e of entries) walk(root + e);
  assert.ok(seen.size >= entries.length);
  assert.ok(![...seen].some((f) => f.endsWith('/engine/policy.js')), [...seen].join('\n'));
});
