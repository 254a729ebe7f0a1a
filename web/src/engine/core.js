// Headless core: `import { loadCore } from 'kelisim/core'`. Pure functions over the consent
// wasm module (decide, apply, deadline, record codec), taking and returning plain objects.
// This file only translates: every rule lives in C++ (wasm/core/consent.cpp).
import { loadWasm } from './loader.js';
import { KelisimError } from './errors.js';
import { Op, Action, Reason, Method, ErrorCode } from './constants.js';

const DAY = 86400000;

/** Loads the consent module (by default dist/kelisim-consent.wasm, the full one); see core.d.ts. */
export async function loadCore(options = {}) {
  return createCore(await loadWasm(options.consentWasm || new URL('../../../dist/kelisim-consent.wasm', import.meta.url)));
}

/** The part of the core the banner uses (decide, apply, decodeRecord): the page entry points
 *  bundle only this, so the visitor does not download encodeRecord/deadline/parseInstant.
 *  `options.consentWasm` is required: the entry points always pass the module next to
 *  themselves (kelisim-consent-banner.wasm, which exports only what this part calls, or the
 *  site's consentWasm), so the page bundles carry no default URL into the package's dist/. */
export async function loadConsentCore(options) {
  return createConsentCore(await loadWasm(options.consentWasm));
}

/** Wraps an already-loaded consent WasmModule: the full headless API (core.d.ts). */
export function createCore(wasm) {
  return {
    ...createConsentCore(wasm),

    deadline(publishedAtMs, offsetMinutes, days) {
      // Called directly (a number in, a number out), so the missing-export check is here:
      // kelisim-consent-banner.wasm has no kel_deadline.
      const fn = wasm._x.kel_deadline;
      if (!fn) throw new KelisimError('wasm-missing-export', 'kelisim: the wasm module has no export kel_deadline');
      const d = fn(publishedAtMs, int32(offsetMinutes), int32(days));
      if (Number.isNaN(d)) throw new KelisimError('bad-argument', 'kelisim: deadline arguments out of range');
      return d;
    },

    encodeRecord(r) {
      if (!r || typeof r !== 'object') throw new KelisimError('bad-argument', 'kelisim: encodeRecord needs a record object');
      // An unknown method is passed as -1, which the core refuses like any field of the wrong form.
      return wasm.call('kel_encode_record', oneLine(r.id), oneLine(r.policyId), oneLine(r.version),
        oneLine(r.bodyHash16), int(r.givenAt), Method.indexOf(r.method), withDocs(choicesText(r.choices || {}), r.docs),
        oneLine(r.noticeVersion || ''), int(r.noticeAt || 0), oneLine(r.historyHead || ''),
        oneLine(r.serviceMarks || ''));
    },

    parseInstant(iso) {
      try {
        const f = fields(wasm.call('kel_parse_instant', String(iso)));
        return { ms: Number(f[0]), offsetMinutes: Number(f[1]) };
      } catch (e) {
        if (e.code === 'bad-input') throw new KelisimError('manifest-invalid', `kelisim: ${e.message}`);
        throw e;
      }
    },
  };
}

/**
 * A stored history (oldest first) checked by the core (kel_verify_history, wasm/core consent.h
 * verifyHistory: each entry's hash, each link; the first entry may point at a dropped one):
 * { valid, length, head, brokenAt }. Entries are passed as stored, tampered ones included: a
 * value that is not what the core wrote fails its check. `wasm`: kelisim-consent-receipt.wasm
 * (receipts, web/src/receipt.js), the one module that exports it.
 */
export function verifyHistory(wasm, history) {
  const h = Array.isArray(history) ? history : [];
  const obj = (m) => (m && typeof m === 'object' ? m : null);
  const line = (e) => (obj(e)
    ? [e.op, Math.trunc(Number(e.at)), e.version, e.method, withDocs(onOff(obj(e.choices) || {}), obj(e.docs)),
      onOff(obj(e.services) || {}), e.prevHash || '', e.hash].join('~')
    : '');
  const brokenAt = h.length ? Number(fields(wasm.call('kel_verify_history', h.map(line).join('\n')))[0]) : -1;
  return { valid: brokenAt < 0, length: h.length, head: h.length ? h[h.length - 1].hash : null, brokenAt };
}

/** decide, apply and decodeRecord over a consent WasmModule (used by the page entry points). */
export function createConsentCore(wasm) {
  return {
    decide({ manifest, record, now, signals } = {}) {
      const f = fields(wasm.call('kel_decide', ...manifestArgs(manifest), record || '', time(now), !!signals?.gpc));
      const out = {
        action: Action[f[0]],
        reason: Reason[f[1]],
        recordError: ErrorCode[f[2]],
        deadline: f[3] ? Number(f[3]) : null,
        effective: choiceMap(f[4]),
        prefill: choiceMap(f[5]),
        pending: f[6] ? f[6].split('.') : [],
        services: choiceMap(f[7]),
        servicesPrefill: choiceMap(f[8]),
      };
      if (f[9]) {
        out.record = f[9];
        out.entry = entryOf(f, 10);
      }
      return out;
    },

    apply({ manifest, record, now, signals, op, choices, newId, prevHash } = {}) {
      const opIndex = Op.indexOf(op);
      if (opIndex < 0) throw new KelisimError('bad-argument', `kelisim: unknown op ${JSON.stringify(op)}; expected one of ${Op.join(', ')}`);
      const f = fields(wasm.call('kel_apply', ...manifestArgs(manifest), record || '', time(now), !!signals?.gpc,
        opIndex, choicesText(choices || {}), newId || '', prevHash || ''));
      return { record: f[0], decoded: recordOf(f, 1), entry: entryOf(f, 12) };
    },

    decodeRecord(text) {
      try {
        return { ok: true, record: recordOf(fields(wasm.call('kel_decode_record', typeof text === 'string' ? text : '')), 0) };
      } catch (e) {
        if (e instanceof KelisimError && e.code.startsWith('record-')) return { ok: false, error: e.code };
        throw e;
      }
    },

    /** The underlying WasmModule (tests and endurance checks read memoryBytes). */
    wasm,
  };
}

// ---------------------------------------------------------------------------
// Plain objects <-> the bridge's positional fields (wasm/bridge/consent_bridge.cpp)
// ---------------------------------------------------------------------------

// The manifest as kel_decide/kel_apply take it: id, version, body hash, publishedAt, categories
// ("id:flags" items joined by '\n', ":<hash>" after the flags when the category has a consent
// document: categories[].consent.hash, the core checks it; then the services as "id>category"
// items), rule (0|1), days, material (0|1), max ages in ms.
function manifestArgs(m) {
  if (!m || typeof m !== 'object') throw new KelisimError('manifest-invalid', 'kelisim: manifest must be an object');
  if (!Array.isArray(m.categories)) throw new KelisimError('manifest-invalid', 'kelisim: manifest.categories must be an array');
  const rule = m.updateRule || { type: 'implicit' };
  if (rule.type !== 'implicit' && rule.type !== 'explicit') {
    throw new KelisimError('manifest-invalid', `kelisim: manifest.updateRule.type must be "implicit" or "explicit"`);
  }
  const age = m.maxAgeDays || {};
  const accepted = ms(age.accepted ?? 365, 'maxAgeDays.accepted');
  const rejected = ms(age.rejected ?? 182, 'maxAgeDays.rejected');
  const days = int32(rule.days ?? 7);   // the core checks 0..366
  return [
    oneLine(m.id), oneLine(m.version), oneLine(m.bodyHash), oneLine(m.publishedAt),
    m.categories.map((c) => oneLine(`${c?.id}:${c?.required ? 'r' : ''}${c?.gpcOff ? 'g' : ''}${c?.consent ? ':' + c.consent.hash : ''}`))
      .concat((Array.isArray(m.services) ? m.services : []).map((x) => oneLine(`${x?.id}>${x?.category}`))).join('\n'),
    rule.type === 'explicit' ? 1 : 0, days, m.material ? 1 : 0, accepted, rejected,
  ];
}

// An integer argument for the core (int32 in the bridge): truncated; a non-number, or one that
// would wrap around as an int32, becomes 1 << 30, which the core refuses as out of range.
function int32(v) {
  return typeof v === 'number' && Math.abs(v) <= 100000 ? Math.trunc(v) : 1 << 30;
}

function ms(days, what) {
  if (!Number.isFinite(days)) throw new KelisimError('manifest-invalid', `kelisim: manifest.${what} must be a number of days`);
  return Math.round(days * DAY);
}

// A string field for the core: numbers as integers; anything with a line break (never a valid
// field, and the separator of the categories argument) becomes a character the core refuses
// with a clear message.
function oneLine(v) {
  const s = v === undefined || v === null ? '' : typeof v === 'number' ? String(Math.trunc(v)) : String(v);
  return /[\n\r]/.test(s) ? '\u0000' : s;
}

function int(v) {
  if (!Number.isFinite(v)) throw new KelisimError('bad-argument', 'kelisim: record times must be numbers (epoch ms)');
  return Math.trunc(v);
}

// The core refuses NaN and times out of range ('bad-argument'); a non-number would shift the
// positional arguments, so it is refused here.
function time(now) {
  if (typeof now !== 'number') throw new KelisimError('bad-argument', 'kelisim: now must be a number (epoch ms)');
  return now;
}

// A bridge result: its fields' values in a fixed order, each followed by '\n'.
function fields(text) {
  return text.split('\n');
}

// "id:1.id2:0" → { id: true, id2: false }; an item "id:1:<hash prefix>" (a choice given under a
// consent document) also fills docs[id] when `docs` is given.
function choiceMap(text, docs = {}) {
  const out = {};
  if (text) for (const item of text.split('.')) { const [id, on, doc] = item.split(':'); out[id] = on === '1'; if (doc) docs[id] = doc; }
  return out;
}

// The record's or entry's { choices, docs } from its choices text.
function choicesAndDocs(text) {
  const docs = {};
  return { choices: choiceMap(text, docs), docs };
}

// "id:1.id2:0" with ":<hash prefix>" after each item whose category has one in `docs` (a
// record's or an entry's consent documents; the core refuses a prefix of the wrong form). Only
// encodeRecord and verifyHistory need it, so the page bundles (createConsentCore) do not carry it.
function withDocs(text, docs) {
  return text && docs ? text.split('.').map((item) => {
    const id = item.slice(0, -2);
    // Own ids only: a category may be called "constructor", which every object has.
    const d = Object.prototype.hasOwnProperty.call(docs, id) && docs[id];
    return d ? `${item}:${oneLine(d)}` : item;
  }).join('.') : text;
}

// { id: on } → "id:1.id2:0", as it is (verifyHistory passes stored entries unchecked: the core
// refuses whatever is not what it wrote).
const onOff = (map) => Object.entries(map).map(([k, v]) => `${k}:${v ? 1 : 0}`).join('.');

// Category and service ids → on/off: "id:1.id2:0" (the core tells which is which, and refuses
// unknown ids).
function choicesText(map) {
  if (typeof map !== 'object') throw new KelisimError('bad-argument', 'kelisim: choices must be an object of category or service → boolean');
  for (const [k, v] of Object.entries(map)) {
    if (typeof v !== 'boolean') throw new KelisimError('bad-argument', `kelisim: choice for "${k}" must be true or false`);
    if (!/^[a-z][a-z0-9_-]{0,31}$/.test(k)) throw new KelisimError('unknown-category', `kelisim: unknown category "${k}"`);
  }
  return onOff(map);
}

// The 11 record fields from f[i] on (the bridge's putRecord order); serviceMarks is the
// record's service marks as text ("" for a k1 record).
function recordOf(f, i) {
  return {
    id: f[i], policyId: f[i + 1], version: f[i + 2], bodyHash16: f[i + 3], givenAt: Number(f[i + 4]), method: f[i + 5],
    ...choicesAndDocs(f[i + 6]), noticeVersion: f[i + 7], noticeAt: Number(f[i + 8]), historyHead: f[i + 9],
    serviceMarks: f[i + 10],
  };
}

// The 8 history entry fields from f[i] on (the bridge's putEntry order).
function entryOf(f, i) {
  return {
    op: f[i], at: Number(f[i + 1]), version: f[i + 2], method: f[i + 3], ...choicesAndDocs(f[i + 4]),
    prevHash: f[i + 5], hash: f[i + 6], services: choiceMap(f[i + 7]),
  };
}
