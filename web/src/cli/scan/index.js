// `kelisim scan <url>`: audits a site in headless Chromium — no choice, after "reject all",
// after "accept all" — and reports what tracks before consent or after reject, matched
// against the services catalogue. Loaded by web/src/cli/kelisim.js only for this subcommand.
// Exit codes: 0 no violations, 1 violations, 2 bad usage, no browser, or the site did not load.
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScanError, findBrowser, loadPlaywright, launch } from './browser.js';
import { runPass } from './collect.js';
import { loadCatalogue, classifyPass, violationsOf } from './classify.js';
import { DEBIAN_PSL, loadPublicSuffixList } from './psl.js';
import { renderHtml, STATE_LABEL } from './report-html.js';

export const SCAN_HELP = `kelisim scan - audit what a site sets and requests before consent and after "reject all"

Usage:
  kelisim scan <url> [--pages N] [--out DIR] [--lang en|ru] [--catalogue FILE]
                     [--browser PATH] [--wait MS] [--psl FILE]
      Opens <url> in headless Chromium three times, each in a fresh profile: with no choice,
      after "reject all", after "accept all" (on a kelisim site its data-kelisim-action
      buttons; elsewhere a button whose text reads like reject/accept in ru, kk or en, when
      one is found). Records cookies (who set them, lifetime, first/third party), storage
      (localStorage and sessionStorage keys, IndexedDB databases, Cache Storage caches,
      service workers) and third-party requests over up to N same-origin pages (default 3), matches them against
      the services catalogue and writes DIR/report.json and DIR/report.html with a
      screenshot per state (default DIR: ./kelisim-scan).
      --catalogue FILE   services catalogue (default: services/catalogue.json of this package)
      --browser PATH     Chromium/Chrome to drive (else $KELISIM_CHROMIUM, then the usual
                         install places); needs the npm package playwright-core
      --wait MS          quiet time after each page load, after the network is idle (default 1000)
      --psl FILE         the Public Suffix List that decides first/third party (default:
                         Debian's, ${DEBIAN_PSL}; without
                         it, a two-label heuristic, which the report says)
  Test mode (never on by default): --offline blocks every request to a host other than
  127.0.0.1/localhost; --offline-map HOST=DIR (repeatable, implies --offline) answers HOST's
  requests from the files in DIR.

Exit codes: 0 no violations, 1 violations found, 2 bad usage, no browser, or the site did not load.
`;

const PACKAGE_CATALOGUE = fileURLToPath(new URL('../../../../services/catalogue.json', import.meta.url));

/** Scan options from argv (after `scan`); throws ScanError (usage) on bad input. */
export function parseScanArgs(argv) {
  const o = { url: '', pages: 3, out: 'kelisim-scan', lang: 'en', catalogue: '', browser: '', psl: '', waitMs: 1000, offline: false, offlineMap: {}, help: false, bannerTimeout: 10000 };
  const value = (i, flag) => {
    if (i + 1 >= argv.length) throw new ScanError(`${flag} needs a value`);
    return argv[i + 1];
  };
  const count = (v, flag, min, max) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new ScanError(`${flag} must be a whole number from ${min} to ${max}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') o.help = true;
    else if (a === '--pages') o.pages = count(value(i++, a), a, 1, 100);
    else if (a === '--out' || a === '-o') o.out = value(i++, a);
    else if (a === '--lang') {
      o.lang = value(i++, a);
      if (o.lang !== 'en' && o.lang !== 'ru') throw new ScanError('--lang must be en or ru');
    } else if (a === '--catalogue') o.catalogue = value(i++, a);
    else if (a === '--browser') o.browser = value(i++, a);
    else if (a === '--psl') o.psl = value(i++, a);
    else if (a === '--wait') o.waitMs = count(value(i++, a), a, 0, 60000);
    else if (a === '--offline') o.offline = true;
    else if (a === '--offline-map') {
      const v = value(i++, a);
      const eq = v.indexOf('=');
      if (eq < 1 || eq === v.length - 1) throw new ScanError('--offline-map needs HOST=DIR');
      o.offlineMap[v.slice(0, eq).toLowerCase()] = path.resolve(v.slice(eq + 1));
      o.offline = true;
    } else if (a.startsWith('-')) throw new ScanError(`unknown option ${a}`);
    else if (!o.url) o.url = a;
    else throw new ScanError(`unexpected argument ${a}`);
  }
  if (o.help) return o;
  if (!o.url) throw new ScanError('scan needs a <url>');
  let u;
  try { u = new URL(o.url); } catch { throw new ScanError(`not a URL: ${o.url}`); }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ScanError(`not an http(s) URL: ${o.url}`);
  return o;
}

/** The catalogue file's parsed services; throws ScanError naming the file on failure. */
function readCatalogue(file) {
  let text;
  try { text = readFileSync(file, 'utf8'); } catch {
    throw new ScanError(`${file}: cannot read the services catalogue (pass --catalogue FILE)`);
  }
  let json;
  try { json = JSON.parse(text); } catch (e) { throw new ScanError(`${file}: not JSON (${e.message})`); }
  try { return loadCatalogue(json, file); } catch (e) { throw new ScanError(e.message); }
}

/**
 * The Public Suffix List for the first/third-party split, as `{ psl, file, error }`: `explicit`
 * (--psl FILE; unreadable: ScanError), else `fallbackFile` (Debian's list); when that cannot be
 * read, `psl` is null (classify.js then uses its heuristic) and `error` says why.
 */
export function publicSuffixListFor(explicit, fallbackFile = DEBIAN_PSL) {
  if (explicit) {
    try { return { psl: loadPublicSuffixList(explicit), file: explicit, error: '' }; } catch (e) {
      throw new ScanError(`${explicit}: cannot read the Public Suffix List (--psl): ${e.code || e.message}`);
    }
  }
  try { return { psl: loadPublicSuffixList(fallbackFile), file: fallbackFile, error: '' }; } catch (e) {
    return { psl: null, file: fallbackFile, error: e.code || e.message };
  }
}

/** The report's `method.thirdParty` text: which rule decided first/third party, from which file. */
export function thirdPartyMethod({ psl, file, error }) {
  const site = 'first party = same site as the scanned URL; a host that is an IP address, a single label or itself a public suffix is its own site';
  if (psl) {
    const version = psl.version ? `version ${psl.version}${psl.commit ? ', commit ' + psl.commit : ''}` : `no version line; file dated ${psl.date}`;
    return `site = registrable domain (public suffix + one label) by the Public Suffix List from ${file} (${version}; ${psl.rules} rules, ICANN and private sections; ` +
      `algorithm: https://github.com/publicsuffix/list/wiki/Format); ${site}`;
  }
  return `site = registrable domain by a heuristic, NOT the Public Suffix List (${file}: ${error}; install Debian's publicsuffix package or pass --psl FILE): ` +
    `the last two labels of the host, three under a short list of two-level suffixes (co.uk, com.kz, org.kz, …); ${site}`;
}

/**
 * Runs the scan with options `o` (parseScanArgs). Returns `{ report, code }`; writes the report
 * files to o.out. Throws ScanError for usage/browser/site failures.
 */
export async function scan(o, { log = () => {} } = {}) {
  const catalogueFile = o.catalogue || PACKAGE_CATALOGUE;
  const catalogue = readCatalogue(catalogueFile);
  const suffixes = publicSuffixListFor(o.psl);
  if (!suffixes.psl) log(`Public Suffix List: ${suffixes.file}: ${suffixes.error}; first/third party by a heuristic (see the report's method)`);
  const executable = findBrowser(o.browser);
  const chromium = await loadPlaywright();
  try { mkdirSync(o.out, { recursive: true }); } catch { throw new ScanError(`${o.out}: cannot create the report folder`); }

  const t0 = Date.now();
  const browser = await launch(chromium, executable);
  const passes = [];
  try {
    const common = { startUrl: o.url, outDir: o.out, offlineMap: o.offline ? o.offlineMap : null, waitMs: o.waitMs, bannerTimeout: o.bannerTimeout, maxPages: o.pages };
    const none = await runPass(browser, { ...common, state: 'none', pages: null });
    passes.push(none);
    log(`${STATE_LABEL.en.none}: ${none.pages.length} page(s)${none.kelisim ? ', kelisim found' : ''}`);
    for (const state of ['reject', 'accept']) {
      const p = await runPass(browser, { ...common, state, pages: none.pages });
      passes.push(p);
      log(`${STATE_LABEL.en[state]}: ${p.skipped ? 'skipped (' + p.skipped + ')' : 'clicked ' + p.clicked + ' (' + p.how + ')'}`);
    }
  } finally {
    await browser.close().catch(() => {});
  }

  const host = new URL(o.url).hostname;
  const now = Date.now();
  const states = passes.map((p) => ({
    id: p.state, how: p.how, clicked: p.clicked, skipped: p.skipped, kelisimChoices: p.kelisimChoices, screenshot: p.screenshot, notes: p.notes,
    result: p.skipped ? null : classifyPass(catalogue, p.observed, { host, consentName: p.consentName, declared: passes[0].declared }, { consentGiven: p.state === 'accept', now, lang: o.lang, psl: suffixes.psl }),
  }));
  const violations = violationsOf(states);
  const report = {
    format: 1,
    tool: 'kelisim scan',
    url: o.url,
    scannedAt: new Date(t0).toISOString(),
    durationMs: now - t0,
    site: { host, kelisim: passes[0].kelisim, consentName: passes[0].consentName, declaredCookies: passes[0].declared },
    pages: passes[0].pages,
    catalogue: { file: catalogueFile, services: catalogue.services.length },
    publicSuffixList: suffixes.psl ? { file: suffixes.file, version: suffixes.psl.version, commit: suffixes.psl.commit, date: suffixes.psl.date, rules: suffixes.psl.rules } : null,
    offline: o.offline,
    lang: o.lang,
    method: {
      thirdParty: thirdPartyMethod(suffixes),
      setBy: 'Set-Cookie: the response URL; document.cookie, cookieStore, Storage#setItem, indexedDB.open, caches.open and navigator.serviceWorker.register: the calling script read from the JavaScript call stack (best effort)',
      violations: 'before consent (no choice) and after "reject all": a cookie, storage key or request matched to a catalogued service outside "necessary", a cookie the site itself declares for a category that is not required (kelisim sites), or a third-party cookie no catalogue entry explains',
    },
    states,
    violations,
  };
  writeFileSync(path.join(o.out, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(path.join(o.out, 'report.html'), renderHtml(report, o.lang));
  return { report, code: violations.length ? 1 : 0 };
}

/** One line per violation for the terminal. */
export function summaryText(report) {
  const lines = [];
  const v = report.violations;
  lines.push(v.length ? `${v.length} violation(s):` : 'no violations');
  for (const x of v) {
    const who = x.service ? `${x.service.name} [${x.service.id}, ${x.service.category}]` : 'unknown third party';
    const by = x.setBy && x.setBy.length ? ` set by ${x.setBy[0].url}` : '';
    const kind = x.kind === 'storage' ? `storage (${x.area})` : x.kind;
    const what = x.kind === 'request' ? `request ${x.name} (${x.types.join(', ')})` : `${kind} ${x.name}${by}`;
    lines.push(`  ${x.when}: ${what} — ${who}`);
  }
  return lines.join('\n') + '\n';
}

/** The subcommand: argv after `scan`; returns the exit code. */
export async function runScan(argv) {
  try {
    const o = parseScanArgs(argv);
    if (o.help) { process.stdout.write(SCAN_HELP); return 0; }
    const { report, code } = await scan(o, { log: (s) => process.stdout.write(s + '\n') });
    process.stdout.write(summaryText(report));
    process.stdout.write(`report: ${path.join(o.out, 'report.html')} (and report.json), ${report.durationMs} ms\n`);
    return code;
  } catch (e) {
    // Exit 1 means "violations": anything unexpected must not look like that.
    process.stderr.write(e instanceof ScanError ? `kelisim scan: ${e.message}\n` : `kelisim scan: unexpected error: ${e && e.stack || e}\n`);
    return 2;
  }
}
