// Fixtures shared by the viewer*, notice* and receipt* browser tests: SmartAqkol v1 → v2
// (policies/smartaqkol, the seed with the 7-day rule) served from memory, a few variants of
// v2, a small Kazakh policy, the demo policy in Russian and Kazakh (policies/service v1 → v2),
// page builders, and an independent model of search hits.
//
// TEST FIXTURES, not policy text: the seed states no publication date for v1, so the v1
// manifest served here gets one (V1_PUBLISHED); the variants of v2 (new category, material,
// explicit rule) exist only here. Bodies are the real built ones.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO } from './helpers.js';

const read = (p) => readFileSync(join(REPO, p), 'utf8');
const json = (p) => JSON.parse(read(p));

export const V1_PUBLISHED = '2026-11-01T10:00:00+05:00';     // fixture assumption (see above)
export const V2 = json('policies/smartaqkol/2/manifest.json');
export const P = Date.parse(V2.publishedAt);                   // 2026-11-20T10:00+05:00
export const DAY = 86400000;
// deadline = start of day D+7+1 in +05:00 where D = 20.11.2026 → 28.11.2026 00:00 +05:00.
export const DEADLINE = Date.parse('2026-11-28T00:00:00+05:00');
export const DEADLINE_TEXT = { ru: '28.11.2026', kk: '28.11.2026', en: '28 November 2026' };

/** The Kazakh test policy (a fixture written for these tests, not a published policy). */
export const KK_SOURCE = `---
id: kk-fixture
version: 1
title: Құпиялылық саясаты (тест үлгісі)
lang: kk
publishedAt: 2026-10-01T09:00:00+05:00
controller: «Келісім Тест» ЖШС
contact: privacy@example.kz
jurisdiction: KZ
category.necessary: required
category.necessary.title.ru: Необходимые
category.necessary.title.kk: Қажетті
category.necessary.title.en: Necessary
---
1. ЖАЛПЫ ЕРЕЖЕЛЕР
1.1. Бұл саясат Пайдаланушының дербес деректерін өңдеу тәртібін анықтайды.
1.2. Дербес деректерді өңдеу Пайдаланушының келісімімен жүзеге асырылады.
1.3. Саясат сайтта жарияланған күннен бастап қолданылады.
2. ДЕРЕКТЕРДІ САҚТАУ
2.1. Дербес Деректерді сақтау мерзімі үш жылдан аспайды.
2.2. Пайдаланушы өз деректерін жоюды талап ете алады.
2.3. Өңдеу мақсаттары өзгерсе, Компания Пайдаланушыға хабарлайды.
`;

let pmPromise;
/** The policy module in Node (builds the Kazakh fixture; an independent check of bodies). */
export function nodePolicy() {
  pmPromise ||= import(pathToFileURL(join(REPO, 'web/src/engine/policy.js')).href)
    .then((m) => m.loadPolicyModule(readFileSync(join(REPO, 'dist/kelisim-policy-tools.wasm'))));  // importText, bodyHash: the tools build
  return pmPromise;
}

/**
 * Adds the fixture policies under /fx/ to a test server:
 *   /fx/smart/           index.json, manifest.json (= v2), 1/…, 2/…   (v1 dated V1_PUBLISHED)
 *   /fx/smart-newcat/    v2 adds an optional `analytics` category, still not material
 *   /fx/smart-material/  v2 marked material
 *   /fx/smart-explicit/  v2 with the explicit update rule
 *   /fx/kk/              the Kazakh fixture (imported with the policy module)
 */
export async function addPolicyRoutes(srv) {
  const v1 = { ...json('policies/smartaqkol/1/manifest.json'), publishedAt: V1_PUBLISHED, effectiveAt: V1_PUBLISHED };
  const index = json('policies/smartaqkol/index.json');
  index.versions = index.versions.map((v) => (v.version === '1' ? { ...v, publishedAt: V1_PUBLISHED, effectiveAt: V1_PUBLISHED } : v));
  const b1 = read('policies/smartaqkol/1/body.json');
  const b2 = read('policies/smartaqkol/2/body.json');
  const variants = {
    smart: V2,
    'smart-newcat': {
      ...V2, material: false,
      categories: [...V2.categories, { id: 'analytics', required: false, gpcOff: false, title: { ru: 'Аналитика', kk: 'Аналитика', en: 'Analytics' } }],
    },
    'smart-material': { ...V2, material: true },
    'smart-explicit': { ...V2, updateRule: { type: 'explicit' } },
  };
  for (const [dir, m2] of Object.entries(variants)) {
    const base = `/fx/${dir}`;
    srv.route(`${base}/index.json`, JSON.stringify(index), 'application/json');
    srv.route(`${base}/manifest.json`, JSON.stringify({ ...m2, body: '2/body.json', texts: '2/texts.json' }), 'application/json');
    srv.route(`${base}/1/manifest.json`, JSON.stringify({ ...v1, body: 'body.json', texts: 'texts.json' }), 'application/json');
    srv.route(`${base}/2/manifest.json`, JSON.stringify({ ...m2, body: 'body.json', texts: 'texts.json' }), 'application/json');
    srv.route(`${base}/1/body.json`, b1, 'application/json');
    srv.route(`${base}/2/body.json`, b2, 'application/json');
    srv.route(`${base}/1/texts.json`, read('policies/smartaqkol/1/texts.json'), 'application/json');
    srv.route(`${base}/2/texts.json`, read('policies/smartaqkol/2/texts.json'), 'application/json');
  }
  const pm = await nodePolicy();
  const kk = pm.importText(KK_SOURCE);
  const kkBody = JSON.stringify(kk.body);
  const kkManifest = {
    format: 1, id: 'kk-fixture', version: '1', title: kk.header.title, lang: 'kk',
    controller: '«Келісім Тест» ЖШС', contact: 'privacy@example.kz', jurisdiction: 'KZ',
    publishedAt: kk.header.publishedAt, effectiveAt: kk.header.publishedAt,
    updateRule: { type: 'implicit', days: 7 }, material: false, maxAgeDays: { accepted: 365, rejected: 182 },
    categories: [{ id: 'necessary', required: true, gpcOff: false, title: { ru: 'Необходимые', kk: 'Қажетті', en: 'Necessary' } }],
    bodyHash: pm.bodyHash(KK_SOURCE), body: '1/body.json', previousVersion: null, changes: null,
  };
  srv.route('/fx/kk/manifest.json', JSON.stringify(kkManifest), 'application/json');
  srv.route('/fx/kk/1/body.json', kkBody, 'application/json');
  srv.route('/fx/kk/index.json', JSON.stringify({ format: 1, id: 'kk-fixture', current: '1', versions: [
    { version: '1', body: '1/body.json', manifest: '1/manifest.json', bodyHash: kkManifest.bodyHash, publishedAt: kkManifest.publishedAt }] }), 'application/json');
  return { kkBody, b1, b2 };
}

/**
 * A page with the script tag. o: { manifest (URL), lang = 'ru', attrs = '', body = '', head = '' }.
 */
export function pageHtml(o) {
  return `<!doctype html>
<html lang="${o.lang || 'ru'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>kelisim viewer test</title>${o.head || ''}
<script src="/dist/kelisim.js" data-policy="${o.manifest}" ${o.attrs || ''} defer></script>
</head><body>
<header><nav aria-label="Сайт"><a href="/">Главная</a></nav></header>
<main><h1>Тестовая страница</h1><p>Обычный текст страницы.</p>
<p><a href="/policy.html" id="policy-link" data-kelisim-open="policy">Политика конфиденциальности</a></p>
${o.body || ''}</main>
</body></html>`;
}

export async function newContext(browser, opts = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...opts });
  // Every kelisim:update event of a page view, in order (state() only shows the latest decision).
  await context.addInitScript(() => {
    window.__updates = [];
    document.addEventListener('kelisim:update', (e) => window.__updates.push({ action: e.detail.action, reason: e.detail.reason, deadline: e.detail.deadline }));
  });
  const page = await context.newPage();
  page.__errors = [];
  page.on('pageerror', (e) => page.__errors.push(e.message));
  return { context, page };
}

export const ready = (page) => page.waitForFunction(() => window.kelisim && window.kelisim.state().status !== 'loading');
export const viewerDialog = (page) => page.locator('dialog[data-kelisim-viewer-dialog]');
export const updateNotice = (page, kind) => page.locator(kind ? `[data-kelisim-update="${kind}"]` : '[data-kelisim-update]');

// ---- policies/service: version 2 in Russian and Kazakh (policies/README.md, demo) ---------
export const SERVICE_V1_PUBLISHED = '2026-11-15T10:00:00+05:00';   // fixture assumption: the seed states no date
export const SERVICE = json('policies/service/2/manifest.json');
export const SERVICE_P = Date.parse(SERVICE.publishedAt);          // 2026-11-25T10:00+05:00

/**
 * Adds /fx/service-implicit/: policies/service as built (index, v1, v2 ru + kk), v1 dated
 * SERVICE_V1_PUBLISHED, and v2 under the implicit 7-day rule (the built v2 has the explicit
 * rule, which asks with the banner again rather than with the update notice). Test fixture.
 */
export function addServiceRoutes(srv) {
  const base = '/fx/service-implicit';
  const index = json('policies/service/index.json');
  index.versions = index.versions.map((v) => (v.version === '1' ? { ...v, publishedAt: SERVICE_V1_PUBLISHED, effectiveAt: SERVICE_V1_PUBLISHED } : v));
  const v1 = { ...json('policies/service/1/manifest.json'), publishedAt: SERVICE_V1_PUBLISHED, effectiveAt: SERVICE_V1_PUBLISHED };
  const v2 = { ...SERVICE, updateRule: { type: 'implicit', days: 7 } };
  srv.route(`${base}/index.json`, JSON.stringify(index), 'application/json');
  srv.route(`${base}/manifest.json`, JSON.stringify({ ...v2, body: '2/body.json', texts: '2/texts.json' }), 'application/json');
  srv.route(`${base}/1/manifest.json`, JSON.stringify(v1), 'application/json');
  srv.route(`${base}/2/manifest.json`, JSON.stringify(v2), 'application/json');
  for (const f of ['1/body.json', '1/texts.json', '2/body.json', '2/body.kk.json', '2/texts.json']) {
    srv.route(`${base}/${f}`, read(`policies/service/${f}`), 'application/json');
  }
}

/**
 * Adds /fx/service-kk3/: versions 2 (as built) and 3 of policies/service, where version 3 is
 * TEST FIXTURE material: version 2 with one word added to the Kazakh clause 1.3 only (a
 * corrected translation; the Russian text is the same), so "what changed" differs by language.
 * Returns { kk3 } (the edited Kazakh body, parsed).
 */
export function addServiceKk3Routes(srv) {
  const base = '/fx/service-kk3';
  const index = json('policies/service/index.json');
  const v2 = index.versions.find((v) => v.version === '2');
  const v3 = { ...v2, version: '3', body: '3/body.json', manifest: '3/manifest.json', texts: '3/texts.json',
    langs: { ru: { ...v2.langs.ru, body: '3/body.json' }, kk: { ...v2.langs.kk, body: '3/body.kk.json' } } };
  index.versions = [v2, v3];
  index.current = '3';
  const kk3 = json('policies/service/2/body.kk.json');
  const c13 = kk3.children.find((c) => c.num === '1').children.find((c) => c.num === '1.3');
  c13.children[0].c = ['Осы Саясат Қазақстан Республикасының қолданыстағы заңнамасына бағынады.'];
  const m3 = { ...SERVICE, version: '3', previousVersion: '2', changes: { added: [], changed: [], moved: [], removed: [],
    translationOnly: true, translations: { added: [], changed: ['kk'], removed: [] } } };
  const texts3 = { ...json('policies/service/2/texts.json'), version: '3' };
  srv.route(`${base}/index.json`, JSON.stringify(index), 'application/json');
  srv.route(`${base}/manifest.json`, JSON.stringify({ ...m3, body: '3/body.json', texts: '3/texts.json' }), 'application/json');
  srv.route(`${base}/3/manifest.json`, JSON.stringify(m3), 'application/json');
  srv.route(`${base}/3/texts.json`, JSON.stringify(texts3), 'application/json');
  srv.route(`${base}/3/body.json`, read('policies/service/2/body.json'), 'application/json');
  srv.route(`${base}/3/body.kk.json`, JSON.stringify(kk3), 'application/json');
  for (const f of ['2/manifest.json', '2/body.json', '2/body.kk.json', '2/texts.json']) srv.route(`${base}/${f}`, read(`policies/service/${f}`), 'application/json');
  return { kk3 };
}

// ---- an independent model of "clauses containing this word form" over body.json ----------
const inlineText = (xs) => (xs || []).map((x) => (typeof x === 'string' ? x : inlineText(x.em || x.strong || x.a))).join('');
/** [{ id, text }] of every clause of `body`, in document order (its own text, not its subclauses'). */
export function clauseTexts(body) {
  const out = [];
  const stack = [...body.children].reverse();
  while (stack.length) {
    const n = stack.pop();
    if (n.k !== 'clause') continue;
    let t = inlineText(n.title);
    for (const c of n.children) {
      if (c.k === 'p' || c.k === 'h') t += ' ' + inlineText(c.c);
      else if (c.k === 'ul') t += ' ' + c.items.map(inlineText).join(' ');
    }
    out.push({ id: n.id, text: t });
    for (const c of [...n.children].reverse()) if (c.k === 'clause') stack.push(c);
  }
  return out;
}
/** Clause ids whose own text holds `word` as a whole word, any letter case (JS Unicode lowercasing). */
export function expectedHits(body, word) {
  const w = word.toLowerCase();
  return clauseTexts(body).filter((c) => c.text.toLowerCase().split(/[^\p{L}\p{N}]+/u).includes(w)).map((c) => c.id);
}
