// Hardening in Chromium (issue 6, items 3–4):
//  - fail closed: a page CSP without 'wasm-unsafe-eval', a truncated / garbage wasm served
//    200 OK, an HTML page served where the wasm should be (SPA fallback), a manifest that is
//    not JSON → a minimal static notice (text + the policy link, nothing else), one
//    `kelisim:error` event with the right code, and NO gated script runs — not at start-up,
//    not after acceptAll(), not after a click on a "preferences" opener. A control page with
//    the same CSP plus 'wasm-unsafe-eval' proves the probes would have seen a run.
//  - a manifest whose texts carry XSS payloads: every text reaches the page as text only.
//  - strict CSP `script-src 'self' 'wasm-unsafe-eval'; style-src 'self'`: banner, preferences,
//    accept / custom / reject, gating of src scripts, withdrawal, the viewer — with zero
//    `securitypolicyviolation` events and no CSP console message, for both embeds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, startServer, REPO } from './helpers.js';
import { BRIDGE_ABI } from '../../web/src/engine/constants.js';
import { pageHtml, newPage, probe, assertProbeSound, ready, banner, prefs, manifestJson, MANIFEST, acceptAllRunsAll } from './banner-fixture.js';

const NONCE = 'h4rd3n';
const CSP_NO_WASM = `default-src 'self'; script-src 'self' 'nonce-${NONCE}'; style-src 'self'`;
const CSP_CONTROL = `default-src 'self'; script-src 'self' 'nonce-${NONCE}' 'wasm-unsafe-eval'; style-src 'self'`;
const CSP_STRICT = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'";

// The consent module the page loads by default (the banner build, next to the script); the
// bad-wasm cases below are served in its place.
const WASM_ROUTE = '**/kelisim-consent-banner.wasm';
const WASM = readFileSync(join(REPO, 'dist/kelisim-consent-banner.wasm'));
/** Offset of the middle of the wasm code section (id 10), found by walking the section headers. */
function codeSectionMiddle(b) {
  let p = 8;
  while (p < b.length) {
    const id = b[p++];
    let n = 0; let shift = 0; let x;
    do { x = b[p++]; n |= (x & 127) << shift; shift += 7; } while (x & 128);
    if (id === 10) return p + (n >> 1);
    p += n;
  }
  throw new Error('no code section');
}

/**
 * The consent module as another kelisim build would ship it: its kel_abi() (wasm/bridge/common.h)
 * returns another value. The function's body is `i32.const <BRIDGE_ABI as a signed LEB128> end`;
 * its lowest bit is flipped (same length). Throws unless that body is found exactly once.
 */
function otherBuildWasm(b) {
  const sleb = (v) => {
    const out = [];
    for (;;) {
      const byte = v & 127;
      v >>= 7;
      if ((v === 0 && !(byte & 64)) || (v === -1 && (byte & 64))) { out.push(byte); return out; }
      out.push(byte | 128);
    }
  };
  const body = Buffer.from([0x41, ...sleb(BRIDGE_ABI | 0), 0x0b]);
  const at = b.indexOf(body);
  if (at < 0 || b.indexOf(body, at + 1) >= 0) throw new Error("kel_abi's body is not in the module exactly once");
  const out = Buffer.from(b);
  Buffer.from([0x41, ...sleb((BRIDGE_ABI ^ 1) | 0), 0x0b]).copy(out, at);
  return out;
}

let browser;
let srv;
before(async () => {
  browser = await launchBrowser();
  srv = await startServer(REPO, {
    headers: (path) => path.startsWith('/nowasm/') ? { 'Content-Security-Policy': CSP_NO_WASM }
      : path.startsWith('/selfonly/') ? { 'Content-Security-Policy': "script-src 'self'; style-src 'self'" }
      : path.startsWith('/control/') ? { 'Content-Security-Policy': CSP_CONTROL }
        : path.startsWith('/strict/') ? { 'Content-Security-Policy': CSP_STRICT } : {},
  });
  srv.route('/gated/analytics.js', "__ran('analytics', 2)", 'text/javascript');
  const policyUrl = '/policy.html';
  const pages = (prefix, extra = {}) => {
    const o = { nonce: NONCE, ...extra };
    srv.route(`${prefix}script.html`, pageHtml({ embed: 'script', attrs: `data-policy-url="${policyUrl}"`, ...o }));
    srv.route(`${prefix}esm.html`, pageHtml({ embed: 'esm', options: { policyUrl, ...(extra.options || {}) }, ...o }));
  };
  pages('/nowasm/');
  srv.route('/selfonly/script.html', pageHtml({ embed: 'script', attrs: `data-policy-url="${policyUrl}"` }));
  pages('/control/');
  pages('/plain/');                                   // no CSP; failures are injected by page.route
  pages('/plain/notjson-', { manifest: 'not-json' });
  pages('/plain/array-', { manifest: 'array' });
  srv.route(MANIFEST('not-json'), { body: '<!doctype html><title>404</title><p>Страница не найдена', type: 'application/json' });
  srv.route(MANIFEST('array'), { body: '[{"id":"kelisim-demo"}]', type: 'application/json' });

  // Strict CSP pages: no inline script at all — the controller boots from files, and the
  // gated scripts are external.
  const gated = `
<script type="text/plain" data-kelisim-category="analytics" src="/strict/g/a1.js"></script>
<script type="text/plain" data-kelisim-category="marketing" src="/strict/g/m1.js"></script>
<script type="text/plain" data-kelisim-category="analytics marketing" src="/strict/g/am.js"></script>
<script type="text/plain" data-kelisim-category="analytics" src="/strict/g/a2.js"></script>`;
  const strictPage = (tag, manifest = MANIFEST()) => `<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>strict CSP</title>${tag.replace('%M', manifest)}</head><body>
<main><h1>Строгая CSP</h1><p><button type="button" id="open-prefs" data-kelisim-open="preferences">Настройки cookie</button>
<a id="policy-link" href="/policy.html" data-kelisim-open="policy">Политика</a></p></main>${gated}
</body></html>`;
  const scriptTag = '<script src="/dist/kelisim.js" data-policy="%M" defer></script>';
  const esmTag = '<link rel="stylesheet" href="/dist/kelisim.css"><script type="module" src="/strict/app-%M"></script>';
  srv.route('/strict/script.html', strictPage(scriptTag));
  srv.route('/strict/esm.html', strictPage(esmTag, 'demo.mjs'));
  srv.route('/strict/viewer-script.html', strictPage(scriptTag, '/policies/smartaqkol/manifest.json'));
  srv.route('/strict/viewer-esm.html', strictPage(esmTag, 'smart.mjs'));
  const app = (m) => `import { createKelisim } from '/dist/kelisim.mjs';\nwindow.kelisim = createKelisim({ policy: ${JSON.stringify(m)} });\n`;
  srv.route('/strict/app-demo.mjs', app(MANIFEST()), 'text/javascript');
  srv.route('/strict/app-smart.mjs', app('/policies/smartaqkol/manifest.json'), 'text/javascript');
  for (const [f, cat, n] of [['a1', 'analytics', 1], ['m1', 'marketing', 1], ['am', 'marketing', 2], ['a2', 'analytics', 2]]) {
    srv.route(`/strict/g/${f}.js`, `__ran(${JSON.stringify(cat)}, ${n})`, 'text/javascript');
  }
  srv.route('/policy.html', '<!doctype html><title>policy</title><p>policy');

  // A manifest with XSS payloads in every text a visitor can see.
  const x = manifestJson();
  const P = {
    title: `<img src=x onerror="__ran('xss',1)">`,
    cat: `<script>__ran('xss',2)<\/script><b>bold</b>`,
    desc: `"><svg onload="__ran('xss',3)"></svg><a href="javascript:__ran('xss',4)">x</a>`,
    controller: `</p><iframe src="javascript:__ran('xss',5)"></iframe>`,
  };
  x.title = { ru: P.title, kk: P.title, en: P.title };
  x.controller = P.controller;
  for (const c of x.categories) {
    c.title = { ru: c.id + P.cat, kk: c.id + P.cat, en: c.id + P.cat };
    c.description = { ru: P.desc, kk: P.desc, en: P.desc };
  }
  srv.route(MANIFEST('xss'), JSON.stringify(x), 'application/json');
  // The same payloads in a texts file (format 2), where built policies keep these texts.
  const f = manifestJson();
  f.texts = 'xss.texts.json';
  f.controller = P.controller;
  const texts = { format: 2, id: f.id, version: f.version, title: { ru: P.title, kk: P.title, en: P.title }, categories: {} };
  for (const c of f.categories) texts.categories[c.id] = { title: { ru: c.id + P.cat, kk: c.id + P.cat, en: c.id + P.cat }, description: { ru: P.desc, kk: P.desc, en: P.desc } };
  srv.route(MANIFEST('xss-file'), JSON.stringify(f), 'application/json');
  srv.route('/tests/fixtures/manifests/xss.texts.json', JSON.stringify(texts), 'application/json');
  srv.route('/plain/xss-file.html', pageHtml({ embed: 'script', manifest: 'xss-file', nonce: NONCE }));
  x.policyUrl = "javascript:__ran('xss',6)";
  srv.route(MANIFEST('xss-url'), JSON.stringify(x), 'application/json');
  srv.route('/plain/xss.html', pageHtml({ embed: 'script', manifest: 'xss', nonce: NONCE }));
  srv.route('/plain/xss-url.html', pageHtml({ embed: 'script', manifest: 'xss-url', nonce: NONCE }));
  XSS = P;
});
let XSS;
after(async () => { await browser?.close(); await srv?.close(); });

const settle = (page, ms = 100) => page.evaluate((t) => new Promise((r) => setTimeout(r, t)), ms);

// Records, from the first instant of every page: kelisim:error events and CSP violations.
const WATCH = () => {
  window.__errs = [];
  window.__csp = [];
  document.addEventListener('kelisim:error', (e) => window.__errs.push(e.detail && e.detail.code));
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
};
const cspConsole = (page) => {
  const out = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) out.push(m.text()); });
  return out;
};

/** Asserts the fail-closed state: notice, one error event, no gated script, no UI, refusals. */
async function assertFailedClosed(page, code, { policyHref } = {}) {
  await ready(page);
  const notice = page.locator('[data-kelisim-notice="error"]');
  await notice.waitFor();
  assert.equal(await notice.getAttribute('role'), 'alert');
  assert.match(await notice.innerText(), /Не удалось загрузить настройки конфиденциальности/);
  // Minimal and static: a paragraph of text and the policy link; no buttons, no form, no script.
  const tags = await notice.evaluate((el) => [...el.querySelectorAll('*')].map((e) => e.tagName));
  assert.deepEqual(tags.filter((t) => t !== 'P' && t !== 'A'), [], `notice elements: ${tags}`);
  if (policyHref) assert.equal(await notice.locator('a').getAttribute('href'), policyHref);
  const st = await page.evaluate(() => window.kelisim.state());
  assert.equal(st.status, 'error');
  assert.equal(st.error.code, code);
  assert.deepEqual(st.choices, {});
  assert.equal(await page.evaluate(() => window.kelisim.allowed('analytics') || window.kelisim.allowed('necessary')), false);
  // The site is told once, with the code.
  assert.deepEqual(await page.evaluate(() => window.__errs), [code]);
  // Nothing can be consented to, no UI opens, and still no gated script runs.
  const refused = await page.evaluate(() => Promise.all([
    window.kelisim.acceptAll().then(() => 'accepted', (e) => e.code),
    window.kelisim.set({ analytics: true }).then(() => 'set', (e) => e.code),
  ]));
  assert.deepEqual(refused, [code, code]);
  await page.click('#open-prefs');
  await settle(page);
  assert.equal(await banner(page).count(), 0, 'no banner');
  assert.equal(await prefs(page).count(), 0, 'no preferences dialog');
  assert.deepEqual(await probe(page), [], 'no gated script ran');
  assert.equal(await page.evaluate(() => document.querySelectorAll('script[data-kelisim-ran]').length), 0);
  assert.equal(await page.evaluate(() => localStorage.getItem('kelisim')), null, 'nothing stored');
}

for (const embed of ['script', 'esm']) {
  test(`${embed}: control — the same nonce CSP with 'wasm-unsafe-eval' starts, and the probe sees gated scripts run`, async () => {
    const { context, page } = await newPage(browser, { init: [WATCH] });
    await page.goto(`${srv.url}/control/${embed}.html`);
    await acceptAllRunsAll(page);
    await assertProbeSound(page);
    assert.deepEqual(await page.evaluate(() => window.__csp), []);
    assert.deepEqual(await page.evaluate(() => window.__errs), []);
    await context.close();
  });

  test(`${embed}: page CSP without 'wasm-unsafe-eval' → fail closed (wasm-load), no gated script`, async () => {
    const { context, page } = await newPage(browser, { init: [WATCH] });
    await page.goto(`${srv.url}/nowasm/${embed}.html`);
    await assertFailedClosed(page, 'wasm-load', { policyHref: `${srv.url}/policy.html` });
    // The browser itself refused the compile (the failure is the CSP, not something else).
    const csp = await page.evaluate(() => window.__csp);
    assert.ok(csp.some((v) => /^script-src/.test(v) && /wasm-eval/.test(v)), JSON.stringify(csp));
    assert.match((await page.evaluate(() => window.kelisim.state().error.message)), /WebAssembly|wasm/i);
    await context.close();
  });

  if (embed === 'script') {
    test("script: page CSP `script-src 'self'; style-src 'self'` (exactly, no 'wasm-unsafe-eval') → fail closed, the same-origin gated script never runs", async () => {
      const { context, page } = await newPage(browser, { init: [WATCH] });
      const requested = [];
      page.on('request', (r) => requested.push(new URL(r.url()).pathname));
      await page.goto(`${srv.url}/selfonly/script.html`);
      await assertFailedClosed(page, 'wasm-load', { policyHref: `${srv.url}/policy.html` });
      assert.ok(!requested.includes('/gated/analytics.js'), 'the external gated script (allowed by the CSP) was not even fetched');
      await context.close();
    });
  }

  const BAD_WASM = {
    'a missing wasm (404)': { status: 404, body: 'not found', contentType: 'text/plain' },
    'a server error for the wasm (500)': { status: 500, body: '<h1>500</h1>', contentType: 'text/html' },
    'a truncated wasm (200, application/wasm)': { body: WASM.subarray(0, Math.floor(WASM.length / 2)), contentType: 'application/wasm' },
    'a wasm with a few corrupted bytes in the code section (200, application/wasm)': {
      body: (() => { const b = Buffer.from(WASM); const mid = codeSectionMiddle(b); for (let i = mid; i < mid + 64; i++) b[i] = 0xff; return b; })(),
      contentType: 'application/wasm',
    },
    'garbage bytes (200, application/wasm)': { body: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24)), contentType: 'application/wasm' },
    'an HTML page instead of the wasm (200, text/html: SPA fallback)': { body: '<!doctype html><html><body>app</body></html>', contentType: 'text/html; charset=utf-8' },
    'an empty body (200, application/octet-stream)': { body: '', contentType: 'application/octet-stream' },

    // A one-file bundle's kelisim.js with the files at --kelisim-url updated (or cached apart):
    // a working module whose answers this script would read by another protocol.
    'the consent module of another kelisim build (200, application/wasm; its kel_abi() differs)': { body: otherBuildWasm(WASM), contentType: 'application/wasm' },
  };
  for (const [what, reply] of Object.entries(BAD_WASM)) {
    test(`${embed}: ${what} → fail closed (wasm-load), no gated script`, async () => {
      const { context, page } = await newPage(browser, { init: [WATCH] });
      await page.route(WASM_ROUTE, (r) => r.fulfill({ status: 200, ...reply }));   // reply.status overrides
      await page.goto(`${srv.url}/plain/${embed}.html`);
      await assertFailedClosed(page, 'wasm-load', { policyHref: `${srv.url}/policy.html` });
      await context.close();
    });
  }

  // A valid module that is not the consent core compiles and instantiates. One without
  // kel_abi() is refused by the loader (wasm-load); the policy module, of this build, passes
  // that check and the first call finds no kel_decide (wasm-missing-export, not one of the
  // documented start-up codes). Either way the start-up fails closed.
  const OTHER_WASM = {
    'an empty but valid wasm module': WASM.subarray(0, 8),
    'the policy module served in place of the consent module': readFileSync(join(REPO, 'dist/kelisim-policy.wasm')),
  };
  for (const [what, body] of Object.entries(OTHER_WASM)) {
    test(`${embed}: ${what} → fail closed (wasm-missing-export / wasm-load), no gated script`, async () => {
      const { context, page } = await newPage(browser, { init: [WATCH] });
      await page.route(WASM_ROUTE, (r) => r.fulfill({ status: 200, body, contentType: 'application/wasm' }));
      await page.goto(`${srv.url}/plain/${embed}.html`);
      const code = await page.evaluate(() => window.kelisim.ready.then((k) => k.state().error && k.state().error.code));
      assert.ok(['wasm-missing-export', 'wasm-load'].includes(code), code);
      await assertFailedClosed(page, code, { policyHref: `${srv.url}/policy.html` });
      await context.close();
    });
  }

  test(`${embed}: the real wasm with a wrong content type still works (documented byte fallback), gating intact`, async () => {
    const { context, page } = await newPage(browser, { init: [WATCH] });
    let served = 0;
    await page.route(WASM_ROUTE, (r) => { served++; return r.fulfill({ status: 200, body: WASM, contentType: 'application/octet-stream' }); });
    await page.goto(`${srv.url}/plain/${embed}.html`);
    await ready(page);   // (a first visit's banner is up before the wasm)
    await banner(page).waitFor();
    assert.equal(served, 1, 'the page loaded the wasm through the route');
    await settle(page);
    assert.deepEqual(await probe(page), []);
    await page.evaluate(() => window.kelisim.set({ analytics: true }));
    await page.waitForFunction(() => window.__probe.length === 3);
    assert.deepEqual(await probe(page), ['analytics1', 'analytics2', 'analytics3']);
    await assertProbeSound(page);
    await context.close();
  });

  for (const [kind, desc] of [['notjson', 'a manifest that is not JSON (HTML served as application/json)'], ['array', 'a manifest that is a JSON array']]) {
    test(`${embed}: ${desc} → fail closed (manifest-invalid), no gated script`, async () => {
      const { context, page } = await newPage(browser, { init: [WATCH] });
      await page.goto(`${srv.url}/plain/${kind}-${embed}.html`);
      await assertFailedClosed(page, 'manifest-invalid', { policyHref: `${srv.url}/policy.html` });
      await context.close();
    });
  }
}

test('a stored choice survives a failed start: the record is untouched and nothing runs', async () => {
  const { context, page } = await newPage(browser, { init: [WATCH] });
  await page.goto(`${srv.url}/plain/script.html`);
  await banner(page).waitFor();
  await page.evaluate(() => window.kelisim.acceptAll());
  await page.waitForFunction(() => window.__probe.length === 4);
  const stored = await page.evaluate(() => localStorage.getItem('kelisim'));
  const cookie = (await context.cookies()).find((c) => c.name === 'kelisim').value;
  await page.route(WASM_ROUTE, (r) => r.fulfill({ status: 200, body: WASM.subarray(0, 100), contentType: 'application/wasm' }));
  await page.reload();
  await ready(page);
  await page.locator('[data-kelisim-notice="error"]').waitFor();
  await settle(page);
  // Even with a valid "accept all" on record, a start-up without the core runs nothing.
  assert.deepEqual(await probe(page), []);
  assert.equal(await page.evaluate(() => localStorage.getItem('kelisim')), stored);
  assert.equal((await context.cookies()).find((c) => c.name === 'kelisim').value, cookie);
  await page.unroute(WASM_ROUTE);
  await page.reload();
  await page.waitForFunction(() => window.__probe.length === 4);
  await assertProbeSound(page);
  await context.close();
});

for (const [where, path] of [['the manifest', 'xss'], ['the texts file', 'xss-file']]) test(`XSS payloads in ${where} texts are shown as text only: banner and preferences`, async () => {
  const { context, page } = await newPage(browser, { init: [WATCH] });
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  await page.goto(`${srv.url}/plain/${path}.html`);
  await ready(page);
  await banner(page).waitFor();
  await page.click('[data-kelisim-banner] [data-kelisim-action="settings"]');
  await prefs(page).waitFor();
  const root = page.locator('[data-kelisim-root]');
  // The payloads appear literally (as text) where kelisim shows manifest texts…
  const text = await root.innerText();
  assert.ok(text.includes('analytics' + XSS.cat), 'category title shown as text');
  assert.ok(text.includes(XSS.desc), 'category description shown as text');
  // …and no element of theirs exists anywhere in the document.
  const injected = await page.evaluate(() => ({
    img: document.querySelectorAll('img').length,
    svg: document.querySelectorAll('svg[onload], [onerror], [onload]').length,
    iframe: document.querySelectorAll('iframe').length,
    b: document.querySelectorAll('[data-kelisim-root] b').length,
    jsLinks: [...document.querySelectorAll('a')].filter((a) => /^javascript:/i.test(a.getAttribute('href') || '')).length,
    scripts: [...document.querySelectorAll('[data-kelisim-root] script')].length,
  }));
  assert.deepEqual(injected, { img: 0, svg: 0, iframe: 0, b: 0, jsLinks: 0, scripts: 0 });
  // Through the whole flow nothing of the payloads ran, and consent still works.
  await page.click('[data-kelisim-preferences] [data-kelisim-action="accept-all"]');
  await page.waitForFunction(() => window.__probe.length === 4);
  await settle(page);
  assert.deepEqual((await probe(page)).filter((p) => p.startsWith('xss')), []);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(page.__errors, []);
  await assertProbeSound(page);
  await context.close();
});

test('a javascript: policyUrl in the manifest never becomes a link', async () => {
  const { context, page } = await newPage(browser, { init: [WATCH] });
  await page.goto(`${srv.url}/plain/xss-url.html`);
  await ready(page);
  await banner(page).waitFor();
  const hrefs = await page.evaluate(() => [...document.querySelectorAll('[data-kelisim-root] a')].map((a) => a.getAttribute('href')));
  assert.ok(hrefs.every((h) => !/^\s*javascript:/i.test(h)), JSON.stringify(hrefs));
  await page.click('[data-kelisim-banner] [data-kelisim-action="reject-all"]');
  await settle(page);
  assert.deepEqual(await probe(page), []);
  await context.close();
});

// ---- strict CSP: everything works with zero violations --------------------------------------
for (const embed of ['script', 'esm']) {
  test(`${embed}: strict CSP (script-src 'self' 'wasm-unsafe-eval'; style-src 'self'): banner, preferences, choices, gating, withdrawal — zero violations`, async () => {
    const { context, page } = await newPage(browser, { init: [WATCH] });
    const consoleCsp = cspConsole(page);
    await page.goto(`${srv.url}/strict/${embed}.html`);
    await ready(page);
    await banner(page).waitFor();
    // kelisim.css applied (a stylesheet from 'self'; no inline style needed).
    assert.equal(await banner(page).evaluate((el) => getComputedStyle(el).position), 'fixed');
    await settle(page);
    assert.deepEqual(await probe(page), []);
    // Preferences: analytics on only.
    await page.click('[data-kelisim-banner] [data-kelisim-action="settings"]');
    await prefs(page).waitFor();
    await prefs(page).locator('input[type="checkbox"]:not([disabled])').first().check();
    await prefs(page).locator('[data-kelisim-action="save"]').click();
    await page.waitForFunction(() => window.__probe.length === 2);
    assert.deepEqual(await probe(page), ['analytics1', 'analytics2']);
    assert.equal(await banner(page).count(), 0);
    // Accept all: marketing and the two-category script follow, in document order.
    await page.click('#open-prefs');
    await prefs(page).waitFor();
    await prefs(page).locator('[data-kelisim-action="accept-all"]').click();
    await page.waitForFunction(() => window.__probe.length === 4);
    // (marketing#2 is the script gated on "analytics marketing": it needs both.)
    assert.deepEqual(await probe(page), ['analytics1', 'analytics2', 'marketing1', 'marketing2']);
    await assertProbeSound(page);
    // Reject all: scripts already ran → the reload offer; after reload nothing runs.
    await page.evaluate(() => window.kelisim.rejectAll());
    await page.locator('[data-kelisim-notice="reload"]').waitFor();
    await Promise.all([page.waitForNavigation(), page.locator('[data-kelisim-notice="reload"] [data-kelisim-action="reload"]').click()]);
    await ready(page);
    await settle(page);
    assert.deepEqual(await probe(page), []);
    assert.equal(await banner(page).count(), 0);
    // Withdraw through the dialog.
    await page.click('#open-prefs');
    await prefs(page).waitFor();
    await prefs(page).locator('[data-kelisim-action="withdraw"]').click();
    await page.locator('[data-kelisim-notice="withdrawn"]').waitFor();
    assert.deepEqual(await page.evaluate(() => window.__csp), [], 'no securitypolicyviolation');
    assert.deepEqual(consoleCsp, [], 'no CSP console message');
    assert.deepEqual(await page.evaluate(() => window.__errs), []);
    assert.deepEqual(page.__errors, []);
    await context.close();
  });

  test(`${embed}: strict CSP: the policy viewer opens from the banner link and from a page link — zero violations`, async () => {
    const { context, page } = await newPage(browser, { init: [WATCH] });
    const consoleCsp = cspConsole(page);
    await page.goto(`${srv.url}/strict/viewer-${embed}.html`);
    await ready(page);
    await banner(page).waitFor();
    await banner(page).locator('[data-kelisim-policy-link]').click();
    const dialog = page.locator('[data-kelisim-viewer-dialog]');
    await dialog.locator('[data-kelisim-text] .kelisim-clause').first().waitFor();
    assert.ok((await dialog.locator('.kelisim-clause').count()) > 5);
    await page.keyboard.press('Escape');
    await page.click('#policy-link');
    await dialog.locator('[data-kelisim-text] .kelisim-clause').first().waitFor();
    await settle(page);
    assert.deepEqual(await page.evaluate(() => window.__csp), [], 'no securitypolicyviolation');
    assert.deepEqual(consoleCsp, [], 'no CSP console message');
    assert.deepEqual(page.__errors, []);
    assert.deepEqual(await probe(page), []);
    await context.close();
  });
}
