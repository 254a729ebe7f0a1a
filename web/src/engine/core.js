// Headless core: `import { loadCore } from 'kelisim/core'`. Pure functions over the consent
// wasm module (decide, apply, deadline, record codec), taking and returning plain objects.
// This file only translates: every rule lives in C++ (wasm/core/consent.cpp).
import { loadWasm } from './loader.js';
import { KelisimError } from './errors.js';
import { Op, Action, Reason, ErrorCode } from './constants.js';

const DEFAULT_CONSENT_WASM = new URL('../../../dist/kelisim-consent.wasm', import.meta.url);
const DAY = 86400000;

/** Loads the consent module; see core.d.ts. */
export async function loadCore(options = {}) {
  return createCore(await loadWasm(options.consentWasm || DEFAULT_CONSENT_WASM));
}

/** The part of the core the banner uses (decide, apply, decodeRecord): the page entry points
 *  bundle only this, so the visitor does not download encodeRecord/deadline/parseInstant. */
export async function loadConsentCore(options = {}) {
  return createConsentCore(await loadWasm(options.consentWasm || DEFAULT_CONSENT_WASM));
}

/** Wraps an already-loaded consent WasmModule: the full headless API (core.d.ts). */
export function createCore(wasm) {
  return {
    ...createConsentCore(wasm),

    deadline(publishedAtMs, offsetMinutes, days) {
      const d = wasm._x.kel_deadline(publishedAtMs, offsetMinutes | 0, days | 0);
      if (Number.isNaN(d)) throw new KelisimError('bad-argument', 'kelisim: deadline arguments out of range');
      return d;
    },

    encodeRecord(r) {
      if (!r || typeof r !== 'object') throw new KelisimError('bad-argument', 'kelisim: encodeRecord needs a record object');
      return wasm.call('kel_encode_record', [
        ['i', r.id], ['p', r.policyId], ['v', r.version], ['h', r.bodyHash16], ['g', int(r.givenAt)],
        ['m', r.method], ['c', choicesText(r.choices || {})], ['nv', r.noticeVersion || ''],
        ['na', int(r.noticeAt || 0)], ['hh', r.historyHead || ''],
      ].map(([k, v]) => `${k}=${oneLine(v)}`).join('\n'));
    },

    parseInstant(iso) {
      try {
        const l = parseLines(wasm.call('kel_parse_instant', String(iso)));
        return { ms: Number(l.ms), offsetMinutes: Number(l.o) };
      } catch (e) {
        if (e.code === 'bad-input') throw new KelisimError('manifest-invalid', `kelisim: ${e.message}`);
        throw e;
      }
    },
  };
}

/** decide, apply and decodeRecord over a consent WasmModule (used by the page entry points). */
export function createConsentCore(wasm) {
  return {
    decide({ manifest, record, now, signals } = {}) {
      const lines = parseLines(wasm.call('kel_decide', ...manifestArgs(manifest), record || '', time(now), !!signals?.gpc));
      const out = {
        action: Action[lines.a],
        reason: Reason[lines.r],
        recordError: ErrorCode[lines.e],
        deadline: lines.d ? Number(lines.d) : null,
        effective: choiceMap(lines.x),
        prefill: choiceMap(lines.f),
      };
      if (lines.n) {
        out.record = lines.n;
        out.entry = entryOf(lines);
      }
      return out;
    },

    apply({ manifest, record, now, signals, op, choices, newId, prevHash } = {}) {
      const opIndex = Op.indexOf(op);
      if (opIndex < 0) throw new KelisimError('bad-argument', `kelisim: unknown op ${JSON.stringify(op)}; expected one of ${Op.join(', ')}`);
      const lines = parseLines(wasm.call('kel_apply', ...manifestArgs(manifest), record || '', time(now), !!signals?.gpc,
        opIndex, choicesText(choices || {}), newId || '', prevHash || ''));
      return { record: lines.n, decoded: recordOf(lines), entry: entryOf(lines) };
    },

    decodeRecord(text) {
      try {
        return { ok: true, record: recordOf(parseLines(wasm.call('kel_decode_record', typeof text === 'string' ? text : ''))) };
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
// Plain objects <-> the bridge's line protocol (wasm/bridge/consent_bridge.cpp)
// ---------------------------------------------------------------------------

// The manifest as kel_decide/kel_apply take it: id, version, body hash, publishedAt, categories
// ("id:flags" items joined by '\n'), rule (0|1), days, material (0|1), max ages in ms.
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
  // days: what the core reads as a decimal integer (optional '-', 1..18 digits); anything
  // else, or out of the core's range, becomes a value the core rejects as unreadable.
  const d = oneLine(rule.days ?? 7);
  const days = /^-?\d{1,18}$/.test(d) && Math.abs(d) <= 100000 ? +d : 1 << 30;
  return [
    oneLine(m.id), oneLine(m.version), oneLine(m.bodyHash), oneLine(m.publishedAt),
    m.categories.map((c) => oneLine(`${c?.id}:${c?.required ? 'r' : ''}${c?.gpcOff ? 'g' : ''}`)).join('\n'),
    rule.type === 'explicit' ? 1 : 0, days, m.material ? 1 : 0, accepted, rejected,
  ];
}

function ms(days, what) {
  if (!Number.isFinite(days)) throw new KelisimError('manifest-invalid', `kelisim: manifest.${what} must be a number of days`);
  return Math.round(days * DAY);
}

// A value for one protocol line or manifest field: anything with a line break cannot be a
// valid field, so it is replaced by a character the core will reject with a clear message.
function oneLine(v) {
  const s = v === undefined || v === null ? '' : typeof v === 'number' ? String(Math.trunc(v)) : String(v);
  return /[\n\r]/.test(s) ? '\u0000' : s;
}

function int(v) {
  if (!Number.isFinite(v)) throw new KelisimError('bad-argument', 'kelisim: record times must be numbers (epoch ms)');
  return Math.trunc(v);
}

function time(now) {
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw new KelisimError('bad-argument', 'kelisim: now must be a number (epoch ms)');
  }
  return now;
}

function parseLines(text) {
  const out = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

function choiceMap(text) {
  const out = {};
  if (text) for (const item of text.split('.')) out[item.slice(0, -2)] = item.endsWith(':1');
  return out;
}

function choicesText(map) {
  if (typeof map !== 'object') throw new KelisimError('bad-argument', 'kelisim: choices must be an object of category → boolean');
  return Object.entries(map).map(([k, v]) => {
    if (typeof v !== 'boolean') throw new KelisimError('bad-argument', `kelisim: choice for "${k}" must be true or false`);
    if (!/^[a-z][a-z0-9_]{0,31}$/.test(k)) throw new KelisimError('unknown-category', `kelisim: unknown category "${k}"`);
    return `${k}:${v ? 1 : 0}`;
  }).join('.');
}

function recordOf(l) {
  return {
    id: l.i, policyId: l.p, version: l.v, bodyHash16: l.h, givenAt: Number(l.g), method: l.m,
    choices: choiceMap(l.c), noticeVersion: l.nv, noticeAt: Number(l.na), historyHead: l.hh,
  };
}

function entryOf(l) {
  return {
    op: l.eo, at: Number(l.et), version: l.ev, method: l.em, choices: choiceMap(l.ec), prevHash: l.ep, hash: l.eh,
  };
}
