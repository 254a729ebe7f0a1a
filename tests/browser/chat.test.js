// Chat launchers (issue 12, web/src/embeds/chat.js, in dist/kelisim-embeds.mjs): a page with a
// chat widget's gated scripts and `<div data-kelisim-chat data-kelisim-service="…">` shows a
// "Chat" button whose panel says what the chat is, requests nothing from the chat's host before
// consent; "Load once" runs the service's scripts in document order and stores nothing;
// "Always allow" is a consent change; allowed from the banner the launcher goes and the scripts
// run; ru/kk/en, keyboard, axe-core, strict CSP; the core failed: "Load once" only; a page
// without the markup never loads the part. Every request to a host other than 127.0.0.1 is
// intercepted, answered locally and recorded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, startServer, REPO, axe, watchErrors, formatViolations, CSP_WATCH } from './helpers.js';
import { DEMO_CSP } from '../../scripts/serve.mjs';

const MANIFEST = '/tests/fixtures/manifests/chat-v1.json';
const CHAT = 'https://chat.example.org';
const JIVO = 'https://code.jivo.ru/widget/abc';
const LAUNCHER = '<div id="chat" data-kelisim-chat data-kelisim-service="demo-chat"></div>';

// The demo chat's three scripts: external, inline, external (the last needs its category too);
// a Jivo script that no demo-chat choice may run.
const chatHtml = ({ lang = 'ru', attrs = '', launcher = LAUNCHER, extra = '' } = {}) => `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>kelisim chat test</title>
<script src="/dist/kelisim.js" data-policy="${MANIFEST}" ${attrs} defer></script>
</head><body><main><h1>Контакты</h1><p><button type="button" id="before">До чата</button></p>${extra}</main>
${launcher}
<script type="text/plain" data-kelisim-service="demo-chat" src="${CHAT}/a.js"></script>
<script type="text/plain" data-kelisim-service="demo-chat">(window.__order ||= []).push('b');</script>
<script type="text/plain" data-kelisim-service="demo-chat" data-kelisim-category="chat" src="${CHAT}/c.js"></script>
<script type="text/plain" data-kelisim-service="jivo" src="${JIVO}"></script>
</body></html>`;

let browser;
let srv;
before(async () => {
  browser = await launchBrowser();
  srv = await startServer(REPO, { headers: (p) => (p.startsWith('/csp/') ? { 'Content-Security-Policy': DEMO_CSP } : {}) });
  for (const lang of ['ru', 'kk', 'en']) srv.route(`/c/${lang}.html`, chatHtml({ lang }));
  srv.route('/c/dark.html', chatHtml({ attrs: 'data-theme="dark"' }));
  // Bitrix24's usual snippet is inline (it inserts the loader itself): no host to name.
  srv.route('/c/inline.html', chatHtml({
    launcher: LAUNCHER + '\n<div id="b24" data-kelisim-chat="left" data-kelisim-service="bitrix24"></div>',
    extra: '<script type="text/plain" data-kelisim-service="bitrix24">(window.__order ||= []).push(\'b24\');</script>',
  }));
  srv.route('/c/none.html', chatHtml({ launcher: '' }));
  // Under the strict CSP: no inline script anywhere, the chat's scripts from the site itself.
  srv.route('/csp/chat.html', `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>chat under CSP</title>
<script src="/dist/kelisim.js" data-policy="${MANIFEST}" defer></script></head><body><main><h1>Contact</h1></main>
${LAUNCHER}
<script type="text/plain" data-kelisim-service="demo-chat" src="/csp/one.js"></script>
<script type="text/plain" data-kelisim-service="demo-chat" src="/csp/two.js"></script></body></html>`);
  srv.route('/csp/one.js', "(window.__order ||= []).push('one');", 'text/javascript');
  srv.route('/csp/two.js', "(window.__order ||= []).push('two');", 'text/javascript');
});
after(async () => { await browser?.close(); await srv?.close(); });

/**
 * A fresh context whose every non-loopback request is answered locally and recorded: the demo
 * chat's scripts push their name to window.__order (a.js after 300 ms, so that order matters).
 */
async function open(path, { colorScheme = 'light' } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme });
  const third = [];
  await context.route('**/*', async (route) => {
    const u = new URL(route.request().url());
    if (u.hostname === '127.0.0.1') return route.continue();
    third.push(u.href);
    const name = u.pathname.replace(/^\/|\.js$/g, '');
    if (name === 'a') await new Promise((r) => setTimeout(r, 300));
    return route.fulfill({ status: 200, contentType: 'text/javascript', body: `(window.__order ||= []).push(${JSON.stringify(name)});` });
  });
  const page = await context.newPage();
  const errors = watchErrors(page);
  if (path) await page.goto(srv.url + path);
  return { context, page, third, errors };
}

const settle = (page, ms = 200) => page.evaluate((t) => new Promise((r) => setTimeout(r, t)), ms);
const ready = (page) => page.waitForFunction(() => window.kelisim && window.kelisim.state().status === 'ready');
const launcher = (page, id = 'chat') => page.locator(`#${id} [data-kelisim-action="chat"]`);
const panel = (page, id = 'chat') => page.locator(`#${id} [role="dialog"]`);
/** Opens a launcher's panel from the keyboard (while the banner is up it covers the launcher:
 *  the banner comes first, but the launcher stays in the Tab order). */
async function openPanel(page, id = 'chat') {
  await launcher(page, id).focus();
  await page.keyboard.press('Enter');
  await panel(page, id).waitFor();
}
const order = (page) => page.evaluate(() => window.__order || []);
const stored = (page) => page.evaluate(() => [localStorage.getItem('kelisim'), document.cookie]);

const WORDS = {
  ru: { chat: 'Чат', once: 'Загрузить один раз', allow: 'Всегда разрешать: Демо-чат', country: /Казахстан/, from: /Чат загружается с chat\.example\.org/, close: 'Закрыть' },
  kk: { chat: 'Чат', once: 'Бір рет жүктеу', allow: 'Әрдайым рұқсат ету: Демо-чат', country: /Қазақстан|Kazakhstan/, from: /chat\.example\.org сайтынан/, close: 'Жабу' },
  en: { chat: 'Chat', once: 'Load once', allow: 'Always allow Demo chat', country: /Kazakhstan/, from: /The chat loads from chat\.example\.org/, close: 'Close' },
};

for (const lang of ['ru', 'kk', 'en']) {
  test(`${lang}: before consent a "Chat" launcher in the corner; its panel says what the chat is; nothing requested; axe-core finds nothing`, async () => {
    const w = WORDS[lang];
    const { context, page, third, errors } = await open(`/c/${lang}.html`);
    await ready(page);
    const btn = launcher(page);
    await btn.waitFor();
    assert.equal(await btn.evaluate((b) => b.tagName), 'BUTTON');
    assert.equal(await btn.locator('span').first().innerText(), w.chat);
    assert.equal(await btn.getAttribute('aria-expanded'), 'false');
    // Its accessible name starts with what it shows and names the service.
    const name = await btn.evaluate((b) => b.textContent);
    assert.ok(name.startsWith(w.chat) && (name.includes('Демо-чат') || name.includes('Demo chat')), name);
    // Bottom right of the window (kelisim-embeds.css reached the page).
    const box = await btn.boundingBox();
    assert.ok(box.x + box.width > 1280 - 40 && box.y + box.height > 900 - 40, JSON.stringify(box));
    assert.equal(await panel(page).isVisible(), false);
    const closed = await axe(page);
    assert.deepEqual(closed, [], `${lang}, panel closed:\n` + formatViolations(closed));
    await openPanel(page);
    const p = panel(page);
    assert.equal(await btn.getAttribute('aria-expanded'), 'true');
    assert.equal(await btn.getAttribute('aria-controls'), await p.getAttribute('id'));
    assert.equal(await p.locator('h2').innerText(), lang === 'en' ? 'Demo chat' : 'Демо-чат');
    const text = await p.innerText();
    assert.match(text, w.from);
    assert.match(text, /ТОО «Келісім Демо»/);
    assert.match(text, w.country);
    assert.equal(await p.locator('[data-kelisim-action="load-once"]').innerText(), w.once);
    assert.equal(await p.locator('[data-kelisim-action="allow"]').innerText(), w.allow);
    assert.equal(await p.locator('[data-kelisim-action="close"]').getAttribute('aria-label'), w.close);
    assert.equal(await p.locator('a').getAttribute('href'), 'https://chat.example.org/privacy');
    assert.equal(await page.locator('#chat .kelisim-chat').getAttribute('lang'), lang);
    const opened = await axe(page);
    assert.deepEqual(opened, [], `${lang}, panel open:\n` + formatViolations(opened));
    await settle(page, 300);
    assert.deepEqual(third, [], 'nothing from the chat\'s host');
    assert.deepEqual(await order(page), []);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('"load once" runs the service\'s held scripts in document order, only those, and stores nothing; the next page view asks again', async () => {
  const { context, page, third, errors } = await open('/c/ru.html');
  await ready(page);
  await page.click('[data-kelisim-banner] [data-kelisim-action="reject-all"]');
  await settle(page, 300);
  assert.deepEqual(third, []);
  const before = await stored(page);
  await launcher(page).click();
  await panel(page).locator('[data-kelisim-action="load-once"]').click();
  await page.waitForFunction(() => (window.__order || []).length === 3);
  await settle(page, 300);
  // a.js answers 300 ms late and still runs first; the inline one waits for it.
  assert.deepEqual(await order(page), ['a', 'b', 'c']);
  assert.deepEqual(third.sort(), [CHAT + '/a.js', CHAT + '/c.js'], 'not Jivo\'s');
  assert.equal(await page.locator('#chat [data-kelisim-launcher]').count(), 0, 'the launcher went');
  assert.deepEqual(await stored(page), before, 'nothing stored');
  const st = await page.evaluate(() => window.kelisim.state());
  assert.equal(st.services['demo-chat'], false);
  assert.equal(st.choices.chat, false);
  // The next page view: the launcher again, nothing requested.
  third.length = 0;
  await page.reload();
  await ready(page);
  await launcher(page).waitFor();
  await settle(page, 300);
  assert.deepEqual(third, []);
  assert.deepEqual(await order(page), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('"always allow" records consent; the gate runs the scripts; in force after a reload; a withdrawal clears the cookies and offers the reload', async () => {
  const { context, page, third, errors } = await open('/c/ru.html');
  await ready(page);
  await openPanel(page);
  await panel(page).locator('[data-kelisim-action="allow"]').click();
  await page.waitForFunction(() => window.kelisim.allowed('demo-chat') && (window.__order || []).length === 3);
  assert.deepEqual(await order(page), ['a', 'b', 'c']);
  assert.equal(await page.locator('#chat [data-kelisim-launcher]').count(), 0);
  const st = await page.evaluate(() => window.kelisim.state());
  assert.equal(st.decided, true);
  assert.equal(st.services['demo-chat'], true);
  assert.equal(st.services.jivo, false);
  assert.ok((await stored(page))[0], 'stored');
  await page.waitForFunction(() => !document.querySelector('[data-kelisim-banner]'));
  // In force on the next page view: the scripts run at start, no launcher.
  third.length = 0;
  await page.reload();
  await ready(page);
  await page.waitForFunction(() => (window.__order || []).length === 3);
  await settle(page, 300);
  assert.equal(await page.locator('#chat [data-kelisim-launcher]').count(), 0);
  assert.deepEqual(third.sort(), [CHAT + '/a.js', CHAT + '/c.js']);
  await page.evaluate(() => { document.cookie = '_demo_chat=1; path=/'; });
  await page.evaluate(() => window.kelisim.set({ 'demo-chat': false }));
  await page.locator('[data-kelisim-action="reload"]').waitFor();
  assert.doesNotMatch(await page.evaluate(() => document.cookie), /_demo_chat=/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('allowed from the banner: the launcher goes and the scripts run; "load once" then "accept all" offers the reload on withdrawal', async () => {
  const { context, page, errors } = await open('/c/ru.html');
  await ready(page);
  await launcher(page).waitFor();
  await page.click('[data-kelisim-banner] [data-kelisim-action="accept-all"]');
  await page.waitForFunction(() => (window.__order || []).length === 4);
  assert.deepEqual(await order(page), ['a', 'b', 'c', 'widget/abc']);
  assert.equal(await page.locator('#chat [data-kelisim-launcher]').count(), 0);
  await context.close();

  // Loaded once, then allowed: the scripts do not run twice, and withdrawing offers the reload.
  const b = await open('/c/ru.html');
  await ready(b.page);
  await openPanel(b.page);
  await panel(b.page).locator('[data-kelisim-action="load-once"]').click();
  await b.page.waitForFunction(() => (window.__order || []).length === 3);
  await b.page.click('[data-kelisim-banner] [data-kelisim-action="accept-all"]');
  await b.page.waitForFunction(() => (window.__order || []).length === 4);
  await settle(b.page, 300);
  assert.deepEqual(await order(b.page), ['a', 'b', 'c', 'widget/abc']);
  await b.page.evaluate(() => window.kelisim.set({ 'demo-chat': false }));
  await b.page.locator('[data-kelisim-action="reload"]').waitFor();
  assert.deepEqual(errors, []);
  assert.deepEqual(b.errors, []);
  await b.context.close();
});

test('keyboard only: Tab reaches the launcher, Enter opens the panel with focus in it, Esc closes it and returns focus; Space reopens; Enter on "load once" runs the chat', async () => {
  const { context, page } = await open('/c/en.html');
  await ready(page);
  await page.click('[data-kelisim-banner] [data-kelisim-action="reject-all"]');
  await launcher(page).waitFor();
  await page.locator('#before').focus();
  await page.keyboard.press('Tab');
  const focused = () => page.evaluate(() => {
    const a = document.activeElement;
    return a.getAttribute('data-kelisim-action') || a.getAttribute('role') || a.id || a.tagName;
  });
  assert.equal(await focused(), 'chat');
  await page.keyboard.press('Enter');
  assert.equal(await launcher(page).getAttribute('aria-expanded'), 'true');
  assert.equal(await focused(), 'dialog', 'focus moved into the panel');
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'load-once');
  await page.keyboard.press('Escape');
  assert.equal(await panel(page).isVisible(), false);
  assert.equal(await launcher(page).getAttribute('aria-expanded'), 'false');
  assert.equal(await focused(), 'chat', 'focus back on the launcher');
  await page.keyboard.press(' ');
  assert.equal(await panel(page).isVisible(), true);
  // The close button closes too and returns focus.
  await panel(page).locator('[data-kelisim-action="close"]').focus();
  await page.keyboard.press('Enter');
  assert.equal(await panel(page).isVisible(), false);
  assert.equal(await focused(), 'chat');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => (window.__order || []).length === 3);
  await context.close();
});

test('an inline-only service (Bitrix24\'s snippet) on the left: named without a host, "load once" runs its script only', async () => {
  const { context, page, third, errors } = await open('/c/inline.html');
  await ready(page);
  const b24 = launcher(page, 'b24');
  await b24.waitFor();
  const box = await b24.boundingBox();
  assert.ok(box.x < 40, 'bottom left: ' + JSON.stringify(box));
  await openPanel(page, 'b24');
  const text = await panel(page, 'b24').innerText();
  assert.match(text, /Чат загружается с Битрикс24\./);
  assert.equal(await panel(page, 'b24').locator('a').count(), 0, 'no policy known, no "open on" link');
  await panel(page, 'b24').locator('[data-kelisim-action="load-once"]').click();
  await page.waitForFunction(() => (window.__order || []).length === 1);
  await settle(page, 300);
  assert.deepEqual(await order(page), ['b24']);
  assert.deepEqual(third, []);
  assert.equal(await launcher(page).count(), 1, 'the demo chat\'s launcher stays');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the controller\'s theme reaches the launcher (data-theme="dark" in a light browser); axe-core finds nothing in dark', async () => {
  const { context, page } = await open('/c/dark.html');
  await ready(page);
  await launcher(page).waitFor();
  assert.equal(await launcher(page).evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(199, 215, 255)');
  await openPanel(page);
  assert.equal(await panel(page).evaluate((p) => getComputedStyle(p).backgroundColor), 'rgb(29, 33, 39)');
  const v = await axe(page, { include: ['#chat'] });
  assert.deepEqual(v, [], formatViolations(v));
  await context.close();
});

test('the consent module cannot load: "always allow" says the choice cannot be saved; "load once" still runs the chat', async () => {
  const { context, page, third } = await open(null);
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route(/kelisim-consent[^/]*\.wasm$/, async (route) => { await held; await route.fulfill({ status: 503, body: 'down' }); });
  await page.goto(srv.url + '/c/ru.html');
  await launcher(page).waitFor();
  await openPanel(page);
  assert.equal(await page.evaluate(() => window.kelisim.state().status), 'loading');
  await panel(page).locator('[data-kelisim-action="allow"]').click();
  release();
  await page.waitForFunction(() => window.kelisim.state().status === 'error');
  const msg = panel(page).locator('[data-kelisim-embed-error]');
  await msg.waitFor();
  assert.match(await msg.innerText(), /Не удалось сохранить выбор/);
  assert.equal(await panel(page).locator('[data-kelisim-action="allow"]').count(), 0);
  await settle(page, 300);
  assert.deepEqual(third, [], 'nothing runs on a choice that was not recorded');
  await panel(page).locator('[data-kelisim-action="load-once"]').click();
  await page.waitForFunction(() => (window.__order || []).length === 3);
  assert.deepEqual(await order(page), ['a', 'b', 'c']);
  assert.equal((await page.evaluate(() => window.kelisim.state())).decided, false);
  await context.close();
});

test('a page without the launcher markup never loads the part; a launcher added later (SPA) loads it', async () => {
  const from = srv.requests.length;
  const { context, page, third, errors } = await open('/c/none.html');
  await ready(page);
  await settle(page, 400);
  const loaded = () => [...new Set(srv.requests.slice(from).filter((p) => p.includes('kelisim-embeds')))].sort();
  assert.deepEqual(loaded(), []);
  await page.evaluate(() => {
    const d = document.createElement('div');
    d.id = 'chat';
    d.setAttribute('data-kelisim-chat', '');
    d.setAttribute('data-kelisim-service', 'demo-chat');
    document.body.append(d);
  });
  await launcher(page).waitFor();
  assert.deepEqual(loaded(), ['/dist/kelisim-embeds.css', '/dist/kelisim-embeds.mjs']);
  assert.deepEqual(third, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('under the strict CSP the launcher draws and styles with no violation; "load once" runs the chat', async () => {
  const { context, page, third, errors } = await open(null);
  await context.addInitScript(CSP_WATCH);
  await page.goto(srv.url + '/csp/chat.html');
  await ready(page);
  await launcher(page).waitFor();
  assert.equal(await launcher(page).evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(29, 60, 120)');
  assert.equal(await page.locator('#chat').evaluate((e) => getComputedStyle(e).position), 'fixed');
  await openPanel(page);
  await panel(page).locator('[data-kelisim-action="load-once"]').click();
  await page.waitForFunction(() => (window.__order || []).length === 2);
  assert.deepEqual(await order(page), ['one', 'two']);
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  assert.deepEqual(third, []);
  assert.deepEqual(errors, []);
  await context.close();
});
