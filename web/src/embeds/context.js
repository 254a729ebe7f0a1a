// What the embeds part's two kinds of placeholder share (web/src/embeds/): the controller that
// started the part, the policy's texts and the stylesheet (each fetched once per page), what a
// placeholder says about a service (infoOf) and its strings (t). Frames: embeds.js; chat
// launchers: chat.js.
import { loadTexts } from '../texts.js';
import { EMBED_STRINGS } from './strings.js';

/**
 * The first controller that started the part: { api, o (its options), manifest, manifestUrl,
 * gate (the script gate, or null: gating off, the core not ready or failed), lang }. Set once
 * by embeds.js start().
 */
export let ctx = null;
export const setCtx = (c) => { ctx = c; };

let textsP = null;         // its texts file (null when it has none or it failed)
let cssP = null;           // the placeholders' stylesheet as text (null when it failed)

/** An http(s) URL resolved against `base`, or null (javascript:, garbage). */
export const safeUrl = (u, base) => {
  try {
    const url = new URL(u, base);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch { return null; }
};

/** The placeholders' stylesheet URL (options.embedsCss, else kelisim-embeds.css next to the part). */
export const cssUrl = () => ctx.o.embedsCss || new URL('kelisim-embeds.css', import.meta.url).href;

/**
 * The texts file and the stylesheet's text, fetched once per page side by side (a <link> in each
 * frame was one more round trip after the texts, ~150 ms on a phone's 4G, session 10). Resolves
 * with [texts or null, css text or null]; never rejects.
 */
export function assets() {
  textsP ||= loadTexts(ctx.manifest, ctx.manifestUrl).catch(() => null);
  cssP ||= fetch(cssUrl(), { credentials: 'same-origin' }).then((r) => (r.ok ? r.text() : null)).catch(() => null);
  return Promise.all([textsP, cssP]);
}

/**
 * What a placeholder says about the service (or category) `e.id`, from the texts file's
 * `services` (contract part 2). `e.url`: the embed's URL, or for a chat launcher its first held
 * script's, or null (inline scripts only): the host, the kind and the "open on <host>" link
 * come from it.
 */
export function infoOf(e, texts) {
  const lang = ctx.lang;
  const pick = (v) => (typeof v === 'string' ? v : v && typeof v === 'object' ? v[lang] || v.ru || v.en : null) || null;
  const svc = texts && texts.services && typeof texts.services === 'object' ? texts.services[e.id] : null;
  const s = svc && typeof svc === 'object' ? svc : {};
  const cat = texts && texts.categories && texts.categories[e.id];
  const url = e.url ? new URL(e.url) : null;
  const m = ctx.manifest || {};
  const declared = (list) => Array.isArray(list) && list.some((x) => x && x.id === e.id && !x.required);
  let country = typeof s.country === 'string' && /^[A-Z]{2}$/.test(s.country) ? s.country : null;
  if (country) try { country = new Intl.DisplayNames([lang], { type: 'region' }).of(country) || country; } catch { /* keep the code */ }
  const kind = url && Array.isArray(s.embeds)
    ? (s.embeds.find((x) => x && Array.isArray(x.hosts) && x.hosts.includes(url.hostname) && url.pathname.startsWith(x.path || '/')) || {}).kind
    : null;
  const name = pick(s.name) || (cat && pick(cat.title)) || (url && url.hostname) || e.id;
  return {
    name,
    host: url ? url.hostname : name,
    vendor: typeof s.vendor === 'string' ? s.vendor : null,
    country,
    policy: typeof s.privacyPolicy === 'string' ? safeUrl(s.privacyPolicy) : null,
    kind: kind || null,
    url: e.url,
    // Not offered once kelisim has failed closed: no choice can be recorded then.
    canAllow: !!e.id && (declared(m.services) || declared(m.categories)) && ctx.api.state().status !== 'error',
  };
}

/** The placeholders' strings: site overrides (options.strings), then built-in, then English. */
export function t(key, vars) {
  const o = ctx.o.strings || {};
  const own = o[ctx.lang] && typeof o[ctx.lang] === 'object' ? o[ctx.lang] : {};
  const s = own[key] ?? (typeof o[key] === 'string' ? o[key] : null) ?? (EMBED_STRINGS[ctx.lang] || EMBED_STRINGS.en)[key] ?? EMBED_STRINGS.en[key] ?? key;
  return vars ? s.replace(/\{(\w+)\}/g, (_, k) => vars[k] ?? '') : s;
}
