// npm entry: `import { createKelisim } from 'kelisim'`. The stylesheet is not injected here:
// import 'kelisim/kelisim.css' with your bundler, link dist/kelisim.css, or pass `css`.
import { loadConsentCore as loadCore } from './engine/core.js';
import { createController } from './controller.js';
import { injectCss } from './ui/lazy-css.js';

export { KelisimError } from './engine/errors.js';

/**
 * Creates the consent controller for a page (see types/kelisim.d.ts for every option).
 * The consent wasm is looked up next to this file unless `consentWasm` says otherwise.
 */
export function createKelisim(options = {}) {
  const base = import.meta.url;
  return createController(options, {
    loadCore,
    base,
    cssReady: options.css ? injectCss(new URL(options.css, document.baseURI)) : null,
    receipt: new URL('kelisim-receipt.mjs', base).href,
    more: new URL('kelisim-more.mjs', base).href,
    report: new URL('kelisim-report.mjs', base).href,
    // Set by scripts/build-web.mjs once the viewer (web/src/ui/viewer.js) exists.
    viewer: typeof __KELISIM_VIEWER__ !== 'undefined' && __KELISIM_VIEWER__ ? new URL('kelisim-viewer.mjs', base).href : null,
  });
}
