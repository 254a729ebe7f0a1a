// Proof of consent: the receipt (controller.receipt()) and the optional reporting of every
// consent event to a site-configured endpoint (`reportUrl`).
//
// The receipt follows the shape of ISO/IEC TS 27560:2023 (consent record information
// structure): who holds the record (record id), under which notice (policy id, version,
// body hash, URL, language), for which purposes (each category with its state), how
// (method: explicit or implicit), when (timestamps), who is the controller, and the
// hash-chained history of consent events, re-verified by the core (kelisim-consent-receipt.wasm's
// kel_verify_history: entry.hash = SHA-256(prevHash "\n" op~at~version~method~choices),
// wasm/core/consent.cpp; no second implementation here).
//
// Reporting (docs/ledger.md §1–2): each history entry is one change event whose id is its
// hash, and each consent layer shown is one display event (web/src/report-events.js). Events
// are queued in localStorage before anything is sent and leave the queue only after the
// endpoint answered 2xx; failures and offline periods are retried with backoff, on `online`,
// and on the next page load. Delivery is therefore at least once; an event the browser
// delivered while the page was closing may arrive again — the receiver deduplicates by record
// id + event id. The queue itself is web/src/outbox.js (in the lazily loaded
// kelisim-more.mjs); this file ships as dist/kelisim-receipt.mjs, loaded only for receipt()
// and to send.

import { createOutbox, iso } from './outbox.js';
import { loadTexts, textsOf, textLang } from './texts.js';
import { loadWasm } from './engine/loader.js';
import { verifyHistory } from './engine/core.js';

// ---------------------------------------------------------------------------------------
// The hash-chained history is checked by the core (wasm/core consent.h verifyHistory, the rule
// apply() writes entries with and the ledger server checks them with): kel_verify_history is
// in kelisim-consent-receipt.wasm only, which a receipt loads once per page.
// ---------------------------------------------------------------------------------------
const modules = new Map();   // module URL → its loading (once per page; a failed one is asked again)

/** A chain the core did not check: never reported valid; `unchecked` says why. */
function notChecked(history, why) {
  const h = Array.isArray(history) ? history : [];
  return { valid: false, length: h.length, head: h.length ? h[h.length - 1].hash : null, brokenAt: -1, unchecked: why };
}

/** The chain of `history` as the core finds it; when the module cannot be loaded, notChecked
 *  with the error's code. */
async function checkChain(history, receiptWasm) {
  const key = String(receiptWasm);
  try {
    if (!modules.has(key)) modules.set(key, loadWasm(receiptWasm));
    return verifyHistory(await modules.get(key), history);
  } catch (e) {
    modules.delete(key);   // asked again on the next receipt
    return notChecked(history, (e && e.code) || 'error');
  }
}

/**
 * buildReceipt with the policy's texts file (web/src/texts.js) loaded from `manifestUrl`, for
 * the category titles (when it cannot be loaded, the receipt is still built, with the titles
 * the manifest itself has, else null), and the history's chain checked by the core in
 * `receiptWasm` (kelisim-consent-receipt.wasm's URL, loaded once per page).
 */
export async function makeReceipt(args) {
  const [texts, chain] = await Promise.all([
    loadTexts(args.manifest, args.manifestUrl).catch(() => null),
    checkChain(args.history, args.receiptWasm),
  ]);
  return buildReceipt({ ...args, texts, chain });
}

/**
 * Builds the receipt. `texts` is the policy's texts file, if any. `record` is the decoded stored record (core.decodeRecord().record),
 * `manifest` the policy in force, `history` the stored hash-chained history, `now` epoch ms,
 * `inForce` whether the record is what applies now (false when the banner asks again),
 * `services` the services' states in force ({ id: boolean }, issue 12; none: all off),
 * `chain` the core's check of `history` (checkChain; without it the chain is reported not
 * valid, `unchecked: 'not-checked'`). Returns null without a record.
 */
export function buildReceipt({ record, manifest, texts, history, lang, policyUrl, now, inForce, services, chain: checked }) {
  if (!record || !manifest) return null;
  const chain = checked || notChecked(history, 'not-checked');
  const lang2 = typeof lang === 'string' ? lang : manifest.lang;
  const text = (v) => (v == null ? null : typeof v === 'string' ? v : v[lang2] ?? v.en ?? v.ru ?? null);
  // The notice the consent was given under is the record's version; its full body hash and
  // date are known only when that is the version in force (the record keeps 16 hex digits).
  const same = record.policyId === manifest.id && record.version === manifest.version;
  return {
    schema: 'kelisim-receipt/1',
    // Field names follow the roles of ISO/IEC TS 27560 (record, notice, purposes, method,
    // timestamps, controller, events); values are what the browser can know.
    recordId: record.id,
    policy: {
      id: record.policyId, version: record.version,
      bodyHash: same ? manifest.bodyHash : record.bodyHash16,
      publishedAt: same ? manifest.publishedAt ?? null : null,
      url: policyUrl ?? manifest.policyUrl ?? null,
      // The language the policy text is offered in (the viewer opens in it): the visitor's
      // when the version has it, else its primary; `language` below is the UI's. Known only for
      // the version in force.
      language: same ? textLang(manifest, lang2) : null,
      languages: same ? (Array.isArray(manifest.langs) ? manifest.langs.slice() : [manifest.lang || 'ru']) : null,
    },
    controller: manifest.controller ?? null,
    contact: manifest.contact ?? null,
    jurisdiction: manifest.jurisdiction ?? null,
    language: lang2 ?? null,
    method: record.method,
    givenAt: iso(record.givenAt),
    noticeShownAt: iso(record.noticeAt),
    generatedAt: iso(now),
    categories: (manifest.categories || []).map((c) => ({
      id: c.id, title: text(c.title) ?? text(textsOf(texts, c.id).title), required: !!c.required,
      state: record.choices[c.id] || c.required ? 'on' : 'off',
      document: documentOf(c, record),
    })),
    // Per-service states (issue 12), named as the preferences dialog names them.
    services: (Array.isArray(manifest.services) ? manifest.services : []).map((x) => ({
      id: x.id, category: x.category,
      name: text(((texts && texts.services) || {})[x.id]?.name) ?? x.id,
      state: services && services[x.id] ? 'on' : 'off',
    })),
    inForce: inForce !== false,
    history: (Array.isArray(history) ? history : []).map((e) => ({ ...e })),
    chain: { ...chain, matchesRecord: !!chain.head && chain.head === record.historyHead },
  };
}

/**
 * The consent document the category's choice was given under (policies/README.md "Consent
 * documents"), or null (off, or no document): { id, version, hash, hashPrefix, current }. The
 * record keeps the hash's first 8 hex (hashPrefix); version and the full hash are known when
 * that is the document in force (manifest categories[].consent; current: true), else null (the
 * banner asks about the category again).
 */
function documentOf(c, record) {
  const prefix = record.docs && record.docs[c.id];
  if (!prefix) return null;
  const doc = c.consent;
  const current = !!doc && typeof doc.hash === 'string' && doc.hash.startsWith(prefix);
  return { id: doc ? doc.id : null, version: current ? doc.version : null, hash: current ? doc.hash : null, hashPrefix: prefix, current };
}

// ---------------------------------------------------------------------------------------
// Reporting queue
// ---------------------------------------------------------------------------------------
const BATCH_MAX = 50;          // events per POST (the ledger takes up to 100, docs/ledger.md §1)
const BATCH_BYTES = 200000;    // and well under its 256 KiB body limit
const KEEPALIVE_BYTES = 60000; // a keepalive fetch may carry at most 64 KiB (Fetch standard)

/** The oldest queued events that fit one POST (at least one). */
function batchOf(q, max) {
  const out = [];
  let bytes = 2;
  for (const ev of q) {
    const n = JSON.stringify(ev).length + 1;
    if (out.length && (out.length >= max || bytes + n > BATCH_BYTES)) break;
    out.push(ev);
    bytes += n;
  }
  return out;
}

/**
 * Creates the reporter for `url`. o: { url, name = 'kelisim', win, onError(e), outbox }
 * (`outbox`: the controller's createOutbox(), so events it queued are sent from the same queue).
 * Sends what is queued oldest first, in batches (one POST of a JSON array, up to 50 events) as
 * `text/plain;charset=UTF-8` (a CORS-safelisted type: no preflight, and what sendBeacon sends),
 * without credentials when `url` is on another origin. A 2xx answer takes the batch out of the
 * queue (the ledger answers 202 only after a durable commit); a 400 naming `error.index` drops
 * that event (onError with its message) and sends the rest; anything else (429, 503, network)
 * keeps the batch and retries with backoff (1 s doubling to 60 s), on `online`, and on the next
 * page load. Returns { report(event), flush(), pending(), destroy() }. Never throws.
 */
export function createReporter(o) {
  const win = o.win || globalThis;
  const url = String(o.url);
  const box = o.outbox || createOutbox(win, o.name);
  const queue = box.queue;
  let sameOrigin = false;
  try { sameOrigin = new URL(url, win.location.href).origin === win.location.origin; } catch { /* no location */ }
  let busy = false;
  let again = false;   // flush() was asked for while one ran: run once more when it ends
  let timer = null;
  let delay = 1000;
  let max = BATCH_MAX;   // 1 after a 400 that names no event, until the next success
  let dead = false;

  const report = (e) => {
    if (o.onError) { try { o.onError(e); } catch { /* listener */ } }
  };

  /** POSTs `batch`; resolves with the Response (null after a beacon), rejects on network errors. */
  async function post(batch) {
    const body = JSON.stringify(batch);
    if (typeof win.fetch === 'function') {
      return win.fetch(url, {
        method: 'POST', body, keepalive: body.length < KEEPALIVE_BYTES, cache: 'no-store',
        credentials: sameOrigin ? 'same-origin' : 'omit',
        headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
      });
    }
    // No fetch (very old browsers): a beacon is the best there is; it cannot report failure.
    if (!win.navigator || typeof win.navigator.sendBeacon !== 'function' || !win.navigator.sendBeacon(url, body)) {
      throw new Error('no transport');
    }
    return null;
  }

  /** The event a 400 answer names ({"error": {"index", "message"}}), or null. */
  async function refused(r, batch) {
    let err = null;
    try { err = (await r.json()).error; } catch { /* not JSON */ }
    const i = err && err.index;
    return Number.isInteger(i) && i >= 0 && i < batch.length ? { event: batch[i], message: String(err.message || err.code || 'refused') } : null;
  }

  function schedule() {
    if (timer || dead) return;
    timer = setTimeout(() => { timer = null; flush(); }, delay);
    delay = Math.min(delay * 2, 60000);
  }

  async function drain() {
    for (;;) {
      const q = queue();
      if (!q.length || dead) return;
      const batch = batchOf(q, max);
      let r;
      try {
        r = await post(batch);
      } catch (e) {
        report(e);
        schedule();
        return;
      }
      if (!r || r.ok) {
        delay = 1000;
        max = BATCH_MAX;
        box.delivered(batch);
        continue;
      }
      if (r.status === 400) {
        const bad = await refused(r, batch);
        // Nothing of the batch was stored: drop the event it names, send the rest again. A
        // 400 that names none is narrowed down one event at a time (a lone event is dropped).
        if (bad || batch.length === 1) {
          const ev = bad ? bad.event : batch[0];
          box.drop(ev);
          report(new Error(`kelisim: the endpoint refused event ${ev.id} (${ev.type}): ${bad ? bad.message : 'HTTP 400'}`));
        } else {
          max = 1;
        }
        continue;
      }
      report(new Error(`HTTP ${r.status}`));
      schedule();
      return;
    }
  }

  /**
   * Sends what is queued; one flush per page at a time (and per browser with Web Locks). An
   * event queued while one runs is sent by it when its drain has not yet seen an empty queue,
   * else by the run that follows: between drain()'s last look at the queue and the lock's
   * release (a round trip to the browser) nothing else would send it before the next page.
   */
  async function flush() {
    if (dead) return;
    if (busy) { again = true; return; }
    busy = true;
    again = false;
    try {
      const locks = win.navigator && win.navigator.locks;
      if (locks && typeof locks.request === 'function') {
        await locks.request('kelisim-outbox:' + url, { ifAvailable: true }, (lock) => (lock ? drain() : schedule()));
      } else {
        await drain();
      }
    } catch { schedule(); } finally { busy = false; }
    if (again) flush();
  }

  const onOnline = () => { delay = 1000; if (timer) { clearTimeout(timer); timer = null; } flush(); };
  try { win.addEventListener('online', onOnline); } catch { /* no window */ }

  // Events left by an earlier page (offline, closed too early) go out now.
  if (queue().length) setTimeout(flush, 0);

  return {
    /** Queues `event` (deduplicated by record id + event id against the queue and recent deliveries) and flushes. */
    report(event) {
      if (!dead && box.add(event)) flush();
    },
    flush,
    pending: () => queue().length,
    destroy() {
      dead = true;
      if (timer) clearTimeout(timer);
      try { win.removeEventListener('online', onOnline); } catch { /* ignore */ }
    },
  };
}
