// Owns a wasm instance built by CMake with the kel_* bridge convention (wasm/bridge/common.h).
// Works in Node 20 and browsers, under `script-src 'self' 'wasm-unsafe-eval'`: no emcc glue,
// no eval. After a trap the instance is rebuilt from the compiled module, so one bad call
// never poisons the next.
import { KelisimError } from './errors.js';
import { ErrorCode, BRIDGE_ABI } from './constants.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * Compiles wasm from bytes, a Response, or a URL (string or URL). In Node, `file:` URLs are
 * read from disk. Rejects with KelisimError('wasm-load') when it cannot be fetched or compiled.
 */
export async function compileWasm(source) {
  try {
    if (source instanceof WebAssembly.Module) return source;
    if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return await WebAssembly.compile(source);
    if (typeof Response !== 'undefined' && source instanceof Response) return await compileResponse(source);
    const url = source instanceof URL ? source : new URL(String(source), globalThis.location?.href);
    // The page bundles define __KELISIM_BROWSER__, which drops this Node-only branch there.
    if (typeof __KELISIM_BROWSER__ === 'undefined' && url.protocol === 'file:') {
      const { readFile } = await import('node:fs/promises');
      return await WebAssembly.compile(await readFile(url));
    }
    return await compileResponse(await fetch(url, { credentials: 'same-origin' }));
  } catch (e) {
    if (e instanceof KelisimError) throw e;
    throw new KelisimError('wasm-load', `kelisim: cannot load WebAssembly module ${describe(source)}: ${e.message}`);
  }
}

async function compileResponse(res) {
  if (!res.ok) throw new KelisimError('wasm-load', `kelisim: HTTP ${res.status} for ${res.url}`);
  // compileStreaming needs the application/wasm type; fall back to bytes for servers without it.
  if (WebAssembly.compileStreaming && (res.headers.get('content-type') || '').startsWith('application/wasm')) {
    return WebAssembly.compileStreaming(res);
  }
  return WebAssembly.compile(await res.arrayBuffer());
}

function describe(source) {
  return typeof source === 'string' || source instanceof URL ? String(source) : '(bytes)';
}

/** A live wasm instance with the kel_* calling convention. */
export class WasmModule {
  constructor(module) {
    this._module = module;
    this._start();
  }

  _start() {
    const imports = {
      env: { emscripten_notify_memory_growth() {} },
      wasi_snapshot_preview1: {
        proc_exit(code) { throw new KelisimError('wasm-trap', `kelisim: wasm exited with ${code}`); },
      },
    };
    const inst = new WebAssembly.Instance(this._module, imports);
    this._x = inst.exports;
    if (this._x._initialize) this._x._initialize();
  }

  /**
   * Calls bridge function `name`. String (UTF-8 encoded) and Uint8Array (raw bytes) arguments
   * are copied in as (ptr, len) pairs;
   * numbers are passed as they are. Returns the result text; throws KelisimError with the
   * core's error code and message when the status is not 0, or 'wasm-trap' after a trap.
   */
  call(name, ...args) {
    const x = this._x;
    const fn = x[name];
    if (!fn) throw new KelisimError('wasm-missing-export', `kelisim: the wasm module has no export ${name}`);
    const raw = [];
    const ptrs = [];
    try {
      for (const a of args) {
        if (typeof a === 'number' || typeof a === 'boolean') { raw.push(+a); continue; }
        const bytes = a instanceof Uint8Array ? a : enc.encode(a == null ? '' : String(a));  // bytes as they are
        const p = x.kel_alloc(bytes.length);
        if (!p) throw new KelisimError('wasm-oom', 'kelisim: out of wasm memory');
        ptrs.push(p);
        new Uint8Array(x.memory.buffer, p, bytes.length).set(bytes);
        raw.push(p, bytes.length);
      }
      const status = fn(...raw);
      const text = dec.decode(new Uint8Array(x.memory.buffer, x.kel_result_ptr(), x.kel_result_len()));
      if (status !== 0) {
        throw new KelisimError(ErrorCode[status] || 'error', text || `kelisim: ${name} failed (${status})`);
      }
      return text;
    } catch (e) {
      // A RangeError here is V8's stack overflow inside the wasm call: like a trap, it leaves
      // the instance's shadow stack pointer and heap mid-call, so restart it too.
      if (e instanceof WebAssembly.RuntimeError || e instanceof RangeError) {
        this._start();
        throw new KelisimError('wasm-trap', `kelisim: ${name} trapped (${e.message}); the module was restarted`);
      }
      throw e;
    } finally {
      // After a restart the old pointers belong to the discarded instance.
      if (this._x === x) for (const p of ptrs) x.kel_free(p);
    }
  }

  /** Current linear memory size in bytes (for endurance tests). */
  get memoryBytes() { return this._x.memory.buffer.byteLength; }
}

/**
 * Compiles and instantiates `source` (see compileWasm). A module of another kelisim build
 * (its kel_abi() not this script's BRIDGE_ABI, constants.json) is refused as one that cannot
 * load: its answers would be read by another protocol. Fail closed, never misread.
 */
export async function loadWasm(source) {
  const m = new WasmModule(await compileWasm(source));
  const x = m._x;
  const abi = (x.kel_abi && x.kel_abi()) >>> 0;
  if (abi !== BRIDGE_ABI) throw new KelisimError('wasm-load', `kelisim: ${describe(source)} is of another kelisim build (ABI ${abi}, not ${BRIDGE_ABI})`);
  return m;
}
