// Adversarial inputs (issue 6, item 2) through the SHIPPED wasm modules (dist/*.wasm) and the
// public facades (web/src/engine/core.js, web/src/engine/policy.js): the same hostile policies,
// deep body JSON and bad stored values as tests/cpp/adversarial_test.cpp. Each must give a
// KelisimError with a clear code or a safe fallback — never a wasm trap (a trap would mean a
// crash in the visitor's page) — and leave the stored consent usable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCore } from '../../web/src/engine/core.js';
import { loadPolicyModule } from '../../web/src/engine/policy.js';
import { KelisimError } from '../../web/src/engine/errors.js';
import { loadWasm } from '../../web/src/engine/loader.js';
import { BRIDGE_ABI } from '../../web/src/engine/constants.js';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import binaryen from 'binaryen';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const core = await loadCore();
const policy = await loadPolicyModule();
// Grow the policy module's linear memory once, up front. emmalloc grows it in many small
// steps, and in Node 20 the first ~150 MB of growth costs about 8x the work itself (100,000
// clauses: 8.5 s CPU for the first import, 0.85 s for the next; reported in
// docs/fuzzing.md). Inputs and results are the same either way; this keeps each test ~10 s.
policy.wasm._x.kel_free(policy.wasm._x.kel_alloc(256 << 20));
const DAY = 86400000;
const now = Date.UTC(2025, 5, 15, 15, 6, 40);

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/** Runs f; a thrown error must be a KelisimError other than a trap. Returns [value, error]. */
function attempt(f) {
  try {
    return [f(), null];
  } catch (e) {
    assert.ok(e instanceof KelisimError, `not a KelisimError: ${e && e.stack}`);
    assert.notEqual(e.code, 'wasm-trap', `the wasm module trapped: ${e.message}`);
    assert.ok(e.message.length > 0);
    return [undefined, e];
  }
}

const TAGS = new Set(['h2', 'h3', 'h4', 'h5', 'h6', 'nav', 'ol', 'li', 'a', 'section', 'div', 'p', 'ul', 'em',
  'strong', 'mark', 'ins', 'del']);
const ATTRS = new Set(['class', 'id', 'href', 'target', 'rel', 'aria-label']);
const BIDI = /[\u202A-\u202E\u2066-\u2069]/;

/** Same check as tests/fuzz/fuzz_util.h htmlProblem: only the renderer's own tags/attributes,
 *  hrefs http(s)/mailto/#anchor, no bidi controls, NUL or U+FFFD-less broken text. */
function assertSafeHtml(html) {
  assert.ok(!BIDI.test(html), 'bidi control in HTML');
  assert.ok(!html.includes('\0'), 'NUL in HTML');
  for (const m of html.matchAll(/<\/?([^\s>]*)([^>]*)>/g)) {
    assert.ok(TAGS.has(m[1]), `unexpected tag <${m[1]}>`);
    for (const a of m[2].matchAll(/\s*([^=\s]+)="([^"]*)"/g)) {
      assert.ok(ATTRS.has(a[1]), `unexpected attribute ${a[1]}`);
      if (a[1] === 'href') assert.match(a[2], /^(https?:\/\/|mailto:|#)/i, `unsafe href ${a[2]}`);
    }
    assert.equal(m[2].replace(/\s*[^=\s]+="[^"]*"/g, '').trim(), '', `malformed attributes in ${m[0]}`);
  }
  assert.equal(html.replace(/<\/?[a-z0-9]+(\s+[a-z-]+="[^"<]*")*>/g, '').includes('<'), false, 'stray <');
}

/** Numbered clauses in a body object (iterative walk). */
function clauseCount(body) {
  let n = 0;
  const stack = [...body.children];
  while (stack.length) {
    const x = stack.pop();
    if (x.k === 'clause') n++;
    if (Array.isArray(x.children)) stack.push(...x.children);
  }
  return n;
}

/** What the policy module does with one source text: import, render (which parses the body
 *  JSON), search, and — unless lint is false — lint. */
function runPolicy(text, query = 'данные', { lint = true } = {}) {
  const [imp, err] = attempt(() => policy.importText(text));
  assert.equal(err, null, err && err.message);
  const bodyText = JSON.stringify(imp.body);
  const html = policy.render(bodyText);
  assertSafeHtml(html);
  const hits = policy.search(bodyText, query);
  for (const h of hits) assertSafeHtml(h.snippet);
  if (lint) assert.ok(Array.isArray(policy.lint(text)));
  return { imp, bodyText, html, hits, clauses: clauseCount(imp.body) };
}

const repeat = (s, n) => s.repeat(n);

// ---------------------------------------------------------------------------
// Policies
// ---------------------------------------------------------------------------

test('XSS payloads in a policy render as text, links only http(s)/mailto', () => {
  const payloads = [
    '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '"><svg/onload=alert(1)>',
    '[клик](javascript:alert(1))', '[клик](JaVaScRiPt:alert(1))', '[клик](java\tscript:alert(1))',
    '[клик](\u0001javascript:alert(1))', '[клик](data:text/html;base64,PHNjcmlwdD4=)', '[клик](vbscript:x)',
    '[клик](&#106;avascript:alert(1))', '[клик](//evil.example/x)', '[a [b](javascript:x)](https://ok.example)',
    '<javascript:alert(1)>', '<a href="javascript:alert(1)">x</a>', '**<b onmouseover=alert(1)>жирный</b>**',
    '[x](https://ok.example/"onmouseover="alert(1))', "[x](https://ok.example/'><script>alert(1)</script>)",
    '<style>body{display:none}</style>', '<iframe src=https://evil.example></iframe>',
    '\u202E[moc.evil](https://evil.example)\u202C', 'e-mail: a@b.kz<script>alert(1)</script>',
  ];
  const text = 'title: XSS\n\n1. ОБЩИЕ ПОЛОЖЕНИЯ\n' + payloads.map((p, i) => `1.${i + 1}. ${p}\n`).join('');
  const r = runPolicy(text, 'script');
  assert.ok(!/<script|<img|<iframe|<svg|<style/i.test(r.html));
  assert.ok(!/href="(javascript|data|vbscript|\/\/)/i.test(r.html));
  assert.ok(r.html.includes('&lt;script&gt;'), 'payloads stay visible as text');
  assert.equal(r.clauses, payloads.length + 1);
  assert.ok(r.hits.length > 0);
});

test('a 5 MB policy imports, renders, searches and lints', () => {
  let text = 'title: Большая политика\npublishedAt: 2025-06-10T12:00:00+05:00\n\n';
  const parts = [text];
  let size = Buffer.byteLength(text), sections = 0;
  const clause = '. Оператор обрабатывает **персональные данные** Пользователя с его согласия, ' +
    'см. [правила](https://example.kz/rules) и п. 1.1, срок хранения — 3 года.\n';
  while (size < 5 * 1024 * 1024) {
    sections++;
    let s = `${sections}. РАЗДЕЛ ${sections}\n`;
    for (let j = 1; j <= 100; j++) s += `${sections}.${j}${clause}`;
    parts.push(s);
    size += Buffer.byteLength(s);
  }
  text = parts.join('');
  const r = runPolicy(text, 'ПЕРСОНАЛЬНЫЕ данные');
  assert.equal(r.clauses, sections * 101);
  assert.equal(r.hits.length, 50, 'default limit');
  assert.ok(r.html.includes(`id="p-${sections}.100"`));
});

test('a source over the 8 MB limit gets a clear bad-input error', () => {
  const [, e] = attempt(() => policy.importText('a'.repeat(8 * 1024 * 1024 + 1)));
  assert.equal(e.code, 'bad-input');
  assert.match(e.message, /8 MB/);
});

test('100,000 clauses: import, render, search and a diff that finds the one change', () => {
  const lines = ['title: 100000', ''];
  for (let i = 1; i <= 100; i++) {
    lines.push(`${i}. Раздел`);
    for (let j = 1; j <= 10; j++) {
      lines.push(`${i}.${j}. Подраздел`);
      for (let k = 1; k <= 100; k++) lines.push(`${i}.${j}.${k}. Пункт ${i}_${j}_${k}.`);
    }
  }
  const text = lines.join('\n') + '\n';
  // Lint of the same 100,000 clauses runs natively (tests/cpp/adversarial_test.cpp); here the
  // wasm time goes to import, render, search and diff.
  const r = runPolicy(text, 'ПУНКТ 100_2_100', { lint: false });
  assert.equal(r.clauses, 100 + 1000 + 100000);
  assert.deepEqual(r.hits.map((h) => h.num), ['100.2.100']);
  const edited = text.replace('50.5.50. Пункт 50_5_50.', '50.5.50. Пункт 50_5_50. Изменено');
  const d = policy.diff(r.bodyText, JSON.stringify(policy.importText(edited).body));
  assert.deepEqual(d.summary.changed, ['50.5.50']);
  assert.deepEqual(d.summary.added, []);
  assert.deepEqual(d.summary.removed, []);
});

test('10,000-deep nesting in policy text: numbers, emphasis, links, lists', () => {
  const levels = [];
  let num = '';
  for (let i = 0; i < 10000; i++) {
    num += i ? '.1' : '1';
    if (num.length > 200) num = '1';
    levels.push(`${num}. Уровень`);
  }
  const cases = {
    'number with 10,000 parts': repeat('1.', 10000) + ' текст\n',
    '10,000 numbered levels': levels.join('\n') + '\n',
    emphasis: repeat('*', 10000) + 'x' + repeat('*', 10000) + '\n',
    'strong/em mix': repeat('**_', 5000) + 'x' + repeat('_**', 5000) + '\n',
    links: repeat('[', 10000) + 'x' + repeat('](https://a.kz)', 10000) + '\n',
    lists: Array.from({ length: 10000 }, (_, i) => ' '.repeat(i % 200) + '- пункт').join('\n') + '\n',
    'one deep list line': repeat('- ', 10000) + 'x\n',
    'quotes and headings': repeat('>', 10000) + repeat('#', 10000) + ' x\n',
    'html-like markup': repeat('<div>', 10000) + 'x' + repeat('</div>', 10000) + '\n',
  };
  for (const [name, text] of Object.entries(cases)) {
    const r = runPolicy(text);
    assert.ok(!r.html.includes('<script'), name);
  }
});

test('body JSON 10,000 levels deep is refused with bad-input, not a trap', () => {
  const clause = '{"k":"clause","num":"1","children":[';
  const cases = {
    clauses: '{"format":1,"title":"t","children":[' + repeat(clause, 10000) + repeat(']}', 10000) + ']}',
    emphasis: '{"format":1,"title":"t","children":[{"k":"p","c":[' + repeat('{"em":[', 10000) + '"x"' +
      repeat(']}', 10000) + ']}]}',
    arrays: repeat('[', 10000) + repeat(']', 10000),
    objects: repeat('{"a":', 10000) + '1' + repeat('}', 10000),
    unclosed: repeat('[{"k":', 10000),
  };
  for (const [name, json] of Object.entries(cases)) {
    for (const f of [() => policy.parse(json), () => policy.render(json), () => policy.search(json, 'x'),
      () => policy.diff(json, json)]) {
      const [, e] = attempt(f);
      assert.equal(e && e.code, 'bad-input', name);
    }
  }
  // The module is still healthy afterwards.
  assert.equal(policy.parse('{"format":1,"title":"t","children":[]}').clauses, 0);
});

test('invalid UTF-8, NUL bytes and bidi overrides', () => {
  const enc = new TextEncoder();
  const bytes = (...parts) => {
    const chunks = parts.map((p) => (typeof p === 'string' ? enc.encode(p) : Uint8Array.from(p)));
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let o = 0;
    for (const c of chunks) { out.set(c, o); o += c.length; }
    return out;
  };
  const src = bytes('title: ', [0xff, 0xfe], ' bad\n\n1. ОБЩИЕ\n1.1. Оборванный ', [0xd0], ' символ, лишний ', [0x80],
    ' байт, overlong ', [0xc0, 0xaf], ', суррогат ', [0xed, 0xa0, 0x80], '.\n',
    '1.2. NUL\0внутри\0текста, \u0001\u0002\u001b[31m управляющие.\n',
    '1.3. Bidi \u202Egnp.exe\u202C и \u2066изоляция\u2069 [ссылка](https://a.kz/\u202E).\n');
  // Raw bytes straight into the bridge (JS strings cannot hold invalid UTF-8).
  const [out, err] = attempt(() => policy.wasm.call('kel_import', src));
  assert.equal(err, null);
  const imp = JSON.parse(out);
  assert.ok(imp.problems.some((p) => p.code === 'invalid-utf8'));
  assert.ok(JSON.stringify(imp.body).includes('\uFFFD'));
  const html = policy.render(imp.body);
  assertSafeHtml(html);
  assert.ok(!html.includes('\u001b'));
  assert.equal(policy.search(imp.body, 'байт').length, 1);
  const [lintOut, lintErr] = attempt(() => policy.wasm.call('kel_lint', 'p.md', src, 'json'));
  assert.equal(lintErr, null);
  assert.ok(Array.isArray(JSON.parse(lintOut)));
  // A body-JSON syntax error right after a multi-byte character: the message is clean text.
  const [, e] = attempt(() => policy.wasm.call('kel_parse_body', bytes('{"format":1,"title":"x"', [0xd0, 0x96], '}')));
  assert.equal(e.code, 'bad-input');
  assert.ok(!e.message.includes('\uFFFD\uFFFD'), e.message);
});

// Adversarial finding (2026-11-22): V8 reports a stack overflow inside wasm as a RangeError, not
// a WebAssembly.RuntimeError, so the loader kept the instance with its shadow stack pointer and
// heap left mid-call. It now restarts the module and reports wasm-trap for both.
// The kel_abi() every module of this build exports (constants.json, wasm/bridge/common.h), as
// the signed i32 a wasm constant is written as.
const ABI = `(func (export "kel_abi") (result i32) (i32.const ${BRIDGE_ABI | 0}))`;

test('a stack overflow inside wasm restarts the module (loader)', async () => {
  const mod = binaryen.parseText(`(module
    (memory (export "memory") 1)
    ${ABI}
    (func (export "kel_alloc") (param i32) (result i32) (i32.const 1024))
    (func (export "kel_free") (param i32))
    (func (export "kel_result_ptr") (result i32) (i32.const 0))
    (func (export "kel_result_len") (result i32) (i32.const 0))
    (func $boom (export "kel_boom") (result i32) (call $boom))
    (func (export "kel_ok") (result i32) (i32.const 0)))`);
  const wasm = await loadWasm(mod.emitBinary());
  mod.dispose();
  const first = wasm._x;
  assert.throws(() => wasm.call('kel_boom'), (e) => e instanceof KelisimError && e.code === 'wasm-trap');
  assert.notEqual(wasm._x, first, 'a fresh instance');
  assert.equal(wasm.call('kel_ok'), '');
});

// A module of another kelisim build (say a one-file bundle's kelisim.js with a newer
// kelisim-consent-banner.wasm from --kelisim-url) would answer by another protocol: positional
// fields and list indexes that this script reads differently. The loader refuses it, so the
// page fails closed (wasm-load) instead of misreading a decision.
test('a wasm module of another build (its kel_abi() differs, or it has none) is refused: wasm-load', async () => {
  const make = (abi) => {
    const mod = binaryen.parseText(`(module (memory (export "memory") 1) ${abi}
      (func (export "kel_ok") (result i32) (i32.const 0)))`);
    try { return mod.emitBinary(); } finally { mod.dispose(); }
  };
  assert.equal(typeof (await loadWasm(make(ABI)))._x.kel_ok, 'function', 'this build\'s ABI loads');
  const refused = (abi) => (e) => e instanceof KelisimError && e.code === 'wasm-load' &&
    e.message.includes(`is of another kelisim build (ABI ${abi}, not ${BRIDGE_ABI})`);
  const other = (BRIDGE_ABI ^ 1) >>> 0;
  await assert.rejects(loadWasm(make(`(func (export "kel_abi") (result i32) (i32.const ${other | 0}))`)), refused(other));
  await assert.rejects(loadWasm(make('')), refused(0));
  // The shipped modules all carry this build's ABI.
  for (const f of ['kelisim-consent', 'kelisim-consent-banner', 'kelisim-consent-receipt', 'kelisim-policy', 'kelisim-policy-tools']) {
    const m = await loadWasm(readFileSync(join(REPO, `dist/${f}.wasm`)));
    assert.equal(m._x.kel_abi() >>> 0, BRIDGE_ABI, f);
  }
});

// ---------------------------------------------------------------------------
// Consent: stored values and manifests
// ---------------------------------------------------------------------------

const manifest = {
  id: 'smartaqkol', version: '2', bodyHash: 'c'.repeat(64), publishedAt: '2025-06-10T12:00:00+05:00',
  updateRule: { type: 'implicit', days: 7 },
  categories: [{ id: 'necessary', required: true }, { id: 'analytics' }, { id: 'marketing', gpcOff: true }],
};
const storedFor = (policyId = 'smartaqkol') => core.encodeRecord({
  id: 'Vx9_k2-Lq8ZtR4mN', policyId, version: '2', bodyHash16: 'c'.repeat(16), givenAt: now - DAY,
  method: 'explicit', choices: { necessary: true, analytics: true, marketing: false },
  historyHead: 'e'.repeat(64),
});
const FALLBACK = { necessary: true, analytics: false, marketing: false };

function expectBanner(record, recordError, what) {
  const [d, e] = attempt(() => core.decide({ manifest, record, now }));
  assert.equal(e, null, what);
  assert.equal(d.action, 'banner', what);
  assert.equal(d.recordError, recordError, what);
  assert.deepEqual(d.effective, FALLBACK, what);
  assert.equal(d.record, undefined, `${what}: no record to store`);
}

test('edited stored values fall back to the banner with only required categories', () => {
  const good = storedFor();
  assert.equal(core.decide({ manifest, record: good, now }).action, 'none');
  expectBanner(good.replace('marketing:0', 'marketing:1'), 'record-checksum', 'marketing switched on by hand');
  expectBanner(good.slice(0, -1) + (good.endsWith('0') ? '1' : '0'), 'record-checksum', 'check digit');
  expectBanner(good.slice(0, -1), 'record-malformed', 'truncated');
  expectBanner(good + '~x', 'record-malformed', 'field appended');
  expectBanner(good + '\0', 'record-malformed', 'NUL appended');
  expectBanner(good.slice(0, 5) + '\0' + good.slice(6), 'record-checksum', 'NUL inside');
  expectBanner('k1~\uFFFD~\u202E', 'record-malformed', 'bidi / replacement characters');
});

test('oversized, foreign and other-version stored values', () => {
  const good = storedFor();
  expectBanner('k'.repeat(5000), 'record-too-long', '5000 bytes');
  expectBanner(good + 'a'.repeat(1024), 'record-too-long', 'padded');
  expectBanner('~'.repeat(1 << 20), 'record-too-long', '1 MB');
  expectBanner('_ga=GA1.2.3.4', 'record-foreign', "another tool's cookie");
  expectBanner('{"necessary":true,"analytics":true}', 'record-foreign', 'JSON');
  expectBanner('k3~' + good.slice(3), 'record-unknown-version', 'format version 3');
  const other = core.decide({ manifest, record: storedFor('other-site'), now });
  assert.equal(other.action, 'banner');
  assert.equal(other.reason, 'other-policy');
  assert.deepEqual(other.effective, FALLBACK);
  // decodeRecord reports, never throws, for any string.
  for (const v of ['', 'k'.repeat(5000), '_ga=1', good.slice(0, -1), '\0', '\uD800']) {
    const r = core.decodeRecord(v);
    assert.equal(r.ok, false);
    assert.match(r.error, /^record-/);
  }
});

test('decide with a bad manifest fails with manifest-invalid and produces no record', () => {
  const good = storedFor();
  const later = now + 30 * DAY;  // an implicit acceptance would be due with a valid manifest
  const bad = {
    'id': { id: '<script>' },
    'version': { version: '2\0' },
    'version with a line break': { version: '2\nid=evil' },
    'bodyHash': { bodyHash: 'ABC' },
    'publishedAt': { publishedAt: '2025-06-10T12:00:00' },
    'offset': { publishedAt: '2025-06-10T12:00:00+15:00' },
    'days': { updateRule: { type: 'implicit', days: -1 } },
    'rule type': { updateRule: { type: 'sometimes' } },
    'no categories': { categories: [] },
    'categories not an array': { categories: 'necessary' },
    'category id': { categories: [{ id: 'Analytics\u202E' }] },
    'duplicate category': { categories: [{ id: 'analytics' }, { id: 'analytics' }] },
    '33 categories': { categories: Array.from({ length: 33 }, (_, i) => ({ id: `c${i}` })) },
    'ids too long for a record': { categories: Array.from({ length: 32 }, (_, i) => ({ id: `c${i}`.padEnd(32, 'x') })) },
    'maxAge': { maxAgeDays: { accepted: 0 } },
    'maxAge NaN': { maxAgeDays: { accepted: NaN } },
  };
  for (const [what, change] of Object.entries(bad)) {
    const m = { ...manifest, ...change };
    const [d, e] = attempt(() => core.decide({ manifest: m, record: good, now: later }));
    assert.equal(d, undefined, what);
    assert.equal(e.code, 'manifest-invalid', `${what}: ${e.message}`);
    const [r, e2] = attempt(() => core.apply({ manifest: m, record: good, now, op: 'accept-all', newId: 'NewRecordId_0001' }));
    assert.equal(r, undefined, what);
    assert.ok(['manifest-invalid', 'bad-argument'].includes(e2.code), `${what}: ${e2.code}`);
  }
  assert.equal(attempt(() => core.decide({ manifest: null, now }))[1].code, 'manifest-invalid');
});

test('apply on bad input throws and leaves the passed stored record usable', () => {
  const stored = storedFor();
  const before = core.decide({ manifest, record: stored, now });
  assert.equal(before.action, 'none');
  const bad = [
    [{ op: 'set', choices: { tracking: true } }, 'unknown-category'],
    [{ op: 'set', choices: { necessary: false } }, 'required-category'],
    [{ op: 'set', choices: { analytics: 'yes' } }, 'bad-argument'],
    [{ op: 'accept-all', prevHash: 'zz<script>' }, 'bad-argument'],
    [{ op: 'explode' }, 'bad-argument'],
    [{ op: 'accept-all', now: NaN }, 'bad-argument'],
    [{ op: 'accept-all', now: -1 }, 'bad-argument'],
    [{ op: 'accept-all', now: 1e300 }, 'bad-argument'],
  ];
  for (const [args, code] of bad) {
    const [r, e] = attempt(() => core.apply({ manifest, record: stored, now, ...args }));
    assert.equal(r, undefined, JSON.stringify(args));
    assert.equal(e.code, code, `${JSON.stringify(args)}: ${e.message}`);
    assert.deepEqual(core.decide({ manifest, record: stored, now }), before, 'the stored record still decides the same');
  }
  // Without a usable stored record: a bad new id, accept-update, notice-shown are refused.
  assert.equal(attempt(() => core.apply({ manifest, record: '', now, op: 'accept-all', newId: 'short' }))[1].code, 'bad-argument');
  assert.equal(attempt(() => core.apply({ manifest, record: 'garbage', now, op: 'accept-update', newId: 'NewRecordId_0001' }))[1].code, 'no-record');
  assert.equal(attempt(() => core.apply({ manifest, record: 'k'.repeat(5000), now, op: 'notice-shown', newId: 'NewRecordId_0001' }))[1].code, 'no-record');
});

test('the largest manifest the engine accepts gives records that decode', () => {
  // 32 categories with 19-character ids and a 64-character policy id: still within 1024 bytes.
  const m = {
    ...manifest, id: 'p'.repeat(64), version: 'V'.repeat(32),
    categories: Array.from({ length: 32 }, (_, i) => ({ id: `c${i}`.padEnd(19, 'x') })),
  };
  const r = core.apply({ manifest: m, record: '', now, op: 'accept-all', newId: 'R'.repeat(32), prevHash: 'f'.repeat(64) });
  assert.ok(core.decodeRecord(r.record).ok, `${r.record.length} bytes`);
  const d = core.decide({ manifest: m, record: r.record, now });
  assert.equal(d.action, 'none');
  assert.equal(Object.values(d.effective).filter(Boolean).length, 32);
});
