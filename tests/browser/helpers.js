// Shared Playwright helpers for every browser test file (banner, viewer, XSS, …):
//   const browser = await launchBrowser();          // one per test file, reused
//   const srv = await startServer(REPO, { headers: { 'Content-Security-Policy': '…' } });
//   const ctx = await browser.newContext(); …       // a fresh context per test
// Debian's chromium, never a downloaded one (see the working agreement).
import { chromium } from 'playwright-core';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { startServer as serve } from '../../scripts/serve.mjs';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** axe-core's script, found as Node finds the package (a git worktree inside the repo has no
 *  node_modules of its own: the repo's is found above it). */
export const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Launches headless Debian Chromium with the flags this machine needs. */
export async function launchBrowser(extra = {}) {
  const executablePath = process.env.CHROMIUM || ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);
  return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS, ...(extra.args || [])], ...extra, });
}

/**
 * Static server over `rootDir` (see scripts/serve.mjs): `{ url, route(path, body, type),
 * requests, close() }`. Options: `headers` (object or path => object), `routes`, `handle`.
 */
export function startServer(rootDir = REPO, options = {}) {
  return serve(rootDir, options);
}

/** An init script: records every CSP violation from the first moment of a page in window.__csp. */
export const CSP_WATCH = () => {
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
};

/** Collects page errors and console errors so a test can assert there were none. */
export function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push('pageerror: ' + e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push('console: ' + m.text()); });
  return errors;
}

/** Runs axe-core (from node_modules) on the page; returns the violations array. */
export async function axe(page, options = {}) {
  await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async (opts) => {
    const r = await globalThis.axe.run(opts.include ? { include: opts.include } : document, {
      resultTypes: ['violations'],
      ...(opts.runOnly ? { runOnly: opts.runOnly } : {}),
    });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ') + ' :: ' + n.failureSummary) }));
  }, options);
}

/** Formats axe violations for an assertion message. */
export const formatViolations = (v) => v.map((x) => `${x.id} (${x.impact}): ${x.help}\n  ${x.nodes.join('\n  ')}`).join('\n');
