// `kelisim scan`, the rules part: what a cookie, storage key or request is (first or third
// party, which catalogued service, necessary or not) and which observations are violations.
// Pure functions over plain data; no browser, no I/O (tests/node/scan-classify.test.js).
import { domainToASCII } from 'node:url';
import { publicSuffixLength } from './psl.js';

/**
 * Second-level suffixes under which a registrable domain has three labels: the fallback when
 * no Public Suffix List can be read (registrableDomain() without a list). A short, deliberately
 * incomplete list; the report's method text says when it was used (docs/auditing.md).
 */
export const TWO_LEVEL_SUFFIXES = new Set([
  'co.uk', 'org.uk', 'ac.uk', 'gov.uk', 'me.uk',
  'com.kz', 'org.kz', 'net.kz', 'edu.kz', 'gov.kz', 'mil.kz',
  'com.ru', 'org.ru', 'net.ru', 'msk.ru', 'spb.ru',
  'com.ua', 'org.ua', 'com.by', 'com.uz', 'com.kg',
  'com.au', 'co.jp', 'co.kr', 'co.in', 'co.il', 'co.nz', 'co.za',
  'com.br', 'com.tr', 'com.cn', 'com.mx', 'com.ar', 'com.sg',
]);

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * A host as the rules compare it: lower-case, without leading dots (cookie domains) or a
 * trailing dot, without an IPv6 literal's brackets, and in punycode (`пример.қаз` →
 * `xn--e1afmkfd.xn--80ao21a`, as browsers send it; unchanged when node:url cannot convert it).
 */
export function normalizeHost(host) {
  const h = String(host || '').toLowerCase().replace(/^\.+/, '').replace(/\.$/, '');
  if (h.startsWith('[') && h.endsWith(']')) return h.slice(1, -1);
  return /[^\x00-\x7f]/.test(h) ? domainToASCII(h) || h : h;
}

const isIp = (h) => h.includes(':') || IPV4.test(h);

/**
 * The registrable domain of a host, or null when it has none: an IP address, an empty host, a
 * host with an empty label, or a host that is itself a public suffix (`com.kz`, `github.io`,
 * `localhost` by the list's implicit `*` rule). With `psl` (psl.js, loadPublicSuffixList): the
 * public suffix plus one label (`shop.example.com.kz` → `example.com.kz`, `x.github.io` →
 * `x.github.io`). Without it, the fallback: the last two labels, three under
 * TWO_LEVEL_SUFFIXES, null for a single label. In punycode, like normalizeHost().
 */
export function registrableDomain(host, psl = null) {
  const h = normalizeHost(host);
  if (!h || isIp(h)) return null;
  const labels = h.split('.');
  if (labels.some((l) => !l)) return null;
  const n = psl ? publicSuffixLength(labels, psl) : TWO_LEVEL_SUFFIXES.has(labels.slice(-2).join('.')) ? 2 : 1;
  return labels.length > n ? labels.slice(-n - 1).join('.') : null;
}

/**
 * The site a host belongs to: its registrable domain; a host without one (an IP address,
 * `localhost`, a public suffix such as `github.io` itself) is its own site.
 */
export function siteOf(host, psl = null) {
  return registrableDomain(host, psl) || normalizeHost(host);
}

/**
 * 'first' when `host` belongs to the same site (siteOf) as `siteHost`, else 'third'. `psl`: a
 * parsed Public Suffix List, or null for the fallback (TWO_LEVEL_SUFFIXES).
 */
export function party(host, siteHost, psl = null) {
  return siteOf(host, psl) === siteOf(siteHost, psl) ? 'first' : 'third';
}

/** True when `name` matches `pattern`, where `*` in the pattern stands for any run of characters. */
export function wildcard(pattern, name) {
  if (!pattern.includes('*')) return pattern === name;
  const parts = pattern.split('*');
  if (!name.startsWith(parts[0])) return false;
  let at = parts[0].length;
  for (let i = 1; i < parts.length - 1; i++) {
    const j = name.indexOf(parts[i], at);
    if (j < 0) return false;
    at = j + parts[i].length;
  }
  const tail = parts[parts.length - 1];
  return name.length - tail.length >= at && name.endsWith(tail);
}

/**
 * True when `host` is matched by a catalogue host entry: an exact name, or `*.example.com`
 * for any subdomain of example.com (not example.com itself).
 */
export function hostMatches(entry, host) {
  const e = entry.toLowerCase();
  const h = host.toLowerCase();
  if (e.startsWith('*.')) return h.endsWith(e.slice(1));
  return e === h;
}

/**
 * Checks a parsed catalogue (services-contract.md part 1) and returns it as
 * `{ services: [{ id, name, category, hosts, embeds: [{ hosts, path }], cookies, storage }] }`.
 * Throws an Error naming the field when the file is not a catalogue.
 */
export function loadCatalogue(json, where = 'catalogue') {
  if (!json || typeof json !== 'object' || !Array.isArray(json.services)) {
    throw new Error(`${where}: not a services catalogue (no "services" array)`);
  }
  const strings = (v, field, i) => {
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      throw new Error(`${where}: services[${i}].${field} must be a list of strings`);
    }
    return v;
  };
  const services = json.services.map((s, i) => {
    if (!s || typeof s.id !== 'string' || typeof s.category !== 'string') {
      throw new Error(`${where}: services[${i}] needs an "id" and a "category"`);
    }
    const embeds = Array.isArray(s.embeds)
      ? s.embeds.map((e, k) => ({ hosts: strings(e && e.hosts, `embeds[${k}].hosts`, i), path: e && typeof e.path === 'string' ? e.path : '/' }))
      : [];
    return {
      id: s.id,
      name: s.name && typeof s.name === 'object' ? s.name : { en: s.id },
      category: s.category,
      hosts: strings(s.hosts, 'hosts', i),
      embeds,
      cookies: strings(s.cookies, 'cookies', i),
      storage: strings(s.storage, 'storage', i),
    };
  });
  return { services };
}

/** True when service `s` names `host` among its hosts or its embeds' hosts. */
const hasHost = (s, host) => s.hosts.some((e) => hostMatches(e, host)) || s.embeds.some((m) => m.hosts.some((e) => hostMatches(e, host)));

/** The first service whose hosts (or embed hosts) match `host`, or null. */
export function serviceByHost(catalogue, host) {
  if (!host) return null;
  return catalogue.services.find((s) => hasHost(s, host)) || null;
}

/**
 * Services a request URL belongs to, most specific first: those with an embed whose host
 * matches and whose path starts the URL's path; else those listing the host in `hosts`; else
 * those with the host among their embeds' hosts. Several services can share a host
 * (www.google.com: maps and reCAPTCHA); all candidates are returned, in catalogue order.
 */
export function servicesByUrl(catalogue, url) {
  let u;
  try { u = new URL(url); } catch { return []; }
  const h = u.hostname;
  const embed = catalogue.services.filter((s) => s.embeds.some((m) => m.hosts.some((e) => hostMatches(e, h)) && u.pathname.startsWith(m.path)));
  if (embed.length) return embed;
  const own = catalogue.services.filter((s) => s.hosts.some((e) => hostMatches(e, h)));
  if (own.length) return own;
  return catalogue.services.filter((s) => s.embeds.some((m) => m.hosts.some((e) => hostMatches(e, h))));
}

/** Catalogue services with a `field` ('cookies' | 'storage') pattern matching `name`, exact names first. */
function servicesByName(catalogue, field, name) {
  const exact = catalogue.services.filter((s) => s[field].includes(name));
  const wild = catalogue.services.filter((s) => !exact.includes(s) && s[field].some((p) => wildcard(p, name)));
  return [...exact, ...wild];
}

const hostOf = (url) => {
  try { return new URL(url).hostname; } catch { return ''; }
};

/**
 * Which service a cookie or storage key belongs to. By name first (when several services
 * declare the name, the one whose host set it wins); else by the host of the script or
 * response that set it. Returns `{ service, by: 'name' | 'setter' }` or null.
 */
export function matchService(catalogue, field, name, setters = []) {
  const hosts = setters.map((s) => hostOf(s.url)).filter(Boolean);
  const named = servicesByName(catalogue, field, name);
  if (named.length) {
    const bySetter = named.find((s) => hosts.some((h) => hasHost(s, h)));
    return { service: bySetter || named[0], by: 'name' };
  }
  for (const h of hosts) {
    const s = serviceByHost(catalogue, h);
    if (s) return { service: s, by: 'setter' };
  }
  return null;
}

/**
 * kelisim's own consent storage: the cookie / localStorage key `name` and its `name:*` keys
 * (history, outbox, sent, probe; web/src/engine/storage.js, web/src/outbox.js). Always necessary.
 */
export function isKelisimOwn(key, consentName = 'kelisim') {
  return key === consentName || key.startsWith(consentName + ':');
}

/** A service as the report names it: `{ id, name, category }` (name in `lang`, else en/ru/id). */
export function serviceRef(s, lang = 'en') {
  return { id: s.id, name: s.name[lang] || s.name.en || s.name.ru || s.id, category: s.category };
}

const KELISIM = { id: 'kelisim', name: 'kelisim (consent record)', category: 'necessary' };
const DECLARED = { en: 'declared by the site', ru: 'объявлено сайтом' };

/**
 * A cookie the site itself declares (`site.declared`: [{ pattern, category, required }] from
 * its kelisim manifest and `cookies` option) as `{ service: { id: 'site:<category>', name,
 * category }, by: 'site' }`, or null. A required category counts as necessary.
 */
export function matchDeclared(declared = [], name, lang = 'en') {
  const d = declared.find((x) => wildcard(x.pattern, name));
  if (!d) return null;
  return { service: { id: `site:${d.category}`, name: `${DECLARED[lang] || DECLARED.en} (${d.category})`, category: d.required ? 'necessary' : d.category }, by: 'site' };
}

/**
 * Classifies one pass's observations. `obs` = { cookies: [{ name, domain, path, expires,
 * setBy: [{ url, via }] }], storage: [{ area, origin, key, setBy }], requests: [{ url, type }] };
 * `site` = { host, consentName, declared }. Returns { cookies, storage, requests } annotated with party,
 * service ({ id, name, category } or null), matchedBy and violation (a reason code or null;
 * always null when `consentGiven`).
 * `now` (ms) computes lifetimes; `psl` (a parsed Public Suffix List, or null for the fallback)
 * decides first or third party (party()). Requests are grouped by host; first-party hosts are
 * listed but never violations.
 */
export function classifyPass(catalogue, obs, site, { consentGiven, now, lang = 'en', psl = null }) {
  // A catalogued service outside `necessary` is a violation before consent and after reject;
  // so is a third-party cookie no catalogue entry explains. The site's own (first-party)
  // cookies, storage and requests of unknown purpose are listed, not judged.
  const judge = (match, own, unknownThird) => {
    const service = own ? KELISIM : match ? (match.by === 'site' ? match.service : serviceRef(match.service, lang)) : null;
    let violation = null;
    if (!consentGiven && service && service.category !== 'necessary') violation = 'non-necessary-service';
    else if (!consentGiven && !service && unknownThird) violation = 'unknown-third-party-cookie';
    return { service, matchedBy: own ? 'consent-name' : match ? match.by : null, violation };
  };

  const cookies = obs.cookies.map((c) => {
    const p = party(c.domain, site.host, psl);
    const own = p === 'first' && isKelisimOwn(c.name, site.consentName);
    // The catalogue first; else what the site declares for its own categories.
    const match = own ? null : matchService(catalogue, 'cookies', c.name, c.setBy) || matchDeclared(site.declared, c.name, lang);
    const lifetime = c.expires > 0 ? Math.max(0, Math.round((c.expires * 1000 - now) / 86400000 * 10) / 10) : null;
    return {
      name: c.name, domain: c.domain, path: c.path, party: p,
      session: !(c.expires > 0), lifetimeDays: lifetime,
      setBy: c.setBy, ...judge(match, own, p === 'third'),
    };
  });

  const storage = obs.storage.map((s) => {
    const p = party(hostOf(s.origin), site.host, psl);
    const own = p === 'first' && s.area === 'local' && isKelisimOwn(s.key, site.consentName);
    const match = own ? null : matchService(catalogue, 'storage', s.key, s.setBy);
    return { area: s.area, origin: s.origin, key: s.key, party: p, setBy: s.setBy, ...judge(match, own, false) };
  });

  // Requests grouped by host and the services their URLs match (one host can serve two).
  const groups = new Map();
  for (const r of obs.requests) {
    const host = hostOf(r.url);
    if (!host) continue;
    const p = party(host, site.host, psl);
    const cands = p === 'third' ? servicesByUrl(catalogue, r.url) : [];
    const k = host + ' ' + cands.map((c) => c.id).join(',');
    let g = groups.get(k);
    if (!g) groups.set(k, g = { host, party: p, types: [], count: 0, example: r.url.slice(0, 200), cands });
    g.count++;
    if (!g.types.includes(r.type)) g.types.push(r.type);
  }
  const requests = [...groups.values()].map(({ cands, ...g }) => {
    // Ambiguous host: a violation only when no candidate is necessary; the first one is named.
    const pick = cands.find((c) => c.category === 'necessary') || cands[0];
    const j = judge(pick ? { service: pick, by: 'host' } : null, false, false);
    if (cands.length > 1) j.alsoMatches = cands.filter((c) => c !== pick).map((c) => serviceRef(c, lang));
    return { ...g, ...j };
  });
  return { cookies, storage, requests };
}

/**
 * Flat list of violations over the classified passes: `{ state, kind, name, service,
 * reason, detail }`, in state order (none, reject), then cookies, storage, requests.
 */
export function violationsOf(states) {
  const out = [];
  for (const st of states) {
    if (!st.result) continue;
    const when = st.id === 'none' ? 'before-consent' : 'after-reject';
    for (const c of st.result.cookies) {
      if (c.violation) out.push({ state: st.id, when, kind: 'cookie', name: c.name, domain: c.domain, service: c.service, reason: c.violation, setBy: c.setBy });
    }
    for (const s of st.result.storage) {
      if (s.violation) out.push({ state: st.id, when, kind: 'storage', name: s.key, area: s.area, origin: s.origin, service: s.service, reason: s.violation, setBy: s.setBy });
    }
    for (const r of st.result.requests) {
      if (r.violation) out.push({ state: st.id, when, kind: 'request', name: r.host, types: r.types, example: r.example, service: r.service, reason: r.violation });
    }
  }
  return out;
}
