// What `kelisim build --kelisim-url <url> --policies-url <url>` writes for a site's pages
// (preload.html, inline.html and, with --bundle, bundle.html and kelisim-bundle.js), the same
// bytes as the native CLI's (tools/kelisim_cli.cpp).
//
// [issue 14] `kelisim build --bundle <dist-dir>`: one file per site with kelisim's banner
// script, the policy's manifest and the banner's stylesheet, so that a page with one script tag
// draws its banner after one request (the bare tag requests the manifest and the stylesheet
// only once kelisim.js has run: one more round trip, ~150 ms on slow 4G). The same bytes as the
// native CLI's bundleScript() and bundleTags() (tools/kelisim_cli.cpp).
import { createHash } from 'node:crypto';

/** The addresses `kelisim build --kelisim-url --policies-url` writes: kelisim's dist/ folder, the policy's folder. */
export const siteUrls = (kelisimUrl, policiesUrl, slug) => {
  const dir = (u) => (u.endsWith('/') ? u : u + '/');
  return { k: dir(kelisimUrl), p: dir(policiesUrl) + slug + '/' };
};

/** dist/kelisim-bundled.js's first line, after which a site's part goes. */
export const isBundleTemplate = (t) => t.startsWith('\uFEFF//# allFunctionsCalledOnLoad\n');

/**
 * kelisim-bundle.js: dist/kelisim-bundled.js with, after its first line (the byte order mark
 * and V8's compile hint, which must stay at the top), `self.kelisimBundle = { base, url, css,
 * policy }` (web/src/script.js reads it). `manifest`: the built manifest.json text.
 */
export function bundleScript(template, css, manifest, kelisimUrl, policiesUrl, slug) {
  const { k, p } = siteUrls(kelisimUrl, policiesUrl, slug);
  if (!isBundleTemplate(template)) throw new Error('not kelisim-bundled.js');
  const nl = template.indexOf('\n');
  const head = `self.kelisimBundle={"base":${JSON.stringify(k)},"url":${JSON.stringify(p + 'manifest.json')},` +
    `"css":${JSON.stringify(css)},"policy":${manifest.replace(/\n+$/, '')}};\n`;
  return template.slice(0, nl + 1) + head + template.slice(nl + 1);
}

/** bundle.html: the one tag for the site's pages, and the hash a strict CSP allows the banner's stylesheet by. */
export function bundleTags(css, policiesUrl, slug) {
  const { p } = siteUrls('', policiesUrl, slug);
  const hash = createHash('sha256').update(css, 'utf8').digest('base64');
  return '<!-- kelisim, in <head>: kelisim.js with this policy\'s manifest and the banner\'s stylesheet in one file ' +
    '(write it again with each build of the policy and each kelisim update); under a strict CSP, add \'sha256-' + hash +
    '\' to style-src for its stylesheet (without it the stylesheet is requested: one round trip more) -->\n' +
    `<script src="${attr(p)}kelisim-bundle.js" defer></script>\n`;
}

/** Text as an HTML attribute value (between double quotes). */
const attr = (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/**
 * preload.html for one built policy: its manifest preloaded as fetch() requests it
 * (`crossorigin`: CORS mode, same-origin credentials, else the browser fetches it twice) and the
 * banner's stylesheet as a style, then the script tag itself. Not the consent wasm: a first
 * visit draws its banner without it, and on slow 4G its bytes, fetched alongside, delayed the
 * banner (bench/results, session 6: 0.83× vanilla-cookieconsent without it, 0.94× with it,
 * 0.89× at fetchpriority=low); kelisim.js requests it at once on a return visit. The same
 * bytes as the native CLI's preloadTags().
 */
export function preloadTags(kelisimUrl, policiesUrl, slug) {
  const { k, m } = headUrls(kelisimUrl, policiesUrl, slug);
  return '<!-- kelisim, in <head>: the banner\'s manifest and stylesheet are requested with the page, not after kelisim.js has run -->\n' +
    `<link rel="preload" href="${m}" as="fetch" crossorigin>\n` +
    `<link rel="preload" href="${k}kelisim-banner.css" as="style">\n` +
    `<script src="${k}kelisim.js" data-policy="${m}" defer></script>\n`;
}

/**
 * inline.html for one built policy: the manifest itself in the page, a JSON data block that a
 * strict CSP allows (`<` written as \u003c, so no text in the policy can end the element), its
 * address in data-url; then the stylesheet preloaded and the script tag. The banner then waits
 * for no request but its stylesheet (bench/results, session 7: 0.70× vanilla-cookieconsent at 4×
 * CPU and 0.71× on the phone, against 0.86× and 0.77× with preload.html). The page must carry
 * the manifest of the policy's current build. The same bytes as the native CLI's inlineTags().
 */
export function inlineTags(kelisimUrl, policiesUrl, slug, manifest) {
  const { k, m } = headUrls(kelisimUrl, policiesUrl, slug);
  return '<!-- kelisim, in <head>: the policy manifest in the page (replace it with each build of the policy) and the banner\'s stylesheet requested with the page -->\n' +
    `<script type="application/json" id="kelisim-policy" data-url="${m}">${manifest.replace(/\n+$/, '').replace(/</g, '\\u003c')}</script>\n` +
    `<link rel="preload" href="${k}kelisim-banner.css" as="style">\n` +
    `<script src="${k}kelisim.js" data-policy="#kelisim-policy" defer></script>\n`;
}

/** The head tags' URLs, as attribute values: k, kelisim's dist/ folder; m, the policy's manifest. */
function headUrls(kelisimUrl, policiesUrl, slug) {
  const { k, p } = siteUrls(kelisimUrl, policiesUrl, slug);
  return { k: attr(k), m: attr(p + 'manifest.json') };
}
