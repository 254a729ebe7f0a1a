import { launchBrowser, startServer, REPO } from '../tests/browser/helpers.js';
const page_ = process.argv[2] || '/bench/pages/kelisim/';
const rate = Number(process.argv[3] || 4);
const browser = await launchBrowser();
const srv = await startServer(REPO);
for (let i = 0; i < 3; i++) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  await cdp.send('Network.enable'); await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await page.addInitScript(() => {
    window.__m = {}; window.__loaf = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__loaf.push({ s: Math.round(e.startTime), d: Math.round(e.duration), render: Math.round(e.renderStart ? e.startTime + e.duration - e.renderStart : 0), style: Math.round(e.styleAndLayoutStart ? e.startTime + e.duration - e.styleAndLayoutStart : 0), scripts: e.scripts.map((s) => `${s.invoker}|${s.sourceFunctionName}@${s.sourceCharPosition} ${Math.round(s.duration)}ms (compile ${Math.round(s.executionStart - s.startTime)}, forced ${Math.round(s.forcedStyleAndLayoutDuration)})`) }); }).observe({ type: 'long-animation-frame', buffered: true });
    new MutationObserver((_, mo) => { if (document.querySelector('[data-kelisim-banner],#cc-main .cm')) { window.__m.inserted = performance.now(); mo.disconnect(); } }).observe(document, { childList: true, subtree: true });
    document.addEventListener('DOMContentLoaded', () => { window.__m.dcl = performance.now(); });
    const tick = () => { const el = document.querySelector('[data-kelisim-banner],#cc-main .cm'); if (el && getComputedStyle(el).opacity > 0 && el.getBoundingClientRect().height > 0 && (!document.querySelector('#cc-main') || document.documentElement.classList.contains('show--consent'))) window.__m.visible = performance.now(); else requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  });
  await page.goto(srv.url + page_);
  await page.waitForFunction(() => window.__m.visible, null, { timeout: 20000 });
  await page.waitForTimeout(300);
  const r = await page.evaluate(() => ({ m: Object.fromEntries(Object.entries(window.__m).map(([k, v]) => [k, Math.round(v)])), res: performance.getEntriesByType('resource').map((e) => `${e.name.split('/').pop()} ${Math.round(e.startTime)}-${Math.round(e.responseEnd)}`), paint: performance.getEntriesByType('paint').map((e) => `${e.name} ${Math.round(e.startTime)}`), loaf: window.__loaf }));
  console.log(JSON.stringify(r, null, 1));
  await context.close();
}
await browser.close(); await srv.close();
