// Page builders and probes shared by the banner*.test.js files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';
import { REPO } from './helpers.js';

export const MANIFEST = (name = 'demo-v1') => `/tests/fixtures/manifests/${name}.json`;
export const manifestJson = (name = 'demo-v1') => JSON.parse(readFileSync(join(REPO, 'tests/fixtures/manifests', name + '.json'), 'utf8'));

let corePromise;
/** The real consent core in Node (decodes what the page stored, independently of the page). */
export function nodeCore() {
  corePromise ||= import(pathToFileURL(join(REPO, 'web/src/engine/core.js')).href)
    .then((m) => m.loadCore({ consentWasm: readFileSync(join(REPO, 'dist/kelisim-consent.wasm')) }));
  return corePromise;
}

/**
 * A test page. `embed`: 'script' (dist/kelisim.js tag) or 'esm' (dist/kelisim.mjs import).
 * Gated scripts: analytics #1 inline, #2 external (/gated/analytics.js), marketing #1 inline,
 * analytics #3 inline; each calls the probe `__ran(cat, n)`.
 */
export function pageHtml({ embed = 'script', lang = 'ru', manifest = 'demo-v1', options = {}, attrs = '', head = '', nonce = '', defer = true } = {}) {
  const n = nonce ? ` nonce="${nonce}"` : '';
  const tag = embed === 'script'
    ? `<script src="/dist/kelisim.js" data-policy="${MANIFEST(manifest)}" ${attrs}${defer ? ' defer' : ''}></script>`
    : `<link rel="stylesheet" href="/dist/kelisim.css">
<script type="module"${n}>import { createKelisim } from '/dist/kelisim.mjs';
window.kelisim = createKelisim(${JSON.stringify({ policy: MANIFEST(manifest), ...options })});</script>`;
  return `<!doctype html>
<html${lang ? ` lang="${lang}"` : ''}><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>kelisim test page</title>${head}
${tag}
</head><body>
<main><h1>Тестовая страница</h1><p>Обычный текст страницы.</p>
<p><button type="button" id="open-prefs" data-kelisim-open="preferences">Настройки cookie</button></p></main>
<script type="text/plain" data-kelisim-category="analytics"${n}>__ran('analytics', 1)</script>
<script type="text/plain" data-kelisim-category="analytics" src="/gated/analytics.js"></script>
<script type="text/plain" data-kelisim-category="marketing"${n}>__ran('marketing', 1)</script>
<script type="text/plain" data-kelisim-category="analytics"${n}>__ran('analytics', 3)</script>
</body></html>`;
}

/** Routes every test page needs; `pages` maps paths to pageHtml options. */
export function addRoutes(srv, pages) {
  srv.route('/gated/analytics.js', "__ran('analytics', 2)", 'text/javascript');
  for (const [path, opt] of Object.entries(pages)) srv.route(path, pageHtml(opt), 'text/html; charset=utf-8');
}

/**
 * The probe, installed before any page script: every gated script execution is recorded
 * with what storage held at that instant and what the test had declared allowed.
 */
export const PROBE = () => {
  window.__probe = [];
  window.__ran = (cat, n) => {
    let ls = null;
    try { ls = window.localStorage.getItem('kelisim'); } catch { /* throwing storage */ }
    let cookie = '';
    try { cookie = document.cookie; } catch { /* disabled */ }
    window.__probe.push({ cat, n, ls, cookie, declared: (window.__allowed || []).slice() });
  };
};

export async function newPage(browser, { init = [], contextOptions = {}, colorScheme } = {}) {
  const context = await browser.newContext({ ...contextOptions, ...(colorScheme ? { colorScheme } : {}) });
  await context.addInitScript(PROBE);
  for (const s of init) await context.addInitScript(s);
  const page = await context.newPage();
  page.__errors = [];
  page.on('pageerror', (e) => page.__errors.push(e.message));
  return { context, page };
}

export const probe = (page) => page.evaluate(() => window.__probe.map((p) => p.cat + p.n));

/**
 * Asserts that every recorded gated-script execution happened while its category was
 * allowed: by the record stored at that instant (decoded by the real core in Node), or, when
 * nothing could be stored (memory-only), by the test's own declaration (`__allowed`).
 */
export async function assertProbeSound(page, policyId = 'kelisim-demo') {
  const core = await nodeCore();
  const entries = await page.evaluate(() => window.__probe);
  for (const e of entries) {
    const fromCookie = (e.cookie.split(';').map((s) => s.trim()).find((s) => s.startsWith('kelisim=')) || '').slice(8);
    const stored = [fromCookie, e.ls].filter(Boolean).map((v) => core.decodeRecord(v))
      .filter((d) => d.ok && d.record.policyId === policyId);
    const ok = stored.length ? stored.some((d) => d.record.choices[e.cat] === true) : e.declared.includes(e.cat);
    assert.ok(ok, `gated script ${e.cat}#${e.n} ran while ${e.cat} was not allowed (stored: ${JSON.stringify(stored.map((d) => d.record.choices))}, declared: ${e.declared})`);
  }
  return entries.length;
}

export const banner = (page) => page.locator('[data-kelisim-banner]');
export const prefs = (page) => page.locator('[data-kelisim-preferences]');
export const ready = (page) => page.waitForFunction(() => window.kelisim && window.kelisim.state().status !== 'loading');

/**
 * Holds every request matching `pattern` until the returned release() is called, then answers
 * it with `answer(route)` (by default the real file): a consent module still on its way.
 */
export async function holdRoute(page, pattern, answer = (route) => route.continue()) {
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route(pattern, async (route) => { await held; await answer(route); });
  return release;
}

/** Collects the code of every kelisim:error event the page dispatches in window.__kerr. */
export const watchErrors = (page) => page.addInitScript(() => {
  window.__kerr = [];
  document.addEventListener('kelisim:error', (e) => window.__kerr.push(e.detail.code));
});

/** The four gated demo scripts, in document order. */
export const ALL_RAN = ['analytics1', 'analytics2', 'marketing1', 'analytics3'];

/**
 * The banner is up and no gated script has run; "Accept all" then runs all four, once each,
 * in document order.
 */
export async function acceptAllRunsAll(page) {
  await banner(page).waitFor();
  await page.evaluate(() => new Promise((r) => setTimeout(r, 50)));
  assert.deepEqual(await probe(page), [], 'nothing runs before the choice');
  await page.click('[data-kelisim-banner] [data-kelisim-action="accept-all"]');
  await page.waitForFunction(() => window.__probe.length === 4);
  assert.deepEqual(await probe(page), ALL_RAN);
}
