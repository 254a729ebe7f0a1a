// Draws one embed placeholder into the (still empty, same-origin about:blank) document of the
// embed's own <iframe>: the iframe keeps its size, classes and place in the page, so nothing
// shifts, and the placeholder loads nothing but kelisim's own stylesheet. Text reaches the DOM
// only through textContent; no inline styles (strict CSP: style-src 'self').

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
 *           country: string|null, policy: string|null, url: string, canAllow: boolean }} o.info
 * @param {() => void} o.onOnce "Load once"
 * @param {() => void} o.onAllow "Always allow <name>" (shown only when o.info.canAllow); when the
 *        choice cannot be recorded, the caller calls allowFailed()
 * Returns nothing; throws only if `d` is not writable (the caller has checked).
 */
export function drawPlaceholder(d, o) {
  const { t, info } = o;
  const h = (tag, attrs, ...kids) => {
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
  };
  const vars = { name: info.name, host: info.host, vendor: info.vendor, country: info.country };
  const newTab = (href, label) => h('a', { href, target: '_blank', rel: 'noopener noreferrer', class: 'kelisim-embed-link' },
    label, h('span', { class: 'kelisim-embed-sr', text: t('embedNewTab') }));

  d.documentElement.lang = o.lang;
  d.title = info.name;
  const head = d.head || d.documentElement.insertBefore(d.createElement('head'), d.documentElement.firstChild);
  const body = d.body || d.documentElement.appendChild(d.createElement('body'));
  if (!adopt(d, o.cssText) && !head.querySelector('link[data-kelisim-embed-css]')) {
    // Hidden until styled (at most 3 s), so that no unstyled text flashes.
    body.hidden = true;
    const show = () => { body.hidden = false; };
    const link = h('link', { rel: 'stylesheet', href: o.css, 'data-kelisim-embed-css': '' });
    link.addEventListener('load', show, { once: true });
    link.addEventListener('error', show, { once: true });
    setTimeout(show, 3000);
    head.append(link);
  }
  body.className = 'kelisim-embed' + (o.theme === 'dark' || o.theme === 'light' ? ' kelisim-embed-' + o.theme : '');
  const kind = { video: 'embedVideo', map: 'embedMap', widget: 'embedWidget', chat: 'embedChat', post: 'embedPost' }[info.kind] || 'embedOther';
  const titleId = 'kelisim-embed-title';
  body.replaceChildren(h('main', { class: 'kelisim-embed-box', 'aria-labelledby': titleId, 'data-kelisim-embed': '' },
    h('p', { class: 'kelisim-embed-kind', text: t(kind) }),
    h('h1', { class: 'kelisim-embed-title', id: titleId, text: info.name }),
    h('p', { class: 'kelisim-embed-text' },
      t('embedFrom', vars),
      info.vendor && ' ' + t('embedVendor', vars),
      info.country && ' ' + t('embedCountry', vars),
      ' ' + t('embedNothing')),
    h('p', { class: 'kelisim-embed-actions' },
      h('button', { type: 'button', class: 'kelisim-embed-btn', 'data-kelisim-action': 'load-once', onclick: o.onOnce, text: t('embedLoadOnce') }),
      info.canAllow && h('button', { type: 'button', class: 'kelisim-embed-btn', 'data-kelisim-action': 'allow', onclick: o.onAllow, text: t('embedAllow', vars) })),
    h('p', { class: 'kelisim-embed-links' },
      info.policy ? newTab(info.policy, t('embedPolicy', vars)) : newTab(info.url, t('embedOpen', vars)))));
}

/**
 * Gives document `d` the stylesheet `css` (text) as a constructed sheet, once; false when there
 * is no text or the browser cannot (constructed sheets: Chromium 73, Firefox 101, Safari 16.4).
 * A constructed sheet is not an inline style: a strict style-src CSP allows it.
 */
function adopt(d, css) {
  if (!css) return false;
  const W = d.defaultView;
  try {
    if (d.adoptedStyleSheets.length) return true;   // drawn before
    const sheet = new W.CSSStyleSheet();
    sheet.replaceSync(css);
    d.adoptedStyleSheets = [sheet];
    return true;
  } catch { return false; }
}

/**
 * "Always allow" could not be recorded (the consent module failed to load, storage refused
 * the record): the button goes, a message says why, and "Load once" stays. Announced as an
 * alert; focus moves to "Load once" if it was on the removed button.
 */
export function allowFailed(d, t) {
  const box = d.querySelector('[data-kelisim-embed]');
  if (!box) return;
  const allow = box.querySelector('[data-kelisim-action="allow"]');
  const hadFocus = !!allow && d.activeElement === allow;
  if (allow) allow.remove();
  let p = box.querySelector('[data-kelisim-embed-error]');
  if (!p) {
    p = d.createElement('p');
    p.className = 'kelisim-embed-text';
    p.setAttribute('role', 'alert');
    p.setAttribute('data-kelisim-embed-error', '');
    box.querySelector('.kelisim-embed-actions').before(p);
  }
  p.textContent = t('embedNotSaved');
  if (hadFocus) box.querySelector('[data-kelisim-action="load-once"]').focus();
}
