// Endurance (issue 6, item 5), in headless Chromium. Nothing here is timed.
//  1. 10,000 consent changes in one page through the controller API (set / acceptAll /
//     rejectAll / withdraw in a fixed cycle): the consent wasm's linear memory and the page's
//     JS heap (after a forced GC, CDP Runtime.getHeapUsage) do not grow without bound —
//     measured after a 1,000-change warm-up and again at the end, with a generous bound — and
//     the DOM, the history and the stored record stay bounded and correct.
//  2. 20 tabs (pages of one browser context, sharing cookies and localStorage) change consent
//     concurrently: at the end every tab agrees with the stored record, cookie and
//     localStorage hold the same record, it decodes, and it is the last write (the newest
//     `givenAt` of all writes made by all tabs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, startServer, REPO } from './helpers.js';
import { addRoutes, newPage, ready, banner, nodeCore, PROBE } from './banner-fixture.js';

let browser;
let srv;
before(async () => {
  browser = await launchBrowser();
  srv = await startServer(REPO);
  addRoutes(srv, { '/e/script.html': { embed: 'script' } });
});
after(async () => { await browser?.close(); await srv?.close(); });

// Test-only instrumentation, installed before the page's scripts: keeps every wasm instance
// the page creates, so the test can read the consent core's linear memory size.
const CAPTURE_WASM = () => {
  window.__wasm = [];
  const I = WebAssembly.Instance;
  const Wrapped = function Instance(module, imports) {
    const inst = new I(module, imports);
    window.__wasm.push(inst);
    return inst;
  };
  Wrapped.prototype = I.prototype;
  WebAssembly.Instance = Wrapped;
};

// Records each gated script at the instant kelisim inserts its runnable copy (web/src/gating.js
// swaps the inert element with replaceWith), with whether its categories were allowed then.
const INSERT_WATCH = () => {
  window.__inserted = [];
  const rw = Element.prototype.replaceWith;
  Element.prototype.replaceWith = function replaceWith(...nodes) {
    if (this.tagName === 'SCRIPT' && this.type === 'text/plain' && this.hasAttribute('data-kelisim-category')) {
      const cats = this.getAttribute('data-kelisim-category').split(/[\s,]+/).filter(Boolean);
      window.__inserted.push({ cats, external: this.hasAttribute('src'), allowed: cats.every((c) => window.kelisim.allowed(c)) });
    }
    return rw.apply(this, nodes);
  };
};

const KB = 1024;
const MB = 1024 * KB;

test('10,000 consent changes in one page: wasm memory and JS heap stay bounded, DOM and history too', async (t) => {
  const { context, page } = await newPage(browser, { init: [CAPTURE_WASM, INSERT_WATCH] });
  const cdp = await context.newCDPSession(page);
  await cdp.send('HeapProfiler.enable');
  await page.goto(`${srv.url}/e/script.html`);
  await ready(page);
  await banner(page).waitFor();

  // One cycle of 8 changes covers every op and every category combination.
  const runChanges = (n, offset) => page.evaluate(async ({ n, offset }) => {
    const k = window.kelisim;
    const cycle = [
      () => k.set({ analytics: true }),
      () => k.set({ analytics: false, marketing: true }),
      () => k.acceptAll(),
      () => k.set({ marketing: false }),
      () => k.rejectAll(),
      () => k.set({ analytics: true, marketing: true }),
      () => k.withdraw(),
      () => k.set({ analytics: false, marketing: false }),
    ];
    let last;
    for (let i = 0; i < n; i++) last = await cycle[(offset + i) % cycle.length]();
    return { last, choices: k.state().choices };
  }, { n, offset });

  const measure = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = await cdp.send('Runtime.getHeapUsage');
    const m = await page.evaluate(() => ({
      wasm: window.__wasm.map((i) => i.exports.memory.buffer.byteLength),
      instances: window.__wasm.length,
      nodes: document.getElementsByTagName('*').length,
      history: JSON.parse(localStorage.getItem('kelisim:history') || '[]').length,
      historyBytes: (localStorage.getItem('kelisim:history') || '').length,
    }));
    return { heap: heap.usedSize, ...m };
  };

  const WARMUP = 1000;
  const TOTAL = 10000;
  await runChanges(WARMUP, 0);
  const warm = await measure();
  let done = WARMUP;
  while (done < TOTAL) {
    const n = Math.min(1500, TOTAL - done);
    await runChanges(n, done);
    done += n;
  }
  const end = await measure();

  // Exactly one consent core instance the whole time (no trap, no restart), and its memory did
  // not grow after the warm-up by more than one 64 KiB page at most (a leak of even 10 bytes
  // per change would add ~90 KB here).
  assert.equal(warm.instances, 1, 'one wasm instance (the consent core)');
  assert.equal(end.instances, 1, 'no restart after a trap');
  assert.ok(end.wasm[0] <= warm.wasm[0] + 64 * KB,
    `wasm memory grew from ${warm.wasm[0]} to ${end.wasm[0]} bytes over ${TOTAL - WARMUP} changes`);
  // JS heap after GC: generous bound (9,000 more changes; a leak of ~500 bytes each = +4.5 MB).
  assert.ok(end.heap <= warm.heap * 1.5 + 2 * MB,
    `JS heap grew from ${(warm.heap / MB).toFixed(2)} MB to ${(end.heap / MB).toFixed(2)} MB over ${TOTAL - WARMUP} changes`);
  // The DOM does not accumulate notices or dialogs; the history is capped at 100 entries.
  assert.ok(end.nodes <= warm.nodes + 5, `DOM nodes ${warm.nodes} → ${end.nodes}`);
  assert.equal(end.history, 100);
  assert.ok(end.historyBytes <= warm.historyBytes * 1.2 + 1024);

  // The last change (index 9,999 → cycle[7]: everything optional off) is what is stored.
  const core = await nodeCore();
  const ls = await page.evaluate(() => localStorage.getItem('kelisim'));
  const cookie = (await context.cookies()).find((c) => c.name === 'kelisim');
  assert.equal(cookie && cookie.value, ls, 'cookie and localStorage hold the same record');
  const d = core.decodeRecord(ls);
  assert.ok(d.ok, 'the stored record decodes');
  assert.deepEqual(d.record.choices, { necessary: true, analytics: false, marketing: false });
  assert.deepEqual(await page.evaluate(() => window.kelisim.state().choices), { necessary: true, analytics: false, marketing: false });
  // The history chain of the newest 100 entries is intact.
  const hist = await page.evaluate(() => JSON.parse(localStorage.getItem('kelisim:history')));
  for (let i = 1; i < hist.length; i++) assert.equal(hist[i].prevHash, hist[i - 1].hash, `history link ${i}`);
  // Gated scripts ran at most once each, and each was inserted while its categories were
  // allowed. (Changes here come microseconds apart, so an external script inserted while
  // allowed may finish loading and execute after the next change revoked it: a script element
  // cannot be stopped once inserted. Inline ones and every later one are re-checked first.)
  const ran = await page.evaluate(() => window.__probe.map((p) => p.cat + p.n));
  assert.deepEqual([...new Set(ran)].sort(), ran.slice().sort(), 'each gated script ran once');
  const inserted = await page.evaluate(() => window.__inserted);
  assert.equal(inserted.length, ran.length, 'every run went through an insertion by the gate');
  assert.ok(inserted.length >= 1);
  for (const i of inserted) assert.ok(i.allowed, `gated script ${i.cats} inserted while not allowed`);
  // Inline gated scripts run synchronously on insertion: the record stored at that instant
  // must allow them (analytics #2 is the page's one external gated script).
  for (const e of await page.evaluate(() => window.__probe.filter((p) => !(p.cat === 'analytics' && p.n === 2)))) {
    const r = core.decodeRecord(e.ls);
    assert.ok(r.ok && r.record.choices[e.cat] === true, `inline ${e.cat}#${e.n} ran while stored choices were ${r.ok && JSON.stringify(r.record.choices)}`);
  }
  assert.deepEqual(page.__errors, []);
  t.diagnostic(`wasm ${warm.wasm[0]} → ${end.wasm[0]} B; heap ${(warm.heap / MB).toFixed(2)} → ${(end.heap / MB).toFixed(2)} MB; nodes ${warm.nodes} → ${end.nodes}`);
  await context.close();
});

test('20 tabs changing consent concurrently end consistent: every tab agrees with the stored record, which is the last write', async () => {
  const TABS = 20;
  const CHANGES = 15;
  const context = await browser.newContext();
  await context.addInitScript(PROBE);
  const pages = [];
  for (let i = 0; i < TABS; i++) {
    const page = await context.newPage();
    page.__errors = [];
    page.on('pageerror', (e) => page.__errors.push(e.message));
    pages.push(page);
  }
  await Promise.all(pages.map(async (p) => { await p.goto(`${srv.url}/e/script.html`); await ready(p); }));

  // Every tab makes CHANGES random choices with random short pauses, all tabs at once, and
  // reports what each of its writes stored (as read back from its own state right after).
  const writes = (await Promise.all(pages.map((p, tab) => p.evaluate(async ({ tab, n }) => {
    const k = window.kelisim;
    let seed = (tab + 1) * 7919;
    const rnd = () => { seed = (seed * 48271) % 2147483647; return seed / 2147483647; };
    const out = [];
    for (let i = 0; i < n; i++) {
      await new Promise((r) => setTimeout(r, Math.floor(rnd() * 8)));
      const r = rnd();
      const st = r < 0.15 ? await k.acceptAll() : r < 0.3 ? await k.rejectAll()
        : await k.set({ analytics: rnd() < 0.5, marketing: rnd() < 0.5 });
      out.push({ tab, givenAt: st.givenAt, recordId: st.recordId, choices: st.choices });
    }
    return out;
  }, { tab, n: CHANGES })))).flat();
  assert.equal(writes.length, TABS * CHANGES);

  // Let the storage events and BroadcastChannel messages arrive, then compare.
  const core = await nodeCore();
  const snapshot = async () => {
    const ls = await pages[0].evaluate(() => localStorage.getItem('kelisim'));
    const cookie = ((await context.cookies()).find((c) => c.name === 'kelisim') || {}).value;
    const tabs = await Promise.all(pages.map((p) => p.evaluate(() => {
      const s = window.kelisim.state();
      return { givenAt: s.givenAt, recordId: s.recordId, choices: s.choices };
    })));
    return { ls, cookie, tabs };
  };
  let snap;
  for (let i = 0; i < 100; i++) {
    await pages[0].waitForTimeout(100);
    snap = await snapshot();
    const same = snap.tabs.every((t) => JSON.stringify(t) === JSON.stringify(snap.tabs[0]));
    if (same && snap.ls === snap.cookie) break;
  }
  const d = core.decodeRecord(snap.ls);
  assert.ok(d.ok, 'the stored record decodes');
  assert.equal(snap.cookie, snap.ls, 'cookie and localStorage hold the same record');
  const latest = Math.max(...writes.map((w) => w.givenAt));
  assert.equal(d.record.givenAt, latest, 'the stored record is the newest write');
  const candidates = writes.filter((w) => w.givenAt === latest);
  assert.ok(candidates.some((w) => JSON.stringify(w.choices) === JSON.stringify({ necessary: true, ...d.record.choices }) || JSON.stringify(w.choices) === JSON.stringify(d.record.choices)),
    `stored choices ${JSON.stringify(d.record.choices)} are one of the newest writes ${JSON.stringify(candidates)}`);
  for (const [i, t] of snap.tabs.entries()) {
    assert.equal(t.givenAt, d.record.givenAt, `tab ${i} follows the stored record (givenAt)`);
    assert.equal(t.recordId, d.record.id, `tab ${i} follows the stored record (id)`);
    assert.deepEqual(t.choices, d.record.choices, `tab ${i} choices`);
  }
  // A tab opened now agrees too (it reads the same record).
  const fresh = await context.newPage();
  await fresh.goto(`${srv.url}/e/script.html`);
  await ready(fresh);
  assert.deepEqual(await fresh.evaluate(() => window.kelisim.state().choices), d.record.choices);
  for (const p of pages) assert.deepEqual(p.__errors, []);
  await context.close();
});
