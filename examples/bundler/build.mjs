#!/usr/bin/env node
// Bundles the example app the way a site would: esbuild resolves `kelisim` through the
// package's "exports" (here the repository itself; in a real app, node_modules/kelisim).
//   node examples/bundler/build.mjs [outDir]   (default: build/bundler-example)
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const out = resolve(process.argv[2] || join(repo, 'build/bundler-example'));
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: join(here, 'src/app.js') },
  bundle: true,
  splitting: true,
  format: 'esm',
  minify: true,
  outdir: out,
  logLevel: 'warning',
});
// kelisim finds its wasm next to the bundle that imported it: the banner build of the consent
// module (only what the page calls; dist/kelisim-consent.wasm is the headless core's).
copyFileSync(join(repo, 'dist/kelisim-consent-banner.wasm'), join(out, 'kelisim-consent-banner.wasm'));
copyFileSync(join(here, 'index.html'), join(out, 'index.html'));
console.log('bundler example built in ' + out);
