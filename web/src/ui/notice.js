// The update notices (dist/kelisim-notice.mjs), loaded by the controller only when the
// consent core decides 'update-notice' or 'implicit-accept' (or the record says an
// implicit acceptance was not yet acknowledged). Never loaded on a first visit. The
// controller hands each later decision to createUpdates().sync(), which knows which notice
// that decision calls for.
//
//  - Update notice (seed 003, clause 1.2: an update counts as accepted when the user presses
//    Accept, or keeps using the service after 7 calendar days from its publication):
//    non-blocking, what changed, a link to the diff, Accept, and the date from which
//    continued use counts as acceptance.
//  - Implicit-acceptance notice: shown once after the core accepted the update on the
//    visitor's continued use; says so and links to the changes.
//
// Dates are the deadline's calendar day in the policy's own UTC offset (the one written in
// publishedAt), never the device's time-zone database (DESIGN.md "Time"). The deadline is the
// START of that day, so that day is the one shown.
import { h } from './banner.js';
import { loadLazyCss } from './lazy-css.js';
import { viewerT, isoOffset, formatDate, formatIsoDate, NOTICE_STRINGS } from './viewer-i18n.js';

const HERE = import.meta.url;
const BUILT = /\/kelisim-notice(\.min)?\.mjs(\?|#|$)/.test(HERE);
let seq = 0;

function loadCss(href) {
  return loadLazyCss(href || new URL(BUILT ? 'kelisim-viewer.css' : '../../../dist/kelisim-viewer.css', HERE));
}

const btn = (label, onclick, extra = {}) => {
  const { class: cls, ...rest } = extra;
  return h('button', { type: 'button', class: 'kelisim-btn' + (cls ? ' ' + cls : ''), onclick, ...rest }, label);
};

/** The calendar date (dd.mm.yyyy / "28 November 2026") on which `deadline` falls in the policy's offset. */
export function deadlineDate(deadline, manifest, lang) {
  return formatDate(deadline, isoOffset(manifest && manifest.publishedAt) ?? 0, lang);
}

/**
 * "новые пункты: 2.6; изменены: 2.5, 3.3" (and "добавлен перевод: казахский") from
 * manifest.changes, or '' when it says nothing.
 */
export function changeSummary(manifest, tr) {
  const c = manifest && manifest.changes;
  if (!c || typeof c !== 'object') return '';
  const parts = [];
  const list = (k) => (Array.isArray(c[k]) ? c[k].filter((x) => typeof x === 'string') : []);
  if (list('added').length) parts.push(tr('notice.added', { list: list('added').join(', ') }));
  const changed = list('changed').concat(list('moved'));
  if (changed.length) parts.push(tr('notice.changed', { list: changed.join(', ') }));
  if (list('removed').length) parts.push(tr('notice.removed', { list: list('removed').join(', ') }));
  // Translations added, corrected or removed (policies/README.md "Languages"), by name.
  const t = c.translations && typeof c.translations === 'object' ? c.translations : {};
  for (const [k, key] of [['added', 'notice.trAdded'], ['changed', 'notice.trChanged'], ['removed', 'notice.trRemoved']]) {
    const ls = Array.isArray(t[k]) ? t[k].filter((l) => l === 'ru' || l === 'kk' || l === 'en') : [];
    if (ls.length) parts.push(tr(key, { list: ls.map((l) => tr('lang.' + l)).join(', ') }));
  }
  return parts.length ? tr('notice.summary', { list: parts.join('; ') }) : '';
}

/**
 * Shows the update notice. o: { root, lang, t, manifest, deadline (epoch ms), onAccept(),
 * onChanges(), onLater(), css }. Returns { el, close() }. Does not take focus (non-blocking).
 */
export async function showUpdate(o) {
  await loadCss(o.css);
  const tr = viewerT(o.lang, o.t, NOTICE_STRINGS);
  const m = o.manifest || {};
  const id = 'kelisim-update-title-' + (++seq);
  const published = m.publishedAt ? formatIsoDate(m.publishedAt, o.lang) : null;
  const summary = changeSummary(m, tr);
  const el = h('section', { class: 'kelisim-update', lang: o.lang, 'aria-labelledby': id, 'data-kelisim-update': 'pending' },
    h('h2', { id, text: tr('notice.updTitle') }),
    h('div', { role: 'status' },
      published ? h('p', { text: tr('notice.updText', { version: m.version, date: published }) }) : null,
      summary ? h('p', { class: 'kelisim-update-summary', text: summary }) : null,
      h('p', { class: 'kelisim-update-deadline', 'data-kelisim-deadline': deadlineDate(o.deadline, m, 'ru'),
        text: tr('notice.deadline', { date: deadlineDate(o.deadline, m, o.lang) }) })),
    h('div', { class: 'kelisim-actions' },
      btn(tr('notice.accept'), () => o.onAccept && o.onAccept(), { 'data-kelisim-action': 'accept-update' }),
      btn(tr('notice.changes'), () => o.onChanges && o.onChanges(), { 'data-kelisim-action': 'show-changes', 'aria-haspopup': 'dialog', class: 'kelisim-btn-secondary' }),
      btn(tr('notice.later'), () => { close(); o.onLater && o.onLater(); }, { 'data-kelisim-action': 'later', class: 'kelisim-btn-secondary' })));
  (o.root || document.body).append(el);
  function close() { el.remove(); }
  return { el, close };
}

/**
 * Shows the one-time implicit-acceptance notice. o: { root, lang, t, manifest, deadline,
 * onChanges(), onDismiss(), css }. Returns { el, close() }. Does not take focus.
 */
export async function showImplicit(o) {
  await loadCss(o.css);
  const tr = viewerT(o.lang, o.t, NOTICE_STRINGS);
  const m = o.manifest || {};
  const id = 'kelisim-update-title-' + (++seq);
  const summary = changeSummary(m, tr);
  const el = h('section', { class: 'kelisim-update', lang: o.lang, 'aria-labelledby': id, 'data-kelisim-update': 'implicit' },
    h('h2', { id, text: tr('notice.implicitTitle') }),
    h('div', { role: 'status' },
      h('p', { text: tr('notice.implicitText', { version: m.version, date: deadlineDate(o.deadline, m, o.lang) }) }),
      summary ? h('p', { class: 'kelisim-update-summary', text: summary }) : null),
    h('div', { class: 'kelisim-actions' },
      btn(tr('notice.changes'), () => o.onChanges && o.onChanges(), { 'data-kelisim-action': 'show-changes', 'aria-haspopup': 'dialog' }),
      btn(tr('notice.ok'), () => { close(); o.onDismiss && o.onDismiss(); }, { 'data-kelisim-action': 'dismiss-update', class: 'kelisim-btn-secondary' })));
  (o.root || document.body).append(el);
  function close() { el.remove(); }
  return { el, close };
}

/**
 * What the controller hands over (web/src/controller.js): c = { lang, t, manifest, css,
 * cssReady, mount() → root element, act(op, choices, display), showPolicy(opts), history() →
 * stored history, dead() → the controller was destroyed, shown(kind, el, decision) → the id of
 * the display event reported for a notice just shown, or null }. Returns { sync(decision) }, called after every
 * decision of the core once an update notice was due: shows the pending-update notice while
 * the core says 'update-notice', closes it once the update is accepted, and shows the
 * implicit-acceptance notice once (then records 'notice-shown'); it stays until dismissed.
 * sync() rejects when a notice cannot be shown (the controller reports 'notice-load').
 */
export function createUpdates(c) {
  let ui = null;   // { kind: 'pending'|'implicit', close(), closed }
  /** The version accepted before the current one (for the implicit notice's diff link). */
  function priorVersion() {
    const hist = c.history();
    for (let i = hist.length - 1; i >= 0; i--) if (hist[i] && hist[i].version !== c.manifest.version) return hist[i].version;
    return c.manifest.previousVersion || null;
  }
  return {
    async sync(decision) {
      const kind = decision.action === 'update-notice' ? 'pending'
        : decision.action === 'implicit-accept' || decision.reason === 'implicit-unacknowledged' ? 'implicit' : null;
      // A pending notice goes once the update is accepted; the implicit one stays until dismissed.
      if (ui && ui.kind === 'pending' && kind !== 'pending') { ui.close(); ui = null; }
      if (!kind || ui) return;
      const slot = { kind, close() { slot.closed = true; } };
      ui = slot;
      const gone = () => ui !== slot || slot.closed || c.dead();
      let display = null;   // the id of the display event reported for it (reportUrl)
      try {
        await c.cssReady;
        if (gone()) return;
        const common = { root: c.mount(), lang: c.lang, t: c.t, manifest: c.manifest, deadline: decision.deadline, css: c.css };
        const shown = kind === 'pending'
          ? await showUpdate({ ...common, onAccept: () => c.act('accept-update', null, display), onChanges: () => c.showPolicy({ view: 'changes' }) })
          : await showImplicit({ ...common, onChanges: () => c.showPolicy({ view: 'changes', from: priorVersion() }) });
        if (gone()) { shown.close(); return; }
        slot.close = shown.close;
        slot.el = shown.el;
        if (c.shown) display = c.shown(kind === 'pending' ? 'update-notice' : 'implicit-notice', shown.el, decision);
        // Shown once: the record now says the visitor was told (core op 'notice-shown').
        if (kind === 'implicit') await c.act('notice-shown', null, display);
      } catch (e) {
        if (ui === slot) ui = null;
        throw e;
      }
    },
  };
}

export default { showUpdate, showImplicit, deadlineDate, changeSummary, createUpdates };
