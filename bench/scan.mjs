#!/usr/bin/env node
// Scan-time benchmark (reported, never asserted): `kelisim scan` of the demo site
// (examples/site with the seed policies built by the JS CLI, under the demo CSP, served on
// 127.0.0.1 exactly like tests/browser/scan.test.js), run as a user runs it — a fresh
// `node web/src/cli/kelisim.js scan …` process each time, test mode on (--offline, so nothing
// leaves the machine). Three passes × `--pages` pages each run.
// Usage: node bench/scan.mjs [--runs 3] [--pages 3] [--wait 1000]
// Prints one line per run and the median; writes bench/results/scan-<timestamp>.json.
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, DEMO_CSP } from '../scripts/serve.mjs';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(REPO, 'web/src/cli/kelisim.js');
const args = process.argv.slice(2);
const arg = (n, d) => { const i = args.indexOf(n); return i >= 0 ? Number(args[i + 1]) : d; };
const RUNS = arg('--runs', 3);
const PAGES = arg('--pages', 3);
const WAIT = arg('--wait', 1000);

const tmp = mkdtempSync(join(tmpdir(), 'kelisim-bench-scan-'));
const pol = join(tmp, 'policies');
execFileSync(process.execPath, [CLI, 'build', join(REPO, 'policies'), '-o', pol], { stdio: 'pipe' });
for (const id of readdirSync(pol)) {
  for (const f of readdirSync(join(REPO, 'policies', id))) if (f.endsWith('.md')) cpSync(join(REPO, 'policies', id, f), join(pol, id, f));
}
const srv = await startServer(join(REPO, 'examples/site'), { mounts: { '/dist': join(REPO, 'dist'), '/policies': pol }, headers: { 'Content-Security-Policy': DEMO_CSP } });

const runs = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const out = join(tmp, `run${i}`);
    const t0 = process.hrtime.bigint();
    // Asynchronously: the demo server runs in this process.
    const r = await new Promise((resolve) => execFile(process.execPath, [CLI, 'scan', srv.url + '/', '--out', out, '--pages', String(PAGES), '--wait', String(WAIT), '--offline'],
      (err, stdout, stderr) => resolve({ status: err ? err.code : 0, stdout, stderr })));
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) {
      process.stderr.write(r.stdout + r.stderr);
      throw new Error(`scan exited with ${r.status} (the demo should have no violations)`);
    }
    const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    runs.push({ wallMs: Math.round(wallMs), scanMs: rep.durationMs, pages: rep.pages.length, violations: rep.violations.length });
    console.log(`run ${i + 1}: ${Math.round(wallMs)} ms wall (process start to exit), ${rep.durationMs} ms in the scan, ${rep.pages.length} page(s) × 3 states`);
  }
} finally {
  await srv.close();
  rmSync(tmp, { recursive: true, force: true });
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const result = {
  bench: 'kelisim scan of the demo site', at: new Date().toISOString(), runs: RUNS, pages: PAGES, waitMs: WAIT,
  machine: { cpus: cpus().length, loadavg: loadavg().map((x) => Math.round(x * 100) / 100) },
  medianWallMs: median(runs.map((r) => r.wallMs)), medianScanMs: median(runs.map((r) => r.scanMs)), detail: runs,
};
console.log(`kelisim scan, demo site, ${PAGES} page(s), --wait ${WAIT}: median ${result.medianWallMs} ms wall, ${result.medianScanMs} ms scan ` +
  `(${RUNS} runs, load average ${result.machine.loadavg[0]} on ${result.machine.cpus} cores)`);
const dir = join(REPO, 'bench/results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `scan-${result.at.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
console.log(`results: ${file}`);
