// [issue 14] prerenderBanner() (web/src/prerender.js): the banner's HTML for a page's first
// paint. Its behaviour in the page is tests/browser/prerender.test.js; here, what it writes:
// escaped text, safe links, the languages, the hashes of what it inlines, and clear errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { prerenderBanner } from '../../web/src/prerender.js';
import { STRINGS } from '../../web/src/ui/i18n.js';

const manifest = JSON.parse(readFileSync(new URL('../fixtures/manifests/demo-v1.json', import.meta.url), 'utf8'));
const sha = (s) => "'sha256-" + createHash('sha256').update(s).digest('base64') + "'";

test('the first layer in the page\'s language, with kelisim\'s strings, hidden until the inline check shows it', () => {
  for (const lang of ['ru', 'kk', 'en']) {
    const { body } = prerenderBanner(manifest, { lang });
    assert.match(body, new RegExp(`^<div class="kelisim" lang="${lang}" data-kelisim-prerendered="kelisim-demo@1"><section class="kelisim-banner kelisim-bar" role="dialog"`));
    for (const k of ['title', 'acceptAll', 'rejectAll', 'settings', 'policy']) assert.ok(body.includes(`>${STRINGS[lang][k]}<`), `${lang} ${k}`);
    assert.equal((body.match(/data-kelisim-action="/g) || []).length, 3);
    assert.doesNotMatch(body, /data-kelisim-root/, 'not kelisim\'s root: tools looking for it find kelisim.js\'s own');
  }
  const box = prerenderBanner(manifest, { lang: 'kk-KZ', layout: 'box', theme: 'dark' }).body;
  assert.match(box, /^<div class="kelisim kelisim-dark" lang="kk"/);
  assert.match(box, /class="kelisim-banner kelisim-box"/);
});

test('site strings and addresses are escaped; a link that is not http(s) is left out', () => {
  const evil = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
  const { body } = prerenderBanner({ ...manifest, policyUrl: '/p?a=1&b="x"' }, { lang: 'ru', strings: { ru: { title: evil, acceptAll: '<b>да</b>' } } });
  assert.doesNotMatch(body, /<script|<img|<b>/);
  assert.ok(body.includes('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;'));
  assert.ok(body.includes('href="/p?a=1&amp;b=&quot;x&quot;"'));
  for (const bad of ['javascript:alert(1)', ' JavaScript:alert(1)', 'data:text/html,<b>']) {
    assert.doesNotMatch(prerenderBanner({ ...manifest, policyUrl: bad }, { lang: 'ru' }).body, /href=|data-kelisim-policy-link/, bad);
  }
  // Resolved against the manifest's address when given, as kelisim.js resolves it.
  assert.match(prerenderBanner(manifest, { manifestUrl: 'https://acme.kz/policies/acme/manifest.json' }).body, /href="https:\/\/acme\.kz\/policy\.html"/);
  const rel = (policyUrl, manifestUrl) => /href="([^"]*)"/.exec(prerenderBanner({ ...manifest, policyUrl }, { manifestUrl }).body)?.[1];
  assert.equal(rel('privacy.html', '/policies/acme/manifest.json'), '/policies/acme/privacy.html');
  assert.equal(rel('../p?x=1#a', '/policies/acme/manifest.json'), '/policies/p?x=1#a');
  assert.equal(rel('privacy.html', undefined), 'privacy.html');
  assert.equal(rel('https://acme.kz/p', '/policies/acme/manifest.json'), 'https://acme.kz/p');
  assert.equal(rel('/p', 'https://acme.kz/policies/m.json'), 'https://acme.kz/p');
  // The site's own policyUrl option is resolved against the page, as kelisim.js does.
  assert.match(prerenderBanner(manifest, { policyUrl: 'privacy.html', manifestUrl: '/policies/acme/manifest.json' }).body, /href="privacy\.html"/);
  assert.match(prerenderBanner(manifest, { policyUrl: 'javascript:x()', manifestUrl: '/policies/acme/manifest.json' }).body, /href="\/policy\.html"/);
});

test('the CSP hashes are those of the inline style and script it writes; the check looks for the cookie name it is given', () => {
  const pre = prerenderBanner(manifest, { cookieName: 'acme_consent' });
  const style = /<style data-kelisim-css>([\s\S]*)<\/style>/.exec(pre.head)[1];
  const script = /<script>([\s\S]*)<\/script>/.exec(pre.head)[1];
  assert.equal(style, readFileSync(new URL('../../dist/kelisim-banner.css', import.meta.url), 'utf8'));
  assert.equal(pre.csp.styleSrc, sha(style));
  assert.equal(pre.csp.scriptSrc, sha(script));
  assert.match(script, /\(document,"acme_consent"\)$/);
  assert.notEqual(prerenderBanner(manifest).csp.scriptSrc, pre.csp.scriptSrc);
  // Where it looks: the cookie by default (not localStorage, whose opening costs the page's
  // parsing), localStorage for storage: 'localStorage', nowhere for 'memory'.
  const at = (storage) => /<script>([\s\S]*)<\/script>/.exec(prerenderBanner(manifest, { storage }).head)[1];
  assert.match(at(undefined), /d\.cookie/);
  assert.doesNotMatch(at(undefined), /localStorage/);
  assert.equal(at('cookie'), at('both'));
  assert.match(at('localStorage'), /localStorage\.getItem/);
  assert.doesNotMatch(at('localStorage'), /cookie/);
  assert.doesNotMatch(at('memory'), /cookie|localStorage/);
});

test('bad input: a clear error', () => {
  assert.throws(() => prerenderBanner(null), /a manifest \(with id and version\) is needed/);
  assert.throws(() => prerenderBanner({ id: 'x' }), /with id and version/);
  assert.throws(() => prerenderBanner(manifest, { lang: 'de' }), /lang must be one of ru, kk, en, not de/);
  assert.throws(() => prerenderBanner(manifest, { cookieName: 'a"</script>' }), /is not a plain token/);
  assert.throws(() => prerenderBanner(manifest, { storage: 'session' }), /storage must be both, cookie, localStorage or memory, not session/);
  assert.throws(() => prerenderBanner(manifest, { css: 'a{}</style><script>x()</script>' }), /contains <\/style/);
});

test('the package exports it as kelisim/prerender, with every file it imports in the package', async () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  const { prerenderBanner: viaPackage } = await import('kelisim/prerender');
  assert.equal(viaPackage, prerenderBanner);
  assert.ok(pkg.files.includes(pkg.exports['./prerender'].types.slice(2)));
  // prerender.js and what it imports, transitively (relative imports only; node: built-ins).
  const seen = new Set();
  const walk = (url) => {
    const rel = url.pathname.slice(new URL('../../', import.meta.url).pathname.length);
    if (seen.has(rel)) return;
    seen.add(rel);
    for (const [, spec] of readFileSync(url, 'utf8').matchAll(/^import [^'"]*'([^']+)';/gm)) if (spec.startsWith('.')) walk(new URL(spec, url));
  };
  walk(new URL('../../web/src/prerender.js', import.meta.url));
  assert.deepEqual([...seen].sort(), ['web/src/prerender.js', 'web/src/ui/banner.js', 'web/src/ui/i18n.js']);
  for (const f of seen) assert.ok(pkg.files.some((p) => f === p || (p.endsWith('/') && f.startsWith(p))), `${f} is in package.json files`);
  assert.ok(pkg.files.includes('dist/'), 'dist/kelisim-banner.css, which it reads, is shipped');
});
