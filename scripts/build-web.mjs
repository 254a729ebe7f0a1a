#!/usr/bin/env node
// Builds the web distributables into dist/ (called by scripts/build.sh):
//   kelisim.js   IIFE for <script src data-policy> (web/src/script.js)
//   kelisim-bundled.js  the same with a site's manifest and banner stylesheet put in front by
//                `kelisim build --bundle` (web/src/script.js, __KELISIM_BUNDLE__)
//   kelisim.mjs  ESM for bundlers (web/src/index.js)
//   kelisim-receipt.mjs  receipt() and the report sender, loaded lazily (web/src/receipt.js)
//   kelisim-more.mjs  the banner's second layer, loaded lazily (web/src/ui/more.js)
//   kelisim-report.mjs  the report outbox, loaded at start with reportUrl only (web/src/reporting.js)
//   kelisim-viewer.mjs  the lazily loaded policy viewer, once web/src/ui/viewer.js exists
//   kelisim-embeds.mjs + kelisim-embeds.css  embed placeholders, loaded only on pages with
//                       data-kelisim-src (web/src/embeds/)
//   kelisim.css (= kelisim-banner.css + kelisim-prefs.css), kelisim.d.ts
// The consent wasm (dist/kelisim-consent-banner.wasm, the page's; dist/kelisim-consent.wasm, the
// headless core's) is put there by the CMake wasm build.
import { build } from 'esbuild';
import { minify } from 'terser';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const src = (p) => join(root, 'web/src', p);
mkdirSync(dist, { recursive: true });

// kelisim.js and kelisim.mjs run only in browsers (the Node API is web/src/engine/core.js):
// engine/loader.js's Node branch (`file:` URLs read with node:fs) gets an empty stub there, so
// the npm entry does not name node:fs (webpack refuses `node:` imports for the web) and the
// IIFE does not carry esbuild's unused require/ESM-interop helpers (~250 B gzip). The lazily
// loaded parts keep the branch (a stub costs them esbuild's lazy-init wrapper).
const browserOnly = {
  name: 'kelisim-browser-only',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (a) => ({ path: a.path, namespace: 'kelisim-no-node' }));
    // An empty module: a file: wasm URL then fails closed as 'wasm-load' (naming the URL).
    b.onLoad({ filter: /.*/, namespace: 'kelisim-no-node' }, () => ({ contents: 'export {}', loader: 'js' }));
  },
};

// ...and the loader's `file:` branch is dropped from them altogether (no lazy-init wrapper
// for the stub either).
const browserDefine = { __KELISIM_BROWSER__: 'true' };

const hasViewer = existsSync(src('ui/viewer.js'));
const common = {
  bundle: true,
  minify: true,
  target: ['es2020', 'chrome90', 'firefox90', 'safari15'],
  legalComments: 'none',
  // Russian and Kazakh strings as UTF-8, not \uXXXX escapes (5 KB less, 80 B less gzip). Module
  // scripts are always decoded as UTF-8; kelisim.js gets a byte order mark (below), which
  // browsers honour before any page or header encoding (a windows-1251 page, a server without
  // `charset`).
  charset: 'utf8',
  // `_`-prefixed internals are renamed; `_initialize` is a wasm export name and must stay.
  mangleProps: /^_[a-z]/,
  reserveProps: /^_initialize$/,
  define: { __KELISIM_VIEWER__: String(hasViewer), __KELISIM_BUNDLE__: 'false' },
  logLevel: 'warning',
};

// The script-tag entry (web/src/script.js) as an IIFE. An IIFE has no import.meta; should any
// bundled code ever read import.meta.url, give it a valid base (script.js itself resolves the
// wasm and the parts against its own src).
const scriptTag = (outfile, bundle) => build({
  ...common, entryPoints: [src('script.js')], format: 'iife', outfile: join(dist, outfile),
  define: { ...common.define, ...browserDefine, 'import.meta.url': 'location.href', __KELISIM_BUNDLE__: String(bundle) }, plugins: [browserOnly],
});

await Promise.all([
  scriptTag('kelisim.js', false),
  // [issue 14] The same entry with a site's manifest and banner stylesheet in front
  // (script.js, `kelisim build --bundle`): what the CLIs put after that line. Not for pages.
  scriptTag('kelisim-bundled.js', true),
  build({ ...common, entryPoints: [src('index.js')], format: 'esm', outfile: join(dist, 'kelisim.mjs'), define: { ...common.define, ...browserDefine }, plugins: [browserOnly] }),
  // receipt() and the report sender, loaded only when used (the outbox is kelisim-report.mjs).
  build({ ...common, entryPoints: [src('receipt.js')], format: 'esm', outfile: join(dist, 'kelisim-receipt.mjs') }),
  // The banner's second layer (preferences dialog, its strings), loaded lazily by both banner
  // entries; browser-only like them.
  build({ ...common, entryPoints: [src('ui/more.js')], format: 'esm', outfile: join(dist, 'kelisim-more.mjs'), plugins: [browserOnly] }),
  // The report outbox (events built and queued at once), loaded at start with reportUrl only.
  build({ ...common, entryPoints: [src('reporting.js')], format: 'esm', outfile: join(dist, 'kelisim-report.mjs'), plugins: [browserOnly] }),
  hasViewer && build({ ...common, entryPoints: [src('ui/viewer.js')], format: 'esm', outfile: join(dist, 'kelisim-viewer.mjs') }),
  // [issue 12] embed placeholders and their stylesheet (linked into each embed's own frame).
  build({ ...common, entryPoints: [src('embeds/embeds.js')], format: 'esm', outfile: join(dist, 'kelisim-embeds.mjs') }),
  build({ entryPoints: [src('embeds/embeds.css')], minify: true, outfile: join(dist, 'kelisim-embeds.css'), logLevel: 'warning' }),
  // [issue 5] the update notices and the viewer/notice stylesheet, both loaded lazily.
  hasViewer && build({ ...common, entryPoints: [src('ui/notice.js')], format: 'esm', outfile: join(dist, 'kelisim-notice.mjs') }),
  hasViewer && build({ entryPoints: [src('ui/viewer.css')], minify: true, outfile: join(dist, 'kelisim-viewer.css'), logLevel: 'warning' }),
  // kelisim.css = banner.css + prefs.css (for sites that link or bundle it); the script tag
  // loads the parts: kelisim-banner.css at once, kelisim-prefs.css with the second layer.
  build({ entryPoints: [src('ui/kelisim.css')], bundle: true, minify: true, outfile: join(dist, 'kelisim.css'), logLevel: 'warning' }),
  build({ entryPoints: [src('ui/banner.css')], minify: true, outfile: join(dist, 'kelisim-banner.css'), logLevel: 'warning' }),
  build({ entryPoints: [src('ui/prefs.css')], minify: true, outfile: join(dist, 'kelisim-prefs.css'), logLevel: 'warning' }),
]);
// A second pass with terser over what visitors load: its compressor and top-level mangling
// take another ~4% (~450 B gzip on kelisim.js) off esbuild's output. Safe options only (no
// `unsafe*`); ES modules keep their export names.
const shipped = ['kelisim.js', 'kelisim-bundled.js', 'kelisim.mjs', 'kelisim-more.mjs', 'kelisim-report.mjs', 'kelisim-receipt.mjs', 'kelisim-viewer.mjs', 'kelisim-notice.mjs', 'kelisim-embeds.mjs'];
await Promise.all(shipped.filter((f) => existsSync(join(dist, f))).map(async (f) => {
  const code = readFileSync(join(dist, f), 'utf8').replace(/^\uFEFF/, '');
  const out = await minify(code, {
    ecma: 2020, module: f.endsWith('.mjs'), toplevel: true,
    compress: { passes: 2 }, mangle: true, format: { ascii_only: false, comments: false },
  });
  writeFileSync(join(dist, f), out.code);
}));
// kelisim.js: the byte order mark (see `charset` above), then V8's explicit compile hint
// (https://v8.dev/blog/explicit-compile-hints): most of the script runs while the page loads,
// so Chromium compiles its functions eagerly, off the main thread while the script streams,
// instead of one by one on the main thread at first call (the script's evaluation at 4× CPU
// throttle measured ~55 ms instead of ~66–120 ms on this machine). Other engines ignore it.
// kelisim-bundled.js gets the same first line: the CLIs put a site's manifest and stylesheet
// right after it (V8 reads the hint only at the top of a script).
for (const name of ['kelisim.js', 'kelisim-bundled.js']) {
  const f = join(dist, name);
  const code = readFileSync(f, 'utf8').replace(/^\uFEFF/, '').replace(/^\/\/# allFunctionsCalledOnLoad\n/, '');
  writeFileSync(f, '\uFEFF//# allFunctionsCalledOnLoad\n' + code);
}
copyFileSync(join(root, 'web/types/kelisim.d.ts'), join(dist, 'kelisim.d.ts'));

const gz = (f) => existsSync(join(dist, f)) ? gzipSync(readFileSync(join(dist, f)), { level: 9 }).length : 0;
const rows = ['kelisim.js', 'kelisim.mjs', 'kelisim-more.mjs', 'kelisim-report.mjs', 'kelisim.css', 'kelisim-banner.css', 'kelisim-prefs.css', 'kelisim-consent-banner.wasm', 'kelisim-consent.wasm', 'kelisim-receipt.mjs', 'kelisim-viewer.mjs', 'kelisim-notice.mjs', 'kelisim-viewer.css', 'kelisim-embeds.mjs', 'kelisim-embeds.css', 'kelisim-policy.wasm', 'kelisim-policy-tools.wasm'].filter((f) => existsSync(join(dist, f)));
console.log('web dist: ' + rows.map((f) => `${f} ${statSync(join(dist, f)).size} B (${gz(f)} B gzip)`).join(', '));
