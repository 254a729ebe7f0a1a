// `import { consentState, presetConsent } from 'kelisim/testing'`: start a site's own end-to-end
// tests in a known consent state, past the banner. The values are made by the consent core
// itself (kelisim-consent.wasm through kelisim/core: the same `apply` the page runs when a
// visitor clicks), and the cookie's attributes by the page's own storage code
// (web/src/engine/storage.js), so what a test presets is byte for byte what the page would
// have stored after that choice. Node ≥ 20, no dependencies.
import { readFile } from 'node:fs/promises';
import { loadCore } from '../engine/core.js';
import { cookieAttributes } from '../engine/storage.js';
import { KelisimError } from '../engine/errors.js';
import { randomId } from '../random-id.js';

let corePromise = null;
/** The full consent core, loaded once per process (a failed load is retried next time). */
function core() {
  if (!corePromise) {
    corePromise = loadCore();
    corePromise.catch(() => { corePromise = null; });
  }
  return corePromise;
}

/**
 * The manifest object: `m` itself when it is an object; otherwise a URL or path resolved
 * against `base` (the page URL, as the page resolves `data-policy`) when one is given, else
 * against the current directory. http(s) URLs are fetched, anything else is read from disk.
 * Rejects with KelisimError('manifest-load') naming the URL or file.
 */
export async function loadManifest(m, base) {
  if (m && typeof m === 'object' && !(m instanceof URL)) return m;
  if (typeof m !== 'string' && !(m instanceof URL)) throw new KelisimError('manifest-invalid', 'kelisim/testing: manifest must be an object, a URL or a file path');
  let url = null;
  try { url = new URL(String(m), base || undefined); } catch { /* a plain file path */ }
  try {
    let text;
    if (url && (url.protocol === 'http:' || url.protocol === 'https:')) {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      text = await res.text();
    } else {
      text = await readFile(url && url.protocol === 'file:' ? url : String(m), 'utf8');
    }
    return JSON.parse(text);
  } catch (e) {
    throw new KelisimError('manifest-load', `kelisim/testing: cannot load the manifest ${url ? url.href : m}: ${e.message}`);
  }
}

/** The op and choices for core.apply: 'all' → accept-all, 'none' → reject-all, a map → set. */
function opOf(choices) {
  if (choices === 'all') return { op: 'accept-all', choices: {} };
  if (choices === 'none') return { op: 'reject-all', choices: {} };
  if (choices && typeof choices === 'object' && !Array.isArray(choices)) return { op: 'set', choices };
  throw new KelisimError('bad-argument', `kelisim/testing: choices must be 'all', 'none' or an object of category → boolean, not ${JSON.stringify(choices)}`);
}

/** `at` as epoch ms: a Date, an ISO 8601 string or a number; now when absent. */
function instant(at) {
  if (at === undefined || at === null) return Date.now();
  const ms = at instanceof Date ? at.getTime() : typeof at === 'string' ? Date.parse(at) : at;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new KelisimError('bad-argument', `kelisim/testing: at must be a Date, an ISO 8601 string or epoch ms, not ${JSON.stringify(at)}`);
  return ms;
}

/**
 * The consent record a visitor's choice produces, and where the page keeps it. See index.d.ts.
 * Rejects with KelisimError: 'bad-argument' (choices, at, storage), 'manifest-load',
 * 'manifest-invalid', 'unknown-category', 'required-category' (from the core).
 */
export async function consentState(o = {}) {
  const mode = o.storage || 'both';
  if (!['both', 'cookie', 'localStorage'].includes(mode)) {
    throw new KelisimError('bad-argument', `kelisim/testing: storage ${JSON.stringify(mode)} cannot be preset (${mode === 'memory' ? 'memory keeps nothing across page loads' : "use 'both', 'cookie' or 'localStorage'"})`);
  }
  const manifest = await loadManifest(o.manifest, o.url);
  const { op, choices } = opOf(o.choices);
  const c = await core();
  const res = c.apply({ manifest, record: null, now: instant(o.at), op, choices, newId: o.id || randomId(12), prevHash: '' });
  const ck = o.cookie || {};
  const name = ck.name || 'kelisim';
  const https = o.url ? new URL(o.url).protocol === 'https:' : false;
  const { attrs, maxAge } = cookieAttributes(ck, https);
  const attr = (k) => (attrs.match(new RegExp('; ' + k + '=([^;]*)')) || [])[1];
  const out = {
    record: res.record,
    decoded: res.decoded,
    entry: res.entry,
    cookie: null,
    localStorage: {},
  };
  if (mode !== 'localStorage') {
    out.cookie = {
      name, value: res.record, path: attr('Path'), domain: attr('Domain') || null,
      sameSite: attr('SameSite'), secure: attrs.endsWith('; Secure'), maxAge,
      // What the page assigns to document.cookie (and a Set-Cookie header value).
      string: name + '=' + res.record + attrs + '; Max-Age=' + maxAge,
    };
  }
  // storage.js keeps the history in localStorage only when localStorage is one of its stores.
  if (mode !== 'cookie') {
    out.localStorage[name] = res.record;
    out.localStorage[name + ':history'] = JSON.stringify([res.entry]);
  }
  return out;
}

/**
 * Presets the consent in a Playwright BrowserContext before the page loads: the cookie through
 * context.addCookies, the localStorage items through an init script that writes them on the
 * page's origin when they are absent (so a choice the test then makes on the page is kept).
 * `url` (required): the page the test opens. Resolves with consentState's result.
 */
export async function presetConsent(context, o = {}) {
  if (!context || typeof context.addCookies !== 'function' || typeof context.addInitScript !== 'function') {
    throw new KelisimError('bad-argument', 'kelisim/testing: presetConsent needs a Playwright BrowserContext');
  }
  if (!o.url) throw new KelisimError('bad-argument', 'kelisim/testing: presetConsent needs the page url');
  const page = new URL(o.url);
  const state = await consentState(o);
  const c = state.cookie;
  if (c) {
    await context.addCookies([{
      name: c.name, value: c.value, path: c.path, sameSite: c.sameSite, secure: c.secure,
      // Host-only like the page's cookie unless a Domain is set.
      ...(c.domain ? { domain: c.domain } : { domain: page.hostname }),
      expires: Math.floor(Date.now() / 1000) + c.maxAge,
    }]);
  }
  if (Object.keys(state.localStorage).length) {
    await context.addInitScript(({ origin, items }) => {
      if (location.origin !== origin) return;
      try {
        for (const k in items) if (localStorage.getItem(k) === null) localStorage.setItem(k, items[k]);
      } catch { /* storage disabled: the cookie carries the choice */ }
    }, { origin: page.origin, items: state.localStorage });
  }
  return state;
}
