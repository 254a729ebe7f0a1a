// Script gating: `<script type="text/plain" data-kelisim-category="analytics">` (inline or
// with `src`) is inert until its category is allowed; then a real copy runs, once, in
// document order. External scripts allowed together are inserted together with
// `async = false`: the browser fetches them in parallel and still runs them in insertion
// (= document) order; an inline gated script waits until every external one before it has
// run. Several categories separated by spaces require all of them. `data-kelisim-service=
// "yandex-metrica"` works the same for services (issue 12); a script with both needs all.
// The original type of a module script can be given as `data-kelisim-type="module"`.
// The same observer tells the controller (o.embeds) when an embed placeholder
// (`data-kelisim-src`) or a chat launcher (`data-kelisim-chat`, web/src/embeds/) may have been
// added, so that a page which gets its first one late still loads the embeds part.
// runOnce() (a launcher's "Load once") runs one service's held scripts without its consent; only
// the embeds part imports it, so it costs kelisim.js nothing.

const SELECTOR = 'script[type="text/plain"][data-kelisim-category],script[type="text/plain"][data-kelisim-service]';
const RAN = 'data-kelisim-ran';
const WATCH = SELECTOR + ',[data-kelisim-src],[data-kelisim-chat]';

/** The category and service ids a gated script needs. */
const idsOf = (s) => ((s.getAttribute('data-kelisim-category') || '') + ' ' + (s.getAttribute('data-kelisim-service') || ''))
  .split(/[\s,]+/).filter(Boolean);

/**
 * @param {object} o
 * @param {(cat: string) => boolean} o.allowed
 * @param {Document} [o.doc]
 * @param {() => void} [o.embeds] called when an element with data-kelisim-src or
 *   data-kelisim-chat (or a gated script) was added
 * @returns {{ run(pick?: (ids: string[]) => boolean): Promise<void>, ran: Set<string>, destroy(): void }}
 */
export function createGate(o) {
  const doc = o.doc || document;
  const ran = new Set();
  let queue = Promise.resolve();
  let observer = null;
  let dead = false;

  /**
   * Puts the runnable copy of a gated script (its attributes, type and nonce) in its place.
   * An external one gets async = false: the browser fetches it at once and runs it after the
   * ones inserted before it; the returned promise resolves once it has loaded or failed (or
   * after 15 s: a server that never answers must not hold back the inline gated scripts
   * after it forever). An inline one runs now; returns undefined.
   */
  function insert(orig) {
    const s = doc.createElement('script');
    for (const a of orig.attributes) {
      if (a.name !== 'type' && a.name !== 'data-kelisim-type') s.setAttribute(a.name, a.value);
    }
    const type = orig.getAttribute('data-kelisim-type');
    if (type) s.type = type;
    // The nonce attribute reads back empty once the document has parsed it; copy the property.
    if (orig.nonce) s.nonce = orig.nonce;
    for (const cat of idsOf(orig)) ran.add(cat);
    if (!orig.src) {
      s.textContent = orig.textContent;
      orig.replaceWith(s);
      return;
    }
    s.async = false;
    return new Promise((resolve) => {
      s.onload = s.onerror = resolve;
      setTimeout(resolve, 15000);
      orig.replaceWith(s);
    });
  }

  /**
   * Runs, in document order, every pending gated script whose ids `pick` accepts: by default,
   * those whose ids are all allowed. Returns the gate's queue (runs never overlap).
   */
  function run(pick = (c) => c.every((cat) => o.allowed(cat))) {
    queue = queue.then(async () => {
      const loading = [];   // external scripts inserted and not yet run
      const ok = (s) => {
        const c = idsOf(s);
        return !s.hasAttribute(RAN) && s.isConnected && c.length > 0 && pick(c);
      };
      for (const s of doc.querySelectorAll(SELECTOR)) {
        // An inline script runs once every external one before it has run; whether it may
        // run is asked again after that wait (consent can be withdrawn meanwhile).
        if (!s.src && loading.length && ok(s)) await Promise.all(loading.splice(0));
        if (dead) return;
        if (!ok(s)) continue;
        s.setAttribute(RAN, '');
        if (s.src) loading.push(insert(s));
        else insert(s);
      }
      await Promise.all(loading);
    });
    return queue;
  }

  // Gated scripts added after start-up (SPAs, tag managers) are handled too.
  if (typeof MutationObserver === 'function') {
    observer = new MutationObserver((records) => {
      for (const r of records) for (const n of r.addedNodes) {
        if (n.nodeType === 1 && (n.matches(WATCH) || n.querySelector(WATCH))) { run(); o.embeds && o.embeds(); return; }
      }
    });
    observer.observe(doc.documentElement, { childList: true, subtree: true });
  }

  return {
    run,
    ran,
    destroy() { dead = true; observer && observer.disconnect(); },
  };
}

/**
 * The gated scripts of `doc` that name `id` (in data-kelisim-service or data-kelisim-category)
 * and have not run, in document order.
 */
export const heldScripts = (doc, id) => [...doc.querySelectorAll(SELECTOR)].filter((s) => !s.hasAttribute(RAN) && idsOf(s).includes(id));

/**
 * "Load once" for a chat launcher (web/src/embeds/chat.js): runs, once and in document order,
 * the held scripts of `gate` that name `id`, whether `id` (or any other id they name) is allowed
 * or not: the visitor asked for this service on this page view. Records and stores nothing;
 * the ids join `gate.ran` as for any script that ran (a later withdrawal offers the reload).
 * Returns the gate's queue: resolves once the external ones have loaded or failed.
 */
export const runOnce = (gate, id) => gate.run((ids) => ids.includes(id));
