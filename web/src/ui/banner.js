// The first layer: a non-modal dialog fixed to the viewport (no layout shift) with a title,
// a short text, the policy link and three equal buttons. Text reaches the DOM only through
// textContent; no inline style strings (strict CSP: style-src 'self').

let seq = 0;
/** Unique id prefix per widget instance (several controllers may share one page). */
export const uid = (p) => 'kelisim-' + p + '-' + (++seq);

/**
 * Creates an element. `attrs`: `class`, plain attributes, `on<event>` listeners, `text`
 * (textContent). Children: elements or strings (text nodes). Null/false children are skipped.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const k in attrs || {}) {
    const v = attrs[k];
    if (v == null || v === false) continue;
    if (k === 'text') el.textContent = v;
    else if (k[0] === 'o' && k[1] === 'n') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c != null && c !== false) el.append(c);
  return el;
}

/** A button of the one kelisim button style (all first-layer buttons look the same). `make`:
 *  h, or the HTML maker of web/src/prerender.js. */
export const button = (label, onclick, extra, make = h) =>
  make('button', { type: 'button', class: 'kelisim-btn', onclick, ...extra }, label);

/** `u` resolved against `base`, if it is an http(s) URL (the policy link's address); else null. */
export const safeUrl = (u, base) => {
  if (!u) return null;
  try {
    const url = new URL(u, base);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch { return null; }
};

/** The policy link's click: `onPolicy` may open the viewer (true) or let the link navigate (false). */
const policyClick = (onPolicy) => onPolicy && ((e) => { if (onPolicy(e) !== false) e.preventDefault(); });

/** The policy link: a real link (works without the viewer), intercepted when a viewer exists. */
export function policyLink(t, href, onPolicy, make = h) {
  if (!href) return null;
  return make('a', { class: 'kelisim-link', href, 'data-kelisim-policy-link': true, onclick: policyClick(onPolicy) }, t('policy'));
}

/** The class and language of kelisim's root element (the controller's, and a prerendered banner's). */
export const rootAttrs = (lang, theme) => ({ class: 'kelisim' + (theme === 'dark' || theme === 'light' ? ' kelisim-' + theme : ''), lang });

/**
 * @param {object} o
 * @param {(k: string) => string} o.t
 * @param {string} [o.policyUrl]
 * @param {'bar'|'box'} o.layout
 * @param {() => void} o.onAccept
 * @param {() => void} o.onReject
 * @param {() => void} o.onSettings
 * @param {(e: Event) => boolean|void} [o.onPolicy] return false to let the link navigate
 * @param {{title: string, text: Array<Node|string>, accept: string, reject: string}} [o.doc] a
 *   consent document changed: its own title, text and answers (web/src/ui/documents.js)
 * @param {typeof h} [o.h] what builds it: h (the DOM), or web/src/prerender.js's HTML maker
 * @param {typeof uid} [o.uid] its element ids
 * @returns {{ el: HTMLElement, focus(): void }}
 */
export function createBanner(o) {
  const t = o.t;
  const d = o.doc;
  const make = o.h || h;
  const titleId = (o.uid || uid)('title');
  const textId = (o.uid || uid)('text');
  const el = make('section', {
    class: 'kelisim-banner kelisim-' + (o.layout === 'box' ? 'box' : 'bar'),
    role: 'dialog', 'aria-labelledby': titleId, 'aria-describedby': textId, tabindex: '-1',
    'data-kelisim-banner': true,
  },
  make('div', { class: 'kelisim-body' },
    make('h2', { class: 'kelisim-title', id: titleId, text: d ? d.title : t('title') }),
    make('p', { class: 'kelisim-text', id: textId }, ...(d ? d.text : [t('text')]), ' ', policyLink(t, o.policyUrl, null, make))),
  make('div', { class: 'kelisim-actions' },
    button(d ? d.accept : t('acceptAll'), null, { 'data-kelisim-action': 'accept-all' }, make),
    button(d ? d.reject : t('rejectAll'), null, { 'data-kelisim-action': 'reject-all' }, make),
    button(t('settings'), null, { 'data-kelisim-action': 'settings', 'aria-haspopup': 'dialog' }, make)));
  return make === h ? wireBanner(el, o) : { el };
}

/** Banner `el`'s button for `action` (accept-all, reject-all, settings), if it has one. */
export const actionButton = (el, action) => el.querySelector(`[data-kelisim-action="${action}"]`);

/**
 * Listens on a banner's controls: one createBanner() built, or one prerendered into the page
 * (web/src/prerender.js) that the controller takes over. `o`: createBanner's handlers.
 */
export function wireBanner(el, o) {
  const on = (x, fn) => { if (x && fn) x.addEventListener('click', fn); };
  for (const [a, fn] of [['accept-all', o.onAccept], ['reject-all', o.onReject], ['settings', o.onSettings]]) {
    on(actionButton(el, a), fn);
  }
  on(el.querySelector('.kelisim-text > [data-kelisim-policy-link]'), policyClick(o.onPolicy));
  return { el, focus: () => el.focus() };
}

/**
 * A small non-modal message (role=status) with optional buttons, used for the reload offer,
 * the withdrawal confirmation and the fail-closed notice.
 */
export function createNotice(kind, content, actions = []) {
  return h('div', { class: 'kelisim-notice', role: kind === 'error' ? 'alert' : 'status', 'data-kelisim-notice': kind },
    h('p', { class: 'kelisim-text' }, ...content),
    actions.length ? h('div', { class: 'kelisim-actions' }, ...actions) : null);
}
