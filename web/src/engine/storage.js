// Where the consent record lives: a first-party cookie, localStorage, or both (default).
// Either store may be missing, disabled or throwing (Safari private mode, blocked cookies,
// sandboxed iframes, full quota); whatever still works takes over, and memory is the last
// resort, so the banner keeps working for the current page. The storage never interprets
// the record: it only keeps strings. Choosing between candidates (cookie vs localStorage) is
// done by the caller with the core's decoder.
import { KelisimError } from './errors.js';

// RFC 6265 cookie-octet: %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E. The core's records
// are made of these only; anything else is refused so a bad value never replaces a good one.
const COOKIE_SAFE = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]{1,1024}$/;
const HISTORY_MAX = 100;

/**
 * The record cookie's attributes as the page writes them (also used by kelisim/testing, so a
 * preset cookie is the page's own): `attrs` ("; Path=/; SameSite=Lax" plus Domain and Secure
 * when they apply) and `maxAge` in seconds. `o`: createStorage's path, domain, sameSite,
 * secure, maxAgeDays; `https`: whether the page is served over https (Secure by default).
 */
export function cookieAttributes(o, https) {
  const secure = o.secure ?? https;
  return {
    attrs: '; Path=' + (o.path || '/') +
      (o.domain ? '; Domain=' + o.domain : '') +
      '; SameSite=' + (o.sameSite || 'Lax') + (secure || o.sameSite === 'None' ? '; Secure' : ''),
    maxAge: Math.round((o.maxAgeDays ?? 400) * 86400),
  };
}

/**
 * @param {object} o
 * @param {'both'|'cookie'|'localStorage'|'memory'} [o.mode='both']
 * @param {string} [o.name='kelisim'] cookie name and localStorage key
 * @param {string} [o.domain] cookie Domain attribute (default: host-only)
 * @param {string} [o.path='/']
 * @param {'Lax'|'Strict'|'None'} [o.sameSite='Lax']
 * @param {boolean} [o.secure] default: true on https
 * @param {number} [o.maxAgeDays=400] cookie lifetime (browsers cap it at 400 days)
 * @param {Window} [o.win=globalThis]
 * @returns {Storage_} never throws
 */
export function createStorage(o = {}) {
  const win = o.win || globalThis;
  const name = o.name || 'kelisim';
  const mode = o.mode || 'both';
  const histKey = name + ':history';
  const mem = { value: null, remote: null, history: [] };
  const listeners = new Set();
  let cookieOk = mode === 'both' || mode === 'cookie';
  let lsOk = mode === 'both' || mode === 'localStorage';
  let ls = null;
  let channel = null;

  if (cookieOk) {
    try { cookieOk = !!win.document && win.navigator.cookieEnabled !== false; } catch { cookieOk = false; }
  }
  // localStorage is reached for when first read or written, not as the storage is made: the
  // first access opens the origin's storage area (a synchronous round trip to the browser
  // process, ~5-15 ms at 4x CPU throttle), which the caller may want outside its own task.
  let lsAsked = false;
  function lsWorks() {
    if (!lsAsked) {
      lsAsked = true;
      if (lsOk) {
        try { ls = win.localStorage; lsOk = !!ls; } catch { lsOk = false; ls = null; }
      }
    }
    return lsOk;
  }
  // Whether localStorage takes writes (a full quota, Safari's old private mode) is probed once,
  // when it matters: before the first write, or when asked which stores work. Not at start,
  // where reading is all a page needs (the probe's write cost the page's start ~1-6 ms at 4×
  // CPU throttle, session 7).
  let probed = false;
  function probeLs() {
    if (probed || !lsWorks()) return;
    probed = true;
    try {
      const probe = name + ':probe';
      ls.setItem(probe, '1');
      ls.removeItem(probe);
    } catch { lsOk = false; ls = null; }
  }

  const { attrs, maxAge } = cookieAttributes(o, win.location && win.location.protocol === 'https:');

  function readCookie() {
    if (!cookieOk) return null;
    try {
      for (const part of win.document.cookie.split(';')) {
        const i = part.indexOf('=');
        if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim() || null;
      }
    } catch { /* a sandboxed document throws on access */ }
    return null;
  }

  function writeCookie(value) {
    try {
      win.document.cookie = name + '=' + value + attrs + '; Max-Age=' + maxAge;
      // Blocked cookies fail silently: read back to know.
      if (readCookie() === value) return true;
    } catch { /* fall through */ }
    cookieOk = false;
    return false;
  }

  function readLs(key) {
    if (!lsWorks()) return null;
    try { return ls.getItem(key); } catch { return null; }
  }

  function writeLs(key, value) {
    probeLs();
    if (!lsOk) return false;
    try { ls.setItem(key, value); return true; } catch { return false; }
  }

  function onStorage(e) {
    if (e.key === name || e.key === null) emit();
  }
  function onMessage(e) {
    const v = e.data && e.data.value;
    // Another tab wrote somewhere we may not see (memory only): keep it beside our own value
    // (never over it); the caller decodes and compares before trusting it.
    if (typeof v === 'string' && COOKIE_SAFE.test(v)) mem.remote = v;
    emit();
  }
  function emit() { for (const fn of listeners) fn(); }

  // The channel to the site's other tabs, opened when first needed (a subscriber or a write),
  // not during the page's start. Before then there is no one to tell about a message. The
  // 'storage' event listener waits as well: registering it opens the origin's storage area
  // (~10 ms at 4x CPU throttle, session 8).
  let opened = false;
  function open() {
    if (opened) return channel;
    opened = true;
    try { win.addEventListener('storage', onStorage); } catch { /* no window */ }
    try {
      if (typeof win.BroadcastChannel === 'function') {
        channel = new win.BroadcastChannel('kelisim:' + name);
        channel.onmessage = onMessage;
      }
    } catch { channel = null; }
    return channel;
  }

  return {
    /** 'cookie' | 'localStorage' | 'memory' stores that currently work, in that order. */
    get active() {
      probeLs();
      const a = [];
      if (cookieOk) a.push('cookie');
      if (lsOk) a.push('localStorage');
      if (!a.length) a.push('memory');
      return a;
    },

    /** Every stored candidate value (cookie, localStorage, memory, another tab's), distinct, non-empty. */
    candidates() {
      const out = [];
      for (const v of [readCookie(), readLs(name), mem.value, mem.remote]) if (v && !out.includes(v)) out.push(v);
      return out;
    },

    /**
     * Stores `value` everywhere that works. Throws KelisimError('storage-bad-value') without
     * touching anything when the value is not a cookie-safe string of 1..1024 characters.
     * Returns the list of stores that took it ('memory' when none did).
     */
    write(value) {
      if (typeof value !== 'string' || !COOKIE_SAFE.test(value)) {
        throw new KelisimError('storage-bad-value', 'kelisim: refusing to store a value that is not a cookie-safe record string');
      }
      const took = [];
      if (cookieOk && writeCookie(value)) took.push('cookie');
      if (writeLs(name, value)) took.push('localStorage');
      mem.value = value;
      if (!took.length) took.push('memory');
      try { const c = open(); c && c.postMessage({ value }); } catch { /* closed */ }
      return took;
    },

    /** Copies a known-good `value` into every working store that lacks it (no broadcast). */
    repair(value) {
      if (typeof value !== 'string' || !COOKIE_SAFE.test(value)) return;
      if (cookieOk && readCookie() !== value) writeCookie(value);
      if (lsWorks() && readLs(name) !== value) writeLs(name, value);
      mem.value = value;
    },

    /** The hash-chained history (oldest first); [] when none or unreadable. */
    history() {
      const raw = readLs(histKey);
      if (raw) {
        try {
          const h = JSON.parse(raw);
          if (Array.isArray(h)) return h;
        } catch { /* unreadable: keep it, start over in memory */ }
      }
      return mem.history.slice();
    },

    /** Appends one entry; keeps the newest HISTORY_MAX. */
    append(entry) {
      if (!entry || typeof entry.hash !== 'string') return;
      const h = this.history();
      h.push(entry);
      while (h.length > HISTORY_MAX) h.shift();
      mem.history = h;
      writeLs(histKey, JSON.stringify(h));
    },

    /** Calls fn() when another tab may have changed the record. Returns an unsubscribe. */
    subscribe(fn) {
      open();
      listeners.add(fn);
      return () => listeners.delete(fn);
    },

    destroy() {
      listeners.clear();
      try { win.removeEventListener('storage', onStorage); } catch { /* ignore */ }
      try { channel && channel.close(); } catch { /* ignore */ }
      channel = null;
      opened = true;   // never (re)opened after destroy
    },
  };
}

/**
 * Expires cookies whose names match any of `patterns` (strings, with `*` as a wildcard, or
 * RegExps) on this host and every parent domain, for path "/" and the current path.
 * Returns the names cleared.
 */
export function clearCookies(patterns, win = globalThis) {
  if (!patterns || !patterns.length) return [];
  const res = patterns.map((p) => p instanceof RegExp ? p
    : new RegExp('^' + String(p).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') + '$'));
  const cleared = [];
  let jar = '';
  try { jar = win.document.cookie; } catch { return cleared; }
  const host = win.location.hostname;
  const parts = host.split('.');
  const domains = [''];
  for (let i = 0; i < parts.length - 1; i++) domains.push('; Domain=' + parts.slice(i).join('.'));
  const paths = ['/', win.location.pathname];
  for (const part of jar.split(';')) {
    const n = part.split('=')[0].trim();
    if (!n || !res.some((r) => r.test(n))) continue;
    for (const d of domains) for (const p of paths) {
      try { win.document.cookie = n + '=; Max-Age=0; Path=' + p + d; } catch { /* ignore */ }
    }
    cleared.push(n);
  }
  return cleared;
}
