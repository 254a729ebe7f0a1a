#!/usr/bin/env node
// A tiny static file server for the demo and the browser tests. No dependencies.
//   node scripts/serve.mjs [rootDir] [--port 8080] [--host 127.0.0.1] [--csp "<policy>"]
//                          [--mount /url-prefix=dir ...] [--connect https://origin ...] [--frame https://origin ...]
// `--csp demo` is DEMO_CSP; each `--connect` origin joins its connect-src (the demo's ledger),
// each `--frame` origin its frame-src (the embeds demo).
// Serves .wasm as application/wasm (needed for WebAssembly.compileStreaming), never caches,
// refuses paths outside the root, and can add headers (a CSP, for instance) to every response.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.ico': 'image/x-icon',
};

/**
 * The strict policy the demo is served with (`--csp demo`): no inline script, no inline style;
 * `connect` lists the other origins the page may send to (the demo's kelisim-server); `frames`
 * the origins it may frame (the embeds demo's third-party embeds, after consent).
 */
export const demoCsp = (connect = [], frames = []) => "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; " +
  `connect-src ${['\'self\'', ...connect].join(' ')}; ` + (frames.length ? `frame-src ${['\'self\'', ...frames].join(' ')}; ` : '') +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
export const DEMO_CSP = demoCsp();

/**
 * Starts a static server on `rootDir`.
 * @param {string} rootDir
 * @param {object} [o]
 * @param {number} [o.port=0] 0 picks a free port
 * @param {string} [o.host='127.0.0.1']
 * @param {Record<string,string>|((path: string) => Record<string,string>)} [o.headers] extra response headers
 * @param {Record<string, string|{body: string|Buffer, type?: string, status?: number, headers?: object}>} [o.routes]
 *        in-memory files by URL path (checked before the disk); `server.route(path, body)` adds more
 * @param {Record<string, string>} [o.mounts] URL prefix → directory, e.g. { '/dist': 'dist' }
 * @param {string} [o.index='index.html']
 * @param {(req, res) => boolean} [o.handle] custom handler; return true when it answered
 * @returns {Promise<{ url: string, port: number, server: import('node:http').Server, route(path: string, body: any, type?: string): void, requests: string[], close(): Promise<void> }>}
 */
export async function startServer(rootDir, o = {}) {
  const root = resolve(rootDir);
  const mounts = Object.entries(o.mounts || {}).map(([p, d]) => [p.replace(/\/+$/, ''), resolve(d)])
    .sort((a, b) => b[0].length - a[0].length);
  const routes = new Map(Object.entries(o.routes || {}));
  const requests = [];
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    requests.push(path);
    const extra = typeof o.headers === 'function' ? o.headers(path) || {} : o.headers || {};
    const send = (status, body, type, more = {}) => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...extra, ...more });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    try {
      if (o.handle && o.handle(req, res)) return;
      if (routes.has(path)) {
        const r = routes.get(path);
        const v = typeof r === 'object' && !Buffer.isBuffer(r) ? r : { body: r };
        return send(v.status || 200, v.body, v.type || TYPES[extname(path)] || 'text/html; charset=utf-8', v.headers);
      }
      let base = root;
      let rel = path;
      for (const [prefix, dir] of mounts) {
        if (path === prefix || path.startsWith(prefix + '/')) { base = dir; rel = path.slice(prefix.length) || '/'; break; }
      }
      let file = normalize(join(base, rel));
      if (file !== base && !file.startsWith(base + sep)) return send(403, 'forbidden', 'text/plain');
      let st = await stat(file).catch(() => null);
      if (st && st.isDirectory()) {
        file = join(file, o.index || 'index.html');
        st = await stat(file).catch(() => null);
      }
      if (!st || !st.isFile()) return send(404, 'not found: ' + path, 'text/plain; charset=utf-8');
      send(200, await readFile(file), TYPES[extname(file)] || 'application/octet-stream');
    } catch (e) {
      send(500, String(e && e.message), 'text/plain; charset=utf-8');
    }
  });
  await new Promise((r) => server.listen(o.port || 0, o.host || '127.0.0.1', r));
  const { port } = server.address();
  return {
    url: `http://${o.host || '127.0.0.1'}:${port}`,
    port,
    server,
    requests,
    route(path, body, type) { routes.set(path, type ? { body, type } : body); },
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args.splice(i, 2)[1] : dflt; };
  const port = Number(opt('--port', 8080));
  const host = opt('--host', '127.0.0.1');
  let csp = opt('--csp', null);
  const mounts = {};
  for (let m; (m = opt('--mount', null));) { const i = m.indexOf('='); mounts[m.slice(0, i)] = m.slice(i + 1); }
  const connect = [];
  for (let c; (c = opt('--connect', null));) connect.push(new URL(c).origin);
  const frames = [];
  for (let c; (c = opt('--frame', null));) frames.push(new URL(c).origin);
  if (csp === 'demo') csp = demoCsp(connect, frames);
  const dir = args[0] || '.';
  const s = await startServer(dir, { port, host, mounts, headers: csp ? { 'Content-Security-Policy': csp } : undefined });
  console.log(`serving ${resolve(dir)} at ${s.url}/` + Object.entries(mounts).map(([k, v]) => `, ${k} -> ${v}`).join('') +
    (csp ? `\nwith CSP: ${csp}` : ''));
}
