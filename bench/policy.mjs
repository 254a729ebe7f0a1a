#!/usr/bin/env node
// Policy module benchmark (reported, never asserted), in Node (V8, as in Chromium), one run,
// kelisim and its anchor interleaved iteration by iteration so both see the same machine state:
//  1. kelisim-policy-tools.wasm size (the authors' build; the viewer's kelisim-policy.wasm is in bench/size.mjs), raw and gzip -9; compile + instantiate.
//  2. render of the largest policy in policies/, warm (goal <= 5 ms): kelisim render (body
//     JSON -> safe HTML; with the parse and with the module's cached parse) vs marked.parse on
//     the same policy's Markdown source (marked does not sanitise: it is the speed anchor).
//  3. diff of two versions (goal <= 10 ms): kelisim diff (clause alignment + word diff, with
//     and without the parse) vs jsdiff diffWords on the two source texts.
//  4. search, per query (goal <= 1 ms): kelisim search over the module's cached index vs a
//     naive JS toLowerCase().includes() scan of the same clause texts.
// Ratios are kelisim / anchor medians (below 1 = kelisim faster). Absolute times drift +-15%
// between runs, far more on a busy machine (the min column is the least disturbed): compare
// within one run. Also records the machine's load average.
// Usage: node bench/policy.mjs [--iters 200] [--warmup 30]
// Writes bench/results/policy-<date>.json and prints a table.
import { readFileSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { marked } from 'marked';
import { diffWords } from 'diff';
import { loadPolicyModule } from '../web/src/engine/policy.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const arg = (n, d) => { const i = args.indexOf(n); return i >= 0 ? Number(args[i + 1]) : d; };
const ITERS = arg('--iters', 200);
const WARMUP = arg('--warmup', 30);

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
const p90 = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(s.length * 0.9) - 1)]; };
const r3 = (x) => Math.round(x * 1000) / 1000;
const pkgVersion = (name) => JSON.parse(readFileSync(join(REPO, 'node_modules', name, 'package.json'), 'utf8')).version;

// Times each function once per iteration, in turn (A B C A B C …); returns {name: {median, p90}} in ms.
function interleave(fns) {
  const times = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
  for (let i = 0; i < WARMUP + ITERS; i++) {
    for (const [k, fn] of Object.entries(fns)) {
      const t0 = performance.now();
      fn();
      const dt = performance.now() - t0;
      if (i >= WARMUP) times[k].push(dt);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, { median: r3(median(v)), p90: r3(p90(v)), min: r3(Math.min(...v)) }]));
}

// The source text without the `key: value` header (what a Markdown renderer would be given).
function sourceText(md) {
  const lines = md.split('\n');
  let i = 0;
  if (lines[0] === '---') {
    i = lines.indexOf('---', 1) + 1;
  } else {
    while (i < lines.length && lines[i].trim() !== '') i++;
  }
  return lines.slice(i).join('\n').trim() + '\n';
}

// ---------------------------------------------------------------------------------------
const wasmPath = join(REPO, 'dist/kelisim-policy-tools.wasm');  // import/lint/build need the tools build
const wasmBytes = readFileSync(wasmPath);
const t0 = performance.now();
const policy = await loadPolicyModule(wasmBytes);
const instantiateMs = performance.now() - t0;

const sources = [];
for (const d of readdirSync(join(REPO, 'policies'))) {
  const dir = join(REPO, 'policies', d);
  if (!statSync(dir).isDirectory()) continue;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.md')).sort()) {
    const md = readFileSync(join(dir, f), 'utf8');
    sources.push({ key: `${d}/${f}`, md, text: sourceText(md), body: JSON.stringify(policy.importText(md).body) });
  }
}
const largest = sources.reduce((a, b) => (b.body.length > a.body.length ? b : a));
const firstRenderT0 = performance.now();
policy.render(largest.body);
const firstRenderMs = performance.now() - firstRenderT0;

// Two versions: the pair of consecutive versions with the largest bodies.
const pairs = [];
for (let i = 0; i + 1 < sources.length; i++) {
  const [a, b] = [sources[i], sources[i + 1]];
  if (a.key.split('/')[0] === b.key.split('/')[0]) pairs.push([a, b]);
}
const [va, vb] = pairs.sort((x, y) => (y[0].body.length + y[1].body.length) - (x[0].body.length + x[1].body.length))[0];

const queries = JSON.parse(readFileSync(join(REPO, 'tests/fixtures/policy-search/queries.json'), 'utf8')).queries.filter((q) => q.trim());
// Clause texts for the naive JS search: the same units kelisim searches (one per clause).
const clauseTexts = [];
(function walk(nodes) {
  for (const n of nodes) {
    if (n.k !== 'clause') continue;
    const own = [];
    const flat = (inl) => inl.map((x) => (typeof x === 'string' ? x : flat(x.em || x.strong || x.a))).join('');
    if (n.title) own.push(flat(n.title));
    for (const c of n.children || []) {
      if (c.k === 'p' || c.k === 'h') own.push(flat(c.c));
      else if (c.k === 'ul') for (const it of c.items) own.push(flat(it));
    }
    clauseTexts.push({ num: n.num, text: own.join(' ') });
    walk(n.children || []);
  }
})(JSON.parse(largest.body).children);
const naiveSearch = (q) => {
  const words = q.toLowerCase().replaceAll('ё', 'е').split(/\s+/).filter(Boolean);
  const out = [];
  for (const c of clauseTexts) {
    const t = c.text.toLowerCase().replaceAll('ё', 'е');
    if (words.every((w) => t.includes(w))) out.push(c.num);
  }
  return out;
};

// ---------------------------------------------------------------------------------------
const render = interleave({
  'kelisim render (parse + render)': () => { policy.forget(); policy.render(largest.body); },
  'kelisim render (cached parse)': () => policy.render(largest.body),
  'marked.parse': () => marked.parse(largest.text),
});
const diff = interleave({
  'kelisim diff (parse both + diff)': () => { policy.forget(); policy.diff(va.body, vb.body); },
  'kelisim diff (cached parse)': () => policy.diff(va.body, vb.body),
  'jsdiff diffWords': () => diffWords(va.text, vb.text),
});
policy.render(largest.body);  // index this body
const searchPerQuery = interleave({
  'kelisim search (cached index)': () => { for (const q of queries) policy.search(largest.body, q); },
  'naive JS includes()': () => { for (const q of queries) naiveSearch(q); },
});
for (const v of Object.values(searchPerQuery)) for (const k of ['median', 'p90', 'min']) v[k] = r3(v[k] / queries.length);

const gzip = gzipSync(wasmBytes, { level: 9 }).length;
const result = {
  date: new Date().toISOString(),
  node: process.version,
  loadavg: (await import('node:os')).loadavg().map((x) => Math.round(x * 100) / 100),
  iterations: ITERS,
  warmup: WARMUP,
  anchors: { marked: pkgVersion('marked'), diff: pkgVersion('diff') },
  module: { file: 'dist/kelisim-policy-tools.wasm', bytes: wasmBytes.length, gzip, goalGzip: null, instantiateMs: r3(instantiateMs) },
  render: {
    policy: largest.key, bodyBytes: largest.body.length, markdownBytes: largest.text.length,
    firstCallMs: r3(firstRenderMs), goalMs: 5, ...render,
    ratio: r3(render['kelisim render (parse + render)'].median / render['marked.parse'].median),
    ratioCached: r3(render['kelisim render (cached parse)'].median / render['marked.parse'].median),
  },
  diff: {
    from: va.key, to: vb.key, goalMs: 10, ...diff,
    ratio: r3(diff['kelisim diff (parse both + diff)'].median / diff['jsdiff diffWords'].median),
    ratioCached: r3(diff['kelisim diff (cached parse)'].median / diff['jsdiff diffWords'].median),
  },
  search: {
    policy: largest.key, queries: queries.length, perQuery: true, goalMs: 1, ...searchPerQuery,
    ratio: r3(searchPerQuery['kelisim search (cached index)'].median / searchPerQuery['naive JS includes()'].median),
  },
};

mkdirSync(join(REPO, 'bench/results'), { recursive: true });
const out = join(REPO, 'bench/results', `policy-${result.date.slice(0, 10)}.json`);
writeFileSync(out, JSON.stringify(result, null, 2) + '\n');

const rows = [
  ['module gzip', `${(gzip / 1024).toFixed(1)} KB`, '', '', `tools build, no goal (raw ${(wasmBytes.length / 1024).toFixed(1)} KB, instantiate ${r3(instantiateMs)} ms)`],
];
const section = (title, obj, goal, ratio, ratioCached) => {
  for (const [k, v] of Object.entries(obj)) if (v && typeof v === 'object' && 'median' in v) rows.push([`${title}: ${k}`, `${v.median} ms`, `${v.p90} ms`, `${v.min} ms`, '']);
  rows.push([`${title}: ratio kelisim/anchor (medians)`, String(ratio), '', '', (ratioCached !== undefined ? `cached parse: ${ratioCached}; ` : '') + goal]);
};
section(`render ${largest.key}`, render, 'goal ≤ 5 ms warm', result.render.ratio, result.render.ratioCached);
section(`diff ${va.key} → ${vb.key}`, diff, 'goal ≤ 10 ms', result.diff.ratio, result.diff.ratioCached);
section('search per query', searchPerQuery, 'goal ≤ 1 ms/query', result.search.ratio);
const w = [0, 1, 2, 3, 4].map((i) => Math.max(...rows.map((r) => r[i].length)));
console.log(['what', 'median', 'p90', 'min', 'note'].map((h, i) => h.padEnd(w[i])).join('  '));
for (const r of rows) console.log(r.map((c, i) => c.padEnd(w[i])).join('  '));
console.log(`\nwrote ${out}`);
