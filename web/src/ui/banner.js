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

/** A button of the one kelisim button style (all first-layer buttons look the same). */
export const button = (label, onclick, extra) =>
  h('button', { type: 'button', class: 'kelisim-btn', onclick, ...extra }, label);

/** The policy link: a real link (works without the viewer), intercepted when a viewer exists. */
export function policyLink(t, href, onPolicy) {
  if (!href) return null;
  return h('a', {
    class: 'kelisim-link', href, 'data-kelisim-policy-link': true,
    onclick: onPolicy && ((e) => { if (onPolicy(e) !== false) e.preventDefault(); }),
  }, t('policy'));
}

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
 * @returns {{ el: HTMLElement, focus(): void }}
 */
export function createBanner(o) {
  const t = o.t;
  const d = o.doc;
  const titleId = uid('title');
  const textId = uid('text');
  const el = h('section', {
    class: 'kelisim-banner kelisim-' + (o.layout === 'box' ? 'box' : 'bar'),
    role: 'dialog', 'aria-labelledby': titleId, 'aria-describedby': textId, tabindex: '-1',
    'data-kelisim-banner': true,
  },
  h('div', { class: 'kelisim-body' },
    h('h2', { class: 'kelisim-title', id: titleId, text: d ? d.title : t('title') }),
    h('p', { class: 'kelisim-text', id: textId }, ...(d ? d.text : [t('text')]), ' ', policyLink(t, o.policyUrl, o.onPolicy))),
  h('div', { class: 'kelisim-actions' },
    button(d ? d.accept : t('acceptAll'), o.onAccept, { 'data-kelisim-action': 'accept-all' }),
    button(d ? d.reject : t('rejectAll'), o.onReject, { 'data-kelisim-action': 'reject-all' }),
    button(t('settings'), o.onSettings, { 'data-kelisim-action': 'settings', 'aria-haspopup': 'dialog' })));
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
