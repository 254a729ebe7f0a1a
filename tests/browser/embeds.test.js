// Embed placeholders (issue 12, web/src/embeds/, dist/kelisim-embeds.mjs): a page with a
// YouTube, a Yandex map and a 2GIS embed makes no request to their hosts before consent,
// after "reject all", or after "load once" on another embed; "load once" loads exactly that
// embed and stores nothing; "always allow" is a consent change (stored, reported, persists);
// withdrawal offers the reload; embeds added later get placeholders; ru/kk/en, light/dark,
// axe-core, keyboard, strict CSP; a page without embeds never loads the part. Every request to
// a host other than 127.0.0.1 is intercepted and answered locally (and recorded).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launchBrowser, startServer, REPO, AXE_PATH, watchErrors, formatViolations, CSP_WATCH } from './helpers.js';
import { DEMO_CSP, demoCsp } from '../../scripts/serve.mjs';

const MANIFEST = '/tests/fixtures/manifests/embeds-v1.json';
const YT = 'https://www.youtube.com/embed/M7lc1UVf-VE';
const YM = 'https://yandex.ru/map-widget/v1/?ll=76.945%2C43.238&z=12';
const DG = 'https://widgets.2gis.com/widget?type=firmsonmap&options=%7B%22pos%22%3A%7B%22lat%22%3A43.238%2C%22lon%22%3A76.945%2C%22zoom%22%3A16%7D%7D';
const VM = 'https://player.vimeo.com/video/76979871';
const DV = 'https://video.example.org/embed/1';

const embedsHtml = ({ lang = 'ru', attrs = '', extra = '', head = '' } = {}) => `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>kelisim embeds test</title>${head}
<script src="/dist/kelisim.js" data-policy="${MANIFEST}" ${attrs} defer></script>
</head><body><main><h1>Встроенные материалы</h1>
<iframe id="yt" data-kelisim-service="youtube" data-kelisim-src="${YT}" width="560" height="315" title="Видео о Казахстане"></iframe>
<iframe id="ym" data-kelisim-service="yandex-maps" data-kelisim-src="${YM}" width="560" height="400" title="Карта: Алматы"></iframe>
<iframe id="dg" data-kelisim-service="twogis" data-kelisim-src="${DG}" width="560" height="400" title="2ГИС: наш офис"></iframe>
<iframe id="vm" data-kelisim-category="media" data-kelisim-src="${VM}" width="480" height="270" title="Vimeo"></iframe>
${extra}
<p><button type="button" id="after">После встроенных</button></p></main></body></html>`;

let browser;
let srv;
let demo;
const inbox = [];
before(async () => {
  browser = await launchBrowser();
  srv = await startServer(REPO, {
    headers: (p) => (p.startsWith('/csp/') ? { 'Content-Security-Policy': DEMO_CSP } : {}),
    handle(req, res) {
      if (req.method !== 'POST' || !req.url.startsWith('/collect')) return false;
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => { inbox.push(...JSON.parse(body)); res.writeHead(202); res.end(); });
      return true;
    },
  });
  const report = '<script src="/cfg/report.js"></script>';
  srv.route('/cfg/report.js', 'window.kelisimConfig = { reportUrl: "/collect" };', 'text/javascript');
  for (const lang of ['ru', 'kk', 'en']) srv.route(`/e/${lang}.html`, embedsHtml({ lang }));
  srv.route('/e/report.html', embedsHtml({ head: report, extra: `
<iframe id="dv" data-kelisim-service="demo-video" data-kelisim-src="${DV}" width="400" height="250" title="Демо-видео"></iframe>` }));
  srv.route('/e/dark.html', embedsHtml({ lang: 'kk', attrs: 'data-theme="dark"' }));
  srv.route('/csp/embeds.html', embedsHtml({ lang: 'en' }));
  srv.route('/e/extra.html', embedsHtml({ extra: `
<iframe id="un" data-kelisim-service="unknown-svc" data-kelisim-src="https://example.org/widget?x=1" width="400" height="250" title="Widget"></iframe>
<iframe id="bad" data-kelisim-service="youtube" data-kelisim-src="javascript:alert(1)" width="300" height="150" title="Bad"></iframe>
<iframe id="sb" sandbox="allow-scripts" data-kelisim-service="youtube" data-kelisim-src="${YT}?sb=1" width="400" height="250" title="Sandboxed"></iframe>` }));
  // examples/embeds as `npm run demo` serves it: /embeds/, the dist, the demo CSP with its frame-src.
  demo = await startServer(join(REPO, 'examples/site'), {
    mounts: { '/dist': join(REPO, 'dist'), '/embeds': join(REPO, 'examples/embeds') },
    headers: { 'Content-Security-Policy': demoCsp([], ['https://www.youtube-nocookie.com', 'https://yandex.ru', 'https://widgets.2gis.com']) },
  });
  srv.route('/e/none.html', `<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>no embeds</title>
<script src="/dist/kelisim.js" data-policy="${MANIFEST}" defer></script></head><body><main><h1>Без встроенных</h1>
<p id="spa"></p></main></body></html>`);
});
after(async () => { await browser?.close(); await srv?.close(); await demo?.close(); });

/** A fresh context whose every non-loopback request is answered locally and recorded. */
async function open(path, { colorScheme = 'light', height = 1600 } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height }, colorScheme });
  const third = [];
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.hostname === '127.0.0.1') return route.continue();
    third.push(u.href);
    return route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>stub</title><p>third party</p>' });
  });
  const page = await context.newPage();
  const errors = watchErrors(page);
  if (path) await page.goto(srv.url + path);
  return { context, page, third, errors };
}

const frameOf = (page, id) => page.frameLocator('#' + id);
const placeholder = (page, id) => frameOf(page, id).locator('[data-kelisim-embed]');
const settle = (page, ms = 200) => page.evaluate((t) => new Promise((r) => setTimeout(r, t)), ms);
async function ready(page) {
  await page.waitForFunction(() => window.kelisim && window.kelisim.state().status === 'ready');
}
async function allShown(page, ids = ['yt', 'ym', 'dg', 'vm']) {
  for (const id of ids) await placeholder(page, id).waitFor();
}

test('before consent: a placeholder of the same size in each embed, nothing requested from their hosts', async () => {
  const { context, page, third, errors } = await open(null);
  // The iframe's box before kelisim runs (no src: an empty frame) is the box after.
  await page.goto(srv.url + '/e/ru.html', { waitUntil: 'commit' });
  await page.waitForSelector('#dg');
  const box = (id) => page.locator('#' + id).boundingBox();
  const before = { yt: await box('yt'), ym: await box('ym'), dg: await box('dg') };
  await ready(page);
  await allShown(page);
  for (const id of ['yt', 'ym', 'dg']) assert.deepEqual(await box(id), before[id], `${id} did not move or resize`);
  assert.deepEqual(await page.locator('#yt').evaluate((f) => [f.clientWidth, f.clientHeight]), [560, 315]);
  // What the placeholder says: the service, the kind, where the data goes, its privacy policy.
  const yt = placeholder(page, 'yt');
  assert.equal(await yt.locator('h1').innerText(), 'YouTube');
  assert.match(await yt.innerText(), /Видео/i);
  assert.match(await yt.innerText(), /www\.youtube\.com/);
  assert.match(await yt.innerText(), /Google LLC/);
  assert.match(await yt.innerText(), /Соединенные Штаты|США/);
  const ymText = await placeholder(page, 'ym').innerText();
  assert.match(ymText, /Яндекс Карты/);
  assert.match(ymText, /Карта/i);
  assert.match(ymText, /Россия/);
  assert.equal(await frameOf(page, 'yt').locator('a').getAttribute('href'), 'https://policies.google.com/privacy');
  assert.equal(await frameOf(page, 'ym').locator('a').getAttribute('href'), 'https://yandex.ru/legal/confidential/');
  // "Always allow" for each service the policy declares, and for the category an embed names.
  assert.equal(await frameOf(page, 'yt').locator('[data-kelisim-action="allow"]').innerText(), 'Всегда разрешать: YouTube');
  assert.equal(await frameOf(page, 'dg').locator('[data-kelisim-action="allow"]').innerText(), 'Всегда разрешать: 2ГИС');
  assert.equal(await frameOf(page, 'vm').locator('[data-kelisim-action="allow"]').innerText(), 'Всегда разрешать: Медиа');
  // The banner is up and undecided; nothing left the machine.
  assert.ok(await page.locator('[data-kelisim-banner]').isVisible());
  await settle(page, 400);
  assert.deepEqual(third, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('"reject all" keeps every embed a placeholder; "load once" loads exactly that embed and stores nothing', async () => {
  const { context, page, third, errors } = await open('/e/ru.html');
  await ready(page);
  await allShown(page);
  await page.click('[data-kelisim-banner] [data-kelisim-action="reject-all"]');
  await settle(page, 300);
  assert.deepEqual(third, []);
  await allShown(page);
  const storedBefore = await page.evaluate(() => [localStorage.getItem('kelisim'), document.cookie]);
  await frameOf(page, 'yt').locator('[data-kelisim-action="load-once"]').click();
  await page.waitForFunction(() => document.getElementById('yt').src !== '');
  await settle(page, 400);
  assert.deepEqual(third, [YT]);
  assert.equal(await page.locator('#yt').getAttribute('src'), YT);
  for (const id of ['ym', 'dg', 'vm']) assert.equal(await placeholder(page, id).count(), 1, `${id} still a placeholder`);
  assert.deepEqual(await page.evaluate(() => [localStorage.getItem('kelisim'), document.cookie]), storedBefore, 'nothing stored');
  // Another page view: the placeholder again, no request.
  third.length = 0;
  await page.reload();
  await ready(page);
  await allShown(page);
  await settle(page, 300);
  assert.deepEqual(third, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('"always allow" is a consent change: stored, reported, in force after reload; withdrawal clears the service\'s cookies and offers the reload', async () => {
  inbox.length = 0;
  const { context, page, third, errors } = await open('/e/report.html');
  await ready(page);
  await allShown(page, ['yt', 'ym', 'dg', 'vm', 'dv']);
  await frameOf(page, 'yt').locator('[data-kelisim-action="allow"]').click();
  await page.waitForFunction(() => window.kelisim.allowed('youtube'));
  await page.waitForFunction(() => document.getElementById('yt').src !== '');
  await settle(page, 400);
  // YouTube, and the embed that names the whole media category (now on); not its sibling services.
  assert.deepEqual([...third].sort(), [VM, YT]);
  for (const id of ['ym', 'dg', 'dv']) assert.equal(await placeholder(page, id).count(), 1, `${id} still a placeholder`);
  const st = await page.evaluate(() => window.kelisim.state());
  assert.equal(st.decided, true);
  assert.equal(st.services.youtube, true);
  assert.equal(st.services['yandex-maps'], false);
  assert.equal(st.choices.media, true);
  assert.equal(st.choices.analytics, false);
  await page.waitForFunction(() => !document.querySelector('[data-kelisim-banner]'));
  // Reported to the ledger like any other change, naming the service.
  for (let i = 0; i < 40 && !inbox.some((e) => e.type === 'kelisim:consent-event'); i++) await settle(page, 100);
  const ev = inbox.find((e) => e.type === 'kelisim:consent-event');
  assert.ok(ev, 'a consent event was reported: ' + JSON.stringify(inbox.map((e) => e.type)));
  assert.equal(ev.event.op, 'set');
  assert.equal(ev.event.choices.media, true);
  assert.equal(ev.event.services.youtube, true);
  assert.equal(ev.event.services.twogis, false);
  // In force on the next page view: the allowed embeds load at once, the others stay placeholders.
  third.length = 0;
  await page.reload();
  await ready(page);
  await page.waitForFunction(() => document.getElementById('yt').src !== '' && document.getElementById('vm').src !== '');
  await allShown(page, ['ym', 'dg', 'dv']);
  await settle(page, 300);
  assert.deepEqual([...third].sort(), [VM, YT]);
  // A service with cookies: allowed from its placeholder, then withdrawn: its cookies go and,
  // since its embed loaded, the reload is offered.
  await frameOf(page, 'dv').locator('[data-kelisim-action="allow"]').click();
  await page.waitForFunction(() => document.getElementById('dv').src !== '');
  await page.evaluate(() => { document.cookie = '_demo_video=1; path=/'; });
  await page.evaluate(() => window.kelisim.set({ 'demo-video': false }));
  await page.locator('[data-kelisim-action="reload"]').waitFor();
  assert.doesNotMatch(await page.evaluate(() => document.cookie), /_demo_video=/);
  assert.equal(await page.evaluate(() => window.kelisim.allowed('youtube')), true, 'YouTube stays allowed');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a first visit draws the placeholders before the consent module has arrived; "always allow" clicked then is applied once it has', async () => {
  const { context, page, third, errors } = await open(null);
  let release;
  const held = new Promise((r) => { release = r; });
  const wasm = [];
  await page.route(/kelisim-consent[^/]*\.wasm$/, async (route) => { wasm.push(route.request().url()); await held; await route.continue(); });
  await page.goto(srv.url + '/e/ru.html');
  await allShown(page);
  // Drawn from the manifest and the texts, while the core is still on its way.
  assert.equal(await page.evaluate(() => window.kelisim.state().status), 'loading');
  assert.equal(wasm.length, 1, 'the consent module was requested and is held');
  assert.ok(await page.locator('[data-kelisim-banner]').isVisible());
  assert.match(await placeholder(page, 'yt').innerText(), /Google LLC/);
  await frameOf(page, 'yt').locator('[data-kelisim-action="allow"]').click();
  await settle(page, 300);
  assert.deepEqual(third, [], 'nothing loads before the core has decided');
  assert.equal(await page.locator('#yt').getAttribute('src'), null);
  release();
  await ready(page);
  await page.waitForFunction(() => window.kelisim.allowed('youtube') && document.getElementById('yt').src !== '');
  await settle(page, 300);
  assert.deepEqual([...third].sort(), [VM, YT]);
  assert.equal((await page.evaluate(() => window.kelisim.state())).decided, true);
  // The embed counts as having run for the script gate made after the placeholders were
  // drawn: withdrawing YouTube offers the reload.
  await page.evaluate(() => window.kelisim.set({ youtube: false }));
  await page.locator('[data-kelisim-action="reload"]').waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('"always allow" when the consent module cannot load: the placeholder says the choice cannot be saved, keeps "load once", loads nothing', async () => {
  const { context, page, third } = await open(null);
  // Held, then refused: the placeholders are drawn while it is on its way, and the click made
  // then waits for it (act() awaits the core).
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route(/kelisim-consent[^/]*\.wasm$/, async (route) => { await held; await route.fulfill({ status: 503, body: 'down' }); });
  await page.goto(srv.url + '/e/ru.html');
  await allShown(page);
  assert.equal(await page.evaluate(() => window.kelisim.state().status), 'loading');
  const yt = frameOf(page, 'yt');
  await yt.locator('[data-kelisim-action="allow"]').focus();
  await page.keyboard.press('Enter');
  release();
  await page.waitForFunction(() => window.kelisim.state().status === 'error');
  const msg = yt.locator('[data-kelisim-embed-error]');
  await msg.waitFor();
  assert.match(await msg.innerText(), /Не удалось сохранить выбор/);
  assert.equal(await msg.getAttribute('role'), 'alert');
  assert.equal(await yt.locator('[data-kelisim-action="allow"]').count(), 0);
  // Focus was on the removed button: it is on "Load once" now.
  assert.equal(await yt.locator('[data-kelisim-action="load-once"]').evaluate((b) => b.ownerDocument.activeElement === b), true);
  await settle(page, 300);
  assert.deepEqual(third, [], 'nothing loads on a choice that was not recorded');
  assert.equal((await page.evaluate(() => window.kelisim.state())).decided, false);
  // The other placeholders still offer it until clicked; "load once" loads exactly that embed.
  assert.equal(await frameOf(page, 'dg').locator('[data-kelisim-action="allow"]').count(), 1);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.getElementById('yt').src !== '');
  await settle(page, 300);
  assert.deepEqual(third, [YT]);
  // Embeds added after the failure get no "always allow" at all.
  await page.evaluate(() => {
    const f = document.createElement('iframe');
    f.id = 'late';
    f.setAttribute('data-kelisim-service', 'youtube');
    f.setAttribute('data-kelisim-src', 'https://www.youtube.com/embed/late');
    document.querySelector('main').append(f);
  });
  await placeholder(page, 'late').waitFor();
  assert.equal(await frameOf(page, 'late').locator('[data-kelisim-action="load-once"]').count(), 1);
  assert.equal(await frameOf(page, 'late').locator('[data-kelisim-action="allow"]').count(), 0);
  await context.close();
});

test('the placeholders\' stylesheet is fetched once for every frame; should that fetch fail, each frame links it', async () => {
  for (const failFirst of [false, true]) {
    const { context, page, errors } = await open(null);
    let asked = 0;
    await page.route('**/kelisim-embeds.css', (r) => (++asked === 1 && failFirst ? r.fulfill({ status: 503, body: 'down' }) : r.continue()));
    await page.goto(srv.url + '/e/ru.html');
    await ready(page);
    await allShown(page);
    const how = await page.evaluate(() => ['yt', 'ym', 'dg', 'vm'].map((id) => {
      const d = document.getElementById(id).contentDocument;
      return [d.adoptedStyleSheets.length, d.querySelectorAll('link[data-kelisim-embed-css]').length];
    }));
    // Styled either way: the box has the stylesheet's background and padding.
    await page.waitForFunction(() => ['yt', 'ym', 'dg', 'vm'].every((id) => {
      const b = document.getElementById(id).contentDocument.querySelector('[data-kelisim-embed]');
      return b && parseFloat(getComputedStyle(b).paddingTop) > 0;
    }));
    if (!failFirst) {
      assert.deepEqual(how, [[1, 0], [1, 0], [1, 0], [1, 0]]);
      assert.equal(asked, 1);
      assert.deepEqual(errors, []);
    } else {
      assert.deepEqual(how, [[0, 1], [0, 1], [0, 1], [0, 1]]);
      assert.ok(asked >= 2, `asked ${asked} times`);
    }
    await context.close();
  }
});

test('embeds added later (SPA) get placeholders; a page without embeds never loads the part', async () => {
  const from = srv.requests.length;
  const { context, page, third, errors } = await open('/e/none.html');
  await ready(page);
  await settle(page, 300);
  const loaded = () => [...new Set(srv.requests.slice(from).filter((p) => p.includes('kelisim-embeds')))].sort();
  assert.deepEqual(loaded(), []);
  await page.evaluate((src) => {
    const f = document.createElement('iframe');
    f.id = 'late';
    f.width = '400';
    f.height = '300';
    f.title = 'Поздняя карта';
    f.setAttribute('data-kelisim-service', 'twogis');
    f.setAttribute('data-kelisim-src', src);
    document.getElementById('spa').append(f);
  }, DG);
  await placeholder(page, 'late').waitFor();
  assert.match(await placeholder(page, 'late').innerText(), /2ГИС/);
  assert.deepEqual(loaded(), ['/dist/kelisim-embeds.css', '/dist/kelisim-embeds.mjs']);
  // A frame moved in the DOM gets a fresh document: the placeholder is drawn again.
  await page.evaluate(() => document.querySelector('main').append(document.getElementById('late')));
  await placeholder(page, 'late').waitFor();
  await settle(page, 300);
  assert.deepEqual(third, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('an undeclared service: "load once" and a link to the content, no "always allow"; a javascript: URL never loads; a sandboxed frame keeps its sandbox', async () => {
  const { context, page, third, errors } = await open('/e/extra.html');
  await ready(page);
  await allShown(page, ['un', 'sb']);
  const un = frameOf(page, 'un');
  assert.equal(await un.locator('h1').innerText(), 'example.org');
  assert.equal(await un.locator('[data-kelisim-action="allow"]').count(), 0);
  assert.equal(await un.locator('a').getAttribute('href'), 'https://example.org/widget?x=1');
  assert.equal(await un.locator('a').getAttribute('target'), '_blank');
  assert.equal(await page.locator('#bad').getAttribute('src'), null);
  assert.equal(await placeholder(page, 'bad').count(), 0);
  assert.equal(await page.locator('#sb').getAttribute('sandbox'), null, 'lifted for the placeholder');
  await frameOf(page, 'sb').locator('[data-kelisim-action="load-once"]').click();
  await page.waitForFunction(() => document.getElementById('sb').src !== '');
  assert.equal(await page.locator('#sb').getAttribute('sandbox'), 'allow-scripts', 'back before the embed loads');
  await settle(page, 300);
  assert.deepEqual(third, [YT + '?sb=1']);
  assert.deepEqual(errors, []);
  await context.close();
});

// axe-core inside each placeholder's frame (its own document).
async function axeFrame(page, id) {
  const frame = await (await page.$('#' + id)).contentFrame();
  await frame.addScriptTag({ path: AXE_PATH });
  return frame.evaluate(async () => {
    const r = await globalThis.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ') + ' :: ' + n.failureSummary) }));
  });
}

const WORDS = {
  ru: { once: 'Загрузить один раз', kind: 'Видео' },
  kk: { once: 'Бір рет жүктеу', kind: 'Бейне' },
  en: { once: 'Load once', kind: 'Video' },
};
for (const lang of ['ru', 'kk', 'en']) {
  for (const scheme of ['light', 'dark']) {
    test(`${lang}, ${scheme}: placeholder strings in the page's language; axe-core finds nothing`, async () => {
      const { context, page, errors } = await open(`/e/${lang}.html`, { colorScheme: scheme });
      await ready(page);
      await allShown(page);
      const yt = frameOf(page, 'yt');
      assert.equal(await yt.locator('[data-kelisim-action="load-once"]').innerText(), WORDS[lang].once);
      assert.equal((await yt.locator('.kelisim-embed-kind').innerText()).toLowerCase(), WORDS[lang].kind.toLowerCase());
      assert.equal(await yt.locator('html').getAttribute('lang'), lang);
      if (lang === 'kk') assert.match(await placeholder(page, 'ym').innerText(), /[әғқңөұүі]/);
      // Styled (the stylesheet reached the frame) in the scheme asked for.
      const bg = await yt.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor);
      assert.equal(bg, scheme === 'dark' ? 'rgb(29, 33, 39)' : 'rgb(243, 245, 248)');
      for (const id of ['yt', 'ym', 'vm']) {
        const v = await axeFrame(page, id);
        assert.deepEqual(v, [], `${lang}/${scheme} #${id}:\n` + formatViolations(v));
      }
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
}

test('the controller\'s theme reaches the placeholder (data-theme="dark" in a light browser)', async () => {
  const { context, page } = await open('/e/dark.html', { colorScheme: 'light' });
  await ready(page);
  await allShown(page);
  assert.equal(await frameOf(page, 'ym').locator('body').evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(29, 33, 39)');
  await context.close();
});

test('keyboard only: Tab reaches the placeholder\'s controls in order; Enter on "load once" loads it', async () => {
  const { context, page, third } = await open('/e/ru.html');
  await ready(page);
  await allShown(page);
  await page.click('[data-kelisim-banner] [data-kelisim-action="reject-all"]');
  await page.locator('h1').first().click();   // start from the page, not from the banner
  const seen = [];
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    const where = await page.evaluate(() => {
      const f = document.activeElement;
      if (!f || f.tagName !== 'IFRAME') return f ? f.id || f.tagName : null;
      const a = f.contentDocument && f.contentDocument.activeElement;
      return f.id + ':' + (a ? a.getAttribute('data-kelisim-action') || a.tagName : '');
    });
    seen.push(where);
    if (where === 'yt:load-once') break;
  }
  assert.equal(seen.at(-1), 'yt:load-once', seen.join(' → '));
  const inYt = () => page.evaluate(() => {
    const a = document.activeElement.contentDocument.activeElement;
    return document.activeElement.id + ':' + (a.getAttribute('data-kelisim-action') || a.tagName);
  });
  await page.keyboard.press('Tab');
  assert.equal(await inYt(), 'yt:allow');
  await page.keyboard.press('Tab');
  assert.equal(await inYt(), 'yt:A');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  assert.equal(await inYt(), 'yt:load-once');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.getElementById('yt').src !== '');
  await settle(page, 300);
  assert.deepEqual(third, [YT]);
  await context.close();
});

test('under the demo\'s strict CSP the placeholders draw and style with no violation', async () => {
  const { context, page, third, errors } = await open(null);
  const violations = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused/.test(m.text())) violations.push(m.text()); });
  await page.goto(srv.url + '/csp/embeds.html');
  await ready(page);
  await allShown(page);
  const btn = frameOf(page, 'yt').locator('[data-kelisim-action="load-once"]');
  assert.equal(await btn.evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(29, 60, 120)');
  assert.deepEqual(violations, []);
  assert.deepEqual(errors, []);
  assert.deepEqual(third, []);
  await context.close();
});

test('the demo page (examples/embeds, as npm run demo serves it): placeholders, a gated chat widget and its launcher, "load once" under its CSP', async () => {
  const { context, page, third, errors } = await open(null);
  await context.addInitScript(CSP_WATCH);
  await page.goto(demo.url + '/embeds/');
  await ready(page);
  const frames = page.locator('iframe[data-kelisim-src]');
  assert.equal(await frames.count(), 3);
  for (let i = 0; i < 3; i++) await page.frameLocator(`iframe[data-kelisim-src] >> nth=${i}`).locator('[data-kelisim-embed]').waitFor();
  assert.equal(await page.locator('.demo-chat').count(), 0, 'the chat widget waits for consent');
  // ...with its launcher in the corner (web/src/embeds/chat.js; tests/browser/chat.test.js).
  await page.locator('[data-kelisim-chat] [data-kelisim-action="chat"]').waitFor();
  await page.frameLocator('iframe[data-kelisim-service="youtube"]').locator('[data-kelisim-action="load-once"]').click();
  await page.waitForFunction(() => document.querySelector('iframe[data-kelisim-service="youtube"]').src !== '');
  await settle(page, 400);
  assert.deepEqual(third, ['https://www.youtube-nocookie.com/embed/M7lc1UVf-VE']);
  await page.click('[data-kelisim-banner] [data-kelisim-action="settings"]');
  await page.locator('[data-kelisim-preferences] input[data-kelisim-category="chat"]').check();
  await page.click('[data-kelisim-preferences] [data-kelisim-action="save"]');
  await page.locator('.demo-chat').waitFor();
  assert.equal(await page.locator('[data-kelisim-chat] [data-kelisim-launcher]').count(), 0, 'allowed from the dialog: the launcher went');
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  assert.deepEqual(errors, []);
  await context.close();
});
