// Compares a built wasm module's exports with its declared list (wasm/bridge/*.exports).
// Usage: node scripts/check-exports.mjs <module.wasm> <list.exports>
import { readFileSync } from 'node:fs';

const [wasmPath, listPath] = process.argv.slice(2);
const declared = readFileSync(listPath, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const mod = new WebAssembly.Module(readFileSync(wasmPath));
// Exports emcc adds to every standalone reactor besides the declared functions.
const runtime = new Set(['memory', '_initialize', '__indirect_function_table',
  '__errno_location', 'stackSave', 'stackRestore', 'stackAlloc']);
const actual = WebAssembly.Module.exports(mod).map((e) => e.name).filter((n) => !runtime.has(n));
const missing = declared.filter((n) => !actual.includes(n));
const extra = actual.filter((n) => !declared.includes(n));
const imports = WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}`);
const allowedImports = new Set(['env.emscripten_notify_memory_growth', 'wasi_snapshot_preview1.proc_exit']);
const badImports = imports.filter((i) => !allowedImports.has(i));
if (missing.length || extra.length || badImports.length) {
  if (missing.length) console.error(`${wasmPath}: declared but not exported: ${missing.join(', ')}`);
  if (extra.length) console.error(`${wasmPath}: exported but not declared: ${extra.join(', ')}`);
  if (badImports.length) console.error(`${wasmPath}: unexpected imports (the loader provides none): ${badImports.join(', ')}`);
  process.exit(1);
}
console.log(`${wasmPath}: ${actual.length} exports match ${listPath}; imports: ${imports.join(', ')}`);
