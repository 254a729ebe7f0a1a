// Policy module facade: `loadPolicyModule(source)` -> pure functions over the policy module
// (render, search, diff, parse, history; with the authors' build kelisim-policy-tools.wasm
// also lint, lintSources, importText, bodyHash, build), taking and returning plain values.
// The viewer passes its own kelisim-policy.wasm (no authoring tools: a smaller download);
// without a source the tools build is loaded. Loaded lazily (the viewer, the "what changed" notice, the Node CLI): the
// banner path never imports this file. Every rule lives in C++ (wasm/policy/*.cpp, bridge
// wasm/bridge/policy_bridge.cpp); this file only translates.
import { loadWasm } from './loader.js';
import { KelisimError } from './errors.js';

const DEFAULT_POLICY_WASM = new URL('../../../dist/kelisim-policy-tools.wasm', import.meta.url);

// Bodies and texts may be strings, raw UTF-8 bytes (Uint8Array: passed as they are, so a file
// read from disk reaches the core byte-exact) or, for bodies, objects. A body is encoded to
// UTF-8 once and the bytes are reused: objects through a WeakMap, strings through a memo of
// the last two (the viewer searches one body on every keystroke; a diff uses two). The wasm
// side in turn keeps the last two parsed bodies keyed by their bytes.
const _enc = new TextEncoder();
const _objects = new WeakMap();
const _strings = [];

function _bodyText(body, what) {
  if (body instanceof Uint8Array) return body;
  if (typeof body === 'string') {
    for (const m of _strings) if (m.s === body) return m.b;
    const b = _enc.encode(body);
    _strings.unshift({ s: body, b });
    _strings.length = Math.min(_strings.length, 2);
    return b;
  }
  if (body && typeof body === 'object') {
    let b = _objects.get(body);
    if (b === undefined) {
      b = _enc.encode(JSON.stringify(body));
      _objects.set(body, b);
    }
    return b;
  }
  throw new KelisimError('bad-argument', `kelisim: ${what} must be body JSON text, UTF-8 bytes or a body object`);
}

function _text(v, what) {
  if (typeof v !== 'string' && !(v instanceof Uint8Array)) throw new KelisimError('bad-argument', `kelisim: ${what} must be a string`);
  return v;
}

/**
 * Compiles and instantiates the policy module. `source`: URL, bytes or compiled module of
 * kelisim-policy.wasm or kelisim-policy-tools.wasm (default: dist/kelisim-policy-tools.wasm
 * next to this package; the viewer's kelisim-policy.wasm lacks lint, lintSources,
 * importText, bodyHash and build).
 * Rejects with KelisimError('wasm-load') when it cannot be loaded.
 */
export async function loadPolicyModule(source) {
  return createPolicyModule(await loadWasm(source || DEFAULT_POLICY_WASM));
}

/** Wraps an already-loaded policy WasmModule. */
export function createPolicyModule(wasm) {
  return {
    /**
     * Validates a body: { format, title, clauses, hash } (hash = SHA-256 of the canonical
     * body, what manifest.bodyHash holds). Throws KelisimError('bad-input') naming what and where.
     */
    parse(body) {
      return JSON.parse(wasm.call('kel_parse_body', _bodyText(body, 'body')));
    },

    /**
     * Safe HTML for innerHTML: contents <nav>, clauses with id="p-4.1.5" anchors, only
     * http(s)/mailto/clause links. opts: { lang = 'ru', idPrefix = '', toc = true, title = true }.
     */
    render(body, opts = {}) {
      const flags = (opts.toc === false ? 1 : 0) | (opts.title === false ? 2 : 0);
      return wasm.call('kel_render', _bodyText(body, 'body'), String(opts.lang || 'ru'), String(opts.idPrefix || ''), flags);
    },

    /**
     * Clauses containing every word of `query` (case-insensitive ru/kk/en, ё = е), in
     * document order: [{ id, num, snippet }] with the snippet as HTML (<mark> around hits).
     * opts: { limit = 50 }.
     */
    search(body, query, opts = {}) {
      const limit = Number.isFinite(opts.limit) ? Math.max(0, Math.min(opts.limit | 0, 100000)) : 0;
      return JSON.parse(wasm.call('kel_search', _bodyText(body, 'body'), _text(query, 'query'), limit));
    },

    /**
     * Two versions compared: { summary: { added, removed, changed, moved, unnumbered },
     * clauses: [{ num, id?, oldNum?, status, html }] } (status same|added|removed|changed|moved;
     * html with <ins>/<del>).
     */
    diff(oldBody, newBody) {
      return JSON.parse(wasm.call('kel_diff', _bodyText(oldBody, 'old body'), _bodyText(newBody, 'new body')));
    },

    /**
     * Lints policy source text. opts: { file = 'policy.md', format = 'json' }. format 'json'
     * returns the findings array; 'text' / 'text-ru' return compiler-style lines.
     */
    lint(text, opts = {}) {
      const format = opts.format || 'json';
      const out = wasm.call('kel_lint', String(opts.file || 'policy.md'), _text(text, 'policy text'), format);
      return format === 'json' ? JSON.parse(out) : out;
    },

    /**
     * Lints several sources as `kelisim lint` does: each on its own, then the languages of one
     * version (`<v>.ru.md`, `<v>.kk.md`, …) as translations of each other. files: [[name, text], …];
     * opts: { format = 'text' } ('json' | 'text' | 'text-ru'). Returns { errors, out } (out: what
     * the CLI prints).
     */
    lintSources(files, opts = {}) {
      if (!Array.isArray(files)) throw new KelisimError('bad-argument', 'kelisim: lintSources needs [[name, text], …]');
      // Names and byte lengths as JSON, the texts' bytes as they are (invalid UTF-8 included).
      const bytes = files.map(([, t]) => (t instanceof Uint8Array ? t : _enc.encode(_text(t, 'policy text'))));
      const all = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
      let at = 0;
      for (const b of bytes) { all.set(b, at); at += b.length; }
      const names = JSON.stringify(files.map(([name], k) => [String(name), bytes[k].length]));
      return JSON.parse(wasm.call('kel_lint_sources', names, all, String(opts.format || 'text')));
    },

    /**
     * The version of a built policy in force at `at` (ISO 8601 with an offset), from its
     * index.json (text, bytes or object): { version, publishedAt, effectiveAt, certain, pending,
     * id, at }; version null when none was in force. opts: { format: 'text' } returns the
     * CLI's text instead.
     */
    history(index, at, opts = {}) {
      const text = typeof index === 'string' || index instanceof Uint8Array ? index : JSON.stringify(index);
      const format = opts.format === 'text' ? 'text' : 'json';
      const out = wasm.call('kel_history', text, _text(at, 'at'), format);
      return format === 'json' ? JSON.parse(out) : out;
    },

    /** Imports policy source text: { body, header, problems }. */
    importText(text) {
      return JSON.parse(wasm.call('kel_import', _text(text, 'policy text')));
    },

    /** Canonical body hash (64 hex) of a policy source text. */
    bodyHash(text) {
      return wasm.call('kel_body_hash', _text(text, 'policy text'));
    },

    /**
     * Builds one policy from its version sources: files [[path, text], …] -> [[path, content], …]
     * (index.json, manifest.json, <version>/manifest.json, <version>/body.json).
     */
    build(files) {
      if (!Array.isArray(files)) throw new KelisimError('bad-argument', 'kelisim: build needs [[path, text], …]');
      return JSON.parse(wasm.call('kel_build', JSON.stringify(files)));
    },

    /** Drops the parsed bodies the module keeps between calls. */
    forget() {
      wasm.call('kel_forget');
    },

    /** The underlying WasmModule (tests and endurance checks read memoryBytes). */
    wasm,
  };
}
