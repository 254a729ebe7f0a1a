// Embed placeholders (issue 12; dist/kelisim-embeds.mjs + kelisim-embeds.css), the part's entry:
// frames here, chat launchers (data-kelisim-chat) in chat.js. The site writes
//   <iframe data-kelisim-service="youtube" data-kelisim-src="https://www.youtube.com/embed/…"
//           width="560" height="315" title="…"></iframe>
// (no `src`: the frame stays an empty about:blank document and nothing is requested). The
// controller loads this part only when the page has an element with data-kelisim-src or
// data-kelisim-chat, and calls start() again whenever more may have been added (SPAs). Until the
// service is allowed (`controller.allowed(id)`; data-kelisim-category works too), the frame shows
// a placeholder (web/src/embeds/placeholder.js) with what the service is and where the data goes
// (from the policy's texts file, `services`), "Load once" (this embed, this page view, nothing
// stored) and, for a service or category the policy declares, "Always allow" (a real consent
// change: controller.set({ id: true })). When the service becomes allowed every placeholder of it
// loads; an embed that loaded while its service was allowed counts, for the controller, like a
// gated script that ran: withdrawing the service offers the reload.
import { ctx, setCtx, assets, cssUrl, infoOf, safeUrl, t } from './context.js';
import { drawPlaceholder, allowFailed } from './placeholder.js';
import { CHAT_SELECTOR, handleChat, chatChanged } from './chat.js';

const SELECTOR = 'iframe[data-kelisim-src]';
const ANY = SELECTOR + ',' + CHAT_SELECTOR;

/** iframe → { el, id, url, state: 'new'|'shown'|'loaded', doc, sandbox } */
const embeds = new Map();

/**
 * Starts (once) and scans the document: every `iframe[data-kelisim-src]` not yet handled gets
 * its placeholder, or loads at once when its service is already allowed; every chat launcher
 * likewise (chat.js). Safe to call again at any time. `c`: { api, o (the controller's options),
 * manifest, manifestUrl, gate (the script gate, or null with gating off) } from the controller.
 * Resolves when the scan is done; never rejects.
 */
export function start(c) {
  if (!ctx) {
    setCtx(c);
    c.lang = c.api.state().lang;
    c.api.on('change', () => { onChange(); chatChanged(); });
    const doc = document;
    if (typeof MutationObserver === 'function') {
      // The controller's gate observes too, but only while script gating is on.
      new MutationObserver((records) => {
        if (records.some((r) => [...r.addedNodes].some((n) => n.nodeType === 1 && (n.matches(ANY) || n.querySelector(ANY))))) scan();
      }).observe(doc.documentElement, { childList: true, subtree: true });
    }
  }
  return scan();
}

async function scan() {
  // The stylesheet is given to every placeholder frame (and the page, for launchers) as a
  // constructed sheet; should its fetch fail, each frame links it instead.
  const [texts, css] = await assets();
  for (const el of document.querySelectorAll(SELECTOR)) handle(el, texts, css);
  for (const el of document.querySelectorAll(CHAT_SELECTOR)) handleChat(el, texts, css);
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
