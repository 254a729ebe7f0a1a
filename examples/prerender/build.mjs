#!/usr/bin/env node
// A page rendered with kelisim's banner in it (docs/embedding.md, "The banner in the page"):
// what a server or a static-site build does with `kelisim/prerender`. The banner is painted
// with the page's first frames; kelisim.js takes it over once it has run.
//
//   node examples/prerender/build.mjs <manifest.json> <manifest URL> <out.html> [kelisim URL]
//   e.g. node examples/prerender/build.mjs public/policies/acme/manifest.json \
//          /policies/acme/manifest.json public/index.html /kelisim/
//
// Prints the Content-Security-Policy the page needs (kelisim's files from 'self', the two inline
// parts by hash). tests/browser/prerender.test.js renders its pages with renderPage().
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { prerenderBanner } from '../../web/src/prerender.js';   // a site: from 'kelisim/prerender'

/**
 * The page: the manifest in a JSON data block (as `kelisim build … --kelisim-url` writes to
 * inline.html), the prerendered banner's head and body, kelisim.js, and a script it gates.
 * `options`: prerenderBanner()'s (lang, strings, storage, …), plus `kelisimUrl` (where kelisim's
 * dist/ files are served), `head` (more for <head>) and `main` (the page's content).
 */
export function renderPage(manifest, manifestUrl, options = {}) {
  const { kelisimUrl = '/kelisim/', head = '', main = '<main><h1>Acme</h1><p>…</p></main>', ...o } = options;
  const lang = o.lang || manifest.lang || 'ru';
  const pre = prerenderBanner(manifest, { ...o, lang, manifestUrl });
  const attr = (s) => String(s).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  const storage = o.storage && o.storage !== 'both' ? ` data-storage="${attr(o.storage)}"` : '';
  const cookie = o.cookieName ? ` data-cookie-name="${attr(o.cookieName)}"` : '';
  const html = `<!doctype html>
<html lang="${attr(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${attr(manifest.controller || 'Page')}</title>${head}
${pre.head}<script type="application/json" id="kelisim-policy" data-url="${attr(manifestUrl)}">${JSON.stringify(manifest).replace(/</g, '\\u003c')}</script>
<script src="${attr(kelisimUrl)}kelisim.js" data-policy="#kelisim-policy"${storage}${cookie} defer></script>
</head><body>
${pre.body}${main}
<script type="text/plain" data-kelisim-category="marketing" src="/js/marketing.js"></script>
</body></html>
`;
  const csp = `default-src 'self'; script-src 'self' 'wasm-unsafe-eval' ${pre.csp.scriptSrc}; style-src 'self' ${pre.csp.styleSrc}; img-src 'self' data:`;
  return { html, csp, pre };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, url, out, kelisimUrl] = process.argv.slice(2);
  if (!out) {
    console.error('usage: node examples/prerender/build.mjs <manifest.json> <manifest URL> <out.html> [kelisim URL]');
    process.exit(2);
  }
  const { html, csp } = renderPage(JSON.parse(readFileSync(file, 'utf8')), url, kelisimUrl ? { kelisimUrl } : {});
  writeFileSync(out, html);
  console.log(`${out}: the banner in the page\nContent-Security-Policy: ${csp}`);
}
