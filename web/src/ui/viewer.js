// The policy viewer (dist/kelisim-viewer.mjs), loaded lazily by the controller's
// showPolicy(), `data-kelisim-open="policy"`, a `#p-4.1.5` deep link, or an element marked
// `data-kelisim-policy` (inline viewer). It is the only page code that loads the policy
// module (kelisim-policy.wasm) and the policy bodies; the banner path never imports it.
//
// Policy text reaches the DOM only as the policy module's safe HTML (render, search
// snippets, diff) or through textContent. Styles come from kelisim-viewer.css, added with a
// <link> (works under a strict `style-src 'self'`); no inline style attributes.
import { h } from './banner.js';
import { loadLazyCss } from './lazy-css.js';
import { loadPolicyModule } from '../engine/policy.js';
import { loadTexts, textLang } from '../texts.js';
import { viewerT, formatIsoDate, VIEWER_STRINGS } from './viewer-i18n.js';

const HERE = import.meta.url;
// Built: dist/kelisim-viewer.mjs, with kelisim-policy.wasm and kelisim-viewer.css next to it.
// From source (web/src/ui/viewer.js): the policy facade's own default and dist/ for the CSS.
const BUILT = /\/kelisim-viewer(\.min)?\.mjs(\?|#|$)/.test(HERE);
const CLAUSE_HASH = /^#p-(\d+(?:\.\d+)*)$/;
const LANGS = ['ru', 'kk', 'en'];
// Each language's own name: the switch is for readers of that language (WCAG 3.1.2: the
// buttons carry `lang`).
const ENDONYMS = { ru: 'Русский', kk: 'Қазақша', en: 'English' };

let pmPromise = null;
const fetched = new Map();
let modal = null;           // the open modal view, if any
const inline = new WeakMap(); // element -> view

/** The policy module, loaded once per page. Retried on the next call after a failure. */
export function policyModule(src) {
  if (!pmPromise) {
    pmPromise = loadPolicyModule(src || (BUILT ? new URL('kelisim-policy.wasm', HERE) : undefined));
    pmPromise.catch(() => { pmPromise = null; });
  }
  return pmPromise;
}

function loadCss(href) {
  return loadLazyCss(href || new URL(BUILT ? 'kelisim-viewer.css' : '../../../dist/kelisim-viewer.css', HERE));
}

/** Fetches text once per URL per page (a failed fetch is retried next time). */
function getText(url) {
  const key = String(url);
  if (!fetched.has(key)) {
    const p = fetch(key, { credentials: 'same-origin' }).then((r) => {
      if (!r.ok) throw new Error(`HTTP ${r.status} for ${key}`);
      return r.text();
    });
    p.catch(() => fetched.delete(key));
    fetched.set(key, p);
  }
  return fetched.get(key);
}
const getJson = (url) => getText(url).then((t) => JSON.parse(t));

let seq = 0;
/** Parses the policy module's safe HTML into a fragment (never page-supplied text). */
function safeFragment(html) {
  const tpl = document.createElement('template');
  tpl.innerHTML = html;
  return tpl.content;
}
const pick = (v, lang) => v == null ? '' : typeof v === 'string' ? v : v[lang] ?? v.ru ?? v.kk ?? v.en ?? '';
const cmpVersions = (a, b) => {
  const x = String(a).split('.');
  const y = String(b).split('.');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = Number(x[i] ?? 0);
    const q = Number(y[i] ?? 0);
    if (p !== q) return Number.isNaN(p - q) ? String(x[i]).localeCompare(String(y[i])) : p - q;
  }
  return 0;
};

/**
 * Opens the viewer. Called by the controller (showPolicy) with
 * { manifest, manifestUrl, policyUrl, lang, clause, controller, root, t, view, from, to,
 *   accepted, boot, hash }:
 *  - boot: mount every `[data-kelisim-policy]` element, then follow a `#p-…` deep link;
 *  - otherwise open (or re-use) the modal at `view` ('text' | 'changes' | 'versions') and
 *    `clause`; `from`/`to` pick the versions the diff compares (default: the version the
 *    visitor accepted → the current one).
 * Resolves with the view (modal or inline) that shows the policy, or null.
 */
export async function open(ctx = {}) {
  if (ctx.document) return openModal(await documentContext(ctx));
  if (ctx.boot || ctx.hash) {
    const els = [...document.querySelectorAll('[data-kelisim-policy]')];
    const views = await Promise.all(els.map((el) => mountInline(el, ctx)));
    const m = CLAUSE_HASH.exec(location.hash);
    if (!m) return views[0] || null;
    if (views.length) {
      const v = views.find((x) => x.has(m[1])) || views[0];
      v.goTo(m[1]);
      return v;
    }
    if (!ctx.manifest) return null;
    return openModal({ ...ctx, clause: m[1] });
  }
  return openModal(ctx);
}

/**
 * The context that shows the consent document of category `ctx.document` (the policy
 * manifest's categories[].consent, policies/README.md "Consent documents") instead of the
 * policy: its own manifest, fetched from where the policy's names it; it is built like a
 * policy (versions, languages, texts), so the same view shows it.
 */
async function documentContext(ctx) {
  const cat = ((ctx.manifest && ctx.manifest.categories) || []).find((c) => c && c.id === ctx.document);
  const doc = cat && cat.consent;
  if (!doc || typeof doc.manifest !== 'string') throw new Error(`kelisim: category ${ctx.document} has no consent document`);
  const url = new URL(doc.manifest, ctx.manifestUrl || document.baseURI).href;
  const manifest = await getJson(url);
  return { ...ctx, document: null, manifest, manifestUrl: url, policyUrl: null, accepted: null, clause: null };
}

async function openModal(ctx) {
  if (modal && modal.isOpen()) {
    await modal.show(ctx);
    return modal;
  }
  prefetch(ctx);
  await loadCss(ctx.css);
  const opener = document.activeElement;
  const view = createView({ ...ctx, mode: 'modal' });
  const dialog = h('dialog', {
    class: 'kelisim-viewer-dialog', 'aria-labelledby': view.titleId, 'data-kelisim-viewer-dialog': true,
  }, view.el);
  (ctx.root || document.body).append(dialog);
  dialog.addEventListener('keydown', (e) => {
    if (e.key !== 'Tab') return;
    const f = [...dialog.querySelectorAll('button, a[href], input, select, summary, [tabindex="0"]')]
      .filter((x) => !x.disabled && x.getClientRects().length);
    if (!f.length) return;
    if (e.shiftKey && (document.activeElement === f[0] || !dialog.contains(document.activeElement))) {
      e.preventDefault(); f[f.length - 1].focus();
    } else if (!e.shiftKey && document.activeElement === f[f.length - 1]) {
      e.preventDefault(); f[0].focus();
    }
  });
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (modal === view) modal = null;
    if (opener && opener.isConnected && opener !== document.body && typeof opener.focus === 'function') opener.focus({ preventScroll: true });
  });
  view.close = () => { if (dialog.open) dialog.close(); };
  view.isOpen = () => dialog.isConnected && dialog.open;
  view.dialog = dialog;
  modal = view;
  dialog.showModal();
  view.focusStart();
  await view.show(ctx);
  return view;
}

/** Renders the policy inline into `el` (once per element). `data-kelisim-policy="<manifest url>"` picks another policy. */
export async function mountInline(el, ctx = {}) {
  if (inline.has(el)) return inline.get(el);
  if (!el.getAttribute('data-kelisim-policy')) prefetch(ctx);
  await loadCss(ctx.css);
  const own = el.getAttribute('data-kelisim-policy');
  let c = ctx;
  if (own) {
    const url = new URL(own, document.baseURI).href;
    c = { ...ctx, manifestUrl: url, manifest: await getJson(url).catch(() => null) };
  }
  const wrap = h('div', { class: 'kelisim kelisim-viewer-inline' });
  const view = createView({ ...c, mode: 'inline', lang: el.getAttribute('data-kelisim-lang') || c.lang });
  wrap.append(view.el);
  el.replaceChildren(wrap);
  inline.set(el, view);
  await view.show({ ...c, clause: null });
  return view;
}

/** Where index.json is: ctx.index, manifest.index, or next to / one folder above the manifest. */
function indexUrlFor(ctx) {
  const manifest = ctx.manifest || {};
  const base = ctx.manifestUrl || document.baseURI;
  if (ctx.index) return new URL(ctx.index, base);
  if (typeof manifest.index === 'string') return new URL(manifest.index, base);
  // The top-level manifest points at "<v>/body.json" and sits next to index.json; a
  // version's own manifest points at "body.json" and sits one folder below it.
  return new URL(String(manifest.body || '').includes('/') ? 'index.json' : '../index.json', base);
}

/** Starts every fetch the first render needs at once (module, index, current body), cached. */
function prefetch(ctx) {
  if (!ctx.manifest) return;
  policyModule(ctx.policyWasm).catch(() => {});
  getText(indexUrlFor(ctx)).catch(() => {});
  const texts = loadTexts(ctx.manifest, ctx.manifestUrl);
  texts.catch(() => {});
  const l = textLang(ctx.manifest, ctx.lang);
  if (l === ctx.manifest.lang || !Array.isArray(ctx.manifest.langs)) {
    getText(new URL(ctx.manifest.body || 'body.json', ctx.manifestUrl || document.baseURI)).catch(() => {});
  } else {
    // Another language of the version: its body is named in texts.json (relative to it).
    texts.then((t) => {
      const b = t && t.langs && t.langs[l] && t.langs[l].body;
      if (typeof b === 'string') getText(new URL(b, new URL(ctx.manifest.texts, ctx.manifestUrl || document.baseURI))).catch(() => {});
    }, () => {});
  }
}

/**
 * One viewer instance: header, tools, text (contents + clauses), search results, the diff
 * and the versions list. Returns { el, titleId, show(ctx), goTo(num), has(num), focusStart() }.
 */
function createView(ctx) {
  const lang = ['ru', 'kk', 'en'].includes(ctx.lang) ? ctx.lang : 'ru';
  const tr = viewerT(lang, ctx.t, VIEWER_STRINGS);
  const manifest = ctx.manifest || {};
  const manifestUrl = ctx.manifestUrl || document.baseURI;
  const modalMode = ctx.mode === 'modal';
  const n = ++seq;
  const prefix = modalMode ? 'kelisim-m' + n + '-' : '';
  const titleId = 'kelisim-viewer-title-' + n;
  const searchId = 'kelisim-viewer-search-' + n;
  const statusId = 'kelisim-viewer-status-' + n;

  let pm = null;
  let index = null;
  let versions = [];            // [{ version, publishedAt, effectiveAt, bodyUrl, demo, bodies, titles, primary }]
  let shown = manifest.version; // version whose text is shown
  let want = textLang(manifest, lang); // the text language asked for: the visitor's, until they switch
  let shownLang = null;         // the language of the text shown
  let renders = 0;              // the latest renderText call (an older one that finishes late is dropped)
  let baseTitle = '';           // the heading from the manifest or texts file (no language of its own)
  let accepted = ctx.accepted || null;
  let tab = 'text';
  let textBody = null;
  let diffFrom = null;
  let diffTo = null;

  // ---- skeleton ----
  const title = h('h2', { class: 'kelisim-viewer-title', id: titleId, tabindex: '-1', text: pick(manifest.title, lang) || tr('viewer.label') });
  const meta = h('dl', { class: 'kelisim-viewer-meta' });
  const demoNote = h('p', { class: 'kelisim-viewer-demo', 'data-kelisim-demo-note': true, hidden: true });
  const closeBtn = modalMode ? h('button', {
    type: 'button', class: 'kelisim-viewer-close', 'aria-label': tr('viewer.close'), 'data-kelisim-action': 'close-viewer',
    onclick: () => view.close && view.close(),
  }, '×') : null;
  const tabs = {};
  const tabBar = h('div', { class: 'kelisim-viewer-tabs', role: 'group', 'aria-label': tr('viewer.label') });
  for (const [id, key] of [['text', 'viewer.tabText'], ['changes', 'viewer.tabChanges'], ['versions', 'viewer.tabVersions']]) {
    tabs[id] = h('button', { type: 'button', class: 'kelisim-viewer-tab', 'data-kelisim-tab': id, 'aria-pressed': 'false', onclick: () => setTab(id) }, tr(key));
    tabBar.append(tabs[id]);
  }
  // The text's language, when the version has several (policies/README.md "Languages").
  const langBar = h('div', { class: 'kelisim-viewer-tabs kelisim-viewer-langs', role: 'group', 'aria-label': tr('viewer.language'), 'data-kelisim-langs': true, hidden: true });
  // Withdrawal is as easy as giving: the preferences (with "withdraw") are one click away.
  const prefsBtn = ctx.controller && typeof ctx.controller.showPreferences === 'function'
    ? h('button', { type: 'button', class: 'kelisim-viewer-tab kelisim-viewer-prefs', 'aria-haspopup': 'dialog', 'data-kelisim-action': 'viewer-preferences',
      onclick: () => ctx.controller.showPreferences() }, tr('viewer.preferences')) : null;
  const search = h('input', {
    type: 'search', id: searchId, class: 'kelisim-viewer-search', autocomplete: 'off', spellcheck: 'false',
    placeholder: tr('viewer.searchHint'), 'aria-describedby': statusId, 'data-kelisim-search': true,
  });
  const searchBox = h('div', { class: 'kelisim-viewer-searchbox', role: 'search' },
    h('label', { for: searchId, text: tr('viewer.search') }), search);
  const status = h('p', { class: 'kelisim-viewer-status', id: statusId, role: 'status', 'aria-live': 'polite' });
  const results = h('ol', { class: 'kelisim-viewer-results', 'data-kelisim-results': true, hidden: true });
  const versionNote = h('p', { class: 'kelisim-viewer-note', hidden: true });
  const tocBox = h('details', { class: 'kelisim-viewer-toc', 'data-kelisim-toc': true },
    h('summary', { text: tr('viewer.contents') }));
  const article = h('div', { class: 'kelisim-viewer-text', 'data-kelisim-text': true });
  const textPanel = h('div', { class: 'kelisim-viewer-panel kelisim-viewer-layout', 'data-kelisim-panel': 'text' },
    h('aside', { class: 'kelisim-viewer-aside' }, tocBox),
    h('div', { class: 'kelisim-viewer-main' }, versionNote, article));
  const changesPanel = h('div', { class: 'kelisim-viewer-panel', 'data-kelisim-panel': 'changes', hidden: true });
  const versionsPanel = h('div', { class: 'kelisim-viewer-panel', 'data-kelisim-panel': 'versions', hidden: true });
  const scroller = h('div', { class: 'kelisim-viewer-scroll' }, textPanel, changesPanel, versionsPanel);

  const el = h('div', { class: 'kelisim-viewer' + (modalMode ? ' kelisim-viewer-modal' : ''), lang, 'data-kelisim-viewer': ctx.mode },
    h('header', { class: 'kelisim-viewer-head' },
      h('div', { class: 'kelisim-viewer-headtext' }, title, meta, demoNote), closeBtn),
    h('div', { class: 'kelisim-viewer-tools' }, tabBar, langBar, prefsBtn, searchBox),
    status,
    results,   // right after the search box in reading and Tab order
    scroller);

  // Contents: open beside the text on wide screens, folded on phones.
  const wide = typeof matchMedia === 'function' ? matchMedia('(min-width: 60em)') : null;
  tocBox.open = !wide || wide.matches;
  wide && wide.addEventListener && wide.addEventListener('change', () => { tocBox.open = wide.matches; });

  // In-text links (#p-… numbers, contents, results): scroll inside the viewer and keep the
  // shareable #p-… address in the URL without a history entry per click.
  el.addEventListener('click', (e) => {
    const a = e.target.closest && e.target.closest('a[href^="#"]');
    if (!a || !el.contains(a)) return;
    // Every in-viewer link is written as the shareable "#p-4.1.5" (see renderText).
    const m = /^#p-(\d+(?:\.\d+)*)$/.exec(a.getAttribute('href'));
    if (!m) return;
    const num = m[1];
    e.preventDefault();
    if (tab !== 'text') setTab('text');
    goTo(num);
    if (!wide || !wide.matches) { if (tocBox.contains(a)) tocBox.open = false; }
  });

  search.addEventListener('input', () => runSearch());
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && search.value) { e.preventDefault(); e.stopPropagation(); search.value = ''; runSearch(); }
  });

  // ---- helpers ----
  function metaRow(label, value) {
    if (!value) return;
    meta.append(h('div', null, h('dt', { text: label }), h('dd', null, value)));
  }
  function fillMeta(m, isCurrent = true) {
    meta.replaceChildren();
    // Demo material says so (policies/README.md: demo versions carry `demo` and `note`).
    const note = isCurrent && m.demo && m.note ? pick(m.note, lang) : '';
    demoNote.textContent = note;
    demoNote.hidden = !note;
    metaRow(tr('viewer.version'), String(m.version ?? ''));
    metaRow(tr('viewer.published'), m.publishedAt ? formatIsoDate(m.publishedAt, lang) || m.publishedAt : tr('viewer.dateUnknown'));
    if (m.effectiveAt && m.effectiveAt !== m.publishedAt) metaRow(tr('viewer.effective'), formatIsoDate(m.effectiveAt, lang));
    metaRow(tr('viewer.controller'), m.controller ? pick(m.controller, lang) : null);
    if (m.contact) {
      const c = String(m.contact);
      metaRow(tr('viewer.contact'), /^[^\s@<>"]+@[^\s@<>"]+\.[a-z]{2,}$/i.test(c) ? h('a', { href: 'mailto:' + c, text: c }) : c);
    }
  }
  fillMeta(manifest);

  const indexUrlGuess = () => indexUrlFor(ctx);

  async function loadIndex() {
    if (index) return;
    const iu = indexUrlGuess();
    const [idx, texts] = await Promise.all([getJson(iu).catch(() => null), loadTexts(manifest, manifestUrl).catch(() => null)]);
    // A format-2 manifest has its title in the policy's texts file (format 1: in the manifest itself).
    if (!pick(manifest.title, lang) && texts && pick(texts.title, lang)) title.textContent = pick(texts.title, lang);
    const list = [];
    if (idx && Array.isArray(idx.versions) && idx.id === manifest.id) {
      for (const v of idx.versions) {
        if (!v || typeof v.version !== 'string' || typeof v.body !== 'string') continue;
        const e = { version: v.version, publishedAt: v.publishedAt, effectiveAt: v.effectiveAt, demo: !!v.demo,
          bodyUrl: new URL(v.body, iu).href, manifestUrl: v.manifest ? new URL(v.manifest, iu).href : null };
        addLangs(e, v.langs, iu, v.body);
        list.push(e);
      }
    }
    if (!list.some((v) => v.version === manifest.version) && manifest.version != null) {
      list.push({ version: String(manifest.version), publishedAt: manifest.publishedAt, effectiveAt: manifest.effectiveAt,
        bodyUrl: new URL(manifest.body || 'body.json', manifestUrl).href });
    }
    // The current version's body is always the one its manifest names.
    const cur = list.find((v) => v.version === manifest.version);
    if (cur && manifest.body) cur.bodyUrl = new URL(manifest.body, manifestUrl).href;
    // ...and its other languages those its texts file names (relative to that file).
    if (cur && texts && Array.isArray(manifest.langs) && typeof manifest.texts === 'string') {
      cur.bodies = {};
      cur.titles = {};
      addLangs(cur, texts.langs, new URL(manifest.texts, manifestUrl), null);
      cur.primary = manifest.lang || null;
      if (cur.primary) cur.bodies[cur.primary] = cur.bodyUrl;
    }
    list.sort((a, b) => cmpVersions(a.version, b.version));
    versions = list;
    index = idx || {};
  }

  /**
   * Adds a version's languages to entry `e` from a `langs` map ({ <lang>: { body, title } },
   * index.json or texts.json), body paths resolved against `base`; the language whose body is
   * `primaryBody` is the version's primary.
   */
  function addLangs(e, langs, base, primaryBody) {
    e.bodies = e.bodies || {};
    e.titles = e.titles || {};
    if (!langs || typeof langs !== 'object') return;
    for (const l of LANGS) {
      const x = langs[l];
      if (!x || typeof x.body !== 'string') continue;
      e.bodies[l] = new URL(x.body, base).href;
      if (typeof x.title === 'string') e.titles[l] = x.title;
      if (primaryBody && x.body === primaryBody) e.primary = l;
    }
  }
  const versionOf = (version) => versions.find((x) => x.version === version);
  /** The languages `v` is published in, in switch order (one or none: no switch). */
  const langsOf = (v) => LANGS.filter((l) => v && v.bodies && v.bodies[l]);
  const primaryOf = (v) => (v && v.primary) || manifest.lang || 'ru';
  /** The language `v` is shown in: the one asked for when it has it, else its primary. */
  const langFor = (v) => (langsOf(v).includes(want) ? want : primaryOf(v));
  /** Resolves with the body text of `version` in `l` (its primary body when it has no `l`). */
  const bodyOf = (version, l) => {
    const v = versionOf(version);
    if (!v) return Promise.reject(new Error('unknown version ' + version));
    return getText((l && v.bodies && v.bodies[l]) || v.bodyUrl);
  };

  function fail(where, e) {
    where.replaceChildren(h('p', { class: 'kelisim-viewer-error', role: 'alert', text: tr('viewer.loadError') }),
      ctx.policyUrl ? h('p', null, h('a', { href: ctx.policyUrl, target: '_blank', rel: 'noopener', text: tr('viewer.openPage') })) : null);
    if (e && typeof console !== 'undefined') console.warn('kelisim viewer:', e && e.message ? e.message : e);
  }

  async function ensure() {
    if (!pm) {
      const [m] = await Promise.all([policyModule(ctx.policyWasm), loadIndex()]);
      pm = m;
    }
  }

  async function renderText(version) {
    const mine = ++renders;
    const v = versionOf(version);
    const l = langFor(v);
    const body = await bodyOf(version, l);
    if (mine !== renders) return;
    shown = version;
    shownLang = l;
    textBody = body;
    const frag = safeFragment(pm.render(textBody, { lang: l, idPrefix: prefix, title: false }));
    // Ids carry the modal's prefix (no clash with an inline viewer or the page); links are
    // rewritten to the shareable "#p-…" form, so "copy link address" gives a working deep link.
    if (prefix) {
      for (const a of frag.querySelectorAll('a[href^="#' + prefix + 'p-"]')) a.setAttribute('href', '#' + a.getAttribute('href').slice(1 + prefix.length));
    }
    const nav = frag.querySelector('nav.kelisim-toc');
    tocBox.replaceChildren(h('summary', { text: tr('viewer.contents') }));
    if (nav) { nav.setAttribute('aria-label', tr('viewer.contents')); nav.setAttribute('lang', l); tocBox.append(nav); }
    tocBox.hidden = !nav;
    article.setAttribute('lang', l);
    article.replaceChildren(frag);
    if (!baseTitle) baseTitle = title.textContent;
    title.textContent = (v && v.titles && v.titles[l]) || baseTitle;
    if (v && v.titles && v.titles[l]) title.setAttribute('lang', l); else title.removeAttribute('lang');
    fillLangBar(v);
    const isCurrent = version === manifest.version;
    versionNote.hidden = isCurrent;
    if (!isCurrent) {
      versionNote.replaceChildren(tr('viewer.readingVersion', { version }), ' ',
        h('button', { type: 'button', class: 'kelisim-viewer-linkbtn', onclick: () => show({ view: 'text', version: manifest.version }) }, tr('viewer.backToCurrent')));
    }
    const vm = versions.find((v) => v.version === version) || {};
    fillMeta(isCurrent ? manifest : { ...manifest, version, publishedAt: vm.publishedAt, effectiveAt: vm.effectiveAt }, isCurrent);
    if (search.value) runSearch();
  }

  /** Shows the language switch for version `v` (hidden for a one-language version). */
  function fillLangBar(v) {
    const ls = langsOf(v);
    langBar.hidden = ls.length < 2;
    // Same languages: only the pressed state changes (the focused button stays).
    if (langBar.getAttribute('data-kelisim-langs') !== ls.join(' ')) {
      langBar.setAttribute('data-kelisim-langs', ls.join(' '));
      langBar.replaceChildren(...(ls.length < 2 ? [] : ls.map((l) => h('button', {
        type: 'button', class: 'kelisim-viewer-tab', lang: l, 'data-kelisim-text-lang': l, 'aria-pressed': 'false',
        onclick: () => switchLang(l),
      }, ENDONYMS[l]))));
    }
    for (const b of langBar.children) b.setAttribute('aria-pressed', String(b.getAttribute('data-kelisim-text-lang') === shownLang));
  }

  /**
   * The clause the reader is at: the deep-link target, else the innermost clause at the top
   * of the visible text; null at the very top.
   */
  function currentClause() {
    const t = article.querySelector('.kelisim-viewer-target');
    if (t) return { num: t.id.slice(prefix.length + 2), target: true };
    // The line just below the top edge: a clause scrolled to sits 1rem lower (its
    // scroll-margin-top, viewer.css).
    const top = Math.max(0, modalMode ? scroller.getBoundingClientRect().top : 0) + 24;
    let at = null;
    for (const c of article.querySelectorAll('[id^="' + prefix + 'p-"]')) {
      const r = c.getBoundingClientRect();
      if (r.top <= top && r.bottom > top) at = c;
      else if (r.top > top) break;
    }
    return at ? { num: at.id.slice(prefix.length + 2), target: false } : null;
  }

  /**
   * Shows the text in language `l`: the same version, the same clause (target or reading
   * position) and the search run again in that language; the changes tab follows.
   */
  async function switchLang(l) {
    if (l === shownLang) return;
    want = l;
    const at = tab === 'text' ? currentClause() : null;
    el.setAttribute('aria-busy', 'true');
    try {
      await renderText(shown);
      if (at) goTo(at.num, { focus: false, mark: at.target });
      if (tab === 'changes') await renderChanges();
    } catch (e) {
      fail(article, e);
    } finally {
      el.removeAttribute('aria-busy');
    }
  }

  function runSearch() {
    const q = search.value.trim();
    if (!q || !pm || !textBody) {
      results.hidden = true;
      results.replaceChildren();
      status.textContent = '';
      return;
    }
    const hits = pm.search(textBody, q, { limit: 200 });
    results.replaceChildren(...hits.map((r) => h('li', { 'data-kelisim-hit': r.id },
      h('a', { href: '#' + r.id, class: 'kelisim-viewer-hitnum', text: tr('viewer.clause', { num: r.num }) }),
      ' ',
      h('span', { class: 'kelisim-viewer-snippet', lang: shownLang || undefined }, safeFragment(r.snippet)))));
    results.hidden = !hits.length;
    status.textContent = hits.length ? tr('viewer.results', { n: hits.length }) : tr('viewer.noResults');
    if (tab !== 'text') setTab('text', true);
  }

  function setTab(id, quiet) {
    tab = id;
    for (const k in tabs) tabs[k].setAttribute('aria-pressed', String(k === id));
    textPanel.hidden = id !== 'text';
    changesPanel.hidden = id !== 'changes';
    versionsPanel.hidden = id !== 'versions';
    if (quiet) return;
    if (id === 'changes') renderChanges().catch((e) => fail(changesPanel, e));
    if (id === 'versions') renderVersions();
    scroller.scrollTop = 0;
  }

  function versionSelect(label, value, onchange) {
    const id = 'kelisim-viewer-v' + (++seq);
    const sel = h('select', { id, onchange: (e) => onchange(e.target.value) },
      ...versions.slice().reverse().map((v) => {
        const o = h('option', { value: v.version }, v.version + (v.publishedAt ? ' — ' + formatIsoDate(v.publishedAt, lang) : ''));
        if (v.version === value) o.selected = true;
        return o;
      }));
    return h('span', { class: 'kelisim-viewer-pick' }, h('label', { for: id, text: label }), ' ', sel);
  }

  async function renderChanges() {
    await ensure();
    const cur = manifest.version;
    const prev = versions.length > 1 ? versions[versions.length - 2].version : cur;
    if (!diffTo || !versions.some((v) => v.version === diffTo)) diffTo = cur;
    if (!diffFrom || !versions.some((v) => v.version === diffFrom)) {
      diffFrom = accepted && accepted !== diffTo && versions.some((v) => v.version === accepted) ? accepted
        : manifest.previousVersion && versions.some((v) => v.version === manifest.previousVersion) ? manifest.previousVersion : prev;
    }
    const picks = h('div', { class: 'kelisim-viewer-picks' },
      versionSelect(tr('viewer.from'), diffFrom, (v) => { diffFrom = v; renderChanges().catch((e) => fail(changesPanel, e)); }),
      versionSelect(tr('viewer.to'), diffTo, (v) => { diffTo = v; renderChanges().catch((e) => fail(changesPanel, e)); }));
    if (diffFrom === diffTo) {
      changesPanel.replaceChildren(picks, h('p', { text: tr('viewer.sameVersion') }));
      return;
    }
    // In the language asked for when both versions have it, else in the primary languages.
    const both = langsOf(versionOf(diffFrom)).includes(want) && langsOf(versionOf(diffTo)).includes(want);
    const la = both ? want : primaryOf(versionOf(diffFrom));
    const lb = both ? want : primaryOf(versionOf(diffTo));
    const [a, b] = await Promise.all([bodyOf(diffFrom, la), bodyOf(diffTo, lb)]);
    const d = pm.diff(a, b);
    const s = d.summary || {};
    const count = (k) => (Array.isArray(s[k]) ? s[k].length : 0);
    const list = h('div', { class: 'kelisim-viewer-diff', lang: lb, 'data-kelisim-diff': true });
    for (const c of d.clauses || []) {
      if (c.status === 'same') continue;
      const label = c.num ? tr('viewer.clause', { num: c.num }) : tr('viewer.unnumbered');
      const statusKey = { added: 'viewer.added', removed: 'viewer.removed', changed: 'viewer.changed', moved: 'viewer.moved' }[c.status] || 'viewer.changed';
      list.append(h('section', { class: 'kelisim-viewer-change', 'data-status': c.status, 'data-num': c.num || '' },
        h('h3', { class: 'kelisim-viewer-change-head' },
          h('span', { class: 'kelisim-viewer-badge', text: tr(statusKey) }), ' ', label,
          c.oldNum && c.oldNum !== c.num ? h('span', { class: 'kelisim-viewer-was', text: ' (' + tr('viewer.wasClause', { num: c.oldNum }) + ')' }) : null),
        h('div', { class: 'kelisim-viewer-change-text' }, safeFragment(c.html || ''))));
    }
    const summary = h('p', { class: 'kelisim-viewer-summary', 'data-kelisim-summary': true,
      text: tr('viewer.summary', { added: count('added'), removed: count('removed'), changed: count('changed') + count('moved') }) });
    const missing = lb === want ? null : langsOf(versionOf(diffTo)).includes(want) ? diffFrom : diffTo;
    const langNote = missing
      ? h('p', { class: 'kelisim-viewer-note', 'data-kelisim-diff-lang': lb, text: tr('viewer.diffLang', { lang: tr('lang.' + lb), version: missing }) }) : null;
    changesPanel.replaceChildren(picks, summary, translationsNote(), langNote,
      list.childElementCount ? list : h('p', { text: tr('viewer.noChanges') }));
  }

  /**
   * What the manifest's change summary says about translations (policies/README.md), shown
   * when the pair compared is the previous version → the current one; else null.
   */
  function translationsNote() {
    const c = manifest.changes && manifest.changes.translations;
    if (!c || diffTo !== manifest.version || diffFrom !== manifest.previousVersion) return null;
    const parts = [];
    for (const [k, key] of [['added', 'viewer.added'], ['changed', 'viewer.changed'], ['removed', 'viewer.removed']]) {
      const ls = Array.isArray(c[k]) ? c[k].filter((l) => LANGS.includes(l)) : [];
      if (ls.length) parts.push(tr(key) + ': ' + ls.map((l) => tr('lang.' + l)).join(', '));
    }
    return parts.length ? h('p', { class: 'kelisim-viewer-summary', 'data-kelisim-translations': true, text: tr('viewer.translations', { list: parts.join('; ') }) }) : null;
  }

  function renderVersions() {
    const ul = h('ul', { class: 'kelisim-viewer-versions', 'data-kelisim-versions': true });
    for (const v of versions.slice().reverse()) {
      const marks = [];
      if (v.version === manifest.version) marks.push(tr('viewer.current'));
      if (accepted && v.version === accepted) marks.push(tr('viewer.yours'));
      ul.append(h('li', { 'data-version': v.version },
        h('span', { class: 'kelisim-viewer-vname', text: tr('viewer.version') + ' ' + v.version }),
        ' — ', h('span', { text: v.publishedAt ? formatIsoDate(v.publishedAt, lang) : tr('viewer.dateUnknown') }),
        marks.length ? h('span', { class: 'kelisim-viewer-vmarks', text: ' (' + marks.join(', ') + ')' }) : null,
        h('span', { class: 'kelisim-viewer-vactions' },
          h('button', { type: 'button', class: 'kelisim-viewer-linkbtn', 'aria-label': tr('viewer.read') + ': ' + tr('viewer.version') + ' ' + v.version,
            onclick: () => show({ view: 'text', version: v.version }) }, tr('viewer.read')),
          v.version !== manifest.version ? h('button', { type: 'button', class: 'kelisim-viewer-linkbtn',
            'aria-label': tr('viewer.compareCurrent') + ': ' + tr('viewer.version') + ' ' + v.version,
            onclick: () => show({ view: 'changes', from: v.version, to: manifest.version }) }, tr('viewer.compareCurrent')) : null)));
    }
    versionsPanel.replaceChildren(ul);
  }

  const target = (num) => article.querySelector('[id="' + prefix + 'p-' + CSS.escape(num) + '"]');

  /**
   * Scrolls to clause `num`; o.mark (default true): make it the target (highlight, focus unless
   * o.focus === false, #p-… in the URL). Returns false when the text has no such clause.
   */
  function goTo(num, o = {}) {
    const t = target(num);
    if (!t) return false;
    t.scrollIntoView({ block: 'start' });
    if (o.mark === false) return true;
    for (const old of article.querySelectorAll('.kelisim-viewer-target')) old.classList.remove('kelisim-viewer-target');
    t.classList.add('kelisim-viewer-target');
    if (!t.hasAttribute('tabindex')) t.setAttribute('tabindex', '-1');
    if (o.focus !== false) t.focus({ preventScroll: true });
    const hash = '#p-' + num;
    if (location.hash !== hash) {
      try { history.replaceState(history.state, '', hash); } catch { /* sandboxed */ }
    }
    return true;
  }

  async function show(c = {}) {
    if (c.accepted) accepted = c.accepted;
    if (c.from) diffFrom = c.from;
    if (c.to) diffTo = c.to;
    const view = c.view || (c.from || c.to ? 'changes' : 'text');
    if (!pm || !textBody || (c.version && c.version !== shown)) {
      status.textContent = tr('viewer.loading');
      el.setAttribute('aria-busy', 'true');
      try {
        await ensure();
        await renderText(c.version || shown || manifest.version);
        status.textContent = '';
      } catch (e) {
        status.textContent = '';
        fail(article, e);
      } finally {
        el.removeAttribute('aria-busy');
      }
    }
    setTab(view);
    if (c.clause && view === 'text') goTo(String(c.clause));
    return viewObj;
  }

  const viewObj = {
    el, titleId, show, goTo,
    has: (num) => !!target(num),
    focusStart() { (modalMode ? title : search).focus({ preventScroll: true }); },
    close: null,
    isOpen: () => true,
  };
  const view = viewObj;
  return viewObj;
}

/** Closes the modal viewer if open. */
export function close() {
  if (modal && modal.close) modal.close();
}

export default { open, close, mountInline, policyModule };
