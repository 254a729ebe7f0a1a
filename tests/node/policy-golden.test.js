// Native == wasm for the policy module: every output the native GoogleTest run wrote to
// <build>/policy-golden/{policies,xss}.json (tests/cpp/policy_golden_test.cpp) is computed
// again through the shipped dist/kelisim-policy.wasm and must be byte-identical: import,
// body hash, render (two option sets), search (every query of
// tests/fixtures/policy-search/queries.json), lint, diff, and the XSS corpus outputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadPolicyModule } from '../../web/src/engine/policy.js';
import { corpus, caseBody, plainBody, snippetQueries } from '../fixtures/xss/cases.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const nativeDir = process.env.KELISIM_NATIVE_DIR || root + 'build/native';
const policy = await loadPolicyModule();
const call = (name, ...args) => policy.wasm.call(name, ...args);

function nativeGolden(name) {
  const path = `${nativeDir}/policy-golden/${name}`;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    assert.fail(`${path} is missing: build and run the native suite first (npm test does both; ` +
      'or set KELISIM_NATIVE_DIR to your native build directory)');
  }
}

const queries = JSON.parse(readFileSync(root + 'tests/fixtures/policy-search/queries.json', 'utf8')).queries;

// Body JSON text of policies/<key> through the wasm importer (the same body the native
// test rendered; the bytes may differ from the native bodyJson, the parsed tree does not).
const bodies = new Map();
function bodyOf(key) {
  if (!bodies.has(key)) {
    const imported = call('kel_import', readFileSync(root + 'policies/' + key, 'utf8'));
    bodies.set(key, { imported, body: JSON.stringify(JSON.parse(imported).body) });
  }
  return bodies.get(key);
}

test('policies: import, hash, render, search, lint and diff are byte-identical to the native build', () => {
  const golden = nativeGolden('policies.json');
  const keys = Object.keys(golden);
  // The native run covered every policy source in policies/.
  const sources = readdirSync(root + 'policies').filter((d) => statSync(root + 'policies/' + d).isDirectory())
    .flatMap((d) => readdirSync(root + 'policies/' + d).filter((f) => f.endsWith('.md')).map((f) => `${d}/${f}`));
  assert.ok(sources.length >= 5);
  assert.deepEqual(new Set(keys.filter((k) => k.endsWith('/import')).map((k) => k.slice(7, -7))), new Set(sources));

  let compared = 0;
  for (const [k, want] of Object.entries(golden)) {
    let got;
    let m;
    if ((m = /^policy\/(.+)\/(import|hash|render|render-en-kel-bare|search|lint)$/.exec(k))) {
      const [, key, what] = m;
      const { imported, body } = bodyOf(key);
      if (what === 'import') got = imported;
      else if (what === 'hash') got = policy.parse(body).hash;
      else if (what === 'render') got = call('kel_render', body, 'ru', '', 0);
      else if (what === 'render-en-kel-bare') got = call('kel_render', body, 'en', 'kel-', 3);
      else if (what === 'search') got = '[' + queries.map((q) => call('kel_search', body, q, 0)).join(',') + ']';
      else got = call('kel_lint', key, readFileSync(root + 'policies/' + key, 'utf8'), 'json');
    } else if ((m = /^diff\/(.+)\|(.+)$/.exec(k))) {
      got = call('kel_diff', bodyOf(m[1]).body, bodyOf(m[2]).body);
    } else {
      assert.fail(`unexpected golden key ${k}`);
    }
    assert.equal(got, want, k);
    compared++;
  }
  assert.equal(compared, keys.length);
  assert.ok(keys.some((k) => k.startsWith('diff/')));
});

test('translation fixtures: import, render, search, lint, diff, lint of the pair and build are byte-identical to the native build', () => {
  const golden = nativeGolden('translations.json');
  const dir = 'tests/fixtures/policy/translations/';
  const text = (key) => readFileSync(root + dir + key, 'utf8');
  const body = (key) => JSON.stringify(JSON.parse(call('kel_import', text(key))).body);
  const extra = ['деректер', 'оператор', 'privacy@example.kz', '2.1-тармақта', 'Құпиялылық саясаты'];
  let compared = 0;
  for (const [k, want] of Object.entries(golden)) {
    let got;
    let m;
    if ((m = /^translation\/(.+\.md)\/(import|render|search|lint)$/.exec(k))) {
      const [, key, what] = m;
      if (what === 'import') got = call('kel_import', text(key));
      else if (what === 'render') got = call('kel_render', body(key), 'ru', '', 0);
      else if (what === 'search') got = '[' + [...queries, ...extra].map((q) => call('kel_search', body(key), q, 0)).join(',') + ']';
      else got = call('kel_lint', key, text(key), 'json');
    } else if ((m = /^translation\/([^/]+)\/(diff|lint-sources-text|lint-sources-json|build)$/.exec(k))) {
      const [, c, what] = m;
      const pair = ['ru', 'kk'].map((l) => [dir + `${c}/1.${l}.md`, text(`${c}/1.${l}.md`)]);
      if (what === 'diff') got = call('kel_diff', body(`${c}/1.ru.md`), body(`${c}/1.kk.md`));
      else if (what === 'build') {
        try {
          got = call('kel_build', JSON.stringify([['fixture/1.ru.md', pair[0][1]], ['fixture/1.kk.md', pair[1][1]]]));
        } catch (e) {
          got = 'error: ' + e.message;
        }
      } else got = policy.lintSources(pair, { format: what.slice(13) }).out;
    } else {
      assert.fail(`unexpected golden key ${k}`);
    }
    assert.equal(got, want, k);
    compared++;
  }
  assert.ok(compared >= 13 * 12, String(compared));
  assert.ok(Object.keys(golden).some((k) => k.endsWith('/build') && golden[k].startsWith('error: ')));
});

const importBody = (source) => JSON.stringify(JSON.parse(call('kel_import', source)).body);

test('XSS corpus: render, search snippets and diff are byte-identical to the native build', () => {
  const golden = nativeGolden('xss.json');
  let compared = 0;
  for (const c of corpus.cases) {
    const body = caseBody(c, importBody);  // hex cases: raw (invalid UTF-8) bytes
    for (const what of ['render', 'search', 'diff']) assert.ok(`xss/${c.id}/${what}` in golden, c.id);
    assert.equal(call('kel_render', body, 'ru', '', 0), golden[`xss/${c.id}/render`], c.id);
    const snippets = snippetQueries.map((q) => call('kel_search', body, q, 0)).join('');
    assert.equal(snippets, golden[`xss/${c.id}/search`], c.id);
    assert.equal(call('kel_diff', plainBody, body), golden[`xss/${c.id}/diff`], c.id);
    compared++;
  }
  assert.equal(compared, corpus.cases.length);
  assert.ok(corpus.cases.some((c) => 'hex' in c));
});

test('error messages and JSON escapes are byte-identical to the native build', () => {
  const golden = nativeGolden('errors.json');
  const doc = JSON.parse(readFileSync(root + 'tests/fixtures/policy-bodies/invalid.json', 'utf8'));
  doc.bodies.forEach((text, i) => {
    assert.throws(() => policy.parse(text), (e) => {
      assert.equal(e.code, 'bad-input');
      assert.equal(e.message, golden[`error/${i}`], JSON.stringify(text));
      return true;
    });
  });
  doc.escapes.forEach((text, i) => assert.equal(call('kel_import', text), golden[`escape/${i}`], JSON.stringify(text)));
  assert.equal(Object.keys(golden).length, doc.bodies.length + doc.escapes.length);
});

test('big clauses (word-count products past 2^32, LCS caps): diff is byte-identical to the native build', () => {
  const golden = nativeGolden('big.json');
  const a = readFileSync(`${nativeDir}/policy-golden/big-old.json`);
  const b = readFileSync(`${nativeDir}/policy-golden/big-new.json`);
  const got = call('kel_diff', new Uint8Array(a), new Uint8Array(b));
  assert.ok(got === golden.diff, `diff differs from the native build (${got.length} vs ${golden.diff.length} bytes)`);
});
