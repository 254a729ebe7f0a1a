// The XSS corpus (tests/fixtures/xss/payloads.json) rendered by the policy module — render,
// search snippets and diff HTML, through the shipped wasm and from the native run
// (<build>/policy-golden/xss.json) — loaded in
// headless Chromium:
//   1. without any CSP, with a probe installed first: no payload runs (window.__ran stays 0,
//      no dialog), even after firing mouse/focus/toggle/load/error events at every element;
//      no element carries an on* attribute (or any attribute outside a small allow-list),
//      only allowed tags exist and every link is http(s), mailto or an in-page anchor;
//   2. under a strict CSP (default-src 'none'; style-src 'self'; script-src with a nonce for
//      the probe only): not a single CSP violation, so the output needs no inline style,
//      no inline script and loads nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launchBrowser, startServer, REPO } from './helpers.js';
import { loadPolicyModule } from '../../web/src/engine/policy.js';
import { corpus, caseBody, plainBody, snippetQueries } from '../fixtures/xss/cases.mjs';

const NONCE = 'kelisimprobe';
const nativeDir = process.env.KELISIM_NATIVE_DIR || `${REPO}/build/native`;

let browser;
let srv;
let page;     // the corpus page, built once
let sections; // number of rendered fragments on it

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

function nativeOutputs() {
  const path = `${nativeDir}/policy-golden/xss.json`;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new Error(`${path} is missing: build and run the native suite first (npm test does both; or set KELISIM_NATIVE_DIR)`);
  }
}

// The probe: the first script on the page. Payloads try window.__ran=1 / parent.__ran=1 / alert().
const PROBE = `
window.__ran = 0;
window.__log = [];
window.__violations = [];
for (const f of ['alert', 'confirm', 'prompt', 'print', 'open']) window[f] = function () { window.__ran = 1; window.__log.push(f); };
document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));
`;

async function buildPage() {
  const policy = await loadPolicyModule();
  const importBody = (source) => JSON.stringify(policy.importText(source).body);
  const native = nativeOutputs();
  const parts = [];
  const add = (id, from, html) => parts.push(`<section data-case="${esc(id)}" data-from="${from}">${html}</section>`);
  for (const c of corpus.cases) {
    const body = caseBody(c, importBody);
    add(c.id, 'wasm-render', policy.render(body));
    add(c.id, 'wasm-render-bare', policy.render(body, { toc: false, title: false, idPrefix: 'x-' }));
    for (const q of snippetQueries) for (const h of policy.search(body, q)) add(c.id, 'wasm-search', h.snippet);
    for (const d of policy.diff(plainBody, body).clauses) add(c.id, 'wasm-diff', d.html);
    assert.ok(`xss/${c.id}/render` in native, `native output for ${c.id}`);
    add(c.id, 'native-render', native[`xss/${c.id}/render`]);
    for (const d of JSON.parse(native[`xss/${c.id}/diff`]).clauses) add(c.id, 'native-diff', d.html);
  }
  sections = parts.length;
  return `<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>kelisim XSS corpus</title>` +
    `<script nonce="${NONCE}">${PROBE}</script></head><body>${parts.join('\n')}</body></html>`;
}

// A control page with live payloads the renderer must never produce: proves the probe,
// the DOM check and the CSP listener actually see what they look for.
function control() {
  return `<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>control</title>` +
    `<script nonce="${NONCE}">${PROBE}</script></head><body>` +
    '<section data-case="control"><img src="x" onerror="window.__ran=1"><p style="color:red" onmouseover="window.__ran=2">x</p></section></body></html>';
}

before(async () => {
  browser = await launchBrowser();
  page = await buildPage();
  srv = await startServer(REPO, {
    routes: {
      '/xss-open.html': { body: page, type: 'text/html; charset=utf-8' },
      '/control-open.html': { body: control(), type: 'text/html; charset=utf-8' },
      '/control-csp.html': {
        body: control(),
        type: 'text/html; charset=utf-8',
        headers: { 'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${NONCE}'; style-src 'self'; img-src 'self'; form-action 'none'; base-uri 'none'` },
      },
      '/xss-csp.html': {
        body: page,
        type: 'text/html; charset=utf-8',
        headers: { 'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${NONCE}'; style-src 'self'; img-src 'self'; form-action 'none'; base-uri 'none'` },
      },
    },
  });
});
after(async () => { await browser?.close(); await srv?.close(); });

async function open(path) {
  const context = await browser.newContext();
  const p = await context.newPage();
  const dialogs = [];
  p.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  const popups = [];
  context.on('page', (np) => { if (np !== p) popups.push(np.url()); });
  await p.goto(srv.url + path, { waitUntil: 'load' });
  return { context, page: p, dialogs, popups };
}

test('the corpus covers the required payload kinds', () => {
  const ids = corpus.cases.map((c) => c.id).join(' ');
  assert.ok(corpus.cases.length >= 30);
  for (const kind of ['script', 'onerror', 'onload', 'javascript', 'data', 'utf8', 'bidi', 'nested-link', 'entity']) {
    assert.match(ids, new RegExp(kind), kind);
  }
  assert.ok(sections > corpus.cases.length * 3, `${sections} fragments`);
});

test('nothing runs: no script, no handler, no dialog, even when events fire on every element', async () => {
  const { context, page: p, dialogs, popups } = await open('/xss-open.html');
  try {
    const fired = await p.evaluate(async () => {
      let n = 0;
      for (const el of document.body.querySelectorAll('*')) {
        for (const type of ['mouseover', 'mouseenter', 'mousemove', 'focus', 'focusin', 'blur', 'toggle', 'load', 'error', 'animationstart', 'transitionend', 'input', 'change']) {
          el.dispatchEvent(new Event(type, { bubbles: true }));
          n++;
        }
        if (typeof el.focus === 'function') el.focus();
      }
      await new Promise((r) => setTimeout(r, 300));
      return n;
    });
    assert.ok(fired > 1000, `only ${fired} events fired`);
    const state = await p.evaluate(() => ({ ran: window.__ran, log: window.__log }));
    assert.deepEqual(state, { ran: 0, log: [] });
    assert.deepEqual(dialogs, []);
    assert.deepEqual(popups, []);
  } finally {
    await context.close();
  }
});

test('the DOM holds only allowed tags and attributes, and only safe links', async () => {
  const { context, page: p } = await open('/xss-open.html');
  try {
    const report = await p.evaluate(() => {
      const TAGS = new Set(['SECTION', 'H2', 'H3', 'H4', 'H5', 'H6', 'NAV', 'OL', 'UL', 'LI', 'A', 'P', 'DIV', 'EM', 'STRONG', 'MARK', 'INS', 'DEL']);
      const ATTRS = new Set(['class', 'id', 'href', 'target', 'rel', 'aria-label', 'data-case', 'data-from']);
      const bad = [];
      let links = 0;
      const all = document.body.querySelectorAll('*');
      for (const el of all) {
        const where = el.closest('[data-case]')?.getAttribute('data-case') + '/' + el.closest('[data-from]')?.getAttribute('data-from');
        if (!TAGS.has(el.tagName)) bad.push(`${where}: <${el.tagName.toLowerCase()}>`);
        for (const a of el.getAttributeNames()) {
          if (/^on/i.test(a)) bad.push(`${where}: event handler attribute ${a} on <${el.tagName.toLowerCase()}>`);
          else if (!ATTRS.has(a)) bad.push(`${where}: attribute ${a} on <${el.tagName.toLowerCase()}>`);
        }
        if (el.tagName === 'A') {
          links++;
          const u = new URL(el.href);
          const inPage = u.origin === location.origin && u.pathname === location.pathname && u.hash.startsWith('#');
          if (!['http:', 'https:', 'mailto:'].includes(u.protocol) && !inPage) bad.push(`${where}: link to ${el.getAttribute('href')}`);
          if (el.querySelector('a')) bad.push(`${where}: nested <a>`);
        }
      }
      // Bidi overrides/isolates and NUL never reach the text.
      if (/[\u202A-\u202E\u2066-\u2069\u0000]/.test(document.body.textContent)) bad.push('bidi control or NUL in text');
      return { bad, elements: all.length, links, scripts: document.scripts.length };
    });
    assert.deepEqual(report.bad, []);
    assert.equal(report.scripts, 1, 'only the probe is a script');
    assert.ok(report.elements > 1000 && report.links > 100, JSON.stringify(report));
  } finally {
    await context.close();
  }
});

test('a strict CSP (style-src self, no inline script but the probe) reports no violation', async () => {
  const { context, page: p } = await open('/xss-csp.html');
  try {
    await p.evaluate(() => new Promise((r) => setTimeout(r, 300)));
    const state = await p.evaluate(() => ({ ran: window.__ran, violations: window.__violations }));
    assert.deepEqual(state, { ran: 0, violations: [] });
  } finally {
    await context.close();
  }
});

test('control: the probe and the CSP listener catch a live payload', async () => {
  let { context, page: p } = await open('/control-open.html');
  try {
    await p.waitForFunction(() => window.__ran === 1, null, { timeout: 5000 });
    assert.equal(await p.evaluate(() => document.querySelectorAll('[onerror],[onmouseover]').length), 2);
  } finally {
    await context.close();
  }
  ({ context, page: p } = await open('/control-csp.html'));
  try {
    await p.waitForFunction(() => window.__violations.length >= 2, null, { timeout: 5000 });
    const v = await p.evaluate(() => window.__violations.join('\n'));
    assert.match(v, /style-src/);
    assert.match(v, /script-src|img-src/);
  } finally {
    await context.close();
  }
});
