#!/usr/bin/env node
// The consent ledger's benchmark (issue 11 "Scale"; reported, never asserted; not part of npm test):
// durable events/s and latency of kelisim-server on loopback, SQLite and PostgreSQL, one event
// per request and batches of 10, each beside the same engine's raw insert rate on this machine.
//
//  1. Events: valid v2 change events (docs/ledger.md §1) made with the headless core
//     (kelisim/core apply() over dist/kelisim-consent.wasm): one visitor's accept-all each, so
//     every event is new to the ledger. Made once and kept in build/bench/ledger-events-*.txt.
//  2. Raw ceilings (kelisim_ledger_bench raw, bench/ledger_raw.cpp): plain INSERTs into the
//     ledger's own events table, one row per commit and 100 per commit (PostgreSQL also with 8
//     connections), SQLite WAL + synchronous=FULL, PostgreSQL synchronous_commit=on.
//     And Store::append() itself (kelisim_ledger_bench store): the store without HTTP.
//  3. The server: kelisim-server --listen 127.0.0.1:0 on a fresh database per case, loaded by
//     wrk (bench/ledger-wrk.lua) for a fixed time with keep-alive connections; events/s is
//     the growth of the ledger head (GET /healthz) over wrk's duration, i.e. rows durably
//     committed, not requests answered; latency is wrk's per request.
// The PostgreSQL is a throwaway one (scripts/pg-test.sh in build/bench/pg), stopped at the end.
// Everything runs on 127.0.0.1 (Unix socket for PostgreSQL), bounded in time.
//
// Usage: node bench/ledger.mjs [--seconds 5] [--connections 32] [--threads 2] [--only sqlite|postgres]
//                              [--runs 3] [--out ledger-latest]
// Each server case runs --runs times (a fresh database each); the table shows the run with the
// median events/s and the range over the runs (on a shared machine one run can be far off).
// Env: LEDGER_BENCH_SERVER_ARGS (more kelisim-server flags), LEDGER_BENCH_NOTE (a line for the
// conditions, e.g. what else ran on the machine).
// Needs a configured build/native (cmake -S . -B build/native); builds kelisim-server and
// kelisim_ledger_bench. Writes bench/results/ledger-latest.md and ledger-latest.json.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadavg, cpus } from 'node:os';
import { loadCore } from '../web/src/engine/headless.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUILD = join(REPO, 'build/native');
const WORK = join(REPO, 'build/bench');
const args = process.argv.slice(2);
const arg = (n, d) => { const i = args.indexOf(n); return i >= 0 ? args[i + 1] : d; };
const SECONDS = Number(arg('--seconds', 5));
const CONNECTIONS = Number(arg('--connections', 32));
const THREADS = Number(arg('--threads', 2));
const ONLY = arg('--only', '');
const OUT = arg('--out', 'ledger-latest');   // bench/results/<OUT>.md
const RUNS = Number(arg('--runs', 3));          // server cases: runs each, the median reported
const SINGLE_EVENTS = 60000;   // more than a 5 s single-event run can send here
const BATCHES = 12000;         // batches of 10: 120,000 events

const log = (...a) => console.error('ledger-bench:', ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

const MANIFEST = {
  id: 'bench', version: '1', bodyHash: 'b'.repeat(64), publishedAt: '2026-11-01T00:00:00+05:00',
  controller: 'Bench LLP',
  categories: [{ id: 'necessary', required: true }, { id: 'analytics' }, { id: 'marketing' }],
};

/** One change event as the banner's outbox sends it (docs/ledger.md §1). */
function changeEvent(core, n, now) {
  const newId = 'bn' + n.toString(36).padStart(10, '0');
  const op = n % 3 === 0 ? 'reject-all' : 'accept-all';
  const { record, decoded, entry } = core.apply({ manifest: MANIFEST, record: null, now, op, newId });
  return {
    type: 'kelisim:consent-event', v: 2, id: entry.hash, recordId: decoded.id, record,
    policy: { id: MANIFEST.id, version: MANIFEST.version, bodyHash: MANIFEST.bodyHash },
    controller: MANIFEST.controller, language: 'ru', display: null,
    event: {
      op: entry.op, at: new Date(entry.at).toISOString(), atMs: entry.at, version: entry.version,
      method: entry.method, choices: entry.choices, prevHash: entry.prevHash, hash: entry.hash,
    },
  };
}

/** build/bench/ledger-events-{single,batch10}.txt: one request body per line (made once). */
async function eventFiles() {
  const single = join(WORK, `ledger-events-single-${SINGLE_EVENTS}.txt`);
  const batch = join(WORK, `ledger-events-batch10-${BATCHES}.txt`);
  if (existsSync(single) && existsSync(batch)) return { single, batch };
  log(`making ${SINGLE_EVENTS + BATCHES * 10} events with the core (once)…`);
  const core = await loadCore({ consentWasm: pathToFileURL(join(REPO, 'dist/kelisim-consent.wasm')) });
  const now = Date.UTC(2026, 11, 6, 10);
  let n = 0;
  const lines = [];
  for (let i = 0; i < SINGLE_EVENTS; i++) lines.push(JSON.stringify(changeEvent(core, n++, now + n)));
  writeFileSync(single + '.tmp', lines.join('\n') + '\n');
  lines.length = 0;
  for (let i = 0; i < BATCHES; i++) {
    const b = [];
    for (let k = 0; k < 10; k++) b.push(changeEvent(core, n++, now + n));
    lines.push(JSON.stringify(b));
  }
  writeFileSync(batch + '.tmp', lines.join('\n') + '\n');
  execFileSync('mv', [single + '.tmp', single]);
  execFileSync('mv', [batch + '.tmp', batch]);
  return { single, batch };
}

// ---------------------------------------------------------------------------------------------
// Databases
// ---------------------------------------------------------------------------------------------

let pgUrl = null;
let caseNo = 0;

/** A fresh database for one case: a new SQLite file, or a new PostgreSQL database. */
function freshDb(engine) {
  caseNo++;
  if (engine === 'sqlite') {
    const path = join(WORK, `ledger-${caseNo}.db`);
    for (const s of ['', '-wal', '-shm']) rmSync(path + s, { force: true });
    return `sqlite:${path}`;
  }
  const name = `bench_${process.pid}_${caseNo}`;
  execFileSync('psql', [pgUrl, '-qc', `CREATE DATABASE ${name}`]);
  return pgUrl.replace(/\/\/\/[^?]*\?/, `///${name}?`);
}

function dropDb(db) {
  if (db.startsWith('sqlite:')) {
    for (const s of ['', '-wal', '-shm']) rmSync(db.slice(7) + s, { force: true });
    return;
  }
  const name = db.match(/\/\/\/([^?]*)\?/)[1];
  execFileSync('psql', [pgUrl, '-qc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
}

// ---------------------------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------------------------

function rawCase(engine, mode, perCommit, clients) {
  const db = freshDb(engine);
  try {
    const out = execFileSync(join(BUILD, 'server/kelisim_ledger_bench'), [mode, db, String(SECONDS), String(perCommit), String(clients)],
      { encoding: 'utf8' });
    return JSON.parse(out);
  } finally {
    dropDb(db);
  }
}

/** Starts kelisim-server on a free port; resolves { child, base } once it answers /healthz. */
async function startServer(db) {
  const serverLog = join(WORK, `server-${caseNo}.log`);
  const child = spawn(join(BUILD, 'server/kelisim-server'),
    ['--listen', '127.0.0.1:0', '--db', db, ...serverArgs()], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = createWriteStream(serverLog);
  let text = '';
  const port = await new Promise((resolve, reject) => {
    const onData = (d) => {
      out.write(d);
      text += d;
      const m = text.match(/127\.0\.0\.1:([1-9]\d*)/);
      if (m) resolve(Number(m[1]));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`kelisim-server exited (${code}): ${text.trim()}`)));
    setTimeout(() => reject(new Error(`kelisim-server printed no port in 10 s: ${text.trim()}`)), 10000);
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(base + '/healthz')).ok) return { child, base }; } catch { /* not yet */ }
    await sleep(50);
  }
  child.kill('SIGTERM');
  throw new Error('kelisim-server did not answer /healthz');
}

/** The server's flags beyond --listen/--db: no rate limit to speak of (the whole load comes
 *  from one IP), --threads, the bench's own signing key; more from $LEDGER_BENCH_SERVER_ARGS. */
function serverArgs() {
  const key = join(WORK, 'ledger-bench.key');
  if (!existsSync(key)) execFileSync(join(BUILD, 'server/kelisim-server'), ['keygen', '--key', key], { stdio: 'ignore' });
  const extra = (process.env.LEDGER_BENCH_SERVER_ARGS || '').split(/\s+/).filter(Boolean);
  // One HTTP thread per wrk connection: cpp-httplib keeps a keep-alive connection on its
  // thread, so fewer threads than connections leaves connections queued (latency, not work).
  return ['--rate-limit', '1000000:10000000', '--threads', String(CONNECTIONS), '--key', key, ...extra];
}

async function headSeq(base) {
  const h = await (await fetch(base + '/healthz')).json();
  return h.head.seq;
}

async function serverCase(engine, bodies, eventsPerRequest) {
  const db = freshDb(engine);
  const { child, base } = await startServer(db);
  try {
    const before = await headSeq(base);
    const out = execFileSync('wrk', ['-t', String(THREADS), '-c', String(CONNECTIONS), '-d', `${SECONDS}s`, '--timeout', '10s',
      '-s', join(REPO, 'bench/ledger-wrk.lua'), base],
    { encoding: 'utf8', env: { ...process.env, LEDGER_BODIES: bodies, LEDGER_THREADS: String(THREADS) } });
    const w = JSON.parse(out.trim().split('\n').filter((l) => l.startsWith('{')).pop());
    await sleep(200);  // requests wrk gave up on at its deadline may still commit
    const stored = (await headSeq(base)) - before;
    const secs = w.durationUs / 1e6;
    return {
      requests: w.requests, requestsPerSecond: Math.round(w.requests / secs), eventsPerRequest,
      storedEvents: stored, eventsPerSecond: Math.round(stored / secs),
      p50Ms: w.p50Us / 1000, p99Ms: w.p99Us / 1000, maxMs: w.maxUs / 1000,
      errors: w.non2xx + w.connectErrors + w.readErrors + w.writeErrors + w.timeouts, wrk: w,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => { if (child.exitCode !== null) r(); else child.on('exit', r); });
    dropDb(db);
  }
}

/** Runs a case RUNS times; returns the run with the median events/s, with every run's
 *  events/s in `runs`. */
async function medianOf(run) {
  const all = [];
  for (let i = 0; i < RUNS; i++) all.push(await run());
  const sorted = [...all].sort((a, b) => a.eventsPerSecond - b.eventsPerSecond);
  return { ...sorted[Math.floor((sorted.length - 1) / 2)], runs: all.map((x) => x.eventsPerSecond) };
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

const n0 = (x) => Math.round(x).toLocaleString('en-US');
const ms = (x) => (x < 10 ? x.toFixed(2) : x.toFixed(1));

function report(results, meta) {
  const rows = [];
  const goals = [];
  for (const engine of ['sqlite', 'postgres']) {
    const r = results[engine];
    if (!r) continue;
    const name = engine === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    const range = (c) => (c.runs.length > 1 ? ` (${n0(Math.min(...c.runs))}–${n0(Math.max(...c.runs))})` : '');
    const server = (c, label) => `| ${name} | kelisim-server, ${label} | ${n0(c.eventsPerSecond)}${range(c)} | ${n0(c.requestsPerSecond)} | ${ms(c.p50Ms)} | ${ms(c.p99Ms)} | ${c.errors} |`;
    const raw = (c, label) => `| ${name} | ${label} | ${n0(c.rowsPerSecond)} | ${n0(c.commits / c.seconds)} commits/s | ${ms(c.p50Ms)} | ${ms(c.p99Ms)} | |`;
    rows.push(server(r.single, '1 event per request'));
    rows.push(server(r.batch10, 'batches of 10'));
    rows.push(raw(r.storeSingle, 'Store::append, 1 row per call (no HTTP)'));
    rows.push(raw(r.storeBatch, 'Store::append, 10 rows per call (no HTTP)'));
    rows.push(raw(r.raw1, 'raw INSERT, 1 row per commit'));
    if (r.raw1x8) rows.push(raw(r.raw1x8, 'raw INSERT, 1 row per commit, 8 connections'));
    rows.push(raw(r.raw100, 'raw INSERT, 100 rows per commit'));
    if (engine === 'sqlite') {
      goals.push(['SQLite ≥ 10,000 events/s batched', `${n0(r.batch10.eventsPerSecond)} events/s (batches of 10)`, r.batch10.eventsPerSecond >= 10000]);
      goals.push(['SQLite ≥ 3,000 single-event requests/s with p99 ≤ 20 ms',
        `${n0(r.single.eventsPerSecond)} events/s (${n0(r.single.requestsPerSecond)} req/s), p99 ${ms(r.single.p99Ms)} ms`,
        r.single.eventsPerSecond >= 3000 && r.single.p99Ms <= 20]);
    } else {
      const best = Math.max(r.single.eventsPerSecond, r.batch10.eventsPerSecond);
      goals.push(['PostgreSQL ≥ 5,000 events/s', `${n0(best)} events/s (best case: ${best === r.batch10.eventsPerSecond ? 'batches of 10' : 'single events'})`, best >= 5000]);
    }
  }
  return `# Ledger benchmark (${meta.date})

Generated by \`node bench/ledger.mjs\` (reported, never asserted; not part of \`npm test\`).
kelisim-server (\`--threads ${CONNECTIONS}\`) on 127.0.0.1, loaded by wrk (${THREADS} threads, ${CONNECTIONS} keep-alive connections, ${SECONDS} s per case) with
valid v2 change events made by the headless core; a fresh database per case; server cases: the median of ${RUNS} runs
(range in brackets). **events/s** counts rows durably
committed (growth of the ledger head over the run), not requests answered. Latency is per request (wrk) or per
commit (raw / Store rows). Raw rows: plain INSERTs into the same events table (same indexes), no head lock or
seal, same durability (SQLite WAL + synchronous=FULL; PostgreSQL synchronous_commit=on, fsync=on).

Conditions: commit ${meta.commit}, ${meta.cpus}, load average ${meta.loadStart} at start, ${meta.loadEnd} at the end
(the load generator, the server and the database share these cores${meta.shared}); took ${meta.took} s.

| engine | case | events/s | requests/s | p50 ms | p99 ms | errors |
|---|---|---:|---:|---:|---:|---:|
${rows.join('\n')}

## Goals (issue 11)

| goal | measured | |
|---|---|---|
${goals.map(([g, m, ok]) => `| ${g} | ${m} | ${ok ? 'met' : '**missed**'} |`).join('\n')}
`;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const t0 = Date.now();
  mkdirSync(WORK, { recursive: true });
  if (!existsSync(join(BUILD, 'CMakeCache.txt'))) {
    execFileSync('cmake', ['-S', REPO, '-B', BUILD, '-DCMAKE_BUILD_TYPE=Release'], { stdio: 'inherit' });
  }
  execFileSync('cmake', ['--build', BUILD, '--target', 'kelisim-server', 'kelisim_ledger_bench', '-j2'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (!existsSync(join(REPO, 'dist/kelisim-consent.wasm'))) throw new Error('dist/kelisim-consent.wasm missing: bash scripts/build.sh');
  const files = await eventFiles();
  const meta = {
    date: new Date().toISOString(), cpus: `${cpus().length} × ${cpus()[0].model.trim()}`,
    commit: execFileSync('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(),
    loadStart: loadavg().map((x) => x.toFixed(2)).join(' / '),
    shared: process.env.LEDGER_BENCH_NOTE ? `; ${process.env.LEDGER_BENCH_NOTE}` : '',
  };
  const results = {};
  const pgDir = join(WORK, 'pg');
  try {
    for (const engine of ['sqlite', 'postgres']) {
      if (ONLY && ONLY !== engine) continue;
      if (engine === 'postgres') {
        execFileSync('bash', [join(REPO, 'scripts/pg-test.sh'), 'start', pgDir], { stdio: ['ignore', 'ignore', 'inherit'] });
        pgUrl = readFileSync(join(pgDir, 'url'), 'utf8').trim();
      }
      const r = {};
      log(engine, 'raw inserts…');
      r.raw1 = rawCase(engine, 'raw', 1, 1);
      if (engine === 'postgres') r.raw1x8 = rawCase(engine, 'raw', 1, 8);
      r.raw100 = rawCase(engine, 'raw', 100, 1);
      log(engine, 'Store::append…');
      r.storeSingle = rawCase(engine, 'store', 1, 1);
      r.storeBatch = rawCase(engine, 'store', 10, 1);
      log(engine, 'server, single events…');
      r.single = await medianOf(() => serverCase(engine, files.single, 1));
      log(engine, 'server, batches of 10…');
      r.batch10 = await medianOf(() => serverCase(engine, files.batch, 10));
      results[engine] = r;
      console.log(engine, JSON.stringify(r));
    }
  } finally {
    if (pgUrl) execFileSync('bash', [join(REPO, 'scripts/pg-test.sh'), 'stop', pgDir], { stdio: 'inherit' });
  }
  meta.loadEnd = loadavg().map((x) => x.toFixed(2)).join(' / ');
  meta.took = Math.round((Date.now() - t0) / 1000);
  const md = report(results, meta);
  mkdirSync(join(REPO, 'bench/results'), { recursive: true });
  writeFileSync(join(REPO, `bench/results/${OUT}.md`), md);
  writeFileSync(join(REPO, `bench/results/${OUT}.json`), JSON.stringify({ meta, results }, null, 2) + '\n');
  console.log(md);
}

main().catch((e) => { console.error('ledger-bench:', e.message); process.exit(1); });
