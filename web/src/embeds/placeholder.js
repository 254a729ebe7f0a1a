// Draws one embed placeholder into the (still empty, same-origin about:blank) document of the
// embed's own <iframe>: the iframe keeps its size, classes and place in the page, so nothing
// shifts, and the placeholder loads nothing but kelisim's own stylesheet. Its content (parts())
// is also what a chat launcher's panel says (chat.js). Text reaches the DOM only through
// textContent; no inline styles (strict CSP: style-src 'self').

/** An element of document `d`: `text` sets its textContent, `onclick` a listener; null
 *  attributes and falsy children are left out. */
export function h(d, tag, attrs, ...kids) {
  const el = d.createElement(tag);
  for (const k in attrs) {
    const v = attrs[k];
    if (v == null) continue;
    if (k === 'text') el.textContent = v;
    else if (k === 'onclick') el.addEventListener('click', v);
    else el.setAttribute(k, v);
  }
  for (const c of kids) if (c) el.append(c);
  return el;
}

/**
 * The placeholder's content in document `d`, in reading order: the kind, the service's name
 * (a `titleTag` with id `titleId`), where the data goes, "Load once" and "Always allow", the
 * privacy-policy link (else, with a URL, "Open on <host>"). The text paragraph gets the id
 * `titleId + '-text'`. `o`: as for drawPlaceholder(); `o.from`, the key of the first sentence
 * (default 'embedFrom').
 */
export function parts(d, o, titleTag, titleId) {
  const { t, info } = o;
  const vars = { name: info.name, host: info.host, vendor: info.vendor, country: info.country };
  const newTab = (href, label) => h(d, 'a', { href, target: '_blank', rel: 'noopener noreferrer', class: 'kelisim-embed-link' },
    label, h(d, 'span', { class: 'kelisim-embed-sr', text: t('embedNewTab') }));
  const kind = { video: 'embedVideo', map: 'embedMap', widget: 'embedWidget', chat: 'embedChat', post: 'embedPost' }[info.kind] || 'embedOther';
  const link = info.policy ? newTab(info.policy, t('embedPolicy', vars)) : info.url && newTab(info.url, t('embedOpen', vars));
  return [
    h(d, 'p', { class: 'kelisim-embed-kind', text: t(kind) }),
    h(d, titleTag, { class: 'kelisim-embed-title', id: titleId, text: info.name }),
    h(d, 'p', { class: 'kelisim-embed-text', id: titleId + '-text' },
      t(o.from || 'embedFrom', vars),
      info.vendor && ' ' + t('embedVendor', vars),
      info.country && ' ' + t('embedCountry', vars),
      ' ' + t('embedNothing')),
    h(d, 'p', { class: 'kelisim-embed-actions' },
      h(d, 'button', { type: 'button', class: 'kelisim-embed-btn', 'data-kelisim-action': 'load-once', onclick: o.onOnce, text: t('embedLoadOnce') }),
      info.canAllow && h(d, 'button', { type: 'button', class: 'kelisim-embed-btn', 'data-kelisim-action': 'allow', onclick: o.onAllow, text: t('embedAllow', vars) })),
    link && h(d, 'p', { class: 'kelisim-embed-links' }, link),
  ].filter(Boolean);
}

/**
 * Fills document `d` with the placeholder.
 * @param {Document} d the iframe's about:blank document
 * @param {object} o
 * @param {string} o.lang ru | kk | en
 * @param {string|undefined} o.theme 'light' | 'dark' | undefined (follow the browser)
 * @param {string} o.css the stylesheet URL (dist/kelisim-embeds.css)
 * @param {string|null} [o.cssText] its text, fetched once for every frame: applied as a
 *        constructed stylesheet (no request, styled at once); without it, or where constructed
 *        sheets are missing, the frame links o.css
 * @param {(key: string, vars?: object) => string} o.t
 * @param {{ name: string, host: string, kind: string|null, vendor: string|null,
 *           country: string|null, policy: string|null, url: string|null, canAllow: boolean }} o.info
 * @param {() => void} o.onOnce "Load once"
 * @param {() => void} o.onAllow "Always allow <name>" (shown only when o.info.canAllow); when the
 *        choice cannot be recorded, the caller calls allowFailed()
 * Returns nothing; throws only if `d` is not writable (the caller has checked).
 */
export function drawPlaceholder(d, o) {
  d.documentElement.lang = o.lang;
  // The frame's own rules (its height, its colour scheme) hang on this class, not on :root, so
  // that the same stylesheet can style chat launchers in the page (chat.js).
  d.documentElement.className = 'kelisim-embed-frame';
  d.title = o.info.name;
  const head = d.head || d.documentElement.insertBefore(d.createElement('head'), d.documentElement.firstChild);
  const body = d.body || d.documentElement.appendChild(d.createElement('body'));
  if (!adopt(d, o.cssText) && !head.querySelector('link[data-kelisim-embed-css]')) {
    // Hidden until styled (at most 3 s), so that no unstyled text flashes.
    body.hidden = true;
    const show = () => { body.hidden = false; };
    const link = h(d, 'link', { rel: 'stylesheet', href: o.css, 'data-kelisim-embed-css': '' });
    link.addEventListener('load', show, { once: true });
    link.addEventListener('error', show, { once: true });
    setTimeout(show, 3000);
    head.append(link);
  }
  body.className = 'kelisim-embed' + themeClass(o.theme);
  const titleId = 'kelisim-embed-title';
  body.replaceChildren(h(d, 'main', { class: 'kelisim-embed-box', 'aria-labelledby': titleId, 'data-kelisim-embed': '' },
    ...parts(d, o, 'h1', titleId)));
}

/** ' kelisim-embed-light' / ' kelisim-embed-dark' for the controller's theme, else ''. */
export const themeClass = (theme) => (theme === 'dark' || theme === 'light' ? ' kelisim-embed-' + theme : '');

const adopted = new WeakSet();   // documents given the stylesheet

/**
 * Gives document `d` the stylesheet `css` (text) as a constructed sheet, once, after the ones
 * it has (a page's own stay); false when there is no text or the browser cannot (constructed
 * sheets: Chromium 73, Firefox 101, Safari 16.4). A constructed sheet is not an inline style:
 * a strict style-src CSP allows it.
 */
export function adopt(d, css) {
  if (!css) return false;
  if (adopted.has(d)) return true;   // drawn before
  const W = d.defaultView;
  try {
    const sheet = new W.CSSStyleSheet();
    sheet.replaceSync(css);
    d.adoptedStyleSheets = [...d.adoptedStyleSheets, sheet];
    adopted.add(d);
    return true;
  } catch { return false; }
}

/**
 * "Always allow" could not be recorded (the consent module failed to load, storage refused
 * the record): the button goes, a message says why, and "Load once" stays. `root`: the frame's
 * document or a chat launcher (whatever holds the `[data-kelisim-embed]` box). Announced as an
 * alert; focus moves to "Load once" if it was on the removed button.
 */
export function allowFailed(root, t) {
  const box = root.querySelector('[data-kelisim-embed]');
  if (!box) return;
  const d = box.ownerDocument;
  const allow = box.querySelector('[data-kelisim-action="allow"]');
  const hadFocus = !!allow && d.activeElement === allow;
  if (allow) allow.remove();
  let p = box.querySelector('[data-kelisim-embed-error]');
  if (!p) {
    p = h(d, 'p', { class: 'kelisim-embed-text', role: 'alert', 'data-kelisim-embed-error': '' });
    box.querySelector('.kelisim-embed-actions').before(p);
  }
  p.textContent = t('embedNotSaved');
  if (hadFocus) box.querySelector('[data-kelisim-action="load-once"]').focus();
}
