// `kelisim scan` end to end: the real CLI (a child process, real exit codes) drives headless
// Chromium over three local sites — the demo (examples/site, served like `npm run demo`), a
// site without kelisim that loads a stand-in tracker before any choice, and a kelisim site
// whose own hook sets a cookie after "reject all" — and its report.html passes axe-core.
// The kelisim site also has a page with an ungated pixel whose cookie only the site's own
// manifest declares. Every request stays on 127.0.0.1: the scans run in the CLI's test mode (--offline blocks any
// other host; --offline-map answers the stand-in tracker's hosts from tests/fixtures/scan/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, startServer, axe, formatViolations, REPO } from './helpers.js';
import { DEMO_CSP } from '../../scripts/serve.mjs';

const CLI = join(REPO, 'web/src/cli/kelisim.js');
const HOSTS = join(REPO, 'tests/fixtures/scan/tracker/hosts');
let tmp;
let demo;
let tracker;
let buggy;
let reports;
let browser;
/** The three scans, started together in before() (each CLI run mostly waits on its pages). */
const runs = {};

/** Runs `kelisim scan …` in test mode with the package's services/catalogue.json; resolves { code, stdout, stderr, report } (report = report.json or null). */
function scan(url, out, extra = []) {
  const args = [CLI, 'scan', url, '--out', out, '--wait', '150', '--offline', ...extra];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { env: { ...process.env, KELISIM_CHROMIUM: process.env.CHROMIUM || '' }, timeout: 240000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      const file = join(out, 'report.json');
      resolve({ code, stdout, stderr, report: existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null });
    });
  });
}
const state = (r, id) => r.states.find((s) => s.id === id);
const key = (v) => `${v.state} ${v.kind} ${v.name} ${v.service ? v.service.id : '-'}`;
/** Every request host any pass recorded. */
const hostsSeen = (r) => new Set(r.states.flatMap((s) => (s.result ? s.result.requests.map((q) => q.host) : [])));

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'kelisim-scan-'));
  // The demo exactly as banner-examples.test.js serves it: seed policies built by the kelisim CLI.
  const pol = join(tmp, 'policies');
  execFileSync(process.execPath, [CLI, 'build', join(REPO, 'policies'), '-o', pol], { stdio: 'pipe' });
  for (const id of readdirSync(pol)) {
    for (const f of readdirSync(join(REPO, 'policies', id))) if (f.endsWith('.md')) cpSync(join(REPO, 'policies', id, f), join(pol, id, f));
  }
  demo = await startServer(join(REPO, 'examples/site'), { mounts: { '/dist': join(REPO, 'dist'), '/policies': pol }, headers: { 'Content-Security-Policy': DEMO_CSP } });
  tracker = await startServer(join(REPO, 'tests/fixtures/scan/tracker'));
  buggy = await startServer(REPO, {
    headers: { 'Content-Security-Policy': DEMO_CSP },
    routes: { '/collect': { body: 'ok', type: 'text/plain', headers: { 'Set-Cookie': '_ga=GA1.1.42.42; Max-Age=63072000; Path=/; SameSite=Lax' } } },
  });
  reports = await startServer(tmp);
  runs.demo = scan(demo.url + '/', join(tmp, 'demo'), ['--pages', '2']);
  runs.tracker = scan(tracker.url + '/', join(tmp, 'tracker'), ['--pages', '3', '--lang', 'ru',
    '--offline-map', `mc.yandex.ru=${join(HOSTS, 'mc.yandex.ru')}`, '--offline-map', `captcha.example.org=${join(HOSTS, 'captcha.example.org')}`]);
  runs.bug = scan(buggy.url + '/tests/fixtures/scan/kelisim-bug/index.html', join(tmp, 'bug'), ['--pages', '2']);
  browser = await launchBrowser();
});
after(async () => {
  await Promise.all(Object.values(runs));
  await browser?.close();
  for (const s of [demo, tracker, buggy, reports]) await s?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('the demo site: 0 violations, exit 0; the scan really saw the gated scripts run after "accept all"', async () => {
  const r = await runs.demo;
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /no violations/);
  const rep = r.report;
  assert.deepEqual(rep.violations, []);
  assert.equal(rep.site.kelisim, true);
  assert.equal(rep.pages.length, 2);
  assert.deepEqual(rep.states.map((s) => [s.id, s.how]), [['none', 'none'], ['reject', 'kelisim'], ['accept', 'kelisim']]);
  const names = (id) => state(rep, id).result.cookies.map((c) => c.name).sort();
  assert.deepEqual(state(rep, 'reject').kelisimChoices, { necessary: true, analytics: false, marketing: false, newsletter: false });
  assert.deepEqual(state(rep, 'accept').kelisimChoices, { necessary: true, analytics: true, marketing: true, newsletter: true });
  assert.deepEqual(names('none'), []);
  assert.deepEqual(names('reject'), ['kelisim']);
  assert.equal(state(rep, 'reject').result.cookies[0].service.id, 'kelisim', 'kelisim\'s own record is necessary');
  assert.deepEqual(names('accept'), ['_ka', '_ka_session', '_km', 'kelisim']);
  const ka = state(rep, 'accept').result.cookies.find((c) => c.name === '_ka');
  assert.deepEqual(ka.setBy, [{ via: 'script', url: demo.url + '/fake-analytics.js' }], 'the calling script, from the stack');
  assert.equal(ka.service.id, 'site:analytics', 'known from the demo\'s own declaration (demo-config.js cookies option)');
  assert.equal(ka.party, 'first');
  assert.ok(ka.lifetimeDays > 364 && ka.lifetimeDays <= 365, String(ka.lifetimeDays));
  assert.ok(state(rep, 'accept').result.storage.some((s) => s.key === 'kelisim:history' && s.service.id === 'kelisim'));
  assert.deepEqual([...hostsSeen(rep)], ['127.0.0.1']);
  for (const s of rep.states) assert.ok(existsSync(join(tmp, 'demo', s.screenshot)), s.screenshot);
  // Debian's publicsuffix package (scripts/setup.sh) decided first/third party, and the report says so.
  assert.equal(rep.publicSuffixList.file, '/usr/share/publicsuffix/public_suffix_list.dat');
  assert.match(rep.method.thirdParty, /by the Public Suffix List from \/usr\/share\/publicsuffix\/public_suffix_list\.dat \(/);
});

test('a site without kelisim loading a stand-in tracker before consent: exactly those, named from the catalogue, exit 1', async () => {
  const r = await runs.tracker;
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const rep = r.report;
  assert.equal(rep.site.kelisim, false);
  assert.deepEqual(rep.pages, [tracker.url + '/', tracker.url + '/about.html'], 'same-origin pages only; the PDF and the other site are not pages');
  // Its own banner's buttons, found by their Russian text.
  assert.deepEqual(rep.states.map((s) => [s.id, s.how, s.clicked]), [['none', 'none', null], ['reject', 'heuristic', 'Отклонить'], ['accept', 'heuristic', 'Принять все']]);
  const expected = [];
  for (const st of ['none', 'reject']) {
    expected.push(`${st} cookie _ym_uid yandex-metrica`, `${st} storage _ym_retryReqs yandex-metrica`,
      `${st} storage kelisim-fixture-tag-db yandex-metrica`, `${st} request mc.yandex.ru yandex-metrica`,
      `${st} request top-fwz1.mail.ru top-mail-ru`);  // the lazy pixel: seen because the scan scrolls
  }
  assert.deepEqual(rep.violations.map(key), expected);
  for (const v of rep.violations) assert.equal(v.service.name, v.service.id === 'top-mail-ru' ? 'Top.Mail.Ru' : 'Яндекс Метрика');
  assert.deepEqual(rep.violations[0].setBy, [{ via: 'script', url: 'https://mc.yandex.ru/metrika/tag.js' }]);
  assert.deepEqual(rep.violations[3].types, ['script', 'image']);
  // The IndexedDB database the third-party script opened in the site's origin: found by its
  // area, named after the script that opened it (indexedDB.open wrapped like setItem).
  const idb = rep.violations[2];
  assert.deepEqual([idb.area, idb.origin, idb.setBy], ['indexeddb', tracker.url, [{ via: 'script', url: 'https://mc.yandex.ru/metrika/tag.js' }]]);
  assert.match(r.stdout, /before-consent: storage \(indexeddb\) kelisim-fixture-tag-db set by https:\/\/mc\.yandex\.ru\/metrika\/tag\.js — Яндекс Метрика/);
  assert.match(r.stdout, /before-consent: request mc\.yandex\.ru \(script, image\) — Яндекс Метрика \[yandex-metrica, analytics\]/);
  // Listed but not violations: the site's own cookie of unknown purpose (set by an uncatalogued
  // third-party script) and unknown third-party hosts (cdn.example.net was refused by the test
  // mode: it never left the machine). Necessary services: tests/node/scan-classify.test.js.
  const none = state(rep, 'none').result;
  // The site's own service worker and cache: first party, of unknown purpose, listed.
  const own = (area, key) => none.storage.find((x) => x.area === area && x.key === key);
  for (const [area, key] of [['service-worker', tracker.url + '/sw.js'], ['cache', 'site-assets-v1']]) {
    const x = own(area, key);
    assert.ok(x, `${area} ${key} listed: ${JSON.stringify(none.storage)}`);
    assert.deepEqual([x.party, x.service, x.violation, x.setBy[0].url], ['first', null, null, tracker.url + '/banner.js'], `${area} ${key}`);
  }
  const cap = none.cookies.find((c) => c.name === 'cap_session');
  assert.deepEqual([cap.party, cap.service, cap.violation, cap.setBy[0].url], ['first', null, null, 'https://captcha.example.org/api.js']);
  for (const host of ['cdn.example.net', 'captcha.example.org']) {
    const q = none.requests.find((x) => x.host === host);
    assert.deepEqual([q.party, q.service, q.violation], ['third', null, null], host);
  }
  assert.deepEqual([...hostsSeen(rep)].sort(), ['127.0.0.1', 'captcha.example.org', 'cdn.example.net', 'mc.yandex.ru', 'top-fwz1.mail.ru']);
});

test('a kelisim site whose hook sets a cookie after "reject all" (and a page with an ungated pixel): exactly those, exit 1', async () => {
  const r = await runs.bug;
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const rep = r.report;
  assert.equal(rep.pages.length, 2);
  assert.deepEqual(rep.violations.map(key).sort(), [
    'none cookie _km site:marketing',
    'reject cookie _ga google-analytics',
    'reject cookie _km site:marketing',
  ]);
  const ga = rep.violations.find((v) => v.name === '_ga');
  assert.equal(ga.service.name, 'Google Analytics');
  assert.deepEqual(ga.setBy, [{ via: 'set-cookie', url: buggy.url + '/collect' }]);
  // _km is unknown to the catalogue: the site's own manifest declares it for marketing.
  const km = rep.violations.find((v) => v.name === '_km');
  assert.deepEqual(km.setBy, [{ via: 'script', url: buggy.url + '/tests/fixtures/scan/kelisim-bug/pixel.js' }]);
  assert.ok(rep.site.declaredCookies.some((d) => d.pattern === '_km' && d.category === 'marketing' && d.from === 'manifest'));
  const accept = state(rep, 'accept').result.cookies;
  assert.deepEqual(accept.filter((c) => c.violation), [], 'after "accept all" all of it is allowed');
  assert.deepEqual(accept.map((c) => c.name).sort(), ['_ga', '_km', 'kelisim']);
});

test('report.html (ru and en) passes axe-core and shows each state\'s screenshot', async () => {
  await Promise.all([runs.demo, runs.tracker]);
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  for (const dir of ['tracker', 'demo']) {
    await page.goto(`${reports.url}/${dir}/report.html`);
    const v = await axe(page);
    assert.deepEqual(v, [], formatViolations(v));
    const imgs = await page.$$eval('img', (xs) => xs.map((i) => i.complete && i.naturalWidth > 0));
    assert.deepEqual(imgs, [true, true, true]);
  }
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.goto(`${reports.url}/tracker/report.html`);
  assert.equal(await page.getAttribute('html', 'lang'), 'ru');
  const text = await page.locator('main').innerText();
  assert.match(text, /Нарушений: 10/);
  assert.match(text, /до согласия\tбаза IndexedDB kelisim-fixture-tag-db/);
  assert.match(text, /сервис-воркер \(скрипт\)\thttp:\/\/127\.0\.0\.1:\d+\thttp:\/\/127\.0\.0\.1:\d+\/sw\.js\t/);
  await ctx.close();
});

test('no browser, no catalogue, or a site that does not load: exit 2 (never 1) with a message saying what to do', async () => {
  const r1 = await scan(tracker.url + '/', join(tmp, 'x'), ['--browser', '/no/such/chromium']);
  assert.equal(r1.code, 2);
  assert.match(r1.stderr, /kelisim scan: browser not found: \/no\/such\/chromium \(from --browser\)/);
  const r2 = await new Promise((resolve) => execFile(process.execPath, [CLI, 'scan', tracker.url + '/', '--catalogue', join(tmp, 'none.json')],
    (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stderr })));
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /none\.json: cannot read the services catalogue/);
  const gone = await startServer(tmp);
  await gone.close();
  const r3 = await scan(gone.url + '/', join(tmp, 'gone'));
  assert.equal(r3.code, 2);
  assert.match(r3.stderr, new RegExp(`kelisim scan: cannot load ${gone.url}/: .*ERR_CONNECTION_REFUSED`));
});
