// The second layer: a modal <dialog> with one switch and a description per category.
// Required categories are shown locked on. Under each category, its services (issue 12), each
// with its own switch, name, the country its data goes to and its privacy-policy link: the
// category switch sets all of them, a service switched on switches its category on. Focus is trapped inside (Tab wraps), Escape and
// the close button close it, and focus returns to whatever opened it.
import { h, button, uid, policyLink } from './banner.js';
import { categoryText, serviceText } from './i18n-more.js';

/**
 * @param {object} o
 * @param {(k: string) => string} o.t
 * @param {string} o.lang
 * @param {Array<{id: string, required?: boolean}>} o.categories manifest categories
 * @param {Array<{id: string, category: string}>} [o.services] manifest services
 * @param {object} [o.texts] the policy's texts file (web/src/texts.js), if it has one
 * @param {Record<string, boolean>} o.values what the switches start at
 * @param {boolean} o.canWithdraw show the withdrawal control (a stored choice exists)
 * @param {string} [o.policyUrl]
 * @param {(e: Event) => boolean|void} [o.onPolicy]
 * @param {() => void} o.onAccept
 * @param {() => void} o.onReject
 * @param {(choices: Record<string, boolean>) => void} o.onSave every optional category's and service's state
 * @param {() => void} o.onWithdraw
 * @param {() => void} o.onClose called after the dialog closed (any way)
 * @returns {{ el: HTMLDialogElement, open(): void, close(): void }}
 */
export function createPreferences(o) {
  const t = o.t;
  const titleId = uid('prefs-title');
  const textId = uid('prefs-text');
  const inputs = [];
  const list = h('ul', { class: 'kelisim-cats' });
  for (const cat of o.categories) {
    const { title, description } = categoryText(cat, o.lang, t, o.texts);
    const id = uid('cat');
    const descId = id + '-d';
    const input = h('input', {
      type: 'checkbox', role: 'switch', class: 'kelisim-switch', id,
      'data-kelisim-category': cat.id, 'aria-describedby': description ? descId : null,
      disabled: !!cat.required,
    });
    input.checked = !!cat.required || !!o.values[cat.id];
    if (!cat.required) inputs.push(input);
    const mine = (o.services || []).filter((x) => x && x.category === cat.id);
    const subs = mine.map((x) => service(x, cat, input));
    // The category switch sets all of its services.
    input.addEventListener('change', () => { for (const s of subs) s.checked = input.checked; });
    list.append(h('li', { class: 'kelisim-cat' },
      h('div', { class: 'kelisim-cat-head' },
        h('label', { for: id, class: 'kelisim-cat-title' }, title),
        cat.required ? h('span', { class: 'kelisim-always', text: t('alwaysOn') }) : null,
        input),
      description ? h('p', { class: 'kelisim-cat-desc', id: descId, text: description }) : null,
      mine.length ? h('ul', { class: 'kelisim-svcs', 'aria-label': t('services') + ': ' + title },
        ...subs.map((s) => s.closest('li'))) : null));
  }

  /** One service's row: its switch (data-kelisim-service), name, country and policy link. */
  function service(x, cat, catInput) {
    const { name, country, privacyPolicy } = serviceText(x.id, o.lang, o.texts);
    const id = uid('svc');
    const input = h('input', {
      type: 'checkbox', role: 'switch', class: 'kelisim-switch', id,
      'data-kelisim-service': x.id, 'aria-describedby': id + '-d', disabled: !!cat.required,
    });
    input.checked = !!cat.required || !!o.values[x.id];
    if (!cat.required) inputs.push(input);
    // A service switched on switches its category on.
    input.addEventListener('change', () => { if (input.checked) catInput.checked = true; });
    h('li', { class: 'kelisim-svc' },
      h('div', { class: 'kelisim-cat-head' }, h('label', { for: id, class: 'kelisim-svc-title' }, name), input),
      h('p', { class: 'kelisim-cat-desc', id: id + '-d' },
        country ? t('serviceCountry') + ' ' + country + '. ' : '',
        privacyPolicy ? h('a', { class: 'kelisim-link', href: privacyPolicy, target: '_blank', rel: 'noopener noreferrer' },
          t('servicePolicy')) : null));
    return input;
  }

  const choices = () => {
    const c = {};
    for (const i of inputs) c[i.getAttribute('data-kelisim-category') || i.getAttribute('data-kelisim-service')] = i.checked;
    return c;
  };

  const el = h('dialog', {
    class: 'kelisim-prefs', 'aria-labelledby': titleId, 'aria-describedby': textId,
    'data-kelisim-preferences': true,
  },
  h('div', { class: 'kelisim-prefs-head' },
    h('h2', { class: 'kelisim-title', id: titleId, text: t('prefsTitle') }),
    h('button', { type: 'button', class: 'kelisim-close', 'aria-label': t('close'), 'data-kelisim-action': 'close', onclick: () => close() }, '×')),
  h('div', { class: 'kelisim-prefs-body' },
    h('p', { class: 'kelisim-text', id: textId }, t('prefsText'), ' ', policyLink(t, o.policyUrl, o.onPolicy)),
    list,
    o.canWithdraw ? h('p', { class: 'kelisim-withdraw' },
      h('button', { type: 'button', class: 'kelisim-linkbtn', 'data-kelisim-action': 'withdraw', onclick: () => o.onWithdraw() }, t('withdraw'))) : null),
  h('div', { class: 'kelisim-actions' },
    button(t('acceptAll'), () => o.onAccept(), { 'data-kelisim-action': 'accept-all' }),
    button(t('rejectAll'), () => o.onReject(), { 'data-kelisim-action': 'reject-all' }),
    button(t('save'), () => o.onSave(choices()), { 'data-kelisim-action': 'save' })));

  const focusables = () => [...el.querySelectorAll('button, a[href], input:not([disabled])')]
    .filter((x) => !x.hidden && x.getClientRects().length);

  el.addEventListener('keydown', (e) => {
    if (e.key !== 'Tab') return;
    const f = focusables();
    if (!f.length) return;
    const first = f[0];
    const last = f[f.length - 1];
    if (e.shiftKey && (document.activeElement === first || !el.contains(document.activeElement))) {
      e.preventDefault(); last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault(); first.focus();
    }
  });
  // Escape fires `cancel` then `close`; everything funnels into `close`.
  el.addEventListener('close', () => o.onClose());

  function close() { if (el.open) el.close(); }

  return {
    el,
    open() {
      if (typeof el.showModal === 'function') el.showModal();
      else el.setAttribute('open', '');
      const f = focusables();
      // First switch, or the first control when every category is required.
      (f.find((x) => x.tagName === 'INPUT') || f[0] || el).focus();
    },
    close,
  };
}
