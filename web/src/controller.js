// The controller: the one object a site talks to (window.kelisim or createKelisim()).
// It does the I/O around the consent core — fetches the manifest, reads and writes storage,
// draws the UI, gates scripts, dispatches events — and asks the core for every decision:
// what to show (`decide`), what a visitor action produces (`apply`). Nothing here re-derives
// the consent rules.
import { createStorage, clearCookies } from './engine/storage.js';
import { KelisimError } from './engine/errors.js';
import { fetchJsonObject } from './engine/fetch-json.js';
import { createGate } from './gating.js';
import { randomId } from './random-id.js';
import { createBanner, wireBanner, actionButton, createNotice, policyLink, button, h, rootAttrs, safeUrl } from './ui/banner.js';
import { pickLang, translator, addStrings } from './ui/i18n.js';
import { createReportHooks } from './report-hooks.js';
import { createUpdateNotices } from './update-notices.js';
import { lazyPart, loadModule } from './lazy-part.js';
import { testOverride } from './test-overrides.js';
import { injectCss } from './ui/lazy-css.js';
// Loaded lazily: the preferences dialog and the second layer's strings (web/src/ui/more.js,
// dist/kelisim-more.mjs); the report outbox (web/src/reporting.js, dist/kelisim-report.mjs,
// only with reportUrl); receipt() and the report sender
// (web/src/receipt.js, dist/kelisim-receipt.mjs); the viewer and the update notices.

const EVENTS = ['consent', 'change', 'update', 'error'];

// Google Consent Mode v2 signals per category id (override with consentMode.map).
const GCM_MAP = {
  analytics: ['analytics_storage'],
  marketing: ['ad_storage', 'ad_user_data', 'ad_personalization'],
  functional: ['functionality_storage', 'personalization_storage'],
};

/** Runs `fn` when the browser is idle (soon, where requestIdleCallback is missing). */
const idle = (win, fn) => (win.requestIdleCallback ? win.requestIdleCallback(fn, { timeout: 3000 }) : setTimeout(fn, 200));
/** When a record was last confirmed (given, or an update notice shown). */
const recency = (r) => Math.max(r.givenAt, r.noticeAt || 0);

/** A new record id: 12 characters, 72 random bits. */
const newId = () => randomId(12);

/**
 * Starts what the banner cannot be shown without: the manifest (`o.policy`: a URL, or the
 * manifest object itself). The entry points call it before anything else, so that the
 * request leaves while the rest is still being set up (a script in <head> without `defer`
 * even starts it while the page is parsing). Returns { manifest: Promise<{ manifest, url }> },
 * rejecting with KelisimError (manifest-invalid, manifest-load). The consent module is
 * requested by the controller (loadConsent), which knows what is stored.
 */
export function startLoading(o) {
  const doc = globalThis.document;
  const manifest = (async () => {
    const src = o.policy;
    if (src && typeof src === 'object' && !(src instanceof URL)) return { manifest: src, url: doc.baseURI };
    if (!src) throw new KelisimError('manifest-invalid', 'kelisim: no policy given (data-policy or options.policy)');
    // '#id': the manifest is in the page, in <script type="application/json" id="id"
    // data-url="…manifest.json">, so the banner waits for no request (docs/embedding.md).
    if (String(src)[0] === '#') return inlineManifest(doc, String(src).slice(1));
    const url = new URL(String(src), doc.baseURI).href;
    const m = await fetchJsonObject(url, 'manifest-load');
    if (!m || !Array.isArray(m.categories)) throw new KelisimError('manifest-invalid', `kelisim: ${url} is not a policy manifest`);
    return { manifest: m, url };
  })();
  manifest.catch(() => {});   // handled in start(); avoid an unhandled rejection before it awaits
  return { manifest };
}

/**
 * The manifest in the page's element `id` (a JSON data block, which a strict CSP allows), once
 * the document has it. Its `data-url` is the manifest's own address: what the manifest refers
 * to (texts, policy page) is resolved against it; without it, against the page.
 */
async function inlineManifest(doc, id) {
  if (!doc.getElementById(id) && doc.readyState === 'loading') {
    await new Promise((r) => doc.addEventListener('DOMContentLoaded', r, { once: true }));
  }
  const el = doc.getElementById(id);
  if (!el) throw new KelisimError('manifest-load', `kelisim: no element #${id} holds the policy manifest`);
  let m = null;
  try { m = JSON.parse(el.textContent); } catch { /* below */ }
  if (!m || !Array.isArray(m.categories)) throw new KelisimError('manifest-invalid', `kelisim: #${id} does not hold a policy manifest (JSON)`);
  const u = el.getAttribute('data-url');
  return { manifest: m, url: u ? new URL(u, doc.baseURI).href : doc.baseURI };
}

/**
 * The consent module for this page, once (rejects with KelisimError 'wasm-load'). A site's own
 * `consentWasm` is used as it is. Otherwise the banner build next to the entry point (decide,
 * apply and decodeRecord without per-service consent, ~1.7 KB gzip less), unless the policy
 * declares services (issue 12), which only the full module decides. `stored`: the raw values
 * in storage. A returning visitor's module is requested at once, before the manifest: a record
 * about a policy with services is `k2~…` and only such a record is (wasm/core/record.cpp), so
 * the record names the build; should the policy have gained services since, the full module
 * follows the manifest. A first visit shows its banner without the module (start(), below), so
 * it waits for the manifest and for `drawn` (the banner painted: its compile would otherwise
 * take main-thread time between the banner's frames), and requests the one build it needs.
 */
function loadConsent(o, env, manifest, stored, drawn) {
  const load = (full) => env.loadCore({ consentWasm: o.consentWasm || new URL(full ? 'kelisim-consent.wasm' : 'kelisim-consent-banner.wasm', env.base) });
  const needsFull = ({ manifest: m }) => !!(m.services && m.services.length);
  const p = o.consentWasm ? load() : stored.then((s) => {
    if (!s.length) return manifest.then((m) => drawn.then(() => load(needsFull(m))));
    const full = s.some((v) => v.startsWith('k2~'));
    const first = load(full);
    first.catch(() => {});
    return manifest.then((m) => (!full && needsFull(m) ? load(true) : first));
  });
  p.catch(() => {});
  return p;
}

/**
 * Settles in a later task (a message to itself: not clamped like a timer, nor held back in a
 * hidden tab). What the controller does there is kept out of the task that evaluates the
 * script and issues the banner's requests: at 4x CPU throttle that task was one long task of
 * ~90-130 ms (bench/anchors.mjs's TBT), of which reading the stores took ~25 ms.
 */
const nextTask = (win) => new Promise((resolve) => {
  try {
    const c = new win.MessageChannel();
    c.port1.onmessage = () => { c.port1.close(); resolve(); };
    c.port2.postMessage(null);
  } catch { setTimeout(resolve); }
});

/**
 * Creates a controller. `env` is supplied by the entry points:
 *   loadCore(opts) → Promise<Core>; base: URL the wasm/viewer are resolved against;
 *   cssReady: Promise settled when the stylesheet can style the banner (or null);
 *   viewer: default viewer module URL or null; more/receipt: the lazily loaded parts' URLs;
 *   loading: what startLoading(options, env) returned, if the entry point called it first.
 * Returns synchronously; `controller.ready` settles when the decision is made (it resolves
 * with the controller even when start-up failed; then `state().status === 'error'`).
 */
export function createController(options = {}, env) {
  const o = options;
  const win = globalThis;
  const doc = win.document;
  // The manifest: requested by the entry point, else here, before anything else.
  const fetching = (env.loading || startLoading(o)).manifest;
  let manifestUrl = null;
  const listeners = Object.fromEntries(EVENTS.map((e) => [e, new Set()]));
  const signals = { gpc: o.respectGpc !== false && win.navigator && win.navigator.globalPrivacyControl === true };
  const cookieOpts = o.cookie || {};
  const storage = createStorage({
    mode: o.storage || 'both', name: cookieOpts.name, domain: cookieOpts.domain, path: cookieOpts.path,
    sameSite: cookieOpts.sameSite, secure: cookieOpts.secure, maxAgeDays: cookieOpts.maxAgeDays, win,
  });
  // What is stored as the page starts (read in the next task, see nextTask): nothing means a
  // first visit, whose banner is drawn before the core (start()) and whose core waits for that
  // banner (loadConsent).
  const stored = nextTask(win).then(() => storage.candidates());
  let drawn;   // resolved once a first visit's banner is painted, or will not be drawn early
  const coreLoading = loadConsent(o, env, fetching, stored, new Promise((r) => { drawn = r; }));
  const gcm = o.consentMode ? { map: GCM_MAP, ...(o.consentMode === true ? {} : o.consentMode) } : null;
  // [issue 13] ?kelisim=… on a site that opted in: decides this page view, stores and reports nothing.
  const override = testOverride(o, win);

  let status = 'loading';
  let error = null;
  let core = null;
  let manifest = null;
  let policyUrl = safeUrl(o.policyUrl, doc.baseURI);
  let lang = pickLang(o.lang, doc, win.navigator, o.fallbackLang);
  let t = translator(lang, o.strings);
  let raw = null;           // the record string in force
  let decision = null;
  let effective = {};
  let root = null;
  let banner = null;        // { el, focus, ret }
  let prefs = null;         // { el, open, close, opener }
  let notice = null;
  let gate = null;
  let dead = false;
  const offs = [];
  // ---- the lazily loaded parts -------------------------------------------------------
  const receiptModule = lazyPart(() => (o.receiptModule !== undefined ? o.receiptModule : env.receipt));
  // The second layer (web/src/ui/more.js): its strings join t() once loaded.
  const loadMore = lazyPart(() => (o.moreModule !== undefined ? o.moreModule : env.more));
  // The report outbox (web/src/reporting.js), with reportUrl only.
  const loadReport = lazyPart(() => (o.reportModule !== undefined ? o.reportModule : env.report));
  const more = () => Promise.all([
    loadMore(),
    // The second layer's styles, when the entry point loads the stylesheet in two parts.
    env.moreCss && injectCss(env.moreCss, env.css),
  ]).then(([m]) => {
    addStrings(m.STRINGS);
    m.loadTexts(manifest, manifestUrl).catch(() => {});   // the category texts, fetched once
    return m;
  });

  // The id of the record the next choice creates (core.apply's newId) while there is none:
  // drawn now, so that the banner's display event and the choice name the same record.
  // Made when first needed (a report or a choice), not during the page's start.
  let nextId = null;
  const pendingId = () => (nextId ||= newId());
  // Every change and every consent layer shown, to options.reportUrl (web/src/report-hooks.js).
  const reports = createReportHooks(override ? null : o.reportUrl, doc.baseURI, () => {
    const r = mine();
    return { manifest, lang, recordId: r ? r.id : pendingId() };
  });
  offs.push(() => reports.destroy());

  // ---- events ----------------------------------------------------------------------------
  function emit(name, detail) {
    for (const fn of listeners[name]) {
      try { fn(detail); } catch (e) { setTimeout(() => { throw e; }); }
    }
    try { doc.dispatchEvent(new CustomEvent('kelisim:' + name, { detail })); } catch { /* no DOM */ }
  }
  const fail = (code, e) => emit('error', { code, message: String((e && e.message) || e) });

  // ---- Google Consent Mode v2 ------------------------------------------------------------
  function gtag() {
    if (typeof win.gtag === 'function') win.gtag.apply(win, arguments);
    else (win.dataLayer = win.dataLayer || []).push(arguments);
  }
  function gcmState(allowedFn) {
    const s = { security_storage: 'granted' };
    for (const cat in gcm.map) for (const sig of [].concat(gcm.map[cat])) {
      if (s[sig] !== 'granted') s[sig] = allowedFn(cat) ? 'granted' : 'denied';
    }
    return s;
  }
  if (gcm) gtag('consent', 'default', { ...gcmState(() => false), wait_for_update: gcm.waitForUpdate ?? 500 });

  // ---- state -----------------------------------------------------------------------------
  // `effective` holds categories and services (issue 12) by id: the core keeps their ids apart.
  const allowed = (id) => status === 'ready' && effective[id] === true;
  /** The entries of `effective` whose ids are keys of m (the decision's categories or services). */
  const part = (m) => {
    const r = {};
    for (const k in m) if (k in effective) r[k] = effective[k];
    return r;
  };

  const decoded = () => (core && raw ? core.decodeRecord(raw) : null);
  /** The record in force, if it is about this policy (another policy's record on the same
   *  site is not a choice about this one). */
  function mine() {
    const d = decoded();
    return d && d.ok && d.record.policyId === manifest.id ? d.record : null;
  }

  function state() {
    const rec = override ? null : mine();   // an override's record is never a stored choice
    return {
      status, lang,
      policyId: manifest ? manifest.id : null,
      version: manifest ? manifest.version : null,
      action: decision ? decision.action : null,
      reason: decision ? decision.reason : null,
      deadline: decision ? decision.deadline : null,
      decided: !!rec,
      recordId: rec ? rec.id : null,
      method: rec ? rec.method : null,
      givenAt: rec ? rec.givenAt : null,
      choices: part(decision && decision.effective),
      services: part(decision && decision.services),
      storage: storage.active,
      error: error ? { code: error.code || 'error', message: error.message } : null,
      override,
    };
  }

  // ---- UI --------------------------------------------------------------------------------
  /** [issue 13] The visible-state hook on the root: `data-kelisim-state` = banner | preferences
   *  | hidden | error (what the visitor sees of kelisim's consent UI now). */
  function view() {
    if (dead || (status === 'loading' && !banner)) return;   // (a first visit's early banner is seen)
    mount().setAttribute('data-kelisim-state', status === 'error' ? 'error' : prefs ? 'preferences' : banner ? 'banner' : 'hidden');
  }

  function mount() {
    if (root) return root;
    root = h('div', { ...rootAttrs(lang, o.theme), 'data-kelisim-root': true });
    (o.root || doc.body).append(root);
    return root;
  }

  // [issue 14] A banner prerendered into the page (web/src/prerender.js): on a first visit the
  // page's own first paint shows it, before this script has run. The first banner drawn here
  // takes it over when it is the same banner, else takes its place (drawBanner); a visit that
  // draws no early banner, a failure and destroy() take it away.
  const prerendered = () => doc.querySelector('[data-kelisim-prerendered]');
  const dropPrerendered = () => { const p = prerendered(); if (p) p.remove(); };

  /** Opens the consent document of category `id` in the viewer; false (the link navigates)
   *  without one. */
  const openDocument = (id) => {
    if (!viewerSource()) return false;
    showPolicy({ document: id });
    return true;
  };

  const onPolicyLink = (e) => {
    if (!viewerSource()) return false;   // no viewer: let the link navigate
    showPolicy({});
    return true;
  };

  function focusBack(el) {
    if (el && el.isConnected && typeof el.focus === 'function' && el !== doc.body) el.focus({ preventScroll: true });
    else if (root && root.contains(doc.activeElement)) doc.activeElement.blur();
  }

  /**
   * Shows the banner, once the core decided (`auto`: because it decided so at start, which a
   * choice made meanwhile on a first visit's early banner has overtaken).
   */
  async function showBanner(auto) {
    await ready;
    if (dead || status !== 'ready' || (auto && !needsBanner())) return;
    if (!banner) {
      await env.cssReady;
      if (banner || dead) return;
      // [issue 15] A consent document changed: its categories only are asked about, with the
      // text, links and answers from the lazily loaded part (a first visit never comes here).
      const d = decision.reason === 'document-changed' && await documentBanner();
      if (banner || dead) return;
      drawBanner(d);
    }
    announced(banner);
    view();
  }

  /** The id of banner `ban`'s display event (or null), reported once, when the core has decided:
   *  a first visit's early banner is reported then, or at a click made on it before. */
  const announced = (ban) => (ban.shown === undefined ? (ban.shown = reports.shown('banner', ban.el, decision) || null) : ban.shown);

  /** Draws the banner; `d`: a changed consent document's parts (documentBanner()), if any. */
  function drawBanner(d) {
    const ban = { shown: undefined };   // shown: the id of its display event, if reported
    const o2 = {
      t, policyUrl, layout: o.layout, onPolicy: onPolicyLink, doc: d,
      onAccept: () => (d ? d.answer(true, ban.shown) : act('accept-all', null, ban)),
      onReject: () => (d ? d.answer(false, ban.shown) : act('reject-all', null, ban)),
      onSettings: () => showPreferences(),
    };
    let b = createBanner(o2);
    const pre = prerendered();
    const html = doc.documentElement;
    const early = pre && html.getAttribute('data-kelisim-early');
    html.removeAttribute('data-kelisim-early');
    const was = pre && pre.querySelector('[data-kelisim-banner]');
    const link = (x) => { const l = x.querySelector('[data-kelisim-policy-link]'); return l && l.href; };
    if (was && !d && !root && pre.lang === lang && pre.className === rootAttrs(lang, o.theme).class && was.className === b.el.className &&
        was.textContent === b.el.textContent && link(was) === link(b.el)) {
      // [issue 14] The prerendered banner is this one: it is taken over, not drawn again (no
      // new element to lay out and paint; focus and the page's LCP stay where they are). Its
      // root becomes kelisim's, no longer hidden or timed out by banner.css.
      b = wireBanner(was, o2);
      root = pre;
      root.removeAttribute('data-kelisim-prerendered');
      root.setAttribute('data-kelisim-root', '');
    }
    const a = doc.activeElement;
    const onPre = pre && pre.contains(a);
    // Do not pull focus away from someone typing into a form field.
    const typing = a && (a.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(a.tagName));
    banner = Object.assign(ban, b, { ret: onPre ? null : a });
    if (!b.el.isConnected) {
      mount().append(b.el);
      if (pre) {
        // Another version, language or look than the prerendered one: this one takes its place
        // in the same task, so no frame shows both or neither, without the first-frame fade
        // when that one was seen (a first visit: data-kelisim-first), and with the focus on
        // the same control.
        if (html.hasAttribute('data-kelisim-first')) b.el.classList.add('kelisim-shown');
        pre.remove();
        const same = onPre && a.hasAttribute('data-kelisim-action') && actionButton(b.el, a.getAttribute('data-kelisim-action'));
        if (same) same.focus();
      }
    }
    const kept = b.el.contains(doc.activeElement);
    // Focus moves in with the banner's first frame: focus() lays the page out, which the frame
    // does anyway; called here, that layout (~30-80 ms at 4x CPU throttle) joined the task that
    // built the banner into one long task. Focus already on it (a taken-over banner) stays.
    if (!typing && !kept) win.requestAnimationFrame(() => { if (banner === ban) b.focus(); });
    // A click on the prerendered banner before this script ran (kept by the page's inline check).
    const btn = early && !d && actionButton(b.el, early);
    if (btn) btn.click();
    // The settings dialog is a click away: fetch it once the banner is up and the page idle.
    idle(win, () => { if (!dead) more().catch(() => {}); });
  }

  /** The first layer's parts when consent documents changed (web/src/ui/documents.js). */
  async function documentBanner() {
    try {
      const m = await more();
      return m.documentBanner({ t, lang, act, pending: decision.pending, categories: manifest.categories,
        texts: await m.loadTexts(manifest, manifestUrl).catch(() => null), manifestUrl, onDocument: openDocument });
    } catch (e) { fail('ui-load', e); }
  }

  function hideBanner() {
    if (!banner) return;
    const b = banner;
    banner = null;
    const hadFocus = b.el.contains(doc.activeElement);
    b.el.remove();
    view();
    if (hadFocus) focusBack(b.ret);
  }

  async function showPreferences() {
    await ready;
    if (dead || status !== 'ready') return;
    await env.cssReady;
    let m;
    try { m = await more(); } catch (e) { fail('ui-load', e); return; }
    // Without its texts file the dialog still opens, with the default category titles.
    const texts = await m.loadTexts(manifest, manifestUrl).catch((e) => fail('texts-load', e));
    if (prefs || dead) return;
    const opener = doc.activeElement;
    let shown = null;   // its display event's id
    const p = m.createPreferences({
      t, lang, categories: manifest.categories, services: manifest.services, texts, values: effectiveOrPrefill(),
      canWithdraw: state().decided, policyUrl, onPolicy: onPolicyLink,
      pending: decision.pending, manifestUrl, onDocument: openDocument,
      onAccept: () => act('accept-all', null, shown),
      onReject: () => act('reject-all', null, shown),
      onSave: (c) => act('set', c, shown),
      onWithdraw: () => act('withdraw', null, shown),
      onClose: () => {
        p.el.remove();
        if (prefs === p) prefs = null;
        view();
        focusBack(opener && opener.isConnected ? opener : banner ? banner.el : p.ret);
      },
    });
    p.ret = banner ? banner.ret : opener;
    prefs = p;
    mount().append(p.el);
    p.open();
    view();
    shown = reports.shown('preferences', p.el, decision);
  }

  // Until a choice exists the switches show what the core suggests (prefill: previous
  // choices after expiry, GPC defaults); afterwards what is in force.
  function effectiveOrPrefill() {
    return decision && decision.action !== 'none' && decision.prefill ? { ...decision.prefill, ...decision.servicesPrefill } : effective;
  }

  function showNotice(kind, content, actions = []) {
    if (notice) notice.remove();
    notice = createNotice(kind, content, actions);
    mount().append(notice);
  }
  function hideNotice() { if (notice) { notice.remove(); notice = null; } }

  /** A notice whose strings are in the lazily loaded part. */
  function showLaterNotice(kind, textKey, actions = () => []) {
    more().then(() => {
      if (dead) return;
      showNotice(kind, [t(textKey)], [
        ...actions(),
        button(t('dismiss'), hideNotice, { 'data-kelisim-action': 'dismiss' }),
      ]);
    }, (e) => fail('ui-load', e));
  }
  function offerReload() {
    showLaterNotice('reload', 'reloadText', () => [button(t('reload'), () => win.location.reload(), { 'data-kelisim-action': 'reload' })]);
  }

  function viewerSource() { return o.viewer !== undefined ? o.viewer : env.viewer; }

  // Embed placeholders and chat launchers (web/src/embeds/, dist/kelisim-embeds.mjs): loaded
  // only once the page has an element with data-kelisim-src or data-kelisim-chat; started again
  // (idempotent) when more are added. A first visit starts them with its early banner, before
  // the core (start()): allowed() is false for every service until the core is ready, so each
  // embed is a placeholder then; the script gate is made later, so the part reads it when it
  // needs it.
  const loadEmbeds = lazyPart(() => o.embedsModule || new URL('kelisim-embeds.mjs', env.base));
  function embeds() {
    if (dead || !doc.querySelector('[data-kelisim-src],[data-kelisim-chat]')) return;
    loadEmbeds().then((m) => m.start({ api, o, manifest, manifestUrl, get gate() { return gate; } }), (e) => fail('ui-load', e));
  }

  // ---- [issue 5] update notices (web/src/update-notices.js) and viewer boot ---------------
  const syncUpdateUi = createUpdateNotices(o, env, fail, () => ({
    lang, t, manifest, css: o.viewerCss, cssReady: env.cssReady, mount, act, showPolicy,
    history: storage.history, dead: () => dead, shown: reports.shown,
  }));
  function acceptedVersion() {
    const r = mine();
    return r ? r.version : null;
  }
  /** Inline viewers (`data-kelisim-policy`) and `#p-4.1.5` deep links load the viewer at start. */
  function bootViewer() {
    if (!viewerSource()) return;
    const clauseHash = () => /^#p-\d+(?:\.\d+)*$/.test(win.location.hash);
    if (doc.querySelector('[data-kelisim-policy]') || clauseHash()) showPolicy({ boot: true });
    const onHash = () => { if (clauseHash()) showPolicy({ hash: true }); };
    win.addEventListener('hashchange', onHash);
    offs.push(() => win.removeEventListener('hashchange', onHash));
  }
  // ---- [/issue 5] ------------------------------------------------------------------------

  async function showPolicy(opts = {}) {
    await ready;
    const src = viewerSource();
    if (src) {
      try {
        const mod = await loadModule(src);
        const open = mod.open || (mod.default && mod.default.open);
        if (typeof open === 'function') {
          return await open({ manifest, manifestUrl, policyUrl, lang, clause: opts.clause || null, controller: api, root: mount(), t,
            document: opts.document,   // [issue 15] a category's consent document (the viewer opens it)
            // [issue 5] diff/versions view, versions to compare, inline boot, the accepted version
            view: opts.view, from: opts.from, to: opts.to, boot: opts.boot, hash: opts.hash, accepted: acceptedVersion() });
        }
      } catch (e) {
        fail('viewer-load', e);
      }
    }
    // The viewer (issue 5) is not built yet: open the policy page itself.
    if (!policyUrl || opts.boot || opts.hash) return;   // [issue 5] boot/deep link never open a tab
    const a = h('a', { href: policyUrl + (opts.clause ? '#p-' + opts.clause : ''), target: '_blank', rel: 'noopener' });
    a.click();
  }

  // ---- decisions -------------------------------------------------------------------------
  /** The newest valid stored record among cookie/localStorage/memory, else the first raw value. */
  function pickStored() {
    const cands = storage.candidates();
    let best = null;
    let bestAt = -1;
    for (const c of cands) {
      const d = core.decodeRecord(c);
      if (!d.ok) continue;
      const at = recency(d.record);
      if (at > bestAt) { best = c; bestAt = at; }
    }
    return { value: best || cands[0] || null, valid: !!best };
  }

  function now() { return Date.now(); }
  const needsBanner = () => decision.action === 'banner' || decision.action === 'reprompt';

  /** Re-decides from `raw`, updates UI, scripts and listeners. `source`: 'start'|'local'|'sync'. */
  function refresh(source, op) {
    const before = effective;
    decision = core.decide({ manifest, record: raw, now: now(), signals });
    if (decision.action === 'implicit-accept' && decision.record) {
      // The core accepted the update on the visitor's continued use (seed 003, clause 1.2).
      if (store(decision.record, decision.entry)) raw = decision.record;
    }
    effective = { ...decision.effective, ...decision.services };
    const changed = {};
    let any = false;
    for (const k in effective) if (!!before[k] !== effective[k]) { changed[k] = effective[k]; any = true; }

    if (gcm) gtag('consent', 'update', gcmState((c) => effective[c] === true));

    const revoked = Object.keys(changed).filter((k) => !changed[k]);
    if (source !== 'start' && revoked.length) {
      const patterns = revoked.flatMap((k) => [].concat((o.cookies || {})[k] || [], cookiesOf(k)));
      clearCookies(patterns, win);
    }
    if (revoked.some((k) => gate && gate.ran.has(k))) offerReload();
    else if (op === 'withdraw') showLaterNotice('withdrawn', 'withdrawn');

    if (!needsBanner()) {
      hideBanner();
      if (prefs && source !== 'start') prefs.close();
    }
    if (gate) gate.run();

    const st = state();
    if (decision.action === 'update-notice' || decision.action === 'implicit-accept' || decision.action === 'reprompt') {
      if (source === 'start') emit('update', { action: decision.action, reason: decision.reason, deadline: decision.deadline, state: st });
    }
    if (any && source !== 'start') emit('change', { changed, op: op || null, source, state: st });
    if ((st.decided || (override && raw)) && !needsBanner()) emit('consent', { op: op || null, source, state: st });
    // ?kelisim=none: show nothing, decide nothing (only required categories).
    const autoBanner = needsBanner() && source === 'start' && o.autoShow !== false && override !== 'none';
    if (autoBanner) showBanner(true);
    else view();   // [issue 13] the banner sets it once it is up
    syncUpdateUi(decision);   // [issue 5] update notice / implicit-acceptance notice
  }

  // The cookies a category or service names in the manifest (services: the catalogue's).
  function cookiesOf(id) {
    const c = manifest && manifest.categories.concat(manifest.services || []).find((x) => x.id === id);
    return c && Array.isArray(c.cookies) ? c.cookies.filter((x) => typeof x === 'string') : [];
  }

  /** Writes a new record and its history entry (made on display `display`, an id or null) and
   *  reports it. Never throws; false when nothing was kept. */
  function store(record, entry, display) {
    if (override) return true;   // [issue 13] this page view only: nothing stored, nothing reported
    try {
      storage.write(record);
    } catch (e) {
      fail(e.code || 'storage', e);
      return false;
    }
    if (entry) {
      storage.append(entry);
      reports.change(record, entry, display);
    }
    return true;
  }

  /** Applies a visitor action through the core, stores it, re-decides. `display`: the id of
   *  the display event of the layer it was made on, if any. */
  async function act(op, choices, display) {
    await ready;
    if (display && typeof display === 'object') display = announced(display);   // a banner's
    if (dead) return state();
    if (status !== 'ready') throw error || new KelisimError('not-ready', 'kelisim: not ready');
    const hist = storage.history();
    const res = core.apply({
      manifest, record: raw, now: now(), signals, op, choices,
      newId: pendingId(), prevHash: hist.length ? String(hist[hist.length - 1].hash || '') : '',
    });
    const stored = store(res.record, res.entry, display);
    nextId = null;   // that one is taken now (or was not needed: a record exists)
    if (stored) raw = res.record;
    else throw new KelisimError('storage-bad-value', 'kelisim: the core returned a record that cannot be stored');
    refresh('local', op);
    return state();
  }

  function onSync() {
    if (status !== 'ready' || dead || override) return;
    const s = pickStored();
    if (!s.valid) return;   // a bad value never replaces ours
    // [issue 6] Writes from several tabs can interleave so that the cookie and localStorage
    // end with different records: put the newest valid one in every store (as at start-up).
    storage.repair(s.value);
    if (s.value === raw) return;
    const cur = decoded();
    if (cur && cur.ok && recency(core.decodeRecord(s.value).record) < recency(cur.record)) return;
    raw = s.value;
    refresh('sync');
  }

  function failClosed(e) {
    status = 'error';
    error = e;
    effective = {};
    hideBanner();   // a first visit's early banner
    dropPrerendered();
    if (gate) { gate.destroy(); gate = null; }
    fail(e.code || 'error', e);
    Promise.resolve(env.cssReady).then(() => {
      if (dead) return;
      showNotice('error', [t('errorText'), ' ', policyLink(t, policyUrl)]);
      view();
    });
  }

  async function start(loading, domReady) {
    await null;   // let the caller finish wiring listeners before anything is emitted
    try {
      const { manifest: m, url } = await fetching;
      await domReady;
      const firstVisit = !(await stored).length;
      if (dead) return;
      manifest = m;
      manifestUrl = url;
      if (!policyUrl) policyUrl = safeUrl(m.policyUrl, manifestUrl);
      lang = pickLang(o.lang, doc, win.navigator, o.fallbackLang || m.lang);
      t = translator(lang, o.strings);
      // A first visit: nothing is stored, and without a record the core's answer is always the
      // banner (decide(), wasm/core/consent.cpp). So the banner is drawn now, while the consent
      // module is still on its way; its buttons wait for it (act() awaits `ready`). The core
      // still decides below: a manifest it refuses takes the banner away again (failClosed),
      // and nothing is stored, reported or run before it has.
      if (!override && o.autoShow !== false && firstVisit) {
        // In a task of its own, not in the one that read the stores or loaded the stylesheet.
        Promise.resolve(env.cssReady).then(() => nextTask(win)).then(() => {
          if (dead || banner || status !== 'loading') return drawn();
          drawBanner(null);
          view();
          // Two frames: the banner's first (painted at opacity 0, banner.css) and the visible one.
          // Then the core's request (loadConsent) and the embeds' placeholders, side by side.
          const later = () => setTimeout(() => { drawn(); if (status === 'loading') embeds(); });
          win.requestAnimationFrame(() => win.requestAnimationFrame(later));
          setTimeout(drawn, 500);   // no frames in a hidden tab
        });
      } else { drawn(); dropPrerendered(); }
      const [c, mod] = await loading;
      if (dead) return;
      core = c;
      reports.open(mod, { win, name: cookieOpts.name, sender: receiptModule, fail });
      const s = pickStored();
      raw = s.value;
      // [issue 13] accept-all / reject-all: the core's record for that choice, in memory only.
      if (override) raw = override === 'none' ? null : core.apply({ manifest, record: null, now: now(), signals, op: override, newId: pendingId() }).record;
      status = 'ready';
      if (o.gating !== false) gate = createGate({ allowed, doc, embeds });
      embeds();
      // The core validates the manifest in decide() and throws 'manifest-invalid' for a bad one.
      refresh('start');
      bootViewer();   // [issue 5]
      // Repair: a valid record missing from one store (say, cookies were cleared) is copied back.
      if (s.valid && !override) storage.repair(s.value);
      offs.push(storage.subscribe(onSync));
    } catch (e) {
      await domReady;
      if (!dead) failClosed(e);
    }
  }

  // `data-kelisim-open="preferences|policy|banner"` on any element.
  const onClick = (e) => {
    const el = e.target && e.target.closest && e.target.closest('[data-kelisim-open]');
    if (!el) return;
    const what = el.getAttribute('data-kelisim-open');
    if (what === 'preferences') { e.preventDefault(); showPreferences(); }
    else if (what === 'banner') { e.preventDefault(); showBanner(); }
    else if (what === 'policy') {
      if (!viewerSource() && el.tagName === 'A' && el.href) return;
      e.preventDefault();
      showPolicy({ clause: el.getAttribute('data-kelisim-clause') });
    }
  };
  doc.addEventListener('click', onClick);
  offs.push(() => doc.removeEventListener('click', onClick));
  // A settings control about to be used (pointer over it, keyboard focus on it): fetch the
  // second layer once, now, so that the dialog opens at once on a return visit too (the
  // first visit fetches it at idle, after the banner).
  let warmed = false;
  const onIntent = (e) => {
    if (warmed || status !== 'ready' || dead) return;
    if (e.target && e.target.closest && e.target.closest('[data-kelisim-open="preferences"]')) {
      warmed = true;
      more().catch(() => {});
    }
  };
  doc.addEventListener('pointerover', onIntent, { passive: true });
  doc.addEventListener('focusin', onIntent);
  offs.push(() => { doc.removeEventListener('pointerover', onIntent); doc.removeEventListener('focusin', onIntent); });

  const domReady = doc.readyState === 'loading'
    ? new Promise((r) => doc.addEventListener('DOMContentLoaded', r, { once: true })) : null;
  const loading = Promise.all([
    coreLoading,
    // The outbox must exist before the first event (an implicit acceptance at start): its own
    // small part; the second layer (dialog, strings, stylesheet) waits until the UI needs it.
    reports.url ? loadReport().catch((e) => e) : null,
  ]);
  loading.catch(() => {});
  const ready = start(loading, domReady).then(() => api);

  const api = {
    ready,
    state,
    allowed,
    acceptAll: () => act('accept-all'),
    rejectAll: () => act('reject-all'),
    set: (choices) => act('set', { ...choices }),
    withdraw: () => act('withdraw'),
    showBanner: () => showBanner(),
    showPreferences,
    showPolicy,
    on(event, fn) {
      const name = String(event).replace(/^kelisim:/, '');
      if (!listeners[name]) throw new KelisimError('bad-argument', `kelisim: unknown event ${event}; use one of ${EVENTS.join(', ')}`);
      listeners[name].add(fn);
      return () => listeners[name].delete(fn);
    },
    async receipt() {
      const rec = override ? null : decoded();   // an override is not a consent to prove
      if (!rec || !rec.ok) return null;
      // Built and chain-verified by web/src/receipt.js (fields after ISO/IEC TS 27560), from
      // what is in force at the call.
      const args = {
        record: rec.record, manifest, manifestUrl, history: storage.history(), lang, policyUrl, now: now(),
        // The core checks the history's chain (kel_verify_history, in this module only).
        receiptWasm: o.receiptWasm || new URL('kelisim-consent-receipt.wasm', env.base),
        inForce: !!decision && decision.action !== 'banner' && decision.action !== 'reprompt',
        services: part(decision && decision.services),
      };
      return (await receiptModule()).makeReceipt(args);
    },
    destroy() {
      dead = true;
      for (const f of offs) f();
      gate && gate.destroy();
      storage.destroy();
      if (prefs) prefs.close();
      root && root.remove();
      dropPrerendered();
      root = banner = prefs = notice = null;
      for (const e of EVENTS) listeners[e].clear();
    },
  };
  return api;
}

