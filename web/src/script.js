// Script-tag entry (dist/kelisim.js):
//   <script src="/kelisim/kelisim.js" data-policy="/policies/acme/manifest.json" defer></script>
// Finds kelisim-consent-banner.wasm and its stylesheets next to itself, reads its options from data-*
// attributes (and, for structured ones such as `strings` or `cookies`, from
// `window.kelisimConfig` set before it), and exposes the controller as `window.kelisim`.
import { loadConsentCore as loadCore } from './engine/core.js';
import { createController, startLoading } from './controller.js';
import { injectCss, linkedCss } from './ui/lazy-css.js';
import { KelisimError } from './engine/errors.js';

const me = document.currentScript;
// [issue 14] A site's one-file build (`kelisim build --bundle`, docs/embedding.md) is
// dist/kelisim-bundled.js (this entry with __KELISIM_BUNDLE__; kelisim.js carries none of it)
// after `self.kelisimBundle = { base, url, policy, css }`: where kelisim's other files are, the
// manifest's address, the manifest and the banner's stylesheet, so the banner needs no request
// but this file's.
const bundle = typeof __KELISIM_BUNDLE__ !== 'undefined' && __KELISIM_BUNDLE__ ? window.kelisimBundle || {} : null;
if (bundle) delete window.kelisimBundle;
const base = bundle && typeof bundle.base === 'string' ? new URL(bundle.base, document.baseURI).href : (me && me.src) || document.baseURI;
const d = (me && me.dataset) || {};
const flag = (v) => v === undefined ? undefined : v !== 'false';
const num = (v) => v === undefined || v === '' ? undefined : Number(v);
const cfg = window.kelisimConfig || {};

const options = {
  policy: d.policy,
  policyUrl: d.policyUrl,
  reportUrl: d.reportUrl,
  lang: d.lang,
  layout: d.layout,
  theme: d.theme,
  storage: d.storage,
  autoShow: flag(d.autoShow),
  gating: flag(d.gating),
  respectGpc: flag(d.respectGpc),
  consentMode: flag(d.consentMode),
  // Only the exact opt-in turns test overrides on (a URL must never grant consent otherwise).
  testOverrides: d.testOverrides === 'true' || undefined,
  cookie: { name: d.cookieName, domain: d.cookieDomain, path: d.cookiePath, sameSite: d.cookieSameSite, maxAgeDays: num(d.cookieMaxAgeDays) },
  ...cfg,
};
for (const k in options) if (options[k] === undefined) delete options[k];

/**
 * The bundle's banner stylesheet as <style data-kelisim-css> (what a banner in the page carries),
 * so the second layer's, linked after it, cascades as kelisim.css would. False when there is
 * none, or when the page's Content-Security-Policy refused it (a strict `style-src` without the
 * hash `kelisim build --bundle` prints): the stylesheet is linked then, one request more.
 */
function bundled(b) {
  if (!b || typeof b.css !== 'string') return false;
  const s = document.createElement('style');
  s.setAttribute('data-kelisim-css', '');
  s.textContent = b.css;
  document.head.append(s);
  if (s.sheet && s.sheet.cssRules.length) return true;
  s.remove();
  return false;
}
/** The bundle's manifest, as startLoading() gives one (a damaged bundle fails closed). */
function bundledLoading(b) {
  const manifest = (async () => {
    if (!b.policy || !Array.isArray(b.policy.categories)) throw new KelisimError('manifest-invalid', 'kelisim: the bundle (kelisim build --bundle) holds no policy manifest');
    return { manifest: b.policy, url: new URL(b.url, document.baseURI).href };
  })();
  manifest.catch(() => {});   // handled in the controller's start()
  return { manifest };
}

// kelisim.css is banner + preferences. When the page links it (next to this script) or
// names a stylesheet in data-css, that one is used; otherwise the script loads it in two
// parts: the banner's now, the preferences dialog's with the second layer (kelisim-more.mjs).
// [issue 14] A page with a prerendered banner (web/src/prerender.js) carries the banner's
// stylesheet in a <style data-kelisim-css>, and a bundle puts its own there (bundled()): only
// the second layer's is loaded then.
const full = new URL('kelisim.css', base).href;
const linked = !!linkedCss(full);
const css = d.css === 'false' || document.querySelector('style[data-kelisim-css]') || (!d.css && !linked && bundled(bundle)) ? null
  : new URL(d.css || (linked ? full : 'kelisim-banner.css'), base);
const moreCss = d.css || linked ? null : new URL('kelisim-prefs.css', base).href;

// The manifest and the stylesheet are requested first, before the controller is set up: they
// are the banner's critical path (issuing a request costs the main thread a few milliseconds,
// tens at 4× CPU throttle). The controller requests the consent wasm: at once for a returning
// visitor, after the manifest on a first visit, whose banner does not wait for it.
const env = { loadCore, base, css: css && css.href, moreCss };
env.loading = bundle ? bundledLoading(bundle) : startLoading(options);
env.cssReady = css ? injectCss(css) : null;
window.kelisim = createController(options, Object.assign(env, {
  receipt: new URL('kelisim-receipt.mjs', base).href,
  more: new URL('kelisim-more.mjs', base).href,
  report: new URL('kelisim-report.mjs', base).href,
  viewer: typeof __KELISIM_VIEWER__ !== 'undefined' && __KELISIM_VIEWER__ ? new URL('kelisim-viewer.mjs', base).href : null,
}));
