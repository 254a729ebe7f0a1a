// Embed placeholders (issue 12; dist/kelisim-embeds.mjs + kelisim-embeds.css). The site writes
//   <iframe data-kelisim-service="youtube" data-kelisim-src="https://www.youtube.com/embed/…"
//           width="560" height="315" title="…"></iframe>
// (no `src`: the frame stays an empty about:blank document and nothing is requested). The
// controller loads this part only when the page has an element with data-kelisim-src, and
// calls start() again whenever more may have been added (SPAs). Until the service is allowed
// (`controller.allowed(id)`; data-kelisim-category works too), the frame shows a placeholder
// (web/src/embeds/placeholder.js) with what the service is and where the data goes (from the
// policy's texts file, `services`), "Load once" (this embed, this page view, nothing stored)
// and, for a service or category the policy declares, "Always allow" (a real consent change:
// controller.set({ id: true })). When the service becomes allowed every placeholder of it
// loads; an embed that loaded while its service was allowed counts, for the controller, like a
// gated script that ran: withdrawing the service offers the reload.
import { loadTexts } from '../texts.js';
import { EMBED_STRINGS } from './strings.js';
import { drawPlaceholder, allowFailed } from './placeholder.js';

const SELECTOR = 'iframe[data-kelisim-src]';

let ctx = null;            // the first controller that started this part
let textsP = null;         // its texts file (null when it has none or it failed)
let cssP = null;           // the placeholders' stylesheet as text (null when it failed)
/** iframe → { el, id, url, state: 'new'|'shown'|'loaded', doc, sandbox } */
const embeds = new Map();

const safeUrl = (u, base) => {
  try {
    const url = new URL(u, base);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch { return null; }
};

/**
 * Starts (once) and scans the document: every `iframe[data-kelisim-src]` not yet handled gets
 * its placeholder, or loads at once when its service is already allowed. Safe to call again at
 * any time. `c`: { api, o (the controller's options), manifest, manifestUrl, gate (the script
 * gate, or null with gating off) } from the controller. Resolves when the scan is done; never rejects.
 */
export function start(c) {
  if (!ctx) {
    ctx = c;
    c.lang = c.api.state().lang;
    c.api.on('change', onChange);
    const doc = document;
    if (typeof MutationObserver === 'function') {
      // The controller's gate observes too, but only while script gating is on.
      new MutationObserver((records) => {
        if (records.some((r) => [...r.addedNodes].some((n) => n.nodeType === 1 && (n.matches(SELECTOR) || n.querySelector(SELECTOR))))) scan();
      }).observe(doc.documentElement, { childList: true, subtree: true });
    }
  }
  return scan();
}

const cssUrl = () => ctx.o.embedsCss || new URL('kelisim-embeds.css', import.meta.url).href;

async function scan() {
  textsP ||= loadTexts(ctx.manifest, ctx.manifestUrl).catch(() => null);
  // The stylesheet is fetched once, side by side with the texts, and given to every
  // placeholder frame as a constructed sheet: a <link> in each frame was one more round trip
  // after the texts (~150 ms on a phone's 4G, session 10). Should the fetch fail, each frame
  // links it instead.
  cssP ||= fetch(cssUrl(), { credentials: 'same-origin' }).then((r) => (r.ok ? r.text() : null)).catch(() => null);
  const [texts, css] = await Promise.all([textsP, cssP]);
  for (const el of document.querySelectorAll(SELECTOR)) handle(el, texts, css);
}

/** Shows, keeps or loads one embed (`css`: the stylesheet's text, or null). */
function handle(el, texts, css) {
  let e = embeds.get(el);
  if (!e) {
    e = {
      el, state: 'new',
      id: el.getAttribute('data-kelisim-service') || el.getAttribute('data-kelisim-category') || '',
      url: safeUrl(el.getAttribute('data-kelisim-src'), document.baseURI),
    };
    embeds.set(el, e);
  }
  // A bad URL (javascript:, garbage) never loads: the frame stays empty.
  if (e.state === 'loaded' || !e.url || !el.isConnected) return;
  if (e.id && ctx.api.allowed(e.id)) return load(e, true);
  const d = el.contentDocument;
  // Still showing (a frame that was moved in the DOM gets a fresh document: drawn again).
  if (e.state === 'shown' && d && d === e.doc && d.querySelector('[data-kelisim-embed]')) return;
  if (!d) {
    // sandbox without allow-same-origin: the empty document is opaque to us. Lift the sandbox
    // for the placeholder (kelisim's own content) and put it back before the embed loads.
    if (e.sandbox !== undefined || !el.hasAttribute('sandbox')) return;
    e.sandbox = el.getAttribute('sandbox');
    el.removeAttribute('sandbox');
    el.addEventListener('load', () => handle(el, texts, css), { once: true });
    el.src = 'about:blank';
    return;
  }
  e.state = 'shown';
  e.doc = d;
  const info = infoOf(e, texts);
  if (!el.hasAttribute('title')) el.setAttribute('title', info.name);
  drawPlaceholder(d, {
    lang: ctx.lang, theme: ctx.o.theme, t, info,
    css: cssUrl(), cssText: css,
    onOnce: () => load(e, false),
    // Refused when nothing can be recorded (the consent module failed: kelisim fails closed and
    // shows its error notice; or storage refused the record): say so, keep "Load once".
    onAllow: () => ctx.api.set({ [e.id]: true }).catch(() => { if (e.doc === d && e.state === 'shown') allowFailed(d, t); }),
  });
}

/** Loads the embed itself. `allowed`: because its service is allowed (not "Load once"). */
function load(e, allowed) {
  e.state = 'loaded';
  if (allowed) ran(e);
  if (e.sandbox != null) e.el.setAttribute('sandbox', e.sandbox);
  e.el.src = e.url;
}

/** Marks the embed's service as having run on this page, like a gated script: when it is
 *  withdrawn, the controller offers the reload (a loaded frame cannot be un-loaded). */
const ran = (e) => ctx.gate && ctx.gate.ran.add(e.id);

/** A consent change: load every placeholder whose service became allowed. */
function onChange() {
  for (const e of embeds.values()) {
    if (!e.el.isConnected) { embeds.delete(e.el); continue; }
    if (!e.id || !e.url || !ctx.api.allowed(e.id)) continue;
    if (e.state === 'loaded') ran(e);   // loaded once before, allowed now: in force from here on
    else load(e, true);
  }
}

/** What the placeholder says about embed `e`: from the texts file's `services` (contract part 2). */
function infoOf(e, texts) {
  const lang = ctx.lang;
  const pick = (v) => (typeof v === 'string' ? v : v && typeof v === 'object' ? v[lang] || v.ru || v.en : null) || null;
  const svc = texts && texts.services && typeof texts.services === 'object' ? texts.services[e.id] : null;
  const s = svc && typeof svc === 'object' ? svc : {};
  const cat = texts && texts.categories && texts.categories[e.id];
  const url = new URL(e.url);
  const m = ctx.manifest || {};
  const declared = (list) => Array.isArray(list) && list.some((x) => x && x.id === e.id && !x.required);
  let country = typeof s.country === 'string' && /^[A-Z]{2}$/.test(s.country) ? s.country : null;
  if (country) try { country = new Intl.DisplayNames([lang], { type: 'region' }).of(country) || country; } catch { /* keep the code */ }
  const kind = Array.isArray(s.embeds)
    ? (s.embeds.find((x) => x && Array.isArray(x.hosts) && x.hosts.includes(url.hostname) && url.pathname.startsWith(x.path || '/')) || {}).kind
    : null;
  return {
    name: pick(s.name) || (cat && pick(cat.title)) || url.hostname,
    host: url.hostname,
    vendor: typeof s.vendor === 'string' ? s.vendor : null,
    country,
    policy: typeof s.privacyPolicy === 'string' ? safeUrl(s.privacyPolicy) : null,
    kind: kind || null,
    url: e.url,
    // Not offered once kelisim has failed closed: no choice can be recorded then.
    canAllow: !!e.id && (declared(m.services) || declared(m.categories)) && ctx.api.state().status !== 'error',
  };
}

/** The placeholder's strings: site overrides (options.strings), then built-in, then English. */
function t(key, vars) {
  const o = ctx.o.strings || {};
  const own = o[ctx.lang] && typeof o[ctx.lang] === 'object' ? o[ctx.lang] : {};
  const s = own[key] ?? (typeof o[key] === 'string' ? o[key] : null) ?? (EMBED_STRINGS[ctx.lang] || EMBED_STRINGS.en)[key] ?? EMBED_STRINGS.en[key] ?? key;
  return vars ? s.replace(/\{(\w+)\}/g, (_, k) => vars[k] ?? '') : s;
}
