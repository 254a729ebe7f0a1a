// `kelisim scan`'s rules without a browser (web/src/cli/scan/classify.js, psl.js, report-html.js,
// browser.js): first/third party (the Public Suffix List: tests/fixtures/scan/public_suffix_list.dat
// and Debian's, which scripts/setup.sh installs; the fallback without it), catalogue matching, what is a violation, the HTML escaping,
// the messages when playwright-core or a browser is missing, and argument checks.
// The browser side is tests/browser/scan.test.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  registrableDomain, siteOf, normalizeHost, party, wildcard, hostMatches, loadCatalogue, serviceByHost, servicesByUrl, matchService, matchDeclared, classifyPass, violationsOf, isKelisimOwn,
} from '../../web/src/cli/scan/classify.js';
import { renderHtml, esc } from '../../web/src/cli/scan/report-html.js';
import { findBrowser, loadPlaywright, ScanError } from '../../web/src/cli/scan/browser.js';
import { parseScanArgs, publicSuffixListFor, thirdPartyMethod } from '../../web/src/cli/scan/index.js';
import { DEBIAN_PSL, loadPublicSuffixList, parsePublicSuffixList } from '../../web/src/cli/scan/psl.js';
import { parseSetCookie, HEURISTIC_WORDS, normText } from '../../web/src/cli/scan/collect.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CAT = loadCatalogue(JSON.parse(readFileSync(join(REPO, 'tests/fixtures/services/scan-catalogue.json'), 'utf8')));
const NOW = Date.UTC(2026, 11, 6);

const FIXTURE_PSL = join(REPO, 'tests/fixtures/scan/public_suffix_list.dat');

test('Public Suffix List file: one rule a line up to the first whitespace, comments skipped, sections and version kept', () => {
  const psl = loadPublicSuffixList(FIXTURE_PSL);
  assert.equal(psl.rules, 18);
  assert.deepEqual(psl.sections, { icann: 17, private: 1 });
  assert.deepEqual([psl.version, psl.commit, psl.file], ['2026-01-01_00-00-00_UTC', '0123456789abcdef0123456789abcdef01234567', FIXTURE_PSL]);
  assert.match(psl.date, /^\d{4}-\d\d-\d\d$/);
  assert.equal(loadPublicSuffixList(FIXTURE_PSL), psl, 'parsed once per process');
  const bare = parsePublicSuffixList('// no header\nkz\n\n!www.ck\n');
  assert.deepEqual([bare.rules, bare.version, bare.sections.icann], [2, '', 0]);
  assert.throws(() => loadPublicSuffixList(join(REPO, 'tests/fixtures/scan/no-such-list.dat')), { code: 'ENOENT' });
});

test('Public Suffix List algorithm (fixture list): normal, wildcard and exception rules, the implicit "*"', () => {
  const psl = loadPublicSuffixList(FIXTURE_PSL);
  const rd = (h) => registrableDomain(h, psl);
  assert.equal(rd('shop.example.com.kz'), 'example.com.kz');
  assert.equal(rd('a.b.example.co.uk'), 'example.co.uk');
  assert.equal(rd('example.kz'), 'example.kz');
  assert.equal(rd('foo.bar.ck'), 'foo.bar.ck', 'wildcard *.ck: bar.ck is a public suffix');
  assert.equal(rd('a.foo.bar.ck'), 'foo.bar.ck');
  assert.equal(rd('www.ck'), 'www.ck', 'exception !www.ck');
  assert.equal(rd('a.www.ck'), 'www.ck');
  assert.equal(rd('x.city.kawasaki.jp'), 'city.kawasaki.jp');
  assert.equal(rd('shop.other.kawasaki.jp'), 'shop.other.kawasaki.jp');
  assert.equal(rd('a.b.c.deep'), 'a.b.c.deep', '*.*.deep: two wildcard labels');
  assert.equal(rd('a.b.gov.net'), 'b.gov.net', 'the rule is read up to the first whitespace');
  assert.equal(rd('a.b.example'), 'b.example', 'no rule matches: the implicit "*"');
  assert.equal(rd('x.github.io'), 'x.github.io', 'private section used');
  // A host that is itself a public suffix has no registrable domain and is its own site.
  for (const h of ['com.kz', 'bar.ck', 'ck', 'github.io', 'b.c.deep', 'example', 'kz']) {
    assert.equal(rd(h), null, h);
    assert.equal(siteOf(h, psl), h, h);
  }
  assert.equal(party('x.github.io', 'y.github.io', psl), 'third');
  assert.equal(party('github.io', 'x.github.io', psl), 'third');
  assert.equal(party('github.io', 'github.io', psl), 'first');
  assert.equal(party('other.com.kz', 'shop.com.kz', psl), 'third');
  assert.equal(party('static.shop.com.kz', 'www.shop.com.kz', psl), 'first');
  assert.equal(party('a.bar.ck', 'b.bar.ck', psl), 'third');
  assert.equal(party('a.www.ck', 'b.www.ck', psl), 'first');
});

test('hosts: cookie-domain dots, case, IP literals, single labels, punycode and its Unicode twin', () => {
  const psl = loadPublicSuffixList(FIXTURE_PSL);
  assert.equal(registrableDomain('.shop.example.com.kz', psl), 'example.com.kz');
  assert.equal(registrableDomain('..WWW.Example.CO.UK.', psl), 'example.co.uk');
  assert.equal(party('.Shop.KZ', 'shop.kz', psl), 'first');
  for (const ps of [psl, null]) {
    assert.equal(registrableDomain('127.0.0.1', ps), null);
    assert.equal(siteOf('127.0.0.1', ps), '127.0.0.1');
    assert.equal(party('127.0.0.2', '127.0.0.1', ps), 'third');
    assert.equal(siteOf('[::1]', ps), '::1');
    assert.equal(party('[::1]', '::1', ps), 'first');
    assert.equal(party('[::2]', '[::1]', ps), 'third');
    assert.equal(registrableDomain('localhost', ps), null);
    assert.equal(siteOf('LocalHost.', ps), 'localhost');
    assert.equal(party('localhost', '127.0.0.1', ps), 'third');
    assert.equal(registrableDomain('a..b.kz', ps), null, 'an empty label: no registrable domain');
    assert.equal(siteOf('', ps), '');
  }
  assert.equal(normalizeHost('Пример.ҚАЗ'), 'xn--e1afmkfd.xn--80ao21a');
  // A rule written in Unicode (орг.рф) matches a punycode host, and one written in punycode
  // (xn--j1aef.xn--80ao21a, ком.қаз) a Unicode host.
  for (const [uni, puny, site] of [
    ['shop.орг.рф', 'shop.xn--c1avg.xn--p1ai', 'shop.xn--c1avg.xn--p1ai'],
    ['a.shop.ком.қаз', 'a.shop.xn--j1aef.xn--80ao21a', 'shop.xn--j1aef.xn--80ao21a'],
    ['www.ПРИМЕР.қаз', 'www.xn--e1afmkfd.xn--80ao21a', 'xn--e1afmkfd.xn--80ao21a'],
  ]) {
    assert.equal(registrableDomain(uni, psl), site, uni);
    assert.equal(registrableDomain(puny, psl), site, puny);
    assert.equal(party(uni, puny, psl), 'first', uni);
  }
  assert.equal(registrableDomain('орг.рф', psl), null);
  assert.equal(siteOf('орг.рф', psl), 'xn--c1avg.xn--p1ai');
});

test('without a list: the fallback (last two labels, three under TWO_LEVEL_SUFFIXES), its known gaps', () => {
  assert.equal(registrableDomain('mc.yandex.ru'), 'yandex.ru');
  assert.equal(registrableDomain('.shop.example.com.kz'), 'example.com.kz');
  assert.equal(registrableDomain('a.b.example.co.uk'), 'example.co.uk');
  assert.equal(registrableDomain('example.kz'), 'example.kz');
  assert.equal(registrableDomain('WWW.Example.COM.'), 'example.com');
  assert.equal(registrableDomain('com.kz'), null);
  assert.equal(party('static.shop.kz', 'www.shop.kz'), 'first');
  assert.equal(party('.shop.kz', 'shop.kz'), 'first');
  assert.equal(party('mc.yandex.ru', 'shop.kz'), 'third');
  assert.equal(party('other.com.kz', 'shop.com.kz'), 'third', 'com.kz is a suffix, not a site');
  // What the list gets right and the fallback does not.
  assert.equal(party('x.github.io', 'y.github.io'), 'first');
  assert.equal(registrableDomain('foo.bar.ck'), 'bar.ck');
});

test('the real list (Debian\'s publicsuffix package, installed by scripts/setup.sh)', () => {
  assert.ok(existsSync(DEBIAN_PSL), `${DEBIAN_PSL} is missing: apt install publicsuffix (scripts/setup.sh installs it)`);
  const psl = loadPublicSuffixList(DEBIAN_PSL);
  assert.ok(psl.rules > 5000 && psl.sections.icann > 5000 && psl.sections.private > 1000, JSON.stringify(psl.sections));
  const rd = (h) => registrableDomain(h, psl);
  assert.equal(rd('shop.example.com.kz'), 'example.com.kz');
  assert.equal(rd('a.b.example.co.uk'), 'example.co.uk');
  assert.equal(rd('mc.yandex.ru'), 'yandex.ru');
  assert.equal(party('x.github.io', 'y.github.io', psl), 'third');
  assert.equal(party('static.x.github.io', 'x.github.io', psl), 'first');
  assert.equal(rd('foo.bar.ck'), 'foo.bar.ck');
  assert.equal(rd('www.ck'), 'www.ck');
  assert.equal(rd('a.city.kawasaki.jp'), 'city.kawasaki.jp');
  for (const h of ['com.kz', 'co.uk', 'github.io', 'bar.ck', 'kz', 'localhost']) assert.equal(rd(h), null, h);
  assert.equal(siteOf('github.io', psl), 'github.io');
  assert.equal(rd('.WWW.Example.CO.UK.'), 'example.co.uk');
  assert.equal(rd('127.0.0.1'), null);
  assert.equal(party('[::1]', '::1', psl), 'first');
  // қаз (xn--80ao21a) is in the list in Unicode; browsers send punycode.
  assert.equal(rd('shop.пример.қаз'), 'xn--e1afmkfd.xn--80ao21a');
  assert.equal(party('shop.пример.қаз', 'www.xn--e1afmkfd.xn--80ao21a', psl), 'first');
});

test('classifyPass decides party with the list it is given (a cookie of another github.io site)', () => {
  const psl = loadPublicSuffixList(FIXTURE_PSL);
  const obs = { cookies: [{ name: 'uid', domain: '.y.github.io', path: '/', expires: -1, setBy: [] }], storage: [], requests: [{ url: 'https://y.github.io/t.js', type: 'script' }] };
  const site = { host: 'x.github.io', consentName: 'kelisim' };
  const withList = classifyPass(CAT, obs, site, { consentGiven: false, now: NOW, psl });
  assert.deepEqual([withList.cookies[0].party, withList.cookies[0].violation, withList.requests[0].party], ['third', 'unknown-third-party-cookie', 'third']);
  const fallback = classifyPass(CAT, obs, site, { consentGiven: false, now: NOW });
  assert.deepEqual([fallback.cookies[0].party, fallback.cookies[0].violation, fallback.requests[0].party], ['first', null, 'first']);
});

test('which list the scan uses, and the report\'s method text in each case', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'kelisim-psl-'));
  try {
    const fixture = publicSuffixListFor(FIXTURE_PSL, join(tmp, 'missing.dat'));
    assert.equal(fixture.psl.file, FIXTURE_PSL);
    const text = thirdPartyMethod(fixture);
    assert.ok(text.includes(`by the Public Suffix List from ${FIXTURE_PSL} (version 2026-01-01_00-00-00_UTC, commit 0123456789abcdef0123456789abcdef01234567; 18 rules`), text);
    assert.ok(!/heuristic/.test(text), text);

    const missing = publicSuffixListFor('', join(tmp, 'missing.dat'));
    assert.deepEqual([missing.psl, missing.error], [null, 'ENOENT']);
    const fb = thirdPartyMethod(missing);
    assert.ok(fb.includes(`by a heuristic, NOT the Public Suffix List (${join(tmp, 'missing.dat')}: ENOENT;`), fb);
    assert.match(fb, /two-level suffixes \(co\.uk, com\.kz/);

    const empty = join(tmp, 'empty.dat');
    writeFileSync(empty, '// nothing but a comment\n');
    assert.match(publicSuffixListFor('', empty).error, /no Public Suffix List rules/);
    assert.throws(() => publicSuffixListFor(join(tmp, 'missing.dat')), (e) => e instanceof ScanError && /missing\.dat: cannot read the Public Suffix List \(--psl\): ENOENT/.test(e.message));

    assert.ok(existsSync(DEBIAN_PSL), `${DEBIAN_PSL} is missing: apt install publicsuffix`);
    const debian = publicSuffixListFor('');
    const real = thirdPartyMethod(debian);
    assert.equal(debian.file, DEBIAN_PSL);
    // Debian's 20230209 file has no VERSION line: then the file's date is named.
    assert.match(real, new RegExp(`Public Suffix List from ${DEBIAN_PSL} \\((version \\S+|no version line; file dated \\d{4}-\\d\\d-\\d\\d); \\d+ rules`), real);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('patterns: "*" wildcards in names, "*.host" for subdomains only', () => {
  assert.ok(wildcard('_ga_*', '_ga_ABC123'));
  assert.ok(!wildcard('_ga_*', '_ga'));
  assert.ok(wildcard('*_uid', 'ym_uid'));
  assert.ok(wildcard('a*b*c', 'a--b--c'));
  assert.ok(!wildcard('a*b*c', 'a--c--b'));
  assert.ok(wildcard('_ga', '_ga') && !wildcard('_ga', '_gax'));
  assert.ok(hostMatches('*.google-analytics.com', 'region1.google-analytics.com'));
  assert.ok(!hostMatches('*.google-analytics.com', 'google-analytics.com'));
  assert.ok(!hostMatches('*.google-analytics.com', 'evilgoogle-analytics.com'));
  assert.ok(hostMatches('MC.yandex.ru', 'mc.yandex.RU'));
});

test('catalogue: embed hosts count as hosts (the embed path first); a broken file names the field', () => {
  assert.equal(serviceByHost(CAT, 'www.youtube-nocookie.com').id, 'youtube');
  assert.deepEqual(servicesByUrl(CAT, 'https://www.youtube.com/embed/xyz').map((s) => s.id), ['youtube']);
  assert.deepEqual(servicesByUrl(CAT, 'https://www.youtube.com/other').map((s) => s.id), ['youtube'], 'the host alone, when nothing better matches');
  assert.deepEqual(servicesByUrl(CAT, 'https://shop.kz/'), []);
  assert.throws(() => loadCatalogue({}), /not a services catalogue/);
  assert.throws(() => loadCatalogue({ services: [{ id: 'x' }] }, 'c.json'), /c\.json: services\[0\] needs an "id" and a "category"/);
  assert.throws(() => loadCatalogue({ services: [{ id: 'x', category: 'analytics', cookies: 'a' }] }), /services\[0\]\.cookies must be a list/);
});

test('matching: by name first (the setter decides between services), else by the setter\'s host', () => {
  assert.equal(matchService(CAT, 'cookies', '_ga_XYZ').service.id, 'google-analytics');
  assert.equal(matchService(CAT, 'cookies', '_ym_uid').by, 'name');
  const bySetter = matchService(CAT, 'cookies', 'my_own_name', [{ via: 'script', url: 'https://mc.yandex.ru/metrika/tag.js' }]);
  assert.equal(bySetter.service.id, 'yandex-metrica');
  assert.equal(bySetter.by, 'setter');
  assert.equal(matchService(CAT, 'cookies', 'my_own_name', [{ via: 'script', url: 'https://shop.kz/app.js' }]), null);
  // Two services declaring the same name: the one whose host set it.
  const two = loadCatalogue({ services: [
    { id: 'a', category: 'analytics', hosts: ['a.example'], cookies: ['uid'] },
    { id: 'b', category: 'marketing', hosts: ['b.example'], cookies: ['uid'] },
  ] });
  assert.equal(matchService(two, 'cookies', 'uid', [{ via: 'set-cookie', url: 'https://b.example/p' }]).service.id, 'b');
  assert.equal(matchService(two, 'cookies', 'uid').service.id, 'a');
  assert.ok(isKelisimOwn('kelisim') && isKelisimOwn('kelisim:history') && !isKelisimOwn('kelisimx'));
  assert.ok(isKelisimOwn('consent', 'consent') && !isKelisimOwn('kelisim', 'consent'));
});

test('the real services/catalogue.json loads; shared hosts give every candidate, a necessary one wins', () => {
  const real = loadCatalogue(JSON.parse(readFileSync(join(REPO, 'services/catalogue.json'), 'utf8')), 'services/catalogue.json');
  assert.ok(real.services.length >= 25);
  assert.equal(matchService(real, 'cookies', '_ym_uid').service.id, 'yandex-metrica');
  assert.equal(matchService(real, 'cookies', '_ga').service.id, 'google-analytics');
  assert.deepEqual(servicesByUrl(real, 'https://mc.yandex.ru/metrika/tag.js').map((s) => s.id), ['yandex-metrica']);
  const two = loadCatalogue({ services: [
    { id: 'maps', category: 'media', hosts: ['www.google.com'] },
    { id: 'captcha', category: 'necessary', hosts: ['www.google.com'] },
    { id: 'video', category: 'media', hosts: [], embeds: [{ kind: 'video', hosts: ['www.google.com'], path: '/video/' }] },
  ] });
  const site = { host: 'shop.kz', consentName: 'kelisim' };
  const req = (url) => classifyPass(two, { cookies: [], storage: [], requests: [{ url, type: 'script' }] }, site, { consentGiven: false, now: NOW }).requests[0];
  const r = req('https://www.google.com/recaptcha/api.js');
  assert.deepEqual([r.service.id, r.violation, r.alsoMatches.map((x) => x.id)], ['captcha', null, ['maps']]);
  const v = req('https://www.google.com/video/1');
  assert.deepEqual([v.service.id, v.violation, v.alsoMatches], ['video', 'non-necessary-service', undefined]);
});

const OBS = {
  cookies: [
    { name: 'kelisim', domain: 'shop.kz', path: '/', expires: NOW / 1000 + 400 * 86400, setBy: [] },
    { name: '_ym_uid', domain: '.shop.kz', path: '/', expires: NOW / 1000 + 365 * 86400, setBy: [{ via: 'script', url: 'https://mc.yandex.ru/metrika/tag.js' }] },
    { name: 'cart', domain: 'shop.kz', path: '/', expires: -1, setBy: [] },
    { name: 'cap_session', domain: 'shop.kz', path: '/', expires: -1, setBy: [] },
    { name: 'IDE', domain: '.doubleclick.example', path: '/', expires: NOW / 1000 + 30 * 86400, setBy: [] },
  ],
  storage: [
    { area: 'local', origin: 'https://shop.kz', key: 'kelisim:history', setBy: [] },
    { area: 'local', origin: 'https://shop.kz', key: '_ym_retryReqs', setBy: [] },
    { area: 'session', origin: 'https://shop.kz', key: 'tab', setBy: [] },
  ],
  requests: [
    { url: 'https://shop.kz/', type: 'document' },
    { url: 'https://mc.yandex.ru/metrika/tag.js', type: 'script' },
    { url: 'https://mc.yandex.ru/watch/1', type: 'image' },
    { url: 'https://captcha.example.org/api.js', type: 'script' },
    { url: 'https://fonts.example.net/a.woff2', type: 'font' },
  ],
};

test('violations before consent: catalogued non-necessary services and unknown third-party cookies only', () => {
  const r = classifyPass(CAT, OBS, { host: 'shop.kz', consentName: 'kelisim' }, { consentGiven: false, now: NOW });
  const bad = (list, key) => list.filter((x) => x.violation).map((x) => x[key]);
  assert.deepEqual(bad(r.cookies, 'name'), ['_ym_uid', 'IDE']);
  assert.equal(r.cookies.find((c) => c.name === 'IDE').violation, 'unknown-third-party-cookie');
  assert.equal(r.cookies.find((c) => c.name === 'kelisim').service.id, 'kelisim');
  assert.equal(r.cookies.find((c) => c.name === 'cap_session').service.category, 'necessary');
  assert.equal(r.cookies.find((c) => c.name === 'cart').service, null, 'first-party of unknown purpose: listed, not judged');
  assert.equal(r.cookies.find((c) => c.name === '_ym_uid').lifetimeDays, 365);
  assert.equal(r.cookies.find((c) => c.name === 'cart').session, true);
  assert.deepEqual(bad(r.storage, 'key'), ['_ym_retryReqs']);
  assert.equal(r.storage.find((s) => s.key === 'kelisim:history').service.id, 'kelisim');
  assert.deepEqual(bad(r.requests, 'host'), ['mc.yandex.ru']);
  const ym = r.requests.find((q) => q.host === 'mc.yandex.ru');
  assert.deepEqual([ym.count, ym.types, ym.service.name], [2, ['script', 'image'], 'Yandex Metrica']);
  assert.equal(r.requests.find((q) => q.host === 'fonts.example.net').service, null, 'unknown third-party request: listed');
  assert.equal(r.requests.find((q) => q.host === 'fonts.example.net').violation, null);

  const ru = classifyPass(CAT, OBS, { host: 'shop.kz', consentName: 'kelisim' }, { consentGiven: false, now: NOW, lang: 'ru' });
  assert.equal(ru.requests.find((q) => q.host === 'mc.yandex.ru').service.name, 'Яндекс Метрика');
  const accepted = classifyPass(CAT, OBS, { host: 'shop.kz', consentName: 'kelisim' }, { consentGiven: true, now: NOW });
  assert.ok([...accepted.cookies, ...accepted.storage, ...accepted.requests].every((x) => x.violation === null));

  const v = violationsOf([
    { id: 'none', result: r }, { id: 'reject', result: r }, { id: 'accept', result: accepted }, { id: 'x', result: null },
  ]);
  assert.deepEqual(v.map((x) => `${x.when} ${x.kind} ${x.name}`), [
    'before-consent cookie _ym_uid', 'before-consent cookie IDE', 'before-consent storage _ym_retryReqs', 'before-consent request mc.yandex.ru',
    'after-reject cookie _ym_uid', 'after-reject cookie IDE', 'after-reject storage _ym_retryReqs', 'after-reject request mc.yandex.ru',
  ]);
});

test('a kelisim site\'s own declarations: its cookies of a non-required category are judged; the catalogue wins', () => {
  const declared = [
    { pattern: '_ka*', category: 'analytics', required: false, from: 'manifest' },
    { pattern: 'sess', category: 'necessary', required: true, from: 'manifest' },
    { pattern: '_ga', category: 'marketing', required: false, from: 'kelisimConfig' },
  ];
  assert.deepEqual(matchDeclared(declared, '_ka_session', 'ru').service, { id: 'site:analytics', name: 'объявлено сайтом (analytics)', category: 'analytics' });
  assert.equal(matchDeclared(declared, 'other'), null);
  const obs = { cookies: ['_ka', 'sess', '_ga', 'other'].map((name) => ({ name, domain: 'shop.kz', path: '/', expires: -1, setBy: [] })), storage: [], requests: [] };
  const r = classifyPass(CAT, obs, { host: 'shop.kz', consentName: 'kelisim', declared }, { consentGiven: false, now: NOW });
  assert.deepEqual(r.cookies.map((c) => [c.name, c.service && c.service.id, c.violation]), [
    ['_ka', 'site:analytics', 'non-necessary-service'],
    ['sess', 'site:necessary', null],
    ['_ga', 'google-analytics', 'non-necessary-service'],
    ['other', null, null],
  ]);
});

test('report.html escapes what came from the site; ru and en', () => {
  const hostile = '<img src=x onerror=alert(1)>';
  const obs = { cookies: [{ name: hostile, domain: 'evil.example', path: '/', expires: -1, setBy: [{ via: 'script', url: 'https://e.example/"><script>' }] }], storage: [], requests: [] };
  const result = classifyPass(CAT, obs, { host: 'shop.kz', consentName: 'kelisim' }, { consentGiven: false, now: NOW });
  const states = [{ id: 'none', how: 'none', result, notes: [hostile], screenshot: 'none.png' }, { id: 'reject', skipped: 'no-button-found' }];
  const report = { url: 'https://shop.kz/?q=<b>', scannedAt: 'T', durationMs: 1234, pages: ['https://shop.kz/<x>'], catalogue: { file: 'c.json', services: 4 },
    method: { a: '<m>' }, states, violations: violationsOf(states) };
  for (const lang of ['en', 'ru']) {
    const html = renderHtml(report, lang);
    assert.ok(!html.includes('<img src=x') && !html.includes('<script>') && !html.includes('<b>') && !html.includes('<x>'), 'nothing unescaped');
    assert.ok(html.includes(esc(hostile)));
    assert.match(html, new RegExp(`<html lang="${lang}">`));
    assert.match(html, lang === 'ru' ? /Нарушений: 1/ : /1 violation\b/);
    assert.match(html, lang === 'ru' ? /Пропущено: кнопка/ : /Skipped: no button/);
  }
});

test('missing playwright-core or browser: a message naming what to install', async () => {
  const missing = () => Promise.reject(Object.assign(new Error("Cannot find package 'playwright-core'"), { code: 'ERR_MODULE_NOT_FOUND' }));
  await assert.rejects(loadPlaywright(missing), (e) => e instanceof ScanError && /npm install --save-dev playwright-core/.test(e.message));
  assert.throws(() => findBrowser('', {}, () => false), (e) => e instanceof ScanError && /apt install chromium/.test(e.message) && /--browser PATH/.test(e.message));
  assert.throws(() => findBrowser('/no/such/chrome', {}, () => false), /browser not found: \/no\/such\/chrome \(from --browser\)/);
  assert.throws(() => findBrowser('', { KELISIM_CHROMIUM: '/x' }, () => false), /from KELISIM_CHROMIUM/);
  assert.equal(findBrowser('', { KELISIM_CHROMIUM: '/x' }, (p) => p === '/x'), '/x');
  assert.equal(findBrowser('', {}, (p) => p === '/usr/bin/google-chrome'), '/usr/bin/google-chrome');
});

test('arguments: checked, test mode only when asked for', () => {
  const o = parseScanArgs(['https://shop.kz/']);
  assert.deepEqual([o.pages, o.out, o.lang, o.offline, o.waitMs, o.psl], [3, 'kelisim-scan', 'en', false, 1000, '']);
  assert.equal(parseScanArgs(['https://shop.kz/', '--psl', '/x/list.dat']).psl, '/x/list.dat');
  const t = parseScanArgs(['http://127.0.0.1:1/', '--offline-map', 'mc.yandex.ru=/tmp/x', '--pages', '2', '--lang', 'ru']);
  assert.equal(t.offline, true);
  assert.equal(t.offlineMap['mc.yandex.ru'], '/tmp/x');
  for (const [args, re] of [
    [[], /needs a <url>/], [['ftp://x/'], /not an http\(s\) URL/], [['nope'], /not a URL/],
    [['http://x/', '--pages', '0'], /--pages must be a whole number from 1 to 100/], [['http://x/', '--lang', 'kk'], /--lang must be en or ru/],
    [['http://x/', '--offline-map', 'x'], /HOST=DIR/], [['http://x/', '--frob'], /unknown option --frob/], [['http://x/', '--out'], /--out needs a value/], [['http://x/', '--psl'], /--psl needs a value/],
  ]) assert.throws(() => parseScanArgs(args), re, args.join(' '));
});

test('Set-Cookie parsing and the heuristic words (ru, kk, en)', () => {
  assert.deepEqual(parseSetCookie('_ga=GA1.1; Max-Age=10; Domain=.Shop.kz; Path=/'), { name: '_ga', domain: '.shop.kz' });
  assert.deepEqual(parseSetCookie('sid=1'), { name: 'sid', domain: '' });
  for (const w of ['отклонить все', 'бас тарту', 'reject all']) assert.ok(HEURISTIC_WORDS.reject.includes(w), w);
  for (const w of ['принять все', 'барлығын қабылдау', 'accept all']) assert.ok(HEURISTIC_WORDS.accept.includes(w), w);
  assert.equal(normText('  ОТКЛОНИТЬ\n  ВСЕ! '), 'отклонить все');
  assert.equal(normText('«Барлығын қабылдау»'), 'барлығын қабылдау');
  assert.ok(!HEURISTIC_WORDS.accept.includes(normText('Принять все условия и подписаться')), 'whole text, not a substring');
});
