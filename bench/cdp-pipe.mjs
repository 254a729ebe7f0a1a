// A bare Chrome DevTools Protocol client over --remote-debugging-pipe, for the bench's
// CPU-bound timings (bench/anchors.mjs --profiles cpu4x: "visible banner" and "TBT").
//
// Why not Playwright there: Playwright enables the Network domain on every page it drives. With
// it enabled, Chromium records a JavaScript stack as the initiator of every request a script
// issues, and V8 collects source positions for each function on that stack to do so (a re-parse
// of a classic script's whole top-level function). A visitor's browser has no DevTools attached
// and pays none of it. Traced at 4× CPU (session 10): V8.CollectSourcePositions took a median
// 20 ms of kelisim.js's 79 ms evaluation, because kelisim.js requests its manifest and
// stylesheet from its top level; a banner script that requests nothing before its banner pays
// nothing. This client enables only what the bench reads: no Network, no Debugger, no Log.
// It is the same Debian chromium Playwright launches (tests/browser/helpers.js), headless.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_ARGS } from '../tests/browser/helpers.js';

/**
 * Launches headless chromium with a CDP pipe. Returns `{ send(method, params, sessionId),
 * on(method, fn), version, close() }`; `send` resolves with the result or rejects with the
 * protocol's error message.
 */
export async function launchPipe() {
  const exe = process.env.CHROMIUM || ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);
  const profile = mkdtempSync(join(tmpdir(), 'kelisim-cdp-'));
  const proc = spawn(exe, [...CHROMIUM_ARGS, '--headless', '--remote-debugging-pipe', `--user-data-dir=${profile}`,
    '--no-default-browser-check', '--mute-audio', '--hide-scrollbars', 'about:blank'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
  const out = proc.stdio[3];
  const inp = proc.stdio[4];
  let next = 1;
  const pending = new Map();
  const listeners = new Map();
  let buf = '';
  inp.on('data', (chunk) => {
    buf += chunk.toString('utf8');
    let i;
    while ((i = buf.indexOf('\0')) >= 0) {
      const msg = JSON.parse(buf.slice(0, i));
      buf = buf.slice(i + 1);
      if (msg.id && pending.has(msg.id)) {
        const { resolve, reject, method } = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.error) reject(new Error(`${method}: ${msg.error.message}`)); else resolve(msg.result);
      } else if (msg.method) {
        for (const fn of listeners.get(msg.method) || []) fn(msg.params, msg.sessionId);
      }
    }
  });
  const exited = new Promise((r) => proc.once('exit', r));
  const send = (method, params = {}, sessionId) => new Promise((resolve, reject) => {
    const id = next++;
    pending.set(id, { resolve, reject, method });
    out.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
  });
  const on = (method, fn) => {
    if (!listeners.has(method)) listeners.set(method, new Set());
    listeners.get(method).add(fn);
    return () => listeners.get(method).delete(fn);
  };
  const { product } = await send('Browser.getVersion');
  return {
    send, on, version: product.replace(/^HeadlessChrome\//, ''),
    async close() {
      await send('Browser.close').catch(() => {});
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      proc.kill('SIGKILL');
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh browser context (own cookies, storage and HTTP cache: a first visit) with one page,
 * attached over a flat session. `viewport` {width, height, deviceScaleFactor, mobile}, `cpu`
 * the throttling rate, `locale`, `init` a function source run before the page's scripts,
 * `bindings` names of window functions whose calls come back through `onBinding(name, payload)`.
 */
export async function openPage(cdp, { viewport, cpu = 1, locale, init, initArg, bindings = [] }) {
  const { browserContextId } = await cdp.send('Target.createBrowserContext', { disposeOnDetach: true });
  const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank', browserContextId });
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
  const s = (m, p) => cdp.send(m, p, sessionId);
  const handlers = new Map();
  const off = cdp.on('Runtime.bindingCalled', (p, sid) => {
    if (sid === sessionId && handlers.has(p.name)) handlers.get(p.name)(p.payload);
  });
  await s('Page.enable');
  await s('Runtime.enable');
  await s('Emulation.setDeviceMetricsOverride', { width: viewport.width, height: viewport.height, deviceScaleFactor: viewport.deviceScaleFactor || 1, mobile: !!viewport.mobile });
  if (locale) await s('Emulation.setLocaleOverride', { locale });
  if (cpu > 1) await s('Emulation.setCPUThrottlingRate', { rate: cpu });
  for (const b of bindings) await s('Runtime.addBinding', { name: b });
  if (init) await s('Page.addScriptToEvaluateOnNewDocument', { source: `(${init})(${JSON.stringify(initArg ?? null)});` });
  return {
    send: s,
    onBinding(name, fn) { handlers.set(name, fn); },
    async navigate(url) { await s('Page.navigate', { url }); },
    /** The value of an expression in the page (awaited when it is a promise). */
    async evaluate(expression) {
      const r = await s('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
      if (r.exceptionDetails) throw new Error(`evaluate: ${r.exceptionDetails.exception?.description || r.exceptionDetails.text}`);
      return r.result.value;
    },
    /** A left click at the middle of the first element `selector` matches (real input events). */
    async click(selector) {
      const box = await this.evaluate(`(() => { const r = document.querySelector(${JSON.stringify(selector)})?.getBoundingClientRect(); return r && r.width ? [r.x + r.width / 2, r.y + r.height / 2] : null; })()`);
      if (!box) throw new Error(`click: nothing visible matches ${selector}`);
      const [x, y] = box;
      await s('Input.dispatchMouseEvent', { type: 'mouseMoved', x, y });
      await s('Input.dispatchMouseEvent', { type: 'mousePressed', x, y, button: 'left', clickCount: 1 });
      await s('Input.dispatchMouseEvent', { type: 'mouseReleased', x, y, button: 'left', clickCount: 1 });
    },
    async close() {
      off();
      await cdp.send('Target.closeTarget', { targetId }).catch(() => {});
      await cdp.send('Target.disposeBrowserContext', { browserContextId }).catch(() => {});
    },
  };
}
