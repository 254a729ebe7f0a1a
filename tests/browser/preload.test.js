// The <head> tags `kelisim build --kelisim-url … --policies-url …` writes to
// <out>/<id>/preload.html (issue 14): on a page that carries them, the banner's manifest
// and stylesheet are requested while the page is parsed (before kelisim.js has even
// arrived, not after it ran) and each exactly once — the preloads are the requests the
// banner uses (a `crossorigin` that did not match fetch()'s mode would fetch them twice).
// Also inline.html (the manifest in the page) and, with --bundle, bundle.html and
// kelisim-bundle.js (one file: kelisim.js, the manifest and the banner's stylesheet).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, startServer, REPO, CSP_WATCH } from './helpers.js';

let browser;
let srv;
let tmp;
let tags;
let inline;
let bundleTag;
// A strict policy: no inline script, no inline style. A JSON data block is not a script it runs.
const STRICT = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:";
before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'kelisim-preload-'));
  const out = execFileSync('node', [join(REPO, 'web/src/cli/kelisim.js'), 'build', join(REPO, 'policies/neupusti'), '-o', join(tmp, 'policies'),
    '--kelisim-url', '/dist', '--policies-url', '/site-policies/', '--bundle', join(REPO, 'dist')], { encoding: 'utf8' });
  assert.match(out, /preload tags for neupusti's pages -> .*preload\.html/);
  tags = readFileSync(join(tmp, 'policies/neupusti/preload.html'), 'utf8');
  inline = readFileSync(join(tmp, 'policies/neupusti/inline.html'), 'utf8');
  bundleTag = readFileSync(join(tmp, 'policies/neupusti/bundle.html'), 'utf8');
  browser = await launchBrowser();
  srv = await startServer(REPO, { mounts: { '/site-policies': join(tmp, 'policies') } });
  srv.route('/page.html', `<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>preload</title>
${tags}</head><body><main><h1>Страница</h1><p>Текст.</p></main>
<script type="text/plain" data-kelisim-category="marketing">window.__ran = true</script>
</body></html>`, 'text/html; charset=utf-8');
});
after(async () => { await browser?.close(); await srv?.close(); if (tmp) rmSync(tmp, { recursive: true, force: true }); });

/** The URLs the tags name: [kind, url]. */
const named = () => [...tags.matchAll(/<(link|script)\b[^>]*?(?:href|src)="([^"]+)"/g)].map((m) => m[2])
  .concat([...tags.matchAll(/data-policy="([^"]+)"/g)].map((m) => m[1]));

test('preload.html names the banner\'s files, and each exists in the build output or dist/', () => {
  const urls = [...new Set(named())];
  assert.deepEqual(urls.sort(), ['/dist/kelisim-banner.css', '/dist/kelisim.js', '/site-policies/neupusti/manifest.json']);
  for (const u of urls) {
    const file = u.startsWith('/dist/') ? join(REPO, u) : join(tmp, 'policies', u.slice('/site-policies/'.length));
    assert.ok(existsSync(file), `${u} -> ${file} exists`);
  }
  assert.match(tags, /href="\/site-policies\/neupusti\/manifest\.json" as="fetch" crossorigin>/);
  assert.match(tags, /href="\/dist\/kelisim-banner\.css" as="style">/);
});

test('a page with the tags: the banner\'s files are requested before kelisim.js has arrived, each once; the banner works', async () => {
  const context = await browser.newContext({ locale: 'ru-RU' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Chromium warns on the console about a preload the page did not use, or used with another
  // credentials mode. (The browser's own /favicon.ico request is not the page's.)
  page.on('console', (m) => { if ((m.type() === 'error' || m.type() === 'warning') && !/status of 404/.test(m.text())) errors.push(`${m.type()}: ${m.text()}`); });
  page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) errors.push(`${r.status()} ${r.url()}`); });
  const from = srv.requests.length;
  await page.goto(`${srv.url}/page.html`);
  await page.locator('[data-kelisim-banner]').waitFor();
  await page.waitForTimeout(500);
  const timing = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('resource')
    .map((r) => [new URL(r.name).pathname, { start: r.startTime, end: r.responseEnd }])));
  const js = timing['/dist/kelisim.js'];
  for (const u of ['/site-policies/neupusti/manifest.json', '/dist/kelisim-banner.css']) {
    assert.ok(timing[u], `${u} was loaded`);
    assert.ok(timing[u].start < js.end, `${u} requested (${timing[u].start} ms) before kelisim.js arrived (${js.end} ms)`);
    assert.equal(srv.requests.slice(from).filter((p) => p === u).length, 1, `${u} requested once: ${srv.requests.slice(from).join(', ')}`);
  }
  assert.equal(await page.evaluate(() => window.__ran === true), false, 'nothing gated ran before consent');
  await page.click('[data-kelisim-banner] [data-kelisim-action="accept-all"]');
  await page.waitForFunction(() => window.__ran === true);
  assert.deepEqual(errors, []);
  await context.close();
});

/** A page with `head` in its <head>, served under `csp` (the strict CSP unless given; none for null). */
function page(path, head, csp = STRICT) {
  srv.route(path, {
    type: 'text/html; charset=utf-8', headers: csp ? { 'Content-Security-Policy': csp } : {},
    body: `<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>kelisim</title>
${head}</head><body><main><h1>Страница</h1><p>Текст.</p></main>
<script type="text/plain" data-kelisim-category="marketing" src="/gated-inline.js"></script>
</body></html>`,
  });
}

test('inline.html: the manifest in the page; the banner requests no manifest, the texts come from data-url\'s folder, no CSP violation', async () => {
  page('/inline.html', inline);
  srv.route('/gated-inline.js', 'window.__ran = true;', 'text/javascript');
  const context = await browser.newContext({ locale: 'ru-RU' });
  await context.addInitScript(CSP_WATCH);
  const p = await context.newPage();
  const errors = [];
  p.on('pageerror', (e) => errors.push(e.message));
  const from = srv.requests.length;
  await p.goto(`${srv.url}/inline.html`);
  await p.locator('[data-kelisim-banner]').waitFor();
  await p.evaluate(() => window.kelisim.ready);
  const st = await p.evaluate(() => window.kelisim.state());
  assert.equal(st.status, 'ready');
  assert.equal(st.policyId, 'neupusti');
  assert.equal(srv.requests.slice(from).filter((u) => u.endsWith('manifest.json')).length, 0, `no manifest request: ${srv.requests.slice(from).join(', ')}`);
  // The texts file is the manifest's `texts`, resolved against data-url (not against the page).
  await p.click('[data-kelisim-banner] [data-kelisim-action="settings"]');
  await p.locator('[data-kelisim-preferences]').waitFor();
  await p.waitForFunction(() => performance.getEntriesByType('resource').some((r) => r.name.endsWith('/site-policies/neupusti/1/texts.json')));
  assert.equal(await p.evaluate(() => window.__ran === true), false, 'nothing gated ran before consent');
  await p.click('[data-kelisim-preferences] [data-kelisim-action="accept-all"]');
  await p.waitForFunction(() => window.__ran === true);
  assert.deepEqual(await p.evaluate(() => window.__csp), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('data-policy="#id": no such element, or one that holds no manifest, fails closed with a clear error', async () => {
  const cases = [
    ['/inline-missing.html', '<script src="/dist/kelisim.js" data-policy="#kelisim-policy" defer></script>', 'manifest-load', /no element #kelisim-policy/],
    ['/inline-bad.html', '<script type="application/json" id="kelisim-policy">{"categories": [</script>\n<script src="/dist/kelisim.js" data-policy="#kelisim-policy" defer></script>', 'manifest-invalid', /#kelisim-policy does not hold a policy manifest/],
    ['/inline-array.html', '<script type="application/json" id="kelisim-policy">[1, 2]</script>\n<script src="/dist/kelisim.js" data-policy="#kelisim-policy" defer></script>', 'manifest-invalid', /does not hold a policy manifest/],
  ];
  for (const [path, head, code, message] of cases) {
    page(path, head);
    const context = await browser.newContext({ locale: 'ru-RU' });
    await context.addInitScript(CSP_WATCH);
    const p = await context.newPage();
    await p.goto(srv.url + path);
    await p.evaluate(() => window.kelisim.ready);
    const st = await p.evaluate(() => window.kelisim.state());
    assert.equal(st.status, 'error', path);
    assert.equal(st.error.code, code, path);
    assert.match(st.error.message, message, path);
    await p.locator('[data-kelisim-notice="error"]').waitFor();
    assert.equal(await p.locator('[data-kelisim-banner]').count(), 0, `${path}: no banner`);
    assert.equal(await p.evaluate(() => window.__ran === true), false, `${path}: nothing gated ran`);
    assert.deepEqual(await p.evaluate(() => window.__csp), [], path);
    await context.close();
  }
});

// ---- [issue 14] the one-file bundle (`kelisim build --bundle`) ------------------------------

/** Notes when the banner enters the document (window.__bannerAt, performance.now()). */
const BANNER_AT = () => {
  new MutationObserver((_, o) => {
    if (document.querySelector('[data-kelisim-banner]')) { window.__bannerAt = performance.now(); o.disconnect(); }
  }).observe(document, { childList: true, subtree: true });
};

/** Opens `path`, waits for the banner; the files requested before it was drawn, the CSP violations, page errors. */
async function openBundlePage(path) {
  srv.route('/gated-inline.js', 'window.__ran = true;', 'text/javascript');
  const context = await browser.newContext({ locale: 'ru-RU' });
  await context.addInitScript(CSP_WATCH);
  await context.addInitScript(BANNER_AT);
  const p = await context.newPage();
  const errors = [];
  p.on('pageerror', (e) => errors.push(e.message));
  const from = srv.requests.length;
  await p.goto(srv.url + path);
  await p.locator('[data-kelisim-banner]').waitFor();
  const atBanner = await p.evaluate(() => performance.getEntriesByType('resource')
    .filter((r) => r.startTime < window.__bannerAt).map((r) => new URL(r.name).pathname));
  return { context, p, errors, atBanner, requests: () => srv.requests.slice(from) };
}

test('bundle.html: one script tag; the banner needs no request but kelisim-bundle.js, and works (texts from the policy folder, consent module from kelisim-url)', async () => {
  assert.match(bundleTag, /^<!-- kelisim, in <head>: .*'sha256-[A-Za-z0-9+/]+=*' to style-src .* -->\n<script src="\/site-policies\/neupusti\/kelisim-bundle\.js" defer><\/script>\n$/);
  page('/bundle.html', bundleTag, null);
  const { context, p, errors, atBanner, requests } = await openBundlePage('/bundle.html');
  assert.deepEqual(atBanner, ['/site-policies/neupusti/kelisim-bundle.js'], 'the only request before the banner');
  // Styled by the bundle's own stylesheet, put in a <style data-kelisim-css> (no link to it).
  assert.equal(await p.evaluate(() => document.querySelectorAll('style[data-kelisim-css]').length), 1);
  assert.equal(await p.evaluate(() => getComputedStyle(document.querySelector('[data-kelisim-banner]')).position), 'fixed');
  assert.equal(await p.evaluate(() => 'kelisimBundle' in window), false, 'the global is removed once read');
  const st = await p.evaluate(() => window.kelisim.ready.then((k) => k.state()));
  assert.equal(st.status, 'ready');
  assert.equal(st.policyId, 'neupusti');
  assert.equal(await p.evaluate(() => window.__ran === true), false, 'nothing gated ran before consent');
  await p.click('[data-kelisim-banner] [data-kelisim-action="settings"]');
  await p.locator('[data-kelisim-preferences]').waitFor();
  await p.click('[data-kelisim-preferences] [data-kelisim-action="accept-all"]');
  await p.waitForFunction(() => window.__ran === true);
  const after = requests();
  for (const u of ['/dist/kelisim-consent-banner.wasm', '/dist/kelisim-more.mjs', '/dist/kelisim-prefs.css', '/site-policies/neupusti/1/texts.json']) {
    assert.ok(after.includes(u), `${u} requested: ${after.join(', ')}`);
  }
  for (const u of ['/dist/kelisim.js', '/dist/kelisim-banner.css', '/site-policies/neupusti/manifest.json']) {
    assert.ok(!after.includes(u), `${u} not requested: ${after.join(', ')}`);
  }
  // The second layer's stylesheet cascades after the banner's, as kelisim.css would.
  assert.equal(await p.evaluate(() => {
    const s = document.querySelector('style[data-kelisim-css]');
    const l = [...document.querySelectorAll('link[rel="stylesheet"]')].find((x) => x.href.endsWith('/kelisim-prefs.css'));
    return !!(s.compareDocumentPosition(l) & Node.DOCUMENT_POSITION_FOLLOWING);
  }), true);
  assert.deepEqual(await p.evaluate(() => window.__csp), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('bundle.html under a strict CSP: with its style hash nothing is refused; without it the stylesheet is linked instead and the banner still works', async () => {
  const hash = /'sha256-[A-Za-z0-9+/]+=*'/.exec(bundleTag)[0];
  page('/bundle-hash.html', bundleTag, STRICT.replace("style-src 'self'", `style-src 'self' ${hash}`));
  let o = await openBundlePage('/bundle-hash.html');
  assert.deepEqual(o.atBanner, ['/site-policies/neupusti/kelisim-bundle.js']);
  await o.p.click('[data-kelisim-banner] [data-kelisim-action="accept-all"]');
  await o.p.waitForFunction(() => window.__ran === true);
  assert.deepEqual(await o.p.evaluate(() => window.__csp), []);
  assert.deepEqual(o.errors, []);
  await o.context.close();

  page('/bundle-strict.html', bundleTag);
  o = await openBundlePage('/bundle-strict.html');
  assert.ok(o.atBanner.includes('/dist/kelisim-banner.css'), `the stylesheet linked: ${o.atBanner.join(', ')}`);
  assert.equal(await o.p.evaluate(() => document.querySelectorAll('style[data-kelisim-css]').length), 0, 'the refused <style> is taken out');
  assert.equal(await o.p.evaluate(() => getComputedStyle(document.querySelector('[data-kelisim-banner]')).position), 'fixed', 'styled by the linked sheet');
  assert.deepEqual(await o.p.evaluate(() => window.__csp.map((v) => v.split(' ')[0])), ['style-src-elem'], 'the one refusal: the bundle\'s <style>');
  assert.equal(await o.p.evaluate(() => window.__ran === true), false);
  await o.p.click('[data-kelisim-banner] [data-kelisim-action="accept-all"]');
  await o.p.waitForFunction(() => window.__ran === true);
  assert.deepEqual(o.errors, []);
  await o.context.close();
});

test('a damaged bundle (no manifest in it) fails closed with a clear error; nothing gated runs', async () => {
  const file = join(tmp, 'policies/neupusti/kelisim-bundle.js');
  const broken = readFileSync(file, 'utf8').replace(',"policy":{', ',"policy":null,"manifest":{');
  assert.notEqual(broken, readFileSync(file, 'utf8'));
  srv.route('/broken/kelisim-bundle.js', broken, 'text/javascript; charset=utf-8');
  page('/bundle-broken.html', '<script src="/broken/kelisim-bundle.js" defer></script>', null);
  srv.route('/gated-inline.js', 'window.__ran = true;', 'text/javascript');
  const context = await browser.newContext({ locale: 'ru-RU' });
  const p = await context.newPage();
  await p.goto(srv.url + '/bundle-broken.html');
  const st = await p.evaluate(() => window.kelisim.ready.then((k) => k.state()));
  assert.equal(st.status, 'error');
  assert.equal(st.error.code, 'manifest-invalid');
  assert.match(st.error.message, /bundle .* holds no policy manifest/);
  await p.locator('[data-kelisim-notice="error"]').waitFor();
  assert.equal(await p.locator('[data-kelisim-banner]').count(), 0);
  assert.equal(await p.evaluate(() => window.__ran === true), false);
  await context.close();
});
