// [issue 14] The banner in the page: the first layer as HTML, for a site that renders its pages
// (a server, a static-site build), so that a first visit's banner is painted with the page's own
// first paint instead of after kelisim.js has been fetched and run.
//
//   import { prerenderBanner } from 'kelisim/prerender';
//   const pre = prerenderBanner(manifest, { lang: 'ru', manifestUrl: '/policies/acme/manifest.json' });
//   // pre.head: into <head>, before kelisim's script tag; pre.body: right after <body>;
//   // pre.csp: the hashes a strict Content-Security-Policy must allow.
//
// What it writes (docs/embedding.md, "The banner in the page"):
// - the banner's stylesheet inline (<style data-kelisim-css>), so that the page's first paint
//   waits for no request; kelisim.js then loads only the second layer's stylesheet;
// - an inline check (<script>, ~0.4 KB): when nothing is stored under kelisim's name (its
//   cookie, or its localStorage key with storage: 'localStorage') it marks
//   <html data-kelisim-first>, and only then does the stylesheet show the prerendered banner; a
//   returning visitor's page never shows it. A click on one of its buttons before kelisim.js
//   has run is kept (data-kelisim-early) and carried out by it;
// - the banner itself, built by the same createBanner() as kelisim.js's (web/src/ui/banner.js),
//   with the same strings (web/src/ui/i18n.js), as HTML.
// kelisim.js then takes that banner over when it is the one it would draw (controller.js
// drawBanner), or puts its own in its place in one task (no frame shows both or neither): the
// consent core still decides everything, and a banner of another policy version, language or
// look is replaced. If kelisim.js never starts, the prerendered banner goes after 10 s
// (banner.css). Sites whose CSP forbids inline code add the two hashes (`pre.csp`), which change
// only when these texts, options or kelisim change.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createBanner, rootAttrs, safeUrl } from './ui/banner.js';
import { translator, LANGS } from './ui/i18n.js';

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Markup already escaped (what the HTML maker returns). */
class Html {
  constructor(html) { this.html = html; }
  toString() { return this.html; }
}

/**
 * banner.js's h() for HTML: the same arguments, the same element, written as text. Strings
 * (attribute values, `text`, child strings) are escaped; listeners (`on…`) are left out: the
 * page's kelisim.js brings its own banner with them.
 */
function html(tag, attrs, ...children) {
  let out = '<' + tag;
  let text = '';
  for (const k in attrs || {}) {
    const v = attrs[k];
    if (v == null || v === false || (k[0] === 'o' && k[1] === 'n')) continue;
    if (k === 'text') text = esc(v);
    else out += ' ' + k + (v === true ? '' : '="' + esc(v) + '"');
  }
  out += '>' + text;
  for (const c of children) if (c != null && c !== false) out += c instanceof Html ? c.html : esc(c);
  return new Html(out + '</' + tag + '>');
}

/**
 * The page's inline check, run in <head> before the first paint: nothing stored under `name`
 * → <html data-kelisim-first>, which shows the prerendered banner. It looks where kelisim
 * keeps the choice: the cookie (storage 'both', the default, and 'cookie'), or localStorage
 * ('localStorage' only: reading localStorage as well, the check ran 29-55 ms in the page's
 * parsing task at 4× CPU throttle on the bench, 8-32 ms without it, session 11; kelisim writes the cookie and localStorage together,
 * so with 'both' a choice without its cookie is rare, and kelisim.js takes the banner away once
 * it has read the stores). A click on the prerendered banner's buttons before kelisim.js runs
 * is kept in data-kelisim-early (controller.js drawBanner carries it out).
 */
const check = (name, storage) => '(function(d,n){var h=d.documentElement,s=0' +
  (storage === 'localStorage' ? ';try{s=localStorage.getItem(n)}catch(e){}'
    : storage === 'memory' ? '' : ',c=d.cookie.split(";"),i;for(i=0;i<c.length;i++)if(c[i].replace(/^\\s+/,"").indexOf(n+"=")===0)s=1') +
  ';if(!s)h.setAttribute("data-kelisim-first","");' +
  'd.addEventListener("click",function(e){var b=e.target.closest&&e.target.closest("[data-kelisim-prerendered] [data-kelisim-action]");' +
  'if(b){e.preventDefault();h.setAttribute("data-kelisim-early",b.getAttribute("data-kelisim-action"))}},true)' +
  `})(document,${JSON.stringify(name)})`;

const hash = (text) => "'sha256-" + createHash('sha256').update(text, 'utf8').digest('base64') + "'";

/**
 * The policy link's address as kelisim.js makes it (safeUrl: http(s) only, resolved against the
 * manifest's address). Against a root-relative manifest address the link is root-relative too;
 * without one, a relative link stays as it is (the page resolves it, as kelisim.js does).
 */
const SOMEWHERE = 'https://relative.invalid';
function linkUrl(u, base) {
  const href = safeUrl(u, new URL(base || '', SOMEWHERE + '/').href);
  if (!href || !href.startsWith(SOMEWHERE + '/')) return href;
  return base ? href.slice(SOMEWHERE.length) : u;
}

let seq = 0;

/**
 * The first layer of `manifest` as HTML for a page's first paint.
 * @param {object} manifest the policy's manifest (manifest.json of `kelisim build`)
 * @param {object} [o]
 * @param {string} [o.lang] the page's language: ru, kk or en (default: the manifest's)
 * @param {object} [o.strings] the site's string overrides, as given to kelisim
 * @param {'bar'|'box'} [o.layout] @param {'light'|'dark'} [o.theme] as given to kelisim
 * @param {string} [o.policyUrl] the policy link, as given to kelisim (data-policy-url; default:
 *   the manifest's, resolved against o.manifestUrl when given)
 * @param {string} [o.manifestUrl]
 * @param {string} [o.cookieName='kelisim'] kelisim's cookie name and localStorage key
 *   (data-cookie-name), which the inline check looks for
 * @param {'both'|'cookie'|'localStorage'|'memory'} [o.storage='both'] kelisim's storage
 *   (data-storage): where the inline check looks (the cookie, but localStorage for
 *   'localStorage'; for 'memory' every visit is a first one)
 * @param {string} [o.css] the banner's stylesheet (default: dist/kelisim-banner.css)
 * @returns {{ head: string, body: string, csp: { scriptSrc: string, styleSrc: string } }}
 */
export function prerenderBanner(manifest, o = {}) {
  if (!manifest || typeof manifest !== 'object' || !manifest.id || manifest.version == null) {
    throw new TypeError('prerenderBanner: a manifest (with id and version) is needed');
  }
  const lang = String(o.lang || manifest.lang || 'en').toLowerCase().split(/[-_]/)[0];
  if (!LANGS.includes(lang)) throw new RangeError(`prerenderBanner: lang must be one of ${LANGS.join(', ')}, not ${o.lang || manifest.lang}`);
  const name = o.cookieName || 'kelisim';
  const storage = o.storage || 'both';
  if (!['both', 'cookie', 'localStorage', 'memory'].includes(storage)) throw new RangeError(`prerenderBanner: storage must be both, cookie, localStorage or memory, not ${storage}`);
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new RangeError(`prerenderBanner: cookie name ${JSON.stringify(name)} is not a plain token`);
  const css = o.css ?? readFileSync(new URL('../../dist/kelisim-banner.css', import.meta.url), 'utf8');
  if (/<\/style/i.test(css)) throw new RangeError('prerenderBanner: the stylesheet contains </style');
  const n = ++seq;
  const banner = createBanner({
    t: translator(lang, o.strings || {}),
    // As kelisim.js picks it: its own policyUrl option (against the page), else the manifest's.
    policyUrl: linkUrl(o.policyUrl) || linkUrl(manifest.policyUrl, o.manifestUrl),
    layout: o.layout,
    h: html,
    uid: (p) => `kelisim-pre-${p}-${n}`,
  }).el;
  const script = check(name, storage);
  const root = html('div', { ...rootAttrs(lang, o.theme), 'data-kelisim-prerendered': `${manifest.id}@${manifest.version}` }, banner);
  return {
    head: `<style data-kelisim-css>${css}</style>\n<script>${script}</script>\n`,
    body: root.html + '\n',
    csp: { scriptSrc: hash(script), styleSrc: hash(css) },
  };
}
